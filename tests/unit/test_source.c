/*
 * test_source.c - unit tests of lib/source.c (the message reader): mbox
 * splitting and >From unquoting (mboxo, mboxrd), single messages, a
 * Maildir, a folder tree read in sorted order, empty files, unreadable
 * paths, symlink loops, streaming with bounded memory, truncation, a file
 * descriptor, a folder read whole-file and with small buffers alike, a
 * walk that hands out paths (smtpstatus_reader_next_path) read with a
 * reopened reader, an mbox read in parts (smtpstatus_reader_reopen_part)
 * as sequentially.  Files are made in a temporary directory.  Also replays the
 * kept fuzz crashers of tests/regress/fuzz_mbox/ (run with cwd tests/).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

size_t ss_reader_mem(const smtpstatus_reader *r);
void ss_reader_set_chunk(smtpstatus_reader *r, size_t n);
void ss_reader_set_short_eof(smtpstatus_reader *r, int on);
void ss_reader_set_dir_fail(smtpstatus_reader *r, size_t n);
void ss_reader_set_noatime(smtpstatus_reader *r, int mode);
/* 0: the readers below read folder entries until read() says 0, as on a
 * file system not known to end files at a short read */
static int short_eof = 1;


static char tmpdir[256];

static void put(const char *rel, const char *data) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    FILE *f = fopen(p, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", p);
        failed++;
        return;
    }
    fwrite(data, 1, strlen(data), f);
    fclose(f);
}

static void mkd(const char *rel) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    mkdir(p, 0755);
}

static char *path(const char *rel) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    return p;
}

static int msg_is(const smtpstatus_message *m, const char *data) {
    return m->len == strlen(data) && memcmp(m->data, data, m->len) == 0;
}

/* Source names relative to tmpdir. */
static const char *rel(const char *src) {
    size_t n = strlen(tmpdir);
    if (strncmp(src, tmpdir, n) == 0 && src[n] == '/')
        return src + n + 1;
    return src;
}

static void test_mbox(void) {
    put("box", "From a@b Mon Jan  1 00:00:00 2024\n"
               "Subject: one\n\nbody one\n>From here\n\n"
               "From c@d Mon Jan  1 00:00:00 2024\n"
               "Subject: two\n\nFrom inside (no blank before? yes: blank above)\n"
               "\n"
               "From e@f Mon Jan  1 00:00:00 2024\n"
               "Subject: three\n\n>>From quoted twice\nnot From at start\n");
    smtpstatus_rc rc;
    smtpstatus_reader *r;
    smtpstatus_message m;
    const char *what;
    /* the default buffer, then buffers smaller than the lines */
    static const size_t chunks[] = {0, 16, 17, 23, 40};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
    r = smtpstatus_reader_open(path("box"), NULL, &rc);
    CHECK(r != NULL && rc == SMTPSTATUS_OK);
    if (!r)
        return;
    if (chunks[c])
        ss_reader_set_chunk(r, chunks[c]);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
    CHECK(msg_is(&m, "Subject: one\n\nbody one\nFrom here\n"));
    CHECK(strcmp(rel(m.source), "box:1") == 0 && m.number == 1);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
    /* "From inside" follows a blank line: it is a separator (mboxo) */
    CHECK(msg_is(&m, "Subject: two\n"));
    CHECK(strcmp(rel(m.source), "box:2") == 0);
    /* the third "message" is empty: skipped, but it keeps its number */
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
    CHECK(msg_is(&m, "Subject: three\n\n>From quoted twice\nnot From at start\n"));
    CHECK(strcmp(rel(m.source), "box:4") == 0 && m.number == 4);
    CHECK(m.warnings == 0);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
    }

    /* mboxrd with CRLF line ends; a From line not after a blank line is
     * not a separator */
    put("rd", "From x\r\nA: 1\r\n\r\n>From a\r\n>>>From b\r\nFrom c\r\n\r\n"
              "From y\r\nB: 2\r\n");
    r = smtpstatus_reader_open(path("rd"), NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
    CHECK(msg_is(&m, "A: 1\r\n\r\nFrom a\r\n>>From b\r\nFrom c\r\n"));
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
    CHECK(msg_is(&m, "B: 2\r\n"));
    CHECK(m.number == 2);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);

    /* a single message: not an mbox */
    put("one.eml", "Subject: x\n\nFrom me\n");
    r = smtpstatus_reader_open(path("one.eml"), NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
    CHECK(msg_is(&m, "Subject: x\n\nFrom me\n"));
    CHECK(strcmp(rel(m.source), "one.eml") == 0 && m.number == 1);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
}

static void test_folders(void) {
    mkd("md");
    mkd("md/cur");
    mkd("md/new");
    mkd("md/tmp");
    put("md/cur/2", "Subject: cur2\n\n");
    put("md/cur/1", "Subject: cur1\n\n");
    put("md/new/1", "Subject: new1\n\n");
    put("md/tmp/1", "Subject: tmp1\n\n");
    put("md/.hidden", "Subject: hidden\n\n");
    mkd("tree");
    mkd("tree/b");
    mkd("tree/b/c");
    mkd("tree/a");
    put("tree/z", "Subject: z\n\n");
    put("tree/b/c/m", "Subject: bcm\n\n");
    put("tree/b/2", "Subject: b2\n\n");
    put("tree/a/empty", "");
    put("tree/a/box", "From x\nSubject: a1\n\nFrom y\nSubject: a2\n");
    put("tree/.dot", "Subject: dot\n\n");
    /* a symlink loop and a dangling symlink */
    char target[512];
    snprintf(target, sizeof target, "%s/tree", tmpdir);
    CHECK(symlink(target, path("tree/b/c/loop")) == 0);
    CHECK(symlink("/nonexistent/x", path("tree/dangling")) == 0);

    const char *expect_md[] = {"md/cur/1", "md/cur/2", "md/new/1"};
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path("md"), NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    smtpstatus_message m;
    const char *what;
    size_t k = 0;
    while ((rc = smtpstatus_reader_next(r, &m, &what)) == SMTPSTATUS_OK) {
        CHECK(k < 3 && strcmp(rel(m.source), expect_md[k]) == 0);
        k++;
    }
    CHECK(rc == SMTPSTATUS_ENOTFOUND && k == 3);
    smtpstatus_reader_close(r);

    /* sorted by name: a/box (2 messages), b/2, b/c/loop (skipped),
     * b/c/m, dangling (error), z */
    const char *expect[] = {"tree/a/box:1", "tree/a/box:2", "tree/b/2",
                            "tree/b/c/m", "ERR tree/dangling", "tree/z"};
    r = smtpstatus_reader_open(path("tree"), NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    k = 0;
    for (int guard = 0; guard < 100; guard++) {
        rc = smtpstatus_reader_next(r, &m, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        char got[600];
        if (rc == SMTPSTATUS_OK)
            snprintf(got, sizeof got, "%s", rel(m.source));
        else {
            snprintf(got, sizeof got, "ERR %s", rel(m.source));
            CHECK(rc == SMTPSTATUS_EIO);
            CHECK(what && strstr(what, "cannot open") != NULL);
            CHECK(what && strstr(what, "No such file") != NULL);
        }
        CHECK(k < 6 && strcmp(got, expect[k]) == 0);
        if (k < 6 && strcmp(got, expect[k]) != 0)
            fprintf(stderr, "  got %s, want %s\n", got, expect[k]);
        k++;
    }
    CHECK(k == 6);
    smtpstatus_reader_close(r);

    /* unreadable: a path that does not exist */
    r = smtpstatus_reader_open(path("nope"), NULL, &rc);
    CHECK(r == NULL && rc == SMTPSTATUS_EIO);
    /* a FIFO is skipped with an error */
    CHECK(mkfifo(path("fifo"), 0644) == 0);
    r = smtpstatus_reader_open(path("fifo"), NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_EIO);
        CHECK(what && strstr(what, "not a regular file") != NULL);
        CHECK(strcmp(rel(m.source), "fifo") == 0);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }
    /* an unreadable file (only when not running as root) */
    put("locked", "Subject: x\n\n");
    chmod(path("locked"), 0);
    if (geteuid() != 0) {
        r = smtpstatus_reader_open(path("locked"), NULL, &rc);
        CHECK(r != NULL);
        if (r) {
            CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_EIO);
            CHECK(what && strcmp(what, "cannot open: Permission denied") == 0);
            smtpstatus_reader_close(r);
        }
    }
    /* nesting deeper than 64 directories: an error, then the walk goes on */
    {
        char rp[600] = "deep";
        mkd(rp);
        for (int i = 0; i < 66 && strlen(rp) + 4 < sizeof rp; i++) {
            strcat(rp, "/d");
            mkd(rp);
        }
        strcat(rp, "/m");
        put(rp, "Subject: deep\n\n");
        put("deep/a", "Subject: a\n\n");
        r = smtpstatus_reader_open(path("deep"), NULL, &rc);
        CHECK(r != NULL);
        if (r) {
            int ok = 0, lim = 0, other = 0;
            for (int guard = 0; guard < 200; guard++) {
                rc = smtpstatus_reader_next(r, &m, &what);
                if (rc == SMTPSTATUS_ENOTFOUND)
                    break;
                if (rc == SMTPSTATUS_OK)
                    ok++;
                else if (rc == SMTPSTATUS_ELIMIT && what && strstr(what, "too deep"))
                    lim++;
                else
                    other++;
            }
            CHECK(ok == 1 && lim == 1 && other == 0);
            smtpstatus_reader_close(r);
        }
    }
    /* an empty file yields nothing */
    put("empty", "");
    r = smtpstatus_reader_open(path("empty"), NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }
}

/* One line for what a reader gave, appended to out[0..cap) at *o: the
 * message m (source, number, warnings, length, data) when rc is OK, else
 * "ERR source what". */
static void put_read(char *out, size_t cap, size_t *o, smtpstatus_rc rc,
                     const smtpstatus_message *m, const char *source,
                     const char *what) {
    int k;
    if (rc == SMTPSTATUS_OK)
        k = snprintf(out + *o, cap - *o, "%s %zu %u %zu [%.*s]\n",
                     rel(m->source), m->number, m->warnings, m->len,
                     (int)m->len, m->data);
    else
        k = snprintf(out + *o, cap - *o, "ERR %s %s\n", rel(source),
                     what ? what : "?");
    if (k > 0 && (size_t)k < cap - *o)
        *o += (size_t)k;
}

/* A folder's small files are read whole into the reader's buffer; with a
 * buffer smaller than the files they are mapped or streamed instead.
 * Both must give the same messages (data, source, number, warnings). */
static size_t folder_read(size_t chunk, char *out, size_t cap) {
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_message_size = 200;
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path("eq"), &lim, &rc);
    CHECK(r != NULL);
    if (!r)
        return 0;
    if (chunk)
        ss_reader_set_chunk(r, chunk);
    ss_reader_set_short_eof(r, short_eof);
    smtpstatus_message m;
    const char *what;
    size_t n = 0, o = 0;
    out[0] = '\0';
    for (int guard = 0; guard < 100; guard++) {
        rc = smtpstatus_reader_next(r, &m, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        put_read(out, cap, &o, rc, &m, m.source, what);
        n++;
    }
    CHECK(rc == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
    return n;
}

/* Read top as folder_read does, but walking with
 * smtpstatus_reader_next_path() and reading each file with a second
 * reader, made without a path and reopened for each (buffers kept); an
 * empty file handed out gives no line (as the walk skips it). */
static size_t walk_read(const char *top, size_t chunk, char *out, size_t cap,
                        size_t *nfiles) {
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_message_size = 200;
    smtpstatus_rc rc;
    smtpstatus_reader *w = smtpstatus_reader_open(path(top), &lim, &rc);
    smtpstatus_reader *r = smtpstatus_reader_open(NULL, &lim, &rc);
    CHECK(w != NULL && r != NULL);
    if (!w || !r) {
        smtpstatus_reader_close(w);
        smtpstatus_reader_close(r);
        return 0;
    }
    if (chunk)
        ss_reader_set_chunk(r, chunk);
    ss_reader_set_short_eof(r, short_eof);
    smtpstatus_message m;
    const char *what, *fp;
    /* a reader made without a path has nothing to read */
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    CHECK(smtpstatus_reader_next_path(r, &fp, &what) == SMTPSTATUS_ENOTFOUND);
    size_t n = 0, o = 0;
    out[0] = '\0';
    *nfiles = 0;
    for (int guard = 0; guard < 100; guard++) {
        rc = smtpstatus_reader_next_path(w, &fp, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        if (rc != SMTPSTATUS_OK) {
            CHECK(fp != NULL && what != NULL);
            put_read(out, cap, &o, rc, NULL, fp ? fp : "?", what);
            n++;
            continue;
        }
        (*nfiles)++;
        CHECK(smtpstatus_reader_reopen(r, fp) == SMTPSTATUS_OK);
        /* a reader that has begun a file hands out no paths */
        for (int g2 = 0; g2 < 100; g2++) {
            rc = smtpstatus_reader_next(r, &m, &what);
            if (rc == SMTPSTATUS_ENOTFOUND)
                break;
            if (rc == SMTPSTATUS_OK) {
                const char *p2, *w2;
                CHECK(smtpstatus_reader_next_path(r, &p2, &w2) ==
                      SMTPSTATUS_EINVAL);
            }
            put_read(out, cap, &o, rc, &m, m.source, what);
            n++;
        }
    }
    CHECK(rc == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
    smtpstatus_reader_close(w);
    return n;
}

/* smtpstatus_reader_next_path() walks as smtpstatus_reader_next() reads:
 * the same files in the same order, the same problems; reading the paths
 * it hands out gives the same messages. */
static void test_next_path(const char *want, size_t nwant) {
    static char got[8192];
    size_t nf = 0, n;
    /* eq: 13 files (a b c d e f g(empty) h i j l m/cur/1 m/new/1), p an
     * error */
    n = walk_read("eq", 0, got, sizeof got, &nf);
    CHECK(n == nwant && nf == 13 && strcmp(got, want) == 0);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "  next_path:\n%s  want:\n%s", got, want);
    n = walk_read("eq", 16, got, sizeof got, &nf);
    CHECK(n == nwant && strcmp(got, want) == 0);

    /* tree: a loop skipped, a dangling link said by the walk */
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path("tree"), NULL, &rc);
    const char *expect[] = {"tree/a/box", "tree/a/empty", "tree/b/2",
                            "tree/b/c/m", "ERR tree/dangling", "tree/z"};
    const char *fp, *what;
    size_t k = 0;
    CHECK(r != NULL);
    for (int guard = 0; r && guard < 100; guard++) {
        char g[600];
        rc = smtpstatus_reader_next_path(r, &fp, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        if (rc == SMTPSTATUS_OK)
            snprintf(g, sizeof g, "%s", rel(fp));
        else {
            snprintf(g, sizeof g, "ERR %s", rel(fp));
            CHECK(rc == SMTPSTATUS_EIO && what &&
                  strstr(what, "cannot open: No such file") != NULL);
        }
        CHECK(k < 6 && strcmp(g, expect[k]) == 0);
        k++;
    }
    CHECK(k == 6);
    smtpstatus_reader_close(r);

    /* a top-level file is handed out as it was given; a FIFO is an
     * error; a reader of a descriptor has no paths */
    r = smtpstatus_reader_open(path("eq/a.eml"), NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        char top[512];
        snprintf(top, sizeof top, "%s", path("eq/a.eml"));
        CHECK(smtpstatus_reader_next_path(r, &fp, &what) == SMTPSTATUS_OK &&
              strcmp(fp, top) == 0);
        CHECK(smtpstatus_reader_next_path(r, &fp, &what) ==
              SMTPSTATUS_ENOTFOUND);
        /* reopened on a path that does not exist: said when read */
        smtpstatus_message m;
        CHECK(smtpstatus_reader_reopen(r, path("nope")) == SMTPSTATUS_OK);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_EIO &&
              what && strstr(what, "cannot open: No such file") != NULL &&
              strcmp(rel(m.source), "nope") == 0);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        /* reopened on a directory: walked */
        CHECK(smtpstatus_reader_reopen(r, path("md")) == SMTPSTATUS_OK);
        k = 0;
        while (smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK && k < 9)
            k++;
        CHECK(k == 3);
        CHECK(smtpstatus_reader_reopen(r, NULL) == SMTPSTATUS_EINVAL);
        smtpstatus_reader_close(r);
    }
    r = smtpstatus_reader_open(path("fifo"), NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next_path(r, &fp, &what) == SMTPSTATUS_EIO &&
              what && strstr(what, "not a regular file") != NULL &&
              strcmp(rel(fp), "fifo") == 0);
        CHECK(smtpstatus_reader_next_path(r, &fp, &what) ==
              SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }
    r = smtpstatus_reader_open_fd(0, "-", NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next_path(r, &fp, &what) ==
              SMTPSTATUS_EINVAL);
        smtpstatus_reader_close(r);
    }
    CHECK(smtpstatus_reader_next_path(NULL, &fp, &what) == SMTPSTATUS_EINVAL);
}

static void test_folder_buffers(void) {
    mkd("eq");
    put("eq/a.eml", "Subject: a\n\nbody\n");
    put("eq/b.mbox", "From x Mon Jan  1 00:00:00 2024\nSubject: b1\n\n>From q\n\n"
                     "From y Mon Jan  1 00:00:00 2024\nSubject: b2\n");
    put("eq/c.mbox", "From x\rSubject: c1\r\rFrom y\rSubject: c2\r");
    put("eq/d.mbox", "From x\r\nSubject: d1\r\n\r\nFrom y\r\nSubject: d2");
    char big[400];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "Subject: big\n\n", 14);
    big[sizeof big - 1] = '\0';
    put("eq/e.eml", big); /* over the limit (200): cut */
    big[0] = 'F', big[1] = 'r', big[2] = 'o', big[3] = 'm', big[4] = ' ';
    put("eq/f.mbox", big); /* one mbox message over the limit */
    put("eq/g", "");
    put("eq/h", "From");
    put("eq/i", "\n");
    /* exactly the size of one of the buffers below: a first read fills
     * the buffer, so the file is measured and read again from its start */
    put("eq/j", "Subject: j\n\n012345678901234567890123456789012345678901234567890\n");
    mkd("eq/m");
    mkd("eq/m/cur");
    mkd("eq/m/new");
    mkd("eq/m/tmp");
    put("eq/m/cur/1", "Subject: cur\n\n");
    put("eq/m/new/1", "Subject: new\n\n");
    put("eq/m/tmp/1", "Subject: tmp\n\n");
    CHECK(symlink("a.eml", path("eq/l")) == 0);
    CHECK(mkfifo(path("eq/p"), 0644) == 0);
    static char want[8192], got[8192];
    size_t n = folder_read(0, want, sizeof want);
    /* a, b:1, b:2, c:1, c:2, d:1, d:2, e, f:1, h, i, j, l, m/cur/1,
     * m/new/1, p (error) */
    CHECK(n == 16);
    CHECK(strstr(want, "eq/j 1 0 64 [Subject: j\n\n0123") != NULL);
    CHECK(strstr(want, "eq/e.eml 1 1 200 [Subject: big\n") != NULL);
    CHECK(strstr(want, "eq/c.mbox:2 2 0 12 [Subject: c2\n]") != NULL);
    CHECK(strstr(want, "eq/b.mbox:1 1 0 20 [Subject: b1\n\nFrom q\n]") != NULL);
    CHECK(strstr(want, "ERR eq/p not a regular file") != NULL);
    CHECK(strstr(want, "tmp") == NULL);
    static const size_t chunks[] = {16, 23, 64, 200, 4096};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t k = folder_read(chunks[c], got, sizeof got);
        CHECK(k == n && strcmp(got, want) == 0);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "  chunk %zu:\n%s  want:\n%s", chunks[c], got, want);
    }
    test_next_path(want, n);
    /* the same when every entry is read until read() says 0 (the file
     * system here may be one where a short read is taken as the end) */
    short_eof = 0;
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t k = folder_read(chunks[c], got, sizeof got);
        CHECK(k == n && strcmp(got, want) == 0);
    }
    test_next_path(want, n);
    short_eof = 1;
    /* reopened on a FIFO (opened as a folder entry is: read before any
     * fstat()): said not to be a regular file, nothing handed out */
    smtpstatus_reader *r = smtpstatus_reader_open(NULL, NULL, NULL);
    CHECK(r != NULL);
    if (r) {
        smtpstatus_message m;
        const char *what = NULL;
        CHECK(smtpstatus_reader_reopen(r, path("eq/p")) == SMTPSTATUS_OK);
        smtpstatus_rc rc = smtpstatus_reader_next(r, &m, &what);
        CHECK(rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ENOTFOUND);
        CHECK(what != NULL && strstr(what, "not a regular file") != NULL);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }
}

/* The lowest free descriptor (to see that a reader leaves none open). */
static int lowest_free_fd(void) {
    int fd = dup(0);
    if (fd >= 0)
        close(fd);
    return fd;
}

/* smtpstatus_reader_reopen() keeps the directory of a path open for the
 * next path in it: files of one directory, then of another, then of the
 * first again are each read; a directory removed and made again under the
 * same path is found again (its files are looked up by the whole path);
 * a file that is gone is said; no descriptor is left open. */
static void test_reopen_dirs(void) {
    mkd("rdirs");
    mkd("rdirs/one");
    mkd("rdirs/two");
    put("rdirs/one/a", "Subject: one a\n\n");
    put("rdirs/one/b", "Subject: one b\n\n");
    put("rdirs/two/a", "Subject: two a\n\n");
    put("rdirs/top", "Subject: top\n\n");
    int low = lowest_free_fd();
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(NULL, NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    static const struct {
        const char *file, *want;
    } seq[] = {{"rdirs/one/a", "Subject: one a\n\n"},
               {"rdirs/one/b", "Subject: one b\n\n"},
               {"rdirs/two/a", "Subject: two a\n\n"},
               {"rdirs/one/b", "Subject: one b\n\n"},
               {"rdirs/top", "Subject: top\n\n"},
               {"rdirs/one/a", "Subject: one a\n\n"}};
    smtpstatus_message m;
    const char *what;
    char want_src[600];
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        CHECK(smtpstatus_reader_reopen(r, path(seq[i].file)) == SMTPSTATUS_OK);
        snprintf(want_src, sizeof want_src, "%s", path(seq[i].file));
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK &&
              msg_is(&m, seq[i].want) && strcmp(m.source, want_src) == 0);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    }
    /* rd/one (kept open) removed and made again, with other files */
    CHECK(unlink(path("rdirs/one/a")) == 0 && unlink(path("rdirs/one/b")) == 0 &&
          rmdir(path("rdirs/one")) == 0);
    mkd("rdirs/one");
    put("rdirs/one/c", "Subject: new c\n\n");
    CHECK(smtpstatus_reader_reopen(r, path("rdirs/one/c")) == SMTPSTATUS_OK);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK &&
          msg_is(&m, "Subject: new c\n\n"));
    CHECK(smtpstatus_reader_reopen(r, path("rdirs/one/a")) == SMTPSTATUS_OK);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_EIO && what &&
          strstr(what, "cannot open: No such file") != NULL &&
          strcmp(rel(m.source), "rdirs/one/a") == 0);
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    /* a file name alone (the working directory's) */
    char cwd[512];
    if (getcwd(cwd, sizeof cwd) && chdir(path("rdirs/two")) == 0) {
        CHECK(smtpstatus_reader_reopen(r, "a") == SMTPSTATUS_OK);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK &&
              msg_is(&m, "Subject: two a\n\n") && strcmp(m.source, "a") == 0);
        CHECK(chdir(cwd) == 0);
    }
    smtpstatus_reader_close(r);
    CHECK(lowest_free_fd() == low);
}

static void test_stream(void) {
    /* an mbox of 3000 messages of ~2 KiB (6 MiB): the reader's memory
     * stays that of its chunk plus one message */
    FILE *f = fopen(path("big"), "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[80];
    memset(line, 'x', 78);
    line[78] = '\n';
    line[79] = '\0';
    for (int i = 0; i < 3000; i++) {
        fprintf(f, "From sender%d Mon Jan  1 00:00:00 2024\nSubject: %d\n\n", i, i);
        for (int j = 0; j < 25; j++)
            fputs(line, f);
        fputs("\n", f);
    }
    /* one message over the limit set below */
    fputs("From huge\nSubject: huge\n\n", f);
    for (int j = 0; j < 2000; j++)
        fputs(line, f);
    fputs("\nFrom last\nSubject: last\n", f);
    fclose(f);
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_message_size = 64 * 1024;
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path("big"), &lim, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    smtpstatus_message m;
    const char *what;
    size_t n = 0, mem_after_first = 0, mem_max = 0, bad = 0;
    while ((rc = smtpstatus_reader_next(r, &m, &what)) == SMTPSTATUS_OK) {
        n++;
        size_t mem = ss_reader_mem(r);
        if (n == 1)
            mem_after_first = mem;
        if (mem > mem_max)
            mem_max = mem;
        char want[32];
        snprintf(want, sizeof want, "Subject: %zu\n", n - 1);
        if (n <= 3000 && (m.len != strlen(want) + 1 + 25 * 79 ||
                          memcmp(m.data, want, strlen(want)) != 0 || m.number != n))
            bad++;
        if (n == 3001) {
            CHECK(m.warnings & SMTPSTATUS_RW_TRUNCATED);
            CHECK(m.len == lim.max_message_size);
        }
        if (n == 3002) {
            CHECK(msg_is(&m, "Subject: last\n"));
            CHECK(m.warnings == 0);
        }
    }
    CHECK(rc == SMTPSTATUS_ENOTFOUND);
    CHECK(n == 3002);
    CHECK(bad == 0);
    /* chunk (256 KiB) + one message buffer, bounded by the limit */
    CHECK(mem_after_first > 0);
    CHECK(mem_max <= ((size_t)256 << 10) + 2 * lim.max_message_size);
    fprintf(stderr, "stream: %zu messages, reader memory %zu..%zu bytes\n", n,
            mem_after_first, mem_max);
    smtpstatus_reader_close(r);

    /* a single message over the limit is cut */
    lim.max_message_size = 100;
    f = fopen(path("bigone.eml"), "wb");
    if (f) {
        fputs("Subject: big\n\n", f);
        for (int j = 0; j < 10; j++)
            fputs(line, f);
        fclose(f);
    }
    r = smtpstatus_reader_open(path("bigone.eml"), &lim, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
        CHECK(m.len == 100 && (m.warnings & SMTPSTATUS_RW_TRUNCATED));
        CHECK(memcmp(m.data, "Subject: big\n", 13) == 0);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }

    /* a pipe through a file descriptor: mbox detected */
    int fds[2];
    CHECK(pipe(fds) == 0);
    const char *data = "From a\nX: 1\n\nFrom b\nX: 2\n";
    CHECK(write(fds[1], data, strlen(data)) == (ssize_t)strlen(data));
    close(fds[1]);
    r = smtpstatus_reader_open_fd(fds[0], "-", NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
        CHECK(msg_is(&m, "X: 1\n") && strcmp(m.source, "-:1") == 0);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
        CHECK(msg_is(&m, "X: 2\n") && strcmp(m.source, "-:2") == 0);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }
    close(fds[0]);
    CHECK(pipe(fds) == 0);
    data = "Subject: piped\n\nbody\n";
    CHECK(write(fds[1], data, strlen(data)) == (ssize_t)strlen(data));
    close(fds[1]);
    r = smtpstatus_reader_open_fd(fds[0], "stdin", NULL, &rc);
    CHECK(r != NULL);
    if (r) {
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
        CHECK(msg_is(&m, data) && strcmp(m.source, "stdin") == 0 && m.number == 1);
        CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
        smtpstatus_reader_close(r);
    }
    close(fds[0]);

    /* a sparse 4 GiB file: one message cut at the limit, nothing more */
    int fd = open(path("sparse"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0) {
        const char *hd = "Subject: sparse\n\n";
        CHECK(write(fd, hd, strlen(hd)) == (ssize_t)strlen(hd));
        int ok = ftruncate(fd, (off_t)4 << 30) == 0;
        close(fd);
        if (ok) {
            lim.max_message_size = 1 << 20;
            r = smtpstatus_reader_open(path("sparse"), &lim, &rc);
            CHECK(r != NULL);
            if (r) {
                CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK);
                CHECK(m.len == (size_t)1 << 20);
                CHECK(m.warnings & SMTPSTATUS_RW_TRUNCATED);
                CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
                smtpstatus_reader_close(r);
            }
        }
        unlink(path("sparse"));
    }
}

/* Parts of an mbox (smtpstatus_reader_reopen_part): random mboxes with
 * the lines that decide splitting (separators after blank "\n" and
 * "\r\n" lines and not, by their shape or not, quoted ">From " lines,
 * empty messages, lines longer than the buffer, a last line without LF)
 * read in parts of many sizes give the same messages, numbers, sources
 * and warnings as one sequential reader. */
typedef struct seen {
    char *data; /* all messages: "number warnings source\n" len data */
    size_t len, cap;
} seen;

static void seen_add(seen *s, const char *p, size_t n) {
    if (s->len + n + 1 > s->cap) {
        size_t c = s->cap ? s->cap : 4096;
        while (c < s->len + n + 1)
            c *= 2;
        char *d = realloc(s->data, c);
        if (!d) {
            failed++;
            return;
        }
        s->data = d;
        s->cap = c;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static void seen_msg(seen *s, const smtpstatus_message *m) {
    char h[600];
    int k = snprintf(h, sizeof h, "%zu %u %s %zu\n", m->number, m->warnings,
                     m->source, m->len);
    seen_add(s, h, (size_t)k);
    seen_add(s, m->data, m->len);
}

static unsigned long long part_rng;
static unsigned part_bad_numbers;
static unsigned rnd(unsigned n) {
    part_rng = part_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((part_rng >> 33) % n);
}

static size_t gen_mbox(char *o, size_t cap) {
    static const char *const lines[] = {
        "From a@example.org Mon Jan  1 00:00:00 2024\n",
        "From b@example.org Tue Feb  2 10:20:30 2025\r\n",
        "From x\n", "From \n", "From  y z\n", "From\n", "Fro\n",
        "\n", "\n", "\n", "\r\n", "\r\n",
        ">From q\n", ">>From r 12:00 2024\n", ">From\n",
        "Subject: s\n", "body text\n", "line\r\n", "\r", "x\ry\n",
        "From c Wed Mar  3 12:00:00 2024\n",
    };
    size_t n = 0;
    const char *first = rnd(2) ? "From first Mon Jan  1 00:00:00 2024\n"
                               : "From first\r\n";
    memcpy(o, first, strlen(first));
    n = strlen(first);
    unsigned nl = 20 + rnd(400);
    for (unsigned i = 0; i < nl && n + 4000 < cap; i++) {
        unsigned w = rnd(30);
        if (w < 21) {
            const char *l = lines[w];
            memcpy(o + n, l, strlen(l));
            n += strlen(l);
        } else if (w < 23) { /* long line */
            unsigned len = 100 + rnd(3000);
            memset(o + n, w == 21 ? 'x' : '>', len);
            if (w == 22)
                memcpy(o + n + len - 6, "From ", 5);
            n += len;
            o[n - 1] = '\n';
        } else if (w == 23) { /* long "From " line, with a date at its end */
            memcpy(o + n, "From ", 5);
            n += 5;
            unsigned len = 150 + rnd(120);
            memset(o + n, 'y', len);
            n += len;
            memcpy(o + n, " 12:00 2024\n", 12);
            n += 12;
        } else { /* a blank line and a separator: a new message */
            const char *l = "\nFrom m@example.net Thu Apr  4 04:04:04 2024\n";
            memcpy(o + n, l + (w == 24), strlen(l + (w == 24)));
            n += strlen(l + (w == 24));
        }
    }
    if (rnd(3) == 0) { /* a last line without LF */
        memcpy(o + n, "From tail", 9);
        n += 9 - rnd(5);
    }
    return n;
}

static void read_seq(const char *p, const smtpstatus_limits *lim, seen *s) {
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(p, lim, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    smtpstatus_message m;
    const char *what;
    while ((rc = smtpstatus_reader_next(r, &m, &what)) == SMTPSTATUS_OK)
        seen_msg(s, &m);
    CHECK(rc == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
}

static void read_parts(const char *p, size_t size, size_t psize,
                       smtpstatus_reader *r, seen *s) {
    size_t before = 0;
    for (size_t start = 0; start < size; start += psize) {
        size_t end = size - start > psize ? start + psize : size, cnt = 99;
        const char *what = NULL;
        smtpstatus_rc rc = smtpstatus_reader_reopen_part(r, p, start, end,
                                                         &cnt, &what);
        CHECK(rc == SMTPSTATUS_OK);
        if (rc != SMTPSTATUS_OK)
            return;
        CHECK(smtpstatus_reader_part_number(r, before) == SMTPSTATUS_OK);
        before += cnt;
        smtpstatus_message m;
        while ((rc = smtpstatus_reader_next(r, &m, &what)) == SMTPSTATUS_OK) {
            if (m.number <= before - cnt || m.number > before)
                part_bad_numbers++; /* outside the part's numbers */
            seen_msg(s, &m);
        }
        CHECK(rc == SMTPSTATUS_ENOTFOUND);
    }
}

static void test_parts(void) {
    size_t cap = 1 << 21;
    char *buf = malloc(cap);
    CHECK(buf != NULL);
    if (!buf)
        return;
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(NULL, NULL, &rc);
    smtpstatus_reader *rs = smtpstatus_reader_open(NULL, NULL, &rc);
    CHECK(r != NULL && rs != NULL);
    if (!r || !rs) {
        free(buf);
        return;
    }
    ss_reader_set_chunk(rs, 64); /* lines longer than its buffer */
    static const size_t psizes[] = {1, 7, 64, 333, 4096,
                                    SMTPSTATUS_MBOX_PART_MAX};
    unsigned bad = 0;
    for (unsigned seed = 1; seed <= 300; seed++) {
        part_rng = seed;
        size_t n = gen_mbox(buf, cap);
        FILE *f = fopen(path("parts.mbox"), "wb");
        CHECK(f != NULL);
        if (!f)
            break;
        fwrite(buf, 1, n, f);
        fclose(f);
        smtpstatus_limits lim;
        memset(&lim, 0, sizeof lim);
        if (seed % 3 == 0)
            lim.max_message_size = 200 + seed; /* cut messages */
        unsigned long long size = 0;
        CHECK(smtpstatus_mbox_parts(path("parts.mbox"), &size) ==
              SMTPSTATUS_OK);
        CHECK(size == n);
        seen want = {0}, got = {0};
        read_seq(path("parts.mbox"), &lim, &want);
        for (size_t k = 0; k < sizeof psizes / sizeof *psizes; k++) {
            smtpstatus_reader *pr = k % 2 ? rs : r;
            got.len = 0;
            if (seed % 3 <= 1 && k < 2) { /* the limit is the reader's */
                smtpstatus_reader_close(pr);
                pr = smtpstatus_reader_open(NULL, &lim, &rc);
                if (k % 2)
                    rs = pr, ss_reader_set_chunk(rs, 64);
                else
                    r = pr;
                if (!pr)
                    break;
            }
            read_parts(path("parts.mbox"), n, psizes[k], pr, &got);
            if (got.len != want.len ||
                memcmp(got.data, want.data, want.len) != 0) {
                if (bad++ < 3)
                    fprintf(stderr, "parts differ: seed %u, part size %zu\n",
                            seed, psizes[k]);
            }
        }
        if (!r || !rs) {
            free(want.data);
            free(got.data);
            break;
        }
        free(want.data);
        free(got.data);
    }
    CHECK(bad == 0);
    CHECK(part_bad_numbers == 0);

    /* what can be read in parts */
    unsigned long long size = 1;
    put("parts-not", "Subject: one message\n\nFrom here\n");
    CHECK(smtpstatus_mbox_parts(path("parts-not"), &size) == SMTPSTATUS_EINVAL);
    CHECK(size == 0);
    put("parts-cr", "From a\rSubject: x\r\rbody\r");
    CHECK(smtpstatus_mbox_parts(path("parts-cr"), &size) == SMTPSTATUS_EINVAL);
    CHECK(smtpstatus_mbox_parts(path("no-such-file"), &size) == SMTPSTATUS_EIO);
    CHECK(smtpstatus_mbox_parts(tmpdir, &size) == SMTPSTATUS_EINVAL);
    size_t cnt = 9;
    const char *what = NULL;
    CHECK(smtpstatus_reader_reopen_part(r, path("parts-cr"), 0, 10, &cnt,
                                        &what) == SMTPSTATUS_EINVAL);
    CHECK(smtpstatus_reader_reopen_part(r, path("no-such-file"), 0, 10, &cnt,
                                        &what) == SMTPSTATUS_EIO);
    CHECK(what && strncmp(what, "cannot open", 11) == 0);
    CHECK(smtpstatus_reader_reopen_part(r, path("parts.mbox"), 5, 5, &cnt,
                                        &what) == SMTPSTATUS_EINVAL);
    CHECK(smtpstatus_reader_reopen_part(r, path("parts.mbox"), 0,
                                        SMTPSTATUS_MBOX_PART_MAX + 1, &cnt,
                                        &what) == SMTPSTATUS_EINVAL);
    /* a part past the end of the file: nothing in it */
    CHECK(smtpstatus_reader_reopen_part(r, path("parts.mbox"), 1 << 30,
                                        (1 << 30) + 10, &cnt,
                                        &what) == SMTPSTATUS_OK);
    CHECK(cnt == 0);
    CHECK(smtpstatus_reader_part_number(r, 3) == SMTPSTATUS_OK);
    smtpstatus_message m;
    CHECK(smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
    smtpstatus_reader_close(rs);
    free(buf);
}

/* Replay the fuzz crashers of the mbox target. */
static void replay(void) {
    DIR *d = opendir("regress/fuzz_mbox");
    if (!d)
        return;
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[1024];
        snprintf(p, sizeof p, "regress/fuzz_mbox/%s", e->d_name);
        smtpstatus_limits lim;
        memset(&lim, 0, sizeof lim);
        lim.max_message_size = 4096;
        smtpstatus_rc rc;
        smtpstatus_reader *r = smtpstatus_reader_open(p, &lim, &rc);
        CHECK(r != NULL);
        if (!r)
            continue;
        smtpstatus_message m;
        const char *what;
        int guard = 0;
        while (guard++ < 100000 && smtpstatus_reader_next(r, &m, &what) == SMTPSTATUS_OK)
            CHECK(m.len <= 4096);
        smtpstatus_reader_close(r);
        count++;
    }
    closedir(d);
    fprintf(stderr, "replayed %d files from regress/fuzz_mbox\n", count);
}

static void rm_rf(const char *p, int depth) {
    struct stat st;
    if (depth > 100 || lstat(p, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(p);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char q[1024];
                snprintf(q, sizeof q, "%s/%s", p, e->d_name);
                rm_rf(q, depth + 1);
            }
            closedir(d);
        }
        rmdir(p);
    } else
        unlink(p);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder is walked in strcmp() order of its names (bytes unsigned, a
 * name before the longer names it begins), whatever their shapes: names
 * sharing long prefixes, differing only in their last byte or in bytes
 * over 0x7f, one the start of another, one byte long; more than the sort's
 * insertion-sort runs, and enough alike (1200 names) that its radix steps
 * and their ends are all taken. */
static void test_sort_order(void) {
    enum { N = 1200 };
    static char names[N][40];
    char *want[N];
    size_t n = 0;
    mkd("order");
    unsigned seed = 12345;
    for (; n < N; n++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        char *s = names[n];
        switch (n % 6) {
        case 0: /* a long shared prefix, then digits */
            snprintf(s, 40, "c%03u-lhost-postfix-%02u.eml", r % 20, (r >> 5) % 100);
            break;
        case 1: /* one the start of another */
            snprintf(s, 40, "m%u", r % 1000);
            break;
        case 2: /* bytes over 0x7f */
            snprintf(s, 40, "x%c%c%u", (char)(0x80 + r % 100), (char)(0x41 + (r >> 7) % 120), r % 97);
            break;
        case 3: /* one or two bytes */
            snprintf(s, 40, "%c%c", (char)('0' + r % 60), (r >> 9) % 2 ? (char)('a' + (r >> 10) % 26) : '\0');
            break;
        case 4: /* differing only in the last of 30 bytes */
            snprintf(s, 40, "same-prefix-same-prefix-sam%03u", r % 400);
            break;
        default: /* a Maildir's name */
            snprintf(s, 40, "17335%05u.M%uP%u.host", r % 100000, r % 7, r % 13);
            break;
        }
        if (s[0] == '.' || strchr(s, '/'))
            s[0] = 'z';
        /* the same name twice: make it the same file */
        size_t k = 0;
        while (k < n && strcmp(names[k], s) != 0)
            k++;
        if (k < n) {
            n--;
            continue;
        }
        char rel_[64];
        snprintf(rel_, sizeof rel_, "order/%s", s);
        put(rel_, "Subject: x\n\n");
        want[n] = s;
    }
    CHECK(n == N);
    qsort(want, n, sizeof *want, cmp_str);
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path("order"), NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return;
    const char *p, *what;
    size_t k = 0, bad = 0;
    while ((rc = smtpstatus_reader_next_path(r, &p, &what)) == SMTPSTATUS_OK) {
        const char *name = strrchr(p, '/');
        name = name ? name + 1 : p;
        if (k >= n || strcmp(name, want[k]) != 0) {
            if (!bad++)
                fprintf(stderr, "  order: at %zu got %s, want %s\n", k, name,
                        k < n ? want[k] : "(end)");
        }
        k++;
    }
    CHECK(rc == SMTPSTATUS_ENOTFOUND);
    CHECK(k == n && bad == 0);
    smtpstatus_reader_close(r);
}

/* A directory that cannot be listed to its end (readdir() fails after two
 * entries, by the test hook): the error is said once, naming the
 * directory, and the two files listed before it are still read, by next()
 * and by next_path(). */
static void test_dir_fail(void) {
    mkd("lsfail");
    put("lsfail/a", "Subject: a\n\n");
    put("lsfail/b", "Subject: b\n\n");
    put("lsfail/c", "Subject: c\n\n");
    put("lsfail/d", "Subject: d\n\n");
    for (int walk = 0; walk < 2; walk++) {
        smtpstatus_rc rc;
        smtpstatus_reader *r = smtpstatus_reader_open(path("lsfail"), NULL, &rc);
        CHECK(r != NULL);
        if (!r)
            return;
        ss_reader_set_dir_fail(r, 3);
        size_t ok = 0, errs = 0;
        for (int guard = 0; guard < 20; guard++) {
            smtpstatus_message m;
            const char *what = NULL, *fp = NULL;
            rc = walk ? smtpstatus_reader_next_path(r, &fp, &what)
                      : smtpstatus_reader_next(r, &m, &what);
            if (rc == SMTPSTATUS_ENOTFOUND)
                break;
            if (rc == SMTPSTATUS_OK) {
                ok++;
                continue;
            }
            errs++;
            CHECK(rc == SMTPSTATUS_EIO && what != NULL &&
                  strstr(what, "cannot list the whole directory") != NULL &&
                  strstr(what, "Input/output error") != NULL);
            CHECK(strcmp(rel(walk ? fp : m.source), "lsfail") == 0);
        }
        CHECK(rc == SMTPSTATUS_ENOTFOUND);
        CHECK(errs == 1 && ok == 2);
        if (errs != 1 || ok != 2)
            fprintf(stderr, "  dir_fail (%s): %zu errors, %zu files\n",
                    walk ? "next_path" : "next", errs, ok);
        smtpstatus_reader_close(r);
    }
}

/* Give rel an access time an hour before its change time, as a mailbox
 * whose new mail is unread; 0 when that cannot be done. */
static int old_atime(const char *relp) {
    struct stat st;
    if (stat(path(relp), &st) != 0)
        return 0;
    struct timespec ts[2];
    ts[0].tv_sec = st.st_mtime - 3600;
    ts[0].tv_nsec = 0;
    ts[1].tv_sec = 0;
    ts[1].tv_nsec = UTIME_OMIT;
    return utimensat(AT_FDCWD, path(relp), ts, 0) == 0;
}

static int atime_moved(const char *relp) {
    struct stat st;
    if (stat(path(relp), &st) != 0)
        return -1;
    return st.st_atime != st.st_mtime - 3600;
}

/* Read everything the reader of relp gives; the number of messages. */
static size_t read_all(const char *relp, int mode) {
    smtpstatus_rc rc;
    smtpstatus_reader *r = smtpstatus_reader_open(path(relp), NULL, &rc);
    CHECK(r != NULL);
    if (!r)
        return 0;
    if (mode >= 0)
        ss_reader_set_noatime(r, mode);
    size_t n = 0;
    for (int guard = 0; guard < 20; guard++) {
        smtpstatus_message m;
        const char *what = NULL;
        rc = smtpstatus_reader_next(r, &m, &what);
        if (rc != SMTPSTATUS_OK)
            break;
        n++;
    }
    CHECK(rc == SMTPSTATUS_ENOTFOUND);
    smtpstatus_reader_close(r);
    return n;
}

/* Mail is read without moving its access time (O_NOATIME) where the
 * system allows it; where the flag is refused, the file is still read
 * (opened without it).  The access-time checks need a file system that
 * moves access times on reads (relatime with an access time before the
 * change time does): a plain read() of a control file says whether this
 * one does. */
static void test_noatime(void) {
    mkd("atime");
    mkd("atime/dir");
    put("atime/ctl", "Subject: c\n\nbody\n");
    put("atime/dir/a", "Subject: a\n\nbody\n");
    put("atime/dir/b", "Subject: b\n\nbody\n");
    put("atime/mbox", "From a\nSubject: a\n\nx\n\nFrom b\nSubject: b\n\ny\n");
    int moves = -1; /* whether a plain read moves the access time here */
    if (old_atime("atime/ctl")) {
        char b[64];
        int fd = open(path("atime/ctl"), O_RDONLY);
        if (fd >= 0) {
            while (read(fd, b, sizeof b) > 0)
                ;
            close(fd);
            moves = atime_moved("atime/ctl");
        }
    }
    if (moves != 1)
        printf("  (access times do not move on reads here: the access-time "
               "checks are skipped, only the reading is checked)\n");
    /* the default: a folder's entries and a top-level mbox */
    CHECK(old_atime("atime/dir/a") && old_atime("atime/dir/b") &&
          old_atime("atime/mbox"));
    CHECK(read_all("atime/dir", -1) == 2);
    CHECK(read_all("atime/mbox", -1) == 2);
#if defined(__linux__)
    if (moves == 1) {
        CHECK(atime_moved("atime/dir/a") == 0);
        CHECK(atime_moved("atime/dir/b") == 0);
        CHECK(atime_moved("atime/mbox") == 0);
    }
#endif
    /* the flag refused at the first file: both still read, opened without
     * it (the access times move) */
    CHECK(old_atime("atime/dir/a") && old_atime("atime/dir/b") &&
          old_atime("atime/mbox"));
    CHECK(read_all("atime/dir", 2) == 2);
    CHECK(read_all("atime/mbox", 2) == 2);
    if (moves == 1) {
        CHECK(atime_moved("atime/dir/a") == 1);
        CHECK(atime_moved("atime/dir/b") == 1);
        CHECK(atime_moved("atime/mbox") == 1);
    }
    /* turned off: the access times move as with any reader */
    CHECK(old_atime("atime/dir/a"));
    CHECK(read_all("atime/dir", 0) == 2);
    if (moves == 1)
        CHECK(atime_moved("atime/dir/a") == 1);
}

int main(void) {
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/ss_source_XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    test_mbox();
    test_folders();
    test_folder_buffers();
    test_reopen_dirs();
    test_sort_order();
    test_dir_fail();
    test_noatime();
    test_stream();
    test_parts();
    replay();
    rm_rf(tmpdir, 0);
    return check_report();
}
