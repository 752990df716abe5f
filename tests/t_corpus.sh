#!/usr/bin/env bash
# t_corpus.sh - a guard against regressions in bounce analysis: runs
# bench/corpus.sh over the sample corpus beside the checkout
# (../shared/corpus/sisimai) and fails when the agreement falls below the
# figures the analyzer reaches today: every file with the expected number
# of results, status >= 96%, reason >= 95% by default; with
# --sisimai-compat status >= 99% and reason >= 98% over the whole corpus,
# reason >= 98% on the rfc3464, arf, rfc3834 and rhost samples.  Skipped
# when the corpus is not there.
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
pass=0 fail=0
check() {
    local what="$1"; shift
    if SMTPSTATUS_CORPUS="$corpus" bash "$src/bench/corpus.sh" "$cli" "$@" --quiet; then
        pass=$((pass + 1))
    else
        echo "FAIL: corpus agreement below the floor: $what"
        fail=$((fail + 1))
    fi
}
check "default mode" --min-count 100 --min-status 96 --min-reason 95
check "--sisimai-compat" --sisimai-compat --min-count 100 --min-status 99 --min-reason 98
check "--sisimai-compat, kinds rfc3464,arf,rfc3834,rhost" --sisimai-compat \
    --kinds rfc3464,arf,rfc3834,rhost --min-count 100 --min-reason 98
echo "corpus: $pass passed, $fail failed"
[ $fail = 0 ]
