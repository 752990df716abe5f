/*
 * mcafee.c - bounces from McAfee Email Gateway / Email and Web Security
 * appliances: X-NAI-Header "Modified by McAfee ...", subject "Delivery
 * Status", a text part
 *
 *   --- The following addresses had delivery problems ---
 *   <user@example.org>   (550 5.1.1 <user@example.org>... User unknown)
 *
 * and a delivery-status part that often has only Original-Recipient.
 * The DSN gives the recipients when it names any; the text lines give
 * them otherwise, and their parenthesized text is the diagnostic when the
 * DSN has none.
 */
#include "gw_util.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (!gw_header_has(v, "X-NAI-Header", "Modified by McAfee"))
        return SS_DEC_NO;
    ss_str text = v->text;
    gw_dsn d = gw_dsn_begin(v, out);
    long start = gw_find_line(text, 0, "--- The following addresses had delivery problems ---", 0, NULL);
    if (start >= 0) {
        size_t pos = (size_t)start, n = 0;
        ss_str line;
        while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
            ss_str t = ss_trim(line);
            if (!t.len || t.ptr[0] != '<')
                continue;
            long gt = ss_find(t, ">", 1);
            if (gt < 0)
                continue;
            ss_str addr = ss_find_address(ss_str_make(t.ptr, (size_t)gt + 1));
            ss_str rest = ss_trim(gw_skip(t, (size_t)gt + 1));
            if (rest.len >= 2 && rest.ptr[0] == '(' && rest.ptr[rest.len - 1] == ')')
                rest = ss_trim(ss_str_make(rest.ptr + 1, rest.len - 2));
            if (!addr.len)
                continue;
            ss_fact *f = gw_dsn_fact(out, &d, addr);
            if (!f && !d.dsn_facts)
                break; /* out takes no more facts */
            if (f && !ss_trim(f->diagnostic).len)
                f->diagnostic = rest;
        }
    }
    return gw_dsn_none(out, &d) ? SS_DEC_NO : SS_DEC_YES;
}

int ss_decode_mcafee(const ss_view *v, ss_bounce *out) {
    /* (the subject first: cheaper than the header) */
    if (!pv_eq_str(ss_trim(v->subject), "Delivery Status"))
        return SS_DEC_NO;
    return decode(v, out);
}
