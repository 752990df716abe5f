/*
 * v5sendmail.c - bounces written by Sendmail 5 (and its relatives of the
 * 1990s): a plain-text message, subject "Returned mail: <reason>", the
 * transcript after "----- Transcript of session follows -----" and the
 * returned message after "----- Unsent message follows -----" (or "-----
 * No message was collected -----").  No delivery-status part.
 *
 * The transcript names each failed recipient in lines such as
 *   550 <user@example.org>... User unknown
 *   >>> RCPT To:<user@example.org>
 * and the host in "While talking to mx.example.org:"; the lines between
 * belong to the recipient named last.  When no line names a recipient, the
 * To: of the returned message is used.  Bounces with a DSN part are left
 * to the Sendmail 8 and RFC 3464 decoders.
 */
#include "gw_util.h"

#define V5_MAX_RCPT 256
#define V5_MAX_LINES 100000

typedef struct v5_rcpt {
    ss_str recipient, diag, host, command;
} v5_rcpt;

/* The address of "550 <user@host>... text" (" <", "@", ">..." in that
 * order) or of ">>> RCPT To:<user@host>"; NULL slice if none. */
static ss_str line_address(ss_str line) {
    long lt = ss_find(line, " <", 2);
    if (lt >= 0) {
        ss_str rest = ss_str_make(line.ptr + lt + 2, line.len - (size_t)lt - 2);
        long gt = ss_find(rest, ">...", 4);
        long at = ss_find(rest, "@", 1);
        if (gt > 0 && at > 0 && at < gt)
            return ss_str_make(rest.ptr, (size_t)gt);
    }
    if (pv_starts_lit(line, ">>> RCPT TO:")) {
        ss_str a = ss_find_address(ss_str_make(line.ptr + 12, line.len - 12));
        if (a.len)
            return a;
    }
    return SS_NULLSTR;
}

/* The reply code of a transcript that quotes several: the one about the
 * mailbox (55x) before a generic failure (554) or a syntax complaint
 * (50x), permanent before temporary.  Codes are taken at the start of the
 * text or after a space, not inside numbers. */
static ss_str pick_reply(ss_str d) {
    static const char *const order[] = {
        "550", "552", "553", "551", "521", "525", "523", "524", "530",
        "533", "534", "535", "538", "555", "556", "554", "500", "501",
        "502", "503", "504", "421", "450", "451", "452", "422", "430",
        "432", "453", "454", "455", "458", "459", NULL};
    /* one pass over the places a code can be at: the code first in
     * order, at the first place it is */
    size_t best = 0, at = 0;
    int found = 0;
    for (size_t i = 0; i + 3 <= d.len; i++) {
        int before = i == 0 || d.ptr[i - 1] == ' ';
        int after = i + 3 == d.len || d.ptr[i + 3] == ' ' ||
                    d.ptr[i + 3] == '-';
        if (!before || !after || !ss_isdigit((unsigned char)d.ptr[i]))
            continue;
        for (size_t k = 0; order[k] && (!found || k < best); k++) {
            if (memcmp(d.ptr + i, order[k], 3) == 0) {
                best = k;
                at = i;
                found = 1;
                break;
            }
        }
    }
    return found ? ss_str_make(d.ptr + at, 3) : SS_NULLSTR;
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str text = v->text;
    /* the transcript and the returned message markers */
    size_t pos = 0, start = 0, end = 0, nlines = 0;
    ss_str line;
    int have_start = 0, have_end = 0;
    while (ss_next_line(text, &pos, &line) && nlines++ < V5_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!have_start) {
            if (pv_eq_str(t, "----- Transcript of session follows -----")) {
                have_start = 1;
                start = pos;
            }
            continue;
        }
        if (pv_eq_str(t, "----- Unsent message follows -----") ||
            pv_eq_str(t, "----- No message was collected -----")) {
            have_end = 1;
            end = (size_t)(line.ptr - text.ptr);
            break;
        }
    }
    if (!have_start || !have_end)
        return SS_DEC_NO;
    ss_str orig = gw_rest(text, pos);

    v5_rcpt r[V5_MAX_RCPT];
    size_t nr = 0;
    ss_str host = SS_NULLSTR, cmd = SS_NULLSTR, pending = SS_NULLSTR;
    v5_rcpt *cur = NULL; /* the recipient of the current session */
    ss_str transcript = ss_str_make(text.ptr + start, end - start);
    pos = 0;
    nlines = 0;
    while (ss_next_line(transcript, &pos, &line) && nlines++ < V5_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len)
            continue;
        long wt = ss_find_ci(t, "While talking to ");
        if (wt >= 0) {
            ss_str h = ss_trim(ss_str_make(t.ptr + wt + 17, t.len - (size_t)wt - 17));
            while (h.len && (h.ptr[h.len - 1] == ':' || h.ptr[h.len - 1] == '.'))
                h.len--;
            host = h;
            /* what the last session said about no recipient in
             * particular goes to its recipient when it has no text */
            if (cur && !cur->diag.len)
                cur->diag = pending;
            pending = SS_NULLSTR;
            cur = NULL;
            cmd = SS_NULLSTR;
            continue;
        }
        int is_cmd = pv_starts_lit(t, ">>> ");
        int is_reply = pv_starts_lit(t, "<<< ");
        ss_str body = t;
        if (is_cmd || is_reply)
            body = ss_trim(ss_str_make(t.ptr + 4, t.len - 4));
        if (is_cmd)
            cmd = gw_command_word(body);
        ss_str a = line_address(t);
        /* a reply to MAIL names the sender, not a recipient */
        if (a.len && is_reply && pv_eq_str(cmd, "MAIL"))
            a = SS_NULLSTR;
        if (!a.len) {
            if (is_cmd)
                continue;
            if (cur && is_reply)
                cur->diag = gw_join(out->arena, cur->diag, body);
            else
                pending = gw_join(out->arena, pending, body);
            continue;
        }
        if (cur && gw_eq_ci(a, cur->recipient)) { /* (a is not empty) */
            if (!is_cmd)
                cur->diag = gw_join(out->arena, cur->diag, body);
            continue;
        }
        if (nr >= V5_MAX_RCPT)
            break;
        cur = &r[nr++];
        memset(cur, 0, sizeof *cur);
        cur->recipient = a;
        cur->host = host;
        cur->command = pv_eq_str(cmd, "QUIT") ? SS_NULLSTR : cmd;
        cur->diag = pending;
        pending = SS_NULLSTR;
        if (!is_cmd)
            cur->diag = gw_join(out->arena, cur->diag, body);
    }
    if (cur && !cur->diag.len)
        cur->diag = pending;

    if (nr == 0) {
        /* no line names a recipient: the To: of the returned message */
        ss_str a = SS_NULLSTR;
        size_t p2 = 0, k = 0;
        while (ss_next_line(orig, &p2, &line) && k++ < 200) {
            if (!ss_trim(line).len)
                break;
            if (pv_starts_lit(line, "To:")) {
                a = ss_find_address(ss_str_make(line.ptr + 3, line.len - 3));
                break;
            }
        }
        if (!a.len)
            return SS_DEC_NO;
        memset(&r[0], 0, sizeof r[0]);
        r[0].recipient = a;
        r[0].diag = pending;
        r[0].host = host;
        nr = 1;
    }
    for (size_t i = 0; i < nr; i++) {
        ss_fact *f = pv_add_rcpt(out, r[i].recipient);
        if (!f)
            break;
        f->diagnostic = r[i].diag;
        f->reply_code = pick_reply(r[i].diag);
        f->remote_mta = r[i].host;
        f->command = r[i].command;
    }
    if (!v->original && orig.len)
        out->original = orig;
    return SS_DEC_YES;
}

int ss_decode_v5sendmail(const ss_view *v, ss_bounce *out) {
    if (v->dsn || !pv_starts_lit(ss_trim(v->subject), "Returned mail: "))
        return SS_DEC_NO;
    return decode(v, out);
}
