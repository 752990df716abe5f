/*
 * out.c - output helpers for the command-line tool: growable buffer, JSON
 * and CSV escaping, table cells.  Every string written as JSON comes out
 * valid whatever the input bytes are.  No knowledge of records here.
 */
#include "out.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ob_init(obuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void ob_free(obuf *b)
{
    free(b->data);
    ob_init(b);
}

void ob_reset(obuf *b)
{
    b->len = 0;
    b->failed = 0;
}

/* Make room for need more bytes (the slow part of ob_grow). */
static int ob_grow_slow(obuf *b, size_t need)
{
    size_t cap;
    char *p;
    if (b->failed)
        return -1;
    if (need <= b->cap - b->len)
        return 0;
    if (need > ((size_t)-1) / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    cap = b->cap ? b->cap : 256;
    while (cap - b->len < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

/* 0 when there is room for need more bytes (growing the buffer if it must),
 * -1 when the buffer has failed. */
static inline int ob_grow(obuf *b, size_t need)
{
    if (!b->failed && need <= b->cap - b->len)
        return 0;
    return ob_grow_slow(b, need);
}

char *ob_reserve(obuf *b, size_t n)
{
    if (ob_grow(b, n) != 0)
        return NULL;
    return b->data + b->len;
}

void ob_put(obuf *b, const char *s, size_t n)
{
    if (n == 0 || ob_grow(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

void ob_puts(obuf *b, const char *s)
{
    if (s)
        ob_put(b, s, strlen(s));
}

void ob_putc(obuf *b, char c)
{
    if (ob_grow(b, 1) != 0)
        return;
    b->data[b->len++] = c;
}

void ob_printf(obuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        ob_put(b, small, (size_t)n);
        return;
    }
    if (ob_grow(b, (size_t)n + 1) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int ob_flush(obuf *b, FILE *f)
{
    int rc = 0;
    if (b->failed)
        rc = -1;
    else if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        rc = -1;
    ob_reset(b);
    return rc;
}

size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned long c;
    size_t need, i;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 2;
        c = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 3;
        c = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 4;
        c = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if ((need == 3 && c < 0x800) || (need == 4 && c < 0x10000) ||
        c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return need;
}

static const char hexd[] = "0123456789abcdef";
static const char repl[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Byte classes for JSON strings: 0 copy as is, 1 backslash + byte,
 * 2 \u00XX escape, 3 start of a multi-byte sequence (checked). */
static const unsigned char json_cls[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

/* Runs of plain bytes in JSON strings (no byte >= 0x80, < 0x20, '"', '\\'
 * or 0x7F) are found eight or sixteen bytes at a time: with SSE2 where the
 * compiler has it, else with 64-bit arithmetic on eight bytes (SWAR). */
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
#include <emmintrin.h>

/* Bit i of the result is set when byte i of v is not plain. */
static int json_special_mask(__m128i v)
{
    /* the compare is signed: bytes >= 0x80 are negative, so below 0x20 */
    __m128i lo = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    __m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
    __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22));
    __m128i bs = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C));
    return _mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(lo, del), _mm_or_si128(q, bs)));
}

/* Nonzero iff the eight bytes of w are all plain. */
static int json_plain_w(uint64_t w)
{
    __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)&w);
    return (json_special_mask(v) & 0xFF) == 0; /* the upper half is 0 */
}

/* Nonzero iff the sixteen bytes at p are all plain. */
static int json_plain16(const unsigned char *p)
{
    return json_special_mask(
               _mm_loadu_si128((const __m128i *)(const void *)p)) == 0;
}
#else
#define ONES8 UINT64_C(0x0101010101010101)
#define HI8 UINT64_C(0x8080808080808080)

/* Nonzero iff the eight bytes of w are all plain.  Each term sets the high
 * bit of a byte lane; when no byte is >= 0x80 (w itself) the terms are
 * exact about whether some lane matches: w + 1 reaches 0x80 only from 0x7F,
 * and (x - ONES8 * k) & ~x has a high bit iff some byte of x is below k
 * (0x22 and 0x5C are found as zero bytes of w ^ them). */
static int json_plain_w(uint64_t w)
{
    uint64_t q = w ^ (ONES8 * 0x22), bs = w ^ (ONES8 * 0x5C);
    return ((w | (w + ONES8) | ((w - ONES8 * 0x20) & ~w) |
             ((q - ONES8) & ~q) | ((bs - ONES8) & ~bs)) & HI8) == 0;
}

/* Nonzero iff the sixteen bytes at p are all plain. */
static int json_plain16(const unsigned char *p)
{
    uint64_t w[2];
    memcpy(w, p, 16);
    return json_plain_w(w[0]) && json_plain_w(w[1]);
}
#endif

/* Nonzero iff the eight bytes at p are all plain. */
static int json_plain8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return json_plain_w(w);
}

/* Escape p[*ip..stop) into o (room for 6 bytes per input byte) and return
 * the new end; a UTF-8 sequence that starts before stop may use the bytes up
 * to n, so *ip can end a little past stop. */
static char *json_esc(char *o, const unsigned char *p, size_t *ip,
                      size_t stop, size_t n)
{
    size_t i = *ip;
    while (i < stop) {
        unsigned char c;
        /* runs of plain bytes sixteen or eight at a time */
        while (stop - i >= 16 && json_plain16(p + i)) {
            memcpy(o, p + i, 16);
            o += 16;
            i += 16;
        }
        if (stop - i >= 8 && json_plain8(p + i)) {
            memcpy(o, p + i, 8);
            o += 8;
            i += 8;
        }
        if (i == stop)
            break;
        if (stop - i < 8 && stop >= 8 && json_plain8(p + stop - 8)) {
            /* Fewer than eight bytes left: when the last eight bytes of
             * p[0..stop) are all plain, the ones before i were copied as
             * they are and end at o, so writing those eight bytes so that
             * they end at o + (stop - i) rewrites the same values and adds
             * the rest. */
            memcpy(o - (8 - (stop - i)), p + stop - 8, 8);
            o += stop - i;
            i = stop;
            break;
        }
        if (stop - i >= 4 && stop - i < 8) {
            /* four to seven bytes left (a short string, or the end of one
             * after a special byte): its first and last four bytes, which
             * overlap, checked at once */
            uint32_t h, t;
            memcpy(&h, p + i, 4);
            memcpy(&t, p + stop - 4, 4);
            if (json_plain_w(h | (uint64_t)t << 32)) {
                memcpy(o, &h, 4);
                memcpy(o + (stop - i) - 4, &t, 4);
                o += stop - i;
                i = stop;
                break;
            }
        }
        while (i < stop && json_cls[p[i]] == 0)
            *o++ = (char)p[i++];
        if (i >= stop)
            break;
        c = p[i];
        switch (json_cls[c]) {
        case 1:
            *o++ = '\\';
            *o++ = (char)c;
            i++;
            break;
        case 2:
            *o++ = '\\';
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hexd[c >> 4];
            *o++ = hexd[c & 15];
            i++;
            break;
        default: {
            unsigned long cp;
            size_t k = utf8_decode(p + i, n - i, &cp);
            if (k == 0) {
                memcpy(o, repl, 3);
                o += 3;
                i++;
            } else {
                memcpy(o, p + i, k);
                o += k;
                i += k;
            }
            break;
        }
        }
    }
    *ip = i;
    return o;
}

char *out_json_str(char *o, const char *s, size_t n)
{
    size_t i = 0;
    *o++ = '"';
    if (n)
        o = json_esc(o, (const unsigned char *)s, &i, n, n);
    *o++ = '"';
    return o;
}

void ob_json_str(obuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    char *o;
    if (n <= JSON_CHUNK) {
        if ((o = ob_reserve(b, JSON_STR_MAX(n))) != NULL)
            b->len = (size_t)(out_json_str(o, s, n) - b->data);
        return;
    }
    if (ob_grow(b, 1) != 0)
        return;
    b->data[b->len++] = '"';
    while (i < n) {
        size_t stop = n - i > JSON_CHUNK ? i + JSON_CHUNK : n;
        if ((o = ob_reserve(b, 6 * (stop - i))) == NULL)
            return;
        b->len = (size_t)(json_esc(o, p, &i, stop, n) - b->data);
    }
    ob_putc(b, '"');
}

void ob_json_key_str(obuf *b, const char *key, size_t klen, const char *s,
                     size_t n)
{
    char *o;
    if (n > JSON_CHUNK) {
        ob_put(b, key, klen);
        ob_json_str(b, s, n);
        return;
    }
    if ((o = ob_reserve(b, klen + JSON_STR_MAX(n))) == NULL)
        return;
    memcpy(o, key, klen);
    b->len = (size_t)(out_json_str(o + klen, s, n) - b->data);
}

void ob_json_key_cstr(obuf *b, const char *key, size_t klen, const char *s)
{
    if (s) {
        ob_json_key_str(b, key, klen, s, strlen(s));
    } else {
        ob_put(b, key, klen);
        ob_put(b, "null", 4);
    }
}

void ob_json_cstr(obuf *b, const char *s)
{
    if (!s)
        ob_put(b, "null", 4);
    else
        ob_json_str(b, s, strlen(s));
}

void ob_json_cstr_or_null(obuf *b, const char *s)
{
    if (!s || !*s)
        ob_put(b, "null", 4);
    else
        ob_json_str(b, s, strlen(s));
}

void ob_json_bool(obuf *b, int v)
{
    if (v)
        ob_put(b, "true", 4);
    else
        ob_put(b, "false", 5);
}

void ob_json_key(obuf *b, const char *key, int *first)
{
    size_t n = strlen(key), i;
    if (!*first)
        ob_putc(b, ',');
    *first = 0;
    /* a key that needs no escaping (they all are field names) is copied
     * as it is */
    for (i = 0; i < n && json_cls[(unsigned char)key[i]] == 0; i++)
        ;
    if (i == n && ob_grow(b, n + 3) == 0) {
        char *o = b->data + b->len;
        o[0] = '"';
        memcpy(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        b->len += n + 3;
        return;
    }
    ob_json_str(b, key, n);
    ob_putc(b, ':');
}

/* "00" to "99": two decimal digits at a time */
static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

char *out_lld(char *o, long long v)
{
    char t[OUT_LLD_MAX];
    size_t k = sizeof t, n;
    /* the magnitude as unsigned: exact for LLONG_MIN too */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;
    /* digits from the end of t (at most 20 for 64 bits) */
    while (u >= 100 && k >= 2) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        t[--k] = digit_pairs[d + 1];
        t[--k] = digit_pairs[d];
    }
    if (u >= 10 && k >= 2) {
        t[--k] = digit_pairs[u * 2 + 1];
        t[--k] = digit_pairs[u * 2];
    } else if (k >= 1) {
        t[--k] = (char)('0' + (int)u);
    }
    if (v < 0)
        *o++ = '-';
    n = sizeof t - k;
    memcpy(o, t + k, n);
    return o + n;
}

void ob_lld(obuf *b, long long v)
{
    char *o = ob_reserve(b, OUT_LLD_MAX);
    if (o)
        b->len = (size_t)(out_lld(o, v) - b->data);
}

/* CSV byte classes, or-ed over a field: 1 the field must be quoted (',',
 * '"', CR, LF), 2 a byte >= 0x80 (the UTF-8 is checked). */
static const unsigned char csv_cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Copy bytes, replacing invalid UTF-8 with U+FFFD and, when dq, doubling
 * each '"'.  In chunks: one input byte gives at most 3 output bytes, plus 3
 * for a UTF-8 sequence that starts just before the chunk end. */
static void put_valid_utf8(obuf *b, const char *s, size_t n, int dq)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t stop = n - i > JSON_CHUNK ? i + JSON_CHUNK : n;
        char *o = ob_reserve(b, 3 * (stop - i) + 3);
        if (!o)
            return;
        while (i < stop) {
            if (p[i] < 0x80) {
                if (dq && p[i] == '"')
                    *o++ = '"';
                *o++ = (char)p[i++];
            } else {
                unsigned long cp;
                size_t k = utf8_decode(p + i, n - i, &cp);
                if (k == 0) {
                    memcpy(o, repl, 3);
                    o += 3;
                    i++;
                } else {
                    memcpy(o, s + i, k);
                    o += k;
                    i += k;
                }
            }
        }
        b->len = (size_t)(o - b->data);
    }
}

void ob_csv_field(obuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i;
    unsigned cls = 0;
    for (i = 0; i < n; i++)
        cls |= csv_cls[p[i]];
    if (cls == 0) { /* the common case: written as it is */
        ob_put(b, s, n);
        return;
    }
    if (cls & 1)
        ob_putc(b, '"');
    put_valid_utf8(b, s, n, cls & 1);
    if (cls & 1)
        ob_putc(b, '"');
}

void ob_csv_cstr(obuf *b, const char *s)
{
    if (s)
        ob_csv_field(b, s, strlen(s));
}

/* Length of the display character at p[0..n) (n > 0): a UTF-8 sequence, or
 * one byte (ASCII or invalid). */
static size_t cell_char_len(const unsigned char *p, size_t n)
{
    unsigned long cp;
    size_t k;
    if (p[0] < 0x80)
        return 1;
    k = utf8_decode(p, n, &cp);
    return k ? k : 1;
}

void ob_cell(obuf *b, const char *s, size_t width, int pad)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0, chars = 0, total = 0;
    /* count display characters (one per code point, invalid byte = 1):
     * only whether there are more than width matters */
    while (i < n && total <= width) {
        i += cell_char_len(p + i, n - i);
        total++;
    }
    i = 0;
    while (i < n && chars < width) {
        char *o;
        if (total > width && width >= 3 && chars == width - 3) {
            ob_put(b, "...", 3);
            chars += 3;
            break;
        }
        if ((o = ob_reserve(b, 4)) == NULL)
            return;
        if (p[i] < 0x80) {
            /* control characters are shown as spaces */
            *o = p[i] < 0x20 || p[i] == 0x7F ? ' ' : (char)p[i];
            b->len++;
            i++;
        } else {
            unsigned long cp;
            size_t k = utf8_decode(p + i, n - i, &cp);
            if (k == 0) {
                memcpy(o, repl, 3);
                b->len += 3;
                i++;
            } else { /* (cp >= 0x80: no control character) */
                memcpy(o, p + i, k);
                b->len += k;
                i += k;
            }
        }
        chars++;
    }
    if (pad && chars < width) {
        char *o = ob_reserve(b, width - chars);
        if (o) {
            memset(o, ' ', width - chars);
            b->len += width - chars;
        }
    }
}

void ob_cell_tail(obuf *b, const char *s, size_t width)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0, total = 0, skip;
    while (i < n) {
        i += cell_char_len(p + i, n - i);
        total++;
    }
    if (total <= width || width < 4) {
        ob_cell(b, s, width, 1);
        return;
    }
    /* drop the first total - (width - 3) characters */
    skip = total - (width - 3);
    i = 0;
    while (i < n && skip > 0) {
        i += cell_char_len(p + i, n - i);
        skip--;
    }
    ob_puts(b, "...");
    ob_cell(b, (const char *)p + i, width - 3, 1);
}
