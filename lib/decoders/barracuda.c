/*
 * barracuda.c - bounces from the Barracuda Spam Firewall: subject
 * "**Message you sent blocked by our bulk email filter**" with an RFC 3464
 * part whose fields give the recipients.  Without a delivery-status part the message is left to the
 * other decoders.
 */
#include "gw_util.h"

int ss_decode_barracuda(const ss_view *v, ss_bounce *out) {
    if (!v->dsn)
        return SS_DEC_NO;
    /* the subject only: "(Spam Firewall)" Received headers are on all
     * mail that passed a Barracuda, bounces of other MTAs included */
    if (!pv_has_cs(v->subject, "Message you sent blocked by our bulk email filter"))
        return SS_DEC_NO;
    gw_dsn d = gw_dsn_begin(v, out);
    return gw_dsn_none(out, &d) ? SS_DEC_NO : SS_DEC_YES;
}
