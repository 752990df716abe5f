/*
 * mxlogic.c - bounces from MX Logic (McAfee SaaS Email Protection), an
 * Exim-based service: an X-MX-Bounce header, a sender at mxlogic.net, or
 * X-MXL-NoteHash/X-MXL-Hash with a "(mxl_mta-" Received header and a
 * MAILER-DAEMON at an MX Logic relay, and the Exim text
 *
 *   A message that you have sent could not be delivered to one or more
 *   recipients.  This is a permanent error.  The following address failed:
 *
 *     <user@example.org>: 550 5.1.1 <user@example.org>: User unknown
 *
 *   Included is a copy of the message header:
 *
 * One fact per indented "address: text" line (following lines up to a
 * blank line continue it).  Plain Exim bounces are not recognized here.
 */
#include "gw_util.h"
#include "provutil.h"

int ss_decode_mxlogic(const ss_view *v, ss_bounce *out) {
    /* X-MXL-* and "(mxl_mta-" Received headers are on all mail that
     * passed MX Logic; with them the sender must be an MX Logic host too
     * (the sender is tested first: cheaper than the headers).  From
     * holds "mxlogic.net" (net) or ".mxl" (mxl, read only without net):
     * both have a '.' (at offset 7, at 0), so one pass over the dots of
     * From tests both. */
    int from = pv_lit2(v->from, '.', "mxlogic.net", 7, ".mxl", 0);
    int net = from == 2, mxl = from == 1;
    int hit = net || pv_header(v->root, "X-MX-Bounce").ptr ||
              (mxl && pv_from_has(v, "MAILER-DAEMON@") &&
               (pv_header(v->root, "X-MXL-NoteHash").ptr ||
                pv_header(v->root, "X-MXL-Hash").ptr) &&
               gw_any_header_has(v, "Received", "(mxl_mta-"));
    if (!hit)
        return SS_DEC_NO;
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "could not be delivered to one or more", 0, NULL);
    if (start < 0)
        return SS_DEC_NO;
    size_t first = out->nfacts, pos = (size_t)start, n = 0;
    ss_str line;
    ss_fact *cur = NULL;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len) {
            cur = NULL;
            continue;
        }
        if (pv_starts_lit(t, "Included is a copy of the message") ||
            pv_starts_lit(t, "------ This is a copy of the message")) {
            long dash = gw_find_line(text, pos, "---", 1, NULL);
            if (!v->original)
                out->original = gw_rest(text, dash >= 0 ? (size_t)dash : pos);
            break;
        }
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
            long c = ss_find(t, ": ", 2);
            ss_str head = c > 0 ? ss_str_make(t.ptr, (size_t)c) : t;
            ss_str a = ss_find_address(head);
            if (c > 0 && a.len && ss_find(head, " ", 1) < 0) {
                cur = pv_add_rcpt(out, a);
                if (!cur)
                    break;
                cur->diagnostic = ss_trim(gw_skip(t, (size_t)c + 1));
                continue;
            }
        }
        if (cur)
            cur->diagnostic = gw_join(out->arena, cur->diagnostic, t);
    }
    if (out->nfacts == first) {
        out->original = SS_NULLSTR;
        return SS_DEC_NO;
    }
    return SS_DEC_YES;
}
