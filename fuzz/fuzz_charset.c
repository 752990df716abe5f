/*
 * fuzz_charset.c - libFuzzer target for charset conversion (ss_to_utf8)
 * and RFC 2047 decoding.  The first byte picks a charset from a list of
 * the names mail uses (or, when odd, says how many of the next bytes are
 * the charset name itself); the rest is the text.  Traps when the output
 * of a known charset is not valid UTF-8, or when an unknown charset does
 * not give the input back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mime.h"
#include "utf8_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "utf-8", "us-ascii", "iso-8859-1", "iso-8859-2", "iso-8859-15",
    "windows-1252", "windows-1251", "cp1250", "iso-2022-jp", "shift_jis",
    "x-sjis", "cp932", "euc-jp", "utf-7", "koi8-r", "gb2312", "gbk",
    "gb18030", "big5", "ks_c_5601-1987", "euc-kr", "utf-16", "utf-16le",
    "utf-32", "hz-gb-2312", "iso-2022-kr", "tis-620", "x-unknown", "",
};

static void fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    ss_str cs;
    size_t off = 1;
    if (data[0] & 1) {
        size_t k = (size_t)(data[0] >> 1) % 24;
        if (k > size - 1)
            k = size - 1;
        cs = ss_str_make((const char *)data + 1, k);
        off = 1 + k;
    } else {
        const char *n = names[(data[0] >> 1) % (sizeof names / sizeof names[0])];
        cs = ss_str_make(n, strlen(n));
    }
    ss_str in = ss_str_make((const char *)data + off, size - off);
    ss_arena a;
    ss_arena_init(&a, (size_t)64 << 20);
    int unknown = 0;
    ss_str out = ss_to_utf8(&a, in, cs, &unknown);
    if (unknown) {
        if (out.ptr != in.ptr || out.len != in.len)
            fail("unknown charset changed the bytes");
    } else if (!ssf_utf8_valid(out.ptr, out.len)) {
        fail("output not UTF-8");
    }
    /* the same bytes as a header with encoded words */
    (void)ss_rfc2047_decode(&a, in);
    (void)ss_unfold(&a, in);
    ss_arena_free(&a);
    return 0;
}
