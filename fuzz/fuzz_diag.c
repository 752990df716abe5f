/*
 * fuzz_diag.c - libFuzzer target for the diag parser of reply.c: runs the
 * property checks of reply_checks.h on each input and traps when one
 * fails (ASan/UBSan catch memory errors).
 *
 * Does not: test meanings (the registry) or anything outside reply.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reply_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *bad = ssc_check_diag((const char *)data, size);
    if (bad) {
        fprintf(stderr, "property broken: %s\n", bad);
        __builtin_trap();
    }
    return 0;
}
