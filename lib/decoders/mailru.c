/*
 * mailru.c - bounces from Mail.Ru (mailer-daemon@*.mail.ru).  Mail.Ru runs
 * Exim: the text (a Russian paragraph, then Exim's English one) lists
 * each failed address with the reason indented below it.  The Exim
 * decoder reads that layout; this one recognizes the sender and hands the
 * message to it, so that records name Mail.Ru.
 */
#include "provutil.h"

int ss_decode_exim(const ss_view *v, ss_bounce *out);

int ss_decode_mailru(const ss_view *v, ss_bounce *out) {
    ss_str a = v->from_addr;
    /* the domain first: decisive more often than the local part */
    if (a.len < 8 ||
        !(pv_eq_str(ss_str_make(a.ptr + a.len - 8, 8), "@mail.ru") ||
          pv_eq_str(ss_str_make(a.ptr + a.len - 8, 8), ".mail.ru")) ||
        !pv_from_local(v, "mailer-daemon"))
        return SS_DEC_NO;
    size_t first = out->nfacts;
    if (ss_decode_exim(v, out) != SS_DEC_YES) {
        out->nfacts = first;
        return SS_DEC_NO;
    }
    out->decoder = "MailRu";
    return SS_DEC_YES;
}
