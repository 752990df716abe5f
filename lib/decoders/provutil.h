/*
 * provutil.h - small text helpers shared by the provider decoders and the
 * generic fallback (lib/decoders/provutil.c): cutting the bounce text at
 * the line where the original message starts, recognizing a line that is
 * just a recipient address, guessing the SMTP command from the words
 * around a reply, and picking an inner "<421 4.4.2 ...>" reply; and the
 * steps of building facts that many decoders share (a fact for an
 * address, qmail-style recipient lines, the original message after a
 * marker line, a delivery-status part's facts under a decoder's name).
 *
 * Internal to the decoders; nothing here classifies.
 */
#ifndef SS_PROVUTIL_H
#define SS_PROVUTIL_H

#include "../decoder.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* For the helpers below, mostly called with literals: always inlined,
 * their strlen() and strchr() of a literal are computed at compile time
 * (GCC's inliner would not always inline them, judging their size before
 * that folding). */
#if defined(__GNUC__)
#define PV_INLINE static inline __attribute__((always_inline))
#else
#define PV_INLINE static inline
#endif

/* A decoder's work past its first tests, which most messages fail, kept
 * out of line (PV_NOINLINE static int decode(...)) with the tests in the
 * entry point: GCC saves the registers that work needs on entry to the
 * function that holds it, before the tests, for every message. */
#if defined(__GNUC__)
#define PV_NOINLINE __attribute__((noinline))
#else
#define PV_NOINLINE
#endif

/* The part of text before the first line that starts with one of
 * markers (case-insensitive; leading white space, dashes, '=' and '*'
 * of both are ignored, so "-------- Original message follows" matches
 * "Original message follows"; a marker without leading dashes does not
 * match an indented line); *after (if not NULL) gets the text following
 * that line, without leading blank lines, or an empty slice.  Without a
 * marker line the whole text is returned. */
ss_str pv_upto(ss_str text, const char *const *markers, ss_str *after);

/* a[0..n) and b[0..n) are equal, ASCII case ignored */
PV_INLINE int pv_eq_ci(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        /* equal bytes, or one letter in its two cases (they differ in
         * 0x20 only, and with 0x20 set are a lower-case letter) */
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y && ((x ^ y) != 0x20 || (x | 0x20) - 'a' > 25u))
            return 0;
    }
    return 1;
}

/* The w (4 or 8) bytes of lit from i as a word in the byte order of
 * ss_load8/ss_load4, letters lowered (lo == 1), or the mask with 0x20 at
 * each letter (lo == 0).  Arithmetic on the word, so that with a literal
 * it is computed at compile time: a byte's low seven bits with 0x20 set,
 * plus 0x80 - 'a', has its top bit set iff they are >= 'a'; plus 0x80 -
 * 'z' - 1, iff they are > 'z' (no carry leaves a byte); a byte >= 0x80 is
 * no letter. */
PV_INLINE uint64_t pv_lit_word(const char *lit, size_t i, size_t w, int lo) {
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t x = w == 8 ? ss_load8(lit + i) : ss_load4(lit + i);
    uint64_t low7 = (x | ones * 0x20) & ~(ones * 0x80);
    uint64_t ge_a = low7 + ones * (0x80 - 'a');
    uint64_t gt_z = low7 + ones * (0x80 - 'z' - 1);
    uint64_t mask = ((ge_a & ~gt_z & ~x) & ones * 0x80) >> 2;
    return lo ? x | mask : mask;
}

/* One word of p (w bytes from i) equals lit's, ASCII case ignored: the
 * word with 0x20 set where lit has a letter equals lit's word lowered
 * (setting 0x20 lowers a letter, and no other byte becomes one). */
PV_INLINE int pv_word_eq(const char *p, const char *lit, size_t i, size_t w) {
    uint64_t x = w == 8 ? ss_load8(p + i) : ss_load4(p + i);
    return (x | pv_lit_word(lit, i, w, 0)) == pv_lit_word(lit, i, w, 1);
}

/* p[0..n) equals lit[0..n), ASCII case ignored (as ss_memeq_ci): in
 * words, the last overlapping the one before, up to 24 bytes; past 16
 * bytes of a longer one, byte by byte (reached only when the first 16
 * match).  No loop over words: with a literal, each word's constants are
 * folded at compile time. */
PV_INLINE int pv_eq_lit(const char *p, const char *lit, size_t n) {
    if (n < 4)
        return pv_eq_ci(p, lit, n);
    if (n < 8)
        return pv_word_eq(p, lit, 0, 4) && pv_word_eq(p, lit, n - 4, 4);
    if (n <= 16)
        return pv_word_eq(p, lit, 0, 8) && pv_word_eq(p, lit, n - 8, 8);
    if (!pv_word_eq(p, lit, 0, 8) || !pv_word_eq(p, lit, 8, 8))
        return 0;
    if (n <= 24)
        return pv_word_eq(p, lit, n - 8, 8);
    return pv_eq_ci(p + 16, lit + 16, n - 16);
}

#if defined(__SSE2__)
/* The positions of p[0..16) whose byte, with fold (0 or 0x20) OR-ed in,
 * is c, as bits (pv_find_ci_core's candidates). */
PV_INLINE unsigned pv_cand16(const char *p, unsigned char c, unsigned char fold) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_or_si128(x, _mm_set1_epi8((char)fold)),
                       _mm_set1_epi8((char)c)));
}
#endif

/* ss_starts_ci(s, lit) and ss_eq_ci(s, lit) for a literal lit (a header
 * name, a value): word comparisons known at compile time, without a
 * call. */
PV_INLINE int pv_starts_lit(ss_str s, const char *lit) {
    size_t k = strlen(lit);
    return s.len >= k && pv_eq_lit(s.ptr, lit, k);
}
PV_INLINE int pv_eq_str(ss_str s, const char *lit) {
    size_t k = strlen(lit);
    return s.len == k && pv_eq_lit(s.ptr, lit, k);
}

/* The headers of p named lit (ASCII case ignored), in document order:
 *   for (size_t i = pv_hdr_first(p, lit); i < p->nheaders;
 *        i = pv_hdr_next(p, lit, i))
 * Through p's header index when it has one (the headers of lit's bucket
 * only, where a loop over all would test every name), else one by one. */
/* A header name equal to the literal lit, ASCII case ignored: as
 * written first (most names are written as looked up: a plain compare of
 * a known length), then in either case. */
PV_INLINE int pv_name_is(ss_str name, const char *lit) {
    size_t k = strlen(lit);
    return name.len == k &&
           (memcmp(name.ptr, lit, k) == 0 || pv_eq_lit(name.ptr, lit, k));
}
PV_INLINE size_t pv_hdr_chain(const ss_part *p, const char *lit, uint32_t j) {
    /* j: a header + 1 of lit's bucket chain, or 0 at its end */
    for (; j; j = p->hidx->next[j - 1])
        if (pv_name_is(p->headers[j - 1].name, lit))
            return j - 1;
    return p->nheaders;
}
PV_INLINE size_t pv_hdr_from(const ss_part *p, const char *lit, size_t i) {
    for (; i < p->nheaders; i++)
        if (pv_name_is(p->headers[i].name, lit))
            return i;
    return p->nheaders;
}
PV_INLINE size_t pv_hdr_first(const ss_part *p, const char *lit) {
    if (p->hidx)
        return pv_hdr_chain(p, lit, p->hidx->head[ss_hidx_bucket(lit, strlen(lit))]);
    return pv_hdr_from(p, lit, 0);
}
/* (i: a header named lit) */
PV_INLINE size_t pv_hdr_next(const ss_part *p, const char *lit, size_t i) {
    if (p->hidx)
        return pv_hdr_chain(p, lit, p->hidx->next[i]);
    return pv_hdr_from(p, lit, i + 1);
}

/* The raw value of the first header of p named lit (ASCII case ignored),
 * or a NULL slice: ss_part_header_raw(p, lit), all inline.  That one
 * calls out of line when the first header of lit's bucket is another (a
 * common header shares the bucket of many a name a decoder looks for:
 * Subject that of Content-Language, Message-Id that of X-SES-Outgoing);
 * here the chain is walked inline, each name's length compared first. */
PV_INLINE ss_str pv_header(const ss_part *p, const char *lit) {
    size_t i = pv_hdr_first(p, lit);
    return i < p->nheaders ? p->headers[i].value : SS_NULLSTR;
}

/* 1 when the From: address's local part equals local (case-insensitive).
 * Inline, for the literal's words known at compile time. */
PV_INLINE int pv_from_local(const ss_view *v, const char *local) {
    size_t n = strlen(local);
    ss_str a = v->from_addr;
    return a.len > n && a.ptr[n] == '@' && pv_eq_lit(a.ptr, local, n);
}

/* ss_find_ci_n(s, needle, n) (the offset of the first match or -1),
 * looking at the bytes equal to needle[k] in either case first (k < n;
 * best a rare byte).  lit: needle is a literal (its comparisons then are
 * words known at compile time). */
PV_INLINE long pv_find_ci_core(ss_str s, const char *needle, size_t n,
                               size_t k, int lit) {
    /* A match at i has needle[k] (either case) at i + k: the candidates
     * are those bytes, looked at in order, so the first match found is
     * the first match. */
    if (n == 0)
        return 0;
    if (n > s.len || !s.ptr)
        return -1;
    unsigned char lo = (unsigned char)ss_lower((unsigned char)needle[k]);
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    const char *p = s.ptr + k, *end = s.ptr + (s.len - n) + k + 1;
#define PV_AT(q)                                                             \
    (lit ? pv_eq_lit((q) + 1, needle + k + 1, n - k - 1) &&                   \
               pv_eq_lit((q) - k, needle, k)                                 \
         : pv_eq_ci((q) + 1, needle + k + 1, n - k - 1) &&                    \
               pv_eq_ci((q) - k, needle, k))
#if defined(__SSE2__)
    /* The candidates 32 or 16 bytes a step, without a call (a memchr per
     * candidate and per case costs more; and with a rare anchor this
     * costs less than ss_find_ci_n's test of the needle's first and last
     * bytes); the loads end before end + n - k - 1, the text's end.  A
     * byte is the anchor in either case iff it equals lo once fold is
     * OR-ed in (0x20 for a letter: its two cases differ only there, and
     * no other byte becomes one). */
    const unsigned char fold = up != lo ? 0x20 : 0;
    const char *tend = s.ptr + s.len;
    for (; end - p >= 32; p += 32) {
        uint32_t m = pv_cand16(p, lo, fold) |
                     (uint32_t)pv_cand16(p + 16, lo, fold) << 16;
        for (; m; m &= m - 1) {
            const char *q = p + ss_ctz(m);
            if (PV_AT(q))
                return (long)(q - k - s.ptr);
        }
    }
    for (; end - p >= 16; p += 16)
        for (unsigned m = pv_cand16(p, lo, fold); m; m &= m - 1) {
            const char *q = p + ss_ctz(m);
            if (PV_AT(q))
                return (long)(q - k - s.ptr);
        }
    if (p < end && s.len >= 16) {
        /* the last positions (fewer than 16): one load of 16 bytes of the
         * text from p, or from 16 before its end, the bits of positions
         * outside [p, end) masked off */
        const char *at = tend - p >= 16 ? p : tend - 16;
        unsigned lo_bit = (unsigned)(p - at), hi_bit = (unsigned)(end - at);
        unsigned m = pv_cand16(at, lo, fold) & ((1u << hi_bit) - 1u) &
                     ~((1u << lo_bit) - 1u);
        for (; m; m &= m - 1) {
            const char *q = at + ss_ctz(m);
            if (PV_AT(q))
                return (long)(q - k - s.ptr);
        }
        return -1;
    }
    for (; p < end; p++)
        if (((unsigned char)*p | fold) == lo && PV_AT(p))
            return (long)(p - k - s.ptr);
    return -1;
#else
    /* the candidates from memchr of the anchor's two cases in turn */
    ss_either e;
    ss_either_init(&e, lo, up);
    while (p < end) {
        const char *q = ss_either_next(&e, p, end);
        if (!q)
            return -1;
        if (PV_AT(q))
            return (long)(q - k - s.ptr);
        p = q + 1;
    }
    return -1;
#endif
#undef PV_AT
}

/* 1 when s contains the literal needle[0..n) (case-insensitive), as
 * ss_find_ci_n(s, needle, n) >= 0, looking at the bytes equal to
 * needle[k] first (k < n; best a rare byte that is no letter, which has
 * one case only).  Inline: the comparisons (pv_eq_lit) are words known
 * at compile time. */
PV_INLINE int pv_has_at(ss_str s, const char *needle, size_t n, size_t k) {
    return pv_find_ci_core(s, needle, n, k, 1) >= 0;
}

/* Whether the literal lit matches s (case-insensitive) with its byte k at
 * q, a byte of s: for testing several literals that share a byte at the
 * candidates of one memchr (one pass where pv_has_lit() would make one
 * per literal). */
PV_INLINE int pv_lit_at(ss_str s, const char *q, const char *lit, size_t k) {
    size_t n = strlen(lit), off = (size_t)(q - s.ptr);
    return off >= k && s.len - off >= n - k && pv_eq_lit(q - k, lit, n);
}

/* One pass over the bytes c of s for two literals that have c at offsets
 * ka and kb (ASCII case ignored, as pv_lit_at): 2 when a is in s (the
 * pass ends at its first match), else 1 when b is, else 0. */
PV_INLINE int pv_lit2(ss_str s, char c, const char *a, size_t ka,
                      const char *b, size_t kb) {
    int found = 0;
#if defined(__SSE2__)
    /* The bytes c 16 at a time, inline: s is a header value (From:,
     * Message-Id:), short, where a memchr call per candidate costs more;
     * the last 16 bytes of s once more for the rest, the positions seen
     * masked off. */
    if (s.len >= 16) {
        const __m128i vc = _mm_set1_epi8(c);
        size_t i = 0;
        for (;;) {
            size_t at = s.len - i >= 16 ? i : s.len - 16;
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                             _mm_loadu_si128((const __m128i *)(const void *)(s.ptr + at)), vc)) &
                         (0xffffu << (i - at));
            for (; m; m &= m - 1) {
                const char *q = s.ptr + at + ss_ctz(m);
                if (pv_lit_at(s, q, a, ka))
                    return 2;
                if (!found && pv_lit_at(s, q, b, kb))
                    found = 1;
            }
            i = at + 16;
            if (i >= s.len)
                return found;
        }
    }
#endif
    for (size_t i = 0; i < s.len; i++) {
        const char *q = memchr(s.ptr + i, (unsigned char)c, s.len - i);
        if (!q)
            break;
        i = (size_t)(q - s.ptr);
        if (pv_lit_at(s, q, a, ka))
            return 2;
        if (!found && pv_lit_at(s, q, b, kb))
            found = 1;
    }
    return found;
}

/* 1 when the short s (a header value) contains the literal lit, bytes
 * as written (as ss_find(s, lit, strlen(lit)) >= 0; 0 for a NULL s):
 * the positions that have lit's first and last bytes, 16 at a time
 * (the last block overlapping the one before, the positions seen masked
 * off), inline, where a memchr call per candidate costs more. */
PV_INLINE int pv_has_cs(ss_str s, const char *lit) {
    size_t n = strlen(lit);
    if (!s.ptr || n > s.len)
        return 0;
    if (n == 0)
        return 1;
    size_t last = s.len - n; /* the last position a match can start at */
    size_t i = 0;
#if defined(__SSE2__)
    if (last >= 15) {
        /* the loads end at position + n - 1 + 16 <= s.len */
        const __m128i f = _mm_set1_epi8(lit[0]), l = _mm_set1_epi8(lit[n - 1]);
        for (;;) {
            size_t at = last - i >= 15 ? i : last - 15;
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
                             _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s.ptr + at)), f),
                             _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s.ptr + at + n - 1)),
                                            l))) &
                         (0xffffu << (i - at));
            for (; m; m &= m - 1)
                if (memcmp(s.ptr + at + ss_ctz(m), lit, n) == 0)
                    return 1;
            i = at + 16;
            if (i > last)
                return 0;
        }
    }
#endif
    for (; i <= last; i++)
        if (s.ptr[i] == lit[0] && s.ptr[i + n - 1] == lit[n - 1] &&
            memcmp(s.ptr + i, lit, n) == 0)
            return 1;
    return 0;
}

/* The same for a needle that is not a literal (a table's entry). */
static inline long pv_find_ci_at(ss_str s, const char *needle, size_t n, size_t k) {
    return pv_find_ci_core(s, needle, n, k, 0);
}

/* The same for a literal needle, searching for its first byte equal to
 * anchor (case-insensitive); found at compile time when inlined. */
PV_INLINE long pv_find_ci_by(ss_str s, const char *lit, char anchor) {
    const char *a = strchr(lit, anchor);
    return pv_find_ci_core(s, lit, strlen(lit), a ? (size_t)(a - lit) : 0, 1);
}

/* 1 when s contains the literal lit (case-insensitive), as
 * ss_find_ci(s, lit) >= 0.  Inline so that the anchor (the first '@',
 * else '(', '>', '.', '-' in lit, else its first byte) is found at
 * compile time. */
PV_INLINE int pv_has_lit(ss_str s, const char *lit) {
    const char *an = strchr(lit, '@');
    if (!an)
        an = strchr(lit, '(');
    if (!an)
        an = strchr(lit, '>');
    if (!an)
        an = strchr(lit, '.');
    if (!an)
        an = strchr(lit, '-');
    return pv_has_at(s, lit, strlen(lit), an ? (size_t)(an - lit) : 0);
}

/* 1 when the decoded From: contains s (case-insensitive). */
PV_INLINE int pv_from_has(const ss_view *v, const char *s) {
    return pv_has_lit(v->from, s);
}

/* 1 when the top-level header name is present.  Inline: with a literal
 * name, its length and index bucket are known at compile time. */
PV_INLINE int pv_has_header(const ss_view *v, const char *name) {
    return pv_hdr_first(v->root, name) < v->root->nheaders;
}

/* When line holds nothing but one address (with optional <>, quotes,
 * "mailto:", a trailing ':' and white space), that address; else a NULL
 * slice. */
ss_str pv_addr_line(ss_str line);

/* The SMTP command a diagnostic names ("RCPT TO", "[RCPT_TO]",
 * "in reply to MAIL FROM", "after end of data", ...) as a literal slice,
 * or a NULL slice. */
ss_str pv_command(ss_str diag);

/* If diag holds "<NNN N.N.N ...>" (the remote reply quoted inside the
 * reporting server's own), set the fact's reply_code and status from it;
 * with an arena, the diagnostic becomes "NNN N.N.N ... (outer words)" so
 * that the remote server's reply comes first. */
void pv_inner_reply(ss_arena *a, ss_fact *f, ss_str diag);

/* If diag starts with a reply code ("550:", "550 ", "550-"), set the
 * fact's reply_code from it. */
void pv_lead_reply(ss_fact *f, ss_str diag);

/* Strip trailing white space and a trailing ':' from s. */
ss_str pv_rstrip_colon(ss_str s);

/* Parse the recipients in an X-Failed-Recipients style list (addresses
 * separated by ',' or white space) into new facts with diagnostic diag;
 * returns how many were added. */
size_t pv_add_list(ss_bounce *out, ss_str list, ss_str diag);

/* Recipient blocks: each line of region that is only an address starts
 * a fact; the non-blank lines below it (up to the next address line) are
 * its diagnostic, without a leading "Reason:" style label.  Lines before
 * the first address are ignored.  Returns how many facts were added. */
size_t pv_blocks(ss_str region, ss_bounce *out);

/* The SMTP command word s starts with: its leading letters when 4 to 8
 * ("RCPT", "DATA", "STARTTLS"), else a NULL slice. */
static inline ss_str pv_command_letters(ss_str s) {
    size_t n = 0;
    while (n < s.len && ss_isalpha((unsigned char)s.ptr[n]))
        n++;
    if (n < 4 || n > 8)
        return SS_NULLSTR;
    return ss_str_make(s.ptr, n);
}

/* A new fact whose recipient is addr, or NULL when out takes no more
 * (ss_bounce_add()). */
static inline ss_fact *pv_add_rcpt(ss_bounce *out, ss_str addr) {
    ss_fact *f = ss_bounce_add(out);
    if (f)
        f->recipient = addr;
    return f;
}

/* One trimmed line t of qmail-style recipient blocks ("<user@host>:",
 * then the lines about it; qmail.c, x2.c): an "<addr>:" line starts a
 * new fact (*cur), any other non-blank line below one is joined to its
 * diagnostic.  0 when out takes no more facts (stop reading), else 1. */
static inline int pv_block_line(ss_bounce *out, ss_fact **cur, ss_str t) {
    ss_str rcpt = ss_angle_colon_addr(t);
    if (rcpt.len)
        return (*cur = pv_add_rcpt(out, rcpt)) != NULL;
    if (*cur && t.len)
        (*cur)->diagnostic = ss_span_join((*cur)->diagnostic, t);
    return 1;
}

/* The text from offset pos of the view's text to its end, trimmed, as
 * the original message (the text after a decoder's "original message
 * follows" line), unless the view has a message part for it. */
static inline void pv_original_at(const ss_view *v, ss_bounce *out, size_t pos) {
    if (!v->original)
        out->original = ss_trim(ss_str_make(v->text.ptr + pos, v->text.len - pos));
}

/* The status of qmail's "(#5.1.1)" at offset at of s (where "(#" is):
 * the 5 to 12 digits and dots after "(#" when a ')' follows them, else a
 * NULL slice (qmail.c, x2.c). */
static inline ss_str pv_hash_status_at(ss_str s, size_t at) {
    size_t i = at + 2, st = i;
    while (i < s.len && (ss_isdigit((unsigned char)s.ptr[i]) || s.ptr[i] == '.') &&
           i - st < 12)
        i++;
    if (i < s.len && s.ptr[i] == ')' && i - st >= 5)
        return ss_str_make(s.ptr + st, i - st);
    return SS_NULLSTR;
}

/* The line of text from the first occurrence of label (ASCII case
 * ignored) to its end, label included, without the LF; a NULL slice when
 * text has no label. */
static inline ss_str pv_field_line(ss_str text, const char *label) {
    long r = ss_find_ci(text, label);
    if (r < 0)
        return SS_NULLSTR;
    ss_str rest = ss_str_make(text.ptr + r, text.len - (size_t)r);
    const char *nl = memchr(rest.ptr, '\n', rest.len);
    if (nl)
        rest.len = (size_t)(nl - rest.ptr);
    return rest;
}

/* The facts of the view's delivery-status part (ss_dsn_parse()) under
 * the decoder name name: SS_DEC_YES, or SS_DEC_NO when it gives none.
 * With fill, each fact whose recipient holds an address is then passed
 * to fill with that address, to be completed from the text.  Inline, so
 * that fill is a direct call. */
PV_INLINE int pv_dsn_facts(const ss_view *v, ss_bounce *out, const char *name,
                           void (*fill)(const ss_view *, ss_fact *, ss_str)) {
    size_t first = out->nfacts;
    ss_dsn_parse(v->dsn_text, out);
    if (out->nfacts == first)
        return SS_DEC_NO;
    for (size_t i = first; fill && i < out->nfacts; i++) {
        ss_str a = ss_find_address(out->facts[i].recipient);
        if (a.len)
            fill(v, &out->facts[i], a);
    }
    out->decoder = name;
    return SS_DEC_YES;
}

#endif
