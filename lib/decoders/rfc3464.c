/*
 * rfc3464.c - RFC 3464 delivery status notifications (message/
 * delivery-status) and RFC 6533 message/global-delivery-status.
 *
 * Reads the machine-readable part with ss_dsn_parse().  Two repairs for
 * reports real MTAs damage:
 *  - when the MIME structure is broken (boundaries indented or stripped)
 *    the delivery-status fields end up in the text: they are read there;
 *  - when a recipient has no Diagnostic-Code, the human-readable text
 *    usually says what happened: the session transcript ("----- Transcript
 *    of session follows -----"), or else the lines naming the recipient,
 *    become the diagnostic.
 * Format-specific decoders that know more run before this one.
 */
#include "../decoder.h"
#include "provutil.h"

/* Offset of a line that starts with the field name, or -1. */
static long field_line(ss_str t, const char *name) {
    size_t n = strlen(name);
    size_t pos = 0;
    ss_str line;
    while (ss_next_line(t, &pos, &line)) {
        if (line.len >= n && ss_starts_ci(line, name))
            return (long)(line.ptr - t.ptr);
    }
    return -1;
}

/* Lines of the session transcript, up to the next empty line or marker. */
static ss_str transcript(ss_str t) {
    long at = pv_find_ci_by(t, "Transcript of session follows", 'w'); /* rare */
    if (at < 0)
        return SS_NULLSTR;
    size_t pos = (size_t)at;
    ss_str line;
    ss_next_line(t, &pos, &line); /* the marker line */
    size_t start = pos, end = pos;
    int n = 0;
    while (ss_next_line(t, &pos, &line) && n < 20) {
        ss_str tl = ss_trim(line);
        if (!tl.len) {
            if (end > start)
                break;
            start = pos;
            continue;
        }
        if (tl.len > 5 && tl.ptr[0] == '-' && tl.ptr[1] == '-')
            break;
        end = pos;
        n++;
    }
    if (end <= start)
        return SS_NULLSTR;
    return ss_str_make(t.ptr + start, end - start);
}

/* The first text line that names addr, with the line after it when that
 * one continues the sentence (indented). */
static ss_str line_naming(ss_str t, ss_str addr) {
    if (!addr.len || addr.len > 256)
        return SS_NULLSTR;
    char buf[260];
    memcpy(buf, addr.ptr, addr.len);
    buf[addr.len] = '\0';
    long at = ss_find_ci(t, buf);
    if (at < 0)
        return SS_NULLSTR;
    size_t s = (size_t)at;
    while (s > 0 && t.ptr[s - 1] != '\n')
        s--;
    /* a delivery-status field line is not prose */
    ss_str first = ss_str_make(t.ptr + s, (size_t)at - s);
    if (pv_starts_lit(first, "Final-Recipient:") ||
        pv_starts_lit(first, "Original-Recipient:") ||
        pv_starts_lit(first, "X-Actual-Recipient:") ||
        pv_starts_lit(first, "Diagnostic-Code:"))
        return SS_NULLSTR;
    size_t pos = s;
    ss_str line;
    ss_next_line(t, &pos, &line);
    size_t end = pos;
    ss_str next;
    size_t p2 = pos;
    if (ss_next_line(t, &p2, &next) && next.len &&
        (next.ptr[0] == ' ' || next.ptr[0] == '\t') && ss_trim(next).len)
        end = p2;
    return ss_trim(ss_str_make(t.ptr + s, end - s));
}

int ss_decode_rfc3464(const ss_view *v, ss_bounce *out) {
    ss_str dsn = v->dsn ? v->dsn_text : SS_NULLSTR;
    if (!v->dsn) {
        /* broken MIME: the fields may sit in the text */
        long fr = field_line(v->text, "Final-Recipient:");
        if (fr < 0)
            return SS_DEC_NO;
        if (field_line(v->text, "Action:") < 0 &&
            field_line(v->text, "Status:") < 0)
            return SS_DEC_NO;
        long rm = field_line(v->text, "Reporting-MTA:");
        size_t start = (size_t)(rm >= 0 && rm < fr ? rm : fr);
        dsn = ss_str_make(v->text.ptr + start, v->text.len - start);
    }
    out->decoder = "RFC3464";
    size_t first = out->nfacts;
    ss_dsn_parse(dsn, out);
    ss_str tr = transcript(v->text);
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        if (ss_trim(f->diagnostic).len)
            continue;
        ss_str d = tr;
        if (!d.len) {
            /* "Status: 4.0.0 (cat.example.net: host name lookup failure)" */
            const char *open = memchr(f->status.ptr ? f->status.ptr : "", '(',
                                      f->status.len);
            const char *close =
                open ? memchr(open, ')', f->status.len -
                                             (size_t)(open - f->status.ptr))
                     : NULL;
            if (open && close && close > open + 1)
                d = ss_trim(ss_str_make(open + 1, (size_t)(close - open - 1)));
        }
        if (!d.len)
            d = line_naming(v->text, ss_find_address(f->recipient));
        if (d.len)
            f->diagnostic = d;
    }
    /* A report part with no recipient is still a DSN: say so with no
     * records rather than letting a weaker decoder guess. */
    return SS_DEC_YES;
}
