#!/usr/bin/env bash
# t_jobs.sh - parallel analysis (-j N) gives the same output, byte for
# byte, as -j 1: over a folder of bounces and over an mbox of several
# hundred messages (every fixture, many times), in each output format.
# Under a ThreadSanitizer build (`make check-tsan`) any race report makes
# the run fail (tests/tsan.supp lists the glibc loader internals it
# ignores).
#
#   bash t_jobs.sh CLI SOURCE_DIR [BUILD_DIR]
set -u
cli=$(realpath "$1"); src=$(realpath "$2")
export TSAN_OPTIONS="suppressions=$src/tests/tsan.supp halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

folder="$src/tests/fixtures/decoders"
# an mbox of every decoder fixture, 8 times over (the benchmark's writer)
emls=("$folder"/*.eml)
python3 "$src/bench/make_mbox.py" "$tmp/all.mbox" \
    "${emls[@]}" "${emls[@]}" "${emls[@]}" "${emls[@]}" \
    "${emls[@]}" "${emls[@]}" "${emls[@]}" "${emls[@]}" >/dev/null

for input in "$folder" "$tmp/all.mbox"; do
    for fmt in jsonl csv sisimai; do
        "$cli" bounce --format "$fmt" --all --delivered -j 1 "$input" >"$tmp/j1" 2>/dev/null
        rc1=$?
        for j in 2 3 8; do
            "$cli" bounce --format "$fmt" --all --delivered -j "$j" "$input" >"$tmp/jn" 2>"$tmp/err"
            rc=$?
            if [ $rc = 66 ] || grep -q "ThreadSanitizer" "$tmp/err"; then
                bad "-j $j $fmt $(basename "$input"): ThreadSanitizer report"
                sed -n 1,40p "$tmp/err"
            elif [ $rc != $rc1 ]; then
                bad "-j $j $fmt $(basename "$input"): exit status $rc, -j 1 gave $rc1"
            elif ! cmp -s "$tmp/j1" "$tmp/jn"; then
                bad "-j $j $fmt $(basename "$input"): output differs from -j 1"
            else
                ok
            fi
        done
    done
done
[ -s "$tmp/j1" ] || bad "no output at all"
echo "jobs: $pass passed, $fail failed"
[ $fail = 0 ]
