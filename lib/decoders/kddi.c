/*
 * kddi.c - bounces from au by KDDI (au one net, dion.ne.jp): From
 * no-reply@... at dion.ne.jp, Reply-To no-reply@app.auone-net.jp, or a
 * Received header from ezweb.ne.jp / au.com, and the text
 *
 *   Your mail sent on: Thu, 29 Apr 2013 23:45:22 +0900
 *        Could not be delivered to: <user@example.dion.ne.jp>
 *        As their mailbox is full.
 *
 * The service's fixed sentences name the reason (mailbox full, relay
 * error, domain that does not exist); X-SPASIGN: NG marks a message its
 * spam filter refused.  EZweb's "Mail System Error" reports are
 * ezweb.c's.
 */
#include "gw_util.h"
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    int hit = (pv_from_has(v, "no-reply@") &&
               pv_from_has(v, ".dion.ne.jp")) ||
              gw_header_has(v, "Reply-To", "no-reply@app.auone-net.jp") ||
              gw_any_header_has(v, "Received", "ezweb.ne.jp (") ||
              gw_any_header_has(v, "Received", ".au.com (") ||
              gw_any_header_has(v, "Received", ".auone-net.jp");
    if (!hit)
        return SS_DEC_NO;
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "Your mail sent on:", 1, NULL);
    if (start < 0)
        start = gw_find_line(text, 0, "Your mail attempted to be delivered on:", 1, NULL);
    if (start < 0)
        return SS_DEC_NO;
    /* back to the marker line itself */
    size_t ls = 0;
    if (gw_find_line(text, 0, "Your mail ", 1, &ls) >= 0 && ls < (size_t)start)
        start = (long)ls;
    size_t first = out->nfacts, pos = (size_t)start, n = 0;
    ss_str line;
    ss_fact *cur = NULL;
    int spam = pv_eq_str(ss_trim(pv_header(v->root, "X-SPASIGN")), "NG");
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        long c = ss_find(t, "Could not be delivered to:", 26);
        if (c >= 0) {
            ss_str a = ss_find_address(gw_skip(t, (size_t)c + 26));
            if (!a.len)
                continue;
            if (!(cur = pv_add_rcpt(out, a)))
                break;
            continue;
        }
        if (pv_starts_lit(t, "Your mail sent on:")) {
            cur = NULL;
            continue;
        }
        if (cur && (line.ptr[0] == ' ' || line.ptr[0] == '\t'))
            cur->diagnostic = gw_join(out->arena, cur->diagnostic, t);
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (spam)
            f->reason = SMTPSTATUS_R_FILTERED;
        else if (gw_has(f->diagnostic, "As their mailbox is full"))
            f->reason = SMTPSTATUS_R_MAILBOXFULL;
        else if (gw_has(f->diagnostic, "Due to the following SMTP relay error"))
            f->reason = SMTPSTATUS_R_NORELAYING;
        else if (gw_has(f->diagnostic, "As the remote domain doesnt exist"))
            f->reason = SMTPSTATUS_R_HOSTUNKNOWN;
    }
    return SS_DEC_YES;
}

int ss_decode_kddi(const ss_view *v, ss_bounce *out) {
    /* both markers below start with "Your mail ": without it in the text
     * there is nothing to do (checked first: cheaper than the headers) */
    if (ss_find(v->text, "Your mail ", 10) < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
