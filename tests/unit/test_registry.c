/*
 * test_registry.c - unit tests of the code registry (lib/registry.c and the
 * generated lib/registry_data.c).
 *
 * Checks: every entry of the IANA enhanced status code list and every reply
 * code of the reference list (../../shared/ref, read at run time, skipped
 * when absent) is found with the same short name; counts agree with the
 * data files (../data); every entry has text, meaning and advice and valid
 * enums; tables are sorted; exact codes, subjects, classes and vendor
 * ranges are found; digit meanings and enum names.  Run with cwd tests/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "smtpstatus.h"
#include "check.h"



#define MAXF 16
#define LINE_MAX_LEN 16384

/* Split line (modified in place) at tabs; returns the number of fields. */
static int split_tabs(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    while (n < max) {
        char *t = strchr(p, '\t');
        f[n++] = p;
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

static int nonempty(const char *s) { return s != NULL && s[0] != '\0'; }

static int valid_retry(smtpstatus_retry r) {
    return r == SMTPSTATUS_RETRY_NO || r == SMTPSTATUS_RETRY_YES ||
           r == SMTPSTATUS_RETRY_AFTER_FIX || r == SMTPSTATUS_RETRY_NA;
}

static int valid_actor(smtpstatus_actor a) {
    return a >= SMTPSTATUS_ACTOR_NONE && a <= SMTPSTATUS_ACTOR_NOBODY;
}

/* Parse "X.n.m" / "X.n.YYY" / "k.XXX.YYY": returns 1 and fills out. */
static int parse_ref_code(const char *s, int *klass, int *subject,
                          int *detail) {
    char *end;
    long v;
    if (s[0] >= '2' && s[0] <= '5' && strcmp(s + 1, ".XXX.YYY") == 0) {
        *klass = s[0] - '0';
        *subject = -1;
        *detail = -1;
        return 1;
    }
    if (s[0] != 'X' || s[1] != '.')
        return 0;
    v = strtol(s + 2, &end, 10);
    if (end == s + 2 || *end != '.' || v < 0 || v > 999)
        return 0;
    *klass = 0;
    *subject = (int)v;
    if (strcmp(end, ".YYY") == 0) {
        *detail = -1;
        return 1;
    }
    s = end + 1;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < 0 || v > 999)
        return 0;
    *detail = (int)v;
    return 1;
}

static void test_iana_list(void) {
    FILE *fp = fopen("../../shared/ref/enhanced-status-codes.tsv", "r");
    static char line[LINE_MAX_LEN];
    int header = 1, rows = 0;
    if (!fp) {
        printf("IANA enhanced status code list: skipped (not found)\n");
        return;
    }
    while (fgets(line, sizeof line, fp)) {
        char *f[MAXF];
        int n = split_tabs(line, f, MAXF);
        int k, s, d;
        const smtpstatus_status_info *e;
        if (header) {
            header = 0;
            continue;
        }
        if (n < 3 || line[0] == '\0')
            continue;
        rows++;
        CHECKF(parse_ref_code(f[1], &k, &s, &d), "reference code %s", f[1]);
        if (!parse_ref_code(f[1], &k, &s, &d))
            continue;
        if (strcmp(f[0], "class") == 0)
            e = smtpstatus_class_lookup(k);
        else
            e = smtpstatus_status_lookup(s, d);
        CHECKF(e != NULL, "%s %s missing", f[0], f[1]);
        if (!e)
            continue;
        CHECKF(e->standard == 1, "%s not marked standard", f[1]);
        CHECKF(strcmp(e->code, f[1]) == 0, "%s listed as %s", f[1], e->code);
        CHECKF(e->klass == k && e->subject == s && e->detail == d,
              "%s fields %d.%d.%d", f[1], e->klass, e->subject, e->detail);
        if (strcmp(f[2], "(empty)") == 0) {
            /* X.6.10 has no name in the registry: ours says so. */
            CHECKF(strstr(e->name, "no name") != NULL, "%s name %s", f[1],
                  e->name);
        } else {
            CHECKF(strcmp(e->name, f[2]) == 0, "%s name '%s' want '%s'", f[1],
                  e->name, f[2]);
        }
    }
    fclose(fp);
    CHECKF(rows > 80, "only %d rows in the IANA list", rows);
    printf("IANA enhanced status code list: %d rows checked\n", rows);
}

static void test_reply_list(void) {
    FILE *fp = fopen("../../shared/ref/basic-reply-codes.tsv", "r");
    static char line[LINE_MAX_LEN];
    static char seen[1000], defined[1000];
    int header = 1, rows = 0, code;
    if (!fp) {
        printf("basic reply code list: skipped (not found)\n");
        return;
    }
    while (fgets(line, sizeof line, fp)) {
        char *f[MAXF];
        int n = split_tabs(line, f, MAXF);
        const smtpstatus_reply_info *e;
        if (header) {
            header = 0;
            continue;
        }
        if (n < 4 || line[0] == '\0')
            continue;
        rows++;
        code = atoi(f[0]);
        CHECKF(code >= 100 && code <= 999, "reference code %s", f[0]);
        if (code < 100 || code > 999)
            continue;
        e = smtpstatus_reply_lookup(code);
        CHECKF(e != NULL, "reply code %s missing", f[0]);
        if (!e)
            continue;
        CHECKF(e->code == code, "lookup %d gave %d", code, e->code);
        seen[code] = 1;
        /* Defined by an RFC or listed by IANA: standard, whatever vendors
         * make of it.  Only in drafts or vendor lists: non-standard. */
        if (strcmp(f[3], "standard") == 0 || strcmp(f[3], "extension") == 0 ||
            strcmp(f[3], "experimental") == 0 ||
            strcmp(f[3], "iana-esc-only") == 0)
            defined[code] = 1;
    }
    fclose(fp);
    for (code = 100; code < 1000; code++) {
        const smtpstatus_reply_info *e = smtpstatus_reply_lookup(code);
        if (seen[code] && e)
            CHECKF(e->standard == defined[code], "%d standard=%d want %d",
                  code, e->standard, defined[code]);
    }
    CHECKF(rows > 50, "only %d rows in the reply list", rows);
    printf("basic reply code list: %d rows checked\n", rows);
}

/* Count data rows and rows with standard == 1 (column 2) of a data file. */
static int count_data(const char *path, size_t *total, size_t *standard) {
    FILE *fp = fopen(path, "r");
    static char line[LINE_MAX_LEN];
    int header = 1;
    *total = *standard = 0;
    if (!fp)
        return 0;
    while (fgets(line, sizeof line, fp)) {
        char *f[MAXF];
        int n;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        n = split_tabs(line, f, MAXF);
        if (header) {
            header = 0;
            continue;
        }
        (*total)++;
        if (n > 1 && strcmp(f[1], "1") == 0)
            (*standard)++;
    }
    fclose(fp);
    return 1;
}

static void test_counts(void) {
    size_t total, std, i, nstd;
    if (count_data("../data/reply-codes.tsv", &total, &std)) {
        CHECKF(total == smtpstatus_reply_count(), "replies %zu vs %zu", total,
              smtpstatus_reply_count());
        for (i = 0, nstd = 0; i < smtpstatus_reply_count(); i++)
            nstd += smtpstatus_reply_at(i)->standard ? 1u : 0u;
        CHECKF(std == nstd, "standard replies %zu vs %zu", std, nstd);
        CHECKF(ss_registry_reply_standard_count == nstd, "generated count");
    } else {
        printf("data/reply-codes.tsv: skipped (not found)\n");
    }
    if (count_data("../data/status-codes.tsv", &total, &std)) {
        CHECKF(total == smtpstatus_status_count(), "statuses %zu vs %zu",
              total, smtpstatus_status_count());
        for (i = 0, nstd = 0; i < smtpstatus_status_count(); i++)
            nstd += smtpstatus_status_at(i)->standard ? 1u : 0u;
        CHECKF(std == nstd, "standard statuses %zu vs %zu", std, nstd);
        CHECKF(ss_registry_status_standard_count == nstd, "generated count");
    } else {
        printf("data/status-codes.tsv: skipped (not found)\n");
    }
}

static void test_reply_entries(void) {
    size_t i, n = smtpstatus_reply_count();
    int prev = -1;
    CHECKF(n > 60, "only %zu reply codes", n);
    for (i = 0; i < n; i++) {
        const smtpstatus_reply_info *e = smtpstatus_reply_at(i);
        CHECKF(e != NULL, "reply_at(%zu)", i);
        if (!e)
            continue;
        CHECKF(e->code > prev, "not sorted at %d", e->code);
        prev = e->code;
        CHECKF(e->code >= 100 && e->code <= 599, "code %d", e->code);
        CHECKF(nonempty(e->text), "%d text", e->code);
        CHECKF(nonempty(e->meaning), "%d meaning", e->code);
        CHECKF(nonempty(e->advice), "%d advice", e->code);
        CHECKF(nonempty(e->context), "%d context", e->code);
        CHECKF(e->rfcs != NULL, "%d rfcs", e->code);
        CHECKF(e->standard == 0 || e->standard == 1, "%d standard", e->code);
        CHECKF(valid_retry(e->retry), "%d retry", e->code);
        CHECKF(valid_actor(e->actor), "%d actor", e->code);
        CHECKF(smtpstatus_reply_lookup(e->code) == e, "lookup %d", e->code);
        /* Successes are not failed; failed are. */
        if (e->code >= 200 && e->code < 400)
            CHECKF(e->retry == SMTPSTATUS_RETRY_NA &&
                      e->actor == SMTPSTATUS_ACTOR_NONE,
                  "%d success with retry/actor", e->code);
        if (e->code >= 400)
            CHECKF(e->retry != SMTPSTATUS_RETRY_NA &&
                      e->actor != SMTPSTATUS_ACTOR_NONE,
                  "%d failure without retry/actor", e->code);
        if (e->standard)
            CHECKF(nonempty(e->rfcs), "%d standard without rfcs", e->code);
    }
    CHECKF(smtpstatus_reply_at(n) == NULL, "reply_at(count)");
    CHECKF(smtpstatus_reply_lookup(0) == NULL, "lookup 0");
    CHECKF(smtpstatus_reply_lookup(999) == NULL, "lookup 999");
    CHECKF(smtpstatus_reply_lookup(-550) == NULL, "lookup -550");
    CHECKF(smtpstatus_reply_lookup(599) == NULL, "lookup 599");
    {
        const smtpstatus_reply_info *e = smtpstatus_reply_lookup(550);
        CHECKF(e && e->standard == 1 && e->retry == SMTPSTATUS_RETRY_NO,
              "550");
        e = smtpstatus_reply_lookup(421);
        CHECKF(e && e->retry == SMTPSTATUS_RETRY_YES, "421 retry");
        e = smtpstatus_reply_lookup(251);
        CHECKF(e && strstr(e->context, "ETRN") && strstr(e->rfcs, "1985"),
              "251 keeps the ETRN meaning");
        e = smtpstatus_reply_lookup(420);
        CHECKF(e && e->standard == 0, "420 non-standard");
        e = smtpstatus_reply_lookup(556);
        CHECKF(e && e->standard == 1 && strstr(e->rfcs, "7504"), "556");
    }
}

static void test_status_entries(void) {
    size_t i, n = smtpstatus_status_count();
    int seen_enum = 0, psub = -2, pdet = -2;
    CHECKF(n > 100, "only %zu status entries", n);
    for (i = 0; i < n; i++) {
        const smtpstatus_status_info *e = smtpstatus_status_at(i);
        CHECKF(e != NULL, "status_at(%zu)", i);
        if (!e)
            continue;
        CHECKF(nonempty(e->code), "code at %zu", i);
        CHECKF(nonempty(e->name), "%s name", e->code);
        CHECKF(nonempty(e->meaning), "%s meaning", e->code);
        CHECKF(nonempty(e->advice), "%s advice", e->code);
        CHECKF(nonempty(e->classes), "%s classes", e->code);
        CHECKF(e->reply_codes != NULL && e->rfcs != NULL, "%s strings",
              e->code);
        CHECKF(valid_retry(e->retry_permanent), "%s retry_p", e->code);
        CHECKF(valid_retry(e->retry_transient), "%s retry_t", e->code);
        CHECKF(valid_actor(e->actor), "%s actor", e->code);
        if (e->klass != 0) {
            CHECKF(!seen_enum, "class entry %s after codes", e->code);
            CHECKF(e->subject == -1 && e->detail == -1, "%s class fields",
                  e->code);
            CHECKF(smtpstatus_class_lookup(e->klass) == e, "class %d",
                  e->klass);
            continue;
        }
        seen_enum = 1;
        CHECKF(e->subject > psub || (e->subject == psub && e->detail > pdet),
              "not sorted at %s", e->code);
        psub = e->subject;
        pdet = e->detail;
        if (e->detail == -1) {
            CHECKF(smtpstatus_status_lookup(e->subject, -1) == e,
                  "subject %d", e->subject);
        } else {
            int top = ss_registry_detail_max(e);
            const smtpstatus_status_info *l =
                smtpstatus_status_lookup(e->subject, e->detail);
            CHECKF(top >= e->detail, "%s top %d", e->code, top);
            if (top == e->detail) {
                CHECKF(l == e, "lookup %s", e->code);
            } else {
                /* A range: every detail in it finds it or a narrower entry
                 * (an exact code or a nested range). */
                int d;
                for (d = e->detail; d <= top; d++) {
                    l = smtpstatus_status_lookup(e->subject, d);
                    CHECKF(l != NULL && l->subject == e->subject,
                          "%s detail %d", e->code, d);
                    if (l && l != e)
                        CHECKF(ss_registry_detail_max(l) - l->detail <
                                  top - e->detail,
                              "%s detail %d found wider %s", e->code, d,
                              l->code);
                }
            }
            CHECKF(smtpstatus_status_lookup(e->subject, -1) != NULL,
                  "%s has no subject entry", e->code);
        }
        if (e->standard)
            CHECKF(nonempty(e->rfcs), "%s standard without rfcs", e->code);
    }
    CHECKF(smtpstatus_status_at(n) == NULL, "status_at(count)");
}

static void test_status_lookups(void) {
    const smtpstatus_status_info *e;
    int k, s;
    e = smtpstatus_status_lookup(1, 1);
    CHECKF(e && strcmp(e->name, "Bad destination mailbox address") == 0 &&
              e->retry_permanent == SMTPSTATUS_RETRY_NO,
          "5.1.1");
    e = smtpstatus_status_lookup(2, 2);
    CHECKF(e && e->retry_transient == SMTPSTATUS_RETRY_YES, "4.2.2");
    e = smtpstatus_status_lookup(7, 620);
    CHECKF(e && strcmp(e->code, "X.7.606-649") == 0 && e->standard == 0,
          "5.7.620 -> %s", e ? e->code : "NULL");
    e = smtpstatus_status_lookup(7, 606);
    CHECKF(e && strcmp(e->code, "X.7.606-649") == 0, "5.7.606");
    e = smtpstatus_status_lookup(7, 649);
    CHECKF(e && strcmp(e->code, "X.7.606-649") == 0, "5.7.649");
    e = smtpstatus_status_lookup(7, 600);
    CHECKF(e && strcmp(e->code, "X.7.500-699") == 0, "4.7.600 -> %s",
          e ? e->code : "NULL");
    e = smtpstatus_status_lookup(7, 509);
    CHECKF(e && strcmp(e->code, "X.7.509") == 0 && e->standard == 0,
          "5.7.509");
    e = smtpstatus_status_lookup(7, 650);
    CHECKF(e && strcmp(e->code, "X.7.650") == 0, "4.7.650");
    e = smtpstatus_status_lookup(7, 26);
    CHECKF(e && e->standard == 1 && strstr(e->meaning, "Gmail"), "5.7.26");
    CHECKF(smtpstatus_status_lookup(7, 800) == NULL, "5.7.800");
    CHECKF(smtpstatus_status_lookup(7, 99) == NULL, "5.7.99");
    CHECKF(smtpstatus_status_lookup(9, 9) == NULL, "X.9.9");
    CHECKF(smtpstatus_status_lookup(9, -1) == NULL, "X.9");
    CHECKF(smtpstatus_status_lookup(-1, 1) == NULL, "X.-1.1");
    CHECKF(smtpstatus_status_lookup(1, -2) == NULL, "X.1.-2");
    CHECKF(smtpstatus_status_lookup(1000, 0) == NULL, "X.1000.0");
    CHECKF(smtpstatus_status_lookup(1, 1000) == NULL, "X.1.1000");
    for (s = 0; s <= 7; s++) {
        e = smtpstatus_status_lookup(s, -1);
        CHECKF(e && e->klass == 0 && e->subject == s && e->detail == -1,
              "subject %d", s);
        e = smtpstatus_status_lookup(s, 0);
        CHECKF(e && e->detail == 0, "X.%d.0", s);
    }
    for (k = 0; k <= 6; k++) {
        e = smtpstatus_class_lookup(k);
        if (k == 2 || k == 4 || k == 5)
            CHECKF(e && e->klass == k && e->subject == -1 && e->detail == -1,
                  "class %d", k);
        else
            CHECKF(e == NULL, "class %d should not exist", k);
    }
    e = smtpstatus_class_lookup(4);
    CHECKF(e && e->retry_transient == SMTPSTATUS_RETRY_YES, "class 4 retry");
    e = smtpstatus_class_lookup(5);
    CHECKF(e && e->retry_permanent == SMTPSTATUS_RETRY_NO, "class 5 retry");
}

static void test_digits_and_names(void) {
    int d;
    for (d = -1; d <= 10; d++) {
        const char *m1 = smtpstatus_reply_digit_meaning(1, d);
        const char *m2 = smtpstatus_reply_digit_meaning(2, d);
        CHECKF((m1 != NULL) == (d >= 2 && d <= 5), "first digit %d", d);
        CHECKF((m2 != NULL) == (d >= 0 && d <= 5), "second digit %d", d);
        CHECKF(smtpstatus_reply_digit_meaning(3, d) == NULL, "third %d", d);
        CHECKF(smtpstatus_reply_digit_meaning(0, d) == NULL, "zeroth %d", d);
    }
    CHECKF(strstr(smtpstatus_reply_digit_meaning(1, 4), "Transient") != NULL,
          "4yz");
    CHECKF(strstr(smtpstatus_reply_digit_meaning(1, 5), "Permanent") != NULL,
          "5yz");
    CHECKF(strstr(smtpstatus_reply_digit_meaning(2, 5), "Mail system") != NULL,
          "x5z");
    CHECKF(strstr(smtpstatus_reply_digit_meaning(2, 0), "Syntax") != NULL,
          "x0z");
    CHECKF(strcmp(smtpstatus_actor_name(SMTPSTATUS_ACTOR_NONE), "none") == 0,
          "actor none");
    CHECKF(strcmp(smtpstatus_actor_name(SMTPSTATUS_ACTOR_SENDER), "sender") ==
              0,
          "actor sender");
    CHECKF(strcmp(smtpstatus_actor_name(SMTPSTATUS_ACTOR_RECIPIENT),
                 "recipient") == 0,
          "actor recipient");
    CHECKF(strcmp(smtpstatus_actor_name(SMTPSTATUS_ACTOR_ADMIN), "admin") == 0,
          "actor admin");
    CHECKF(strcmp(smtpstatus_actor_name(SMTPSTATUS_ACTOR_NOBODY), "nobody") ==
              0,
          "actor nobody");
    CHECKF(strcmp(smtpstatus_actor_name((smtpstatus_actor)99), "unknown") == 0,
          "actor 99");
    CHECKF(strcmp(smtpstatus_retry_name(SMTPSTATUS_RETRY_NO), "no") == 0,
          "retry no");
    CHECKF(strcmp(smtpstatus_retry_name(SMTPSTATUS_RETRY_YES), "yes") == 0,
          "retry yes");
    CHECKF(strcmp(smtpstatus_retry_name(SMTPSTATUS_RETRY_AFTER_FIX),
                 "after_fix") == 0,
          "retry after_fix");
    CHECKF(strcmp(smtpstatus_retry_name(SMTPSTATUS_RETRY_NA), "na") == 0,
          "retry na");
    CHECKF(strcmp(smtpstatus_retry_name((smtpstatus_retry)-1), "unknown") == 0,
          "retry -1");
}

int main(void) {
    test_iana_list();
    test_reply_list();
    test_counts();
    test_reply_entries();
    test_status_entries();
    test_status_lookups();
    test_digits_and_names();
    return check_report();
}
