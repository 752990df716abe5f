/*
 * einsundeins.c - bounces from 1&1 (kundenserver.de), written by the
 * United Internet mail system:
 *
 *   This message was created automatically by mail delivery software.
 *   ... The following address failed:
 *
 *   user@example.org
 *
 *   For the following reason:
 *
 *   Mail size limit exceeded. ...
 *
 *   --- The header of the original message is following. ---
 *
 * Recognized by "Mail delivery failed" from a mail delivery system with
 * that end marker (GMX, which shares it, is tried first).  Each address
 * line starts a recipient; the lines below are its diagnostic.  The
 * "for TEXT command" of the remote error means the message data.
 */
#include "provutil.h"

/* defined in gmx.c */
size_t ss_united_blocks(const ss_view *v, ss_bounce *out);

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    /* ss_united_blocks finds nothing unless the text holds its end
     * marker, so that marker's end first, searched from its 'w' (either
     * case): the texts that get here (Exim's, with the original's
     * headers inline) hold several times more dots than w's */
    if (pv_find_ci_by(v->text, "following. ---", 'w') < 0)
        return SS_DEC_NO;
    size_t first = out->nfacts;
    if (!ss_united_blocks(v, out))
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (!f->command.len && ss_find(f->diagnostic, "TEXT command", 12) >= 0)
            f->command = SS_STR("DATA");
        /* "... reason: 550 5.2.0 ..." : the remote server's words */
        long r = ss_find(f->diagnostic, "reason: ", 8);
        if (r >= 0) {
            ss_str d = ss_str_make(f->diagnostic.ptr + r + 8,
                                   f->diagnostic.len - (size_t)r - 8);
            pv_lead_reply(f, d);
        }
    }
    out->decoder = "EinsUndEins";
    return SS_DEC_YES;
}

int ss_decode_einsundeins(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Mail delivery failed") ||
        (!pv_from_local(v, "mailer-daemon") &&
         ss_find_ci(v->from, "Mail Delivery System") < 0))
        return SS_DEC_NO;
    return decode(v, out);
}
