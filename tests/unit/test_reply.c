/*
 * test_reply.c - table-driven tests of the reply, status and diagnostic
 * parsers (lib/reply.c): every numbered case 1-63 of
 * shared/ref/reply-syntax-cases.md (verdict, code, status, text, lines,
 * warnings), the diagnostic forms `explain` accepts, the warning names,
 * strerror, replay of the fuzz regression inputs under tests/regress/, and
 * random inputs of up to 64 bytes checked with the fuzz targets'
 * properties (run it in an ASan build to catch reads past the input).
 *
 * Registry-dependent warnings (W_UNREGISTERED, W_UNKNOWN_CODE,
 * W_NONSTANDARD) are checked only where a case states them; the other
 * warning bits are compared exactly.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpstatus.h"
#include "../../fuzz/reply_checks.h"
#include "check.h"


#define W(x) SMTPSTATUS_W_##x
#define REG_BITS (W(UNREGISTERED) | W(UNKNOWN_CODE) | W(NONSTANDARD))
#define STRICT SMTPSTATUS_P_STRICT
#define EOFE SMTPSTATUS_P_EOF_ENDS
#define NOPOS ((size_t)-1)

static int slice_is(smtpstatus_slice s, const char *want) {
    size_t n = strlen(want);
    return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

static void slice_copy(smtpstatus_slice s, char *buf, size_t size) {
    size_t n = s.len < size - 1 ? s.len : size - 1;
    if (n)
        memcpy(buf, s.ptr, n);
    buf[n] = '\0';
}

/* ------------------------------------------------------------------ */

typedef struct rcase {
    const char *id;
    const char *in;
    unsigned opt;
    smtpstatus_rc rc;
    int code;            /* expected code (on errors too; -1: not checked) */
    const char *status;  /* "" none */
    const char *text;    /* first line text; NULL not checked */
    size_t nlines;       /* 0 not checked */
    unsigned w;          /* exact, outside REG_BITS */
    unsigned rset;       /* registry bits that must be set */
    unsigned rclear;     /* registry bits that must be clear */
    size_t consumed;     /* NOPOS: the whole input */
    size_t err_off;      /* for errors; NOPOS not checked */
    const char *lines;   /* '|'-separated line texts; NULL not checked */
} rcase;

static const rcase reply_cases[] = {
    /* 5.1 single-line replies */
    {"1", "250 OK\r\n", 0, SMTPSTATUS_OK, 250, "", "OK", 1, 0, 0, 0, NOPOS,
     0, "OK"},
    {"2",
     "550 5.1.1 <user@example.com>: Recipient address rejected: User "
     "unknown in virtual mailbox table\r\n",
     0, SMTPSTATUS_OK, 550, "5.1.1",
     "<user@example.com>: Recipient address rejected: User unknown in "
     "virtual mailbox table",
     1, 0, 0, W(UNREGISTERED), NOPOS, 0, NULL},
    {"3 lenient", "550 5.1.1\r\n", 0, SMTPSTATUS_OK, 550, "5.1.1", "", 1,
     W(NO_SPACE_AFTER_STATUS), 0, 0, NOPOS, 0, ""},
    {"3 strict", "550 5.1.1\r\n", STRICT, SMTPSTATUS_OK, 550, "", "5.1.1", 1,
     0, 0, 0, NOPOS, 0, "5.1.1"},
    {"4", "550 5.1.1  User unknown\r\n", 0, SMTPSTATUS_OK, 550, "5.1.1",
     "User unknown", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"5", "550 5.1.10 Recipient address rejected\r\n", 0, SMTPSTATUS_OK, 550,
     "5.1.10", "Recipient address rejected", 1, 0, 0, W(UNREGISTERED), NOPOS,
     0, NULL},
    {"6", "556 5.1.10 Recipient address has null MX\r\n", 0, SMTPSTATUS_OK,
     556, "5.1.10", "Recipient address has null MX", 1, 0, 0,
     W(UNREGISTERED) | W(UNKNOWN_CODE), NOPOS, 0, NULL},
    {"7", "550 5.0.0 Rejected\r\n", 0, SMTPSTATUS_OK, 550, "5.0.0",
     "Rejected", 1, 0, 0, W(UNREGISTERED), NOPOS, 0, NULL},
    {"8", "554 5.01.01 Rejected\r\n", 0, SMTPSTATUS_OK, 554, "",
     "5.01.01 Rejected", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"9", "550 5.1.1000 User unknown\r\n", 0, SMTPSTATUS_OK, 550, "",
     "5.1.1000 User unknown", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"10", "550 5.1 User unknown\r\n", 0, SMTPSTATUS_OK, 550, "",
     "5.1 User unknown", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"11", "550 5.1.1.2 User unknown\r\n", 0, SMTPSTATUS_OK, 550, "",
     "5.1.1.2 User unknown", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"12 lenient", "550 5.1.1: User unknown\r\n", 0, SMTPSTATUS_OK, 550,
     "5.1.1", "User unknown", 1, W(NO_SPACE_AFTER_STATUS), 0, 0, NOPOS, 0,
     "User unknown"},
    {"12 strict", "550 5.1.1: User unknown\r\n", STRICT, SMTPSTATUS_OK, 550,
     "", "5.1.1: User unknown", 1, 0, 0, 0, NOPOS, 0, "5.1.1: User unknown"},
    {"13", "550 5 .1.1 User unknown\r\n", 0, SMTPSTATUS_OK, 550, "",
     "5 .1.1 User unknown", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"14", "550 #5.1.1 User unknown\r\n", 0, SMTPSTATUS_OK, 550, "",
     "#5.1.1 User unknown", 1, 0, 0, 0, NOPOS, 0, NULL},
    {"15",
     "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to "
     "unexpected volume or user complaints - 4.16.55.1; see "
     "https://postmaster.example/error-codes\r\n",
     0, SMTPSTATUS_OK, 421, "4.7.0",
     "[TSS04] Messages from 192.0.2.1 temporarily deferred due to "
     "unexpected volume or user complaints - 4.16.55.1; see "
     "https://postmaster.example/error-codes",
     1, 0, 0, W(UNREGISTERED) | W(UNKNOWN_CODE), NOPOS, 0, NULL},
    {"16",
     "451 4.7.650 The mail server [192.0.2.25] has been temporarily rate "
     "limited due to IP reputation.\r\n",
     0, SMTPSTATUS_OK, 451, "4.7.650",
     "The mail server [192.0.2.25] has been temporarily rate limited due to "
     "IP reputation.",
     1, W(LONG_DETAIL), W(UNREGISTERED), 0, NOPOS, 0, NULL},
    {"17",
     "550 5.7.509 Access denied, sending domain example.com does not pass "
     "DMARC verification\r\n",
     0, SMTPSTATUS_OK, 550, "5.7.509",
     "Access denied, sending domain example.com does not pass DMARC "
     "verification",
     1, W(LONG_DETAIL), W(UNREGISTERED), 0, NOPOS, 0, NULL},
    {"18",
     "250 2.0.0 OK  1700000000 "
     "a1-20020a0cf0a1000000b0062d6b4a9f5dsi123456qvt.12 - gsmtp\r\n",
     0, SMTPSTATUS_OK, 250, "2.0.0",
     "OK  1700000000 a1-20020a0cf0a1000000b0062d6b4a9f5dsi123456qvt.12 - "
     "gsmtp",
     1, 0, 0, W(UNREGISTERED), NOPOS, 0, NULL},
    {"19", "250 2.1.5 Recipient <a@example.org> ok\r\n", 0, SMTPSTATUS_OK,
     250, "2.1.5", "Recipient <a@example.org> ok", 1, 0, 0, W(UNREGISTERED),
     NOPOS, 0, NULL},
    {"20", "550 4.2.2 Mailbox full\r\n", 0, SMTPSTATUS_OK, 550, "4.2.2",
     "Mailbox full", 1, W(CLASS_MISMATCH), 0, W(UNREGISTERED), NOPOS, 0,
     NULL},
    {"21", "250 5.0.0 Done\r\n", 0, SMTPSTATUS_OK, 250, "5.0.0", "Done", 1,
     W(CLASS_MISMATCH), 0, 0, NOPOS, 0, NULL},
    {"22", "550\r\n", 0, SMTPSTATUS_OK, 550, "", "", 1, W(BARE_CODE), 0, 0,
     NOPOS, 0, ""},
    {"22 strict", "550\r\n", STRICT, SMTPSTATUS_OK, 550, "", "", 1,
     W(BARE_CODE), 0, 0, NOPOS, 0, ""},
    {"23", "550 \r\n", 0, SMTPSTATUS_OK, 550, "", "", 1, W(BARE_CODE), 0, 0,
     NOPOS, 0, ""},
    {"23 strict", "550 \r\n", STRICT, SMTPSTATUS_OK, 550, "", "", 1,
     W(BARE_CODE), 0, 0, NOPOS, 0, ""},
    {"24", "55O 5.1.1 User unknown\r\n", 0, SMTPSTATUS_ESYNTAX, -1, "", NULL,
     0, 0, 0, 0, 0, 2, NULL},
    {"25", "650 6.1.1 Something\r\n", 0, SMTPSTATUS_ESYNTAX, -1, "", NULL, 0,
     0, 0, 0, 0, 0, NULL},
    {"26", "101 The server is unable to connect\r\n", 0, SMTPSTATUS_ESYNTAX,
     -1, "", NULL, 0, 0, 0, 0, 0, 0, NULL},
    {"27", "599 5.0.0 Rejected\r\n", 0, SMTPSTATUS_ESYNTAX, -1, "", NULL, 0,
     0, 0, 0, 0, 1, NULL},
    {"28", "577 5.1.1 Recipient rejected\r\n", 0, SMTPSTATUS_ESYNTAX, -1, "",
     NULL, 0, 0, 0, 0, 0, 1, NULL},
    {"29", "559 5.0.0 Policy rejection\r\n", 0, SMTPSTATUS_OK, 559, "5.0.0",
     "Policy rejection", 1, 0, W(UNKNOWN_CODE), W(UNREGISTERED), NOPOS, 0,
     NULL},
    {"30", "250OK\r\n", 0, SMTPSTATUS_ESYNTAX, 250, "", NULL, 0, 0, 0, 0, 0,
     3, NULL},
    {"31", "250\tOK\r\n", 0, SMTPSTATUS_ESYNTAX, 250, "", NULL, 0, 0, 0, 0, 0,
     3, NULL},
    {"32", "  550 5.1.1 User unknown\r\n", 0, SMTPSTATUS_ESYNTAX, -1, "", NULL,
     0, 0, 0, 0, 0, 0, NULL},
    {"33", "550 5.1.1 Benutzer unbekannt \xC3\xBC\r\n", 0, SMTPSTATUS_OK, 550,
     "5.1.1", "Benutzer unbekannt \xC3\xBC", 1, W(8BIT), 0, 0, NOPOS, 0,
     NULL},
    {"34 lenient", "250 OK\n", 0, SMTPSTATUS_OK, 250, "", "OK", 1, W(BARE_LF),
     0, 0, NOPOS, 0, "OK"},
    {"34 strict", "250 OK\n", STRICT, SMTPSTATUS_ESYNTAX, 250, "", NULL, 0, 0,
     0, 0, 0, 6, NULL},
    {"35", "250 2.0.0 OK\r", 0, SMTPSTATUS_EINCOMPLETE, 250, "", NULL, 0, 0,
     0, 0, 0, NOPOS, NULL},
    {"35 strict", "250 2.0.0 OK\r", STRICT, SMTPSTATUS_EINCOMPLETE, 250, "",
     NULL, 0, 0, 0, 0, 0, NOPOS, NULL},
    {"35 eof-ends", "250 2.0.0 OK\r", EOFE, SMTPSTATUS_OK, 250, "2.0.0", "OK",
     1, W(NO_EOL), 0, 0, NOPOS, 0, "OK"},
    /* 36 and 37 are built in main() */
    {"38", "354 Start mail input; end with <CRLF>.<CRLF>\r\n", 0,
     SMTPSTATUS_OK, 354, "", "Start mail input; end with <CRLF>.<CRLF>", 1, 0,
     0, W(UNKNOWN_CODE), NOPOS, 0, NULL},
    {"39", "220 mx.example.com ESMTP ready\r\n", 0, SMTPSTATUS_OK, 220, "",
     "mx.example.com ESMTP ready", 1, 0, 0, W(UNKNOWN_CODE), NOPOS, 0, NULL},
    {"40", "220 2.0.0 Ready to start TLS\r\n", 0, SMTPSTATUS_OK, 220, "2.0.0",
     "Ready to start TLS", 1, 0, 0, 0, NOPOS, 0, NULL},
    /* 5.2 multi-line replies */
    {"41",
     "250-First line\r\n250-Second line\r\n250-234 Text beginning with "
     "numbers\r\n250 The last line\r\n",
     0, SMTPSTATUS_OK, 250, "", "First line", 4, 0, 0, 0, NOPOS, 0,
     "First line|Second line|234 Text beginning with numbers|The last line"},
    {"42",
     "550-5.1.1 The email account that you tried to reach does not exist. "
     "Please try\r\n550-5.1.1 double-checking the recipient's email address "
     "for typos or\r\n550 5.1.1 unnecessary spaces. - gsmtp\r\n",
     0, SMTPSTATUS_OK, 550, "5.1.1",
     "The email account that you tried to reach does not exist. Please try",
     3, 0, 0, 0, NOPOS, 0,
     "The email account that you tried to reach does not exist. Please "
     "try|double-checking the recipient's email address for typos "
     "or|unnecessary spaces. - gsmtp"},
    {"43",
     "550-5.7.1 SPF MAIL FROM check failed:\r\n550-5.7.1 The domain "
     "example.com explains:\r\n550 5.7.1 Please see "
     "http://www.example.com/mailpolicy.html\r\n",
     0, SMTPSTATUS_OK, 550, "5.7.1", "SPF MAIL FROM check failed:", 3, 0, 0,
     0, NOPOS, 0,
     "SPF MAIL FROM check failed:|The domain example.com explains:|Please "
     "see http://www.example.com/mailpolicy.html"},
    /* 43b: see main() */
    {"44", "550-5.1.1 First\r\n551 5.1.1 Second\r\n", 0, SMTPSTATUS_ESYNTAX,
     550, "", NULL, 0, 0, 0, 0, 0, 17, NULL},
    {"45", "550-5.1.1 First\r\n550 5.1.2 Second\r\n", 0, SMTPSTATUS_OK, 550,
     "5.1.1", "First", 2, W(STATUS_DIFFERS), 0, 0, NOPOS, 0, "First|Second"},
    {"46",
     "550-5.1.1 The account does not exist.\r\n550 Please check the "
     "address\r\n",
     0, SMTPSTATUS_OK, 550, "5.1.1", "The account does not exist.", 2,
     W(STATUS_MISSING), 0, 0, NOPOS, 0,
     "The account does not exist.|Please check the address"},
    {"47", "250-\r\n250 OK\r\n", 0, SMTPSTATUS_OK, 250, "", "", 2, 0, 0, 0,
     NOPOS, 0, "|OK"},
    {"48",
     "250-mx.example.com Hello\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250 "
     "ENHANCEDSTATUSCODES\r\n",
     0, SMTPSTATUS_OK, 250, "", "mx.example.com Hello", 4, 0, 0, 0, NOPOS, 0,
     "mx.example.com Hello|SIZE 35882577|8BITMIME|ENHANCEDSTATUSCODES"},
    /* 49: see main() */
    {"50", "250-PIPELINING\r\n250-SIZE 10240000\r\n", 0,
     SMTPSTATUS_EINCOMPLETE, 250, "", NULL, 0, 0, 0, 0, 0, NOPOS, NULL},
    /* 5.3: case 51 as a reply */
    {"51", "5.1.1 User unknown\r\n", 0, SMTPSTATUS_ESYNTAX, -1, "", NULL, 0,
     0, 0, 0, 0, 1, NULL},
    /* more: options and edge cases */
    {"eof-ends dash", "550-5.1.1 The email account", EOFE, SMTPSTATUS_OK, 550,
     "5.1.1", "The email account", 1, W(NO_EOL), 0, 0, NOPOS, 0,
     "The email account"},
    {"eof-ends bare", "550", EOFE, SMTPSTATUS_OK, 550, "", "", 1,
     W(NO_EOL) | W(BARE_CODE), 0, 0, NOPOS, 0, ""},
    {"eof-ends 2 lines", "250-A\r\n250-B\r\n", EOFE, SMTPSTATUS_OK, 250, "",
     "A", 2, W(NO_EOL), 0, 0, NOPOS, 0, "A|B"},
    {"eof-ends short", "55", EOFE, SMTPSTATUS_ESYNTAX, -1, "", NULL, 0, 0, 0,
     0, 0, 2, NULL},
    {"empty", "", 0, SMTPSTATUS_EINCOMPLETE, -1, "", NULL, 0, 0, 0, 0, 0, 0,
     NULL},
    {"empty eof", "", EOFE, SMTPSTATUS_ESYNTAX, -1, "", NULL, 0, 0, 0, 0, 0, 0,
     NULL},
    {"partial code", "55", 0, SMTPSTATUS_EINCOMPLETE, -1, "", NULL, 0, 0, 0,
     0, 0, 2, NULL},
    {"no eol", "250 OK", 0, SMTPSTATUS_EINCOMPLETE, 250, "", NULL, 0, 0, 0, 0,
     0, NOPOS, NULL},
    {"status on 3xx", "354 2.0.0 Go ahead\r\n", 0, SMTPSTATUS_OK, 354, "2.0.0",
     "Go ahead", 1, W(STATUS_NOT_EXPECTED), 0, 0, NOPOS, 0, NULL},
    {"lenient semicolon", "550 5.1.1;User unknown\r\n", 0, SMTPSTATUS_OK, 550,
     "5.1.1", "User unknown", 1, W(NO_SPACE_AFTER_STATUS), 0, 0, NOPOS, 0,
     NULL},
    {"strict crlf mix", "250-A\r\n250 B\n", STRICT, SMTPSTATUS_ESYNTAX, 250, "",
     NULL, 0, 0, 0, 0, 0, 12, NULL},
    {"cr in text", "250 A\rB\r\n", 0, SMTPSTATUS_OK, 250, "", "A\rB", 1,
     W(8BIT), 0, 0, NOPOS, 0, NULL},
    {"lf lines", "250-A\n250 B\n", 0, SMTPSTATUS_OK, 250, "", "A", 2,
     W(BARE_LF), 0, 0, NOPOS, 0, "A|B"},
    {"missing first", "550-No status\r\n550 5.1.1 Has one\r\n", 0,
     SMTPSTATUS_OK, 550, "", "No status", 2, W(STATUS_MISSING), 0, 0, NOPOS,
     0, "No status|Has one"},
    {"cr after code", "550\rX\r\n", 0, SMTPSTATUS_ESYNTAX, 550, "", NULL, 0,
     0, 0, 0, 0, 3, NULL},
    {"empty last line", "250-A\r\n250 \r\n", 0, SMTPSTATUS_OK, 250, "", "A",
     2, 0, 0, 0, NOPOS, 0, "A|"},
    {"bad next line", "550-A\r\nxyz\r\n", 0, SMTPSTATUS_ESYNTAX, 550, "", NULL,
     0, 0, 0, 0, 0, 7, NULL},
};

static void check_reply_case(const rcase *c, const char *in, size_t inlen) {
    smtpstatus_reply r;
    smtpstatus_rc rc;
    char st[16], txt[80];
    /* exact-size heap copy so ASan sees reads past the end */
    char *copy = malloc(inlen ? inlen : 1);
    if (!copy) {
        CHECKF(0, "case %s: out of memory", c->id);
        return;
    }
    if (inlen)
        memcpy(copy, in, inlen);
    rc = smtpstatus_reply_parse(copy, inlen, c->opt, &r);
    CHECKF(rc == c->rc, "case %s: rc %d, want %d (%s @%zu)", c->id, (int)rc,
          (int)c->rc, r.error ? r.error : "-", r.error_offset);
    if (rc != c->rc) {
        free(copy);
        return;
    }
    if (c->code >= 0)
        CHECKF(r.code == c->code, "case %s: code %d, want %d", c->id, r.code,
              c->code);
    if (rc != SMTPSTATUS_OK) {
        CHECKF(r.error != NULL, "case %s: no error text", c->id);
        if (c->err_off != NOPOS)
            CHECKF(r.error_offset == c->err_off,
                  "case %s: error offset %zu, want %zu", c->id, r.error_offset,
                  c->err_off);
        free(copy);
        return;
    }
    smtpstatus_status_format(&r.status, st, sizeof(st));
    CHECKF(strcmp(st, c->status) == 0, "case %s: status '%s', want '%s'",
          c->id, st, c->status);
    if (c->text) {
        slice_copy(r.text, txt, sizeof(txt));
        CHECKF(slice_is(r.text, c->text), "case %s: text '%s'", c->id, txt);
    }
    if (c->nlines)
        CHECKF(r.nlines == c->nlines, "case %s: nlines %zu, want %zu", c->id,
              r.nlines, c->nlines);
    CHECKF((r.warnings & ~REG_BITS) == c->w,
          "case %s: warnings 0x%x, want 0x%x", c->id,
          r.warnings & ~REG_BITS, c->w);
    CHECKF((r.warnings & c->rset) == c->rset,
          "case %s: registry warnings 0x%x lack 0x%x", c->id, r.warnings,
          c->rset);
    CHECKF((r.warnings & c->rclear) == 0,
          "case %s: registry warnings 0x%x have 0x%x", c->id, r.warnings,
          c->rclear);
    CHECKF(r.consumed == (c->consumed == NOPOS ? inlen : c->consumed),
          "case %s: consumed %zu of %zu", c->id, r.consumed, inlen);
    if (c->lines) {
        const char *want = c->lines;
        size_t pos = 0, n = 0;
        smtpstatus_slice t;
        for (;;) {
            const char *bar = strchr(want, '|');
            size_t wl = bar ? (size_t)(bar - want) : strlen(want);
            rc = smtpstatus_reply_line(copy, &r, &pos, &t);
            CHECKF(rc == SMTPSTATUS_OK, "case %s: line %zu missing", c->id, n);
            if (rc != SMTPSTATUS_OK)
                break;
            slice_copy(t, txt, sizeof(txt));
            CHECKF(t.len == wl && memcmp(t.ptr, want, wl) == 0,
                  "case %s: line %zu is '%s'", c->id, n, txt);
            n++;
            if (!bar)
                break;
            want = bar + 1;
        }
        CHECKF(smtpstatus_reply_line(copy, &r, &pos, &t) ==
                  SMTPSTATUS_ENOTFOUND,
              "case %s: more lines than expected", c->id);
    }
    free(copy);
}

/* Several replies in one buffer (cases 43b and 49). */
static void check_sequence(const char *id, const char *in, int code,
                           const char *status, const char *const *texts,
                           size_t n) {
    size_t off = 0, len = strlen(in), i;
    for (i = 0; i < n; i++) {
        smtpstatus_reply r;
        char st[16];
        smtpstatus_rc rc = smtpstatus_reply_parse(in + off, len - off, 0, &r);
        CHECKF(rc == SMTPSTATUS_OK, "case %s reply %zu: rc %d", id, i, (int)rc);
        if (rc != SMTPSTATUS_OK)
            return;
        smtpstatus_status_format(&r.status, st, sizeof(st));
        CHECKF(r.code == code && strcmp(st, status) == 0 && r.nlines == 1 &&
                  slice_is(r.text, texts[i]),
              "case %s reply %zu: %d %s", id, i, r.code, st);
        off += r.consumed;
    }
    CHECKF(off == len, "case %s: %zu of %zu bytes used", id, off, len);
}

/* ------------------------------------------------------------------ */

typedef struct scase {
    const char *id;
    const char *in;
    smtpstatus_rc rc;
    const char *status;
    size_t consumed;
} scase;

static const scase status_cases[] = {
    {"51 token", "5.1.1 User unknown", SMTPSTATUS_OK, "5.1.1", 5},
    {"52", "5.1.1", SMTPSTATUS_OK, "5.1.1", 5},
    {"53", "6.1.1", SMTPSTATUS_ESYNTAX, "", 0},
    {"54", "5.1.1", SMTPSTATUS_OK, "5.1.1", 5},
    {"55", "5.1.1 (bad destination mailbox)", SMTPSTATUS_OK, "5.1.1", 5},
    {"56", "5.1", SMTPSTATUS_ESYNTAX, "", 0},
    {"57", "4.04.1", SMTPSTATUS_ESYNTAX, "", 0},
    {"2.1.23", "2.1.23", SMTPSTATUS_OK, "2.1.23", 6},
    {"5.0.0", "5.0.0", SMTPSTATUS_OK, "5.0.0", 5},
    {"5.123.456", "5.123.456", SMTPSTATUS_OK, "5.123.456", 9},
    {"5.7.606", "5.7.606", SMTPSTATUS_OK, "5.7.606", 7},
    {"5.1.1000", "5.1.1000", SMTPSTATUS_ESYNTAX, "", 0},
    {"5.1.1.2", "5.1.1.2", SMTPSTATUS_ESYNTAX, "", 0},
    {"5.1.01", "5.1.01", SMTPSTATUS_ESYNTAX, "", 0},
    {"5.00.1", "5.00.1", SMTPSTATUS_ESYNTAX, "", 0},
    {"3.1.1", "3.1.1", SMTPSTATUS_ESYNTAX, "", 0},
    {"5..1", "5..1", SMTPSTATUS_ESYNTAX, "", 0},
    {"5.1.", "5.1.", SMTPSTATUS_ESYNTAX, "", 0},
    {"5.1.1:", "5.1.1:", SMTPSTATUS_OK, "5.1.1", 5},
    {"5.1.1.", "5.1.1.", SMTPSTATUS_ESYNTAX, "", 0},
    {" 5.1.1", " 5.1.1", SMTPSTATUS_ESYNTAX, "", 0},
    {"empty", "", SMTPSTATUS_ESYNTAX, "", 0},
};

/* ------------------------------------------------------------------ */

typedef struct dcase {
    const char *id;
    const char *in;
    smtpstatus_rc rc;
    const char *type;
    int code;
    const char *status;
    const char *text;
    unsigned w;          /* exact, outside REG_BITS */
    const char *pieces;  /* '|'-separated diag_text_next pieces, or NULL */
} dcase;

static const dcase diag_cases[] = {
    /* 5.4 DSN fields */
    {"54", "Status: 5.1.1", SMTPSTATUS_OK, "", 0, "5.1.1", "", 0, NULL},
    {"55", "Status: 5.1.1 (bad destination mailbox)", SMTPSTATUS_OK, "", 0,
     "5.1.1", "(bad destination mailbox)", 0, NULL},
    {"56", "Status: 5.1", SMTPSTATUS_ENOTFOUND, "", 0, "", "5.1", 0, NULL},
    {"57", "Status: 4.04.1", SMTPSTATUS_ENOTFOUND, "", 0, "", "4.04.1", 0,
     NULL},
    {"58",
     "Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>... User Unknown",
     SMTPSTATUS_OK, "smtp", 550, "5.1.1",
     "<kijitora@example.jp>... User Unknown", 0, NULL},
    {"58 value", "smtp; 550 5.1.1 <kijitora@example.jp>... User Unknown",
     SMTPSTATUS_OK, "smtp", 550, "5.1.1",
     "<kijitora@example.jp>... User Unknown", 0, NULL},
    {"59", "Diagnostic-Code: smtp;550 5.2.2 STOREDRV.Deliver: mailbox full.",
     SMTPSTATUS_OK, "smtp", 550, "5.2.2", "STOREDRV.Deliver: mailbox full.", 0,
     NULL},
    {"60",
     "Diagnostic-Code: SMTP; 553 Invalid recipient kijitora@example.org "
     "(Mode: normal)",
     SMTPSTATUS_OK, "SMTP", 553, "",
     "Invalid recipient kijitora@example.org (Mode: normal)", 0, NULL},
    {"61",
     "Diagnostic-Code: smtp; 554 4.4.7 Message expired: unable to deliver in "
     "840 minutes.<421 4.4.2 Connection timed out>",
     SMTPSTATUS_OK, "smtp", 554, "4.4.7",
     "Message expired: unable to deliver in 840 minutes.<421 4.4.2 "
     "Connection timed out>",
     W(CLASS_MISMATCH), NULL},
    {"62",
     "Diagnostic-Code: smtp; 5.3.0 - Other mail system problem "
     "550-'Unknown user ...' (delivery attempts: 0)",
     SMTPSTATUS_OK, "smtp", 0, "5.3.0",
     "Other mail system problem 550-'Unknown user ...' (delivery attempts: "
     "0)",
     0, NULL},
    {"63",
     "Diagnostic-Code: smtp; 550-5.2.1 The email account that you tried to "
     "reach is disabled. Learn more at\r\n 550 5.2.1  "
     "https://support.google.com/mail/?p=DisabledUser ... - gsmtp",
     SMTPSTATUS_OK, "smtp", 550, "5.2.1",
     "The email account that you tried to reach is disabled. Learn more "
     "at\r\n 550 5.2.1  https://support.google.com/mail/?p=DisabledUser ... "
     "- gsmtp",
     0,
     "The email account that you tried to reach is disabled. Learn more "
     "at|https://support.google.com/mail/?p=DisabledUser ... - gsmtp"},
    {"63 unfolded",
     "550-5.2.1 The email account that you tried to reach is disabled. Learn "
     "more at 550 5.2.1  https://support.google.com/mail/?p=DisabledUser ... "
     "- gsmtp",
     SMTPSTATUS_OK, "", 550, "5.2.1", NULL, 0,
     "The email account that you tried to reach is disabled. Learn more "
     "at|https://support.google.com/mail/?p=DisabledUser ... - gsmtp"},
    {"flattened 3 lines",
     "550-5.1.1 The email account that you tried to reach does not exist. "
     "Please try 550-5.1.1 double-checking the recipient's email address for "
     "typos or 550 5.1.1 unnecessary spaces. - gsmtp",
     SMTPSTATUS_OK, "", 550, "5.1.1", NULL, 0,
     "The email account that you tried to reach does not exist. Please "
     "try|double-checking the recipient's email address for typos "
     "or|unnecessary spaces. - gsmtp"},
    {"flattened no status", "250-First line 250-Second line", SMTPSTATUS_OK,
     "", 250, "", "First line 250-Second line", 0, "First line|Second line"},
    {"text with the code", "550 5.1.1 sent 550 times", SMTPSTATUS_OK, "",
     550, "5.1.1", "sent 550 times", 0, "sent 550 times"},
    /* the forms `explain` accepts */
    {"bare reply code", "550", SMTPSTATUS_OK, "", 550, "", "", 0, ""},
    {"bare status", "5.1.1", SMTPSTATUS_OK, "", 0, "5.1.1", "", 0, NULL},
    {"code and status", "550 5.1.1", SMTPSTATUS_OK, "", 550, "5.1.1", "", 0,
     NULL},
    {"continuation line",
     "550-5.1.1 The email account that you tried to reach does not exist",
     SMTPSTATUS_OK, "", 550, "5.1.1",
     "The email account that you tried to reach does not exist", 0, NULL},
    {"dsn value", "smtp; 550 5.1.1 <a@b>: User unknown", SMTPSTATUS_OK, "smtp",
     550, "5.1.1", "<a@b>: User unknown", 0, NULL},
    {"dsn no space", "SMTP;550 5.2.2 mailbox full", SMTPSTATUS_OK, "SMTP", 550,
     "5.2.2", "mailbox full", 0, NULL},
    {"exchange", "#5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
     SMTPSTATUS_OK, "smtp", 550, "5.1.1",
     "RESOLVER.ADR.RecipNotFound; not found", W(HASH_STATUS), NULL},
    {"exchange mismatch", "#4.2.1 smtp;550 4.2.1", SMTPSTATUS_OK, "smtp", 550,
     "4.2.1", "", W(HASH_STATUS) | W(CLASS_MISMATCH), NULL},
    {"exchange hash only", "#5.1.1 Recipient not found", SMTPSTATUS_OK, "", 0,
     "5.1.1", "Recipient not found", W(HASH_STATUS), NULL},
    {"exchange differs", "#5.4.4 smtp;554 5.4.0 Unable to route",
     SMTPSTATUS_OK, "smtp", 554, "5.4.0", "Unable to route",
     W(HASH_STATUS) | W(STATUS_DIFFERS), NULL},
    {"exchange hash code", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##",
     SMTPSTATUS_OK, "", 550, "5.1.1",
     "RESOLVER.ADR.RecipNotFound; not found ##", 0, NULL},
    {"hash after code", "smtp; 550 #5.1.0 Address rejected.", SMTPSTATUS_OK,
     "smtp", 550, "5.1.0", "Address rejected.", W(HASH_STATUS), NULL},
    {"banner first",
     "smtp; 220-laposte 421 4.2.1 Service refuse. Veuillez essayer plus tard.",
     SMTPSTATUS_OK, "smtp", 421, "4.2.1",
     "Service refuse. Veuillez essayer plus tard.", 0, NULL},
    {"2xx alone", "smtp; 250 Ok queued as 550 bytes", SMTPSTATUS_OK, "smtp",
     250, "", "Ok queued as 550 bytes", 0, NULL},
    {"qmail hash",
     "550 sorry, no mailbox here by that name (#5.1.1 - chkusr)",
     SMTPSTATUS_OK, "", 550, "5.1.1",
     "sorry, no mailbox here by that name (#5.1.1 - chkusr)", W(HASH_STATUS),
     NULL},
    {"qmail hash other class", "550 over quota (#4.2.2)", SMTPSTATUS_OK, "",
     550, "", "over quota (#4.2.2)", 0, NULL},
    {"postfix",
     "X-Postfix; host mx.example.com[192.0.2.1] said: 550 5.7.1 <x@y>: Relay "
     "access denied (in reply to RCPT TO command)",
     SMTPSTATUS_OK, "X-Postfix", 550, "5.7.1",
     "<x@y>: Relay access denied (in reply to RCPT TO command)", 0, NULL},
    {"free text",
     "host mx.example.com[192.0.2.1] said: 550 5.7.1 <x@y>: Relay access "
     "denied (in reply to RCPT TO command)",
     SMTPSTATUS_OK, "", 550, "5.7.1",
     "<x@y>: Relay access denied (in reply to RCPT TO command)", 0, NULL},
    {"free text status", "delivery failed with status 5.1.1 user unknown",
     SMTPSTATUS_OK, "", 0, "5.1.1", "user unknown", 0, NULL},
    {"free text status paren", "Recipient address rejected (5.1.1)",
     SMTPSTATUS_OK, "", 0, "5.1.1", ")", 0, NULL},
    {"free text status comma", "error 5.2.2, mailbox full", SMTPSTATUS_OK, "",
     0, "5.2.2", "mailbox full", 0, NULL},
    {"free text status end", "the status was 4.4.1", SMTPSTATUS_OK, "", 0,
     "4.4.1", "", 0, NULL},
    {"free text sentence", "the status was 4.4.1. Try later", SMTPSTATUS_OK,
     "", 0, "4.4.1", ". Try later", 0, NULL},
    {"free code only", "remote server replied 550 mailbox unavailable",
     SMTPSTATUS_OK, "", 550, "", "mailbox unavailable", 0, NULL},
    {"free code, status later",
     "the server said 550 Mailbox unavailable [status 5.2.1]", SMTPSTATUS_OK,
     "", 550, "5.2.1", "Mailbox unavailable [status 5.2.1]", 0, NULL},
    {"free code, other class status",
     "the server said 550 Mailbox unavailable; earlier 4.4.1", SMTPSTATUS_OK,
     "", 550, "", "Mailbox unavailable; earlier 4.4.1", 0, NULL},
    {"free pair wins",
     "message of 250 recipients refused: 552 5.5.3 Too many recipients",
     SMTPSTATUS_OK, "", 552, "5.5.3", "Too many recipients", 0, NULL},
    {"ip address", "connect to 192.0.2.250 failed: 5.1.1.2 timeout",
     SMTPSTATUS_ENOTFOUND, "", 0, "",
     "connect to 192.0.2.250 failed: 5.1.1.2 timeout", 0, NULL},
    {"ip address 2", "connect to 10.5.1.1 port 25 refused",
     SMTPSTATUS_ENOTFOUND, "", 0, "", NULL, 0, NULL},
    {"version", "Exim 4.92.3 said hello", SMTPSTATUS_ENOTFOUND, "", 0, "",
     NULL, 0, NULL},
    {"size", "message size 550 bytes exceeds 450 KB", SMTPSTATUS_ENOTFOUND, "",
     0, "", NULL, 0, NULL},
    {"date", "on 2023-550 at 12:30", SMTPSTATUS_ENOTFOUND, "", 0, "", NULL, 0,
     NULL},
    {"long number", "ticket 45501 opened", SMTPSTATUS_ENOTFOUND, "", 0, "",
     NULL, 0, NULL},
    {"nothing", "  Mailbox full  ", SMTPSTATUS_ENOTFOUND, "", 0, "",
     "Mailbox full", 0, NULL},
    {"type only", "X-Unix; mailbox is full", SMTPSTATUS_ENOTFOUND, "X-Unix", 0,
     "", "mailbox is full", 0, NULL},
    {"empty", "", SMTPSTATUS_ENOTFOUND, "", 0, "", "", 0, NULL},
    {"long detail", "550 5.7.606 Access denied, banned sending IP",
     SMTPSTATUS_OK, "", 550, "5.7.606", "Access denied, banned sending IP",
     W(LONG_DETAIL), NULL},
    {"diag 3xx", "354 2.0.0 go", SMTPSTATUS_OK, "", 354, "2.0.0", "go",
     W(STATUS_NOT_EXPECTED), NULL},
    {"invalid code", "650 6.1.1 Something", SMTPSTATUS_ENOTFOUND, "", 0, "",
     NULL, 0, NULL},
    /* codes far into free text (the scans for digits go 16 bytes at a
     * time: more than 16 bytes before the code, a tail after it) */
    {"far pair",
     "The mail server could not deliver the message to the recipient: "
     "550 5.1.1 user unknown",
     SMTPSTATUS_OK, "", 550, "5.1.1", "user unknown", 0, NULL},
    {"far status",
     "sorry, the mailbox of that recipient is not here, status 5.2.2 "
     "mailbox full",
     SMTPSTATUS_OK, "", 0, "5.2.2", "mailbox full", 0, NULL},
    {"far code at end",
     "delivery to the mailbox failed permanently after several tries 554",
     SMTPSTATUS_OK, "", 554, "", "", 0, NULL},
    {"far qmail hash",
     "550 sorry, no mailbox here by that name, it was removed long ago "
     "(#5.1.1)",
     SMTPSTATUS_OK, "", 550, "5.1.1",
     "sorry, no mailbox here by that name, it was removed long ago (#5.1.1)",
     W(HASH_STATUS), NULL},
    {"far no code",
     "a very long text without any code at all in it, none, nothing 1 6 7 8 "
     "9 0",
     SMTPSTATUS_ENOTFOUND, "", 0, "", NULL, 0, NULL},
    {"far status after a 3.x", "version 4.92.3 of the mailer said 3.1.1 and 5.7.1",
     SMTPSTATUS_OK, "", 0, "5.7.1", "", 0, NULL},
};

static void check_diag_case(const dcase *c) {
    smtpstatus_diag d;
    smtpstatus_rc rc;
    char st[16], txt[256];
    size_t len = strlen(c->in);
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        CHECKF(0, "diag %s: out of memory", c->id);
        return;
    }
    if (len)
        memcpy(copy, c->in, len);
    rc = smtpstatus_diag_parse(copy, len, &d);
    CHECKF(rc == c->rc, "diag %s: rc %d, want %d", c->id, (int)rc, (int)c->rc);
    slice_copy(d.type, txt, sizeof(txt));
    CHECKF(slice_is(d.type, c->type), "diag %s: type '%s'", c->id, txt);
    CHECKF(d.reply_code == c->code, "diag %s: code %d, want %d", c->id,
          d.reply_code, c->code);
    smtpstatus_status_format(&d.status, st, sizeof(st));
    CHECKF(strcmp(st, c->status) == 0, "diag %s: status '%s', want '%s'",
          c->id, st, c->status);
    if (c->text) {
        slice_copy(d.text, txt, sizeof(txt));
        CHECKF(slice_is(d.text, c->text), "diag %s: text '%s'", c->id, txt);
    }
    CHECKF((d.warnings & ~REG_BITS) == c->w, "diag %s: warnings 0x%x, want 0x%x",
          c->id, d.warnings & ~REG_BITS, c->w);
    if (c->pieces) {
        const char *want = c->pieces;
        size_t pos = 0, n = 0;
        smtpstatus_slice p;
        while (*want) {
            const char *bar = strchr(want, '|');
            size_t wl = bar ? (size_t)(bar - want) : strlen(want);
            rc = smtpstatus_diag_text_next(&d, &pos, &p);
            CHECKF(rc == SMTPSTATUS_OK, "diag %s: piece %zu missing", c->id, n);
            if (rc != SMTPSTATUS_OK)
                break;
            slice_copy(p, txt, sizeof(txt));
            CHECKF(p.len == wl && memcmp(p.ptr, want, wl) == 0,
                  "diag %s: piece %zu is '%s'", c->id, n, txt);
            n++;
            if (!bar)
                break;
            want = bar + 1;
        }
        CHECKF(smtpstatus_diag_text_next(&d, &pos, &p) == SMTPSTATUS_ENOTFOUND,
              "diag %s: more pieces than expected", c->id);
    }
    free(copy);
}

/* ------------------------------------------------------------------ */

static void check_names(void) {
    unsigned bit;
    int rc;
    for (bit = 1; bit <= SMTPSTATUS_W_HASH_STATUS; bit <<= 1) {
        const char *n = smtpstatus_warning_name(bit);
        const char *t = smtpstatus_warning_text(bit);
        CHECKF(n && *n && t && *t, "warning bit 0x%x has no name or text", bit);
    }
    CHECKF(smtpstatus_warning_name(0) == NULL, "name of 0");
    CHECKF(smtpstatus_warning_name(3) == NULL, "name of two bits");
    CHECKF(smtpstatus_warning_name(SMTPSTATUS_W_HASH_STATUS << 1) == NULL,
          "name of an unused bit");
    CHECKF(strcmp(smtpstatus_warning_name(W(BARE_LF)), "bare_lf") == 0,
          "bare_lf name");
    for (rc = SMTPSTATUS_OK; rc <= SMTPSTATUS_ECALLBACK; rc++) {
        const char *m = smtpstatus_strerror((smtpstatus_rc)rc);
        CHECKF(m && *m && strcmp(m, smtpstatus_strerror((smtpstatus_rc)99)) != 0,
              "strerror(%d)", rc);
    }
    CHECKF(strcmp(smtpstatus_version(), SMTPSTATUS_VERSION_STRING) == 0,
          "version");
}

/* A grammatical reply code that the registry marks non-standard gets
 * W_NONSTANDARD; a standard one gets neither registry bit. */
static void check_registry_bits(void) {
    size_t i, n = smtpstatus_reply_count(), found = 0;
    for (i = 0; i < n; i++) {
        const smtpstatus_reply_info *ri = smtpstatus_reply_at(i);
        char in[32];
        smtpstatus_reply r;
        if (!ri || ri->code < 200 || ri->code > 559 ||
            (ri->code / 10) % 10 > 5)
            continue;
        snprintf(in, sizeof(in), "%d text\r\n", ri->code);
        if (smtpstatus_reply_parse(in, strlen(in), 0, &r) != SMTPSTATUS_OK) {
            CHECKF(0, "registry code %d does not parse", ri->code);
            continue;
        }
        if (ri->standard)
            CHECKF(!(r.warnings & (W(NONSTANDARD) | W(UNKNOWN_CODE))),
                  "standard code %d flagged 0x%x", ri->code, r.warnings);
        else
            CHECKF((r.warnings & W(NONSTANDARD)) &&
                      !(r.warnings & W(UNKNOWN_CODE)),
                  "non-standard code %d flagged 0x%x", ri->code, r.warnings);
        found++;
    }
    CHECKF(found > 0, "no grammatical reply codes in the registry");
}

static void check_api_edges(void) {
    smtpstatus_reply r;
    smtpstatus_diag d;
    smtpstatus_status st = {5, 1, 1};
    char buf[16];
    size_t pos = 0;
    smtpstatus_slice s;
    CHECKF(smtpstatus_reply_parse("250 OK\r\n", 8, 0, NULL) == SMTPSTATUS_EINVAL,
          "reply_parse NULL out");
    CHECKF(smtpstatus_reply_parse(NULL, 3, 0, &r) == SMTPSTATUS_EINVAL,
          "reply_parse NULL buf");
    CHECKF(smtpstatus_diag_parse(NULL, 3, &d) == SMTPSTATUS_EINVAL,
          "diag_parse NULL buf");
    CHECKF(smtpstatus_diag_parse(NULL, 0, &d) == SMTPSTATUS_ENOTFOUND,
          "diag_parse empty");
    CHECKF(smtpstatus_status_parse(NULL, 5, &st, NULL) == SMTPSTATUS_EINVAL,
          "status_parse NULL buf");
    CHECKF(smtpstatus_reply_line(NULL, &r, &pos, &s) == SMTPSTATUS_EINVAL,
          "reply_line NULL");
    CHECKF(smtpstatus_diag_text_next(NULL, &pos, &s) == SMTPSTATUS_EINVAL,
          "diag_text_next NULL");
    st.klass = 5;
    st.subject = 7;
    st.detail = 606;
    CHECKF(strcmp(smtpstatus_status_format(&st, buf, sizeof(buf)), "5.7.606") ==
              0,
          "format 5.7.606");
    st.klass = 0;
    CHECKF(strcmp(smtpstatus_status_format(&st, buf, sizeof(buf)), "") == 0,
          "format empty");
    CHECKF(strcmp(smtpstatus_status_format(NULL, buf, sizeof(buf)), "") == 0,
          "format NULL");
}

/* Replay tests/regress/<dir>/ through one property check. */
static void replay(const char *dir,
                   const char *(*check)(const char *, size_t)) {
    char path[512];
    DIR *dp;
    struct dirent *de;
    size_t files = 0;
    snprintf(path, sizeof(path), "regress/%s", dir);
    dp = opendir(path);
    if (!dp)
        return; /* no regression inputs (yet) */
    while ((de = readdir(dp)) != NULL && files < 10000) {
        FILE *f;
        char *data;
        long n;
        const char *bad;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "regress/%s/%s", dir, de->d_name);
        f = fopen(path, "rb");
        if (!f)
            continue;
        if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0) {
            fclose(f);
            continue;
        }
        data = malloc(n ? (size_t)n : 1);
        if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
            CHECKF(0, "cannot read %s", path);
            free(data);
            fclose(f);
            continue;
        }
        fclose(f);
        bad = check(data, (size_t)n);
        CHECKF(bad == NULL, "%s: %s", path, bad ? bad : "");
        free(data);
        files++;
    }
    closedir(dp);
    printf("replayed %zu inputs from regress/%s\n", files, dir);
}

/* Random inputs of up to 64 bytes, biased towards the bytes that matter. */
static void random_inputs(void) {
    static const char alphabet[] = "0123456789012345.....-- \r\n#;:,()x5.1.1 "
                                   "550 smtp;\t\xC3";
    unsigned long seed = 12345;
    size_t iter, bad = 0;
    for (iter = 0; iter < 200000; iter++) {
        size_t len, i;
        char *buf;
        const char *why;
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        len = (size_t)((seed >> 33) % 65);
        buf = malloc(len ? len : 1);
        if (!buf)
            break;
        for (i = 0; i < len; i++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            if ((seed >> 60) == 0)
                buf[i] = (char)(seed >> 40); /* any byte */
            else
                buf[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
        }
        why = ssc_check_reply(buf, len);
        if (!why)
            why = ssc_check_status(buf, len);
        if (!why)
            why = ssc_check_diag(buf, len);
        if (why && bad++ < 5)
            CHECKF(0, "random input %zu (%zu bytes): %s", iter, len, why);
        free(buf);
    }
    CHECKF(bad == 0, "%zu random inputs broke a property", bad);
}

int main(void) {
    size_t i;
    char line36[600], line37[600];
    rcase c36, c37;
    static const char *const t43b[] = {
        "SPF MAIL FROM check failed:", "The domain example.com explains:",
        "Please see http://www.example.com/mailpolicy.html"};
    static const char *const t49[] = {"User unknown", "Second reply"};

    for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++)
        check_reply_case(&reply_cases[i], reply_cases[i].in,
                         strlen(reply_cases[i].in));

    /* 36: exactly 512 octets; 37: 513 */
    memcpy(line36, "550 5.7.1 ", 10);
    memset(line36 + 10, 'x', 500);
    memcpy(line36 + 510, "\r\n", 3);
    memcpy(line37, "550 5.7.1 ", 10);
    memset(line37 + 10, 'x', 501);
    memcpy(line37 + 511, "\r\n", 3);
    memset(&c36, 0, sizeof(c36));
    c36.id = "36";
    c36.in = line36;
    c36.rc = SMTPSTATUS_OK;
    c36.code = 550;
    c36.status = "5.7.1";
    c36.text = line36 + 10;
    c36.nlines = 1;
    c36.consumed = NOPOS;
    c37 = c36;
    c37.id = "37";
    c37.in = line37;
    c37.text = line37 + 10;
    c37.w = W(LONG_LINE);
    line36[510] = '\0'; /* text = the x's */
    {
        char in36[600];
        memcpy(in36, line36, 510);
        memcpy(in36 + 510, "\r\n", 3);
        CHECKF(strlen(in36) == 512, "case 36 is 512 octets");
        check_reply_case(&c36, in36, strlen(in36));
        line36[510] = '\r';
    }
    line37[511] = '\0';
    {
        char in37[600];
        memcpy(in37, line37, 511);
        memcpy(in37 + 511, "\r\n", 3);
        CHECKF(strlen(in37) == 513, "case 37 is 513 octets");
        check_reply_case(&c37, in37, strlen(in37));
    }

    check_sequence("43b",
                   "550 5.7.1 SPF MAIL FROM check failed:\r\n550 5.7.1 The "
                   "domain example.com explains:\r\n550 5.7.1 Please see "
                   "http://www.example.com/mailpolicy.html\r\n",
                   550, "5.7.1", t43b, 3);
    check_sequence("49",
                   "550 5.1.1 User unknown\r\n550 5.1.1 Second reply\r\n", 550,
                   "5.1.1", t49, 2);

    for (i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++) {
        const scase *c = &status_cases[i];
        smtpstatus_status st;
        size_t n = 99;
        char out[16];
        smtpstatus_rc rc =
            smtpstatus_status_parse(c->in, strlen(c->in), &st, &n);
        smtpstatus_status_format(&st, out, sizeof(out));
        CHECKF(rc == c->rc && strcmp(out, c->status) == 0 && n == c->consumed,
              "status %s: rc %d '%s' consumed %zu", c->id, (int)rc, out, n);
    }

    for (i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++)
        check_diag_case(&diag_cases[i]);

    check_names();
    check_api_edges();
    check_registry_bits();
    replay("fuzz_reply", ssc_check_reply);
    replay("fuzz_status", ssc_check_status);
    replay("fuzz_diag", ssc_check_diag);
    random_inputs();

    return check_report();
}
