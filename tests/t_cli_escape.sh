#!/usr/bin/env bash
# t_cli_escape.sh - the CLI's JSON and CSV output stays valid whatever
# bytes the input holds: control characters, quotes, backslashes, commas,
# line breaks, invalid UTF-8.  Checks explain --json, parse --json and
# bounce in the jsonl, json, csv and sisimai formats with python3.  Skipped
# (passes) when python3 is missing.
#
#   bash t_cli_escape.sh CLI SOURCE_DIR [BUILD_DIR]
set -u
CLI=${1:?usage: t_cli_escape.sh CLI SOURCE_DIR [BUILD_DIR]}
case $CLI in /*) ;; *) CLI=$PWD/$CLI ;; esac
if ! command -v python3 >/dev/null 2>&1; then
    echo "0 passed, 0 failed (python3 not found: skipped)"
    exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_cli_esc.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# explain: one argument with every awkward byte
arg=$(printf '550 5.1.1 "q" \\ \001\002\t\033 caf\303\251 \377\376 \355\240\200 end')
"$CLI" explain --json "$arg" 421 >"$TMP/ex.jsonl"
if python3 - "$TMP/ex.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
assert len(lines) == 2, len(lines)
o = json.loads(lines[0])
t = o["text"]
assert '"q" \\' in t, t
assert "\x01\x02\t\x1b" in t, repr(t)
assert "caf\u00e9" in t, repr(t)
assert "\ufffd" in t, repr(t)
assert t.endswith("end"), repr(t)
assert json.loads(lines[1])["reply_code"] == 421
PY
then ok; else bad "explain --json escaping"; fi
# control characters are written as \u00XX
if grep -q '\\u0001\\u0002\\u0009\\u001b' "$TMP/ex.jsonl"; then ok; else bad "control characters not as \\u00XX"; fi

# parse: a reply with invalid UTF-8 and control characters
printf '550-5.1.1 bad \377 byte \001 here\r\n550 5.1.1 "second" line\r\n' >"$TMP/p.in"
"$CLI" parse --json <"$TMP/p.in" >"$TMP/p.jsonl"
if python3 -c '
import json, sys
ls = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(ls) == 1
o = json.loads(ls[0])
assert o["lines"] == 2 and o["status"] == "5.1.1", o
assert "\ufffd" in o["text"] and "\"second\"" in o["text"], o["text"]
' "$TMP/p.jsonl"; then ok; else bad "parse --json escaping"; fi

# bounce: a DSN whose fields hold awkward bytes
mkdir -p "$TMP/in"
printf '%s\r\n' \
  'From: MAILER-DAEMON@mx.example.org' \
  'To: sender@example.net' \
  'Subject: Undelivered Mail Returned to Sender' \
  'Date: Mon, 2 Mar 2026 10:00:00 +0000' \
  'MIME-Version: 1.0' \
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B"' \
  '' \
  '--B' \
  'Content-Type: text/plain' \
  '' \
  'Delivery failed.' \
  '' \
  '--B' \
  'Content-Type: message/delivery-status' \
  '' \
  'Reporting-MTA: dns; mx.example.org' \
  '' \
  'Final-Recipient: rfc822; "odd,name"@example.com' \
  'Action: failed' \
  'Status: 5.1.1' \
  "Diagnostic-Code: smtp; 550 5.1.1 \"quoted\", comma; back\\slash $(printf '\377\001') end" \
  '' \
  '--B' \
  'Content-Type: text/rfc822-headers' \
  '' \
  'From: sender@example.net' \
  "Subject: $(printf 'a,b "c" \\d \377\376 \033[31m')" \
  'Message-ID: <m1@example.net>' \
  '' \
  '--B--' >"$TMP/in/odd.eml"
for fmt in jsonl json sisimai csv; do
    "$CLI" bounce --all --format $fmt "$TMP/in/odd.eml" >"$TMP/b.$fmt" 2>"$TMP/b.err"
    rc=$?
    if [ $rc != 0 ]; then bad "bounce --format $fmt exited $rc"; cat "$TMP/b.err"; continue; fi
    if python3 - "$TMP/b.$fmt" $fmt <<'PY'
import csv, json, sys
path, fmt = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read().decode("utf-8")   # must be valid UTF-8
if fmt == "jsonl":
    recs = [json.loads(l) for l in raw.splitlines()]
elif fmt in ("json", "sisimai"):
    recs = json.loads(raw)
else:
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    assert rows[0][0] == "source" and rows[0][-1] == "warnings", rows[0]
    assert all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows]
    recs = [dict(zip(rows[0], r)) for r in rows[1:]]
assert len(recs) >= 1, recs
r = recs[0]
diag = r.get("diagnostic_code", r.get("diagnosticcode"))
assert '"quoted", comma; back\\slash' in diag, diag
assert "\ufffd" in diag, repr(diag)
if fmt == "sisimai":
    assert r["origin"].endswith("odd.eml") and r["hardbounce"] in (0, 1)
    assert len(r["token"]) == 40
PY
    then ok; else bad "bounce --format $fmt output"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
