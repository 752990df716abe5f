/*
 * gmx.c - bounces from GMX (mail.gmx.com, also mail.com), written by the
 * United Internet mail system:
 *
 *   This message was created automatically by mail delivery software.
 *   ... The following address failed:
 *
 *   "user@example.jp":
 *   SMTP error from remote server after RCPT command:
 *   host: mx.example.jp
 *   5.1.1 <user@example.jp>... User Unknown
 *
 *   --- The header of the original message is following. ---
 *
 * Recognized by a MAILER-DAEMON sender at a gmx domain (or an X-GMX-*
 * header) and that end marker.  Each address line starts a recipient;
 * the lines below are its diagnostic, with the command and remote host
 * taken from them.  1&1 uses the same layout (einsundeins.c), read by
 * the same ss_united_blocks().
 */
#include "provutil.h"

/* The recipient blocks (pv_blocks()) of a United Internet bounce, GMX's
 * or 1&1's (einsundeins.c): those of the text before the line "--- The
 * header of the original message is following. ---", each with the
 * command its diagnostic names (pv_command()); the text after that line
 * is then the original message (unless the view has a part for it).
 * The number of facts added: 0 without that line or without blocks. */
size_t ss_united_blocks(const ss_view *v, ss_bounce *out);

size_t ss_united_blocks(const ss_view *v, ss_bounce *out) {
    static const char *const ends[] = {
        "--- The header of the original message is following. ---", NULL};
    ss_str orig;
    ss_str body = pv_upto(v->text, ends, &orig);
    if (body.len == v->text.len)
        return 0;
    size_t first = out->nfacts, n = pv_blocks(body, out);
    for (size_t i = first; i < out->nfacts; i++)
        out->facts[i].command = pv_command(out->facts[i].diagnostic);
    if (n && !v->original && orig.len)
        out->original = orig;
    return n;
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    size_t first = out->nfacts;
    if (!ss_united_blocks(v, out))
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        long h = ss_find(f->diagnostic, "host: ", 6);
        if (h >= 0) {
            ss_str r = ss_str_make(f->diagnostic.ptr + h + 6,
                                   f->diagnostic.len - (size_t)h - 6);
            size_t n = 0;
            while (n < r.len && !ss_isspace((unsigned char)r.ptr[n]))
                n++;
            f->remote_mta = ss_str_make(r.ptr, n);
        }
    }
    out->decoder = "GMX";
    return SS_DEC_YES;
}

int ss_decode_gmx(const ss_view *v, ss_bounce *out) {
    if (!pv_from_local(v, "mailer-daemon") ||
        /* (both senders hold "gmx.": one search rules them out) */
        (!(pv_from_has(v, "gmx.") &&
           (pv_from_has(v, "@gmx.") || pv_from_has(v, ".gmx."))) &&
         !pv_has_header(v, "X-GMX-Antispam")))
        return SS_DEC_NO;
    return decode(v, out);
}
