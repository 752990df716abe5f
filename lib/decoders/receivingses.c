/*
 * receivingses.c - bounces written by Amazon SES on the receiving side
 * (inbound-smtp.<region>.amazonaws.com): an X-SES-Outgoing: header and a
 * delivery-status part whose Reporting-MTA is an inbound-smtp host at
 * amazonaws.com.  The facts are the DSN's; this decoder recognizes the
 * service so that records name it.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    long r = ss_find_ci(v->dsn_text, "Reporting-MTA:");
    if (r < 0)
        return SS_DEC_NO;
    ss_str rest = ss_str_make(v->dsn_text.ptr + r, v->dsn_text.len - (size_t)r);
    const char *nl = memchr(rest.ptr, '\n', rest.len);
    if (nl)
        rest.len = (size_t)(nl - rest.ptr);
    if (ss_find_ci(rest, "inbound-smtp.") < 0 || ss_find_ci(rest, "amazonaws.com") < 0)
        return SS_DEC_NO;
    size_t first = out->nfacts;
    ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "ReceivingSES";
    return SS_DEC_YES;
}

int ss_decode_receivingses(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || !pv_has_header(v, "X-SES-Outgoing"))
        return SS_DEC_NO;
    return decode(v, out);
}
