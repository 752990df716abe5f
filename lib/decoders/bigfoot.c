/*
 * bigfoot.c - bounces from Bigfoot's forwarding service (From
 * MAILER-DAEMON@bigfoot.com, with a delivery-status part).  The facts are
 * the DSN's; the "Transcript of session follows" section adds the SMTP
 * command the remote server refused:
 *
 *   >>> RCPT TO:<user@example.org>
 *   <<< 553 Invalid recipient user@example.org (Mode: normal)
 *
 * A refused RCPT names its recipient; a refused MAIL or DATA applies to
 * every recipient the DSN lists without a command.
 */
#include "gw_util.h"
#include "provutil.h"

/* The command word of ">>> RCPT TO:<...>" (4 letters: the SMTP verbs
 * a transcript shows), or a NULL slice. */
static ss_str transcript_command(ss_str rest) {
    size_t n = 0;
    while (n < rest.len && ss_isalpha((unsigned char)rest.ptr[n]))
        n++;
    return n == 4 ? ss_str_make(rest.ptr, n) : SS_NULLSTR;
}

static void read_transcript(const ss_view *v, ss_bounce *out, size_t first) {
    size_t pos = 0, n = 0;
    ss_str line, cmd = SS_NULLSTR, rcpt = SS_NULLSTR;
    while (ss_next_line(v->text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, ">>> ")) {
            ss_str rest = ss_trim(gw_skip(t, 4));
            cmd = transcript_command(rest);
            rcpt = pv_starts_lit(rest, "RCPT TO:") ? ss_find_address(rest)
                                                  : SS_NULLSTR;
            continue;
        }
        if (!cmd.len || !pv_starts_lit(t, "<<< ") || t.len < 7 ||
            (t.ptr[4] != '4' && t.ptr[4] != '5'))
            continue;
        /* a refusal of the last command */
        for (size_t i = first; i < out->nfacts; i++) {
            ss_fact *f = &out->facts[i];
            if (f->command.len)
                continue;
            if (pv_eq_str(cmd, "RCPT") && !gw_same_addr(f->recipient, rcpt))
                continue;
            f->command = cmd;
        }
        cmd = SS_NULLSTR;
    }
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    size_t first = out->nfacts;
    ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts == first)
        return SS_DEC_NO;
    read_transcript(v, out, first);
    out->decoder = "Bigfoot";
    return SS_DEC_YES;
}

int ss_decode_bigfoot(const ss_view *v, ss_bounce *out) {
    if (!v->dsn || !pv_from_local(v, "mailer-daemon") ||
        !pv_from_has(v, "@bigfoot.com"))
        return SS_DEC_NO;
    return decode(v, out);
}
