/*
 * surfcontrol.c - bounces from SurfControl E-mail Filter (X-Mailer:
 * SurfControl E-mail Filter): a text transcript
 *
 *   Addressed To: user@example.org
 *   Failed to send to identified host,
 *   user@example.org: [192.0.2.1], 554 Service currently unavailable
 *
 * and usually an RFC 3464 part.  The DSN gives the recipients when there
 * is one; the "address: [host], reply" lines give them (and the remote
 * host) otherwise.
 */
#include "gw_util.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    gw_dsn d = gw_dsn_begin(v, out);
    /* "user@example.org: [192.0.2.1], 554 ..." */
    size_t pos = 0, n = 0;
    ss_str line;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        long c = ss_find(t, ": [", 3);
        if (c <= 0 || ss_find(ss_str_make(t.ptr, (size_t)c), "@", 1) < 0)
            continue;
        ss_str addr = ss_find_address(ss_str_make(t.ptr, (size_t)c));
        ss_str rest = gw_skip(t, (size_t)c + 3);
        long rb = ss_find(rest, "]", 1);
        if (!addr.len || rb < 0)
            continue;
        ss_str host = ss_str_make(rest.ptr, (size_t)rb);
        ss_str diag = ss_trim(gw_skip(rest, (size_t)rb + 1));
        while (diag.len && diag.ptr[0] == ',')
            diag = ss_trim(gw_skip(diag, 1));
        ss_fact *f = NULL;
        if (d.dsn_facts) {
            f = gw_fact_for(out, d.first, addr);
            if (f) {
                if (!f->remote_mta.len)
                    f->remote_mta = host;
                if (!ss_trim(f->diagnostic).len)
                    f->diagnostic = diag;
            }
            continue;
        }
        f = pv_add_rcpt(out, addr);
        if (!f)
            break;
        f->remote_mta = host;
        f->diagnostic = diag;
    }
    return gw_dsn_none(out, &d) ? SS_DEC_NO : SS_DEC_YES;
}

int ss_decode_surfcontrol(const ss_view *v, ss_bounce *out) {
    /* X-Mailer, not X-SEF-Processed: the filter stamps that on all mail
     * passing it, bounces of other MTAs included */
    if (!pv_starts_lit(ss_trim(pv_header(v->root, "X-Mailer")), "SurfControl E-mail Filter"))
        return SS_DEC_NO;
    return decode(v, out);
}
