/*
 * check.h - the checks of the unit tests (tests/unit/test_*.c).
 *
 * CHECK(cond) and CHECKF(cond, fmt, ...) count a pass or a failure; a
 * failure prints its place and the condition (CHECK) or the message
 * (CHECKF) on stderr.  check_report() prints "N passed, M failed" and
 * gives main()'s exit status: 1 when anything failed.
 */
#ifndef SS_TESTS_CHECK_H
#define SS_TESTS_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECKF(cond, ...)                                                      \
    do {                                                                       \
        if (cond) {                                                            \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);              \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#define CHECK(cond) CHECKF(cond, "%s", #cond)

static inline int check_report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
