/*
 * fuzz_explain.c - libFuzzer target for smtpstatus_explain() (lib/explain.c:
 * diagnostic parsing, registry lookups and the classifier on one string).
 * The input is an exact-size heap copy.  Traps when the text slice is not
 * inside the input, a code is out of range, the reason is out of range, or
 * a string the explanation points to is NULL where the API promises one.
 *
 * Does not: check the wording of explanations (the unit tests do).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpstatus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fe_fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    smtpstatus_explanation e;
    memset(&e, 0, sizeof e);
    smtpstatus_rc rc = smtpstatus_explain(buf, size, &e);
    if (rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ENOTFOUND &&
        rc != SMTPSTATUS_EINVAL)
        fe_fail("unexpected return code");
    if (rc == SMTPSTATUS_EINVAL) {
        free(buf);
        return 0;
    }
    if (e.text.len && (e.text.ptr < buf || e.text.ptr > buf + size ||
                       e.text.len > (size_t)(buf + size - e.text.ptr)))
        fe_fail("text outside the input");
    for (size_t i = 0; i < e.text.len; i++)
        (void)*(volatile const char *)(e.text.ptr + i);
    if (e.reply_code < 0 || e.reply_code > 999)
        fe_fail("reply code out of range");
    if (e.status.klass && e.status.klass != 2 && e.status.klass != 4 &&
        e.status.klass != 5)
        fe_fail("status class");
    if ((unsigned)e.verdict.reason >= (unsigned)SMTPSTATUS_R_COUNT_)
        fe_fail("reason out of range");
    if (!e.verdict.why)
        fe_fail("no rule name");
    if (!smtpstatus_actor_name(e.actor) || !smtpstatus_retry_name(e.retry))
        fe_fail("actor/retry without a name");
    if (e.klass)
        (void)strlen(e.klass);
    if (e.subject)
        (void)strlen(e.subject);
    if (e.advice)
        (void)strlen(e.advice);
    if (e.reply && e.reply->code != e.reply_code)
        fe_fail("reply info for another code");
    if (e.reply)
        (void)strlen(e.reply->meaning);
    if (e.status_info)
        (void)strlen(e.status_info->meaning);
    for (unsigned bit = 1; bit <= 0x4000u; bit <<= 1)
        if ((e.warnings & bit) && !smtpstatus_warning_name(bit))
            fe_fail("warning without a name");
    if (e.status.klass) {
        char sb[16];
        smtpstatus_status_format(&e.status, sb, sizeof sb);
        smtpstatus_status st;
        if (smtpstatus_status_parse(sb, strlen(sb), &st, NULL) != SMTPSTATUS_OK &&
            e.status.subject < 1000 && e.status.detail < 1000)
            (void)0; /* wild codes (X.0.0 forms) may not round-trip */
    }
    free(buf);
    return 0;
}
