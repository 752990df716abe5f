/*
 * decoders_util.c - helpers every decoder uses: adding facts under the
 * recipient limit, walking lines, finding an address, and parsing the
 * fields of an RFC 3464 message/delivery-status body.
 *
 * Does not classify and does not build records (analyzer.c does).
 */
#include "decoder.h"

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* A new fact at the end of out->facts, not initialised; NULL as for
 * ss_bounce_add. */
static inline ss_fact *bounce_slot(ss_bounce *out) {
    size_t max = out->limits && out->limits->max_recipients
                     ? out->limits->max_recipients
                     : 10000;
    if (out->nfacts >= max) {
        out->warnings |= SMTPSTATUS_RW_RCPT_LIMIT;
        return NULL;
    }
    if (out->nfacts >= out->capfacts) {
        void *arr = out->facts;
        if (!out->capfacts) {
            /* the first fact of a bounce: the 8 ss_grow would make room
             * for, without its call */
            arr = ss_alloc(out->arena, 8 * sizeof(ss_fact));
            if (!arr)
                return NULL;
            out->capfacts = 8;
        } else if (ss_grow(out->arena, &arr, &out->capfacts, out->nfacts + 1,
                           sizeof(ss_fact)))
            return NULL;
        out->facts = arr;
    }
    return &out->facts[out->nfacts++];
}

ss_fact *ss_bounce_add(ss_bounce *out) {
    ss_fact *f = bounce_slot(out);
    if (!f)
        return NULL;
    /* field by field, not memset: GCC makes a memset of this size (or a
     * copy of a mostly zero constant) a `rep stos`, slow to start, and
     * these assignments plain stores */
    const ss_str none = SS_NULLSTR;
    f->recipient = none;
    f->alias = none;
    f->action = none;
    f->status = none;
    f->reply_code = none;
    f->diagnostic = none;
    f->diagnostic_type = none;
    f->remote_mta = none;
    f->reporting_mta = none;
    f->command = none;
    f->feedback_type = none;
    f->date = none;
    f->reason = -1;
    f->hard = -1;
    return f;
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

/* The offset of the first '<' or '>' in p[0..n), or n (ss_byte_offset
 * for the two bytes in one pass). */
static inline size_t angle_offset(const char *p, size_t n) {
    size_t k = 0;
#if defined(__SSE2__)
    const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
    for (; n - k >= 16; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)));
        if (m)
            return k + ss_ctz(m);
    }
    if (n >= 16) {
        /* the last 0..15 bytes: the 16 that end p, those before k (read
         * already, neither byte among them) shifted out of the mask */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                         _mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt))) >>
                     (16 - (n - k));
        return m ? k + ss_ctz(m) : n;
    }
#endif
    while (k < n && p[k] != '<' && p[k] != '>')
        k++;
    return k;
}

/* a starts with "mailto:", ASCII case ignored (as ss_starts_ci): two
 * words, with 0x20 OR-ed into the bytes that must be letters. */
static inline int starts_mailto(ss_str a) {
    return a.len >= 7 &&
           (ss_load4(a.ptr) | ss_load4("    ")) == ss_load4("mail") &&
           (ss_load4(a.ptr + 3) | ss_load4("   ")) == ss_load4("lto:");
}

ss_str ss_find_address(ss_str s) {
    /* Prefer <...> that holds an @; else the first word with an @.
     * byte_offset finds the '<' and '@' positions, left to right. */
    if (!s.ptr || !s.len)
        return SS_NULLSTR;
    for (size_t i = ss_byte_offset(s.ptr, s.len, '<'); i < s.len;
         i += 1 + ss_byte_offset(s.ptr + i + 1, s.len - i - 1, '<')) {
        size_t j = i + 1;
        size_t lim = s.len - i > 512 ? i + 512 : s.len;
        /* j: the first '>' or '<' after i, else lim */
        j += angle_offset(s.ptr + j, lim - j);
        if (j < s.len && s.ptr[j] == '>' &&
            ss_byte_offset(s.ptr + i + 1, j - i - 1, '@') < j - i - 1) {
            ss_str a = ss_trim(ss_str_make(s.ptr + i + 1, j - i - 1));
            /* "<mailto:x@y>" */
            if (starts_mailto(a)) {
                a.ptr += 7;
                a.len -= 7;
            }
            if (a.len)
                return a;
        }
    }
    for (size_t i = ss_byte_offset(s.ptr, s.len, '@'); i < s.len;
         i += 1 + ss_byte_offset(s.ptr + i + 1, s.len - i - 1, '@')) {
        size_t b = i, e = i + 1;
        const unsigned char *u = (const unsigned char *)s.ptr;
        /* four bytes a step, then one by one */
        while (b >= 4 && (addr_tab[u[b - 1]] & addr_tab[u[b - 2]] &
                          addr_tab[u[b - 3]] & addr_tab[u[b - 4]]))
            b -= 4;
        while (b > 0 && addr_tab[u[b - 1]])
            b--;
        while (s.len - e >= 4 && (addr_tab[u[e]] & addr_tab[u[e + 1]] &
                                  addr_tab[u[e + 2]] & addr_tab[u[e + 3]]))
            e += 4;
        while (e < s.len && addr_tab[u[e]])
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

/* The white space of ss_isspace: ' ', '\t', '\r', '\n', '\f', '\v'. */
static const unsigned char ws_tab[256] = {
    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['\f'] = 1, ['\v'] = 1,
};

/* ss_trim with the table, inline (the values here mostly start with a
 * space, which sends ss_trim to its slow path). */
static inline ss_str trim_ws(ss_str s) {
    if (!s.len)
        return s;
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t b = 0, e = s.len;
    while (b < e && ws_tab[p[b]])
        b++;
    while (e > b && ws_tab[p[e - 1]])
        e--;
    return ss_str_make(s.ptr + b, e - b);
}

/* Whether s has a byte that is not white space. */
static inline int has_text(ss_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len; i++)
        if (!ws_tab[p[i]])
            return 1;
    return 0;
}

/* Bytes that end the type of a value: ';', and ' ', '<', '@' (no type). */
static const unsigned char type_stop[256] = {
    [';'] = 1, [' '] = 1, ['<'] = 1, ['@'] = 1,
};

/* Value after "type;" as in "rfc822; user@example.org"; the type goes to
 * *type when wanted.  v is trimmed (next_field's values are): the type
 * needs only its end trimmed, the value after the ';' only its start,
 * and v without a type nothing. */
static inline ss_str after_type(ss_str v, ss_str *type) {
    /* the first ';', ' ', '<' or '@' in the first 64 bytes: only a ';'
     * ends a type */
    const unsigned char *p = (const unsigned char *)v.ptr;
    size_t lim = v.len < 64 ? v.len : 64, i = 0;
#if defined(__SSE2__)
    /* the first 16 bytes at once when there are that many (lim is then
     * 16 or more): most types end in them */
    if (v.len >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(';')),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8(' '))),
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('<')),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8('@')))));
        i = m ? ss_ctz(m) : 16; /* found, the loop below stops at once */
    }
#endif
    while (i < lim && !type_stop[p[i]])
        i++;
    if (i < lim && p[i] == ';') {
        if (type) {
            size_t e = i;
            while (e > 0 && ws_tab[p[e - 1]])
                e--;
            *type = ss_str_make(v.ptr, e);
        }
        size_t b = i + 1;
        while (b < v.len && ws_tab[p[b]])
            b++;
        return ss_str_make(v.ptr + b, v.len - b);
    }
    if (type)
        *type = SS_NULLSTR;
    return v;
}

/* One field line (possibly continued); name and raw value (folding kept;
 * not set for F_OTHER). */
typedef struct dsn_field {
    ss_str name, value;
    int id; /* F_* below */
} dsn_field;

/* The fields ss_dsn_parse keeps. */
enum {
    F_OTHER,
    F_REPORTING,
    F_FINAL,
    F_ORIGINAL,
    F_ACTION,
    F_STATUS,
    F_REMOTE,
    F_DIAG,
    F_DATE,
    F_ACTUAL
};

/* p[0..n) equals lit, a field name in lower case, ASCII case ignored;
 * mask has ' ' (0x20) where lit has a letter and NUL where it has '-'
 * (OR-ing 0x20 lower-cases a letter and leaves no other byte equal to a
 * letter; '-' is compared exactly).  4 <= n; p, lit and mask hold at
 * least n bytes. */
static inline int name_eq(const unsigned char *p, const char *lit,
                          const char *mask, size_t n) {
    if (n < 8)
        return ((ss_load4(p) | ss_load4(mask)) == ss_load4(lit)) &&
               ((ss_load4(p + n - 4) | ss_load4(mask + n - 4)) ==
                ss_load4(lit + n - 4));
    size_t k = 0;
    for (; k + 8 < n; k += 8)
        if ((ss_load8(p + k) | ss_load8(mask + k)) != ss_load8(lit + k))
            return 0;
    return (ss_load8(p + n - 8) | ss_load8(mask + n - 8)) ==
           ss_load8(lit + n - 8);
}

/* A line that starts with one of the kept names and its colon right
 * after ("Status:"): its F_* and the name's length; else F_OTHER (the
 * general scan then decides). */
static int known_name(const unsigned char *p, size_t len, size_t *nlen) {
#define KN(lit, mask, id)                                                    \
    do {                                                                     \
        size_t n_ = sizeof(lit) - 1;                                         \
        if (len > n_ && p[n_] == ':' && name_eq(p, lit, mask, n_)) {          \
            *nlen = n_;                                                      \
            return id;                                                       \
        }                                                                    \
    } while (0)
    switch (p[0] | 0x20) {
    case 'a':
        KN("action", "      ", F_ACTION);
        break;
    case 's':
        KN("status", "      ", F_STATUS);
        break;
    case 'r':
        KN("reporting-mta", "         \0   ", F_REPORTING);
        KN("remote-mta", "      \0   ", F_REMOTE);
        break;
    case 'f':
        KN("final-recipient", "     \0         ", F_FINAL);
        break;
    case 'o':
        KN("original-recipient", "        \0         ", F_ORIGINAL);
        break;
    case 'd':
        KN("diagnostic-code", "          \0    ", F_DIAG);
        break;
    case 'l':
        KN("last-attempt-date", "    \0       \0    ", F_DATE);
        break;
    case 'x':
        KN("x-actual-recipient", " \0      \0         ", F_ACTUAL);
        break;
    default:
        break;
    }
#undef KN
    return F_OTHER;
}

/* n equals lit, a lower-case field name, ASCII case ignored (the
 * general path: "Status : 5.0.0"). */
static int name_is(ss_str n, const char *lit) {
    for (size_t i = 0; i < n.len; i++)
        if (ss_lower((unsigned char)n.ptr[i]) != lit[i])
            return 0;
    return 1;
}

/* The F_* of a field name (trimmed). */
static int name_id(ss_str n) {
    switch (n.len) {
    case 6:
        return name_is(n, "action") ? F_ACTION
               : name_is(n, "status") ? F_STATUS : F_OTHER;
    case 10:
        return name_is(n, "remote-mta") ? F_REMOTE : F_OTHER;
    case 13:
        return name_is(n, "reporting-mta") ? F_REPORTING : F_OTHER;
    case 15:
        return name_is(n, "final-recipient") ? F_FINAL
               : name_is(n, "diagnostic-code") ? F_DIAG : F_OTHER;
    case 17:
        return name_is(n, "last-attempt-date") ? F_DATE : F_OTHER;
    case 18:
        return name_is(n, "original-recipient") ? F_ORIGINAL
               : name_is(n, "x-actual-recipient") ? F_ACTUAL : F_OTHER;
    default:
        return F_OTHER;
    }
}

/* Bytes that end a field name: ':', ' ', '\t'. */
static const unsigned char name_stop[256] = {
    [':'] = 1, [' '] = 1, ['\t'] = 1,
};

/* The offset of the first ':', ' ' or '\t' in p[0..len), or len; avail
 * (>= len) bytes from p may be read. */
static size_t name_end(const unsigned char *p, size_t len, size_t avail) {
    size_t k = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time while they can be read, up to the line's end */
    const __m128i colon = _mm_set1_epi8(':'), sp = _mm_set1_epi8(' '),
                  tab = _mm_set1_epi8('\t');
    while (k < len && avail - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, colon),
                                      _mm_cmpeq_epi8(v, sp)),
                         _mm_cmpeq_epi8(v, tab)));
        if (mask) {
            k += ss_ctz(mask);
            return k < len ? k : len;
        }
        k += 16;
    }
    if (k >= len)
        return len;
#endif
    while (k < len && !name_stop[p[k]])
        k++;
    return k;
}

/* Read the next field starting at *pos; blank lines end a group (returns
 * 2). Returns 1 for a field, 0 at the end of text, 3 for a line that is
 * not a field (skipped). */
static int next_field(ss_str t, size_t *pos, dsn_field *f) {
    ss_str line;
    if (!ss_next_line(t, pos, &line))
        return 0;
    const unsigned char *lp = (const unsigned char *)line.ptr;
    /* a line that starts with a byte not white has text: the usual one */
    if (!line.len || ws_tab[lp[0]]) {
        if (!has_text(line))
            return 2;
        if (lp[0] == ' ' || lp[0] == '\t')
            return 3;
    }
    size_t ci = 0;
    int id = known_name(lp, line.len, &ci);
    if (id != F_OTHER) {
        f->name = ss_str_make(line.ptr, ci);
    } else {
        /* One pass to the first ':', ' ' or '\t': "Name:" or "Name :
         * value"; a line that has no colon, or other spaces before its
         * colon, is not a field. */
        ci = name_end(lp, line.len, (size_t)(t.ptr + t.len - line.ptr));
        if (ci == 0 || ci == line.len)
            return 3;
        if (lp[ci] != ':') {
            size_t d = ci;
            while (d < line.len && (lp[d] == ' ' || lp[d] == '\t'))
                d++;
            if (d == line.len || lp[d] != ':')
                return 3;
            ci = d;
        }
        f->name = trim_ws(ss_str_make(line.ptr, ci));
        id = name_id(f->name);
    }
    f->id = id;
    /* the value: from after the colon to the end of the line, or of the
     * last line that continues it */
    const char *vs = line.ptr + ci + 1, *ve = line.ptr + line.len;
    /* continuation lines: only a line that starts with white space can
     * continue it, and one that is white space only does not */
    while (*pos < t.len && (t.ptr[*pos] == ' ' || t.ptr[*pos] == '\t')) {
        size_t save = *pos;
        ss_str next;
        if (!ss_next_line(t, pos, &next))
            break;
        if (!has_text(next)) {
            *pos = save;
            break;
        }
        ve = next.ptr + next.len;
    }
    if (id == F_OTHER) /* ss_dsn_parse keeps no other field's value */
        return 1;
    f->value = trim_ws(ss_str_make(vs, (size_t)(ve - vs)));
    return 1;
}

/* Per-recipient fields of one group, gathered before the record is made
 * (some MTAs write Diagnostic-Code or Status before Final-Recipient). */
typedef struct dsn_group {
    ss_str recipient, alias, action, status, remote, diag, diag_type, date,
        actual;
    int any; /* a field was set since the last flush (else all is zero) */
} dsn_group;

static size_t flush_group(dsn_group *g, ss_str reporting, ss_bounce *out) {
    size_t added = 0;
    if (!g->any)
        return 0;
    if (!g->recipient.len && !g->alias.len && g->actual.len)
        g->recipient = g->actual;
    if (g->recipient.len || g->alias.len) {
        /* ss_bounce_add without its zeroing of the fields set here */
        ss_fact *f = bounce_slot(out);
        if (f) {
            const ss_str none = SS_NULLSTR;
            f->recipient = g->recipient.len ? g->recipient : g->alias;
            f->alias = g->alias.len ? g->alias : g->actual;
            f->action = g->action;
            f->status = g->status;
            f->reply_code = none;
            f->diagnostic = g->diag;
            f->diagnostic_type = g->diag_type;
            f->remote_mta = g->remote;
            f->reporting_mta = reporting;
            f->command = none;
            f->feedback_type = none;
            f->date = g->date;
            f->reason = -1;
            f->hard = -1;
            added = 1;
        }
    }
    /* a copy of a zero constant, not memset: GCC makes a memset of this
     * size a `rep stos`, slow to start, and the copy a few vector moves */
    static const dsn_group blank;
    *g = blank;
    return added;
}

size_t ss_dsn_parse(ss_str t, ss_bounce *out) {
    size_t pos = 0, added = 0;
    ss_str reporting = SS_NULLSTR;
    static const dsn_group blank; /* a copy, not memset: see flush_group */
    dsn_group g = blank;
    int r;
    dsn_field f;
    size_t guard = 0;
    while ((r = next_field(t, &pos, &f)) != 0 && guard++ < 1000000) {
        if (r == 2) {
            /* (most blank lines end no group: the test without a call) */
            if (g.any)
                added += flush_group(&g, reporting, out);
            continue;
        }
        if (r == 3)
            continue;
        switch (f.id) {
        case F_REPORTING:
            reporting = after_type(f.value, NULL);
            if (!out->reporting_mta.len)
                out->reporting_mta = reporting;
            break;
        case F_FINAL:
            /* a second recipient in the same group (no blank line
             * between groups) starts the next record */
            if (g.recipient.len)
                added += flush_group(&g, reporting, out);
            g.recipient = after_type(f.value, NULL);
            break;
        case F_ORIGINAL:
            if (g.alias.len)
                added += flush_group(&g, reporting, out);
            g.alias = after_type(f.value, NULL);
            break;
        case F_ACTION:
            g.action = f.value;
            break;
        case F_STATUS:
            g.status = f.value;
            break;
        case F_REMOTE:
            g.remote = after_type(f.value, NULL);
            break;
        case F_DIAG:
            g.diag = after_type(f.value, &g.diag_type);
            break;
        case F_DATE:
            g.date = f.value;
            break;
        case F_ACTUAL:
            g.actual = after_type(f.value, NULL);
            break;
        default:
            break;
        }
        if (f.id != F_OTHER && f.id != F_REPORTING)
            g.any = 1;
    }
    if (g.any)
        added += flush_group(&g, reporting, out);
    return added;
}
