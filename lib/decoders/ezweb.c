/*
 * ezweb.c - bounces from au by KDDI's EZweb mail (ezweb.ne.jp, au.com):
 * at least two of From Postmaster@ezweb.ne.jp or Postmaster@au.com, the
 * subject "Mail System Error - Returned Mail", a Received header "(EZweb
 * Mail) with" or from .au.com, a Message-Id at ezweb.ne.jp or au.com.
 * The text is one of
 *
 *   The user(s) account is disabled.
 *   <user@ezweb.ne.jp>: 550 user unknown (in reply to RCPT TO command)
 *
 *   Each of the following recipients was rejected by a remote mail server.
 *       Recipient: <user@ezweb.ne.jp>
 *       >>> RCPT TO:<user@ezweb.ne.jp>
 *       <<< 550 <user@ezweb.ne.jp>: User unknown
 *
 * With a delivery-status part its fields are used.  The service's fixed
 * sentences name the reason (account disabled or limited: suspend; over
 * quota: mailboxfull; not delivered within: expired); X-SPASIGN: NG marks
 * a message refused by the recipient's filter.
 */
#include "gw_util.h"
#include "provutil.h"

static int is_ezweb(const ss_view *v) {
    int score = 0;
    /* (both senders hold "Postmaster@": one search rules them out) */
    if (pv_from_has(v, "Postmaster@") &&
        (pv_from_has(v, "Postmaster@ezweb.ne.jp") ||
         pv_from_has(v, "Postmaster@au.com")))
        score++;
    if (pv_eq_str(ss_trim(v->subject), "Mail System Error - Returned Mail"))
        score++;
    /* the Message-Id ends ".ezweb.ne.jp>" or ".au.com>" (anywhere in it,
     * ASCII case ignored): a match of either ends at a '>', so one pass
     * over the '>' of the value tests both */
    if (pv_lit2(pv_header(v->root, "Message-Id"), '>',
                ".ezweb.ne.jp>", 12, ".au.com>", 7))
        score++;
    /* the Received headers (the dearest test) only when they decide */
    if (score != 1)
        return score >= 2;
    if (gw_any_header_has(v, "Received", "ezweb.ne.jp (EZweb Mail) with") ||
        gw_any_header_has(v, "Received", ".au.com ("))
        score++;
    return score >= 2;
}

int ss_decode_ezweb(const ss_view *v, ss_bounce *out) {
    if (!is_ezweb(v))
        return SS_DEC_NO;
    ss_str text = v->text;
    gw_dsn d = gw_dsn_begin(v, out);

    /* the text: recipients and what is said about them */
    size_t pos = 0, n = 0;
    ss_str line, all = SS_NULLSTR;
    ss_fact *cur = NULL;
    int started = 0;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        if (!started) {
            if (pv_starts_lit(t, "The user(s) ") || pv_starts_lit(t, "Your message ") ||
                pv_starts_lit(t, "Each of the following") || t.ptr[0] == '<')
                started = 1;
            else
                continue;
        }
        if (gw_has(t, "------------------------------"))
            break; /* the returned message follows */
        long lt = ss_find(t, "<", 1);
        int rcpt_line = ((t.ptr[0] == '<' && !pv_starts_lit(t, "<<<")) || pv_starts_lit(t, "Recipient: <")) &&
                        lt >= 0 && gw_has(t, "@") && gw_has(t, ">");
        if (rcpt_line) {
            ss_str a = ss_find_address(t);
            if (a.len) {
                cur = gw_dsn_fact(out, &d, a);
                if (!cur && !d.dsn_facts)
                    break; /* out takes no more facts */
                long c = ss_find(t, ">:", 2);
                if (cur && c > 0 && !ss_trim(cur->diagnostic).len)
                    cur->diagnostic = ss_trim(gw_skip(t, (size_t)c + 2));
                continue;
            }
        }
        if (pv_starts_lit(t, ">>> ")) {
            ss_str c = ss_trim(gw_skip(t, 4));
            size_t k = 0;
            while (k < c.len && ss_isalpha((unsigned char)c.ptr[k]))
                k++;
            if (cur && k >= 4)
                cur->command = ss_str_make(c.ptr, k);
            continue;
        }
        if (pv_starts_lit(t, "<<< ")) {
            if (cur)
                cur->diagnostic = gw_join(out->arena, cur->diagnostic, gw_skip(t, 4));
            continue;
        }
        /* only ASCII sentences: the Japanese lines repeat them */
        int ascii = 1;
        for (size_t i = 0; i < t.len; i++)
            if ((unsigned char)t.ptr[i] >= 0x80)
                ascii = 0;
        if (ascii)
            all = gw_join(out->arena, all, t);
    }
    if (gw_dsn_none(out, &d))
        return SS_DEC_NO;
    int spam = pv_eq_str(ss_trim(pv_header(v->root, "X-SPASIGN")), "NG");
    int reason = -1;
    if (spam)
        reason = SMTPSTATUS_R_FILTERED;
    else if (gw_has(all, "The user(s) account is disabled.") ||
             gw_has(all, "The user(s) account is temporarily limited."))
        reason = SMTPSTATUS_R_SUSPEND;
    else if (gw_has(all, "The user(s) account is temporarily over quota"))
        reason = SMTPSTATUS_R_MAILBOXFULL;
    else if (gw_has(all, "Your message was not delivered within "))
        reason = SMTPSTATUS_R_EXPIRED;
    for (size_t i = d.first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (reason >= 0)
            f->reason = reason;
        if (!ss_trim(f->diagnostic).len)
            f->diagnostic = all;
    }
    return SS_DEC_YES;
}
