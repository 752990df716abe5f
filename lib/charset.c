/*
 * charset.c - conversion of message text from a declared charset to UTF-8
 * (ss_to_utf8, see mime.h).
 *
 * UTF-8 and US-ASCII (and an empty charset) take a fast path without
 * iconv: the text is only checked, and copied with U+FFFD replacements
 * when it is not valid UTF-8.  Other charsets are mapped to the name glibc
 * iconv knows best (Shift_JIS family -> CP932, ks_c_5601-1987/EUC-KR ->
 * CP949, GB2312 -> GBK, ISO-8859-1 -> WINDOWS-1252, ...) and converted;
 * invalid or incomplete sequences become U+FFFD, never an error.  An
 * unknown charset returns the bytes as they are with *unknown set.  Text
 * that is plain ASCII in an ASCII-compatible charset, or that
 * ISO-2022-JP or UTF-7 would give back unchanged, is returned without
 * opening iconv at all (so an unknown name is then not noticed: nothing
 * is lost).  ISO-2022-JP is decoded here while it is in its ASCII state
 * and in its plain runs in JIS X 0208 (by a table of what glibc's decoder
 * gives for them); iconv only gets its other runs.
 *
 * Windows-1252 (and ISO-8859-1, which mail means as Windows-1252) is
 * converted by a table here: glibc loads and unloads its conversion
 * module at each iconv_open/iconv_close pair.  It does not cache iconv
 * descriptors (no state outside the caller's arena).
 */
#include "mime.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>

#include "jis0208_table.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* ascii_len looks at 128 bytes at a time with AVX2 when the processor
 * has it (chosen at run time), as source.c does. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) &&       \
    !defined(SS_NO_AVX2)
#define SS_AVX2_ASCII 1
#include <immintrin.h>
#endif

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
static inline size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

#ifdef SS_AVX2_ASCII
/* ascii_len (below) for n >= 32, 32 bytes a step, 128 while all are
 * ASCII.  The last block overlaps the one before when n is not a
 * multiple of 32: its bytes before i are ASCII, they add no bit. */
__attribute__((target("avx2"))) static size_t
ascii_len_avx2(const unsigned char *s, size_t n) {
    size_t i = 0;
#define SS_LD(o) _mm256_loadu_si256((const __m256i *)(const void *)(s + i + (o)))
    while (n - i >= 128) {
        __m256i v = _mm256_or_si256(_mm256_or_si256(SS_LD(0), SS_LD(32)),
                                    _mm256_or_si256(SS_LD(64), SS_LD(96)));
        if (_mm256_movemask_epi8(v))
            break;
        i += 128;
    }
    while (i < n) {
        if (n - i < 32)
            i = n - 32;
        unsigned m = (unsigned)_mm256_movemask_epi8(SS_LD(0));
        if (m)
            return i + ss_ctz(m);
        i += 32;
    }
#undef SS_LD
    return n;
}
#endif

/* Length of the run of ASCII bytes (below 0x80) at the start of
 * s[0..n). */
static inline size_t ascii_len(const unsigned char *s, size_t n) {
    size_t i = 0;
#ifdef SS_AVX2_ASCII
    /* long text: the call pays from about 128 bytes on */
    if (n >= 128 && __builtin_cpu_supports("avx2"))
        return ascii_len_avx2(s, n);
#endif
#if defined(__SSE2__) && defined(__GNUC__)
    /* 64 bytes a step while all are ASCII (the top bits of all of them
     * or'ed), then 16 at a time to find the first 8-bit byte: the lowest
     * bit of the mask.  The last block overlaps the one before when n is
     * not a multiple of 16: its bytes before i are ASCII, they add no
     * bit. */
    while (n - i >= 64) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
        __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 32));
        __m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 48));
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v0, v1),
                                           _mm_or_si128(v2, v3))))
            break;
        i += 64;
    }
    if (n >= 16) {
        while (i < n) {
            size_t b = n - i >= 16 ? i : n - 16;
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_loadu_si128((const __m128i *)(const void *)(s + b)));
            if (m)
                return b + ss_ctz(m);
            i = b + 16;
        }
        return n;
    }
#else
    while (n - i >= 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, s + i, 8);
        memcpy(&w1, s + i + 8, 8);
        memcpy(&w2, s + i + 16, 8);
        memcpy(&w3, s + i + 24, 8);
        if ((w0 | w1 | w2 | w3) & UINT64_C(0x8080808080808080))
            break;
        i += 32;
    }
#endif
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

size_t ss_ascii_len(const char *p, size_t n) {
    return ascii_len((const unsigned char *)p, n);
}

#if defined(__SSE2__)
/* Is s[0..16) ASCII and whole two- and three-byte sequences (Latin,
 * Greek, Cyrillic..., and most CJK text), but perhaps the start of one
 * in its last two bytes?  The bytes to step over (16, or less to leave
 * that start), 0 when not so.  Each lead byte (0xC2..0xDF for two bytes,
 * 0xE0..0xEF for three) claims the one or two bytes after it; the
 * continuation bytes (0x80..0xBF) must be exactly the bytes claimed (a
 * claimed lead byte or an unclaimed continuation byte is an error), with
 * no overlong form (0xE0 then below 0xA0) or surrogate (0xED then 0xA0
 * or more).  Anything else >= 0x80 (four-byte sequences, invalid bytes)
 * is for utf8_seq. */
static inline size_t utf8_short_seq_block(const unsigned char *s) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* signed: 0x80..0xBF are -128..-65, 0xC2..0xDF are -62..-33, 0xE0..0xEF
     * are -32..-17 */
    unsigned hi = (unsigned)_mm_movemask_epi8(v);
    unsigned cont = (unsigned)_mm_movemask_epi8(
        _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0)));
    unsigned lead2 = (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xC1)),
                      _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xE0))));
    unsigned lead3 = (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xDF)),
                      _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xF0))));
    unsigned claimed = ((lead2 << 1) | (lead3 << 1) | (lead3 << 2)) & 0xFFFF;
    if ((hi & ~(cont | lead2 | lead3)) || cont != claimed)
        return 0;
    if (lead3) {
        unsigned e0 = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE0)));
        unsigned ed = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xED)));
        unsigned low = (unsigned)_mm_movemask_epi8( /* 0x80..0x9F */
            _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xA0)));
        if (((e0 << 1) & low) || ((ed << 1) & cont & ~low))
            return 0;
    }
    /* a sequence that goes past the block: leave it for the next step */
    unsigned open = (lead2 & 0x8000) | (lead3 & 0xC000);
    return open ? ss_ctz(open) : 16;
}
#endif

/* Offset of the first invalid UTF-8 byte, or n when all is valid. */
static size_t utf8_valid_prefix(const char *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p, *e = s + n;
#if defined(__SSE2__)
    const unsigned char *retry = s; /* where to try blocks again */
#endif
    while (s < e) {
        s += ascii_len(s, (size_t)(e - s));
        /* then the run of non-ASCII sequences that follows (text in a
         * non-Latin script is mostly such runs, with single spaces
         * between them: such a byte does not end the run) */
        while (s < e) {
            if (*s < 0x80) {
                if (e - s < 2 || s[1] < 0x80)
                    break;
                s++;
            }
#if defined(__SSE2__)
            /* 16 bytes at a time while they are two- and three-byte
             * sequences and ASCII; when not, one by one for 16 bytes */
            if (e - s >= 16 && s >= retry) {
                size_t b = utf8_short_seq_block(s);
                if (b) {
                    s += b;
                    continue;
                }
                retry = s + 16;
            }
#endif
            size_t k = utf8_seq(s, (size_t)(e - s));
            if (!k)
                return (size_t)(s - (const unsigned char *)p);
            s += k;
        }
    }
    return n;
}

/* Length of the run at the start of p[0..n) of bytes 0x01..0x7F that are
 * not stop (ESC for ISO-2022-JP, 0 for none). */
static size_t ascii_run(const char *p, size_t n, unsigned char stop) {
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
#if defined(__SSE2__) && defined(__GNUC__)
    const __m128i zero = _mm_setzero_si128(), st = _mm_set1_epi8((char)stop);
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(v, _mm_or_si128(_mm_cmpeq_epi8(v, zero),
                                         _mm_cmpeq_epi8(v, st))));
        if (m)
            return i + ss_ctz(m);
        i += 16;
    }
#endif
    while (i < n && s[i] && s[i] < 0x80 && (!stop || s[i] != stop))
        i++;
    return i;
}

/* Valid UTF-8 copy of in: each invalid byte becomes U+FFFD. */
static ss_str utf8_repair(ss_arena *a, ss_str in, size_t first_bad) {
    if (in.len > (SIZE_MAX - 16) / 3)
        return SS_NULLSTR;
    char *o = ss_alloc(a, in.len * 3 + 1);
    if (!o)
        return SS_NULLSTR;
    const unsigned char *s = (const unsigned char *)in.ptr;
    memcpy(o, in.ptr, first_bad);
    size_t i = first_bad, w = first_bad;
    while (i < in.len) {
        size_t k = utf8_seq(s + i, in.len - i);
        if (k) {
            memcpy(o + w, s + i, k);
            w += k;
            i += k;
        } else {
            o[w++] = (char)0xEF;
            o[w++] = (char)0xBF;
            o[w++] = (char)0xBD;
            i++;
        }
    }
    o[w] = '\0';
    return ss_str_make(o, w);
}

/* The charset name, cleaned: lower case, no quotes, no RFC 2231
 * language suffix; *len gets its length.  0 when the name cannot be a
 * charset. */
static int clean_name(ss_str cs, char *out, size_t cap, size_t *len) {
    cs = ss_trim(cs);
    while (cs.len && (cs.ptr[0] == '"' || cs.ptr[0] == '\'')) {
        cs.ptr++;
        cs.len--;
    }
    while (cs.len && (cs.ptr[cs.len - 1] == '"' || cs.ptr[cs.len - 1] == '\''))
        cs.len--;
    size_t n = 0;
    for (size_t i = 0; i < cs.len; i++) {
        int c = (unsigned char)cs.ptr[i];
        if (c == '*')
            break; /* charset*lang */
        if (!(ss_isalpha(c) || ss_isdigit(c) || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '+'))
            return 0;
        if (n + 1 >= cap)
            return 0;
        out[n++] = (char)ss_lower(c);
    }
    out[n] = '\0';
    *len = n;
    return 1;
}

typedef struct cs_alias {
    const char *name;
    size_t len; /* strlen(name): the lookup compares lengths first */
    const char *iconv;
} cs_alias;

#define ALIAS(n, ic) {n, sizeof(n) - 1, ic}

/* NULL iconv name: UTF-8 fast path. */
static const cs_alias aliases[] = {
    ALIAS("", NULL),
    ALIAS("utf-8", NULL),
    ALIAS("utf8", NULL),
    ALIAS("us-ascii", NULL),
    ALIAS("ascii", NULL),
    ALIAS("us", NULL),
    ALIAS("ansi_x3.4-1968", NULL),
    ALIAS("iso646-us", NULL),
    ALIAS("x-unknown", ""),
    ALIAS("unknown", ""),
    ALIAS("unknown-8bit", ""),
    ALIAS("x-user-defined", ""),
    ALIAS("default", ""),
    ALIAS("shift_jis", "CP932"),
    ALIAS("shift-jis", "CP932"),
    ALIAS("sjis", "CP932"),
    ALIAS("x-sjis", "CP932"),
    ALIAS("ms_kanji", "CP932"),
    ALIAS("csshiftjis", "CP932"),
    ALIAS("cp932", "CP932"),
    ALIAS("windows-31j", "CP932"),
    ALIAS("x-ms-cp932", "CP932"),
    ALIAS("euc-jp", "EUC-JP-MS"),
    ALIAS("x-euc-jp", "EUC-JP-MS"),
    ALIAS("eucjp", "EUC-JP-MS"),
    ALIAS("iso-2022-jp", "ISO-2022-JP-3"),
    ALIAS("csiso2022jp", "ISO-2022-JP-3"),
    ALIAS("ks_c_5601-1987", "CP949"),
    ALIAS("ks_c_5601", "CP949"),
    ALIAS("ksc5601", "CP949"),
    ALIAS("euc-kr", "CP949"),
    ALIAS("x-euc-kr", "CP949"),
    ALIAS("cp949", "CP949"),
    ALIAS("korean", "CP949"),
    ALIAS("gb2312", "GBK"),
    ALIAS("gb_2312-80", "GBK"),
    ALIAS("euc-cn", "GBK"),
    ALIAS("x-euc-cn", "GBK"),
    ALIAS("cn-gb", "GBK"),
    ALIAS("x-gbk", "GBK"),
    ALIAS("gbk", "GBK"),
    ALIAS("cp936", "GBK"),
    ALIAS("gb18030", "GB18030"),
    ALIAS("big5", "BIG5"),
    ALIAS("big-5", "BIG5"),
    ALIAS("x-x-big5", "BIG5"),
    ALIAS("cn-big5", "BIG5"),
    ALIAS("big5-hkscs", "BIG5-HKSCS"),
    ALIAS("iso-8859-1", "WINDOWS-1252"),
    ALIAS("iso8859-1", "WINDOWS-1252"),
    ALIAS("iso_8859-1", "WINDOWS-1252"),
    ALIAS("latin1", "WINDOWS-1252"),
    ALIAS("l1", "WINDOWS-1252"),
    ALIAS("x-cp1252", "WINDOWS-1252"),
    ALIAS("utf-7", "UTF-7"),
    ALIAS("unicode-1-1-utf-7", "UTF-7"),
    ALIAS("x-unicode-2-0-utf-7", "UTF-7"),
    ALIAS("koi8-r", "KOI8-R"),
    ALIAS("koi8-u", "KOI8-U"),
    ALIAS("tis-620", "TIS-620"),
    ALIAS("windows-874", "CP874"),
};

/* The iconv name for a cleaned name n of len bytes: NULL for the UTF-8
 * fast path, "" for unknown, else a name (possibly the cleaned name
 * itself); *alias is set when n is one of aliases. */
static const char *iconv_name(const char *n, size_t len, char *tmp,
                              size_t cap, int *alias) {
    *alias = 1;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].len == len && aliases[i].name[0] == n[0] &&
            memcmp(n, aliases[i].name, len) == 0)
            return aliases[i].iconv;
    *alias = 0;
    /* windows-125x, cp125x, x-cp125x */
    const char *w = NULL;
    if (len >= 8 && memcmp(n, "windows-", 8) == 0)
        w = n + 8;
    else if (len >= 4 && memcmp(n, "x-cp", 4) == 0)
        w = n + 4;
    else if (len >= 2 && memcmp(n, "cp", 2) == 0)
        w = n + 2;
    if (w && n + len - w == 4 && w[0] == '1' && w[1] == '2' && w[2] == '5' &&
        ss_isdigit((unsigned char)w[3])) {
        memcpy(tmp, "WINDOWS-125", 11);
        tmp[11] = w[3];
        tmp[12] = '\0';
        return tmp;
    }
    if (len + 1 > cap)
        return "";
    memcpy(tmp, n, len + 1);
    return tmp;
}

/* A code point from 0x80 to 0xFFFF as UTF-8 at o (two or three bytes):
 * the bytes written. */
static inline size_t put_bmp_utf8(char *o, unsigned c) {
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | (c >> 12));
    o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

/* Windows-1252 (what ISO-8859-1 labels mean in mail, as in browsers),
 * converted here rather than through iconv: a table of 32 code points
 * for 0x80..0x9F (0: unassigned, U+FFFD as iconv's EILSEQ gives), the
 * rest is Latin-1.  glibc loads and unloads its CP1252 module for each
 * iconv_open/iconv_close, which cost more than the conversion. */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static ss_str cp1252_to_utf8(ss_arena *a, ss_str in) {
    if (in.len > (SIZE_MAX - 16) / 3)
        return in;
    char *o = ss_alloc(a, in.len * 3 + 1);
    if (!o)
        return in;
    const unsigned char *s = (const unsigned char *)in.ptr;
    size_t w = 0;
    for (size_t i = 0; i < in.len; i++) {
        /* a run of ASCII is copied as it is */
        size_t k = ascii_len(s + i, in.len - i);
        memcpy(o + w, s + i, k);
        w += k;
        i += k;
        if (i >= in.len)
            break;
        unsigned c = s[i];
        if (c < 0xA0) {
            c = cp1252_c1[c - 0x80];
            if (!c)
                c = 0xFFFD;
        }
        w += put_bmp_utf8(o + w, c);
    }
    o[w] = '\0';
    return ss_str_make(o, w);
}

/* Is in converted to itself by the stateful charset ic, so that iconv
 * need not be opened?  ISO-2022-JP-3 leaves every byte 0x01..0x7F but
 * ESC as it is (it starts in ASCII and only ESC changes that): *same
 * gets the length of the run of such bytes at the start (else it is left
 * as it is); UTF-7 leaves its direct characters (tab, CR, LF, 0x20..0x7E
 * but '+', '\\' and '~') as they are. */
static int identity_text(const char *ic, ss_str in, size_t *same) {
    const unsigned char *s = (const unsigned char *)in.ptr;
    if (strcmp(ic, "ISO-2022-JP-3") == 0) {
        *same = ascii_run(in.ptr, in.len, 0x1B);
        return *same == in.len;
    }
    if (strcmp(ic, "UTF-7") == 0) {
        size_t i = 0;
#if defined(__SSE2__)
        /* 16 at a time: printable (0x20..0x7E, signed: 8-bit bytes are
         * negative) and not one of the three, or a tab, CR or LF */
        const __m128i sp = _mm_set1_epi8(0x1F), del = _mm_set1_epi8(0x7F);
        for (; in.len - i >= 16; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i pr = _mm_and_si128(_mm_cmpgt_epi8(v, sp), _mm_cmplt_epi8(v, del));
            __m128i no = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                _mm_cmpeq_epi8(v, _mm_set1_epi8('~')));
            __m128i ws = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
            if (_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(no, pr), ws)) != 0xFFFF)
                return 0;
        }
#endif
        for (; i < in.len; i++) {
            unsigned c = s[i];
            int direct = (c >= 0x20 && c <= 0x7E && c != '+' && c != '\\' &&
                          c != '~') ||
                         c == '\t' || c == '\n' || c == '\r';
            if (!direct)
                return 0;
        }
        return 1;
    }
    return 0;
}

/* Convert in with cd, appending to out, a buffer of the arena of *cap
 * bytes of which the first *olen are used: each invalid or incomplete
 * sequence becomes rep (replen <= 4 bytes: U+FFFD in the target code).
 * Returns the buffer, a new one (*cap updated, the used bytes copied)
 * when it had to grow; *olen gets the output length (a NUL follows it). */
static char *iconv_run(ss_arena *a, iconv_t cd, ss_str in, int seven_bit,
                       const char *rep, size_t replen, char *out, size_t *cap,
                       size_t *olen) {
    char *ip = (char *)(uintptr_t)in.ptr;
    size_t ileft = in.len;
    char *op = out + *olen;
    size_t oleft = *cap - 1 - *olen;
    /* Each round consumes input or output room, or grows the output:
     * bounded by the input length and log(cap). */
    for (size_t guard = 0; guard < in.len * 2 + 64; guard++) {
        int grow = 0;
        size_t r = iconv(cd, ileft ? &ip : NULL, ileft ? &ileft : NULL, &op,
                         &oleft);
        if (r != (size_t)-1) {
            if (ileft)
                continue;
            /* flush the shift state */
            if (iconv(cd, NULL, NULL, &op, &oleft) != (size_t)-1)
                break;
            if (errno != E2BIG)
                break;
            grow = 1;
        } else if (errno == E2BIG || oleft < 4) {
            grow = 1;
        }
        if (grow) {
            size_t used = (size_t)(op - out);
            if (*cap > (SIZE_MAX - 64) / 2)
                break;
            size_t ncap = *cap * 2;
            char *n = ss_alloc(a, ncap);
            if (!n)
                break;
            memcpy(n, out, used);
            out = n;
            *cap = ncap;
            op = out + used;
            oleft = ncap - 1 - used;
            continue;
        }
        /* EILSEQ (invalid) or EINVAL (incomplete at the end) */
        int incomplete = errno == EINVAL;
        memcpy(op, rep, replen);
        op += replen;
        oleft -= replen;
        if (incomplete || ileft <= 1) {
            ileft = 0;
            if (oleft >= 16)
                iconv(cd, NULL, NULL, &op, &oleft);
            break;
        }
        ip++;
        ileft--;
        /* what the next rounds would do for a run of 8-bit bytes in a
         * 7-bit code, without calling iconv for each: one U+FFFD each
         * (while there is room; else the loop grows the output) */
        while (seven_bit && (unsigned char)*ip >= 0x80 && oleft >= 4) {
            memcpy(op, rep, replen);
            op += replen;
            oleft -= replen;
            if (ileft <= 1) {
                ileft = 0;
                if (oleft >= 16)
                    iconv(cd, NULL, NULL, &op, &oleft);
                break;
            }
            ip++;
            ileft--;
        }
        if (!ileft)
            break;
    }
    *op = '\0';
    *olen = (size_t)(op - out);
    return out;
}

/* The output buffer for converting in (4 bytes an input byte, and some),
 * NULL when there is no memory. */
static char *iconv_buffer(ss_arena *a, ss_str in, size_t *cap) {
    if (in.len > (SIZE_MAX - 64) / 4)
        return NULL;
    *cap = in.len * 4 + 64;
    return ss_alloc(a, *cap);
}

#if defined(__GLIBC__)
/* UCS-4 code points wp[0..we) (host order) as UTF-8 at o, which may be wp
 * itself or before it (the bytes are written behind the ones read: no
 * code point takes more than its 4 bytes in UTF-8).  The end of the
 * output, or NULL for a code point UTF-8 does not take. */
static char *ucs4_to_utf8(char *o, const char *wp, const char *we) {
    for (; wp < we; wp += 4) {
        uint32_t c;
        memcpy(&c, wp, 4);
        if (c < 0x80) {
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | (c >> 6));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return NULL;
            *o++ = (char)(0xE0 | (c >> 12));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            if (c > 0x10FFFF)
                return NULL;
            *o++ = (char)(0xF0 | (c >> 18));
            *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    return o;
}

/* The first ESC in s[i..n) that does not select ASCII ("ESC ( B"), or n:
 * where glibc's ISO-2022-JP-3 decoder may leave its ASCII state (or
 * find an unknown or incomplete escape sequence). */
static size_t jp_leave_ascii(const unsigned char *s, size_t i, size_t n) {
    for (;;) {
        const unsigned char *e = memchr(s + i, 0x1B, n - i);
        if (!e)
            return n;
        i = (size_t)(e - s);
        if (n - i < 3 || s[i + 1] != '(' || s[i + 2] != 'B')
            return i;
        i += 3;
    }
}

/* The end of the first "ESC ( B" in s[i..n), or n. */
static size_t jp_back_to_ascii(const unsigned char *s, size_t i, size_t n) {
    for (;;) {
        const unsigned char *e = memchr(s + i, 0x1B, n - i);
        if (!e)
            return n;
        i = (size_t)(e - s);
        if (n - i >= 3 && s[i + 1] == '(' && s[i + 2] == 'B')
            return i + 3;
        i++;
    }
}

/* A run in JIS X 0208 at s[q..n): "ESC $ B", pairs of bytes the table
 * maps, then "ESC ( B", decoded into UTF-8 at o (3 bytes at most for each
 * pair: no more than 4 bytes for each byte read).  The end of the run
 * (after its "ESC ( B"), with *olen the number of bytes written; 0 when
 * the run is not so (another escape sequence, a byte outside a pair, an
 * unmapped pair, no "ESC ( B"): iconv then decodes it.  glibc's decoder
 * gives the same characters for such a run: in that character set it
 * reads each pair alone, with no state but the set selected. */
static size_t jis0208_run(const unsigned char *s, size_t q, size_t n,
                          char *o, size_t *olen) {
    if (n - q < 3 || s[q + 1] != '$' || s[q + 2] != 'B')
        return 0;
    size_t i = q + 3, w = 0;
    while (n - i >= 2) {
        unsigned r = s[i] - 0x21u, c = s[i + 1] - 0x21u;
        if (r >= JIS0208_ROWS || c >= 94)
            break;
        unsigned cp = JIS0208_TO_UCS[r * 94 + c];
        if (!cp)
            return 0;
        w += put_bmp_utf8(o + w, cp); /* all are >= 0x80 */
        i += 2;
    }
    if (n - i < 3 || s[i] != 0x1B || s[i + 1] != '(' || s[i + 2] != 'B')
        return 0;
    *olen = w;
    return i + 3;
}

/* ISO-2022-JP text (ic: "ISO-2022-JP-3") decoded as glibc's iconv does,
 * into UTF-8: 0 when it cannot (no memory, no converter, or a code point
 * UTF-8 does not take): the caller then converts as usual.
 *
 * Most of such mail is ASCII between the runs in JIS X 0208.  Those runs
 * are decoded by jis0208_run; only the other runs that leave the ASCII
 * state go through iconv (its one-step conversion to its internal UCS-4,
 * "WCHAR_T", UTF-8 encoded here; opened when the first such run comes);
 * the rest is done here as glibc's decoder does in that state: a byte
 * 0x00..0x7F but ESC stands for itself, one >= 0x80 is invalid (U+FFFD,
 * as iconv_run gives), "ESC ( B" selects ASCII again.  That is the same
 * as converting the whole text in one go: the decoder keeps no state but
 * the character set selected, sees every ESC (a two-byte character never
 * holds one, an invalid byte is skipped alone), and each run given to
 * iconv starts in the ASCII state and ends with the "ESC ( B" that
 * brings it back there (or at the end of the text), so that every
 * escape sequence and character in it sees the bytes it would see in the
 * whole text.  The first plain bytes of in are known to be 0x01..0x7F but
 * ESC (identity_text found them): they are copied as they are. */
static int iso2022jp_to_utf8(ss_arena *a, ss_str in, const char *ic,
                             size_t plain, ss_str *res) {
    const unsigned char *s = (const unsigned char *)in.ptr;
    size_t n = in.len;
    size_t q = jp_leave_ascii(s, plain, n);
    iconv_t cd = (iconv_t)-1;
    static const uint32_t fffd = 0xFFFD;
    char rep[4];
    memcpy(rep, &fffd, 4);
    size_t cap = 0;
    char *buf = iconv_buffer(a, in, &cap);
    size_t k = 0, p = 0; /* k bytes of UTF-8 out for the first p in */
    int ok = buf != NULL;
    if (ok) {
        memcpy(buf, s, plain);
        k = p = plain;
    }
    /* k <= 4 * p all along: a run's UCS-4 can go to buf + 4 * p */
    while (ok) {
        /* s[p..q) in the ASCII state */
        while (p < q) {
            size_t r = ascii_run((const char *)s + p, q - p, 0x1B);
            memcpy(buf + k, s + p, r);
            k += r;
            p += r;
            if (p >= q)
                break;
            if (s[p] == 0x1B) { /* "ESC ( B" */
                p += 3;
            } else if (s[p] == 0) {
                buf[k++] = 0;
                p++;
            } else {
                do {
                    memcpy(buf + k, "\xEF\xBF\xBD", 3);
                    k += 3;
                    p++;
                } while (p < q && s[p] >= 0x80);
            }
        }
        if (q >= n)
            break;
        size_t w, e = jis0208_run(s, q, n, buf + k, &w), next;
        if (e) {
            k += w;
            p = e;
            q = jp_leave_ascii(s, e, n);
            continue;
        }
        if (cd == (iconv_t)-1) {
            cd = iconv_open("WCHAR_T", ic);
            if (cd == (iconv_t)-1)
                return 0;
        }
        /* s[q..e) through iconv, with the runs that follow it after a few
         * bytes (a line break): one call for them costs less */
        e = jp_back_to_ascii(s, q + 1, n);
        while ((next = jp_leave_ascii(s, e, n)) < n && next - e < 32)
            e = jp_back_to_ascii(s, next + 1, n);
        size_t wl = 4 * q, w0 = 4 * q;
        buf = iconv_run(a, cd, ss_str_make(in.ptr + q, e - q), 1, rep, 4, buf,
                        &cap, &wl);
        char *o = NULL;
        if ((wl - w0) % 4 == 0)
            o = ucs4_to_utf8(buf + k, buf + w0, buf + wl);
        k = o ? (size_t)(o - buf) : 0;
        ok = o && k <= 4 * e;
        p = e;
        q = next;
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    if (!ok)
        return 0;
    buf[k] = '\0';
    *res = ss_str_make(buf, k);
    return 1;
}
#endif

/* in as valid UTF-8: in itself when it is, else a copy with U+FFFD
 * replacements (in when there is no memory for it). */
static ss_str utf8_checked(ss_arena *a, ss_str in) {
    size_t bad = utf8_valid_prefix(in.ptr, in.len);
    if (bad == in.len)
        return in;
    ss_str r = utf8_repair(a, in, bad);
    return r.ptr ? r : in;
}

/* Is the charset name cs, as written, "utf-8" or "us-ascii" in any case?
 * (what most mail says: clean_name and iconv_name take these to the
 * UTF-8 check too) */
static int utf8_name(ss_str cs) {
    const char *lit;
    if (cs.len == 5)
        lit = "utf-8";
    else if (cs.len == 8)
        lit = "us-ascii";
    else
        return 0;
    for (size_t i = 0; i < cs.len; i++)
        if (ss_lower((unsigned char)cs.ptr[i]) != lit[i])
            return 0;
    return 1;
}

/* Name prefixes of charsets that are not ASCII-compatible: stateful,
 * wide and EBCDIC charsets (their plain ASCII text still goes through
 * iconv). */
#define PREFIX(n) SS_STR_INIT(n)

static const ss_str not_ascii[] = {
    PREFIX("utf-7"),  PREFIX("utf7"),   PREFIX("iso-2022"), PREFIX("csiso2022"),
    PREFIX("utf-16"), PREFIX("utf-32"), PREFIX("utf16"),    PREFIX("utf32"),
    PREFIX("ucs-"),   PREFIX("ucs2"),   PREFIX("ucs4"),     PREFIX("hz"),
    PREFIX("unicode"), PREFIX("ibm"),   PREFIX("ebcdic"),   PREFIX("cp0"),
    PREFIX("cp500"),  PREFIX("cp875"),  PREFIX("cp1026"),   PREFIX("cp1140"),
    PREFIX("cp1141"), PREFIX("cp1142"), PREFIX("cp1143"),   PREFIX("cp1144"),
    PREFIX("cp1145"), PREFIX("cp1146"), PREFIX("cp1147"),   PREFIX("cp1148"),
    PREFIX("cp1149"), PREFIX("x-unicode"), PREFIX("x-imap")};

/* ss_to_utf8 for a charset name other than none, "utf-8" and "us-ascii"
 * (as written): kept out of line, so that those common cases do not pay
 * for its buffers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static ss_str convert_named(ss_arena *a, ss_str in, ss_str charset,
                            int *unknown) {
    char name[64], tmp[64];
    size_t nlen = 0, plain = 0;
    const char *ic;
    int alias = 0;
    if (!clean_name(charset, name, sizeof name, &nlen))
        ic = "";
    else
        ic = iconv_name(name, nlen, tmp, sizeof tmp, &alias);
    if (!ic)
        return utf8_checked(a, in);
    if (!ic[0]) {
        if (unknown)
            *unknown = 1;
        return in;
    }
    /* Plain ASCII in an ASCII-compatible charset needs no conversion;
     * stateful, wide and EBCDIC charsets always go through iconv.  (The
     * aliases that not_ascii takes have an iconv name tested here: the
     * list is for the other names.) */
    int stateful = strncmp(ic, "UTF-7", 5) == 0 || strncmp(ic, "ISO-2022", 8) == 0;
    for (size_t i = 0; !stateful && !alias && i < sizeof not_ascii / sizeof not_ascii[0]; i++)
        if (nlen >= not_ascii[i].len && name[0] == not_ascii[i].ptr[0] &&
            memcmp(name, not_ascii[i].ptr, not_ascii[i].len) == 0)
            stateful = 1;
    if (!stateful) {
        if (ascii_run(in.ptr, in.len, 0) == in.len)
            return in;
    } else if (identity_text(ic, in, &plain)) {
        return in;
    }
    if (strcmp(ic, "WINDOWS-1252") == 0)
        return cp1252_to_utf8(a, in);
    /* ISO-2022-JP is a 7-bit code: a byte >= 0x80 is invalid in every
     * state, so iconv would stop at it at once without output */
    int seven_bit = strncmp(ic, "ISO-2022-JP", 11) == 0;
#if defined(__GLIBC__)
    if (seven_bit) {
        ss_str r;
        if (iso2022jp_to_utf8(a, in, ic, plain, &r))
            return r;
    }
#endif
    iconv_t cd = iconv_open("UTF-8", ic);
    if (cd == (iconv_t)-1) {
        if (unknown)
            *unknown = 1;
        return in;
    }
    size_t olen = 0, cap = 0;
    char *out = iconv_buffer(a, in, &cap);
    if (out)
        out = iconv_run(a, cd, in, seven_bit, "\xEF\xBF\xBD", 3, out, &cap,
                        &olen);
    iconv_close(cd);
    if (!out)
        return in;
    /* iconv's UCS-4 decoder passes code points over U+10FFFF through as
     * invalid UTF-8 (found by fuzz_charset): check the output too */
    ss_str res = ss_str_make(out, olen);
    size_t bad = utf8_valid_prefix(res.ptr, res.len);
    if (bad != res.len) {
        ss_str fixed = utf8_repair(a, res, bad);
        return fixed.ptr ? fixed : SS_NULLSTR;
    }
    return res;
}

ss_str ss_to_utf8(ss_arena *a, ss_str in, ss_str charset, int *unknown) {
    if (unknown)
        *unknown = 0;
    if (!in.ptr || in.len == 0)
        return in;
    if (charset.len == 0 || utf8_name(charset))
        return utf8_checked(a, in);
    return convert_named(a, in, charset, unknown);
}
