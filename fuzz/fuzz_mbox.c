/*
 * fuzz_mbox.c - libFuzzer target for the message reader (lib/source.c):
 * the input is written to a temporary file and read by path, and also
 * sent through a pipe and read by file descriptor.  Traps when a message
 * is empty or over the size limit, when reading fails, or when the two
 * ways give different messages (content, number, warnings).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXMSG 512
#define MAXN 4096

static void fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

static uint64_t fnv(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* Read everything; fill hashes; return the count. */
static size_t run(smtpstatus_reader *r, uint64_t *hash, size_t *num) {
    smtpstatus_message m;
    const char *what;
    size_t n = 0;
    smtpstatus_rc rc;
    while ((rc = smtpstatus_reader_next(r, &m, &what)) == SMTPSTATUS_OK) {
        if (m.len == 0 || m.len > MAXMSG)
            fail("message size");
        if (!m.source || !m.data)
            fail("no source or data");
        if (n < MAXN) {
            hash[n] = fnv(m.data, m.len) ^ m.warnings;
            num[n] = m.number;
        }
        n++;
        if (n > 100000)
            fail("too many messages");
    }
    if (rc != SMTPSTATUS_ENOTFOUND)
        fail("read error");
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    static uint64_t h1[MAXN], h2[MAXN];
    static size_t n1[MAXN], n2[MAXN];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz_mbox_%ld", (long)getpid());
    }
    if (size > 60000)
        return 0;
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    fclose(f);
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_message_size = MAXMSG;
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path, &lim, &rc);
    if (!r)
        fail("open");
    size_t c1 = run(r, h1, n1);
    smtpstatus_reader_close(r);

    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    size_t w = 0;
    while (w < size) {
        ssize_t k = write(fds[1], data + w, size - w);
        if (k <= 0)
            break;
        w += (size_t)k;
    }
    close(fds[1]);
    r = smtpstatus_reader_open_fd(fds[0], path, &lim, &rc);
    if (!r)
        fail("open fd");
    size_t c2 = run(r, h2, n2);
    smtpstatus_reader_close(r);
    close(fds[0]);
    if (c1 != c2)
        fail("file and pipe differ in count");
    for (size_t i = 0; i < c1 && i < MAXN; i++)
        if (h1[i] != h2[i] || n1[i] != n2[i])
            fail("file and pipe differ");
    return 0;
}
