/*
 * biglobe.c - bounces from BIGLOBE (and the cable ISPs on its platform:
 * inacatv, tmtv, ttv): From postmaster@<isp>.ne.jp, subject "Returned
 * mail: ...", and the text
 *
 *      ----- The following addresses had delivery problems -----
 *   user@example.biglobe.ne.jp
 *
 *      ----- Non-delivered information -----
 *   The number of messages in recipient's mailbox exceeded the local limit.
 *
 * The messages the service prints for a full mailbox and for an unknown
 * user name the reason; other text is left to the classifier.
 */
#include "gw_util.h"
#include "provutil.h"

#define BG_MAX 256

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    static const char *const isp[] = {"@biglobe.ne.jp", "@inacatv.ne.jp",
                                      "@tmtv.ne.jp", "@ttv.ne.jp", NULL};
    int hit = 0;
    for (size_t i = 0; isp[i]; i++)
        if (ss_find_ci(v->from, isp[i]) >= 0)
            hit = 1;
    if (!hit)
        return SS_DEC_NO;
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "----- The following addresses had delivery problems -----", 0, NULL);
    if (start < 0)
        return SS_DEC_NO;
    ss_str rcpts[BG_MAX];
    size_t nr = 0, pos = (size_t)start, n = 0;
    ss_str line, diag = SS_NULLSTR;
    int in_info = 0;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        if (gw_has(t, "----- Non-delivered information -----")) {
            in_info = 1;
            continue;
        }
        if (gw_has(t, "--"))
            continue;
        ss_str a = in_info ? SS_NULLSTR : gw_lone_address(t);
        if (a.len) {
            if (nr < BG_MAX)
                rcpts[nr++] = a;
        } else if (in_info) {
            diag = gw_join(out->arena, diag, t);
        }
    }
    if (!nr)
        return SS_DEC_NO;
    int reason = -1;
    if (gw_has(diag, "The number of messages in recipient's mailbox exceeded the local limit"))
        reason = SMTPSTATUS_R_MAILBOXFULL;
    else if (gw_has(diag, "Mail Delivery Failed... User unknown"))
        reason = SMTPSTATUS_R_USERUNKNOWN;
    gw_add_each(out, rcpts, nr, diag, SS_NULLSTR, reason);
    return SS_DEC_YES;
}

int ss_decode_biglobe(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Returned mail:") ||
        !pv_from_has(v, "postmaster@"))
        return SS_DEC_NO;
    return decode(v, out);
}
