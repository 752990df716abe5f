/*
 * mimecast.c - non-delivery reports written by Mimecast's own gateway
 * (not bounces of other MTAs that only quote a Mimecast reply): subject
 * "[Postmaster] Email Delivery Failure" or a Message-Id at *.mimecast.lan,
 * and a text whose facts are on lines beginning with "-- ":
 *
 *   An email that you attempted to send to the following address could
 *   not be delivered:
 *   -- user@example.org
 *   The problem appears to be :
 *   -- Recipient email address is possibly incorrect
 *   Additional information follows :
 *   -- 5.4.1 Recipient address rejected: Access denied.
 *
 * A "-- " line holding only an address starts a recipient; other "-- "
 * lines are its diagnostic.  A delivery-status part, when there is one,
 * gives the recipients and the text fills diagnostics it lacks.
 */
#include "gw_util.h"

#define MC_MAX 256

typedef struct mc_rcpt {
    ss_str recipient, diag;
} mc_rcpt;

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    mc_rcpt r[MC_MAX];
    size_t nr = 0, pos = 0, n = 0;
    ss_str line;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        if (!pv_starts_lit(line, "-- "))
            continue;
        ss_str t = ss_trim(gw_skip(line, 3));
        if (!t.len)
            continue;
        ss_str a = gw_lone_address(t);
        if (a.len) {
            if (nr >= MC_MAX)
                break;
            r[nr].recipient = a;
            r[nr].diag = SS_NULLSTR;
            nr++;
        } else if (nr) {
            r[nr - 1].diag = gw_join(out->arena, r[nr - 1].diag, t);
        }
    }
    if (!nr)
        return SS_DEC_NO;
    gw_dsn d = gw_dsn_begin(v, out);
    if (d.dsn_facts) {
        for (size_t k = 0; k < nr; k++) {
            ss_fact *f = gw_fact_for(out, d.first, r[k].recipient);
            if (f && !ss_trim(f->diagnostic).len)
                f->diagnostic = r[k].diag;
        }
    } else {
        /* the text's facts: without what the DSN part set (its
         * Reporting-MTA) */
        out->reporting_mta = d.saved_mta;
        for (size_t k = 0; k < nr; k++) {
            ss_fact *f = pv_add_rcpt(out, r[k].recipient);
            if (!f)
                break;
            f->diagnostic = r[k].diag;
        }
    }
    return out->nfacts > d.first ? SS_DEC_YES : SS_DEC_NO;
}

int ss_decode_mimecast(const ss_view *v, ss_bounce *out) {
    ss_str mid = ss_trim(pv_header(v->root, "Message-Id"));
    int by_mid = mid.len > 14 &&
                 pv_eq_str(ss_str_make(mid.ptr + mid.len - 14, 14), ".mimecast.lan>");
    if (!by_mid && !pv_has_cs(v->subject, "Email Delivery Failure"))
        return SS_DEC_NO;
    return decode(v, out);
}
