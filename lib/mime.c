/*
 * mime.c - the MIME model of one message (see mime.h): line-end
 * normalization, header blocks, the multipart tree, base64 and
 * quoted-printable decoding, RFC 2047 encoded words, part text and a
 * small HTML-to-text helper.
 *
 * It is linear in the size of the message for each nesting level (the
 * boundary search runs through the body and compares names only at
 * line starts), limited by max_mime_depth, max_parts, max_header_size and
 * max_text_scan.  Malformed MIME is never an error: warnings record what
 * was wrong.  message/rfc822 and the other message/... and report parts
 * are leaves: the tree does not descend into an attached message.
 * Header blocks with many headers get a name index (ss_part.hidx) so
 * that the many lookups of the decoders do not scan every header.
 * Charset conversion lives in charset.c.
 */
#include "mime.h"

#include <stdint.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* has_cr and the boundary search use AVX2 when the processor
 * has it, normalize_eol AVX-512 VBMI2 (chosen at run time). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) &&       \
    !defined(SS_NO_AVX2)
#define SS_AVX2_SCAN 1
#include <immintrin.h>
#endif

/* ---------------- limits ---------------- */

#define SS_DEF_HEADER ((size_t)1 << 20)
#define SS_DEF_DEPTH 32
#define SS_DEF_PARTS 1000
#define SS_DEF_TEXT ((size_t)1 << 20)
#define SS_MAX_DEPTH_HARD 256 /* stack bound whatever the caller asks */

static size_t lim_header(const smtpstatus_limits *l) {
    return (l && l->max_header_size) ? l->max_header_size : SS_DEF_HEADER;
}
static size_t lim_depth(const smtpstatus_limits *l) {
    size_t d = (l && l->max_mime_depth) ? l->max_mime_depth : SS_DEF_DEPTH;
    return d > SS_MAX_DEPTH_HARD ? SS_MAX_DEPTH_HARD : d;
}
static size_t lim_parts(const smtpstatus_limits *l) {
    return (l && l->max_parts) ? l->max_parts : SS_DEF_PARTS;
}
static size_t lim_text(const smtpstatus_limits *l) {
    return (l && l->max_text_scan) ? l->max_text_scan : SS_DEF_TEXT;
}

/* ---------------- small helpers ---------------- */

/* Copy p[0..n) to o up to the first byte c (all of it when there is
 * none); returns how many bytes were copied.  o has room for n bytes. */
static inline size_t copy_to_byte(char *o, const char *p, size_t n, char c) {
    size_t i = 0;
#if defined(__SSE2__)
    /* 32 then 16 bytes at a time, stored whole: only those before a c
     * count */
    const __m128i cv = _mm_set1_epi8(c);
    while (n - i >= 32) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16));
        _mm_storeu_si128((__m128i *)(void *)(o + i), v0);
        _mm_storeu_si128((__m128i *)(void *)(o + i + 16), v1);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, cv)) |
                        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, cv)) << 16;
        if (mask)
            return i + ss_ctz(mask);
        i += 32;
    }
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        _mm_storeu_si128((__m128i *)(void *)(o + i), v);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cv));
        if (mask)
            return i + ss_ctz(mask);
        i += 16;
    }
#endif
    const char *hit = memchr(p + i, c, n - i);
    size_t k = hit ? (size_t)(hit - (p + i)) : n - i;
    memcpy(o + i, p + i, k);
    return i + k;
}

#ifdef SS_AVX2_SCAN
/* The first part of normalize_eol with AVX-512 (VBMI2, on 32-byte
 * vectors): each step takes 32 bytes and the one after them, drops a CR
 * that a LF follows and turns any other CR into a LF (what "a CR and
 * the LF after it, if any, become one LF" gives), and packs the bytes
 * kept to the left (vpcompressb): no branch on where lines end, which
 * the copy up to each CR mispredicts at most lines.  Writes to o the
 * bytes for p[0..*done) (32 bytes a step while 33 are left: at most 32
 * are left after it) and returns their count; *hi is set when a byte of
 * p[0..*done) is not ASCII.  o has room for n bytes. */
__attribute__((target("avx512f,avx512vl,avx512bw,avx512vbmi2"))) static size_t
eol_avx512(char *o, const char *p, size_t n, size_t *done, int *hi) {
    const __m256i cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n');
    __m256i top = _mm256_setzero_si256();
    size_t i = 0, w = 0; /* w <= i: o + w has room for the 32 bytes stored */
    for (; n - i >= 33; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i after =
            _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 1));
        __mmask32 c = _mm256_cmpeq_epi8_mask(v, cr);
        __mmask32 l = _mm256_cmpeq_epi8_mask(after, lf); /* a LF follows */
        top = _mm256_or_si256(top, v);
        v = _mm256_mask_mov_epi8(v, c & ~l, lf);
        __mmask32 keep = ~(c & l);
        _mm256_storeu_si256((__m256i *)(void *)(o + w),
                            _mm256_maskz_compress_epi8(keep, v));
        w += (size_t)__builtin_popcount(keep);
    }
    *hi = _mm256_movemask_epi8(top) != 0;
    *done = i;
    return w;
}
#endif

/* Copy with CRLF and bare CR turned into LF; NULL slice on no memory.
 * *ascii (when not NULL) is set when the text is known to hold only bytes
 * below 0x80, else 0. */
static ss_str normalize_eol(ss_arena *a, const char *p, size_t n, int *ascii) {
    if (ascii)
        *ascii = 0;
    char *o = ss_alloc(a, n + 1);
    if (!o)
        return SS_NULLSTR;
    size_t w = 0, i = 0; /* w <= i: o + w has room for the n - i left */
#ifdef SS_AVX2_SCAN
    if (n >= 33 && __builtin_cpu_supports("avx512vbmi2") &&
        __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw")) {
        int hi;
        size_t done; /* i's address not taken: it stays in a register */
        w = eol_avx512(o, p, n, &done, &hi);
        i = done;
        if (ascii)
            *ascii = !hi && ss_ascii_len(p + i, n - i) == n - i;
    }
#endif
    while (i < n) {
        /* the run up to the next CR, copied at once */
        size_t k = copy_to_byte(o + w, p + i, n - i, '\r');
        w += k;
        i += k;
        if (i >= n)
            break;
        o[w++] = '\n';
        i++;
        if (i < n && p[i] == '\n')
            i++;
    }
    o[w] = '\0';
    return ss_str_make(o, w);
}

static ss_str maybe_normalize(ss_arena *a, ss_str s) {
    if (!s.len || !memchr(s.ptr, '\r', s.len))
        return s;
    ss_str r = normalize_eol(a, s.ptr, s.len, NULL);
    return r.ptr ? r : s;
}

/* Lower-case copy (or s itself when already lower case). */
static ss_str lower_str(ss_arena *a, ss_str s) {
    size_t i = 0;
    while (i < s.len && !(s.ptr[i] >= 'A' && s.ptr[i] <= 'Z'))
        i++;
    if (i == s.len)
        return s;
    char *o = ss_strdup(a, s.ptr, s.len);
    if (!o)
        return s;
    for (; i < s.len; i++)
        o[i] = (char)ss_lower((unsigned char)o[i]);
    return ss_str_make(o, s.len);
}

static int is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* ---------------- headers ---------------- */

/* Header name bytes: 33..126 except ':' (a table: the loop is hot). */
static const unsigned char name_char_tab[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
static int valid_name_char(int c) { return name_char_tab[c & 0xFF]; }

#if defined(__SSE2__)
/* Bits of the 16 bytes at p that are not header name bytes: below 33 or
 * above 127 (as a signed byte: less than 33), 127, or ':'. */
static inline unsigned non_name_bits(const char *p) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(33)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(127)),
                                            _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));
    return (unsigned)_mm_movemask_epi8(bad);
}

#endif

/* Length of the run of header name bytes at the start of the line ls
 * (ll bytes without the LF; avail bytes from ls to the end of the block,
 * so that ls[ll] is that LF when ll < avail). */
static inline size_t name_len(const char *ls, size_t ll, size_t avail) {
    size_t k = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time while the block has them (a LF is not a name
     * byte: the run never goes past the line, short lines too); the first
     * block apart: most names end in it, and setting the loop up for each
     * line costs more than that check */
    if (avail >= 16) {
        unsigned mask = non_name_bits(ls);
        if (mask) /* the first non-name byte: the lowest bit set */
            return ss_ctz(mask);
        k = 16;
    }
    while (avail - k >= 16) {
        unsigned mask = non_name_bits(ls + k);
        if (mask)
            return k + ss_ctz(mask);
        k += 16;
    }
#endif
    if (ll < avail) /* ls[ll] is the LF, not a name byte: it ends the loop */
        while (valid_name_char((unsigned char)ls[k]))
            k++;
    else
        while (k < ll && valid_name_char((unsigned char)ls[k]))
            k++;
    return k;
}

/* The offset of the first LF in p[0..n), or n when there is none. */
static inline size_t line_len(const char *p, size_t n) {
    size_t k = 0;
#if defined(__SSE2__) && defined(__GNUC__)
    /* header lines are short, so an inline scan (32 bytes a step) costs
     * less than a memchr call for each; the first 64 bytes in one step:
     * most lines end in them, and its one test is then mostly decided
     * the same way (a loop of smaller steps ends after a varying count
     * of them, a branch mispredicted at many lines) */
    const __m128i lf = _mm_set1_epi8('\n');
#define SS_LF16(o)                                                             \
    ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(                               \
        _mm_loadu_si128((const __m128i *)(const void *)(p + (o))), lf)))
    if (n >= 64) {
        uint64_t mask = (uint64_t)(SS_LF16(0) | SS_LF16(16) << 16) |
                        (uint64_t)(SS_LF16(32) | SS_LF16(48) << 16) << 32;
        if (mask)
            return (size_t)__builtin_ctzll(mask);
        k = 64;
    }
#undef SS_LF16
    for (; n - k >= 32; k += 32) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + k + 16));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, lf)) |
                        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, lf)) << 16;
        if (mask)
            return k + ss_ctz(mask);
    }
    if (n - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        if (mask)
            return k + ss_ctz(mask);
        k += 16;
    }
#endif
    const char *nl = memchr(p + k, '\n', n - k);
    return nl ? (size_t)(nl - p) : n;
}

/* The full array hs of nh (> 0) headers grown by ss_grow (to twice as
 * many), its new room in *cap, or NULL when there is no memory: out of
 * line, so that the loop of parse_headers keeps its own variables in
 * registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static ss_header *more_headers(ss_arena *a, ss_header *hs, size_t nh,
                               size_t *cap) {
    void *g = hs;
    size_t gcap = nh;
    if (ss_grow(a, &g, &gcap, nh + 1, sizeof *hs))
        return NULL;
    *cap = gcap;
    return g;
}

/* ss_parse_headers; may_cr 0 says that block holds no CR (the message
 * data of ss_mime_parse), which leaves out the checks for one: a
 * constant, so each caller gets its own copy of the loop. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline smtpstatus_rc
parse_headers(ss_arena *a, const smtpstatus_limits *lim, ss_str block,
              ss_header **out, size_t *n, size_t *body_off,
              unsigned *warnings, int may_cr) {
    /* the headers hs[0..he - hs), room up to hlim */
    ss_header *hs = NULL, *he = NULL, *hlim = NULL;
    size_t maxh = lim_header(lim);
    const char *p = block.ptr;
    size_t len = block.ptr ? block.len : 0;
    size_t i = 0;
    int full = 0; /* header limit reached: only look for the end */
    int cr_end = 0; /* a continuation line ended with CR */
    *out = NULL;
    *n = 0;
    *body_off = len;

    /* an mbox separator left at the very top */
    if (len >= 5 && memcmp(p, "From ", 5) == 0) {
        const char *nl = memchr(p, '\n', len);
        i = nl ? (size_t)(nl - p) + 1 : len;
    }
    int first = 1;
    while (i < len) {
        const char *ls = p + i;
        size_t ll = line_len(ls, len - i); /* without LF */
        int lf = ll < len - i;             /* ls[ll] is the LF */
        size_t next = i + ll + (size_t)lf;
        if (ll == 0 || (may_cr && ll == 1 && ls[0] == '\r')) {
            *body_off = next;
            break;
        }
        if (next > maxh) {
            /* the header limit: this line and the rest are skipped, the
             * loop below only looks for the end */
            full = 1;
            if (warnings)
                *warnings |= SMTPSTATUS_RW_HEADER_LIMIT;
            i = next;
            break;
        }
        if (ls[0] == ' ' || ls[0] == '\t') {
            if (he != hs) { /* continuation */
                ss_header *h = he - 1;
                const char *vend = ls + ll;
                if (!h->value.ptr || h->value.len == 0) {
                    /* value started on this line */
                    const char *v = ls;
                    while (v < vend && (*v == ' ' || *v == '\t'))
                        v++;
                    h->value = ss_str_make(v, (size_t)(vend - v));
                } else
                    h->value.len = (size_t)(vend - h->value.ptr);
                if (may_cr && vend[-1] == '\r')
                    cr_end = 1;
            }
            i = next;
            first = 0;
            continue;
        }
        size_t k = name_len(ls, ll, len - i);
        size_t nlen = k;
        int colon = k < ll && ls[k] == ':'; /* "Name:", the usual case */
        if (!colon) {
            while (k < ll && (ls[k] == ' ' || ls[k] == '\t'))
                k++; /* "Name : value" */
            colon = k < ll && ls[k] == ':';
        }
        if (nlen == 0 || !colon) {
            /* not a header line */
            if (first) { /* no header block at all: all is body */
                *body_off = i;
                break;
            }
            i = next;
            continue;
        }
        first = 0;
        if (he == hlim) {
            /* room for 16 at first (most blocks then never grow), then
             * twice as many each time */
            size_t nh = (size_t)(he - hs), cap = 16;
            hs = nh ? more_headers(a, hs, nh, &cap)
                    : ss_alloc(a, cap * sizeof *hs);
            if (!hs)
                return SMTPSTATUS_ENOMEM;
            he = hs + nh;
            hlim = hs + cap;
        }
        ss_header *h = he++;
        h->name = ss_str_make(ls, nlen);
        const char *v = ls + k + 1, *vend = ls + ll;
        if (vend - v >= 2 && v[0] == ' ' && (unsigned char)v[1] > ' ')
            v++; /* "Name: value", the usual case: one space, then text */
        else
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
        while (may_cr && vend > v && vend[-1] == '\r')
            vend--;
        h->value = ss_str_make(v, (size_t)(vend - v));
        i = next;
    }
    while (full && i < len) {
        const char *ls = p + i;
        const char *nl = memchr(ls, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - ls) : len - i; /* without LF */
        size_t next = nl ? i + ll + 1 : len;
        if (ll == 0 || (may_cr && ll == 1 && ls[0] == '\r')) {
            *body_off = next;
            break;
        }
        i = next;
    }
    /* drop a trailing CR on folded values (only a continuation line can
     * leave one: the first line's CR is dropped above) */
    for (ss_header *h = hs; cr_end && h < he; h++)
        while (h->value.len && h->value.ptr[h->value.len - 1] == '\r')
            h->value.len--;
    *out = hs;
    *n = (size_t)(he - hs);
    return SMTPSTATUS_OK;
}

smtpstatus_rc ss_parse_headers(ss_arena *a, const smtpstatus_limits *lim,
                               ss_str block, ss_header **out, size_t *n,
                               size_t *body_off, unsigned *warnings) {
    return parse_headers(a, lim, block, out, n, body_off, warnings, 1);
}

/* Are a[0..n) and b[0..n) the same bytes?  Compared as a few words (the
 * last one overlapping the one before), without a call: header names are
 * short, and the lookups stay free of calls. */
static inline int mem_eq(const char *a, const char *b, size_t n) {
    if (n >= 8) {
        uint64_t d = 0, x, y;
        for (size_t i = 0; n - i > 8; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            d |= x ^ y;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return (d | (x ^ y)) == 0;
    }
    if (n >= 4) {
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4);
        memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 2) {
        uint16_t a0, a1, b0, b1;
        memcpy(&a0, a, 2);
        memcpy(&b0, b, 2);
        memcpy(&a1, a + n - 2, 2);
        memcpy(&b1, b + n - 2, 2);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return n == 0 || a[0] == b[0];
}

/* Do name (len bytes) and header name q (len bytes) match, ignoring
 * ASCII case? */
static inline int name_eq_ci(const char *q, const char *name, size_t len) {
    /* most are written as looked up */
    return mem_eq(q, name, len) ||
           (len && ss_lower((unsigned char)q[0]) ==
                       ss_lower((unsigned char)name[0]) &&
            ss_memeq_ci(q, name, len));
}

ss_str ss_header_raw_n(const ss_header *h, size_t n, const char *name,
                       size_t len) {
    for (size_t i = 0; i < n; i++)
        if (h[i].name.len == len && name_eq_ci(h[i].name.ptr, name, len))
            return h[i].value;
    return SS_NULLSTR;
}

ss_str(ss_header_raw)(const ss_header *h, size_t n, const char *name) {
    return ss_header_raw_n(h, n, name, strlen(name));
}

/* ---------------- header index ---------------- */

/* See ss_header_index in mime.h. */
/* Fewer headers: a plain scan costs less.  The decoders look up dozens
 * of names in a message, most of them absent (an empty bucket then), so
 * the index pays from a handful of headers on. */
#define HIDX_MIN_HEADERS 5

/* Build the index of p's headers in the arena; p->hidx stays NULL when
 * there are few headers, too many, or no memory (lookups then scan). */
static void hidx_build(ss_arena *a, ss_part *p) {
    size_t n = p->nheaders;
    if (n < HIDX_MIN_HEADERS || n >= UINT32_MAX)
        return;
    if (n > (SIZE_MAX - sizeof(ss_header_index)) / sizeof(uint32_t))
        return;
    ss_header_index *x =
        ss_alloc(a, sizeof(ss_header_index) + n * sizeof(uint32_t));
    if (!x)
        return;
    /* the heads zeroed by a copy: a few vector moves (GCC makes a memset
     * of this size a "rep stos", slow to start) */
    static const ss_header_index zero;
    memcpy(x->head, zero.head, sizeof x->head);
    /* from the last header to the first: each goes to the front of its
     * chain, so chains end up in document order (parse_headers gives no
     * header an empty name: each has a bucket) */
    for (size_t i = n; i-- > 0;) {
        const ss_header *h = &p->headers[i];
        unsigned b = ss_hidx_bucket(h->name.ptr, h->name.len);
        x->next[i] = x->head[b];
        x->head[b] = (uint32_t)(i + 1);
    }
    p->hidx = x;
}

/* The value of the first header named name in the chain of x that
 * starts at header j - 1 (j > 0). */
#if defined(__GNUC__)
__attribute__((noinline)) /* keeps the first test of the caller lean */
#endif
static ss_str hidx_chain(const ss_header_index *x, const ss_header *hs,
                         uint32_t j, const char *name, size_t len) {
    /* each step follows a link to a later header: at most nheaders steps */
    for (; j; j = x->next[j - 1]) {
        const ss_header *h = &hs[j - 1];
        if (h->name.len == len && name_eq_ci(h->name.ptr, name, len))
            return h->value;
    }
    return SS_NULLSTR;
}

ss_str ss_part_header_chain(const ss_part *p, uint32_t j, const char *name,
                            size_t len) {
    /* most lookups that find a header find the first of its bucket,
     * written as looked up: that one without a further call */
    const ss_header *h = &p->headers[j - 1];
    if (h->name.len == len && mem_eq(h->name.ptr, name, len))
        return h->value;
    return hidx_chain(p->hidx, p->headers, j, name, len);
}

ss_str(ss_part_header_raw_idx)(const ss_part *p, const char *name) {
    return ss_part_header_raw_n(p, name, strlen(name));
}

/* Does p[0..n) hold a LF or a CR? */
static int has_eol(const char *p, size_t n) {
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes at a time; the last block overlaps the one before */
        const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
        for (size_t i = 0;; i += 16) {
            if (n - i < 16)
                i = n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
                                               _mm_cmpeq_epi8(v, cr))))
                return 1;
            if (i + 16 >= n)
                return 0;
        }
    }
#endif
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n' || p[i] == '\r')
            return 1;
    return 0;
}

ss_str ss_unfold(ss_arena *a, ss_str v) {
    if (!v.ptr || !has_eol(v.ptr, v.len))
        return v;
    char *o = ss_alloc(a, v.len + 1);
    if (!o)
        return v;
    size_t w = 0;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (c == '\r' || c == '\n') {
            while (i + 1 < v.len && (v.ptr[i + 1] == '\r' || v.ptr[i + 1] == '\n'))
                i++;
            while (i + 1 < v.len && (v.ptr[i + 1] == ' ' || v.ptr[i + 1] == '\t'))
                i++;
            o[w++] = ' ';
        } else
            o[w++] = c;
    }
    o[w] = '\0';
    return ss_str_make(o, w);
}

/* Not 0 when a byte of w is below 0x0E (a CR, a LF and other control
 * bytes), 0x80 or more, or a '=': what plain_value looks at closer.
 * (x - ones * c) & ~x & top is not 0 exactly when a byte of x is below
 * c (for c <= 0x80): with x = w ^ (ones * '=') and c = 1, a '='; with
 * x = w, or'ed with w, the ~x goes, as w's top bits count anyway. */
static inline uint64_t swar_stops(uint64_t w) {
    const uint64_t ones = UINT64_C(0x0101010101010101), top = ones << 7;
    uint64_t eq = w ^ (ones * '=');
    return ((w - ones * 0x0E) | w | ((eq - ones) & ~eq)) & top;
}

/* Is p[0..n) free of what header_decode changes: a CR or LF (folding),
 * "=?" (an encoded word) and bytes >= 0x80 (the UTF-8 check)?  Most
 * values are: one pass instead of the three of unfold, decode and
 * check. */
static int plain_value(const char *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__) && defined(__GNUC__)
    if (n >= 16) {
        const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                      eq = _mm_set1_epi8('='), qm = _mm_set1_epi8('?'),
                      low = _mm_set1_epi8(0x0E);
        /* 16 bytes at a time; the last block overlaps the one before */
        for (;;) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            /* a byte below 0x0E (signed: 0x80 and more too) or a '=':
             * rare, and only then looked at closer */
            if (_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, low),
                                               _mm_cmpeq_epi8(v, eq)))) {
                /* the top bit of a byte, or of a CR or LF match */
                unsigned bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                    v, _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
                unsigned e = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq));
                if (bad)
                    return 0;
                if (e) { /* a '=': is a '?' next to it? */
                    unsigned q = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, qm));
                    if (e & (q >> 1))
                        return 0;
                    /* a '=' last in the block, '?' first in the next */
                    if ((e & 0x8000u) && i + 16 < n && p[i + 16] == '?')
                        return 0;
                }
            }
            if (n - i <= 16)
                return 1;
            i = n - i >= 32 ? i + 16 : n - 16;
        }
    }
#endif
    if (n >= 4 && n < 16) {
        /* the first and the last 8 bytes (4 and 4 in one word when n <
         * 8), which overlap: a value with none of the bytes swar_stops
         * looks for is plain, else it is for the loop below */
        uint64_t w = n >= 8 ? ss_load8(p) : ss_load4(p) | ss_load4(p + n - 4) << 32;
        uint64_t w2 = n >= 8 ? ss_load8(p + n - 8) : w;
        if (!(swar_stops(w) | swar_stops(w2)))
            return 1;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80 || c == '\n' || c == '\r' ||
            (c == '=' && i + 1 < n && p[i + 1] == '?'))
            return 0;
    }
    return 1;
}

/* A raw header value unfolded, RFC 2047 words decoded, trimmed. */
static ss_str header_decode(ss_arena *a, ss_str v) {
    if (!v.ptr)
        return v;
    if (plain_value(v.ptr, v.len))
        return ss_trim(v); /* what the steps below give for it */
    v = ss_unfold(a, v);
    v = ss_rfc2047_decode(a, v);
    /* raw 8-bit headers: keep valid UTF-8 as is, repair the rest */
    int unknown;
    v = ss_to_utf8(a, v, SS_NULLSTR, &unknown);
    return ss_trim(v);
}

ss_str ss_header_decode(ss_arena *a, ss_str raw) {
    return header_decode(a, raw);
}

ss_str ss_header_value_n(ss_arena *a, const ss_header *h, size_t n,
                         const char *name, size_t len) {
    return header_decode(a, ss_header_raw_n(h, n, name, len));
}

ss_str ss_part_header_value_n(ss_arena *a, const ss_part *p, const char *name,
                              size_t len) {
    return header_decode(a, ss_part_header_raw_n(p, name, len));
}

ss_str(ss_header_value)(ss_arena *a, const ss_header *h, size_t n,
                        const char *name) {
    return ss_header_value_n(a, h, n, name, strlen(name));
}

ss_str(ss_part_header_value)(ss_arena *a, const ss_part *p, const char *name) {
    return ss_part_header_value_n(a, p, name, strlen(name));
}

/* ---------------- parameters ---------------- */

/* '"', ';' and white space (is_ws): where ss_header_param looks. */
static const unsigned char param_stop[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* The offset of the first byte at or after i that is '"', ';' or white
 * space (param_stop), or n (i itself when i > n). */
#if defined(__GNUC__)
__attribute__((always_inline)) /* its vectors then set once a value */
#endif
static inline size_t param_stop_at(const char *p, size_t i, size_t n) {
#if defined(__SSE2__) && defined(__GNUC__)
    /* 16 bytes at a time while they are inside the value; then, when the
     * value has 16 bytes, its last 16 with the bits of the bytes before
     * i shifted out */
    const __m128i dq = _mm_set1_epi8('"'), sc = _mm_set1_epi8(';'),
                  sp = _mm_set1_epi8(' '), tb = _mm_set1_epi8('\t'),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (i < n && n >= 16) {
        size_t b = n - i >= 16 ? i : n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + b));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, sc)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tb)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit) >> (i - b);
        if (mask)
            return i + ss_ctz(mask);
        i = b + 16;
    }
#endif
    while (i < n && !param_stop[(unsigned char)p[i]])
        i++;
    return i;
}

/* The offset of the first '"' or backslash at or after i, or n. */
static size_t quote_or_escape_at(const char *p, size_t i, size_t n) {
#if defined(__SSE2__) && defined(__GNUC__)
    /* inline, as param_stop_at: quoted values are short, a memchr call
     * for each costs more than the scan */
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    while (i < n && n >= 16) {
        size_t b = n - i >= 16 ? i : n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + b));
        unsigned mask = (unsigned)_mm_movemask_epi8(
                            _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, bs))) >>
                        (i - b);
        if (mask)
            return i + ss_ctz(mask);
        i = b + 16;
    }
#endif
    while (i < n && p[i] != '"' && p[i] != '\\')
        i++;
    return i;
}

/* The offset of the '"' that closes a quoted string whose content starts
 * at i (a backslash takes the next byte as it is); n or n + 1 when it is
 * not closed. */
static size_t quoted_end(const char *p, size_t n, size_t i) {
    i = quote_or_escape_at(p, i, n);
    if (i >= n || p[i] == '"')
        return i; /* no escapes: the first quote closes it */
    while (i < n && p[i] != '"') {
        if (p[i] == '\\')
            i++;
        i++;
    }
    return i;
}

/* Find each of the count parameters names[] (of lens[] bytes; no '"',
 * ';' or white space in them) in a header value at once:
 * out[k] gets what ss_header_param(value, names[k]) gives.  One pass:
 * the places where a parameter name may start do not depend on the name
 * looked for, so each name's first match is the one the single search
 * finds. */
static void header_params(ss_str value, const char *const *names,
                          const size_t *lens, ss_str *out, size_t count) {
    size_t left = 0; /* names not found yet */
    for (size_t q = 0; q < count; q++) {
        out[q] = SS_NULLSTR;
        left++;
    }
    const char *p = value.ptr;
    size_t n = value.ptr ? value.len : 0;
    size_t i = 0;
    while (left) {
        /* bytes that are neither '"', ';' nor white space change nothing
         * here: skip them at once (i may be past n) */
        i = param_stop_at(p, i, n);
        if (i >= n)
            break;
        if (p[i] != '"') {
            /* ';' and white space: a name may start after them */
            do
                i++;
            while (i < n && (p[i] == ';' || is_ws((unsigned char)p[i])));
            if (i >= n)
                break;
        }
        if (p[i] == '"') { /* skip a quoted string and its closing quote */
            i = quoted_end(p, n, i + 1) + 1;
            continue;
        }
        size_t resume = 0; /* where the scan goes on after a match, or 0 */
        for (size_t q = 0; q < count; q++) {
            size_t plen = lens[q];
            const char *param = names[q];
            /* first bytes that differ in more than bit 0x20 (the case
             * of a letter) cannot match: a cheap way out for most names */
            if (out[q].ptr || n - i < plen + 1 ||
                (plen && (((unsigned char)p[i] ^ (unsigned char)param[0]) & ~0x20u)) ||
                !name_eq_ci(p + i, param, plen))
                continue;
            size_t j = i + plen;
            while (j < n && is_ws((unsigned char)p[j]))
                j++;
            if (j >= n || p[j] != '=')
                continue;
            j++;
            while (j < n && is_ws((unsigned char)p[j]))
                j++;
            if (j < n && p[j] == '"') {
                size_t s = ++j;
                j = quoted_end(p, n, j);
                if (j > n)
                    j = n;
                out[q] = ss_str_make(p + s, j - s);
                /* name="value": the scan would now skip the rest of the
                 * name and '=' (no stop bytes), then this same quoted
                 * string, up to j: go on from there at once */
                if (s == i + plen + 2)
                    resume = j;
            } else {
                /* up to ';' or white space (a '"' is part of the value) */
                size_t s = j;
                j = param_stop_at(p, j, n);
                while (j < n && p[j] == '"')
                    j = param_stop_at(p, j + 1, n);
                out[q] = ss_str_make(p + s, j - s);
            }
            left--;
        }
        /* on past the closing quote (or n), else past the byte at i */
        i = (resume ? resume : i) + 1;
    }
}

ss_str ss_header_param(ss_str value, const char *param) {
    ss_str r;
    size_t len = strlen(param);
    header_params(value, &param, &len, &r, 1);
    return r;
}

/* ---------------- transfer decodings ---------------- */

/* Base64 digit values + 1 (0: not a digit): a table, as the classes of
 * the letters and digits of encoded text mix and range tests of them are
 * branches mispredicted often.  62 and 63 are '+' and '/' (the URL-safe
 * '-' and '_' are not digits). */
#define B64_RANGE(c0, v0)                                                      \
    [c0] = v0 + 1, [c0 + 1] = v0 + 2, [c0 + 2] = v0 + 3, [c0 + 3] = v0 + 4,     \
    [c0 + 4] = v0 + 5, [c0 + 5] = v0 + 6, [c0 + 6] = v0 + 7, [c0 + 7] = v0 + 8, \
    [c0 + 8] = v0 + 9, [c0 + 9] = v0 + 10
static const unsigned char b64_tab[256] = {
    B64_RANGE('A', 0),  B64_RANGE('K', 10), ['U'] = 21, ['V'] = 22,
    ['W'] = 23,         ['X'] = 24,         ['Y'] = 25, ['Z'] = 26,
    B64_RANGE('a', 26), B64_RANGE('k', 36), ['u'] = 47, ['v'] = 48,
    ['w'] = 49,         ['x'] = 50,         ['y'] = 51, ['z'] = 52,
    B64_RANGE('0', 52), ['+'] = 63,         ['/'] = 64,
};
#undef B64_RANGE

/* The value of base64 digit c, or -1. */
static int b64val(int c) { return (int)b64_tab[c & 0xFF] - 1; }

ss_str ss_base64_decode(ss_arena *a, ss_str in, int *bad) {
    size_t n = in.ptr ? in.len : 0;
    char *o = ss_alloc(a, n / 4 * 3 + 4);
    if (!o)
        return SS_NULLSTR;
    size_t w = 0;
    unsigned acc = 0;
    int bits = 0, nq = 0;
    const unsigned char *s = (const unsigned char *)in.ptr;
    for (size_t i = 0; i < n; i++) {
        /* whole quanta of four digits, three bytes each (most of the
         * text), while a quantum starts: the bits from before do not
         * count then, and none are left over after */
        while (nq == 0 && n - i >= 4) {
            int v0 = b64val(s[i]), v1 = b64val(s[i + 1]),
                v2 = b64val(s[i + 2]), v3 = b64val(s[i + 3]);
            if ((v0 | v1 | v2 | v3) < 0)
                break;
            unsigned q = (unsigned)v0 << 18 | (unsigned)v1 << 12 |
                         (unsigned)v2 << 6 | (unsigned)v3;
            o[w] = (char)(q >> 16);
            o[w + 1] = (char)((q >> 8) & 0xFF);
            o[w + 2] = (char)(q & 0xFF);
            w += 3;
            i += 4;
        }
        if (i >= n)
            break;
        int c = s[i];
        int v = b64val(c);
        if (v < 0) {
            if (c == '=') {
                /* padding ends a quantum; data may follow (concatenation) */
                if (nq == 1 && bad)
                    *bad = 1;
                acc = 0;
                bits = 0;
                nq = 0;
            } else if (!is_ws(c) && bad)
                *bad = 1;
            continue;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        nq = (nq + 1) & 3;
        if (bits >= 8) {
            bits -= 8;
            o[w++] = (char)((acc >> bits) & 0xFF);
        }
    }
    if (nq == 1 && bad)
        *bad = 1;
    o[w] = '\0';
    return ss_str_make(o, w);
}

/* Hex digit values + 1 (0: not a hex digit): a table, as digits and
 * letters mix in quoted-printable escapes and range tests of them are
 * branches mispredicted often. */
static const unsigned char hex_tab[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* The value of hex digit c, or -1. */
static int hexval(int c) { return (int)hex_tab[c & 0xFF] - 1; }

ss_str ss_qp_decode(ss_arena *a, ss_str in, int header_mode) {
    size_t n = in.ptr ? in.len : 0;
    char *o = ss_alloc(a, n + 1);
    if (!o)
        return SS_NULLSTR;
    size_t w = 0; /* w <= i: o + w has room for the n - i bytes left */
    for (size_t i = 0; i < n; i++) {
        if (!header_mode) {
            /* the run up to the next '=', copied at once */
            size_t k = copy_to_byte(o + w, in.ptr + i, n - i, '=');
            w += k;
            i += k;
            if (i >= n)
                break;
        }
        char c = in.ptr[i];
        if (c == '_' && header_mode) {
            o[w++] = ' ';
            continue;
        }
        if (c != '=') {
            o[w++] = c;
            continue;
        }
        if (i + 2 < n) {
            int h1 = hexval((unsigned char)in.ptr[i + 1]);
            int h2 = hexval((unsigned char)in.ptr[i + 2]);
            if (h1 >= 0 && h2 >= 0) {
                o[w++] = (char)(h1 * 16 + h2);
                i += 2;
                continue;
            }
        }
        /* soft line break: '=' then optional white space then line end */
        size_t j = i + 1;
        while (j < n && (in.ptr[j] == ' ' || in.ptr[j] == '\t'))
            j++;
        if (j < n && in.ptr[j] == '\r')
            j++;
        if (j < n && in.ptr[j] == '\n') {
            i = j;
            continue;
        }
        if (j >= n && !header_mode) { /* '=' at the very end */
            i = n;
            continue;
        }
        o[w++] = '=';
    }
    o[w] = '\0';
    return ss_str_make(o, w);
}

/* ---------------- RFC 2047 ---------------- */

/* The first i in [i, end) where p[i] is a '?', a CR or a LF, or end. */
static size_t word_stop(const char *p, size_t i, size_t end) {
#if defined(__SSE2__)
    const __m128i qm = _mm_set1_epi8('?'), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r');
    while (end - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(v, qm),
            _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
        if (m)
            return i + ss_ctz(m);
        i += 16;
    }
#endif
    while (i < end && p[i] != '?' && p[i] != '\n' && p[i] != '\r')
        i++;
    return i;
}

/* Parse an encoded word at p[0..n): "=?cs?E?text?=".  Returns its length
 * or 0; sets charset, encoding and text. */
static size_t encoded_word(const char *p, size_t n, ss_str *cs, int *enc,
                           ss_str *text, size_t *noclose) {
    if (n < 8 || p[0] != '=' || p[1] != '?')
        return 0;
    size_t i = 2;
    while (i < n && p[i] != '?' && !is_ws((unsigned char)p[i]) && i < 80)
        i++;
    if (i >= n || p[i] != '?' || i == 2)
        return 0;
    *cs = ss_str_make(p + 2, i - 2);
    if (i + 2 >= n || p[i + 2] != '?')
        return 0;
    int e = ss_lower((unsigned char)p[i + 1]);
    if (e != 'b' && e != 'q')
        return 0;
    *enc = e;
    /* the first "?=" from s on, but not past a line end (white space
     * inside is not allowed, but some mailers put it in Q words; accept
     * spaces): j ends at the '?' of that "?=", or at that line end, or
     * else at n - 1 (s when that is further) */
    size_t s = i + 3, j = s;
    while (j + 1 < n) {
        j = word_stop(p, j, n - 1);
        if (j + 1 >= n || p[j] != '?' || p[j + 1] == '=')
            break;
        j++;
    }
    if (j + 1 >= n || p[j] != '?') {
        /* no "?=" before j: no word that starts before j can close */
        *noclose = j;
        return 0;
    }
    *text = ss_str_make(p + s, j - s);
    return j + 2;
}

/* Does v hold "=?" (where an encoded word may start)? */
static int has_word_start(ss_str v) {
    const char *p = v.ptr, *end = v.ptr + v.len;
    /* each round moves past one '=': bounded by the length */
    while (p + 1 < end) {
        const char *q = memchr(p, '=', (size_t)(end - p) - 1);
        if (!q)
            return 0;
        if (q[1] == '?')
            return 1;
        p = q + 1;
    }
    return 0;
}

/* A growable buffer for ss_rfc2047_decode: its first bytes are its own
 * (most decoded values fit), more are on the heap; failed set when
 * memory ran out. */
typedef struct word_buf {
    char *ptr;
    size_t len, cap;
    int failed;
    char own[256];
} word_buf;

static void wbuf_init(word_buf *b) {
    b->ptr = b->own;
    b->len = 0;
    b->cap = sizeof b->own;
    b->failed = 0;
}

static void wbuf_add(word_buf *b, const char *p, size_t n) {
    if (b->failed || !n)
        return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap;
        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2) {
                b->failed = 1;
                return;
            }
            cap *= 2;
        }
        char *q = malloc(cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        memcpy(q, b->ptr, b->len);
        if (b->ptr != b->own)
            free(b->ptr);
        b->ptr = q;
        b->cap = cap;
    }
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
}

static void wbuf_free(word_buf *b) {
    if (b->ptr != b->own)
        free(b->ptr);
}

ss_str ss_rfc2047_decode(ss_arena *a, ss_str v) {
    if (!v.ptr || v.len < 8 || !has_word_start(v))
        return v;
    word_buf out, pend;
    wbuf_init(&out);
    wbuf_init(&pend);
    ss_str pend_cs = SS_NULLSTR;
    size_t i = 0, lit = 0; /* lit: start of pending literal text */
    int prev_word = 0;     /* the last thing emitted was an encoded word */
    size_t noclose_until = 0; /* keeps the scan linear */
    while (i < v.len) {
        ss_str cs, text;
        int enc;
        size_t wl = 0;
        if (i >= noclose_until && v.ptr[i] == '=' && i + 1 < v.len &&
            v.ptr[i + 1] == '?') {
            size_t nc = 0;
            wl = encoded_word(v.ptr + i, v.len - i, &cs, &enc, &text, &nc);
            if (!wl && nc)
                noclose_until = i + nc;
        }
        if (!wl) {
            i++;
            continue;
        }
        /* literal text between the previous point and this word */
        ss_str between = ss_str_make(v.ptr + lit, i - lit);
        int only_ws = 1;
        for (size_t k = 0; k < between.len; k++)
            if (!is_ws((unsigned char)between.ptr[k]))
                only_ws = 0;
        /* strip an RFC 2231 language from the charset */
        for (size_t k = 0; k < cs.len; k++)
            if (cs.ptr[k] == '*') {
                cs.len = k;
                break;
            }
        int same_cs = pend.len && pend_cs.len == cs.len;
        for (size_t k = 0; same_cs && k < cs.len; k++)
            if (ss_lower((unsigned char)cs.ptr[k]) !=
                ss_lower((unsigned char)pend_cs.ptr[k]))
                same_cs = 0;
        if (!(prev_word && only_ws && same_cs)) {
            /* flush the pending decoded bytes, then the literal text */
            if (pend.len) {
                int unk;
                ss_str c = ss_to_utf8(a, ss_str_make(pend.ptr, pend.len),
                                      pend_cs, &unk);
                wbuf_add(&out, c.ptr, c.len);
                pend.len = 0;
            }
            if (!(prev_word && only_ws))
                wbuf_add(&out, between.ptr, between.len);
        }
        ss_str dec;
        int bad = 0;
        if (enc == 'b')
            dec = ss_base64_decode(a, text, &bad);
        else
            dec = ss_qp_decode(a, text, 1);
        if (dec.ptr)
            wbuf_add(&pend, dec.ptr, dec.len);
        pend_cs = cs;
        prev_word = 1;
        i += wl;
        lit = i;
    }
    if (pend.len) {
        int unk;
        ss_str c = ss_to_utf8(a, ss_str_make(pend.ptr, pend.len), pend_cs, &unk);
        wbuf_add(&out, c.ptr, c.len);
    }
    wbuf_add(&out, v.ptr + lit, v.len - lit);
    ss_str r = v;
    if (!out.failed && !pend.failed) {
        char *d = ss_strdup(a, out.ptr, out.len);
        if (d)
            r = ss_str_make(d, out.len);
    }
    wbuf_free(&out);
    wbuf_free(&pend);
    return r;
}

/* ---------------- the tree ---------------- */

typedef struct parse_ctx {
    ss_message *m;
    size_t cap;
    size_t max_parts, max_depth;
    int stop; /* parts limit hit or no memory */
    int nomem;
} parse_ctx;

static ss_part *add_part(parse_ctx *c) {
    ss_message *m = c->m;
    if (m->nparts >= c->max_parts) {
        m->warnings |= SMTPSTATUS_RW_PARTS_LIMIT;
        c->stop = 1;
        return NULL;
    }
    /* ss_grow only when the array is full (it does nothing else) */
    if (m->nparts >= c->cap &&
        ss_grow(m->arena, (void **)&m->parts, &c->cap, m->nparts + 1,
                sizeof *m->parts)) {
        c->nomem = c->stop = 1;
        return NULL;
    }
    ss_part *p = ss_alloc(m->arena, sizeof *p);
    if (!p) {
        c->nomem = c->stop = 1;
        return NULL;
    }
    /* copied from a zero part: a few vector moves (GCC makes a memset of
     * this size a "rep stos", slow to start; ss_calloc is a call too) */
    static const ss_part zero;
    *p = zero;
    m->parts[m->nparts++] = p;
    return p;
}

/* Is the line at s + i (the body s[0..n)), which starts with "--" and the
 * boundary b (no LF in b), a delimiter "--boundary" or the close
 * delimiter "--boundary--", white space (space, tab, CR) after either?
 * Returns 0, 1 (delimiter) or 2 (close); *next gets the start of the line
 * after it (n when none).  Only for a line that is neither is its LF
 * searched for further on. */
static int delimiter_at(const char *s, size_t n, size_t i, ss_str b,
                        size_t *next) {
    const char *p = s + i;
    size_t rest = n - i, k = b.len + 2;
    int close = 0;
    /* none of these bytes is a LF: they all lie on the line */
    if (k + 2 <= rest && p[k] == '-' && p[k + 1] == '-') {
        close = 1;
        k += 2;
    }
    while (k < rest && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
        k++;
    if (k == rest || p[k] == '\n') {
        *next = k < rest ? i + k + 1 : n;
        return close ? 2 : 1;
    }
    const char *nl = memchr(p + k, '\n', rest - k);
    *next = nl ? (size_t)(nl - s) + 1 : n;
    return 0;
}

static void parse_entity(parse_ctx *c, ss_str block, int depth, ss_part *parent,
                         ss_part *p);

/* Offset of the next line at or after from (a line start, or past one:
 * the search only reports line starts) that begins with "--" and the
 * boundary b; n when there is none (next_delim_line_avx2 when the
 * processor has AVX2).  A Horspool search for "--b" with the
 * skip table tab and shl (see delim_table): each step moves by the shift
 * for the last byte of the window, at least 1 once the window has been
 * looked at, so the loop is bounded by n.  Names are compared only at line starts and a boundary holds no LF
 * (the caller checks), so each byte is compared O(1) times. */
static size_t next_delim_line(const char *s, size_t n, size_t from, ss_str b,
                              const unsigned char *tab, size_t shl) {
    size_t m = b.len + 2; /* "--" + boundary */
    if (from > n || n - from < m)
        return n;
    unsigned char last = (unsigned char)b.ptr[b.len - 1];
    const unsigned char *w = (const unsigned char *)s + m - 1; /* window ends */
    size_t pos = from, end = n - m; /* last window start */
    /* tab gives 0 for the last byte, so that a window that ends in it
     * stays: three steps at a time while they (at most maxs each: no
     * shift is longer than "--b" or 255) and the look after them stay
     * inside */
    size_t maxs = m > 255 ? 255 : m;
    size_t lim = end > 3 * maxs ? end - 3 * maxs : 0;
    for (;;) {
        while (pos < lim) {
            pos += tab[w[pos]];
            pos += tab[w[pos]];
            pos += tab[w[pos]];
            if (!tab[w[pos]])
                break;
            pos += tab[w[pos]];
        }
        if (pos > end)
            return n;
        unsigned char c = w[pos];
        if (c == last && (pos == 0 || s[pos - 1] == '\n') && s[pos] == '-' &&
            s[pos + 1] == '-' && memcmp(s + pos + 2, b.ptr, b.len) == 0)
            return pos;
        pos += c == last ? shl : tab[c];
    }
}

#ifdef SS_AVX2_SCAN
/* For next_delim_line_avx2: the first of the line starts q + k + 1, for
 * the bits k of mask (LF-dash pairs at q + k), that begins a delimiter;
 * n when one is past end (the last start a delimiter fits at), 0 when
 * none does. */
static inline size_t delim_in_bits(const char *s, size_t n, size_t q,
                                   uint64_t mask, size_t end, ss_str b) {
    for (; mask; mask &= mask - 1) {
        size_t p = q + (size_t)__builtin_ctzll(mask) + 1;
        if (p > end)
            return n;
        if (s[p + 1] == '-' && memcmp(s + p + 2, b.ptr, b.len) == 0)
            return p;
    }
    return 0;
}

/* next_delim_line with AVX2, without a table: a delimiter line follows a
 * LF (or starts the body) and begins "--", so the LF-dash pairs are found
 * 128 positions a round and only they are looked at further (names, as
 * there, only at line starts: each byte is compared O(1) times).  A SIMD
 * scan, though it reads every byte, runs several times faster than the
 * skipping loop, whose every step waits for the load before it. */
__attribute__((target("avx2"))) static size_t
next_delim_line_avx2(const char *s, size_t n, size_t from, ss_str b) {
    size_t m = b.len + 2; /* "--" + boundary */
    if (from > n || n - from < m)
        return n;
    size_t end = n - m; /* the last start a delimiter fits at */
    if (from == 0 && s[0] == '-' && s[1] == '-' &&
        memcmp(s + 2, b.ptr, b.len) == 0)
        return 0;
    size_t q = from ? from - 1 : 0, r; /* a LF before a line start */
    const __m256i lf = _mm256_set1_epi8('\n'), dash = _mm256_set1_epi8('-');
#define SS_PAIRS(o)                                                            \
    _mm256_and_si256(                                                          \
        _mm256_cmpeq_epi8(                                                     \
            _mm256_loadu_si256((const __m256i *)(const void *)(s + q + (o))), lf), \
        _mm256_cmpeq_epi8(                                                     \
            _mm256_loadu_si256((const __m256i *)(const void *)(s + q + (o) + 1)), \
            dash))
#define SS_BITS(h) ((uint64_t)(uint32_t)_mm256_movemask_epi8(h))
    /* LF at q + k and '-' after it, for k in 0..127: a round reads 129
     * bytes */
    for (; n - q >= 129; q += 128) {
        __m256i h0 = SS_PAIRS(0), h1 = SS_PAIRS(32), h2 = SS_PAIRS(64),
                h3 = SS_PAIRS(96);
        __m256i h = _mm256_or_si256(_mm256_or_si256(h0, h1), _mm256_or_si256(h2, h3));
        if (_mm256_testz_si256(h, h))
            continue;
        if ((r = delim_in_bits(s, n, q, SS_BITS(h0) | SS_BITS(h1) << 32, end, b)) ||
            (r = delim_in_bits(s, n, q + 64, SS_BITS(h2) | SS_BITS(h3) << 32, end, b)))
            return r;
    }
    for (; n - q >= 33; q += 32) {
        uint64_t mask = SS_BITS(SS_PAIRS(0));
        if (mask && (r = delim_in_bits(s, n, q, mask, end, b)))
            return r;
    }
#undef SS_PAIRS
#undef SS_BITS
    for (; q + 1 <= end; q++)
        if (s[q] == '\n' && s[q + 1] == '-' && s[q + 2] == '-' &&
            memcmp(s + q + 3, b.ptr, b.len) == 0)
            return q + 1;
    return n;
}
#endif

/* The Horspool shift table of "--b": for each byte, how far the window
 * may move when that byte ends it (capped at 255, which stays safe);
 * but 0 for the boundary's last byte, whose shift is returned (a window
 * that ends in it is looked at before it moves on). */
static size_t delim_table(ss_str b, unsigned char *tab) {
    size_t m = b.len + 2;
    memset(tab, m > 255 ? 255 : (int)m, 256);
    /* the two dashes (positions 0 and 1), then the boundary but its last
     * byte (position j + 2 for b.ptr[j]); later positions give smaller
     * shifts and win.  Only the last 255 positions give shifts < 255. */
    tab['-'] = (unsigned char)(m - 2 > 255 ? 255 : m - 2);
    if (b.len <= 256) { /* every shift fits: the usual case */
        const unsigned char *q = (const unsigned char *)b.ptr;
        for (size_t sh = b.len - 1; sh; sh--) /* b.len - 1 - j for q[j] */
            tab[*q++] = (unsigned char)sh;
    } else {
        for (size_t j = b.len - 256; j + 1 < b.len; j++) {
            size_t sh = b.len - 1 - j; /* m - 1 - (j + 2) */
            tab[(unsigned char)b.ptr[j]] = (unsigned char)(sh > 255 ? 255 : sh);
        }
    }
    unsigned char last = (unsigned char)b.ptr[b.len - 1];
    size_t shl = tab[last];
    tab[last] = 0;
    return shl;
}

/* Split a multipart body into children: the body is cut at delimiter
 * lines (see delimiter_at()).  Returns 1 when at least one delimiter was
 * found. */
static int split_multipart(parse_ctx *c, ss_part *p) {
    ss_str body = p->raw, b = p->boundary;
    const char *s = body.ptr;
    size_t n = body.len, i = 0;
    size_t part_start = 0;
    int in_part = 0, found = 0, closed = 0;
    ss_part *last = NULL;
    unsigned char tab[256];
    /* a line never holds an LF: a boundary with one matches no line */
    int searchable = b.len && !memchr(b.ptr, '\n', b.len);
#ifdef SS_AVX2_SCAN
    int simd = __builtin_cpu_supports("avx2"); /* no table then */
#else
    int simd = 0;
#endif
    size_t shl = searchable && !simd ? delim_table(b, tab) : 0;
    while (searchable && i < n && !c->stop) {
#ifdef SS_AVX2_SCAN
        if (simd)
            i = next_delim_line_avx2(s, n, i, b);
        else
#endif
            i = next_delim_line(s, n, i, b, tab, shl);
        if (i >= n)
            break;
        size_t next;
        int d = delimiter_at(s, n, i, b, &next);
        if (!d) {
            i = next; /* no other line starts before next */
            continue;
        }
        found = 1;
        if (in_part) {
            /* the LF before the delimiter belongs to it */
            size_t end = i > part_start ? i - 1 : part_start;
            ss_part *ch = add_part(c);
            if (!ch)
                break;
            parse_entity(c, ss_str_make(s + part_start, end - part_start),
                         p->depth + 1, p, ch);
            if (last)
                last->next = ch;
            else
                p->child = ch;
            last = ch;
        }
        if (d == 2) {
            closed = 1;
            break; /* the rest is the epilogue */
        }
        in_part = 1;
        part_start = next;
        i = next;
    }
    if (!closed && in_part && !c->stop) {
        /* missing close delimiter: keep what was read */
        c->m->warnings |= SMTPSTATUS_RW_BAD_MIME;
        if (part_start < n) {
            ss_part *ch = add_part(c);
            if (ch) {
                parse_entity(c, ss_str_make(s + part_start, n - part_start),
                             p->depth + 1, p, ch);
                if (last)
                    last->next = ch;
                else
                    p->child = ch;
            }
        }
    }
    if (!found)
        c->m->warnings |= SMTPSTATUS_RW_BAD_MIME;
    return found;
}

/* The raw Content-Type and Content-Transfer-Encoding of p (as
 * ss_part_header_raw gives them): without an index, in one pass. */
static void type_headers(const ss_part *p, ss_str *ct, ss_str *cte) {
    if (p->hidx) {
        *ct = ss_part_header_raw_idx(p, "Content-Type");
        *cte = ss_part_header_raw_idx(p, "Content-Transfer-Encoding");
        return;
    }
    *ct = *cte = SS_NULLSTR;
    for (size_t i = 0; i < p->nheaders && !(ct->ptr && cte->ptr); i++) {
        const ss_header *h = &p->headers[i];
        if (h->name.len == 12 && !ct->ptr &&
            name_eq_ci(h->name.ptr, "Content-Type", 12))
            *ct = h->value;
        else if (h->name.len == 25 && !cte->ptr &&
                 name_eq_ci(h->name.ptr, "Content-Transfer-Encoding", 25))
            *cte = h->value;
    }
}

/* 1: ';' and white space (is_ws), where a type or encoding token ends;
 * 2: an upper-case letter (the token needs lower_str); 4: '/'. */
static const unsigned char token_stop[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [';'] = 1, ['/'] = 4,
    ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2,
    ['H'] = 2, ['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2,
    ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['U'] = 2,
    ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2,
};

/* Length of the type token at the start of p[0..n) (up to the first byte
 * with token_stop bit 1); *seen gets the other token_stop bits of its
 * bytes or'ed (2: an upper-case letter, 4: a '/').  avail (>= n) bytes
 * from p may be read: the value lies in a header block, with more text
 * after it, so that short values too are looked at 16 bytes at once. */
static size_t type_token(const char *p, size_t n, size_t avail,
                         unsigned *seen) {
    size_t k = 0;
    unsigned bits = 0;
#if defined(__SSE2__) && defined(__GNUC__)
    /* 16 bytes at a time while they can be read; bytes past the value
     * count as stop bytes */
    const __m128i sp = _mm_set1_epi8(' '), tb = _mm_set1_epi8('\t'),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                  sc = _mm_set1_epi8(';'), sl = _mm_set1_epi8('/'),
                  a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1);
    unsigned um = 0, sm = 0; /* upper-case letters, slashes seen */
    while (k < n && avail - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, sc)),
            _mm_or_si128(_mm_cmpeq_epi8(v, tb),
                         _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)))));
        /* signed compares: bytes >= 0x80 are negative, not letters */
        unsigned up = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1)));
        unsigned slash = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sl));
        if (n - k < 16)
            stop |= 0xFFFFu << (n - k); /* the end of the value */
        if (stop) {
            unsigned below = (1u << ss_ctz(stop)) - 1u;
            um |= up & below;
            sm |= slash & below;
            *seen = (um ? 2u : 0u) | (sm ? 4u : 0u);
            return k + ss_ctz(stop);
        }
        um |= up;
        sm |= slash;
        k += 16;
    }
    bits = (um ? 2u : 0u) | (sm ? 4u : 0u);
#else
    (void)avail;
#endif
    for (; k < n; k++) {
        unsigned t = token_stop[(unsigned char)p[k]];
        if (t & 1)
            break;
        bits |= t;
    }
    *seen = bits;
    return k;
}

static void parse_entity(parse_ctx *c, ss_str block, int depth, ss_part *parent,
                         ss_part *p) {
    ss_message *m = c->m;
    size_t body_off = 0;
    p->depth = depth;
    p->parent = parent;
    /* m->data holds no CR (ss_mime_parse), nor does block, a slice of it */
    if (parse_headers(m->arena, m->limits, block, &p->headers, &p->nheaders,
                      &body_off, &m->warnings, 0) != SMTPSTATUS_OK) {
        c->nomem = c->stop = 1;
        return;
    }
    p->raw = ss_str_make(block.ptr + body_off, block.len - body_off);
    hidx_build(m->arena, p);
    ss_str ct, cte;
    type_headers(p, &ct, &cte);
    ss_str type = SS_NULLSTR;
    int upper = 0; /* the type has upper-case letters */
    int slash = 0; /* the type has a '/' */
    int params = 0; /* ct goes on after the type: it may have parameters */
    if (ct.ptr) {
        unsigned seen = 0;
        /* ct lies in block (a header value) */
        size_t k = type_token(ct.ptr, ct.len,
                              (size_t)(block.ptr + block.len - ct.ptr), &seen);
        type = ss_str_make(ct.ptr, k);
        upper = (seen & 2) != 0;
        slash = (seen & 4) != 0;
        params = k < ct.len;
        /* "text / plain" written with spaces: rare, take the token */
    }
    if (type.len == 0 || !slash) {
        if (parent && ss_eq_ci(parent->type, "multipart/digest"))
            type = SS_STR("message/rfc822");
        else
            type = SS_STR("text/plain");
        upper = 0;
    }
    p->type = upper ? lower_str(m->arena, type) : type;
    /* a parameter follows a ';' or white space, which end the token: a
     * value that is all token has none.  The boundary is looked for here,
     * in a multipart only; the charset when the part's text is wanted
     * (ss_part_charset).  Each search stops at its name's first match,
     * which is what one search for both gives (see header_params), where
     * that went on to the end of the value for the name a part lacks. */
    if (params) {
        p->ctype = ct;
        if (p->type.len > 10 && memcmp(p->type.ptr, "multipart/", 10) == 0) {
            static const char *const name = "boundary";
            static const size_t len = 8;
            header_params(ct, &name, &len, &p->boundary, 1);
        }
    }
    if (cte.ptr) {
        cte = ss_trim(cte);
        size_t k = 0;
        while (k < cte.len && !(token_stop[(unsigned char)cte.ptr[k]] & 1))
            k++;
        p->cte = lower_str(m->arena, ss_str_make(cte.ptr, k));
    }
    if (p->type.len > 10 && memcmp(p->type.ptr, "multipart/", 10) == 0 &&
        p->boundary.len) {
        if ((size_t)depth + 1 > c->max_depth) {
            m->warnings |= SMTPSTATUS_RW_DEPTH_LIMIT;
            return;
        }
        split_multipart(c, p);
    }
}

#ifdef SS_AVX2_SCAN
/* has_cr for n >= 32 with AVX2: 256 bytes a round, then blocks of 32 (the
 * last one overlapping the one before). */
__attribute__((target("avx2"))) static int has_cr_avx2(const char *p, size_t n,
                                                      int *ascii) {
    const __m256i cr = _mm256_set1_epi8('\r');
    __m256i hi = _mm256_setzero_si256(); /* the bytes or'ed: their top bits */
    size_t i = 0, rounds = n - n % 256; /* the bytes the rounds look at */
#define SS_LD(o)                                                               \
    _mm256_loadu_si256((const __m256i *)(const void *)(p + i + (o)))
#define SS_CR(v) _mm256_cmpeq_epi8((v), cr)
    for (; i < rounds; i += 256) {
        __m256i v0 = SS_LD(0), v1 = SS_LD(32), v2 = SS_LD(64), v3 = SS_LD(96);
        __m256i v4 = SS_LD(128), v5 = SS_LD(160), v6 = SS_LD(192), v7 = SS_LD(224);
        __m256i c = _mm256_or_si256(
            _mm256_or_si256(_mm256_or_si256(SS_CR(v0), SS_CR(v1)),
                            _mm256_or_si256(SS_CR(v2), SS_CR(v3))),
            _mm256_or_si256(_mm256_or_si256(SS_CR(v4), SS_CR(v5)),
                            _mm256_or_si256(SS_CR(v6), SS_CR(v7))));
        if (!_mm256_testz_si256(c, c))
            return 1;
        hi = _mm256_or_si256(
            hi, _mm256_or_si256(
                    _mm256_or_si256(_mm256_or_si256(v0, v1), _mm256_or_si256(v2, v3)),
                    _mm256_or_si256(_mm256_or_si256(v4, v5), _mm256_or_si256(v6, v7))));
    }
#undef SS_CR
    for (; i < n; i += 32) {
        if (n - i < 32)
            i = n - 32;
        __m256i v = SS_LD(0);
        if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, cr)))
            return 1;
        hi = _mm256_or_si256(hi, v);
    }
#undef SS_LD
    *ascii = !_mm256_movemask_epi8(hi);
    return 0;
}
#endif

/* Does p[0..n) hold a CR?  When it does not, *ascii says whether it holds
 * only bytes < 0x80 too (for the part texts: one pass over the
 * message instead of one more over each text); *ascii is 0 when it
 * does. */
static int has_cr(const char *p, size_t n, int *ascii) {
    *ascii = 0;
#ifdef SS_AVX2_SCAN
    if (n >= 32 && __builtin_cpu_supports("avx2"))
        return has_cr_avx2(p, n, ascii);
#endif
    size_t i = 0;
    unsigned hi = 0;
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes at a time; the last block overlaps the one before */
        const __m128i cr = _mm_set1_epi8('\r');
        __m128i h = _mm_setzero_si128();
        for (; i < n; i += 16) {
            if (n - i < 16)
                i = n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)))
                return 1;
            h = _mm_or_si128(h, v);
        }
        hi = (unsigned)_mm_movemask_epi8(h);
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r')
            return 1;
        hi |= c & 0x80u;
    }
    *ascii = !hi;
    return 0;
}

smtpstatus_rc ss_mime_parse(ss_arena *a, const smtpstatus_limits *lim,
                            const char *buf, size_t len, ss_message *out) {
    memset(out, 0, sizeof *out);
    out->arena = a;
    out->limits = lim;
    if (!buf)
        len = 0;
    ss_str data = ss_str_make(buf ? buf : "", len);
    int ascii = 1; /* an empty message is ASCII */
    if (len && has_cr(buf, len, &ascii)) {
        /* ascii set again by the copy when it can tell */
        data = normalize_eol(a, buf, len, &ascii);
        if (!data.ptr)
            return SMTPSTATUS_ENOMEM;
    }
    out->data = data;
    out->data_no_cr = 1; /* normalized above when it had any */
    out->data_ascii = ascii;
    parse_ctx c;
    memset(&c, 0, sizeof c);
    c.m = out;
    c.max_parts = lim_parts(lim);
    c.max_depth = lim_depth(lim);
    /* room for a few parts at once (add_part grows it past them) */
    out->parts = ss_alloc(a, 8 * sizeof *out->parts);
    c.cap = out->parts ? 8 : 0;
    ss_part *root = add_part(&c);
    if (!root)
        return SMTPSTATUS_ENOMEM;
    out->root = root;
    parse_entity(&c, data, 0, NULL, root);
    if (c.nomem)
        return SMTPSTATUS_ENOMEM;
    return SMTPSTATUS_OK;
}

/* ---------------- part text ---------------- */

/* Cut s to at most max bytes without splitting a UTF-8 sequence. */
static ss_str cut_utf8(ss_str s, size_t max) {
    if (s.len <= max)
        return s;
    size_t n = max;
    while (n > 0 && n > max - 4 && ((unsigned char)s.ptr[n] & 0xC0) == 0x80)
        n--;
    return ss_str_make(s.ptr, n);
}

/* Does s lie inside m->data? */
static int in_data(const ss_message *m, ss_str s) {
    uintptr_t d = (uintptr_t)m->data.ptr, x = (uintptr_t)s.ptr;
    return m->data.ptr && s.ptr && x >= d && x - d <= m->data.len &&
           s.len <= m->data.len - (x - d);
}

/* The charset parameter of p->ctype, trimmed, in the case it is written
 * in (what ss_part_charset lowers): ss_part_text takes it so, as
 * ss_to_utf8 ignores the case of the name. */
static ss_str charset_as_written(const ss_part *p) {
    if (!p->ctype.ptr)
        return SS_NULLSTR;
    /* what a search for both with the boundary gives for it (see
     * header_params) */
    static const char *const name = "charset";
    static const size_t len = 7;
    ss_str v;
    header_params(p->ctype, &name, &len, &v, 1);
    return ss_trim(v);
}

ss_str ss_part_charset(ss_arena *a, ss_part *p) {
    if (!p->charset_done) {
        p->charset_done = 1;
        if (p->ctype.ptr)
            p->charset = lower_str(a, charset_as_written(p));
    }
    return p->charset;
}

ss_str ss_part_text(ss_message *m, ss_part *p) {
    if (p->text_done)
        return p->text;
    size_t max = lim_text(m->limits);
    ss_str raw = p->raw;
    ss_str t;
    int truncated = 0;
    int b64 = ss_eq_ci(p->cte, "base64");
    int qp = ss_eq_ci(p->cte, "quoted-printable");
    /* bound the input so that the output is about max bytes */
    size_t in_max = max;
    if (b64 || qp)
        in_max = max > SIZE_MAX / 2 - 1024 ? SIZE_MAX : max * 2 + 1024;
    if (raw.len > in_max) {
        raw.len = in_max;
        truncated = 1;
    }
    if (b64) {
        int bad = 0;
        t = ss_base64_decode(m->arena, raw, &bad);
        if (bad)
            m->warnings |= SMTPSTATUS_RW_BAD_MIME;
    } else if (qp) {
        t = ss_qp_decode(m->arena, raw, 0);
    } else
        t = raw;
    if (!t.ptr)
        t = ss_str_make("", 0);
    if (t.len > max + 8) { /* a little room for the cut to be clean */
        t.len = max + 8;
        truncated = 1;
    }
    /* a slice of the message data, normalized already, has no CR */
    int slice = t.ptr == raw.ptr && in_data(m, t);
    if (!(m->data_no_cr && slice))
        t = maybe_normalize(m->arena, t);
    int unknown = 0;
    /* not lowered: ss_to_utf8 and the test below ignore its case (text
     * is computed once a part: nothing to keep) */
    ss_str cs = charset_as_written(p);
    if (!cs.len && !ss_starts_ci(p->type, "text/") &&
        !ss_starts_ci(p->type, "message/"))
        cs = SS_NULLSTR;
    ss_str u;
    /* the names ss_to_utf8 takes for UTF-8 (in any case; mostly written
     * in lower case, which name_eq_ci tests first) */
    int utf8 = !cs.len || (cs.len == 5 && name_eq_ci(cs.ptr, "utf-8", 5)) ||
               (cs.len == 8 && name_eq_ci(cs.ptr, "us-ascii", 8));
    if (utf8 && ((slice && m->data_ascii) ||
                 ss_ascii_len(t.ptr, t.len) == t.len))
        u = t; /* ASCII is UTF-8: ss_to_utf8 gives t, after a longer check */
    else
        u = ss_to_utf8(m->arena, t, cs, &unknown);
    if (unknown)
        m->warnings |= SMTPSTATUS_RW_CHARSET;
    if (u.len > max) {
        u = cut_utf8(u, max);
        truncated = 1;
    }
    if (truncated)
        m->warnings |= SMTPSTATUS_RW_TEXT_LIMIT;
    p->text = u;
    p->text_done = 1;
    return u;
}

/* ---------------- HTML to text ---------------- */

/* Does the tag text t (n bytes) start with name (k bytes, lower case),
 * not followed by a letter?  Through tag_is, which passes the length of
 * a literal name. */
static int tag_is_n(const char *t, size_t n, const char *name, size_t k) {
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (ss_lower((unsigned char)t[i]) != name[i])
            return 0;
    return n == k || !ss_isalpha((unsigned char)t[k]);
}
#define tag_is(t, n, name) tag_is_n((t), (n), (name), sizeof(name) - 1)

static size_t put_utf8(char *o, unsigned long cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static const struct {
    const char *name;
    const char *text;
} entities[] = {{"amp", "&"},   {"lt", "<"},    {"gt", ">"},
                {"quot", "\""}, {"apos", "'"},  {"nbsp", " "},
                {"copy", "\xC2\xA9"}, {"reg", "\xC2\xAE"}};

/* Copy p[0..n) to o up to the first '<' or '&' (all of it when there is
 * none); returns how many bytes were copied.  o has room for n bytes. */
static size_t copy_text_run(char *o, const char *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time, stored whole: only those before a stop count */
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        _mm_storeu_si128((__m128i *)(void *)(o + i), v);
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)));
        if (mask)
            return i + ss_ctz(mask);
        i += 16;
    }
#endif
    for (; i < n && p[i] != '<' && p[i] != '&'; i++)
        o[i] = p[i];
    return i;
}

ss_str ss_html_to_text(ss_arena *a, ss_str s) {
    size_t n = s.ptr ? s.len : 0;
    char *o = ss_alloc(a, n + 1);
    if (!o)
        return s;
    size_t w = 0; /* w <= i: o + w has room for the n - i bytes left */
    for (size_t i = 0; i < n;) {
        /* the text up to the next tag or entity, copied at once */
        size_t run = copy_text_run(o + w, s.ptr + i, n - i);
        w += run;
        i += run;
        if (i >= n)
            break;
        char c = s.ptr[i];
        if (c == '<') {
            /* comment */
            if (n - i >= 4 && memcmp(s.ptr + i, "<!--", 4) == 0) {
                long e = ss_find(ss_str_make(s.ptr + i + 4, n - i - 4), "-->", 3);
                i = e < 0 ? n : i + 4 + (size_t)e + 3;
                continue;
            }
            const char *gt = memchr(s.ptr + i, '>', n - i);
            size_t end = gt ? (size_t)(gt - s.ptr) + 1 : n;
            const char *t = s.ptr + i + 1;
            size_t tl = end - i - 1;
            int closing = tl && t[0] == '/';
            if (closing) {
                t++;
                tl--;
            }
            if (tag_is(t, tl, "br") || (closing && (tag_is(t, tl, "p") ||
                                                    tag_is(t, tl, "div") ||
                                                    tag_is(t, tl, "tr") ||
                                                    tag_is(t, tl, "li") ||
                                                    tag_is(t, tl, "h1") ||
                                                    tag_is(t, tl, "h2") ||
                                                    tag_is(t, tl, "h3") ||
                                                    tag_is(t, tl, "table"))))
                o[w++] = '\n';
            else if (closing && (tag_is(t, tl, "td") || tag_is(t, tl, "th")))
                o[w++] = ' ';
            if (!closing && (tag_is(t, tl, "script") || tag_is(t, tl, "style"))) {
                const char *close = tag_is(t, tl, "script") ? "</script" : "</style";
                long e = ss_find_ci(ss_str_make(s.ptr + end, n - end), close);
                if (e >= 0) {
                    const char *g2 = memchr(s.ptr + end + e, '>', n - end - (size_t)e);
                    end = g2 ? (size_t)(g2 - s.ptr) + 1 : n;
                } else
                    end = n;
            }
            i = end;
            continue;
        }
        if (c == '&') {
            size_t j = i + 1;
            while (j < n && j - i < 12 && s.ptr[j] != ';' &&
                   (ss_isalpha((unsigned char)s.ptr[j]) ||
                    ss_isdigit((unsigned char)s.ptr[j]) || s.ptr[j] == '#'))
                j++;
            if (j < n && s.ptr[j] == ';' && j > i + 1) {
                const char *e = s.ptr + i + 1;
                size_t el = j - i - 1;
                if (e[0] == '#') {
                    unsigned long cp = 0;
                    int ok = el > 1;
                    int hex = el > 1 && (e[1] == 'x' || e[1] == 'X');
                    for (size_t k = hex ? 2 : 1; ok && k < el; k++) {
                        int d = hex ? hexval((unsigned char)e[k])
                                    : (ss_isdigit((unsigned char)e[k]) ? e[k] - '0' : -1);
                        if (d < 0)
                            ok = 0;
                        else if (cp < 0x110000)
                            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
                    }
                    if (ok && (!hex || el > 2)) {
                        char tmp[4];
                        size_t k = put_utf8(tmp, cp);
                        if (k <= j + 1 - i) { /* output never outgrows input */
                            memcpy(o + w, tmp, k);
                            w += k;
                            i = j + 1;
                            continue;
                        }
                    }
                } else {
                    size_t k;
                    for (k = 0; k < sizeof entities / sizeof entities[0]; k++)
                        if (strlen(entities[k].name) == el &&
                            memcmp(entities[k].name, e, el) == 0)
                            break;
                    if (k < sizeof entities / sizeof entities[0]) {
                        size_t tl = strlen(entities[k].text);
                        memcpy(o + w, entities[k].text, tl);
                        w += tl;
                        i = j + 1;
                        continue;
                    }
                }
            }
        }
        o[w++] = c;
        i++;
    }
    o[w] = '\0';
    return ss_str_make(o, w);
}
