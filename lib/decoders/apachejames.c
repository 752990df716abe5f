/*
 * apachejames.c - bounces written by Apache James' notify mailets
 * (Subject "[BOUNCE]", a JavaMail Message-ID or a "JAMES SMTP Server"
 * Received line), text:
 *
 *   Error message below:
 *   550 - Requested action not taken: no such user here
 *
 *   Message details:
 *     Subject: ...
 *     MAIL FROM: sender@example.org
 *     RCPT TO: user@example.org
 *
 * Recipients are the "RCPT TO:" lines; the diagnostic is the text before
 * "Message details:".  Does not classify.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    int match = pv_eq_str(ss_trim(v->subject), "[BOUNCE]") ||
                ss_find(pv_header(v->root, "Message-ID"), ".JavaMail.", 10) >= 0;
    for (size_t i = 0; i < v->root->nheaders && i < 64 && !match; i++) {
        const ss_header *h = &v->root->headers[i];
        match = pv_eq_str(h->name, "Received") &&
                ss_find(h->value, "JAMES SMTP Server", 17) >= 0;
    }
    if (!match || ss_find(v->text, "Error message below:", 20) < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line, diag = SS_NULLSTR;
    int details = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "Message details:")) {
            details = 1;
            continue;
        }
        if (!details) {
            if (t.len) {
                diag = ss_span_join(diag, t);
            }
            continue;
        }
        if (pv_starts_lit(t, "RCPT TO:")) {
            ss_str a = ss_find_address(t);
            if (a.len)
                pv_add_rcpt(out, a);
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "ApacheJames";
    for (size_t i = first; i < out->nfacts; i++)
        out->facts[i].diagnostic = diag;
    return SS_DEC_YES;
}

int ss_decode_apachejames(const ss_view *v, ss_bounce *out) {
    /* the text's markers first: the cheapest test (all are needed) */
    if (ss_find(v->text, "Message details:", 16) < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
