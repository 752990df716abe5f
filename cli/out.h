/*
 * out.h - output helpers for the smtpstatus command-line tool: a growable
 * byte buffer, JSON string escaping (always valid JSON: control characters
 * as \u00XX, invalid UTF-8 replaced by U+FFFD), RFC 4180 CSV fields, and
 * fixed-width table cells.  It does not know about records or commands.
 */
#ifndef SMTPSTATUS_CLI_OUT_H
#define SMTPSTATUS_CLI_OUT_H

#include <stddef.h>
#include <stdio.h>

typedef struct obuf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; contents are incomplete */
} obuf;

void ob_init(obuf *b);
void ob_free(obuf *b);
void ob_reset(obuf *b);
void ob_put(obuf *b, const char *s, size_t n);
void ob_puts(obuf *b, const char *s);
void ob_putc(obuf *b, char c);
void ob_printf(obuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Room for n more bytes: a pointer to the free space at the end of the
 * buffer, or NULL when the buffer has failed (or cannot grow).  Write at
 * most n bytes there, then set b->len to the end of what was written. */
char *ob_reserve(obuf *b, size_t n);
/* A string literal as the two arguments (pointer, length) of ob_put and the
 * ob_json_key_* functions: ob_put(b, OB_LIT("null")). */
#define OB_LIT(lit) (lit), (sizeof(lit) - 1)
/* Write the buffer to f and reset it; returns 0, or -1 on a write error
 * or when the buffer had failed. */
int ob_flush(obuf *b, FILE *f);

/* JSON: a quoted string (s may hold any bytes). */
void ob_json_str(obuf *b, const char *s, size_t n);
/* The most bytes out_json_str writes for n input bytes. */
#define JSON_STR_MAX(n) (6 * (n) + 2)
/* Longer strings are escaped by ob_json_str in chunks of this many input
 * bytes, each reserving JSON_STR_MAX of the chunk, rather than reserving
 * six times their whole length at once. */
#define JSON_CHUNK 4096
/* Write s[0..n) as a quoted JSON string at o, which has room for
 * JSON_STR_MAX(n) bytes, and return the end of what was written. */
char *out_json_str(char *o, const char *s, size_t n);
/* A prepared member key for out_json_members: the comma before it, the
 * quoted name, the colon and an empty string value (",\"name\":\"\""),
 * padded with NULs to OUT_KEY bytes so that it is copied with one
 * fixed-size memcpy; klen is its length up to and with the colon. */
#define OUT_KEY 24
typedef struct out_key {
    char text[OUT_KEY];
    size_t klen;
} out_key;
/* The out_key of name, a string literal of at most 17 characters (a longer
 * one does not fit: the compiler warns). */
#define OUT_KEY_OF(name) { ",\"" name "\":\"\"", sizeof(name) + 3 }
/* Members of a JSON object whose values are strings, written at o, the end
 * of what is written so far in b's free space (b->len not yet moved past
 * it): for each i < count, keys[i] and v[i] as a quoted string ("" when
 * v[i] is NULL).  Returns the end of what was written, in b's free space
 * again, or NULL when the buffer has failed. */
char *out_json_members(obuf *b, char *o, const out_key *keys,
                       const char *const *v, size_t count);
/* key[0..klen) as it is (a prepared key such as ",\"name\":"), then s[0..n)
 * as a quoted string. */
void ob_json_key_str(obuf *b, const char *key, size_t klen, const char *s,
                     size_t n);
/* Like ob_json_key_str with a NUL-terminated s; null when s is NULL. */
void ob_json_key_cstr(obuf *b, const char *key, size_t klen, const char *s);
/* A quoted string, or null when s is NULL. */
void ob_json_cstr(obuf *b, const char *s);
/* A quoted string, or null when s is NULL or "". */
void ob_json_cstr_or_null(obuf *b, const char *s);
void ob_json_bool(obuf *b, int v);
/* "key": (with a leading comma unless first) */
void ob_json_key(obuf *b, const char *key, int *first);

/* The most bytes out_lld writes. */
#define OUT_LLD_MAX 20
/* Write v in decimal ("%lld") at o, which has room for OUT_LLD_MAX bytes,
 * and return the end of what was written. */
char *out_lld(char *o, long long v);
/* v in decimal ("%lld"). */
void ob_lld(obuf *b, long long v);

/* CSV: one field, quoted when it holds a comma, quote, CR or LF (RFC 4180).
 * Bytes are written as they are except that invalid UTF-8 becomes U+FFFD. */
void ob_csv_field(obuf *b, const char *s, size_t n);
void ob_csv_cstr(obuf *b, const char *s);
/* The most bytes out_csv_field writes for n input bytes. */
#define CSV_FIELD_MAX(n) (3 * (n) + 2)
/* Write s[0..n) as one CSV field (as ob_csv_field) at o, which has room for
 * CSV_FIELD_MAX(n) bytes, and return the end of what was written. */
char *out_csv_field(char *o, const char *s, size_t n);

/* Table: s (control characters shown as spaces) cut to width display
 * characters ("..." marks a cut), padded with spaces to width when pad. */
void ob_cell(obuf *b, const char *s, size_t width, int pad);

/* Like ob_cell, but a long string keeps its end ("...x/y.eml:3"). */
void ob_cell_tail(obuf *b, const char *s, size_t width);

/* Decode one UTF-8 sequence at s[0..n): returns its length (1..4) and the
 * code point in *cp, or 0 when the bytes are not valid UTF-8 (then one
 * byte should be skipped). */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp);

#endif
