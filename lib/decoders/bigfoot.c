/*
 * bigfoot.c - bounces from Bigfoot's forwarding service (From
 * MAILER-DAEMON@bigfoot.com, with a delivery-status part).  The facts are
 * the DSN's; this decoder recognizes the service so that records name it.
 */
#include "provutil.h"

int ss_decode_bigfoot(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || !pv_from_local(v, "mailer-daemon") ||
        !pv_from_has(v, "@bigfoot.com"))
        return SS_DEC_NO;
    size_t first = out->nfacts;
    ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "Bigfoot";
    return SS_DEC_YES;
}
