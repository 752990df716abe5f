/*
 * x4.c - bounces of qmail clones that reword qmail-send's opening
 * (sisimai's "X4"): Subject "failure notice" or "Permanent Delivery
 * Failure" (or a qmail Received line), then one of the clones' opening
 * sentences, then qmail's "<addr>:" blocks.  The block parsing and
 * qmail's fixed messages are shared with qmail.c (ss_qmail_blocks()).
 */
#include "../decoder.h"
#include "provutil.h"

/* defined in qmail.c */
int ss_qmail_blocks(const ss_view *v, ss_bounce *out,
                    const char *const *openers, const char *name);

/* The X4 decoder; no_received: the caller knows that no Received header
 * (of the first 64) holds "(qmail " with "invoked for bounce)" (qmail's
 * decoder looked: ss_decode_qmail_x4). */
int ss_decode_x4_known(const ss_view *v, ss_bounce *out, int no_received);

int ss_decode_x4_known(const ss_view *v, ss_bounce *out, int no_received) {
    static const char *const openers[] = {
        "He/Her is not ",
        "unable to deliver your message to the following addresses",
        "Su mensaje no pudo ser entregado",
        "This is the machine generated message from mail service",
        "This is the mail delivery agent at",
        "Unable to deliver message to the following address",
        "Unfortunately, your mail was not delivered to the following address:",
        "Your mail message to the following address",
        "Your message to the following addresses",
        NULL};
    ss_str s = ss_trim(v->subject);
    if (!pv_starts_lit(s, "failure notice") &&
        !pv_starts_lit(s, "Permanent Delivery Failure")) {
        int q = 0;
        for (size_t i = 0; !no_received && i < v->root->nheaders && i < 64 && !q;
             i++) {
            const ss_header *h = &v->root->headers[i];
            q = pv_eq_str(h->name, "Received") &&
                pv_has_lit(h->value, "(qmail ") &&
                ss_find_ci(h->value, "invoked for bounce)") >= 0;
        }
        if (!q)
            return SS_DEC_NO;
    }
    return ss_qmail_blocks(v, out, openers, "X4");
}
