/*
 * test_provutil.c - unit tests of the text helpers the provider decoders
 * and the fallback share (lib/decoders/provutil.c): address lines, the
 * SMTP command from a diagnostic, quoted and leading reply codes, cutting
 * the text at the copy of the original message, recipient blocks and
 * recipient lists.  The decoders themselves are tested end to end by the
 * fixtures in tests/fixtures/decoders (t_decoders.sh).
 */
#include <stdio.h>
#include <string.h>

#include "decoders/provutil.h"
#include "check.h"



static ss_str S(const char *s) { return ss_str_make(s, strlen(s)); }

static int eq(ss_str a, const char *b) {
    return a.len == strlen(b) && (a.len == 0 || memcmp(a.ptr, b, a.len) == 0);
}

static void test_addr_line(void) {
    static const struct {
        const char *line, *want;
    } cases[] = {
        {"user@example.org", "user@example.org"},
        {"   user@example.org   ", "user@example.org"},
        {"<user@example.org>:", "user@example.org"},
        {"\"user@example.org\":", "user@example.org"},
        {"  <mailto:user@example.org>", "user@example.org"},
        {"user@example.org: 550 User unknown", ""},
        {"Mail to user@example.org failed", ""},
        {"user@localhost", ""},
        {"a@b@example.org", ""},
        {"@example.org", ""},
        {"", ""},
        {"Reason:", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ss_str got = pv_addr_line(S(cases[i].line));
        CHECKF(eq(got, cases[i].want), "pv_addr_line(\"%s\") = \"%.*s\", want \"%s\"",
              cases[i].line, (int)got.len, got.ptr ? got.ptr : "", cases[i].want);
    }
}

static void test_command(void) {
    static const struct {
        const char *diag, *want;
    } cases[] = {
        {"550 5.1.1 <a@example.org>... User Unknown [RCPT_TO]", "RCPT"},
        {"501 5.1.8 Sender address rejected [MAIL_FROM]", "MAIL"},
        {"SMTP error from remote server after RCPT command:", "RCPT"},
        {"host x said: 550 (in reply to RCPT TO command)", "RCPT"},
        {"host x said: 550 (in reply to MAIL FROM command)", "MAIL"},
        {"host x said: 554 rejected (in reply to end of DATA command)", "DATA"},
        {"refused to accept your message (DATA)", "DATA"},
        {"550 metadata mismatch", ""},
        {"550 User unknown", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ss_str got = pv_command(S(cases[i].diag));
        CHECKF(eq(got, cases[i].want), "pv_command(\"%s\") = \"%.*s\", want \"%s\"",
              cases[i].diag, (int)got.len, got.ptr ? got.ptr : "", cases[i].want);
    }
}

static void test_replies(void) {
    ss_fact f;
    memset(&f, 0, sizeof f);
    pv_inner_reply(NULL, &f, S("554 4.4.7 Message expired: unable to deliver.<421 4.4.2 Connection timed out>"));
    CHECKF(eq(f.reply_code, "421") && eq(f.status, "4.4.2"),
          "inner reply: %.*s %.*s", (int)f.reply_code.len,
          f.reply_code.ptr ? f.reply_code.ptr : "", (int)f.status.len,
          f.status.ptr ? f.status.ptr : "");
    ss_arena arena;
    ss_arena_init(&arena, 0);
    memset(&f, 0, sizeof f);
    pv_inner_reply(&arena, &f, S("554 4.4.7 Message expired.<421 4.4.2 Connection timed out>"));
    CHECKF(eq(f.diagnostic, "421 4.4.2 Connection timed out (554 4.4.7 Message expired.)"),
          "inner reply first: %.*s", (int)f.diagnostic.len,
          f.diagnostic.ptr ? f.diagnostic.ptr : "");
    ss_arena_free(&arena);
    memset(&f, 0, sizeof f);
    pv_inner_reply(NULL, &f, S("550 5.1.1 <user@example.org>... User unknown"));
    CHECKF(f.reply_code.len == 0 && f.status.len == 0, "no inner reply in an address");

    memset(&f, 0, sizeof f);
    pv_lead_reply(&f, S("550: 5.2.2 <a@example.org>... Mailbox Full"));
    CHECKF(eq(f.reply_code, "550"), "lead reply 550:");
    memset(&f, 0, sizeof f);
    pv_lead_reply(&f, S("  452 4.2.2 over quota"));
    CHECKF(eq(f.reply_code, "452"), "lead reply 452 after spaces");
    memset(&f, 0, sizeof f);
    pv_lead_reply(&f, S("5501 not a code"));
    CHECKF(f.reply_code.len == 0, "no lead reply in 5501");
    memset(&f, 0, sizeof f);
    pv_lead_reply(&f, S("No mx record found"));
    CHECKF(f.reply_code.len == 0, "no lead reply in words");
}

static void test_upto(void) {
    static const char *const markers[] = {"--- Below this line is a copy of the message",
                                          "Original message follows", NULL};
    const char *text = "Sorry.\n\n<a@example.org>:\n550 no\n\n"
                       "--- Below this line is a copy of the message.\n\n"
                       "From: b@example.org\nSubject: hi\n";
    ss_str after;
    ss_str before = pv_upto(S(text), markers, &after);
    CHECKF(before.len == strlen("Sorry.\n\n<a@example.org>:\n550 no\n\n"),
          "pv_upto: before has %zu bytes", before.len);
    CHECKF(ss_starts_ci(after, "From: b@example.org"), "pv_upto: after starts at the headers");

    const char *dashed = "Failed.\n-------- Original message follows --------\nFrom: x@example.org\n";
    before = pv_upto(S(dashed), markers, &after);
    CHECKF(eq(before, "Failed.\n"), "pv_upto: dashes around the marker");
    CHECKF(ss_starts_ci(after, "From: x@example.org"), "pv_upto: after a dashed marker");

    const char *none = "No marker here.\nAt all.\n";
    before = pv_upto(S(none), markers, &after);
    CHECKF(before.len == strlen(none) && after.len == 0, "pv_upto: no marker");

    /* a marker without dashes does not match an indented line */
    const char *indented = "Text\n   Original message follows\nmore\n";
    before = pv_upto(S(indented), markers, &after);
    CHECKF(before.len == strlen(indented), "pv_upto: indented line is not a marker");
}

static void test_blocks_and_list(void) {
    ss_arena arena;
    ss_arena_init(&arena, 0);
    ss_bounce b;
    memset(&b, 0, sizeof b);
    b.arena = &arena;
    const char *text = "A message could not be delivered:\n\n"
                       "\"one@example.org\":\n"
                       "SMTP error from remote server after RCPT command:\n"
                       "5.1.1 <one@example.org>... User Unknown\n"
                       "<two@example.org>\n\nReason:\ndelivery retry timeout exceeded\n";
    size_t n = pv_blocks(S(text), &b);
    CHECKF(n == 2 && b.nfacts == 2, "pv_blocks: %zu facts", n);
    if (b.nfacts == 2) {
        CHECKF(eq(b.facts[0].recipient, "one@example.org"), "block 1 recipient");
        CHECKF(eq(b.facts[0].diagnostic,
                 "SMTP error from remote server after RCPT command:\n"
                 "5.1.1 <one@example.org>... User Unknown"),
              "block 1 diagnostic: %.*s", (int)b.facts[0].diagnostic.len,
              b.facts[0].diagnostic.ptr ? b.facts[0].diagnostic.ptr : "");
        CHECKF(eq(b.facts[1].recipient, "two@example.org"), "block 2 recipient");
        CHECKF(eq(b.facts[1].diagnostic, "delivery retry timeout exceeded"),
              "block 2 diagnostic without the Reason: label");
        CHECKF(b.facts[0].reason == -1 && b.facts[0].hard == -1,
              "facts leave reason and hard to the classifier");
    }

    memset(&b, 0, sizeof b);
    b.arena = &arena;
    n = pv_add_list(&b, S(" a@example.org, b@example.net,,not-an-address c@example.com"),
                    S("diag"));
    CHECKF(n == 3 && b.nfacts == 3, "pv_add_list: %zu facts", n);
    if (b.nfacts == 3) {
        CHECKF(eq(b.facts[0].recipient, "a@example.org"), "list 1");
        CHECKF(eq(b.facts[1].recipient, "b@example.net"), "list 2");
        CHECKF(eq(b.facts[2].recipient, "c@example.com"), "list 3");
        CHECKF(eq(b.facts[2].diagnostic, "diag"), "list diagnostic");
    }

    /* the recipient limit is honoured */
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_recipients = 2;
    memset(&b, 0, sizeof b);
    b.arena = &arena;
    b.limits = &lim;
    n = pv_add_list(&b, S("a@example.org b@example.org c@example.org"), SS_NULLSTR);
    CHECKF(n == 2 && b.nfacts == 2 && (b.warnings & SMTPSTATUS_RW_RCPT_LIMIT),
          "pv_add_list stops at the recipient limit (%zu)", n);
    ss_arena_free(&arena);
}

int main(void) {
    test_addr_line();
    test_command();
    test_replies();
    test_upto();
    test_blocks_and_list();
    return check_report();
}
