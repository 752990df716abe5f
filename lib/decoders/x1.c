/*
 * x1.c - bounces of an unidentified MTA (sisimai's "X1"): From "Mail
 * Deliver System" <MAILER-DAEMON>, Subject "Returned Mail: ...", text
 *
 *   ---The following addresses had delivery errors---
 *
 *   user@example.org [User unknown]
 *
 * Each address line gives the recipient and, in brackets, the error.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    int reading = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (!reading) {
            reading = pv_starts_lit(t, "---The following addresses had delivery errors---");
            continue;
        }
        if (!t.len)
            continue;
        const char *lb = memchr(t.ptr, '[', t.len);
        if (!lb || t.ptr[t.len - 1] != ']' ||
            !memchr(t.ptr, '@', (size_t)(lb - t.ptr)))
            break;
        ss_fact *f = pv_add_rcpt(out, ss_trim(ss_str_make(t.ptr, (size_t)(lb - t.ptr))));
        if (!f)
            break;
        f->diagnostic = ss_str_make(lb + 1, (size_t)(t.ptr + t.len - lb - 2));
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "X1";
    return SS_DEC_YES;
}

int ss_decode_x1(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Returned Mail: ") ||
        ss_find_ci(v->from, "Mail Deliver System") < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
