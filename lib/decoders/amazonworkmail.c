/*
 * amazonworkmail.c - bounces from Amazon WorkMail (X-Mailer: Amazon
 * WorkMail, From MAILER-DAEMON@*.amazonses.com).  The delivery-status
 * fields are written as plain text after "Technical report:":
 *
 *   An error occurred while trying to deliver the mail to the following recipients:
 *   user@example.jp
 *
 *   Technical report:
 *
 *   Reporting-MTA: dsn; a27-85.smtp-out.us-west-2.amazonses.com
 *
 *   Action: failed
 *   Final-Recipient: rfc822; user@example.jp
 *   Diagnostic-Code: smtp; 550 5.1.1 <user@example.jp>... User Unknown
 *   Status: 5.1.1
 *
 * Those fields are parsed like a DSN (a real delivery-status part is used
 * when there is one).  When the diagnostic quotes the remote reply inside
 * WorkMail's own ("554 4.4.7 Message expired: ...<421 4.4.2 Connection
 * timed out>"), the quoted reply's codes are taken.
 */
#include "provutil.h"

int ss_decode_amazonworkmail(const ss_view *v, ss_bounce *out) {
    /* (the sender first: cheaper than a header lookup) */
    if (!pv_from_local(v, "mailer-daemon") ||
        !pv_starts_lit(ss_trim(pv_header(v->root, "X-Mailer")),
                       "Amazon WorkMail"))
        return SS_DEC_NO;
    size_t first = out->nfacts;
    if (v->dsn) {
        ss_dsn_parse(v->dsn_text, out);
    } else {
        long k = ss_find(v->text, "Technical report:", 17);
        if (k < 0)
            return SS_DEC_NO;
        ss_str rep = ss_str_make(v->text.ptr + k + 17, v->text.len - (size_t)k - 17);
        ss_dsn_parse(rep, out);
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++)
        pv_inner_reply(out->arena, &out->facts[i], out->facts[i].diagnostic);
    out->decoder = "AmazonWorkMail";
    return SS_DEC_YES;
}
