/*
 * qmail.c - bounces written by qmail-send and the qmail family (netqmail,
 * notqmail, qmail-ldap, vpopmail/vdelivermail): Subject "failure notice"
 * or a "(qmail N invoked for bounce)" Received line, and a text that opens
 * "Hi. This is the qmail-send program at host." with one block per
 * recipient:
 *
 *   <user@example.org>:
 *   192.0.2.1 does not like recipient.
 *   Remote host said: 550 5.1.1 User unknown
 *   Giving up on 192.0.2.1.
 *
 * Takes the recipient, the block as the diagnostic, the status from
 * "(#5.1.1)", the remote host, and the command from qmail-remote's fixed
 * sentences.  When the remote server's words are absent, qmail's own
 * fixed messages state the reason (see own_reason()).  The inline
 * original after "--- Below this line is a copy of the message." is
 * handed to the analyzer.  The block parser, ss_qmail_blocks(), is also
 * used by x4.c for qmail clones with other opening sentences.
 */
#include "../decoder.h"
#include "provutil.h"

static int qmail_received(const ss_part *root) {
    for (size_t i = pv_hdr_first(root, "Received"); i < root->nheaders && i < 64;
         i = pv_hdr_next(root, "Received", i)) {
        const ss_header *h = &root->headers[i];
        if (pv_has_lit(h->value, "(qmail ") &&
            (ss_find_ci(h->value, "invoked for bounce)") >= 0 ||
             ss_find_ci(h->value, "invoked from network)") >= 0))
            return 1;
    }
    return 0;
}

/* "(#5.1.1)" in s: the status inside the first "(#" that holds one, or
 * a NULL slice. */
static ss_str hash_status(ss_str s) {
    long at = ss_find(s, "(#", 2);
    while (at >= 0) {
        ss_str st = pv_hash_status_at(s, (size_t)at);
        if (st.len)
            return st;
        ss_str rest = ss_str_make(s.ptr + at + 2, s.len - (size_t)at - 2);
        long nx = ss_find(rest, "(#", 2);
        if (nx < 0)
            break;
        at = at + 2 + nx;
    }
    return SS_NULLSTR;
}

/* Words qmail and its patches write themselves; the reason they state. */
static int own_reason(ss_str d) {
    static const struct {
        const char *text;
        int reason;
    } own[] = {
        {"no mailbox here by that name", SMTPSTATUS_R_USERUNKNOWN},
        {"disk quota exceeded", SMTPSTATUS_R_MAILBOXFULL},
        {"Message size exceeds fixed maximum message size:", SMTPSTATUS_R_MESGTOOBIG},
        {"Sorry, I couldn't find any host ", SMTPSTATUS_R_HOSTUNKNOWN},
        {"mailbox unavailable (not enough free space)", SMTPSTATUS_R_SYSTEMFULL},
        {"Sorry, I wasn't able to establish an SMTP connection", SMTPSTATUS_R_NETWORKERROR},
        {"Sorry, I couldn't find a mail exchanger or IP address", SMTPSTATUS_R_NOTACCEPT},
        {"Although I'm listed as a best-preference MX or A for that host", SMTPSTATUS_R_NETWORKERROR},
        {"Mailaddress is administratively disabled", SMTPSTATUS_R_SUSPEND},
        {"Mailaddress is administrativley disabled", SMTPSTATUS_R_SUSPEND},
        {"The message exeeded the maximum size the user accepts", SMTPSTATUS_R_EXCEEDLIMIT},
        {"bad interpreter: No such file or directory", SMTPSTATUS_R_SYSTEMERROR},
        {"Automatic homedir creator crashed", SMTPSTATUS_R_SYSTEMERROR},
        {"Illegal value in LDAP attribute", SMTPSTATUS_R_SYSTEMERROR},
        {"LDAP attribute is not given but mandatory", SMTPSTATUS_R_SYSTEMERROR},
        {"Timeout while performing search on LDAP server", SMTPSTATUS_R_SYSTEMERROR},
        {"Too many results returned but needs to be unique", SMTPSTATUS_R_SYSTEMERROR},
        {"error while executing qmail-forward", SMTPSTATUS_R_SYSTEMERROR},
        {"Temporary error in automatic homedir creation", SMTPSTATUS_R_SYSTEMERROR},
        {"Temporary failure in LDAP lookup", SMTPSTATUS_R_SYSTEMERROR},
        {"Unable to contact LDAP server", SMTPSTATUS_R_SYSTEMERROR},
        {"Unable to login into LDAP server", SMTPSTATUS_R_SYSTEMERROR},
        {"this message has been in the queue too long", SMTPSTATUS_R_EXPIRED},
        {NULL, 0}};
    for (int i = 0; own[i].text; i++)
        if (ss_find_ci(d, own[i].text) >= 0)
            return own[i].reason;
    return -1;
}

/* The command qmail-remote's sentences name.  (pv_find_ci_by: each
 * search looks for a rare letter of the sentence first, not its first
 * byte, mostly a space.) */
static ss_str own_command(ss_str d) {
    if (pv_find_ci_by(d, " but greeting failed", 'g') >= 0)
        return SS_STR("CONN");
    if (pv_find_ci_by(d, " but my name was rejected", 'j') >= 0)
        return SS_STR("EHLO");
    if (pv_find_ci_by(d, " but sender was rejected", 'j') >= 0)
        return SS_STR("MAIL");
    if (pv_find_ci_by(d, " does not like recipient", 'k') >= 0)
        return SS_STR("RCPT");
    if (pv_find_ci_by(d, " failed on DATA command", 'f') >= 0 ||
        pv_find_ci_by(d, " failed after I sent the message", 'f') >= 0)
        return SS_STR("DATA");
    long p = pv_find_ci_by(d, "most progress was ", 'g');
    if (p >= 0) {
        ss_str r = ss_str_make(d.ptr + p + 18, d.len - (size_t)p - 18);
        if (pv_starts_lit(r, "RCPT"))
            return SS_STR("RCPT");
        if (pv_starts_lit(r, "MAIL"))
            return SS_STR("MAIL");
        if (pv_starts_lit(r, "DATA"))
            return SS_STR("DATA");
        if (pv_starts_lit(r, "HELO") || pv_starts_lit(r, "EHLO"))
            return SS_STR("EHLO");
        if (pv_starts_lit(r, "connect") || pv_starts_lit(r, "greeting"))
            return SS_STR("CONN");
    }
    return SS_NULLSTR;
}

/* The host after one of qmail's lead-ins. */
static ss_str remote_host(ss_str d) {
    /* each with a rare byte to search for first */
    static const struct {
        const char *text;
        char anchor;
    } leads[] = {{"Giving up on ", 'v'}, {"Connected to ", 'd'},
                 {"remote host ", 'h'}, {NULL, 0}};
    for (int k = 0; leads[k].text; k++) {
        const char *lead = leads[k].text;
        size_t n = strlen(lead);
        long p = pv_find_ci_at(d, lead, n,
                               (size_t)(strchr(lead, leads[k].anchor) - lead));
        if (p < 0)
            continue;
        size_t st = (size_t)p + n, e = st;
        while (e < d.len && !ss_isspace((unsigned char)d.ptr[e]))
            e++;
        while (e > st && (d.ptr[e - 1] == '.' || d.ptr[e - 1] == ':'))
            e--;
        if (e > st)
            return ss_str_make(d.ptr + st, e - st);
    }
    return SS_NULLSTR;
}

/* The qmail-style body: after a line that contains one of openers,
 * "<addr>:" lines start recipient blocks.  Shared with the decoders of
 * qmail clones (x4.c), which differ only in their opening sentences.
 * Returns SS_DEC_YES with facts added, else SS_DEC_NO. */
int ss_qmail_blocks(const ss_view *v, ss_bounce *out,
                    const char *const *openers, const char *name);

int ss_qmail_blocks(const ss_view *v, ss_bounce *out,
                    const char *const *openers, const char *name) {
    size_t pos = 0, guard = 0, first = out->nfacts;
    ss_str line;
    int reading = 0;
    ss_fact *cur = NULL;
    while (ss_next_line(v->text, &pos, &line) && guard++ < 200000) {
        ss_str t = ss_trim(line);
        if (!reading) {
            for (int k = 0; openers[k] && !reading; k++)
                if (ss_find_ci(t, openers[k]) >= 0)
                    reading = 1;
            if (!reading && pos > 8192)
                return SS_DEC_NO;
            continue;
        }
        if (pv_starts_lit(t, "--- Below this line is a copy of the message") ||
            pv_starts_lit(t, "--- Enclosed is a copy of the message") ||
            pv_starts_lit(t, "Original message follows.")) {
            pv_original_at(v, out, pos);
            break;
        }
        if (!pv_block_line(out, &cur, t))
            break;
    }
    if (!reading || out->nfacts == first)
        return SS_DEC_NO;
    out->decoder = name;
    for (size_t i = first; i < out->nfacts; i++) {
        ss_fact *f = &out->facts[i];
        ss_str d = f->diagnostic;
        f->command = own_command(d);
        f->remote_mta = remote_host(d);
        f->status = hash_status(d);
        long said = pv_find_ci_by(d, "Remote host said:", ':');
        if (said >= 0) {
            /* the remote server's words decide; qmail's lines around
             * them are kept out of the diagnostic */
            ss_str w = ss_str_make(d.ptr + said + 17, d.len - (size_t)said - 17);
            long gu = pv_find_ci_by(w, "Giving up on ", 'v');
            if (gu >= 0)
                w.len = (size_t)gu;
            long nt = pv_find_ci_by(w, "I'm not going to try again", '\'');
            if (nt >= 0)
                w.len = (size_t)nt;
            f->diagnostic = ss_trim(w);
            f->diagnostic_type = SS_STR("SMTP");
            /* "Connected to X but sender was rejected." with a permanent
             * reply is a rejection; a temporary one is left to the
             * classifier (rate limits, reputation) */
            if (pv_eq_str(f->command, "MAIL") && f->diagnostic.len &&
                f->diagnostic.ptr[0] == '5')
                f->reason = SMTPSTATUS_R_REJECTED;
            continue;
        }
        if (pv_eq_str(f->command, "MAIL"))
            f->reason = SMTPSTATUS_R_REJECTED;
        else if (pv_eq_str(f->command, "EHLO"))
            f->reason = SMTPSTATUS_R_BLOCKED;
        else if (!f->command.len || ss_find_ci(d, "said:") < 0)
            f->reason = own_reason(d);
    }
    return out->nfacts > first ? SS_DEC_YES : SS_DEC_NO;
}

/* The qmail decoder; *no_received is set to 1 when it looked at the
 * Received headers and none of the first 64 holds "(qmail " with
 * "invoked for bounce)" or "invoked from network)" (else left alone). */
static int decode_qmail(const ss_view *v, ss_bounce *out, int *no_received) {
    static const char *const openers[] = {"Hi. This is the ", NULL};
    if (!pv_eq_str(ss_trim(v->subject), "failure notice") &&
        !qmail_received(v->root)) {
        *no_received = 1;
        return SS_DEC_NO;
    }
    return ss_qmail_blocks(v, out, openers, "qmail");
}

/* defined in x4.c */
int ss_decode_x4_known(const ss_view *v, ss_bounce *out, int no_received);

/* qmail, then X4 (the next in the table), tried as the analyzer tries
 * any two decoders (X4 from no facts, under its own name): one table
 * entry, so that X4 need not read the Received headers again when qmail
 * has found no qmail line there (X4 looks for a subset of those lines). */
int ss_decode_qmail_x4(const ss_view *v, ss_bounce *out) {
    int no_received = 0;
    if (decode_qmail(v, out, &no_received) == SS_DEC_YES)
        return SS_DEC_YES;
    ss_bounce_begin(out, "X4");
    return ss_decode_x4_known(v, out, no_received);
}
