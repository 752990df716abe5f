/*
 * activehunter.c - bounces from QUALITIA Active!hunter (a Japanese mail
 * gateway): an X-AHMAILID header and a Sendmail-like text
 *
 *   ----- The following addresses had permanent fatal errors -----
 *   >>> user@example.org <user@example.org>
 *   ----- Transcript of session follows -----
 *   550 sorry, no mailbox here by that name
 *
 * One fact per ">>> address" line; the first transcript line that starts
 * with a digit or a letter is the diagnostic.  Nothing else is recognized.
 */
#include "gw_util.h"

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "----- The following addresses had permanent fatal errors -----", 0, NULL);
    if (start < 0)
        return SS_DEC_NO;
    size_t first = out->nfacts, pos = (size_t)start, n = 0;
    ss_str line, diag = SS_NULLSTR;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        if (pv_starts_lit(t, ">>> ") && gw_has(t, "@")) {
            ss_fact *f = pv_add_rcpt(out, ss_find_address(gw_skip(t, 4)));
            if (!f)
                break;
            continue;
        }
        if (t.ptr[0] == '-')
            continue; /* the "----- Transcript ..." marker */
        if (!diag.len && (ss_isdigit((unsigned char)t.ptr[0]) || ss_isalpha((unsigned char)t.ptr[0])))
            diag = t;
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++)
        out->facts[i].diagnostic = diag;
    return SS_DEC_YES;
}

int ss_decode_activehunter(const ss_view *v, ss_bounce *out) {
    if (!pv_header(v->root, "X-AHMAILID").ptr)
        return SS_DEC_NO;
    return decode(v, out);
}
