/*
 * cmd_parse.c - "smtpstatus parse": reads SMTP replies or a whole session
 * transcript on standard input, parses each reply with
 * smtpstatus_reply_parse(), attributes it to the client command it
 * answers and explains it.  It does not validate client commands and does
 * not follow SMTP state beyond pipelined commands and DATA content.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT ((size_t)256 * 1024 * 1024)
#define MAX_GROUP_LINES 1000
#define MAX_PENDING 64
#define CMD_LEN 16

enum side { SIDE_NONE = 0, SIDE_SERVER = 1, SIDE_CLIENT = 2 };

typedef struct prefix {
    const char *s;
    enum side side;
} prefix;

static const prefix prefixes[] = {
    {"SERVER -> CLIENT: ", SIDE_SERVER}, {"CLIENT -> SERVER: ", SIDE_CLIENT},
    {"S: ", SIDE_SERVER},  {"S:", SIDE_SERVER},   {"<<< ", SIDE_SERVER},
    {"<<<", SIDE_SERVER},  {"<- ", SIDE_SERVER},  {"<~ ", SIDE_SERVER},
    {"<** ", SIDE_SERVER}, {"C: ", SIDE_CLIENT},  {"C:", SIDE_CLIENT},
    {">>> ", SIDE_CLIENT}, {">>>", SIDE_CLIENT},  {" -> ", SIDE_CLIENT},
    {" ~> ", SIDE_CLIENT}, {"-> ", SIDE_CLIENT},  {"~> ", SIDE_CLIENT},
};

static const char *const commands[] = {
    "HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET",
    "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "ETRN",
    "TURN", "ATRN", "XCLIENT", "XFORWARD", "BURL", "SEND", "SOML", "SAML",
};

typedef struct line {
    size_t start;   /* offset of the line in the input */
    size_t end;     /* end of content (before CR LF / LF) */
    size_t next;    /* offset of the following line */
    size_t pfx;     /* length of the prefix */
    enum side side;
} line;

static void get_line(const char *in, size_t len, size_t at, line *l)
{
    size_t i = at, k;
    while (i < len && in[i] != '\n')
        i++;
    l->start = at;
    l->next = i < len ? i + 1 : len;
    l->end = i;
    if (l->end > at && in[l->end - 1] == '\r')
        l->end--;
    l->pfx = 0;
    l->side = SIDE_NONE;
    for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        size_t n = strlen(prefixes[k].s);
        if (l->end - at >= n && memcmp(in + at, prefixes[k].s, n) == 0) {
            l->pfx = n;
            l->side = prefixes[k].side;
            while (at + l->pfx < l->end && in[at + l->pfx] == ' ')
                l->pfx++; /* "<-  250 ..." */
            break;
        }
    }
}

static int starts_digit(const char *in, const line *l)
{
    size_t s = l->start + l->pfx;
    return s < l->end && in[s] >= '0' && in[s] <= '9';
}

/* The command verb of a client line, upper-cased, or "" */
static void command_verb(const char *in, const line *l, char out[CMD_LEN],
                         int any)
{
    size_t s = l->start + l->pfx, n = 0, k;
    while (s < l->end && in[s] == ' ')
        s++;
    while (s + n < l->end && n + 1 < CMD_LEN &&
           isalpha((unsigned char)in[s + n]))
        n++;
    out[0] = '\0';
    if (n == 0 || (s + n < l->end && in[s + n] != ' ' && in[s + n] != ':'))
        return;
    for (k = 0; k < n; k++)
        out[k] = (char)toupper((unsigned char)in[s + k]);
    out[n] = '\0';
    if (any)
        return;
    for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(out, commands[k]) == 0)
            return;
    out[0] = '\0';
}

typedef struct gline {
    size_t gstart;  /* offset in the group buffer */
    size_t lineno;
    size_t pfx;
} gline;

typedef struct state {
    int json;
    unsigned opts;
    char pending[MAX_PENDING][CMD_LEN];
    size_t npending, head;
    char last[CMD_LEN];
    int seen_reply;
    int in_data;
    size_t replies, errors;
    obuf out;
    obuf tmp;
} state;

static void push_cmd(state *st, const char *cmd)
{
    if (st->npending < MAX_PENDING) {
        size_t at = (st->head + st->npending) % MAX_PENDING;
        snprintf(st->pending[at], CMD_LEN, "%s", cmd);
        st->npending++;
    }
    snprintf(st->last, CMD_LEN, "%s", cmd);
}

/* The command a reply answers: the oldest pending one; CONNECT for a
 * first 220 greeting. */
static void pop_cmd(state *st, char out[CMD_LEN], int code)
{
    out[0] = '\0';
    if (st->npending) {
        snprintf(out, CMD_LEN, "%s", st->pending[st->head]);
        st->head = (st->head + 1) % MAX_PENDING;
        st->npending--;
    } else if (!st->seen_reply && !st->last[0] && code == 220) {
        snprintf(out, CMD_LEN, "CONNECT");
    }
    /* more replies than commands seen: unknown rather than a guess */
}

static void report_error(state *st, const gline *gl, size_t ng,
                         size_t off, const char *what)
{
    size_t k = 0;
    while (k + 1 < ng && gl[k + 1].gstart <= off)
        k++;
    fprintf(stderr, "smtpstatus: parse: line %lu, byte %lu: %s\n",
            (unsigned long)gl[k].lineno,
            (unsigned long)(off - gl[k].gstart + gl[k].pfx + 1),
            what ? what : "invalid reply");
    st->errors++;
}

static void emit_reply(state *st, const char *g, const smtpstatus_reply *r,
                       size_t lineno, const char *cmd)
{
    smtpstatus_explanation ex;
    smtpstatus_slice sl;
    size_t pos = 0, guard = 0, tstart;
    char stbuf[16];
    obuf *b = &st->out;

    /* "550 5.1.1 joined text" for smtpstatus_explain() */
    ob_reset(&st->tmp);
    ob_printf(&st->tmp, "%d ", r->code);
    if (r->status.klass)
        ob_printf(&st->tmp, "%s ",
                  smtpstatus_status_format(&r->status, stbuf, sizeof stbuf));
    tstart = st->tmp.len;
    while (guard++ <= r->nlines &&
           smtpstatus_reply_line(g, r, &pos, &sl) == SMTPSTATUS_OK) {
        while (sl.len && (sl.ptr[0] == ' ' || sl.ptr[0] == '\t')) {
            sl.ptr++;
            sl.len--;
        }
        while (sl.len && (sl.ptr[sl.len - 1] == ' ' ||
                          sl.ptr[sl.len - 1] == '\t'))
            sl.len--;
        if (sl.len == 0)
            continue;
        if (st->tmp.len > tstart)
            ob_putc(&st->tmp, ' ');
        ob_put(&st->tmp, sl.ptr, sl.len);
    }
    if (st->tmp.failed) {
        fprintf(stderr, "smtpstatus: parse: out of memory\n");
        st->errors++;
        return;
    }
    memset(&ex, 0, sizeof ex);
    smtpstatus_explain(st->tmp.data, st->tmp.len, &ex);
    /* what the reply parser saw is authoritative */
    ex.reply_code = r->code;
    ex.status = r->status;
    ex.warnings = r->warnings;
    ex.text.ptr = st->tmp.data + tstart;
    ex.text.len = st->tmp.len - tstart;

    if (st->json) {
        int first = 1;
        ob_putc(b, '{');
        ob_json_key(b, "line", &first);
        ob_printf(b, "%lu", (unsigned long)lineno);
        ob_json_key(b, "lines", &first);
        ob_printf(b, "%lu", (unsigned long)r->nlines);
        ob_json_key(b, "smtp_command", &first);
        ob_json_cstr_or_null(b, cmd);
        explain_json_members(b, &ex, &first);
        ob_puts(b, "}\n");
    } else {
        ob_printf(b, "%sline %lu: %d", st->replies ? "\n" : "",
                  (unsigned long)lineno, r->code);
        if (r->status.klass)
            ob_printf(b, " %s",
                      smtpstatus_status_format(&r->status, stbuf, sizeof stbuf));
        if (cmd && *cmd)
            ob_printf(b, " (reply to %s)", cmd);
        if (r->nlines > 1)
            ob_printf(b, ", %lu lines", (unsigned long)r->nlines);
        ob_putc(b, '\n');
        explain_text_block(b, &ex, "  ");
    }
    st->replies++;
}

/* Parse the reply lines gathered in g (group of ng lines). */
static void parse_group(state *st, const char *g, size_t glen,
                        const gline *gl, size_t ng, int at_eof)
{
    size_t pos = 0, guard = 0;
    while (pos < glen && guard++ <= ng) {
        smtpstatus_reply r;
        smtpstatus_rc rc;
        size_t k, lineno = gl[0].lineno;
        char cmd[CMD_LEN];
        rc = smtpstatus_reply_parse(g + pos, glen - pos,
                                    st->opts | (at_eof ? SMTPSTATUS_P_EOF_ENDS
                                                       : 0u),
                                    &r);
        for (k = 0; k < ng; k++)
            if (gl[k].gstart <= pos)
                lineno = gl[k].lineno;
        if (rc == SMTPSTATUS_OK && r.consumed > 0) {
            int final_code = r.code;
            pop_cmd(st, cmd, final_code);
            emit_reply(st, g + pos, &r, lineno, cmd);
            st->seen_reply = 1;
            if (r.code == 354)
                st->in_data = 1;
            pos += r.consumed;
            continue;
        }
        pop_cmd(st, cmd, 0);
        st->seen_reply = 1;
        if (rc == SMTPSTATUS_EINCOMPLETE)
            report_error(st, gl, ng, glen > 0 ? glen - 1 : 0,
                         "the reply ends with a continuation line "
                         "(code followed by '-') and no last line follows");
        else
            report_error(st, gl, ng, pos + r.error_offset,
                         r.error ? r.error : smtpstatus_strerror(rc));
        /* go on after the line with the problem */
        {
            size_t off = pos + r.error_offset, nextpos = glen;
            for (k = 0; k < ng; k++)
                if (gl[k].gstart > off) {
                    nextpos = gl[k].gstart;
                    break;
                }
            if (rc == SMTPSTATUS_EINCOMPLETE || nextpos <= pos)
                nextpos = glen;
            pos = nextpos;
        }
    }
}

static int read_all(FILE *f, obuf *b)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b->len + n > MAX_INPUT) {
            fprintf(stderr, "smtpstatus: parse: input larger than %lu MiB\n",
                    (unsigned long)(MAX_INPUT >> 20));
            return -1;
        }
        ob_put(b, chunk, n);
        if (b->failed) {
            fprintf(stderr, "smtpstatus: parse: out of memory\n");
            return -1;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "smtpstatus: parse: cannot read standard input\n");
        return -1;
    }
    return 0;
}

int cmd_parse(int argc, char **argv)
{
    cli_args a;
    const char *arg, *inl, *in;
    int kind, rc = CLI_EXIT_OK;
    obuf input, group;
    gline *gl;
    state *st;
    size_t len, at = 0, lineno = 0;

    st = calloc(1, sizeof *st);
    if (!st)
        return CLI_EXIT_FAIL;
    cli_args_init(&a, "parse", argc, argv);
    while ((kind = cli_args_next(&a, &arg, &inl)) != CLI_END) {
        if (kind == CLI_OPERAND) {
            free(st);
            return cli_usage_error("parse", "unexpected argument '%s' (parse "
                                   "reads standard input)", arg);
        }
        if (!inl && strcmp(arg, "--json") == 0)
            st->json = 1;
        else if (!inl && strcmp(arg, "--strict") == 0)
            st->opts |= SMTPSTATUS_P_STRICT;
        else if (!inl && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
            free(st);
            cli_help("parse", stdout);
            return CLI_EXIT_OK;
        } else {
            free(st);
            return cli_bad_option(&a, arg, inl);
        }
    }
    gl = malloc(sizeof *gl * MAX_GROUP_LINES);
    if (!gl) {
        free(st);
        return CLI_EXIT_FAIL;
    }
    ob_init(&input);
    ob_init(&group);
    ob_init(&st->out);
    ob_init(&st->tmp);
    if (read_all(stdin, &input) != 0) {
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    in = input.data ? input.data : "";
    len = input.len;

    while (at < len) {
        line l;
        get_line(in, len, at, &l);
        lineno++;
        if (st->in_data && l.side != SIDE_SERVER) {
            if (l.end - l.start - l.pfx == 1 && in[l.start + l.pfx] == '.') {
                st->in_data = 0;
                push_cmd(st, "DATA");
            }
            at = l.next;
            continue;
        }
        if (l.side != SIDE_SERVER && !starts_digit(in, &l)) {
            char verb[CMD_LEN];
            command_verb(in, &l, verb, l.side == SIDE_CLIENT);
            if (verb[0])
                push_cmd(st, verb);
            at = l.next;
            continue;
        }
        if (l.side == SIDE_SERVER && !starts_digit(in, &l)) {
            if (l.end > l.start + l.pfx) {
                fprintf(stderr, "smtpstatus: parse: line %lu, byte %lu: a "
                        "server line that does not start with a reply code\n",
                        (unsigned long)lineno, (unsigned long)(l.pfx + 1));
                st->errors++;
            }
            at = l.next;
            continue;
        }
        /* gather the lines of one reply: continue while "NNN-" */
        {
            size_t ng = 0;
            line cur = l;
            ob_reset(&group);
            for (;;) {
                size_t cs = cur.start + cur.pfx;
                gl[ng].gstart = group.len;
                gl[ng].lineno = lineno;
                gl[ng].pfx = cur.pfx;
                ng++;
                ob_put(&group, in + cs, cur.next - cs);
                at = cur.next;
                if (!(cur.end - cs >= 4 && in[cs + 3] == '-') || at >= len ||
                    ng >= MAX_GROUP_LINES)
                    break;
                get_line(in, len, at, &cur);
                if (!starts_digit(in, &cur) ||
                    (cur.side != l.side && cur.side != SIDE_NONE))
                    break;
                lineno++;
            }
            if (group.failed) {
                fprintf(stderr, "smtpstatus: parse: out of memory\n");
                rc = CLI_EXIT_FAIL;
                goto done;
            }
            parse_group(st, group.data, group.len, gl, ng, at >= len);
        }
        if (ob_flush(&st->out, stdout) != 0) {
            fprintf(stderr, "smtpstatus: parse: cannot write the output\n");
            rc = CLI_EXIT_FAIL;
            goto done;
        }
    }
    if (ob_flush(&st->out, stdout) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "smtpstatus: parse: cannot write the output\n");
        rc = CLI_EXIT_FAIL;
    }
    if (st->replies == 0 && st->errors == 0) {
        fprintf(stderr, "smtpstatus: parse: no SMTP reply found in the "
                "input\n");
        rc = CLI_EXIT_FAIL;
    }
    if (st->errors)
        rc = CLI_EXIT_FAIL;
done:
    ob_free(&input);
    ob_free(&group);
    ob_free(&st->out);
    ob_free(&st->tmp);
    free(gl);
    free(st);
    return rc;
}
