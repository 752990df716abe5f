/*
 * fuzz_folder.c - libFuzzer target for the folder walk of the reader
 * (lib/source.c) and smtpstatus_analyze_path(): the input is a small
 * script that builds a temporary directory tree (files with content from
 * the input, nested directories, dotfiles, empty files, symbolic links to
 * ".", "..", the root, a missing path, a file and to themselves; the root
 * sits alone in a private folder so that ".." stays inside), which is
 * then read with smtpstatus_reader_* and analyzed with
 * smtpstatus_analyze_path().  Traps when the walk does not end, a message
 * is over the size limit, a message has no source, or the two walks see a
 * different number of messages.  ASan/UBSan catch memory errors.
 *
 * Script: repeated [op][arg] with op%6: 0 file "f<arg>" whose length is
 * the next byte and content the bytes after it, 1 mkdir "d<arg>" and enter
 * it, 2 leave the directory, 3 symlink "l<arg>", 4 dotfile, 5 empty file.
 * Does not: test file permissions (the hostile script test does).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpstatus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FF_MAXOPS 48
#define FF_MAXDEPTH 6
#define FF_MAXMSG 2048

static void ff_fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

typedef struct ff_tree {
    char base[80]; /* private: holds only root, so ".." stays inside */
    char root[96];
    char made[FF_MAXOPS + 1][700]; /* created paths, in order */
    int isdir[FF_MAXOPS + 1];
    size_t nmade;
} ff_tree;

static void ff_note(ff_tree *t, const char *p, int dir) {
    if (t->nmade <= FF_MAXOPS) {
        snprintf(t->made[t->nmade], sizeof t->made[0], "%s", p);
        t->isdir[t->nmade] = dir;
        t->nmade++;
    }
}

static void ff_cleanup(ff_tree *t) {
    while (t->nmade > 0) {
        t->nmade--;
        if (t->isdir[t->nmade])
            rmdir(t->made[t->nmade]);
        else
            unlink(t->made[t->nmade]);
    }
    rmdir(t->root);
    rmdir(t->base);
}

static int ff_record(const smtpstatus_record *r, void *user) {
    size_t *n = user;
    if (!r->source || !r->recipient)
        ff_fail("record string NULL");
    (void)strlen(r->source);
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ff_tree t;
    memset(&t, 0, sizeof t);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(t.base, sizeof t.base, "%s/fuzz_folder_%ld", base, (long)getpid());
    if (mkdir(t.base, 0700) != 0 && errno != EEXIST)
        return 0;
    snprintf(t.root, sizeof t.root, "%s/t", t.base);
    if (mkdir(t.root, 0700) != 0 && errno != EEXIST)
        return 0;
    char cwd[600];
    snprintf(cwd, sizeof cwd, "%s", t.root);
    int depth = 0;
    size_t i = 0, ops = 0;
    char p[700];
    while (i + 1 < size && ops < FF_MAXOPS) {
        unsigned op = data[i] % 6, arg = data[i + 1];
        i += 2;
        ops++;
        if (op == 0) { /* file with content */
            size_t len = i < size ? data[i++] : 0;
            if (len > size - i)
                len = size - i;
            snprintf(p, sizeof p, "%s/f%u", cwd, arg);
            FILE *f = fopen(p, "wb");
            if (!f)
                continue;
            if (len)
                fwrite(data + i, 1, len, f);
            fclose(f);
            i += len;
            ff_note(&t, p, 0);
        } else if (op == 1) { /* directory, entered */
            if (depth >= FF_MAXDEPTH)
                continue;
            snprintf(p, sizeof p, "%s/d%u", cwd, arg);
            if (mkdir(p, 0700) != 0)
                continue;
            ff_note(&t, p, 1);
            size_t pl = strlen(p); /* short: root + 6 levels */
            if (pl >= sizeof cwd)
                continue;
            memcpy(cwd, p, pl + 1);
            depth++;
        } else if (op == 2) { /* leave */
            if (depth == 0)
                continue;
            char *slash = strrchr(cwd, '/');
            if (slash)
                *slash = '\0';
            depth--;
        } else if (op == 3) { /* symbolic link */
            const char *to;
            char tbuf[128];
            switch (arg % 6) {
            case 0: to = "."; break;
            case 1: to = ".."; break;
            case 2: to = t.root; break;
            case 3: to = "missing"; break;
            case 4: snprintf(tbuf, sizeof tbuf, "f%u", (unsigned)(arg / 6)); to = tbuf; break;
            default: snprintf(tbuf, sizeof tbuf, "l%u", arg); to = tbuf; break;
            }
            snprintf(p, sizeof p, "%s/l%u", cwd, arg);
            if (symlink(to, p) != 0)
                continue;
            ff_note(&t, p, 0);
        } else { /* dotfile or empty file */
            snprintf(p, sizeof p, op == 4 ? "%s/.h%u" : "%s/e%u", cwd, arg);
            FILE *f = fopen(p, "wb");
            if (!f)
                continue;
            if (op == 4)
                fputs("From: x\n\nhidden\n", f);
            fclose(f);
            ff_note(&t, p, 0);
        }
    }
    /* made[] holds directories before what is inside them, and removal
     * goes backwards, so the tree empties from the leaves */
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_message_size = FF_MAXMSG;
    smtpstatus_rc rc;
    size_t n1 = 0;
    smtpstatus_reader *r = smtpstatus_reader_open(t.root, &lim, &rc);
    if (!r)
        ff_fail("cannot open the root directory");
    for (int guard = 0;; guard++) {
        if (guard > 10000)
            ff_fail("walk does not end");
        smtpstatus_message m;
        const char *what = NULL;
        rc = smtpstatus_reader_next(r, &m, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        if (rc == SMTPSTATUS_ENOMEM)
            ff_fail("out of memory");
        if (rc != SMTPSTATUS_OK) {
            if (!what || !m.source)
                ff_fail("error without a reason or a source");
            continue;
        }
        if (!m.source || (!m.data && m.len))
            ff_fail("message without source or data");
        if (m.len > FF_MAXMSG)
            ff_fail("message over the size limit");
        n1++;
    }
    smtpstatus_reader_close(r);

    smtpstatus_options o;
    memset(&o, 0, sizeof o);
    o.flags = SMTPSTATUS_O_ALL;
    o.limits = lim;
    smtpstatus_analyzer *an = smtpstatus_analyzer_new(&o);
    if (an) {
        size_t nrec = 0;
        (void)smtpstatus_analyze_path(an, t.root, ff_record, &nrec);
        smtpstatus_stats st;
        smtpstatus_analyzer_stats(an, &st);
        if (st.messages != n1)
            ff_fail("analyze_path and the reader count other messages");
        if (st.records != nrec)
            ff_fail("stats.records differs");
        smtpstatus_analyzer_free(an);
    }
    ff_cleanup(&t);
    return 0;
}
