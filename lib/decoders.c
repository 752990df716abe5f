/*
 * decoders.c - the decoder table: every bounce decoder, in the order they
 * are tried.  ARF first (feedback reports are not bounces), then the
 * format-specific decoders (which recognize their MTA or provider cheaply
 * and know its human-readable text), then the generic RFC 3464 decoder,
 * auto-replies, and last the fallback for bounces of no known format.
 *
 * The format-specific decoders are listed in lib/decoders/list_*.h, one
 * SS_DECODER(Name, function_suffix) line each; each decoder lives in its
 * own file lib/decoders/<suffix>.c and defines
 *   int ss_decode_<suffix>(const ss_view *v, ss_bounce *out);
 */
#include "decoder.h"

#define SS_DECODER(name, fn) int ss_decode_##fn(const ss_view *v, ss_bounce *out);
SS_DECODER(ARF, arf)
SS_DECODER(RFC3464, rfc3464)
SS_DECODER(RFC3834, rfc3834)
#include "decoders/list_mta.h"
#include "decoders/list_gateway.h"
#include "decoders/list_provider.h"
#include "decoders/list_fallback.h"
#undef SS_DECODER

#define SS_DECODER(name, fn) {#name, ss_decode_##fn},
const ss_decoder ss_decoders[] = {
    SS_DECODER(ARF, arf)
#include "decoders/list_provider.h"
#include "decoders/list_gateway.h"
#include "decoders/list_mta.h"
    SS_DECODER(RFC3464, rfc3464)
    SS_DECODER(RFC3834, rfc3834)
#include "decoders/list_fallback.h"
    {NULL, NULL},
};
#undef SS_DECODER
