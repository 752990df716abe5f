/*
 * messagingserver.c - delivery reports of Oracle (Sun ONE, iPlanet)
 * Messaging Server: Subject "Delivery Notification: Delivery has failed"
 * (or "... has been delayed"), a text that starts "This report relates to
 * a message you sent with the following header fields:" and lists each
 * recipient as an indented block:
 *
 *     Recipient address: user@example.org
 *     Original address: user@example.org
 *     Reason: Remote SMTP server has rejected address
 *     Diagnostic code: smtp;550 5.1.1 unknown or illegal alias
 *     Remote system: dns;mx.example.org (TCP|...)
 *
 * With a delivery-status part the DSN gives the recipients and the
 * blocks add the remote host and the diagnostic where the DSN has none;
 * without one the blocks are the facts.  Does not classify.
 */
#include "gw_util.h"

typedef struct ms_block {
    ss_str rcpt, orig, reason, diag, remote;
} ms_block;

#define MS_MAX_BLOCKS 256

static ss_str after_semicolon(ss_str v) {
    for (size_t i = 0; i < v.len && i < 16; i++)
        if (v.ptr[i] == ';')
            return ss_trim(ss_str_make(v.ptr + i + 1, v.len - i - 1));
    return ss_trim(v);
}

static ss_str field(ss_str t, const char *name) {
    size_t n = strlen(name);
    if (!ss_starts_ci(t, name))
        return SS_NULLSTR;
    return ss_trim(ss_str_make(t.ptr + n, t.len - n));
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str head = v->text;
    if (head.len > 1024)
        head.len = 1024;
    if (ss_find_ci(head, "This report relates to a message you sent") < 0)
        return SS_DEC_NO;
    out->decoder = "MessagingServer";

    ms_block b[MS_MAX_BLOCKS];
    size_t nb = 0, pos = 0, guard = 0;
    ss_str line;
    ms_block *cur = NULL;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line), x;
        if ((x = field(t, "Recipient address:")).len) {
            if (nb >= MS_MAX_BLOCKS)
                break;
            cur = &b[nb++];
            memset(cur, 0, sizeof *cur);
            cur->rcpt = x;
        } else if (!cur) {
            continue;
        } else if ((x = field(t, "Original address:")).len) {
            cur->orig = x;
        } else if ((x = field(t, "Reason:")).len) {
            cur->reason = x;
        } else if ((x = field(t, "Diagnostic code:")).len) {
            cur->diag = after_semicolon(x);
        } else if ((x = field(t, "Remote system:")).len) {
            x = after_semicolon(x);
            size_t e = 0;
            while (e < x.len && x.ptr[e] != ' ' && x.ptr[e] != '(')
                e++;
            cur->remote = ss_str_make(x.ptr, e);
        } else if (!t.len) {
            cur = NULL;
        }
    }

    size_t first = out->nfacts;
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts > first) {
        for (size_t i = first; i < out->nfacts; i++) {
            ss_fact *f = &out->facts[i];
            const ms_block *k = NULL;
            for (size_t j = 0; j < nb && !k; j++)
                if (gw_same_addr_in(b[j].rcpt, f->recipient) ||
                    gw_same_addr_in(b[j].orig, f->recipient) ||
                    (f->alias.len && gw_same_addr_in(b[j].orig, f->alias)))
                    k = &b[j];
            if (!k && nb == out->nfacts - first)
                k = &b[i - first];
            if (!k)
                continue;
            if (!f->remote_mta.len)
                f->remote_mta = k->remote;
            if (!ss_trim(f->diagnostic).len)
                f->diagnostic = k->diag.len ? k->diag : k->reason;
        }
        return SS_DEC_YES;
    }
    for (size_t i = 0; i < nb; i++) {
        /* "@relay:user@host" source routes: the original address is the
         * one the sender wrote */
        ss_fact *f = pv_add_rcpt(out, b[i].orig.len ? b[i].orig : b[i].rcpt);
        if (!f)
            break;
        f->diagnostic = b[i].diag.len ? b[i].diag : b[i].reason;
        f->remote_mta = b[i].remote;
    }
    return out->nfacts > first ? SS_DEC_YES : SS_DEC_NO;
}

int ss_decode_messagingserver(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "Delivery Notification: "))
        return SS_DEC_NO;
    return decode(v, out);
}
