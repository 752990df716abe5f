/*
 * fuzz_analyzer.c - libFuzzer target for the whole bounce analyzer:
 * smtpstatus_analyze_message() on the input (which parses MIME, converts
 * charsets and runs every decoder in turn and the classifier), once with
 * the default options and small limits, once with
 * SMTPSTATUS_O_ALL|SMTPSTATUS_O_DELIVERED|SMTPSTATUS_O_VACATION, then
 * smtpstatus_analyze_buffer() (mbox detection).  The record callback
 * touches every string field and traps when a property breaks: strings
 * are never NULL, are valid UTF-8, the reason is in range, record warnings
 * are known bits, the record count in the stats matches the records
 * handed out, and a record with a warning moves stats.warnings.  ASan/UBSan catch memory errors.
 *
 * Does not: read files (fuzz_mbox and fuzz_folder do).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpstatus.h"
#include "utf8_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FA_ALL_RW 0x1FFu

static void fa_fail(const char *what) {
    fprintf(stderr, "property broken: %s\n", what);
    __builtin_trap();
}

static size_t fa_touch(const char *s, const char *field) {
    if (!s) {
        fprintf(stderr, "NULL field %s\n", field);
        fa_fail("string field is NULL");
    }
    size_t n = strlen(s);
    if (!ssf_utf8_valid(s, n)) {
        fprintf(stderr, "field %s not UTF-8\n", field);
        fa_fail("string field not UTF-8");
    }
    return n;
}

typedef struct fa_count {
    size_t records;
    size_t with_warnings;
    size_t stop_after; /* 0: never stop */
} fa_count;

static int fa_record(const smtpstatus_record *r, void *user) {
    fa_count *c = user;
    size_t sum = 0;
    sum += fa_touch(r->source, "source");
    sum += fa_touch(r->recipient, "recipient");
    sum += fa_touch(r->alias, "alias");
    sum += fa_touch(r->action, "action");
    sum += fa_touch(r->status, "status");
    sum += fa_touch(r->reply_code, "reply_code");
    sum += fa_touch(r->diagnostic_code, "diagnostic_code");
    sum += fa_touch(r->diagnostic_type, "diagnostic_type");
    sum += fa_touch(r->remote_mta, "remote_mta");
    sum += fa_touch(r->reporting_mta, "reporting_mta");
    sum += fa_touch(r->smtp_command, "smtp_command");
    sum += fa_touch(r->decoder, "decoder");
    sum += fa_touch(r->feedback_type, "feedback_type");
    sum += fa_touch(r->message_id, "message_id");
    sum += fa_touch(r->subject, "subject");
    sum += fa_touch(r->addresser, "addresser");
    sum += fa_touch(r->list_id, "list_id");
    sum += fa_touch(r->date, "date");
    sum += fa_touch(r->timezone_offset, "timezone_offset");
    (void)sum;
    if ((unsigned)r->reason >= (unsigned)SMTPSTATUS_R_COUNT_)
        fa_fail("reason out of range");
    if (!smtpstatus_reason_name(r->reason))
        fa_fail("reason has no name");
    if (r->hard_bounce != 0 && r->hard_bounce != 1)
        fa_fail("hard_bounce not 0/1");
    if (r->warnings & ~FA_ALL_RW)
        fa_fail("unknown record warning bit");
    for (unsigned bit = 1; bit <= 0x100u; bit <<= 1)
        if ((r->warnings & bit) && !smtpstatus_record_warning_name(bit))
            fa_fail("record warning without a name");
    if (r->status[0]) {
        smtpstatus_status st;
        if (smtpstatus_status_parse(r->status, strlen(r->status), &st, NULL) !=
            SMTPSTATUS_OK)
            fa_fail("status field does not parse");
    }
    if (r->message_number == 0)
        fa_fail("message number 0");
    c->records++;
    if (r->warnings)
        c->with_warnings++;
    if (c->stop_after && c->records >= c->stop_after)
        return 1;
    return 0;
}

static void fa_problem(const char *source, const char *what, void *user) {
    (void)user;
    if (!source || !what || !what[0])
        fa_fail("problem without source or text");
}

static void fa_run(smtpstatus_analyzer *an, const char *buf, size_t size,
                   int as_buffer, size_t stop_after) {
    smtpstatus_stats before, after;
    smtpstatus_analyzer_stats(an, &before);
    fa_count c;
    memset(&c, 0, sizeof c);
    c.stop_after = stop_after;
    smtpstatus_rc rc;
    if (as_buffer)
        rc = smtpstatus_analyze_buffer(an, buf, size, "fuzz", fa_record, &c);
    else
        rc = smtpstatus_analyze_message(an, buf, size, "fuzz", 1, fa_record,
                                        &c);
    smtpstatus_analyzer_stats(an, &after);
    if (rc == SMTPSTATUS_ECALLBACK && !stop_after)
        fa_fail("ECALLBACK without a stop");
    if (rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ECALLBACK &&
        rc != SMTPSTATUS_ENOMEM)
        fa_fail("unexpected return code");
    if (after.records - before.records != c.records)
        fa_fail("stats.records differs from records handed out");
    if (c.with_warnings && after.warnings == before.warnings)
        fa_fail("records with warnings but stats.warnings did not move");
    if (!as_buffer && after.messages - before.messages != 1)
        fa_fail("stats.messages not 1");
    if (after.bytes < before.bytes)
        fa_fail("stats.bytes went down");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static smtpstatus_analyzer *an_small, *an_all;
    if (!an_small) {
        smtpstatus_options o;
        memset(&o, 0, sizeof o);
        o.limits.max_message_size = 1 << 20;
        o.limits.max_header_size = 4096;
        o.limits.max_line_length = 2048;
        o.limits.max_mime_depth = 8;
        o.limits.max_parts = 64;
        o.limits.max_recipients = 20;
        o.limits.max_text_scan = 16384;
        an_small = smtpstatus_analyzer_new(&o);
        memset(&o, 0, sizeof o);
        o.flags = SMTPSTATUS_O_ALL | SMTPSTATUS_O_DELIVERED |
                  SMTPSTATUS_O_VACATION;
        o.limits.max_message_size = 1 << 20;
        an_all = smtpstatus_analyzer_new(&o);
        if (!an_small || !an_all)
            return 0;
        smtpstatus_analyzer_on_problem(an_small, fa_problem, NULL);
        smtpstatus_analyzer_on_problem(an_all, fa_problem, NULL);
    }
    /* an exact-size copy so that ASan sees reads past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    fa_run(an_small, buf, size, 0, 0);
    fa_run(an_all, buf, size, 0, 0);
    fa_run(an_all, buf, size, 1, size ? 1 + data[0] % 3 : 0);
    free(buf);
    return 0;
}
