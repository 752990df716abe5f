/*
 * decoder.h - the interface between the analyzer and the bounce decoders.
 *
 * A decoder looks at one parsed message (an ss_view) and, when it
 * recognizes the format, fills an ss_bounce with one ss_fact per
 * recipient.  Decoders are listed in one table (decoders.c) and tried in
 * its order; the first that returns SS_DEC_YES wins.  Each decoder lives
 * in its own file under lib/decoders/ and must reject foreign messages
 * cheaply (look at From, Subject and a few headers before reading text).
 *
 * Decoders only extract facts.  The analyzer then parses the diagnostic
 * text for codes the decoder did not fill, classifies (reason, hard/soft)
 * and builds the public records.
 */
#ifndef SS_DECODER_H
#define SS_DECODER_H

#include "mime.h"

/* What a decoder knows about one recipient.  Empty slices mean unknown.
 * Slices point into the message, the view's texts, or the arena.
 * ss_bounce_add sets every field one by one (no memset): a field added
 * here must be set there too. */
typedef struct ss_fact {
    ss_str recipient;       /* the address (may have <>; analyzer cleans) */
    ss_str alias;           /* Original-Recipient / "expanded from" */
    ss_str action;          /* failed, delayed, delivered, relayed, ... */
    ss_str status;          /* "5.1.1" as written */
    ss_str reply_code;      /* "550" */
    ss_str diagnostic;      /* the remote server's words (may be folded) */
    ss_str diagnostic_type; /* "SMTP", "X-Postfix", ... */
    ss_str remote_mta;
    ss_str reporting_mta;   /* overrides the bounce-wide one */
    ss_str command;         /* "RCPT", "DATA", "CONN", ... */
    ss_str feedback_type;   /* ARF */
    ss_str date;            /* Last-Attempt-Date or similar */
    int reason;             /* -1: let the classifier decide; else a
                               smtpstatus_reason the format implies
                               (vacation, feedback, delivered, ...) */
    int hard;               /* -1: from the reason; else 0 or 1 */
} ss_fact;

typedef struct ss_bounce {
    ss_fact *facts;
    size_t nfacts, capfacts;
    const char *decoder;    /* name for records: "RFC3464", "Postfix", ... */
    ss_str reporting_mta;
    ss_str original;        /* the original message (headers first) when
                               the decoder found it inline in the text and
                               there is no message/rfc822 part */
    unsigned warnings;      /* SMTPSTATUS_RW_* */
    ss_arena *arena;
    const smtpstatus_limits *limits;
} ss_bounce;

/* What decoders read.  Computed once per message by the analyzer. */
typedef struct ss_view {
    ss_message *msg;
    ss_part *root;         /* the top-level part: its headers */
    ss_str from;           /* decoded top-level From: */
    ss_str from_addr;      /* the address in it (ss_find_address), or a
                              NULL slice */
    ss_str subject;        /* decoded top-level Subject: */
    /* (no To: few need it, and decoding it for every message cost more
     * than the lookup for those few: ss_part_header(a, root, "To")) */
    ss_str content_type;   /* root->type */
    /* Human-readable text: every text/plain part that is not inside the
     * original message (text/html stripped of tags when there is no
     * text/plain), decoded, UTF-8, LF line ends, joined with "\n".  For a
     * non-MIME message, the body.  Bounded by limits.max_text_scan. */
    ss_str text;
    ss_part *dsn;          /* message/delivery-status or
                              message/global-delivery-status, NULL if none */
    ss_str dsn_text;       /* its decoded body */
    ss_part *feedback;     /* message/feedback-report, NULL if none */
    ss_str feedback_text;
    ss_part *original;     /* message/rfc822, message/global,
                              text/rfc822-headers or
                              message/rfc822-headers, NULL if none */
    ss_str original_text;  /* decoded body of that part (the original
                              message's headers come first) */
} ss_view;

#define SS_DEC_NO 0
#define SS_DEC_YES 1

typedef int (*ss_decode_fn)(const ss_view *v, ss_bounce *out);

typedef struct ss_decoder {
    const char *name;
    ss_decode_fn decode;
} ss_decoder;

/* The table, NULL-terminated, in the order decoders are tried. */
extern const ss_decoder ss_decoders[];

/* What the analyzer does to out before it tries a decoder (and what an
 * entry that tries two decoders does before its second). */
static inline void ss_bounce_begin(ss_bounce *out, const char *name) {
    out->nfacts = 0;
    out->decoder = name;
}

/* A new fact at the end of out->facts, zeroed with reason and hard -1;
 * NULL when out of memory or over limits->max_recipients (the warning is
 * then set on the bounce). */
ss_fact *ss_bounce_add(ss_bounce *out);

/* ---------- helpers decoders share (decoders_util.c) ---------- */

/* Iterate lines of a LF text: *pos starts at 0; returns 1 and the line
 * (without LF) or 0 at the end. */
static inline int ss_next_line(ss_str text, size_t *pos, ss_str *line) {
    /* inline: called once per line by most decoders */
    size_t p = *pos;
    if (p >= text.len || !text.ptr)
        return 0;
    size_t rest = text.len - p, n = ss_byte_offset(text.ptr + p, rest, '\n');
    *line = ss_str_make(text.ptr + p, n);
    *pos = n < rest ? p + n + 1 : text.len;
    return 1;
}

/* A trimmed line that is "<user@domain>:" (qmail-style recipient
 * heading): the text between the brackets, else a NULL slice. */
ss_str ss_angle_colon_addr(ss_str t);

/* Find the first e-mail address in s (with or without <>); returns a
 * slice of s without the brackets, or a NULL slice. */
ss_str ss_find_address(ss_str s);

/* Parse RFC 3464 per-message and per-recipient fields from a
 * delivery-status body into out (one fact per recipient group).  Used by
 * the RFC3464 decoder and by decoders that add to a DSN.  Returns the
 * number of facts added. */
size_t ss_dsn_parse(ss_str dsn_text, ss_bounce *out);

/* smtpstatus_diag_parse without the warnings (out->warnings stays 0; the
 * rest is the same): for the analyzer and decoders, which read only the
 * codes and the text (reply.c). */
smtpstatus_rc ss_diag_codes(const char *buf, size_t len, smtpstatus_diag *out);

#endif
