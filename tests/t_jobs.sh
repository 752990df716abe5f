#!/usr/bin/env bash
# t_jobs.sh - parallel analysis (-j N) gives the same output, byte for
# byte, as -j 1: over a folder of bounces and over an mbox of several
# hundred messages (every fixture, many times), in each output format; and
# the same problem lines on stderr, in the same order.
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

# The problems on stderr come in input order too, the same lines as -j 1:
# a folder whose messages lack their closing MIME boundary (a warning per
# message from the analyzer), cut messages (--max-message-size: the
# reader's limit joins the analyzer's warnings in one line), an empty file
# and a path that does not exist, between and after the others.
mkdir "$tmp/mixed"
n=0
for f in "${emls[@]}"; do
    n=$((n + 1))
    cp "$f" "$tmp/mixed/$(printf '%03d' $n)-ok.eml"
    if [ $((n % 7)) = 0 ]; then
        printf 'From: MAILER-DAEMON@example.org\r\nTo: a@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b%d"\r\n\r\n--b%d\r\nContent-Type: text/plain\r\n\r\n<u%d@example.net>: host mx.example.net said: 550 5.1.1 User unknown\r\n' \
            $n $n $n >"$tmp/mixed/$(printf '%03d' $n)-open.eml"
    fi
done
: >"$tmp/empty.eml"
inputs=("$tmp/mixed" "$tmp/missing-1" "$tmp/all.mbox" "$tmp/empty.eml" "$folder" "$tmp/missing-2")
"$cli" bounce --format jsonl --max-message-size 1500 -j 1 "${inputs[@]}" >"$tmp/j1" 2>"$tmp/e1"
rc1=$?
grep -q 'bad_mime' "$tmp/e1" && grep -q 'empty file' "$tmp/e1" &&
    grep -q 'truncated' "$tmp/e1" && grep -q 'missing-2: cannot open' "$tmp/e1" ||
    bad "problem inputs: -j 1 did not report every kind of problem"
for j in 2 3 8; do
    "$cli" bounce --format jsonl --max-message-size 1500 -j "$j" "${inputs[@]}" >"$tmp/jn" 2>"$tmp/en"
    rc=$?
    if [ $rc = 66 ] || grep -q "ThreadSanitizer" "$tmp/en"; then
        bad "-j $j problem inputs: ThreadSanitizer report"
        sed -n 1,40p "$tmp/en"
    elif [ $rc != $rc1 ]; then
        bad "-j $j problem inputs: exit status $rc, -j 1 gave $rc1"
    elif ! cmp -s "$tmp/j1" "$tmp/jn"; then
        bad "-j $j problem inputs: output differs from -j 1"
    elif ! cmp -s "$tmp/e1" "$tmp/en"; then
        bad "-j $j problem inputs: stderr differs from -j 1 (order or lines)"
        diff "$tmp/e1" "$tmp/en" | sed -n 1,10p
    else
        ok
    fi
done
echo "jobs: $pass passed, $fail failed"
[ $fail = 0 ]
