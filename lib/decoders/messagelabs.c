/*
 * messagelabs.c - bounces from Symantec Email Security.cloud (MessageLabs):
 * an X-Msg-Ref header naming messagelabs.com or a sender at
 * messagelabs.com, and the text
 *
 *   I was unable to deliver your message to the following addresses:
 *
 *   user@example.org
 *
 *   Reason: 550 user@example.org... No such user
 *
 * One fact per address line; the "Reason:" line after it is the
 * diagnostic.  With a delivery-status part, its fields are used and the
 * text adds the diagnostic they lack.
 */
#include "gw_util.h"
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "I was unable to deliver your message to the following addresses:", 0, NULL);
    if (start < 0)
        return SS_DEC_NO;
    gw_dsn d = gw_dsn_begin(v, out);
    size_t pos = (size_t)start, n = 0;
    ss_str line, addr = SS_NULLSTR;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        if (pv_starts_lit(t, "The message subject was:") ||
            pv_starts_lit(t, "Please do not reply"))
            break;
        ss_str a = gw_lone_address(t);
        if (a.len) {
            addr = a;
            if (!d.dsn_facts) {
                ss_fact *f = pv_add_rcpt(out, a);
                if (!f)
                    break;
            }
            continue;
        }
        if (pv_starts_lit(t, "Reason:") && addr.len) {
            ss_fact *f = gw_fact_for(out, d.first, addr);
            if (!f && d.dsn_facts && out->nfacts == d.first + 1)
                f = &out->facts[d.first];
            if (f && !ss_trim(f->diagnostic).len)
                f->diagnostic = ss_trim(gw_skip(t, 7));
        }
    }
    return gw_dsn_none(out, &d) ? SS_DEC_NO : SS_DEC_YES;
}

int ss_decode_messagelabs(const ss_view *v, ss_bounce *out) {
    if (!gw_header_has(v, "X-Msg-Ref", "messagelabs.com") &&
        !pv_from_has(v, "@messagelabs.com"))
        return SS_DEC_NO;
    return decode(v, out);
}
