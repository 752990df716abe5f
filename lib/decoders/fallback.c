/*
 * fallback.c - the last decoder: bounces of no known format that still
 * look like bounces.
 *
 * A message is considered only when it says it is a bounce: an
 * X-Failed-Recipients: header, a sender such as MAILER-DAEMON, postmaster
 * or "Mail Delivery System", or a subject such as "Undeliverable",
 * "Delivery Status Notification", "Returned mail", "failure notice",
 * "Mail delivery failed", "Undelivered Mail" (or a usual non-English
 * equivalent) that is not a reply or forward.  Ordinary mail has none of
 * these and is left alone.
 *
 * Recipients: X-Failed-Recipients: when present; else, in the text before
 * the copy of the original message, (1) a line that is nothing but an
 * address ("  user@example.org", "<user@example.org>:"), (2) "RCPT TO:
 * <address>", (3) an address on a line with an SMTP reply code, an
 * enhanced status code or failure wording ("User unknown", "not listed",
 * "permanent error", ...).  Lines that are mail headers (From:, To:,
 * Received:, ...) are skipped, the text stops where a copy of the
 * original message starts, and the bounce's own From:/To: addresses, the
 * original sender and daemon addresses (postmaster, mailer-daemon) are
 * never recipients.  Without a failure sign anywhere in the text (a code
 * or failure wording) nothing is reported.
 *
 * Diagnostic: for an address line, the lines below it (up to the next
 * address line, a few lines at most); for an address inside a line, that
 * line and its continuation; when that holds no code nor failure wording,
 * the first line of the text that does.  Codes are left to the analyzer,
 * which reads them from the diagnostic; the SMTP command is taken from
 * the words around it.  Does not classify.
 */
#include "provutil.h"

#define FB_MAX_DIAG_LINES 6
#define FB_MAX_LINES 2000
/* bounce notices are short: only this much text is read, and only the
 * start of a long line is searched for failure wording */
#define FB_MAX_REGION ((size_t)256 * 1024)
#define FB_MAX_LINE 1024

static const char *const fb_daemons[] = {
    "mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon",
    "postmaster", "post_master", "postoffice", "mmdf", "smtp-gateway",
    "mail.daemon", "mdaemon", "no-reply-bounce", NULL};

static const char *const fb_sender_names[] = {
    "Mail Delivery", "Mail Deliver System", "MAILER-DAEMON", "Postmaster",
    "Mail Administrator", "Mail System", "NDR Administrator",
    "Delivery Subsystem", "Mail Delivery Subsystem", NULL};

static const char *const fb_subjects[] = {
    "undeliver", "undelivered mail", "delivery status notification",
    "returned mail", "failure notice", "mail delivery failed",
    "delivery failure", "delivery failed", "delivery has failed",
    "could not be delivered", "not delivered", "nondeliverable",
    "non-deliverable", "non delivery", "non-delivery", "mail failure",
    "returned to sender", "delivery problem", "error sending your mail",
    "error sending mail", "message delivery failure", "delivery notification",
    "returned message", "rejected message", "mail system error",
    /* de, fr, es, it, nl, pt, ru, ja, zh */
    "unzustellbar", "nicht zustellbar", "fehlgeschlagen", "non remis",
    "non distribu", "échec de la remise", "no se puede entregar",
    "no entregado", "non recapitabile", "mancato recapito",
    "onbestelbaar", "niet bezorgd", "não entregue", "falha na entrega",
    "не доставлено", "недоставленное", "未達", "配信不能", "送信エラー",
    "配信エラー", "エラーメール", "退信", "未能送达", NULL};

/* wording that marks a failure line: phrases specific enough to make an
 * address on the same line a failed recipient ... */
static const char *const fb_failure_words[] = {
    "user unknown", "unknown user", "no such user", "does not exist",
    "not exist", "not listed", "not found", "unknown recipient",
    "recipient unknown", "invalid recipient", "invalid address",
    "invalid user", "unknown address", "address rejected", "mailbox full",
    "mailbox is full", "mailfolder is full", "over quota", "quota exceeded",
    "mailbox unavailable", "mailbox not", "not accepted", "permanent error",
    "permanent failure", "temporary failure", "could not be delivered",
    "was not delivered", "not delivered", "undeliverable",
    "unable to deliver", "delivery failed", "delivery has failed",
    "failed permanently", "host not found", "host unknown", "unknown host",
    "domain not found", "returned permanent errors", "rejected recipient",
    "delivery userid", NULL};

/* ... and general words that only count as a sign of failure somewhere
 * in the text or below an address line */
static const char *const fb_weak_words[] = {
    "rejected", "refused", "denied", "no mx", "timed out", "timeout",
    "expired", "too large", "size limit", "exceeds", "blocked", "blacklist",
    "spam", "disabled", "suspended", "inactive", "invalid", "unknown",
    "could not", "unable", "aborted", "error", "failed", "failure", NULL};

/* headers whose addresses are never recipients when quoted in the text */
static const char *const fb_header_names[] = {
    "from", "to", "cc", "bcc", "reply-to", "sender", "return-path",
    "received", "delivered-to", "message-id", "in-reply-to", "references",
    "date", "subject", "mail from", "envelope-from", "x-", "list-",
    "dkim-signature", "authentication-results", "content-", "mime-version",
    NULL};

/* lines where the copy of the original message starts */
static const char *const fb_original_markers[] = {
    "--- Below this line is a copy of the message",
    "------ This is a copy of the message",
    "----- Original message", "-----Original Message-----",
    "------ Original message", "----- Original Message -----",
    "------- Returned Message", "----- Returned message",
    "--- The header of the original message",
    "----- Message header follows", "------ The original message",
    "Original message follows", "Original message headers",
    "The original message headers", "Original Message Headers",
    "----- Unsent message follows", "--- Original message follows",
    "Message headers follow", "Original message follows",
    "---------- Forwarded message", "Received: ", "Return-Path: ",
    "DKIM-Signature: ", NULL};

static int local_is_daemon(ss_str addr) {
    const char *at = memchr(addr.ptr ? addr.ptr : "", '@', addr.len);
    ss_str local = at ? ss_str_make(addr.ptr, (size_t)(at - addr.ptr)) : addr;
    for (size_t i = 0; fb_daemons[i]; i++)
        if (ss_eq_ci(local, fb_daemons[i]))
            return 1;
    return 0;
}

static int sender_is_daemon(const ss_view *v) {
    ss_str a = v->from_addr;
    if (!a.len) {
        /* "From: mailer-daemon" without a domain */
        ss_str f = ss_trim(v->from);
        for (size_t i = 0; fb_daemons[i]; i++)
            if (ss_starts_ci(f, fb_daemons[i]))
                return 1;
    } else if (local_is_daemon(a)) {
        return 1;
    }
    for (size_t i = 0; fb_sender_names[i]; i++)
        if (ss_find_ci(v->from, fb_sender_names[i]) >= 0)
            return 1;
    return 0;
}

static int subject_is_bounce(ss_str s) {
    s = ss_trim(s);
    /* a person's reply or forward is not a bounce notice */
    static const char *const prefixes[] = {"re:", "re :", "fw:", "fwd:",
                                           "aw:", "wg:", "tr:", "sv:", NULL};
    for (size_t i = 0; prefixes[i]; i++)
        if (ss_starts_ci(s, prefixes[i]))
            return 0;
    for (size_t i = 0; fb_subjects[i]; i++)
        if (ss_find_ci(s, fb_subjects[i]) >= 0)
            return 1;
    return 0;
}

/* an SMTP reply code ("550 ", "550-", "550:") or an enhanced status code
 * ("5.1.1") as a word of line */
static int has_code(ss_str l) {
    if (l.len > FB_MAX_LINE)
        l.len = FB_MAX_LINE;
    for (size_t i = 0; i + 3 <= l.len; i++) {
        char c = l.ptr[i];
        if (c != '4' && c != '5')
            continue;
        if (i > 0 && (ss_isdigit((unsigned char)l.ptr[i - 1]) ||
                      ss_isalpha((unsigned char)l.ptr[i - 1]) ||
                      l.ptr[i - 1] == '.' || l.ptr[i - 1] == '-' ||
                      l.ptr[i - 1] == '/' || l.ptr[i - 1] == '='))
            continue;
        const char *p = l.ptr + i;
        size_t rest = l.len - i;
        /* x.y.z */
        if (rest >= 5 && p[1] == '.' && ss_isdigit((unsigned char)p[2])) {
            size_t j = 3;
            while (j < rest && ss_isdigit((unsigned char)p[j]) && j < 6)
                j++;
            if (j + 1 < rest && p[j] == '.' && ss_isdigit((unsigned char)p[j + 1])) {
                j += 1;
                while (j < rest && ss_isdigit((unsigned char)p[j]) && j < 10)
                    j++;
                if (j == rest || !(ss_isdigit((unsigned char)p[j]) || p[j] == '.' ||
                                   ss_isalpha((unsigned char)p[j])))
                    return 1;
            }
        }
        /* NNN */
        if (rest >= 4 && ss_isdigit((unsigned char)p[1]) &&
            ss_isdigit((unsigned char)p[2]) &&
            (p[3] == ' ' || p[3] == '-' || p[3] == ':') &&
            (p[1] >= '0' && p[1] <= '5'))
            return 1;
        if (rest == 3 && ss_isdigit((unsigned char)p[1]) &&
            ss_isdigit((unsigned char)p[2]))
            return 1;
    }
    return 0;
}

static int has_words(ss_str l, const char *const *words) {
    if (l.len > FB_MAX_LINE)
        l.len = FB_MAX_LINE;
    for (size_t i = 0; words[i]; i++)
        if (ss_find_ci(l, words[i]) >= 0)
            return 1;
    return 0;
}

static int has_failure_words(ss_str l) {
    return has_words(l, fb_failure_words) || has_words(l, fb_weak_words);
}

/* a code or any failure wording */
static int failure_line(ss_str l) {
    return has_code(l) || has_failure_words(l);
}

/* a code or specific failure wording */
static int strong_failure_line(ss_str l) {
    return has_code(l) || has_words(l, fb_failure_words);
}

/* "Name: value" where Name is a mail header (see fb_header_names) */
static int header_line(ss_str line) {
    ss_str t = ss_trim(line);
    const char *colon = memchr(t.ptr ? t.ptr : "", ':', t.len);
    if (!colon || colon == t.ptr || colon - t.ptr > 40)
        return 0;
    ss_str name = ss_trim(ss_str_make(t.ptr, (size_t)(colon - t.ptr)));
    for (size_t i = 0; i < name.len; i++)
        if (!(ss_isalpha((unsigned char)name.ptr[i]) || name.ptr[i] == '-' ||
              name.ptr[i] == ' ' || ss_isdigit((unsigned char)name.ptr[i])))
            return 0;
    for (size_t i = 0; fb_header_names[i]; i++) {
        size_t n = strlen(fb_header_names[i]);
        if (fb_header_names[i][n - 1] == '-' ? ss_starts_ci(name, fb_header_names[i])
                                             : ss_eq_ci(name, fb_header_names[i]))
            return 1;
    }
    return 0;
}

/* drop trailing dots/commas a sentence leaves on an address */
static ss_str clean_addr(ss_str a) {
    while (a.len && (a.ptr[a.len - 1] == '.' || a.ptr[a.len - 1] == ',' ||
                     a.ptr[a.len - 1] == ';'))
        a.len--;
    return a;
}

/* the last word of t is an address */
static int ends_with_address(ss_str t) {
    size_t b = t.len;
    while (b > 0 && !ss_isspace((unsigned char)t.ptr[b - 1]))
        b--;
    ss_str w = ss_str_make(t.ptr + b, t.len - b);
    while (w.len && (w.ptr[w.len - 1] == '.' || w.ptr[w.len - 1] == ','))
        w.len--;
    return clean_addr(pv_addr_line(w)).len > 0;
}

typedef struct fb_ctx {
    ss_str excl[4];
    size_t nexcl;
} fb_ctx;

static int excluded(const fb_ctx *c, ss_str a) {
    if (!a.len || local_is_daemon(a))
        return 1;
    const char *at = memchr(a.ptr, '@', a.len);
    if (!at || at == a.ptr || at + 1 >= a.ptr + a.len ||
        !memchr(at + 1, '.', (size_t)(a.ptr + a.len - at - 1)))
        return 1;
    for (size_t i = 0; i < c->nexcl; i++)
        if (c->excl[i].len == a.len) {
            size_t k = 0;
            while (k < a.len && ss_lower((unsigned char)a.ptr[k]) ==
                                    ss_lower((unsigned char)c->excl[i].ptr[k]))
                k++;
            if (k == a.len)
                return 1;
        }
    return 0;
}

/* the fact already holding address a, or NULL */
static ss_fact *find_fact(ss_bounce *out, size_t first, ss_str a) {
    for (size_t i = first; i < out->nfacts; i++) {
        ss_str r = out->facts[i].recipient;
        if (r.len != a.len)
            continue;
        size_t k = 0;
        while (k < a.len && ss_lower((unsigned char)a.ptr[k]) ==
                                ss_lower((unsigned char)r.ptr[k]))
            k++;
        if (k == a.len)
            return &out->facts[i];
    }
    return NULL;
}

/* lines below an address line: up to the next address line, a blank line
 * after some text, or FB_MAX_DIAG_LINES lines */
static ss_str block_below(ss_str region, size_t pos) {
    ss_str line;
    const char *b = NULL, *e = NULL;
    int n = 0;
    while (n < FB_MAX_DIAG_LINES && ss_next_line(region, &pos, &line)) {
        ss_str t = ss_trim(line);
        if (!t.len) {
            if (b && failure_line(ss_str_make(b, (size_t)(e - b))))
                break;
            continue;
        }
        if (pv_addr_line(line).len || header_line(line))
            break;
        if (!b)
            b = t.ptr;
        e = t.ptr + t.len;
        n++;
    }
    return b ? ss_str_make(b, (size_t)(e - b)) : SS_NULLSTR;
}

/* the line and its indented or unbroken continuation (at most 3 lines) */
static ss_str line_and_next(ss_str region, ss_str line, size_t pos) {
    ss_str t = ss_trim(line);
    const char *e = t.ptr + t.len;
    ss_str next;
    for (int n = 0; n < 2 && ss_next_line(region, &pos, &next); n++) {
        ss_str nt = ss_trim(next);
        if (!nt.len || pv_addr_line(next).len || header_line(next) ||
            !(next.ptr[0] == ' ' || next.ptr[0] == '\t'))
            break;
        e = nt.ptr + nt.len;
    }
    return ss_str_make(t.ptr, (size_t)(e - t.ptr));
}

static ss_fact *add_rcpt(ss_bounce *out, size_t first, ss_str a, ss_str diag) {
    ss_fact *f = find_fact(out, first, a);
    if (f) {
        if (!failure_line(f->diagnostic) && diag.len)
            f->diagnostic = diag;
        return f;
    }
    f = pv_add_rcpt(out, a);
    if (!f)
        return NULL;
    f->diagnostic = diag;
    return f;
}

int ss_decode_fallback(const ss_view *v, ss_bounce *out) {
    ss_str xfr = pv_header(v->root, "X-Failed-Recipients");
    int daemon = sender_is_daemon(v);
    int subject_bounce = subject_is_bounce(v->subject);
    if (!xfr.ptr && !daemon && !subject_bounce)
        return SS_DEC_NO;

    ss_str text = v->text;
    if (text.len > FB_MAX_REGION)
        text.len = FB_MAX_REGION;
    ss_str region = pv_upto(text, fb_original_markers, &out->original);
    if (v->original || out->original.len == 0)
        out->original = SS_NULLSTR;

    fb_ctx c;
    c.nexcl = 0;
    c.excl[c.nexcl++] = v->from_addr;
    c.excl[c.nexcl++] =
        ss_find_address(ss_part_header(out->arena, v->root, "To"));
    if (v->original) {
        ss_str hdrs = v->original_text;
        size_t p = 0;
        ss_str l;
        for (int n = 0; n < 200 && ss_next_line(hdrs, &p, &l) && ss_trim(l).len; n++)
            if (pv_starts_lit(l, "From:")) {
                c.excl[c.nexcl++] = ss_find_address(ss_str_make(l.ptr + 5, l.len - 5));
                break;
            }
    }

    /* the first failure line of the text: a diagnostic of last resort */
    ss_str first_fail = SS_NULLSTR;
    int any_sign = 0, strong_sign = 0;
    {
        size_t p = 0;
        ss_str l;
        for (int n = 0; n < FB_MAX_LINES && ss_next_line(region, &p, &l); n++) {
            if (header_line(l))
                continue;
            ss_str t = ss_trim(l);
            if (strong_failure_line(t))
                strong_sign = 1;
            if (has_code(t) || has_failure_words(t)) {
                any_sign = 1;
                if (!first_fail.len && has_code(t))
                    first_fail = line_and_next(region, l, p);
            }
        }
        if (!first_fail.len) {
            p = 0;
            for (int n = 0; n < FB_MAX_LINES && ss_next_line(region, &p, &l); n++)
                if (!header_line(l) && has_failure_words(l)) {
                    first_fail = line_and_next(region, l, p);
                    break;
                }
        }
    }
    if (!any_sign && !xfr.ptr)
        return SS_DEC_NO;

    size_t first = out->nfacts;
    if (xfr.ptr) {
        pv_add_list(out, xfr, SS_NULLSTR);
    } else {
        size_t pos = 0;
        ss_str line;
        for (int n = 0; n < FB_MAX_LINES && ss_next_line(region, &pos, &line); n++) {
            ss_str t = ss_trim(line);
            if (!t.len || !memchr(t.ptr, '@', t.len))
                continue;
            /* (1) an address alone on its line (maybe after a bullet) */
            ss_str bl = t;
            if (bl.len > 2 && (bl.ptr[0] == '*' || bl.ptr[0] == '-') && bl.ptr[1] == ' ')
                bl = ss_str_make(bl.ptr + 2, bl.len - 2);
            ss_str a = clean_addr(pv_addr_line(bl));
            if (a.len) {
                if (!excluded(&c, a) && !add_rcpt(out, first, a, block_below(region, pos)))
                    break;
                continue;
            }
            /* (2) RCPT TO: <address>, Recipient: <address> */
            const char *colon = memchr(t.ptr, ':', t.len);
            if (colon && colon - t.ptr < 32) {
                ss_str label = ss_str_make(t.ptr, (size_t)(colon - t.ptr));
                if (pv_eq_str(label, "RCPT TO") || ss_find_ci(label, "recipient") >= 0 ||
                    ss_find_ci(label, "addressee") >= 0) {
                    ss_str rest = ss_str_make(colon + 1, t.len - (size_t)(colon + 1 - t.ptr));
                    a = clean_addr(pv_addr_line(rest));
                    if (a.len) {
                        if (!excluded(&c, a) &&
                            !add_rcpt(out, first, a, block_below(region, pos)))
                            break;
                        continue;
                    }
                }
            }
            /* (2b) an address first on its line, failure text below it */
            size_t w = 0;
            while (w < t.len && !ss_isspace((unsigned char)t.ptr[w]))
                w++;
            a = clean_addr(pv_addr_line(ss_str_make(t.ptr, w)));
            if (a.len && w < t.len) {
                ss_str below = block_below(region, pos);
                if (failure_line(below) && !failure_line(t)) {
                    if (!excluded(&c, a) && !add_rcpt(out, first, a, below))
                        break;
                    continue;
                }
            }
            if (header_line(line) || ss_find_ci(t, "generated from") >= 0 ||
                ss_find_ci(t, "expanded from") >= 0 ||
                ss_find_ci(t, "forwarded from") >= 0)
                continue;
            /* (3) addresses on a line with a code or specific wording, or
             * with any failure wording when the line starts with the
             * address or ends with it ("user@example.org: error ...",
             * "mailbox exceeds allowed size: user@example.org") */
            if (!strong_failure_line(t) &&
                !(failure_line(t) && (a.len || ends_with_address(t)) &&
                  (strong_sign || subject_bounce)))
                continue;
            ss_str diag = line_and_next(region, line, pos);
            ss_str rest = t;
            for (int k = 0; k < 16 && rest.len; k++) {
                ss_str x = ss_find_address(rest);
                if (!x.len)
                    break;
                size_t adv = (size_t)(x.ptr + x.len - rest.ptr);
                rest = ss_str_make(rest.ptr + adv, rest.len - adv);
                x = clean_addr(x);
                if (!excluded(&c, x))
                    (void)add_rcpt(out, first, x, diag);
            }
        }
    }
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (first_fail.len && (!failure_line(f->diagnostic) ||
                               (!has_code(f->diagnostic) && has_code(first_fail))))
            f->diagnostic = first_fail;
        f->command = pv_command(f->diagnostic);
    }
    out->decoder = "Fallback";
    return SS_DEC_YES;
}
