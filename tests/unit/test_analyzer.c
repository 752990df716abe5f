/*
 * test_analyzer.c - the analyzer through the public API: one message in
 * memory, an mbox in a buffer, a pipe, a folder, the callback stopping the
 * run, the options, the counters, bad arguments, and smtpstatus_explain().
 * Runs with the working directory tests/ (fixtures under fixtures/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpstatus.h"
#include "check.h"


#define MAXREC 16
typedef struct seen {
    size_t n;
    char source[MAXREC][128];
    char recipient[MAXREC][128];
    char status[MAXREC][16];
    smtpstatus_reason reason[MAXREC];
    int hard[MAXREC];
    size_t stop_after; /* 0: never stop */
} seen;

/* The fields a record takes from the original message's headers. */
typedef struct orig_seen {
    size_t n;
    char message_id[64], subject[64], addresser[64], list_id[64];
    char diagnostic[160];
} orig_seen;

static int collect_orig(const smtpstatus_record *r, void *user) {
    orig_seen *o = user;
    if (o->n++ == 0) {
        snprintf(o->message_id, sizeof o->message_id, "%s", r->message_id);
        snprintf(o->subject, sizeof o->subject, "%s", r->subject);
        snprintf(o->addresser, sizeof o->addresser, "%s", r->addresser);
        snprintf(o->list_id, sizeof o->list_id, "%s", r->list_id);
        snprintf(o->diagnostic, sizeof o->diagnostic, "%s", r->diagnostic_code);
    }
    return 0;
}

static int collect(const smtpstatus_record *r, void *user) {
    seen *s = user;
    if (s->n < MAXREC) {
        snprintf(s->source[s->n], sizeof s->source[0], "%s", r->source);
        snprintf(s->recipient[s->n], sizeof s->recipient[0], "%s", r->recipient);
        snprintf(s->status[s->n], sizeof s->status[0], "%s", r->status);
        s->reason[s->n] = r->reason;
        s->hard[s->n] = r->hard_bounce;
    }
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

/* smtpstatus_analyze_read: the record warnings and the problem line. */
typedef struct read_seen {
    size_t n;
    unsigned warnings;
    char problem[128];
} read_seen;

static int collect_warnings(const smtpstatus_record *r, void *user) {
    read_seen *s = user;
    s->n++;
    s->warnings |= r->warnings;
    return 0;
}

static void note_problem(const char *source, const char *what, void *user) {
    read_seen *s = user;
    snprintf(s->problem, sizeof s->problem, "%s: %s", source, what);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(void) {
    smtpstatus_analyzer *an = smtpstatus_analyzer_new(NULL);
    CHECK(an != NULL);
    if (!an)
        return 1;

    /* one message in memory */
    size_t len = 0;
    char *dsn = slurp("fixtures/bounce/dsn-multi-recipient.eml", &len);
    CHECK(dsn != NULL);
    seen s;
    /* three records: full, gone, and the delayed one (kept by default) */
    memset(&s, 0, sizeof s);
    CHECK(smtpstatus_analyze_message(an, dsn, len, "mem", 1, collect, &s) ==
          SMTPSTATUS_OK);
    CHECK(s.n == 3);
    CHECK(strcmp(s.recipient[0], "full@mail.example") == 0);
    CHECK(s.reason[0] == SMTPSTATUS_R_MAILBOXFULL && !s.hard[0]);
    CHECK(strcmp(s.recipient[1], "gone@mail.example") == 0);
    CHECK(s.reason[1] == SMTPSTATUS_R_USERUNKNOWN && s.hard[1]);
    CHECK(strcmp(s.status[1], "5.1.1") == 0);
    CHECK(strcmp(s.source[2], "mem") == 0);

    /* a message as a reader hands it out: its warnings (cut at the size
     * limit) reach the records and the problem line; analyzed as a plain
     * message they do not */
    {
        smtpstatus_analyzer *ra = smtpstatus_analyzer_new(NULL);
        read_seen rs;
        smtpstatus_message msg;
        memset(&rs, 0, sizeof rs);
        memset(&msg, 0, sizeof msg);
        msg.data = dsn;
        msg.len = len;
        msg.source = "box:3";
        msg.number = 3;
        msg.warnings = SMTPSTATUS_RW_TRUNCATED;
        CHECK(ra != NULL);
        if (ra && dsn) {
            smtpstatus_analyzer_on_problem(ra, note_problem, &rs);
            CHECK(smtpstatus_analyze_read(ra, &msg, collect_warnings, &rs) ==
                  SMTPSTATUS_OK);
            CHECK(rs.n == 3 && (rs.warnings & SMTPSTATUS_RW_TRUNCATED));
            CHECK(strcmp(rs.problem, "box:3: limit hit: truncated") == 0);
            memset(&rs, 0, sizeof rs);
            CHECK(smtpstatus_analyze_message(ra, dsn, len, "box:3", 3,
                                             collect_warnings, &rs) ==
                  SMTPSTATUS_OK);
            CHECK(rs.n == 3 && rs.warnings == 0 && rs.problem[0] == 0);
            CHECK(smtpstatus_analyze_read(ra, NULL, collect_warnings, &rs) ==
                  SMTPSTATUS_EINVAL);
        }
        smtpstatus_analyzer_free(ra);
    }

    /* smtpstatus_analyze_reader: a reader's messages, and an empty file
     * said when it is named */
    {
        smtpstatus_analyzer *ra = smtpstatus_analyzer_new(NULL);
        smtpstatus_reader *rd = smtpstatus_reader_open(NULL, NULL, NULL);
        char tmp[] = "/tmp/test_analyzer_XXXXXX";
        int fd = mkstemp(tmp);
        read_seen rs;
        smtpstatus_stats st;
        CHECK(ra != NULL && rd != NULL && fd >= 0);
        if (ra && rd && fd >= 0) {
            char want[128];
            close(fd);
            smtpstatus_analyzer_on_problem(ra, note_problem, &rs);
            memset(&rs, 0, sizeof rs);
            CHECK(smtpstatus_reader_reopen(rd, tmp) == SMTPSTATUS_OK);
            CHECK(smtpstatus_analyze_reader(ra, rd, tmp, collect_warnings,
                                            &rs) == SMTPSTATUS_ENOTFOUND);
            snprintf(want, sizeof want, "%s: no message in it (empty file)",
                     tmp);
            CHECK(strcmp(rs.problem, want) == 0);
            smtpstatus_analyzer_stats(ra, &st);
            CHECK(st.failed == 1 && st.messages == 0);
            /* not named (a folder's entry): nothing said */
            memset(&rs, 0, sizeof rs);
            CHECK(smtpstatus_reader_reopen(rd, tmp) == SMTPSTATUS_OK);
            CHECK(smtpstatus_analyze_reader(ra, rd, NULL, collect_warnings,
                                            &rs) == SMTPSTATUS_OK);
            CHECK(rs.problem[0] == 0 && rs.n == 0);
            /* a message: its records, nothing said */
            CHECK(smtpstatus_reader_reopen(
                      rd, "fixtures/bounce/dsn-multi-recipient.eml") ==
                  SMTPSTATUS_OK);
            CHECK(smtpstatus_analyze_reader(
                      ra, rd, "fixtures/bounce/dsn-multi-recipient.eml",
                      collect_warnings, &rs) == SMTPSTATUS_OK);
            CHECK(rs.n == 3 && rs.problem[0] == 0);
            smtpstatus_analyzer_stats(ra, &st);
            CHECK(st.failed == 1 && st.messages == 1 && st.inputs == 0);
            CHECK(smtpstatus_analyze_reader(ra, NULL, NULL, collect_warnings,
                                            &rs) == SMTPSTATUS_EINVAL);
        }
        if (fd >= 0)
            unlink(tmp);
        smtpstatus_reader_close(rd);
        smtpstatus_analyzer_free(ra);
    }

    /* the callback stops the run */
    memset(&s, 0, sizeof s);
    s.stop_after = 1;
    CHECK(smtpstatus_analyze_message(an, dsn, len, "mem", 1, collect, &s) ==
          SMTPSTATUS_ECALLBACK);
    CHECK(s.n == 1);

    /* an mbox in a buffer: two messages, the second a non-bounce */
    size_t nb = 0;
    char *plain = slurp("fixtures/bounce/not-a-bounce.eml", &nb);
    CHECK(plain != NULL);
    if (plain && dsn) {
        size_t cap = len + nb + 256;
        char *mbox = malloc(cap);
        CHECK(mbox != NULL);
        if (mbox) {
            int k = snprintf(mbox, cap, "From MAILER-DAEMON Wed Feb 11 08:00:00 2026\n");
            memcpy(mbox + k, dsn, len);
            size_t m = (size_t)k + len;
            m += (size_t)snprintf(mbox + m, cap - m,
                                  "\nFrom alice@friends.example Fri Mar  6 11:11:11 2026\n");
            memcpy(mbox + m, plain, nb);
            m += nb;
            smtpstatus_options o;
            memset(&o, 0, sizeof o);
            o.flags = SMTPSTATUS_O_ALL;
            smtpstatus_analyzer *all = smtpstatus_analyzer_new(&o);
            CHECK(all != NULL);
            memset(&s, 0, sizeof s);
            CHECK(smtpstatus_analyze_buffer(all, mbox, m, "box", collect, &s) ==
                  SMTPSTATUS_OK);
            CHECK(s.n == 4);
            CHECK(strcmp(s.source[0], "box:1") == 0);
            CHECK(strcmp(s.source[3], "box:2") == 0);
            CHECK(s.reason[3] == SMTPSTATUS_R_NOT_A_BOUNCE);
            smtpstatus_stats st;
            smtpstatus_analyzer_stats(all, &st);
            CHECK(st.messages == 2 && st.bounces == 1 && st.not_bounces == 1);
            CHECK(st.records == 4 && st.failed == 0);

            /* the same bytes through a pipe */
            int fds[2];
            if (pipe(fds) == 0) {
                ssize_t w = write(fds[1], mbox, m);
                CHECK(w == (ssize_t)m);
                close(fds[1]);
                memset(&s, 0, sizeof s);
                CHECK(smtpstatus_analyze_fd(all, fds[0], "pipe", collect, &s) ==
                      SMTPSTATUS_OK);
                close(fds[0]);
                CHECK(s.n == 4);
                CHECK(strcmp(s.source[0], "pipe:1") == 0);
            } else
                CHECK(0);
            smtpstatus_analyzer_free(all);
            free(mbox);
        }
    }

    /* a buffer is split as a file is: a dated separator with no blank
     * line before it, and the same mbox with bare-CR line ends */
    size_t nm = 0;
    char *nbl = slurp("fixtures/mbox/no-blank-line.mbox", &nm);
    CHECK(nbl != NULL);
    if (nbl) {
        smtpstatus_options o;
        memset(&o, 0, sizeof o);
        o.flags = SMTPSTATUS_O_ALL;
        smtpstatus_analyzer *all = smtpstatus_analyzer_new(&o);
        for (int cr = 0; cr < 2 && all; cr++) {
            if (cr)
                for (size_t i = 0; i < nm; i++)
                    if (nbl[i] == '\n')
                        nbl[i] = '\r';
            memset(&s, 0, sizeof s);
            CHECK(smtpstatus_analyze_buffer(all, nbl, nm, "m", collect, &s) ==
                  SMTPSTATUS_OK);
            CHECK(s.n == 2);
            CHECK(strcmp(s.source[0], "m:1") == 0 &&
                  strcmp(s.source[1], "m:2") == 0);
            CHECK(s.reason[0] == SMTPSTATUS_R_BLOCKED &&
                  s.reason[1] == SMTPSTATUS_R_NOT_A_BOUNCE);
        }
        smtpstatus_analyzer_free(all);
        free(nbl);
    }

    /* a folder, sorted, and an input that cannot be opened */
    smtpstatus_analyzer *fa = smtpstatus_analyzer_new(NULL);
    memset(&s, 0, sizeof s);
    CHECK(smtpstatus_analyze_path(fa, "fixtures/maildir", collect, &s) ==
          SMTPSTATUS_OK);
    CHECK(s.n == 4);
    CHECK(strstr(s.source[0], "/cur/") != NULL);
    CHECK(strstr(s.source[3], "/new/") != NULL);
    CHECK(smtpstatus_analyze_path(fa, "fixtures/does-not-exist", collect, &s) !=
          SMTPSTATUS_OK);
    smtpstatus_stats st;
    smtpstatus_analyzer_stats(fa, &st);
    CHECK(st.inputs == 2 && st.failed == 1);
    smtpstatus_analyzer_free(fa);

    /* bad arguments are errors, not crashes */
    CHECK(smtpstatus_analyze_message(NULL, "x", 1, "s", 1, collect, &s) ==
          SMTPSTATUS_EINVAL);
    CHECK(smtpstatus_analyze_message(an, NULL, 5, "s", 1, collect, &s) ==
          SMTPSTATUS_EINVAL);
    CHECK(smtpstatus_analyze_path(an, NULL, collect, &s) == SMTPSTATUS_EINVAL);
    smtpstatus_analyzer_free(NULL);

    /* the original's headers: the first of each name, "Name :", folding
     * (across a line that is not a header), CRs, case of the names */
    {
        const char *msg =
            "From: MAILER-DAEMON@mx.example\r\nTo: sender@example.org\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
            "report-type=delivery-status; boundary=\"BB\"\r\n\r\n"
            "--BB\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example\r\n\r\n"
            "Final-Recipient: rfc822; user@dest.example\r\nAction: failed\r\n"
            "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550  5.1.1\r\n  <user@dest"
            ".example>:\tRecipient address rejected:   User unknown in local "
            "recipient table\r\n\r\n"
            "--BB\r\nContent-Type: message/rfc822\r\n\r\n"
            "X-Junk: a\r\n\tfolded\r\nsubject : first\r\n  part\r\n"
            "not a header line\r\n second\r\nSUBJECT: later\r\n"
            "Message-Id :\r\n  <mid@orig.example>\r\nFROM:\r\n"
            " \"Sender\" <Who@Orig.EXAMPLE>\r\nList-Id: <list.orig.example>\r\r\n"
            "\r\nbody\r\n\r\n--BB--\r\n";
        orig_seen o;
        memset(&o, 0, sizeof o);
        CHECK(smtpstatus_analyze_message(an, msg, strlen(msg), "orig", 1,
                                         collect_orig, &o) == SMTPSTATUS_OK);
        CHECK(o.n == 1);
        CHECK(strcmp(o.message_id, "mid@orig.example") == 0);
        CHECK(strcmp(o.subject, "first part not a header line second") == 0);
        CHECK(strcmp(o.addresser, "Who@orig.example") == 0);
        CHECK(strcmp(o.list_id, "<list.orig.example>") == 0);
        CHECK(strcmp(o.diagnostic,
                     "550 5.1.1 <user@dest.example>: Recipient address "
                     "rejected: User unknown in local recipient table") == 0);
    }

    /* limits and names */
    smtpstatus_limits l;
    smtpstatus_limits_default(&l);
    CHECK(l.max_message_size == ((size_t)64 << 20) && l.max_mime_depth == 32);
    CHECK(strcmp(smtpstatus_record_warning_name(SMTPSTATUS_RW_TRUNCATED),
                 "truncated") == 0);
    CHECK(smtpstatus_record_warning_name(3) == NULL);

    /* explain */
    smtpstatus_explanation ex;
    const char *in = "550 5.1.1 <a@example.org>: User unknown";
    CHECK(smtpstatus_explain(in, strlen(in), &ex) == SMTPSTATUS_OK);
    CHECK(ex.reply_code == 550 && ex.status.klass == 5 && ex.status.detail == 1);
    CHECK(ex.verdict.reason == SMTPSTATUS_R_USERUNKNOWN && ex.verdict.hard_bounce);
    CHECK(ex.consistent && ex.advice && *ex.advice);
    CHECK(ex.retry == SMTPSTATUS_RETRY_NO);
    in = "550 4.2.2 Mailbox full";
    CHECK(smtpstatus_explain(in, strlen(in), &ex) == SMTPSTATUS_OK);
    CHECK(!ex.consistent);
    in = "hello there";
    CHECK(smtpstatus_explain(in, strlen(in), &ex) == SMTPSTATUS_ENOTFOUND);
    CHECK(smtpstatus_explain(NULL, 3, &ex) == SMTPSTATUS_EINVAL);
    in = "452 4.2.2 The email account that you tried to reach is over quota";
    CHECK(smtpstatus_explain(in, strlen(in), &ex) == SMTPSTATUS_OK);
    CHECK(ex.verdict.reason == SMTPSTATUS_R_MAILBOXFULL &&
          ex.retry == SMTPSTATUS_RETRY_YES);

    free(dsn);
    free(plain);
    smtpstatus_analyzer_free(an);
    return check_report();
}
