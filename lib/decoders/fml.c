/*
 * fml.c - error notices of the fml mailing list manager (X-MLServer: fml,
 * From: <list>-admin@, Message-ID "<...FML...>"): a short text naming the
 * address in angle brackets ("You are not a member of this mailing list
 * <user@example.org>.", "Duplicated Message-ID in <id>.") before
 * "Original mail as follows:".  These are list-policy rejections, not
 * delivery failures; fml's fixed sentences (or the Subject) state the
 * reason.
 */
#include "provutil.h"

typedef struct fml_phrase {
    const char *text;
    int reason;
} fml_phrase;

static int fml_reason(ss_str s, int subject) {
    static const fml_phrase body[] = {
        {" header may cause mail loop", SMTPSTATUS_R_REJECTED},
        {"NOT MEMBER article from ", SMTPSTATUS_R_REJECTED},
        {"reject mail from ", SMTPSTATUS_R_REJECTED},
        {"reject spammers:", SMTPSTATUS_R_REJECTED},
        {"You are not a member of this mailing list", SMTPSTATUS_R_REJECTED},
        {" has detected a loop condition so that", SMTPSTATUS_R_SYSTEMERROR},
        {"Duplicated Message-ID", SMTPSTATUS_R_SYSTEMERROR},
        {"Loop Back Warning:", SMTPSTATUS_R_SYSTEMERROR},
        {"Security alert:", SMTPSTATUS_R_SECURITYERROR},
        {NULL, 0}};
    static const fml_phrase title[] = {
        {" are not member", SMTPSTATUS_R_REJECTED},
        {"NOT MEMBER article from ", SMTPSTATUS_R_REJECTED},
        {"reject mail ", SMTPSTATUS_R_REJECTED},
        {"Spam mail from a spammer is rejected", SMTPSTATUS_R_REJECTED},
        {"fml system error message", SMTPSTATUS_R_SYSTEMERROR},
        {"Loop Alert: ", SMTPSTATUS_R_SYSTEMERROR},
        {"Loop Back Warning: ", SMTPSTATUS_R_SYSTEMERROR},
        {"WARNING: UNIX FROM Loop", SMTPSTATUS_R_SYSTEMERROR},
        {"Security Alert", SMTPSTATUS_R_SECURITYERROR},
        {NULL, 0}};
    const fml_phrase *t = subject ? title : body;
    for (int i = 0; t[i].text; i++)
        if (ss_find_ci(s, t[i].text) >= 0)
            return t[i].reason;
    return -1;
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    ss_fact *cur = NULL;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        long of = ss_find_ci(t, "Original mail as follows:");
        if (of >= 0) {
            pv_original_at(v, out, pos);
            t.len = (size_t)of;
            t = ss_trim(t);
        }
        const char *lt = t.len ? memchr(t.ptr, '<', t.len) : NULL;
        const char *gt = NULL;
        for (size_t i = t.len; i > 0 && lt; i--)
            if (t.ptr[i - 1] == '>') {
                gt = t.ptr + i - 1;
                break;
            }
        if (lt && gt && lt > t.ptr && gt > lt + 1) {
            cur = pv_add_rcpt(out, ss_str_make(lt + 1, (size_t)(gt - lt - 1)));
            if (!cur)
                break;
            cur->diagnostic = t;
        } else if (cur && t.len) {
            cur->diagnostic.len = (size_t)(t.ptr + t.len - cur->diagnostic.ptr);
        }
        if (of >= 0)
            break;
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "FML";
    for (size_t i = first; i < out->nfacts; i++) {
        int r = fml_reason(out->facts[i].diagnostic, 0);
        if (r < 0)
            r = fml_reason(v->subject, 1);
        out->facts[i].reason = r;
    }
    return SS_DEC_YES;
}

int ss_decode_fml(const ss_view *v, ss_bounce *out) {
    ss_str ml = pv_header(v->root, "X-MLServer");
    if (!ml.len || ss_find_ci(v->from, "-admin@") <= 0 ||
        ss_find(pv_header(v->root, "Message-ID"), ".FML", 4) < 1)
        return SS_DEC_NO;
    return decode(v, out);
}
