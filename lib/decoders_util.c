/*
 * decoders_util.c - helpers every decoder uses: adding facts under the
 * recipient limit, walking lines, finding an address, and parsing the
 * fields of an RFC 3464 message/delivery-status body.
 *
 * Does not classify and does not build records (analyzer.c does).
 */
#include "decoder.h"

ss_fact *ss_bounce_add(ss_bounce *out) {
    size_t max = out->limits && out->limits->max_recipients
                     ? out->limits->max_recipients
                     : 10000;
    if (out->nfacts >= max) {
        out->warnings |= SMTPSTATUS_RW_RCPT_LIMIT;
        return NULL;
    }
    void *arr = out->facts;
    if (ss_grow(out->arena, &arr, &out->capfacts, out->nfacts + 1,
                sizeof(ss_fact)))
        return NULL;
    out->facts = arr;
    ss_fact *f = &out->facts[out->nfacts++];
    memset(f, 0, sizeof *f);
    f->reason = -1;
    f->hard = -1;
    return f;
}

int ss_next_line(ss_str text, size_t *pos, ss_str *line) {
    if (*pos >= text.len || !text.ptr)
        return 0;
    const char *start = text.ptr + *pos;
    size_t rest = text.len - *pos;
    const char *nl = memchr(start, '\n', rest);
    size_t n = nl ? (size_t)(nl - start) : rest;
    *line = ss_str_make(start, n);
    *pos += n + (nl ? 1 : 0);
    return 1;
}

/* Bytes of an address word: 33..126 except <>()[],;:"\\ (a table:
 * the loops over it are hot). */
static const unsigned char addr_tab[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int addr_char(int c) {
    return addr_tab[c & 0xFF];
}

ss_str ss_find_address(ss_str s) {
    /* Prefer <...> that holds an @; else the first word with an @.
     * memchr finds the '<' and '@' positions, left to right. */
    if (!s.ptr || !s.len)
        return SS_NULLSTR;
    const char *lt = memchr(s.ptr, '<', s.len);
    for (; lt; lt = memchr(lt + 1, '<', s.len - (size_t)(lt + 1 - s.ptr))) {
        size_t i = (size_t)(lt - s.ptr);
        size_t j = i + 1;
        int at = 0;
        while (j < s.len && s.ptr[j] != '>' && s.ptr[j] != '<' && j - i < 512) {
            if (s.ptr[j] == '@')
                at = 1;
            j++;
        }
        if (j < s.len && s.ptr[j] == '>' && at) {
            ss_str a = ss_trim(ss_str_make(s.ptr + i + 1, j - i - 1));
            /* "<mailto:x@y>" */
            if (ss_starts_ci(a, "mailto:")) {
                a.ptr += 7;
                a.len -= 7;
            }
            if (a.len)
                return a;
        }
    }
    const char *at = memchr(s.ptr, '@', s.len);
    for (; at; at = memchr(at + 1, '@', s.len - (size_t)(at + 1 - s.ptr))) {
        size_t i = (size_t)(at - s.ptr);
        size_t b = i, e = i + 1;
        while (b > 0 && addr_char((unsigned char)s.ptr[b - 1]))
            b--;
        while (e < s.len && addr_char((unsigned char)s.ptr[e]))
            e++;
        if (b == i || e == i + 1)
            continue;
        /* trailing dots or quotes from prose: "user@example.com." */
        while (e > i + 1 && (s.ptr[e - 1] == '.' || s.ptr[e - 1] == '\''))
            e--;
        while (b < i && (s.ptr[b] == '\'' || s.ptr[b] == '.'))
            b++;
        if (b == i || e == i + 1)
            continue;
        return ss_str_make(s.ptr + b, e - b);
    }
    return SS_NULLSTR;
}

ss_str ss_angle_colon_addr(ss_str t) {
    if (t.len > 3 && t.ptr[0] == '<' && t.ptr[t.len - 1] == ':' &&
        t.ptr[t.len - 2] == '>' && memchr(t.ptr, '@', t.len))
        return ss_str_make(t.ptr + 1, t.len - 3);
    return SS_NULLSTR;
}

/* ---------------- RFC 3464 fields ---------------- */

/* Value after "type;" as in "rfc822; user@example.org"; the type goes to
 * *type when wanted. */
static ss_str after_type(ss_str v, ss_str *type) {
    for (size_t i = 0; i < v.len && i < 64; i++) {
        if (v.ptr[i] == ';') {
            if (type)
                *type = ss_trim(ss_str_make(v.ptr, i));
            return ss_trim(ss_str_make(v.ptr + i + 1, v.len - i - 1));
        }
        if (v.ptr[i] == ' ' || v.ptr[i] == '<' || v.ptr[i] == '@')
            break;
    }
    if (type)
        *type = SS_NULLSTR;
    return ss_trim(v);
}

/* One field line (possibly continued); name and raw value (folding kept). */
typedef struct dsn_field {
    ss_str name, value;
} dsn_field;

/* Read the next field starting at *pos; blank lines end a group (returns
 * 2). Returns 1 for a field, 0 at the end of text, 3 for a line that is
 * not a field (skipped). */
static int next_field(ss_str t, size_t *pos, dsn_field *f) {
    ss_str line;
    size_t start = *pos;
    if (!ss_next_line(t, pos, &line))
        return 0;
    if (ss_trim(line).len == 0)
        return 2;
    const char *colon = memchr(line.ptr, ':', line.len);
    if (!colon || colon == line.ptr || line.ptr[0] == ' ' ||
        line.ptr[0] == '\t')
        return 3;
    for (const char *c = line.ptr; c < colon; c++)
        if (*c == ' ' || *c == '\t') {
            /* "Name : value" is tolerated, other spaces are not */
            const char *d = c;
            while (d < colon && (*d == ' ' || *d == '\t'))
                d++;
            if (d != colon)
                return 3;
            break;
        }
    f->name = ss_trim(ss_str_make(line.ptr, (size_t)(colon - line.ptr)));
    size_t vstart = (size_t)(colon + 1 - t.ptr);
    size_t end = *pos;
    /* continuation lines */
    for (;;) {
        size_t save = *pos;
        ss_str next;
        /* only a line that starts with white space can continue it */
        if (save >= t.len || (t.ptr[save] != ' ' && t.ptr[save] != '\t'))
            break;
        if (!ss_next_line(t, pos, &next))
            break;
        if (next.len && (next.ptr[0] == ' ' || next.ptr[0] == '\t') &&
            ss_trim(next).len) {
            end = *pos;
            continue;
        }
        *pos = save;
        break;
    }
    (void)start;
    size_t vend = end;
    if (vend > vstart && t.ptr[vend - 1] == '\n')
        vend--;
    f->value = ss_trim(ss_str_make(t.ptr + vstart, vend - vstart));
    return 1;
}

/* Per-recipient fields of one group, gathered before the record is made
 * (some MTAs write Diagnostic-Code or Status before Final-Recipient). */
typedef struct dsn_group {
    ss_str recipient, alias, action, status, remote, diag, diag_type, date,
        actual;
    int any;
} dsn_group;

static size_t flush_group(dsn_group *g, ss_str reporting, ss_bounce *out) {
    size_t added = 0;
    if (!g->recipient.len && !g->alias.len && g->actual.len)
        g->recipient = g->actual;
    if (g->recipient.len || g->alias.len) {
        ss_fact *f = ss_bounce_add(out);
        if (f) {
            f->recipient = g->recipient.len ? g->recipient : g->alias;
            f->alias = g->alias.len ? g->alias : g->actual;
            f->action = g->action;
            f->status = g->status;
            f->remote_mta = g->remote;
            f->diagnostic = g->diag;
            f->diagnostic_type = g->diag_type;
            f->date = g->date;
            f->reporting_mta = reporting;
            added = 1;
        }
    }
    memset(g, 0, sizeof *g);
    return added;
}

size_t ss_dsn_parse(ss_str t, ss_bounce *out) {
    size_t pos = 0, added = 0;
    ss_str reporting = SS_NULLSTR;
    dsn_group g;
    memset(&g, 0, sizeof g);
    int r;
    dsn_field f;
    size_t guard = 0;
    while ((r = next_field(t, &pos, &f)) != 0 && guard++ < 1000000) {
        if (r == 2) {
            added += flush_group(&g, reporting, out);
            continue;
        }
        if (r == 3)
            continue;
        ss_str n = f.name;
        if (ss_eq_ci(n, "Reporting-MTA")) {
            reporting = after_type(f.value, NULL);
            if (!out->reporting_mta.len)
                out->reporting_mta = reporting;
            continue;
        }
        int is_final = ss_eq_ci(n, "Final-Recipient");
        int is_orig = ss_eq_ci(n, "Original-Recipient");
        if (is_final || is_orig) {
            /* a second recipient in the same group (no blank line between
             * groups) starts the next record */
            if ((is_final && g.recipient.len) || (is_orig && g.alias.len))
                added += flush_group(&g, reporting, out);
            ss_str v = after_type(f.value, NULL);
            if (is_final)
                g.recipient = v;
            else
                g.alias = v;
            continue;
        }
        if (ss_eq_ci(n, "Action"))
            g.action = f.value;
        else if (ss_eq_ci(n, "Status"))
            g.status = f.value;
        else if (ss_eq_ci(n, "Remote-MTA"))
            g.remote = after_type(f.value, NULL);
        else if (ss_eq_ci(n, "Diagnostic-Code"))
            g.diag = after_type(f.value, &g.diag_type);
        else if (ss_eq_ci(n, "Last-Attempt-Date"))
            g.date = f.value;
        else if (ss_eq_ci(n, "X-Actual-Recipient"))
            g.actual = after_type(f.value, NULL);
    }
    added += flush_group(&g, reporting, out);
    return added;
}
