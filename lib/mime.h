/*
 * mime.h - the MIME model of one message: header blocks, the multipart
 * tree, transfer decoding (base64, quoted-printable), RFC 2047 encoded
 * words and charset conversion to UTF-8.
 *
 * Everything is allocated in the analyzer's arena and lives until the
 * arena is reset after the message.  Nothing here aborts; limits hit are
 * reported as SMTPSTATUS_RW_* bits in ss_message.warnings.
 */
#ifndef SS_MIME_H
#define SS_MIME_H

#include "util.h"

typedef struct ss_header {
    ss_str name;  /* as written, no colon */
    ss_str value; /* raw value: leading white space removed, folding kept */
} ss_header;

/* Name index of a header block (see ss_part.hidx), built by ss_mime_parse
 * for blocks of more than a few headers: headers chained by a bucket
 * chosen from the name's length and its first and last letters (case
 * folded), so a lookup compares only the few names of one bucket instead
 * of all of them.  Chains keep document order: the first match is the
 * first header of that name, as ss_header_raw finds it.  Only mime.c
 * builds it; it is here for the inline part of ss_part_header_raw_n. */
#define SS_HIDX_BUCKETS 64
typedef struct ss_header_index {
    uint32_t head[SS_HIDX_BUCKETS]; /* first header + 1 of each bucket, 0: none */
    uint32_t next[];                /* per header: next one + 1 in its bucket */
} ss_header_index;

/* The bucket of a header name (len > 0).  Case folded by setting bit
 * 0x20: a letter meets its other case (a few other pairs of bytes meet
 * too, which only share a bucket).  For a literal name the compiler
 * works it out. */
static inline unsigned ss_hidx_bucket(const char *name, size_t len) {
    unsigned first = (unsigned char)name[0] | 0x20u;
    unsigned last = (unsigned char)name[len - 1] | 0x20u;
    return ((unsigned)len * 7u + first * 3u + last) & (SS_HIDX_BUCKETS - 1);
}

typedef struct ss_part ss_part;
struct ss_part {
    ss_header *headers;
    size_t nheaders;
    ss_str type;     /* lower case "type/subtype"; "text/plain" if absent */
    ss_str boundary; /* multipart boundary parameter (as written); only
                      * looked for in a multipart/... part */
    ss_str charset;  /* lower case charset parameter, may be empty; see
                      * ss_part_charset */
    ss_str cte;      /* lower case Content-Transfer-Encoding */
    ss_str raw;      /* the body as in the message (not decoded) */
    ss_str text;     /* decoded body in UTF-8, LF line ends; see ss_part_text */
    int text_done;   /* text has been computed */
    int charset_done; /* charset has been looked for */
    ss_str ctype;    /* the raw Content-Type when it has more than the
                      * type (it may have parameters), else NULL (the
                      * ARF decoder reads report-type from it) */
    int depth;       /* 0 for the message itself */
    ss_part *parent, *child, *next;
    const ss_header_index *hidx; /* index of headers, or NULL: lookups scan */
};

typedef struct ss_message {
    ss_str data;       /* the whole message, line ends normalized to LF */
    ss_part *root;     /* top-level headers and body */
    ss_part **parts;   /* every part in document order (root first) */
    size_t nparts;
    unsigned warnings; /* SMTPSTATUS_RW_* */
    ss_arena *arena;
    const smtpstatus_limits *limits;
    int data_no_cr;    /* data holds no CR (set by ss_mime_parse) */
    int data_ascii;    /* data holds only bytes < 0x80 (set by ss_mime_parse
                        * when it knows; 0: it may hold others) */
} ss_message;

/* Parse a message (any line ends: LF, CRLF, CR) into *out.  Returns
 * SMTPSTATUS_OK, or SMTPSTATUS_ENOMEM; malformed MIME is not an error
 * (warnings say what was wrong and the parse keeps what it can). */
smtpstatus_rc ss_mime_parse(ss_arena *a, const smtpstatus_limits *lim,
                            const char *buf, size_t len, ss_message *out);

/* Parse a header block (up to the first empty line or the end of block)
 * into headers; *body_off gets the offset of the body (after the empty
 * line), or block.len when there is none.  Works on LF text. */
smtpstatus_rc ss_parse_headers(ss_arena *a, const smtpstatus_limits *lim,
                               ss_str block, ss_header **out, size_t *n,
                               size_t *body_off, unsigned *warnings);

/* The raw value of the first header of that name (case-insensitive), or
 * an empty slice with ptr NULL when absent. */
ss_str ss_header_raw(const ss_header *h, size_t n, const char *name);
/* ss_header_raw on a part's headers, through its index when it has one. */
ss_str ss_part_header_raw_idx(const ss_part *p, const char *name);

/* The value unfolded, RFC 2047 words decoded to UTF-8, trimmed. */
ss_str ss_header_value(ss_arena *a, const ss_header *h, size_t n,
                       const char *name);
/* ss_header_value on a part's headers, through its index when it has one. */
ss_str ss_part_header_value(ss_arena *a, const ss_part *p, const char *name);
/* What ss_header_value gives for a header whose raw value is raw (a NULL
 * slice: none), without a lookup. */
ss_str ss_header_decode(ss_arena *a, ss_str raw);

/* The same with the length of name given (len == strlen(name)).  The
 * macros below pass strlen(name), which the compiler folds for a string
 * literal: the lookups of the decoders then do not measure the name.
 * The functions above stay (for their address); the macros evaluate
 * name twice. */
ss_str ss_header_raw_n(const ss_header *h, size_t n, const char *name,
                       size_t len);
ss_str ss_header_value_n(ss_arena *a, const ss_header *h, size_t n,
                         const char *name, size_t len);
ss_str ss_part_header_value_n(ss_arena *a, const ss_part *p, const char *name,
                              size_t len);
#define ss_header_raw(h, n, name) ss_header_raw_n((h), (n), (name), strlen(name))
#define ss_part_header_raw_idx(p, name)                                      \
    ss_part_header_raw_n((p), (name), strlen(name))
#define ss_header_value(a, h, n, name)                                       \
    ss_header_value_n((a), (h), (n), (name), strlen(name))
#define ss_part_header_value(a, p, name)                                     \
    ss_part_header_value_n((a), (p), (name), strlen(name))

/* ss_part_header_raw_n from bucket chain j (> 0) of p->hidx on. */
ss_str ss_part_header_chain(const ss_part *p, uint32_t j, const char *name,
                            size_t len);

/* Is n known at compile time (then a memcmp of n bytes is a few
 * compares)?  0 when the compiler cannot tell. */
#if defined(__GNUC__)
#define SS_KNOWN_LEN(n) __builtin_constant_p(n)
#else
#define SS_KNOWN_LEN(n) 0
#endif

/* Inline, with the bucket of a literal name worked out by the compiler:
 * the many lookups of the decoders for headers a message does not have
 * mostly end at an empty bucket, without a call. */
static inline ss_str ss_part_header_raw_n(const ss_part *p, const char *name,
                                          size_t len) {
    const ss_header_index *x = p->hidx;
    if (!x)
        return ss_header_raw_n(p->headers, p->nheaders, name, len);
    if (!len) /* no header has an empty name */
        return SS_NULLSTR;
    uint32_t j = x->head[ss_hidx_bucket(name, len)];
    if (!j)
        return SS_NULLSTR;
    /* most lookups that find a header find the first of its bucket,
     * written as looked up: for a literal name (a memcmp of known length,
     * a few compares) that test without a call */
    const ss_header *h = &p->headers[j - 1];
    if (SS_KNOWN_LEN(len) && h->name.len == len &&
        memcmp(h->name.ptr, name, len) == 0)
        return h->value;
    return ss_part_header_chain(p, j, name, len);
}

static inline ss_str ss_part_header_raw(const ss_part *p, const char *name) {
    return ss_part_header_raw_idx(p, name);
}
/* ss_part_header_value, the raw value looked up in line (for a literal
 * name the compiler works out its bucket and compare), then decoded. */
static inline ss_str ss_part_header(ss_arena *a, const ss_part *p,
                                    const char *name) {
    return ss_header_decode(a, ss_part_header_raw(p, name));
}

/* Unfold a header value: CRLF/LF followed by white space becomes one
 * space; returns the input itself when nothing changes. */
ss_str ss_unfold(ss_arena *a, ss_str v);

/* Decode RFC 2047 encoded words (B and Q, any charset iconv knows). */
ss_str ss_rfc2047_decode(ss_arena *a, ss_str v);

/* p->charset, looked for in p->ctype at the first call (lowered in a):
 * the MIME parse does not look for it, only the part texts need it
 * (ss_part_text looks for it itself and takes it as written). */
ss_str ss_part_charset(ss_arena *a, ss_part *p);

/* The decoded body of a leaf part: transfer decoding, charset to UTF-8,
 * LF line ends; at most limits->max_text_scan bytes.  Cached in p->text. */
ss_str ss_part_text(ss_message *m, ss_part *p);

/* Transfer decodings; output in the arena.  *bad set when the input was
 * malformed (decoding goes on, skipping what is wrong). */
ss_str ss_base64_decode(ss_arena *a, ss_str in, int *bad);
ss_str ss_qp_decode(ss_arena *a, ss_str in, int header_mode);

/* Convert from a charset to UTF-8.  Returns the input when the charset is
 * UTF-8/US-ASCII or empty.  *unknown set when iconv does not know the
 * charset (the bytes are then returned as they are). */
ss_str ss_to_utf8(ss_arena *a, ss_str in, ss_str charset, int *unknown);
/* Length of the run of ASCII bytes (below 0x80) at the start of p[0..n):
 * n when they all are. */
size_t ss_ascii_len(const char *p, size_t n);

/* Find a parameter (boundary, charset, report-type, ...) in a header value
 * such as `multipart/report; report-type=delivery-status; boundary="x"`.
 * Returns the value without quotes, or a NULL slice. */
ss_str ss_header_param(ss_str value, const char *param);

/* Text of an HTML body: tags removed (script/style content too), common
 * entities (&amp; &lt; &gt; &quot; &apos; &nbsp; &#NN; &#xNN;) decoded,
 * <br> and the end of p, div, tr, li, h1-h3, table become a line end.
 * Output in the arena, never longer than the input. */
ss_str ss_html_to_text(ss_arena *a, ss_str html);

#endif
