/*
 * cmd_bounce.c - "smtpstatus bounce": analyzes bounce mail through the
 * public analyzer API and writes one record per recipient as JSON Lines,
 * a JSON array, CSV, a table for people or sisimai-compatible JSON.  With
 * -j N it spreads the work over N worker threads (one analyzer and one
 * reader each), keeping the output in input order: folders are walked
 * with the reader API and their files handed out by path; standard input
 * and big files are read into batches of messages.
 * It does no MIME or bounce parsing itself.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, isatty */
#endif
#include "cli.h"
#include "sha1.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { F_JSONL, F_JSON, F_CSV, F_TABLE, F_SISIMAI };

#define MAX_JOBS 256
#define FLUSH_AT 65536

typedef struct bopts {
    int format;
    smtpstatus_options an;
    long jobs;
    int quiet, stats, progress;
} bopts;

/* What all writers share (only the main thread writes stdout). */
typedef struct shared {
    const bopts *o;
    int any_written;    /* something after the opening "[" */
    int write_failed;
    int progress_shown; /* a progress line is on the terminal */
    size_t progress_len;
    double t0, last_progress;
    size_t messages, records; /* for progress in the parallel mode */
} shared;

/* The members reason, hard_bounce and bounce_type of a record's native
 * JSON object (",\"reason\":\"...\",\"hard_bounce\":false,
 * \"bounce_type\":\"...\""), which depend on the reason and hard_bounce
 * only: written for the first record with them and copied for the next
 * ones (see fmt_native_json). */
#define REASON_FRAG 96
typedef struct reason_frag {
    unsigned char len; /* 0: not written yet (or too long to keep) */
    char text[REASON_FRAG];
} reason_frag;
/* One for each reason (and one for all the unknown ones), without and with
 * hard_bounce: index 2 * reason + hard_bounce. */
#define N_REASON_FRAGS (2 * ((size_t)SMTPSTATUS_R_COUNT_ + 1))

/* Per analyzer: where its records go. */
typedef struct wctx {
    shared *sh;
    obuf buf;
    size_t records;
    int direct; /* sequential mode: write to stdout as we go */
    obuf *gather; /* parallel mode: problems are gathered here, to be
                     written in input order, instead of going to stderr */
    smtpstatus_analyzer *an;
    reason_frag frags[N_REASON_FRAGS]; /* for fmt_native_json; all zero at
                                          first */
} wctx;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- record formatting ---- */

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : "";
}

static void json_rec_warnings(obuf *b, unsigned w)
{
    int i, first = 1;
    if (w == 0) {
        ob_put(b, OB_LIT("[]"));
        return;
    }
    ob_putc(b, '[');
    for (i = 0; i < 32; i++) {
        unsigned bit = 1u << i;
        const char *name;
        char tmp[32];
        if (!(w & bit))
            continue;
        name = smtpstatus_record_warning_name(bit);
        if (!name) {
            snprintf(tmp, sizeof tmp, "unknown_0x%x", bit);
            name = tmp;
        }
        if (!first)
            ob_putc(b, ',');
        first = 0;
        ob_json_cstr(b, name);
    }
    ob_putc(b, ']');
}

static void csv_rec_warnings(obuf *b, unsigned w)
{
    int i, first = 1;
    obuf t;
    ob_init(&t);
    for (i = 0; i < 32; i++) {
        unsigned bit = 1u << i;
        const char *name;
        if (!(w & bit))
            continue;
        name = smtpstatus_record_warning_name(bit);
        if (!first)
            ob_putc(&t, ' ');
        first = 0;
        if (name)
            ob_puts(&t, name);
        else
            ob_printf(&t, "unknown_0x%x", bit);
    }
    ob_csv_field(b, t.data ? t.data : "", t.len);
    ob_free(&t);
}

/* The native fields, in their order. */
#define NATIVE_FIELDS(X)                                                    \
    X("source") X("recipient") X("action") X("status") X("reply_code")      \
    X("reason") X("hard_bounce") X("bounce_type") X("diagnostic_code")      \
    X("diagnostic_type") X("remote_mta") X("reporting_mta")                \
    X("smtp_command") X("decoder") X("feedback_type") X("message_id")       \
    X("subject") X("addresser") X("list_id") X("alias") X("date")           \
    X("timestamp") X("timezone_offset") X("warnings")

#define NATIVE_NAME(name) name,
#define NATIVE_KEY(name) OUT_KEY_OF(name),
static const char *const native_names[] = {NATIVE_FIELDS(NATIVE_NAME)};
/* Their JSON keys (see out_json_members). */
static const out_key native_keys[] = {NATIVE_FIELDS(NATIVE_KEY)};
#undef NATIVE_NAME
#undef NATIVE_KEY
#define N_NATIVE (sizeof native_names / sizeof native_names[0])

/* Room for need more bytes at o, the end of what is written so far in b's
 * free space (b->len not yet moved past it): the new position of o after
 * the buffer has grown, or NULL when it has failed. */
static char *native_grow(obuf *b, char *o, size_t need)
{
    b->len = (size_t)(o - b->data);
    return ob_reserve(b, need);
}

#if defined(__GNUC__)
#define NATIVE_INLINE static inline __attribute__((always_inline))
#else
#define NATIVE_INLINE static inline
#endif

/* The string values of the native fields (NULL for the others), but for
 * reason and bounce_type (v[5] and v[7], NULL here), which fmt_native_json
 * needs only now and then (see native_reason). */
static void native_values(const smtpstatus_record *r, const char **v)
{
    v[0] = r->source;
    v[1] = r->recipient;
    v[2] = r->action;
    v[3] = r->status;
    v[4] = r->reply_code;
    v[8] = r->diagnostic_code;
    v[9] = r->diagnostic_type;
    v[10] = r->remote_mta;
    v[11] = r->reporting_mta;
    v[12] = r->smtp_command;
    v[13] = r->decoder;
    v[14] = r->feedback_type;
    v[15] = r->message_id;
    v[16] = r->subject;
    v[17] = r->addresser;
    v[18] = r->list_id;
    v[19] = r->alias;
    v[20] = r->date;
    v[22] = r->timezone_offset;
    v[5] = v[6] = v[7] = v[21] = v[23] = NULL;
}

/* Room reserved for a record at first: most take less; a longer one grows
 * the buffer field by field. */
#define NATIVE_START 2048

/* The members reason, hard_bounce and bounce_type of r at o (as
 * out_json_members), from frags (see reason_frag), which they are written
 * in when they are not there yet. */
static char *native_reason(obuf *b, char *o, reason_frag *frags,
                           const smtpstatus_record *r)
{
    const char *v[2]; /* reason, bounce_type */
    size_t at, len;
    reason_frag *f =
        &frags[2 * ((unsigned)r->reason < (unsigned)SMTPSTATUS_R_COUNT_
                        ? (size_t)r->reason
                        : (size_t)SMTPSTATUS_R_COUNT_) +
               (r->hard_bounce != 0)];
    if (f->len != 0) {
        if ((size_t)(b->data + b->cap - o) < REASON_FRAG &&
            (o = native_grow(b, o, REASON_FRAG)) == NULL)
            return NULL;
        memcpy(o, f->text, REASON_FRAG);
        return o + f->len;
    }
    at = (size_t)(o - b->data);
    v[0] = smtpstatus_reason_name(r->reason);
    v[1] = smtpstatus_reason_bounce_type(r->reason);
    if ((o = out_json_members(b, o, native_keys + 5, v, 1)) == NULL)
        return NULL;
    if ((size_t)(b->data + b->cap - o) < OUT_KEY + 5 &&
        (o = native_grow(b, o, OUT_KEY + 5)) == NULL)
        return NULL;
    memcpy(o, native_keys[6].text, OUT_KEY);
    o += native_keys[6].klen;
    if (r->hard_bounce) {
        memcpy(o, "true", 4);
        o += 4;
    } else {
        memcpy(o, "false", 5);
        o += 5;
    }
    if ((o = out_json_members(b, o, native_keys + 7, v + 1, 1)) == NULL)
        return NULL;
    len = (size_t)(o - b->data) - at;
    if (len < REASON_FRAG) { /* (a longer one is written each time) */
        memcpy(f->text, b->data + at, len);
        f->len = (unsigned char)len;
    }
    return o;
}

/* The native JSON object of r, after ",\n" (json) or followed by a
 * newline (jsonl): keys and values are written straight into the buffer,
 * which is checked for room field by field.  frags: see reason_frag. */
static void fmt_native_json(obuf *b, reason_frag *frags,
                            const smtpstatus_record *r, unsigned w,
                            int jsonl)
{
    const char *v[N_NATIVE];
    char *o;
    size_t start;
    native_values(r, v);
    if ((o = ob_reserve(b, NATIVE_START)) == NULL)
        return;
    if (!jsonl) {
        o[0] = ',';
        o[1] = '\n';
        o += 2;
    }
    /* the first key has a '{' in place of its comma */
    start = (size_t)(o - b->data);
    if ((o = out_json_members(b, o, native_keys, v, 5)) == NULL)
        return; /* source .. reply_code */
    b->data[start] = '{';
    if ((o = native_reason(b, o, frags, r)) == NULL)
        return; /* reason, hard_bounce, bounce_type */
    if ((o = out_json_members(b, o, native_keys + 8, v + 8, 13)) == NULL)
        return; /* diagnostic_code .. date */
    if ((size_t)(b->data + b->cap - o) < OUT_KEY + OUT_LLD_MAX &&
        (o = native_grow(b, o, OUT_KEY + OUT_LLD_MAX)) == NULL)
        return;
    memcpy(o, native_keys[21].text, OUT_KEY);
    o = out_lld(o + native_keys[21].klen, r->timestamp);
    if ((o = out_json_members(b, o, native_keys + 22, v + 22, 1)) == NULL)
        return; /* timezone_offset */
    if ((size_t)(b->data + b->cap - o) < OUT_KEY + 4 &&
        (o = native_grow(b, o, OUT_KEY + 4)) == NULL)
        return;
    memcpy(o, native_keys[23].text, OUT_KEY);
    o += native_keys[23].klen;
    if (w == 0) {
        memcpy(o, "[]}\n", 4);
        b->len = (size_t)(o + 3 + (jsonl != 0) - b->data);
    } else {
        b->len = (size_t)(o - b->data);
        json_rec_warnings(b, w);
        if (jsonl)
            ob_put(b, OB_LIT("}\n"));
        else
            ob_putc(b, '}');
    }
}

static void fmt_csv_header(obuf *b)
{
    size_t i;
    for (i = 0; i < N_NATIVE; i++) {
        if (i)
            ob_putc(b, ',');
        ob_puts(b, native_names[i]);
    }
    ob_puts(b, "\r\n");
}

/* A CSV field at o (in b's free space), after a comma when sep: the end
 * of what was written, or NULL when the buffer has failed.  NULL is "". */
NATIVE_INLINE char *csv_put(obuf *b, char *o, const char *v, int sep)
{
    size_t n;
    if (!v || !*v) { /* many fields are empty */
        if (sep) {
            if (b->data + b->cap == o && (o = native_grow(b, o, 1)) == NULL)
                return NULL;
            *o++ = ',';
        }
        return o;
    }
    n = strlen(v);
    if (n > JSON_CHUNK) { /* written in chunks by ob_csv_field */
        if ((o = native_grow(b, o, 1)) == NULL)
            return NULL;
        if (sep) {
            *o = ',';
            b->len++;
        }
        ob_csv_field(b, v, n);
        return ob_reserve(b, 0);
    }
    if ((size_t)(b->data + b->cap - o) < 1 + CSV_FIELD_MAX(n) &&
        (o = native_grow(b, o, 1 + CSV_FIELD_MAX(n))) == NULL)
        return NULL;
    if (sep)
        *o++ = ',';
    return out_csv_field(o, v, n);
}

/* One CSV row: written straight into the buffer, which is checked for room
 * field by field. */
static void fmt_csv(obuf *b, const smtpstatus_record *r, unsigned w)
{
    const char *v[N_NATIVE];
    char *o;
    size_t i;
    native_values(r, v);
    v[5] = smtpstatus_reason_name(r->reason);
    v[7] = smtpstatus_reason_bounce_type(r->reason);
    if ((o = ob_reserve(b, NATIVE_START)) == NULL)
        return;
    if ((o = csv_put(b, o, v[0], 0)) == NULL)
        return;
    for (i = 1; i < 6; i++) /* recipient .. reason */
        if ((o = csv_put(b, o, v[i], 1)) == NULL)
            return;
    if ((size_t)(b->data + b->cap - o) < 6 &&
        (o = native_grow(b, o, 6)) == NULL)
        return;
    if (r->hard_bounce) {
        memcpy(o, ",true", 5);
        o += 5;
    } else {
        memcpy(o, ",false", 6);
        o += 6;
    }
    for (i = 7; i < 21; i++) /* bounce_type .. date */
        if ((o = csv_put(b, o, v[i], 1)) == NULL)
            return;
    if ((size_t)(b->data + b->cap - o) < 1 + OUT_LLD_MAX &&
        (o = native_grow(b, o, 1 + OUT_LLD_MAX)) == NULL)
        return;
    *o++ = ',';
    o = out_lld(o, r->timestamp);
    if ((o = csv_put(b, o, v[22], 1)) == NULL)
        return;
    if ((size_t)(b->data + b->cap - o) < 3 &&
        (o = native_grow(b, o, 3)) == NULL)
        return;
    if (w == 0) {
        memcpy(o, ",\r\n", 3);
        b->len = (size_t)(o + 3 - b->data);
    } else {
        *o++ = ',';
        b->len = (size_t)(o - b->data);
        csv_rec_warnings(b, w);
        ob_put(b, OB_LIT("\r\n"));
    }
}

#define TW_SOURCE 28
#define TW_RCPT 32
#define TW_STATUS 7
#define TW_REPLY 5
#define TW_REASON 15

static void fmt_table_header(obuf *b)
{
    ob_cell(b, "SOURCE", TW_SOURCE, 1);
    ob_puts(b, "  ");
    ob_cell(b, "RECIPIENT", TW_RCPT, 1);
    ob_puts(b, "  ");
    ob_cell(b, "STATUS", TW_STATUS, 1);
    ob_puts(b, "  ");
    ob_cell(b, "REPLY", TW_REPLY, 1);
    ob_puts(b, "  ");
    ob_cell(b, "REASON", TW_REASON, 1);
    ob_puts(b, "  HARD\n");
}

static void fmt_table(obuf *b, const smtpstatus_record *r)
{
    ob_cell_tail(b, r->source, TW_SOURCE);
    ob_put(b, OB_LIT("  "));
    ob_cell(b, r->recipient, TW_RCPT, 1);
    ob_put(b, OB_LIT("  "));
    ob_cell(b, r->status, TW_STATUS, 1);
    ob_put(b, OB_LIT("  "));
    ob_cell(b, r->reply_code, TW_REPLY, 1);
    ob_put(b, OB_LIT("  "));
    ob_cell(b, smtpstatus_reason_name(r->reason), TW_REASON, 1);
    ob_put(b, OB_LIT("  "));
    ob_puts(b, r->hard_bounce ? "yes" : "no");
    ob_putc(b, '\n');
}

/* Lower-case ASCII copy of s[0..n) at o; returns the end. */
static char *lower_to(char *o, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        o[i] = c;
    }
    return o + n;
}

/* The length of s for put_lower: at most 1 GiB, 0 for NULL. */
static size_t lower_len(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > ((size_t)1 << 30) ? (size_t)1 << 30 : n;
}

/* Lower-case ASCII copy appended to b (at most 1 GiB of s). */
static void put_lower(obuf *b, const char *s)
{
    size_t n = lower_len(s);
    char *o;
    if (n == 0 || (o = ob_reserve(b, n)) == NULL)
        return;
    b->len = (size_t)(lower_to(o, s, n) - b->data);
}

/* source without the ":N" that marks a message inside an mbox */
static void put_origin(obuf *b, const smtpstatus_record *r)
{
    char suffix[32];
    size_t n = strlen(r->source), k = sizeof suffix;
    unsigned long v = (unsigned long)r->message_number;
    /* ":%lu" from the end of suffix */
    do {
        suffix[--k] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v && k > 1);
    suffix[--k] = ':';
    if (r->message_number && n > sizeof suffix - k &&
        memcmp(r->source + n - (sizeof suffix - k), suffix + k,
               sizeof suffix - k) == 0)
        ob_json_str(b, r->source, n - (sizeof suffix - k));
    else
        ob_json_str(b, r->source, n);
}

static void fmt_sisimai(obuf *b, const smtpstatus_record *r)
{
    char hex[41];
    const char *reason = smtpstatus_reason_name(r->reason);
    size_t na = lower_len(r->addresser), nr = lower_len(r->recipient);
    char small[512];

    /* the token: SHA-1 of "\x02addresser\x1erecipient\x1etimestamp\x03",
     * the addresses in lower case; built on the stack when it fits */
    if (na + nr + 4 + OUT_LLD_MAX <= sizeof small) {
        char *o = small;
        *o++ = '\x02';
        o = lower_to(o, r->addresser, na);
        *o++ = '\x1e';
        o = lower_to(o, r->recipient, nr);
        *o++ = '\x1e';
        o = out_lld(o, r->timestamp);
        *o++ = '\x03';
        sha1_hex(small, (size_t)(o - small), hex);
    } else {
        obuf t;
        ob_init(&t);
        ob_putc(&t, '\x02');
        put_lower(&t, r->addresser);
        ob_putc(&t, '\x1e');
        put_lower(&t, r->recipient);
        ob_putc(&t, '\x1e');
        ob_lld(&t, r->timestamp);
        ob_putc(&t, '\x03');
        sha1_hex(t.data ? t.data : "", t.len, hex);
        ob_free(&t);
    }

    ob_json_key_cstr(b, OB_LIT("{\"action\":"), r->action);
    ob_json_key_cstr(b, OB_LIT(",\"addresser\":"), r->addresser);
    ob_json_key_cstr(b, OB_LIT(",\"alias\":"), r->alias);
    ob_put(b, OB_LIT(",\"catch\":null"));
    ob_json_key_cstr(b, OB_LIT(",\"deliverystatus\":"), r->status);
    ob_json_key_cstr(b, OB_LIT(",\"destination\":"),
                     domain_of(r->recipient));
    ob_json_key_cstr(b, OB_LIT(",\"diagnosticcode\":"), r->diagnostic_code);
    ob_json_key_cstr(b, OB_LIT(",\"diagnostictype\":"), r->diagnostic_type);
    ob_json_key_cstr(b, OB_LIT(",\"feedbacktype\":"), r->feedback_type);
    if (r->hard_bounce)
        ob_put(b, OB_LIT(",\"hardbounce\":1"));
    else
        ob_put(b, OB_LIT(",\"hardbounce\":0"));
    ob_json_key_cstr(b, OB_LIT(",\"lhost\":"), r->reporting_mta);
    ob_json_key_cstr(b, OB_LIT(",\"listid\":"), r->list_id);
    ob_json_key_cstr(b, OB_LIT(",\"messageid\":"), r->message_id);
    ob_put(b, OB_LIT(",\"origin\":"));
    put_origin(b, r);
    ob_json_key_cstr(b, OB_LIT(",\"reason\":"),
                     reason ? reason : "undefined");
    ob_json_key_cstr(b, OB_LIT(",\"recipient\":"), r->recipient);
    ob_json_key_cstr(b, OB_LIT(",\"replycode\":"), r->reply_code);
    ob_json_key_cstr(b, OB_LIT(",\"rhost\":"), r->remote_mta);
    ob_json_key_cstr(b, OB_LIT(",\"senderdomain\":"),
                     domain_of(r->addresser));
    ob_json_key_cstr(b, OB_LIT(",\"smtpagent\":"), r->decoder);
    ob_json_key_cstr(b, OB_LIT(",\"smtpcommand\":"), r->smtp_command);
    ob_json_key_cstr(b, OB_LIT(",\"subject\":"), r->subject);
    ob_put(b, OB_LIT(",\"timestamp\":"));
    ob_lld(b, r->timestamp);
    ob_json_key_cstr(b, OB_LIT(",\"timezoneoffset\":"), r->timezone_offset);
    ob_json_key_cstr(b, OB_LIT(",\"token\":"), hex);
    ob_putc(b, '}');
}

static void format_record(obuf *b, reason_frag *frags, int format,
                          const smtpstatus_record *r, unsigned w)
{
    switch (format) {
    case F_JSONL:
        fmt_native_json(b, frags, r, w, 1);
        break;
    case F_JSON:
        fmt_native_json(b, frags, r, w, 0);
        break;
    case F_SISIMAI:
        ob_puts(b, ",\n");
        fmt_sisimai(b, r);
        break;
    case F_CSV:
        fmt_csv(b, r, w);
        break;
    default:
        fmt_table(b, r);
        break;
    }
}

/* ---- writing, progress, problems ---- */

static void clear_progress(shared *sh)
{
    if (sh->progress_shown) {
        fprintf(stderr, "\r%*s\r", (int)sh->progress_len, "");
        sh->progress_shown = 0;
    }
}

static void show_progress(shared *sh, size_t messages, size_t records,
                          int force)
{
    double t = now(), el;
    int n;
    if (!sh->o->progress || (!force && t - sh->last_progress < 0.5))
        return;
    sh->last_progress = t;
    el = t - sh->t0;
    n = fprintf(stderr, "\rsmtpstatus: %lu messages, %lu records, %.0f "
                "messages/s ",
                (unsigned long)messages, (unsigned long)records,
                el > 0 ? (double)messages / el : 0.0);
    if (n > 0 && (size_t)n > sh->progress_len)
        sh->progress_len = (size_t)n;
    sh->progress_shown = 1;
}

/* Write b to stdout; the first item of a JSON array loses its comma. */
static void emit(shared *sh, obuf *b)
{
    size_t skip = 0;
    if (b->failed) {
        fprintf(stderr, "smtpstatus: out of memory while formatting "
                "records\n");
        sh->write_failed = 1;
        ob_reset(b);
        return;
    }
    if (b->len == 0)
        return;
    clear_progress(sh); /* stdout and stderr may share a terminal */
    if ((sh->o->format == F_JSON || sh->o->format == F_SISIMAI) &&
        !sh->any_written && b->data[0] == ',')
        skip = 1;
    if (!sh->write_failed &&
        fwrite(b->data + skip, 1, b->len - skip, stdout) != b->len - skip) {
        sh->write_failed = 1;
        fprintf(stderr, "smtpstatus: cannot write the output: %s\n",
                strerror(errno));
    }
    sh->any_written = 1;
    ob_reset(b);
    fflush(stderr); /* the problems of these records, when gathered */
}

static void on_problem(const char *source, const char *what, void *user)
{
    wctx *w = user;
    if (w->sh->o->quiet)
        return;
    if (w->gather) {
        const char *src = source && *source ? source : "-";
        const char *text = what ? what : "problem";
        ob_put(w->gather, OB_LIT("smtpstatus: "));
        ob_puts(w->gather, src);
        ob_put(w->gather, OB_LIT(": "));
        ob_puts(w->gather, text);
        ob_putc(w->gather, '\n');
        return;
    }
    if (w->direct)
        clear_progress(w->sh);
    fprintf(stderr, "smtpstatus: %s: %s\n", source && *source ? source : "-",
            what ? what : "problem");
}

static int on_record(const smtpstatus_record *r, void *user)
{
    wctx *w = user;
    format_record(&w->buf, w->frags, w->sh->o->format, r, r->warnings);
    w->records++;
    if (w->direct) {
        if (w->buf.len >= FLUSH_AT || w->buf.failed ||
            w->sh->o->format == F_TABLE)
            emit(w->sh, &w->buf);
        if (w->sh->o->progress) {
            smtpstatus_stats st;
            smtpstatus_analyzer_stats(w->an, &st);
            if (now() - w->sh->last_progress >= 0.5) {
                fflush(stdout);
                show_progress(w->sh, st.messages, st.records, 0);
            }
        }
        if (w->sh->write_failed)
            return 1;
    }
    return 0;
}

/* ---- the parallel mode ---- */

/* A batch of messages handed to one worker at once: handing out single
 * messages costs more in locking and wake-ups than analyzing them. */
#define BATCH_MESSAGES 256
#define BATCH_BYTES ((size_t)1 << 20)
/* A batch also goes when the reader's problems in it reach this size (a
 * long run of files that cannot be read). */
#define BATCH_ERR_BYTES ((size_t)64 << 10)
/* Files of a folder are handed out by path, this many to a batch: the
 * worker opens, reads and analyzes them (the system calls of reading many
 * small files would bound a main thread that read them all).  A top-level
 * mbox of at least BATCH_BYTES is handed out in parts (I_PART); another
 * top-level file of that size (a bare-CR mbox, one big message) and
 * standard input are read by the main thread, their messages copied into
 * batches, so that one big mbox is still spread over the workers. */
#define BATCH_FILES 128
/* The first batches are smaller (the limits above divided by 2^RAMP, then
 * by half as much at each batch handed out), so that every worker has work
 * within a few milliseconds of the start instead of waiting for a whole
 * batch to be read; and near the end of a file of known size a batch holds
 * at most its share of what is left, so that the workers end together
 * rather than one finishing the last big batch alone. */
#define RAMP 3

enum { I_MSG, I_FILE, I_TOPFILE, I_PART }; /* what a batch item is */

/* A top-level mbox of at least BATCH_BYTES is not read by the main thread
 * when the library can read it in parts (smtpstatus_mbox_parts): each
 * part (SMTPSTATUS_MBOX_PART_MAX bytes) is a batch of its own, which a
 * worker reads and analyzes, so that the reading is spread over the
 * workers too and no message is copied.  A part's worker learns from the
 * part before it how many messages come before its own (their numbers
 * name them: "path:N"): it counts its part's separators as soon as it has
 * read the part, and waits for the count of the parts before it (see
 * part_propagate), which their workers gave as soon as they had read
 * theirs. */
#define PART_FAILED ((size_t)-1) /* a part could not be read: the parts
                                    after it are given up, as the file is
                                    at a read error in the sequential run */

typedef struct msgref {
    int kind;         /* I_MSG: a message read by the main thread; I_FILE,
                         I_TOPFILE: a file of a walk / a top-level file, for
                         the worker to read */
    size_t off, len;  /* the message in job.data; I_PART: len is the
                         part's length */
    unsigned long long fpos; /* I_PART: where the part starts */
    int last;         /* I_PART: the file's last part */
    size_t src;       /* its NUL-terminated source name (or the file's
                         path) in job.data */
    size_t number;
    unsigned warnings;
    size_t err_end;   /* the reader's problems up to this item */
} msgref;

typedef struct job {
    size_t seq;
    char *data;
    size_t len, cap;
    msgref *m;
    size_t n, mcap;
    size_t nfiles; /* items that are paths (files, parts) */
    int heavy;     /* it holds messages (copied here), not only paths */
    obuf err; /* the reader's problems met while filling the batch */
} job;

static void job_free(job *j)
{
    free(j->data);
    free(j->m);
    ob_free(&j->err);
    memset(j, 0, sizeof *j);
}

/* Append bytes to the batch; 0 ok, -1 out of memory. */
static int job_put(job *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap) {
        size_t nc = j->cap ? j->cap : 4096;
        char *d;
        while (nc < j->len + n + 1)
            nc *= 2;
        d = realloc(j->data, nc);
        if (!d)
            return -1;
        j->data = d;
        j->cap = nc;
    }
    if (n)
        memcpy(j->data + j->len, s, n);
    j->len += n;
    return 0;
}

/* Make room for one more item; 0 ok, -1 out of memory. */
static int job_room(job *j)
{
    if (j->n == j->mcap) {
        size_t nc = j->mcap ? j->mcap * 2 : 64;
        msgref *m = realloc(j->m, nc * sizeof *m);
        if (!m)
            return -1;
        j->m = m;
        j->mcap = nc;
    }
    return 0;
}

/* Add one message (and its source name) to the batch. */
static int job_add(job *j, const smtpstatus_message *msg, const char *source)
{
    msgref r;
    if (job_room(j))
        return -1;
    r.kind = I_MSG;
    r.off = j->len;
    r.len = msg->len;
    r.fpos = 0;
    r.last = 0;
    if (job_put(j, msg->data ? msg->data : "", msg->len))
        return -1;
    r.src = j->len;
    if (job_put(j, source, strlen(source) + 1))
        return -1;
    r.number = msg->number;
    r.warnings = msg->warnings;
    r.err_end = j->err.len;
    j->m[j->n++] = r;
    return 0;
}

/* Add a file (kind I_FILE or I_TOPFILE) or a part of an mbox (I_PART:
 * len bytes from fpos, last when it ends the file) for the worker to
 * read. */
static int job_add_path(job *j, const char *path, int kind,
                        unsigned long long fpos, size_t len, int last)
{
    msgref r;
    memset(&r, 0, sizeof r);
    if (job_room(j))
        return -1;
    r.kind = kind;
    r.src = j->len;
    if (job_put(j, path, strlen(path) + 1))
        return -1;
    r.fpos = fpos;
    r.len = len;
    r.last = last;
    r.err_end = j->err.len;
    j->m[j->n++] = r;
    j->nfiles++;
    return 0;
}

typedef struct slot {
    int ready;
    obuf buf;
    obuf err; /* the batch's problems, reader's and analyzer's, in order */
    size_t records;
    size_t messages; /* read by the worker (the batch's files) */
    /* a part of an mbox (set when the batch is queued, kept when the
     * result is written, until the slot's next batch is queued): */
    int chain;       /* the batch before it is the part before it */
    int count_known; /* count: the part's separators (PART_FAILED) */
    int base_known;  /* base: the separators before the part */
    size_t count, base;
} slot;

/* Batch and output buffers are handed back for reuse rather than freed:
 * freeing a megabyte block returns it to the system and the next batch
 * faults its pages in again.  Up to SPARES batches (each holding up to
 * BATCH_BYTES of copies) and SPARE_BUFS output buffers (as many as results
 * can wait to be written, with the light queue: see LIGHT_QUEUE) are kept;
 * a new output buffer starts at OUT_START bytes rather than growing there
 * from nothing, copy by copy. */
#define SPARES 8
#define SPARE_BUFS 64
#define OUT_START ((size_t)64 << 10)

/* The queue holds at most 2 batches of messages a worker (each up to
 * BATCH_BYTES of copies), and up to LIGHT_QUEUE more batches of paths or
 * parts, which cost nothing to hold: then the main thread, once it has
 * queued them, sleeps while the workers get through half of them, instead
 * of waking for every batch taken (each wake-up is two context switches,
 * on a machine with as many cores as workers). */
#define LIGHT_QUEUE 32

/* Why the main thread waits on main_cv: for room in the queue (woken
 * when half of it is free), or for the next result to write (woken when
 * it is ready). */
enum { W_NONE = 0, W_ROOM, W_RESULT };

typedef struct pool {
    pthread_mutex_t m;
    pthread_cond_t work_cv;    /* workers wait here: a batch queued, or done */
    pthread_cond_t main_cv;    /* the reader waits here: room, or a result */
    int main_waiting;          /* why the reader is waiting on main_cv
                                  (W_*): only then do workers wake it */
    job *q;
    size_t qcap, qhead, qlen;
    size_t qheavy, qheavy_max; /* batches of messages queued, and at most */
    slot *res;
    size_t window, next_write;
    int done;
    job spare_job[SPARES];   /* emptied batches, capacity kept */
    size_t nspare_job;
    obuf spare_buf[SPARE_BUFS]; /* written output buffers, capacity kept */
    size_t nspare_buf;
    unsigned ramp; /* batch limits divided by 2^ramp (RAMP, down to 0) */
    size_t pushed;            /* batches queued so far (the next seq) */
    pthread_cond_t part_cv;   /* a part's worker waits here for its base,
                                 or (the last part of a file without a
                                 message of its own) for the parts before
                                 it to be written */
    size_t part_waiting;      /* workers waiting on part_cv */
    size_t chain_msgs;        /* messages of the written parts of the file
                                 being written */
} pool;

/* Whether the batch being filled should go: its limits (see RAMP), the
 * byte limit at most byte_cap. */
static int batch_full(const pool *p, const job *j, size_t byte_cap)
{
    size_t bytes = BATCH_BYTES >> p->ramp;
    if (bytes > byte_cap)
        bytes = byte_cap;
    return j->nfiles >= ((size_t)BATCH_FILES >> p->ramp) ||
           j->n >= ((size_t)BATCH_MESSAGES >> p->ramp) || j->len >= bytes ||
           j->err.len >= BATCH_ERR_BYTES;
}

/* Keep j for reuse (emptied) or free it.  Called with p->m held. */
static void spare_job_put(pool *p, job *j)
{
    if (p->nspare_job < SPARES) {
        j->len = j->n = j->nfiles = 0;
        ob_reset(&j->err);
        p->spare_job[p->nspare_job++] = *j;
        memset(j, 0, sizeof *j);
    } else
        job_free(j);
}

/* Keep b for reuse (emptied) or free it.  Called with p->m held. */
static void spare_buf_put(pool *p, obuf *b)
{
    if (p->nspare_buf < SPARE_BUFS && !b->failed) {
        ob_reset(b);
        p->spare_buf[p->nspare_buf++] = *b;
        ob_init(b);
    } else
        ob_free(b);
}

typedef struct worker {
    pool *p;
    wctx ctx;
    pthread_t tid;
    int started;
    obuf err; /* the problems of the batch being analyzed */
    smtpstatus_reader *rd; /* reads the batches' files, one by one */
    size_t messages, failed; /* read from files; reopen failures */
} worker;

/* Read and analyze a file handed out by the walk, as the sequential run
 * does (its messages all here, in order): the reader's problems go in
 * order with the analyzer's, and a top-level file without a message
 * (and without a problem) is said. */
/* Analyze what the worker's reader gives (name: see
 * smtpstatus_analyze_reader); the number of messages read. */
static size_t analyze_read_all(worker *wk, const char *name)
{
    smtpstatus_stats before, after;
    smtpstatus_analyzer_stats(wk->ctx.an, &before);
    smtpstatus_analyze_reader(wk->ctx.an, wk->rd, name, on_record, &wk->ctx);
    smtpstatus_analyzer_stats(wk->ctx.an, &after);
    wk->messages += after.messages - before.messages;
    return after.messages - before.messages;
}

static void analyze_file(worker *wk, const char *path, int kind)
{
    /* opened as a folder entry: one that cannot be is said by next() */
    if (smtpstatus_reader_reopen(wk->rd, path) != SMTPSTATUS_OK) {
        wk->failed++;
        on_problem(path, "cannot open: out of memory", &wk->ctx);
        return;
    }
    analyze_read_all(wk, kind == I_TOPFILE ? path : NULL);
}

/* Pass the bases of parts on: the part after seq (when it is queued and
 * is the next part of the same file) starts after seq's separators once
 * seq's base and count are known, and so on.  Called with p->m held. */
static void part_propagate(pool *p, size_t seq)
{
    while (seq + 1 < p->pushed) {
        slot *s = &p->res[seq % p->window];
        slot *t = &p->res[(seq + 1) % p->window];
        if (!s->base_known || !s->count_known || !t->chain || t->base_known)
            return;
        t->base = s->base == PART_FAILED || s->count == PART_FAILED
                      ? PART_FAILED
                      : s->base + s->count;
        t->base_known = 1;
        seq++;
    }
}

/* Read and analyze a part of an mbox (batch seq): read it and count its
 * separators, say the count, wait for the number of messages before it,
 * then analyze its messages as the sequential run would. */
static void analyze_part(worker *wk, size_t seq, const msgref *m,
                         const char *path)
{
    pool *p = wk->p;
    size_t cnt = 0, base;
    const char *what = NULL;
    smtpstatus_rc rc = smtpstatus_reader_reopen_part(
        wk->rd, path, m->fpos, m->fpos + m->len, &cnt, &what);
    slot *s;

    pthread_mutex_lock(&p->m);
    s = &p->res[seq % p->window];
    s->count = rc == SMTPSTATUS_OK ? cnt : PART_FAILED;
    s->count_known = 1;
    part_propagate(p, seq);
    if (p->part_waiting)
        pthread_cond_broadcast(&p->part_cv);
    p->part_waiting++;
    while (!s->base_known)
        pthread_cond_wait(&p->part_cv, &p->m);
    p->part_waiting--;
    base = s->base;
    pthread_mutex_unlock(&p->m);

    if (base == PART_FAILED) /* said by the part that failed */
        return;
    if (rc != SMTPSTATUS_OK) {
        wk->failed++;
        on_problem(path,
                   what ? what
                   : rc == SMTPSTATUS_EINVAL
                       ? "read error: the file changed while it was read"
                       : smtpstatus_strerror(rc),
                   &wk->ctx);
        return;
    }
    smtpstatus_reader_part_number(wk->rd, base);
    if (analyze_read_all(wk, NULL) == 0 && m->last) {
        /* a file that holds no message is said, as in the sequential
         * run: when the parts before this one, written by now, had none */
        size_t msgs;
        pthread_mutex_lock(&p->m);
        p->part_waiting++;
        if (p->main_waiting) /* to write what is ready */
            pthread_cond_signal(&p->main_cv);
        while (p->next_write < seq)
            pthread_cond_wait(&p->part_cv, &p->m);
        p->part_waiting--;
        msgs = m->fpos ? p->chain_msgs : 0;
        pthread_mutex_unlock(&p->m);
        if (msgs == 0) {
            wk->failed++;
            on_problem(path, "no message in it (empty file)", &wk->ctx);
        }
    }
}

static void *worker_main(void *arg)
{
    worker *wk = arg;
    pool *p = wk->p;
    cli_thread_own_fds();
    for (;;) {
        job j;
        slot *s;
        pthread_mutex_lock(&p->m);
        while (p->qlen == 0 && !p->done)
            pthread_cond_wait(&p->work_cv, &p->m);
        if (p->qlen == 0 && p->done) {
            pthread_mutex_unlock(&p->m);
            break;
        }
        j = p->q[p->qhead];
        p->qhead = (p->qhead + 1) % p->qcap;
        p->qlen--;
        if (j.heavy)
            p->qheavy--;
        if (p->nspare_buf)
            wk->ctx.buf = p->spare_buf[--p->nspare_buf];
        else {
            ob_init(&wk->ctx.buf);
            wk->ctx.buf.data = malloc(OUT_START); /* else it grows */
            wk->ctx.buf.cap = wk->ctx.buf.data ? OUT_START : 0;
        }
        if (p->main_waiting == W_ROOM && p->qlen <= p->qcap / 2 &&
            p->qheavy <= p->qheavy_max / 2)
            pthread_cond_signal(&p->main_cv); /* room in the queue */
        pthread_mutex_unlock(&p->m);

        size_t seq = j.seq, eoff = 0, msgs0 = wk->messages;
        wk->ctx.records = 0;
        ob_reset(&wk->err);
        if (j.err.failed)
            ob_puts(&wk->err, "smtpstatus: out of memory while gathering "
                              "problems: some are not shown\n");
        for (size_t k = 0; k < j.n; k++) {
            /* the reader's problems before and of this message first */
            if (j.m[k].err_end > eoff) {
                ob_put(&wk->err, j.err.data + eoff, j.m[k].err_end - eoff);
                eoff = j.m[k].err_end;
            }
            smtpstatus_message msg;
            if (j.m[k].kind == I_PART) {
                analyze_part(wk, seq, &j.m[k], j.data + j.m[k].src);
                continue;
            }
            if (j.m[k].kind != I_MSG) {
                analyze_file(wk, j.data + j.m[k].src, j.m[k].kind);
                continue;
            }
            msg.data = j.data + j.m[k].off;
            msg.len = j.m[k].len;
            msg.source = j.data + j.m[k].src;
            msg.number = j.m[k].number;
            msg.warnings = j.m[k].warnings; /* truncated by the reader */
            smtpstatus_analyze_read(wk->ctx.an, &msg, on_record, &wk->ctx);
        }
        if (j.err.len > eoff) /* after the batch's last message */
            ob_put(&wk->err, j.err.data + eoff, j.err.len - eoff);
        pthread_mutex_lock(&p->m);
        spare_job_put(p, &j);
        s = &p->res[seq % p->window];
        s->buf = wk->ctx.buf;
        {   /* hand the problems over, keep the slot's emptied buffer */
            obuf t = s->err;
            s->err = wk->err;
            wk->err = t;
        }
        s->records = wk->ctx.records;
        s->messages = wk->messages - msgs0;
        s->ready = 1;
        if (p->main_waiting && seq == p->next_write &&
            (p->main_waiting == W_RESULT || p->part_waiting))
            pthread_cond_signal(&p->main_cv); /* the result to write */
        pthread_mutex_unlock(&p->m);
    }
    return NULL;
}

/* Write a batch's gathered problems to stderr (before its records, as the
 * sequential mode writes them while analyzing). */
static void write_problems(shared *sh, obuf *e)
{
    if (e->len) {
        clear_progress(sh);
        fwrite(e->data, 1, e->len, stderr);
    }
    if (e->failed)
        fprintf(stderr, "smtpstatus: out of memory while gathering "
                        "problems: some are not shown\n");
}

/* Write the results that are ready, in order.  Called with p->m held. */
static void flush_ready(pool *p, shared *sh)
{
    size_t guard = 0;
    while (guard++ < p->window) {
        slot *s = &p->res[p->next_write % p->window];
        obuf b, e;
        if (!s->ready)
            break;
        b = s->buf;
        e = s->err;
        sh->records += s->records;
        sh->messages += s->messages;
        if (!s->chain) /* a file's first part, or no part */
            p->chain_msgs = 0;
        p->chain_msgs += s->messages;
        s->ready = 0;
        ob_init(&s->buf);
        ob_init(&s->err);
        p->next_write++;
        if (p->part_waiting)
            pthread_cond_broadcast(&p->part_cv);
        pthread_mutex_unlock(&p->m);
        write_problems(sh, &e);
        emit(sh, &b);
        if (e.len || e.failed)
            fflush(stderr);
        pthread_mutex_lock(&p->m);
        spare_buf_put(p, &b);
        if (s->err.cap == 0) { /* keep its capacity for the slot's next use */
            ob_reset(&e);
            s->err = e;
        } else
            ob_free(&e);
    }
}

static int nw_running(const worker *wk, size_t nw)
{
    size_t i;
    for (i = 0; i < nw; i++)
        if (wk[i].started)
            return 1;
    return 0;
}

/* Queue the batch for the workers (waiting for room), writing the results
 * that are ready meanwhile; the batch is handed over and *cur emptied. */
static void push_job(pool *p, shared *sh, job *cur, size_t *seq)
{
    pthread_mutex_lock(&p->m);
    flush_ready(p, sh);
    cur->heavy = cur->n > cur->nfiles;
    for (;;) {
        int why = W_NONE;
        if (*seq - p->next_write >= p->window - 1)
            why = W_RESULT;
        else if (p->qlen == p->qcap ||
                 (cur->heavy && p->qheavy >= p->qheavy_max))
            why = W_ROOM;
        if (why == W_NONE)
            break;
        p->main_waiting = why;
        pthread_cond_wait(&p->main_cv, &p->m);
        p->main_waiting = W_NONE;
        flush_ready(p, sh);
    }
    cur->seq = *seq;
    {   /* a part's place in its file (see part_propagate) */
        slot *s = &p->res[*seq % p->window];
        s->chain = cur->n && cur->m[0].kind == I_PART && cur->m[0].fpos;
        s->count_known = 0;
        s->base_known = !s->chain;
        s->count = s->base = 0;
    }
    p->q[(p->qhead + p->qlen) % p->qcap] = *cur;
    p->qlen++;
    if (cur->heavy)
        p->qheavy++;
    (*seq)++;
    p->pushed = *seq;
    if (p->res[(*seq - 1) % p->window].chain) {
        part_propagate(p, *seq - 2);
        if (p->part_waiting)
            pthread_cond_broadcast(&p->part_cv);
    }
    if (p->nspare_job)
        *cur = p->spare_job[--p->nspare_job];
    else
        memset(cur, 0, sizeof *cur);
    if (p->ramp)
        p->ramp--;
    pthread_cond_signal(&p->work_cv);
    pthread_mutex_unlock(&p->m);
}

/* Walk a path, handing its regular files to the workers by path, in walk
 * order, BATCH_FILES to a batch; the walk's problems (a path that cannot
 * be opened, a FIFO, ...) go with the batch being filled.  path itself,
 * when it is a regular file, is a top-level file (said when empty). */
static void walk_files(pool *p, shared *sh, smtpstatus_reader *rd,
                       const char *path, job *cur, size_t *seq,
                       smtpstatus_stats *total, wctx *mainctx)
{
    for (;;) {
        const char *fp = NULL, *what = NULL;
        smtpstatus_rc rc = smtpstatus_reader_next_path(rd, &fp, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        if (rc != SMTPSTATUS_OK) {
            total->failed++;
            on_problem(fp ? fp : path, what ? what : smtpstatus_strerror(rc),
                       mainctx);
            if (rc == SMTPSTATUS_ENOMEM || rc == SMTPSTATUS_EINVAL)
                break;
            if (cur->err.len >= BATCH_ERR_BYTES)
                push_job(p, sh, cur, seq);
            continue;
        }
        /* only the top path itself is handed out as it was given */
        if (job_add_path(cur, fp, strcmp(fp, path) == 0 ? I_TOPFILE : I_FILE,
                         0, 0, 0)) {
            total->failed++;
            on_problem(fp, "out of memory", mainctx);
            continue;
        }
        if (batch_full(p, cur, BATCH_BYTES))
            push_job(p, sh, cur, seq);
        if (sh->o->progress && now() - sh->last_progress >= 0.5) {
            fflush(stdout);
            show_progress(sh, sh->messages, sh->records, 0);
        }
        if (sh->write_failed)
            break;
    }
}

/* Queue an mbox of size bytes as parts, a batch each (see I_PART), after
 * the batch being filled. */
static void push_parts(pool *p, shared *sh, const char *path,
                       unsigned long long size, job *cur, size_t *seq,
                       smtpstatus_stats *total, wctx *mainctx)
{
    unsigned long long start;
    if (cur->n || cur->err.len || cur->err.failed)
        push_job(p, sh, cur, seq);
    for (start = 0; start < size && !sh->write_failed;
         start += SMTPSTATUS_MBOX_PART_MAX) {
        size_t len = size - start > SMTPSTATUS_MBOX_PART_MAX
                         ? SMTPSTATUS_MBOX_PART_MAX
                         : (size_t)(size - start);
        if (job_add_path(cur, path, I_PART, start, len, start + len >= size)) {
            /* out of memory: what is queued stays, the rest is lost */
            total->failed++;
            on_problem(path, "out of memory", mainctx);
            break;
        }
        push_job(p, sh, cur, seq);
        if (sh->o->progress && now() - sh->last_progress >= 0.5) {
            fflush(stdout);
            show_progress(sh, sh->messages, sh->records, 0);
        }
    }
}

static int run_parallel(shared *sh, char **paths, size_t npaths,
                        smtpstatus_stats *total)
{
    const bopts *o = sh->o;
    size_t nw = (size_t)o->jobs, i, seq = 0;
    pool p;
    worker *wk;
    int failed = 0;
    wctx mainctx;
    job cur;

    memset(&cur, 0, sizeof cur);
    memset(&p, 0, sizeof p);
    memset(total, 0, sizeof *total);
    memset(&mainctx, 0, sizeof mainctx);
    mainctx.sh = sh;
    mainctx.direct = 1;
    /* the reader's problems go with the batch being filled, so that they
     * come out in input order with the analyzers' */
    mainctx.gather = &cur.err;
    p.qheavy_max = 2 * nw;
    p.qcap = p.qheavy_max + LIGHT_QUEUE;
    p.ramp = RAMP;
    p.window = p.qcap + nw + 1;
    p.q = calloc(p.qcap, sizeof *p.q);
    p.res = calloc(p.window, sizeof *p.res);
    wk = calloc(nw, sizeof *wk);
    if (!p.q || !p.res || !wk) {
        free(p.q);
        free(p.res);
        free(wk);
        fprintf(stderr, "smtpstatus: bounce: out of memory\n");
        return 1;
    }
    pthread_mutex_init(&p.m, NULL);
    pthread_cond_init(&p.work_cv, NULL);
    pthread_cond_init(&p.main_cv, NULL);
    pthread_cond_init(&p.part_cv, NULL);
    for (i = 0; i < nw; i++) {
        wk[i].p = &p;
        wk[i].ctx.sh = sh;
        wk[i].ctx.gather = &wk[i].err;
        wk[i].ctx.an = smtpstatus_analyzer_new(&o->an);
        wk[i].rd = smtpstatus_reader_open(NULL, &o->an.limits, NULL);
        if (!wk[i].ctx.an || !wk[i].rd) {
            fprintf(stderr, "smtpstatus: bounce: out of memory\n");
            failed = 1;
            break;
        }
        smtpstatus_analyzer_on_problem(wk[i].ctx.an, on_problem, &wk[i].ctx);
        if (pthread_create(&wk[i].tid, NULL, worker_main, &wk[i]) != 0) {
            fprintf(stderr, "smtpstatus: bounce: cannot start a thread\n");
            failed = 1;
            break;
        }
        wk[i].started = 1;
    }

    for (i = 0; i < npaths && !failed && !sh->write_failed; i++) {
        smtpstatus_rc rc = SMTPSTATUS_OK;
        struct stat ist;
        /* standard input and a big file are read here, their messages
         * spread over the workers; folders (and small files) are walked
         * here and their files handed out by path (walk_files) */
        int is_reg = strcmp(paths[i], "-") != 0 &&
                     stat(paths[i], &ist) == 0 && S_ISREG(ist.st_mode);
        int by_path = strcmp(paths[i], "-") != 0 &&
                      !(is_reg &&
                        (unsigned long long)ist.st_size >= BATCH_BYTES);
        unsigned long long psize = 0;
        if (!by_path && is_reg &&
            smtpstatus_mbox_parts(paths[i], &psize) == SMTPSTATUS_OK &&
            psize >= 2 * (unsigned long long)SMTPSTATUS_MBOX_PART_MAX) {
            total->inputs++;
            push_parts(&p, sh, paths[i], psize, &cur, &seq, total, &mainctx);
            continue;
        }
        smtpstatus_reader *rd = smtpstatus_reader_open(paths[i],
                                                       &o->an.limits, &rc);
        total->inputs++;
        if (!rd) {
            char what[256];
            total->failed++;
            snprintf(what, sizeof what, "cannot open: %s",
                     rc == SMTPSTATUS_ENOMEM ? "out of memory"
                                             : strerror(errno));
            on_problem(paths[i], what, &mainctx);
            if (cur.err.len >= BATCH_ERR_BYTES)
                push_job(&p, sh, &cur, &seq);
            continue;
        }
        if (by_path) {
            walk_files(&p, sh, rd, paths[i], &cur, &seq, total, &mainctx);
            smtpstatus_reader_close(rd);
            continue;
        }
        /* (sh->messages also grows by the files workers read) */
        size_t nread = 0, fails_before = total->failed;
        /* what is left of a regular file to read (for the batches near
         * its end; standard input: unknown) */
        unsigned long long left =
            is_reg ? (unsigned long long)ist.st_size : 0;
        for (;;) {
            smtpstatus_message msg;
            const char *what = NULL;
            memset(&msg, 0, sizeof msg);
            rc = smtpstatus_reader_next(rd, &msg, &what);
            if (rc == SMTPSTATUS_ENOTFOUND)
                break;
            if (rc != SMTPSTATUS_OK) {
                total->failed++;
                on_problem(msg.source ? msg.source : paths[i],
                           what ? what : smtpstatus_strerror(rc), &mainctx);
                if (rc == SMTPSTATUS_ENOMEM || rc == SMTPSTATUS_EINVAL)
                    break;
                if (cur.err.len >= BATCH_ERR_BYTES)
                    push_job(&p, sh, &cur, &seq);
                continue;
            }
            if (job_add(&cur, &msg, msg.source ? msg.source : paths[i])) {
                total->failed++;
                on_problem(msg.source, "out of memory", &mainctx);
                continue;
            }
            sh->messages++;
            nread++;
            left = left > msg.len ? left - msg.len : 0;
            size_t cap = BATCH_BYTES;
            if (left && left / (2 * nw) < cap) /* near the end */
                cap = left / (2 * nw) > (BATCH_BYTES >> RAMP)
                          ? (size_t)(left / (2 * nw))
                          : BATCH_BYTES >> RAMP;
            if (batch_full(&p, &cur, cap))
                push_job(&p, sh, &cur, &seq);
            if (o->progress && now() - sh->last_progress >= 0.5) {
                fflush(stdout);
                show_progress(sh, sh->messages, sh->records, 0);
            }
            if (sh->write_failed)
                break;
        }
        smtpstatus_reader_close(rd);
        /* a file that holds no message is said, not dropped (as the
         * library's smtpstatus_analyze_path does) */
        if (nread == 0 && total->failed == fails_before) {
            struct stat st;
            if (strcmp(paths[i], "-") == 0 ||
                (stat(paths[i], &st) == 0 && !S_ISDIR(st.st_mode))) {
                total->failed++;
                on_problem(paths[i], "no message in it (empty file)",
                           &mainctx);
            }
        }
    }

    if (cur.n || cur.err.len || cur.err.failed)
        push_job(&p, sh, &cur, &seq);
    job_free(&cur);
    pthread_mutex_lock(&p.m);
    p.done = 1;
    pthread_cond_broadcast(&p.work_cv);
    flush_ready(&p, sh);
    /* wait for the results of the jobs still queued or being analyzed
     * (no worker running: nothing more will come) */
    while (p.next_write < seq && nw_running(wk, nw)) {
        p.main_waiting = W_RESULT;
        pthread_cond_wait(&p.main_cv, &p.m);
        p.main_waiting = W_NONE;
        flush_ready(&p, sh);
    }
    pthread_mutex_unlock(&p.m);

    for (i = 0; i < nw; i++) {
        if (wk[i].started)
            pthread_join(wk[i].tid, NULL);
        if (wk[i].ctx.an) {
            smtpstatus_stats st;
            smtpstatus_analyzer_stats(wk[i].ctx.an, &st);
            total->messages += st.messages;
            total->bounces += st.bounces;
            total->not_bounces += st.not_bounces;
            total->records += st.records;
            total->failed += st.failed;
            total->warnings += st.warnings;
            total->bytes += st.bytes;
            smtpstatus_analyzer_free(wk[i].ctx.an);
        }
        total->failed += wk[i].failed;
        smtpstatus_reader_close(wk[i].rd);
        ob_free(&wk[i].err);
    }
    /* anything left in the queue when starting threads failed */
    for (i = 0; i < p.qlen; i++)
        job_free(&p.q[(p.qhead + i) % p.qcap]);
    for (i = 0; i < p.window; i++) {
        ob_free(&p.res[i].buf);
        ob_free(&p.res[i].err);
    }
    for (i = 0; i < p.nspare_job; i++)
        job_free(&p.spare_job[i]);
    for (i = 0; i < p.nspare_buf; i++)
        ob_free(&p.spare_buf[i]);
    pthread_cond_destroy(&p.work_cv);
    pthread_cond_destroy(&p.main_cv);
    pthread_cond_destroy(&p.part_cv);
    pthread_mutex_destroy(&p.m);
    free(p.q);
    free(p.res);
    free(wk);
    return failed;
}

/* ---- the sequential mode ---- */

static int run_sequential(shared *sh, char **paths, size_t npaths,
                          smtpstatus_stats *total)
{
    wctx w;
    size_t i;
    int failed = 0;
    memset(&w, 0, sizeof w);
    w.sh = sh;
    w.direct = 1;
    ob_init(&w.buf);
    w.an = smtpstatus_analyzer_new(&sh->o->an);
    if (!w.an) {
        fprintf(stderr, "smtpstatus: bounce: out of memory\n");
        memset(total, 0, sizeof *total);
        return 1;
    }
    smtpstatus_analyzer_on_problem(w.an, on_problem, &w);
    for (i = 0; i < npaths; i++) {
        smtpstatus_rc rc = smtpstatus_analyze_path(w.an, paths[i], on_record,
                                                   &w);
        emit(sh, &w.buf);
        if (rc == SMTPSTATUS_ECALLBACK || sh->write_failed)
            break;
        if (rc != SMTPSTATUS_OK)
            failed = 1;
    }
    emit(sh, &w.buf);
    smtpstatus_analyzer_stats(w.an, total);
    smtpstatus_analyzer_free(w.an);
    ob_free(&w.buf);
    return failed;
}

/* ---- options ---- */

static int parse_count(const char *s, int suffixes, size_t *out)
{
    char *end;
    unsigned long long v, mul = 1;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (*end && suffixes) {
        switch (*end) {
        case 'k': case 'K': mul = 1024ull; break;
        case 'm': case 'M': mul = 1024ull * 1024; break;
        case 'g': case 'G': mul = 1024ull * 1024 * 1024; break;
        default: return -1;
        }
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
    }
    if (*end)
        return -1;
    if (v > ((unsigned long long)(size_t)-1) / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

int cmd_bounce(int argc, char **argv)
{
    cli_args a;
    const char *arg, *inl;
    int kind, format = -1, progress = -1, failed;
    bopts o;
    shared sh;
    char **paths;
    size_t npaths = 0;
    smtpstatus_stats st;
    obuf b;
    double el;

    memset(&o, 0, sizeof o);
    smtpstatus_limits_default(&o.an.limits);
    o.jobs = 1;
    paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths)
        return CLI_EXIT_FAIL;

    cli_args_init(&a, "bounce", argc, argv);
    while ((kind = cli_args_next(&a, &arg, &inl)) != CLI_END) {
        const char *v;
        size_t n;
        size_t *limit = NULL;
        int suffixes = 1;
        if (kind == CLI_OPERAND) {
            paths[npaths++] = (char *)arg;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            free(paths);
            cli_help("bounce", stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--format") == 0 || strcmp(arg, "-f") == 0) {
            if (!(v = cli_args_value(&a, arg, inl)))
                goto usage;
            if (strcmp(v, "jsonl") == 0) format = F_JSONL;
            else if (strcmp(v, "json") == 0) format = F_JSON;
            else if (strcmp(v, "csv") == 0) format = F_CSV;
            else if (strcmp(v, "table") == 0) format = F_TABLE;
            else if (strcmp(v, "sisimai") == 0) format = F_SISIMAI;
            else {
                cli_usage_error("bounce", "unknown format '%s' (formats: "
                                "jsonl, json, csv, table, sisimai)", v);
                goto usage;
            }
            continue;
        }
        if (strcmp(arg, "--jobs") == 0 || strcmp(arg, "-j") == 0) {
            if (!(v = cli_args_value(&a, arg, inl)))
                goto usage;
            if (parse_count(v, 0, &n) != 0 || n < 1 || n > MAX_JOBS) {
                cli_usage_error("bounce", "%s needs a number from 1 to %d, "
                                "not '%s'", arg, MAX_JOBS, v);
                goto usage;
            }
            o.jobs = (long)n;
            continue;
        }
        if (strcmp(arg, "--max-message-size") == 0)
            limit = &o.an.limits.max_message_size;
        else if (strcmp(arg, "--max-header-size") == 0)
            limit = &o.an.limits.max_header_size;
        else if (strcmp(arg, "--max-line-length") == 0)
            limit = &o.an.limits.max_line_length;
        else if (strcmp(arg, "--max-text-scan") == 0)
            limit = &o.an.limits.max_text_scan;
        else if (strcmp(arg, "--max-depth") == 0) {
            limit = &o.an.limits.max_mime_depth;
            suffixes = 0;
        } else if (strcmp(arg, "--max-parts") == 0) {
            limit = &o.an.limits.max_parts;
            suffixes = 0;
        } else if (strcmp(arg, "--max-recipients") == 0) {
            limit = &o.an.limits.max_recipients;
            suffixes = 0;
        }
        if (limit) {
            if (!(v = cli_args_value(&a, arg, inl)))
                goto usage;
            if (parse_count(v, suffixes, &n) != 0 || n == 0) {
                cli_usage_error("bounce", "%s needs a positive %s, not '%s'",
                                arg, suffixes ? "size (e.g. 10M)" : "number",
                                v);
                goto usage;
            }
            *limit = n;
            continue;
        }
        if (inl) {
            cli_usage_error("bounce", "option %s takes no value", arg);
            goto usage;
        }
        if (strcmp(arg, "--all") == 0)
            o.an.flags |= SMTPSTATUS_O_ALL;
        else if (strcmp(arg, "--delivered") == 0)
            o.an.flags |= SMTPSTATUS_O_DELIVERED;
        else if (strcmp(arg, "--vacation") == 0)
            o.an.flags |= SMTPSTATUS_O_VACATION;
        else if (strcmp(arg, "--sisimai-compat") == 0)
            o.an.flags |= SMTPSTATUS_O_SISIMAI;
        else if (strcmp(arg, "--stats") == 0)
            o.stats = 1;
        else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0)
            o.quiet = 1;
        else if (strcmp(arg, "--progress") == 0)
            progress = 1;
        else if (strcmp(arg, "--no-progress") == 0)
            progress = 0;
        else {
            cli_bad_option(&a, arg, inl);
            goto usage;
        }
    }
    if (npaths == 0) {
        cli_usage_error("bounce", "no input: give a file, mbox, Maildir, "
                        "folder, or - for standard input");
        goto usage;
    }
    o.format = format >= 0 ? format : (isatty(1) ? F_TABLE : F_JSONL);
    o.progress = progress >= 0 ? progress : isatty(2);
    /* Problem lines to a file or pipe are gathered and written with each
     * batch of records (emit) and at the end, rather than one write per
     * line; on a terminal, or with a progress line, they go at once. */
    static char errbuf[1 << 14];
    if (!o.progress && !isatty(2))
        setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);

    memset(&sh, 0, sizeof sh);
    sh.o = &o;
    sh.t0 = now();
    sh.last_progress = sh.t0;

    ob_init(&b);
    if (o.format == F_JSON || o.format == F_SISIMAI)
        ob_puts(&b, "[");
    else if (o.format == F_CSV)
        fmt_csv_header(&b);
    else if (o.format == F_TABLE)
        fmt_table_header(&b);
    emit(&sh, &b);
    sh.any_written = 0;

    if (o.jobs > 1)
        failed = run_parallel(&sh, paths, npaths, &st);
    else
        failed = run_sequential(&sh, paths, npaths, &st);

    if (o.format == F_JSON || o.format == F_SISIMAI) {
        ob_puts(&b, "\n]\n");
        sh.any_written = 1;
        emit(&sh, &b);
    }
    ob_free(&b);
    if (fflush(stdout) != 0 && !sh.write_failed) {
        sh.write_failed = 1;
        fprintf(stderr, "smtpstatus: cannot write the output: %s\n",
                strerror(errno));
    }
    if (o.progress) {
        show_progress(&sh, st.messages, st.records, 1);
        clear_progress(&sh);
    }
    el = now() - sh.t0;
    if (o.stats)
        fprintf(stderr,
                "smtpstatus: stats: inputs=%lu messages=%lu bounces=%lu "
                "not_bounces=%lu records=%lu failed=%lu warnings=%lu "
                "bytes=%llu elapsed=%.3fs rate=%.1f messages/s\n",
                (unsigned long)st.inputs, (unsigned long)st.messages,
                (unsigned long)st.bounces, (unsigned long)st.not_bounces,
                (unsigned long)st.records, (unsigned long)st.failed,
                (unsigned long)st.warnings, st.bytes, el,
                el > 0 ? (double)st.messages / el : 0.0);
    free(paths);
    if (failed || st.failed || sh.write_failed)
        return CLI_EXIT_FAIL;
    return CLI_EXIT_OK;
usage:
    free(paths);
    return CLI_EXIT_USAGE;
}
