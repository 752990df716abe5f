/*
 * reply.c - parsers for what mail servers say: enhanced status codes
 * (RFC 3463), SMTP replies and multi-line replies (RFC 5321 s4.2 with the
 * RFC 2034 status code at the start of the text), and diagnostic strings
 * (RFC 3464 Diagnostic-Code values, Exchange "#5.1.1 smtp;550 ...", codes
 * inside free text).  Also the names and descriptions of the W_* warning
 * bits.
 *
 * Does not: allocate (every result is a slice of the caller's buffer),
 * keep state between calls, recurse, or loop without a bound (every loop
 * walks the input once, or a constant number of times).  It does not
 * decide what a code means: that is the registry (registry.c), called
 * here only to set the W_UNREGISTERED / W_UNKNOWN_CODE / W_NONSTANDARD
 * warnings.
 *
 * Decisions that the RFCs leave open (reply parser):
 *  - Default options are lenient: a line may end with LF alone
 *    (W_BARE_LF), and a status followed by ':' ';' ',' HT or the line end
 *    instead of a space is still taken (W_NO_SPACE_AFTER_STATUS).
 *    SMTPSTATUS_P_STRICT: LF alone is a syntax error and such a status is
 *    text.
 *  - "550\r\n" and "550 \r\n" are accepted in both modes (RFC 5321 s4.2:
 *    clients must process the code alone, with or without the space);
 *    both get W_BARE_CODE.
 *  - A CR not followed by LF is a text octet (W_8BIT), as are all octets
 *    outside HT and 32-126; text is never rejected for its octets.
 *  - A status at the start of the text of a 3xx reply is parsed and
 *    reported with W_STATUS_NOT_EXPECTED (RFC 2034 s4 leaves 3xx out);
 *    no class mismatch is reported for it since there is no class 3.
 *    Greetings and EHLO replies need no special case: their first word is
 *    a domain or keyword, which never parses as a status.
 *  - The status of the reply is the one of the first line; other lines
 *    that carry a different one set W_STATUS_DIFFERS, lines with and
 *    without a status in one reply set W_STATUS_MISSING.
 *  - W_UNREGISTERED: the registry has no entry for X.subject.detail, or
 *    only a non-standard ("seen in the wild") one.
 *  - With SMTPSTATUS_P_EOF_ENDS the end of the input ends the last line
 *    and also the reply, even when that line was a "550-" continuation
 *    (W_NO_EOL), so that "550-5.1.1 text" typed as an argument is read.
 */
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "smtpstatus.h"
#include "util.h"
#include "decoder.h" /* ss_diag_codes */

#define REPLY_MAX_LINE 512 /* RFC 5321 s4.5.3.1.5, including CRLF */

/* ------------------------------------------------------------------ */
/* Status codes                                                         */
/* ------------------------------------------------------------------ */

/* 1-3 digits without a leading zero (a lone 0 is fine). */
static inline int scan_num(const char *p, size_t len, size_t *i, int *val) {
    size_t start = *i, n = 0;
    int v = 0;
    while (*i < len && n < 4 && ss_isdigit((unsigned char)p[*i])) {
        v = v * 10 + (p[*i] - '0');
        (*i)++;
        n++;
    }
    if (n == 0 || n > 3)
        return 0;
    if (n > 1 && p[start] == '0')
        return 0;
    *val = v;
    return 1;
}

/* The status grammar without the check of what follows; *n is its length. */
static int status_scan(const char *p, size_t len, smtpstatus_status *st,
                       size_t *n) {
    size_t i = 0;
    int s = 0, d = 0;
    if (len < 5)
        return 0;
    if (p[0] != '2' && p[0] != '4' && p[0] != '5')
        return 0;
    if (p[1] != '.')
        return 0;
    /* the usual shape, "X.Y.Z" with a digit each: what the loops below
     * take, without them */
    if (ss_isdigit((unsigned char)p[2]) && p[3] == '.' &&
        ss_isdigit((unsigned char)p[4]) &&
        (len == 5 || !ss_isdigit((unsigned char)p[5]))) {
        st->klass = p[0] - '0';
        st->subject = p[2] - '0';
        st->detail = p[4] - '0';
        *n = 5;
        return 1;
    }
    i = 2;
    if (!scan_num(p, len, &i, &s))
        return 0;
    if (i >= len || p[i] != '.')
        return 0;
    i++;
    if (!scan_num(p, len, &i, &d))
        return 0;
    st->klass = p[0] - '0';
    st->subject = s;
    st->detail = d;
    *n = i;
    return 1;
}

smtpstatus_rc smtpstatus_status_parse(const char *buf, size_t len,
                                      smtpstatus_status *out,
                                      size_t *consumed) {
    smtpstatus_status st;
    size_t n = 0;
    if (consumed)
        *consumed = 0;
    if (!out || (!buf && len))
        return SMTPSTATUS_EINVAL;
    out->klass = out->subject = out->detail = 0;
    if (!buf || !status_scan(buf, len, &st, &n))
        return SMTPSTATUS_ESYNTAX;
    if (n < len && (ss_isdigit((unsigned char)buf[n]) || buf[n] == '.'))
        return SMTPSTATUS_ESYNTAX;
    *out = st;
    if (consumed)
        *consumed = n;
    return SMTPSTATUS_OK;
}

/* Decimal digits of v at o (no NUL); returns their count (at most 20). */
static size_t put_udec(char *o, unsigned long long v) {
    char t[24];
    size_t k = 0, i;
    if (v < 10) { /* the usual status parts: one or two digits */
        o[0] = (char)('0' + (int)v);
        return 1;
    }
    if (v < 100) {
        o[0] = (char)('0' + (int)(v / 10));
        o[1] = (char)('0' + (int)(v % 10));
        return 2;
    }
    do {
        t[k++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v && k < sizeof t);
    for (i = 0; i < k; i++)
        o[i] = t[k - 1 - i];
    return k;
}

char *smtpstatus_status_format(const smtpstatus_status *st, char *buf,
                               size_t size) {
    if (!buf || size == 0)
        return buf;
    if (!st || st->klass == 0) {
        buf[0] = '\0';
        return buf;
    }
    if (st->klass > 0 && st->klass < 10 && (unsigned)st->subject < 10 &&
        (unsigned)st->detail < 10 && size >= 6) {
        /* "X.Y.Z", the usual status: five bytes (no memcpy call) */
        buf[0] = (char)('0' + st->klass);
        buf[1] = '.';
        buf[2] = (char)('0' + st->subject);
        buf[3] = '.';
        buf[4] = (char)('0' + st->detail);
        buf[5] = '\0';
        return buf;
    }
    if (st->klass > 0 && st->subject >= 0 && st->detail >= 0 &&
        st->klass < 1000000 && st->subject < 1000000 && st->detail < 1000000) {
        /* what snprintf "%d.%d.%d" writes, without its cost */
        char t[24];
        size_t n = put_udec(t, (unsigned long long)st->klass);
        t[n++] = '.';
        n += put_udec(t + n, (unsigned long long)st->subject);
        t[n++] = '.';
        n += put_udec(t + n, (unsigned long long)st->detail);
        if (n > size - 1)
            n = size - 1;
        memcpy(buf, t, n);
        buf[n] = '\0';
        return buf;
    }
    snprintf(buf, size, "%d.%d.%d", st->klass, st->subject, st->detail);
    return buf;
}

static int status_eq(const smtpstatus_status *a, const smtpstatus_status *b) {
    return a->klass == b->klass && a->subject == b->subject &&
           a->detail == b->detail;
}

/* Warnings about a status by itself. */
static unsigned status_warnings(const smtpstatus_status *st) {
    unsigned w = 0;
    const smtpstatus_status_info *si;
    if (st->klass == 0)
        return 0;
    si = smtpstatus_status_lookup(st->subject, st->detail);
    if (!si || !si->standard)
        w |= SMTPSTATUS_W_UNREGISTERED;
    if (st->detail >= 100)
        w |= SMTPSTATUS_W_LONG_DETAIL;
    return w;
}

/* Warnings about a reply code by itself. */
static unsigned code_warnings(int code) {
    const smtpstatus_reply_info *ri;
    if (code == 0)
        return 0;
    ri = smtpstatus_reply_lookup(code);
    if (!ri)
        return SMTPSTATUS_W_UNKNOWN_CODE;
    if (!ri->standard)
        return SMTPSTATUS_W_NONSTANDARD;
    return 0;
}

/* Warnings about a code and a status together. */
static unsigned pair_warnings(int code, const smtpstatus_status *st) {
    if (code == 0 || st->klass == 0)
        return 0;
    if (code / 100 == 3)
        return SMTPSTATUS_W_STATUS_NOT_EXPECTED;
    if (st->klass != code / 100)
        return SMTPSTATUS_W_CLASS_MISMATCH;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Replies                                                              */
/* ------------------------------------------------------------------ */

/*
 * A status at b[ts..end) (RFC 2034: at the start of the text, followed by
 * one or more spaces).  Returns 1 and the offset of the text after it, or
 * 0 and *text = ts.
 */
static int line_status(const char *b, size_t ts, size_t end, int lenient,
                       smtpstatus_status *st, size_t *text, unsigned *w) {
    size_t n = 0, i;
    *text = ts;
    st->klass = st->subject = st->detail = 0;
    if (ts >= end ||
        smtpstatus_status_parse(b + ts, end - ts, st, &n) != SMTPSTATUS_OK)
        return 0;
    i = ts + n;
    if (i < end && b[i] == ' ') {
        while (i < end && b[i] == ' ')
            i++;
        *text = i;
        return 1;
    }
    if (lenient) {
        if (i == end) {
            *w |= SMTPSTATUS_W_NO_SPACE_AFTER_STATUS;
            *text = i;
            return 1;
        }
        if (b[i] == ':' || b[i] == ';' || b[i] == ',' || b[i] == '\t') {
            i++;
            while (i < end && (b[i] == ' ' || b[i] == '\t'))
                i++;
            *w |= SMTPSTATUS_W_NO_SPACE_AFTER_STATUS;
            *text = i;
            return 1;
        }
    }
    st->klass = st->subject = st->detail = 0;
    return 0;
}

/* Find the end of the line that starts at `start`. */
static smtpstatus_rc scan_eol(const char *b, size_t len, size_t start,
                              unsigned opt, size_t *end, size_t *next,
                              unsigned *w, size_t *err_off,
                              const char **err) {
    size_t i;
    for (i = start; i < len; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c == '\r') {
            if (i + 1 < len && b[i + 1] == '\n') {
                *end = i;
                *next = i + 2;
                return SMTPSTATUS_OK;
            }
            if (i + 1 == len) {
                if (opt & SMTPSTATUS_P_EOF_ENDS) {
                    *end = i;
                    *next = len;
                    *w |= SMTPSTATUS_W_NO_EOL;
                    return SMTPSTATUS_OK;
                }
                *err_off = i;
                *err = "input ended inside the line end (CR without LF)";
                return SMTPSTATUS_EINCOMPLETE;
            }
            *w |= SMTPSTATUS_W_8BIT; /* a CR inside the text */
        } else if (c == '\n') {
            if (opt & SMTPSTATUS_P_STRICT) {
                *err_off = i;
                *err = "line ended with LF alone; RFC 5321 s2.3.8 requires "
                       "CRLF";
                return SMTPSTATUS_ESYNTAX;
            }
            *end = i;
            *next = i + 1;
            *w |= SMTPSTATUS_W_BARE_LF;
            return SMTPSTATUS_OK;
        } else if ((c < 32 && c != '\t') || c > 126) {
            *w |= SMTPSTATUS_W_8BIT;
        }
    }
    if (opt & SMTPSTATUS_P_EOF_ENDS) {
        *end = len;
        *next = len;
        *w |= SMTPSTATUS_W_NO_EOL;
        return SMTPSTATUS_OK;
    }
    *err_off = len;
    *err = "input ended before the line end (CRLF)";
    return SMTPSTATUS_EINCOMPLETE;
}

static smtpstatus_rc reply_fail(smtpstatus_reply *out, smtpstatus_rc rc,
                                size_t off, const char *why) {
    out->error = why;
    out->error_offset = off;
    out->consumed = 0;
    return rc;
}

smtpstatus_rc smtpstatus_reply_parse(const char *buf, size_t len,
                                     unsigned options,
                                     smtpstatus_reply *out) {
    size_t s = 0;
    int have_status = 0;
    unsigned w = 0;
    int eof_ends = (options & SMTPSTATUS_P_EOF_ENDS) != 0;
    int lenient = (options & SMTPSTATUS_P_STRICT) == 0;
    char digits[3] = {0, 0, 0};

    if (!out)
        return SMTPSTATUS_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!buf && len)
        return reply_fail(out, SMTPSTATUS_EINVAL, 0, "NULL buffer");
    if (!buf)
        buf = "";

    /* One line per iteration; s only grows, so at most len + 1 passes. */
    for (;;) {
        size_t k, end = 0, next = 0, ts, text = 0, err_off = 0;
        const char *err = NULL;
        char sep;
        smtpstatus_status st;
        smtpstatus_rc rc;
        int has;

        if (s >= len && out->nlines > 0) {
            /* only reached after a "-" line with EOF_ENDS */
            w |= SMTPSTATUS_W_NO_EOL;
            break;
        }
        /* the reply code */
        for (k = 0; k < 3; k++) {
            unsigned char c;
            if (s + k >= len) {
                if (eof_ends)
                    return reply_fail(out, SMTPSTATUS_ESYNTAX, s + k,
                                      s + k == 0
                                          ? "empty input: no reply code"
                                          : "input ended inside the reply "
                                            "code");
                return reply_fail(out, SMTPSTATUS_EINCOMPLETE, s + k,
                                  "input ended inside the reply code");
            }
            c = (unsigned char)buf[s + k];
            if (!ss_isdigit(c))
                return reply_fail(out, SMTPSTATUS_ESYNTAX, s + k,
                                  "a reply line must start with a "
                                  "three-digit reply code (RFC 5321 s4.2)");
            if (k == 0 && (c < '2' || c > '5'))
                return reply_fail(out, SMTPSTATUS_ESYNTAX, s + k,
                                  "the first digit of a reply code must be "
                                  "2, 3, 4 or 5 (RFC 5321 s4.2)");
            if (k == 1 && c > '5')
                return reply_fail(out, SMTPSTATUS_ESYNTAX, s + k,
                                  "the second digit of a reply code must be "
                                  "0 to 5 (RFC 5321 s4.2)");
            if (out->nlines > 0 && c != (unsigned char)digits[k])
                return reply_fail(out, SMTPSTATUS_ESYNTAX, s,
                                  "the reply code differs from the first "
                                  "line of this multi-line reply (RFC 5321 "
                                  "s4.2.1)");
            if (out->nlines == 0)
                digits[k] = (char)c;
        }
        if (out->nlines == 0)
            out->code = (digits[0] - '0') * 100 + (digits[1] - '0') * 10 +
                        (digits[2] - '0');
        /* the separator */
        if (s + 3 >= len) {
            if (!eof_ends)
                return reply_fail(out, SMTPSTATUS_EINCOMPLETE, s + 3,
                                  "input ended after the reply code");
            sep = '\0';
        } else {
            sep = buf[s + 3];
            if ((sep != ' ' && sep != '-' && sep != '\r' && sep != '\n') ||
                (sep == '\r' && s + 4 < len && buf[s + 4] != '\n'))
                return reply_fail(out, SMTPSTATUS_ESYNTAX, s + 3,
                                  "after the reply code only a space, '-' "
                                  "or the line end may follow (RFC 5321 "
                                  "s4.2)");
        }
        rc = scan_eol(buf, len, s + 3, options, &end, &next, &w, &err_off,
                      &err);
        if (rc != SMTPSTATUS_OK)
            return reply_fail(out, rc, err_off, err);
        if (end - s + 2 > REPLY_MAX_LINE)
            w |= SMTPSTATUS_W_LONG_LINE;
        ts = (sep == ' ' || sep == '-') ? s + 4 : end;
        if (ts > end)
            ts = end;
        if (out->nlines == 0 && sep != '-' && ts == end)
            w |= SMTPSTATUS_W_BARE_CODE; /* a one-line reply without text */
        has = line_status(buf, ts, end, lenient, &st, &text, &w);
        if (out->nlines == 0) {
            have_status = has;
            out->status = st;
            out->text = ss_str_make(buf + text, end - text);
        } else if (has != have_status) {
            w |= SMTPSTATUS_W_STATUS_MISSING;
        } else if (has && !status_eq(&st, &out->status)) {
            w |= SMTPSTATUS_W_STATUS_DIFFERS;
        }
        out->nlines++;
        s = next;
        if (sep != '-')
            break;
        if (s >= len && !eof_ends)
            return reply_fail(out, SMTPSTATUS_EINCOMPLETE, len,
                              "input ended before the last line of a "
                              "multi-line reply (a line with a space after "
                              "the code)");
    }
    w |= code_warnings(out->code);
    w |= status_warnings(&out->status);
    w |= pair_warnings(out->code, &out->status);
    out->warnings = w;
    out->consumed = s;
    return SMTPSTATUS_OK;
}

smtpstatus_rc smtpstatus_reply_line(const char *buf, const smtpstatus_reply *r,
                                    size_t *pos, smtpstatus_slice *text) {
    size_t s, i, end, next, ts, t = 0, lim;
    smtpstatus_status st;
    unsigned w = 0;
    int lenient;
    if (!buf || !r || !pos || !text)
        return SMTPSTATUS_EINVAL;
    lim = r->consumed;
    s = *pos;
    if (s >= lim || lim - s < 3)
        return SMTPSTATUS_ENOTFOUND;
    end = lim;
    next = lim;
    for (i = s; i < lim; i++) {
        if (buf[i] == '\n') {
            end = (i > s && buf[i - 1] == '\r') ? i - 1 : i;
            next = i + 1;
            break;
        }
    }
    if (i == lim && end > s && buf[end - 1] == '\r')
        end--; /* EOF_ENDS after a lone CR */
    if (end < s + 3)
        end = s + 3 <= lim ? s + 3 : lim;
    ts = (s + 3 < end && (buf[s + 3] == ' ' || buf[s + 3] == '-')) ? s + 4
                                                                     : end;
    /* the parser sets W_NO_SPACE_AFTER_STATUS only when it was lenient and
     * used that leniency, so this repeats its decision exactly */
    lenient = (r->warnings & SMTPSTATUS_W_NO_SPACE_AFTER_STATUS) != 0;
    line_status(buf, ts, end, lenient, &st, &t, &w);
    *text = ss_str_make(buf + t, end - t);
    *pos = next;
    return SMTPSTATUS_OK;
}

/* ------------------------------------------------------------------ */
/* Diagnostic strings                                                   */
/* ------------------------------------------------------------------ */

static int is_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

#if defined(__SSE2__)
/* The bytes '2'..'5' of b[0..16), as bits. */
static inline unsigned digit25_mask(const char *b) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)b);
    return (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('1')),
                      _mm_cmplt_epi8(v, _mm_set1_epi8('6'))));
}
#endif

/* The first q in [p, lim) with b[q] a digit 2-5 (where a reply code or
 * a status in free text can start), or lim. */
static size_t next_digit25(const char *b, size_t p, size_t lim) {
#if defined(__SSE2__)
    while (p < lim && lim - p >= 16) {
        unsigned m = digit25_mask(b + p);
        if (m)
            return p + ss_ctz(m);
        p += 16;
    }
    if (p < lim && lim >= 16) {
        /* the last 1..15 bytes: the 16 that end at lim, those before p
         * shifted out */
        unsigned m = digit25_mask(b + lim - 16) >> (16 - (lim - p));
        return m ? p + ss_ctz(m) : lim;
    }
#endif
    while (p < lim && (b[p] < '2' || b[p] > '5'))
        p++;
    return p;
}

static int is_alnum(unsigned char c) {
    return ss_isdigit(c) || ss_isalpha(c);
}

/* A reply code by the RFC 5321 grammar at b[p..e). */
static inline int code_digits(const char *b, size_t p, size_t e) {
    if (p > e || e - p < 3)
        return 0;
    return b[p] >= '2' && b[p] <= '5' && b[p + 1] >= '0' && b[p + 1] <= '5' &&
           ss_isdigit((unsigned char)b[p + 2]);
}

static int code_value(const char *b, size_t p) {
    return (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
}

/* Words that make "550 bytes" a number rather than a reply code. */
static int unit_word(const char *b, size_t p, size_t e) {
#define U(w) SS_STR_INIT(w)
    static const ss_str units[] = {
        U("bytes"),      U("byte"),    U("octets"),   U("kb"),
        U("mb"),         U("gb"),      U("k"),        U("seconds"),
        U("second"),     U("secs"),    U("sec"),      U("s"),
        U("minutes"),    U("minute"),  U("mins"),     U("min"),
        U("hours"),      U("hour"),    U("days"),     U("day"),
        U("ms"),         U("messages"), U("message"), U("msgs"),
        U("recipients"), U("rcpts"),   U("times"),    U("attempts"),
        U("tries"),      U("characters"), U("chars"), U("lines"),
        U("percent"),    U("%")};
#undef U
    size_t n = 0, u;
    while (p + n < e && n < 16 &&
           (ss_isalpha((unsigned char)b[p + n]) || b[p + n] == '%'))
        n++;
    if (n == 0 || n >= 16)
        return 0;
    for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        size_t j;
        if (units[u].len != n)
            continue;
        for (j = 0; j < n; j++)
            if (ss_lower((unsigned char)b[p + j]) != units[u].ptr[j])
                break;
        if (j == n)
            return 1;
    }
    return 0;
}

/* May a code start after this byte in free text? */
static inline int left_boundary(unsigned char c) {
    return is_ws(c) || c == '(' || c == '<' || c == '[' || c == '"' ||
           c == '\'' || c == ';' || c == ':' || c == ',' || c == '=' ||
           c == '#';
}

/*
 * A status in free text at b[p..e): the grammar, a word boundary on the
 * left (or "550-" right before), and on the right the end, white space,
 * one of ) , ; : > ] " ' or a '.' that ends a sentence (not "5.1.1.2").
 * Subjects above 7 are not plausible here (no such subject is
 * registered; "Exim 4.92.3" is a version).
 */
static int free_status(const char *b, size_t fs, size_t p, size_t e,
                       smtpstatus_status *st, size_t *n) {
    unsigned char c;
    if (p > fs) {
        unsigned char l = (unsigned char)b[p - 1];
        if (!left_boundary(l)) {
            if (!(l == '-' && p >= fs + 4 && code_digits(b, p - 4, e)))
                return 0;
        }
    }
    if (!status_scan(b + p, e - p, st, n))
        return 0;
    if (st->subject > 7)
        return 0;
    if (p + *n == e)
        return 1;
    c = (unsigned char)b[p + *n];
    if (is_ws(c) || c == ')' || c == ',' || c == ';' || c == ':' ||
        c == '>' || c == ']' || c == '"' || c == '\'')
        return 1;
    if (c == '.' && (p + *n + 1 == e || is_ws((unsigned char)b[p + *n + 1])))
        return 1;
    return 0;
}

/*
 * A reply code in free text at b[p..e): the grammar, a word boundary on
 * the left, on the right the end, white space or '-' (then not a digit,
 * unless a status follows), and not a number followed by a unit word.
 */
static int free_code(const char *b, size_t fs, size_t p, size_t e) {
    unsigned char c;
    if (!code_digits(b, p, e))
        return 0;
    if (p > fs && !left_boundary((unsigned char)b[p - 1]))
        return 0;
    if (p + 3 == e)
        return 1;
    c = (unsigned char)b[p + 3];
    if (c == '-') {
        smtpstatus_status st;
        size_t n;
        if (p + 4 < e && ss_isdigit((unsigned char)b[p + 4]))
            return status_scan(b + p + 4, e - p - 4, &st, &n);
        return 1;
    }
    if (!is_ws(c))
        return 0;
    if (c == ' ' && unit_word(b, p + 4, e))
        return 0;
    return 1;
}

/* A status where a reply puts it: followed by white space, the end, or
 * (with W_NO_SPACE_AFTER_STATUS) ':' ';' ','.  Returns the offset after
 * it and its separator, or 0. */
static size_t lead_status(const char *b, size_t p, size_t e,
                          smtpstatus_status *st, unsigned *w) {
    size_t n = 0, i;
    /* status_scan, as smtpstatus_status_parse without its check of the
     * byte after the status: a digit or '.' there fails below too */
    if (p >= e)
        return 0;
    if (!status_scan(b + p, e - p, st, &n)) {
        st->klass = st->subject = st->detail = 0;
        return 0;
    }
    i = p + n;
    if (i == e || is_ws((unsigned char)b[i]))
        return i;
    if (b[i] == ':' || b[i] == ';' || b[i] == ',') {
        *w |= SMTPSTATUS_W_NO_SPACE_AFTER_STATUS;
        return i + 1;
    }
    st->klass = st->subject = st->detail = 0;
    return 0;
}

static size_t skip_ws(const char *b, size_t i, size_t e) {
    while (i < e && is_ws((unsigned char)b[i]))
        i++;
    return i;
}

/* The text after the codes: drop one leading separator and white space. */
static smtpstatus_slice diag_text(const char *b, size_t i, size_t e) {
    i = skip_ws(b, i, e);
    if (i < e && (b[i] == '-' || b[i] == ':' || b[i] == ';' || b[i] == ',') &&
        (i + 1 == e || is_ws((unsigned char)b[i + 1])))
        i = skip_ws(b, i + 1, e);
    return ss_str_make(b + i, e - i);
}

/*
 * How a diagnostic string is read, in this order, each part optional:
 *  1. a field name "Diagnostic-Code:" or "Status:" (case-insensitive);
 *  2. Exchange's "#5.1.1" (W_HASH_STATUS) or "#550";
 *  3. a diagnostic type: a word starting with a letter, then ';'
 *     ("smtp;", "SMTP; ", "X-Postfix;");
 *  4. a reply code by the RFC 5321 grammar followed by a space, '-', or
 *     the end, then a status right after it (RFC 2034 position);
 *     (or "#5.1.0" there, W_HASH_STATUS).  A leading 2xx or 3xx code
 *     without a status that is followed later by a 4xx/5xx code with a
 *     status ("220-banner 421 4.2.1 ...") gives way to that pair;
 *     A 4xx/5xx code without a status takes a qmail-style "(#5.1.1)"
 *     of the same class from its text (W_HASH_STATUS; text unchanged);
 *  5. or, without a reply code, a status at that place ("5.1.1",
 *     "5.3.0 - Other mail system problem 550-'...'": the 550 in there is
 *     text, as is everything after a leading code).
 *  6. If none of 2, 4, 5 gave a code, the rest is free text, searched
 *     once from left to right:
 *     - a reply code is 2xx-5xx (second digit 0-5) with a word boundary
 *       on the left (start, white space, ( < [ " ' ; : , = #), followed by
 *       the end, white space or '-' (not '-' and a digit, like a date or
 *       a phone number, unless a status follows); a dot on either side
 *       (IP address, version) disqualifies it, as does a unit word after
 *       it ("550 bytes", "450 seconds", "250 recipients");
 *     - a status is X.Y.Z with class 2, 4 or 5, the same boundary on the
 *       left (or "550-" right before), and on the right the end, white
 *       space, ) , ; : > ] " ' or a sentence-ending '.'; "5.1.1.2" and
 *       "192.5.1.1" do not qualify; subjects above 7 neither ("4.92.3");
 *     - the first reply code directly followed by a status wins ("said:
 *       550 5.7.1 ..."); else the first reply code, with the first status
 *       of the same class anywhere in the text; else the first status.
 *  Line-level warnings (W_8BIT, W_BARE_LF, ...) are not set here: a
 *  diagnostic string is one value, often already unfolded or decoded.
 *  The text is what follows the last code used (a leading '-', ':', ';'
 *  or ',' separator dropped), trimmed.  A flattened multi-line reply
 *  keeps the later lines' codes in the text; smtpstatus_diag_text_next()
 *  yields it without them.
 */
static smtpstatus_rc diag_parse(const char *buf, size_t len,
                                smtpstatus_diag *out, int want_warnings) {
    size_t i = 0, e = len, j, ts, after;
    smtpstatus_status hash, st;
    int have_hash = 0, code = 0, have_status = 0;
    unsigned w = 0;

    if (!out)
        return SMTPSTATUS_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!buf && len)
        return SMTPSTATUS_EINVAL;
    if (!buf) {
        buf = "";
        len = e = 0;
    }
    memset(&hash, 0, sizeof(hash));
    memset(&st, 0, sizeof(st));
    i = skip_ws(buf, 0, e);
    while (e > i && is_ws((unsigned char)buf[e - 1]))
        e--;
    /* 1. field name */
    {
        ss_str rest = ss_str_make(buf + i, e - i);
        if (ss_starts_ci(rest, "Diagnostic-Code:"))
            i = skip_ws(buf, i + 16, e);
        else if (ss_starts_ci(rest, "Status:"))
            i = skip_ws(buf, i + 7, e);
    }
    /* 2. Exchange "#5.1.1" or "#550" */
    if (i < e && buf[i] == '#') {
        size_t a = lead_status(buf, i + 1, e, &hash, &w);
        if (a) {
            have_hash = 1;
            w |= SMTPSTATUS_W_HASH_STATUS;
            i = skip_ws(buf, a, e);
        } else if (code_digits(buf, i + 1, e)) {
            i++;
        }
    }
    /* 3. diagnostic type (it starts with a letter) */
    if (i < e && ss_isalpha((unsigned char)buf[i])) {
        size_t k;
        for (j = i + 1; j < e && j - i < 32; j++) {
            unsigned char c = (unsigned char)buf[j];
            if (!(is_alnum(c) || c == '-' || c == '_' || c == '.'))
                break;
        }
        k = j;
        while (k < e && (buf[k] == ' ' || buf[k] == '\t'))
            k++;
        if (k < e && buf[k] == ';') {
            out->type = ss_str_make(buf + i, j - i);
            i = skip_ws(buf, k + 1, e);
        }
    }
    ts = i; /* start of the value proper */
    after = i;
    /* 4. reply code at the start */
    if (code_digits(buf, i, e) &&
        (i + 3 == e || buf[i + 3] == ' ' || buf[i + 3] == '-' ||
         is_ws((unsigned char)buf[i + 3]))) {
        code = code_value(buf, i);
        after = i + 3;
        if (i + 3 < e) {
            after = i + 4; /* the separator */
            size_t a;
            size_t p = i + 4;
            while (p < e && (buf[p] == ' ' || buf[p] == '\t'))
                p++;
            a = lead_status(buf, p, e, &st, &w);
            if (!a && p + 1 < e && buf[p] == '#') {
                a = lead_status(buf, p + 1, e, &st, &w);
                if (a)
                    w |= SMTPSTATUS_W_HASH_STATUS;
            }
            if (a) {
                have_status = 1;
                after = a;
            }
        }
        if (!have_status && code / 100 <= 3) {
            /* "220-laposte 421 4.2.1 ...": a banner before the reply */
            smtpstatus_status pst;
            size_t p, n = 0;
            for (p = after; p + 3 <= e; p++) {
                if (!free_code(buf, ts, p, e) || p + 4 >= e ||
                    (buf[p + 3] != ' ' && buf[p + 3] != '-'))
                    continue;
                if (free_status(buf, ts, p + 4, e, &pst, &n) &&
                    code_value(buf, p) / 100 >= 4) {
                    code = code_value(buf, p);
                    st = pst;
                    have_status = 1;
                    after = p + 4 + n;
                    break;
                }
            }
        }
        if (!have_status && code / 100 >= 4) {
            /* qmail: "550 sorry, no mailbox here by that name (#5.1.1)" */
            smtpstatus_status pst;
            size_t p, n = 0;
            for (p = after; p + 6 <= e; p++) {
                const char *h = memchr(buf + p, '#', e - 5 - p);
                if (!h)
                    break;
                p = (size_t)(h - buf);
                if (free_status(buf, ts, p + 1, e, &pst, &n) &&
                    pst.klass == code / 100) {
                    st = pst;
                    have_status = 1;
                    w |= SMTPSTATUS_W_HASH_STATUS;
                    break;
                }
            }
        }
    } else if (!have_hash) {
        /* 5. a status at the start */
        size_t a = lead_status(buf, i, e, &st, &w);
        if (a) {
            have_status = 1;
            after = a;
        }
    }
    /* 6. free text */
    if (!code && !have_status && !have_hash) {
        size_t p, first_code = (size_t)-1, pair = (size_t)-1, pair_n = 0;
        /* the first status of each class (2, 4, 5) free_status takes, in
         * case no pair turns up: its offset (-1: none), length, value */
        size_t st_at[6] = {(size_t)-1, (size_t)-1, (size_t)-1,
                           (size_t)-1, (size_t)-1, (size_t)-1};
        size_t st_n[6] = {0, 0, 0, 0, 0, 0};
        smtpstatus_status st_of[6];
        smtpstatus_status pst;
        memset(&pst, 0, sizeof(pst));
        /* One pass finds the codes and the statuses: a status starts at
         * a digit 2, 4 or 5 too, where no code starts (its second byte is
         * '.', a code's a digit), and none starts in the two bytes after
         * a code (their next byte is a digit, or white space or '-'). */
        for (p = ts; p + 3 <= e; p++) {
            /* free_code needs a digit 2-5 here: skip to the next one */
            p = next_digit25(buf, p, e - 2);
            if (p + 3 > e)
                break;
            if (!free_code(buf, ts, p, e)) {
                int k = buf[p] - '0';
                size_t n = 0;
                if (buf[p + 1] == '.' && k != 3 && st_at[k] == (size_t)-1 &&
                    free_status(buf, ts, p, e, &st_of[k], &n)) {
                    st_at[k] = p;
                    st_n[k] = n;
                }
                continue;
            }
            if (first_code == (size_t)-1)
                first_code = p;
            if (p + 4 < e && (buf[p + 3] == ' ' || buf[p + 3] == '-')) {
                size_t n = 0;
                if (free_status(buf, ts, p + 4, e, &pst, &n)) {
                    pair = p;
                    pair_n = n;
                    break;
                }
            }
            p += 2; /* the next code cannot overlap this one */
        }
        if (pair != (size_t)-1) {
            code = code_value(buf, pair);
            st = pst;
            have_status = 1;
            after = pair + 4 + pair_n;
        } else {
            /* the first status of the code's class, or the first one */
            int k;
            if (first_code != (size_t)-1) {
                code = code_value(buf, first_code);
                after = first_code + 3;
                k = code / 100;
            } else {
                k = 2;
                if (st_at[4] < st_at[k])
                    k = 4;
                if (st_at[5] < st_at[k])
                    k = 5;
            }
            if (st_at[k] != (size_t)-1) {
                st = st_of[k];
                have_status = 1;
                if (!code)
                    after = st_at[k] + st_n[k];
            }
        }
        if (!code && !have_status) {
            out->text = ss_str_make(buf + ts, e - ts);
            return SMTPSTATUS_ENOTFOUND;
        }
    }
    if (have_hash) {
        if (have_status) {
            if (!status_eq(&hash, &st))
                w |= SMTPSTATUS_W_STATUS_DIFFERS;
        } else {
            st = hash;
            have_status = 1;
        }
        if (after < ts)
            after = ts;
    }
    out->reply_code = code;
    if (have_status)
        out->status = st;
    out->text = diag_text(buf, after, e);
    if (!want_warnings) /* the registry lookups are most of their cost */
        return SMTPSTATUS_OK;
    w |= code_warnings(code);
    w |= status_warnings(&out->status);
    w |= pair_warnings(code, &out->status);
    out->warnings = w;
    return SMTPSTATUS_OK;
}

smtpstatus_rc smtpstatus_diag_parse(const char *buf, size_t len,
                                    smtpstatus_diag *out) {
    return diag_parse(buf, len, out, 1);
}

smtpstatus_rc ss_diag_codes(const char *buf, size_t len,
                            smtpstatus_diag *out) {
    return diag_parse(buf, len, out, 0);
}

/* Does a repeated line prefix of d ("550-5.2.1 ", "550 5.2.1 ", "550-")
 * start at t[j..n)?  Returns its length or 0. */
static size_t repeated_prefix(const smtpstatus_diag *d, const char *t,
                              size_t j, size_t n) {
    smtpstatus_status st;
    size_t k, m = 0;
    char sep;
    if (d->reply_code == 0 || !code_digits(t, j, n) ||
        code_value(t, j) != d->reply_code)
        return 0;
    if (j + 3 == n)
        return 0;
    sep = t[j + 3];
    if (sep != ' ' && sep != '-')
        return 0;
    k = j + 4;
    if (k < n && status_scan(t + k, n - k, &st, &m) &&
        (k + m == n || is_ws((unsigned char)t[k + m]))) {
        if (sep == '-' || (d->status.klass && status_eq(&st, &d->status)))
            return k + m - j;
        return 0;
    }
    return sep == '-' ? 4 : 0;
}

smtpstatus_rc smtpstatus_diag_text_next(const smtpstatus_diag *d,
                                        size_t *pos,
                                        smtpstatus_slice *piece) {
    const char *t;
    size_t n, start, j;
    if (!d || !pos || !piece)
        return SMTPSTATUS_EINVAL;
    t = d->text.ptr;
    n = d->text.len;
    /* pos only grows: each pass either returns or moves past a prefix */
    while (t && *pos < n) {
        start = skip_ws(t, *pos, n);
        for (j = start; j < n; j++) {
            size_t m;
            if (j > start && !is_ws((unsigned char)t[j - 1]))
                continue;
            m = repeated_prefix(d, t, j, n);
            if (m) {
                size_t e = j;
                while (e > start && is_ws((unsigned char)t[e - 1]))
                    e--;
                *pos = j + m;
                if (e > start) {
                    *piece = ss_str_make(t + start, e - start);
                    return SMTPSTATUS_OK;
                }
                break;
            }
        }
        if (j >= n) {
            size_t e = n;
            while (e > start && is_ws((unsigned char)t[e - 1]))
                e--;
            *pos = n;
            if (e > start) {
                *piece = ss_str_make(t + start, e - start);
                return SMTPSTATUS_OK;
            }
        }
    }
    return SMTPSTATUS_ENOTFOUND;
}

/* ------------------------------------------------------------------ */
/* Warning names                                                        */
/* ------------------------------------------------------------------ */

static const struct {
    unsigned bit;
    const char *name;
    const char *text;
} warning_table[] = {
    {SMTPSTATUS_W_BARE_CODE, "bare_code",
     "the reply code came without any text (RFC 5321 s4.2: senders SHOULD "
     "NOT send bare codes)"},
    {SMTPSTATUS_W_LONG_LINE, "long_line",
     "a reply line is longer than 512 octets (RFC 5321 s4.5.3.1.5)"},
    {SMTPSTATUS_W_CLASS_MISMATCH, "class_mismatch",
     "the reply code and the enhanced status code disagree in class (RFC "
     "2034 s4); act on the reply code"},
    {SMTPSTATUS_W_STATUS_DIFFERS, "status_differs",
     "the lines of the reply carry different status codes (RFC 2034 s4)"},
    {SMTPSTATUS_W_STATUS_MISSING, "status_missing",
     "some lines of the reply carry a status code and others do not (RFC "
     "2034 s4)"},
    {SMTPSTATUS_W_UNREGISTERED, "unregistered",
     "the enhanced status code is not in the IANA registry; read it by its "
     "class and subject (RFC 3463 s2)"},
    {SMTPSTATUS_W_LONG_DETAIL, "long_detail",
     "the status code has a three-digit detail, a vendor extension such as "
     "5.7.606"},
    {SMTPSTATUS_W_NONSTANDARD, "nonstandard",
     "the reply code is not standard; it is seen in the wild only"},
    {SMTPSTATUS_W_BARE_LF, "bare_lf",
     "a line ended with LF alone instead of CRLF (RFC 5321 s2.3.8); "
     "accepted in lenient mode"},
    {SMTPSTATUS_W_8BIT, "8bit",
     "the text holds octets outside HT and 32-126 (RFC 5321 textstring)"},
    {SMTPSTATUS_W_NO_SPACE_AFTER_STATUS, "no_space_after_status",
     "the status code is not followed by a space (RFC 2034 s3); accepted "
     "in lenient mode"},
    {SMTPSTATUS_W_STATUS_NOT_EXPECTED, "status_not_expected",
     "a status code on a 3xx reply, which RFC 2034 s4 leaves out"},
    {SMTPSTATUS_W_NO_EOL, "no_eol",
     "the input ended without a final line end"},
    {SMTPSTATUS_W_UNKNOWN_CODE, "unknown_code",
     "the reply code is not in the registry; read it by its first digit "
     "(RFC 5321 s4.2)"},
    {SMTPSTATUS_W_HASH_STATUS, "hash_status",
     "an Exchange-style \"#5.1.1\" status code"},
};

const char *smtpstatus_warning_name(unsigned bit) {
    size_t i;
    for (i = 0; i < sizeof(warning_table) / sizeof(warning_table[0]); i++)
        if (warning_table[i].bit == bit)
            return warning_table[i].name;
    return NULL;
}

const char *smtpstatus_warning_text(unsigned bit) {
    size_t i;
    for (i = 0; i < sizeof(warning_table) / sizeof(warning_table[0]); i++)
        if (warning_table[i].bit == bit)
            return warning_table[i].text;
    return NULL;
}
