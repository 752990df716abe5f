/*
 * notes.c - bounces written by Lotus Notes' SMTP MTA (Subject
 * "Undeliverable message"):
 *
 *   ------- Failure Reasons  --------
 *
 *   User not listed in public Name & Address Book
 *   user@example.org
 *
 *   ------- Returned Message --------
 *
 * Reason lines come before the address they belong to.  Notes' own
 * sentences state the reason ("User not listed in public Name & Address
 * Book", its Japanese form, "Message has exceeded maximum hop count").
 * When no address line is found the original's To: is used.
 */
#include "provutil.h"

/* "not in the directory list" as Japanese Notes servers write it (UTF-8) */
static const char JA_NOT_LISTED[] =
    "\xe3\x83\x87\xe3\x82\xa3\xe3\x83\xac\xe3\x82\xaf\xe3\x83\x88\xe3\x83\xaa\xe3\x81\xae\xe3\x83\xaa"
                   "\xe3\x82\xb9\xe3\x83\x88\xe3\x81\xab\xe3\x81\x82\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93";

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (ss_find(v->text, "------- Failure Reasons", 23) < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line, reason = SS_NULLSTR;
    int reading = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (!reading) {
            reading = pv_starts_lit(t, "------- Failure Reasons");
            continue;
        }
        if (pv_starts_lit(t, "------- Returned Message")) {
            pv_original_at(v, out, pos);
            break;
        }
        if (!t.len || t.ptr[0] == '-')
            continue;
        if (memchr(t.ptr, '@', t.len) && !memchr(t.ptr, ' ', t.len)) {
            ss_fact *f = pv_add_rcpt(out, t);
            if (!f)
                break;
            f->diagnostic = reason;
            reason = SS_NULLSTR;
            continue;
        }
        reason = ss_span_join(reason, t);
    }
    if (out->nfacts == first) {
        /* the original's To: */
        ss_str o = v->original ? v->original_text : out->original;
        long to = ss_find_ci(o, "\nTo:");
        if (to >= 0) {
            ss_str r = ss_str_make(o.ptr + to + 4, o.len - (size_t)to - 4);
            const char *nl = memchr(r.ptr, '\n', r.len);
            if (nl)
                r.len = (size_t)(nl - r.ptr);
            ss_str a = ss_find_address(r);
            ss_fact *f = a.len ? pv_add_rcpt(out, a) : NULL;
            if (f)
                f->diagnostic = reason;
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "Notes";
    for (size_t i = first; i < out->nfacts; i++) {
        ss_str d = out->facts[i].diagnostic;
        if (ss_find_ci(d, "not listed in public Name & Address Book") >= 0 ||
            ss_find(d, JA_NOT_LISTED, sizeof JA_NOT_LISTED - 1) >= 0)
            out->facts[i].reason = SMTPSTATUS_R_USERUNKNOWN;
        else if (ss_find_ci(d, "Message has exceeded maximum hop count") >= 0)
            out->facts[i].reason = SMTPSTATUS_R_NETWORKERROR;
    }
    return SS_DEC_YES;
}

int ss_decode_notes(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Undeliverable message"))
        return SS_DEC_NO;
    return decode(v, out);
}
