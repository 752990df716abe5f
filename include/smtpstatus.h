/*
 * smtpstatus.h - the public API of libsmtpstatus.
 *
 * libsmtpstatus turns what mail servers say into answers a program can act
 * on: the registry of SMTP reply codes (RFC 5321 and extensions) and of
 * enhanced mail system status codes (RFC 3463, IANA registry of RFC 5248),
 * strict parsers for reply lines, multi-line replies and DSN diagnostic
 * strings, a classifier that gives a failure a reason and a hard/soft
 * verdict, and a bounce-message analyzer.
 *
 * Conventions:
 *  - Every symbol starts with smtpstatus_ / SMTPSTATUS_.
 *  - Parsers never allocate: they take the caller's buffer and return
 *    slices (pointer + length) into it.
 *  - Functions that can fail return an smtpstatus_rc; nothing aborts.
 *  - There is no global mutable state: the library is thread-safe as long
 *    as one analyzer object is used by one thread at a time.
 *  - Strings handed out in records and registry entries are NUL-terminated
 *    UTF-8.  Registry strings are static; record strings live until the
 *    record callback returns.
 *
 * This header compiles as C99 and as C++.
 */
#ifndef SMTPSTATUS_H
#define SMTPSTATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SMTPSTATUS_BUILDING_DLL)
#define SMTPSTATUS_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define SMTPSTATUS_API __attribute__((visibility("default")))
#else
#define SMTPSTATUS_API
#endif

/* ------------------------------------------------------------------ */
/* Version                                                              */
/* ------------------------------------------------------------------ */

#define SMTPSTATUS_VERSION_MAJOR 0
#define SMTPSTATUS_VERSION_MINOR 1
#define SMTPSTATUS_VERSION_PATCH 0
#define SMTPSTATUS_VERSION_STRING "0.1.0"
/* 0xMMmmpp: compare with >= in #if */
#define SMTPSTATUS_VERSION_NUM                                                 \
    ((SMTPSTATUS_VERSION_MAJOR << 16) | (SMTPSTATUS_VERSION_MINOR << 8) |      \
     SMTPSTATUS_VERSION_PATCH)

/* The version of the library actually linked, e.g. "0.1.0". */
SMTPSTATUS_API const char *smtpstatus_version(void);

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

typedef enum smtpstatus_rc {
    SMTPSTATUS_OK = 0,
    SMTPSTATUS_EINVAL = 1,      /* a NULL or out-of-range argument */
    SMTPSTATUS_ENOMEM = 2,      /* out of memory */
    SMTPSTATUS_ESYNTAX = 3,     /* input does not follow the grammar */
    SMTPSTATUS_EINCOMPLETE = 4, /* input ended before the construct did */
    SMTPSTATUS_ENOTFOUND = 5,   /* nothing of the kind looked for */
    SMTPSTATUS_EIO = 6,         /* a file could not be opened or read */
    SMTPSTATUS_ELIMIT = 7,      /* a hard limit was hit (see limits) */
    SMTPSTATUS_ECALLBACK = 8    /* the caller's callback asked to stop */
} smtpstatus_rc;

/* A static English message for an error code; never NULL. */
SMTPSTATUS_API const char *smtpstatus_strerror(smtpstatus_rc rc);

/* A piece of the caller's buffer. Not NUL-terminated. */
typedef struct smtpstatus_slice {
    const char *ptr;
    size_t len;
} smtpstatus_slice;

/* ------------------------------------------------------------------ */
/* Enhanced status codes (RFC 3463)                                     */
/* ------------------------------------------------------------------ */

/* class.subject.detail, e.g. 5.1.1; klass == 0 means "no status". */
typedef struct smtpstatus_status {
    int klass;   /* 2, 4 or 5 */
    int subject; /* 0..999 */
    int detail;  /* 0..999 */
} smtpstatus_status;

/*
 * Parse a status code at the start of buf (RFC 3463 s2: no white space,
 * no leading zeros, 1-3 digit subject and detail, class 2, 4 or 5).
 * On success *consumed (if not NULL) is the number of bytes of the code.
 * The code must end at the end of buf or before a byte that is not a digit
 * or '.'.  Returns SMTPSTATUS_OK or SMTPSTATUS_ESYNTAX.
 */
SMTPSTATUS_API smtpstatus_rc smtpstatus_status_parse(const char *buf,
                                                     size_t len,
                                                     smtpstatus_status *out,
                                                     size_t *consumed);

/* Write "5.1.1" into buf (at least 12 bytes); returns buf, or "" when the
 * status is empty. */
SMTPSTATUS_API char *smtpstatus_status_format(const smtpstatus_status *st,
                                              char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* The registry                                                         */
/* ------------------------------------------------------------------ */

/* Who normally has to act to make a failure go away. */
typedef enum smtpstatus_actor {
    SMTPSTATUS_ACTOR_NONE = 0,      /* nothing to do (success) */
    SMTPSTATUS_ACTOR_SENDER = 1,    /* the sender or the sending system */
    SMTPSTATUS_ACTOR_RECIPIENT = 2, /* the recipient or their provider */
    SMTPSTATUS_ACTOR_ADMIN = 3,     /* an administrator of either side */
    SMTPSTATUS_ACTOR_NOBODY = 4     /* it resolves itself (wait and retry) */
} smtpstatus_actor;

/* Can sending the same message again succeed? */
typedef enum smtpstatus_retry {
    SMTPSTATUS_RETRY_NO = 0,        /* not without a change */
    SMTPSTATUS_RETRY_YES = 1,       /* yes, later */
    SMTPSTATUS_RETRY_AFTER_FIX = 2, /* once the sender fixes something */
    SMTPSTATUS_RETRY_NA = 3         /* not a failure */
} smtpstatus_retry;

SMTPSTATUS_API const char *smtpstatus_actor_name(smtpstatus_actor a);
SMTPSTATUS_API const char *smtpstatus_retry_name(smtpstatus_retry r);

/* One SMTP reply code. */
typedef struct smtpstatus_reply_info {
    int code;              /* 250, 550, ... */
    const char *text;      /* the RFC text ("Requested action not taken...") */
    const char *meaning;   /* plain words */
    const char *advice;    /* what the sender should do */
    const char *rfcs;      /* "RFC 5321", comma separated; "" if none */
    const char *context;   /* when it is sent ("core", "ETRN command", ...) */
    int standard;          /* 1 registered/standard, 0 seen in the wild */
    smtpstatus_retry retry;
    smtpstatus_actor actor;
} smtpstatus_reply_info;

/* One enhanced status code, or a class or subject. */
typedef struct smtpstatus_status_info {
    int klass;             /* 0 for an X.y.z entry */
    int subject;           /* -1 for a class entry */
    int detail;            /* -1 for a class or subject entry */
    const char *code;      /* "X.1.1", "X.1.YYY", "5.XXX.YYY" */
    const char *name;      /* IANA short name */
    const char *meaning;   /* plain words */
    const char *advice;    /* what the sender should do (permanent use) */
    const char *reply_codes; /* associated basic codes, "451, 550" */
    const char *classes;   /* where meaningful: "permanent", "transient",
                              "both", "success", "any", "not stated" */
    const char *rfcs;      /* "RFC 3463" ... */
    int standard;          /* 1 in the IANA registry, 0 seen in the wild */
    smtpstatus_retry retry_permanent; /* when used with class 5 */
    smtpstatus_retry retry_transient; /* when used with class 4 */
    smtpstatus_actor actor;
} smtpstatus_status_info;

/* Lookups return NULL when the code is unknown. Entries are static. */
SMTPSTATUS_API const smtpstatus_reply_info *smtpstatus_reply_lookup(int code);
/* Returns the entry for X.subject.detail (detail -1: the subject entry). */
SMTPSTATUS_API const smtpstatus_status_info *
smtpstatus_status_lookup(int subject, int detail);
/* The class entry for 2, 4 or 5. */
SMTPSTATUS_API const smtpstatus_status_info *smtpstatus_class_lookup(int klass);
/* Meaning of the first and second digit of a reply code (RFC 5321 4.2.1). */
SMTPSTATUS_API const char *smtpstatus_reply_digit_meaning(int position,
                                                          int digit);

/* Iterate: index 0..count-1. */
SMTPSTATUS_API size_t smtpstatus_reply_count(void);
SMTPSTATUS_API const smtpstatus_reply_info *smtpstatus_reply_at(size_t i);
SMTPSTATUS_API size_t smtpstatus_status_count(void);
SMTPSTATUS_API const smtpstatus_status_info *smtpstatus_status_at(size_t i);

/* ------------------------------------------------------------------ */
/* Reply parsing (RFC 5321 s4.2, RFC 2034)                              */
/* ------------------------------------------------------------------ */

/* Warning flags: the input was accepted but broke a SHOULD or a rule. */
#define SMTPSTATUS_W_BARE_CODE       0x0001u /* "550" without text */
#define SMTPSTATUS_W_LONG_LINE       0x0002u /* line over 512 octets */
#define SMTPSTATUS_W_CLASS_MISMATCH  0x0004u /* 550 with 4.x.x */
#define SMTPSTATUS_W_STATUS_DIFFERS  0x0008u /* lines carry other codes */
#define SMTPSTATUS_W_STATUS_MISSING  0x0010u /* a line lacks the code */
#define SMTPSTATUS_W_UNREGISTERED    0x0020u /* status not in the registry */
#define SMTPSTATUS_W_LONG_DETAIL     0x0040u /* 3-digit detail (5.7.606) */
#define SMTPSTATUS_W_NONSTANDARD     0x0080u /* reply code not standard */
#define SMTPSTATUS_W_BARE_LF         0x0100u /* line ended with LF alone */
#define SMTPSTATUS_W_8BIT            0x0200u /* octets outside 9,32-126 */
#define SMTPSTATUS_W_NO_SPACE_AFTER_STATUS 0x0400u /* "5.1.1:" (lenient) */
#define SMTPSTATUS_W_STATUS_NOT_EXPECTED 0x0800u /* status on a 3xx reply */
#define SMTPSTATUS_W_NO_EOL          0x1000u /* last line had no line end */
#define SMTPSTATUS_W_UNKNOWN_CODE    0x2000u /* reply code not registered */
#define SMTPSTATUS_W_HASH_STATUS     0x4000u /* "#5.1.1" Exchange style */

/* Name of one warning bit ("bare_code", ...), NULL if not a single bit. */
SMTPSTATUS_API const char *smtpstatus_warning_name(unsigned bit);
/* Plain-words description of one warning bit. */
SMTPSTATUS_API const char *smtpstatus_warning_text(unsigned bit);

/* Parse options. */
#define SMTPSTATUS_P_STRICT   0x01u /* CRLF only; "5.1.1:" is not a status */
#define SMTPSTATUS_P_EOF_ENDS 0x02u /* end of input ends the last line */

typedef struct smtpstatus_reply {
    int code;                 /* 200..559 */
    smtpstatus_status status; /* from the first line; klass 0 if none */
    smtpstatus_slice text;    /* text of the first line, after codes */
    size_t nlines;            /* lines in this reply */
    size_t consumed;          /* bytes of input used by this reply */
    unsigned warnings;        /* SMTPSTATUS_W_* */
    /* on error: */
    size_t error_offset;      /* byte offset of the problem */
    const char *error;        /* static description of the problem */
} smtpstatus_reply;

/*
 * Parse one reply (single or multi-line) at the start of buf.  Returns
 * SMTPSTATUS_OK, SMTPSTATUS_ESYNTAX (error/error_offset say why and where)
 * or SMTPSTATUS_EINCOMPLETE (more input needed).  Call again at
 * buf + consumed for the next reply.
 */
SMTPSTATUS_API smtpstatus_rc smtpstatus_reply_parse(const char *buf,
                                                    size_t len,
                                                    unsigned options,
                                                    smtpstatus_reply *out);

/*
 * Iterate over the lines of a parsed reply: *pos starts at 0; each call
 * returns SMTPSTATUS_OK and the text of the next line (after the reply
 * code, separator and the status code when present), or
 * SMTPSTATUS_ENOTFOUND after the last line.
 */
SMTPSTATUS_API smtpstatus_rc smtpstatus_reply_line(const char *buf,
                                                   const smtpstatus_reply *r,
                                                   size_t *pos,
                                                   smtpstatus_slice *text);

/* What a diagnostic string holds (any of the forms `explain` accepts). */
typedef struct smtpstatus_diag {
    smtpstatus_slice type;    /* "smtp" of "smtp; 550 ..." (may be empty) */
    int reply_code;           /* 0 if none */
    smtpstatus_status status; /* klass 0 if none */
    smtpstatus_slice text;    /* the words after the codes */
    unsigned warnings;        /* SMTPSTATUS_W_* */
} smtpstatus_diag;

/*
 * Find the reply code and status code in a diagnostic string: a bare code
 * ("550", "5.1.1", "550 5.1.1"), a reply, a DSN Diagnostic-Code value
 * ("smtp; 550 5.1.1 ..."), Exchange style ("#5.1.1 smtp;550 ..."), or free
 * text ("host x said: 550 5.7.1 ...").  Returns SMTPSTATUS_OK when it found
 * a code, SMTPSTATUS_ENOTFOUND when there is none (out->text then holds
 * the trimmed input).
 */
SMTPSTATUS_API smtpstatus_rc smtpstatus_diag_parse(const char *buf,
                                                   size_t len,
                                                   smtpstatus_diag *out);

/*
 * Iterate over the pieces of out->text of smtpstatus_diag_parse(): a
 * multi-line reply flattened into one value ("550-5.2.1 ... Learn more at
 * 550 5.2.1 https://...") repeats the codes of each line inside the text;
 * this yields the text with those repeated prefixes left out.  *pos starts
 * at 0; each call returns SMTPSTATUS_OK and the next trimmed piece, or
 * SMTPSTATUS_ENOTFOUND after the last one.  (Added by the parser work:
 * slices cannot skip bytes in the middle.)
 */
SMTPSTATUS_API smtpstatus_rc smtpstatus_diag_text_next(const smtpstatus_diag *d,
                                                       size_t *pos,
                                                       smtpstatus_slice *piece);

/* ------------------------------------------------------------------ */
/* Reasons and classification                                           */
/* ------------------------------------------------------------------ */

typedef enum smtpstatus_reason {
    SMTPSTATUS_R_UNDEFINED = 0,
    SMTPSTATUS_R_AUTHFAILURE,
    SMTPSTATUS_R_BADREPUTATION,
    SMTPSTATUS_R_BLOCKED,
    SMTPSTATUS_R_CONTENTERROR,
    SMTPSTATUS_R_DELIVERED,
    SMTPSTATUS_R_EXCEEDLIMIT,
    SMTPSTATUS_R_EXPIRED,
    SMTPSTATUS_R_FAILEDSTARTTLS,
    SMTPSTATUS_R_FEEDBACK,
    SMTPSTATUS_R_FILTERED,
    SMTPSTATUS_R_HASMOVED,
    SMTPSTATUS_R_HOSTUNKNOWN,
    SMTPSTATUS_R_MAILBOXFULL,
    SMTPSTATUS_R_MAILERERROR,
    SMTPSTATUS_R_MESGTOOBIG,
    SMTPSTATUS_R_NETWORKERROR,
    SMTPSTATUS_R_NORELAYING,
    SMTPSTATUS_R_NOTACCEPT,
    SMTPSTATUS_R_NOTCOMPLIANTRFC,
    SMTPSTATUS_R_ONHOLD,
    SMTPSTATUS_R_POLICYVIOLATION,
    SMTPSTATUS_R_REJECTED,
    SMTPSTATUS_R_REQUIREPTR,
    SMTPSTATUS_R_SECURITYERROR,
    SMTPSTATUS_R_SPAMDETECTED,
    SMTPSTATUS_R_SPEEDING,
    SMTPSTATUS_R_SUPPRESSED,
    SMTPSTATUS_R_SUSPEND,
    SMTPSTATUS_R_SYNTAXERROR,
    SMTPSTATUS_R_SYSTEMERROR,
    SMTPSTATUS_R_SYSTEMFULL,
    SMTPSTATUS_R_TOOMANYCONN,
    SMTPSTATUS_R_USERUNKNOWN,
    SMTPSTATUS_R_VACATION,
    SMTPSTATUS_R_VIRUSDETECTED,
    SMTPSTATUS_R_NOT_A_BOUNCE,
    SMTPSTATUS_R_COUNT_
} smtpstatus_reason;

/* "userunknown", ...; "not_a_bounce"; NULL when out of range. */
SMTPSTATUS_API const char *smtpstatus_reason_name(smtpstatus_reason r);
/* The reason for a name, accepting the newer aliases emailtoolarge and
 * ratelimited; SMTPSTATUS_R_COUNT_ when unknown. */
SMTPSTATUS_API smtpstatus_reason smtpstatus_reason_from_name(const char *name);
/* One sentence: what the reason means. */
SMTPSTATUS_API const char *smtpstatus_reason_meaning(smtpstatus_reason r);
/* One sentence: what the sender should do. */
SMTPSTATUS_API const char *smtpstatus_reason_advice(smtpstatus_reason r);
/* Industry-style category: "hard", "soft", "block", "admin",
 * "undetermined", or "none" for non-failures. */
SMTPSTATUS_API const char *smtpstatus_reason_bounce_type(smtpstatus_reason r);

/* Everything the classifier can use about one failure. */
typedef struct smtpstatus_evidence {
    int reply_code;            /* 0 if unknown */
    smtpstatus_status status;  /* klass 0 if unknown */
    const char *command;       /* "RCPT", "DATA", ...; NULL if unknown */
    const char *text;          /* diagnostic text (any case); may be NULL */
    size_t text_len;
    const char *action;        /* DSN Action ("failed", "delayed"...) or NULL */
    const char *diagnostic_type; /* "SMTP", "X-Unix", ... or NULL */
    const char *remote_host;   /* remote MTA host name, NULL if unknown */
    const char *recipient_domain; /* NULL if unknown */
    const char *reporting_host; /* reporting MTA host name, NULL if unknown */
    unsigned flags;            /* SMTPSTATUS_E_* */
} smtpstatus_evidence;

/* Evidence flags. */
/* Classify as sisimai 5.2 does where its rules differ from ours, for
 * users who need its answers one to one: a "user unknown" text (by
 * sisimai's own, shorter phrase list) whose failed command is not known
 * to come before DATA is "filtered" there ("userunknown" by default
 * here); a local delivery agent's message (mail.local, procmail,
 * maildrop, vpopmail, vmailmgr, dovecot) decides first; provider rules
 * also look at the reporting host.  docs/corpus-differences.md has the
 * details. */
#define SMTPSTATUS_E_SISIMAI 0x01u

typedef struct smtpstatus_verdict {
    smtpstatus_reason reason;
    int hard_bounce;           /* 1 suppress the address now, 0 not */
    const char *why;           /* static: which rule decided */
} smtpstatus_verdict;

/* Classify one failure. Never fails; reason UNDEFINED when nothing fits. */
SMTPSTATUS_API void smtpstatus_classify(const smtpstatus_evidence *ev,
                                        smtpstatus_verdict *out);

/* The hard/soft rule alone (see the docs): 1 hard, 0 soft. */
SMTPSTATUS_API int smtpstatus_is_hard_bounce(smtpstatus_reason r,
                                             int reply_code,
                                             const smtpstatus_status *st,
                                             const char *text,
                                             size_t text_len);

/* ------------------------------------------------------------------ */
/* Explain: all of the above for one input string                       */
/* ------------------------------------------------------------------ */

typedef struct smtpstatus_explanation {
    int reply_code;                        /* 0 if none */
    smtpstatus_status status;              /* klass 0 if none */
    const char *klass;                     /* "permanent", "transient",
                                              "success", "intermediate",
                                              or NULL */
    const char *subject;                   /* subject name, or NULL */
    const smtpstatus_reply_info *reply;    /* NULL if unknown */
    const smtpstatus_status_info *status_info; /* NULL if unknown */
    smtpstatus_slice text;                 /* the words after the codes */
    smtpstatus_verdict verdict;            /* reason, hard_bounce */
    smtpstatus_retry retry;
    smtpstatus_actor actor;
    const char *advice;                    /* what the sender should do */
    int consistent;                        /* reply code and status agree */
    unsigned warnings;                     /* SMTPSTATUS_W_* */
} smtpstatus_explanation;

/* Explain one code or reply.  Returns SMTPSTATUS_ENOTFOUND when the input
 * holds no code at all (out->text is still set, and the verdict comes
 * from the text alone). */
SMTPSTATUS_API smtpstatus_rc smtpstatus_explain(const char *buf, size_t len,
                                                smtpstatus_explanation *out);

/* ------------------------------------------------------------------ */
/* Bounce analysis                                                      */
/* ------------------------------------------------------------------ */

/* Hard limits.  Zero in a field means "use the default". */
typedef struct smtpstatus_limits {
    size_t max_message_size;   /* bytes; default 64 MiB */
    size_t max_header_size;    /* bytes of one header block; 1 MiB */
    size_t max_line_length;    /* bytes; 1 MiB (longer lines are cut) */
    size_t max_mime_depth;     /* multipart nesting; 32 */
    size_t max_parts;          /* MIME parts per message; 1000 */
    size_t max_recipients;     /* records per message; 10000 */
    size_t max_text_scan;      /* bytes of body text decoders read; 1 MiB */
} smtpstatus_limits;

/* Fill *l with the defaults. */
SMTPSTATUS_API void smtpstatus_limits_default(smtpstatus_limits *l);

/* Options for an analyzer. */
#define SMTPSTATUS_O_ALL       0x01u /* records for non-bounces too */
#define SMTPSTATUS_O_DELIVERED 0x02u /* keep delivered/relayed records */
#define SMTPSTATUS_O_VACATION  0x04u /* keep auto-replies */
#define SMTPSTATUS_O_SISIMAI   0x08u /* classify as sisimai does where it
                                        differs (SMTPSTATUS_E_SISIMAI) */

typedef struct smtpstatus_options {
    unsigned flags;            /* SMTPSTATUS_O_* */
    smtpstatus_limits limits;
} smtpstatus_options;

/* Record warning flags (limits hit, problems the decoder saw). */
#define SMTPSTATUS_RW_TRUNCATED     0x01u /* message over max_message_size */
#define SMTPSTATUS_RW_HEADER_LIMIT  0x02u
#define SMTPSTATUS_RW_LINE_LIMIT    0x04u
#define SMTPSTATUS_RW_DEPTH_LIMIT   0x08u
#define SMTPSTATUS_RW_PARTS_LIMIT   0x10u
#define SMTPSTATUS_RW_RCPT_LIMIT    0x20u
#define SMTPSTATUS_RW_BAD_MIME      0x40u /* unclosed boundary, bad base64 */
#define SMTPSTATUS_RW_CHARSET       0x80u /* unknown charset, kept as is */
#define SMTPSTATUS_RW_TEXT_LIMIT    0x100u

/* Name of one record warning bit ("truncated", ...). */
SMTPSTATUS_API const char *smtpstatus_record_warning_name(unsigned bit);

/* One result: one recipient of one message.  Strings are never NULL
 * ("" when unknown) and are valid until the callback returns. */
typedef struct smtpstatus_record {
    const char *source;          /* path, with ":N" inside an mbox */
    const char *recipient;
    const char *alias;           /* Original-Recipient / expanded from */
    const char *action;          /* failed, delayed, delivered, ... */
    const char *status;          /* "5.1.1" or "" */
    const char *reply_code;      /* "550" or "" */
    smtpstatus_reason reason;
    int hard_bounce;
    const char *diagnostic_code;
    const char *diagnostic_type;
    const char *remote_mta;
    const char *reporting_mta;
    const char *smtp_command;
    const char *decoder;         /* "RFC3464", "Postfix", ... */
    const char *feedback_type;
    const char *message_id;      /* of the original message */
    const char *subject;
    const char *addresser;
    const char *list_id;
    const char *date;            /* Date: of the bounce, as written */
    long long timestamp;         /* of the bounce, seconds since epoch; 0 */
    const char *timezone_offset; /* "+0900" or "" */
    unsigned warnings;           /* SMTPSTATUS_RW_* */
    size_t message_number;       /* 1-based, in its source */
} smtpstatus_record;

/* Return 0 to go on, anything else to stop (the call then returns
 * SMTPSTATUS_ECALLBACK). */
typedef int (*smtpstatus_record_fn)(const smtpstatus_record *rec, void *user);
/* A message or input that could not be read, or a limit hit. */
typedef void (*smtpstatus_problem_fn)(const char *source, const char *what,
                                      void *user);

typedef struct smtpstatus_stats {
    size_t inputs;      /* files/paths opened */
    size_t messages;    /* messages read */
    size_t bounces;     /* messages recognized as bounces/reports */
    size_t not_bounces; /* messages that are not bounces */
    size_t records;     /* records handed out */
    size_t failed;      /* inputs or messages that could not be read */
    size_t warnings;    /* records or messages with a limit hit */
    unsigned long long bytes; /* bytes read */
} smtpstatus_stats;

typedef struct smtpstatus_analyzer smtpstatus_analyzer;

/* Create an analyzer; opts may be NULL for defaults.  NULL on no memory. */
SMTPSTATUS_API smtpstatus_analyzer *
smtpstatus_analyzer_new(const smtpstatus_options *opts);
/* Free it; NULL is fine. */
SMTPSTATUS_API void smtpstatus_analyzer_free(smtpstatus_analyzer *an);
/* Where problems go (default: nowhere; they still count in stats). */
SMTPSTATUS_API void smtpstatus_analyzer_on_problem(smtpstatus_analyzer *an,
                                                   smtpstatus_problem_fn fn,
                                                   void *user);

/* Analyze one message held in memory.  source names it in records. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_analyze_message(
    smtpstatus_analyzer *an, const char *buf, size_t len, const char *source,
    size_t message_number, smtpstatus_record_fn fn, void *user);

/* Analyze a buffer that holds one message or an mbox (detected). */
SMTPSTATUS_API smtpstatus_rc smtpstatus_analyze_buffer(
    smtpstatus_analyzer *an, const char *buf, size_t len, const char *source,
    smtpstatus_record_fn fn, void *user);

/* Analyze a path: a message file, an mbox, a Maildir or a folder (read
 * recursively, in sorted order), or "-" for standard input.  Large files
 * are streamed. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_analyze_path(smtpstatus_analyzer *an,
                                                     const char *path,
                                                     smtpstatus_record_fn fn,
                                                     void *user);

/* Analyze what a file descriptor gives (a pipe, stdin); name is used as
 * the source. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_analyze_fd(smtpstatus_analyzer *an,
                                                   int fd, const char *name,
                                                   smtpstatus_record_fn fn,
                                                   void *user);

/* ------------------------------------------------------------------ */
/* Reading messages without analyzing them                              */
/* ------------------------------------------------------------------ */

/* A reader walks a path (file, mbox, Maildir, folder, "-") and hands out
 * one message at a time, streaming: memory does not grow with the size of
 * an mbox.  Used by smtpstatus_analyze_path(); exposed so that callers
 * can spread messages over threads (one analyzer per thread). */
typedef struct smtpstatus_reader smtpstatus_reader;

/* Open a path; NULL with *rc set on failure (EIO: cannot open).  A NULL
 * path makes a reader with nothing to read (smtpstatus_reader_next()
 * gives SMTPSTATUS_ENOTFOUND) until smtpstatus_reader_reopen(). */
SMTPSTATUS_API smtpstatus_reader *
smtpstatus_reader_open(const char *path, const smtpstatus_limits *limits,
                       smtpstatus_rc *rc);
/* Read from a file descriptor (not closed by the reader). */
SMTPSTATUS_API smtpstatus_reader *
smtpstatus_reader_open_fd(int fd, const char *name,
                          const smtpstatus_limits *limits, smtpstatus_rc *rc);

typedef struct smtpstatus_message {
    const char *data;        /* the message, mbox quoting undone */
    size_t len;
    const char *source;      /* "path" or "path:N" (NUL-terminated) */
    size_t number;           /* 1-based within its file */
    unsigned warnings;       /* SMTPSTATUS_RW_* (e.g. truncated) */
} smtpstatus_message;

/* The next message: SMTPSTATUS_OK, SMTPSTATUS_ENOTFOUND at the end, or an
 * error for the current input (EIO, ELIMIT) after which the reader goes
 * on with the next input on the next call; *what then says what failed
 * and msg->source names where.  msg stays valid until the next call. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_reader_next(smtpstatus_reader *r,
                                                    smtpstatus_message *msg,
                                                    const char **what);
SMTPSTATUS_API void smtpstatus_reader_close(smtpstatus_reader *r);

/* Walk without reading, to hand whole files to threads: the path of the
 * next regular file of the walk (*path, valid until the next call on r),
 * in the order smtpstatus_reader_next() would read them;
 * SMTPSTATUS_ENOTFOUND at the end, or an error for the current input as
 * smtpstatus_reader_next() gives it (*what says what failed, *path names
 * where; the walk goes on on the next call): a path that cannot be
 * stat()ed, that is neither a regular file nor a directory, a directory
 * that cannot be opened or nests too deep.  Files are neither opened nor
 * read (a folder entry that readdir() says is a regular file is not even
 * stat()ed), so empty and unreadable files are handed out too: reading
 * them (smtpstatus_reader_reopen()) says so, as smtpstatus_reader_next()
 * would.  SMTPSTATUS_EINVAL for a reader of a descriptor or "-", and
 * while smtpstatus_reader_next() is in the middle of a file. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_reader_next_path(smtpstatus_reader *r,
                                                         const char **path,
                                                         const char **what);
/* Make r read path from the start, as a reader smtpstatus_reader_open()
 * made for path would, keeping r's buffers (a thread reading the files
 * smtpstatus_reader_next_path() handed out, one after another: r may be
 * made with a NULL path for that); what r was reading or walking is
 * dropped.  Unlike smtpstatus_reader_open(), the path is opened before it
 * is looked at (O_NONBLOCK, as the walk opens a folder entry), and one
 * that cannot be opened is said by the next smtpstatus_reader_next()
 * ("cannot open: ...").  The path's directory is opened too, and kept
 * open for the next path reopen() is given in the same directory (so a
 * file is one name looked up, not the whole path), until a path in another
 * directory, or smtpstatus_reader_close(): as a walk reads a directory it
 * keeps open, a name is looked up in that directory as it was opened (one
 * that is not found there is looked up by the whole path).
 * SMTPSTATUS_OK, or SMTPSTATUS_ENOMEM / SMTPSTATUS_EINVAL (then r is as it
 * was). */
SMTPSTATUS_API smtpstatus_rc smtpstatus_reader_reopen(smtpstatus_reader *r,
                                                      const char *path);

/* Parts of one big mbox, for threads that read and analyze it side by
 * side (smtpstatus bounce -j).  A part is the messages whose separator
 * line ("From ...") starts in a byte range [start, end) of the file;
 * ranges that meet and cover the file give its messages, each once, as
 * smtpstatus_reader_next() would (same data, numbers and warnings).
 *
 * smtpstatus_mbox_parts(): SMTPSTATUS_OK when path can be read in parts
 * (a regular file that starts with "From " and whose first line ends in
 * LF: not a bare-CR mbox), with *size its size; SMTPSTATUS_EINVAL when
 * it cannot (read it with smtpstatus_reader_next()); SMTPSTATUS_EIO when
 * it cannot be opened or read (errno says why). */
#define SMTPSTATUS_MBOX_PART_MAX ((size_t)255 << 10)
SMTPSTATUS_API smtpstatus_rc smtpstatus_mbox_parts(const char *path,
                                                   unsigned long long *size);
/* Make r read one part (end - start at most SMTPSTATUS_MBOX_PART_MAX, end
 * > start): its bytes are read now, and *count is the number of
 * separators in it (the messages it holds, empty ones too).  Its last
 * message is read to its end, past end.  What r was reading or walking
 * is dropped.  Before smtpstatus_reader_next(), say with
 * smtpstatus_reader_part_number() how many separators come before start
 * (the sum of the counts of the parts before it): the messages'
 * numbers, and so their source names ("path:N"), follow from it.
 * SMTPSTATUS_OK; SMTPSTATUS_EIO with *what saying what failed ("cannot
 * open: ...", "read error: ..."); SMTPSTATUS_EINVAL (bad arguments, or
 * the file is no longer one smtpstatus_mbox_parts() accepts);
 * SMTPSTATUS_ENOMEM. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_reader_reopen_part(
    smtpstatus_reader *r, const char *path, unsigned long long start,
    unsigned long long end, size_t *count, const char **what);
SMTPSTATUS_API smtpstatus_rc smtpstatus_reader_part_number(smtpstatus_reader *r,
                                                           size_t before);

/* Analyze a message a reader handed out, as smtpstatus_analyze_path does:
 * like smtpstatus_analyze_message, and what the reader found (msg->warnings:
 * the message was cut at the size limit) goes into the records' warnings
 * and the message's problem line.  msg need only stay valid during the
 * call; another thread may have read it (one analyzer per thread). */
SMTPSTATUS_API smtpstatus_rc smtpstatus_analyze_read(
    smtpstatus_analyzer *an, const smtpstatus_message *msg,
    smtpstatus_record_fn fn, void *user);

/* Analyze every message the reader rd gives, in order, as
 * smtpstatus_analyze_path() analyzes the reader it opens (on a path
 * given to smtpstatus_reader_reopen(), say): a problem of the reader goes
 * to the problem callback, counts in stats.failed, and the run goes on.
 * When name is not NULL and rd gave neither a message nor a problem, name
 * is said to hold no message ("no message in it (empty file)", counted in
 * stats.failed, SMTPSTATUS_ENOTFOUND) unless it is a directory.  rd is
 * not closed; stats.inputs is not counted.  The worst code met, or
 * SMTPSTATUS_ECALLBACK as soon as fn asks to stop. */
SMTPSTATUS_API smtpstatus_rc smtpstatus_analyze_reader(
    smtpstatus_analyzer *an, smtpstatus_reader *rd, const char *name,
    smtpstatus_record_fn fn, void *user);

/* Counters since the analyzer was made. */
SMTPSTATUS_API void smtpstatus_analyzer_stats(const smtpstatus_analyzer *an,
                                              smtpstatus_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* SMTPSTATUS_H */
