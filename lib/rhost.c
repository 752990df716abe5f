/*
 * rhost.c - provider rules: what big mail providers document about their
 * own rejection texts and codes (Google, Microsoft, Yahoo/AOL, Apple
 * iCloud, Orange/La Poste, Cox, GoDaddy, Spectrum, Tencent QQ, i.ua, KDDI,
 * NTT DOCOMO, Symantec MessageLabs, Mimecast).
 *
 * A provider is recognised by the recipient's domain, the remote host
 * name (suffix) or, when no remote host is known, the reporting host.  The rules only speak when they recognise a text or
 * code the provider documents; otherwise the generic classifier decides.
 * The sources are the providers' postmaster pages (cited per table) as
 * collected by sisimai's Rhost modules (sisimai-compatible answers).
 *
 * Nothing here allocates.
 */
#include "classify.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

#define R(x) SMTPSTATUS_R_##x

typedef struct text_rule {
    smtpstatus_reason reason;
    const char *text; /* normalized, lower case */
} text_rule;

typedef smtpstatus_reason (*rule_fn)(const smtpstatus_evidence *ev,
                                     const char *norm, size_t len);

/* A provider's host name suffix, its length and the provider (index in
 * PROVIDERS). */
typedef struct hsuf {
    const char *s;
    size_t len;
    unsigned prov;
} hsuf;
#define H(x, p) {x, sizeof x - 1, p}

typedef struct provider {
    const char *name;
    rule_fn fn;
    int compat_only; /* only with SMTPSTATUS_E_SISIMAI (sisimai's rules) */
} provider;

static int contains(const char *norm, size_t len, const char *needle) {
    return ss_find(ss_str_make(norm, len), needle, strlen(needle)) >= 0;
}

/* Which runs of four bytes occur in a text: a set of 1024 entries (a byte
 * each, cheaper to fill than bits) indexed by a hash of the four bytes.
 * A phrase with a run missing from the set cannot occur in the text, so
 * most rules of a long list are dismissed at their first run, without
 * scanning the text.  (The texts are a few hundred bytes: 1024 entries
 * stay sparse enough, and clearing them costs less than clearing 4096.) */
typedef struct gram_set {
    unsigned char has[1024];
} gram_set;

/* The hash of the four bytes at p (read as one 32-bit number), 10 bits. */
static unsigned gram_hash(const char *p) {
    uint32_t w;
    memcpy(&w, p, 4);
    return (unsigned)((w * 0x9E3779B1u) >> 22);
}

static void gram_set_fill(gram_set *gs, const char *t, size_t len) {
    size_t i = 0;
    memset(gs->has, 0, sizeof gs->has);
    /* four runs a turn (the loop costs as much as a run), then the rest */
    for (; i + 7 < len; i += 4) {
        gs->has[gram_hash(t + i)] = 1;
        gs->has[gram_hash(t + i + 1)] = 1;
        gs->has[gram_hash(t + i + 2)] = 1;
        gs->has[gram_hash(t + i + 3)] = 1;
    }
    for (; i + 3 < len; i++) gs->has[gram_hash(t + i)] = 1;
}

/* Whether every run of four bytes of needle is in the set (true for a
 * needle shorter than four bytes); *n gets the length of needle when it
 * is. */
static int may_contain(const gram_set *gs, const char *needle, size_t *n) {
    size_t k;
    for (k = 0; k < 3; k++)
        if (needle[k] == '\0') {
            *n = k;
            return 1;
        }
    for (; needle[k] != '\0'; k++)
        if (!gs->has[gram_hash(needle + k - 3)]) return 0;
    *n = k;
    return 1;
}

static smtpstatus_reason by_text(const text_rule *rules, size_t n,
                                 const char *norm, size_t len) {
    size_t i;
    gram_set gs;
    if (n < 8) {
        for (i = 0; i < n; i++)
            if (contains(norm, len, rules[i].text)) return rules[i].reason;
        return R(COUNT_);
    }
    gram_set_fill(&gs, norm, len);
    for (i = 0; i < n; i++) {
        size_t k;
        if (may_contain(&gs, rules[i].text, &k) &&
            ss_find(ss_str_make(norm, len), rules[i].text, k) >= 0)
            return rules[i].reason;
    }
    return R(COUNT_);
}

#define BY_TEXT(rules) by_text(rules, sizeof rules / sizeof rules[0], norm, len)

/* Digits right after the last occurrence of label in norm (skipping "_",
 * "-" and digits of a prefix such as "OFR006_"): the last 3 digits of the
 * token.  Returns -1 when there is none. */
static int code_after(const char *norm, size_t len, const char *label,
                      int ndigits) {
    size_t ll = strlen(label), i, j;
    long at = -1;
    int value = -1;
    /* the last occurrence: looked for from the end */
    for (i = len >= ll ? len - ll + 1 : 0; i-- > 0;)
        if (norm[i] == label[0] && memcmp(norm + i, label, ll) == 0) {
            at = (long)i;
            break;
        }
    if (at < 0) return -1;
    j = (size_t)at + ll;
    {
        size_t start = j, run = 0, k;
        while (j < len && (ss_isdigit((unsigned char)norm[j]) ||
                           norm[j] == '_' || norm[j] == '-')) {
            j++;
        }
        /* last run of digits in [start, j) */
        k = j;
        while (k > start && ss_isdigit((unsigned char)norm[k - 1])) {
            k--;
            run++;
        }
        if ((int)run < ndigits) return -1;
        value = 0;
        for (k = j - (size_t)ndigits; k < j; k++)
            value = value * 10 + (norm[k] - '0');
    }
    return value;
}

static int status_is(const smtpstatus_evidence *ev, int k, int s, int d) {
    return ev->status.klass == k && ev->status.subject == s &&
           ev->status.detail == d;
}

/* ---- Google (support.google.com/a/answer/3726730) ------------------ */
static const text_rule GOOGLE[] = {
    {R(AUTHFAILURE), "senders to authenticate with either spf or dkim"},
    {R(AUTHFAILURE), "is not accepted due to domain's dmarc policy"},
    {R(AUTHFAILURE), "fails to pass authentication checks"},
    {R(AUTHFAILURE), "the spf record of the sending domain"},
    {R(AUTHFAILURE), "has an spf record with a hard fail policy"},
    {R(AUTHFAILURE), "fails to pass spf checks for an spf record with a hard fail"},
    {R(AUTHFAILURE), "senders to authenticate with spf"},
    {R(AUTHFAILURE), "senders to authenticate their email with"},
    {R(AUTHFAILURE), "senders to authenticate with dkim"},
    {R(AUTHFAILURE), "aligned with either the authenticated spf or dkim"},
    {R(AUTHFAILURE), "to add a dmarc record to"},
    {R(BADREPUTATION), "very low reputation of the sending"},
    {R(BLOCKED), "ip not in whitelist for rcpt domain"},
    {R(BLOCKED), "try again later, closing connection."},
    {R(BLOCKED), "helo/ehlo argument is invalid"},
    {R(BLOCKED), "empty helo/ehlo argument not allowed"},
    {R(BLOCKED), "an unusual rate of unsolicited mail"},
    {R(BLOCKED), "an unusual rate of mail"},
    {R(MESGTOOBIG), "exceeded google's message size limits"},
    {R(MESGTOOBIG), "exceeds google's message size limit of"},
    {R(EXCEEDLIMIT), "exceeds google's limit of limit attachments."},
    {R(EXCEEDLIMIT), "exceeded google's message header size limits"},
    {R(EXCEEDLIMIT), "bytes per individual header size"},
    {R(EXPIRED), "connection expired"},
    {R(EXPIRED), "timeout - closing connection"},
    {R(FAILEDSTARTTLS), "must issue a starttls command first"},
    {R(FAILEDSTARTTLS), "starttls may not be repeated"},
    {R(FAILEDSTARTTLS), "tls required for rcpt domain"},
    {R(FAILEDSTARTTLS), "senders to use tls/ssl for smtp"},
    {R(MAILBOXFULL), "inbox is out of storage space"},
    {R(MAILBOXFULL), "is over quota"},
    {R(MAILBOXFULL), "email quota exceeded"},
    {R(NETWORKERROR), "message exceeded 50 hops"},
    {R(NORELAYING), "mail relay denied"},
    {R(NORELAYING), "invalid credentials for relay"},
    {R(NORELAYING), "is not authorized to send email directly to our servers"},
    {R(NOTCOMPLIANTRFC), "missing a valid address in the from: header"},
    {R(NOTCOMPLIANTRFC), "multiple addresses in from: header are not accepted"},
    {R(NOTCOMPLIANTRFC), "is not rfc 5322 compliant"},
    {R(NOTCOMPLIANTRFC), "missing a valid message-id: header"},
    {R(NOTCOMPLIANTRFC), "contains a unicode character in a disallowed header"},
    {R(NOTCOMPLIANTRFC), "encoded-word syntax is not permitted"},
    {R(NOTCOMPLIANTRFC), "is not a valid rfc 5321 address"},
    {R(NOTCOMPLIANTRFC), "mail message is malformed"},
    {R(POLICYVIOLATION), "illegal attachment on your message"},
    {R(POLICYVIOLATION), "blocked because its content presents a potential security issue"},
    {R(POLICYVIOLATION), "has a policy that prohibited"},
    {R(POLICYVIOLATION), "sending messages with the same message-id:"},
    {R(REJECTED), "mail sending denied"},
    {R(REJECTED), "unauthenticated email is not accepted"},
    {R(REQUIREPTR), "does not have a ptr record"},
    {R(REQUIREPTR), "have a ptr record, or the ptr record"},
    {R(REQUIREPTR), "does not meet ipv6 sending guidelines regarding ptr records"},
    {R(REQUIREPTR), "does not match the ip address of the hostname"},
    {R(SECURITYERROR), "too many login attempts"},
    {R(SECURITYERROR), "no identity changes permitted"},
    {R(SECURITYERROR), "authentication required."},
    {R(SECURITYERROR), "application-specific password required"},
    {R(SECURITYERROR), "please log in with your web browser"},
    {R(SECURITYERROR), "please log in through your web browser"},
    {R(SECURITYERROR), "username and password not accepted"},
    {R(SPAMDETECTED), "due to the nature of the content or the links within"},
    {R(SPAMDETECTED), "likely unsolicited mail"},
    {R(SPEEDING), "is receiving mail too quickly"},
    {R(SPEEDING), "peak smtp relay limit exceeded for customer"},
    {R(SPEEDING), "rate that prevents additional messages from being delivered"},
    {R(SPEEDING), "daily sending quota exceeded"},
    {R(SPEEDING), "daily user sending limit exceeded"},
    {R(SPEEDING), "daily smtp relay limit exceeded for"},
    {R(SPEEDING), "daily smtp relay sending limit exceeded for"},
    {R(SPEEDING), "this mail has been rate limited"},
    {R(SUSPEND), "account that you tried to reach is disabled"},
    {R(SUSPEND), "account that you tried to reach is inactive"},
    {R(SYNTAXERROR), "smtp protocol violation"},
    {R(SYNTAXERROR), "optional argument not permitted"},
    {R(SYNTAXERROR), "too many unrecognized commands, goodbye"},
    {R(SYNTAXERROR), "unimplemented command"},
    {R(SYNTAXERROR), "unrecognized command"},
    {R(SYNTAXERROR), "bad sequence of commands"},
    {R(SYNTAXERROR), "ehlo/helo first"},
    {R(SYNTAXERROR), "no data after bdat"},
    {R(SYNTAXERROR), "unrecognized authentication type"},
    {R(SYSTEMERROR), "temporary system problem"},
    {R(SYSTEMERROR), "server busy"},
    {R(SYSTEMERROR), "multiple destination domains per transaction is unsupported"},
    {R(SYSTEMERROR), "mail server has temporarily rejected this message"},
    {R(SYSTEMERROR), "mail server temporarily rejected message"},
    {R(SYSTEMERROR), "domain policy size per transaction exceeded"},
    {R(TOOMANYCONN), "your message has too many recipients"},
    {R(TOOMANYCONN), "too many recipients for this sender"},
    {R(USERUNKNOWN), "the email account that you tried to reach does not exist"},
    /* sisimai lists this under userunknown; the domain is what is missing */
    {R(HOSTUNKNOWN), "we weren't able to find the recipient domain"},
};
static smtpstatus_reason rule_google(const smtpstatus_evidence *ev,
                                     const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(GOOGLE);
}

/* ---- Microsoft (learn.microsoft.com, non-delivery reports in Exchange
 * Online; Outlook.com postmaster) ---------------------------------- */
static const text_rule MICROSOFT[] = {
    {R(AUTHFAILURE), "must pass either spf or dkim validation, this message is not signed"},
    {R(AUTHFAILURE), "the message was rejected because of sender policy framework violation"},
    {R(AUTHFAILURE), "does not pass dmarc verification"},
    {R(AUTHFAILURE), "doesn't meet the required authentication level"},
    {R(BADREPUTATION), "has been temporarily rate limited due to ip reputation"},
    {R(BLOCKED), "access denied, banned sending ip"},
    {R(BLOCKED), "access denied, please try again later"},
    {R(BLOCKED), "must have a reverse dns record"},
    {R(BLOCKED), "access denied, bad helo"},
    {R(BLOCKED), "access denied, rejected by recipient"},
    {R(BLOCKED), "does not accept email over ipv6"},
    {R(BLOCKED), "access denied, banned sender"},
    {R(BLOCKED), "using customer block list"},
    {R(BLOCKED), "part of their network is on our block list"},
    {R(BLOCKED), "not currently accepting mail from your ip"},
    {R(CONTENTERROR), "too many related errors"},
    {R(CONTENTERROR), "agent generated message depth exceeded"},
    {R(MESGTOOBIG), "message too large for this recipient"},
    {R(MESGTOOBIG), "message size exceeds fixed maximum message size"},
    {R(EXPIRED), "queue expired; message expired"},
    {R(EXPIRED), "message expired"},
    {R(FAILEDSTARTTLS), "failed mta-sts validation"},
    {R(FAILEDSTARTTLS), "starttls is required to send mail"},
    {R(FAILEDSTARTTLS), "starttls-not-supported:"},
    {R(FAILEDSTARTTLS), "certificate-expired:"},
    {R(FAILEDSTARTTLS), "tlsa-invalid:"},
    {R(FAILEDSTARTTLS), "dnssec-invalid:"},
    {R(FAILEDSTARTTLS), "certificate-host-mismatch:"},
    {R(NETWORKERROR), "smtpsend.dns.nonexistentdomain; nonexistent domain"},
    {R(NETWORKERROR), "hop count exceeded - possible mail loop"},
    {R(NETWORKERROR), "dns query failed"},
    {R(NETWORKERROR), "routing loop detected"},
    {R(NORELAYING), "unable to relay"},
    {R(NORELAYING), "client was not authenticated"},
    {R(NORELAYING), "relay access denied"},
    {R(NOTACCEPT), "hosted tenant which has no mail-enabled subscriptions"},
    {R(NOTACCEPT), "missing or bad storedriver mdb properties"},
    {R(POLICYVIOLATION), "x-dg-ref header is too long"},
    {R(POLICYVIOLATION), "policy violation detected (as345)"},
    {R(REJECTED), "access denied, bad outbound sender"},
    {R(REJECTED), "sender was not authenticated"},
    {R(REJECTED), "sender not in allowed-senders list"},
    {R(REJECTED), "sender not authenticated for group"},
    {R(REJECTED), "access denied, spam abuse detected"},
    {R(REJECTED), "unknown sender address"},
    {R(REJECTED), "sender denied"},
    {R(NOTCOMPLIANTRFC), "message must be rfc 5322 section 3.6.2 compliant"},
    {R(MAILBOXFULL), "mailbox full"},
    {R(USERUNKNOWN), "recipient address rejected: access denied"},
    {R(USERUNKNOWN), "resolver.adr.recipientnotfound"},
    {R(USERUNKNOWN), "resolver.adr.exrecipnotfound"},
    {R(USERUNKNOWN), "requested action not taken: mailbox unavailable"},
    {R(HOSTUNKNOWN), "the domain is not reachable"},
};
static smtpstatus_reason rule_microsoft(const smtpstatus_evidence *ev,
                                        const char *norm, size_t len) {
    const smtpstatus_status *st = &ev->status;
    /* Exchange Online transport rules reject with 5.7.900-999. */
    if (st->klass == 5 && st->subject == 7 && st->detail >= 900 &&
        contains(norm, len, "delivery not authorized, message refused"))
        return R(POLICYVIOLATION);
    if (status_is(ev, 5, 7, 1) &&
        contains(norm, len, "delivery not authorized"))
        return R(REJECTED);
    return BY_TEXT(MICROSOFT);
}

/* ---- Yahoo Inc. (senders.yahooinc.com/smtp-error-codes) ------------ */
static const text_rule YAHOO[] = {
    {R(AUTHFAILURE), "yahoo requires all senders to authenticate with either spf or dkim"},
    {R(BLOCKED), " because the ip is in spamhaus's list;"},
    {R(BLOCKED), "not accepted from ip addresses on spamhaus xbl"},
    {R(NORELAYING), "relaying denied for"},
    {R(NOTCOMPLIANTRFC), "headers are not rfc compliant"},
    {R(POLICYVIOLATION), "not accepted for policy reasons"},
    /* [TSS04] "temporarily deferred due to unexpected volume or user
     * complaints": Yahoo says this for volume, complaints and
     * unauthenticated mail alike; sisimai calls it rejected. */
    {R(REJECTED), "temporarily deferred due to unexpected volume or user complaints"},
    {R(REJECTED), "due to unresolvable rfc.5321 domain"},
    {R(REJECTED), " will be permanently deferred"},
    {R(SPEEDING), "user is receiving mail too quickly"},
    {R(SUSPEND), " is no longer valid."},
    {R(SUSPEND), "this mailbox is disabled"},
    {R(SYNTAXERROR), "syntax error in parameters or arguments"},
    {R(TOOMANYCONN), "max message per connection reached"},
    {R(USERUNKNOWN), "dd this user doesn't have a "},
    {R(USERUNKNOWN), "mailbox not found"},
};
static smtpstatus_reason rule_yahoo(const smtpstatus_evidence *ev,
                                    const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(YAHOO);
}

/* ---- AOL ---------------------------------------------------------- */
static const text_rule AOL[] = {
    {R(HOSTUNKNOWN), "host or domain name not found"},
    {R(NOTACCEPT), "type=mx: malformed or unexpected name server reply"},
};
static smtpstatus_reason rule_aol(const smtpstatus_evidence *ev,
                                  const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(AOL);
}

/* ---- Apple iCloud (support.apple.com/en-us/102322) ---------------- */
static const text_rule APPLE[] = {
    {R(AUTHFAILURE), "s dmarc policy"},
    {R(AUTHFAILURE), "blocked for failing both spf and dkim"},
    {R(BLOCKED), "rejected due to having a domain present in the spamhaus"},
    {R(BLOCKED), "rejected due to listing in spamhaus"},
    {R(BLOCKED), "blocked - see https://support.proofpoint.com/dnsbl-lookup"},
    {R(BLOCKED), "not accepting connections"},
    {R(HASMOVED), "recipient no longer on server"},
    {R(MAILBOXFULL), "user is over quota"},
    {R(NORELAYING), "relay access denied"},
    {R(NOTACCEPT), "host/domain does not accept mail"},
    {R(POLICYVIOLATION), "due to local policy"},
    {R(REJECTED), "sender address rejected"},
    {R(SPEEDING), "due to excessive volume"},
    {R(USERUNKNOWN), "inactive email address"},
    {R(USERUNKNOWN), "user does not exist"},
    {R(USERUNKNOWN), "unknown or illegal alias"},
};
static smtpstatus_reason rule_apple(const smtpstatus_evidence *ev,
                                    const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(APPLE);
}

/* ---- Orange / La Poste (postmastery.com, OFR/LPN codes) ------------ */
typedef struct num_rule {
    int code;
    smtpstatus_reason reason;
} num_rule;
static const num_rule FRANCEPTT_CODES[] = {
    {101, R(BLOCKED)},     {102, R(BLOCKED)},        {103, R(BLOCKED)},
    {104, R(TOOMANYCONN)}, {305, R(SECURITYERROR)},  {401, R(AUTHFAILURE)},
    {402, R(SECURITYERROR)}, {403, R(REJECTED)},     {405, R(REJECTED)},
    {415, R(REJECTED)},    {416, R(USERUNKNOWN)},    {417, R(MAILBOXFULL)},
    {420, R(SUSPEND)},     {421, R(REJECTED)},       {426, R(SUSPEND)},
    {505, R(SYSTEMERROR)}, {506, R(SPAMDETECTED)},   {510, R(BLOCKED)},
    {514, R(MESGTOOBIG)},  {517, R(AUTHFAILURE)},    {630, R(POLICYVIOLATION)},
    {999, R(BLOCKED)},
};
static smtpstatus_reason rule_franceptt(const smtpstatus_evidence *ev,
                                        const char *norm, size_t len) {
    static const char *const labels[] = {"lpnaaa", "lpn", "ofr", "ouk"};
    size_t i, k;
    (void)ev;
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        int code = code_after(norm, len, labels[i], 3);
        if (code < 0) continue;
        for (k = 0; k < sizeof FRANCEPTT_CODES / sizeof FRANCEPTT_CODES[0];
             k++)
            if (FRANCEPTT_CODES[k].code == code)
                return FRANCEPTT_CODES[k].reason;
        return R(COUNT_);
    }
    if (contains(norm, len, "spf/dns de votre nom de domaine"))
        return R(AUTHFAILURE);
    return R(COUNT_);
}

/* ---- Cox (cox.com postmaster: AUP# codes) -------------------------- */
typedef struct label_rule {
    const char *label;
    smtpstatus_reason reason;
} label_rule;
static const label_rule COX_CODES[] = {
    {"aup#cxbl", R(BLOCKED)},        {"aup#cxdns", R(REQUIREPTR)},
    {"aup#cxsndr", R(AUTHFAILURE)},  {"aup#cxsmtp", R(REJECTED)},
    {"aup#cxcnct", R(TOOMANYCONN)},  {"aup#cxmxrt", R(TOOMANYCONN)},
    {"aup#cdrbl", R(BLOCKED)},       {"aup#cxthrt", R(SECURITYERROR)},
    {"aup#cxmj", R(SECURITYERROR)},  {"aup#ipbl", R(BLOCKED)},
    {"aup#urlbl", R(SPAMDETECTED)},
};
static const text_rule COX[] = {
    {R(BLOCKED), "cox too many bad commands from"},
    {R(BLOCKED), "too many invalid recipients"},
    {R(REQUIREPTR), "dns check failure - try again later"},
    {R(REQUIREPTR), "rejected - no rdns"},
    {R(POLICYVIOLATION), "esmtp no data before greeting"},
    {R(POLICYVIOLATION), "attachment extension is forbidden"},
    {R(REJECTED), "sender rejected"},
    {R(SYSTEMERROR), "esmtp server temporarily not available"},
    {R(TOOMANYCONN), "too many sessions from"},
    {R(TOOMANYCONN), "requested action aborted: try again later"},
    {R(TOOMANYCONN), "message threshold exceeded"},
    {R(USERUNKNOWN), "recipient rejected"},
};
static smtpstatus_reason rule_cox(const smtpstatus_evidence *ev,
                                  const char *norm, size_t len) {
    size_t i;
    (void)ev;
    for (i = 0; i < sizeof COX_CODES / sizeof COX_CODES[0]; i++)
        if (contains(norm, len, COX_CODES[i].label)) return COX_CODES[i].reason;
    return BY_TEXT(COX);
}

/* ---- GoDaddy (godaddy.com help 40685: IBxxx codes) ----------------- */
static const num_rule GODADDY_CODES[] = {
    {7, R(TOOMANYCONN)},    {101, R(SPEEDING)},      {103, R(BADREPUTATION)},
    {104, R(BLOCKED)},      {105, R(BLOCKED)},       {106, R(BLOCKED)},
    {108, R(REQUIREPTR)},   {110, R(BLOCKED)},       {111, R(BLOCKED)},
    {112, R(BLOCKED)},      {113, R(BLOCKED)},       {212, R(SPAMDETECTED)},
    {401, R(SECURITYERROR)}, {501, R(NOTCOMPLIANTRFC)},
    {502, R(NOTCOMPLIANTRFC)}, {504, R(SPEEDING)},   {506, R(REJECTED)},
    {508, R(AUTHFAILURE)},  {510, R(SPEEDING)},      {605, R(TOOMANYCONN)},
    {607, R(SPEEDING)},     {705, R(VIRUSDETECTED)},
};
static const text_rule GODADDY[] = {
    {R(BLOCKED), "rbl reject"},
    {R(BLOCKED), "www.spamhaus.org/query/bl?ip="},
    {R(EXPIRED), "has been in the queue too long"},
    {R(EXPIRED), "delivery timeout"},
    {R(MAILBOXFULL), "account storage limit"},
    {R(SPAMDETECTED), "message rejected for spam or virus content"},
    {R(SUSPEND), "account disabled"},
    {R(SYSTEMERROR), "message is looping"},
    {R(USERUNKNOWN), "recipient not found"},
    {R(USERUNKNOWN), "account does not exist"},
};
static smtpstatus_reason rule_godaddy(const smtpstatus_evidence *ev,
                                      const char *norm, size_t len) {
    size_t i, k;
    (void)ev;
    for (i = 0; i + 5 < len; i++) {
        if (norm[i] == ' ' && norm[i + 1] == 'i' && norm[i + 2] == 'b' &&
            ss_isdigit((unsigned char)norm[i + 3]) &&
            ss_isdigit((unsigned char)norm[i + 4]) &&
            ss_isdigit((unsigned char)norm[i + 5])) {
            int code = (norm[i + 3] - '0') * 100 + (norm[i + 4] - '0') * 10 +
                       (norm[i + 5] - '0');
            for (k = 0; k < sizeof GODADDY_CODES / sizeof GODADDY_CODES[0];
                 k++)
                if (GODADDY_CODES[k].code == code)
                    return GODADDY_CODES[k].reason;
        }
    }
    return BY_TEXT(GODADDY);
}

/* ---- Spectrum (spectrum.net "understanding email error codes") ----- */
typedef struct range_rule {
    int lo, hi;
    smtpstatus_reason reason;
} range_rule;
static const range_rule SPECTRUM_CODES[] = {
    {1000, 1000, R(BLOCKED)},     {1010, 1010, R(REJECTED)},
    {1020, 1080, R(REJECTED)},    {1090, 1090, R(SYSTEMERROR)},
    {1100, 1150, R(REQUIREPTR)},  {1160, 1190, R(POLICYVIOLATION)},
    {1200, 1210, R(BLOCKED)},     {1220, 1250, R(BLOCKED)},
    {1260, 1260, R(NETWORKERROR)}, {1300, 1340, R(TOOMANYCONN)},
    {1350, 1490, R(SPEEDING)},    {1500, 1500, R(REJECTED)},
    {1520, 1520, R(REJECTED)},    {1530, 1530, R(MESGTOOBIG)},
    {1540, 1540, R(SPEEDING)},    {1550, 1550, R(SPEEDING)},
    {1560, 1560, R(POLICYVIOLATION)}, {1580, 1580, R(SPEEDING)},
};
static smtpstatus_reason rule_spectrum(const smtpstatus_evidence *ev,
                                       const char *norm, size_t len) {
    long at = ss_find(ss_str_make(norm, len), "aup#", 4);
    size_t i, run = 0;
    int code = 0;
    (void)ev;
    if (at < 0) return R(COUNT_);
    for (i = (size_t)at + 4; i < len && run < 4; i++) {
        if (ss_isdigit((unsigned char)norm[i])) {
            code = code * 10 + (norm[i] - '0');
            run++;
        } else {
            if (norm[i] == ' ') break;
            code = 0;
            run = 0;
        }
    }
    if (run != 4) return R(COUNT_);
    for (i = 0; i < sizeof SPECTRUM_CODES / sizeof SPECTRUM_CODES[0]; i++)
        if (code >= SPECTRUM_CODES[i].lo && code <= SPECTRUM_CODES[i].hi)
            return SPECTRUM_CODES[i].reason;
    return R(COUNT_);
}

/* ---- Tencent QQ (service.mail.qq.com/detail/122) ------------------- */
static const text_rule TENCENT[] = {
    {R(AUTHFAILURE), "spf check failed"},
    {R(AUTHFAILURE), "dmarc check failed"},
    {R(BLOCKED), "suspected bounce attacks"},
    {R(BLOCKED), "suspected spam ip"},
    {R(BLOCKED), "connection denied"},
    {R(MESGTOOBIG), "message too large"},
    {R(SPAMDETECTED), "spam is embedded in the email"},
    {R(SPAMDETECTED), "mail content denied"},
    {R(REJECTED), "suspected spam"},
    {R(REJECTED), "mail is rejected by recipients"},
    {R(SPEEDING), "mailbox unavailable or access denined"},
    {R(SPEEDING), "frequency of receiving messages is limited"},
    {R(SUSPEND), "is a deactivated mailbox"},
    {R(SYNTAXERROR), "bad address syntax"},
    {R(TOOMANYCONN), "ip frequency limited"},
    {R(TOOMANYCONN), "domain frequency limited"},
    {R(TOOMANYCONN), "sender frequency limited"},
    {R(TOOMANYCONN), "connection frequency limited"},
    {R(USERUNKNOWN), "mailbox not found"},
};
static smtpstatus_reason rule_tencent(const smtpstatus_evidence *ev,
                                      const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(TENCENT);
}

/* ---- i.ua (mail.i.ua/err/N/) --------------------------------------- */
static smtpstatus_reason rule_iua(const smtpstatus_evidence *ev,
                                  const char *norm, size_t len) {
    static const smtpstatus_reason codes[11] = {
        R(COUNT_),      R(NORELAYING),  R(USERUNKNOWN), R(SUSPEND),
        R(MAILBOXFULL), R(TOOMANYCONN), R(NORELAYING),  R(BLOCKED),
        R(REJECTED),    R(BLOCKED),     R(FILTERED)};
    long at = ss_find(ss_str_make(norm, len), ".i.ua/err/", 10);
    size_t i;
    int code = 0, digits = 0;
    (void)ev;
    if (at < 0) return R(COUNT_);
    for (i = (size_t)at + 10; i < len && digits < 3; i++) {
        if (!ss_isdigit((unsigned char)norm[i])) break;
        code = code * 10 + (norm[i] - '0');
        digits++;
    }
    if (digits == 0 || i >= len || norm[i] != '/' || code < 1 || code > 10)
        return R(COUNT_);
    return codes[code];
}

/* ---- KDDI au (au.com support) --------------------------------------- */
static smtpstatus_reason rule_kddi(const smtpstatus_evidence *ev,
                                   const char *norm, size_t len) {
    (void)ev;
    /* "550 : User unknown" (no address) is au's reception filter;
     * "550 <addr>: User unknown" is a missing mailbox. */
    if (contains(norm, len, "550 : user unknown")) return R(FILTERED);
    if (contains(norm, len, ">: user unknown")) return R(USERUNKNOWN);
    return R(COUNT_);
}

/* ---- NTT DOCOMO ---------------------------------------------------- */
static smtpstatus_reason rule_docomo(const smtpstatus_evidence *ev,
                                     const char *norm, size_t len) {
    if (status_is(ev, 5, 1, 1)) return R(USERUNKNOWN);
    if (status_is(ev, 5, 2, 0)) return R(FILTERED);
    if (contains(norm, len, "552 too much mail data")) return R(MAILBOXFULL);
    if (contains(norm, len, "503 bad sequence of commands") ||
        contains(norm, len, "504 command parameter not implemented"))
        return R(SYNTAXERROR);
    if (contains(norm, len, "552 too many recipients")) return R(TOOMANYCONN);
    /* A refusal after DATA comes from DOCOMO's reception filters (the
     * recipient was accepted at RCPT), whatever the words say. */
    if (ev->command != NULL &&
        ss_eq_ci(ss_str_make(ev->command, strlen(ev->command)), "DATA"))
        return R(REJECTED);
    if (contains(norm, len, "550 unknown user")) return R(USERUNKNOWN);
    return R(COUNT_);
}

/* ---- Symantec Email Security.cloud (MessageLabs) ------------------- */
static const text_rule MESSAGELABS[] = {
    {R(AUTHFAILURE), "domain authentication fail"},
    {R(BADREPUTATION), "connection rejected by policy"},
    {R(BLOCKED), "mail rejected because your ip is in the pbl"},
    {R(BLOCKED), "your ip address has been"},
    {R(CONTENTERROR), "stray linefeeds in message"},
    {R(FAILEDSTARTTLS), "tls/sslv3 connection required"},
    {R(NORELAYING), " as a relay, "},
    {R(NOTCOMPLIANTRFC), "550 requested action aborted [4]"},
    {R(NOTCOMPLIANTRFC), "has detected that this message is not rfc 5322"},
    {R(REJECTED), "sender envelope domain not allowed for sender ip address"},
    {R(REJECTED), "your domain has been blocked"},
    {R(REJECTED), "your email address has been blocked"},
    {R(REJECTED), "your envelope sender is in my badmailfrom list"},
    {R(REJECTED), "your email address has been blacklisted"},
    {R(REJECTED), "your domain has been blacklisted"},
    {R(SECURITYERROR), "please turn on smtp authentication in your mail client"},
    {R(SPAMDETECTED), "message filtered"},
    {R(SPAMDETECTED), "filtered by outbound scanning"},
    {R(TOOMANYCONN), "too many recipients received this hour"},
    {R(TOOMANYCONN), "too many messages"},
    {R(USERUNKNOWN), "no such user"},
    {R(USERUNKNOWN), "invalid recipient"},
    {R(USERUNKNOWN), "mailbox is not allowed"},
};
static smtpstatus_reason rule_messagelabs(const smtpstatus_evidence *ev,
                                          const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(MESSAGELABS);
}

/* ---- Mimecast (community.mimecast.com "Mimecast SMTP Error Codes") - */
static const text_rule MIMECAST[] = {
    {R(AUTHFAILURE), "spf sender invalid - envelope rejected"},
    {R(AUTHFAILURE), "dkim sender invalid - envelope rejected"},
    {R(AUTHFAILURE), "dmarc sender invalid - envelope rejected"},
    {R(BADREPUTATION), "internal resources are temporarily unavailable"},
    {R(BADREPUTATION), "local ct ip reputation - (reject)"},
    {R(BLOCKED), "sender address blocked"},
    {R(BLOCKED), "recipient temporarily unavailable"},
    {R(BLOCKED), "ip temporarily blacklisted"},
    {R(EXPIRED), "journal messages past the expiration"},
    {R(FAILEDSTARTTLS), "this route requires encryption (tls)"},
    {R(FAILEDSTARTTLS), "this route requires tls version 1.2 or greater"},
    {R(FAILEDSTARTTLS), "this route requires high-strength ciphers"},
    {R(FAILEDSTARTTLS), "configuration is invalid for this certificate"},
    {R(MESGTOOBIG), "maximum email size exceeded"},
    {R(NETWORKERROR), "the incorrect hostname used for inbounds"},
    {R(NETWORKERROR), "mail loop detected"},
    {R(NORELAYING), "open relay not allowed"},
    {R(NORELAYING), "open relay is not allowed"},
    {R(NOTACCEPT), "account inbounds disabled"},
    {R(ONHOLD), "account outbounds disabled"},
    {R(ONHOLD), "hostname is not authorized"},
    {R(ONHOLD), "journal message past expiration"},
    {R(POLICYVIOLATION), "anti-spoofing policy - inbound not allowed"},
    {R(POLICYVIOLATION), "rejected by header-based anti-spoofing policy"},
    {R(POLICYVIOLATION), "message bounced due to content examination policy"},
    {R(POLICYVIOLATION), "host network not allowed"},
    {R(POLICYVIOLATION), "host network, not allowed"},
    {R(REJECTED), "administrative prohibition envelope blocked"},
    {R(REJECTED), "envelope blocked - user entry"},
    {R(REJECTED), "envelope blocked - user domain entry"},
    {R(REJECTED), "rejected by header-based manually blocked senders"},
    {R(REJECTED), "rejected by header-based blocked senders"},
    {R(REJECTED), "envelope rejected - block policy for envelope from address"},
    {R(SECURITYERROR), "incorrect authentication data"},
    {R(SECURITYERROR), "submitter failed to authenticate"},
    {R(SYSTEMERROR), "unable to process connection at this time"},
    {R(SYSTEMERROR), "message ended early"},
    {R(SYSTEMERROR), "unable to process command"},
    {R(SYSTEMERROR), "unable to process an email at this time"},
    {R(TOOMANYCONN), "account service is temporarily unavailable"},
    {R(TOOMANYCONN), "too many recipients"},
    {R(TOOMANYCONN), "exceeding outbound thread limit"},
    {R(USERUNKNOWN), "invalid address"},
    {R(USERUNKNOWN), "user unknown"},
    {R(USERUNKNOWN), "invalid recipient"},
    {R(VIRUSDETECTED), "message contains malware"},
    {R(VIRUSDETECTED), "virus detected"},
};
static smtpstatus_reason rule_mimecast(const smtpstatus_evidence *ev,
                                       const char *norm, size_t len) {
    (void)ev;
    return BY_TEXT(MIMECAST);
}

/* ---- Google Workspace relay (googlemail.com), compat mode only ------
 * sisimai 5.2 (rhost/for-gsuite.go) reads the reports Google's relay
 * writes for Workspace senders; in the default mode the generic rules give
 * the same answers for the user-unknown text, and the DNS texts are left
 * to them. */
static smtpstatus_reason rule_gsuite(const smtpstatus_evidence *ev,
                                     const char *norm, size_t len) {
    int st = ev->status.klass;                  /* 0: none */
    int rc = ev->reply_code > 0 ? ev->reply_code / 100 : 0;
    int nx = contains(norm, len, " responded with code nxdomain") ||
             contains(norm, len, "domain name not found");
    if (contains(norm, len, "because the address couldn't be found. check "
                            "for typos or unnecessary spaces and try again."))
        return R(USERUNKNOWN);
    if (contains(norm, len, "null mx")) return R(NOTACCEPT);
    /* a missing domain when the codes are permanent, a DNS failure while
     * none of them is */
    if (nx && st != 0 && st != 4 && rc != 0 && rc != 4)
        return R(HOSTUNKNOWN);
    if ((nx || contains(norm, len, " had no relevant answers.")) &&
        st != 5 && rc != 5)
        return R(NETWORKERROR);
    return R(COUNT_);
}

/* ---- Provider table ------------------------------------------------ */
static const provider PROVIDERS[] = {
    {"provider rule: Google", rule_google, 0},
    {"provider rule: Microsoft", rule_microsoft, 0},
    {"provider rule: Yahoo", rule_yahoo, 0},
    {"provider rule: AOL", rule_aol, 0},
    {"provider rule: Apple iCloud", rule_apple, 0},
    {"provider rule: Orange/La Poste", rule_franceptt, 0},
    {"provider rule: Cox", rule_cox, 0},
    {"provider rule: GoDaddy", rule_godaddy, 0},
    {"provider rule: Spectrum", rule_spectrum, 0},
    {"provider rule: Tencent QQ", rule_tencent, 0},
    {"provider rule: i.ua", rule_iua, 0},
    {"provider rule: KDDI au", rule_kddi, 0},
    {"provider rule: NTT DOCOMO", rule_docomo, 0},
    {"provider rule: Symantec MessageLabs", rule_messagelabs, 0},
    {"provider rule: Mimecast", rule_mimecast, 0},
    {"provider rule: Google Workspace", rule_gsuite, 1},
};
#define NPROVIDERS (sizeof PROVIDERS / sizeof PROVIDERS[0])

/* The providers' host name suffixes (".l.google.com"), one table per
 * last byte (a name is looked up only in the table of its own last byte),
 * each in the order of PROVIDERS: the first entry that matches names the
 * provider.  Every suffix is lower case and has at least HSUF_MIN
 * bytes. */
#define HSUF_MIN 5
static const hsuf HOSTS_A[] = {
    H(".email.ua", 10),
};
static const hsuf HOSTS_M[] = {
    H("aspmx.l.google.com", 0), H("gmail-smtp-in.l.google.com", 0),
    H(".prod.outlook.com", 1), H(".protection.outlook.com", 1),
    H(".onmicrosoft.com", 1), H(".exchangelabs.com", 1),
    H(".hotmail.com", 1),
    H(".mail.aol.com", 3), H(".mx.aol.com", 3),
    H(".mail.icloud.com", 4), H(".apple.com", 4), H(".me.com", 4),
    H(".qq.com", 9),
    H("msmx.au.com", 11),
    H(".messagelabs.com", 13),
    H(".mimecast.com", 14),
    H("googlemail.com", 15),
};
static const hsuf HOSTS_P[] = {
    H(".ezweb.ne.jp", 11),
    H("mfsmax.docomo.ne.jp", 12),
};
static const hsuf HOSTS_R[] = {
    H(".orange.fr", 5), H(".wanadoo.fr", 5),
};
static const hsuf HOSTS_T[] = {
    H(".yahoodns.net", 2),
    H(".laposte.net", 5),
    H("cox.net", 6),
    H("smtp.secureserver.net", 7), H("mailstore1.secureserver.net", 7),
    H("charter.net", 8),
};
#define NHOSTS(t) (sizeof t / sizeof t[0])

/* The table of the suffixes that end with byte c; *n gets its length (0
 * when there is none). */
static const hsuf *hosts_ending_with(int c, size_t *n) {
    switch (c) {
    case 'a': *n = NHOSTS(HOSTS_A); return HOSTS_A;
    case 'm': *n = NHOSTS(HOSTS_M); return HOSTS_M;
    case 'p': *n = NHOSTS(HOSTS_P); return HOSTS_P;
    case 'r': *n = NHOSTS(HOSTS_R); return HOSTS_R;
    case 't': *n = NHOSTS(HOSTS_T); return HOSTS_T;
    default: *n = 0; return NULL;
    }
}

/* Extra recipient domains of a provider (exact, any case; none yet). */
typedef struct pdomain {
    const char *name;
    unsigned prov; /* index in PROVIDERS */
} pdomain;
static const pdomain DOMAINS[] = {{NULL, 0}};

/* host ends with suffix; a suffix without a leading dot must match the
 * whole name or follow a dot. */
static int host_matches_nn(const char *host, size_t hl, const char *suffix,
                           size_t sl) {
    size_t i;
    if (sl == 0 || sl > hl ||
        ss_lower((unsigned char)host[hl - 1]) != suffix[sl - 1])
        return 0; /* most names differ in their last letter already */
    for (i = 0; i < sl; i++)
        if (ss_lower((unsigned char)host[hl - sl + i]) != suffix[i]) return 0;
    if (suffix[0] == '.' || hl == sl) return 1;
    return host[hl - sl - 1] == '.';
}


/* Host names in records may carry a trailing dot or a bracketed address;
 * compare only the name (at most 255 bytes): its start and length.  The
 * name ends at NUL, " ", "(", ";" or "[". */
static const char *clean_host(const char *h, size_t *len) {
    size_t n;
    while (*h == ' ' || *h == '\t') h++;
    n = strcspn(h, " (;[");
    if (n > 255) n = 255;
    while (n > 0 && h[n - 1] == '.') n--;
    *len = n;
    return h;
}

/* The first provider (index in PROVIDERS) whose host suffixes name
 * (lower case: only the suffixes with the name's last byte are looked at,
 * and those with another fifth byte from the end skipped at once), or
 * NPROVIDERS.  In pass 0 name is the recipient's domain and must be the
 * end of a suffix (sisimai's rule: the domain "icloud.com" names
 * ".mail.icloud.com"), as written (no case folding), and hold a dot;
 * otherwise name is a host name that must end with a suffix. */
static size_t find_provider(const char *name, size_t nl, int domain,
                            int compat) {
    size_t i, best = NPROVIDERS, nhosts;
    const hsuf *hosts;
    int last, fifth;
    if (nl == 0) return NPROVIDERS;
    if (domain) {
        last = (unsigned char)name[nl - 1];
        fifth = nl >= HSUF_MIN ? (unsigned char)name[nl - HSUF_MIN] : -1;
        for (i = 0; DOMAINS[i].name != NULL; i++) {
            if (DOMAINS[i].prov < best &&
                !(PROVIDERS[DOMAINS[i].prov].compat_only && !compat) &&
                ss_eq_ci(ss_str_make(name, nl), DOMAINS[i].name))
                best = DOMAINS[i].prov;
        }
    } else {
        last = ss_lower((unsigned char)name[nl - 1]);
        fifth = nl >= HSUF_MIN ? ss_lower((unsigned char)name[nl - HSUF_MIN])
                               : -1;
    }
    hosts = hosts_ending_with(last, &nhosts);
    for (i = 0; i < nhosts; i++) {
        const hsuf *e = &hosts[i];
        if (fifth >= 0 && (unsigned char)e->s[e->len - HSUF_MIN] != fifth)
            continue;
        if (e->prov >= best) break; /* in the order of PROVIDERS */
        if (PROVIDERS[e->prov].compat_only && !compat) continue;
        if (domain) {
            const char *h = e->s;
            size_t hl = e->len;
            if (h[0] == '.') {
                h++;
                hl--;
            }
            if (!host_matches_nn(h, hl, name, nl)) continue;
            /* (asked only now: most names match no suffix) */
            if (memchr(name, '.', nl) == NULL) return best;
        } else if (!host_matches_nn(name, nl, e->s, e->len)) {
            continue;
        }
        return e->prov;
    }
    return best;
}

smtpstatus_reason ss_rhost_classify(const smtpstatus_evidence *ev,
                                    const char *norm, size_t normlen,
                                    const char **provider_name) {
    const char *name;
    size_t nl, found = NPROVIDERS;
    int compat, has_host;
    if (provider_name) *provider_name = NULL;
    if (ev == NULL || norm == NULL || normlen <= 2) return R(COUNT_);
    /* Three passes, as sisimai: the recipient's domain, then the remote
     * host, then (when there is no remote host) the reporting host: a
     * provider's own relay reports in the provider's words.  In compat
     * mode the reporting host is tried whenever the first two passes
     * found no provider, remote host or not, as sisimai does (a
     * MessageLabs relay reporting another server's "No such user").
     * A recipient domain names a provider when the provider's host names
     * end with it ("icloud.com" for ".mail.icloud.com"), as sisimai
     * matches; a mailbox at gmail.com or yahoo.com says nothing about
     * which host refused it.  Each name is cleaned only when its pass
     * comes. */
    compat = (ev->flags & SMTPSTATUS_E_SISIMAI) != 0;
    has_host = ev->remote_host != NULL && *ev->remote_host != '\0';
    if (ev->recipient_domain && *ev->recipient_domain) {
        name = clean_host(ev->recipient_domain, &nl);
        found = find_provider(name, nl, 1, compat);
    }
    if (found == NPROVIDERS && has_host) {
        name = clean_host(ev->remote_host, &nl);
        found = find_provider(name, nl, 0, compat);
    }
    if (found == NPROVIDERS && ev->reporting_host && *ev->reporting_host &&
        (!has_host || compat)) {
        name = clean_host(ev->reporting_host, &nl);
        found = find_provider(name, nl, 0, compat);
    }
    if (found == NPROVIDERS) return R(COUNT_);
    if (provider_name) *provider_name = PROVIDERS[found].name;
    return PROVIDERS[found].fn(ev, norm, normlen);
}
