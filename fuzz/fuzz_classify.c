/*
 * fuzz_classify.c - libFuzzer target for the classifier (lib/classify.c,
 * lib/rhost.c, the phrase automaton): builds smtpstatus_evidence from the
 * input bytes (reply code, status code, SMTP command, action, diagnostic
 * type, host names, recipient domain and the diagnostic text, each in an
 * exact-size heap copy so that ASan sees over-reads), runs
 * smtpstatus_classify() and smtpstatus_is_hard_bounce(), and traps when the
 * verdict is out of range or has no rule name.
 *
 * Does not: parse replies (fuzz_reply, fuzz_diag) or messages.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpstatus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fc_fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

static const char *const fc_commands[] = {
    NULL, "HELO", "EHLO", "MAIL", "RCPT", "DATA", "CONN", "STARTTLS",
    "AUTH", "BDAT", "QUIT", "rcpt", "", "RSET"};
static const char *const fc_actions[] = {
    NULL, "failed", "delayed", "delivered", "relayed", "expanded", "",
    "FAILED", "deliverable"};
static const char *const fc_types[] = {NULL, "SMTP", "X-Unix", "X-Postfix",
                                       "smtp", "", "X-Local"};

/* Take the next '\n'-separated field of the input as a NUL-terminated
 * heap string (NULL when the input is used up or on no memory). */
static char *fc_field(const uint8_t **p, size_t *n) {
    if (*n == 0)
        return NULL;
    const uint8_t *nl = memchr(*p, '\n', *n);
    size_t len = nl ? (size_t)(nl - *p) : *n;
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    memcpy(s, *p, len);
    s[len] = 0;
    *p += nl ? len + 1 : len;
    *n -= nl ? len + 1 : len;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 6)
        return 0;
    smtpstatus_evidence ev;
    memset(&ev, 0, sizeof ev);
    /* bytes 0-5: codes and table picks */
    ev.reply_code = (data[0] | (data[1] << 8)) % 1000;
    static const int klasses[] = {0, 2, 4, 5, 5, 4, 1, 9};
    ev.status.klass = klasses[data[2] & 7];
    ev.status.subject = (data[2] >> 3) % 8 + (data[3] & 0x80 ? 993 : 0);
    ev.status.detail = data[3] & 0x7F;
    if (data[4] & 0x80)
        ev.status.detail += 900;
    ev.command = fc_commands[data[4] % (sizeof fc_commands / sizeof *fc_commands)];
    ev.action = fc_actions[data[5] % (sizeof fc_actions / sizeof *fc_actions)];
    ev.diagnostic_type = fc_types[(data[5] >> 4) % (sizeof fc_types / sizeof *fc_types)];
    const uint8_t *p = data + 6;
    size_t n = size - 6;
    /* then three '\n'-separated host fields, then the text */
    char *remote = fc_field(&p, &n);
    char *domain = fc_field(&p, &n);
    char *reporting = fc_field(&p, &n);
    char *text = malloc(n ? n : 1);
    if (text && n)
        memcpy(text, p, n);
    ev.remote_host = remote;
    ev.recipient_domain = domain;
    ev.reporting_host = reporting;
    ev.text = text;
    ev.text_len = text ? n : 0;
    smtpstatus_verdict v;
    memset(&v, 0, sizeof v);
    smtpstatus_classify(&ev, &v);
    if ((unsigned)v.reason >= (unsigned)SMTPSTATUS_R_COUNT_)
        fc_fail("reason out of range");
    if (!smtpstatus_reason_name(v.reason) || !smtpstatus_reason_meaning(v.reason) ||
        !smtpstatus_reason_advice(v.reason) ||
        !smtpstatus_reason_bounce_type(v.reason))
        fc_fail("reason without name or text");
    if (v.hard_bounce != 0 && v.hard_bounce != 1)
        fc_fail("hard_bounce not 0/1");
    if (!v.why)
        fc_fail("no rule name");
    if (smtpstatus_reason_from_name(smtpstatus_reason_name(v.reason)) != v.reason)
        fc_fail("reason name does not map back");
    /* the same evidence with the command as text: must not crash */
    smtpstatus_evidence ev2 = ev;
    ev2.command = domain;
    smtpstatus_classify(&ev2, &v);
    if ((unsigned)v.reason >= (unsigned)SMTPSTATUS_R_COUNT_ || !v.why)
        fc_fail("reason out of range (command from input)");
    int hard = smtpstatus_is_hard_bounce(v.reason, ev.reply_code, &ev.status,
                                         ev.text, ev.text_len);
    if (hard != 0 && hard != 1)
        fc_fail("is_hard_bounce not 0/1");
    (void)smtpstatus_is_hard_bounce((smtpstatus_reason)(data[0] % 40),
                                    ev.reply_code, NULL, NULL, 0);
    free(remote);
    free(domain);
    free(reporting);
    free(text);
    return 0;
}
