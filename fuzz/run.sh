#!/usr/bin/env bash
# fuzz/run.sh - build every libFuzzer target (fuzz/fuzz_*.c) with clang and
# run each one for a given number of seconds, two at a time, with its
# dictionary and seed corpus (fuzz/corpus/<target>/).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 60 s, every target
#   FUZZ_BUILD=dir JOBS=n fuzz/run.sh 600
#   FUZZ_SAVE=0: leave findings in $FUZZ_BUILD/fuzzwork/<target>/found/
#                instead of copying them into tests/regress/
#
# New corpus entries go to $FUZZ_BUILD/fuzzwork/<target>/corpus/ (the seeds in the
# tree are only read).  A crash, leak, time-out or out-of-memory input is
# copied to tests/regress/<target>/finding-* (replayed by `make check`
# through tests/unit/test_regress.c) and the
# target is started again for the time left.  At the end one line per
# target gives executions (libFuzzer's stat::number_of_executed_units),
# seconds and findings; the exit status is 1 when anything was found.
# It does not minimize crashers or merge corpora.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
secs=${1:-60}
shift || true
build=${FUZZ_BUILD:-$src/build-fuzz}
case $build in /*) ;; *) build=$src/$build ;; esac
jobs=${JOBS:-2}
save=${FUZZ_SAVE:-1}

command -v clang >/dev/null 2>&1 || { echo "fuzz/run.sh: clang not found" >&2; exit 2; }

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in "$src"/fuzz/fuzz_*.c; do
        n=$(basename "$f" .c)
        targets+=("$n")
    done
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
    gen=""
    command -v ninja >/dev/null 2>&1 && gen="-G Ninja"
    CC=clang CXX=clang++ cmake -S "$src" -B "$build" $gen \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPSTATUS_FUZZ=ON \
        -DSMTPSTATUS_SANITIZE=ON -DSMTPSTATUS_TESTS=OFF \
        -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null || exit 2
fi
built=()
for t in "${targets[@]}"; do
    if cmake --build "$build" --target "$t" >"$build/build-$t.log" 2>&1; then
        built+=("$t")
    else
        echo "$t: BUILD FAILED (see $build/build-$t.log)" >&2
    fi
done

dict_for() {
    case $1 in
    fuzz_reply | fuzz_diag) echo reply.dict ;;
    fuzz_status) echo status.dict ;;
    fuzz_mime | fuzz_mbox | fuzz_charset) echo mime.dict ;;
    *) echo analyzer.dict ;;
    esac
}
maxlen_for() {
    case $1 in
    fuzz_analyzer | fuzz_folder | fuzz_mime | fuzz_mbox) echo 16384 ;;
    *) echo 4096 ;;
    esac
}

# Run one target for $secs seconds, restarting after a finding.
run_one() {
    local t=$1 bin=$build/$1 work=$build/fuzzwork/$1
    local dict=$here/$(dict_for "$t")
    mkdir -p "$work/corpus" "$work/artifacts"
    [ "$save" = 1 ] && mkdir -p "$src/tests/regress/$t"
    local seeds=$src/fuzz/corpus/$t
    [ -d "$seeds" ] || seeds=
    local start=$(date +%s) left=$secs execs=0 found=0 rounds=0
    : >"$work/log"
    while [ "$left" -gt 0 ] && [ $rounds -lt 20 ]; do
        rounds=$((rounds + 1))
        local opts=(-max_total_time="$left" -print_final_stats=1 -timeout=10
            -rss_limit_mb=2560 -max_len="$(maxlen_for "$t")"
            -artifact_prefix="$work/artifacts/")
        [ -f "$dict" ] && opts+=(-dict="$dict")
        # a fixed seed makes a run repeatable (the test suite's smoke run)
        [ -n "${FUZZ_SEED:-}" ] && opts+=(-seed="$FUZZ_SEED")
        "$bin" "${opts[@]}" "$work/corpus" $seeds >>"$work/log" 2>&1
        local n
        n=$(grep -a 'stat::number_of_executed_units' "$work/log" | tail -1 | awk '{print $2}')
        execs=$((execs + ${n:-0}))
        # libFuzzer prints one stat block per run; drop it so the next
        # round's is the last one
        sed -i 's/stat::number_of_executed_units/stat::counted_units/' "$work/log"
        local a
        for a in "$work"/artifacts/*; do
            [ -f "$a" ] || continue
            found=$((found + 1))
            if [ "$save" = 1 ]; then
                # "finding-" prefix: .gitignore drops crash-* files
                cp "$a" "$src/tests/regress/$t/finding-$(basename "$a")"
                echo "$t: finding tests/regress/$t/finding-$(basename "$a")" >&2
            else
                mkdir -p "$work/found"
                cp "$a" "$work/found/"
                echo "$t: finding $work/found/$(basename "$a")" >&2
            fi
            rm -f "$a"
        done
        left=$((secs - ($(date +%s) - start)))
    done
    local took=$(($(date +%s) - start))
    echo "$t $execs $took $found" >"$work/result"
}

for t in "${built[@]}"; do
    rm -f "$build/fuzzwork/$t/result"
done
running=0
for t in "${built[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

status=0
printf '%-16s %14s %8s %9s\n' target executions seconds findings
for t in "${built[@]}"; do
    r=$build/fuzzwork/$t/result
    if [ -f "$r" ]; then
        read -r name execs took found <"$r"
        printf '%-16s %14s %8s %9s\n' "$name" "$execs" "$took" "$found"
        [ "$found" -eq 0 ] || status=1
    else
        printf '%-16s %14s\n' "$t" "no result"
        status=1
    fi
done
[ ${#built[@]} -eq ${#targets[@]} ] || status=1
exit $status
