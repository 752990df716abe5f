/*
 * rfc3834.c - automatic replies (RFC 3834): vacation and out-of-office
 * messages.
 *
 * Recognized by Auto-Submitted: auto-replied, Precedence: auto_reply,
 * X-Autoreply / X-Autorespond, X-Apple-Action: vacation, or a subject that
 * starts like an auto-reply ("Auto:", "Automatic reply:", "Out of
 * office:", ...).  Mail from mailer-daemon, postmaster or root is a bounce,
 * not an auto-reply, and is left to other decoders.  The record's
 * recipient is the address that replied (From:).  Reason "vacation".
 */
#include "provutil.h"

static const char *const subject_prefixes[] = {
    "auto:", "auto response:", "automatic reply:", "auto-reply:",
    "autoreply:", "out of office:", "out of the office:", "abwesenheitsnotiz:",
    "automatische antwort:", "réponse automatique:", "respuesta automática:",
    "risposta automatica:", "resposta automática:", NULL};

int ss_decode_rfc3834(const ss_view *v, ss_bounce *out) {
    ss_str from = v->from;
    ss_str addr = ss_find_address(from);
    ss_str local = addr;
    for (size_t i = 0; i < addr.len; i++)
        if (addr.ptr[i] == '@') {
            local.len = i;
            break;
        }
    if (pv_eq_str(local, "mailer-daemon") || pv_eq_str(local, "postmaster") ||
        pv_eq_str(local, "root"))
        return SS_DEC_NO;
    /* a From: with no domain ("MAILER-DAEMON", "Mail Delivery System
     * <postmaster>") is a bounce too */
    if (!addr.len && (ss_find_ci(from, "mailer-daemon") >= 0 ||
                      ss_find_ci(from, "postmaster") >= 0 ||
                      !ss_trim(from).len))
        return SS_DEC_NO;
    if (ss_find_ci(v->subject, "mail failure -") >= 0 ||
        ss_find_ci(v->subject, "undeliver") >= 0 ||
        ss_find_ci(v->subject, "delivery status notification") >= 0)
        return SS_DEC_NO;

    int hit = 0;
    ss_str as = ss_trim(pv_header(v->root, "Auto-Submitted"));
    if (pv_starts_lit(as, "auto-replied"))
        hit = 1;
    ss_str prec = ss_trim(pv_header(v->root, "Precedence"));
    if (pv_eq_str(prec, "auto_reply"))
        hit = 1;
    if (pv_header(v->root, "X-Autoreply").ptr ||
        pv_header(v->root, "X-Autorespond").ptr)
        hit = 1;
    if (pv_eq_str(ss_trim(pv_header(v->root, "X-Apple-Action")),
                  "vacation"))
        hit = 1;
    if (!hit) {
        ss_str s = ss_trim(v->subject);
        for (size_t i = 0; subject_prefixes[i]; i++)
            if (ss_starts_ci(s, subject_prefixes[i])) {
                hit = 1;
                break;
            }
    }
    if (!hit)
        return SS_DEC_NO;
    out->decoder = "RFC3834";
    if (!addr.len)
        addr = ss_find_address(pv_header(v->root, "Return-Path"));
    ss_fact *f = pv_add_rcpt(out, addr);
    if (!f)
        return SS_DEC_YES;
    f->action = SS_STR("vacation");
    f->reason = SMTPSTATUS_R_VACATION;
    f->hard = 0;
    /* the first lines of the reply are its "diagnostic" */
    ss_str t = ss_trim(v->text);
    if (t.len > 200)
        t.len = 200;
    f->diagnostic = t;
    return SS_DEC_YES;
}
