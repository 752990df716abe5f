/*
 * analyzer.c - the bounce analyzer: one message in, records out.
 *
 * For each message: parse MIME (mime.c), build the view decoders read,
 * try the decoders in table order (decoders.c), then for every fact fill
 * the codes from the diagnostic text (reply.c), classify (classify.c),
 * infer a status when none was given, and hand the record to the caller.
 * Also drives the readers (source.c) for paths and file descriptors, and
 * keeps the counters behind --stats.
 *
 * All per-message memory comes from one arena that is reset after each
 * message; the analyzer holds no other state between messages.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* original_headers skips lines with AVX2 when the processor has it
 * (chosen at run time) */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) &&       \
    !defined(SS_NO_AVX2)
#define SS_AVX2_LINES 1
#include <immintrin.h>
#endif

#include "classify.h"
#include "decoder.h"
#include "source.h"

struct smtpstatus_analyzer {
    smtpstatus_options opts;
    ss_arena arena;
    smtpstatus_problem_fn problem_fn;
    void *problem_user;
    smtpstatus_stats stats;
};

void smtpstatus_limits_default(smtpstatus_limits *l) {
    if (!l)
        return;
    l->max_message_size = (size_t)64 << 20;
    l->max_header_size = (size_t)1 << 20;
    l->max_line_length = (size_t)1 << 20;
    l->max_mime_depth = 32;
    l->max_parts = 1000;
    l->max_recipients = 10000;
    l->max_text_scan = (size_t)1 << 20;
}

static void fill_limits(smtpstatus_limits *l) {
    smtpstatus_limits d;
    smtpstatus_limits_default(&d);
    if (!l->max_message_size) l->max_message_size = d.max_message_size;
    if (!l->max_header_size) l->max_header_size = d.max_header_size;
    if (!l->max_line_length) l->max_line_length = d.max_line_length;
    if (!l->max_mime_depth) l->max_mime_depth = d.max_mime_depth;
    if (!l->max_parts) l->max_parts = d.max_parts;
    if (!l->max_recipients) l->max_recipients = d.max_recipients;
    if (!l->max_text_scan) l->max_text_scan = d.max_text_scan;
}

smtpstatus_analyzer *smtpstatus_analyzer_new(const smtpstatus_options *opts) {
    smtpstatus_analyzer *an = calloc(1, sizeof *an);
    if (!an)
        return NULL;
    if (opts)
        an->opts = *opts;
    fill_limits(&an->opts.limits);
    /* the arena may hold a few copies of the largest message */
    size_t cap = an->opts.limits.max_message_size;
    cap = cap > ((size_t)-1) / 8 ? 0 : cap * 6 + ((size_t)16 << 20);
    ss_arena_init(&an->arena, cap);
    return an;
}

void smtpstatus_analyzer_free(smtpstatus_analyzer *an) {
    if (!an)
        return;
    ss_arena_free(&an->arena);
    free(an);
}

void smtpstatus_analyzer_on_problem(smtpstatus_analyzer *an,
                                    smtpstatus_problem_fn fn, void *user) {
    if (!an)
        return;
    an->problem_fn = fn;
    an->problem_user = user;
}

void smtpstatus_analyzer_stats(const smtpstatus_analyzer *an,
                               smtpstatus_stats *out) {
    if (!out)
        return;
    if (!an) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = an->stats;
}

static void problem(smtpstatus_analyzer *an, const char *source,
                    const char *what) {
    if (an->problem_fn)
        an->problem_fn(source ? source : "", what, an->problem_user);
}

const char *smtpstatus_record_warning_name(unsigned bit) {
    switch (bit) {
    case SMTPSTATUS_RW_TRUNCATED: return "truncated";
    case SMTPSTATUS_RW_HEADER_LIMIT: return "header_limit";
    case SMTPSTATUS_RW_LINE_LIMIT: return "line_limit";
    case SMTPSTATUS_RW_DEPTH_LIMIT: return "mime_depth_limit";
    case SMTPSTATUS_RW_PARTS_LIMIT: return "mime_parts_limit";
    case SMTPSTATUS_RW_RCPT_LIMIT: return "recipient_limit";
    case SMTPSTATUS_RW_BAD_MIME: return "bad_mime";
    case SMTPSTATUS_RW_CHARSET: return "unknown_charset";
    case SMTPSTATUS_RW_TEXT_LIMIT: return "text_limit";
    default: return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* The view                                                             */
/* ------------------------------------------------------------------ */

/* ss_eq_ci(t, lit) for a lower-case literal lit: t equal to it as it is,
 * the usual case (mime.c lowers the types), is tested first, without a
 * call (inlined, the literal's length and bytes are constants). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int is_type(ss_str t, const char *lit) {
    size_t n = strlen(lit);
    return t.len == n &&
           (memcmp(t.ptr, lit, n) == 0 || ss_memeq_ci(t.ptr, lit, n));
}

#if defined(__GNUC__)
__attribute__((always_inline)) /* once, for each part: no call */
#endif
static inline int is_original_type(ss_str t) {
    return is_type(t, "message/rfc822") || is_type(t, "message/global") ||
           is_type(t, "text/rfc822-headers") ||
           is_type(t, "message/rfc822-headers") ||
           is_type(t, "message/global-headers") ||
           is_type(t, "message/partial");
}

/* Append with a bound; sets the warning when the bound cuts. */
static void text_add(ss_buf *b, ss_str s, size_t max, unsigned *warn) {
    if (b->len >= max) {
        *warn |= SMTPSTATUS_RW_TEXT_LIMIT;
        return;
    }
    if (s.len > max - b->len) {
        s.len = max - b->len;
        *warn |= SMTPSTATUS_RW_TEXT_LIMIT;
    }
    if (b->len && b->ptr[b->len - 1] != '\n')
        ss_buf_putc(b, '\n');
    ss_buf_append(b, s.ptr, s.len);
}

/* Is part p inside an original-message part?  (rfc822 parts are leaves,
 * so only the part itself can be one.) */
static smtpstatus_rc build_view(smtpstatus_analyzer *an, ss_message *m,
                                ss_view *v) {
    ss_arena *a = &an->arena;
    /* zeroed by a copy of a zero constant, not memset: GCC makes a memset
     * of this size a `rep stos`, slow to start, and the copy a few vector
     * moves */
    static const ss_view zero;
    *v = zero;
    v->msg = m;
    v->root = m->root;
    v->from = ss_part_header(a, m->root, "From");
    v->from_addr = ss_find_address(v->from);
    v->subject = ss_part_header(a, m->root, "Subject");
    v->content_type = m->root->type;

    size_t max = an->opts.limits.max_text_scan;
    ss_buf text;
    ss_buf_init(&text);
    int have_plain = 0;
    ss_str single = SS_NULLSTR; /* the only text part: used without a copy */
    int ntext = 0;
    for (size_t i = 0; i < m->nparts; i++) {
        ss_part *p = m->parts[i];
        if (p->child)
            continue; /* a multipart container */
        ss_str t = p->type;
        if (is_type(t, "message/delivery-status") ||
            is_type(t, "message/global-delivery-status")) {
            ss_str d = ss_part_text(m, p);
            if (!v->dsn) {
                v->dsn = p;
                v->dsn_text = d;
            } else if (d.len) {
                /* more than one report part: their groups, one after the
                 * other, separated by an empty line */
                size_t n1 = v->dsn_text.len;
                char *j = ss_alloc(a, n1 + d.len + 2);
                if (!j)
                    return SMTPSTATUS_ENOMEM;
                memcpy(j, v->dsn_text.ptr, n1);
                j[n1] = '\n';
                j[n1 + 1] = '\n';
                memcpy(j + n1 + 2, d.ptr, d.len);
                v->dsn_text = ss_str_make(j, n1 + d.len + 2);
            }
        } else if (!v->feedback && is_type(t, "message/feedback-report")) {
            v->feedback = p;
            v->feedback_text = ss_part_text(m, p);
        } else if (is_original_type(t)) {
            if (!v->original) {
                v->original = p;
                v->original_text = ss_part_text(m, p);
            }
        } else if (is_type(t, "text/plain") ||
                   (p == m->root && !t.len) ||
                   /* a multipart whose boundaries were lost: its body is
                    * all the text there is */
                   (ss_starts_ci(t, "multipart/") && !p->child)) {
            ss_str body = ss_part_text(m, p);
            if (ntext == 0) {
                single = body;
            } else {
                if (ntext == 1)
                    text_add(&text, single, max, &m->warnings);
                text_add(&text, body, max, &m->warnings);
            }
            ntext++;
            have_plain = 1;
        }
    }
    if (!have_plain) {
        for (size_t i = 0; i < m->nparts; i++) {
            ss_part *p = m->parts[i];
            if (p->child || !is_type(p->type, "text/html"))
                continue;
            ss_str html = ss_part_text(m, p);
            text_add(&text, ss_html_to_text(a, html), max, &m->warnings);
        }
    }
    if (text.failed) {
        ss_buf_free(&text);
        return SMTPSTATUS_ENOMEM;
    }
    if (ntext == 1 && !text.len) {
        if (single.len > max) {
            single.len = max;
            m->warnings |= SMTPSTATUS_RW_TEXT_LIMIT;
        }
        v->text = single.ptr ? single : ss_str_make("", 0);
    } else if (text.len) {
        size_t tlen = text.len; /* ss_buf_free() zeroes text.len */
        char *c = ss_strdup(a, text.ptr, tlen);
        ss_buf_free(&text);
        if (!c)
            return SMTPSTATUS_ENOMEM;
        v->text = ss_str_make(c, tlen);
    } else {
        ss_buf_free(&text);
        v->text = ss_str_make("", 0);
    }
    return SMTPSTATUS_OK;
}

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((always_inline)) /* in parse_date's usual case: no call */
#endif
static inline long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* The month p[0..3) names, any case (1 to 12), or -1. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int month_of(const char *p) {
    /* the month names, lower case, three letters in one number each */
#define MON3(a, b, c) ((unsigned long)(a) << 16 | (unsigned long)(b) << 8 | (c))
    static const unsigned long mon[] = {
        MON3('j', 'a', 'n'), MON3('f', 'e', 'b'), MON3('m', 'a', 'r'),
        MON3('a', 'p', 'r'), MON3('m', 'a', 'y'), MON3('j', 'u', 'n'),
        MON3('j', 'u', 'l'), MON3('a', 'u', 'g'), MON3('s', 'e', 'p'),
        MON3('o', 'c', 't'), MON3('n', 'o', 'v'), MON3('d', 'e', 'c')};
    /* c | 0x20 is a lower-case letter l only for l and its capital */
    unsigned long key = MON3((unsigned char)p[0] | 0x20,
                             (unsigned char)p[1] | 0x20,
                             (unsigned char)p[2] | 0x20);
#undef MON3
    /* (key * 111 >> 7) & 15 differs for the twelve names: the one name
     * key can be, then compared */
    static const signed char by_hash[16] = {2, -1, 3, 6, -1, 5, 4, 8,
                                            10, -1, 1, 11, -1, 0, 9, 7};
    int k = by_hash[(key * 111 >> 7) & 15];
    return k >= 0 && key == mon[k] ? k + 1 : -1;
}

/* The 24 bytes after the day in the usual date shape, " Mon YYYY
 * HH:MM:SS +ZZZZ", as three words (loaded with ss_load8 as the text is,
 * so the byte order does not matter): the places that hold a digit (0xff
 * in date_digit) and those that hold the byte of date_shape there (0xff
 * in date_fixed: the spaces and colons). */
static const char date_shape[25] = " Mon 0000 00:00:00 +0000";
static const unsigned char date_digit[24] = {
    0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff,
    0, 0xff, 0xff, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff};
static const unsigned char date_fixed[24] = {
    0xff, 0, 0, 0, 0xff, 0, 0, 0, 0, 0xff, 0, 0,
    0xff, 0, 0, 0xff, 0, 0, 0xff, 0, 0, 0, 0, 0};

/* The bytes of the word w at the places of date_digit's word k that hold
 * no digit, and those at date_fixed's places that differ from
 * date_shape: 0 when the word has the shape.  A byte b is a digit when
 * b ^ '0' has a high half 0 and a low half below 10 (adding 6 to the low
 * half leaves bit 4 clear): each byte on its own, with no carry between
 * them. */
static inline uint64_t date_word_off(uint64_t w, int k) {
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t x = w ^ (ones * '0');
    uint64_t notdig = (x & ones * 0xf0) | (((x & ones * 0x0f) + ones * 6) & ones * 0x10);
    return (notdig & ss_load8(date_digit + 8 * k)) |
           ((w ^ ss_load8(date_shape + 8 * k)) & ss_load8(date_fixed + 8 * k));
}

/* parse_date for the usual shape, "D Mon YYYY HH:MM:SS +ZZZZ" (the day
 * one or two digits) at s.ptr + i, the first digit: what parse_date's
 * steps read for it, with fewer tests.  0 (t and tz untouched) when the
 * text there is not of that shape or a field is out of range. */
static int parse_date_usual(ss_str s, size_t i, char tz[6], long long *t) {
    size_t n = s.len - i;
    if (n < 25)
        return 0;
    const char *p = s.ptr + i;
#define D(k) ss_isdigit((unsigned char)p[k])
#define N2(k) ((p[k] - '0') * 10 + (p[(k) + 1] - '0'))
    if (!D(0))
        return 0;
    long day = p[0] - '0';
    if (D(1)) {
        day = N2(0);
        p++;
        n--;
    }
    /* p[1..): " Mon YYYY HH:MM:SS +ZZZZ", 24 bytes */
    if (n < 25 || (date_word_off(ss_load8(p + 1), 0) |
                   date_word_off(ss_load8(p + 9), 1) |
                   date_word_off(ss_load8(p + 17), 2)) ||
        (p[20] != '+' && p[20] != '-'))
        return 0;
    int month = month_of(p + 2);
    long year = N2(6) * 100 + N2(8);
    long hour = N2(11), min = N2(14), sec = N2(17);
    if (month < 0 || day < 1 || day > 31 || year < 1970 || hour > 23 ||
        min > 59 || sec > 60)
        return 0;
    long off = (N2(21) * 60L + N2(23)) * 60;
    if (p[20] == '-')
        off = -off;
#undef D
#undef N2
    memcpy(tz, p + 20, 5);
    tz[5] = '\0';
    long long days = days_from_civil(year, (unsigned)month, (unsigned)day);
    *t = days * 86400 + hour * 3600 + min * 60 + sec - off;
    return 1;
}

/* RFC 5322 date ("Wed, 16 Oct 2013 14:15:35 +0900", with tolerance for
 * missing weekday and seconds, and zone names).  0 when unreadable. */
static long long parse_date(ss_str s, char tz[6]) {
    size_t i = 0;
    tz[0] = '\0';
    /* skip a weekday */
    while (i < s.len && !ss_isdigit((unsigned char)s.ptr[i]))
        i++;
    long long t;
    if (parse_date_usual(s, i, tz, &t))
        return t;
    long day = 0;
    size_t nd = 0;
    while (i < s.len && ss_isdigit((unsigned char)s.ptr[i]) && nd < 3) {
        day = day * 10 + (s.ptr[i++] - '0');
        nd++;
    }
    while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == '-'))
        i++;
    if (i + 3 > s.len)
        return 0;
    int month = month_of(s.ptr + i);
    if (month < 0 || day < 1 || day > 31)
        return 0;
    while (i < s.len && ss_isalpha((unsigned char)s.ptr[i]))
        i++;
    while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == '-'))
        i++;
    long year = 0;
    nd = 0;
    while (i < s.len && ss_isdigit((unsigned char)s.ptr[i]) && nd < 5) {
        year = year * 10 + (s.ptr[i++] - '0');
        nd++;
    }
    if (nd == 2)
        year += year < 50 ? 2000 : 1900;
    if (year < 1970 || year > 9999)
        return 0;
    while (i < s.len && s.ptr[i] == ' ')
        i++;
    long hms[3] = {0, 0, 0};
    for (int k = 0; k < 3 && i < s.len; k++) {
        long x = 0;
        nd = 0;
        while (i < s.len && ss_isdigit((unsigned char)s.ptr[i]) && nd < 3) {
            x = x * 10 + (s.ptr[i++] - '0');
            nd++;
        }
        if (!nd)
            break;
        hms[k] = x;
        if (i < s.len && s.ptr[i] == ':')
            i++;
        else
            break;
    }
    if (hms[0] > 23 || hms[1] > 59 || hms[2] > 60)
        return 0;
    while (i < s.len && s.ptr[i] == ' ')
        i++;
    long off = 0;
    if (i + 5 <= s.len && (s.ptr[i] == '+' || s.ptr[i] == '-') &&
        ss_isdigit((unsigned char)s.ptr[i + 1]) &&
        ss_isdigit((unsigned char)s.ptr[i + 2]) &&
        ss_isdigit((unsigned char)s.ptr[i + 3]) &&
        ss_isdigit((unsigned char)s.ptr[i + 4])) {
        long hh = (s.ptr[i + 1] - '0') * 10 + (s.ptr[i + 2] - '0');
        long mm = (s.ptr[i + 3] - '0') * 10 + (s.ptr[i + 4] - '0');
        off = (hh * 60 + mm) * 60;
        if (s.ptr[i] == '-')
            off = -off;
        memcpy(tz, s.ptr + i, 5);
        tz[5] = '\0';
    } else {
        static const struct {
            const char *name;
            int hours;
        } zones[] = {{"UT", 0}, {"GMT", 0}, {"UTC", 0}, {"Z", 0},
                     {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                     {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
                     {"JST", 9}, {NULL, 0}};
        size_t e = i;
        while (e < s.len && ss_isalpha((unsigned char)s.ptr[e]))
            e++;
        ss_str z = ss_str_make(s.ptr + i, e - i);
        for (int k = 0; zones[k].name; k++)
            if (ss_eq_ci(z, zones[k].name)) {
                off = zones[k].hours * 3600L;
                int h = abs(zones[k].hours) % 24;
                tz[0] = zones[k].hours < 0 ? '-' : '+';
                tz[1] = (char)('0' + h / 10);
                tz[2] = (char)('0' + h % 10);
                tz[3] = '0';
                tz[4] = '0';
                tz[5] = '\0';
                break;
            }
    }
    long long days = days_from_civil(year, (unsigned)month, (unsigned)day);
    return days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2] - off;
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

/* Record strings are UTF-8: raw 8-bit header bytes that are not valid
 * UTF-8 become U+FFFD (found by fuzz_analyzer). */
static const char *valid_utf8_n(ss_arena *a, const char *s, size_t n) {
    /* most record strings are ASCII: check that first, 8 bytes at a time */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    if (i + 8 > n && n >= 8) {
        /* the last 1-7 bytes: as the last 8, which overlap the checked */
        uint64_t w;
        memcpy(&w, s + n - 8, 8);
        if (!(w & 0x8080808080808080ull))
            i = n;
    }
    for (; i < n && !((unsigned char)s[i] & 0x80); i++)
        ;
    if (i == n)
        return s;
    ss_str in = ss_str_make(s, n);
    ss_str out = ss_to_utf8(a, in, ss_str_make("utf-8", 5), NULL);
    if (out.ptr == in.ptr)
        return s;
    const char *c = ss_strdup(a, out.ptr, out.len);
    return c ? c : "";
}

/* The eight bytes of w with the ASCII letters of one case changed: mode 1
 * lowers 'A'..'Z', mode 2 raises 'a'..'z', mode 0 leaves w.  On the low
 * seven bits of each byte, adding 0x80 - first sets the byte's top bit
 * iff it is >= first, adding 0x80 - last - 1 iff it is > last (no carry
 * leaves a byte); a byte >= 0x80 is no letter.  The top bit of each
 * letter, shifted right twice, is its case bit 0x20. */
static inline uint64_t case8(uint64_t w, int mode) {
    const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
    if (mode == 0)
        return w;
    unsigned first = mode == 1 ? 'A' : 'a', last = mode == 1 ? 'Z' : 'z';
    uint64_t low7 = w & ~high;
    uint64_t ge = low7 + ones * (0x80 - first);
    uint64_t gt = low7 + ones * (0x80 - last - 1);
    uint64_t bit = ((ge & ~gt & ~w) & high) >> 2;
    return mode == 1 ? w | bit : w & ~bit;
}

/* Lower the ASCII letters of s[0..n) in place: eight bytes at a time, the
 * last eight overlapping the ones before (lowering twice is lowering
 * once); fewer than eight one by one. */
static void lower_in_place(char *s, size_t n) {
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            s[i] = (char)ss_lower((unsigned char)s[i]);
        return;
    }
    for (size_t i = 0;; i += 8) {
        size_t at = n - i >= 8 ? i : n - 8;
        uint64_t w;
        memcpy(&w, s + at, 8);
        w = case8(w, 1);
        memcpy(s + at, &w, 8);
        if (at + 8 >= n)
            break;
    }
}

/* A copy of s (not empty) in the arena, NUL-terminated, valid UTF-8
 * (valid_utf8_n), with ASCII letters lowered (mode 1) or raised (mode 2)
 * when asked: one pass for the usual ASCII string. */
static const char *cstr_case_copy(ss_arena *a, ss_str s, int mode) {
    const char *p = s.ptr;
    size_t n = s.len, i = 0;
    char *d = ss_alloc(a, n + 1);
    if (!d)
        return "";
    unsigned hi = 0;
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes at a time; the last block overlaps the one before (the
         * bytes are mapped from s, so writing them twice is the same) */
        const __m128i up0 = _mm_set1_epi8('A' - 1), up1 = _mm_set1_epi8('Z' + 1),
                      lo0 = _mm_set1_epi8('a' - 1), lo1 = _mm_set1_epi8('z' + 1),
                      bit = _mm_set1_epi8(0x20);
        __m128i seen = _mm_setzero_si128();
        for (;;) {
            size_t at = n - i >= 16 ? i : n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
            seen = _mm_or_si128(seen, v);
            if (mode == 1)
                v = _mm_add_epi8(v, _mm_and_si128(_mm_and_si128(_mm_cmpgt_epi8(v, up0),
                                                                _mm_cmplt_epi8(v, up1)),
                                                  bit));
            else if (mode == 2)
                v = _mm_sub_epi8(v, _mm_and_si128(_mm_and_si128(_mm_cmpgt_epi8(v, lo0),
                                                                _mm_cmplt_epi8(v, lo1)),
                                                  bit));
            _mm_storeu_si128((__m128i *)(void *)(d + at), v);
            if (at + 16 >= n)
                break;
            i += 16;
        }
        i = n;
        if (_mm_movemask_epi8(seen))
            hi = 0x80;
    }
#endif
    if (n - i >= 8) {
        /* 8 bytes at a time, the last word overlapping the one before */
        uint64_t seen8 = 0;
        for (;; i += 8) {
            size_t at = n - i >= 8 ? i : n - 8;
            uint64_t w;
            memcpy(&w, p + at, 8);
            seen8 |= w;
            w = case8(w, mode);
            memcpy(d + at, &w, 8);
            if (at + 8 >= n)
                break;
        }
        i = n;
        if (seen8 & 0x8080808080808080ull)
            hi = 0x80;
    } else if (n - i >= 4) {
        /* 4..7 bytes (i is 0): the first and last four, overlapping */
        uint32_t w0, w1;
        memcpy(&w0, p, 4);
        memcpy(&w1, p + n - 4, 4);
        if ((w0 | w1) & 0x80808080u)
            hi = 0x80;
        w0 = (uint32_t)case8(w0, mode);
        w1 = (uint32_t)case8(w1, mode);
        memcpy(d, &w0, 4);
        memcpy(d + n - 4, &w1, 4);
        i = n;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        hi |= c;
        if (mode == 1)
            c = (unsigned char)ss_lower(c);
        else if (mode == 2 && c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 32);
        d[i] = (char)c;
    }
    d[n] = '\0';
    if (!(hi & 0x80))
        return d;
    /* 8-bit bytes: the plain copy made valid UTF-8, then the case changed
     * up to its NUL */
    memcpy(d, p, n);
    char *c = (char *)valid_utf8_n(a, d, n);
    if (mode == 1 && *c)
        for (char *q = c; *q; q++)
            *q = (char)ss_lower((unsigned char)*q);
    else if (mode == 2 && *c)
        for (char *q = c; *q; q++)
            if (*q >= 'a' && *q <= 'z')
                *q = (char)(*q - 32);
    return c;
}

/* cstr_case_copy, or "" for an empty s (most of the empty fields of a
 * record: tested here, where the call inlines, without a call) */
static const char *cstr_case(ss_arena *a, ss_str s, int mode) {
    if (!s.ptr || !s.len || s.len == SIZE_MAX)
        return "";
    return cstr_case_copy(a, s, mode);
}

static const char *cstr(ss_arena *a, ss_str s) { return cstr_case(a, s, 0); }

static int is_fold_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

#if defined(__SSE2__)
/* Copy k <= 16 bytes: two words that may overlap, or byte by byte. */
static void copy_short(char *d, const char *s, size_t k) {
    if (k >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + k - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + k - 8, &b, 8);
    } else if (k >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + k - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + k - 4, &b, 4);
    } else {
        for (size_t j = 0; j < k; j++)
            d[j] = s[j];
    }
}
#endif

/* Collapse white space (folding, tabs, runs) to single spaces, in one
 * pass that also notes whether any byte has the high bit set (then the
 * copy goes through valid_utf8_n; plain ASCII needs no second look). */
static const char *cstr_unfolded(ss_arena *a, ss_str s) {
    s = ss_trim(s);
    if (!s.len)
        return "";
    char *d = ss_alloc(a, s.len + 1);
    if (!d)
        return "";
    const char *p = s.ptr;
    size_t len = s.len, i = 0, n = 0;
    unsigned hi = 0;
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'),
                  cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    __m128i seen = _mm_setzero_si128(); /* the copied bytes' high bits */
#endif
#if defined(__SSE2__)
    if (len >= 17 && len <= 32) {
        /* 17..32 bytes (a date, most often): the first and the last 16,
         * overlapping; with no tab, CR, LF or two spaces in a row they are
         * the copy as they are */
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p),
                v1 = _mm_loadu_si128(
                    (const __m128i *)(const void *)(p + len - 16));
#define SS_WHITE(v)                                                            \
    ((uint32_t)_mm_movemask_epi8(_mm_or_si128(                                 \
        _mm_or_si128(_mm_cmpeq_epi8((v), tab), _mm_cmpeq_epi8((v), cr)),       \
        _mm_cmpeq_epi8((v), lf))))
        /* the bits of the len bytes: bit j for p[j] */
        uint32_t spm = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, sp)) |
                       (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, sp))
                           << (len - 16);
        uint32_t bad = SS_WHITE(v0) | SS_WHITE(v1) << (len - 16);
#undef SS_WHITE
        if (!(bad | (spm & spm >> 1))) {
            _mm_storeu_si128((__m128i *)(void *)d, v0);
            _mm_storeu_si128((__m128i *)(void *)(d + len - 16), v1);
            d[len] = '\0';
            return _mm_movemask_epi8(_mm_or_si128(v0, v1))
                       ? valid_utf8_n(a, d, len)
                       : d;
        }
    }
#endif
    /* s is trimmed: it starts and ends with bytes that are not white */
    while (i < len) {
        int run = 0;
#if defined(__SSE2__)
        /* 16 bytes at a time, copied as they are up to the first tab, CR,
         * LF or two spaces in a row (the pair that crosses into the next
         * block included: hence the load at i + 1; d has room for the 16
         * bytes, as n <= i) */
        while (len - i >= 17) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i v1 =
                _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
            __m128i bad = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, cr)),
                _mm_or_si128(_mm_cmpeq_epi8(v, lf),
                             _mm_and_si128(_mm_cmpeq_epi8(v, sp),
                                           _mm_cmpeq_epi8(v1, sp))));
            unsigned mask = (unsigned)_mm_movemask_epi8(bad);
            seen = _mm_or_si128(seen, v);
            _mm_storeu_si128((__m128i *)(void *)(d + n), v);
            if (mask) {
                size_t k = ss_ctz(mask);
                i += k;
                n += k;
                run = 1;
                break;
            }
            i += 16;
            n += 16;
        }
        if (!run && i < len && len >= 16) {
            /* the last 1..16 bytes: the 16 that end s (those before i,
             * already read, are shifted out of the mask); the pair test
             * within them (the last byte of s is not white) */
            size_t rem = len - i;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + len - 16));
            unsigned spm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp));
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                                _mm_or_si128(_mm_cmpeq_epi8(v, tab),
                                             _mm_cmpeq_epi8(v, cr)),
                                _mm_cmpeq_epi8(v, lf))) |
                            (spm & (spm >> 1));
            seen = _mm_or_si128(seen, v); /* bytes before i: copied or white */
            mask >>= 16 - rem;
            size_t k = mask ? ss_ctz(mask) : rem;
            copy_short(d + n, p + i, k);
            i += k;
            n += k;
            if (!mask)
                break;
            run = 1;
        }
        if (i == len)
            break;
#endif
        if (!run && !is_fold_space((unsigned char)p[i])) {
            /* the bytes up to the next run of white space, one by one (a
             * single space between two other bytes is copied as it is) */
            do {
                unsigned char c = (unsigned char)p[i++];
                hi |= c;
                d[n++] = (char)c;
            } while (i < len && (!is_fold_space((unsigned char)p[i]) ||
                                 (p[i] == ' ' && i + 1 < len &&
                                  !is_fold_space((unsigned char)p[i + 1]))));
            continue;
        }
        /* a run of white space: one space, unless the byte before it was
         * a single space copied as it is (i > 0: s starts with no space) */
        size_t st = i;
        while (i < len && is_fold_space((unsigned char)p[i]))
            i++;
        if (p[st - 1] != ' ')
            d[n++] = ' ';
    }
#if defined(__SSE2__)
    if (_mm_movemask_epi8(seen))
        hi = 0x80;
#endif
    d[n] = '\0';
    return (hi & 0x80) ? valid_utf8_n(a, d, n) : d;
}

/* Whether c is a byte of an address word as ss_find_address reads them:
 * 33..126 except <>()[],;:"\\ (bit c - 32 of lo, or c - 96 of hi). */
static int addr_byte(unsigned char c) {
    /* the word bytes among 32..95, and among 96..127 */
    static const uint64_t lo = 0xfffffffffffffffeull &
                               ~(1ull << ('"' - 32) | 1ull << ('(' - 32) |
                                 1ull << (')' - 32) | 1ull << (',' - 32) |
                                 1ull << (':' - 32) | 1ull << (';' - 32) |
                                 1ull << ('<' - 32) | 1ull << ('>' - 32) |
                                 1ull << ('[' - 32) | 1ull << ('\\' - 32) |
                                 1ull << (']' - 32));
    static const uint64_t hi = 0x7fffffffull;
    if (c < 33 || c > 126)
        return 0;
    return c < 96 ? (int)((lo >> (c - 32)) & 1) : (int)((hi >> (c - 96)) & 1);
}

#if defined(__SSE2__)
/* The bytes of v that are no address word byte (addr_byte), as bits. */
static inline unsigned addr_bad16(__m128i v) {
#define EQ(x, c) _mm_cmpeq_epi8((x), _mm_set1_epi8(c))
#define AND(x, m) _mm_and_si128((x), _mm_set1_epi8((char)(m)))
    /* 33..126 (signed: the bytes >= 128 are below 33) */
    __m128i in = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(32)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8(127)));
    /* "  ,  [  ( )  : ;  < >  \ ] */
    __m128i out = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(EQ(v, '"'), EQ(v, ',')),
                     _mm_or_si128(EQ(v, '['), EQ(AND(v, 0xfe), '('))),
        _mm_or_si128(
            _mm_or_si128(EQ(AND(v, 0xfe), ':'), EQ(AND(v, 0xfd), '<')),
            EQ(AND(v, 0xfe), '\\')));
#undef EQ
#undef AND
    return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(out, in)) ^ 0xffffu;
}
#endif

/* Whether p[0..n) are all address word bytes (addr_byte); then *at is
 * the offset of the last '@', or n when there is none. */
static int addr_word(const char *p, size_t n, size_t *at) {
    size_t i = 0, last = n;
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes at a time, the last block overlapping the one before */
        const __m128i atv = _mm_set1_epi8('@');
        for (;;) {
            size_t b = n - i >= 16 ? i : n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + b));
            if (addr_bad16(v))
                return 0;
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, atv));
            if (m)
                last = b + 31 - (size_t)__builtin_clz(m);
            if (b + 16 >= n)
                break;
            i += 16;
        }
        *at = last;
        return 1;
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!addr_byte(c))
            return 0;
        if (c == '@')
            last = i;
    }
    *at = last;
    return 1;
}

/* d[0..n) = p[0..n), the ASCII capitals at offsets >= from lowered (the
 * domain of an address: from is just after its last '@'). */
static void copy_lower_from(char *d, const char *p, size_t n, size_t from) {
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes at a time, the last block overlapping the one before;
         * in a block at b, the offsets j >= from - b are lowered */
        const __m128i idx = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                          11, 12, 13, 14, 15),
                      a1 = _mm_set1_epi8('A' - 1),
                      z1 = _mm_set1_epi8('Z' + 1), bit = _mm_set1_epi8(0x20);
        for (size_t i = 0;; i += 16) {
            size_t b = n - i >= 16 ? i : n - 16;
            size_t k = from <= b ? 0 : from - b > 16 ? 16 : from - b;
            __m128i v =
                _mm_loadu_si128((const __m128i *)(const void *)(p + b));
            __m128i sel =
                _mm_cmpgt_epi8(idx, _mm_set1_epi8((char)((int)k - 1)));
            __m128i up =
                _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1));
            v = _mm_add_epi8(v, _mm_and_si128(_mm_and_si128(up, sel), bit));
            _mm_storeu_si128((__m128i *)(void *)(d + b), v);
            if (b + 16 >= n)
                return;
        }
    }
#endif
    memcpy(d, p, n);
    for (size_t i = from; i < n; i++)
        d[i] = (char)ss_lower((unsigned char)d[i]);
}

/* The address in the trimmed s when it may be one address word with an
 * '@' (addr_word: the caller's test), "local@domain", or such a word in
 * angle brackets at the end after no other '<', "Name <local@domain>";
 * SS_NULLSTR for other values, and when the word starts with '@', '.' or
 * a quote or ends with one of them.  For the words that pass the test,
 * ss_find_address gives the word (the first '<', its '>' within 512
 * bytes, an '@' inside; or the first '@', the word around it, no dot or
 * quote to drop), and clean_address cuts nothing off: no white space,
 * bracket, double quote or NUL is in it. */
static ss_str plain_address(ss_str s) {
    ss_str w = s;
    if (s.len >= 2 && s.ptr[s.len - 1] == '>') {
        size_t k = ss_byte_offset(s.ptr, s.len, '<');
        const char *lt = s.ptr + k;
        if (k == s.len || (size_t)(s.ptr + s.len - lt) > 512)
            return SS_NULLSTR;
        w = ss_str_make(lt + 1, (size_t)(s.ptr + s.len - 1 - (lt + 1)));
    }
    if (w.len < 3)
        return SS_NULLSTR;
    unsigned char c0 = (unsigned char)w.ptr[0],
                  cn = (unsigned char)w.ptr[w.len - 1];
    if (c0 == '@' || c0 == '.' || c0 == '\'' || cn == '@' || cn == '.' ||
        cn == '\'')
        return SS_NULLSTR;
    return w;
}

#if defined(__SSE2__)
/* v with the ASCII capitals among its bytes j > k lowered (k from -16 to
 * 31: none, some or all). */
static inline __m128i lower_after16(__m128i v, int k) {
    const __m128i idx = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                      12, 13, 14, 15);
    __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    __m128i sel = _mm_cmpgt_epi8(idx, _mm_set1_epi8((char)k));
    return _mm_add_epi8(
        v, _mm_and_si128(_mm_and_si128(up, sel), _mm_set1_epi8(0x20)));
}

/* For a word w of 16 to 32 bytes (most addresses), the test and the copy
 * of clean_address in one: its first and last 16 bytes, which overlap,
 * each read once.  0 when w is no address word with an '@' (addr_word);
 * else 1, *out the copy with the bytes after the last '@' lowered (what
 * copy_lower_from makes), or "" when out of memory. */
static int addr_copy32(ss_arena *a, ss_str w, const char **out) {
    const char *p = w.ptr;
    size_t n = w.len, tail = n - 16; /* the offset of the last 16 */
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p),
            v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + tail));
    if (addr_bad16(v0) | addr_bad16(v1))
        return 0;
    const __m128i atv = _mm_set1_epi8('@');
    /* bit j for p[j] == '@' */
    uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, atv)) |
                 (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, atv)) << tail;
    if (!m)
        return 0;
    int at = 31 - __builtin_clz(m); /* the last '@' */
    char *d = ss_alloc(a, n + 1);
    if (!d) {
        *out = "";
        return 1;
    }
    /* the offsets after at: in v0 the bytes j > at, in v1 those with
     * tail + j > at (the overlap is written twice, the same) */
    _mm_storeu_si128((__m128i *)(void *)d, lower_after16(v0, at));
    _mm_storeu_si128((__m128i *)(void *)(d + tail),
                     lower_after16(v1, at - (int)tail));
    d[n] = '\0';
    *out = d;
    return 1;
}
#endif

/* The address, without brackets, "rfc822;" or quotes, domain lower-cased. */
static const char *clean_address(ss_arena *a, ss_str s) {
    s = ss_trim(s);
    /* The usual values: the address ss_find_address gives, unchanged by
     * the steps below, taken as it is (the domain lowered) */
    ss_str w = plain_address(s);
    size_t wat;
#if defined(__SSE2__)
    const char *c;
    if (w.len >= 16 && w.len <= 32) {
        if (addr_copy32(a, w, &c))
            return c;
        /* else not an address word: the steps below */
    } else
#endif
    if (w.len && addr_word(w.ptr, w.len, &wat) && wat != w.len) {
        char *d = ss_alloc(a, w.len + 1);
        if (!d)
            return "";
        copy_lower_from(d, w.ptr, w.len, wat + 1);
        d[w.len] = '\0';
        return d;
    }
    ss_str addr = ss_find_address(s);
    if (!addr.len)
        addr = s;
    addr = ss_trim(addr);
    while (addr.len && (addr.ptr[0] == '<' || addr.ptr[0] == '"' ||
                        addr.ptr[0] == '\'')) {
        addr.ptr++;
        addr.len--;
    }
    while (addr.len && (addr.ptr[addr.len - 1] == '>' ||
                        addr.ptr[addr.len - 1] == '"' ||
                        addr.ptr[addr.len - 1] == '\'' ||
                        addr.ptr[addr.len - 1] == '.' ||
                        addr.ptr[addr.len - 1] == ','))
        addr.len--;
    if (!addr.len)
        return "";
    char *d = ss_strdup(a, addr.ptr, addr.len);
    if (!d)
        return "";
    char *at = strrchr(d, '@');
    if (at) /* the domain, up to the end of the C string */
        lower_in_place(at, strlen(at));
    return valid_utf8_n(a, d, addr.len);
}

static const char *lower_cstr(ss_arena *a, ss_str s) {
    return cstr_case(a, ss_trim(s), 1);
}

/* The usual values of the upper-cased fields (Diagnostic-Code's type and
 * the SMTP command: "SMTP", "RCPT", "DATA", ...), any case, as the static
 * strings cstr_case would copy them to; NULL for other values. */
static const char *upper_word(ss_str s) {
    if (s.len != 4)
        return NULL;
    uint32_t w;
    memcpy(&w, s.ptr, 4);
    w = (uint32_t)case8(w, 2);
#define IS(x) (!memcmp(&w, x, 4))
    return IS("SMTP") ? "SMTP" : IS("RCPT") ? "RCPT" : IS("DATA") ? "DATA"
         : IS("MAIL") ? "MAIL" : IS("EHLO") ? "EHLO" : IS("HELO") ? "HELO"
                                                        : NULL;
#undef IS
}

/* lower_cstr of an Action: "failed" (any case), the usual one, as the
 * static string, without a copy (its first and last four bytes lowered,
 * then compared). */
static const char *lower_action(ss_arena *a, ss_str s) {
    s = ss_trim(s);
    if (s.len == 6) {
        uint32_t w0, w1;
        memcpy(&w0, s.ptr, 4);
        memcpy(&w1, s.ptr + 2, 4);
        w0 = (uint32_t)case8(w0, 1);
        w1 = (uint32_t)case8(w1, 1);
        if (!memcmp(&w0, "fail", 4) && !memcmp(&w1, "iled", 4))
            return "failed";
    }
    return cstr_case(a, s, 1);
}

static const char *upper_cstr(ss_arena *a, ss_str s) {
    s = ss_trim(s);
    const char *w = upper_word(s);
    return w ? w : cstr_case(a, s, 2);
}

typedef struct original_info {
    const char *message_id, *subject, *addresser, *list_id;
} original_info;

/* The original's headers read_original needs. */
enum { OH_MID, OH_SUBJECT, OH_FROM, OH_RETURN_PATH, OH_LIST_ID, OH_COUNT };
static const struct {
    const char *name;
    size_t len;
    const char *lower; /* the name in lower case (see orig_name_is) */
} orig_names[OH_COUNT] = {{"Message-ID", 10, "message-id"},
                          {"Subject", 7, "subject"},
                          {"From", 4, "from"},
                          {"Return-Path", 11, "return-path"},
                          {"List-Id", 7, "list-id"}};

/* Whether s[0..len) (len bytes there) is the name of orig_names[k], ASCII
 * case ignored, as ss_memeq_ci compares them, without a call: two words
 * of the lower-case name (4 <= len <= 16: they may overlap), each byte of
 * s ORed with 0x20 where the name has a letter.  The names are letters and
 * '-': only the letters have bit 0x40, shifted right once it is the 0x20;
 * a byte ORed with 0x20 is a lower-case letter l only for l and its
 * capital, and '-' is compared as it is. */
static inline int orig_name_is(const char *s, int k) {
    const char *nm = orig_names[k].lower;
    size_t n = orig_names[k].len;
    const uint64_t bit40 = 0x4040404040404040ull;
    uint64_t h, t, sh, st;
    if (n >= 8) {
        h = ss_load8(nm);
        t = ss_load8(nm + n - 8);
        sh = ss_load8(s);
        st = ss_load8(s + n - 8);
    } else {
        h = ss_load4(nm);
        t = ss_load4(nm + n - 4);
        sh = ss_load4(s);
        st = ss_load4(s + n - 4);
    }
    return (sh | (h & bit40) >> 1) == h && (st | (t & bit40) >> 1) == t;
}

/* Header name bytes, as ss_parse_headers takes them: 33..126 but ':'. */
static int hname_char(unsigned char c) { return c > 32 && c < 127 && c != ':'; }

/* By the first byte of a line: 1 + k for the first letter of orig_names[k]
 * in either case (the one name it can start, as they differ), OH_END for
 * LF and CR, else 0. */
enum { OH_END = OH_COUNT + 1 };
static const unsigned char orig_first[256] = {
    ['\n'] = OH_END, ['\r'] = OH_END,
    ['M'] = 1 + OH_MID, ['m'] = 1 + OH_MID,
    ['S'] = 1 + OH_SUBJECT, ['s'] = 1 + OH_SUBJECT,
    ['F'] = 1 + OH_FROM, ['f'] = 1 + OH_FROM,
    ['R'] = 1 + OH_RETURN_PATH, ['r'] = 1 + OH_RETURN_PATH,
    ['L'] = 1 + OH_LIST_ID, ['l'] = 1 + OH_LIST_ID};

/* Which of orig_names is name[0..n), or -1. */
static int orig_slot(const char *name, size_t n) {
    int k = orig_first[(unsigned char)name[0]] - 1;
    if (k < 0 || k >= OH_COUNT || orig_names[k].len != n ||
        !orig_name_is(name, k))
        return -1;
    return k;
}

/* The length of the run of header name bytes at the start of the line
 * ls (ll bytes without its LF; avail bytes from ls to the block's end). */
static size_t orig_name_len(const char *ls, size_t ll, size_t avail) {
    size_t k = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time while the block has them: a byte below 33 (as a
     * signed byte: the LF ending the line, or one above 127), 127 or ':'
     * ends the name */
    const __m128i lo = _mm_set1_epi8(33), del = _mm_set1_epi8(127),
                  colon = _mm_set1_epi8(':');
    while (avail - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(ls + k));
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, lo),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, del),
                                                _mm_cmpeq_epi8(v, colon)));
        unsigned mask = (unsigned)_mm_movemask_epi8(bad);
        if (mask) {
            k += ss_ctz(mask);
            return k < ll ? k : ll;
        }
        k += 16;
    }
#endif
    while (k < ll && hname_char((unsigned char)ls[k]))
        k++;
    return k;
}

/* Whether the line at q (< len) may change what original_headers found
 * so far (the names in found), when the line before it left no value to
 * continue: the end of the headers (an empty line, or one starting with
 * CR: tested further), or a line that starts with a wanted name not found
 * yet (its bytes as orig_name_is compares them, and a byte after them:
 * tested further).  Any other line is skipped there, all the same (its
 * quick test fails).  Inline: called for each candidate line. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int line_may_count(const char *p, size_t q, size_t len,
                                 unsigned found) {
    int k = orig_first[(unsigned char)p[q]];
    if (k == 0 || k == OH_END)
        return k != 0;
    k--;
    /* the name's bytes match no LF: the line holds them when they match */
    return !(found & (1u << k)) && len - q > orig_names[k].len &&
           orig_name_is(p + q, k);
}

/* The bytes of the 16 (SSE2) or 32 (AVX2) at v1 that may start a line
 * line_may_count takes further (LF, CR, or first a letter of l0..l4, the
 * first letters of the names not found yet, each ORed with 0x20: a NUL
 * for a name found, which no byte ORed with 0x20 equals), ANDed with the
 * LFs of those at v0, one before: the LFs followed by such a byte. */
#define SS_LINE_CANDIDATES(AND, OR, EQ, v0, v1)                                \
    AND(EQ((v0), lf), OR(OR(OR(EQ(x, l0), EQ(x, l1)), OR(EQ(x, l2), EQ(x, l3))), \
                         OR(EQ(x, l4), OR(EQ((v1), lf), EQ((v1), cr)))))

#if defined(SS_AVX2_LINES)
/* For counting_line_from with AVX2, len >= 33: the first line start after
 * a LF at or after b (< len) whose first byte may start a counting line
 * (the bytes SS_LINE_CANDIDATES takes; line_may_count then tests the
 * line), or len when there is none.  The bytes from b to len - 2 (a LF
 * at len - 1 gives len, as none does), each with the byte after it, 64
 * then 32 a step; the last step overlaps the one before.  The bytes that
 * may start a counting line by their two halves, each looked up in a
 * table of 16 (vpshufb): bit k of both for the first letter of
 * orig_names[k] in either case ('M' 0x4D and 'm' 0x6D: high half 4 or 6,
 * low half D), bit OH_COUNT of both for LF and CR (0x0A, 0x0D); the bits
 * of the names found cleared in the low table.  A leaf, with few
 * registers: cheap to call for each stretch of lines skipped. */
__attribute__((target("avx2"))) static size_t
candidate_line_avx2(const char *p, size_t b, size_t len, unsigned found) {
#define B(k) (1u << (k))
    static const unsigned char lo_bits[16] = {
        [0x2] = B(OH_RETURN_PATH), [0x3] = B(OH_SUBJECT), [0x6] = B(OH_FROM),
        [0xA] = B(OH_COUNT), [0xC] = B(OH_LIST_ID),
        [0xD] = B(OH_MID) | B(OH_COUNT)};
    static const unsigned char hi_bits[16] = {
        [0x0] = B(OH_COUNT), [0x4] = B(OH_MID) | B(OH_FROM) | B(OH_LIST_ID),
        [0x5] = B(OH_SUBJECT) | B(OH_RETURN_PATH),
        [0x6] = B(OH_MID) | B(OH_FROM) | B(OH_LIST_ID),
        [0x7] = B(OH_SUBJECT) | B(OH_RETURN_PATH)};
#undef B
    __m256i lo_t = _mm256_broadcastsi128_si256(
                _mm_loadu_si128((const __m128i *)(const void *)lo_bits)),
            hi_t = _mm256_broadcastsi128_si256(
                _mm_loadu_si128((const __m128i *)(const void *)hi_bits));
    lo_t = _mm256_andnot_si256(_mm256_set1_epi8((char)found), lo_t);
    const __m256i lf = _mm256_set1_epi8('\n'), low4 = _mm256_set1_epi8(0x0f),
                  zero = _mm256_setzero_si256();
    /* the LFs among the 32 bytes at p + at followed by a byte that may
     * start a counting line, as bits */
#define SS_STEP(at)                                                            \
    ((uint32_t)_mm256_movemask_epi8(_mm256_andnot_si256(                       \
        _mm256_cmpeq_epi8(                                                     \
            _mm256_and_si256(                                                  \
                _mm256_shuffle_epi8(                                           \
                    lo_t, _mm256_and_si256(SS_NEXT(at), low4)),                \
                _mm256_shuffle_epi8(                                           \
                    hi_t,                                                      \
                    _mm256_and_si256(_mm256_srli_epi16(SS_NEXT(at), 4),        \
                                     low4))),                                  \
            zero),                                                             \
        _mm256_cmpeq_epi8(                                                     \
            _mm256_loadu_si256((const __m256i *)(const void *)(p + (at))),     \
            lf))))
#define SS_NEXT(at)                                                            \
    _mm256_loadu_si256((const __m256i *)(const void *)(p + (at) + 1))
    for (; len - b >= 65; b += 64) {
        uint64_t m = SS_STEP(b) | (uint64_t)SS_STEP(b + 32) << 32;
        if (m)
            return b + (size_t)__builtin_ctzll(m) + 1;
    }
    if (len - b >= 33) {
        uint32_t m = SS_STEP(b);
        if (m)
            return b + ss_ctz(m) + 1;
        b += 32;
    }
    if (len - b >= 2) {
        /* the last step: the 33 bytes that end p, the LFs before b (looked
         * at already) dropped */
        size_t at = len - 33;
        uint32_t m = SS_STEP(at) & (~0u << (b - at));
        if (m)
            return at + ss_ctz(m) + 1;
    }
#undef SS_STEP
#undef SS_NEXT
    return len;
}
#endif

/* The first line start after a LF at or after b (< len) whose line
 * line_may_count, or len when there is none.  With SSE2 (AVX2 when the
 * processor has it) the LFs followed by a byte that may start such a
 * line are found 16 (64) bytes a step, without a test for each LF: most
 * lines of a header block are skipped here, without a memchr call and
 * the tests for each. */
static size_t counting_line_from(const char *p, size_t b, size_t len,
                                 unsigned found) {
#if defined(SS_AVX2_LINES)
    if (len >= 33 && __builtin_cpu_supports("avx2")) {
        for (;;) {
            size_t q = candidate_line_avx2(p, b, len, found);
            if (q >= len || line_may_count(p, q, len, found))
                return q;
            b = q; /* the LFs after the candidate's */
        }
    }
#endif
#if defined(__SSE2__)
    char l[OH_COUNT];
    for (int k = 0; k < OH_COUNT; k++)
        l[k] = (char)(found & (1u << k) ? 0 : orig_names[k].lower[0]);
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                  bit = _mm_set1_epi8(0x20), l0 = _mm_set1_epi8(l[0]),
                  l1 = _mm_set1_epi8(l[1]), l2 = _mm_set1_epi8(l[2]),
                  l3 = _mm_set1_epi8(l[3]), l4 = _mm_set1_epi8(l[4]);
    for (; len - b >= 17; b += 16) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(p + b));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + b + 1));
        __m128i x = _mm_or_si128(v1, bit);
        unsigned m =
            (unsigned)_mm_movemask_epi8(SS_LINE_CANDIDATES(
                _mm_and_si128, _mm_or_si128, _mm_cmpeq_epi8, v0, v1));
        for (; m; m &= m - 1) {
            size_t q = b + ss_ctz(m) + 1; /* a line start before len */
            if (line_may_count(p, q, len, found))
                return q;
        }
    }
#endif
    for (; b < len; b++)
        if (p[b] == '\n' &&
            (b + 1 == len || line_may_count(p, b + 1, len, found)))
            return b + 1;
    return len;
}
#undef SS_LINE_CANDIDATES

/* The raw values of orig_names in a header block but those whose bits
 * are in skip (those are SS_NULLSTR), each exactly what
 * ss_parse_headers then ss_header_raw give (SS_NULLSTR when missing),
 * without building the array of every header: the same lines (an mbox
 * "From " line at the top skipped, the end at an empty line, nothing
 * from the line that crosses maxh on, no header at all when the first
 * line is not one), the first header of each name, the folding of each
 * value and its trailing CRs dropped.  Only a line right after a wanted
 * header (a continuation extends it unless a header line came between)
 * or one that starts like a wanted name needs reading further. */
#if defined(__GNUC__)
__attribute__((noinline)) /* its loop, out of analyze_one: fewer spills */
#endif
static void original_headers(ss_str block, size_t maxh, ss_str *val,
                             unsigned skip) {
    const char *p = block.ptr;
    size_t len = p ? block.len : 0, i = 0;
    /* a name skipped is as one found: the rest of the header block reads
     * the same for each name (its first header of that name counts) */
    unsigned found = skip, continued = 0; /* continued: the values folded */
    int first = 1, cur = -1; /* cur: the last header line's slot, or -1 */
    int inside = 0; /* i is not a line start: the next one is after a LF */
    for (int k = 0; k < OH_COUNT; k++)
        val[k] = SS_NULLSTR;
    if (len >= 5 && memcmp(p, "From ", 5) == 0) {
        const char *nl = memchr(p, '\n', len);
        i = nl ? (size_t)(nl - p) + 1 : len;
    }
    while (i < len) {
        if (!first && cur < 0) {
            /* the lines the tests below would skip, skipped at once; the
             * header limit as for each of them (the last one skipped ends
             * just before i) */
            if (found == (1u << OH_COUNT) - 1)
                break;
            if (inside || !line_may_count(p, i, len, found))
                i = counting_line_from(p, i, len, found);
            inside = 0;
            if (i >= len || i > maxh)
                break;
        }
        const char *ls = p + i;
        size_t avail = len - i; /* the bytes from ls on */
        if (ls[0] == '\n' || (ls[0] == '\r' && (avail == 1 || ls[1] == '\n')))
            break; /* the end of the headers: an empty line */
        if (ls[0] == ' ' || ls[0] == '\t') {
            size_t ll = ss_byte_offset(ls, avail, '\n'); /* without LF */
            size_t next = ll < avail ? i + ll + 1 : len;
            if (next > maxh)
                break; /* the header limit: no more headers */
            i = next;
            first = 0;
            if (cur < 0) /* continues another header, or none */
                continue;
            ss_str *h = &val[cur];
            const char *vend = ls + ll;
            if (h->len == 0) { /* value started on this line */
                const char *v = ls;
                while (v < vend && (*v == ' ' || *v == '\t'))
                    v++;
                *h = ss_str_make(v, (size_t)(vend - v));
            } else
                h->len = (size_t)(vend - h->ptr);
            continued |= 1u << cur;
            continue;
        }
        /* k: the end of the name, then of the spaces after it; no LF
         * before either (the name bytes and the spaces are none) */
        int slot = -1;
        size_t k;
        if (!first && cur < 0) {
            /* the test above stopped at a line that starts with the
             * name of slot w, not found yet (line_may_count: avail > its
             * length), or with a CR (!wl): the quick test, that the name
             * is the line's; else the line is skipped */
            int w = orig_first[(unsigned char)ls[0]] - 1;
            size_t wl = w >= 0 && w < OH_COUNT ? orig_names[w].len : 0;
            if (!wl || ls[wl] == '\n' || hname_char((unsigned char)ls[wl])) {
                size_t ll = ss_byte_offset(ls, avail, '\n');
                size_t next = ll < avail ? i + ll + 1 : len;
                if (next > maxh)
                    break; /* the header limit: no more headers */
                i = next;
                continue;
            }
            slot = w; /* its name is the wl bytes, no other name byte after */
            k = wl;
        } else
            k = orig_name_len(ls, avail, avail);
        size_t nlen = k;
        while (k < avail && (ls[k] == ' ' || ls[k] == '\t'))
            k++; /* "Name : value" */
        if (nlen == 0 || k >= avail || ls[k] != ':') {
            /* not a header line */
            size_t ll = k + ss_byte_offset(ls + k, avail - k, '\n');
            size_t next = ll < avail ? i + ll + 1 : len;
            if (next > maxh || first) /* the header limit, or no header */
                break;                /* block at all */
            i = next;
            continue;
        }
        first = 0;
        cur = slot >= 0 ? slot : orig_slot(ls, nlen);
        if (cur >= 0 && (found & (1u << cur)))
            cur = -1; /* the first of that name counts */
        if (cur < 0) {
            /* another header: the rest of its line (no LF up to its colon
             * at k) is skipped at the top of the loop, with the lines
             * after it that cannot count (the header limit as for them) */
            i += k;
            inside = 1;
            continue;
        }
        size_t ll = k + ss_byte_offset(ls + k, avail - k, '\n'); /* without LF */
        size_t next = ll < avail ? i + ll + 1 : len;
        if (next > maxh)
            break; /* the header limit: no more headers */
        i = next;
        found |= 1u << cur;
        const char *v = ls + k + 1, *vend = ls + ll;
        while (v < vend && (*v == ' ' || *v == '\t'))
            v++;
        while (vend > v && vend[-1] == '\r')
            vend--;
        val[cur] = ss_str_make(v, (size_t)(vend - v));
    }
    /* a folded value's trailing CRs (only a continuation line leaves one:
     * a header line's are dropped above) */
    for (int s = 0; s < OH_COUNT; s++)
        if (continued & (1u << s))
            while (val[s].len && val[s].ptr[val[s].len - 1] == '\r')
                val[s].len--;
}

/* ss_header_value of a raw value found by original_headers. */
static ss_str orig_value(ss_arena *a, ss_str raw) {
    if (!raw.ptr) /* no such header (List-Id, mostly): the NULL slice, as
                   * ss_header_value gives, without the call */
        return SS_NULLSTR;
    return ss_header_decode(a, raw);
}

static void read_original(smtpstatus_analyzer *an, const ss_view *v,
                          const ss_bounce *b, original_info *o) {
    ss_arena *a = &an->arena;
    o->message_id = o->subject = o->addresser = o->list_id = "";
    ss_str block = v->original ? v->original_text : b->original;
    if (block.len) {
        /* what ss_parse_headers would give for these names (a block with
         * no header at all gives none: the same records as skipping) */
        ss_str raw[OH_COUNT];
        size_t maxh = an->opts.limits.max_header_size
                          ? an->opts.limits.max_header_size
                          : (size_t)1 << 20;
        /* Return-Path is needed only when From: has no address: then
         * looked for on its own */
        original_headers(block, maxh, raw, 1u << OH_RETURN_PATH);
        ss_str mid = ss_trim(orig_value(a, raw[OH_MID]));
        while (mid.len && mid.ptr[0] == '<') {
            mid.ptr++;
            mid.len--;
        }
        while (mid.len && mid.ptr[mid.len - 1] == '>')
            mid.len--;
        o->message_id = cstr(a, mid);
        o->subject = cstr_unfolded(a, orig_value(a, raw[OH_SUBJECT]));
        o->addresser = clean_address(a, raw[OH_FROM]);
        if (!*o->addresser) {
            ss_str rp[OH_COUNT];
            original_headers(block, maxh, rp,
                             ((1u << OH_COUNT) - 1) & ~(1u << OH_RETURN_PATH));
            o->addresser = clean_address(a, rp[OH_RETURN_PATH]);
        }
        ss_str lid = ss_trim(orig_value(a, raw[OH_LIST_ID]));
        o->list_id = cstr(a, lid);
    }
    if (!*o->addresser) /* the bounce's To: (not in the view: decoded here) */
        o->addresser =
            clean_address(a, ss_part_header(a, v->root, "To"));
}

static int status_class_of(const char *status) {
    return (status[0] == '2' || status[0] == '4' || status[0] == '5')
               ? status[0] - '0'
               : 0;
}

/* !strncmp(s, lit, n), n >= 1 (n = strlen(lit) + 1: !strcmp): the first
 * byte, which most often differs, without a call. */
static int starts(const char *s, const char *lit, size_t n) {
    return s[0] == lit[0] && !strncmp(s, lit, n);
}

/* Build and emit the records of one recognized message. */
static smtpstatus_rc emit(smtpstatus_analyzer *an, const ss_view *v,
                          ss_bounce *b, const char *source, size_t number,
                          smtpstatus_record_fn fn, void *user) {
    ss_arena *a = &an->arena;
    original_info o;
    read_original(an, v, b, &o);
    ss_str date = ss_trim(ss_part_header_raw(v->root, "Date"));
    char tz[6];
    long long ts = parse_date(date, tz);
    const char *datec = cstr_unfolded(a, date);
    const char *reporting_all = lower_cstr(a, b->reporting_mta);

    /* the fields that are the message's, the same in each of its records,
     * set once; the loop sets each of the others for each fact */
    static const smtpstatus_record zero; /* a copy, not memset: see
                                           * build_view */
    smtpstatus_record r = zero;
    r.source = source;
    r.message_number = number;
    r.decoder = b->decoder ? b->decoder : "";
    r.message_id = o.message_id;
    r.subject = o.subject;
    r.addresser = o.addresser;
    r.list_id = o.list_id;
    r.date = datec;
    r.timestamp = ts;
    /* record strings need to live only until the callback returns: tz,
     * and stbuf and rcbuf below (all ASCII), serve as they are */
    r.timezone_offset = tz;
    r.warnings = b->warnings | v->msg->warnings;

    for (size_t i = 0; i < b->nfacts; i++) {
        ss_fact *f = &b->facts[i];
        r.recipient = clean_address(a, f->recipient);
        /* a record needs a recipient, except a complaint whose recipient
         * the reporter redacted: it still names the reported message */
        if (!*r.recipient && f->reason != SMTPSTATUS_R_FEEDBACK)
            continue;
        /* an alias written as the recipient is cleaned to the same
         * address: dropped without cleaning it again */
        int same_alias = f->alias.len && f->alias.len == f->recipient.len &&
                         (f->alias.ptr == f->recipient.ptr ||
                          !memcmp(f->alias.ptr, f->recipient.ptr,
                                  f->alias.len));
        r.alias = f->alias.len && !same_alias ? clean_address(a, f->alias)
                                               : "";
        if (*r.alias && !strcmp(r.alias, r.recipient))
            r.alias = "";
        r.diagnostic_code = cstr_unfolded(a, f->diagnostic);
        r.diagnostic_type = upper_cstr(a, f->diagnostic_type);
        r.remote_mta = lower_cstr(a, f->remote_mta);
        /* the message's, lowered once, when the fact's is the same text */
        int same_reporting = f->reporting_mta.ptr == b->reporting_mta.ptr &&
                             f->reporting_mta.len == b->reporting_mta.len;
        r.reporting_mta = f->reporting_mta.len && !same_reporting
                              ? lower_cstr(a, f->reporting_mta)
                              : reporting_all;
        r.smtp_command = upper_cstr(a, f->command);
        r.feedback_type = cstr(a, ss_trim(f->feedback_type));

        /* codes: the decoder's, else from the diagnostic text */
        smtpstatus_status st = {0, 0, 0};
        int reply = 0;
        ss_str fs = ss_trim(f->status);
        size_t used = 0; /* how much of fs the status took: no '(' there */
        if (fs.len) {
            if (smtpstatus_status_parse(fs.ptr, fs.len, &st, &used) !=
                SMTPSTATUS_OK) {
                /* "Status: 5.1.1 (comment)" parses; other shapes: scan */
                smtpstatus_diag d;
                if (ss_diag_codes(fs.ptr, fs.len, &d) == SMTPSTATUS_OK)
                    st = d.status;
            }
        }
        ss_str frc = ss_trim(f->reply_code);
        if (frc.len == 3 && ss_isdigit((unsigned char)frc.ptr[0]) &&
            ss_isdigit((unsigned char)frc.ptr[1]) &&
            ss_isdigit((unsigned char)frc.ptr[2]))
            reply = (frc.ptr[0] - '0') * 100 + (frc.ptr[1] - '0') * 10 +
                    (frc.ptr[2] - '0');
        smtpstatus_diag d;
        memset(&d, 0, sizeof d);
        size_t diag_len = strlen(r.diagnostic_code);
        ss_str diag = ss_str_make(r.diagnostic_code, diag_len);
        if (diag.len && ss_diag_codes(diag.ptr, diag.len, &d) ==
                            SMTPSTATUS_OK) {
            if (!reply && d.reply_code)
                reply = d.reply_code;
            /* The DSN's Status is the reporting MTA's summary; the code
             * in the remote server's own reply is the primary evidence.
             * When both exist and differ: keep the one whose class the
             * reply code shares; with the same class, take the remote's
             * unless it says less (x.0.0, or x.y.0 against a detailed
             * code). */
            if (d.status.klass && !st.klass) {
                st = d.status;
            } else if (d.status.klass &&
                       (d.status.klass != st.klass ||
                        d.status.subject != st.subject ||
                        d.status.detail != st.detail)) {
                int rk = reply / 100;
                if (d.status.klass != st.klass) {
                    if (rk == d.status.klass && rk != st.klass)
                        st = d.status;
                } else {
                    int dvague = d.status.subject == 0 ||
                                 (d.status.detail == 0 && st.detail != 0);
                    if (!dvague)
                        st = d.status;
                }
            }
        }
        char stbuf[16];
        smtpstatus_status_format(&st, stbuf, sizeof stbuf);
        char rcbuf[8] = "";
        if (reply >= 100 && reply <= 999) { /* the usual three digits */
            rcbuf[0] = (char)('0' + reply / 100);
            rcbuf[1] = (char)('0' + reply / 10 % 10);
            rcbuf[2] = (char)('0' + reply % 10);
            rcbuf[3] = '\0';
        } else if (reply > 0 && reply < 1000000) { /* "%d", without snprintf */
            int rv = reply, k = 0;
            char t[8];
            while (rv) {
                t[k++] = (char)('0' + rv % 10);
                rv /= 10;
            }
            for (int j = 0; j < k; j++)
                rcbuf[j] = t[k - 1 - j];
            rcbuf[k] = '\0';
        } else if (reply)
            snprintf(rcbuf, sizeof rcbuf, "%d", reply);

        /* action */
        const char *action = lower_action(a, f->action);
        if (starts(action, "failure", 7))
            action = "failed";
        else if (starts(action, "delayed", 7))
            action = "delayed";
        else if (starts(action, "deliverable", 11))
            action = "delivered";

        /* reason */
        smtpstatus_verdict vd;
        if (f->reason >= 0 && f->reason < SMTPSTATUS_R_COUNT_) {
            vd.reason = (smtpstatus_reason)f->reason;
            vd.hard_bounce = 0;
        } else {
            smtpstatus_evidence ev;
            memset(&ev, 0, sizeof ev);
            ev.reply_code = reply;
            ev.status = st;
            ev.command = *r.smtp_command ? r.smtp_command : NULL;
            ev.text = r.diagnostic_code;
            ev.text_len = diag_len;
            /* "Status: 5.2.1 (mailbox disabled, not accepting messages)":
             * the reporting MTA's comment is evidence too */
            const char *open =
                fs.len > used ? memchr(fs.ptr + used, '(', fs.len - used)
                              : NULL;
            if (open) {
                const char *close =
                    memchr(open, ')', fs.len - (size_t)(open - fs.ptr));
                size_t cl = close ? (size_t)(close - open - 1) : 0;
                size_t dl = ev.text_len;
                char *t = cl ? ss_alloc(a, dl + cl + 2) : NULL;
                if (t) {
                    memcpy(t, r.diagnostic_code, dl);
                    t[dl] = ' ';
                    memcpy(t + dl + 1, open + 1, cl);
                    t[dl + 1 + cl] = '\0';
                    ev.text = t;
                    ev.text_len = dl + 1 + cl;
                }
            }
            ev.action = *action ? action : NULL;
            ev.diagnostic_type = *r.diagnostic_type ? r.diagnostic_type : NULL;
            ev.remote_host = *r.remote_mta ? r.remote_mta : NULL;
            const char *at = strrchr(r.recipient, '@');
            ev.recipient_domain = at ? at + 1 : NULL;
            ev.reporting_host = *r.reporting_mta ? r.reporting_mta : NULL;
            if (an->opts.flags & SMTPSTATUS_O_SISIMAI)
                ev.flags |= SMTPSTATUS_E_SISIMAI;
            smtpstatus_classify(&ev, &vd);
        }
        /* a status when none was written: from the reason */
        if (!st.klass && vd.reason != SMTPSTATUS_R_FEEDBACK &&
            vd.reason != SMTPSTATUS_R_VACATION) {
            int k = reply ? reply / 100 : 0;
            if (!k)
                k = starts(action, "delayed", 8) ? 4
                    : starts(action, "delivered", 10) ? 2 : 5;
            const char *ps = ss_pseudo_status(vd.reason, k);
            if (ps && *ps) { /* snprintf "%s" into stbuf, without its cost */
                size_t pl = strlen(ps);
                if (pl >= sizeof stbuf)
                    pl = sizeof stbuf - 1;
                memcpy(stbuf, ps, pl);
                stbuf[pl] = '\0';
            }
        }
        r.status = stbuf;
        r.reply_code = rcbuf;
        if (!*action) {
            int k = status_class_of(r.status);
            action = k == 2 ? "delivered" : k == 4 ? "delayed" : "failed";
            if (vd.reason == SMTPSTATUS_R_EXPIRED && k != 5)
                action = "delayed";
        }
        r.action = action;
        r.reason = vd.reason;
        if (f->hard >= 0)
            r.hard_bounce = f->hard;
        else
            r.hard_bounce = smtpstatus_is_hard_bounce(
                vd.reason, reply, &st, r.diagnostic_code, diag_len);

        /* what the caller asked to see */
        if ((vd.reason == SMTPSTATUS_R_DELIVERED ||
             starts(action, "delivered", 10) ||
             starts(action, "relayed", 8) || starts(action, "expanded", 9)) &&
            !(an->opts.flags & SMTPSTATUS_O_DELIVERED))
            continue;
        if (vd.reason == SMTPSTATUS_R_VACATION &&
            !(an->opts.flags & SMTPSTATUS_O_VACATION))
            continue;
        if (a->failed)
            return SMTPSTATUS_ENOMEM;
        an->stats.records++;
        if (fn && fn(&r, user))
            return SMTPSTATUS_ECALLBACK;
    }
    return SMTPSTATUS_OK;
}

static smtpstatus_rc emit_not_bounce(smtpstatus_analyzer *an,
                                     const ss_view *v, const char *source,
                                     size_t number, unsigned warnings,
                                     smtpstatus_record_fn fn, void *user) {
    if (!(an->opts.flags & SMTPSTATUS_O_ALL))
        return SMTPSTATUS_OK;
    ss_arena *a = &an->arena;
    static const smtpstatus_record zero; /* a copy, not memset: see
                                           * build_view */
    smtpstatus_record r = zero;
    r.source = source;
    r.message_number = number;
    r.recipient =
        v ? clean_address(a, ss_part_header(a, v->root, "To")) : "";
    r.alias = r.action = r.status = r.reply_code = "";
    r.diagnostic_code = r.diagnostic_type = r.remote_mta = "";
    r.reporting_mta = r.smtp_command = r.decoder = r.feedback_type = "";
    r.message_id = r.subject = r.addresser = r.list_id = r.date = "";
    r.timezone_offset = "";
    if (v) {
        r.subject = cstr_unfolded(a, v->subject);
        r.addresser = clean_address(a, v->from);
        ss_str mid = ss_trim(ss_part_header_raw(v->root, "Message-ID"));
        if (mid.len && mid.ptr[0] == '<') {
            mid.ptr++;
            mid.len--;
        }
        if (mid.len && mid.ptr[mid.len - 1] == '>')
            mid.len--;
        r.message_id = cstr(a, mid);
        ss_str date = ss_trim(ss_part_header_raw(v->root, "Date"));
        char tz[6];
        r.timestamp = parse_date(date, tz);
        r.date = cstr_unfolded(a, date);
        r.timezone_offset = cstr(a, ss_str_make(tz, strlen(tz)));
    }
    r.reason = SMTPSTATUS_R_NOT_A_BOUNCE;
    r.warnings = warnings;
    an->stats.records++;
    if (fn && fn(&r, user))
        return SMTPSTATUS_ECALLBACK;
    return SMTPSTATUS_OK;
}

/* Lines longer than max_line_length are cut there (the rest of the line
 * is dropped) in a copy in the arena; buf itself when no line is longer. */
static const char *cut_long_lines(ss_arena *a, const char *buf, size_t *len,
                                  size_t max, unsigned *warn) {
    size_t pos = 0, n = *len;
    int found = 0;
    /* The line starting at pos is too long iff the max + 1 bytes from pos
     * hold no LF; else the next line to check starts after the last LF
     * among them.  The backward scans cover disjoint ranges: O(n), and
     * nothing to do for a message of at most max bytes. */
    while (n - pos > max) {
        size_t i = pos + max + 1;
        while (i > pos && buf[i - 1] != '\n')
            i--;
        if (i == pos) {
            found = 1;
            break;
        }
        pos = i;
    }
    if (!found)
        return buf;
    char *d = ss_alloc(a, n);
    if (!d)
        return buf; /* arena->failed: reported as out of memory */
    size_t o = 0;
    pos = 0;
    while (pos < n) {
        const char *nl = memchr(buf + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - buf) : n;
        size_t k = end - pos > max ? max : end - pos;
        memcpy(d + o, buf + pos, k);
        o += k;
        if (nl)
            d[o++] = '\n';
        pos = end + 1;
    }
    *len = o;
    *warn |= SMTPSTATUS_RW_LINE_LIMIT;
    return d;
}

/* s appended to the string d[0..k) (size bytes in all), cut to fit, NUL
 * after it; the new length.  (The problem line below is 147 bytes at most:
 * every warning named; nothing is cut.) */
static size_t put_str(char *d, size_t k, size_t size, const char *s) {
    size_t n = strlen(s);
    if (n >= size - k)
        n = size - k - 1;
    memcpy(d + k, s, n);
    d[k + n] = '\0';
    return k + n;
}

/* One message; extra: record warnings the reader found (truncated). */
static smtpstatus_rc analyze_one(smtpstatus_analyzer *an, const char *buf,
                                 size_t len, const char *source,
                                 size_t message_number, unsigned extra,
                                 smtpstatus_record_fn fn, void *user) {
    if (!an || (!buf && len))
        return SMTPSTATUS_EINVAL;
    if (!source)
        source = "";
    ss_arena_reset(&an->arena);
    an->stats.messages++;
    an->stats.bytes += len;
    unsigned warn = extra & SMTPSTATUS_RW_TRUNCATED;
    if (len > an->opts.limits.max_message_size) {
        len = an->opts.limits.max_message_size;
        warn |= SMTPSTATUS_RW_TRUNCATED;
    }
    if (buf)
        buf = cut_long_lines(&an->arena, buf, &len,
                             an->opts.limits.max_line_length, &warn);
    ss_message m;
    smtpstatus_rc rc =
        ss_mime_parse(&an->arena, &an->opts.limits, buf ? buf : "", len, &m);
    if (rc != SMTPSTATUS_OK) {
        an->stats.failed++;
        problem(an, source, "out of memory while parsing the message");
        return rc;
    }
    m.warnings |= warn;
    ss_view v;
    rc = build_view(an, &m, &v);
    if (rc != SMTPSTATUS_OK) {
        an->stats.failed++;
        problem(an, source, "out of memory while decoding the message");
        return rc;
    }
    ss_bounce b;
    memset(&b, 0, sizeof b);
    b.arena = &an->arena;
    b.limits = &an->opts.limits;
    int found = 0;
    for (const ss_decoder *d = ss_decoders; d->name; d++) {
        ss_bounce_begin(&b, d->name);
        if (d->decode(&v, &b) == SS_DEC_YES) {
            found = 1;
            break;
        }
    }
    if (an->arena.failed) {
        an->stats.failed++;
        problem(an, source, "out of memory while decoding the message");
        return SMTPSTATUS_ENOMEM;
    }
    /* every limit hit and every problem of the MIME structure: one line
     * to the problem callback ("limit hit: a, b; warning: bad_mime"), and
     * the message counts in stats.warnings (once, however many records) */
    unsigned all = m.warnings | b.warnings;
    if (all) {
        const unsigned limits =
            SMTPSTATUS_RW_TRUNCATED | SMTPSTATUS_RW_DEPTH_LIMIT |
            SMTPSTATUS_RW_PARTS_LIMIT | SMTPSTATUS_RW_HEADER_LIMIT |
            SMTPSTATUS_RW_LINE_LIMIT | SMTPSTATUS_RW_RCPT_LIMIT |
            SMTPSTATUS_RW_TEXT_LIMIT;
        char what[200] = "";
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++) {
            int first = 1;
            for (unsigned bit = 1; bit <= SMTPSTATUS_RW_TEXT_LIMIT; bit <<= 1) {
                int is_limit = (limits & bit) != 0;
                if (!(all & bit) || is_limit != (pass == 0))
                    continue;
                const char *pre = !first ? ", "
                                  : pass == 0 ? "limit hit: "
                                  : k ? "; warning: " : "warning: ";
                k = put_str(what, k, sizeof what, pre);
                k = put_str(what, k, sizeof what,
                            smtpstatus_record_warning_name(bit));
                first = 0;
            }
        }
        problem(an, source, what);
    }
    if (m.warnings | b.warnings)
        an->stats.warnings++;
    if (!found) {
        an->stats.not_bounces++;
        return emit_not_bounce(an, &v, source, message_number, m.warnings, fn,
                               user);
    }
    if (b.nfacts == 0) {
        /* recognized, but nothing to report: say so rather than drop it */
        char what[96];
        snprintf(what, sizeof what, "%s report with no recipient in it",
                 b.decoder ? b.decoder : "bounce");
        an->stats.bounces++;
        problem(an, source, what);
        return SMTPSTATUS_OK;
    }
    an->stats.bounces++;
    return emit(an, &v, &b, source, message_number, fn, user);
}

smtpstatus_rc smtpstatus_analyze_message(smtpstatus_analyzer *an,
                                         const char *buf, size_t len,
                                         const char *source,
                                         size_t message_number,
                                         smtpstatus_record_fn fn, void *user) {
    return analyze_one(an, buf, len, source, message_number, 0, fn, user);
}

smtpstatus_rc smtpstatus_analyze_read(smtpstatus_analyzer *an,
                                      const smtpstatus_message *msg,
                                      smtpstatus_record_fn fn, void *user) {
    if (!msg)
        return SMTPSTATUS_EINVAL;
    return analyze_one(an, msg->data, msg->len, msg->source, msg->number,
                       msg->warnings, fn, user);
}

/* ------------------------------------------------------------------ */
/* Buffers, paths, descriptors                                          */
/* ------------------------------------------------------------------ */

static smtpstatus_rc drain(smtpstatus_analyzer *an, smtpstatus_reader *rd,
                           smtpstatus_record_fn fn, void *user);

smtpstatus_rc smtpstatus_analyze_buffer(smtpstatus_analyzer *an,
                                        const char *buf, size_t len,
                                        const char *source,
                                        smtpstatus_record_fn fn, void *user) {
    if (!an || (!buf && len))
        return SMTPSTATUS_EINVAL;
    if (!source)
        source = "";
    an->stats.inputs++;
    if (len >= 5 && memcmp(buf, "From ", 5) == 0) {
        /* split and unquoted by the same reader as an mbox file */
        smtpstatus_rc rc = SMTPSTATUS_OK;
        smtpstatus_reader *rd =
            ss_reader_open_mem(buf, len, source, &an->opts.limits, &rc);
        if (!rd) {
            an->stats.failed++;
            problem(an, source, "out of memory");
            return rc;
        }
        rc = drain(an, rd, fn, user);
        smtpstatus_reader_close(rd);
        return rc;
    }
    return smtpstatus_analyze_message(an, buf, len, source, 1, fn, user);
}

static smtpstatus_rc drain(smtpstatus_analyzer *an, smtpstatus_reader *rd,
                           smtpstatus_record_fn fn, void *user) {
    smtpstatus_rc worst = SMTPSTATUS_OK;
    for (;;) {
        smtpstatus_message msg;
        const char *what = NULL;
        memset(&msg, 0, sizeof msg);
        smtpstatus_rc rc = smtpstatus_reader_next(rd, &msg, &what);
        if (rc == SMTPSTATUS_ENOTFOUND)
            break;
        if (rc != SMTPSTATUS_OK) {
            an->stats.failed++;
            problem(an, msg.source, what ? what : smtpstatus_strerror(rc));
            worst = rc;
            if (rc == SMTPSTATUS_ENOMEM || rc == SMTPSTATUS_EINVAL)
                break;
            continue;
        }
        /* the "limit hit: truncated" line comes from analyze_one */
        rc = analyze_one(an, msg.data, msg.len, msg.source, msg.number,
                         msg.warnings, fn, user);
        if (rc == SMTPSTATUS_ECALLBACK)
            return rc;
        if (rc != SMTPSTATUS_OK)
            worst = rc;
    }
    return worst;
}

smtpstatus_rc smtpstatus_analyze_path(smtpstatus_analyzer *an,
                                      const char *path,
                                      smtpstatus_record_fn fn, void *user) {
    if (!an || !path)
        return SMTPSTATUS_EINVAL;
    an->stats.inputs++;
    smtpstatus_rc rc = SMTPSTATUS_OK;
    smtpstatus_reader *rd =
        smtpstatus_reader_open(path, &an->opts.limits, &rc);
    if (!rd) {
        an->stats.failed++;
        char what[160];
        snprintf(what, sizeof what, "cannot open: %s",
                 rc == SMTPSTATUS_ENOMEM ? "out of memory" : strerror(errno));
        problem(an, path, what);
        return rc ? rc : SMTPSTATUS_EIO;
    }
    rc = smtpstatus_analyze_reader(an, rd, path, fn, user);
    smtpstatus_reader_close(rd);
    return rc;
}

smtpstatus_rc smtpstatus_analyze_reader(smtpstatus_analyzer *an,
                                        smtpstatus_reader *rd,
                                        const char *name,
                                        smtpstatus_record_fn fn, void *user) {
    if (!an || !rd)
        return SMTPSTATUS_EINVAL;
    size_t msgs = an->stats.messages, failed = an->stats.failed;
    smtpstatus_rc rc = drain(an, rd, fn, user);
    /* a file that holds no message is said, not dropped */
    struct stat st;
    if (name && rc == SMTPSTATUS_OK && an->stats.messages == msgs &&
        an->stats.failed == failed &&
        (strcmp(name, "-") == 0 ||
         (stat(name, &st) == 0 && !S_ISDIR(st.st_mode)))) {
        an->stats.failed++;
        problem(an, name, "no message in it (empty file)");
        rc = SMTPSTATUS_ENOTFOUND;
    }
    return rc;
}

smtpstatus_rc smtpstatus_analyze_fd(smtpstatus_analyzer *an, int fd,
                                    const char *name, smtpstatus_record_fn fn,
                                    void *user) {
    if (!an || fd < 0)
        return SMTPSTATUS_EINVAL;
    an->stats.inputs++;
    smtpstatus_rc rc = SMTPSTATUS_OK;
    smtpstatus_reader *rd = smtpstatus_reader_open_fd(
        fd, name ? name : "-", &an->opts.limits, &rc);
    if (!rd) {
        an->stats.failed++;
        problem(an, name ? name : "-", "cannot read");
        return rc ? rc : SMTPSTATUS_EIO;
    }
    rc = drain(an, rd, fn, user);
    smtpstatus_reader_close(rd);
    return rc;
}
