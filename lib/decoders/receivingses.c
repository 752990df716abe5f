/*
 * receivingses.c - bounces written by Amazon SES on the receiving side
 * (inbound-smtp.<region>.amazonaws.com): an X-SES-Outgoing: header and a
 * delivery-status part whose Reporting-MTA is an inbound-smtp host at
 * amazonaws.com.  The facts are the DSN's; this decoder recognizes the
 * service so that records name it.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str mta = pv_field_line(v->dsn_text, "Reporting-MTA:");
    if (ss_find_ci(mta, "inbound-smtp.") < 0 || ss_find_ci(mta, "amazonaws.com") < 0)
        return SS_DEC_NO;
    return pv_dsn_facts(v, out, "ReceivingSES", NULL);
}

int ss_decode_receivingses(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || !pv_has_header(v, "X-SES-Outgoing"))
        return SS_DEC_NO;
    return decode(v, out);
}
