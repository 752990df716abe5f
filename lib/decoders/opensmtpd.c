/*
 * opensmtpd.c - bounces and delay reports written by OpenSMTPD's bounce
 * code ("Delivery status notification: error|warning|failed|delayed"):
 *
 *       Hi!
 *
 *       This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.
 *
 *       An error has occurred while attempting to deliver a message for
 *       the following list of recipients:
 *
 *   user@example.org: 550 5.1.1 <user@example.org>: User unknown
 *
 *       Below is a copy of the original message:
 *
 * The recipient lines (not indented, "address: text") are the facts, as
 * the text carries the remote server's words while newer versions' DSN
 * part only says X.0.0.  The DSN part is used only when no recipient line
 * is found.  Does not classify; the analyzer does.
 */
#include "../decoder.h"
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str head = v->text;
    if (head.len > 2048)
        head.len = 2048;
    if (pv_find_ci_by(head, "This is the MAILER-DAEMON, please DO NOT REPLY", ',') < 0)
        return SS_DEC_NO;
    out->decoder = "OpenSMTPD";
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    int reading = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (!reading) {
            if (ss_find_ci(t, "list of recipients:") >= 0)
                reading = 1;
            continue;
        }
        if (pv_starts_lit(t, "Below is a copy of the original message")) {
            pv_original_at(v, out, pos);
            break;
        }
        if (!line.len || line.ptr[0] == ' ' || line.ptr[0] == '\t')
            continue;
        const char *colon = memchr(line.ptr, ':', line.len);
        if (!colon || !memchr(line.ptr, '@', (size_t)(colon - line.ptr)) ||
            memchr(line.ptr, ' ', (size_t)(colon - line.ptr)))
            continue;
        ss_fact *f = pv_add_rcpt(out, ss_str_make(line.ptr, (size_t)(colon - line.ptr)));
        if (!f)
            break;
        f->diagnostic = ss_trim(ss_str_make(colon + 1, line.len - (size_t)(colon + 1 - line.ptr)));
        /* OpenSMTPD's own words state their reason */
        if (pv_starts_lit(f->diagnostic, "Envelope expired"))
            f->reason = SMTPSTATUS_R_EXPIRED;
        else if (pv_starts_lit(f->diagnostic, "Network error on destination MXs"))
            f->reason = SMTPSTATUS_R_NETWORKERROR;
        else if (pv_starts_lit(f->diagnostic, "No MX found for domain") ||
                 pv_starts_lit(f->diagnostic, "No MX found for destination"))
            f->reason = SMTPSTATUS_R_HOSTUNKNOWN;
    }
    if (out->nfacts == first && v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    return out->nfacts > first ? SS_DEC_YES : SS_DEC_NO;
}

int ss_decode_opensmtpd(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Delivery status notification"))
        return SS_DEC_NO;
    return decode(v, out);
}
