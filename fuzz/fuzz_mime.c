/*
 * fuzz_mime.c - libFuzzer target for the MIME model (lib/mime.c,
 * lib/charset.c): parses the input as a message, computes the text of
 * every part, HTML text for text/html parts and the decoded From and
 * Subject.  Traps when a property breaks: every part lies inside the
 * message, the tree respects the depth and part limits, part text is
 * valid UTF-8 unless a charset was unknown, and stays under the text
 * limit.  ASan/UBSan catch memory errors.
 *
 * Does not: run the bounce decoders (the analyzer's own target does).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mime.h"
#include "utf8_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ss_arena a;
    ss_arena_init(&a, (size_t)256 << 20);
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_mime_depth = 8;
    lim.max_parts = 64;
    lim.max_text_scan = 4096;
    lim.max_header_size = 8192;
    ss_message m;
    if (ss_mime_parse(&a, &lim, (const char *)data, size, &m) != SMTPSTATUS_OK) {
        ss_arena_free(&a);
        return 0;
    }
    if (m.data.len > size)
        fail("normalized data longer than the input");
    if (m.nparts < 1 || m.nparts > lim.max_parts || m.parts[0] != m.root)
        fail("part count");
    for (size_t i = 0; i < m.nparts; i++) {
        ss_part *p = m.parts[i];
        if (p->depth < 0 || (size_t)p->depth > lim.max_mime_depth)
            fail("depth");
        if (p->raw.len && (p->raw.ptr < m.data.ptr ||
                           p->raw.ptr + p->raw.len > m.data.ptr + m.data.len))
            fail("raw outside the message");
        if (p->type.len == 0 || !memchr(p->type.ptr, '/', p->type.len))
            fail("type");
        for (size_t k = 0; k < p->type.len; k++)
            if (p->type.ptr[k] >= 'A' && p->type.ptr[k] <= 'Z')
                fail("type not lower case");
        unsigned before = m.warnings;
        ss_str t = ss_part_text(&m, p);
        if (t.len > lim.max_text_scan)
            fail("text over the limit");
        if (memchr(t.ptr ? t.ptr : "", '\r', t.len))
            fail("CR in text");
        if (!(m.warnings & SMTPSTATUS_RW_CHARSET) && !ssf_utf8_valid(t.ptr, t.len))
            fail("text not UTF-8");
        (void)before;
        if (ss_eq_ci(p->type, "text/html")) {
            ss_str h = ss_html_to_text(&a, t);
            if (h.len > t.len)
                fail("html text longer");
        }
        ss_str again = ss_part_text(&m, p);
        if (again.ptr != t.ptr || again.len != t.len)
            fail("text not cached");
    }
    ss_str from = ss_part_header(&a, m.root, "From");
    ss_str subj = ss_part_header(&a, m.root, "Subject");
    if (from.len > size * 4 + 16 || subj.len > size * 4 + 16)
        fail("header value size");
    (void)ss_header_param(ss_part_header_raw(m.root, "Content-Type"), "charset");
    ss_arena_free(&a);
    return 0;
}
