#!/usr/bin/env bash
# t_hostile.sh - the hostile-input set: builds, at test time in a temporary
# folder (nothing big is kept in the tree), inputs meant to break a bounce
# reader: truncated base64, a boundary never closed, multiparts nested
# 10,000 deep, a 100 MB header line, NUL bytes, invalid UTF-8, an unknown
# charset, "From " lines inside mbox bodies, an empty file, an unreadable
# file, symbolic link loops (a file loop and a folder loop), a 4 GB sparse
# file and a DSN with thousands of recipients (over --max-recipients).
# Runs `smtpstatus bounce --all --stats` on all of them with a good bounce
# after them in the same invocation and checks, for each input: the exit
# status, a stderr line naming the file and the problem, the records and
# record warnings, that the good bounce after them still gives its record,
# and that --stats counts every message.  No sanitizer report may appear.
#
# "Unreadable": as root, chmod 000 does not stop reading, so there the
# test uses what root cannot read instead: a dangling symbolic link, a FIFO
# and a path that does not exist (and says so).
#
#   bash t_hostile.sh CLI SOURCE_DIR [BUILD_DIR]
set -u
CLI=${1:?usage: t_hostile.sh CLI SOURCE_DIR [BUILD_DIR]}
SRC=${2:?usage: t_hostile.sh CLI SOURCE_DIR [BUILD_DIR]}
case $CLI in /*) ;; *) CLI=$PWD/$CLI ;; esac
if ! command -v python3 >/dev/null 2>&1; then
    echo "0 passed, 0 failed (python3 not found: skipped)"
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/t_hostile.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
GOOD=$SRC/tests/fixtures/bounce/dsn-postfix-userunknown.eml
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok; else bad "$d"; fi
}

cd "$T" || exit 1

# ---- build the set ----
python3 - <<'PY' || { echo "cannot build the hostile set"; exit 1; }
import base64
hdr = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
       b"To: sender@example.org\n"
       b"Subject: Undelivered Mail Returned to Sender\n"
       b"Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
       b"MIME-Version: 1.0\n")
def dsn(rcpts, diag=b"smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown",
        charset=None, close=True, extra=b""):
    ds = b"Reporting-MTA: dns; mx.example.net\n"
    for r in rcpts:
        ds += (b"\nFinal-Recipient: rfc822; " + r + b"\nAction: failed\nStatus: 5.1.1\n"
               b"Remote-MTA: dns; mx.example.com\nDiagnostic-Code: " +
               (diag % r if b"%s" in diag else diag) + b"\n")
    cs = b"; charset=" + charset if charset else b""
    m = (hdr + b'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
         b"--BB\nContent-Type: text/plain" + cs + b"\n\n"
         b"This is the mail system at host mx.example.net." + extra + b"\n\n"
         b"--BB\nContent-Type: message/delivery-status\n\n" + ds)
    if close:
        m += b"\n--BB--\n"
    return m
# truncated base64: the delivery-status part cut in the middle of a quantum
ds = (b"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; b64@example.com\n"
      b"Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n")
enc = base64.b64encode(ds)[:-7]
open("trunc_b64.eml", "wb").write(
    hdr + b'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
    b"--BB\nContent-Type: text/plain\n\nThis is the mail system.\n\n"
    b"--BB\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"
    + enc + b"\n--BB--\n")
# a boundary never closed
open("unclosed.eml", "wb").write(dsn([b"unclosed@example.com"], close=False))
# multiparts nested 10,000 deep
n = 10000
parts = [hdr]
for i in range(n):
    parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i))
parts.append(b"Content-Type: text/plain\n\ndeep inside\n")
for i in reversed(range(n)):
    parts.append(b"--b%d--\n" % i)
open("nested.eml", "wb").write(b"".join(parts))
# NUL bytes in the header, the text and the report
m = dsn([b"nul@example.com"], extra=b"\0\0 NUL \0 bytes\0")
m = m.replace(b"Subject: Undelivered", b"Subject: Undel\0ivered", 1)
open("nul.eml", "wb").write(m)
# invalid UTF-8 (lone continuation, overlong, surrogate, 0xFF)
open("badutf8.eml", "wb").write(dsn(
    [b"utf8@example.com"],
    diag=b"smtp; 550 5.1.1 <%s>: caf\xc3 \xc0\xaf \xed\xa0\x80 \xff\xfe user unknown",
    extra=b" \x80\x81\xfe"))
# an unknown charset with 8-bit text
open("charset.eml", "wb").write(dsn([b"charset@example.com"], charset=b"x-klingon-9",
                                    extra=b" \xa4\xb3\xa4\xf3 unknown bytes"))
# an mbox whose bodies hold "From " lines that do not start a message
open("from_in_body.mbox", "wb").write(
    b"From MAILER-DAEMON Mon Mar  2 10:00:00 2026\n" + dsn([b"mbox1@example.com"]) +
    b"From here on the body goes on (no blank line before)\n"
    b">From quoted\n\n"
    b"From MAILER-DAEMON Mon Mar  2 10:00:01 2026\n" + dsn([b"mbox2@example.com"]) +
    b"\n>From a quoted From line after a blank line\n")
# thousands of recipients in one DSN
open("many.eml", "wb").write(dsn([b"r%d@example.com" % i for i in range(2500)]))
PY
# a 100 MB header line
{ printf 'From: x@example.net\nSubject: '; head -c 104857600 /dev/zero | tr '\0' 'A'; printf '\n\nbody\n'; } >long_line.eml
: >empty.eml
ln -s loop_b loop_a
ln -s loop_a loop_b
mkdir -p dirloop/sub
cp "$GOOD" dirloop/sub/one.eml
ln -s .. dirloop/sub/up
truncate -s 4G sparse.eml 2>/dev/null || python3 -c "f=open('sparse.eml','wb'); f.truncate(4<<30)"

unread=()
if [ "$(id -u)" = 0 ]; then
    echo "note: running as root: chmod 000 does not stop root; testing a dangling link, a FIFO and a missing path instead"
    ln -s does-not-exist dangling.eml
    mkfifo fifo.eml
    unread=(dangling.eml fifo.eml missing.eml)
else
    cp "$GOOD" noperm.eml
    chmod 000 noperm.eml
    unread=(noperm.eml dangling.eml missing.eml)
    ln -s does-not-exist dangling.eml
fi

inputs=(trunc_b64.eml unclosed.eml nested.eml long_line.eml nul.eml
    badutf8.eml charset.eml from_in_body.mbox empty.eml "${unread[@]}"
    loop_a dirloop sparse.eml "$GOOD")

# ---- one run over all of them ----
start=$(date +%s)
timeout 300 "$CLI" bounce --all --stats --format jsonl "${inputs[@]}" >out.jsonl 2>err.txt
rc=$?
took=$(($(date +%s) - start))
echo "bounce over ${#inputs[@]} hostile inputs: exit $rc in ${took}s"
check "exit status 1 (some inputs unreadable), got $rc" test "$rc" = 1
check "no sanitizer report" sh -c '! grep -q "Sanitizer\|runtime error" err.txt'

stderr_has() { # stderr_has FILE PATTERN
    if grep -q "^smtpstatus: $1[:0-9]*: .*$2" err.txt; then ok; else
        bad "no stderr line for $1 matching '$2'"
    fi
}
stderr_has nested.eml "limit hit: .*mime_depth_limit"
stderr_has long_line.eml "limit hit: truncated.*line_limit"
stderr_has sparse.eml "limit hit: truncated"
stderr_has trunc_b64.eml "warning: bad_mime"
stderr_has unclosed.eml "warning: bad_mime"
stderr_has charset.eml "warning: unknown_charset"
stderr_has empty.eml "no message in it"
stderr_has loop_a "cannot open: Too many levels of symbolic links"
stderr_has dangling.eml "cannot open: No such file or directory"
stderr_has missing.eml "cannot open: No such file or directory"
if [ "$(id -u)" = 0 ]; then
    stderr_has fifo.eml "not a regular file"
else
    stderr_has noperm.eml "cannot open: Permission denied"
fi

# records and their warnings, and the stats line
python3 - "$GOOD" "${#inputs[@]}" <<'PY'
import json, re, sys
good = sys.argv[1]
raw = open("out.jsonl", "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("FAIL: output is not UTF-8:", e); sys.exit(1)
recs = [json.loads(l) for l in text.splitlines() if l.strip()]
by = {}
for r in recs:
    by.setdefault(re.sub(r":\d+$", "", r["source"]), []).append(r)
fails = []
def want(cond, what):
    if not cond: fails.append(what)
def one(src, **kw):
    rs = by.get(src, [])
    want(len(rs) >= 1, "%s: no record" % src)
    for r in rs[:1]:
        for k, v in kw.items():
            if k == "warning":
                want(v in r["warnings"], "%s: warning %s missing (%s)" % (src, v, r["warnings"]))
            else:
                want(r[k] == v, "%s: %s=%r, want %r" % (src, k, r[k], v))
one("trunc_b64.eml", warning="bad_mime")
one("unclosed.eml", recipient="unclosed@example.com", reason="userunknown", warning="bad_mime")
one("nested.eml", reason="not_a_bounce", warning="mime_depth_limit")
one("long_line.eml", warning="truncated")
one("long_line.eml", warning="line_limit")
one("nul.eml", recipient="nul@example.com", reason="userunknown")
one("badutf8.eml", recipient="utf8@example.com", reason="userunknown")
want("\ufffd" in by.get("badutf8.eml", [{"diagnostic_code": ""}])[0]["diagnostic_code"],
     "badutf8.eml: invalid bytes not shown as U+FFFD")
one("charset.eml", recipient="charset@example.com", warning="unknown_charset")
mb = by.get("from_in_body.mbox", [])
want(sorted(r["recipient"] for r in mb) == ["mbox1@example.com", "mbox2@example.com"],
     "from_in_body.mbox: records %r" % [(r["source"], r["recipient"]) for r in mb])
want(sorted(r["source"] for r in mb) == ["from_in_body.mbox:1", "from_in_body.mbox:2"],
     "from_in_body.mbox: sources %r" % [r["source"] for r in mb])
one("sparse.eml", warning="truncated")
dl = by.get("dirloop/sub/one.eml", [])
want(len(dl) == 1, "dirloop: %d records for the one message (want 1)" % len(dl))
want(recs and recs[-1]["source"] == good and recs[-1]["recipient"] == "nobody@recipient.example",
     "the good bounce after the hostile inputs gave no record (last: %r)" % (recs[-1]["source"] if recs else None))
err = open("err.txt", encoding="utf-8", errors="replace").read()
m = re.search(r"stats: inputs=(\d+) messages=(\d+) bounces=(\d+) not_bounces=(\d+) records=(\d+) failed=(\d+) warnings=(\d+)", err)
want(m is not None, "no stats line")
if m:
    inputs, messages, bounces, notb, records, failed, warnings = map(int, m.groups())
    # messages: trunc_b64 unclosed nested long_line nul badutf8 charset
    # mbox(2) dirloop(1) sparse good = 12
    want(messages == 12, "stats messages=%d, want 12" % messages)
    want(bounces + notb == messages, "bounces+not_bounces=%d != messages" % (bounces + notb))
    want(records == len(recs), "stats records=%d, %d printed" % (records, len(recs)))
    want(inputs == int(sys.argv[2]) if len(sys.argv) > 2 else True, "inputs")
    # empty, loop_a and the three unreadable ones
    want(failed == 5, "stats failed=%d, want 5" % failed)
    # nested, long_line, sparse, trunc_b64, unclosed, charset at least
    want(warnings >= 6, "stats warnings=%d, want >= 6" % warnings)
for f in fails:
    print("FAIL:", f)
print("records checked: %d, problems: %d" % (len(recs), len(fails)))
sys.exit(1 if fails else 0)
PY
if [ $? = 0 ]; then ok; else bad "records, warnings or stats (see above)"; fi

# ---- thousands of recipients over --max-recipients ----
timeout 120 "$CLI" bounce --stats --format jsonl --max-recipients 1000 many.eml "$GOOD" >many.jsonl 2>many.err
rc=$?
check "many recipients: exit 0, got $rc" test "$rc" = 0
check "many recipients: no sanitizer report" sh -c '! grep -q "Sanitizer\|runtime error" many.err'
n=$(grep -c '"source":"many.eml"' many.jsonl)
check "many recipients: 1000 records kept, got $n" test "$n" = 1000
n=$(grep '"source":"many.eml"' many.jsonl | grep -c '"recipient_limit"')
check "many recipients: every record has the recipient_limit warning ($n)" test "$n" = 1000
check "many recipients: stderr line" grep -q '^smtpstatus: many.eml: limit hit: .*recipient_limit' many.err
check "many recipients: good bounce after it" grep -q "\"source\":\"$GOOD\"" many.jsonl
check "many recipients: stats messages=2 records=1001 warnings=1" \
    grep -q 'stats: inputs=2 messages=2 .*records=1001 failed=0 warnings=1 ' many.err

# ---- empty standard input ----
"$CLI" bounce --format jsonl - </dev/null >stdin.out 2>stdin.err
rc=$?
check "empty stdin: exit 1, got $rc" test "$rc" = 1
check "empty stdin: stderr says so" grep -q '^smtpstatus: -: no message in it' stdin.err

# ---- each small input alone: no crash, a defined exit status ----
for f in trunc_b64.eml unclosed.eml nested.eml nul.eml badutf8.eml charset.eml \
    from_in_body.mbox empty.eml loop_a dirloop "${unread[@]}"; do
    timeout 60 "$CLI" bounce --format jsonl "$f" >/dev/null 2>one.err
    rc=$?
    if [ "$rc" -le 1 ] && ! grep -q "Sanitizer\|runtime error" one.err; then ok; else
        bad "$f alone: exit $rc"
        head -5 one.err
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
