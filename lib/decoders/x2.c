/*
 * x2.c - bounces of an unidentified qmail-like MTA (sisimai's "X2"): From
 * MAILER-DAEMON@, Subject "Delivery failure" / "failed delivery" /
 * "failure delivery" / "Permanent Delivery Failure", text:
 *
 *   Message from example.com.
 *   Unable to deliver message to the following address(es).
 *
 *   <user@example.org>:
 *   This user doesn't have a example.org account (user@example.org) [0]
 *
 *   --- Original message follows.
 *
 * Takes the recipients and their text, the status from "(#4.4.1)", and
 * the qmail-style "this message has been in the queue too long" as the
 * stated reason when no code is given.  Does not classify otherwise.
 */
#include "../decoder.h"
#include "provutil.h"

/* The status of the first "(#5.1.1)" in s (that one only, unlike
 * qmail.c's, which reads on to the next "(#"), or a NULL slice. */
static ss_str hash_status(ss_str s) {
    long at = ss_find(s, "(#", 2);
    return at < 0 ? SS_NULLSTR : pv_hash_status_at(s, (size_t)at);
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (!pv_from_has(v, "MAILER-DAEMON@"))
        return SS_DEC_NO;
    ss_str head = v->text;
    if (head.len > 1024)
        head.len = 1024;
    if (ss_find_ci(head, "Unable to deliver message to the following address") < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    ss_fact *cur = NULL;
    int reading = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (!reading) {
            reading = pv_starts_lit(t, "Unable to deliver message to the following address");
            continue;
        }
        if (pv_starts_lit(t, "--- Original message follows")) {
            pv_original_at(v, out, pos);
            break;
        }
        if (!pv_block_line(out, &cur, t))
            break;
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "X2";
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        f->status = hash_status(f->diagnostic);
        if (ss_find_ci(f->diagnostic, "this message has been in the queue too long") >= 0)
            f->reason = SMTPSTATUS_R_EXPIRED;
    }
    return SS_DEC_YES;
}

int ss_decode_x2(const ss_view *v, ss_bounce *out) {
    ss_str s = ss_trim(v->subject);
    if (!pv_starts_lit(s, "Delivery failure") && !pv_starts_lit(s, "failed delivery") &&
        !pv_starts_lit(s, "failure delivery") &&
        !pv_starts_lit(s, "Permanent Delivery Failure"))
        return SS_DEC_NO;
    return decode(v, out);
}
