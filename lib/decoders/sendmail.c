/*
 * sendmail.c - bounces written by Sendmail 8 (savemail.c): the subject
 * "Returned mail: see transcript for details" (or "Postmaster notify: ...",
 * "Warning: could not send message for past N hours"), a text part with
 * "----- The following addresses had permanent fatal errors -----" and
 * "----- Transcript of session follows -----", usually an RFC 3464 part.
 *
 * With a delivery-status part the per-recipient fields come from it; the
 * transcript adds the SMTP command (">>> DATA"), the remote server's full
 * reply ("<<< 552-5.7.0 ..." lines when the DSN kept only the first one),
 * the host ("... while talking to mx.example.org.:") and, when the DSN has
 * no diagnostic, the error lines of the transcript.  A forwarded bounce
 * ("Fwd: Returned mail: ...", lines quoted with "> ") is read the same way
 * from the text.  Does not handle Sendmail 5 bounces (v5sendmail.c) or
 * reports without the transcript marker (left to the RFC 3464 decoder).
 */
#include "gw_util.h"

#define SM_MAX_REPLIES 32
#define SM_MAX_LINES 100000

static const char MARK_TRANSCRIPT[] = "----- Transcript of session follows -----";

/* Strip one level of "> " quoting. */
static ss_str dequote(ss_str line) {
    if (line.len && line.ptr[0] == '>') {
        line.ptr++;
        line.len--;
        if (line.len && line.ptr[0] == ' ') {
            line.ptr++;
            line.len--;
        }
    }
    return line;
}


static int all_digits(ss_str s) {
    if (!s.len)
        return 0;
    for (size_t i = 0; i < s.len; i++)
        if (!ss_isdigit((unsigned char)s.ptr[i]))
            return 0;
    return 1;
}

/* "550 5.1.2 ..." or "452 4.4.5 ...": a reply code and a status; returns
 * the status slice or a NULL slice. */
static ss_str reply_and_status(ss_str line) {
    if (line.len < 9 || (line.ptr[0] != '4' && line.ptr[0] != '5') ||
        !ss_isdigit((unsigned char)line.ptr[1]) ||
        !ss_isdigit((unsigned char)line.ptr[2]) ||
        (line.ptr[3] != ' ' && line.ptr[3] != '-' && line.ptr[3] != '\t') ||
        line.ptr[4] != line.ptr[0] || line.ptr[5] != '.')
        return SS_NULLSTR;
    size_t i = 6, dots = 0, st = 4;
    while (i < line.len && (ss_isdigit((unsigned char)line.ptr[i]) ||
                            line.ptr[i] == '.')) {
        if (line.ptr[i] == '.')
            dots++;
        i++;
    }
    if (dots != 1 || (i < line.len && line.ptr[i] != ' ' && line.ptr[i] != '\t'))
        return SS_NULLSTR;
    return ss_str_make(line.ptr + st, i - st);
}

/* The host of "... while talking to mx.example.org.:" */
static ss_str talking_host(ss_str line) {
    long at = ss_find_ci(line, "while talking to ");
    if (at < 0)
        return SS_NULLSTR;
    ss_str h = ss_trim(ss_str_make(line.ptr + at + 17, line.len - (size_t)at - 17));
    while (h.len && (h.ptr[h.len - 1] == ':' || h.ptr[h.len - 1] == '.'))
        h.len--;
    for (size_t i = 0; i < h.len; i++)
        if (h.ptr[i] == ' ') {
            h.len = i;
            break;
        }
    return h;
}

/* The first of the first SM_MAX_LINES lines of text that is the
 * transcript marker once trimmed, or once trimmed, unquoted (dequote())
 * and trimmed again (ASCII case ignored): *mark gets the offset after
 * it, *quoted 1 for the second form.  0 when there is none.  Such a line
 * is white space, then an optional '>' and white space, the marker and
 * white space: the marker's occurrences are searched for (from its rare
 * 'w') instead of trimming every line.  Only the first occurrence of a
 * line can be so placed (the marker starts with '-', neither white space
 * nor '>'): when it is not, the search goes on from the next line. */
static int find_marker(ss_str text, size_t *mark, int *quoted) {
    const size_t ml = sizeof MARK_TRANSCRIPT - 1;
    size_t from = 0, counted = 0, lines = 0;
    while (from < text.len) {
        long r = pv_find_ci_by(ss_str_make(text.ptr + from, text.len - from),
                               MARK_TRANSCRIPT, 'w');
        if (r < 0)
            return 0;
        size_t o = from + (size_t)r, ls = o, le = o + ml;
        while (ls > 0 && text.ptr[ls - 1] != '\n')
            ls--;
        while (le < text.len && text.ptr[le] != '\n')
            le++;
        if (text.len >= SM_MAX_LINES) {
            /* (a shorter text has fewer lines) the lines before this
             * one, counted on from the last count: past the limit, a
             * loop over the lines would not have reached it */
            for (; counted < ls; counted++)
                lines += text.ptr[counted] == '\n';
            if (lines >= SM_MAX_LINES)
                return 0;
        }
        size_t b = ls, e = o + ml;
        while (b < o && ss_isspace((unsigned char)text.ptr[b]))
            b++;
        int q = b < o && text.ptr[b] == '>';
        if (q)
            for (b++; b < o && ss_isspace((unsigned char)text.ptr[b]);)
                b++;
        while (e < le && ss_isspace((unsigned char)text.ptr[e]))
            e++;
        if (b == o && e == le) {
            *mark = le < text.len ? le + 1 : text.len;
            *quoted = q;
            return 1;
        }
        from = le;
    }
    return 0;
}

static int has_local_part(ss_str r) {
    r = ss_trim(r);
    long at = ss_find(r, "@", 1);
    return at > 0 && (size_t)at + 1 < r.len;
}

int ss_decode_sendmail(const ss_view *v, ss_bounce *out) {
    /* Subject first: cheap. */
    ss_str s = ss_trim(v->subject);
    for (int k = 0; k < 4; k++) {
        if (pv_starts_lit(s, "fwd:"))
            s = ss_trim(ss_str_make(s.ptr + 4, s.len - 4));
        else if (pv_starts_lit(s, "fw:"))
            s = ss_trim(ss_str_make(s.ptr + 3, s.len - 3));
        else
            break;
    }
    /* the subject starts with "Warning: " or ends with tail */
    static const char tail[] = "see transcript for details";
    int subj = pv_starts_lit(s, "Warning: ") ||
               (s.len >= sizeof tail - 1 &&
                ss_starts_ci(ss_str_make(s.ptr + s.len - (sizeof tail - 1),
                                              sizeof tail - 1),
                                  tail));
    if (!subj)
        return SS_DEC_NO;
    if (pv_header(v->root, "X-AOL-IP").ptr)
        return SS_DEC_NO;

    /* The transcript marker, possibly quoted in a forwarded bounce. */
    ss_str text = v->text;
    size_t pos = 0, mark = 0, n = 0;
    int quoted = 0;
    ss_str line;
    if (!find_marker(text, &mark, &quoted))
        return SS_DEC_NO;

    /* A forwarded, quoted bounce: work on an unquoted copy. */
    ss_str work = text;
    if (quoted) {
        char *c = ss_alloc(out->arena, text.len + 1);
        if (!c)
            return SS_DEC_NO;
        size_t p2 = 0, w = 0, newmark = 0;
        n = 0;
        while (ss_next_line(text, &p2, &line) && n++ < SM_MAX_LINES) {
            ss_str d = dequote(line);
            memcpy(c + w, d.ptr, d.len);
            w += d.len;
            c[w++] = '\n';
            if (p2 == mark)
                newmark = w;
        }
        work = ss_str_make(c, w);
        mark = newmark;
    }

    /* Per-recipient fields. */
    ss_str saved_reporting = out->reporting_mta;
    size_t first = out->nfacts;
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    else
        ss_dsn_parse(ss_str_make(work.ptr + mark, work.len - mark), out);

    /* The transcript. */
    ss_str command = SS_NULLSTR, host = SS_NULLSTR;
    ss_str replies[SM_MAX_REPLIES];
    size_t nreplies = 0;
    ss_str other_rcpt = SS_NULLSTR, other_diag = SS_NULLSTR,
           other_status = SS_NULLSTR;
    int sessionerr = 0;
    pos = mark;
    n = 0;
    ss_str orig = SS_NULLSTR;
    while (ss_next_line(work, &pos, &line) && n++ < SM_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        /* the three markers start alike: one search rules them out (and
         * a line shorter than the shortest cannot hold one); inline, and
         * with no letter in it, the same case-insensitive */
        if (t.len >= 34 && pv_has_lit(t, "----- ") &&
            (ss_find(t, "----- Original message follows -----", 36) >= 0 ||
             ss_find(t, "----- Message header follows -----", 34) >= 0 ||
             ss_find(t, "----- Message body suppressed -----", 35) >= 0)) {
            orig = gw_rest(work, pos);
            break;
        }
        if (pv_starts_lit(t, "Reporting-MTA:") ||
            pv_starts_lit(t, "Final-Recipient:") ||
            pv_starts_lit(t, "Content-Type:"))
            break;
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t')
            continue;
        if (pv_starts_lit(line, ">>> ")) {
            if (!command.len)
                command = gw_command_word(ss_str_make(line.ptr + 4, line.len - 4));
            continue;
        }
        if (pv_starts_lit(line, "<<< ")) {
            ss_str r = ss_trim(ss_str_make(line.ptr + 4, line.len - 4));
            int dup = 0;
            for (size_t i = 0; i < nreplies; i++)
                if (replies[i].len == r.len && !memcmp(replies[i].ptr, r.ptr, r.len))
                    dup = 1;
            if (!dup && r.len && nreplies < SM_MAX_REPLIES)
                replies[nreplies++] = r;
            continue;
        }
        if (pv_starts_lit(line, "... while talking to ")) {
            ss_str h = talking_host(line);
            if (h.len)
                host = h;
            sessionerr = 1;
            continue;
        }
        if (sessionerr)
            continue;
        if (line.ptr[0] == '<') {
            long gt = ss_find(line, ">...", 4);
            long at = ss_find(line, "@", 1);
            if (gt > 0 && at > 0 && at < gt) {
                other_rcpt = ss_str_make(line.ptr + 1, (size_t)gt - 1);
                size_t b = (size_t)gt + 4;
                while (b < line.len && line.ptr[b] == '.')
                    b++;
                other_diag = ss_trim(ss_str_make(line.ptr + b, line.len - b));
                continue;
            }
        }
        ss_str st = reply_and_status(t);
        if (st.len) {
            other_status = st;
            other_diag = gw_join(out->arena, other_diag, t);
        } else if (pv_starts_lit(t, "Message: ") || pv_starts_lit(t, "Warning: ")) {
            other_diag = gw_join(out->arena, other_diag, t);
        }
    }

    /* No DSN fields: the "following addresses had ... errors" list. */
    if (out->nfacts == first) {
        size_t p3 = 0;
        int in_list = 0;
        ss_fact *cur = NULL;
        n = 0;
        while (ss_next_line(work, &p3, &line) && n++ < SM_MAX_LINES &&
               p3 <= mark) {
            ss_str t = ss_trim(line);
            if (ss_find(t, "----- The following addresses had", 33) >= 0) {
                in_list = 1;
                cur = NULL;
                continue;
            }
            if (!in_list)
                continue;
            if (!t.len || t.ptr[0] == '-') {
                in_list = t.len ? 0 : in_list;
                cur = NULL;
                continue;
            }
            if (pv_starts_lit(t, "(reason:")) {
                if (cur && t.len > 9)
                    cur->diagnostic = ss_trim(ss_str_make(t.ptr + 8, t.len - 9));
                continue;
            }
            if (pv_starts_lit(t, "(expanded from:")) {
                /* the address the sender used */
                if (cur && t.len > 16)
                    cur->alias = ss_find_address(ss_str_make(t.ptr + 15, t.len - 16));
                continue;
            }
            if (t.ptr[0] == '(')
                continue;
            ss_str a = ss_find_address(t);
            if (!a.len)
                continue;
            if (!(cur = pv_add_rcpt(out, a)))
                break;
        }
    }
    if (out->nfacts == first && other_rcpt.len)
        pv_add_rcpt(out, other_rcpt);
    if (out->nfacts == first) {
        out->reporting_mta = saved_reporting;
        return SS_DEC_NO;
    }

    size_t nrcpt = out->nfacts - first;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        ss_str d = ss_trim(f->diagnostic);
        if (other_diag.len &&
            (!d.len || all_digits(d) || f->diagnostic.ptr[0] == ' '))
            d = other_diag;
        if (nreplies) {
            /* The remote server's reply as the transcript has it: the
             * lines that continue the reply the DSN quotes (multi-line
             * replies), or the replies when the DSN has no text and there
             * is one recipient. */
            if (!d.len || all_digits(d)) {
                if (nrcpt != 1)
                    goto replies_done;
                ss_str r = SS_NULLSTR;
                for (size_t k = 0; k < nreplies; k++)
                    r = gw_join(out->arena, r, replies[k]);
                d = r;
            } else {
                for (size_t k = 0; k < nreplies; k++) {
                    if (replies[k].len < d.len ||
                        memcmp(replies[k].ptr, d.ptr, d.len) != 0)
                        continue;
                    /* replies[k] holds d; join the lines of the same
                     * multi-line reply ("552-..." up to "552 ...") */
                    ss_str r = replies[k];
                    if (r.len > 3 && r.ptr[3] == '-') {
                        for (size_t m = k + 1; m < nreplies; m++) {
                            if (replies[m].len < 4 ||
                                memcmp(replies[m].ptr, r.ptr, 3) != 0)
                                break;
                            ss_str cont = ss_str_make(replies[m].ptr + 4,
                                                      replies[m].len - 4);
                            /* drop a repeated status code */
                            ss_str st = reply_and_status(replies[m]);
                            if (st.len && st.len + 5 <= replies[m].len)
                                cont = ss_str_make(st.ptr + st.len,
                                                   replies[m].len - (size_t)(st.ptr + st.len - replies[m].ptr));
                            r = gw_join(out->arena, r, cont);
                            if (replies[m].ptr[3] == ' ')
                                break;
                        }
                    }
                    d = r;
                    break;
                }
            }
        }
    replies_done:
        f->diagnostic = d;
        if (!f->command.len && command.len)
            f->command = command;
        if (other_status.len) {
            ss_str fs = ss_trim(f->status);
            if (!fs.len || fs.len < 5 || fs.ptr[1] != '.')
                f->status = other_status;
        }
        if (!has_local_part(f->recipient)) {
            ss_str a = ss_find_address(d);
            if (a.len)
                f->recipient = a;
            else if (other_rcpt.len)
                f->recipient = other_rcpt;
        }
        if (!f->remote_mta.len && host.len)
            f->remote_mta = host;
    }

    if (!v->original && !out->original.len) {
        if (orig.len) {
            out->original = orig;
        } else if (!v->dsn) {
            /* forwarded text: the original headers follow the DSN fields */
            size_t p4 = mark;
            int seen_fields = 0;
            n = 0;
            while (ss_next_line(work, &p4, &line) && n++ < SM_MAX_LINES) {
                if (pv_starts_lit(line, "Final-Recipient:"))
                    seen_fields = 1;
                if (seen_fields && (pv_starts_lit(line, "Return-Path:") ||
                                    pv_starts_lit(line, "Received:"))) {
                    size_t off = (size_t)(line.ptr - work.ptr);
                    out->original = ss_str_make(line.ptr, work.len - off);
                    break;
                }
            }
        }
    }
    return SS_DEC_YES;
}
