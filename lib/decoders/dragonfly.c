/*
 * dragonfly.c - bounces written by DMA, the DragonFly Mail Agent:
 *
 *   This is the DragonFly Mail Agent v0.13 at host.example.
 *
 *   There was an error delivering your mail to <user@example.org>.
 *
 *   mx.example.org [192.0.2.1] did not like our RCPT TO:
 *   550 5.1.1 <user@example.org>: User unknown
 *
 *   Message headers follow.   (or "Original message follows.")
 *
 * Takes the recipient, the remote host and command from "did not like
 * our X:", and the error text.  DMA's own two messages state their reason
 * (expired after the queue lifetime, DNS lookup failure).  Does not
 * classify otherwise; the analyzer does.
 */
#include "../decoder.h"
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    /* the marker is the first line of the text */
    ss_str head = v->text;
    if (head.len > 512)
        head.len = 512;
    if (pv_find_ci_by(head, "This is the DragonFly Mail Agent ", 'y') < 0)
        return SS_DEC_NO;
    out->decoder = "DragonFly";

    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    ss_fact *cur = NULL;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "Message headers follow") ||
            pv_starts_lit(t, "Original message follows")) {
            pv_original_at(v, out, pos);
            break;
        }
        if (pv_starts_lit(t, "There was an error delivering your mail to ")) {
            ss_str a = ss_find_address(ss_str_make(t.ptr + 43, t.len - 43));
            if (!a.len)
                continue;
            if (!(cur = pv_add_rcpt(out, a)))
                break;
            continue;
        }
        if (!cur || !t.len)
            continue;
        long dl = ss_find_ci(t, " did not like our ");
        if (dl > 0 && !cur->remote_mta.len) {
            size_t e = 0;
            while (e < (size_t)dl && t.ptr[e] != ' ')
                e++;
            cur->remote_mta = ss_str_make(t.ptr, e);
            ss_str c = ss_str_make(t.ptr + dl + 18, t.len - (size_t)dl - 18);
            if (pv_starts_lit(c, "final DATA") || pv_starts_lit(c, "DATA"))
                cur->command = SS_STR("DATA");
            else if (pv_starts_lit(c, "RCPT"))
                cur->command = SS_STR("RCPT");
            else if (pv_starts_lit(c, "MAIL"))
                cur->command = SS_STR("MAIL");
            else if (pv_starts_lit(c, "EHLO") || pv_starts_lit(c, "HELO"))
                cur->command = SS_STR("EHLO");
            else if (pv_starts_lit(c, "STARTTLS"))
                cur->command = SS_STR("STARTTLS");
            cur->diagnostic_type = SS_STR("SMTP");
            continue; /* the reply follows on the next lines */
        }
        /* the error text: one paragraph, possibly several lines */
        cur->diagnostic = ss_span_join(cur->diagnostic, t);
    }
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (pv_starts_lit(f->diagnostic, "Could not deliver for the last "))
            f->reason = SMTPSTATUS_R_EXPIRED;
        else if (pv_starts_lit(f->diagnostic, "DNS lookup failure: host "))
            f->reason = SMTPSTATUS_R_HOSTUNKNOWN;
    }
    return out->nfacts > first ? SS_DEC_YES : SS_DEC_NO;
}

int ss_decode_dragonfly(const ss_view *v, ss_bounce *out) {
    if (pv_find_ci_by(v->subject, "Mail delivery failed", 'v') < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
