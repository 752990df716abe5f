/*
 * out.c - output helpers for the command-line tool: growable buffer, JSON
 * and CSV escaping, table cells.  Every string written as JSON comes out
 * valid whatever the input bytes are.  No knowledge of records here.
 */
#include "out.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ob_init(obuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void ob_free(obuf *b)
{
    free(b->data);
    ob_init(b);
}

void ob_reset(obuf *b)
{
    b->len = 0;
    b->failed = 0;
}

static int ob_grow(obuf *b, size_t need)
{
    size_t cap;
    char *p;
    if (b->failed)
        return -1;
    if (need <= b->cap - b->len)
        return 0;
    if (need > ((size_t)-1) / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    cap = b->cap ? b->cap : 256;
    while (cap - b->len < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void ob_put(obuf *b, const char *s, size_t n)
{
    if (n == 0 || ob_grow(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

void ob_puts(obuf *b, const char *s)
{
    if (s)
        ob_put(b, s, strlen(s));
}

void ob_putc(obuf *b, char c)
{
    if (ob_grow(b, 1) != 0)
        return;
    b->data[b->len++] = c;
}

void ob_printf(obuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        ob_put(b, small, (size_t)n);
        return;
    }
    if (ob_grow(b, (size_t)n + 1) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int ob_flush(obuf *b, FILE *f)
{
    int rc = 0;
    if (b->failed)
        rc = -1;
    else if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        rc = -1;
    ob_reset(b);
    return rc;
}

size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned long c;
    size_t need, i;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 2;
        c = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 3;
        c = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 4;
        c = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if ((need == 3 && c < 0x800) || (need == 4 && c < 0x10000) ||
        c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return need;
}

static const char hexd[] = "0123456789abcdef";
static const char repl[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Byte classes for JSON strings: 0 copy as is, 1 backslash + byte,
 * 2 \u00XX escape, 3 start of a multi-byte sequence (checked). */
static const unsigned char json_cls[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

/* Input bytes handled per buffer reservation: one input byte gives at most
 * 6 output bytes, so each chunk reserves 6 * JSON_CHUNK plus slack for a
 * multi-byte sequence that runs past the chunk end and the quotes. */
#define JSON_CHUNK 4096

#define ONES8 UINT64_C(0x0101010101010101)
#define HI8 UINT64_C(0x8080808080808080)

/* Nonzero iff some byte of w is zero. */
static uint64_t has_zero(uint64_t w)
{
    return (w - ONES8) & ~w & HI8;
}

void ob_json_str(obuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    char *o;
    if (ob_grow(b, 1) != 0)
        return;
    b->data[b->len++] = '"';
    while (i < n) {
        size_t stop = n - i > JSON_CHUNK ? i + JSON_CHUNK : n;
        if (ob_grow(b, 6 * (stop - i) + 16) != 0)
            return;
        o = b->data + b->len;
        while (i < stop) {
            unsigned char c = p[i];
            switch (json_cls[c]) {
            case 0: {
                size_t run = i + 1;
                /* eight bytes at a time while none is special: no byte
                 * >= 0x80, < 0x20, '"', '\\' or 0x7F */
                while (run + 8 <= stop) {
                    uint64_t w;
                    memcpy(&w, p + run, 8);
                    if ((w & HI8) || has_zero(w ^ (ONES8 * 0x22)) ||
                        has_zero(w ^ (ONES8 * 0x5C)) ||
                        has_zero(w ^ (ONES8 * 0x7F)) ||
                        ((w - ONES8 * 0x20) & ~w & HI8))
                        break;
                    run += 8;
                }
                while (run < stop && json_cls[p[run]] == 0)
                    run++;
                memcpy(o, s + i, run - i);
                o += run - i;
                i = run;
                break;
            }
            case 1:
                *o++ = '\\';
                *o++ = (char)c;
                i++;
                break;
            case 2:
                *o++ = '\\';
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hexd[c >> 4];
                *o++ = hexd[c & 15];
                i++;
                break;
            default: {
                unsigned long cp;
                size_t k = utf8_decode(p + i, n - i, &cp);
                if (k == 0) {
                    memcpy(o, repl, 3);
                    o += 3;
                    i++;
                } else {
                    memcpy(o, s + i, k);
                    o += k;
                    i += k;
                }
                break;
            }
            }
        }
        b->len = (size_t)(o - b->data);
    }
    if (ob_grow(b, 1) != 0)
        return;
    b->data[b->len++] = '"';
}

void ob_json_cstr(obuf *b, const char *s)
{
    if (!s)
        ob_puts(b, "null");
    else
        ob_json_str(b, s, strlen(s));
}

void ob_json_cstr_or_null(obuf *b, const char *s)
{
    if (!s || !*s)
        ob_puts(b, "null");
    else
        ob_json_str(b, s, strlen(s));
}

void ob_json_bool(obuf *b, int v)
{
    ob_puts(b, v ? "true" : "false");
}

void ob_json_key(obuf *b, const char *key, int *first)
{
    size_t n = strlen(key), i;
    if (!*first)
        ob_putc(b, ',');
    *first = 0;
    /* a key that needs no escaping (they all are field names) is copied
     * as it is */
    for (i = 0; i < n && json_cls[(unsigned char)key[i]] == 0; i++)
        ;
    if (i == n && ob_grow(b, n + 3) == 0) {
        char *o = b->data + b->len;
        o[0] = '"';
        memcpy(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        b->len += n + 3;
        return;
    }
    ob_json_str(b, key, n);
    ob_putc(b, ':');
}

/* Copy bytes, replacing invalid UTF-8 with U+FFFD. */
static void put_valid_utf8(obuf *b, const char *s, size_t n, int dq)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            if (dq && p[i] == '"')
                ob_putc(b, '"');
            ob_putc(b, (char)p[i]);
            i++;
        } else {
            unsigned long cp;
            size_t k = utf8_decode(p + i, n - i, &cp);
            if (k == 0) {
                ob_put(b, repl, 3);
                i++;
            } else {
                ob_put(b, s + i, k);
                i += k;
            }
        }
    }
}

void ob_csv_field(obuf *b, const char *s, size_t n)
{
    size_t i;
    int quote = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') {
            quote = 1;
            break;
        }
    }
    if (quote)
        ob_putc(b, '"');
    put_valid_utf8(b, s, n, quote);
    if (quote)
        ob_putc(b, '"');
}

void ob_csv_cstr(obuf *b, const char *s)
{
    if (s)
        ob_csv_field(b, s, strlen(s));
}

void ob_cell(obuf *b, const char *s, size_t width, int pad)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0, chars = 0, total = 0;
    /* count display characters (one per code point, invalid byte = 1) */
    while (i < n) {
        unsigned long cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        i += k ? k : 1;
        total++;
    }
    i = 0;
    while (i < n && chars < width) {
        unsigned long cp;
        size_t k;
        if (total > width && width >= 3 && chars == width - 3) {
            ob_puts(b, "...");
            chars += 3;
            break;
        }
        k = utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            ob_put(b, repl, 3);
            i++;
        } else if (cp < 0x20 || cp == 0x7F) {
            ob_putc(b, ' ');
            i++;
        } else {
            ob_put(b, (const char *)p + i, k);
            i += k;
        }
        chars++;
    }
    if (pad)
        while (chars++ < width)
            ob_putc(b, ' ');
}

void ob_cell_tail(obuf *b, const char *s, size_t width)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0, total = 0, skip;
    while (i < n) {
        unsigned long cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        i += k ? k : 1;
        total++;
    }
    if (total <= width || width < 4) {
        ob_cell(b, s, width, 1);
        return;
    }
    /* drop the first total - (width - 3) characters */
    skip = total - (width - 3);
    i = 0;
    while (i < n && skip > 0) {
        unsigned long cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        i += k ? k : 1;
        skip--;
    }
    ob_puts(b, "...");
    ob_cell(b, (const char *)p + i, width - 3, 1);
}
