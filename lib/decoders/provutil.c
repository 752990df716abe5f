/*
 * provutil.c - text helpers for the provider decoders and the fallback:
 * see provutil.h.  Plain linear scans over slices; nothing allocates
 * except the facts pv_add_list() adds through ss_bounce_add().
 */
#include "provutil.h"


/* s without leading white space, dashes, '=' and '*' */
static inline ss_str strip_rule(ss_str s) {
    while (s.len && (ss_isspace((unsigned char)s.ptr[0]) || s.ptr[0] == '-' ||
                     s.ptr[0] == '=' || s.ptr[0] == '*')) {
        s.ptr++;
        s.len--;
    }
    return s;
}

/* markers whose rule-stripped form pv_upto() computes once per call; any
 * after these are stripped line by line */
#define PV_UPTO_CACHE 32

ss_str pv_upto(ss_str text, const char *const *markers, ss_str *after) {
    size_t pos = 0;
    ss_str line;
    ss_str strip[PV_UPTO_CACHE];
    size_t ns = 0;
    for (; ns < PV_UPTO_CACHE && markers[ns]; ns++)
        strip[ns] = strip_rule(ss_str_make(markers[ns], strlen(markers[ns])));
    if (after)
        *after = ss_str_make(text.ptr + text.len, 0);
    if (!markers[ns]) {
        /* A line matches where its text, rule-stripped, starts with a
         * stripped marker, which then occurs in the text there: the
         * lines before the first occurrence of one (ASCII case ignored)
         * cannot match.  The walk starts at the line that holds it, and a
         * text without one has no marker line. */
        size_t from = text.len;
        for (size_t i = 0; i < ns; i++) {
            /* (one that starts before from: within from + len - 1) */
            size_t lim = strip[i].len && text.len - from > strip[i].len - 1
                             ? from + strip[i].len - 1
                             : text.len;
            long o = ss_find_ci_n(ss_str_make(text.ptr, lim), strip[i].ptr,
                                  strip[i].len);
            if (o >= 0 && (size_t)o < from)
                from = (size_t)o;
        }
        if (from == text.len)
            return text;
        while (from > 0 && text.ptr[from - 1] != '\n')
            from--;
        pos = from;
    }
    while (ss_next_line(text, &pos, &line)) {
        ss_str t = strip_rule(line);
        if (!t.len)
            continue;
        int c0 = ss_lower((unsigned char)t.ptr[0]);
        for (size_t i = 0; markers[i]; i++) {
            ss_str m = i < ns ? strip[i]
                              : strip_rule(ss_str_make(markers[i], strlen(markers[i])));
            /* the first byte before the call: most lines differ there */
            if (m.len && t.len >= m.len &&
                ss_lower((unsigned char)m.ptr[0]) == c0 &&
                ss_memeq_ci(t.ptr, m.ptr, m.len) &&
                (line.ptr[0] != ' ' || markers[i][0] == '-')) {
                if (after) {
                    /* skip blank lines before the original's headers */
                    size_t p2 = pos, keep = pos;
                    ss_str l2;
                    while (ss_next_line(text, &p2, &l2) && !ss_trim(l2).len)
                        keep = p2;
                    *after = ss_str_make(text.ptr + keep, text.len - keep);
                }
                return ss_str_make(text.ptr, (size_t)(line.ptr - text.ptr));
            }
        }
    }
    return text;
}

ss_str pv_rstrip_colon(ss_str s) {
    s = ss_trim(s);
    while (s.len && (s.ptr[s.len - 1] == ':' || ss_isspace((unsigned char)s.ptr[s.len - 1])))
        s.len--;
    return s;
}

ss_str pv_addr_line(ss_str line) {
    ss_str s = pv_rstrip_colon(line);
    if (s.len < 3 || s.len > 320)
        return SS_NULLSTR;
    /* strip one layer of quotes, brackets */
    for (int k = 0; k < 2; k++) {
        if (s.len >= 2 && ((s.ptr[0] == '"' && s.ptr[s.len - 1] == '"') ||
                           (s.ptr[0] == '<' && s.ptr[s.len - 1] == '>'))) {
            s.ptr++;
            s.len -= 2;
            s = ss_trim(s);
        }
    }
    if (pv_starts_lit(s, "mailto:")) {
        s.ptr += 7;
        s.len -= 7;
    }
    size_t at = 0, nat = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' ||
            c == ';' || c == '(' || c == ')' || c == '[' || c == ']' ||
            c == ':')
            return SS_NULLSTR;
        if (c == '@') {
            at = i;
            nat++;
        }
    }
    if (nat != 1 || at == 0 || at + 1 >= s.len)
        return SS_NULLSTR;
    /* the domain has a dot (or is a bracketed literal, not handled) */
    if (!memchr(s.ptr + at + 1, '.', s.len - at - 1))
        return SS_NULLSTR;
    return s;
}

/* word at offset i of s is not part of a longer word */
static int word_at(ss_str s, long i, size_t n) {
    if (i < 0)
        return 0;
    size_t b = (size_t)i, e = b + n;
    if (b > 0 && (ss_isalpha((unsigned char)s.ptr[b - 1]) || s.ptr[b - 1] == '-'))
        return 0;
    if (e < s.len && (ss_isalpha((unsigned char)s.ptr[e]) || s.ptr[e] == '-'))
        return 0;
    return 1;
}

/* Find a case-sensitive whole word. */
static int has_word(ss_str s, const char *w) {
    size_t n = strlen(w);
    size_t off = 0;
    for (int guard = 0; guard < 64 && off < s.len; guard++) {
        ss_str rest = ss_str_make(s.ptr + off, s.len - off);
        long i = ss_find(rest, w, n);
        if (i < 0)
            return 0;
        if (word_at(rest, i, n))
            return 1;
        off += (size_t)i + 1;
    }
    return 0;
}

ss_str pv_command(ss_str d) {
    if (ss_find(d, "[RCPT_TO]", 9) >= 0 || has_word(d, "RCPT TO") ||
        ss_find_ci(d, "after RCPT") >= 0 || has_word(d, "RCPT"))
        return SS_STR("RCPT");
    if (ss_find(d, "[MAIL_FROM]", 11) >= 0 || has_word(d, "MAIL FROM") ||
        ss_find_ci(d, "after MAIL") >= 0)
        return SS_STR("MAIL");
    if (ss_find(d, "[DATA]", 6) >= 0 || ss_find_ci(d, "end of data") >= 0 ||
        ss_find_ci(d, "after data") >= 0 || has_word(d, "DATA"))
        return SS_STR("DATA");
    if (has_word(d, "EHLO") || has_word(d, "HELO") ||
        ss_find(d, "[HELO]", 6) >= 0 || ss_find(d, "[EHLO]", 6) >= 0)
        return SS_STR("EHLO");
    return SS_NULLSTR;
}

void pv_inner_reply(ss_arena *a, ss_fact *f, ss_str d) {
    for (size_t i = 0; i + 10 < d.len; i++) {
        if (d.ptr[i] != '<')
            continue;
        const char *p = d.ptr + i + 1;
        size_t rest = d.len - i - 1;
        if (rest < 10)
            return;
        if (!(p[0] >= '2' && p[0] <= '5') || !ss_isdigit((unsigned char)p[1]) ||
            !ss_isdigit((unsigned char)p[2]) || p[3] != ' ' || p[4] != p[0] ||
            p[5] != '.')
            continue;
        size_t j = 6, n = 0;
        while (j < rest && ss_isdigit((unsigned char)p[j]) && n < 3) {
            j++;
            n++;
        }
        if (!n || j >= rest || p[j] != '.')
            continue;
        j++;
        n = 0;
        while (j < rest && ss_isdigit((unsigned char)p[j]) && n < 3) {
            j++;
            n++;
        }
        if (!n || (j < rest && ss_isdigit((unsigned char)p[j])))
            continue;
        f->reply_code = ss_str_make(p, 3);
        f->status = ss_str_make(p + 4, j - 4);
        if (!a)
            return;
        /* "inner reply (outer words)": the remote server's reply first */
        const char *gt = memchr(p, '>', rest);
        ss_str inner = ss_trim(ss_str_make(p, gt ? (size_t)(gt - p) : rest));
        ss_str outer = ss_trim(ss_str_make(d.ptr, i));
        size_t need = inner.len + outer.len + 4;
        char *buf = ss_alloc(a, need);
        if (!buf)
            return;
        size_t k = 0;
        memcpy(buf, inner.ptr, inner.len);
        k = inner.len;
        if (outer.len) {
            buf[k++] = ' ';
            buf[k++] = '(';
            memcpy(buf + k, outer.ptr, outer.len);
            k += outer.len;
            buf[k++] = ')';
        }
        f->diagnostic = ss_str_make(buf, k);
        return;
    }
}

size_t pv_add_list(ss_bounce *out, ss_str list, ss_str diag) {
    size_t added = 0, i = 0;
    while (i < list.len) {
        while (i < list.len && (list.ptr[i] == ',' || ss_isspace((unsigned char)list.ptr[i])))
            i++;
        size_t b = i;
        while (i < list.len && list.ptr[i] != ',' && !ss_isspace((unsigned char)list.ptr[i]))
            i++;
        ss_str a = pv_addr_line(ss_str_make(list.ptr + b, i - b));
        if (!a.len)
            continue;
        ss_fact *f = pv_add_rcpt(out, a);
        if (!f)
            break;
        f->diagnostic = diag;
        added++;
    }
    return added;
}

void pv_lead_reply(ss_fact *f, ss_str d) {
    d = ss_trim(d);
    if (d.len >= 4 && d.ptr[0] >= '2' && d.ptr[0] <= '5' &&
        ss_isdigit((unsigned char)d.ptr[1]) &&
        ss_isdigit((unsigned char)d.ptr[2]) &&
        (d.ptr[3] == ':' || d.ptr[3] == ' ' || d.ptr[3] == '-'))
        f->reply_code = ss_str_make(d.ptr, 3);
}

static int label_line(ss_str t) {
    static const char *const labels[] = {"Reason:", "For the following reason:",
                                         NULL};
    for (size_t i = 0; labels[i]; i++)
        if (ss_eq_ci(t, labels[i]))
            return 1;
    return 0;
}

size_t pv_blocks(ss_str region, ss_bounce *out) {
    size_t pos = 0, added = 0;
    ss_str line;
    ss_fact *f = NULL;
    const char *dstart = NULL, *dend = NULL;
    for (;;) {
        int more = ss_next_line(region, &pos, &line);
        ss_str a = more ? pv_addr_line(line) : SS_NULLSTR;
        if (!more || a.len) {
            if (f && dstart)
                f->diagnostic = ss_str_make(dstart, (size_t)(dend - dstart));
            if (!more)
                break;
            f = pv_add_rcpt(out, a);
            if (!f)
                break;
            dstart = dend = NULL;
            added++;
            continue;
        }
        ss_str t = ss_trim(line);
        if (!f || !t.len || (!dstart && label_line(t)))
            continue;
        if (!dstart)
            dstart = t.ptr;
        dend = t.ptr + t.len;
    }
    return added;
}
