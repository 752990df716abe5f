/*
 * cmd_explain.c - "smtpstatus explain [--json] ARG...": explains reply
 * codes, status codes, whole replies and DSN diagnostic strings through
 * smtpstatus_explain().  Also the explanation writers that "parse" uses.
 * It does no parsing or classification of its own.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_retry_when(smtpstatus_retry r)
{
    switch (r) {
    case SMTPSTATUS_RETRY_NO: return "no";
    case SMTPSTATUS_RETRY_YES: return "later";
    case SMTPSTATUS_RETRY_AFTER_FIX: return "after_fix";
    default: return "n/a";
    }
}

void json_warning_list(obuf *b, unsigned warnings)
{
    unsigned bit;
    int first = 1, i;
    ob_putc(b, '[');
    for (i = 0; i < 32; i++) {
        const char *name;
        bit = 1u << i;
        if (!(warnings & bit))
            continue;
        if (!first)
            ob_putc(b, ',');
        first = 0;
        name = smtpstatus_warning_name(bit);
        if (name) {
            ob_json_cstr(b, name);
        } else {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "unknown_0x%x", bit);
            ob_json_cstr(b, tmp);
        }
    }
    ob_putc(b, ']');
}

/* Split "RFC 5321, RFC 3463" on commas into refs[] without duplicates. */
#define MAX_REFS 16
typedef struct refs {
    char item[MAX_REFS][48];
    int n;
} refs;

static void refs_add(refs *r, const char *list)
{
    const char *p = list;
    size_t guard = 0;
    if (!p)
        return;
    while (*p && guard++ < 256) {
        const char *s, *e;
        size_t len;
        int i, dup = 0;
        while (*p == ',' || *p == ' ' || *p == ';')
            p++;
        s = p;
        while (*p && *p != ',' && *p != ';')
            p++;
        e = p;
        while (e > s && e[-1] == ' ')
            e--;
        len = (size_t)(e - s);
        if (len == 0 || len >= sizeof r->item[0])
            continue;
        for (i = 0; i < r->n; i++)
            if (strlen(r->item[i]) == len && memcmp(r->item[i], s, len) == 0)
                dup = 1;
        if (!dup && r->n < MAX_REFS) {
            memcpy(r->item[r->n], s, len);
            r->item[r->n][len] = '\0';
            r->n++;
        }
    }
}

static void collect_refs(const smtpstatus_explanation *ex, refs *r)
{
    r->n = 0;
    if (ex->reply)
        refs_add(r, ex->reply->rfcs);
    if (ex->status_info)
        refs_add(r, ex->status_info->rfcs);
    else if (ex->status.klass) {
        const smtpstatus_status_info *si =
            smtpstatus_status_lookup(ex->status.subject, -1);
        if (si)
            refs_add(r, si->rfcs);
    }
}

/* The subject entry when the exact code is not registered. */
static const smtpstatus_status_info *
status_entry(const smtpstatus_explanation *ex, int *exact)
{
    *exact = 1;
    if (ex->status_info)
        return ex->status_info;
    *exact = 0;
    if (ex->status.klass)
        return smtpstatus_status_lookup(ex->status.subject, -1);
    return NULL;
}

void explain_json_members(obuf *b, const smtpstatus_explanation *ex,
                          int *first)
{
    char st[16];
    int exact;
    refs r;
    int i;
    const smtpstatus_status_info *si = status_entry(ex, &exact);
    const char *reason = smtpstatus_reason_name(ex->verdict.reason);

    ob_json_key(b, "reply_code", first);
    if (ex->reply_code)
        ob_printf(b, "%d", ex->reply_code);
    else
        ob_puts(b, "null");
    ob_json_key(b, "status", first);
    if (ex->status.klass)
        ob_json_cstr(b, smtpstatus_status_format(&ex->status, st, sizeof st));
    else
        ob_puts(b, "null");
    ob_json_key(b, "class", first);
    ob_json_cstr(b, ex->klass);
    ob_json_key(b, "subject", first);
    ob_json_cstr(b, ex->subject);
    ob_json_key(b, "reply_text", first);
    ob_json_cstr(b, ex->reply ? ex->reply->text : NULL);
    ob_json_key(b, "reply_meaning", first);
    ob_json_cstr(b, ex->reply ? ex->reply->meaning : NULL);
    ob_json_key(b, "status_name", first);
    ob_json_cstr(b, si && exact ? si->name : NULL);
    ob_json_key(b, "status_meaning", first);
    ob_json_cstr(b, si ? si->meaning : NULL);
    ob_json_key(b, "status_known", first);
    ob_json_bool(b, ex->status_info != NULL);
    ob_json_key(b, "reason", first);
    ob_json_cstr(b, reason);
    ob_json_key(b, "reason_meaning", first);
    ob_json_cstr(b, smtpstatus_reason_meaning(ex->verdict.reason));
    ob_json_key(b, "hard_bounce", first);
    ob_json_bool(b, ex->verdict.hard_bounce);
    ob_json_key(b, "bounce_type", first);
    ob_json_cstr(b, smtpstatus_reason_bounce_type(ex->verdict.reason));
    ob_json_key(b, "retry", first);
    ob_json_bool(b, ex->retry == SMTPSTATUS_RETRY_YES);
    ob_json_key(b, "retry_when", first);
    ob_json_cstr(b, cli_retry_when(ex->retry));
    ob_json_key(b, "actor", first);
    ob_json_cstr(b, smtpstatus_actor_name(ex->actor));
    ob_json_key(b, "advice", first);
    ob_json_cstr(b, ex->advice);
    ob_json_key(b, "consistent", first);
    ob_json_bool(b, ex->consistent);
    ob_json_key(b, "warnings", first);
    json_warning_list(b, ex->warnings);
    ob_json_key(b, "references", first);
    collect_refs(ex, &r);
    ob_putc(b, '[');
    for (i = 0; i < r.n; i++) {
        if (i)
            ob_putc(b, ',');
        ob_json_cstr(b, r.item[i]);
    }
    ob_putc(b, ']');
    ob_json_key(b, "text", first);
    ob_json_str(b, ex->text.ptr ? ex->text.ptr : "", ex->text.ptr ? ex->text.len : 0);
    ob_json_key(b, "classified_by", first);
    ob_json_cstr(b, ex->verdict.why);
}

/* One labelled paragraph, wrapped at about 78 columns. */
static void para(obuf *b, const char *indent, const char *label,
                 const char *text, size_t len)
{
    const size_t width = 78, lab = 11;
    size_t col, i = 0, ind = strlen(indent), guard = 0;
    if (!text)
        return;
    ob_puts(b, indent);
    ob_puts(b, label);
    for (col = strlen(label); col < lab; col++)
        ob_putc(b, ' ');
    col = ind + lab;
    while (i < len && guard++ < len + 1) {
        size_t s, e, w;
        while (i < len && (text[i] == ' ' || text[i] == '\t' ||
                           text[i] == '\r' || text[i] == '\n'))
            i++;
        if (i >= len)
            break;
        s = i;
        while (i < len && text[i] != ' ' && text[i] != '\t' &&
               text[i] != '\r' && text[i] != '\n')
            i++;
        e = i;
        w = e - s;
        if (col > ind + lab && col + 1 + w > width) {
            size_t k;
            ob_putc(b, '\n');
            ob_puts(b, indent);
            for (k = 0; k < lab; k++)
                ob_putc(b, ' ');
            col = ind + lab;
        } else if (col > ind + lab) {
            ob_putc(b, ' ');
            col++;
        }
        /* control bytes become spaces; the rest goes as is */
        {
            size_t k;
            for (k = s; k < e; k++) {
                unsigned char c = (unsigned char)text[k];
                ob_putc(b, (c < 0x20 || c == 0x7F) ? ' ' : (char)c);
            }
        }
        col += w;
    }
    ob_putc(b, '\n');
}

static void parac(obuf *b, const char *indent, const char *label,
                  const char *text)
{
    if (text && *text)
        para(b, indent, label, text, strlen(text));
}

void explain_text_block(obuf *b, const smtpstatus_explanation *ex,
                        const char *indent)
{
    char st[16], line[512];
    int exact;
    refs r;
    int i;
    const smtpstatus_status_info *si = status_entry(ex, &exact);
    smtpstatus_reason rs = ex->verdict.reason;

    if (ex->reply_code) {
        snprintf(line, sizeof line, "%d%s%s", ex->reply_code,
                 ex->reply ? " " : " (unregistered reply code)",
                 ex->reply ? ex->reply->text : "");
        parac(b, indent, "reply:", line);
        if (ex->reply)
            parac(b, indent, "", ex->reply->meaning);
    }
    if (ex->status.klass) {
        smtpstatus_status_format(&ex->status, st, sizeof st);
        if (si && exact)
            snprintf(line, sizeof line, "%s %s%s%s%s", st, si->name,
                     ex->subject ? " (" : "", ex->subject ? ex->subject : "",
                     ex->subject ? ")" : "");
        else
            snprintf(line, sizeof line, "%s (not in the registry%s%s)", st,
                     ex->subject ? "; subject: " : "",
                     ex->subject ? ex->subject : "");
        parac(b, indent, "status:", line);
        if (si)
            parac(b, indent, "", si->meaning);
    }
    if (ex->klass)
        parac(b, indent, "class:", ex->klass);
    if (ex->text.ptr && ex->text.len)
        para(b, indent, "text:", ex->text.ptr, ex->text.len);
    if (rs == SMTPSTATUS_R_DELIVERED || ex->retry == SMTPSTATUS_RETRY_NA)
        snprintf(line, sizeof line, "%s (not a failure)",
                 smtpstatus_reason_name(rs) ? smtpstatus_reason_name(rs)
                                            : "?");
    else
        snprintf(line, sizeof line, "%s (%s bounce; bounce type %s)",
                 smtpstatus_reason_name(rs) ? smtpstatus_reason_name(rs) : "?",
                 ex->verdict.hard_bounce ? "hard" : "soft",
                 smtpstatus_reason_bounce_type(rs)
                     ? smtpstatus_reason_bounce_type(rs)
                     : "?");
    parac(b, indent, "reason:", line);
    parac(b, indent, "", smtpstatus_reason_meaning(rs));
    snprintf(line, sizeof line, "%s%s",
             ex->retry == SMTPSTATUS_RETRY_YES ? "yes, later"
             : ex->retry == SMTPSTATUS_RETRY_NO ? "no, not without a change"
             : ex->retry == SMTPSTATUS_RETRY_AFTER_FIX
                 ? "after the sender fixes something"
                 : "not applicable (not a failure)",
             "");
    parac(b, indent, "retry:", line);
    parac(b, indent, "who acts:", smtpstatus_actor_name(ex->actor));
    parac(b, indent, "advice:", ex->advice);
    if (ex->reply_code && ex->status.klass && !ex->consistent)
        parac(b, indent, "note:",
              "the reply code and the status code disagree");
    for (i = 0; i < 32; i++) {
        unsigned bit = 1u << i;
        const char *name, *txt;
        if (!(ex->warnings & bit))
            continue;
        name = smtpstatus_warning_name(bit);
        txt = smtpstatus_warning_text(bit);
        snprintf(line, sizeof line, "%s: %s", name ? name : "unknown",
                 txt ? txt : "");
        parac(b, indent, "warning:", line);
    }
    collect_refs(ex, &r);
    if (r.n) {
        size_t n = 0;
        line[0] = '\0';
        for (i = 0; i < r.n; i++) {
            int k = snprintf(line + n, sizeof line - n, "%s%s",
                             i ? ", " : "", r.item[i]);
            if (k < 0 || (size_t)k >= sizeof line - n)
                break;
            n += (size_t)k;
        }
        parac(b, indent, "see:", line);
    }
}

int cmd_explain(int argc, char **argv)
{
    cli_args a;
    const char *arg, *inl;
    int kind, json = 0, nargs = 0, bad = 0, wrote = 0, k;
    obuf b;

    cli_args_init(&a, "explain", argc, argv);
    while ((kind = cli_args_next(&a, &arg, &inl)) != CLI_END) {
        if (kind == CLI_OPERAND) {
            nargs++;
            continue;
        }
        if (strcmp(arg, "--json") == 0 && !inl)
            json = 1;
        else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_help("explain", stdout);
            return CLI_EXIT_OK;
        } else
            return cli_bad_option(&a, arg, inl);
    }
    if (nargs == 0)
        return cli_usage_error("explain", "nothing to explain: give a code "
                               "such as 550, 5.1.1 or a whole reply");
    ob_init(&b);
    cli_args_init(&a, "explain", argc, argv);
    while ((kind = cli_args_next(&a, &arg, &inl)) != CLI_END) {
        smtpstatus_explanation ex;
        smtpstatus_rc rc;
        int ok;
        if (kind != CLI_OPERAND)
            continue;
        memset(&ex, 0, sizeof ex);
        rc = smtpstatus_explain(arg, strlen(arg), &ex);
        /* without any code, "onhold" only says that nothing was found */
        ok = rc == SMTPSTATUS_OK ||
             (rc == SMTPSTATUS_ENOTFOUND &&
              ex.verdict.reason != SMTPSTATUS_R_UNDEFINED &&
              ex.verdict.reason != SMTPSTATUS_R_ONHOLD);
        if (!ok) {
            bad = 1;
            /* name the argument, but not all of a very long one */
            int shown = strlen(arg) > 80 ? 77 : (int)strlen(arg);
            fprintf(stderr,
                    "smtpstatus: explain: \"%.*s%s\": %s\n", shown, arg,
                    strlen(arg) > 80 ? "..." : "",
                    rc == SMTPSTATUS_ENOTFOUND
                        ? "no reply code, status code or known phrase found"
                        : smtpstatus_strerror(rc));
        }
        if (json) {
            int first = 1;
            ob_putc(&b, '{');
            ob_json_key(&b, "input", &first);
            ob_json_cstr(&b, arg);
            if (rc == SMTPSTATUS_OK || rc == SMTPSTATUS_ENOTFOUND)
                explain_json_members(&b, &ex, &first);
            ob_json_key(&b, "error", &first);
            if (ok)
                ob_puts(&b, "null");
            else
                ob_json_cstr(&b, rc == SMTPSTATUS_ENOTFOUND
                                     ? "no code or known phrase found"
                                     : smtpstatus_strerror(rc));
            ob_puts(&b, "}\n");
        } else if (ok) {
            if (wrote)
                ob_putc(&b, '\n');
            ob_puts(&b, "input:     ");
            for (k = 0; arg[k]; k++) {
                unsigned char c = (unsigned char)arg[k];
                ob_putc(&b, (c < 0x20 || c == 0x7F) ? ' ' : (char)c);
            }
            ob_putc(&b, '\n');
            explain_text_block(&b, &ex, "");
            wrote = 1;
        }
        if (ob_flush(&b, stdout) != 0) {
            fprintf(stderr, "smtpstatus: explain: cannot write the output\n");
            ob_free(&b);
            return CLI_EXIT_FAIL;
        }
    }
    ob_free(&b);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "smtpstatus: explain: cannot write the output\n");
        return CLI_EXIT_FAIL;
    }
    return bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
