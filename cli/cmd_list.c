/*
 * cmd_list.c - "smtpstatus list": prints the registry of reply codes and
 * enhanced status codes as a table, JSON or CSV, through the registry
 * iterators of the public API.  It holds no registry data itself.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *reply_class(int code)
{
    switch (code / 100) {
    case 2: return "success";
    case 3: return "intermediate";
    case 4: return "transient";
    case 5: return "permanent";
    default: return "";
    }
}

/* JSON array of the comma-separated items of s ("RFC 5321, RFC 1870"). */
static void json_split(obuf *b, const char *s, int numbers)
{
    int first = 1;
    size_t guard = 0;
    ob_putc(b, '[');
    while (s && *s && guard++ < 256) {
        const char *e;
        size_t n;
        while (*s == ',' || *s == ' ' || *s == ';')
            s++;
        e = s;
        while (*e && *e != ',' && *e != ';')
            e++;
        n = (size_t)(e - s);
        while (n && s[n - 1] == ' ')
            n--;
        if (n) {
            size_t k;
            int digits = 1;
            for (k = 0; k < n; k++)
                if (s[k] < '0' || s[k] > '9')
                    digits = 0;
            if (!first)
                ob_putc(b, ',');
            first = 0;
            if (numbers && digits && n < 10)
                ob_put(b, s, n);
            else
                ob_json_str(b, s, n);
        }
        s = e;
    }
    ob_putc(b, ']');
}

static smtpstatus_retry status_retry(const smtpstatus_status_info *si)
{
    if (si->klass == 2)
        return SMTPSTATUS_RETRY_NA;
    if (si->klass == 4)
        return si->retry_transient;
    return si->retry_permanent;
}

static void json_reply(obuf *b, const smtpstatus_reply_info *ri)
{
    int first = 1;
    ob_putc(b, '{');
    ob_json_key(b, "code", &first);
    ob_printf(b, "%d", ri->code);
    ob_json_key(b, "class", &first);
    ob_json_cstr(b, reply_class(ri->code));
    ob_json_key(b, "text", &first);
    ob_json_cstr(b, ri->text);
    ob_json_key(b, "meaning", &first);
    ob_json_cstr(b, ri->meaning);
    ob_json_key(b, "advice", &first);
    ob_json_cstr(b, ri->advice);
    ob_json_key(b, "rfcs", &first);
    json_split(b, ri->rfcs, 0);
    ob_json_key(b, "context", &first);
    ob_json_cstr(b, ri->context);
    ob_json_key(b, "standard", &first);
    ob_json_bool(b, ri->standard);
    ob_json_key(b, "retry", &first);
    ob_json_cstr(b, cli_retry_when(ri->retry));
    ob_json_key(b, "actor", &first);
    ob_json_cstr(b, smtpstatus_actor_name(ri->actor));
    ob_putc(b, '}');
}

static void json_status(obuf *b, const smtpstatus_status_info *si)
{
    int first = 1;
    ob_putc(b, '{');
    ob_json_key(b, "code", &first);
    ob_json_cstr(b, si->code);
    ob_json_key(b, "name", &first);
    ob_json_cstr(b, si->name);
    ob_json_key(b, "meaning", &first);
    ob_json_cstr(b, si->meaning);
    ob_json_key(b, "advice", &first);
    ob_json_cstr(b, si->advice);
    ob_json_key(b, "reply_codes", &first);
    json_split(b, si->reply_codes, 1);
    ob_json_key(b, "classes", &first);
    ob_json_cstr(b, si->classes);
    ob_json_key(b, "rfcs", &first);
    json_split(b, si->rfcs, 0);
    ob_json_key(b, "standard", &first);
    ob_json_bool(b, si->standard);
    ob_json_key(b, "retry", &first);
    ob_json_cstr(b, cli_retry_when(status_retry(si)));
    ob_json_key(b, "retry_permanent", &first);
    ob_json_cstr(b, cli_retry_when(si->retry_permanent));
    ob_json_key(b, "retry_transient", &first);
    ob_json_cstr(b, cli_retry_when(si->retry_transient));
    ob_json_key(b, "actor", &first);
    ob_json_cstr(b, smtpstatus_actor_name(si->actor));
    ob_putc(b, '}');
}

static void csv_row(obuf *b, const char *const *f, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        if (i)
            ob_putc(b, ',');
        ob_csv_cstr(b, f[i]);
    }
    ob_puts(b, "\r\n");
}

/* How the hard/soft rule treats a reason, from the library's own rule. */
static const char *reason_hard(smtpstatus_reason r)
{
    smtpstatus_status perm = {5, 0, 0}, temp = {4, 0, 0};
    int h5 = smtpstatus_is_hard_bounce(r, 550, &perm, "", 0);
    int h4 = smtpstatus_is_hard_bounce(r, 450, &temp, "", 0);
    return h5 && h4 ? "yes" : h5 ? "if permanent" : "no";
}

/* `list --reasons`: the taxonomy with meaning, advice and verdicts. */
static void list_reasons(obuf *b, int fmt)
{
    int r;
    if (fmt == 1)
        ob_puts(b, "[\n");
    else if (fmt == 2)
        ob_puts(b, "reason,bounce_type,hard_bounce,meaning,advice\n");
    else
        ob_puts(b, "REASON           TYPE          HARD           MEANING\n");
    for (r = 0; r <= (int)SMTPSTATUS_R_NOT_A_BOUNCE; r++) {
        smtpstatus_reason re = (smtpstatus_reason)r;
        const char *name = smtpstatus_reason_name(re);
        const char *type = smtpstatus_reason_bounce_type(re);
        const char *meaning = smtpstatus_reason_meaning(re);
        const char *advice = smtpstatus_reason_advice(re);
        const char *hard = reason_hard(re);
        if (!name)
            continue;
        if (fmt == 1) {
            int first = 1;
            ob_putc(b, '{');
            ob_json_key(b, "reason", &first);
            ob_json_cstr(b, name);
            ob_json_key(b, "bounce_type", &first);
            ob_json_cstr_or_null(b, type);
            ob_json_key(b, "hard_bounce", &first);
            ob_json_cstr(b, hard);
            ob_json_key(b, "meaning", &first);
            ob_json_cstr_or_null(b, meaning);
            ob_json_key(b, "advice", &first);
            ob_json_cstr_or_null(b, advice);
            ob_puts(b, r < (int)SMTPSTATUS_R_NOT_A_BOUNCE ? "},\n" : "}\n");
        } else if (fmt == 2) {
            ob_csv_cstr(b, name);
            ob_putc(b, ',');
            ob_csv_cstr(b, type ? type : "");
            ob_putc(b, ',');
            ob_csv_cstr(b, hard);
            ob_putc(b, ',');
            ob_csv_cstr(b, meaning ? meaning : "");
            ob_putc(b, ',');
            ob_csv_cstr(b, advice ? advice : "");
            ob_putc(b, '\n');
        } else {
            ob_cell(b, name, 17, 1);
            ob_cell(b, type ? type : "", 14, 1);
            ob_cell(b, hard, 15, 1);
            ob_cell(b, meaning ? meaning : "", 60, 0);
            ob_putc(b, '\n');
        }
    }
    if (fmt == 1)
        ob_puts(b, "]\n");
}

int cmd_list(int argc, char **argv)
{
    cli_args a;
    const char *arg, *inl;
    int kind, fmt = 0 /* 0 table, 1 json, 2 csv */, basic = 0, enh = 0;
    int reasons = 0;
    size_t i, nr, ns;
    obuf b;
    int rc = CLI_EXIT_OK;

    cli_args_init(&a, "list", argc, argv);
    while ((kind = cli_args_next(&a, &arg, &inl)) != CLI_END) {
        if (kind == CLI_OPERAND)
            return cli_usage_error("list", "unexpected argument '%s'", arg);
        if (inl)
            return cli_bad_option(&a, arg, inl);
        if (strcmp(arg, "--json") == 0)
            fmt = 1;
        else if (strcmp(arg, "--csv") == 0)
            fmt = 2;
        else if (strcmp(arg, "--basic") == 0)
            basic = 1;
        else if (strcmp(arg, "--enhanced") == 0)
            enh = 1;
        else if (strcmp(arg, "--reasons") == 0)
            reasons = 1;
        else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_help("list", stdout);
            return CLI_EXIT_OK;
        } else
            return cli_bad_option(&a, arg, inl);
    }
    if (reasons && (basic || enh))
        return cli_usage_error("list", "--reasons goes alone, without "
                                       "--basic or --enhanced");
    if (!basic && !enh)
        basic = enh = 1;
    nr = smtpstatus_reply_count();
    ns = smtpstatus_status_count();
    ob_init(&b);

    if (reasons) {
        list_reasons(&b, fmt);
    } else if (fmt == 1) {
        int both = basic && enh;
        if (both)
            ob_puts(&b, "{\"basic\":");
        if (basic) {
            ob_puts(&b, "[\n");
            for (i = 0; i < nr; i++) {
                const smtpstatus_reply_info *ri = smtpstatus_reply_at(i);
                if (!ri)
                    continue;
                json_reply(&b, ri);
                ob_puts(&b, i + 1 < nr ? ",\n" : "\n");
            }
            ob_puts(&b, "]");
        }
        if (both)
            ob_puts(&b, ",\n\"enhanced\":");
        if (enh) {
            ob_puts(&b, "[\n");
            for (i = 0; i < ns; i++) {
                const smtpstatus_status_info *si = smtpstatus_status_at(i);
                if (!si)
                    continue;
                json_status(&b, si);
                ob_puts(&b, i + 1 < ns ? ",\n" : "\n");
            }
            ob_puts(&b, "]");
        }
        if (both)
            ob_puts(&b, "}");
        ob_putc(&b, '\n');
    } else if (fmt == 2) {
        static const char *const head[] = {
            "kind", "code", "name", "meaning", "advice", "reply_codes",
            "classes", "rfcs", "context", "standard", "retry", "actor"};
        csv_row(&b, head, 12);
        if (basic)
            for (i = 0; i < nr; i++) {
                const smtpstatus_reply_info *ri = smtpstatus_reply_at(i);
                char code[16];
                const char *f[12];
                if (!ri)
                    continue;
                snprintf(code, sizeof code, "%d", ri->code);
                f[0] = "basic"; f[1] = code; f[2] = ri->text;
                f[3] = ri->meaning; f[4] = ri->advice; f[5] = "";
                f[6] = reply_class(ri->code); f[7] = ri->rfcs;
                f[8] = ri->context; f[9] = ri->standard ? "1" : "0";
                f[10] = cli_retry_when(ri->retry);
                f[11] = smtpstatus_actor_name(ri->actor);
                csv_row(&b, f, 12);
            }
        if (enh)
            for (i = 0; i < ns; i++) {
                const smtpstatus_status_info *si = smtpstatus_status_at(i);
                const char *f[12];
                if (!si)
                    continue;
                f[0] = "enhanced"; f[1] = si->code; f[2] = si->name;
                f[3] = si->meaning; f[4] = si->advice; f[5] = si->reply_codes;
                f[6] = si->classes; f[7] = si->rfcs; f[8] = "";
                f[9] = si->standard ? "1" : "0";
                f[10] = cli_retry_when(status_retry(si));
                f[11] = smtpstatus_actor_name(si->actor);
                csv_row(&b, f, 12);
            }
    } else {
        if (basic) {
            ob_puts(&b, "REPLY  CLASS         STD  TEXT\n");
            for (i = 0; i < nr; i++) {
                const smtpstatus_reply_info *ri = smtpstatus_reply_at(i);
                char code[16];
                if (!ri)
                    continue;
                snprintf(code, sizeof code, "%d", ri->code);
                ob_cell(&b, code, 7, 1);
                ob_cell(&b, reply_class(ri->code), 14, 1);
                ob_cell(&b, ri->standard ? "yes" : "no", 5, 1);
                ob_cell(&b, ri->text, 52, 0);
                ob_putc(&b, '\n');
            }
        }
        if (basic && enh)
            ob_putc(&b, '\n');
        if (enh) {
            ob_puts(&b, "STATUS     STD  NAME\n");
            for (i = 0; i < ns; i++) {
                const smtpstatus_status_info *si = smtpstatus_status_at(i);
                if (!si)
                    continue;
                ob_cell(&b, si->code, 11, 1);
                ob_cell(&b, si->standard ? "yes" : "no", 5, 1);
                ob_cell(&b, si->name, 62, 0);
                ob_putc(&b, '\n');
            }
        }
    }
    if (ob_flush(&b, stdout) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "smtpstatus: list: cannot write the output\n");
        rc = CLI_EXIT_FAIL;
    }
    ob_free(&b);
    return rc;
}
