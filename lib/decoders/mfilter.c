/*
 * mfilter.c - bounces from Digital Arts m-FILTER (X-Mailer: m-FILTER): a
 * Japanese text with the failed addresses, then
 *
 *   -------server message
 *   550 5.1.1 <user@example.org>... User unknown
 *
 *   -------SMTP command
 *   DATA
 *
 *   -------original message   (or "-------original mail info")
 *
 * Every address line before "-------server message" is a recipient; the
 * server message is the diagnostic and the command follows.
 */
#include "gw_util.h"

#define MF_MAX 256

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    ss_str rcpts[MF_MAX];
    size_t nr = 0, pos = 0, n = 0;
    ss_str line, diag = SS_NULLSTR, cmd = SS_NULLSTR, orig = SS_NULLSTR;
    int section = 0; /* 0 addresses, 1 server message, 2 command */
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (pv_starts_lit(t, "-------server message")) {
            section = 1;
            continue;
        }
        if (pv_starts_lit(t, "-------SMTP command")) {
            section = 2;
            continue;
        }
        if (pv_starts_lit(t, "-------original")) {
            orig = gw_rest(text, pos);
            break;
        }
        if (!t.len)
            continue;
        if (section == 0) {
            ss_str a = gw_lone_address(t);
            if (a.len && nr < MF_MAX)
                rcpts[nr++] = a;
        } else if (section == 1) {
            diag = gw_join(out->arena, diag, t);
        } else if (!cmd.len) {
            size_t k = 0;
            while (k < t.len && ss_isalpha((unsigned char)t.ptr[k]))
                k++;
            if (k >= 4)
                cmd = ss_str_make(t.ptr, k);
        }
    }
    if (!nr || !section)
        return SS_DEC_NO;
    gw_add_each(out, rcpts, nr, diag, cmd, -1);
    /* "-------original message" holds the message; "original mail info"
     * only a summary of From/Subject/Date headers, still usable */
    if (!v->original && orig.len)
        out->original = orig;
    return SS_DEC_YES;
}

int ss_decode_mfilter(const ss_view *v, ss_bounce *out) {
    if (!pv_eq_str(ss_trim(pv_header(v->root, "X-Mailer")), "m-FILTER"))
        return SS_DEC_NO;
    return decode(v, out);
}
