/*
 * fuzz_mbox.c - libFuzzer target for the message reader (lib/source.c):
 * the input is written to a temporary file and read by path, and also
 * sent through a pipe and read by file descriptor with a read buffer of
 * 16..79 bytes (so that lines are longer than the buffer), and, when it
 * is an mbox that can be, read in parts of 1..300 bytes
 * (smtpstatus_reader_reopen_part).  Traps when a message is empty or over
 * the size limit, when reading fails, or when the ways give different
 * messages (content, number, warnings; the parts must give exactly the
 * whole read's).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void ss_reader_set_chunk(smtpstatus_reader *r, size_t n);

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

static char path[64];

static void cleanup(void) {
    if (path[0])
        unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint64_t h1[MAXN], h2[MAXN];
    static size_t n1[MAXN], n2[MAXN];
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/fuzz_mbox_%ld", dir, (long)getpid());
        atexit(cleanup);
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
    /* read in parts of 1..300 bytes: exactly the same messages */
    unsigned long long fsize;
    if (smtpstatus_mbox_parts(path, &fsize) == SMTPSTATUS_OK) {
        if (fsize != size)
            fail("parts: size");
        r = smtpstatus_reader_open(NULL, &lim, &rc);
        if (!r)
            fail("open for parts");
        size_t psize = 1 + (size ? data[size - 1] % 300 : 0), before = 0,
               c3 = 0;
        for (size_t start = 0; start < size; start += psize) {
            size_t end = size - start > psize ? start + psize : size, cnt;
            const char *what;
            if (smtpstatus_reader_reopen_part(r, path, start, end, &cnt,
                                              &what) != SMTPSTATUS_OK ||
                smtpstatus_reader_part_number(r, before) != SMTPSTATUS_OK)
                fail("parts: reopen");
            before += cnt;
            size_t k = run(r, h2, n2);
            for (size_t i = 0; i < k && i < MAXN; i++) {
                if (n2[i] <= before - cnt || n2[i] > before)
                    fail("parts: number outside the part");
                if (c3 + i < MAXN && (h2[i] != h1[c3 + i] || n2[i] != n1[c3 + i]))
                    fail("parts: not the messages of the whole read");
            }
            c3 += k;
        }
        if (c3 != c1)
            fail("parts: count");
        smtpstatus_reader_close(r);
    }
    unlink(path); /* libFuzzer may leave without running atexit */

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
    size_t chunk = 16 + (size ? data[0] % 64 : 0);
    ss_reader_set_chunk(r, chunk);
    size_t c2 = run(r, h2, n2);
    smtpstatus_reader_close(r);
    close(fds[0]);
    /* known difference: a line of more '>' than the small buffer holds
     * before "From " is not unquoted when read in pieces */
    size_t run = 0, maxrun = 0;
    for (size_t i = 0; i < size; i++) {
        run = data[i] == '>' ? run + 1 : 0;
        if (run > maxrun)
            maxrun = run;
    }
    if (maxrun + 6 > chunk)
        return 0;
    /* known difference: whether an mbox has bare-CR line ends is read
     * from its first line; when that line is longer than the small
     * buffer, the piece-wise read cannot see its end */
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            break;
        if (data[i] == '\r') {
            if (i + 2 > chunk)
                return 0;
            break;
        }
    }
    /* known difference: a "From " line with no blank line before it is a
     * separator when it holds a date (at most 200 bytes); a piece of it
     * does not show the date.  Real buffers (>= 4 KiB) hold such lines. */
    for (size_t i = 0; i + 5 <= size; i++) {
        if ((i == 0 || data[i - 1] == '\n' || data[i - 1] == '\r') &&
            memcmp(data + i, "From ", 5) == 0) {
            size_t e = i;
            while (e < size && data[e] != '\n')
                e++;
            if (e - i + 2 > chunk)
                return 0;
        }
    }
    if (c1 != c2)
        fail("file and pipe differ in count");
    for (size_t i = 0; i < c1 && i < MAXN; i++)
        if (h1[i] != h2[i] || n1[i] != n2[i])
            fail("file and pipe differ");
    return 0;
}
