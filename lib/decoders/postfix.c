/*
 * postfix.c - bounces written by Postfix's bounce(8) daemon ("Undelivered
 * Mail Returned to Sender", "Delayed Mail (still being retried)") and the
 * smtpd "Postfix SMTP server: errors from ..." transcript notices.
 *
 * With a delivery-status part, the DSN gives the recipients and this
 * decoder adds what the human-readable blocks know: the SMTP command from
 * "(in reply to RCPT TO command)", the remote host from "host X[ip] said:"
 * and the remote server's full words when the DSN's are cut or missing.
 * Without one, each "<addr>: ..." block of the notice is a recipient.
 * The transcript notice gives the RCPT TO addresses and the first error
 * reply.  Does not classify; the analyzer does.
 */
#include "../decoder.h"
#include "provutil.h"

/* ---------- small scanning helpers ---------- */

static ss_str strip_angles(ss_str s) {
    s = ss_trim(s);
    if (s.len >= 2 && s.ptr[0] == '<' && s.ptr[s.len - 1] == '>') {
        s.ptr++;
        s.len -= 2;
    }
    return s;
}

static int same_addr(ss_str a, ss_str b) {
    if (a.len && a.len == b.len && ss_memeq_ci(a.ptr, b.ptr, a.len)) {
        /* the same text (ASCII case aside) gives the same address at the
         * same place: equal unless there is none, that is unless neither
         * ss_find_address() nor strip_angles() finds one (the cheaper
         * test first: when it finds one, the result is 1 either way) */
        return strip_angles(a).len != 0 || ss_find_address(a).len != 0;
    }
    ss_str x = ss_find_address(a), y = ss_find_address(b);
    if (!x.len)
        x = strip_angles(a);
    if (!y.len)
        y = strip_angles(b);
    if (!x.len || x.len != y.len)
        return 0;
    for (size_t i = 0; i < x.len; i++)
        if (ss_lower((unsigned char)x.ptr[i]) !=
            ss_lower((unsigned char)y.ptr[i]))
            return 0;
    return 1;
}

/* Whether pat[0..plen) matches s at offset i, case-insensitive, each
 * space of pat matching one or more white-space characters (folded
 * text); *end gets the offset just past the match. */
static inline int match_ws(ss_str s, size_t i, const char *pat, size_t plen,
                           size_t *end) {
    size_t j = i, k = 0;
    while (k < plen && j < s.len) {
        if (pat[k] == ' ') {
            if (!ss_isspace((unsigned char)s.ptr[j]))
                break;
            while (j < s.len && ss_isspace((unsigned char)s.ptr[j]))
                j++;
            k++;
        } else if (ss_lower((unsigned char)s.ptr[j]) ==
                   ss_lower((unsigned char)pat[k])) {
            j++;
            k++;
        } else
            break;
    }
    if (k < plen)
        return 0;
    if (end)
        *end = j;
    return 1;
}

/* Find pat in s as match_ws() matches it. Returns the offset of the first
 * match or -1; *end gets the offset just past the match. */
static long find_ws(ss_str s, const char *pat, size_t *end) {
    size_t plen = strlen(pat);
    /* a match starts with pat's first byte (unless that is a space): the
     * candidates are found with memchr, for each case of that letter */
    int c0 = (plen && pat[0] != ' ') ? ss_lower((unsigned char)pat[0]) : -1;
    int c1 = c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0;
    const char *q0 = NULL, *q1 = NULL; /* next candidates, cached */
    for (size_t i = 0; i < s.len; i++) {
        if (c0 >= 0) {
            if (q0 != s.ptr + s.len && (!q0 || q0 < s.ptr + i)) {
                q0 = memchr(s.ptr + i, c0, s.len - i);
                if (!q0)
                    q0 = s.ptr + s.len;
            }
            if (q1 != s.ptr + s.len && (!q1 || q1 < s.ptr + i)) {
                q1 = c1 == c0 ? q0 : memchr(s.ptr + i, c1, s.len - i);
                if (!q1)
                    q1 = s.ptr + s.len;
            }
            i = (size_t)((q0 < q1 ? q0 : q1) - s.ptr);
            if (i >= s.len)
                break;
        }
        if (match_ws(s, i, pat, plen, end))
            return (long)i;
    }
    return -1;
}

/* find_ws(s, pat, end) for pat "in reply to " (lead 2) or "(in reply "
 * (lead 3), from the candidates of the rarer "reply": a match is pat's
 * first lead bytes, white space, then "reply" and the rest, so each
 * "reply" has at most one match around it (starting lead bytes before
 * the white space in front of it), and the first "reply" that has one
 * gives the first match. */
static long find_reply_phrase(ss_str s, const char *pat, size_t lead,
                              size_t *end) {
    size_t plen = strlen(pat), from = 0;
    while (from < s.len) {
        long r = pv_find_ci_by(ss_str_make(s.ptr + from, s.len - from),
                               "reply", 'y');
        if (r < 0)
            return -1;
        size_t at = from + (size_t)r, q = at;
        while (q > 0 && ss_isspace((unsigned char)s.ptr[q - 1]))
            q--;
        if (q < at && q >= lead && match_ws(s, q - lead, pat, plen, end))
            return (long)(q - lead);
        from = at + 1;
    }
    return -1;
}

/* find_ws(s, "host ", end): "host" (ASCII case ignored), then white
 * space; each "host" found inline (pv_find_ci_by), without a memchr per
 * 'h' and 'H'. */
static long find_host_word(ss_str s, size_t *end) {
    size_t from = 0;
    while (from < s.len) {
        long r = pv_find_ci_by(ss_str_make(s.ptr + from, s.len - from),
                               "host", 'h');
        if (r < 0)
            return -1;
        size_t at = from + (size_t)r, j = at + 4;
        if (j < s.len && ss_isspace((unsigned char)s.ptr[j])) {
            while (j < s.len && ss_isspace((unsigned char)s.ptr[j]))
                j++;
            *end = j;
            return (long)at;
        }
        from = at + 1;
    }
    return -1;
}

/* find_ws(s, "refused to talk to me", NULL) >= 0.  Only the spaces of the
 * pattern match runs of white space: a match holds "talk" as written
 * (ASCII case aside), so a text without it has none, and that search,
 * from the rare 'k', is cheaper (most texts say no such thing). */
static int refused_to_talk(ss_str s) {
    return pv_find_ci_by(s, "talk", 'k') >= 0 &&
           find_ws(s, "refused to talk to me", NULL) >= 0;
}

/* The command word of "(in reply to RCPT TO command)", "(in reply to end
 * of DATA command)" from e, the offset just past "in reply to " in s;
 * NULL slice if none. */
static ss_str command_after(ss_str s, size_t e) {
    ss_str r = ss_str_make(s.ptr + e, s.len - e);
    size_t e2 = 0;
    if (match_ws(r, 0, "end of ", 7, &e2))
        r = ss_str_make(r.ptr + e2, r.len - e2);
    return pv_command_letters(r);
}

/* "(in reply to RCPT TO command)", "(in reply to end of DATA command)":
 * the command word; NULL slice if none. */
static ss_str reply_command(ss_str s) {
    size_t e = 0;
    if (find_reply_phrase(s, "in reply to ", 2, &e) < 0)
        return SS_NULLSTR;
    return command_after(s, e);
}

/* In one pass over the "reply"s of s: reply_command(s) to *command, and
 * when from <= s.len, find_reply_phrase(s[from..], "(in reply ", 3, NULL)
 * (as an offset in s, or -1) to *tail.  A "reply" at or after from has a
 * "(in reply " match in s[from..] iff it has one in s that starts at or
 * after from (the white space before it is skipped back the same way in
 * both unless that reaches from, and then the match would start before
 * it); the pass ends once both are found. */
static void reply_phrases(ss_str s, size_t from, ss_str *command, long *tail) {
    static const char cmd_pat[] = "in reply to ", tail_pat[] = "(in reply ";
    int want_cmd = 1, want_tail = from <= s.len;
    size_t at0 = 0;
    *command = SS_NULLSTR;
    *tail = -1;
    while (at0 < s.len && (want_cmd || want_tail)) {
        long r = pv_find_ci_by(ss_str_make(s.ptr + at0, s.len - at0),
                               "reply", 'y');
        if (r < 0)
            break;
        size_t at = at0 + (size_t)r, q = at, e = 0;
        while (q > 0 && ss_isspace((unsigned char)s.ptr[q - 1]))
            q--;
        if (q < at) {
            if (want_cmd && q >= 2 &&
                match_ws(s, q - 2, cmd_pat, sizeof cmd_pat - 1, &e)) {
                /* the first match: its command word or none */
                *command = command_after(s, e);
                want_cmd = 0;
            }
            if (want_tail && at >= from && q >= from + 3 &&
                match_ws(s, q - 3, tail_pat, sizeof tail_pat - 1, &e)) {
                *tail = (long)(q - 3);
                want_tail = 0;
            }
        }
        at0 = at + 1;
    }
}

/* One "<addr>: text" block of the notice. */
typedef struct pf_block {
    ss_str rcpt, alias, text; /* text: everything after "<addr>:" */
} pf_block;

#define PF_MAX_BLOCKS 256

/* A block's text after the address: "(expanded from <x>)" to alias, then
 * the text after the colon.  0 when it is not a block. */
static int finish_block(pf_block *b) {
    ss_str r = ss_trim(b->text);
    size_t e = 0;
    if (match_ws(r, 0, "(expanded from <", 16, &e)) {
        const char *a0 = r.ptr + e;
        const char *a1 = memchr(a0, '>', r.len - e);
        if (!a1)
            return 0;
        b->alias = ss_str_make(a0, (size_t)(a1 - a0));
        r = ss_str_make(a1 + 1, r.len - (size_t)(a1 + 1 - r.ptr));
        if (!r.len || r.ptr[0] != ')')
            return 0;
        r.ptr++;
        r.len--;
    }
    if (!r.len || r.ptr[0] != ':')
        return 0;
    b->text = ss_str_make(r.ptr + 1, r.len - 1);
    return 1;
}

/* Whether line holds a byte that is not white space (ss_trim(line).len
 * != 0, without trimming). */
static int has_text(ss_str line) {
    for (size_t i = 0; i < line.len; i++)
        if (!ss_isspace((unsigned char)line.ptr[i]))
            return 1;
    return 0;
}

/* The offset of the first line at or after from (a line start) that
 * starts with '<' after at most 8 bytes of white space, or text.len: the
 * next line that can start a block, found with memchr of '<'. */
static size_t next_block_line(ss_str text, size_t from) {
    while (from < text.len) {
        const char *lt = memchr(text.ptr + from, '<', text.len - from);
        if (!lt)
            return text.len;
        size_t q = (size_t)(lt - text.ptr), k = 0;
        while (q > 0 && k <= 8 && text.ptr[q - 1] != '\n' &&
               ss_isspace((unsigned char)text.ptr[q - 1])) {
            q--;
            k++;
        }
        if (k <= 8 && (q == 0 || text.ptr[q - 1] == '\n'))
            return q;
        from = (size_t)(lt - text.ptr) + 1;
    }
    return text.len;
}

/* Find the blocks; returns how many. A block starts with a line
 * "<addr>: ..." or "<addr> (expanded from <x>): ..." and continues over
 * lines that start with white space.  When unavailable is not NULL, sets
 * *unavailable if a line outside the blocks says "delivery report
 * unavailable" (asked for only when no block gave a recipient). */
static size_t find_blocks(ss_str text, pf_block *b, size_t max,
                          int *unavailable) {
    size_t pos = 0, n = 0, guard = 0;
    ss_str line;
    pf_block *cur = NULL;
    /* the marker is looked for line by line only when the text has a
     * part of it (found from its rare 'v': fewer candidates) */
    int maybe_unavailable =
        unavailable && pv_find_ci_by(text, "y report unavailable", 'v') >= 0;
    /* Without that marker, a line outside a block does nothing unless it
     * starts one: while no block is open, the lines up to the next that
     * can are skipped.  (The guard counts lines: a text shorter than it
     * has fewer lines, skipped or not.) */
    int skip = !maybe_unavailable && text.len < 200000;
    for (;;) {
        if (skip && !cur)
            pos = next_block_line(text, pos);
        if (!ss_next_line(text, &pos, &line) || guard++ >= 200000)
            break;
        if (cur && line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t') &&
            has_text(line)) {
            cur->text.len = (size_t)(line.ptr + line.len - cur->text.ptr);
            continue;
        }
        if (cur && !finish_block(cur))
            n--;
        cur = NULL;
        if (maybe_unavailable &&
            ss_find_ci(line, "delivery report unavailable") >= 0)
            *unavailable = 1;
        /* a block starts with '<' after at most 8 bytes of white space:
         * the lines that do not are passed without trimming them */
        size_t k = 0;
        while (k < line.len && k <= 8 && ss_isspace((unsigned char)line.ptr[k]))
            k++;
        if (k > 8 || k >= line.len || line.ptr[k] != '<')
            continue;
        ss_str t = ss_trim(line);
        if (t.len < 4)
            continue;
        const char *gt = memchr(t.ptr, '>', t.len);
        if (!gt || !memchr(t.ptr, '@', (size_t)(gt - t.ptr)))
            continue;
        if (n >= max)
            break;
        cur = &b[n++];
        cur->rcpt = ss_str_make(t.ptr + 1, (size_t)(gt - t.ptr - 1));
        cur->alias = SS_NULLSTR;
        cur->text = ss_str_make(gt + 1, (size_t)(t.ptr + t.len - gt - 1));
    }
    if (cur && !finish_block(cur))
        n--;
    return n;
}

/* From a block's text: the remote host ("host X[ip] said:" or
 * "connect to X[ip]:"), the remote words after "said:" without the
 * "(in reply to ...)" tail, and the command. */
static void read_block(const pf_block *b, ss_str *host, ss_str *words,
                       ss_str *command) {
    ss_str t = b->text;
    *host = SS_NULLSTR;
    /* the command, and the "(in reply ..." tail after " said:", from one
     * pass over the text's "reply"s */
    long said = pv_find_ci_by(t, " said:", ':'), tail;
    reply_phrases(t, said >= 0 ? (size_t)said + 6 : t.len + 1, command,
                  &tail);
    *words = ss_trim(t);
    size_t he = 0;
    if (find_host_word(t, &he) >= 0) {
        size_t i = he, s;
        while (i < t.len && ss_isspace((unsigned char)t.ptr[i]))
            i++;
        s = i;
        while (i < t.len && !ss_isspace((unsigned char)t.ptr[i]) &&
               t.ptr[i] != '[' && t.ptr[i] != ':' && t.ptr[i] != ',')
            i++;
        if (i > s && memchr(t.ptr + s, '.', i - s))
            *host = ss_str_make(t.ptr + s, i - s);
    }
    if (said >= 0) {
        ss_str w = ss_str_make(t.ptr + said + 6, t.len - (size_t)said - 6);
        if (tail >= 0)
            w.len = (size_t)tail - ((size_t)said + 6);
        w = ss_trim(w);
        if (w.len)
            *words = w;
    }
    if (!command->len && refused_to_talk(t))
        *command = SS_STR("HELO");
}

/* ---------- the "errors from" transcript ---------- */

static int transcript(const ss_view *v, ss_bounce *out) {
    size_t pos = 0, guard = 0;
    ss_str line, last_cmd = SS_NULLSTR, err = SS_NULLSTR, err_cmd = SS_NULLSTR;
    size_t first = out->nfacts;
    int in_out = 0; /* 1: continuation belongs to an Out: error reply */
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (ss_starts_ci(t, "In:")) {
            in_out = 0;
            ss_str c = ss_trim(ss_str_make(t.ptr + 3, t.len - 3));
            last_cmd = c;
            if (ss_starts_ci(c, "RCPT")) {
                ss_str a = ss_find_address(c);
                if (a.len) {
                    ss_fact *f = pv_add_rcpt(out, a);
                    if (!f)
                        break;
                }
            }
        } else if (ss_starts_ci(t, "Out:")) {
            in_out = 0;
            ss_str r = ss_trim(ss_str_make(t.ptr + 4, t.len - 4));
            if (!err.len && r.len >= 3 && (r.ptr[0] == '4' || r.ptr[0] == '5') &&
                ss_isdigit((unsigned char)r.ptr[1]) &&
                ss_isdigit((unsigned char)r.ptr[2])) {
                err = r;
                in_out = 1;
                size_t n = 0;
                while (n < last_cmd.len && ss_isalpha((unsigned char)last_cmd.ptr[n]))
                    n++;
                err_cmd = ss_str_make(last_cmd.ptr, n);
            }
        } else if (in_out && line.len && ss_isspace((unsigned char)line.ptr[0]) && t.len) {
            err.len = (size_t)(t.ptr + t.len - err.ptr);
        } else {
            in_out = 0;
        }
    }
    if (!err.len)
        return out->nfacts > first;
    if (out->nfacts == first) {
        /* no RCPT TO in the transcript: nobody to report */
        return 0;
    }
    for (size_t i = first; i < out->nfacts; i++) {
        out->facts[i].diagnostic = err;
        out->facts[i].diagnostic_type = SS_STR("SMTP");
        out->facts[i].command = err_cmd;
    }
    return 1;
}

/* ---------- the decoder ---------- */

int ss_decode_postfix(const ss_view *v, ss_bounce *out) {
    ss_str subj = ss_trim(v->subject);
    int session = pv_find_ci_by(subj, "SMTP server: errors from ", ':') > 0;
    if (!session && !ss_eq_ci(subj, "Undelivered Mail Returned to Sender") &&
        !ss_starts_ci(subj, "Delayed Mail (still being retried)"))
        return SS_DEC_NO;
    if (pv_header(v->root, "X-AOL-IP").len)
        return SS_DEC_NO;
    out->decoder = "Postfix";
    if (session) {
        if (ss_find_ci(v->text, "Transcript of session follows") < 0)
            return SS_DEC_NO;
        return transcript(v, out) ? SS_DEC_YES : SS_DEC_NO;
    }

    pf_block blocks[PF_MAX_BLOCKS];
    size_t nb = find_blocks(v->text, blocks, PF_MAX_BLOCKS, NULL);

    size_t first = out->nfacts;
    if (v->dsn)
        ss_dsn_parse(v->dsn_text, out);
    else
        ss_dsn_parse(v->text, out); /* DSN fields written inline */
    size_t ndsn = out->nfacts - first;

    if (ndsn == 0) {
        for (size_t i = 0; i < nb; i++) {
            ss_fact *f = pv_add_rcpt(out, blocks[i].rcpt);
            if (!f)
                break;
            f->alias = blocks[i].alias;
            ss_str host, words, cmd;
            read_block(&blocks[i], &host, &words, &cmd);
            f->remote_mta = host;
            f->diagnostic = words;
            f->command = cmd;
            if (ss_find_ci(blocks[i].text, " said:") >= 0)
                f->diagnostic_type = SS_STR("SMTP");
        }
        int unavailable = 0;
        if (out->nfacts == first) /* the blocks are no longer needed */
            find_blocks(v->text, blocks, PF_MAX_BLOCKS, &unavailable);
        if (out->nfacts == first && unavailable) {
            /* "--- Delivery report unavailable ---": the original's To: */
            ss_str to = SS_NULLSTR;
            if (v->original)
                to = pv_header(v->original, "To");
            if (!to.len && v->original_text.len) {
                long t = ss_find_ci(v->original_text, "\nTo:");
                if (t >= 0) {
                    ss_str r = ss_str_make(v->original_text.ptr + t + 4,
                                           v->original_text.len - (size_t)t - 4);
                    const char *nl = memchr(r.ptr, '\n', r.len);
                    if (nl)
                        r.len = (size_t)(nl - r.ptr);
                    to = r;
                }
            }
            ss_str a = ss_find_address(to);
            if (a.len)
                pv_add_rcpt(out, a);
        }
        return out->nfacts > first ? SS_DEC_YES : SS_DEC_NO;
    }

    /* Add what the text blocks know to the DSN's recipients. */
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        const pf_block *b = NULL;
        for (size_t k = 0; k < nb && !b; k++)
            if (same_addr(blocks[k].rcpt, f->recipient) ||
                (f->alias.len && same_addr(blocks[k].rcpt, f->alias)) ||
                (blocks[k].alias.len && same_addr(blocks[k].alias, f->recipient)))
                b = &blocks[k];
        if (!b && nb == 1 && ndsn == 1)
            b = &blocks[0];
        ss_str dt = ss_trim(f->diagnostic_type);
        if (ss_eq_ci(dt, "X-Postfix"))
            f->diagnostic_type = SS_STR("SMTP");
        if (!b) {
            if (!f->command.len)
                f->command = reply_command(f->diagnostic);
            continue;
        }
        ss_str host, words, cmd;
        read_block(b, &host, &words, &cmd);
        if (!f->command.len)
            f->command = cmd.len ? cmd : reply_command(f->diagnostic);
        if (!f->remote_mta.len)
            f->remote_mta = host;
        ss_str d = ss_trim(f->diagnostic);
        int only_code = d.len > 0;
        for (size_t k = 0; k < d.len && only_code; k++)
            if (!ss_isdigit((unsigned char)d.ptr[k]) && d.ptr[k] != '.' &&
                d.ptr[k] != ' ')
                only_code = 0;
        if (!d.len || only_code || words.len > d.len + 8)
            f->diagnostic = words;
        if (!f->alias.len && b->alias.len)
            f->alias = b->alias;
    }
    for (size_t i = first; i < out->nfacts; i++) {
        /* "Status: 4.5.0" beside "550 5.5.0 ...": the remote server's
         * reply is the better evidence, let the analyzer read it */
        ss_fact *f = &out->facts[i];
        smtpstatus_diag d;
        ss_str st = ss_trim(f->status);
        /* the reply code is read from the text: the digit of its class
         * (4 or 5, not the status's) is a byte of it.  Without one, the
         * status stays (one memchr, cheaper than parsing the text) */
        int other = st.len && st.ptr[0] == '5' ? '4'
                    : st.len && st.ptr[0] == '4' ? '5'
                                                 : 0;
        if (st.len && f->diagnostic.len &&
            (other ? memchr(f->diagnostic.ptr, other, f->diagnostic.len) != NULL
                   : (memchr(f->diagnostic.ptr, '4', f->diagnostic.len) ||
                      memchr(f->diagnostic.ptr, '5', f->diagnostic.len))) &&
            ss_diag_codes(f->diagnostic.ptr, f->diagnostic.len, &d) ==
                SMTPSTATUS_OK &&
            d.reply_code >= 400 && d.reply_code < 600 &&
            d.status.klass && d.status.klass == d.reply_code / 100 &&
            st.ptr[0] - '0' != d.reply_code / 100)
            f->status = SS_NULLSTR;
    }
    for (size_t i = first; i < out->nfacts; i++)
        if (!out->facts[i].command.len &&
            refused_to_talk(out->facts[i].diagnostic))
            out->facts[i].command = SS_STR("HELO");
    return SS_DEC_YES;
}
