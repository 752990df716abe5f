/*
 * util.c - slices, the arena allocator and the growable buffer used
 * throughout the library.  See util.h.
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>

ss_str ss_trim(ss_str s) {
    while (s.len && ss_isspace((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && ss_isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

int ss_eq_ci(ss_str s, const char *lit) {
    size_t n = strlen(lit);
    if (n != s.len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ss_lower((unsigned char)s.ptr[i]) != ss_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

int ss_starts_ci(ss_str s, const char *lit) {
    size_t n = strlen(lit);
    if (n > s.len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ss_lower((unsigned char)s.ptr[i]) != ss_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

long ss_find_ci(ss_str s, const char *needle) {
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    if (n > s.len)
        return -1;
    int f = ss_lower((unsigned char)needle[0]);
    for (size_t i = 0; i + n <= s.len; i++) {
        if (ss_lower((unsigned char)s.ptr[i]) != f)
            continue;
        size_t j = 1;
        while (j < n && ss_lower((unsigned char)s.ptr[i + j]) ==
                            ss_lower((unsigned char)needle[j]))
            j++;
        if (j == n)
            return (long)i;
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
    ss_arena_block *b = a->head;
    if (!b) {
        a->failed = 0;
        return;
    }
    /* keep the last (oldest, usually the first-sized) block */
    while (b->next) {
        ss_arena_block *n = b->next;
        a->total -= b->size;
        free(b);
        b = n;
    }
    b->used = 0;
    a->head = b;
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
