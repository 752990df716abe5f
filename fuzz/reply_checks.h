/*
 * reply_checks.h - the properties the reply, status and diagnostic parsers
 * must keep on any input, shared by the fuzz targets (fuzz_reply.c,
 * fuzz_status.c, fuzz_diag.c) and by tests/unit/test_reply.c, which
 * replays tests/regress/<target>/ and random inputs through them.
 *
 * Each function returns NULL when every property holds, else a static
 * description of the first one broken.  Reads past the input are caught
 * by AddressSanitizer when the caller hands an exact-size heap copy.
 * Does not: allocate, print, or abort (the fuzz targets trap on a
 * non-NULL result).
 */
#ifndef SS_REPLY_CHECKS_H
#define SS_REPLY_CHECKS_H

#include <stddef.h>
#include <string.h>

#include "smtpstatus.h"

static inline int ssc_inside(const char *base, size_t len, smtpstatus_slice s) {
    if (s.len == 0)
        return s.ptr == NULL || (s.ptr >= base && s.ptr <= base + len);
    return s.ptr >= base && s.ptr <= base + len &&
           s.len <= (size_t)(base + len - s.ptr);
}

static inline const char *ssc_check_reply(const char *data, size_t size) {
    static const unsigned opts[4] = {0, SMTPSTATUS_P_STRICT,
                                     SMTPSTATUS_P_EOF_ENDS,
                                     SMTPSTATUS_P_STRICT |
                                         SMTPSTATUS_P_EOF_ENDS};
    size_t o;
    for (o = 0; o < 4; o++) {
        size_t off = 0, iter;
        for (iter = 0; iter <= size; iter++) {
            smtpstatus_reply r, r2;
            smtpstatus_rc rc;
            size_t pos = 0, lines = 0;
            smtpstatus_slice t;
            const char *base = data + off;
            size_t rest = size - off;
            rc = smtpstatus_reply_parse(base, rest, opts[o], &r);
            if (rc != SMTPSTATUS_OK) {
                if (rc != SMTPSTATUS_ESYNTAX && rc != SMTPSTATUS_EINCOMPLETE)
                    return "reply_parse: unexpected return code";
                if (rc == SMTPSTATUS_EINCOMPLETE &&
                    (opts[o] & SMTPSTATUS_P_EOF_ENDS))
                    return "reply_parse: EINCOMPLETE with EOF_ENDS";
                if (!r.error)
                    return "reply_parse: error without a description";
                if (r.error_offset > rest)
                    return "reply_parse: error offset past the input";
                break;
            }
            if (r.consumed == 0 || r.consumed > rest)
                return "reply_parse: consumed out of range";
            if (r.code < 200 || r.code > 559 || (r.code / 10) % 10 > 5)
                return "reply_parse: code out of the grammar";
            if (r.status.klass != 0 && r.status.klass != 2 &&
                r.status.klass != 4 && r.status.klass != 5)
                return "reply_parse: bad status class";
            if (!ssc_inside(base, r.consumed, r.text))
                return "reply_parse: text outside the reply";
            if (r.nlines == 0 || r.nlines > r.consumed)
                return "reply_parse: line count out of range";
            if (!(opts[o] & SMTPSTATUS_P_EOF_ENDS)) {
                /* a complete reply reads the same when EOF ends lines */
                if (smtpstatus_reply_parse(base, rest,
                                           opts[o] | SMTPSTATUS_P_EOF_ENDS,
                                           &r2) != SMTPSTATUS_OK ||
                    r2.consumed != r.consumed || r2.code != r.code ||
                    r2.nlines != r.nlines || r2.warnings != r.warnings)
                    return "reply_parse: EOF_ENDS changes a complete reply";
            }
            if (opts[o] & SMTPSTATUS_P_STRICT) {
                if (r.warnings & (SMTPSTATUS_W_BARE_LF |
                                  SMTPSTATUS_W_NO_SPACE_AFTER_STATUS))
                    return "reply_parse: lenient warning in strict mode";
            }
            while (smtpstatus_reply_line(base, &r, &pos, &t) ==
                   SMTPSTATUS_OK) {
                if (!ssc_inside(base, r.consumed, t))
                    return "reply_line: text outside the reply";
                if (lines == 0 && (t.ptr != r.text.ptr || t.len != r.text.len))
                    return "reply_line: first line differs from text";
                if (++lines > r.nlines)
                    return "reply_line: more lines than nlines";
            }
            if (lines != r.nlines)
                return "reply_line: fewer lines than nlines";
            off += r.consumed;
            if (off >= size)
                break;
        }
    }
    return NULL;
}

static inline const char *ssc_check_status(const char *data, size_t size) {
    smtpstatus_status st, st2, mk;
    size_t n = 0, n2 = 0;
    char buf[40];
    if (smtpstatus_status_parse(data, size, &st, &n) == SMTPSTATUS_OK) {
        if (st.klass != 2 && st.klass != 4 && st.klass != 5)
            return "status_parse: bad class";
        if (st.subject < 0 || st.subject > 999 || st.detail < 0 ||
            st.detail > 999)
            return "status_parse: field out of range";
        if (n < 5 || n > size || n > 9)
            return "status_parse: consumed out of range";
        smtpstatus_status_format(&st, buf, sizeof(buf));
        /* no leading zeros: the formatted code is the input, byte for byte */
        if (strlen(buf) != n || memcmp(buf, data, n) != 0)
            return "status_format: not the parsed bytes";
        if (smtpstatus_status_parse(buf, strlen(buf), &st2, &n2) !=
                SMTPSTATUS_OK ||
            st2.klass != st.klass || st2.subject != st.subject ||
            st2.detail != st.detail || n2 != n)
            return "status: parse(format(x)) != x";
    } else if (st.klass != 0) {
        return "status_parse: failed but left a status";
    }
    /* format(x) parses back to x for any valid x taken from the bytes */
    if (size >= 5) {
        static const int classes[3] = {2, 4, 5};
        mk.klass = classes[(unsigned char)data[0] % 3];
        mk.subject = ((unsigned char)data[1] << 8 | (unsigned char)data[2]) % 1000;
        mk.detail = ((unsigned char)data[3] << 8 | (unsigned char)data[4]) % 1000;
        smtpstatus_status_format(&mk, buf, 12);
        if (smtpstatus_status_parse(buf, strlen(buf), &st2, &n2) !=
                SMTPSTATUS_OK ||
            st2.klass != mk.klass || st2.subject != mk.subject ||
            st2.detail != mk.detail || n2 != strlen(buf))
            return "status: parse(format(x)) != x (made)";
    }
    return NULL;
}

static inline const char *ssc_check_diag(const char *data, size_t size) {
    smtpstatus_diag d;
    smtpstatus_rc rc = smtpstatus_diag_parse(data, size, &d);
    size_t pos = 0, prev = 0, pieces = 0;
    smtpstatus_slice p;
    if (rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ENOTFOUND)
        return "diag_parse: unexpected return code";
    if (!ssc_inside(data, size, d.text) || !ssc_inside(data, size, d.type))
        return "diag_parse: slice outside the input";
    if (d.reply_code != 0 &&
        (d.reply_code < 200 || d.reply_code > 559 ||
         (d.reply_code / 10) % 10 > 5))
        return "diag_parse: code out of the grammar";
    if (d.status.klass != 0 && d.status.klass != 2 && d.status.klass != 4 &&
        d.status.klass != 5)
        return "diag_parse: bad status class";
    if (rc == SMTPSTATUS_OK && d.reply_code == 0 && d.status.klass == 0)
        return "diag_parse: OK without a code";
    if (rc == SMTPSTATUS_ENOTFOUND && (d.reply_code || d.status.klass))
        return "diag_parse: ENOTFOUND with a code";
    while (smtpstatus_diag_text_next(&d, &pos, &p) == SMTPSTATUS_OK) {
        if (!ssc_inside(d.text.ptr, d.text.len, p) || p.len == 0)
            return "diag_text_next: piece outside the text or empty";
        if (pos <= prev && pieces > 0)
            return "diag_text_next: position does not advance";
        prev = pos;
        if (++pieces > d.text.len)
            return "diag_text_next: too many pieces";
    }
    return NULL;
}

#endif
