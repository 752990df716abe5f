/*
 * facebook.c - bounces from Facebook's mail servers (From
 * mailer-daemon@mx.facebook.com or another facebook.com host, "Sorry,
 * your message could not be delivered", with a delivery-status part).
 * Facebook writes the per-recipient fields in its own order (Diagnostic-
 * Code and Status before Final-Recipient); the facts are the DSN's.  The
 * diagnostic carries Facebook's reason code ("RCP-P1", "POL-P2", ...)
 * and its explanation, which the classifier reads.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    return pv_dsn_facts(v, out, "Facebook", NULL);
}

int ss_decode_facebook(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || !pv_from_local(v, "mailer-daemon") ||
        /* (both hold "facebook.com": one search rules them out) */
        !(pv_from_has(v, "facebook.com") &&
          (pv_from_has(v, "@facebook.com") || pv_from_has(v, ".facebook.com"))))
        return SS_DEC_NO;
    return decode(v, out);
}
