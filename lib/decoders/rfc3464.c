/*
 * rfc3464.c - RFC 3464 delivery status notifications (message/
 * delivery-status) and RFC 6533 message/global-delivery-status.
 *
 * Reads the machine-readable part only; the per-recipient fields come from
 * ss_dsn_parse().  Format-specific decoders that know more from the
 * human-readable text run before this one in the table.
 */
#include "../decoder.h"

int ss_decode_rfc3464(const ss_view *v, ss_bounce *out) {
    if (!v->dsn)
        return SS_DEC_NO;
    out->decoder = "RFC3464";
    ss_dsn_parse(v->dsn_text, out);
    /* A report part with no recipient is still a DSN: say so with no
     * records rather than letting a weaker decoder guess. */
    return SS_DEC_YES;
}
