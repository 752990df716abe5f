/*
 * yahoo.c - Yahoo! Mail bounces ("Failure Notice" from MAILER-DAEMON with
 * an X-YMailISG: header):
 *
 *   Sorry, we were unable to deliver your message to the following address.
 *
 *   <user@example.org>:
 *   Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]
 *
 *   --- Below this line is a copy of the message.
 *
 * Each "<address>:" line starts a recipient; the lines below it up to the
 * next address or the copy of the message are the diagnostic.  The
 * bracketed command tag gives the SMTP command.  The original message
 * follows the "Below this line" marker.  Does not classify.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    static const char *const ends[] = {"--- Below this line is a copy of the message",
                                       NULL};
    ss_str orig;
    ss_str body = pv_upto(v->text, ends, &orig);
    long st = pv_find_ci_by(body, "unable to deliver your message to the following address", 'v');
    if (st < 0)
        return SS_DEC_NO;
    size_t pos = (size_t)st;
    ss_str line;
    ss_fact *f = NULL;
    size_t first = out->nfacts;
    const char *dstart = NULL;
    (void)ss_next_line(body, &pos, &line); /* the "Sorry" line */
    while (ss_next_line(body, &pos, &line)) {
        ss_str a = pv_addr_line(line);
        if (a.len && ss_trim(line).ptr[0] == '<') {
            f = pv_add_rcpt(out, a);
            if (!f)
                break;
            dstart = body.ptr + pos;
            continue;
        }
        if (f && dstart) {
            f->diagnostic = ss_trim(ss_str_make(dstart, (size_t)(line.ptr + line.len - dstart)));
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *g = &out->facts[i];
        ss_str d = g->diagnostic;
        long rh = ss_find_ci(d, "Remote host said:");
        if (rh >= 0) {
            d.ptr += rh + 17;
            d.len -= (size_t)rh + 17;
            g->diagnostic = ss_trim(d);
        }
        g->command = pv_command(g->diagnostic);
        pv_lead_reply(g, g->diagnostic);
    }
    out->decoder = "Yahoo";
    if (!v->original && orig.len)
        out->original = orig;
    return SS_DEC_YES;
}

int ss_decode_yahoo(const ss_view *v, ss_bounce *out) {
    if (!pv_has_header(v, "X-YMailISG") ||
        ss_find_ci(v->subject, "Failure Notice") < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
