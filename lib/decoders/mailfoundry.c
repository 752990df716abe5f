/*
 * mailfoundry.c - bounces from MailFoundry: subject "Message delivery has
 * failed", a Received header "(MAILFOUNDRY)", and the text
 *
 *   Unable to deliver message to: <user@example.org>
 *   Delivery failed for the following reason:
 *   Server mx.example.org[192.0.2.1] failed with: 550 No such user here
 *
 * One fact per "Unable to deliver message to:" line; the lines after
 * "Delivery failed for the following reason:" up to a blank line are the
 * diagnostic.
 */
#include "gw_util.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (!gw_any_header_has(v, "Received", "(MAILFOUNDRY)") &&
        !gw_has(v->text, "Unable to deliver message to: <"))
        return SS_DEC_NO;
    ss_str text = v->text;
    size_t first = out->nfacts, pos = 0, n = 0;
    ss_str line;
    ss_fact *cur = NULL;
    int in_reason = 0;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "Unable to deliver message to:")) {
            ss_str a = ss_find_address(gw_skip(t, 29));
            if (!a.len)
                continue;
            cur = pv_add_rcpt(out, a);
            if (!cur)
                break;
            in_reason = 0;
            continue;
        }
        if (!cur)
            continue;
        if (pv_starts_lit(t, "Delivery failed for the following reason:")) {
            in_reason = 1;
            continue;
        }
        if (!t.len) {
            in_reason = 0;
            continue;
        }
        if (in_reason)
            cur->diagnostic = gw_join(out->arena, cur->diagnostic, t);
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        /* "Server host[ip] failed with: 550 ..." names the remote host */
        ss_str d = out->facts[i].diagnostic;
        long fw = ss_find(d, " failed with:", 13);
        if (fw < 0)
            fw = ss_find(d, " responded with failure:", 24);
        if (fw > 0) {
            ss_str h = ss_str_make(d.ptr, (size_t)fw);
            if (pv_starts_lit(h, "Server "))
                h = gw_skip(h, 7);
            long br = ss_find(h, "[", 1);
            if (br > 0)
                h.len = (size_t)br;
            out->facts[i].remote_mta = ss_trim(h);
        }
    }
    return SS_DEC_YES;
}

int ss_decode_mailfoundry(const ss_view *v, ss_bounce *out) {
    if (!pv_eq_str(ss_trim(v->subject), "Message delivery has failed"))
        return SS_DEC_NO;
    return decode(v, out);
}
