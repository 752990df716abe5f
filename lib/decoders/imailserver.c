/*
 * imailserver.c - bounces written by Ipswitch IMail Server (X-Mailer
 * "<SMTP32 vN>", Subject "Undeliverable Mail"):
 *
 *   Unknown user: user@example.org
 *
 *   Original message follows.
 *
 * or "undeliverable to user@example.org" followed by "Body of message
 * generated response:" and the remote server's reply.  IMail's own
 * sentences ("Unknown user", "User mailbox exceeds allowed size", ...)
 * state the reason; a remote reply is left to the classifier.
 */
#include "provutil.h"

static int own_reason(ss_str d) {
    static const struct {
        const char *text;
        int reason;
    } own[] = {
        {"Unknown host", SMTPSTATUS_R_HOSTUNKNOWN},
        {"Unknown user", SMTPSTATUS_R_USERUNKNOWN},
        {"Invalid final delivery userid", SMTPSTATUS_R_USERUNKNOWN},
        {"User mailbox exceeds allowed size", SMTPSTATUS_R_MAILBOXFULL},
        {"Requested action not taken: virus detected", SMTPSTATUS_R_VIRUSDETECTED},
        {"Delivery failed ", SMTPSTATUS_R_EXPIRED},
        {NULL, 0}};
    for (int i = 0; own[i].text; i++)
        if (ss_starts_ci(d, own[i].text))
            return own[i].reason;
    return -1;
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out, ss_str xm) {
    if (!pv_starts_lit(xm, "<SMTP32 v") && ss_find_ci(v->text, "Original message follows.") < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    ss_fact *cur = NULL;
    int response = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "Original message follows.")) {
            pv_original_at(v, out, pos);
            break;
        }
        long cs = ss_find(t, ": ", 2);
        if (cs > 8 && memchr(t.ptr + cs, '@', t.len - (size_t)cs) &&
            !memchr(t.ptr, '@', (size_t)cs) && memchr(t.ptr, ' ', (size_t)cs)) {
            cur = pv_add_rcpt(out, ss_trim(ss_str_make(t.ptr + cs + 2, t.len - (size_t)cs - 2)));
            if (!cur)
                break;
            cur->diagnostic = t;
            cur->reason = own_reason(t);
            response = 0;
            continue;
        }
        if (pv_starts_lit(t, "undeliverable to ")) {
            cur = pv_add_rcpt(out, ss_find_address(t));
            if (!cur)
                break;
            response = 0;
            continue;
        }
        if (cur && pv_starts_lit(t, "Body of message generated response:")) {
            response = 1;
            continue;
        }
        if (cur && response && t.len) {
            cur->diagnostic = ss_span_join(cur->diagnostic, t);
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "IMailServer";
    return SS_DEC_YES;
}

int ss_decode_imailserver(const ss_view *v, ss_bounce *out) {
    ss_str xm = ss_trim(pv_header(v->root, "X-Mailer"));
    if (!pv_starts_lit(xm, "<SMTP32 v") &&
        !pv_starts_lit(ss_trim(v->subject), "Undeliverable Mail"))
        return SS_DEC_NO;
    return decode(v, out, xm);
}
