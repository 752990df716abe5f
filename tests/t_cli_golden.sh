#!/usr/bin/env bash
# t_cli_golden.sh - end-to-end tests of the smtpstatus command-line tool.
# Runs the CLI on fixed inputs and compares stdout and the exit status with
# files under tests/golden/ (NAME.out, NAME.rc); checks that every JSON
# output is valid JSON (python3 -m json.tool), exit statuses of usage
# errors, and that -j N gives the same output as -j 1.
#
#   bash t_cli_golden.sh CLI SOURCE_DIR [BUILD_DIR]
#   UPDATE_GOLDEN=1 bash t_cli_golden.sh ...   rewrite the golden files
#
# It does not judge whether the answers are right: the goldens do, and
# they are reviewed when regenerated.
set -u
CLI=${1:?usage: t_cli_golden.sh CLI SOURCE_DIR [BUILD_DIR]}
SRC=${2:?usage: t_cli_golden.sh CLI SOURCE_DIR [BUILD_DIR]}
case $CLI in /*) ;; *) CLI=$PWD/$CLI ;; esac
SRC=$(cd "$SRC" && pwd) || exit 1
G=$SRC/tests/golden
FIX=$SRC/tests/fixtures
TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
HAVE_PY=0
command -v python3 >/dev/null 2>&1 && HAVE_PY=1

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# gold NAME STDIN ARGS...: run CLI ARGS with STDIN (a file, or - for
# none) in the fixtures folder; compare stdout with NAME.out and the exit
# status with NAME.rc.
gold() {
    local name=$1 in=$2 rc
    shift 2
    if [ "$in" = - ]; then in=/dev/null; fi
    (cd "$FIX" && "$CLI" "$@" <"$in" >"$TMP/$name.out" 2>"$TMP/$name.err")
    rc=$?
    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$TMP/$name.out" "$G/$name.out"
        echo "$rc" >"$G/$name.rc"
        echo "updated $name (exit $rc)"
        ok
        return
    fi
    if [ ! -f "$G/$name.out" ] || [ ! -f "$G/$name.rc" ]; then
        bad "$name: no golden file (run with UPDATE_GOLDEN=1)"
        return
    fi
    if ! cmp -s "$TMP/$name.out" "$G/$name.out"; then
        bad "$name: output differs from $G/$name.out"
        diff -u "$G/$name.out" "$TMP/$name.out" | head -20
        return
    fi
    if [ "$rc" != "$(cat "$G/$name.rc")" ]; then
        bad "$name: exit status $rc, expected $(cat "$G/$name.rc")"
        sed 's/^/  stderr: /' "$TMP/$name.err" | head -5
        return
    fi
    ok
}

# expect_rc WANT ARGS...: only the exit status
expect_rc() {
    local want=$1 rc
    shift
    (cd "$FIX" && "$CLI" "$@" </dev/null >"$TMP/rc.out" 2>"$TMP/rc.err")
    rc=$?
    if [ "$rc" = "$want" ]; then ok; else bad "'$*' exited $rc, expected $want"; fi
}

# json_ok FILE [lines]: FILE is one JSON document, or (lines) one per line
json_ok() {
    [ $HAVE_PY = 1 ] || return 0
    if [ "${2:-}" = lines ]; then
        if python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line); n += 1
sys.exit(0 if n else 1)' "$1"; then ok; else bad "$1: not valid JSON lines"; fi
    else
        if python3 -m json.tool "$1" >/dev/null; then ok; else bad "$1: not valid JSON"; fi
    fi
}

# ---- explain ----
gold explain-550-text - explain '550-5.1.1 The email account that you tried to reach does not exist.'
gold explain-codes-text - explain 421 4.7.0 '452 4.2.2' '#5.1.1 smtp;550 User unknown'
gold explain-json - explain --json '550-5.1.1 The email account that you tried to reach does not exist.' \
    'smtp; 550 5.1.1 <a@example.org>: User unknown' '421 4.7.0 Try again later' \
    '550 4.1.1 mismatch' 250 5.7.606 'mailbox full'
json_ok "$TMP/explain-json.out" lines
gold explain-invalid - explain --json 'no code here at all' 550
json_ok "$TMP/explain-invalid.out" lines

# The example of the contract, field by field.
if [ $HAVE_PY = 1 ]; then
    (cd "$FIX" && "$CLI" explain --json '550-5.1.1 The email account that you tried to reach does not exist.') >"$TMP/ex.json"
    if python3 - "$TMP/ex.json" <<'PY'
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["reply_code"] == 550, o["reply_code"]
assert o["status"] == "5.1.1", o["status"]
assert o["class"] == "permanent", o["class"]
assert o["retry"] is False, o["retry"]
assert o["hard_bounce"] is True
assert o["reason"] == "userunknown", o["reason"]
assert o["reply_meaning"] and o["status_meaning"] and o["advice"]
for k in ("input", "subject", "consistent", "warnings", "references",
          "bounce_type", "actor", "text", "retry_when"):
    assert k in o, k
assert "RFC 5321" in o["references"]
PY
    then ok; else bad "explain --json example fields"; fi
fi

# ---- list ----
(cd "$FIX" && "$CLI" list --csv --basic | head -n 6) >"$TMP/list-csv-basic-head.out"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$TMP/list-csv-basic-head.out" "$G/"; fi
if cmp -s "$TMP/list-csv-basic-head.out" "$G/list-csv-basic-head.out"; then ok; else
    bad "list --csv --basic | head differs"; diff -u "$G/list-csv-basic-head.out" "$TMP/list-csv-basic-head.out" | head; fi
(cd "$FIX" && "$CLI" list --json) >"$TMP/list.json"
json_ok "$TMP/list.json"
(cd "$FIX" && "$CLI" list --json --enhanced) >"$TMP/list-enh.json"
json_ok "$TMP/list-enh.json"
if [ $HAVE_PY = 1 ]; then
    (cd "$FIX" && "$CLI" list --csv) >"$TMP/list.csv"
    if python3 - "$TMP/list.json" "$TMP/list-enh.json" "$TMP/list.csv" <<'PY'
import csv, json, sys
both = json.load(open(sys.argv[1]))
enh = json.load(open(sys.argv[2]))
rows = list(csv.reader(open(sys.argv[3], newline="")))
assert set(both) == {"basic", "enhanced"}
assert enh == both["enhanced"]
assert len(rows) == 1 + len(both["basic"]) + len(both["enhanced"])
assert all(len(r) == len(rows[0]) for r in rows)
codes = [b["code"] for b in both["basic"]]
assert 550 in codes and 250 in codes
names = {e["code"] for e in enh}
assert "X.1.1" in names, sorted(names)[:5]
for e in enh:
    for k in ("code", "name", "meaning", "advice", "reply_codes", "classes",
              "rfcs", "standard", "retry", "actor"):
        assert k in e, k
PY
    then ok; else bad "list --json/--csv consistency"; fi
fi
expect_rc 0 list
expect_rc 2 list --xml

# ---- parse ----
gold parse-transcript "$G/parse-transcript.in" parse
gold parse-transcript-json "$G/parse-transcript.in" parse --json
json_ok "$TMP/parse-transcript-json.out" lines
gold parse-crlf-strict "$G/parse-crlf.in" parse --strict --json
if grep -q 'line 15, byte 6' "$TMP/parse-transcript.err"; then ok; else
    bad "parse: error line/byte not reported"; cat "$TMP/parse-transcript.err"; fi

# ---- help, version, usage errors ----
expect_rc 0 --help
expect_rc 0 help
expect_rc 0 help bounce
expect_rc 0 bounce --help
expect_rc 0 explain --help
expect_rc 0 parse --help
expect_rc 0 list --help
expect_rc 2 help nosuchcommand
expect_rc 2
expect_rc 2 nosuchcommand
expect_rc 2 --nosuchoption
expect_rc 2 explain --nosuchoption 550
expect_rc 2 explain
expect_rc 2 bounce
expect_rc 2 bounce --format xml bounce
expect_rc 2 bounce -j 0 bounce
expect_rc 2 bounce --max-message-size lots bounce
expect_rc 2 parse extra-argument
(cd "$FIX" && "$CLI" bounce --nosuchoption x) 2>"$TMP/usage.err" >/dev/null
if grep -q "unknown option '--nosuchoption'" "$TMP/usage.err" && grep -q 'smtpstatus bounce --help' "$TMP/usage.err"; then ok; else
    bad "bounce: unknown option message"; cat "$TMP/usage.err"; fi
v=$("$CLI" --version)
if echo "$v" | grep -Eq '^smtpstatus [0-9]+\.[0-9]+\.[0-9]+ \(libsmtpstatus [0-9]+\.[0-9]+\.[0-9]+\)$'; then ok; else bad "--version: '$v'"; fi
# every option named in the man page is known to --help
if [ -f "$SRC/doc/smtpstatus.1" ]; then
    for opt in --json --csv --basic --enhanced --strict --format --all --delivered --vacation \
        --stats --jobs --max-message-size --max-depth --max-parts --max-recipients \
        --quiet --progress --no-progress; do
        if sed 's/\\-/-/g' "$SRC/doc/smtpstatus.1" | grep -q -- "$opt" && \
           { "$CLI" help bounce; "$CLI" help explain; "$CLI" help list; "$CLI" help parse; } | grep -q -- "$opt"; then ok; else
            bad "option $opt missing from the man page or --help"; fi
    done
fi

# ---- bounce ----
if [ -d "$FIX/bounce" ]; then
    gold bounce-jsonl - bounce --format jsonl bounce
    json_ok "$TMP/bounce-jsonl.out" lines
    gold bounce-all-json - bounce --all --vacation --format json bounce mbox maildir
    json_ok "$TMP/bounce-all-json.out"
    gold bounce-csv - bounce --format csv mbox/three.mbox
    gold bounce-table - bounce --format table bounce
    gold bounce-sisimai - bounce --format sisimai bounce/dsn-multi-recipient.eml
    json_ok "$TMP/bounce-sisimai.out"
    gold bounce-missing - bounce --format jsonl bounce/dsn-postfix-userunknown.eml does-not-exist.eml
    if grep -q '^smtpstatus: does-not-exist.eml: ' "$TMP/bounce-missing.err"; then ok; else
        bad "bounce: missing input not named on stderr"; cat "$TMP/bounce-missing.err"; fi
    (cd "$FIX" && "$CLI" bounce -q bounce/dsn-postfix-userunknown.eml does-not-exist.eml >/dev/null 2>"$TMP/quiet.err")
    if [ ! -s "$TMP/quiet.err" ]; then ok; else bad "bounce -q still printed problems"; fi
    # the same through standard input
    (cd "$FIX" && "$CLI" bounce --format jsonl - <mbox/three.mbox) >"$TMP/stdin.out"
    if [ -s "$TMP/stdin.out" ] && grep -q '"source":"-:1"' "$TMP/stdin.out"; then ok; else bad "bounce - (stdin)"; fi
    # --stats names every counter
    (cd "$FIX" && "$CLI" bounce --stats --all bounce mbox maildir >/dev/null 2>"$TMP/stats.err")
    for k in inputs= messages= bounces= not_bounces= records= failed= warnings= bytes= elapsed= rate=; do
        if grep -q "stats: .*$k" "$TMP/stats.err"; then ok; else bad "--stats lacks $k"; fi
    done
    # -j N keeps the input order and gives the same records
    for fmt in jsonl json csv sisimai; do
        (cd "$FIX" && "$CLI" bounce --all --vacation --format $fmt -j 1 bounce mbox maildir bounce) >"$TMP/j1" 2>/dev/null
        (cd "$FIX" && "$CLI" bounce --all --vacation --format $fmt -j 4 bounce mbox maildir bounce) >"$TMP/j4" 2>/dev/null
        if [ -s "$TMP/j1" ] && cmp -s "$TMP/j1" "$TMP/j4"; then ok; else bad "bounce -j 4 differs from -j 1 ($fmt)"; fi
    done
    # the counters do not depend on -j (elapsed and rate aside)
    for j in 1 3; do
        (cd "$FIX" && "$CLI" bounce -q --stats --all -j $j bounce does-not-exist mbox maildir >/dev/null 2>"$TMP/st$j.err")
        echo "exit $?" >>"$TMP/st$j.err"
        sed -i 's/ elapsed=.*//' "$TMP/st$j.err"
    done
    if grep -q 'inputs=4 .*failed=1' "$TMP/st1.err" && grep -q 'exit 1' "$TMP/st1.err" && \
       cmp -s "$TMP/st1.err" "$TMP/st3.err"; then ok; else
        bad "--stats differ between -j 1 and -j 3"; cat "$TMP/st1.err" "$TMP/st3.err"; fi
    # a big input from the shared corpus, when it is there
    CORPUS=$SRC/../shared/corpus/sisimai
    if [ -d "$CORPUS" ]; then
        "$CLI" bounce --all --format json -q "$CORPUS" >"$TMP/corpus.json"
        json_ok "$TMP/corpus.json"
        "$CLI" bounce --all --format json -q -j 3 "$CORPUS" >"$TMP/corpus3.json"
        if cmp -s "$TMP/corpus.json" "$TMP/corpus3.json"; then ok; else bad "corpus: -j 3 differs"; fi
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
