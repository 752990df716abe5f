/*
 * x3.c - bounces of an unidentified MTA (sisimai's "X3"): From "Mail
 * Delivery System", Subject "Delivery status notification", a text part
 * opening "This is an automatically generated Delivery Status
 * Notification." that lists recipients as "  * user@example.org" and,
 * under "Technical details:", "SMTP:RCPT host 192.0.2.1: 553 ..." or
 * "Routing: ..." lines.  A Diagnostic-Code in its delivery-status part is
 * used when the text has no details.  Does not classify.
 */
#include "provutil.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str head = v->text;
    if (head.len > 1024)
        head.len = 1024;
    if (ss_find_ci(head, "This is an automatically generated Delivery Status Notification") < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line, cmd = SS_NULLSTR, diag = SS_NULLSTR, host = SS_NULLSTR;
    int aborted = 0;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (ss_find_ci(t, "recipients was aborted after ") >= 0)
            aborted = 1;
        if (t.len > 2 && t.ptr[0] == '*' && t.ptr[1] == ' ' &&
            line.ptr[0] != '*' && memchr(t.ptr, '@', t.len)) {
            ss_fact *f = pv_add_rcpt(out, ss_trim(ss_str_make(t.ptr + 2, t.len - 2)));
            if (!f)
                break;
            continue;
        }
        if (pv_starts_lit(t, "SMTP:") && !diag.len) {
            size_t i = 5;
            while (i < t.len && t.ptr[i] != ' ')
                i++;
            cmd = ss_str_make(t.ptr + 5, i - 5);
            ss_str rest = ss_trim(ss_str_make(t.ptr + i, t.len - i));
            if (pv_starts_lit(rest, "host ")) {
                size_t h = 5;
                while (h < rest.len && rest.ptr[h] != ' ' && rest.ptr[h] != ':')
                    h++;
                host = ss_str_make(rest.ptr + 5, h - 5);
                while (h < rest.len && (rest.ptr[h] == ':' || rest.ptr[h] == ' '))
                    h++;
                rest = ss_str_make(rest.ptr + h, rest.len - h);
            }
            diag = rest;
        } else if (pv_starts_lit(t, "Routing: ") && !diag.len) {
            diag = ss_trim(ss_str_make(t.ptr + 9, t.len - 9));
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "X3";
    ss_bounce dsn;
    memset(&dsn, 0, sizeof dsn);
    dsn.arena = out->arena;
    dsn.limits = out->limits;
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, &dsn);
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        f->command = cmd;
        f->remote_mta = host;
        f->diagnostic = diag;
        if (!diag.len && dsn.nfacts) {
            const ss_fact *d = &dsn.facts[dsn.nfacts == 1 ? 0 : (i - first < dsn.nfacts ? i - first : 0)];
            f->diagnostic = d->diagnostic;
            if (!f->diagnostic.len)
                f->status = d->status;
        }
        if (aborted && !f->diagnostic.len)
            f->reason = SMTPSTATUS_R_EXPIRED;
    }
    return SS_DEC_YES;
}

int ss_decode_x3(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->from), "Mail Delivery System") ||
        !pv_starts_lit(ss_trim(v->subject), "Delivery status notification"))
        return SS_DEC_NO;
    return decode(v, out);
}
