/*
 * domino.c - bounces written by IBM (Lotus) Domino's router (Subject
 * "DELIVERY FAILURE: ..." or "DELIVERY_FAILURE: ..."):
 *
 *   Your message
 *
 *     Subject: ...
 *
 *   was not delivered to:
 *
 *     user@example.org
 *
 *   because:
 *
 *     User someone (user@example.org) not listed in Domino Directory
 *
 * With a delivery-status part the DSN gives the recipients and the
 * "because:" text fills a missing diagnostic.  Domino's "not listed in
 * Domino Directory" / "not listed in public Name & Address Book" state
 * that the user is unknown.  Does not classify otherwise.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (ss_find_ci(v->text, "was not delivered to:") < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line, because = SS_NULLSTR;
    int state = 0; /* 1: reading addresses, 2: reading the reason */
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "was not delivered to:")) {
            state = 1;
            continue;
        }
        if (pv_starts_lit(t, "because:")) {
            state = 2;
            continue;
        }
        if (!t.len)
            continue;
        if (state == 1 && memchr(t.ptr, '@', t.len) && !v->dsn) {
            ss_fact *f = pv_add_rcpt(out, t);
            if (!f)
                break;
        } else if (state == 2) {
            if (line.ptr[0] != ' ' && line.ptr[0] != '\t')
                break;
            because = ss_span_join(because, t);
        }
    }
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "Domino";
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (!ss_trim(f->diagnostic).len)
            f->diagnostic = because;
        if (ss_find_ci(f->diagnostic, "not listed in Domino Directory") >= 0 ||
            ss_find_ci(f->diagnostic, "not listed in public Name & Address Book") >= 0)
            f->reason = SMTPSTATUS_R_USERUNKNOWN;
    }
    return SS_DEC_YES;
}

int ss_decode_domino(const ss_view *v, ss_bounce *out) {
    ss_str s = ss_trim(v->subject);
    if (!pv_starts_lit(s, "DELIVERY FAILURE:") && !pv_starts_lit(s, "DELIVERY_FAILURE:"))
        return SS_DEC_NO;
    return decode(v, out);
}
