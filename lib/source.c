/*
 * source.c - the message reader (smtpstatus_reader_*): walks a path that
 * is a message file, an mbox, a Maildir or a folder of files (recursive,
 * sorted by name, dotfiles skipped, each directory visited once, depth at
 * most 64), or "-" / a file descriptor, and hands out one message at a
 * time.
 *
 * A file whose first line starts with "From " is an mbox: messages start
 * at "From " lines at the start of the file or after a blank line, and
 * ">From " / ">>From " lines lose one '>' (mboxo/mboxrd).  An mbox is read
 * with read() through one buffer of at most SS_CHUNK (256 KiB; smaller for
 * a small file) and only the current message is kept, so memory does not
 * grow with the size of the mbox; lines longer than the buffer are
 * handled in pieces.  Runs of lines that can be neither a separator nor
 * quoted are found by looking only at the 'F's of the buffer, and a
 * message that lies whole in the buffer and needs no unquoting is handed
 * out from it without a copy.  An empty message between two separators
 * is skipped but keeps its number.  A message over max_message_size is cut
 * (SMTPSTATUS_RW_TRUNCATED) and the rest of it skipped.
 *
 * A regular file smaller than the read buffer's full size (SS_CHUNK) is
 * read whole into that buffer, which the reader keeps and grows for the
 * next file: one read() of at least st_size + 1 bytes, whose short count
 * proves the end; then it is an mbox split in the buffer (as above, the end
 * known) or one message handed out from the buffer.  A file that grew
 * past the buffer meanwhile goes on as a stream.  A larger single-message
 * file is mapped (at most max_message_size bytes of it), a larger mbox
 * streamed.  In a folder, entries that readdir() says are regular files
 * are opened relative to the directory's descriptor (kept open while the
 * directory is walked) without a stat() first, and read into the whole
 * buffer until read() says 0, before any fstat(): a small message costs
 * open, two reads and close; on the disk and memory file systems of Linux
 * (eof_fs: ext4, XFS, Btrfs, F2FS, tmpfs, asked once a directory), where
 * a read stops short only at the end of a file, open, one read and
 * close.  An entry that is empty, fills the buffer or
 * cannot be read so is fstat()ed, and read from its start as above, or
 * said not to be a regular file (it changed since readdir(); a FIFO with
 * a writer that wrote and closed is read as a message, as standard input
 * would be).  Other entries (d_type unknown,
 * symbolic links, directories) are stat()ed by path.  Paths that are
 * neither regular files nor directories are skipped with an error.
 * smtpstatus_reader_next_path() walks the same way without opening the
 * files (for a program that hands files to threads), and
 * smtpstatus_reader_reopen() points a reader, buffers kept, at such a
 * file, opened as a folder entry is.  smtpstatus_reader_reopen_part()
 * points it at a part of a big mbox (the messages whose separators start
 * in a byte range) for threads that read one mbox side by side: the part
 * is read with one pread(), its separators counted by the rule mbox_next
 * follows once an mbox has started (which looks at the line and the one
 * before it only), and it is read from its first separator to the one
 * after its count.  It does not parse MIME and does not look at the
 * content beyond the mbox framing.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* O_NOATIME */
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "smtpstatus.h"
#include "source.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/vfs.h>
#endif

/* skip_plain looks at 64 bytes at a time with AVX2 when the processor
 * has it (chosen at run time); elsewhere memchr finds the 'F's. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) &&       \
    !defined(SS_NO_AVX2)
#define SS_AVX2_SCAN 1
#include <immintrin.h>
#endif

/* Mail files are opened without updating their access time where the
 * system allows it (O_NOATIME: a file the user owns, or any file with
 * CAP_FOWNER): an mbox whose access time is after its change time is one
 * whose new mail was read, for shells and mail readers (mutt, biff), and
 * looking at its bounces must not say so; it also spares the kernel the
 * access-time check of each read.  Where the flag is refused (EPERM:
 * another user's file), the reader opens without it from then on. */
#if defined(O_NOATIME)
#define SS_O_NOATIME O_NOATIME
#else
#define SS_O_NOATIME 0
#endif

/* 256 KiB: the buffer stays in the processor's level-2 cache (with
 * 1 MiB the speed set's mbox took about 3% longer) */
#define SS_CHUNK ((size_t)256 << 10)
#define SS_DEF_MSG ((size_t)64 << 20)
#define SS_MAX_DIR_DEPTH 64
/* A ">From " line is unquoted when fewer than this many '>'s begin it (far
 * more than any mail nests quotes): so that whether it is does not depend
 * on where the read buffer (at least 256 bytes) cuts a longer line */
#define SS_QUOTE_MAX 200
/* The marks kept for a part: "From " and ">From " line starts */
#define SS_PART_MARKS 2048
/* What a part's reader reads at a time past the part's end */
#define SS_PART_STEP ((size_t)16 << 10)
/* Bytes read after a part's end: enough to see the whole of a separator
 * line that starts just before it when the line is short enough to be
 * one by its shape (looks_like_separator: at most 200 bytes). */
#define SS_PART_TAIL 256

/* A directory being walked: its entries' names, sorted, each preceded
 * by its length (two bytes, low first; SS_NAME_LONG: longer, strlen())
 * and one byte saying what readdir() said it is (E_*), all in one block;
 * and the directory, kept open for openat() until the frame ends. */
#define SS_NAME_LONG 0xFFFFu
typedef struct dir_frame {
    char *path;
    size_t pathlen; /* strlen(path) */
    char *block;  /* [len lo][len hi][type][name NUL]... */
    char **names; /* into block; names[i][-1] is the type */
    size_t n, i;
    DIR *dir;
    int dfd; /* dirfd(dir), or -1 */
    int short_eof; /* its files end where a read() stops short (eof_fs) */
} dir_frame;

enum { E_OTHER = 0, E_REG, E_DIR }; /* E_OTHER: unknown, link, ... */

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

enum { M_NONE = 0, M_MAP, M_STREAM1, M_MBOX, M_WHOLE };

struct smtpstatus_reader {
    size_t max_msg;
    /* the top path, started on the first call */
    char *top;
    int top_fd; /* -1 unless reading a caller's descriptor */
    int top_done;
    int top_entry; /* set by reopen: open the top path as a folder entry */
    /* the directory of the last path reopen() opened as a folder entry,
     * kept open (edfd) for the next one in the same directory, as a walk
     * keeps the directory it reads open: its path (edirlen bytes) */
    int edfd;
    int edshort; /* eof_fs(edfd) */
    char *edir;
    size_t edirlen, edircap;
    /* directory walk */
    dir_frame frames[SS_MAX_DIR_DEPTH];
    size_t nframes;
    dir_id *visited;
    size_t nvisited, capvisited;
    /* the current file */
    int mode;
    int fd, own_fd;
    int nonblock; /* fd was opened O_NONBLOCK (a folder entry) */
    char *path;   /* kept for the next file (pathcap bytes) */
    size_t pathcap;
    size_t msgno;
    void *map;
    size_t maplen;
    /* stream buffer */
    size_t chunk; /* size of the read buffer (SS_CHUNK) */
    char *buf;
    size_t bufcap, bpos, blen, scan;
    int eof, bol, prev_blank, in_msg, started;
    int crmode; /* the file's lines end in bare CR: read CR as LF */
    int buf_borrowed; /* buf is the caller's memory (ss_reader_open_mem) */
    /* the current message */
    ss_buf msg;
    unsigned msgwarn;
    int msg_full;
    /* lines of an mbox message not yet copied into msg: one span of buf,
     * copied at once before buf changes (fill) or a line that does not
     * follow it in buf is added; a message that is still only this span
     * at its end is handed out from buf (emit) */
    const char *pend;
    size_t pendn;
    /* a part of an mbox (smtpstatus_reader_reopen_part): the separators
     * left to it, and whether the one after them was met */
    int part, part_over;
    size_t part_left;
    /* a part's "From " and ">...>From " line starts in buf as it was read
     * (sorted), found while counting: every line start below marks_v that
     * is not one of them is a plain line, so skip_plain can go straight to
     * the next one; dropped when buf changes (fill) */
    uint32_t *marks;
    size_t nmarks, mark_i, marks_v;
    /* what next() hands out */
    char *src;
    size_t srccap;
    char what[256];
    int noatime; /* open with SS_O_NOATIME (2: tests, the next such
                    open is refused, see ss_reader_set_noatime) */
    int no_short_eof; /* ss_reader_set_short_eof(r, 0) */
    size_t dir_fail; /* ss_reader_set_dir_fail() */
};

/* Bytes held by the reader's buffers (for tests: must not grow with the
 * size of an mbox). */
size_t ss_reader_mem(const smtpstatus_reader *r);
size_t ss_reader_mem(const smtpstatus_reader *r) {
    return r ? r->bufcap + r->msg.cap : 0;
}

/* Tests: 0 reads every folder entry until read() says 0, as on a file
 * system eof_fs() does not know.  Call before the first next(). */
void ss_reader_set_short_eof(smtpstatus_reader *r, int on);
void ss_reader_set_short_eof(smtpstatus_reader *r, int on) {
    if (r)
        r->no_short_eof = !on;
}

/* Tests: mode 0 opens files without O_NOATIME, 1 with it (the default
 * where the system has it), 2 as 1 but the next open with it is refused
 * (EPERM), as for another user's file.  Call before the first next(). */
void ss_reader_set_noatime(smtpstatus_reader *r, int mode);
void ss_reader_set_noatime(smtpstatus_reader *r, int mode) {
    if (r)
        r->noatime = SS_O_NOATIME ? mode : 0;
}

/* Tests: the next directory read fails (EIO) at its n-th entry that is not
 * a dotfile, as a directory that cannot be read to its end; 0 turns it
 * off.  Call before the first next(). */
void ss_reader_set_dir_fail(smtpstatus_reader *r, size_t n);
void ss_reader_set_dir_fail(smtpstatus_reader *r, size_t n) {
    if (r)
        r->dir_fail = n;
}

/* Set the read buffer size (tests and fuzzing: small buffers exercise
 * lines longer than the buffer).  Call before the first next(). */
void ss_reader_set_chunk(smtpstatus_reader *r, size_t n);
void ss_reader_set_chunk(smtpstatus_reader *r, size_t n) {
    if (r && !r->buf)
        r->chunk = n < 16 ? 16 : n;
}

static char *dupstr(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static char *join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    int slash = a && dir[a - 1] != '/';
    char *d = malloc(a + b + 2);
    if (!d)
        return NULL;
    memcpy(d, dir, a);
    if (slash)
        d[a++] = '/';
    memcpy(d + a, name, b + 1);
    return d;
}

static smtpstatus_reader *reader_new(const smtpstatus_limits *limits,
                                     smtpstatus_rc *rc) {
    smtpstatus_reader *r = calloc(1, sizeof *r);
    if (!r) {
        if (rc)
            *rc = SMTPSTATUS_ENOMEM;
        return NULL;
    }
    r->max_msg = (limits && limits->max_message_size) ? limits->max_message_size
                                                      : SS_DEF_MSG;
    r->top_fd = -1;
    r->fd = -1;
    r->edfd = -1;
    r->chunk = SS_CHUNK;
    r->noatime = SS_O_NOATIME != 0;
    ss_buf_init(&r->msg);
    return r;
}

smtpstatus_reader *smtpstatus_reader_open(const char *path,
                                          const smtpstatus_limits *limits,
                                          smtpstatus_rc *rc) {
    if (rc)
        *rc = SMTPSTATUS_OK;
    if (!path) { /* nothing to read until smtpstatus_reader_reopen() */
        smtpstatus_reader *r = reader_new(limits, rc);
        if (r)
            r->top_done = 1;
        return r;
    }
    if (strcmp(path, "-") == 0)
        return smtpstatus_reader_open_fd(0, "-", limits, rc);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        if (rc)
            *rc = SMTPSTATUS_EIO;
        errno = e;
        return NULL;
    }
    smtpstatus_reader *r = reader_new(limits, rc);
    if (!r)
        return NULL;
    r->top = dupstr(path);
    if (!r->top) {
        free(r);
        if (rc)
            *rc = SMTPSTATUS_ENOMEM;
        return NULL;
    }
    return r;
}

smtpstatus_reader *smtpstatus_reader_open_fd(int fd, const char *name,
                                             const smtpstatus_limits *limits,
                                             smtpstatus_rc *rc) {
    if (rc)
        *rc = SMTPSTATUS_OK;
    if (fd < 0) {
        if (rc)
            *rc = SMTPSTATUS_EINVAL;
        return NULL;
    }
    smtpstatus_reader *r = reader_new(limits, rc);
    if (!r)
        return NULL;
    r->top = dupstr(name ? name : "-");
    if (!r->top) {
        free(r);
        if (rc)
            *rc = SMTPSTATUS_ENOMEM;
        return NULL;
    }
    r->top_fd = fd;
    return r;
}

/* ---------------- the current file ---------------- */

static void file_close(smtpstatus_reader *r) {
    if (r->map) {
        munmap(r->map, r->maplen);
        r->map = NULL;
        r->maplen = 0;
    }
    if (r->fd >= 0 && r->own_fd)
        close(r->fd);
    r->fd = -1;
    r->own_fd = 0;
    r->nonblock = 0;
    r->mode = M_NONE;
    r->bpos = r->blen = r->scan = 0;
    r->eof = 0;
    r->msg.len = 0;
    r->part = r->part_over = 0;
    r->part_left = 0;
    r->nmarks = r->mark_i = r->marks_v = 0;
}

/* Make r->src path, or path ":" n when numbered. */
static int set_source(smtpstatus_reader *r, const char *path, size_t n,
                      int numbered) {
    size_t pl = strlen(path), nl = 0;
    if (numbered) { /* ":%zu": the colon and n's digits */
        nl = 2;
        for (size_t v = n; v >= 10; v /= 10)
            nl++;
    }
    size_t need = pl + nl + 1;
    if (need > r->srccap) {
        char *s = realloc(r->src, need);
        if (!s)
            return -1;
        r->src = s;
        r->srccap = need;
    }
    memcpy(r->src, path, pl);
    if (numbered) {
        char *o = r->src + pl + nl; /* the digits backwards from the end */
        do {
            *--o = (char)('0' + (int)(n % 10));
            n /= 10;
        } while (n);
        r->src[pl] = ':';
    }
    r->src[pl + nl] = '\0';
    return 0;
}

/* msg may be NULL (smtpstatus_reader_next_path: the caller has the path). */
static smtpstatus_rc fail(smtpstatus_reader *r, const char *path,
                          smtpstatus_message *msg, const char **what,
                          const char *doing, int err) {
    if (err)
        snprintf(r->what, sizeof r->what, "%s: %s", doing, strerror(err));
    else
        snprintf(r->what, sizeof r->what, "%s", doing);
    if (msg) {
        memset(msg, 0, sizeof *msg);
        if (set_source(r, path, 0, 0) == 0)
            msg->source = r->src;
        else
            msg->source = "";
    }
    if (what)
        *what = r->what;
    return SMTPSTATUS_EIO;
}

/* Make the read buffer at least want bytes (at most r->chunk); only
 * called between files, when the buffer holds nothing. */
static int buf_alloc(smtpstatus_reader *r, size_t want) {
    if (want > r->chunk || want == 0)
        want = r->chunk;
    if (r->buf && r->bufcap >= want)
        return 0;
    free(r->buf); /* not realloc(): nothing in it to copy */
    r->buf = malloc(want);
    r->bufcap = r->buf ? want : 0;
    return r->buf ? 0 : -1;
}

/* Bare-CR files (old Mac line ends): every CR becomes LF, byte for byte. */
static void cr_to_lf(char *p, size_t n) {
    char *e = p + n;
    while ((p = memchr(p, '\r', (size_t)(e - p))) != NULL)
        *p++ = '\n';
}

/* Do the first line's ends say bare CR (a CR not followed by LF before
 * any LF)? */
static int first_line_cr(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            return 0;
        if (p[i] == '\r')
            return i + 1 < n ? p[i + 1] != '\n' : 0;
    }
    return 0;
}

/* Is the end of the first line (an LF, or a CR and the byte after it) in
 * the buffer? */
static int first_line_known(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            return 1;
        if (p[i] == '\r')
            return i + 1 < n;
    }
    return 0;
}

/* A "From " line that is not after a blank line is still a separator when
 * it has the shape writers give it: "From " sender, then a date with a
 * time (hh:mm) and a four-digit year.  Body text rarely looks like that,
 * and writers quote body lines that start with "From " anyway. */
static int looks_like_separator(const char *p, size_t n) {
    size_t i = 5;
    if (n > 200)
        return 0;
    while (i < n && p[i] != ' ' && p[i] != '\n')
        i++; /* the sender */
    int time = 0, year = 0;
    for (; i + 4 < n; i++) {
        if (ss_isdigit((unsigned char)p[i]) && p[i + 1] == ':' &&
            ss_isdigit((unsigned char)p[i + 2]) &&
            ss_isdigit((unsigned char)p[i + 3]))
            time = 1;
        if ((i == 0 || !ss_isdigit((unsigned char)p[i - 1])) &&
            (p[i] == '1' || p[i] == '2') &&
            ss_isdigit((unsigned char)p[i + 1]) &&
            ss_isdigit((unsigned char)p[i + 2]) &&
            ss_isdigit((unsigned char)p[i + 3]) &&
            (i + 4 == n || !ss_isdigit((unsigned char)p[i + 4])))
            year = 1;
    }
    return time && year;
}

/* Read more into the buffer; 1 read, 0 end of file, -1 error (errno). */
static void msg_flush(smtpstatus_reader *r);

static int fill(smtpstatus_reader *r) {
    msg_flush(r);
    r->nmarks = r->marks_v = 0; /* buf changes */
    if (r->bpos) {
        memmove(r->buf, r->buf + r->bpos, r->blen - r->bpos);
        r->blen -= r->bpos;
        r->scan = r->scan > r->bpos ? r->scan - r->bpos : 0;
        r->bpos = 0;
    }
    if (r->blen == r->bufcap)
        return 1; /* full: the caller takes a fragment */
    /* a part's last message goes on past the part: read what it is
     * likely to need, not a whole buffer of the next part (which another
     * reader reads) */
    size_t room = r->bufcap - r->blen;
    if (r->part && room > SS_PART_STEP)
        room = SS_PART_STEP;
    for (int tries = 0; tries < 1000; tries++) {
        ssize_t k = read(r->fd, r->buf + r->blen, room);
        if (k > 0) {
            if (r->crmode)
                cr_to_lf(r->buf + r->blen, (size_t)k);
            r->blen += (size_t)k;
            return 1;
        }
        if (k == 0) {
            r->eof = 1;
            return 0;
        }
        if (errno != EINTR)
            return -1;
    }
    errno = EINTR;
    return -1;
}

/* The next line (with its LF) or a fragment of a line longer than the
 * buffer (no LF).  1 line, 0 end, -1 read error. */
static inline int get_line(smtpstatus_reader *r, const char **p, size_t *n) {
    for (;;) {
        if (r->bpos < r->blen) {
            char *s = r->buf + r->bpos;
            size_t from = r->scan > r->bpos ? r->scan : r->bpos;
            char *nl = memchr(r->buf + from, '\n', r->blen - from);
            if (nl) {
                *p = s;
                *n = (size_t)(nl - s) + 1;
                r->bpos += *n;
                r->scan = r->bpos;
                return 1;
            }
            r->scan = r->blen;
            if (r->eof || (r->bpos == 0 && r->blen == r->bufcap)) {
                *p = s;
                *n = r->blen - r->bpos;
                r->bpos = r->blen;
                r->scan = r->bpos;
                return 1;
            }
        } else if (r->eof)
            return 0;
        if (fill(r) < 0)
            return -1;
    }
}

static void msg_add(smtpstatus_reader *r, const char *p, size_t n) {
    if (r->msg_full)
        return;
    size_t room = r->max_msg - r->msg.len;
    if (n > room) {
        n = room;
        r->msg_full = 1;
        r->msgwarn |= SMTPSTATUS_RW_TRUNCATED;
    }
    if (n && ss_buf_append(&r->msg, p, n)) {
        r->msg_full = 1;
        r->msgwarn |= SMTPSTATUS_RW_TRUNCATED;
    }
}

/* Copy the pending span of lines into msg. */
static void msg_flush(smtpstatus_reader *r) {
    if (r->pendn) {
        size_t n = r->pendn;
        r->pendn = 0;
        msg_add(r, r->pend, n);
    }
}

/* Add a line of buf to the message: joined to the pending span when it
 * follows it directly in buf. */
static inline void msg_add_line(smtpstatus_reader *r, const char *p, size_t n) {
    if (r->pendn && p == r->pend + r->pendn) {
        r->pendn += n;
        return;
    }
    msg_flush(r);
    r->pend = p;
    r->pendn = n;
}

static void msg_reset(smtpstatus_reader *r) {
    r->pendn = 0;
    r->msg.len = 0;
    r->msgwarn = 0;
    r->msg_full = 0;
}

static int is_blank(const char *p, size_t n) {
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

/* Hand out the message collected so far; 0 when it is empty.  A message
 * that is still one pending span of buf (nothing copied, nothing
 * unquoted) is handed out from buf itself, which stays as it is until the
 * next call. */
static int emit(smtpstatus_reader *r, smtpstatus_message *msg) {
    const char *d;
    size_t len;
    if (r->msg.len == 0 && !r->msg_full) {
        d = r->pend;
        len = r->pendn;
        r->pendn = 0;
        if (len > r->max_msg) { /* as msg_add would cut it */
            len = r->max_msg;
            r->msgwarn |= SMTPSTATUS_RW_TRUNCATED;
        }
    } else {
        msg_flush(r);
        d = r->msg.ptr;
        len = r->msg.len;
    }
    /* the blank line before the next separator belongs to the mbox */
    if (len >= 2 && d[len - 1] == '\n' && d[len - 2] == '\n')
        len--;
    else if (len >= 4 && memcmp(d + len - 4, "\r\n\r\n", 4) == 0)
        len -= 2;
    if (len == 0 || (len == 1 && d[0] == '\n'))
        return 0;
    if (set_source(r, r->path, r->msgno, 1))
        return -1;
    msg->data = d;
    msg->len = len;
    msg->source = r->src;
    msg->number = r->msgno;
    msg->warnings = r->msgwarn;
    return 1;
}

/* The start of the line that holds buf[i] (bpos is a line start): a
 * short walk back, and when the line is longer than that, the last LF
 * before it found going forward (memchr), so that a long line is not
 * walked byte by byte. */
static size_t line_start(const smtpstatus_reader *r, size_t i) {
    const char *b = r->buf;
    size_t lim = i - r->bpos > 256 ? i - 256 : r->bpos;
    for (size_t j = i; j > lim; j--)
        if (b[j - 1] == '\n')
            return j;
    size_t s = r->bpos;
    const char *nl;
    while (s < lim && (nl = memchr(b + s, '\n', lim - s)) != NULL)
        s = (size_t)(nl - b) + 1;
    return s;
}

/* At the start of a line of a started mbox: add the run of plain lines at
 * bpos to the message at once, as the per-line path in mbox_next would.
 * Plain lines are complete lines in buf that neither start with "From "
 * nor are quoted ">...>From " lines.  Both kinds hold "From " whose 'F'
 * comes first on the line or after '>'s only, so only the 'F's of buf
 * are looked at (memchr), not every line end.  The run stops at the
 * first line that may be special, at the last line when it is not
 * complete in buf, or where an 'F' is too near the end of buf to tell;
 * mbox_next reads that line the slow way. */
/* Does the 'F' at b[k] (at least 5 bytes before the end) begin a "From "
 * that starts its line (bpos is a line start) or follows only '>'s
 * there?  Then *g is that line's start. */
static inline int from_line(const char *b, size_t k, size_t bpos, size_t *g) {
    uint32_t w, f; /* "From" as 4 bytes: no call to memcmp */
    memcpy(&w, b + k, 4);
    memcpy(&f, "From", 4);
    if (w != f || b[k + 4] != ' ')
        return 0;
    size_t s = k; /* back over the quoting '>'s */
    while (s > bpos && b[s - 1] == '>')
        s--;
    if (s == bpos || b[s - 1] == '\n') {
        *g = s;
        return 1;
    }
    return 0;
}

#ifdef SS_AVX2_SCAN
/* The candidate 'F's of b[i..i+64), bit j of m for b[i + j]: 1 with
 * *stop when one starts a "From " line (from_line).  Only an 'F' after
 * an LF or a '>' (or at bpos) can. */
static inline int from_in_bits(const char *b, size_t i, uint64_t m,
                               size_t bpos, size_t *stop) {
    do {
        size_t k = i + (size_t)__builtin_ctzll(m);
        m &= m - 1;
        char pc = k > bpos ? b[k - 1] : '\n';
        if ((pc == '\n' || pc == '>') && from_line(b, k, bpos, stop))
            return 1;
    } while (m);
    return 0;
}

/* The 'F's of b[*ip..end) that have a ' ' four bytes on, as the 'F' of
 * "From " has, a block at a time while more than 68 bytes are left (so
 * that each 'F' found has 5 bytes after it): 1 with *stop at the first
 * "From " line (as from_line), else 0 with *ip where the blocks ended.
 * Both bytes are looked at in every block, so that the loop's one test
 * is almost always decided the same way (an 'F' alone is common, in
 * base64 in most blocks; an 'F' with a ' ' four on is rare), and few
 * candidates are left for from_in_bits.  The caller checks that
 * end - *ip >= 69. */
__attribute__((target("avx2"))) static int
find_from_avx2(const char *b, size_t *ip, size_t end, size_t bpos,
               size_t *stop) {
    const __m256i fv = _mm256_set1_epi8('F'), sv = _mm256_set1_epi8(' ');
    size_t i = *ip;
#define SS_LD(o)                                                               \
    _mm256_loadu_si256((const __m256i *)(const void *)(b + i + (o)))
#define SS_FS(o)                                                               \
    _mm256_and_si256(_mm256_cmpeq_epi8(SS_LD(o), fv),                          \
                     _mm256_cmpeq_epi8(SS_LD((o) + 4), sv))
#define SS_BITS(x, y)                                                          \
    ((uint64_t)(uint32_t)_mm256_movemask_epi8(x) |                             \
     (uint64_t)(uint32_t)_mm256_movemask_epi8(y) << 32)
    /* 128 bytes a round while they and 5 more are in buf (the last one
     * at end - 133) */
    if (end - i >= 133) {
        const size_t last = end - 133;
        for (; i <= last; i += 128) {
            __m256i x0 = SS_FS(0), x1 = SS_FS(32), x2 = SS_FS(64),
                    x3 = SS_FS(96);
            __m256i x = _mm256_or_si256(_mm256_or_si256(x0, x1),
                                        _mm256_or_si256(x2, x3));
            if (_mm256_testz_si256(x, x))
                continue;
            uint64_t m = SS_BITS(x0, x1);
            if (m && from_in_bits(b, i, m, bpos, stop)) {
                *ip = i;
                return 1;
            }
            m = SS_BITS(x2, x3);
            if (m && from_in_bits(b, i + 64, m, bpos, stop)) {
                *ip = i + 64;
                return 1;
            }
        }
    }
    for (; end - i >= 69; i += 64) {
        uint64_t m = SS_BITS(SS_FS(0), SS_FS(32));
        if (m && from_in_bits(b, i, m, bpos, stop)) {
            *ip = i;
            return 1;
        }
    }
#undef SS_LD
#undef SS_FS
#undef SS_BITS
    *ip = i;
    return 0;
}
#endif

static void skip_plain(smtpstatus_reader *r) {
    const char *b = r->buf;
    size_t i = r->bpos, end = r->blen, stop;
    int found = 0;
    if (r->marks_v) { /* a part as read: no such line before the next mark */
        size_t k = r->mark_i;
        while (k < r->nmarks && r->marks[k] < i)
            k++;
        r->mark_i = k;
        size_t to = k < r->nmarks ? r->marks[k] : r->marks_v;
        if (to > i && to <= end)
            i = to;
    }
#ifdef SS_AVX2_SCAN
    if (end - i >= 69 && __builtin_cpu_supports("avx2"))
        found = find_from_avx2(b, &i, end, r->bpos, &stop);
#endif
    while (!found) { /* each round moves i past one more 'F' */
        const char *f = memchr(b + i, 'F', end - i);
        if (!f) {
            stop = line_start(r, end);
            break;
        }
        size_t k = (size_t)(f - b);
        if (end - k < 5) {
            /* at the end of the input it cannot be "From " any more */
            stop = line_start(r, r->eof ? end : k);
            break;
        }
        if (from_line(b, k, r->bpos, &stop))
            break;
        i = k + 1;
    }
    size_t n = stop - r->bpos;
    if (n == 0)
        return;
    /* the run ends in an LF; is its last line blank ("\n" or "\r\n")? */
    r->prev_blank = n == 1 || b[stop - 2] == '\n' ||
                    (b[stop - 2] == '\r' && (n == 2 || b[stop - 3] == '\n'));
    msg_add_line(r, b + r->bpos, n);
    r->bpos = stop;
    if (r->scan < stop)
        r->scan = stop;
}

/* The end of an mbox (or of a part): the message being collected, if
 * any and not empty, then ENOTFOUND. */
static smtpstatus_rc mbox_end(smtpstatus_reader *r, smtpstatus_message *msg) {
    if (r->in_msg) {
        r->in_msg = 0;
        int e = emit(r, msg);
        if (e < 0)
            return SMTPSTATUS_ENOMEM;
        if (e > 0)
            return SMTPSTATUS_OK;
    }
    return SMTPSTATUS_ENOTFOUND;
}

/* Next message of an mbox: OK, ENOTFOUND at its end, EIO. */
static smtpstatus_rc mbox_next(smtpstatus_reader *r, smtpstatus_message *msg,
                               const char **what) {
    if (r->part_over)
        return SMTPSTATUS_ENOTFOUND;
    msg_reset(r);
    for (;;) {
        if (r->bol && r->started && r->bpos < r->blen)
            skip_plain(r);
        const char *p;
        size_t n;
        int at_bol = r->bol;
        int k = get_line(r, &p, &n);
        if (k < 0)
            return fail(r, r->path, msg, what, "read error", errno);
        if (k == 0)
            return mbox_end(r, msg);
        int complete = n && p[n - 1] == '\n';
        r->bol = complete;
        if (at_bol && n >= 5 && memcmp(p, "From ", 5) == 0 &&
            (r->prev_blank || !r->started || looks_like_separator(p, n))) {
            int had = r->in_msg;
            if (r->part) {
                if (r->part_left == 0) {
                    /* the next part's first separator: this part ends */
                    r->part_over = 1;
                    return mbox_end(r, msg);
                }
                r->part_left--;
            }
            r->started = 1;
            r->in_msg = 1;
            r->prev_blank = 0;
            /* skip the rest of an overlong separator line */
            while (!r->bol) {
                k = get_line(r, &p, &n);
                if (k <= 0)
                    break;
                r->bol = n && p[n - 1] == '\n';
            }
            if (had) {
                int e = emit(r, msg);
                r->msgno++;
                if (e < 0)
                    return SMTPSTATUS_ENOMEM;
                if (e > 0) {
                    /* the next call starts the new message */
                    return SMTPSTATUS_OK;
                }
                msg_reset(r);
            } else
                r->msgno++;
            continue;
        }
        if (!r->started) {
            /* text before the first separator (not an mbox after all) */
            r->started = 1;
            r->in_msg = 1;
            r->msgno++;
        }
        if (at_bol && n >= 6 && p[0] == '>') {
            /* fewer than SS_QUOTE_MAX '>'s: then the line's first piece holds
             * them and the "From " however the buffer cuts a long line */
            size_t j = 0, jmax = n < SS_QUOTE_MAX ? n : SS_QUOTE_MAX;
            while (j < jmax && p[j] == '>')
                j++;
            if (j < jmax && n - j >= 5 && memcmp(p + j, "From ", 5) == 0) {
                p++;
                n--;
            }
        }
        r->prev_blank = at_bol && complete && is_blank(p, n);
        msg_add_line(r, p, n);
    }
}

/* A whole message from a stream (not an mbox). */
static smtpstatus_rc stream1_next(smtpstatus_reader *r, smtpstatus_message *msg,
                                  const char **what) {
    msg_reset(r);
    for (;;) {
        if (r->bpos < r->blen) {
            msg_add(r, r->buf + r->bpos, r->blen - r->bpos);
            r->bpos = r->blen = r->scan = 0;
        }
        if (r->eof)
            break;
        int k = fill(r);
        if (k < 0)
            return fail(r, r->path, msg, what, "read error", errno);
    }
    r->msgno = 1;
    if (r->msg.len == 0)
        return SMTPSTATUS_ENOTFOUND;
    if (set_source(r, r->path, 1, 0))
        return SMTPSTATUS_ENOMEM;
    msg->data = r->msg.ptr;
    msg->len = r->msg.len;
    msg->source = r->src;
    msg->number = 1;
    msg->warnings = r->msgwarn;
    return SMTPSTATUS_OK;
}

/* A descriptor of a folder entry is opened O_NONBLOCK (so that a FIFO
 * put there after readdir() cannot block the open); make it blocking
 * before it is read as a stream. */
static void set_blocking(smtpstatus_reader *r) {
    if (r->nonblock) {
        r->nonblock = 0;
        (void)fcntl(r->fd, F_SETFL, 0);
    }
}

/* The buffer holds the first bytes of an mbox: choose the line ends. */
static smtpstatus_rc mbox_begin(smtpstatus_reader *r, smtpstatus_message *msg,
                                const char **what) {
    r->mode = M_MBOX;
    /* read on until the first line's end is in the buffer, so that the
     * bare-CR choice does not depend on how read() cuts the input (a
     * pipe may give the first line in pieces) */
    while (!r->eof && r->blen < r->bufcap &&
           !first_line_known(r->buf, r->blen)) {
        if (fill(r) < 0) {
            int e = errno;
            smtpstatus_rc rc = fail(r, r->path, msg, what, "read error", e);
            file_close(r);
            return rc;
        }
    }
    r->crmode = first_line_cr(r->buf, r->blen);
    if (r->crmode)
        cr_to_lf(r->buf, r->blen);
    return SMTPSTATUS_OK;
}

/* Make fd the current file, nothing read from it yet. */
static void file_init(smtpstatus_reader *r, int fd, int own) {
    r->fd = fd;
    r->own_fd = own;
    r->msgno = 0;
    r->bpos = r->blen = r->scan = 0;
    r->eof = 0;
    r->bol = 1;
    r->prev_blank = 0;
    r->in_msg = 0;
    r->started = 0;
    r->crmode = 0;
}

static smtpstatus_rc whole_begin(smtpstatus_reader *r, size_t n,
                                 smtpstatus_message *msg, const char **what);

/* A regular file of size bytes (0 < size < chunk): read it whole into the
 * buffer, made at least size + 1 bytes, so that a read that stops short
 * of the buffer's end is the end of the file (when the file is not
 * shorter than its size said; then read on until read() says 0).  A file
 * that grew to fill the buffer goes on as a stream. */
static smtpstatus_rc whole_start(smtpstatus_reader *r, size_t size,
                                 smtpstatus_message *msg, const char **what) {
    if (buf_alloc(r, (size + 4096) & ~(size_t)4095)) {
        file_close(r);
        return SMTPSTATUS_ENOMEM;
    }
    r->pendn = 0; /* nothing pending from an earlier file */
    size_t n = 0;
    int tries = 0;
    while (n < r->bufcap) {
        size_t room = r->bufcap - n;
        ssize_t k = read(r->fd, r->buf + n, room);
        if (k < 0) {
            int e = errno;
            if (e == EAGAIN && r->nonblock) {
                set_blocking(r);
                continue;
            }
            if (e == EINTR && ++tries < 1000)
                continue;
            smtpstatus_rc rc =
                fail(r, r->path, msg, what, n ? "read error" : "cannot read", e);
            file_close(r);
            return rc;
        }
        if (k == 0) {
            r->eof = 1;
            break;
        }
        n += (size_t)k;
        if ((size_t)k < room && n >= size) {
            r->eof = 1;
            break;
        }
    }
    if (n == 0) { /* emptied since fstat(): as an empty file */
        file_close(r);
        return SMTPSTATUS_ENOTFOUND;
    }
    return whole_begin(r, n, msg, what);
}

/* The buffer holds the first n bytes (n > 0) of the current file, read
 * from its start (the whole file when r->eof): an mbox, a message whole in
 * the buffer, or the start of a stream. */
static smtpstatus_rc whole_begin(smtpstatus_reader *r, size_t n,
                                 smtpstatus_message *msg, const char **what) {
    r->blen = n;
    if (n >= 5 && memcmp(r->buf, "From ", 5) == 0) {
        if (!r->eof) {
            set_blocking(r);
#ifdef POSIX_FADV_SEQUENTIAL
            posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
        }
        return mbox_begin(r, msg, what);
    }
    if (!r->eof) {
        set_blocking(r);
        r->mode = M_STREAM1;
    } else
        r->mode = M_WHOLE;
    return SMTPSTATUS_OK;
}

/* Start reading an open descriptor (r->path names it): detect mbox or
 * single message.  st: its fstat() when the caller has it. */
static smtpstatus_rc file_start(smtpstatus_reader *r, int fd, int own,
                                const struct stat *known,
                                smtpstatus_message *msg, const char **what) {
    const char *path = r->path;
    file_init(r, fd, own);
    struct stat st;
    if (known)
        st = *known;
    else if (fstat(fd, &st) != 0) {
        int e = errno;
        smtpstatus_rc rc = fail(r, path, msg, what, "cannot read", e);
        file_close(r);
        return rc;
    }
    if (own && S_ISREG(st.st_mode)) {
        if (st.st_size == 0) {
            file_close(r);
            return SMTPSTATUS_ENOTFOUND;
        }
        if ((unsigned long long)st.st_size < (unsigned long long)r->chunk)
            return whole_start(r, (size_t)st.st_size, msg, what);
        set_blocking(r);
        char head[5];
        ssize_t k = pread(fd, head, 5, 0);
        if (k < 0) {
            int e = errno;
            smtpstatus_rc rc = fail(r, path, msg, what, "cannot read", e);
            file_close(r);
            return rc;
        }
        if (!(k == 5 && memcmp(head, "From ", 5) == 0)) {
            size_t len = (unsigned long long)st.st_size > r->max_msg
                             ? r->max_msg
                             : (size_t)st.st_size;
            void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m != MAP_FAILED) {
                r->map = m;
                r->maplen = len;
                r->mode = M_MAP;
                r->msgno = 0;
                return SMTPSTATUS_OK;
            }
            r->mode = M_STREAM1; /* fall back to reading */
            if (buf_alloc(r, 0)) {
                file_close(r);
                return SMTPSTATUS_ENOMEM;
            }
            return SMTPSTATUS_OK;
        }
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    set_blocking(r);
    if (buf_alloc(r, 0)) {
        file_close(r);
        return SMTPSTATUS_ENOMEM;
    }
    r->pendn = 0; /* nothing pending from an earlier file */
    /* peek at the first bytes */
    while (r->blen < 5 && !r->eof) {
        if (fill(r) < 0) {
            int e = errno;
            smtpstatus_rc rc = fail(r, path, msg, what, "read error", e);
            file_close(r);
            return rc;
        }
    }
    if (r->blen >= 5 && memcmp(r->buf, "From ", 5) == 0)
        return mbox_begin(r, msg, what);
    r->mode = M_STREAM1;
    return SMTPSTATUS_OK;
}

/* Next message of the current file. */
static smtpstatus_rc file_next(smtpstatus_reader *r, smtpstatus_message *msg,
                               const char **what) {
    switch (r->mode) {
    case M_MAP:
        if (r->msgno)
            return SMTPSTATUS_ENOTFOUND;
        r->msgno = 1;
        if (set_source(r, r->path, 1, 0))
            return SMTPSTATUS_ENOMEM;
        msg->data = r->map;
        msg->len = r->maplen;
        msg->source = r->src;
        msg->number = 1;
        {
            struct stat st;
            msg->warnings = (fstat(r->fd, &st) == 0 &&
                             (unsigned long long)st.st_size > r->maplen)
                                ? SMTPSTATUS_RW_TRUNCATED
                                : 0;
        }
#ifdef MADV_SEQUENTIAL
        madvise(r->map, r->maplen, MADV_SEQUENTIAL);
#endif
        return SMTPSTATUS_OK;
    case M_WHOLE: /* the whole file is in buf */
        if (r->msgno)
            return SMTPSTATUS_ENOTFOUND;
        r->msgno = 1;
        if (set_source(r, r->path, 1, 0))
            return SMTPSTATUS_ENOMEM;
        msg->data = r->buf;
        msg->len = r->blen > r->max_msg ? r->max_msg : r->blen;
        msg->source = r->src;
        msg->number = 1;
        msg->warnings = r->blen > r->max_msg ? SMTPSTATUS_RW_TRUNCATED : 0;
        return SMTPSTATUS_OK;
    case M_STREAM1:
        if (r->msgno)
            return SMTPSTATUS_ENOTFOUND;
        return stream1_next(r, msg, what);
    case M_MBOX:
        return mbox_next(r, msg, what);
    default:
        return SMTPSTATUS_ENOTFOUND;
    }
}

/* ---------------- directories ---------------- */

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the n names of a[] in strcmp() order, all of which have the same
 * first d bytes: a three-way radix quicksort (Bentley and Sedgewick) on
 * the byte at d, the names with the pivot's byte going on to byte d + 1
 * (unless it is the end).  It compares single bytes in line instead of
 * calling strcmp() for each comparison: about twice as fast as qsort()
 * on a folder of 9260 messages, whose names share long prefixes.  Each
 * step of a path down the sort costs one of budget; past it the range is
 * left to qsort() (hostile names cannot make it quadratic). */
static void sort_names(char **a, size_t n, size_t d, unsigned budget) {
    while (n > 1) {
        if (n < 12) { /* insertion sort */
            for (size_t i = 1; i < n; i++) {
                char *x = a[i];
                size_t j = i;
                for (; j && strcmp(x + d, a[j - 1] + d) < 0; j--)
                    a[j] = a[j - 1];
                a[j] = x;
            }
            return;
        }
        if (!budget--) {
            qsort(a, n, sizeof *a, cmp_names);
            return;
        }
        /* the pivot: the median of the first, middle and last bytes */
        unsigned char c0 = (unsigned char)a[0][d];
        unsigned char c1 = (unsigned char)a[n / 2][d];
        unsigned char c2 = (unsigned char)a[n - 1][d];
        unsigned char v = c0 < c1 ? (c1 < c2 ? c1 : c0 < c2 ? c2 : c0)
                                  : (c0 < c2 ? c0 : c1 < c2 ? c2 : c1);
        /* a[0..lt) below v, a[lt..i) equal, a[gt..n) above */
        size_t lt = 0, gt = n, i = 0;
        while (i < gt) {
            unsigned char c = (unsigned char)a[i][d];
            char *t = a[i];
            if (c < v) {
                a[i++] = a[lt];
                a[lt++] = t;
            } else if (c > v) {
                a[i] = a[--gt];
                a[gt] = t;
            } else
                i++;
        }
        sort_names(a, lt, d, budget);
        sort_names(a + gt, n - gt, d, budget);
        if (v == 0) /* the equal ones end here: the same name */
            return;
        a += lt;
        n = gt - lt;
        d++;
    }
}

static void frame_free(dir_frame *f) {
    if (f->dir)
        closedir(f->dir);
    free(f->names);
    free(f->block);
    free(f->path);
    memset(f, 0, sizeof *f);
}

/* What readdir() says an entry is (E_OTHER when it does not say). */
static char entry_type(const struct dirent *e) {
#ifdef DT_REG
    if (e->d_type == DT_REG)
        return E_REG;
    if (e->d_type == DT_DIR)
        return E_DIR;
#else
    (void)e;
#endif
    return E_OTHER;
}

/* Is the entry name of dir a directory (after symbolic links)? */
static int is_subdir(const char *dir, const char *name) {
    if (name[-1] == E_DIR)
        return 1;
    if (name[-1] == E_REG)
        return 0;
    char *p = join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return ok;
}

/* Is fd (a directory) on a file system whose regular files give all that
 * a read() asks for but at their end?  Then a read that stops short of
 * the buffer's end is the end of the file, and a folder entry needs no
 * second read to see it (open_entry).  The disk and memory file systems
 * of Linux: ext2/3/4, XFS, Btrfs, F2FS, tmpfs.  Not FUSE (direct_io
 * returns what the daemon gives), network or unknown ones: those are read
 * until read() says 0. */
static int eof_fs(const smtpstatus_reader *r, int fd) {
#if defined(__linux__)
    struct statfs sf;
    if (r->no_short_eof || fd < 0 || fstatfs(fd, &sf) != 0)
        return 0;
    switch ((unsigned long)sf.f_type) {
    case 0xEF53UL:     /* ext2, ext3, ext4 */
    case 0x58465342UL: /* XFS */
    case 0x9123683EUL: /* Btrfs */
    case 0xF2F52010UL: /* F2FS */
    case 0x01021994UL: /* tmpfs */
        return 1;
    default:
        return 0;
    }
#else
    (void)r;
    (void)fd;
    return 0;
#endif
}

/* The length of a name in a dir_frame's block. */
static size_t name_len(const char *name) {
    unsigned sl = (unsigned)(unsigned char)name[-3] |
                  (unsigned)(unsigned char)name[-2] << 8;
    return sl < SS_NAME_LONG ? sl : strlen(name);
}

/* Open a directory as a new frame.  0 ok (or skipped: already seen),
 * -1 error (errno), -2 no memory, -3 too deep, -4 pushed but not read to
 * its end (errno: the entries read before the error are walked). */
static int push_dir(smtpstatus_reader *r, const char *path,
                    const struct stat *st) {
    for (size_t i = 0; i < r->nvisited; i++)
        if (r->visited[i].dev == st->st_dev && r->visited[i].ino == st->st_ino)
            return 0; /* a loop or a second way in: read it once */
    if (r->nframes >= SS_MAX_DIR_DEPTH)
        return -3;
    if (r->nvisited == r->capvisited) {
        size_t nc = r->capvisited ? r->capvisited * 2 : 16;
        dir_id *v = realloc(r->visited, nc * sizeof *v);
        if (!v)
            return -2;
        r->visited = v;
        r->capvisited = nc;
    }
    DIR *d = opendir(path);
    if (!d)
        return -1;
    r->visited[r->nvisited].dev = st->st_dev;
    r->visited[r->nvisited].ino = st->st_ino;
    r->nvisited++;
    dir_frame f;
    memset(&f, 0, sizeof f);
    f.dir = d;
    f.dfd = dirfd(d);
    f.short_eof = eof_fs(r, f.dfd);
    size_t used = 0, cap = 0;
    int nomem = 0, maildir = 0; /* maildir: bits for cur, new, tmp seen */
    int rerr = 0; /* readdir()'s error, when it ended the listing */
    struct dirent *e;
    for (;;) {
        errno = 0;
        if ((e = readdir(d)) == NULL) {
            rerr = errno;
            break;
        }
        if (e->d_name[0] == '.')
            continue;
        if (r->dir_fail && f.n + 1 >= r->dir_fail) { /* tests */
            r->dir_fail = 0;
            rerr = EIO;
            break;
        }
        size_t len = strlen(e->d_name);
        if (cap - used < len + 4) {
            size_t nc = cap ? cap : 4096;
            while (nc - used < len + 4 && nc <= (size_t)-1 / 2)
                nc *= 2;
            char *nb = nc - used >= len + 4 ? realloc(f.block, nc) : NULL;
            if (!nb) {
                nomem = 1;
                break;
            }
            f.block = nb;
            cap = nc;
        }
        if (len == 3) /* the names of a Maildir's subdirectories */
            maildir |= (strcmp(e->d_name, "cur") == 0) |
                       (strcmp(e->d_name, "new") == 0) << 1 |
                       (strcmp(e->d_name, "tmp") == 0) << 2;
        unsigned sl = len < SS_NAME_LONG ? (unsigned)len : SS_NAME_LONG;
        f.block[used] = (char)(sl & 0xFF);
        f.block[used + 1] = (char)(sl >> 8);
        f.block[used + 2] = entry_type(e);
        memcpy(f.block + used + 3, e->d_name, len + 1);
        used += len + 4;
        f.n++;
    }
    if (!nomem && f.n) {
        f.names = malloc(f.n * sizeof *f.names);
        if (!f.names)
            nomem = 1;
        else
            for (size_t i = 0, o = 0; i < f.n; i++) {
                f.names[i] = f.block + o + 3;
                o += name_len(f.names[i]) + 4;
            }
    }
    f.path = dupstr(path);
    f.pathlen = f.path ? strlen(f.path) : 0;
    if (nomem || !f.path) {
        frame_free(&f);
        return -2;
    }
    if (f.n > 1)
        sort_names(f.names, f.n, 0, 96);
    /* a Maildir: read cur and new, not tmp */
    if (maildir == 7) {
        size_t cur_i = f.n, new_i = f.n, tmp_i = f.n;
        for (size_t i = 0; i < f.n; i++) {
            if (strcmp(f.names[i], "cur") == 0)
                cur_i = i;
            else if (strcmp(f.names[i], "new") == 0)
                new_i = i;
            else if (strcmp(f.names[i], "tmp") == 0)
                tmp_i = i;
        }
        if (cur_i < f.n && new_i < f.n && tmp_i < f.n &&
            is_subdir(path, f.names[cur_i]) &&
            is_subdir(path, f.names[new_i]) &&
            is_subdir(path, f.names[tmp_i])) {
            memmove(f.names + tmp_i, f.names + tmp_i + 1,
                    (f.n - tmp_i - 1) * sizeof *f.names);
            f.n--;
        }
    }
    r->frames[r->nframes++] = f;
    if (rerr) {
        errno = rerr;
        return -4;
    }
    return 0;
}

/* Make r->path dir/name (or dir alone when name is NULL), a = strlen(dir)
 * and b = strlen(name) (0 without a name). */
static int path_set_n(smtpstatus_reader *r, const char *dir, size_t a,
                      const char *name, size_t b) {
    int slash = name && a && dir[a - 1] != '/';
    size_t need = a + (size_t)slash + b + 1;
    if (need > r->pathcap) {
        size_t nc = need < 256 ? 256 : need + need / 2;
        char *p = realloc(r->path, nc);
        if (!p)
            return -1;
        r->path = p;
        r->pathcap = nc;
    }
    memcpy(r->path, dir, a);
    if (slash)
        r->path[a++] = '/';
    if (b)
        memcpy(r->path + a, name, b);
    r->path[a + b] = '\0';
    return 0;
}

static int path_set(smtpstatus_reader *r, const char *dir, const char *name) {
    return path_set_n(r, dir, strlen(dir), name, name ? strlen(name) : 0);
}

/* stat() r->path, found in a walk (or the top path): OK when it is a
 * regular file, ENOTFOUND when it is a directory (pushed, or already
 * seen), or an error (msg may be NULL: see fail). */
static smtpstatus_rc stat_path(smtpstatus_reader *r, smtpstatus_message *msg,
                               const char **what) {
    const char *path = r->path;
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(r, path, msg, what, "cannot open", errno);
    if (S_ISDIR(st.st_mode)) {
        int k = push_dir(r, path, &st);
        if (k == -1)
            return fail(r, path, msg, what, "cannot open", errno);
        if (k == -2)
            return SMTPSTATUS_ENOMEM;
        if (k == -3) {
            fail(r, path, msg, what, "directory nesting too deep, skipped", 0);
            return SMTPSTATUS_ELIMIT;
        }
        if (k == -4) /* its entries read so far are walked after this */
            return fail(r, path, msg, what,
                        "cannot list the whole directory; the entries "
                        "listed are read",
                        errno);
        return SMTPSTATUS_ENOTFOUND;
    }
    if (!S_ISREG(st.st_mode))
        return fail(r, path, msg, what,
                    "not a regular file or directory, skipped", 0);
    return SMTPSTATUS_OK;
}

/* openat(dfd, path, flags), with SS_O_NOATIME while *noatime (see
 * there; 2: tests, refused once): a refusal (EPERM) turns it off and
 * opens without it. */
static int open_noatime(int *noatime, int dfd, const char *path, int flags) {
    if (*noatime) {
        int fd;
        if (*noatime == 2) { /* tests: refused */
            *noatime = 1;
            fd = -1;
            errno = EPERM;
        } else
            fd = openat(dfd, path, flags | SS_O_NOATIME);
        if (fd >= 0 || errno != EPERM)
            return fd;
        *noatime = 0;
    }
    return openat(dfd, path, flags);
}

/* A mail file opened for r: open_noatime with r's setting. */
static int open_mail(smtpstatus_reader *r, int dfd, const char *path,
                     int flags) {
    return open_noatime(&r->noatime, dfd, path, flags);
}

/* Open r->path, found in a walk (or the top path).  Returns OK when a
 * file became current or a directory was pushed, ENOTFOUND when there was
 * nothing to read (empty file, already seen directory), or an error. */
static smtpstatus_rc open_path(smtpstatus_reader *r, smtpstatus_message *msg,
                               const char **what) {
    const char *path = r->path;
    smtpstatus_rc rc = stat_path(r, msg, what);
    if (rc != SMTPSTATUS_OK)
        return rc;
    int fd = open_mail(r, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(r, path, msg, what, "cannot open", errno);
    return file_start(r, fd, 1, NULL, msg, what);
}

/* Open a folder entry that readdir() says is a regular file (r->path
 * names it): openat() in the directory, no stat() first.  When it cannot
 * be opened or is not a regular file after all (changed since), it goes
 * the way of open_path(), which says why. */
static smtpstatus_rc open_entry(smtpstatus_reader *r, int dfd,
                                int short_eof, const char *name,
                                smtpstatus_message *msg, const char **what) {
    int fd = open_mail(r, dfd, name,
                       O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return open_path(r, msg, what);
    /* Most entries are small messages: read first, into the whole
     * buffer, until read() says 0 (or, on a file system where that is the
     * end, stops short: short_eof), with no fstat().  Anything else (an
     * empty file or one that fills the buffer, a read error, a FIFO with
     * nothing in it) is looked at with fstat() and read from its start
     * the usual way (file_start), or said not to be a regular file. */
    if (buf_alloc(r, 0) == 0) {
        size_t n = 0;
        int tries = 0;
        while (n < r->bufcap) {
            size_t room = r->bufcap - n;
            ssize_t k = read(fd, r->buf + n, room);
            if (k < 0 && errno == EINTR && ++tries < 1000)
                continue;
            if (k < 0)
                break;
            n += (size_t)k;
            if (k == 0 || (short_eof && (size_t)k < room)) {
                if (n == 0)
                    break;
                /* the end of a small file */
                file_init(r, fd, 1);
                r->nonblock = 1;
                r->pendn = 0; /* nothing pending from an earlier file */
                r->eof = 1;
                return whole_begin(r, n, msg, what);
            }
        }
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_size > 0 && lseek(fd, 0, SEEK_SET) != 0)) {
        close(fd);
        return open_path(r, msg, what);
    }
    r->nonblock = 1;
    return file_start(r, fd, 1, &st, msg, what);
}

static void edir_drop(smtpstatus_reader *r) {
    if (r->edfd >= 0)
        close(r->edfd);
    r->edfd = -1;
    r->edirlen = 0;
}

/* Open the path reopen() was given, as a folder entry (open_entry), in its
 * directory, as the walk that found it opened it: the directory is opened
 * once and kept for the next paths in it (a thread given the files of a
 * folder one after another looks up one name a file, not the whole path),
 * and the whole path may be too long for open() when its directory's path
 * is not.  A path without a directory, or whose directory cannot be
 * opened, is opened whole. */
static smtpstatus_rc open_top_entry(smtpstatus_reader *r,
                                    smtpstatus_message *msg,
                                    const char **what) {
    char *slash = strrchr(r->path, '/');
    if (!slash || slash == r->path || slash[1] == '\0')
        return open_entry(r, AT_FDCWD, 0, r->path, msg, what);
    size_t dl = (size_t)(slash - r->path);
    if (r->edfd < 0 || r->edirlen != dl || memcmp(r->edir, r->path, dl) != 0) {
        edir_drop(r);
        if (dl + 1 > r->edircap) {
            char *d = realloc(r->edir, dl + 1);
            if (!d) /* the whole path then */
                return open_entry(r, AT_FDCWD, 0, r->path, msg, what);
            r->edir = d;
            r->edircap = dl + 1;
        }
        memcpy(r->edir, r->path, dl);
        r->edir[dl] = '\0';
        r->edfd = open(r->edir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r->edfd < 0)
            return open_entry(r, AT_FDCWD, 0, r->path, msg, what);
        r->edirlen = dl;
        r->edshort = eof_fs(r, r->edfd);
    }
    return open_entry(r, r->edfd, r->edshort, slash + 1, msg, what);
}

/* The next entry of the innermost directory of the walk, leaving the
 * directories that are done: SMTPSTATUS_OK with *name (its path in
 * r->path) and *f, when f is not NULL, its directory; SMTPSTATUS_ENOTFOUND at the end of the
 * walk, or SMTPSTATUS_ENOMEM. */
static smtpstatus_rc walk_entry(smtpstatus_reader *r, const char **name,
                                dir_frame **f) {
    while (r->nframes) {
        dir_frame *d = &r->frames[r->nframes - 1];
        if (d->i >= d->n) {
            frame_free(d);
            r->nframes--;
            continue;
        }
        *name = d->names[d->i++];
        /* the names were sorted in place: the next one is elsewhere in
         * the block, most often out of the cache by now (the file read
         * and analyzed since pushed it out); fetch it while this file is
         * read, not when its path is made */
#if defined(__GNUC__)
        if (d->i < d->n)
            __builtin_prefetch(d->names[d->i] - 3); /* from its length */
#endif
        if (f)
            *f = d;
        return path_set_n(r, d->path, d->pathlen, *name, name_len(*name))
                   ? SMTPSTATUS_ENOMEM
                   : SMTPSTATUS_OK;
    }
    return SMTPSTATUS_ENOTFOUND;
}

smtpstatus_rc smtpstatus_reader_next(smtpstatus_reader *r,
                                     smtpstatus_message *msg,
                                     const char **what) {
    if (what)
        *what = NULL;
    if (!r || !msg)
        return SMTPSTATUS_EINVAL;
    memset(msg, 0, sizeof *msg);
    /* each round opens, reads or closes something: bounded by the walk */
    for (;;) {
        if (r->mode != M_NONE) {
            smtpstatus_rc rc = file_next(r, msg, what);
            if (rc == SMTPSTATUS_OK)
                return rc;
            if (r->map) { /* the mapping is handed out: drop it now */
                munmap(r->map, r->maplen);
                r->map = NULL;
            }
            file_close(r);
            if (rc != SMTPSTATUS_ENOTFOUND)
                return rc;
            continue;
        }
        if (!r->top_done) {
            r->top_done = 1;
            if (path_set(r, r->top, NULL))
                return SMTPSTATUS_ENOMEM;
            smtpstatus_rc rc;
            if (r->top_fd >= 0)
                rc = file_start(r, r->top_fd, 0, NULL, msg, what);
            else if (r->top_entry) /* smtpstatus_reader_reopen */
                rc = open_top_entry(r, msg, what);
            else
                rc = open_path(r, msg, what);
            if (rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ENOTFOUND)
                return rc;
            continue;
        }
        const char *name;
        dir_frame *f;
        smtpstatus_rc rc = walk_entry(r, &name, &f);
        if (rc != SMTPSTATUS_OK)
            return rc;
        rc = name[-1] == E_REG && f->dfd >= 0
                 ? open_entry(r, f->dfd, f->short_eof, name, msg, what)
                 : open_path(r, msg, what);
        if (rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ENOTFOUND)
            return rc;
    }
}

smtpstatus_rc smtpstatus_reader_next_path(smtpstatus_reader *r,
                                          const char **path,
                                          const char **what) {
    if (what)
        *what = NULL;
    if (path)
        *path = NULL;
    if (!r || !path || r->top_fd >= 0 || r->mode != M_NONE ||
        r->buf_borrowed)
        return SMTPSTATUS_EINVAL; /* no path to walk, or a file begun */
    /* each round stats a path or leaves a directory: bounded by the walk */
    for (;;) {
        smtpstatus_rc rc;
        if (!r->top_done) {
            r->top_done = 1;
            if (path_set(r, r->top, NULL))
                return SMTPSTATUS_ENOMEM;
            rc = stat_path(r, NULL, what);
        } else {
            const char *name;
            rc = walk_entry(r, &name, NULL);
            if (rc != SMTPSTATUS_OK)
                return rc;
            /* readdir() said so: hand it out unseen, as next() would
             * open it unseen */
            rc = name[-1] == E_REG ? SMTPSTATUS_OK : stat_path(r, NULL, what);
        }
        if (rc == SMTPSTATUS_ENOMEM)
            return rc;
        if (rc != SMTPSTATUS_ENOTFOUND) {
            *path = r->path; /* the file, or where the error is */
            return rc;
        }
    }
}

/* Drop the file being read and the walk (buffers kept). */
static void drop_input(smtpstatus_reader *r) {
    file_close(r);
    while (r->nframes)
        frame_free(&r->frames[--r->nframes]);
    r->nvisited = 0;
}

smtpstatus_rc smtpstatus_reader_reopen(smtpstatus_reader *r,
                                       const char *path) {
    if (!r || !path || r->buf_borrowed)
        return SMTPSTATUS_EINVAL;
    int fd = strcmp(path, "-") == 0 ? 0 : -1;
    char *top = dupstr(path);
    if (!top)
        return SMTPSTATUS_ENOMEM;
    drop_input(r);
    free(r->top);
    r->top = top;
    r->top_fd = fd;
    r->top_done = 0;
    r->top_entry = fd < 0;
    return SMTPSTATUS_OK;
}

/* ---------------- parts of an mbox ---------------- */

/* The first bytes of the file open on fd: does it start with "From " and
 * end its first line in LF (so that no bare-CR reading applies)?  1 yes,
 * 0 no, -1 read error (errno).  A first line longer than head's size is a
 * no. */
static int part_head_ok(int fd) {
    char head[4096];
    ssize_t k;
    do
        k = pread(fd, head, sizeof head, 0);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return -1;
    return k >= 5 && memcmp(head, "From ", 5) == 0 &&
           first_line_known(head, (size_t)k) &&
           !first_line_cr(head, (size_t)k);
}

smtpstatus_rc smtpstatus_mbox_parts(const char *path,
                                    unsigned long long *size) {
    if (size)
        *size = 0;
    if (!path || !size)
        return SMTPSTATUS_EINVAL;
    /* its first bytes are read: opened as the reader opens mail */
    int noatime = SS_O_NOATIME != 0;
    int fd = open_noatime(&noatime, AT_FDCWD, path,
                          O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return SMTPSTATUS_EIO;
    struct stat st;
    smtpstatus_rc rc = SMTPSTATUS_EINVAL;
    if (fstat(fd, &st) != 0)
        rc = SMTPSTATUS_EIO;
    else if (S_ISREG(st.st_mode)) {
        int ok = part_head_ok(fd);
        if (ok < 0)
            rc = SMTPSTATUS_EIO;
        else if (ok) {
            *size = (unsigned long long)st.st_size;
            rc = SMTPSTATUS_OK;
        }
    }
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The next line start at or after b[i] (i >= 1; a line start is an index
 * after an LF) whose line begins with 'F' or '>': where a "From " or a
 * ">...>From " line can start; n when there is none before b[n]. */
#ifdef SS_AVX2_SCAN
/* 128 bytes a round: the bytes and the bytes one before them (a second,
 * unaligned load), one test for the round (few lines start so). */
__attribute__((target("avx2"))) static size_t
next_fq_avx2(const char *b, size_t i, size_t n) {
    const __m256i lf = _mm256_set1_epi8('\n'), fv = _mm256_set1_epi8('F'),
                  qv = _mm256_set1_epi8('>');
#define SS_LD(o) _mm256_loadu_si256((const __m256i *)(const void *)(b + (o)))
#define SS_LF_FQ(o)                                                            \
    _mm256_and_si256(_mm256_cmpeq_epi8(SS_LD((o) - 1), lf),                     \
                     _mm256_or_si256(_mm256_cmpeq_epi8(SS_LD(o), fv),           \
                                     _mm256_cmpeq_epi8(SS_LD(o), qv)))
    for (; n - i >= 128; i += 128) {
        __m256i a0 = SS_LF_FQ(i), a1 = SS_LF_FQ(i + 32),
                a2 = SS_LF_FQ(i + 64), a3 = SS_LF_FQ(i + 96);
        __m256i o = _mm256_or_si256(_mm256_or_si256(a0, a1),
                                    _mm256_or_si256(a2, a3));
        if (_mm256_testz_si256(o, o))
            continue;
        uint64_t m = (uint64_t)(uint32_t)_mm256_movemask_epi8(a0) |
                     (uint64_t)(uint32_t)_mm256_movemask_epi8(a1) << 32;
        if (m)
            return i + (size_t)__builtin_ctzll(m);
        m = (uint64_t)(uint32_t)_mm256_movemask_epi8(a2) |
            (uint64_t)(uint32_t)_mm256_movemask_epi8(a3) << 32;
        return i + 64 + (size_t)__builtin_ctzll(m);
    }
#undef SS_LF_FQ
#undef SS_LD
    return i;
}
#endif

static size_t next_fq_line(const char *b, size_t i, size_t n) {
#ifdef SS_AVX2_SCAN
    if (n > i && n - i >= 128 && __builtin_cpu_supports("avx2")) {
        i = next_fq_avx2(b, i, n);
        if (n - i >= 128)
            return i; /* found in a block */
    }
#endif
    /* an LF at p, p + 1 before n, starts a line; then look at that line */
    for (size_t p = i - 1; p + 1 < n;) {
        const char *nl = memchr(b + p, '\n', n - 1 - p);
        if (!nl)
            return n;
        p = (size_t)(nl - b) + 1;
        if (b[p] == 'F' || b[p] == '>')
            return p;
    }
    return n;
}

/* Is the "From " line at b[s] (s >= 1, after an LF) a separator, as
 * mbox_next decides once the mbox has started: after a blank line ("\n"
 * or "\r\n"), or of a separator's shape?  b[0..n) is all that is known
 * from b[0] on (eof: the file ends at b[n]). */
static int part_separator(const char *b, size_t s, size_t n, int eof) {
    if (s >= 2 && b[s - 2] == '\n')
        return 1;
    if (s >= 3 && b[s - 2] == '\r' && b[s - 3] == '\n')
        return 1;
    size_t lim = n - s > 201 ? s + 201 : n;
    const char *nl = memchr(b + s, '\n', lim - s);
    size_t len;
    if (nl)
        len = (size_t)(nl - (b + s)) + 1;
    else if (eof && n - s <= 200)
        len = n - s; /* the file's last line, without an LF */
    else
        return 0; /* over 200 bytes: not by its shape */
    return looks_like_separator(b + s, len);
}

smtpstatus_rc smtpstatus_reader_reopen_part(smtpstatus_reader *r,
                                            const char *path,
                                            unsigned long long start,
                                            unsigned long long end,
                                            size_t *count,
                                            const char **what) {
    if (count)
        *count = 0;
    if (what)
        *what = NULL;
    if (!r || !path || !count || r->buf_borrowed || end <= start ||
        end - start > SMTPSTATUS_MBOX_PART_MAX ||
        start > (unsigned long long)((off_t)1 << (sizeof(off_t) * 8 - 2)))
        return SMTPSTATUS_EINVAL;
    drop_input(r); /* as reopen does */
    r->top_done = 1;
    if (path_set(r, path, NULL))
        return SMTPSTATUS_ENOMEM;
    int fd = open_mail(r, AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        return fail(r, path, NULL, what, "cannot open", e);
    }
    file_init(r, fd, 1);
    int ok = part_head_ok(fd);
    if (ok <= 0) {
        int e = errno;
        smtpstatus_rc rc = ok < 0 ? fail(r, path, NULL, what, "read error", e)
                                  : SMTPSTATUS_EINVAL;
        file_close(r);
        return rc;
    }
    /* the part and up to 3 bytes before it (is the line before a
     * separator blank?) and SS_PART_TAIL after it */
    size_t ctx = start < 3 ? (size_t)start : 3;
    unsigned long long boff = start - ctx;
    size_t want = ctx + (size_t)(end - start) + SS_PART_TAIL;
    if (r->bufcap < want || r->bufcap < r->chunk) {
        size_t cap = want > r->chunk ? want : r->chunk;
        char *b = malloc(cap);
        if (!b) {
            file_close(r);
            return SMTPSTATUS_ENOMEM;
        }
        free(r->buf);
        r->buf = b;
        r->bufcap = cap;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t k = pread(fd, r->buf + got, want - got, (off_t)(boff + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            smtpstatus_rc rc = fail(r, path, NULL, what, "read error", e);
            file_close(r);
            return rc;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    int eof = got < want;
    /* later reads go on after what is in the buffer */
    if (lseek(fd, (off_t)(boff + got), SEEK_SET) < 0) {
        int e = errno;
        smtpstatus_rc rc = fail(r, path, NULL, what, "read error", e);
        file_close(r);
        return rc;
    }
    /* the separators whose lines start in [start, end), and the marks
     * (see the reader's marks) from there on */
    const char *b = r->buf;
    size_t lo = ctx, hi = ctx + (size_t)(end - start), first = 0, n = 0;
    size_t nm = 0, v = got;
    if (hi > got)
        hi = got;
    if (!r->marks) /* a part's worth: more than most parts hold */
        r->marks = malloc(SS_PART_MARKS * sizeof *r->marks);
    if (start == 0 && got >= 5) { /* the file's first line: always one */
        first = 0;
        n = 1;
        lo = 1;
        if (r->marks)
            r->marks[nm++] = 0;
    } else if (lo == 0)
        lo = 1;
    for (size_t s = next_fq_line(b, lo, got); s < got;
         s = next_fq_line(b, s + 1, got)) {
        size_t j = s;
        while (j < got && b[j] == '>')
            j++;
        if (got - j < 5) { /* cut by the buffer's end: not known */
            if (s < v)
                v = s;
            continue;
        }
        if (memcmp(b + j, "From ", 5) != 0)
            continue;
        if (s < v) {
            if (r->marks && nm < SS_PART_MARKS)
                r->marks[nm++] = (uint32_t)s;
            else
                v = s; /* no room: known up to here */
        }
        if (j == s && s < hi && part_separator(b, s, got, eof)) {
            if (n++ == 0)
                first = s;
        }
    }
    *count = n;
    if (n == 0) {
        file_close(r);
        return SMTPSTATUS_OK;
    }
    r->mode = M_MBOX; /* the rest of the start state: file_init above */
    r->blen = got;
    r->bpos = r->scan = first;
    r->eof = eof;
    r->prev_blank = 1; /* the part starts with a separator */
    r->started = 1;
    r->pendn = 0;
    r->part = 1;
    r->part_over = 0;
    r->part_left = n;
    r->nmarks = nm;
    r->mark_i = 0;
    r->marks_v = r->marks ? v : 0; /* no room for marks: none used */
    return SMTPSTATUS_OK;
}

smtpstatus_rc smtpstatus_reader_part_number(smtpstatus_reader *r,
                                            size_t before) {
    if (!r)
        return SMTPSTATUS_EINVAL;
    if (r->mode == M_NONE && r->top_done && !r->nframes)
        return SMTPSTATUS_OK; /* a part without a message */
    if (!r->part || r->msgno || r->in_msg)
        return SMTPSTATUS_EINVAL;
    r->msgno = before;
    return SMTPSTATUS_OK;
}

void smtpstatus_reader_close(smtpstatus_reader *r) {
    if (!r)
        return;
    drop_input(r);
    edir_drop(r);
    free(r->edir);
    free(r->visited);
    if (!r->buf_borrowed)
        free(r->buf);
    free(r->marks);
    ss_buf_free(&r->msg);
    free(r->src);
    free(r->path);
    free(r->top);
    free(r);
}

smtpstatus_reader *ss_reader_open_mem(const char *buf, size_t len,
                                      const char *name,
                                      const smtpstatus_limits *limits,
                                      smtpstatus_rc *rc) {
    if (rc)
        *rc = SMTPSTATUS_OK;
    if (!buf || !len) {
        if (rc)
            *rc = SMTPSTATUS_EINVAL;
        return NULL;
    }
    smtpstatus_reader *r = reader_new(limits, rc);
    if (!r)
        return NULL;
    r->top = dupstr(name ? name : "");
    r->path = dupstr(name ? name : "");
    if (r->path)
        r->pathcap = strlen(r->path) + 1;
    r->crmode = first_line_cr(buf, len);
    if (r->crmode) {
        r->buf = malloc(len);
        if (r->buf) {
            memcpy(r->buf, buf, len);
            cr_to_lf(r->buf, len);
        }
    } else {
        r->buf = (char *)buf; /* only read: the reader never fills it */
        r->buf_borrowed = 1;
    }
    if (!r->top || !r->path || !r->buf) {
        smtpstatus_reader_close(r);
        if (rc)
            *rc = SMTPSTATUS_ENOMEM;
        return NULL;
    }
    r->top_done = 1;
    r->mode = M_MBOX;
    r->bufcap = r->blen = len;
    r->eof = 1; /* all the input is in buf */
    r->bol = 1;
    return r;
}
