/*
 * amazonses.c - Amazon SES (sending side).  Two shapes:
 *
 * 1. A bounce mail from MAILER-DAEMON@...amazonses.com (X-SES-Outgoing: or
 *    X-AWS-Outgoing:) with a delivery-status part.  The DSN gives the
 *    facts; when its Status: is only X.0.0 or X.1.0 and the diagnostic
 *    quotes the remote reply ("5.1.0 - Unknown address error
 *    550-'5.2.2 <user@example.jp>... Mailbox Full'"), the quoted status
 *    and the reply code before the quote are taken; a reply quoted as
 *    "...<421 4.4.2 Connection timed out>" likewise.
 *
 * 2. An Amazon SNS notification mailed as JSON (x-amz-sns-message-id:, or
 *    From no-reply@sns.amazonaws.com), either the SES event itself or an
 *    SNS envelope whose "Message" holds it as an escaped string.  SNS
 *    folds long lines as "...!" LF " ..."; those folds are undone first.
 *    notificationType Bounce gives one fact per bouncedRecipients entry
 *    (action, status, diagnosticCode; bounceType Transient/MailboxFull and
 *    MessageTooLarge imply the reason), Complaint one "feedback" fact per
 *    complainedRecipients entry, Delivery one "delivered" fact per
 *    recipients entry.  This is a scanner for these fields, not a
 *    general JSON parser.
 */
#include "provutil.h"

/* ---------- JSON fields (plain or backslash-escaped) ---------- */

/* The value of "key" in s: a string's characters (up to the closing
 * quote, plain or escaped) or a bare token; NULL slice when absent. */
static ss_str jval(ss_str s, const char *key, size_t *end) {
    size_t kl = strlen(key), off = 0;
    for (int guard = 0; guard < 4096 && off < s.len; guard++) {
        long k = ss_find(ss_str_make(s.ptr + off, s.len - off), key, kl);
        if (k < 0)
            return SS_NULLSTR;
        size_t i = off + (size_t)k;
        off = i + kl;
        if (i == 0 || s.ptr[i - 1] != '"' || off >= s.len ||
            (s.ptr[off] != '"' && s.ptr[off] != '\\'))
            continue;
        size_t j = off;
        while (j < s.len && (s.ptr[j] == '\\' || s.ptr[j] == '"'))
            j++;
        while (j < s.len && (s.ptr[j] == ' ' || s.ptr[j] == '\n'))
            j++;
        if (j >= s.len || s.ptr[j] != ':')
            continue;
        j++;
        while (j < s.len && (s.ptr[j] == ' ' || s.ptr[j] == '\n'))
            j++;
        int str = 0;
        while (j < s.len && (s.ptr[j] == '\\' || s.ptr[j] == '"')) {
            str = 1;
            j++;
        }
        size_t b = j;
        if (str) {
            while (j < s.len && s.ptr[j] != '"' && s.ptr[j] != '\\')
                j++;
        } else {
            while (j < s.len && s.ptr[j] != ',' && s.ptr[j] != '}' &&
                   s.ptr[j] != ']' && s.ptr[j] != '\n')
                j++;
        }
        if (end)
            *end = j;
        return ss_trim(ss_str_make(s.ptr + b, j - b));
    }
    return SS_NULLSTR;
}

/* The text of the array value of "key" (between '[' and its ']'); the
 * arrays read here hold flat objects or strings, so the first ']' after
 * the last '}' of a nested object closes it. */
static ss_str jarray(ss_str s, const char *key) {
    size_t kl = strlen(key), off = 0;
    for (int guard = 0; guard < 4096 && off < s.len; guard++) {
        long k = ss_find(ss_str_make(s.ptr + off, s.len - off), key, kl);
        if (k < 0)
            return SS_NULLSTR;
        size_t i = off + (size_t)k;
        off = i + kl;
        if (i == 0 || s.ptr[i - 1] != '"')
            continue;
        size_t j = off;
        while (j < s.len && (s.ptr[j] == '\\' || s.ptr[j] == '"' ||
                             s.ptr[j] == ' ' || s.ptr[j] == ':'))
            j++;
        if (j >= s.len || s.ptr[j] != '[')
            continue;
        size_t b = ++j;
        int depth = 0;
        while (j < s.len) {
            if (s.ptr[j] == '{')
                depth++;
            else if (s.ptr[j] == '}')
                depth--;
            else if (s.ptr[j] == ']' && depth <= 0)
                break;
            j++;
        }
        return ss_str_make(s.ptr + b, j - b);
    }
    return SS_NULLSTR;
}

/* Undo SNS line folding ("!" LF " ") and join lines, into the arena. */
static ss_str unfold_sns(ss_arena *a, ss_str t) {
    char *d = ss_alloc(a, t.len + 1);
    if (!d)
        return SS_NULLSTR;
    /* the fold and the footer are both at a line end: the text is copied
     * a line at a time */
    size_t n = 0, i = 0;
    while (i < t.len) {
        const char *nl = memchr(t.ptr + i, '\n', t.len - i);
        size_t e = nl ? (size_t)(nl - t.ptr) : t.len;
        if (nl && e > i && t.ptr[e - 1] == '!' && e + 1 < t.len &&
            t.ptr[e + 1] == ' ') {
            /* "!" LF " ": dropped */
            memcpy(d + n, t.ptr + i, e - 1 - i);
            n += e - 1 - i;
            i = e + 2;
            continue;
        }
        memcpy(d + n, t.ptr + i, e - i);
        n += e - i;
        if (!nl)
            break;
        if (e + 2 < t.len && t.ptr[e + 1] == '-' && t.ptr[e + 2] == '-' &&
            (e + 3 == t.len || t.ptr[e + 3] == '\n'))
            break; /* the SNS footer "--" */
        d[n++] = '\n';
        i = e + 1;
    }
    d[n] = '\0';
    return ss_str_make(d, n);
}

static int decode_json(const ss_view *v, ss_bounce *out) {
    ss_str j = unfold_sns(out->arena, v->text);
    if (!j.len)
        return SS_DEC_NO;
    ss_str type = jval(j, "notificationType", NULL);
    size_t first = out->nfacts;
    if (pv_eq_str(type, "Bounce")) {
        ss_str btype = jval(j, "bounceType", NULL);
        ss_str bsub = jval(j, "bounceSubType", NULL);
        int reason = -1;
        if (pv_eq_str(btype, "Transient") && pv_eq_str(bsub, "MailboxFull"))
            reason = SMTPSTATUS_R_MAILBOXFULL;
        else if (pv_eq_str(btype, "Transient") && pv_eq_str(bsub, "MessageTooLarge"))
            reason = SMTPSTATUS_R_MESGTOOBIG;
        ss_str mta = jval(j, "reportingMTA", NULL);
        if (pv_starts_lit(mta, "dsn;"))
            mta = ss_trim(ss_str_make(mta.ptr + 4, mta.len - 4));
        ss_str arr = jarray(j, "bouncedRecipients");
        size_t p = 0;
        for (int guard = 0; guard < 10000 && p < arr.len; guard++) {
            const char *ob = memchr(arr.ptr + p, '{', arr.len - p);
            if (!ob)
                break;
            size_t b = (size_t)(ob - arr.ptr);
            const char *oe = memchr(ob, '}', arr.len - b);
            size_t e = oe ? (size_t)(oe - arr.ptr) : arr.len;
            ss_str obj = ss_str_make(arr.ptr + b, e - b);
            p = e + 1;
            ss_str rcpt = jval(obj, "emailAddress", NULL);
            if (!pv_addr_line(rcpt).len)
                continue;
            ss_fact *f = pv_add_rcpt(out, rcpt);
            if (!f)
                break;
            f->action = jval(obj, "action", NULL);
            f->status = jval(obj, "status", NULL);
            ss_str dc = jval(obj, "diagnosticCode", NULL);
            const char *semi = memchr(dc.ptr ? dc.ptr : "", ';', dc.len);
            if (semi && semi - dc.ptr < 16) {
                f->diagnostic_type = ss_str_make(dc.ptr, (size_t)(semi - dc.ptr));
                dc = ss_trim(ss_str_make(semi + 1, dc.len - (size_t)(semi + 1 - dc.ptr)));
            }
            f->diagnostic = dc;
            f->reporting_mta = mta;
            f->reason = reason;
        }
    } else if (pv_eq_str(type, "Complaint")) {
        ss_str ft = jval(j, "complaintFeedbackType", NULL);
        ss_str arr = jarray(j, "complainedRecipients");
        size_t p = 0;
        for (int guard = 0; guard < 10000 && p < arr.len; guard++) {
            size_t e;
            ss_str rest = ss_str_make(arr.ptr + p, arr.len - p);
            ss_str rcpt = jval(rest, "emailAddress", &e);
            if (!rcpt.ptr)
                break;
            p += e;
            if (!pv_addr_line(rcpt).len)
                continue;
            ss_fact *f = pv_add_rcpt(out, rcpt);
            if (!f)
                break;
            f->feedback_type = ft;
            f->reason = SMTPSTATUS_R_FEEDBACK;
            f->hard = 0;
        }
    } else if (pv_eq_str(type, "Delivery")) {
        ss_str resp = jval(j, "smtpResponse", NULL);
        ss_str mta = jval(j, "reportingMTA", NULL);
        ss_str arr = jarray(j, "recipients");
        size_t i = 0;
        while (i < arr.len) {
            while (i < arr.len && (arr.ptr[i] == '"' || arr.ptr[i] == '\\' ||
                                   arr.ptr[i] == ',' || arr.ptr[i] == ' '))
                i++;
            size_t b = i;
            while (i < arr.len && arr.ptr[i] != '"' && arr.ptr[i] != '\\' &&
                   arr.ptr[i] != ',')
                i++;
            ss_str rcpt = pv_addr_line(ss_str_make(arr.ptr + b, i - b));
            if (!rcpt.len)
                continue;
            ss_fact *f = pv_add_rcpt(out, rcpt);
            if (!f)
                break;
            f->diagnostic = resp;
            f->reporting_mta = mta;
            f->action = SS_STR("delivered");
            f->reason = SMTPSTATUS_R_DELIVERED;
            f->hard = 0;
            pv_lead_reply(f, resp);
        }
    } else {
        return SS_DEC_NO;
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "AmazonSES";
    return SS_DEC_YES;
}

/* "'5.2.2 <user@...>... Mailbox Full'" quoted in the diagnostic */
static void quoted_status(ss_fact *f) {
    ss_str d = f->diagnostic;
    for (size_t i = 0; i + 6 < d.len; i++) {
        if (d.ptr[i] != '\'' && d.ptr[i] != '"')
            continue;
        const char *p = d.ptr + i + 1;
        if ((p[0] == '4' || p[0] == '5') && p[1] == '.' &&
            ss_isdigit((unsigned char)p[2])) {
            size_t n = 0;
            while (i + 1 + n < d.len && (ss_isdigit((unsigned char)p[n]) || p[n] == '.') && n < 9)
                n++;
            f->status = ss_str_make(p, n);
            /* "550-'" : the reply code just before the quote */
            if (i >= 4 && (d.ptr[i - 1] == '-' || d.ptr[i - 1] == ' ') &&
                ss_isdigit((unsigned char)d.ptr[i - 2]) &&
                ss_isdigit((unsigned char)d.ptr[i - 3]) &&
                (d.ptr[i - 4] >= '2' && d.ptr[i - 4] <= '5'))
                f->reply_code = ss_str_make(d.ptr + i - 4, 3);
            return;
        }
        if (i >= 4 && d.ptr[i - 1] == '-' && ss_isdigit((unsigned char)d.ptr[i - 2]) &&
            ss_isdigit((unsigned char)d.ptr[i - 3]) &&
            (d.ptr[i - 4] >= '2' && d.ptr[i - 4] <= '5') && !f->reply_code.len)
            f->reply_code = ss_str_make(d.ptr + i - 4, 3);
    }
}

int ss_decode_amazonses(const ss_view *v, ss_bounce *out) {
    /* the first byte that is not white space (what ss_trim would start
     * with) is '{' */
    size_t i0 = 0;
    while (i0 < v->text.len && ss_isspace((unsigned char)v->text.ptr[i0]))
        i0++;
    if (i0 < v->text.len && v->text.ptr[i0] == '{' &&
        (pv_has_header(v, "x-amz-sns-message-id") ||
         pv_from_has(v, "@sns.amazonaws.com")))
        return decode_json(v, out);
    if (!v->dsn || !pv_from_local(v, "mailer-daemon") ||
        !pv_from_has(v, "amazonses.com") ||
        (!pv_has_header(v, "X-SES-Outgoing") &&
         !pv_has_header(v, "X-AWS-Outgoing")))
        return SS_DEC_NO;
    if (pv_starts_lit(ss_trim(pv_header(v->root, "X-Mailer")),
                      "Amazon WorkMail"))
        return SS_DEC_NO;
    size_t first = out->nfacts;
    ss_dsn_parse(v->dsn_text, out);
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        ss_str s = ss_trim(f->status);
        if (s.len >= 5 && (s.ptr[0] == '4' || s.ptr[0] == '5') &&
            (pv_starts_lit(ss_str_make(s.ptr + 1, s.len - 1), ".0.0") ||
             pv_starts_lit(ss_str_make(s.ptr + 1, s.len - 1), ".1.0")))
            quoted_status(f);
        pv_inner_reply(out->arena, f, f->diagnostic);
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = "AmazonSES";
    return SS_DEC_YES;
}
