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
    size_t first = out->nfacts;
    ss_str saved = out->reporting_mta;
    ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts == first) {
        out->reporting_mta = saved;
        return SS_DEC_NO;
    }
    return SS_DEC_YES;
}
