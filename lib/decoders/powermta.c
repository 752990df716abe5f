/*
 * powermta.c - delivery reports from PowerMTA ("Delivery report" with a
 * delivery-status part carrying X-PowerMTA-VirtualMTA: or
 * X-PowerMTA-BounceCategory: fields).  The facts are the DSN's; the
 * bounce category is not turned into a reason (the remote reply is more
 * precise); this decoder recognizes the MTA so that records name it.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || (ss_find_ci(v->dsn_text, "\nX-PowerMTA-VirtualMTA:") < 0 &&
                    ss_find_ci(v->dsn_text, "\nX-PowerMTA-BounceCategory:") < 0))
        return SS_DEC_NO;
    return pv_dsn_facts(v, out, "PowerMTA", NULL);
}

int ss_decode_powermta(const ss_view *v, ss_bounce *out) {
    /* both fields below hold "X-PowerMTA-": one cheap scan first */
    if (!v->dsn || pv_find_ci_by(v->dsn_text, "X-PowerMTA-", 'w') < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
