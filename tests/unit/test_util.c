/*
 * test_util.c - the shared helpers of lib/util.c: case-insensitive
 * comparisons and search (against a naive reference on random strings),
 * trimming, the arena and the growable buffer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "check.h"


static long naive_find(ss_str s, const char *nd) {
    size_t n = strlen(nd);
    if (!n)
        return 0;
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t j = 0;
        while (j < n && ss_lower((unsigned char)s.ptr[i + j]) ==
                            ss_lower((unsigned char)nd[j]))
            j++;
        if (j == n)
            return (long)i;
    }
    return -1;
}

int main(void) {
    /* fixed cases */
    CHECK(ss_find_ci(SS_STR("Hello World"), "world") == 6);
    CHECK(ss_find_ci(SS_STR("Hello World"), "WORLDS") == -1);
    CHECK(ss_find_ci(SS_STR("aaaB"), "aab") == 1);
    CHECK(ss_find_ci(SS_STR("x"), "") == 0);
    CHECK(ss_find_ci(SS_NULLSTR, "a") == -1);
    CHECK(ss_find_ci(SS_STR("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t") == 0);
    CHECK(ss_eq_ci(SS_STR("Final-Recipient"), "final-recipient"));
    CHECK(!ss_eq_ci(SS_STR("Final-Recipient"), "final-recipient:"));
    CHECK(!ss_eq_ci(SS_STR("Final"), "final-recipient"));
    CHECK(ss_starts_ci(SS_STR("Status: 5.1.1"), "STATUS:"));
    CHECK(!ss_starts_ci(SS_STR("Stat"), "status"));
    CHECK(ss_find(SS_STR("abcabd"), "abd", 3) == 3);
    ss_str t = ss_trim(SS_STR(" \t x y \r\n"));
    CHECK(t.len == 3 && memcmp(t.ptr, "x y", 3) == 0);

    /* random strings over a small alphabet against the naive search */
    srand(7);
    int bad = 0;
    for (int it = 0; it < 300000; it++) {
        char buf[48], nd[6];
        int L = rand() % 40, N = 1 + rand() % 4;
        for (int i = 0; i < L; i++)
            buf[i] = "aAbB."[rand() % 5];
        for (int i = 0; i < N; i++)
            nd[i] = "aAbB."[rand() % 5];
        nd[N] = '\0';
        ss_str s = ss_str_make(buf, (size_t)L);
        if (ss_find_ci(s, nd) != naive_find(s, nd))
            bad++;
        int eq = (size_t)L == strlen(nd) && naive_find(s, nd) == 0;
        if (ss_eq_ci(s, nd) != eq)
            bad++;
        int st = (size_t)L >= strlen(nd) &&
                 naive_find(ss_str_make(buf, strlen(nd)), nd) == 0;
        if (ss_starts_ci(s, nd) != st)
            bad++;
    }
    CHECK(bad == 0);

    /* arena: alignment, reuse after reset, limit */
    ss_arena a;
    ss_arena_init(&a, 0);
    char *p1 = ss_alloc(&a, 3);
    char *p2 = ss_alloc(&a, 5);
    CHECK(p1 && p2 && ((size_t)p2 % 16) == 0 && p2 != p1);
    char *big = ss_alloc(&a, (size_t)1 << 20);
    CHECK(big != NULL);
    memset(big, 1, (size_t)1 << 20);
    ss_arena_reset(&a);
    CHECK(ss_strdup(&a, "abc", 3) && !a.failed);
    void *arr = NULL;
    size_t cap = 0;
    CHECK(ss_grow(&a, &arr, &cap, 100, sizeof(int)) == 0 && cap >= 100);
    ss_arena_free(&a);
    ss_arena_init(&a, 1000);
    CHECK(ss_alloc(&a, 2000) == NULL && a.failed);
    ss_arena_free(&a);
    /* sizes that would wrap when rounded up fail, not give 16 bytes */
    ss_arena_init(&a, 0);
    CHECK(ss_alloc(&a, SIZE_MAX) == NULL && a.failed);
    ss_arena_free(&a);
    ss_arena_init(&a, 0);
    CHECK(ss_alloc(&a, SIZE_MAX - 14) == NULL && a.failed);
    CHECK(ss_calloc(&a, SIZE_MAX - 1) == NULL);
    ss_arena_free(&a);

    /* buffer */
    ss_buf b;
    ss_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        ss_buf_append(&b, "0123456789", 10);
    ss_buf_putc(&b, 'x');
    CHECK(b.len == 10001 && b.ptr[10000] == 'x' && b.ptr[10001] == '\0');
    ss_buf_free(&b);
    CHECK(b.ptr == NULL && b.len == 0);

    return check_report();
}
