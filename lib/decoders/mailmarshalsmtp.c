/*
 * mailmarshalsmtp.c - bounces from Trustwave (Marshal) MailMarshal SMTP:
 * subject 'Undeliverable Mail: "..."' and the text
 *
 *   Your message:
 *      From:    sender@example.com
 *      Subject: ...
 *   Could not be delivered because of
 *   550 5.1.1 User unknown
 *   The following recipients were affected:
 *       user@example.org
 *   Additional Information
 *   Remote-MTA:   <192.0.2.1>
 *
 * Every address under "The following recipients were affected:" gets the
 * diagnostic between the two markers.
 */
#include "gw_util.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "Your message:", 1, NULL);
    if (start < 0)
        return SS_DEC_NO;
    size_t first = out->nfacts, pos = (size_t)start, n = 0;
    ss_str line, diag = SS_NULLSTR, remote = SS_NULLSTR;
    int section = 0; /* 1 error text, 2 recipients, 3 additional info */
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "Could not be delivered because of")) {
            section = 1;
            continue;
        }
        if (pv_starts_lit(t, "The following recipients were affected:")) {
            section = 2;
            continue;
        }
        if (pv_starts_lit(t, "Additional Information")) {
            section = 3;
            continue;
        }
        if (!t.len)
            continue;
        if (section == 1) {
            diag = gw_join(out->arena, diag, t);
        } else if (section == 2) {
            ss_str a = gw_lone_address(t);
            if (a.len) {
                ss_fact *f = pv_add_rcpt(out, a);
                if (!f)
                    break;
            }
        } else if (section == 3 && pv_starts_lit(t, "Remote-MTA:")) {
            ss_str r = ss_trim(gw_skip(t, 11));
            if (r.len > 2 && r.ptr[0] == '<' && r.ptr[r.len - 1] == '>')
                r = ss_str_make(r.ptr + 1, r.len - 2);
            remote = r;
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        out->facts[i].diagnostic = diag;
        out->facts[i].remote_mta = remote;
    }
    return SS_DEC_YES;
}

int ss_decode_mailmarshalsmtp(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Undeliverable Mail: \""))
        return SS_DEC_NO;
    return decode(v, out);
}
