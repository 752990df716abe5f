/*
 * x6.c - bounces of an unidentified MTA (sisimai's "X6"): Subject "There
 * was an error sending your mail", text "We had trouble delivering your
 * message. Full details follow:", "N error(s):" and one line per error:
 *
 *   SMTP Server <mx.example.org> rejected recipient <user@example.org>
 *   (Error following RCPT command). It responded as follows: [550 ...]
 *
 *   The following recipients returned permanent errors: user@example.org.
 *   Reason: SMTP Server <192.0.2.1> refused to accept your message
 *   (DATA), with the following error message: [554 ...]
 *
 * Takes the recipient, remote host, command and the bracketed reply.
 */
#include "provutil.h"

/* "<x>" after marker in s */
static ss_str angle_after(ss_str s, const char *marker) {
    long at = ss_find_ci(s, marker);
    if (at < 0)
        return SS_NULLSTR;
    size_t i = (size_t)at + strlen(marker);
    if (i >= s.len || s.ptr[i] != '<')
        return SS_NULLSTR;
    const char *gt = memchr(s.ptr + i, '>', s.len - i);
    if (!gt)
        return SS_NULLSTR;
    return ss_str_make(s.ptr + i + 1, (size_t)(gt - s.ptr - i - 1));
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (ss_find_ci(v->text, "We had trouble delivering your message") < 0)
        return SS_DEC_NO;
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line), rcpt = SS_NULLSTR;
        if (pv_starts_lit(t, "The following recipients returned permanent errors: ")) {
            ss_str r = ss_str_make(t.ptr + 53, t.len - 53);
            long re = ss_find_ci(r, " Reason: ");
            if (re >= 0)
                r.len = (size_t)re;
            rcpt = ss_find_address(r);
        } else if (ss_find_ci(t, " rejected recipient <") > 0) {
            rcpt = angle_after(t, " rejected recipient ");
        }
        if (!rcpt.len)
            continue;
        ss_fact *f = pv_add_rcpt(out, rcpt);
        if (!f)
            break;
        f->remote_mta = angle_after(t, "SMTP Server ");
        long resp = ss_find_ci(t, "as follows: [");
        if (resp < 0)
            resp = ss_find_ci(t, "error message: [");
        if (resp >= 0) {
            const char *o = memchr(t.ptr + resp, '[', t.len - (size_t)resp);
            const char *rb = o ? memchr(o, ']', t.len - (size_t)(o - t.ptr)) : NULL;
            if (o && rb)
                f->diagnostic = ss_str_make(o + 1, (size_t)(rb - o - 1));
        }
        if (!f->diagnostic.len)
            f->diagnostic = t;
        if (ss_find_ci(t, "following RCPT command") >= 0)
            f->command = SS_STR("RCPT");
        else if (ss_find_ci(t, "(DATA)") >= 0)
            f->command = SS_STR("DATA");
        else if (ss_find_ci(t, "following MAIL command") >= 0)
            f->command = SS_STR("MAIL");
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "X6";
    return SS_DEC_YES;
}

int ss_decode_x6(const ss_view *v, ss_bounce *out) {
    if (!pv_starts_lit(ss_trim(v->subject), "There was an error sending your mail"))
        return SS_DEC_NO;
    return decode(v, out);
}
