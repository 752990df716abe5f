#!/usr/bin/env bash
# t_valgrind.sh - runs a handful of CLI invocations (explain, list, parse,
# bounce on the fixtures: one file, a folder, an mbox, a Maildir, stdin,
# with one and two threads) under valgrind --leak-check=full and fails on
# any memory error or leak valgrind reports (its error exit code is 99 so
# that it is not confused with the CLI's own exit status 1).  Skipped
# (passes) when valgrind is missing, and in a sanitizer build (valgrind
# and ASan do not run together).
#
#   bash t_valgrind.sh CLI SOURCE_DIR [BUILD_DIR]
set -u
CLI=${1:?usage: t_valgrind.sh CLI SOURCE_DIR [BUILD_DIR]}
SRC=${2:?usage: t_valgrind.sh CLI SOURCE_DIR [BUILD_DIR]}
BUILD=${3:-}
case $CLI in /*) ;; *) CLI=$PWD/$CLI ;; esac
if ! command -v valgrind >/dev/null 2>&1; then
    echo "skipped: valgrind not found"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ -n "$BUILD" ] && grep -q '^SMTPSTATUS_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "skipped: sanitizer build (valgrind runs on the plain build)"
    echo "0 passed, 0 failed"
    exit 0
fi
F=$SRC/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/t_valgrind.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
VG=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --track-fds=no)

# vg NAME STDIN_FILE EXPECTED_EXIT ARGS...
vg() {
    local name=$1 in=$2 want=$3
    shift 3
    "${VG[@]}" --log-file="$T/vg.log" "$CLI" "$@" <"$in" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" = 99 ] || [ -s "$T/vg.log" ]; then
        fail=$((fail + 1))
        echo "FAIL: $name: valgrind reports (exit $rc):"
        head -40 "$T/vg.log"
    elif [ "$rc" != "$want" ]; then
        fail=$((fail + 1))
        echo "FAIL: $name: exit $rc, want $want"
        head -5 "$T/err"
    elif [ ! -s "$T/out" ]; then
        fail=$((fail + 1))
        echo "FAIL: $name: no output"
    else
        pass=$((pass + 1))
    fi
}

printf '250-mx.example.com\r\n250 8BITMIME\r\n550 5.1.1 <a@b.example>: no such user\r\n' >"$T/replies"
printf 'S: 220 mx.example.com ESMTP\nC: EHLO me\nS: 250 ok\nC: RCPT TO:<x@y>\nS: 550 5.1.1 unknown\n' >"$T/session"
vg "explain" /dev/null 0 explain 550 5.1.1 '421 4.7.0 Try again later' 'smtp; 550 5.1.1 <a@example.org>: User unknown'
vg "explain --json" /dev/null 0 explain --json '550-5.7.1 blocked' '#5.1.1 smtp;550 unknown' 'host mx said: 552 5.2.2 mailbox full'
vg "list" /dev/null 0 list
vg "list --reasons --json" /dev/null 0 list --reasons --json
vg "parse" "$T/replies" 0 parse
vg "parse --json session" "$T/session" 0 parse --json
vg "bounce one file" /dev/null 0 bounce --format jsonl "$F/bounce/dsn-postfix-userunknown.eml"
vg "bounce folder --all --stats" /dev/null 0 bounce --all --delivered --vacation --stats --format json "$F/bounce"
vg "bounce decoders csv" /dev/null 0 bounce --format csv "$F/decoders"
vg "bounce mbox" /dev/null 0 bounce --format jsonl "$F/mbox"
vg "bounce maildir table" /dev/null 0 bounce --format table "$F/maildir"
vg "bounce stdin" "$F/bounce/dsn-multi-recipient.eml" 0 bounce --format jsonl -
vg "bounce -j 2" /dev/null 0 bounce -j 2 --all --format jsonl "$F/bounce" "$F/mbox"
vg "bounce missing path" /dev/null 1 bounce --format jsonl "$T/does-not-exist" "$F/bounce/arf-abuse.eml"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
