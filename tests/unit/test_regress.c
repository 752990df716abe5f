/*
 * test_regress.c - replays every file kept under tests/regress/<target>/
 * (fuzz findings and edge cases) through the entry function of the fuzz
 * target of the same name: the fuzz sources are compiled into this
 * program with their LLVMFuzzerTestOneInput and file-local names renamed,
 * so `make check` runs the exact properties the fuzzer checked, in the
 * plain and in the sanitizer build.  A broken property traps (the test
 * crashes and fails); the file being replayed is printed first.  Runs with
 * cwd tests/.
 *
 * Does not: fuzz, or replay a folder whose target it does not know (it
 * says so; add the target to the table below).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- the fuzz targets, each under its own names ---- */
#define LLVMFuzzerTestOneInput rg_reply
#include "../../fuzz/fuzz_reply.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_status
#include "../../fuzz/fuzz_status.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_diag
#include "../../fuzz/fuzz_diag.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_mime
#define fail rg_mime_fail
#include "../../fuzz/fuzz_mime.c"
#undef fail
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_charset
#define fail rg_charset_fail
#define names rg_charset_names
#include "../../fuzz/fuzz_charset.c"
#undef names
#undef fail
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_mbox
#define fail rg_mbox_fail
#define fnv rg_mbox_fnv
#define run rg_mbox_run
#define path rg_mbox_path
#define cleanup rg_mbox_cleanup
#include "../../fuzz/fuzz_mbox.c"
#undef cleanup
#undef path
#undef run
#undef fnv
#undef fail
#undef MAXMSG
#undef MAXN
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_analyzer
#include "../../fuzz/fuzz_analyzer.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_classify
#include "../../fuzz/fuzz_classify.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_explain
#include "../../fuzz/fuzz_explain.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput rg_folder
#include "../../fuzz/fuzz_folder.c"
#undef LLVMFuzzerTestOneInput

typedef int (*rg_fn)(const uint8_t *, size_t);

static const struct {
    const char *dir;
    rg_fn fn;
} rg_targets[] = {
    {"fuzz_reply", rg_reply},       {"fuzz_status", rg_status},
    {"fuzz_diag", rg_diag},         {"fuzz_mime", rg_mime},
    {"fuzz_charset", rg_charset},   {"fuzz_mbox", rg_mbox},
    {"fuzz_analyzer", rg_analyzer}, {"fuzz_classify", rg_classify},
    {"fuzz_explain", rg_explain},   {"fuzz_folder", rg_folder},
};


/* Read a whole file; NULL on error. */
static uint8_t *rg_slurp(const char *p, size_t *len) {
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (n < cap)
            break;
        if (cap > ((size_t)64 << 20)) {
            free(b);
            b = NULL;
            break;
        }
        uint8_t *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return b;
}

static int rg_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay one folder in sorted order; returns the number of files. */
static size_t rg_replay(const char *dir, rg_fn fn) {
    char p[1024];
    snprintf(p, sizeof p, "regress/%s", dir);
    DIR *d = opendir(p);
    if (!d)
        return 0;
    char *names_[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < sizeof names_ / sizeof *names_) {
        if (e->d_name[0] == '.')
            continue;
        names_[n] = malloc(strlen(e->d_name) + 1);
        if (names_[n])
            strcpy(names_[n++], e->d_name);
    }
    closedir(d);
    qsort(names_, n, sizeof *names_, rg_cmp);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "regress/%s/%s", dir, names_[i]);
        size_t len = 0;
        uint8_t *b = rg_slurp(p, &len);
        CHECKF(b != NULL, "%s", p);
        if (b) {
            fprintf(stderr, "replay %s (%zu bytes)\n", p, len);
            /* the entry function traps when a property breaks */
            CHECKF(fn(b, len) == 0, "%s", p);
            free(b);
            done++;
        }
        free(names_[i]);
    }
    return done;
}

int main(void) {
    size_t total = 0;
    for (size_t i = 0; i < sizeof rg_targets / sizeof *rg_targets; i++) {
        size_t k = rg_replay(rg_targets[i].dir, rg_targets[i].fn);
        printf("%-14s %zu inputs replayed\n", rg_targets[i].dir, k);
        total += k;
    }
    /* a folder of a target this program does not know is not replayed */
    DIR *d = opendir("regress");
    CHECKF(d != NULL, "tests/regress exists");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            int known = 0;
            for (size_t i = 0; i < sizeof rg_targets / sizeof *rg_targets; i++)
                known |= !strcmp(e->d_name, rg_targets[i].dir);
            if (!known)
                printf("note: regress/%s has no replay entry here\n",
                       e->d_name);
        }
        closedir(d);
    }
    CHECKF(total > 0, "at least one regression input replayed");
    return check_report();
}
