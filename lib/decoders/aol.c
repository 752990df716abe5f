/*
 * aol.c - bounces from AOL's mail servers (MAILER-DAEMON@aol.com or
 * Postmaster@aol.com with an X-AOL-IP: header and a delivery-status
 * part).  AOL's MTA writes Postfix-style reports:
 *
 *   <user@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
 *       <user@example.org>: Recipient address rejected (in reply to RCPT TO command)
 *
 * The DSN gives the facts; the text block of each recipient adds the SMTP
 * command ("in reply to RCPT TO command") and, when the DSN has none, the
 * diagnostic.
 */
#include "provutil.h"

/* The command and (when the DSN has none) the diagnostic of f from the
 * text block of its address a: the line "<a>: ..." and the indented lines
 * below it. */
static void fill(const ss_view *v, ss_fact *f, ss_str a) {
    size_t pos = 0;
    ss_str line;
    while (ss_next_line(v->text, &pos, &line)) {
        ss_str t = ss_trim(line);
        if (t.len < a.len + 3 || t.ptr[0] != '<' ||
            ss_find(t, a.ptr, a.len) != 1 || t.ptr[a.len + 1] != '>' ||
            t.ptr[a.len + 2] != ':')
            continue;
        /* the block: this line and the indented lines below it */
        const char *end = line.ptr + line.len;
        size_t p2 = pos;
        ss_str next;
        for (int n = 0; n < 8 && ss_next_line(v->text, &p2, &next); n++) {
            if (!next.len || !(next.ptr[0] == ' ' || next.ptr[0] == '\t'))
                break;
            end = next.ptr + next.len;
        }
        ss_str block = ss_str_make(t.ptr + a.len + 3,
                                   (size_t)(end - (t.ptr + a.len + 3)));
        long ir = ss_find_ci(block, "(in reply to ");
        if (ir >= 0 && !f->command.len)
            f->command = pv_command(ss_str_make(block.ptr + ir, block.len - (size_t)ir));
        if (!ss_trim(f->diagnostic).len)
            f->diagnostic = ss_trim(block);
        return;
    }
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    return pv_dsn_facts(v, out, "Aol", fill);
}

int ss_decode_aol(const ss_view *v, ss_bounce *out) {
    /* (the sender before the header: cheaper than a lookup) */
    if (!v->dsn ||
        !(pv_from_local(v, "mailer-daemon") || pv_from_local(v, "postmaster")) ||
        !pv_has_header(v, "X-AOL-IP") || !pv_from_has(v, "@aol.com"))
        return SS_DEC_NO;
    return decode(v, out);
}
