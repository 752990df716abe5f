/*
 * gmail.c - the older Gmail bounces written as plain text by
 * mailer-daemon@googlemail.com ("Delivery Status Notification (Failure)"
 * or "(Delay)") with no delivery-status part:
 *
 *   Delivery to the following recipient failed permanently:
 *
 *        user@example.jp
 *
 *   Technical details of permanent failure:
 *   Google tried to deliver your message, but it was rejected by the
 *   server for the recipient domain example.jp by mx.example.jp. [192.0.2.1].
 *   The error that the other server returned was:
 *   550 5.1.1 <user@example.jp>... User Unknown (state 14).
 *
 * Indented address lines after "Delivery to the following recipient" are
 * the recipients, the rest of the text up to "----- Original message -----"
 * their diagnostic.  Gmail's "(state N)" suffix names the SMTP stage; it
 * gives the command, and the reason when the remote reply has no
 * specific status code.  Newer Gmail bounces carry a delivery-status part
 * and are left to the RFC3464 decoder.
 */
#include "provutil.h"

typedef struct gm_state {
    const char *state;
    const char *command;
    int reason;
} gm_state;

static const gm_state gm_states[] = {
    {"6", "MAIL", SMTPSTATUS_R_SYSTEMERROR},
    {"8", "AUTH", SMTPSTATUS_R_SYSTEMERROR},
    {"9", "AUTH", SMTPSTATUS_R_SYSTEMERROR},
    {"12", "AUTH", SMTPSTATUS_R_NORELAYING},
    {"13", "EHLO", SMTPSTATUS_R_BLOCKED},
    {"14", "RCPT", SMTPSTATUS_R_USERUNKNOWN},
    {"15", "DATA", SMTPSTATUS_R_FILTERED},
    {"17", "DATA", SMTPSTATUS_R_FILTERED},
    {"18", "DATA", SMTPSTATUS_R_FILTERED},
    {NULL, NULL, -1},
};

/* Gmail's own words when there is no remote reply */
typedef struct gm_phrase {
    const char *text;
    int reason;
} gm_phrase;

static const gm_phrase gm_phrases[] = {
    {"DNS Error: Could not contact DNS servers", SMTPSTATUS_R_EXPIRED},
    {"Delivery to the following recipient has been delayed", SMTPSTATUS_R_EXPIRED},
    {"The recipient server did not accept our requests to connect", SMTPSTATUS_R_EXPIRED},
    {"DNS Error: Domain name not found", SMTPSTATUS_R_HOSTUNKNOWN},
    {"DNS Error: DNS server returned answer with no data", SMTPSTATUS_R_HOSTUNKNOWN},
    {NULL, 0},
};

/* 1 when s holds an enhanced status code whose subject or detail is not 0 */
static int specific_status(ss_str s) {
    for (size_t i = 0; i + 4 < s.len; i++) {
        char c = s.ptr[i];
        if ((c != '4' && c != '5') || s.ptr[i + 1] != '.')
            continue;
        if (i > 0 && (ss_isdigit((unsigned char)s.ptr[i - 1]) || s.ptr[i - 1] == '.'))
            continue;
        size_t j = i + 2, a = j;
        while (j < s.len && ss_isdigit((unsigned char)s.ptr[j]) && j - a < 3)
            j++;
        if (j == a || j >= s.len || s.ptr[j] != '.')
            continue;
        size_t b = ++j;
        while (j < s.len && ss_isdigit((unsigned char)s.ptr[j]) && j - b < 3)
            j++;
        if (j == b)
            continue;
        if (!(j - a == 4 && s.ptr[a] == '0' && s.ptr[b] == '0'))
            return !(s.ptr[a] == '0' && b - a == 2);
    }
    return 0;
}

/* The Gmail decoder for a message with no delivery-status part, from
 * mailer-daemon@googlemail.com, whose subject holds "Delivery Status
 * Notification" (ss_decode_googlegroups_gmail has tested that). */
int ss_decode_gmail_known(const ss_view *v, ss_bounce *out);

int ss_decode_gmail_known(const ss_view *v, ss_bounce *out) {
    static const char *const ends[] = {"----- Original message -----",
                                       "----- Message header follows -----",
                                       NULL};
    ss_str orig;
    ss_str body = pv_upto(v->text, ends, &orig);
    long st = ss_find(body, "Delivery to the following recipient", 35);
    if (st < 0)
        return SS_DEC_NO;
    size_t pos = (size_t)st, first = out->nfacts;
    ss_str line;
    const char *dstart = NULL, *dend = NULL;
    while (ss_next_line(body, &pos, &line)) {
        ss_str a = line.len && line.ptr[0] == ' ' ? pv_addr_line(line)
                                                  : SS_NULLSTR;
        if (a.len) {
            ss_fact *f = pv_add_rcpt(out, a);
            if (!f)
                break;
            continue;
        }
        if (out->nfacts > first && ss_trim(line).len) {
            if (!dstart)
                dstart = line.ptr;
            dend = line.ptr + line.len;
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    ss_str diag = dstart ? ss_str_make(dstart, (size_t)(dend - dstart)) : SS_NULLSTR;
    /* the whole notice, for the delay wording before the recipient */
    ss_str notice = ss_str_make(body.ptr + st, body.len - (size_t)st);
    ss_str command = SS_NULLSTR;
    int reason = -1;
    long sp = -1;
    /* the last "(state N)" */
    for (size_t off = 0; off < diag.len;) {
        long k = ss_find(ss_str_make(diag.ptr + off, diag.len - off), "(state ", 7);
        if (k < 0)
            break;
        sp = (long)off + k;
        off += (size_t)k + 7;
    }
    if (sp >= 0) {
        ss_str num = ss_str_make(diag.ptr + sp + 7, 0);
        while (num.ptr + num.len < diag.ptr + diag.len &&
               ss_isdigit((unsigned char)num.ptr[num.len]) && num.len < 3)
            num.len++;
        for (size_t i = 0; gm_states[i].state; i++)
            if (ss_eq_ci(num, gm_states[i].state)) {
                command = ss_str_make(gm_states[i].command, strlen(gm_states[i].command));
                reason = gm_states[i].reason;
            }
    }
    if (reason < 0)
        for (size_t i = 0; gm_phrases[i].text; i++)
            if (ss_find(notice, gm_phrases[i].text, strlen(gm_phrases[i].text)) >= 0) {
                reason = gm_phrases[i].reason;
                break;
            }
    if (specific_status(diag))
        reason = -1; /* the remote server's code says more */
    int delayed = ss_find(notice, "has been delayed", 16) >= 0;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        f->diagnostic = diag;
        f->command = command;
        f->reason = reason;
        if (delayed)
            f->action = SS_STR("delayed");
        /* "The error that the other server returned was: 550 550 ..." */
        long k = ss_find(diag, "returned was:", 13);
        if (k >= 0)
            pv_lead_reply(f, ss_str_make(diag.ptr + k + 13, diag.len - (size_t)k - 13));
    }
    out->decoder = "Gmail";
    if (!v->original && orig.len)
        out->original = orig;
    return SS_DEC_YES;
}
