/*
 * outlook.c - delivery status notifications from Outlook.com / Hotmail
 * (From postmaster@ a hotmail / outlook / live / msn domain, with a
 * delivery-status part whose Reporting-MTA is a host under a hotmail or
 * outlook domain, e.g. BLU004-OMC1S1.hotmail.com).  The facts are the
 * DSN's; this decoder only recognizes the provider so that records name
 * it.  Office 365 / Exchange
 * Online reports are left to the Exchange and RFC3464 decoders.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str mta = pv_field_line(v->dsn_text, "Reporting-MTA:");
    if (ss_find_ci(mta, ".hotmail.") < 0 && ss_find_ci(mta, ".outlook.") < 0)
        return SS_DEC_NO;
    return pv_dsn_facts(v, out, "Outlook", NULL);
}

int ss_decode_outlook(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || !pv_from_local(v, "postmaster") ||
        (!pv_from_has(v, "hotmail") && !pv_from_has(v, "outlook") &&
         !pv_from_has(v, "@live.") && !pv_from_has(v, "@msn.")))
        return SS_DEC_NO;
    return decode(v, out);
}
