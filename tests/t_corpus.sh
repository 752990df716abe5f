#!/usr/bin/env bash
# t_corpus.sh - a guard against regressions in bounce analysis: runs
# bench/corpus.sh over the sample corpus beside the checkout
# (../shared/corpus/sisimai) and fails when the agreement falls below the
# figures the analyzer reaches today (every file with the expected number
# of results, status >= 96%, reason >= 95%).  Skipped when the corpus is
# not there.
#
#   bash t_corpus.sh CLI SOURCE_DIR [BUILD_DIR]
set -u
cli=$(realpath "$1"); src=$(realpath "$2")
corpus="${SMTPSTATUS_CORPUS:-$src/../shared/corpus/sisimai}"
if [ ! -f "$corpus/expected.tsv" ]; then
    echo "skipped: no corpus at $corpus"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "skipped: python3 not found"
    exit 0
fi
SMTPSTATUS_CORPUS="$corpus" bash "$src/bench/corpus.sh" "$cli" \
    --min-count 100 --min-status 96 --min-reason 95 --quiet
rc=$?
if [ $rc = 0 ]; then echo "corpus: 1 passed, 0 failed"; else echo "corpus: 0 passed, 1 failed"; fi
exit $rc
