/*
 * courier.c - delivery status notifications of the Courier mail server
 * ("This is a delivery status notification from host, running the
 * Courier mail server"):
 *
 *   <user@example.org>:
 *       mx.example.org [192.0.2.1]:
 *   >>> RCPT TO:<user@example.org>
 *   <<< 550 5.1.1 User unknown
 *
 * The delivery-status part gives the recipients; the text adds the SMTP
 * command (">>> " line), the remote host, and the remote reply ("<<< "
 * lines) when the DSN's diagnostic is missing or shorter.  Without a DSN
 * the blocks are the facts.  Does not classify.
 */
#include "gw_util.h"

typedef struct co_block {
    ss_str rcpt, host, command, reply;
} co_block;

#define CO_MAX_BLOCKS 256

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    co_block b[CO_MAX_BLOCKS];
    size_t nb = 0, pos = 0, guard = 0;
    ss_str line;
    co_block *cur = NULL;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        ss_str rcpt = ss_angle_colon_addr(t);
        if (rcpt.len && line.ptr[0] == '<') {
            if (nb >= CO_MAX_BLOCKS)
                break;
            cur = &b[nb++];
            memset(cur, 0, sizeof *cur);
            cur->rcpt = rcpt;
            continue;
        }
        if (!cur)
            continue;
        if (!t.len || pv_starts_lit(t, "-----")) {
            cur = NULL;
            continue;
        }
        if (pv_starts_lit(t, ">>> ")) {
            ss_str c = ss_str_make(t.ptr + 4, t.len - 4);
            size_t n = 0;
            while (n < c.len && ss_isalpha((unsigned char)c.ptr[n]))
                n++;
            cur->command = ss_str_make(c.ptr, n);
        } else if (pv_starts_lit(t, "<<< ")) {
            ss_str r = ss_str_make(t.ptr + 4, t.len - 4);
            if (!cur->reply.len)
                cur->reply = r;
            else
                cur->reply.len = (size_t)(r.ptr + r.len - cur->reply.ptr);
        } else if (t.ptr[t.len - 1] == ':' && !cur->host.len) {
            size_t e = 0;
            while (e < t.len && t.ptr[e] != ' ' && t.ptr[e] != ':')
                e++;
            cur->host = ss_str_make(t.ptr, e);
        }
    }
    size_t first = out->nfacts;
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    size_t ndsn = out->nfacts - first;
    if (!ndsn) {
        for (size_t i = 0; i < nb; i++) {
            ss_fact *f = pv_add_rcpt(out, b[i].rcpt);
            if (!f)
                break;
            f->command = b[i].command;
            f->remote_mta = b[i].host;
            f->diagnostic = b[i].reply;
        }
    } else {
        for (size_t i = first; i < out->nfacts; i++) {
            ss_fact *f = &out->facts[i];
            const co_block *k = NULL;
            for (size_t j = 0; j < nb && !k; j++)
                if (gw_same_addr_in(b[j].rcpt, f->recipient))
                    k = &b[j];
            if (!k && nb == 1 && ndsn == 1)
                k = &b[0];
            if (!k)
                continue;
            if (!f->command.len)
                f->command = k->command;
            if (!f->remote_mta.len)
                f->remote_mta = k->host;
            if (k->reply.len > ss_trim(f->diagnostic).len)
                f->diagnostic = k->reply;
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "Courier";
    return SS_DEC_YES;
}

int ss_decode_courier(const ss_view *v, ss_bounce *out) {
    ss_str head = v->text;
    if (head.len > 2048)
        head.len = 2048;
    if (pv_find_ci_by(head, "running the Courier mail server", 'v') < 0 &&
        !(pv_starts_lit(ss_trim(v->subject), "NOTICE: mail delivery status.") &&
          pv_find_ci_by(head, "This is a delivery status notification from", 'v') >= 0))
        return SS_DEC_NO;
    return decode(v, out);
}
