/*
 * util.h - small helpers shared inside the library: slices, an arena
 * allocator, a growable byte buffer, ASCII case helpers.
 *
 * Not part of the public API.  Nothing here aborts: allocation failures
 * are returned to the caller.
 */
#ifndef SS_UTIL_H
#define SS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smtpstatus.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef smtpstatus_slice ss_str;

#define SS_STR(lit) ((ss_str){(lit), sizeof(lit) - 1})
/* The same as an initializer, for static tables of literals. */
#define SS_STR_INIT(lit) {(lit), sizeof(lit) - 1}
#define SS_NULLSTR ((ss_str){NULL, 0})

static inline ss_str ss_str_make(const char *p, size_t n) {
    ss_str s;
    s.ptr = p;
    s.len = n;
    return s;
}

static inline int ss_lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
static inline int ss_isdigit(int c) { return c >= '0' && c <= '9'; }
/* The 8 (ss_load8) or 4 (ss_load4) bytes at p as one number, unaligned,
 * in the host's byte order (for comparing words; the 4 bytes go into the
 * low half). */
static inline uint64_t ss_load8(const void *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}
static inline uint64_t ss_load4(const void *p) {
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}
/* The index of the lowest bit set in m, which is not 0 (the masks of the
 * 16-byte scans). */
static inline unsigned ss_ctz(unsigned m) {
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned k = 0;
    while (!(m & 1u)) {
        m >>= 1;
        k++;
    }
    return k;
#endif
}
/* The offset of the first byte c in p[0..n), or n when there is none: as
 * memchr, inline, 32 then 16 bytes a step with SSE2 (for short strings,
 * header lines and the decoders' lines: fewer instructions than a memchr
 * call for each). */
static inline size_t ss_byte_offset(const char *p, size_t n, char c) {
    size_t k = 0;
#if defined(__SSE2__)
    const __m128i cv = _mm_set1_epi8(c);
    for (; n - k >= 32; k += 32) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                         _mm_loadu_si128((const __m128i *)(const void *)(p + k)), cv)) |
                     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                         _mm_loadu_si128((const __m128i *)(const void *)(p + k + 16)), cv))
                         << 16;
        if (m)
            return k + ss_ctz(m);
    }
    for (; n - k >= 16; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cv));
        if (m)
            return k + ss_ctz(m);
    }
    if (n >= 16) {
        /* the last 0..15 bytes: the 16 that end p, those before k (read
         * already, no c among them) shifted out of the mask */
        __m128i v =
            _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cv)) >>
                     (16 - (n - k));
        return m ? k + ss_ctz(m) : n;
    }
#endif
    while (k < n && p[k] != c)
        k++;
    return k;
}
/* ' ' and '\t' '\n' '\v' '\f' '\r' (9..13): most bytes fail the first
 * test; the others are looked up in a mask (bit c set for a space). */
static inline int ss_isspace(int c) {
    return (unsigned)c <= ' ' && ((0x100003e00ull >> c) & 1);
}
static inline int ss_isalpha(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* s extended to the end of t (t lies after s in the same text), or t when
 * s is empty: the lines of a paragraph gathered into one slice. */
static inline ss_str ss_span_join(ss_str s, ss_str t) {
    if (!s.len)
        return t;
    return ss_str_make(s.ptr, (size_t)(t.ptr + t.len - s.ptr));
}

/* Trim ASCII white space on both ends. */
ss_str ss_trim_slow(ss_str s);
static inline ss_str ss_trim(ss_str s) {
    if (s.len == 0 || (!ss_isspace((unsigned char)s.ptr[0]) &&
                       !ss_isspace((unsigned char)s.ptr[s.len - 1])))
        return s; /* nothing to trim: the usual case */
    return ss_trim_slow(s);
}
/* Whether the n bytes at a and b are equal, ASCII case ignored. */
int ss_memeq_ci(const char *a, const char *b, size_t n);
/* The places of a byte in either of two cases (lo and up, the same byte
 * when it has no other case) in a text, in order: ss_either_init, then
 * ss_either_next(e, p, end) gives the first place in [p, end) (p never
 * going back between calls), or NULL.  Each case has its own memchr scan,
 * whose next place is kept, so every byte is scanned once per case. */
typedef struct ss_either {
    const char *ql, *qu; /* the next place of each case at or after p */
    int doneql, donequ;  /* that case has no more places */
    unsigned char lo, up;
} ss_either;

static inline void ss_either_init(ss_either *e, unsigned char lo,
                                  unsigned char up) {
    e->ql = e->qu = NULL;
    e->doneql = 0;
    e->donequ = up == lo;
    e->lo = lo;
    e->up = up;
}

static inline const char *ss_either_next(ss_either *e, const char *p,
                                         const char *end) {
    if (!e->doneql && (!e->ql || e->ql < p)) {
        e->ql = memchr(p, e->lo, (size_t)(end - p));
        if (!e->ql)
            e->doneql = 1;
    }
    if (!e->donequ && (!e->qu || e->qu < p)) {
        e->qu = memchr(p, e->up, (size_t)(end - p));
        if (!e->qu)
            e->donequ = 1;
    }
    const char *q = e->doneql ? NULL : e->ql;
    if (!e->donequ && e->qu && (!q || e->qu < q))
        q = e->qu;
    return q;
}

/* Case-insensitive search of needle[0..n) in s; returns offset or -1. */
long ss_find_ci_n(ss_str s, const char *needle, size_t n);

/* The three below are inline so that the length of a literal argument is
 * known at compile time and most calls end at the length test, or at the
 * test of the first byte (for a literal, its side is folded at compile
 * time). */

/* Case-insensitive equality with a NUL-terminated ASCII literal. */
static inline int ss_eq_ci(ss_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.len == n &&
           (n == 0 || (ss_lower((unsigned char)s.ptr[0]) ==
                           ss_lower((unsigned char)lit[0]) &&
                       ss_memeq_ci(s.ptr, lit, n)));
}
/* Case-insensitive prefix test. */
static inline int ss_starts_ci(ss_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.len >= n &&
           (n == 0 || (ss_lower((unsigned char)s.ptr[0]) ==
                           ss_lower((unsigned char)lit[0]) &&
                       ss_memeq_ci(s.ptr, lit, n)));
}
/* Case-insensitive search of needle (ASCII) in s; returns offset or -1. */
static inline long ss_find_ci(ss_str s, const char *needle) {
    return ss_find_ci_n(s, needle, strlen(needle));
}
/* Plain memmem-like search; returns offset or -1. */
long ss_find(ss_str s, const char *needle, size_t nlen);

/* ---------------- arena ---------------- */

/* A bump allocator: many small allocations, freed all at once.  Each
 * analyzer owns one arena and resets it after each message. */
typedef struct ss_arena_block ss_arena_block;
typedef struct ss_arena {
    ss_arena_block *head;
    size_t total;     /* bytes held in blocks */
    size_t limit;     /* 0: no limit; else allocation fails past it */
    int failed;       /* set once an allocation failed */
} ss_arena;

/* A block: this header, then its data (16-aligned).  Here only for the
 * inline ss_alloc below. */
struct ss_arena_block {
    ss_arena_block *next;
    size_t size, used;
};
#define SS_BLOCK_HDR ((sizeof(ss_arena_block) + 15) & ~(size_t)15)

void ss_arena_init(ss_arena *a, size_t limit);
/* Free every block but the first (kept for reuse) and forget everything. */
void ss_arena_reset(ss_arena *a);
void ss_arena_free(ss_arena *a);
/* ss_alloc of n bytes (rounded, not 0) when the head block has no room:
 * a new block. */
void *ss_alloc_block(ss_arena *a, size_t n);
/* NULL on failure (and a->failed set). Memory is 16-aligned.  Inline: most
 * calls take the next bytes of the head block, without a call. */
static inline void *ss_alloc(ss_arena *a, size_t n) {
    if (n > SIZE_MAX - 15) { /* no such block; rounding up would wrap */
        a->failed = 1;
        return NULL;
    }
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    ss_arena_block *b = a->head;
    if (b && b->size - b->used >= n) {
        void *p = (char *)b + SS_BLOCK_HDR + b->used;
        b->used += n;
        return p;
    }
    return ss_alloc_block(a, n);
}
void *ss_calloc(ss_arena *a, size_t n);
/* Copy into the arena with a NUL terminator; NULL on failure. */
char *ss_strdup(ss_arena *a, const char *p, size_t n);
/* Grow an array kept in the arena: *arr holds *cap items of size sz; on
 * return there is room for at least need items.  0 ok, -1 no memory. */
int ss_grow(ss_arena *a, void **arr, size_t *cap, size_t need, size_t sz);

/* ---------------- growable buffer (heap) ---------------- */

typedef struct ss_buf {
    char *ptr;
    size_t len, cap;
    int failed;
} ss_buf;

void ss_buf_init(ss_buf *b);
void ss_buf_free(ss_buf *b);
int ss_buf_reserve(ss_buf *b, size_t extra);
int ss_buf_append(ss_buf *b, const char *p, size_t n);
int ss_buf_putc(ss_buf *b, int c);

#endif
