/*
 * util.c - slices, the arena allocator and the growable buffer used
 * throughout the library.  See util.h.
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>

ss_str ss_trim_slow(ss_str s) {
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

int ss_memeq_ci(const char *a, const char *b, size_t n) {
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *l = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++)
        if (lower_tab[p[i]] != lower_tab[l[i]])
            return 0;
    return 1;
}

/* Case-insensitive search: memchr finds candidates for the first byte in
 * both cases (each position is searched once), then the rest is compared
 * through the table.  Linear in s.len for a fixed needle. */
long ss_find_ci_n(ss_str s, const char *needle, size_t n) {
    if (n == 0)
        return 0;
    if (n > s.len || !s.ptr)
        return -1;
    const unsigned char *nd = (const unsigned char *)needle;
    unsigned char lo = lower_tab[nd[0]];
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    const char *p = s.ptr, *end = s.ptr + (s.len - n + 1);
    const char *ql = NULL, *qu = NULL; /* next candidates, cached */
    int doneql = 0, donequ = (up == lo);
    while (p < end) {
        if (!doneql && (!ql || ql < p)) {
            ql = memchr(p, lo, (size_t)(end - p));
            if (!ql)
                doneql = 1;
        }
        if (!donequ && (!qu || qu < p)) {
            qu = memchr(p, up, (size_t)(end - p));
            if (!qu)
                donequ = 1;
        }
        const char *q = doneql ? NULL : ql;
        if (!donequ && qu && (!q || qu < q))
            q = qu;
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
        if (memcmp(q, needle, n) == 0)
            return (long)(q - s.ptr);
        p = q + 1;
    }
    return -1;
}

/* ---------------- arena ---------------- */

struct ss_arena_block {
    ss_arena_block *next;
    size_t size, used;
    /* data follows, 16-aligned */
};

#define SS_BLOCK_HDR ((sizeof(ss_arena_block) + 15) & ~(size_t)15)
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

void *ss_alloc(ss_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    ss_arena_block *b = a->head;
    if (b && b->size - b->used >= n) {
        void *p = (char *)b + SS_BLOCK_HDR + b->used;
        b->used += n;
        return p;
    }
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
