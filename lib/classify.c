/*
 * classify.c - the classifier: gives one failure a reason of the taxonomy
 * and a hard/soft verdict, from the enhanced status code, the reply code,
 * the SMTP command, the DSN action and diagnostic type, provider rules
 * (lib/rhost.c) and the phrases of data/phrases.tsv (matched in one pass
 * by the Aho-Corasick automaton of lib/phrases_data.c).
 *
 * The order of the checks follows sisimai's (sisimai-compatible answers
 * are the contract); where sisimai's rule says something untrue about mail
 * servers, the code says so in a comment.
 *
 * It does not parse replies (smtpstatus_diag_parse does) and does not read
 * messages; it never allocates and never fails.
 *
 * Decision order (smtpstatus_classify):
 *  1. DSN action feedback / vacation / delivered, or a 2.x.x status.
 *  2. Provider rules (rhost.c), when the recipient's domain, the remote
 *     host or (no remote host) the reporting host belongs to a provider.
 *  3. First pass (SMTP or unknown diagnostic type), one probe per reason in
 *     sisimai's order: suppressed, mailboxfull, mesgtoobig, exceedlimit,
 *     suspend, hasmoved, norelaying, failedstarttls (STARTTLS command),
 *     authfailure, userunknown, filtered, requireptr, notcompliantrfc,
 *     badreputation, contenterror, rejected, hostunknown, spamdetected,
 *     speeding, toomanyconn, blocked, then "refused at MAIL FROM" ->
 *     rejected.  A probe combines the reason of a specific status code
 *     (5.1.1, 5.2.2, 5.7.26, ...) with the phrases and the command.
 *  4. Second pass, when the code is vague (none, X.0.0, systemerror,
 *     securityerror, networkerror, ...): phrases of the remaining reasons,
 *     then the reason of the status code, then the subject (X.6 ->
 *     contenterror, X.7 -> securityerror), diagnostic type X-Unix ->
 *     mailererror, reply 501-507 -> syntaxerror, 521/556 -> notaccept,
 *     523/524/538 -> failedstarttls, action delayed -> expired, a refusal at
 *     CONNECT/EHLO/HELO -> blocked.
 *  5. Auto-reply phrases -> vacation; any other text -> onhold; nothing ->
 *     undefined.
 *
 * With SMTPSTATUS_E_SISIMAI (--sisimai-compat) sisimai's own rules apply
 * where ours differ: before step 2, a local delivery agent's message
 * (mail.local, procmail, maildrop, vpopmail, vmailmgr, dovecot) decides
 * when the command is unknown or DATA; step 2 also tries the reporting
 * host when a remote host is known, and Google's Workspace relay; in step
 * 3 the filtered probe is sisimai's (its own, shorter user-unknown list;
 * any command but CONN/EHLO/HELO/MAIL/RCPT).  docs/corpus-differences.md
 * describes it.
 *
 * Hard or soft (smtpstatus_is_hard_bounce, sisimai's rule): userunknown,
 * hostunknown and hasmoved are hard; notaccept is hard when its code is
 * permanent (or there is no code and the text does not say "temporar..." or
 * "persistent"); every other reason is soft, even with a 5xx code, because
 * a later try or a change on the sender's side can succeed; delivered,
 * feedback, vacation, onhold and undefined are not hard.
 */
#include "classify.h"

#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#include "util.h"

/* ------------------------------------------------------------------ */
/* Reason names and descriptions                                        */
/* ------------------------------------------------------------------ */

typedef struct reason_info {
    const char *name;
    const char *bounce_type;
    const char *meaning;
    const char *advice;
} reason_info;

static const reason_info REASONS[SMTPSTATUS_R_COUNT_] = {
    {"undefined", "undetermined",
     "No reason could be found in the bounce.",
     "Read the bounce yourself; retry later if it is not clear."},
    {"authfailure", "block",
     "The message failed SPF, DKIM or DMARC checks at the receiving server.",
     "Fix the SPF record, DKIM signing and DMARC alignment of the sending "
     "domain, then send again."},
    {"badreputation", "block",
     "The receiving server refused the sending IP address or domain because "
     "of its reputation.",
     "Slow down, clean the list and improve the sender's reputation before "
     "sending again."},
    {"blocked", "block",
     "The receiving server refused the client IP address or host name (a "
     "block list, a local block, or the HELO name).",
     "Check block lists and the sending host's configuration; ask for "
     "delisting or send from another host."},
    {"contenterror", "block",
     "The message's headers or MIME structure were refused.",
     "Fix the message format (headers, encoding, MIME) and send again."},
    {"delivered", "none",
     "The message was delivered.",
     "Nothing to do."},
    {"exceedlimit", "soft",
     "The message exceeded a limit of the recipient's mailbox (RFC 3463 "
     "X.2.3).",
     "Send a smaller message."},
    {"expired", "soft",
     "Delivery gave up after retrying for too long (the remote host could "
     "not be reached or kept deferring).",
     "Check that the destination works; send again later."},
    {"failedstarttls", "soft",
     "Delivery failed because of STARTTLS or TLS policy (MTA-STS, DANE, "
     "REQUIRETLS).",
     "Fix the TLS configuration of the sending or receiving host."},
    {"feedback", "none",
     "A complaint (ARF feedback report) forwarded by the mailbox provider.",
     "Stop mailing the complaining recipient."},
    {"filtered", "soft",
     "The recipient's filters or settings refused the message.",
     "Ask the recipient to accept mail from you."},
    {"hasmoved", "hard",
     "The mailbox has moved and mail is not forwarded (RFC 3463 X.1.6).",
     "Remove the address; use the recipient's new address."},
    {"hostunknown", "hard",
     "The domain of the recipient address does not exist or has no mail "
     "host.",
     "Check the domain for typing errors; remove the address."},
    {"mailboxfull", "soft",
     "The recipient's mailbox is full.",
     "Send again later; remove the address if it stays full for weeks."},
    {"mailererror", "soft",
     "A local delivery program on the receiving host failed.",
     "The recipient's administrator must fix the delivery program."},
    {"mesgtoobig", "soft",
     "The message is larger than the receiving system accepts (RFC 3463 "
     "X.3.4).",
     "Send a smaller message, for example with a link instead of an "
     "attachment."},
    {"networkerror", "soft",
     "A DNS lookup or network failure, or a mail loop.",
     "Check DNS and routing; send again later."},
    {"norelaying", "soft",
     "The server refused to relay the message (it is not the recipient's "
     "mail host, or authentication is required).",
     "Send through the right server, with authentication."},
    {"notaccept", "hard",
     "The destination accepts no mail (null MX, 521/556 replies, RFC 3463 "
     "X.3.2).",
     "Remove the address unless the failure says it is temporary."},
    {"notcompliantrfc", "block",
     "The message does not comply with RFC 5322 (duplicate or missing "
     "headers, ...).",
     "Fix the message headers and send again."},
    {"onhold", "undetermined",
     "There is not enough information to decide the reason.",
     "Read the bounce yourself."},
    {"policyviolation", "block",
     "The message broke a policy of the receiving side (attachments, "
     "closed lists, organisation rules).",
     "Change the message or ask the recipient's administrator."},
    {"rejected", "block",
     "The envelope sender (MAIL FROM) or the sending domain was refused.",
     "Check the sender address and its domain's DNS; send from a valid "
     "address."},
    {"requireptr", "block",
     "The sending IP address has no valid reverse DNS (PTR) record.",
     "Give the sending IP a PTR record that matches its host name."},
    {"securityerror", "block",
     "A security or authentication problem at the receiving server (X.7 "
     "codes).",
     "Check authentication and security settings."},
    {"spamdetected", "block",
     "The receiving server's spam filter refused the message.",
     "Review the content and links; send only wanted mail."},
    {"speeding", "soft",
     "Rate limit: too many messages too fast.",
     "Send more slowly; retry later."},
    {"suppressed", "admin",
     "Not sent: the address is on a suppression list of the sending system.",
     "Remove the address or take it off the suppression list on purpose."},
    {"suspend", "soft",
     "The recipient's mailbox is disabled or suspended.",
     "Stop mailing it for now; remove it if it stays disabled."},
    {"syntaxerror", "soft",
     "The receiving server did not understand an SMTP command (5xx syntax "
     "or sequence error).",
     "Fix the sending software."},
    {"systemerror", "soft",
     "A system error at the receiving host (configuration, loop, temporary "
     "problem).",
     "Send again later."},
    {"systemfull", "soft",
     "The receiving server's disk or mail system is full.",
     "Send again later."},
    {"toomanyconn", "soft",
     "Too many connections or recipients at once.",
     "Open fewer connections and send fewer recipients per message."},
    {"userunknown", "hard",
     "The recipient address does not exist at its domain.",
     "Remove the address."},
    {"vacation", "none",
     "An automatic reply (out of office), not a failure.",
     "Nothing to do."},
    {"virusdetected", "block",
     "The receiving server's virus scanner refused the message.",
     "Remove the infected or executable attachment."},
    {"not_a_bounce", "none",
     "The message is not a bounce.",
     "Nothing to do."},
};

const char *smtpstatus_reason_name(smtpstatus_reason r) {
    if ((unsigned)r >= (unsigned)SMTPSTATUS_R_COUNT_) return NULL;
    return REASONS[r].name;
}

smtpstatus_reason smtpstatus_reason_from_name(const char *name) {
    size_t i;
    if (name == NULL) return SMTPSTATUS_R_COUNT_;
    for (i = 0; i < (size_t)SMTPSTATUS_R_COUNT_; i++) {
        if (ss_eq_ci(ss_str_make(name, strlen(name)), REASONS[i].name))
            return (smtpstatus_reason)i;
    }
    /* Newer sisimai names: emailtoolarge merges mesgtoobig and exceedlimit,
     * ratelimited merges speeding and toomanyconn. */
    if (ss_eq_ci(ss_str_make(name, strlen(name)), "emailtoolarge"))
        return SMTPSTATUS_R_MESGTOOBIG;
    if (ss_eq_ci(ss_str_make(name, strlen(name)), "ratelimited"))
        return SMTPSTATUS_R_SPEEDING;
    if (ss_eq_ci(ss_str_make(name, strlen(name)), "not-a-bounce"))
        return SMTPSTATUS_R_NOT_A_BOUNCE;
    return SMTPSTATUS_R_COUNT_;
}

const char *smtpstatus_reason_meaning(smtpstatus_reason r) {
    if ((unsigned)r >= (unsigned)SMTPSTATUS_R_COUNT_) return NULL;
    return REASONS[r].meaning;
}

const char *smtpstatus_reason_advice(smtpstatus_reason r) {
    if ((unsigned)r >= (unsigned)SMTPSTATUS_R_COUNT_) return NULL;
    return REASONS[r].advice;
}

const char *smtpstatus_reason_bounce_type(smtpstatus_reason r) {
    if ((unsigned)r >= (unsigned)SMTPSTATUS_R_COUNT_) return NULL;
    return REASONS[r].bounce_type;
}

/* ------------------------------------------------------------------ */
/* Inferred (pseudo) status codes, sisimai-compatible                   */
/* ------------------------------------------------------------------ */

/* By reason (none: ""): the permanent code and the temporary one (NULL:
 * use the permanent one). */
typedef struct pseudo_code {
    const char *permanent;
    const char *temporary;
} pseudo_code;

#define P(r) [SMTPSTATUS_R_##r]
static const pseudo_code PSEUDO[SMTPSTATUS_R_COUNT_] = {
    P(AUTHFAILURE) = {"5.0.926", "4.0.926"},
    P(BADREPUTATION) = {"5.0.975", "4.0.975"},
    P(BLOCKED) = {"5.0.971", "4.0.971"},
    P(CONTENTERROR) = {"5.0.960", "4.0.960"},
    P(EXCEEDLIMIT) = {"5.0.923", "4.0.923"},
    P(EXPIRED) = {"5.0.947", "4.0.947"},
    P(FAILEDSTARTTLS) = {"5.0.976", "4.0.976"},
    P(FILTERED) = {"5.0.910", "4.0.924"},
    P(HASMOVED) = {"5.0.916", NULL},
    P(HOSTUNKNOWN) = {"5.0.912", NULL},
    P(MAILBOXFULL) = {"5.0.922", "4.0.922"},
    P(MAILERERROR) = {"5.0.939", "4.0.939"},
    P(MESGTOOBIG) = {"5.0.934", "4.0.934"},
    P(NETWORKERROR) = {"5.0.944", "4.0.944"},
    P(NORELAYING) = {"5.0.909", "4.0.909"},
    P(NOTACCEPT) = {"5.0.932", "4.0.932"},
    P(NOTCOMPLIANTRFC) = {"5.0.974", "4.0.974"},
    P(ONHOLD) = {"5.0.901", "4.0.901"},
    P(POLICYVIOLATION) = {"5.0.972", "4.0.972"},
    P(REJECTED) = {"5.0.918", "4.0.918"},
    P(REQUIREPTR) = {"5.0.973", "4.0.973"},
    P(SECURITYERROR) = {"5.0.970", "4.0.970"},
    P(SPAMDETECTED) = {"5.0.980", "4.0.980"},
    P(SPEEDING) = {"5.0.946", "4.0.946"},
    P(SUPPRESSED) = {"5.0.903", "4.0.903"},
    P(SUSPEND) = {"5.0.921", "4.0.921"},
    P(SYNTAXERROR) = {"5.0.902", "4.0.902"},
    P(SYSTEMERROR) = {"5.0.930", "4.0.930"},
    P(SYSTEMFULL) = {"5.0.931", "4.0.931"},
    P(TOOMANYCONN) = {"5.0.945", "4.0.945"},
    P(USERUNKNOWN) = {"5.0.911", NULL},
    P(UNDEFINED) = {"5.0.900", "4.0.900"},
    P(VIRUSDETECTED) = {"5.0.981", "4.0.981"},
};
#undef P

const char *ss_pseudo_status(smtpstatus_reason r, int klass) {
    const pseudo_code *p;
    if ((unsigned)r >= (unsigned)SMTPSTATUS_R_COUNT_) return "";
    p = &PSEUDO[r];
    if (p->permanent == NULL) return "";
    if (klass == 4 && p->temporary != NULL) return p->temporary;
    return p->permanent;
}

/* ------------------------------------------------------------------ */
/* Status code -> reason (what a specific code means)                    */
/* ------------------------------------------------------------------ */

/* The reason of a code plus one (0: the code has no entry), by class (2,
 * 4 and 5 at 0, 1 and 2), subject (0..7) and detail (0..31): every code
 * of the table fits; the lookup is one load.  Each code is listed once,
 * in order. */
#define STATUS_SUBJECTS 8
#define STATUS_DETAILS 32
#define STATUS_CLASS_INDEX(k) ((k) == 2 ? 0 : (k) == 4 ? 1 : 2)

#define R(x) SMTPSTATUS_R_##x
#define S(k, s, d, r) [STATUS_CLASS_INDEX(k)][s][d] = 1 + R(r)
static const unsigned char STATUS_TABLE[3][STATUS_SUBJECTS][STATUS_DETAILS] = {
    S(2, 1, 5, DELIVERED),
    S(4, 1, 6, HASMOVED),      S(4, 1, 7, REJECTED),
    S(4, 1, 8, REJECTED),      S(4, 1, 9, SYSTEMERROR),
    S(4, 2, 1, BLOCKED),       S(4, 2, 2, MAILBOXFULL),
    S(4, 2, 3, EXCEEDLIMIT),   S(4, 2, 4, FILTERED),
    S(4, 3, 1, SYSTEMFULL),    S(4, 3, 2, NOTACCEPT),
    S(4, 3, 3, SYSTEMERROR),   S(4, 3, 5, SYSTEMERROR),
    S(4, 4, 1, EXPIRED),       S(4, 4, 2, NETWORKERROR),
    S(4, 4, 3, SYSTEMERROR),   S(4, 4, 4, NETWORKERROR),
    S(4, 4, 5, SYSTEMFULL),    S(4, 4, 6, NETWORKERROR),
    S(4, 4, 7, EXPIRED),       S(4, 4, 8, NETWORKERROR),
    S(4, 5, 3, SYSTEMERROR),   S(4, 5, 5, SYSTEMERROR),
    S(4, 6, 0, CONTENTERROR),  S(4, 6, 2, CONTENTERROR),
    S(4, 6, 5, CONTENTERROR),  S(4, 7, 1, BLOCKED),
    S(4, 7, 2, BLOCKED),       S(4, 7, 5, SECURITYERROR),
    S(4, 7, 6, SECURITYERROR), S(4, 7, 7, SECURITYERROR),
    S(4, 7, 12, SECURITYERROR), S(4, 7, 15, SECURITYERROR),
    S(4, 7, 16, MESGTOOBIG),   S(4, 7, 24, AUTHFAILURE),
    S(4, 7, 25, REQUIREPTR),   S(4, 7, 26, AUTHFAILURE),
    S(5, 1, 0, USERUNKNOWN),   S(5, 1, 1, USERUNKNOWN),
    S(5, 1, 2, HOSTUNKNOWN),   S(5, 1, 3, USERUNKNOWN),
    S(5, 1, 4, FILTERED),      S(5, 1, 6, HASMOVED),
    S(5, 1, 7, REJECTED),      S(5, 1, 8, REJECTED),
    S(5, 1, 9, SYSTEMERROR),   S(5, 1, 10, NOTACCEPT),
    S(5, 2, 0, FILTERED),      S(5, 2, 1, FILTERED),
    S(5, 2, 2, MAILBOXFULL),   S(5, 2, 3, EXCEEDLIMIT),
    S(5, 2, 4, FILTERED),      S(5, 3, 0, SYSTEMERROR),
    S(5, 3, 1, SYSTEMFULL),    S(5, 3, 2, NOTACCEPT),
    S(5, 3, 3, SYSTEMERROR),   S(5, 3, 4, MESGTOOBIG),
    S(5, 3, 5, SYSTEMERROR),   S(5, 4, 0, NETWORKERROR),
    S(5, 4, 3, SYSTEMERROR),   S(5, 4, 4, HOSTUNKNOWN),
    S(5, 5, 2, SYNTAXERROR),   S(5, 5, 3, TOOMANYCONN),
    S(5, 5, 4, SYSTEMERROR),   S(5, 5, 5, SYSTEMERROR),
    S(5, 5, 6, SYNTAXERROR),   S(5, 6, 0, CONTENTERROR),
    S(5, 6, 1, CONTENTERROR),  S(5, 6, 2, CONTENTERROR),
    S(5, 6, 3, CONTENTERROR),  S(5, 6, 5, CONTENTERROR),
    S(5, 6, 6, CONTENTERROR),  S(5, 6, 7, CONTENTERROR),
    S(5, 6, 8, CONTENTERROR),  S(5, 6, 9, CONTENTERROR),
    S(5, 7, 0, SECURITYERROR), S(5, 7, 1, SECURITYERROR),
    S(5, 7, 2, SECURITYERROR), S(5, 7, 3, SECURITYERROR),
    S(5, 7, 4, SECURITYERROR), S(5, 7, 5, SECURITYERROR),
    S(5, 7, 6, SECURITYERROR), S(5, 7, 7, SECURITYERROR),
    S(5, 7, 8, SECURITYERROR), S(5, 7, 9, SECURITYERROR),
    S(5, 7, 10, SECURITYERROR), S(5, 7, 11, SECURITYERROR),
    S(5, 7, 13, SUSPEND),      S(5, 7, 14, SECURITYERROR),
    S(5, 7, 15, SECURITYERROR), S(5, 7, 16, MESGTOOBIG),
    S(5, 7, 17, HASMOVED),     S(5, 7, 18, HASMOVED),
    S(5, 7, 19, SECURITYERROR), S(5, 7, 20, AUTHFAILURE),
    S(5, 7, 21, AUTHFAILURE),  S(5, 7, 22, AUTHFAILURE),
    S(5, 7, 23, AUTHFAILURE),  S(5, 7, 24, AUTHFAILURE),
    S(5, 7, 25, REQUIREPTR),   S(5, 7, 26, AUTHFAILURE),
    S(5, 7, 27, NOTACCEPT),    S(5, 7, 28, SPAMDETECTED),
    S(5, 7, 29, AUTHFAILURE),  S(5, 7, 30, FAILEDSTARTTLS),
};

#undef S

smtpstatus_reason ss_status_reason(const smtpstatus_status *st) {
    int k;
    unsigned v;
    if (st == NULL) return SMTPSTATUS_R_COUNT_;
    switch (st->klass) {
    case 2: k = 0; break;
    case 4: k = 1; break;
    case 5: k = 2; break;
    default: return SMTPSTATUS_R_COUNT_; /* none, or not in the table */
    }
    if ((unsigned)st->subject >= STATUS_SUBJECTS ||
        (unsigned)st->detail >= STATUS_DETAILS)
        return SMTPSTATUS_R_COUNT_;
    v = STATUS_TABLE[k][st->subject][st->detail];
    return v != 0 ? (smtpstatus_reason)(v - 1) : SMTPSTATUS_R_COUNT_;
}

/* ------------------------------------------------------------------ */
/* Normalization                                                        */
/* ------------------------------------------------------------------ */

/* Latin-1 letters U+00C0..U+00FF without accents; 0 keeps the letter.
 * Same table as tools/gen_phrases.py. */
static const char LATIN1[64] =
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuy\0\0"
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuy\0y";

static inline int is_local_char(int c) {
    return (c >= 'a' && c <= 'z') || ss_isdigit(c) || c == '.' || c == '_' ||
           c == '%' || c == '+' || c == '=' || c == '-';
}
static inline int is_domain_char(int c) {
    return (c >= 'a' && c <= 'z') || ss_isdigit(c) || c == '.' || c == '-';
}

/* Normalization folds case, white space, quotes and accents (the "folded
 * text", at most SS_NORM_MAX - 2 bytes of it, trailing white space
 * dropped) and replaces, in the folded text, IPv4 addresses with "{ip}"
 * and e-mail addresses with "{addr}".  Both happen in one pass over the
 * input: the folded text is never stored; fold_pos counts its bytes. */
/* ASCII bytes as the text is folded: 0 for white space and control
 * characters (one space), lower case, '`' as '\''. */
static const unsigned char NORM_ASCII[128] = {
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,  33,  34,  35,  36,  37,  38,  39,  40,  41,  42,  43,  44,  45,  46,  47,
     48,  49,  50,  51,  52,  53,  54,  55,  56,  57,  58,  59,  60,  61,  62,  63,
     64,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,  91,  92,  93,  94,  95,
     39,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
};

/* Length of an IPv4 address at s (d.d.d.d, 1-3 digits each), else 0. */
static size_t ipv4_at(const char *s, size_t n) {
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        size_t d = 0;
        while (i < n && ss_isdigit((unsigned char)s[i]) && d < 4) {
            i++;
            d++;
        }
        if (d == 0 || d > 3) return 0;
        if (part < 3) {
            if (i >= n || s[i] != '.') return 0;
            i++;
        }
    }
    if (i < n && (ss_isdigit((unsigned char)s[i]) ||
                  (s[i] == '.' && i + 1 < n &&
                   ss_isdigit((unsigned char)s[i + 1]))))
        return 0;
    return i;
}

static int put(char *out, size_t size, size_t *o, const char *s, size_t n) {
    if (*o + n + 2 >= size) return 0;
    memcpy(out + *o, s, n);
    *o += n;
    return 1;
}

/* The folded text holds no byte at or after this position (its loop
 * stops when fewer than 3 bytes of SS_NORM_MAX are left). */
#define FOLD_END (SS_NORM_MAX - 3)

#if defined(__SSE2__) && defined(__GNUC__)
/* The bytes of v in lo .. lo + n - 1 (0xFF) and the others (0): x + 0x80 -
 * lo (wrapping) < -128 + n, signed. */
static inline __m128i bytes_in(__m128i v, int lo, int n) {
    return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - lo))),
                          _mm_set1_epi8((char)(-128 + n)));
}

/* Which of the 16 bytes at p are local-part characters (is_local_char), a
 * bit each. */
static inline unsigned local_chars16(const char *p) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i some = _mm_or_si128(
        _mm_or_si128(bytes_in(v, 'a', 26), bytes_in(v, '0', 10)),
        _mm_or_si128(bytes_in(v, '-', 2), /* "-" and "." */
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));
    const __m128i more = _mm_or_si128(
        _mm_cmpeq_epi8(v, _mm_set1_epi8('%')),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('='))));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(some, more));
}
#endif

/* Length of the domain of an e-mail address in the input at t[j..len)
 * (the folded text right after the "@", at folded position p): the input
 * bytes whose folded form is a domain character, at most to FOLD_END;
 * *pend gets the folded position after them.  Returns 0 when the first
 * folded byte is not a domain character or is a dot. */
static size_t domain_at(const unsigned char *t, size_t j, size_t len,
                        size_t p, size_t *pend) {
    size_t j0 = j;
    while (j < len && p < FOLD_END) {
        unsigned char c;
#if defined(__SSE2__) && defined(__GNUC__)
        /* past the first byte, 16 at a time while they are ASCII bytes
         * that fold to a domain character (letters of either case,
         * digits, "." and "-"); one byte each */
        if (j > j0 && len - j >= 16 && FOLD_END - p >= 16) {
            const __m128i v =
                _mm_loadu_si128((const __m128i *)(const void *)(t + j));
            unsigned ok = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(bytes_in(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                                      'a', 26),
                             bytes_in(v, '0', 10)),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('-')))));
            unsigned n = ok == 0xFFFFu ? 16u : ss_ctz(~ok);
            j += n;
            p += n;
            if (n == 16) continue;
        }
#endif
        c = t[j];
        if (c < 0x80) {
            unsigned char m = NORM_ASCII[c];
            if (!is_domain_char(m) || (j == j0 && m == '.')) break;
            j++;
            p++;
            continue;
        }
        if (c == 0xC3 && j + 1 < len && t[j + 1] >= 0x80 && t[j + 1] <= 0xBF) {
            unsigned char d = t[j + 1];
            if (d == 0x9F) { /* sharp s: "ss" */
                j += 2;
                p += 2;
                continue;
            }
            if (LATIN1[d - 0x80] != 0) { /* a letter */
                j += 2;
                p++;
                continue;
            }
        }
        break; /* anything else folds to no domain character */
    }
    *pend = p;
    return j - j0;
}

/* Folds the run of ASCII bytes at t[i..len) that need no look-around:
 * letters, punctuation but "@", white space and control characters (a
 * run of them as one space, none after a space: *last_space says whether
 * out ends with one), digits right after a folded digit or dot (prev is
 * the folded byte before the run) and other digits where no IPv4 address
 * starts.  An IPv4 address, "@" and bytes above 0x7F stop it, as does the
 * limit of the folded text (flim more bytes) or of out (a byte is written
 * at out[*o] only while *o + 2 < size; a byte that does not fit is left
 * to the caller, which cuts the text there).  Returns the index of the
 * first byte not taken. */
static size_t fold_run(const unsigned char *t, size_t i, size_t len,
                       char *out, size_t *po, size_t size, size_t flim,
                       int prev, int *last_space) {
    size_t o = *po;
    const size_t ofold = o + flim; /* the folded text is full at ofold */
#if defined(__SSE2__) && defined(__GNUC__)
    /* a 16-byte step needs o + 16 <= ofold and o + 17 < size (size >= 8) */
    const size_t ostep = ofold < size - 2 ? ofold : size - 2;
#endif
    int ls = *last_space;
    for (;;) {
#if defined(__SSE2__) && defined(__GNUC__)
        /* 16 bytes at a time while none of them stops the run, and none
         * is "`" (folded to "'"); the last bytes of the text padded with
         * bytes above 0x7F, which stop it */
        while (o + 16 <= ostep) {
            __m128i v;
            if (len - i >= 16) {
                v = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
            } else if (i >= len) {
                break;
            } else {
                /* the last len - i bytes at tail[16..), then 0x80s;
                 * when the text has 16 bytes, by storing the 16 that
                 * end at len at tail[len - i] (no memcpy call) */
                unsigned char tail[32];
                size_t r = len - i;
                _mm_storeu_si128((__m128i *)(void *)(tail + 16),
                                 _mm_set1_epi8((char)0x80));
                if (len >= 16)
                    _mm_storeu_si128(
                        (__m128i *)(void *)(tail + r),
                        _mm_loadu_si128(
                            (const __m128i *)(const void *)(t + len - 16)));
                else
                    memcpy(tail + 16, t + i, r);
                v = _mm_loadu_si128((const __m128i *)(const void *)(tail + 16));
            }
            /* x in lo .. lo + n - 1: x + 0x80 - lo (wrapping) < -128 + n,
             * signed */
            const __m128i upper =
                _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x80 - 'A')),
                               _mm_set1_epi8(-128 + 26));
            const __m128i digit =
                _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x80 - '0')),
                               _mm_set1_epi8(-128 + 10));
            /* below ' ' (signed): a control character or above 0x7F;
             * "@" or "`" */
            const __m128i other = _mm_or_si128(
                _mm_cmplt_epi8(v, _mm_set1_epi8(' ')),
                _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                               _mm_set1_epi8('`')));
            unsigned spaces = (unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
            unsigned digits = (unsigned)_mm_movemask_epi8(digit);
            /* An IPv4 address has a dot 1 to 3 bytes after its start
             * (beyond the 16 bytes: not known) and three dots in the 11
             * bytes after it.  A digit that may start one stops the run
             * (ipv4_at decides); at bytes 0-4 the 11 bytes are here, and
             * a digit without three dots in them does not stop it.  A
             * digit further on ends this step without stopping the run:
             * the next step starts at it.  (Most steps have no digit.) */
            unsigned ip = 0, later = 0, stop, n;
            if (digits) {
                unsigned dots = (unsigned)_mm_movemask_epi8(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
                unsigned after_num = /* bytes after a digit or dot */
                    ((digits | dots) << 1) |
                    (ss_isdigit(prev) || prev == '.' ? 1u : 0u);
                unsigned may_ip = digits & ~after_num &
                                  ((dots >> 1) | (dots >> 2) | (dots >> 3) |
                                   0xE000u);
                unsigned near = may_ip & 0x1Fu;
                later = may_ip & ~0x1Fu;
                ip = later;
                while (near) {
                    unsigned p = ss_ctz(near);
                    unsigned d = (dots >> (p + 1)) & 0x7FFu;
                    d &= d - 1; /* without the first dot: two more? */
                    if (d & (d - 1)) ip |= 1u << p;
                    near &= near - 1;
                }
            }
            stop = (unsigned)_mm_movemask_epi8(other) |
                   (spaces & ((spaces << 1) | (ls ? 1u : 0u))) | ip;
            n = stop ? ss_ctz(stop) : 16u;
            _mm_storeu_si128(
                (__m128i *)(void *)(out + o),
                _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(32))));
            if (n > 0) {
                ls = (spaces >> (n - 1)) & 1u;
                i += n;
                o += n;
                prev = (unsigned char)out[o - 1];
            }
            /* a digit not yet known (not white space, "@", ...) */
            if (n < 16 && !((later >> n) & 1u)) break;
        }
#endif
        /* one byte at a time, up to a letter, punctuation or digit */
        do {
            unsigned char b, m;
            if (i >= len || o >= ofold) goto done;
            b = t[i];
            if (b >= 0x80) goto done;
            m = NORM_ASCII[b];
            if (m == 0) { /* white space or a control character */
                if (ls) {
                    i++;
                    continue;
                }
                m = ' ';
            } else if (m == '@') {
                goto done;
            } else if (ss_isdigit(m) && !ss_isdigit(prev) && prev != '.') {
                /* an IPv4 address (as far as the folded text has room) */
                size_t w = len - i < ofold - o ? len - i : ofold - o;
                if (ipv4_at((const char *)t + i, w) > 0) goto done;
            }
            if (o + 2 >= size) goto done;
            out[o++] = (char)m;
            prev = m;
            ls = m == ' ';
            i++;
        } while (ls);
    }
done:
    *po = o;
    *last_space = ls;
    return i;
}

size_t ss_normalize(const char *text, size_t len, char *out, size_t size) {
    const unsigned char *t = (const unsigned char *)text;
    size_t i = 0, o = 0;
    size_t fold_pos = 0;   /* bytes of the folded text so far */
    int last_space = 1;    /* no leading space: one is added */
    int prev = -1;         /* the previous folded byte, -1 at the start */
    int cut = 0;           /* out is full */
    if (size < 8) {
        if (size > 0) out[0] = '\0';
        return 0;
    }
    if (text == NULL) len = 0;
    out[o++] = ' ';
    while (i < len && fold_pos < FOLD_END) {
        unsigned char c;
        unsigned char f[2];
        int nf, k;
        {
            /* The bytes that need no look-around, as far as out and the
             * folded text have room (fold_run). */
            size_t o0 = o;
            i = fold_run(t, i, len, out, &o, size, FOLD_END - fold_pos,
                         prev, &last_space);
            if (o > o0) {
                fold_pos += o - o0;
                prev = (unsigned char)out[o - 1];
            }
            if (i >= len || fold_pos >= FOLD_END) break;
        }
        c = t[i];
        if (c < 0x80) {
            unsigned char m = NORM_ASCII[c];
            if (m == 0) { /* white space or a control character */
                i++;
                if (last_space) continue;
                last_space = 1;
                m = ' ';
            } else if (m == '@' || ss_isdigit(m)) {
                last_space = 0;
                if (m != '@') {
                    /* IPv4 address, not glued to a digit or dot before
                     * it (digits and dots fold to themselves, anything
                     * else to neither) */
                    size_t w = len - i, n;
                    if (w > FOLD_END - fold_pos) w = FOLD_END - fold_pos;
                    if (!ss_isdigit(prev) && prev != '.' &&
                        (n = ipv4_at(text + i, w)) > 0) {
                        if (!put(out, size, &o, "{ip}", 4)) {
                            cut = 1;
                            break;
                        }
                        i += n;
                        fold_pos += n;
                        prev = t[i - 1];
                        continue;
                    }
                } else if (o > 1 && is_local_char((unsigned char)out[o - 1])) {
                    /* e-mail address: local@domain; the local part is
                     * already in out */
                    size_t pend, n = domain_at(t, i + 1, len, fold_pos + 1,
                                               &pend);
                    if (n > 0) {
                        size_t start = o, j = i + 1 + n;
                        while (j > i + 1 && (t[j - 1] == '.' || t[j - 1] == '-')) {
                            j--;
                            pend--;
                        }
#if defined(__SSE2__) && defined(__GNUC__)
                        /* 16 bytes at a time (out[0] is a space, which
                         * ends the local part) */
                        while (start >= 16) {
                            unsigned ok = local_chars16(out + start - 16);
                            if (ok != 0xFFFFu) {
                                /* after the last byte that is not one */
                                start -= 15u - (unsigned)(31 - __builtin_clz(
                                                              ~ok & 0xFFFFu));
                                break;
                            }
                            start -= 16;
                        }
#endif
                        while (start > 1 &&
                               is_local_char((unsigned char)out[start - 1]))
                            start--;
                        o = start;
                        if (!put(out, size, &o, "{addr}", 6)) {
                            cut = 1;
                            break;
                        }
                        /* the last byte kept: '@', or a domain character
                         * (a letter when it is not ASCII) */
                        prev = t[j - 1] < 0x80 ? NORM_ASCII[t[j - 1]] : 'a';
                        i = j;
                        fold_pos = pend;
                        continue;
                    }
                }
                i++;
            } else {
                last_space = 0;
                i++;
            }
            fold_pos++;
            if (o + 2 >= size) {
                cut = 1;
                break;
            }
            out[o++] = (char)m;
            prev = m;
            continue;
        }
        /* Multi-byte UTF-8 sequences we fold; others are copied.  None of
         * them folds to a digit or "@". */
        if (c == 0xC2 && i + 1 < len && t[i + 1] == 0xA0) {
            i += 2;
            if (last_space) continue;
            last_space = 1;
            f[0] = ' ';
            nf = 1;
        } else {
            last_space = 0;
            f[0] = c;
            nf = 1;
            i++;
            if (c == 0xC3 && i < len && t[i] >= 0x80 && t[i] <= 0xBF) {
                unsigned char d = t[i];
                if (d == 0x9F) { /* sharp s */
                    f[0] = 's';
                    f[1] = 's';
                    nf = 2;
                    i++;
                } else if (LATIN1[d - 0x80] != 0) {
                    f[0] = (unsigned char)LATIN1[d - 0x80];
                    i++;
                }
            } else if (c == 0xE2 && i + 1 < len && t[i] == 0x80) {
                unsigned char d = t[i + 1];
                if (d == 0x98 || d == 0x99 || d == 0x9B) {
                    f[0] = '\'';
                    i += 2;
                } else if (d == 0x9C || d == 0x9D) {
                    f[0] = '"';
                    i += 2;
                }
            }
        }
        fold_pos += (size_t)nf;
        for (k = 0; k < nf; k++) {
            if (o + 2 >= size) {
                cut = 1;
                break;
            }
            out[o++] = (char)f[k];
        }
        if (cut) break;
        prev = f[nf - 1];
    }
    /* the folded text drops its trailing white space */
    if (!cut && o > 1 && out[o - 1] == ' ') o--;
    out[o++] = ' ';
    out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------------ */
/* Phrase matching                                                      */
/* ------------------------------------------------------------------ */

#define MAX_HITS 128
#define MAX_FIRSTS SS_MAX_FIRST_PIECES
#define MAX_CANDIDATES 256

typedef struct hit {
    int phrase;
    unsigned start, end;
} hit;

/* No edge on the byte (ac_edge). */
#define AC_NO_EDGE 0x10000u

/* The edge on byte c of a deep state with several, whose list is at
 * position i (see ss_phrase_tables): its target with SS_AC_OUT, or
 * AC_NO_EDGE.  The usual short lists: all their bytes compared at once
 * (SSE2; the bytes of a list are distinct) or a linear scan of the sorted
 * edges; long ones: a binary search. */
#if defined(__GNUC__)
__attribute__((noinline)) /* leaves ac_scan's registers to its loops */
#endif
static unsigned ac_edge(const ss_phrase_tables *t, int i, unsigned char c) {
    const unsigned char *echar = t->edge_char;
    int lo = i + 1, hi = i + 1 + echar[i];
#if defined(__SSE2__) && defined(__GNUC__)
    if (hi - lo <= 16) { /* 16 bytes from lo: edge_char has them */
        unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                          _mm_loadu_si128(
                              (const __m128i *)(const void *)(echar + lo)),
                          _mm_set1_epi8((char)c))) &
                      ((1u << (hi - lo)) - 1u);
        return eq ? t->edge_next[lo + (int)ss_ctz(eq)] : AC_NO_EDGE;
    }
#endif
    if (hi - lo <= 8) {
        while (lo < hi && echar[lo] < c) lo++;
        if (lo < hi && echar[lo] == c) return t->edge_next[lo];
    } else {
        hi--;
        while (lo <= hi) {
            int mid = (lo + hi) / 2;
            if (echar[mid] == c) return t->edge_next[mid];
            if (echar[mid] < c) lo = mid + 1;
            else hi = mid - 1;
        }
    }
    return AC_NO_EDGE;
}

/* Runs the automaton over norm from position pos and state *ps: returns
 * the position of the first byte whose transition reaches a state with an
 * output (*ps is then that state), or the position of the NUL that ends
 * norm (see ss_match_phrases; every dense state goes to SS_AC_END on it,
 * and a deep state has no edge on it, so its fail links lead to a dense
 * state).  The loops test no position: the NUL stops them.  Kept apart
 * from the handling of outputs, which is rare (not inlined with GCC and
 * Clang), so that this loop has the registers to itself. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static size_t ac_scan(const ss_phrase_tables *t, const char *norm,
                      size_t pos, int *ps) {
    const ss_ac_index *const *column = t->column;
    const ss_ac_deep *deep = t->deep;
    const size_t ndense = (size_t)t->ndense;
    size_t s = (size_t)*ps;
    unsigned next;
    for (;;) {
        const ss_ac_deep *d;
        unsigned ch;
        /* shallow states: their dense rows, stored by column: the byte
         * picks the column, the state is the index into it (no scaling
         * of the state on the chain from one byte to the next).  One
         * test per byte leaves the loop for a deep state, for an output
         * and at the end (SS_AC_OUT is above every state number). */
        if (s < ndense) {
            for (;;) {
                next = column[(unsigned char)norm[pos]][s];
                if (next >= ndense) break;
                s = next;
                pos++;
            }
            if (next & SS_AC_OUT) goto out; /* an output or the end: rare */
            s = next; /* a deep state */
            pos++;
        }
        /* a deep state: its chain of single edges as far as the text
         * follows it (the chain's states are consecutive) */
        d = deep + (s - ndense);
        ch = (unsigned char)norm[pos];
        while (d->edge == ch) { /* an edge into a state without output */
            d++;
            ch = (unsigned char)norm[++pos];
        }
        s = ndense + (size_t)(d - deep);
        if (d->edge == (ch | SS_AC_DEEP_OUT)) { /* into one with an output */
            next = (unsigned)(s + 1) | SS_AC_OUT;
            goto out;
        }
        if ((d->edge & SS_AC_DEEP_EDGES) &&
            (next = ac_edge(t, d->edge & ~SS_AC_DEEP_EDGES,
                            (unsigned char)ch)) != AC_NO_EDGE) {
            if (next & SS_AC_OUT) goto out;
            s = next;
            pos++;
            continue;
        }
        /* no edge on the byte: the fail link (a shallower state), on the
         * same byte */
        s = d->fail;
    }
out:
    *ps = SS_AC_STATE(next);
    return pos;
}

/* The first needle[0..m) in hay[from..n), as an offset in hay, or -1 (also
 * for an empty needle). */
static long find_from(const char *hay, size_t n, size_t from,
                      const char *needle, size_t m) {
    long at;
    if (m == 0 || m > n || from > n - m) return -1;
    at = ss_find(ss_str_make(hay + from, n - from), needle, m);
    return at < 0 ? -1 : (long)from + at;
}

void ss_match_phrases(const char *norm, size_t len, ss_match *m) {
    const ss_phrase_tables *t = &ss_phrase_data;
    unsigned char seen[SS_MAX_PATTERNS / 8]; /* a multiple of 16 bytes */
    hit hits[MAX_HITS];
    int firsts[MAX_FIRSTS], cand[MAX_CANDIDATES];
    int nhits = 0, s = 0, i, j, nfirsts = 0, ncand = 0, all, c;
    size_t pos, nseen, z;
    static const unsigned char ZERO16[16] = {0};
    const ss_ac_output *outs = t->outs;

    m->reasons = 0;
    /* the scan runs to the NUL: without one at norm[len] it would not stop
     * there (a text not from ss_normalize) */
    if (norm == NULL || len == 0 || norm[len] != '\0') return;
    /* pattern ids are below npatterns: only those bits are used */
    nseen = ((size_t)t->npatterns + 7) / 8;
    if (nseen > sizeof seen) nseen = sizeof seen;
    /* zeroed 16 bytes at a time (a few stores; GCC makes a memset of a
     * variable size a slow "rep stos") */
    for (z = 0; z < nseen; z += 16) memcpy(seen + z, ZERO16, 16);

    /* ac_scan stops at norm[len] (NUL, SS_AC_END), or at an earlier NUL,
     * which ss_normalize never writes: then the text ends there */
    for (pos = 0; (pos = ac_scan(t, norm, pos, &s)) < len; pos++) {
        int o, guard = 0;
        if (s == SS_AC_STATE(SS_AC_END)) break;
        o = outs[s].out != SS_AC_NONE ? s : outs[s].dict;
        while (o > 0 && guard++ < 4096) {
            int pid = outs[o].out;
            if (pid != (int)SS_AC_NONE && (size_t)pid < nseen * 8) {
                const ss_pattern *pat = &t->pats[pid];
                if (!(seen[pid >> 3] & (1u << (pid & 7))) &&
                    pat->nmulti_first > 0) {
                    if (nfirsts < MAX_FIRSTS)
                        firsts[nfirsts] = pid;
                    nfirsts++;
                }
                seen[pid >> 3] = (unsigned char)(seen[pid >> 3] |
                                                 (1u << (pid & 7)));
                if (pat->phrase != SS_AC_NONE && nhits < MAX_HITS) {
                    hits[nhits].phrase = pat->phrase;
                    hits[nhits].end = (unsigned)(pos + 1);
                    hits[nhits].start = (unsigned)(pos + 1 - pat->len);
                    nhits++;
                }
            }
            o = outs[o].dict;
        }
    }

    /* Phrases in pieces: every piece seen, then in order.  Their span
     * (first piece to last) counts as one long match.  Only the phrases
     * whose first piece was seen are candidates (in multi's order; all of
     * them when there are too many to list). */
    all = nfirsts > MAX_FIRSTS;
    for (i = 0; !all && i < nfirsts; i++) {
        const ss_pattern *pat = &t->pats[firsts[i]];
        int q;
        for (q = pat->multi_first; q < pat->multi_first + pat->nmulti_first;
             q++) {
            if (ncand == MAX_CANDIDATES) {
                all = 1;
                break;
            }
            cand[ncand++] = t->multi_first[q];
        }
    }
    for (i = 1; !all && i < ncand; i++) { /* insertion sort: a handful */
        int x = cand[i];
        for (j = i; j > 0 && cand[j - 1] > x; j--)
            cand[j] = cand[j - 1];
        cand[j] = x;
    }
    for (c = 0; c < (all ? t->nmulti : ncand); c++) {
        int id = t->multi[all ? c : cand[c]], k, ok = 1;
        const ss_phrase *p = &t->phrases[id];
        size_t from = 0, first = 0;
        if (p->reason >= (unsigned)SMTPSTATUS_R_COUNT_) continue;
        if (p->npieces > 0) { /* the first piece unseen: the usual case */
            int pid0 = t->pieces[p->first];
            if (!(seen[pid0 >> 3] & (1u << (pid0 & 7)))) continue;
        }
        for (k = 0; k < p->npieces && ok; k++) {
            int pid = t->pieces[p->first + k];
            if (!(seen[pid >> 3] & (1u << (pid & 7)))) ok = 0;
        }
        for (k = 0; k < p->npieces && ok; k++) {
            int pid = t->pieces[p->first + k];
            long at = find_from(norm, len, from, t->pat_text[pid],
                                t->pats[pid].len);
            if (at < 0) ok = 0;
            else {
                if (k == 0) first = (size_t)at;
                from = (size_t)at + t->pats[pid].len;
            }
        }
        if (!ok) continue;
        if (from - first > 256 || nhits >= MAX_HITS) {
            /* pieces far apart: counts, but hides nothing */
            m->reasons |= 1ull << p->reason;
        } else {
            hits[nhits].phrase = id;
            hits[nhits].start = (unsigned)first;
            hits[nhits].end = (unsigned)from;
            nhits++;
        }
    }

    /* A phrase inside a longer matched phrase does not count: the longer,
     * more specific text decides ("recipient address rejected: user
     * unknown" is not "address rejected"). */
    for (i = 0; i < nhits; i++) {
        int covered = 0;
        const ss_phrase *p = &t->phrases[hits[i].phrase];
        for (j = 0; j < nhits && !covered; j++) {
            if (j == i) continue;
            if (hits[j].start <= hits[i].start && hits[i].end <= hits[j].end &&
                hits[j].end - hits[j].start > hits[i].end - hits[i].start)
                covered = 1;
        }
        if (covered || p->reason == SS_REASON_NEUTRAL ||
            p->reason >= (unsigned)SMTPSTATUS_R_COUNT_)
            continue;
        m->reasons |= 1ull << p->reason;
    }
}

/* ------------------------------------------------------------------ */
/* sisimai compatibility (SMTPSTATUS_E_SISIMAI)                          */
/* ------------------------------------------------------------------ */

/* What sisimai's UserUnknown.match() recognises (sisimai 5.2: lib/Sisimai/
 * Reason/UserUnknown.pm, reason/why-userunknown.go): a much shorter list
 * than data/phrases.tsv.  Its filtered rule (Filtered.true) uses this list,
 * so in compat mode a text is "filtered" only when sisimai's own list
 * knows it.  Plain phrases are lower-case substrings; a sequence is
 * pieces that must occur in this order, each after the end of the one
 * before.  Searched only in compat mode, in the normalized text without
 * its added leading and trailing space. */
static const char *const SISIMAI_USER_PHRASES[] = {
    "#5.1.1 bad address",
    "550 address invalid",
    "5.1.0 address rejected.",
    "address does not exist",
    "address not present in directory",
    "address unknown",
    "can't accept user",
    "does not exist.",
    "destination addresses were unknown",
    "destination server rejected recipients",
    "email address does not exist",
    "email address could not be found",
    "invalid address",
    "invalid mailbox",
    "invalid recipient",
    "is not a known user",
    "is not a valid mailbox",
    "is not an active address at this host",
    "mailbox does not exist",
    "mailbox invalid",
    "mailbox is inactive",
    "mailbox is unavailable",
    "mailbox not present",
    "mailbox not found",
    "mailbox unavaiable",
    "nessun utente simile in questo indirizzo",
    "no account by that name here",
    "no existe dicha persona",
    "no existe ese usuario ",
    "no mail box available for this user",
    "no mailbox by that name is currently available",
    "no mailbox found",
    "no such address here",
    "no such mailbox",
    "no such person at this address",
    "no such recipient",
    "no such user",
    "no thank you rejected: account unavailable",
    "no valid recipients, bye",
    "not a valid recipient",
    "not a valid user here",
    "not a local address",
    "not email addresses",
    "recipient address rejected. (in reply to rcpt to command)",
    "recipient address rejected: access denied",
    "recipient address rejected: invalid user",
    "recipient address rejected: invalid-recipient",
    "recipient address rejected: unknown user",
    "recipient address rejected: userunknown",
    "recipient does not exist",
    "recipient is not accepted",
    "recipient is not local",
    "recipient not exist",
    "recipient not found",
    "recipient not ok",
    "recipient refuses to accept your mail",
    "recipient unknown",
    "requested action not taken: mailbox unavailable",
    "resolver.adr.recipient notfound",
    "sorry, user unknown",
    "sorry, badrcptto",
    "sorry, no mailbox here by that name",
    "sorry, your envelope recipient has been denied",
    "that domain or user isn't in my list of allowed rcpthosts",
    "the email account that you tried to reach does not exist",
    "the following recipients was undeliverable",
    "the user's email name is not found",
    "there is no one at this address",
    "this address no longer accepts mail",
    "this email address is wrong or no longer valid",
    "this recipient is in my badrecipientto list",
    "this recipient is not in my validrcptto list",
    "this spectator does not exist",
    "unknown mailbox",
    "unknown recipient",
    "unknown user",
    "user does not exist",
    "user missing home directory",
    "user not active",
    "user not exist",
    "user not found",
    "user not known",
    "user unknown",
    "utilisateur inconnu !",
    "vdeliver: invalid or unknown virtual user",
    "weil die adresse nicht gefunden wurde oder keine e-mails empfangen kann",
    "your envelope recipient is in my badrcptto list",
};

/* Ordered pieces (up to 3; NULL ends a shorter one).  Pieces with two
 * spaces in a row never match a normalized text, as they never match
 * sisimai's (it squeezes white space too); they are kept for fidelity. */
static const char *const SISIMAI_USER_SEQUENCES[][3] = {
    {"<", "> not found", NULL},
    {"<", ">... blocked by ", NULL},
    {"account ", " does not exist at the organization", NULL},
    {"adresse d au moins un destinataire invalide. invalid recipient.", "416",
     NULL},
    {"adresse d au moins un destinataire invalide. invalid recipient.", "418",
     NULL},
    {"bad", "recipient", NULL},
    {"mailbox ", "does not exist", NULL},
    {"mailbox ", "unavailable or access denied", NULL},
    {"no ", " in name directory", NULL},
    {"non", "existent user", NULL},
    {"rcpt <", " does not exist", NULL},
    {"rcpt (", "t exist ", NULL},
    {"recipient ", " was not found in", NULL},
    {"recipient address rejected: user ", "  does not exist", NULL},
    {"recipient address rejected: user unknown in ", "  table", NULL},
    {"said: 550", "5.1.1 ", " user unknown "},
    {"this user doesn't have a ", " account", NULL},
    {"unknown e", "mail address", NULL},
    {"unknown local", "part", NULL},
    {"user ", " was not found", NULL},
    {"user ", " does not exist", NULL},
    {"user (", ") unknown", NULL},
};

/* The normalized text as the sisimai lists are searched in: t[0..n), the
 * text without the spaces ss_normalize adds at its ends, and the byte
 * pairs that occur in it (bit b % 64 of next[a] is set when a byte a is
 * followed by a byte b).  A needle with a pair that is not there cannot
 * occur, so most needles are dismissed without a search. */
typedef struct sisimai_text {
    const char *t;
    size_t n;
    unsigned long long next[256];
} sisimai_text;

static void sisimai_text_init(sisimai_text *st, const char *norm,
                              size_t nlen) {
    size_t i;
    st->t = norm + 1;
    st->n = nlen >= 3 ? nlen - 2 : 0;
    memset(st->next, 0, sizeof st->next);
    for (i = 0; i + 1 < st->n; i++)
        st->next[(unsigned char)st->t[i]] |=
            1ull << ((unsigned char)st->t[i + 1] & 63u);
}

/* The first needle in st's text at or after from, or -1; *m gets the
 * length of needle when it is searched for. */
static long sisimai_find(const sisimai_text *st, size_t from,
                         const char *needle, size_t *m) {
    size_t k = 0;
    if (needle[0] != '\0') {
        for (k = 1; needle[k] != '\0'; k++)
            if (!((st->next[(unsigned char)needle[k - 1]] >>
                   ((unsigned char)needle[k] & 63u)) & 1u))
                return -1;
    }
    *m = k;
    return find_from(st->t, st->n, from, needle, k);
}

static int has_text(const sisimai_text *st, const char *needle) {
    size_t m;
    return sisimai_find(st, 0, needle, &m) >= 0;
}

/* sisimai's UserUnknown.match() on the normalized text. */
static int sisimai_user_unknown(const sisimai_text *st) {
    const size_t nphrases =
        sizeof SISIMAI_USER_PHRASES / sizeof SISIMAI_USER_PHRASES[0];
    const size_t nseqs =
        sizeof SISIMAI_USER_SEQUENCES / sizeof SISIMAI_USER_SEQUENCES[0];
    size_t i;
    if (st->n == 0) return 0;
    for (i = 0; i < nphrases; i++)
        if (has_text(st, SISIMAI_USER_PHRASES[i])) return 1;
    for (i = 0; i < nseqs; i++) {
        size_t from = 0, k;
        int ok = 1;
        for (k = 0; k < 3 && SISIMAI_USER_SEQUENCES[i][k] != NULL && ok; k++) {
            size_t m;
            long at = sisimai_find(st, from, SISIMAI_USER_SEQUENCES[i][k], &m);
            if (at < 0) ok = 0;
            else from = (size_t)at + m;
        }
        if (ok) return 1;
    }
    return 0;
}

/* sisimai's rule for texts of local delivery agents (sisimai 5.2:
 * lib/Sisimai/LDA.pm, lda/lib.go), checked before its provider rules and
 * its reason probes when the failed command is unknown or DATA: a text
 * that names a local delivery agent gets the reason of that agent's
 * message, or mailererror when the message is not listed. */
typedef struct lda_message {
    smtpstatus_reason reason;
    const char *text;
} lda_message;

typedef struct lda_agent {
    const char *marks[2];           /* any of them names the agent */
    const lda_message *messages;
    size_t nmessages;
} lda_agent;

static const lda_message LDA_DOVECOT[] = {
    {R(MAILBOXFULL), "not enough disk space"},
    {R(MAILBOXFULL), "quota exceeded"},
    {R(USERUNKNOWN), "mailbox doesn't exist: "},
};
static const lda_message LDA_MAIL_LOCAL[] = {
    {R(MAILBOXFULL), "disc quota exceeded"},
    {R(MAILBOXFULL), "mailbox full or quota exceeded"},
    {R(SYSTEMERROR), "temporary file write error"},
    {R(USERUNKNOWN), ": invalid mailbox path"},
    {R(USERUNKNOWN), ": unknown user:"},
    {R(USERUNKNOWN), ": user missing home directory"},
    {R(USERUNKNOWN), ": user unknown"},
};
static const lda_message LDA_PROCMAIL[] = {
    {R(MAILBOXFULL), "quota exceeded while writing"},
    {R(MAILBOXFULL), "user over quota"},
    {R(SYSTEMERROR), "service unavailable"},
    {R(SYSTEMFULL), "no space left to finish writing"},
};
static const lda_message LDA_MAILDROP[] = {
    {R(MAILBOXFULL), "maildir over quota."},
    {R(USERUNKNOWN), "cannot find system user"},
    {R(USERUNKNOWN), "invalid user specified."},
};
static const lda_message LDA_VPOPMAIL[] = {
    {R(FILTERED), "user does not exist, but will deliver to "},
    {R(MAILBOXFULL), "domain is over quota"},
    {R(MAILBOXFULL), "user is over quota"},
    {R(SUSPEND), "account is locked email bounced"},
    {R(USERUNKNOWN), "sorry, no mailbox here by that name."},
};
static const lda_message LDA_VMAILMGR[] = {
    {R(MAILBOXFULL), "delivery failed due to system quota violation"},
    {R(USERUNKNOWN), "invalid or unknown base user or domain"},
    {R(USERUNKNOWN), "invalid or unknown virtual user"},
    {R(USERUNKNOWN), "user name does not refer to a virtual user"},
};

#define LDA(m) m, sizeof m / sizeof m[0]
static const lda_agent LDA_AGENTS[] = {
    {{"your message to <", "> was automatically rejected:"}, LDA(LDA_DOVECOT)},
    {{"mail.local: ", NULL}, LDA(LDA_MAIL_LOCAL)},
    {{"procmail: ", "/procmail "}, LDA(LDA_PROCMAIL)},
    {{"maildrop: ", NULL}, LDA(LDA_MAILDROP)},
    {{"vdelivermail: ", NULL}, LDA(LDA_VPOPMAIL)},
    {{"vdeliver: ", NULL}, LDA(LDA_VMAILMGR)},
};
#undef LDA

static smtpstatus_reason sisimai_lda(const sisimai_text *st) {
    size_t i, k;
    if (st->n == 0) return R(COUNT_);
    for (i = 0; i < sizeof LDA_AGENTS / sizeof LDA_AGENTS[0]; i++) {
        const lda_agent *a = &LDA_AGENTS[i];
        if (!has_text(st, a->marks[0]) &&
            !(a->marks[1] != NULL && has_text(st, a->marks[1])))
            continue;
        for (k = 0; k < a->nmessages; k++)
            if (has_text(st, a->messages[k].text))
                return a->messages[k].reason;
        return R(MAILERERROR);
    }
    return R(COUNT_);
}

/* ------------------------------------------------------------------ */
/* Hard or soft                                                         */
/* ------------------------------------------------------------------ */

int smtpstatus_is_hard_bounce(smtpstatus_reason r, int reply_code,
                              const smtpstatus_status *st, const char *text,
                              size_t text_len) {
    switch (r) {
    case SMTPSTATUS_R_USERUNKNOWN:
    case SMTPSTATUS_R_HOSTUNKNOWN:
    case SMTPSTATUS_R_HASMOVED:
        return 1;
    case SMTPSTATUS_R_NOTACCEPT:
        /* Hard when the code is permanent, or when the text does not say
         * that the refusal is temporary. */
        if ((st != NULL && st->klass == 5) ||
            (reply_code >= 500 && reply_code <= 599))
            return 1;
        if ((st != NULL && st->klass == 4) ||
            (reply_code >= 400 && reply_code <= 499))
            return 0;
        if (text != NULL) {
            ss_str s = ss_str_make(text, text_len);
            if (ss_find_ci(s, "temporar") >= 0 ||
                ss_find_ci(s, "persistent") >= 0)
                return 0;
        }
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* The decision                                                         */
/* ------------------------------------------------------------------ */

/* Does the C string s start with lit (whole: is it lit), ignoring ASCII
 * case?  0 for NULL.  A byte by byte walk: most calls end at the first
 * byte, with no strlen of s. */
static int cstr_is_ci(const char *s, const char *lit, int whole) {
    size_t i;
    if (s == NULL) return 0;
    for (i = 0; lit[i] != '\0'; i++)
        if (ss_lower((unsigned char)s[i]) != ss_lower((unsigned char)lit[i]))
            return 0; /* also at the end of a shorter s */
    return !whole || s[i] == '\0';
}

static int cmd_is(const char *cmd, const char *name) {
    return cstr_is_ci(cmd, name, 1);
}

/* Commands before DATA: a refusal there cannot be about the content.
 * (The first letter picks the names to compare.) */
static int cmd_before_data(const char *cmd) {
    if (cmd == NULL) return 0;
    switch (ss_lower((unsigned char)cmd[0])) {
    case 'c': return cmd_is(cmd, "CONNECT") || cmd_is(cmd, "CONN");
    case 'e': return cmd_is(cmd, "EHLO");
    case 'h': return cmd_is(cmd, "HELO");
    case 's': return cmd_is(cmd, "STARTTLS");
    case 'a': return cmd_is(cmd, "AUTH");
    case 'm': return cmd_is(cmd, "MAIL");
    case 'r': return cmd_is(cmd, "RCPT");
    default: return 0;
    }
}

/* The commands sisimai's filtered rule excludes (its ExceptDATA list:
 * AUTH and STARTTLS are not in it). */
static int sisimai_cmd_before_data(const char *cmd) {
    return cmd_before_data(cmd) && !cmd_is(cmd, "STARTTLS") &&
           !cmd_is(cmd, "AUTH");
}

static int is_retry_reason(smtpstatus_reason r) {
    /* Reasons a status code gives only vaguely: look at the text too. */
    return r == SMTPSTATUS_R_COUNT_ || r == SMTPSTATUS_R_UNDEFINED ||
           r == SMTPSTATUS_R_ONHOLD || r == SMTPSTATUS_R_SYSTEMERROR ||
           r == SMTPSTATUS_R_SECURITYERROR || r == SMTPSTATUS_R_EXPIRED ||
           r == SMTPSTATUS_R_NETWORKERROR || r == SMTPSTATUS_R_HOSTUNKNOWN ||
           r == SMTPSTATUS_R_USERUNKNOWN;
}

static const char *cmd_of(const smtpstatus_evidence *ev) {
    return ev->command;
}

static int temporary(const smtpstatus_evidence *ev) {
    if (ev->status.klass == 4) return 1;
    if (ev->status.klass == 5) return 0;
    return ev->reply_code >= 400 && ev->reply_code < 500;
}

typedef struct ctx {
    const smtpstatus_evidence *ev;
    const ss_match *m;
    smtpstatus_reason temp; /* reason of the status code, COUNT_ if none */
    int has_status;
    int compat;       /* SMTPSTATUS_E_SISIMAI: sisimai's rules */
    int sisimai_user; /* compat only: sisimai's user-unknown list matches */
    int smtp_type;    /* diagnostic type SMTP, or none */
} ctx;

#define HAS(x) ss_match_has(c->m, SMTPSTATUS_R_##x)

/* Pass 1: one probe per reason, in sisimai's order.  Each probe combines
 * what the status code says with the phrases. */
static smtpstatus_reason probe_first(const ctx *c, const char **why) {
    const char *cmd = cmd_of(c->ev);
    smtpstatus_reason t = c->temp;
    int reply = c->ev->reply_code;

    if (HAS(SUPPRESSED)) {
        /* The sending system itself did not try: whatever code it wrote
         * (SES writes 5.1.1), the address is on its suppression list. */
        *why = "phrase: suppression list";
        return R(SUPPRESSED);
    }
    if (t == R(MAILBOXFULL) || HAS(MAILBOXFULL)) {
        *why = t == R(MAILBOXFULL) ? "status code: mailbox full"
                                   : "phrase: mailbox full";
        return R(MAILBOXFULL);
    }
    if (t == R(MESGTOOBIG) || (t != R(EXCEEDLIMIT) && HAS(MESGTOOBIG))) {
        *why = t == R(MESGTOOBIG) ? "status code: message too big"
                                  : "phrase: message too big";
        return R(MESGTOOBIG);
    }
    if (t == R(EXCEEDLIMIT) || HAS(EXCEEDLIMIT)) {
        *why = "status code or phrase: exceeds a limit";
        return R(EXCEEDLIMIT);
    }
    if (t == R(SUSPEND) || reply == 525 || HAS(SUSPEND)) {
        *why = HAS(SUSPEND) ? "phrase: mailbox suspended"
                            : "code: user account disabled";
        return R(SUSPEND);
    }
    if (t == R(HASMOVED) || HAS(HASMOVED)) {
        *why = t == R(HASMOVED) ? "status code: mailbox has moved"
                                : "phrase: mailbox has moved";
        return R(HASMOVED);
    }
    if (HAS(NORELAYING) && !cmd_is(cmd, "CONNECT") && !cmd_is(cmd, "CONN") &&
        !cmd_is(cmd, "EHLO") && !cmd_is(cmd, "HELO")) {
        *why = "phrase: relaying denied";
        return R(NORELAYING);
    }
    if (cmd_is(cmd, "STARTTLS")) {
        *why = "command: STARTTLS failed";
        return R(FAILEDSTARTTLS);
    }
    if (t == R(AUTHFAILURE) || HAS(AUTHFAILURE)) {
        *why = t == R(AUTHFAILURE) ? "status code: SPF/DKIM/DMARC failure"
                                   : "phrase: SPF/DKIM/DMARC failure";
        return R(AUTHFAILURE);
    }
    if (t == R(USERUNKNOWN)) {
        /* X.1.1 and friends, unless the text says something else. */
        if (!HAS(NORELAYING) && !HAS(BLOCKED) && !HAS(MAILBOXFULL) &&
            !HAS(HASMOVED) && !HAS(REJECTED) && !HAS(NOTACCEPT)) {
            *why = "status code: bad destination mailbox";
            return R(USERUNKNOWN);
        }
    } else if (HAS(USERUNKNOWN) && t != R(SUSPEND)) {
        /* A "user unknown" at RCPT is what it says.  sisimai believes it
         * only at RCPT; with the command unknown it calls it filtered,
         * which says nothing true about the server: we keep userunknown
         * unless the refusal came after DATA (the recipient had been
         * accepted, so the text is a filter's) or a specific status code
         * says something else (5.1.8: the sender).  5.1.10 is "null MX"
         * in RFC 7505 but Exchange Online writes it for a recipient not
         * found, so its text decides.  In compat mode sisimai's filtered
         * rule below takes the texts its own list knows. */
        if (cmd_is(cmd, "RCPT") ||
            ((cmd == NULL || *cmd == '\0') &&
             (is_retry_reason(t) || t == R(NOTACCEPT)) &&
             !(c->compat && (c->sisimai_user || HAS(FILTERED))))) {
            *why = "phrase: recipient does not exist";
            return R(USERUNKNOWN);
        }
    }
    if (c->compat) {
        /* sisimai's Filtered.true, with its own user-unknown list: with a
         * filtered status code (X.2.0, X.2.1, X.2.4, X.1.4) a user-unknown
         * or filter text; otherwise, unless the command came before DATA,
         * a filter or user-unknown text (command DATA or unknown). */
        if (t == R(FILTERED) ? (c->sisimai_user || HAS(FILTERED))
                             : (!sisimai_cmd_before_data(cmd) &&
                                (HAS(FILTERED) || c->sisimai_user))) {
            *why = "sisimai's rule: user unknown or filter text, command "
                   "not before DATA";
            return R(FILTERED);
        }
    } else if (t == R(FILTERED)) {
        if (HAS(USERUNKNOWN) || HAS(FILTERED)) {
            *why = "status code and phrase: refused by the recipient's filter";
            return R(FILTERED);
        }
    } else if (!cmd_before_data(cmd) &&
               (HAS(FILTERED) ||
                (HAS(USERUNKNOWN) && cmd != NULL && *cmd != '\0'))) {
        *why = "phrase: refused by the recipient's filter";
        return R(FILTERED);
    }
    if (t == R(REQUIREPTR) || HAS(REQUIREPTR)) {
        *why = "status code or phrase: no valid PTR record";
        return R(REQUIREPTR);
    }
    if (HAS(NOTCOMPLIANTRFC)) {
        *why = "phrase: not RFC 5322 compliant";
        return R(NOTCOMPLIANTRFC);
    }
    if (HAS(BADREPUTATION)) {
        *why = "phrase: bad reputation";
        return R(BADREPUTATION);
    }
    if (!(c->has_status && HAS(SPAMDETECTED) && !cmd_before_data(cmd)) &&
        (t == R(CONTENTERROR) || HAS(CONTENTERROR))) {
        *why = "status code or phrase: message format refused";
        return R(CONTENTERROR);
    }
    if (t == R(REJECTED)) {
        *why = "status code: sender address refused";
        return R(REJECTED);
    }
    if (HAS(REJECTED)) {
        int vague = t == R(COUNT_) || t == R(UNDEFINED) || t == R(ONHOLD) ||
                    t == R(SECURITYERROR) || t == R(SYSTEMERROR);
        if (cmd_is(cmd, "MAIL") ||
            (cmd_is(cmd, "DATA") && t != R(USERUNKNOWN)) || vague) {
            *why = "phrase: sender refused";
            return R(REJECTED);
        }
    }
    if (t == R(HOSTUNKNOWN)) {
        if (!HAS(NETWORKERROR)) {
            *why = "status code: bad destination system";
            return R(HOSTUNKNOWN);
        }
    } else if (HAS(HOSTUNKNOWN) && !(temporary(c->ev) && HAS(NETWORKERROR))) {
        /* An NXDOMAIN that the sending MTA reports with a temporary code
         * (it will retry) is a DNS failure, not yet a dead domain. */
        *why = "phrase: domain does not exist";
        return R(HOSTUNKNOWN);
    }
    if (c->has_status && (t == R(SPAMDETECTED) ||
                          (!cmd_before_data(cmd) && HAS(SPAMDETECTED)))) {
        *why = "status code or phrase: spam filter";
        return R(SPAMDETECTED);
    }
    if (HAS(SPEEDING)) {
        *why = "phrase: rate limited";
        return R(SPEEDING);
    }
    if (t == R(TOOMANYCONN) || HAS(TOOMANYCONN)) {
        *why = "status code or phrase: too many connections or recipients";
        return R(TOOMANYCONN);
    }
    if (t == R(BLOCKED) || HAS(BLOCKED)) {
        *why = t == R(BLOCKED) ? "status code: client refused"
                               : "phrase: client host blocked";
        return R(BLOCKED);
    }
    if (cmd_is(cmd, "MAIL") &&
        (t == R(COUNT_) || t == R(UNDEFINED) || t == R(SECURITYERROR) ||
         t == R(SYSTEMERROR)) &&
        c->m->reasons == 0) {
        /* MAIL FROM carries the sender address: a refusal of it without
         * a better explanation is a refusal of the sender. */
        *why = "command: sender refused at MAIL FROM";
        return R(REJECTED);
    }
    return R(COUNT_);
}

/* Pass 2: phrases alone, for codes that say little. */
static const smtpstatus_reason SECOND_ORDER[] = {
    R(MAILBOXFULL),   R(AUTHFAILURE),   R(BADREPUTATION), R(SPEEDING),
    R(SPAMDETECTED),  R(VIRUSDETECTED), R(POLICYVIOLATION), R(NORELAYING),
    R(SYSTEMERROR),   R(NETWORKERROR),  R(SUSPEND),       R(CONTENTERROR),
    R(SYSTEMFULL),    R(NOTACCEPT),     R(EXPIRED),       R(FAILEDSTARTTLS),
    R(SECURITYERROR), R(SUPPRESSED),    R(MAILERERROR),   R(SYNTAXERROR),
};

/* Reasons only the first pass looks for, in its order. */
static const smtpstatus_reason FIRST_PHRASES[] = {
    R(MESGTOOBIG),  R(EXCEEDLIMIT), R(HASMOVED),    R(USERUNKNOWN),
    R(FILTERED),    R(REQUIREPTR),  R(NOTCOMPLIANTRFC), R(REJECTED),
    R(HOSTUNKNOWN), R(TOOMANYCONN), R(BLOCKED),
};

static int dtype_is(const char *t, const char *name) {
    return cstr_is_ci(t, name, 0);
}

static smtpstatus_reason probe_second(const ctx *c, const char **why) {
    const smtpstatus_evidence *ev = c->ev;
    size_t i;
    int smtp_type = c->smtp_type;
    int reply = ev->reply_code;

    if (!is_retry_reason(c->temp) && smtp_type) {
        *why = "status code";
        return c->temp;
    }
    for (i = 0; i < sizeof SECOND_ORDER / sizeof SECOND_ORDER[0]; i++) {
        if (ss_match_has(c->m, SECOND_ORDER[i])) {
            *why = "phrase";
            return SECOND_ORDER[i];
        }
    }
    if (dtype_is(ev->diagnostic_type, "x-unix")) {
        *why = "diagnostic type X-Unix: a local program failed";
        return R(MAILERERROR);
    }
    if (!smtp_type) {
        /* The first pass did not run (the text is not an SMTP reply):
         * its phrases still say what they say. */
        for (i = 0; i < sizeof FIRST_PHRASES / sizeof FIRST_PHRASES[0]; i++) {
            if (ss_match_has(c->m, FIRST_PHRASES[i])) {
                *why = "phrase";
                return FIRST_PHRASES[i];
            }
        }
    }
    if (c->temp != R(COUNT_)) {
        *why = "status code";
        return c->temp;
    }
    if (ev->status.klass == 4 || ev->status.klass == 5) {
        if (ev->status.subject == 6) {
            *why = "status code class: media error (X.6)";
            return R(CONTENTERROR);
        }
        if (ev->status.subject == 7) {
            *why = "status code class: security or policy (X.7)";
            return R(SECURITYERROR);
        }
    }
    if (dtype_is(ev->diagnostic_type, "x-unix")) {
        *why = "diagnostic type X-Unix: a local program failed";
        return R(MAILERERROR);
    }
    if ((reply > 400 && reply < 408) || (reply > 500 && reply < 508)) {
        *why = "reply code: syntax or sequence error";
        return R(SYNTAXERROR);
    }
    if (reply == 521 || reply == 556) {
        *why = "reply code: host or domain does not accept mail (RFC 7504)";
        return R(NOTACCEPT);
    }
    if (reply == 523 || reply == 524 || reply == 538) {
        *why = "reply code: encryption required";
        return R(FAILEDSTARTTLS);
    }
    if (ev->action != NULL &&
        (ss_starts_ci(ss_str_make(ev->action, strlen(ev->action)),
                      "delayed") ||
         ss_starts_ci(ss_str_make(ev->action, strlen(ev->action)),
                      "expired"))) {
        *why = "action delayed: retries gave up";
        return R(EXPIRED);
    }
    if (cmd_is(ev->command, "EHLO") || cmd_is(ev->command, "HELO") ||
        cmd_is(ev->command, "CONNECT") || cmd_is(ev->command, "CONN")) {
        *why = "command: refused at connection or HELO";
        return R(BLOCKED);
    }
    return R(COUNT_);
}

void smtpstatus_classify(const smtpstatus_evidence *ev,
                         smtpstatus_verdict *out) {
    char norm[SS_NORM_MAX];
    size_t nlen;
    ss_match m;
    ctx c;
    smtpstatus_reason r;
    const char *why = "nothing fits";
    const char *provider = NULL;
    const char *act;

    if (out == NULL) return;
    out->reason = R(UNDEFINED);
    out->hard_bounce = 0;
    out->why = "no evidence";
    if (ev == NULL) return;

    act = ev->action;
    if (act != NULL && *act != '\0') {
        ss_str a = ss_str_make(act, strlen(act));
        if (ss_eq_ci(a, "feedback")) {
            out->reason = R(FEEDBACK);
            out->why = "action: feedback report";
            return;
        }
        if (ss_eq_ci(a, "vacation")) {
            out->reason = R(VACATION);
            out->why = "action: automatic reply";
            return;
        }
        if (ss_eq_ci(a, "delivered") || ss_eq_ci(a, "relayed") ||
            ss_eq_ci(a, "expanded") || ss_eq_ci(a, "deliverable")) {
            out->reason = R(DELIVERED);
            out->why = "action: delivered";
            return;
        }
    }
    if (ev->status.klass == 2 ||
        (ev->status.klass == 0 && ev->reply_code >= 200 &&
         ev->reply_code < 300)) {
        out->reason = R(DELIVERED);
        out->why = "success code";
        return;
    }

    nlen = ss_normalize(ev->text, ev->text ? ev->text_len : 0, norm,
                        sizeof norm);

    c.ev = ev;
    c.m = &m;
    c.temp = ss_status_reason(&ev->status);
    c.has_status = ev->status.klass != 0;
    c.compat = (ev->flags & SMTPSTATUS_E_SISIMAI) != 0;
    c.sisimai_user = 0;
    r = R(COUNT_);
    if (c.compat) {
        sisimai_text st;
        sisimai_text_init(&st, norm, nlen);
        c.sisimai_user = sisimai_user_unknown(&st);
        /* sisimai looks at local delivery agents' texts first. */
        if (ev->command == NULL || ev->command[0] == '\0' ||
            cmd_is(ev->command, "DATA"))
            r = sisimai_lda(&st);
    }
    if (r != R(COUNT_)) {
        why = "sisimai's rule: local delivery agent's message";
        goto done;
    }

    /* Provider rules first: the provider's own documentation of its
     * replies is the best evidence there is. */
    r = ss_rhost_classify(ev, norm, nlen, &provider);
    if (r != R(COUNT_)) {
        why = provider ? provider : "provider rule";
        goto done;
    }

    /* The phrases: only the probes below need them (the rules above
     * read the normalized text themselves), and a provider rule decides
     * for many bounces. */
    ss_match_phrases(norm, nlen, &m);

    c.smtp_type = ev->diagnostic_type == NULL ||
                  ev->diagnostic_type[0] == '\0' ||
                  dtype_is(ev->diagnostic_type, "smtp");
    r = R(COUNT_);
    if (c.smtp_type) r = probe_first(&c, &why);
    if (r == R(COUNT_) || r == R(UNDEFINED)) {
        r = probe_second(&c, &why);
        if (r == R(UNDEFINED)) r = R(COUNT_);
    }
    if (r == R(COUNT_)) {
        if (ss_match_has(&m, R(VACATION))) {
            r = R(VACATION);
            why = "phrase: automatic reply";
        } else if (ev->text != NULL && ev->text_len > 0 && nlen > 2) {
            r = R(ONHOLD);
            why = "text without a known phrase";
        } else {
            r = R(UNDEFINED);
            why = "nothing fits";
        }
    }

done:
    out->reason = r;
    out->why = why;
    out->hard_bounce = smtpstatus_is_hard_bounce(
        r, ev->reply_code, &ev->status, ev->text, ev->text ? ev->text_len : 0);
}
