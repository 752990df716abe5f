/*
 * util.c - slices, the arena allocator and the growable buffer used
 * throughout the library.  See util.h.
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* find_pair has an AVX2 form for long texts, used when the processor
 * has it (chosen at run time). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) &&       \
    !defined(SS_NO_AVX2) && defined(__SSE2__)
#define SS_AVX2_FIND 1
#include <immintrin.h>
#endif

ss_str ss_trim_slow(ss_str s) {
    /* a long indent eight spaces at a time */
    while (s.len >= 8 && ss_load8(s.ptr) == 0x2020202020202020ull) {
        s.ptr += 8;
        s.len -= 8;
    }
    while (s.len && ss_isspace((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && ss_isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* ASCII lower-case of every byte value (others map to themselves). */
static const unsigned char lower_tab[256] = {
#define R(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
    R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56),
    64, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
    'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 91, 92, 93,
    94, 95, R(96), R(104), R(112), R(120), R(128), R(136), R(144), R(152),
    R(160), R(168), R(176), R(184), R(192), R(200), R(208), R(216), R(224),
    R(232), R(240), R(248)
#undef R
};


/* Whether the words x and y, which differ, hold the same bytes, ASCII
 * case ignored, as lower_tab compares them.  Bytes that differ must
 * differ in 0x20 only, and be letters: x's byte with 0x20 set within
 * 'a'..'z'.  That test on the low seven bits of each byte: adding 0x80 -
 * 'a' sets the byte's top bit iff it is >= 'a', adding 0x80 - 'z' - 1 iff
 * it is > 'z' (no carry leaves a byte); a byte >= 0x80 is no letter.  The
 * 0x20 of a differing byte, shifted left twice, is its top bit.  (Not
 * inlined: its constants would cost every call of the loops below.) */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int eq8_ci_differ(uint64_t x, uint64_t y) {
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t d = x ^ y;
    if (d & ~(ones * 0x20))
        return 0;
    uint64_t low7 = (x | ones * 0x20) & ~(ones * 0x80);
    uint64_t ge_a = low7 + ones * (0x80 - 'a');
    uint64_t gt_z = low7 + ones * (0x80 - 'z' - 1);
    uint64_t letter = ge_a & ~gt_z & ~x;
    return ((d << 2) & ~letter) == 0;
}

static inline int eq8_ci(uint64_t x, uint64_t y) {
    return x == y || eq8_ci_differ(x, y);
}

/* ss_memeq_ci past its first byte: eight bytes at a time, the last eight
 * overlapping the ones before; 4..7 bytes: the first and last four in one
 * word; fewer by the table.  (Not inlined, so that the test of the first
 * byte needs no registers saved.) */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int memeq_ci_words(const char *a, const char *b, size_t n) {
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8)
            if (!eq8_ci(ss_load8(a + i), ss_load8(b + i)))
                return 0;
        return eq8_ci(ss_load8(a + n - 8), ss_load8(b + n - 8));
    }
    if (n >= 4)
        return eq8_ci(ss_load4(a) | ss_load4(a + n - 4) << 32,
                      ss_load4(b) | ss_load4(b + n - 4) << 32);
    for (size_t i = 1; i < n; i++)
        if (lower_tab[(unsigned char)a[i]] != lower_tab[(unsigned char)b[i]])
            return 0;
    return 1;
}

int ss_memeq_ci(const char *a, const char *b, size_t n) {
    /* most calls that fail do at the first byte: test it alone */
    if (n == 0)
        return 1;
    if (lower_tab[(unsigned char)a[0]] != lower_tab[(unsigned char)b[0]])
        return 0;
    return memeq_ci_words(a, b, n);
}

#if defined(__SSE2__)
/* The positions p + 0..15 where the needle's first and last bytes match
 * (as bits; n the needle's length): with ci, the bytes are ORed with fc
 * and lc first (see find_pair). */
static inline unsigned pair_mask(const char *p, size_t n, __m128i f,
                                 __m128i l, __m128i fc, __m128i lc, int ci) {
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 1));
    if (ci) {
        a = _mm_or_si128(a, fc);
        b = _mm_or_si128(b, lc);
    }
    return (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
}

/* The needle's first and last bytes as find_pair compares them: a byte c
 * matches the needle's byte b iff (c | bc) == b, with b lowered and bc
 * 0x20 when it is a letter (ci), else 0. */
static inline void pair_bytes(const char *nd, size_t n, int ci,
                              unsigned char *fb, unsigned char *lb,
                              unsigned char *fc, unsigned char *lc) {
    *fb = (unsigned char)nd[0];
    *lb = (unsigned char)nd[n - 1];
    *fc = *lc = 0;
    if (ci) {
        *fb = lower_tab[*fb];
        *lb = lower_tab[*lb];
        *fc = (*fb >= 'a' && *fb <= 'z') ? 0x20 : 0;
        *lc = (*lb >= 'a' && *lb <= 'z') ? 0x20 : 0;
    }
}

/* Whether the needle nd[0..n) is at s, its first and last bytes known to
 * match there. */
static inline int pair_rest(const char *s, const char *nd, size_t n, int ci) {
    return ci ? ss_memeq_ci(s + 1, nd + 1, n - 2)
              : memcmp(s + 1, nd + 1, n - 2) == 0;
}

/* The first candidate at + k (bit k of mask) where the whole needle is,
 * or -1. */
static inline long pair_first(const char *s, size_t at, unsigned mask,
                              const char *nd, size_t n, int ci) {
    while (mask) {
        size_t j = at + ss_ctz(mask);
        if (pair_rest(s + j, nd, n, ci))
            return (long)j;
        mask &= mask - 1;
    }
    return -1;
}

/* The offset of the first needle[0..n) in s[0..len), or -1; 2 <= n <=
 * len.  ci: ASCII case ignored.  Each position is tested on its first and
 * last byte, 16 positions at a time (the pair rarely matches where the
 * needle does not: few positions need the rest compared); a last block
 * short of 16 overlaps the one before, the positions seen masked off.
 * With fewer than 16 positions, one at a time. */
static inline long find_pair(const char *s, size_t len, const char *nd,
                             size_t n, int ci) {
    unsigned char fb, lb, fc, lc;
    pair_bytes(nd, n, ci, &fb, &lb, &fc, &lc);
    size_t last = len - n; /* the last position a match can start at */
    if (last < 15) {
        for (size_t j = 0; j <= last; j++)
            if (((unsigned char)s[j] | fc) == fb &&
                ((unsigned char)s[j + n - 1] | lc) == lb &&
                pair_rest(s + j, nd, n, ci))
                return (long)j;
        return -1;
    }
    const __m128i vf = _mm_set1_epi8((char)fb), vl = _mm_set1_epi8((char)lb),
                  vfc = _mm_set1_epi8((char)fc), vlc = _mm_set1_epi8((char)lc);
    size_t i = 0;
    for (;; i += 16) {
        size_t at = i;
        unsigned mask;
        if (i > last)
            return -1;
        if (last - i >= 15) {
            mask = pair_mask(s + i, n, vf, vl, vfc, vlc, ci);
        } else { /* the last block, overlapping */
            at = last - 15;
            mask = pair_mask(s + at, n, vf, vl, vfc, vlc, ci) &
                   (0xffffu << (i - at));
        }
        long r = pair_first(s, at, mask, nd, n, ci);
        if (r >= 0 || at != i)
            return r;
    }
}
#endif

#ifdef SS_AVX2_FIND
/* find_pair with 32 positions a step, for len - n >= 31 (the last block,
 * overlapping, then starts in s). */
__attribute__((target("avx2"))) static long
find_pair_avx2(const char *s, size_t len, const char *nd, size_t n, int ci) {
    unsigned char fb, lb, fc, lc;
    pair_bytes(nd, n, ci, &fb, &lb, &fc, &lc);
    const __m256i vf = _mm256_set1_epi8((char)fb), vl = _mm256_set1_epi8((char)lb),
                  vfc = _mm256_set1_epi8((char)fc), vlc = _mm256_set1_epi8((char)lc);
    size_t last = len - n; /* the last position a match can start at */
    for (size_t i = 0;; i += 32) {
        size_t at = i;
        if (i > last)
            return -1;
        if (last - i < 31)
            at = last - 31; /* the last block, overlapping */
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(s + at));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + at + n - 1));
        if (ci) {
            a = _mm256_or_si256(a, vfc);
            b = _mm256_or_si256(b, vlc);
        }
        unsigned mask = (unsigned)_mm256_movemask_epi8(
            _mm256_and_si256(_mm256_cmpeq_epi8(a, vf), _mm256_cmpeq_epi8(b, vl)));
        mask &= 0xffffffffu << (i - at); /* positions already seen */
        long r = pair_first(s, at, mask, nd, n, ci);
        if (r >= 0 || at != i)
            return r;
    }
}
#endif

/* Case-insensitive search: with SSE2 and 2 bytes or more, find_pair
 * (find_pair_avx2 for a long text when the processor has AVX2);
 * else memchr finds candidates for the first byte in both cases (each
 * position is searched once), then the rest is compared through the
 * table.  Linear in s.len for a fixed needle. */
long ss_find_ci_n(ss_str s, const char *needle, size_t n) {
    if (n == 0)
        return 0;
    if (n > s.len || !s.ptr)
        return -1;
#if defined(__SSE2__)
#ifdef SS_AVX2_FIND
    /* from 64 positions on (two steps or more) */
    if (n >= 2 && s.len - n >= 63 && __builtin_cpu_supports("avx2"))
        return find_pair_avx2(s.ptr, s.len, needle, n, 1);
#endif
    if (n >= 2)
        return find_pair(s.ptr, s.len, needle, n, 1);
#endif
    const unsigned char *nd = (const unsigned char *)needle;
    unsigned char lo = lower_tab[nd[0]];
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    const char *p = s.ptr, *end = s.ptr + (s.len - n + 1);
    ss_either e;
    ss_either_init(&e, lo, up);
    while (p < end) {
        const char *q = ss_either_next(&e, p, end);
        if (!q)
            return -1;
        const unsigned char *c = (const unsigned char *)q;
        size_t j = 1;
        while (j < n && lower_tab[c[j]] == lower_tab[nd[j]])
            j++;
        if (j == n)
            return (long)(q - s.ptr);
        p = q + 1;
    }
    return -1;
}

/* memchr for the first byte (its scan costs less than find_pair's), then
 * the last byte, then the bytes between. */
long ss_find(ss_str s, const char *needle, size_t n) {
    if (n == 0)
        return 0;
    if (n > s.len || !s.ptr)
        return -1;
    const char *p = s.ptr, *end = s.ptr + s.len - n + 1;
    while (p < end) {
        const char *q = memchr(p, needle[0], (size_t)(end - p));
        if (!q)
            return -1;
        if (q[n - 1] == needle[n - 1] &&
            (n <= 2 || memcmp(q + 1, needle + 1, n - 2) == 0))
            return (long)(q - s.ptr);
        p = q + 1;
    }
    return -1;
}

/* ---------------- arena ---------------- */

#define SS_BLOCK_MIN ((size_t)64 * 1024)

void ss_arena_init(ss_arena *a, size_t limit) {
    a->head = NULL;
    a->total = 0;
    a->limit = limit;
    a->failed = 0;
}

void ss_arena_reset(ss_arena *a) {
    /* keep the largest block for the next message, free the others: a
     * mailbox of similar messages then allocates nothing after the first */
    ss_arena_block *keep = NULL;
    for (ss_arena_block *b = a->head; b; b = b->next)
        if (!keep || b->size > keep->size)
            keep = b;
    ss_arena_block *b = a->head;
    while (b) {
        ss_arena_block *n = b->next;
        if (b != keep) {
            a->total -= b->size;
            free(b);
        }
        b = n;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->failed = 0;
}

void ss_arena_free(ss_arena *a) {
    ss_arena_block *b = a->head;
    while (b) {
        ss_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->total = 0;
}

/* A new block for ss_alloc (the block struct and ss_alloc: util.h). */
void *ss_alloc_block(ss_arena *a, size_t n) {
    ss_arena_block *b = a->head;
    size_t size = n > SS_BLOCK_MIN ? n : SS_BLOCK_MIN;
    if (b && size < b->size * 2 && n <= SIZE_MAX / 4)
        size = b->size * 2 > size ? b->size * 2 : size;
    if (size > SIZE_MAX - SS_BLOCK_HDR) {
        a->failed = 1;
        return NULL;
    }
    if (a->limit && a->total + size > a->limit) {
        size = n; /* try the exact size before giving up */
        if (a->total + size > a->limit) {
            a->failed = 1;
            return NULL;
        }
    }
    ss_arena_block *nb = malloc(SS_BLOCK_HDR + size);
    if (!nb) {
        a->failed = 1;
        return NULL;
    }
    nb->size = size;
    nb->used = n;
    /* keep the reusable first block at the tail */
    nb->next = a->head;
    a->head = nb;
    a->total += size;
    return (char *)nb + SS_BLOCK_HDR;
}

void *ss_calloc(ss_arena *a, size_t n) {
    void *p = ss_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *ss_strdup(ss_arena *a, const char *p, size_t n) {
    if (n == SIZE_MAX)
        return NULL;
    char *d = ss_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

int ss_grow(ss_arena *a, void **arr, size_t *cap, size_t need, size_t sz) {
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / sz)
        return -1;
    void *n = ss_alloc(a, ncap * sz);
    if (!n)
        return -1;
    if (*arr && *cap)
        memcpy(n, *arr, *cap * sz);
    *arr = n;
    *cap = ncap;
    return 0;
}

/* ---------------- growable buffer ---------------- */

void ss_buf_init(ss_buf *b) {
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void ss_buf_free(ss_buf *b) {
    free(b->ptr);
    ss_buf_init(b);
}

int ss_buf_reserve(ss_buf *b, size_t extra) {
    if (b->failed)
        return -1;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    char *n = realloc(b->ptr, ncap);
    if (!n) {
        b->failed = 1;
        return -1;
    }
    b->ptr = n;
    b->cap = ncap;
    return 0;
}

int ss_buf_append(ss_buf *b, const char *p, size_t n) {
    if (ss_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int ss_buf_putc(ss_buf *b, int c) {
    char ch = (char)c;
    return ss_buf_append(b, &ch, 1);
}
