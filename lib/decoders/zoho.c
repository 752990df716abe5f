/*
 * zoho.c - bounces from Zoho Mail (mailer-daemon@mail.zoho.com, with an
 * X-ZohoMail: header).  Failures list one recipient per line:
 *
 *   user@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 ...
 *
 * and delay notices one bracketed line per recipient:
 *
 *   [Status: Error, Address: <user@example.org>, ResponseCode 421, , Host not reachable.]
 *
 * The text after the address is the diagnostic; the first ERROR_CODE or
 * ResponseCode is the reply code.  The original message's headers follow
 * in the same part, from its first "Received:" line.  Zoho's "Host not
 * reachable" (it gave up connecting) is reason "expired"; other reasons
 * are left to the classifier.
 */
#include "provutil.h"

/* the digits after "key" (skipping " :"), as a 3-digit reply code */
static ss_str code_after(ss_str s, const char *key) {
    long k = ss_find(s, key, strlen(key));
    if (k < 0)
        return SS_NULLSTR;
    size_t i = (size_t)k + strlen(key);
    while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == ':'))
        i++;
    if (i + 3 <= s.len && s.ptr[i] >= '2' && s.ptr[i] <= '5' &&
        ss_isdigit((unsigned char)s.ptr[i + 1]) &&
        ss_isdigit((unsigned char)s.ptr[i + 2]) &&
        (i + 3 == s.len || !ss_isdigit((unsigned char)s.ptr[i + 3])))
        return ss_str_make(s.ptr + i, 3);
    return SS_NULLSTR;
}

int ss_decode_zoho(const ss_view *v, ss_bounce *out) {
    /* (the sender first: cheaper than a header lookup) */
    if (!pv_from_local(v, "mailer-daemon") || !pv_has_header(v, "X-ZohoMail"))
        return SS_DEC_NO;
    static const char *const ends[] = {"Received:", NULL};
    ss_str orig;
    ss_str body = pv_upto(v->text, ends, &orig);
    int delayed = ss_find_ci(v->subject, "(Delay)") >= 0 ||
                  ss_find(body, "THIS IS A WARNING MESSAGE ONLY", 30) >= 0;
    size_t pos = 0, first = out->nfacts;
    ss_str line;
    while (ss_next_line(body, &pos, &line)) {
        ss_str t = ss_trim(line);
        ss_str rcpt = SS_NULLSTR, diag = SS_NULLSTR;
        if (pv_starts_lit(t, "[Status:")) {
            long a = ss_find(t, "Address:", 8);
            if (a < 0)
                continue;
            ss_str rest = ss_str_make(t.ptr + a + 8, t.len - (size_t)a - 8);
            rcpt = ss_find_address(rest);
            diag = ss_trim(rest);
            if (diag.len && diag.ptr[diag.len - 1] == ']')
                diag.len--;
        } else {
            size_t n = 0;
            while (n < t.len && !ss_isspace((unsigned char)t.ptr[n]))
                n++;
            if (n == t.len || ss_find(t, "ERROR_CODE", 10) < 0)
                continue;
            rcpt = pv_addr_line(ss_str_make(t.ptr, n));
            diag = ss_trim(ss_str_make(t.ptr + n, t.len - n));
        }
        if (!rcpt.len)
            continue;
        ss_fact *f = pv_add_rcpt(out, rcpt);
        if (!f)
            break;
        f->diagnostic = diag;
        f->reply_code = code_after(diag, "ERROR_CODE");
        if (!f->reply_code.len)
            f->reply_code = code_after(diag, "ResponseCode");
        if (delayed)
            f->action = SS_STR("delayed");
        /* Zoho's own words for a host it kept failing to reach */
        if (ss_find_ci(diag, "Host not reachable") >= 0)
            f->reason = SMTPSTATUS_R_EXPIRED;
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "Zoho";
    if (!v->original && orig.len)
        out->original = ss_str_make(body.ptr + body.len,
                                    v->text.len - body.len);
    return SS_DEC_YES;
}
