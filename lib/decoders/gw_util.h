/*
 * gw_util.h - small helpers shared by the gateway decoders (Sendmail,
 * Exchange, security gateways, Japanese carriers): header tests, line
 * search in the bounce text, joining text pieces in the arena, facts
 * from a delivery-status part or else from the text (gw_dsn), one fact
 * per address, address comparisons.
 *
 * Static inline only; nothing here keeps state or allocates outside the
 * arena given.  Every loop is bounded by its input.
 */
#ifndef SS_GW_UTIL_H
#define SS_GW_UTIL_H

#include "../decoder.h"
#include "provutil.h"

#define GW_MAX_JOIN 4096
#define GW_MAX_LINES 100000

/* a + " " + b in the arena (b trimmed; a kept when b is empty or the
 * result would pass GW_MAX_JOIN or memory runs out). */
static inline ss_str gw_join(ss_arena *ar, ss_str a, ss_str b) {
    b = ss_trim(b);
    if (!b.len)
        return a;
    if (!a.len)
        return b;
    if (a.len + 1 + b.len > GW_MAX_JOIN)
        return a;
    char *d = ss_alloc(ar, a.len + b.len + 2);
    if (!d)
        return a;
    memcpy(d, a.ptr, a.len);
    d[a.len] = ' ';
    memcpy(d + a.len + 1, b.ptr, b.len);
    d[a.len + 1 + b.len] = '\0';
    return ss_str_make(d, a.len + 1 + b.len);
}

/* s without its first n bytes (n <= s.len). */
static inline ss_str gw_skip(ss_str s, size_t n) {
    if (n > s.len)
        n = s.len;
    return ss_str_make(s.ptr + n, s.len - n);
}

/* Does s contain the ASCII needle (case-sensitive)? */
PV_INLINE int gw_has(ss_str s, const char *needle) {
    size_t n = strlen(needle);
    if (!s.ptr)
        return 0;
    if (n < 2 || needle[0] != ' ')
        return ss_find(s, needle, n) >= 0;
    /* a leading space: search for the rest (fewer candidates), then look
     * at the byte before it */
    for (size_t off = 1; off < s.len;) {
        long i = ss_find(ss_str_make(s.ptr + off, s.len - off), needle + 1, n - 1);
        if (i < 0)
            return 0;
        if (s.ptr[off + (size_t)i - 1] == ' ')
            return 1;
        off += (size_t)i + 1;
    }
    return 0;
}

/* gw_has(s, needle), searching first for the first byte of needle equal
 * to anchor (best a rare one; found at compile time when inlined). */
PV_INLINE int gw_has_by(ss_str s, const char *needle, char anchor) {
    size_t n = strlen(needle);
    const char *a = strchr(needle, anchor);
    size_t k = a ? (size_t)(a - needle) : 0;
    if (!s.ptr)
        return 0;
    if (n == 0)
        return 1;
    if (n > s.len)
        return 0;
    const char *p = s.ptr + k, *end = s.ptr + (s.len - n) + k + 1;
    while (p < end) {
        const char *q = memchr(p, (unsigned char)needle[k], (size_t)(end - p));
        if (!q)
            return 0;
        /* the last byte first (a cheap test that most candidates fail) */
        if (q[n - 1 - k] == needle[n - 1] && memcmp(q - k, needle, n) == 0)
            return 1;
        p = q + 1;
    }
    return 0;
}

/* Does the raw value of the first header `name` contain needle
 * (case-insensitive)?  needle "" tests presence. */
PV_INLINE int gw_header_has(const ss_view *v, const char *name,
                            const char *needle) {
    ss_str h = pv_header(v->root, name);
    if (!h.ptr)
        return 0;
    return pv_has_lit(h, needle);
}

/* Does any header called `name` (Received, ...) contain needle
 * (case-insensitive)? */
PV_INLINE int gw_any_header_has(const ss_view *v, const char *name,
                                const char *needle) {
    const ss_part *p = v->root;
    for (size_t i = pv_hdr_first(p, name); i < p->nheaders; i = pv_hdr_next(p, name, i))
        if (pv_has_lit(p->headers[i].value, needle))
            return 1;
    return 0;
}

/* The offset just past the first line of text (from *pos on) whose
 * trimmed content starts with (prefix != 0) or contains (prefix == 0)
 * marker; -1 if none.  *line_start gets the line's offset when wanted. */
static inline long gw_find_line(ss_str text, size_t from, const char *marker,
                                int prefix, size_t *line_start) {
    size_t pos = from, n = 0;
    ss_str line;
    size_t ml = strlen(marker);
    /* a line holding the marker means the text from there holds it: one
     * search of the text first, cheaper than the lines when it is not */
    if (ml && ss_find(gw_skip(text, from), marker, ml) < 0)
        return -1;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        int hit = prefix ? (t.len >= ml && memcmp(t.ptr, marker, ml) == 0)
                         : ss_find(t, marker, ml) >= 0;
        if (hit) {
            if (line_start)
                *line_start = (size_t)(line.ptr - text.ptr);
            return (long)pos;
        }
    }
    return -1;
}

/* The text from offset `from` to the end, blank lines at its start
 * skipped (an inline original message must start with its headers). */
static inline ss_str gw_rest(ss_str text, size_t from) {
    ss_str r = gw_skip(text, from);
    size_t n = 0;
    while (r.len && n++ < GW_MAX_LINES) {
        const char *nl = memchr(r.ptr, '\n', r.len);
        size_t ll = nl ? (size_t)(nl - r.ptr) : r.len;
        if (ss_trim(ss_str_make(r.ptr, ll)).len)
            break;
        r = gw_skip(r, nl ? ll + 1 : ll);
    }
    return r;
}

/* A line that is only an address ("user@example.org" or "<...>"),
 * possibly indented; returns the address or a NULL slice. */
static inline ss_str gw_lone_address(ss_str line) {
    ss_str t = ss_trim(line);
    if (!t.len || t.len > 512)
        return SS_NULLSTR;
    for (size_t i = 0; i < t.len; i++)
        if (t.ptr[i] == ' ' || t.ptr[i] == '\t')
            return SS_NULLSTR;
    ss_str a = ss_find_address(t);
    if (!a.len || a.ptr[0] == '@')
        return SS_NULLSTR;
    return a;
}

/* a and b are equal, ASCII case ignored, and not empty. */
static inline int gw_eq_ci(ss_str a, ss_str b) {
    if (!a.len || a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++)
        if (ss_lower((unsigned char)a.ptr[i]) != ss_lower((unsigned char)b.ptr[i]))
            return 0;
    return 1;
}

/* Case-insensitive equality of two addresses (brackets and spaces
 * around them ignored). */
static inline int gw_same_addr(ss_str a, ss_str b) {
    a = ss_trim(a);
    b = ss_trim(b);
    if (a.len && a.ptr[0] == '<')
        a = ss_find_address(a);
    if (b.len && b.ptr[0] == '<')
        b = ss_find_address(b);
    return gw_eq_ci(a, b);
}

/* Case-insensitive equality of the first addresses in a and b
 * (ss_find_address(), whatever surrounds them); 0 when a has none. */
static inline int gw_same_addr_in(ss_str a, ss_str b) {
    return gw_eq_ci(ss_find_address(a), ss_find_address(b));
}

/* The fact (from index first on) whose recipient is addr, or NULL. */
static inline ss_fact *gw_fact_for(ss_bounce *out, size_t first, ss_str addr) {
    for (size_t i = first; i < out->nfacts; i++)
        if (gw_same_addr(out->facts[i].recipient, addr))
            return &out->facts[i];
    return NULL;
}

/* One fact for each of the addresses rcpts[0..n) (as many as out takes),
 * all with diagnostic diag, command cmd and reason (-1: none). */
static inline void gw_add_each(ss_bounce *out, const ss_str *rcpts, size_t n,
                               ss_str diag, ss_str cmd, int reason) {
    for (size_t i = 0; i < n; i++) {
        ss_fact *f = pv_add_rcpt(out, rcpts[i]);
        if (!f)
            break;
        f->diagnostic = diag;
        f->command = cmd;
        f->reason = reason;
    }
}

/* The SMTP command word of a transcript's ">>> MAIL From:<...>" (rest:
 * the text after ">>> "): its leading letters when 4 to 8, else a NULL
 * slice. */
static inline ss_str gw_command_word(ss_str rest) {
    return pv_command_letters(ss_trim(rest));
}

/* The facts of a gateway's report that has a delivery-status part, or
 * text lines that name its recipients, or both: the DSN's when it gives
 * any, the text adding to them; else those the text names.
 *   gw_dsn d = gw_dsn_begin(v, out);     (the DSN's facts, if any)
 *   ... f = gw_dsn_fact(out, &d, addr) for each address of the text ...
 *   if (gw_dsn_none(out, &d)) return SS_DEC_NO;  */
typedef struct gw_dsn {
    size_t first;       /* out->nfacts before */
    ss_str saved_mta;   /* out->reporting_mta before */
    int dsn_facts;      /* the DSN gave facts */
} gw_dsn;

static inline gw_dsn gw_dsn_begin(const ss_view *v, ss_bounce *out) {
    gw_dsn d;
    d.first = out->nfacts;
    d.saved_mta = out->reporting_mta;
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    d.dsn_facts = out->nfacts > d.first;
    return d;
}

/* The fact a text line about addr adds to: with the DSN's facts, the one
 * of them for addr (NULL when none is); else a new fact for addr (NULL
 * when out takes no more, d->dsn_facts then 0: the caller stops). */
static inline ss_fact *gw_dsn_fact(ss_bounce *out, const gw_dsn *d, ss_str addr) {
    if (d->dsn_facts)
        return gw_fact_for(out, d->first, addr);
    return pv_add_rcpt(out, addr);
}

/* 1 when neither the DSN nor the text gave a fact, out->reporting_mta
 * then put back as it was (ss_dsn_parse() may have set it). */
static inline int gw_dsn_none(ss_bounce *out, const gw_dsn *d) {
    if (out->nfacts != d->first)
        return 0;
    out->reporting_mta = d->saved_mta;
    return 1;
}

#endif
