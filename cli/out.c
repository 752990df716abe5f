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

/* For the small helpers of the hot loops that must be inlined. */
#if defined(__GNUC__)
#define OUT_INLINE static inline __attribute__((always_inline))
#else
#define OUT_INLINE static inline
#endif

static const char hexd[] = "0123456789abcdef";
static const char repl[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Copy p[0..n) to o with a few (overlapping) loads and stores when short
 * (up to 32 bytes: most values of out_json_members, which inlines it). */
OUT_INLINE char *copy_short(char *o, const char *p, size_t n)
{
    if (n >= 16) {
        if (n > 32) {
            memcpy(o, p, n);
        } else {
            memcpy(o, p, 16);
            memcpy(o + n - 16, p + n - 16, 16);
        }
    } else if (n >= 8) {
        uint64_t h, t;
        memcpy(&h, p, 8);
        memcpy(&t, p + n - 8, 8);
        memcpy(o, &h, 8);
        memcpy(o + n - 8, &t, 8);
    } else if (n >= 4) {
        uint32_t h, t;
        memcpy(&h, p, 4);
        memcpy(&t, p + n - 4, 4);
        memcpy(o, &h, 4);
        memcpy(o + n - 4, &t, 4);
    } else if (n > 0) {
        o[0] = p[0];
        o[n - 1] = p[n - 1];
        o[n / 2] = p[n / 2];
    }
    return o + n;
}

/* The length of the valid UTF-8 sequence at p[0..n) (p[0] >= 0x80) as
 * utf8_decode finds it, or 0 when invalid: two- and three-byte sequences
 * are checked here, the rest by utf8_decode. */
static inline size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned long cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        if (n >= 2 && (p[1] & 0xC0) == 0x80)
            return 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        /* not overlong (E0 80..9F) and no surrogate (ED A0..BF) */
        if (n >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
            (p[0] != 0xE0 || p[1] >= 0xA0) && (p[0] != 0xED || p[1] < 0xA0))
            return 3;
        return 0;
    }
    return utf8_decode(p, n, &cp);
}

/* Copy the k bytes (1 to 4) of a UTF-8 sequence from p to o. */
static inline void copy_seq(char *o, const unsigned char *p, size_t k)
{
    o[0] = (char)p[0];
    o[k - 1] = (char)p[k - 1];
    if (k > 2) {
        o[1] = (char)p[1];
        o[k - 2] = (char)p[k - 2];
    }
}

/* The UTF-8 sequence at p[*i] (p[*i] >= 0x80; n: the length of p) copied
 * to o, or U+FFFD in place of an invalid byte; *i moves past what was
 * taken.  Returns the new end of o. */
static inline char *put_seq(char *o, const unsigned char *p, size_t n,
                            size_t *i)
{
    size_t k = utf8_len(p + *i, n - *i);
    if (k == 0) {
        memcpy(o, repl, 3);
        (*i)++;
        return o + 3;
    }
    copy_seq(o, p + *i, k);
    *i += k;
    return o + k;
}

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
    /* One signed compare of v + 1 (wrapping) with 0x20 finds the bytes
     * from 0x20 to 0x7E (v + 1 is 0x21..0x7F), the others being those
     * below 0x20 (v + 1 is 0x01..0x20), 0x7F (v + 1 is 0x80, negative) and
     * those >= 0x80 (v + 1 is negative, or 0x00 for 0xFF); the plain ones
     * are those without '"' and '\\'. */
    __m128i in = _mm_cmpgt_epi8(_mm_add_epi8(v, _mm_set1_epi8(1)),
                                _mm_set1_epi8(0x20));
    __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22));
    __m128i bs = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C));
    return _mm_movemask_epi8(_mm_andnot_si128(_mm_or_si128(q, bs), in)) ^
           0xFFFF;
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

#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
/* The index of the lowest set bit of m (m != 0). */
static int first_bit(unsigned m)
{
#if defined(__GNUC__)
    return __builtin_ctz(m);
#else
    int k = 0;
    while (!(m & 1u)) {
        m >>= 1;
        k++;
    }
    return k;
#endif
}
#endif

#if defined(__SSE2__) && !defined(OUT_NO_SSE2)

/* Copy the bytes at p[*ip..stop) to o sixteen at a time while special(v,
 * arg) (a mask test: bit k set when byte k of v must be handled one by one)
 * marks none of them; stop at the first marked byte, or with fewer than
 * sixteen bytes left.  All sixteen bytes of the block that holds a marked
 * byte are stored (the caller has room for them): those from that byte on
 * are written again.  Moves *ip on and returns the new end of o.  (Inlined,
 * so that special is a direct call that the compiler inlines in turn.) */
OUT_INLINE char *copy_run16(char *o, const unsigned char *p, size_t *ip,
                            size_t stop, int (*special)(__m128i, int),
                            int arg)
{
    size_t i = *ip;
    while (stop - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)special(v, arg);
        _mm_storeu_si128((__m128i *)(void *)o, v);
        if (m != 0) {
            size_t k = (size_t)first_bit(m);
            o += k;
            i += k;
            break;
        }
        o += 16;
        i += 16;
    }
    *ip = i;
    return o;
}

/* The mask test of copy_run16 for JSON strings: the bytes that are not
 * plain (arg is not used). */
static int json_run_mask(__m128i v, int arg)
{
    (void)arg;
    return json_special_mask(v);
}

/* The mask test of copy_run16 for valid_utf8_to: the bytes >= 0x80, and
 * '"' when dq. */
static int ascii_run_mask(__m128i v, int dq)
{
    if (dq) /* '"' as 0xFF, which has the high bit */
        v = _mm_or_si128(v, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    return _mm_movemask_epi8(v);
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
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
        /* runs of plain bytes sixteen at a time (there is room for them, as
         * for 6 bytes per input byte) */
        o = copy_run16(o, p, &i, stop, json_run_mask, 0);
        if (stop - i >= 16)
            goto special; /* p[i] is not plain */
#else
        /* runs of plain bytes sixteen at a time */
        while (stop - i >= 16 && json_plain16(p + i)) {
            memcpy(o, p + i, 16);
            o += 16;
            i += 16;
        }
#endif
        /* fewer than sixteen bytes left (or, without SSE2, a block that is
         * not all plain) */
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
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
    special:
#endif
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
        default:
            /* a run of bytes >= 0x80 (text in another script) is taken
             * here, one sequence or invalid byte after the other */
            do
                o = put_seq(o, p, n, &i);
            while (i < stop && p[i] >= 0x80);
            break;
        }
    }
    *ip = i;
    return o;
}

/* Nonzero iff the n bytes at p (8 <= n <= 16) are all plain: the first and
 * the last eight, which overlap when n < 16. */
static int json_plain_8to16(const unsigned char *p, size_t n)
{
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
    __m128i v = _mm_unpacklo_epi64(
        _mm_loadl_epi64((const __m128i *)(const void *)p),
        _mm_loadl_epi64((const __m128i *)(const void *)(p + n - 8)));
    return json_special_mask(v) == 0;
#else
    return json_plain8(p) && json_plain8(p + n - 8);
#endif
}

/* Nonzero iff the n bytes at p (16 <= n <= 32) are all plain: the first
 * and the last sixteen, which overlap when n < 32. */
static int json_plain_16to32(const unsigned char *p, size_t n)
{
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
    return (json_special_mask(
                _mm_loadu_si128((const __m128i *)(const void *)p)) |
            json_special_mask(_mm_loadu_si128(
                (const __m128i *)(const void *)(p + n - 16)))) == 0;
#else
    return json_plain16(p) && json_plain16(p + n - 16);
#endif
}

/* json_plain_span reads s in aligned blocks (sixteen or eight bytes), so it
 * reads a few bytes before s and after its NUL: bytes of the same aligned
 * block, which is never split between two pages, so that the read cannot
 * fault.  AddressSanitizer would report those bytes, and ThreadSanitizer a
 * race on them when another thread writes next to s: neither looks at this
 * function, which is not inlined then (an inlined one would take on its
 * caller's instrumentation). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OUT_SPAN_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define OUT_SPAN_SAN 1
#endif
#endif
#if defined(OUT_SPAN_SAN)
#define OUT_SPAN_FN                                                         \
    static __attribute__((noinline, no_sanitize_address,                    \
                          no_sanitize_thread))
#else
#define OUT_SPAN_FN OUT_INLINE
#endif

/* The number of plain bytes at the start of the NUL-terminated s (see
 * json_special_mask): s[k] is then its NUL (s is all plain) or the first
 * byte that is not plain.  One pass for both the end of s and the bytes to
 * escape, in place of strlen and a second look. */
OUT_SPAN_FN size_t json_plain_span(const char *s)
{
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
    /* the NUL is not plain (a byte below 0x20): the first marked byte of
     * the blocks is the answer; the bits of the bytes before s are shifted
     * out of the first block's mask */
    size_t off = (size_t)((uintptr_t)s & 15), k;
    const __m128i *a =
        (const __m128i *)(const void *)((uintptr_t)s & ~(uintptr_t)15);
    unsigned m = (unsigned)json_special_mask(_mm_load_si128(a)) >> off;
    if (m != 0)
        return (size_t)first_bit(m);
    for (k = 16 - off;; k += 16) {
        m = (unsigned)json_special_mask(_mm_load_si128(++a));
        if (m != 0)
            return k + (size_t)first_bit(m);
    }
#else
    /* byte by byte up to an eight-byte boundary, then eight bytes at a time
     * up to the word that holds the byte, then byte by byte in it
     * (json_cls[0] is not 0: the NUL stops the loops) */
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    for (; ((uintptr_t)(p + k) & 7) != 0; k++)
        if (json_cls[p[k]] != 0)
            return k;
    for (;; k += 8) {
        uint64_t w;
        memcpy(&w, p + k, 8);
        if (!json_plain_w(w))
            break;
    }
    while (json_cls[p[k]] == 0)
        k++;
    return k;
#endif
}

/* Write s[0..n) escaped for a JSON string, without the quotes, at o,
 * which has room for 6 * n bytes, and return the end of what was written
 * (inlined in out_json_str). */
OUT_INLINE char *json_body(char *o, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    /* Fast paths for strings without a byte to escape (most of them):
     * copied as they are with a few (overlapping) loads and stores.  The
     * short ones (most values) are looked at first. */
    if (n < 16) {
        if (n >= 8) {
            if (json_plain_8to16(p, n)) {
                uint64_t h, t;
                memcpy(&h, p, 8);
                memcpy(&t, p + n - 8, 8);
                memcpy(o, &h, 8);
                memcpy(o + n - 8, &t, 8);
                return o + n;
            }
        } else if (n >= 4) {
            uint32_t h, t;
            memcpy(&h, p, 4);
            memcpy(&t, p + n - 4, 4);
            if (json_plain_w(h | (uint64_t)t << 32)) {
                memcpy(o, &h, 4);
                memcpy(o + n - 4, &t, 4);
                return o + n;
            }
        } else {
            while (i < n && json_cls[p[i]] == 0)
                *o++ = (char)p[i++];
            if (i == n)
                return o;
        }
    } else if (n <= 32) {
        if (json_plain_16to32(p, n)) {
            memcpy(o, p, 16);
            memcpy(o + n - 16, p + n - 16, 16);
            return o + n;
        }
    } else {
        while (n - i >= 16 && json_plain16(p + i)) {
            memcpy(o, p + i, 16);
            o += 16;
            i += 16;
        }
        if (i == n)
            return o;
        if (n - i < 16 && json_plain16(p + n - 16)) {
            /* the last sixteen bytes are plain, so those before i that
             * overlap them were copied as they are (see json_esc) */
            memcpy(o - (16 - (n - i)), p + n - 16, 16);
            return o + (n - i);
        }
    }
    return json_esc(o, p, &i, n, n);
}

char *out_json_str(char *o, const char *s, size_t n)
{
    *o++ = '"';
    o = json_body(o, s, n);
    *o++ = '"';
    return o;
}

/* Room for n more bytes at o, the end of what is written so far in b's free
 * space: the new position of o after the buffer has grown, or NULL when it
 * has failed. */
static char *reserve_at(obuf *b, char *o, size_t n)
{
    b->len = (size_t)(o - b->data);
    return ob_reserve(b, n);
}

char *out_json_members(obuf *b, char *o, const out_key *keys,
                       const char *const *v, size_t count)
{
    char *end = b->data + b->cap; /* of b's free space */
    size_t i;
    for (i = 0; i < count; i++) {
        const char *s = v[i];
        size_t n, k;
        if (!s || !*s) { /* many values are empty: the key ends with "" */
            if ((size_t)(end - o) < OUT_KEY) {
                if ((o = reserve_at(b, o, OUT_KEY)) == NULL)
                    return NULL;
                end = b->data + b->cap;
            }
            memcpy(o, keys[i].text, OUT_KEY);
            o += keys[i].klen + 2;
            continue;
        }
        k = json_plain_span(s);
        n = s[k] == '\0' ? k : k + strlen(s + k);
        if (n > JSON_CHUNK) { /* escaped in chunks by ob_json_str */
            if ((o = reserve_at(b, o, OUT_KEY)) == NULL)
                return NULL;
            memcpy(o, keys[i].text, OUT_KEY);
            b->len += keys[i].klen;
            ob_json_str(b, s, n);
            if ((o = ob_reserve(b, 0)) == NULL)
                return NULL;
            end = b->data + b->cap;
            continue;
        }
        /* the key with its opening quote, the value, the closing quote */
        if ((size_t)(end - o) < OUT_KEY + JSON_STR_MAX(n)) {
            if ((o = reserve_at(b, o, OUT_KEY + JSON_STR_MAX(n))) == NULL)
                return NULL;
            end = b->data + b->cap;
        }
        memcpy(o, keys[i].text, OUT_KEY);
        /* s[0..k) is plain: copied as it is; the rest (if any) escaped */
        o = copy_short(o + keys[i].klen + 1, s, k);
        if (k < n)
            o = json_esc(o, (const unsigned char *)s, &k, n, n);
        *o++ = '"';
    }
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
    o = copy_short(o, key, klen);
    b->len = (size_t)(out_json_str(o, s, n) - b->data);
}

void ob_json_key_cstr(obuf *b, const char *key, size_t klen, const char *s)
{
    char *o;
    if (s && *s) {
        ob_json_key_str(b, key, klen, s, strlen(s));
        return;
    }
    /* null, or an empty string */
    if ((o = ob_reserve(b, klen + 4)) == NULL)
        return;
    o = copy_short(o, key, klen);
    if (s) {
        o[0] = '"';
        o[1] = '"';
        o += 2;
    } else {
        memcpy(o, "null", 4);
        o += 4;
    }
    b->len = (size_t)(o - b->data);
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

/* 10^k for k < 20 */
static const unsigned long long pow10_u64[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
    10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
    100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL,
    10000000000000000000ULL,
};

char *out_lld(char *o, long long v)
{
    char *d;
    size_t n;
    uint32_t s;
    /* the magnitude as unsigned: exact for LLONG_MIN too (at most 20
     * digits) */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;
    if (v < 0)
        *o++ = '-';
    /* the number of digits (counted down from the most that a value in 32
     * bits has, ten, as timestamps have), then the digits written
     * backwards from their end, straight into o */
    for (n = u > 0xFFFFFFFFu ? 20 : 10; n > 1 && u < pow10_u64[n - 1]; n--)
        ;
    d = o + n;
    /* two digits at a time: in 64 bits while the value needs them, then in
     * 32 bits (cheaper), which is all that most values need */
    while (u > 0xFFFFFFFFu) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        d -= 2;
        memcpy(d, digit_pairs + 2 * r, 2);
    }
    s = (uint32_t)u;
    while (s >= 100) {
        uint32_t r = s % 100;
        s /= 100;
        d -= 2;
        memcpy(d, digit_pairs + 2 * r, 2);
    }
    if (s >= 10) {
        d -= 2;
        memcpy(d, digit_pairs + 2 * s, 2);
    } else {
        *--d = (char)('0' + s);
    }
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

/* Copy p[*ip..stop) to o, replacing invalid UTF-8 with U+FFFD and, when
 * dq, doubling each '"'; a UTF-8 sequence that starts before stop may use
 * the bytes up to n.  One input byte gives at most 3 output bytes, plus 3
 * for a sequence that starts just before stop.  Returns the new end. */
static char *valid_utf8_to(char *o, const unsigned char *p, size_t *ip,
                           size_t stop, size_t n, int dq)
{
    size_t i = *ip;
    while (i < stop) {
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
        /* runs of ASCII bytes (other than '"' when dq) sixteen at a time:
         * there is room for them, as for 3 bytes per input byte */
        o = copy_run16(o, p, &i, stop, ascii_run_mask, dq);
        if (i >= stop)
            break;
#endif
        if (p[i] < 0x80) {
            if (dq && p[i] == '"')
                *o++ = '"';
            *o++ = (char)p[i++];
        } else {
            o = put_seq(o, p, n, &i);
        }
    }
    *ip = i;
    return o;
}

/* Copy bytes, replacing invalid UTF-8 with U+FFFD and, when dq, doubling
 * each '"'.  In chunks, each reserving 3 bytes per input byte plus 3. */
static void put_valid_utf8(obuf *b, const char *s, size_t n, int dq)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t stop = n - i > JSON_CHUNK ? i + JSON_CHUNK : n;
        char *o = ob_reserve(b, 3 * (stop - i) + 3);
        if (!o)
            return;
        b->len = (size_t)(valid_utf8_to(o, p, &i, stop, n, dq) - b->data);
    }
}


#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
/* The csv_cls classes of the sixteen bytes of v, or-ed. */
static unsigned csv_cls16(__m128i v)
{
    __m128i q = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
    return (_mm_movemask_epi8(q) ? 1u : 0u) |
           (_mm_movemask_epi8(v) ? 2u : 0u); /* the high bits: >= 0x80 */
}
#endif

/* The csv_cls classes of p[0..n), or-ed. */
static unsigned csv_classes(const unsigned char *p, size_t n)
{
    unsigned cls = 0;
    size_t i = 0;
#if defined(__SSE2__) && !defined(OUT_NO_SSE2)
    if (n >= 16) {
        for (; n - i >= 16 && cls != 3; i += 16)
            cls |= csv_cls16(
                _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
        if (i < n) /* the last sixteen bytes, overlapping */
            cls |= csv_cls16(_mm_loadu_si128(
                (const __m128i *)(const void *)(p + n - 16)));
        return cls;
    }
    if (n >= 8) /* the first and last eight, overlapping */
        return csv_cls16(_mm_unpacklo_epi64(
            _mm_loadl_epi64((const __m128i *)(const void *)p),
            _mm_loadl_epi64((const __m128i *)(const void *)(p + n - 8))));
#endif
    for (; i < n; i++)
        cls |= csv_cls[p[i]];
    return cls;
}

void ob_csv_field(obuf *b, const char *s, size_t n)
{
    unsigned cls = csv_classes((const unsigned char *)s, n);
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

char *out_csv_field(char *o, const char *s, size_t n)
{
    unsigned cls = csv_classes((const unsigned char *)s, n);
    size_t i = 0;
    if (cls == 0) /* the common case: written as it is */
        return copy_short(o, s, n);
    if (cls & 1)
        *o++ = '"';
    o = valid_utf8_to(o, (const unsigned char *)s, &i, n, n, cls & 1);
    if (cls & 1)
        *o++ = '"';
    return o;
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

/* Nonzero iff p[0..n) is all printable ASCII (0x20 to 0x7E): one display
 * character per byte, shown as it is. */
static int cell_plain(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] >= 0x7F)
            return 0;
    return 1;
}

/* ob_cell of printable ASCII p[0..n) */
static void cell_plain_put(obuf *b, const unsigned char *p, size_t n,
                           size_t width, int pad)
{
    char *o;
    if (width == 0 || (o = ob_reserve(b, width)) == NULL)
        return;
    if (n <= width) {
        memcpy(o, p, n);
        if (pad) {
            memset(o + n, ' ', width - n);
            n = width;
        }
    } else if (width >= 3) { /* cut, "..." at the end */
        memcpy(o, p, width - 3);
        memcpy(o + width - 3, "...", 3);
        n = width;
    } else {
        memcpy(o, p, width);
        n = width;
    }
    b->len += n;
}

void ob_cell(obuf *b, const char *s, size_t width, int pad)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0, chars = 0, total = 0;
    if (cell_plain(p, n)) { /* the common case */
        cell_plain_put(b, p, n, width, pad);
        return;
    }
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
    if (cell_plain(p, n)) { /* the common case */
        if (n <= width || width < 4) {
            cell_plain_put(b, p, n, width, 1);
        } else { /* "..." and the last width - 3 characters */
            char *o = ob_reserve(b, width);
            if (o) {
                memcpy(o, "...", 3);
                memcpy(o + 3, p + n - (width - 3), width - 3);
                b->len += width;
            }
        }
        return;
    }
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
