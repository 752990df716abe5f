/*
 * interscanmss.c - bounces from Trend Micro InterScan Messaging Security
 * Suite: From "InterScan ..." (or its MIME boundary, or the text "Message
 * from InterScan Messaging Security Suite") and a text such as
 *
 *   Sent <<< RCPT TO:<user@example.org>
 *   Received >>> 550 5.1.1 <user@example.org>... user unknown
 *
 * or "Unable to deliver message to <user@example.org> (and other
 * recipients in the same domain)."  The latter says the address was not
 * accepted: reason userunknown, as the product's text asks to check the
 * address.  Only text before the returned message is read.
 */
#include "gw_util.h"

#define ISM_MAX 256

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    size_t first = out->nfacts, pos = 0, n = 0;
    ss_str line;
    ss_fact *cur = NULL;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        /* a recipient line has an '@' and " <": the other searches
         * only on such a line (most lines have neither) */
        int rcpt_line = gw_has(t, "@") && ss_find(t, " <", 2) > 1;
        int unable = rcpt_line && gw_has(t, "Unable to deliver ");
        if (rcpt_line && (unable || ss_find(t, " <<< ", 5) > 1 ||
                          ss_find(t, " >>> ", 5) > 1)) {
            /* the last <...> of the line */
            long lt = -1, gt = -1;
            for (size_t i = 0; i < t.len; i++) {
                if (t.ptr[i] == '<')
                    lt = (long)i;
                else if (t.ptr[i] == '>')
                    gt = (long)i;
            }
            ss_str a = SS_NULLSTR;
            if (lt >= 0 && gt > lt)
                a = ss_find_address(ss_str_make(t.ptr + lt, (size_t)(gt - lt + 1)));
            if (a.len) {
                if (!cur || !gw_same_addr(cur->recipient, a)) {
                    cur = pv_add_rcpt(out, a);
                    if (!cur)
                        break;
                }
                if (unable) {
                    cur->diagnostic = t;
                    cur->reason = SMTPSTATUS_R_USERUNKNOWN;
                }
            }
        }
        if (!cur)
            continue;
        if (pv_starts_lit(t, "Sent <<< ")) {
            ss_str c = ss_trim(gw_skip(t, 9));
            size_t k = 0;
            while (k < c.len && ss_isalpha((unsigned char)c.ptr[k]))
                k++;
            if (k >= 4)
                cur->command = ss_str_make(c.ptr, k);
        } else if (pv_starts_lit(t, "Received >>> ")) {
            cur->diagnostic = ss_trim(gw_skip(t, 13));
            cur->reason = -1;
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    return SS_DEC_YES;
}

int ss_decode_interscanmss(const ss_view *v, ss_bounce *out) {
    int hit = pv_starts_lit(ss_trim(v->from), "\"InterScan") ||
              pv_starts_lit(ss_trim(v->from), "InterScan") ||
              gw_has_by(v->from, "(\"InterScan", '(') ||
              gw_has_by(pv_header(v->root, "Content-Type"), "InterScan", 'I') ||
              gw_has_by(v->text, "Message from InterScan Messaging Security", 'I');
    if (!hit)
        return SS_DEC_NO;
    return decode(v, out);
}
