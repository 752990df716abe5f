/*
 * sendgrid.c - bounces returned by SendGrid (Return-Path:
 * <apps@sendgrid.net>, an X-SendGrid-QueueID: field in the headers or in
 * the delivery-status part, "Undelivered Mail Returned to Sender").
 *
 *   This is an automatically generated message from SendGrid.
 *   ...
 *   user:000000:<user@example.jp> : 192.0.2.1 : mx.example.jp:[192.0.2.2] : 550 5.1.1 <user@example.jp>... User Unknown  in RCPT TO
 *
 * The DSN gives the recipients, status and diagnostic; the text line
 * naming the recipient adds the SMTP command ("in RCPT TO") and, when
 * the DSN has no diagnostic, the remote reply (after the last " : ").
 */
#include "provutil.h"

/* The command and (when the DSN has none) the diagnostic of f from the
 * first text line that holds its address a and a " : ". */
static void fill(const ss_view *v, ss_fact *f, ss_str a) {
    size_t pos = 0;
    ss_str line;
    while (ss_next_line(v->text, &pos, &line)) {
        if (ss_find(line, a.ptr, a.len) < 0 || ss_find(line, " : ", 3) < 0)
            continue;
        if (!f->command.len)
            f->command = pv_command(line);
        if (!ss_trim(f->diagnostic).len) {
            size_t k = line.len;
            while (k >= 3 && !(line.ptr[k - 3] == ' ' && line.ptr[k - 2] == ':' &&
                               line.ptr[k - 1] == ' '))
                k--;
            if (k >= 3)
                f->diagnostic = ss_trim(ss_str_make(line.ptr + k, line.len - k));
        }
        return;
    }
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    return pv_dsn_facts(v, out, "SendGrid", fill);
}

int ss_decode_sendgrid(const ss_view *v, ss_bounce *out) {
    if (!v->dsn ||
        !pv_has_lit(pv_header(v->root, "Return-Path"), "@sendgrid.net") ||
        (!pv_has_header(v, "X-SendGrid-QueueID") &&
         ss_find_ci(v->dsn_text, "X-SendGrid-QueueID:") < 0))
        return SS_DEC_NO;
    return decode(v, out);
}
