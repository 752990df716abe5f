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
# The verdict on a -j N run (stdout in $tmp/jn, stderr in $tmp/en, exit
# status $2) against the -j 1 run ($tmp/j1, $tmp/e1, rc1): no
# ThreadSanitizer report, and the same exit status, stdout and stderr.
judge() {
    local what="$1" rc="$2"
    if [ "$rc" = 66 ] || grep -q "ThreadSanitizer" "$tmp/en"; then
        bad "$what: ThreadSanitizer report"
        sed -n 1,40p "$tmp/en"
    elif [ "$rc" != "$rc1" ]; then
        bad "$what: exit status $rc, -j 1 gave $rc1"
    elif ! cmp -s "$tmp/j1" "$tmp/jn"; then
        bad "$what: output differs from -j 1"
    elif ! cmp -s "$tmp/e1" "$tmp/en"; then
        bad "$what: stderr differs from -j 1 (order or lines)"
        diff "$tmp/e1" "$tmp/en" | sed -n 1,10p
    else
        ok
    fi
}

folder="$src/tests/fixtures/decoders"
# an mbox of every decoder fixture, 16 times over (the benchmark's
# writer): over 1 MiB, so that -j N reads it in parts spread over the
# workers (a smaller file goes to one worker whole)
emls=("$folder"/*.eml)
python3 "$src/bench/make_mbox.py" "$tmp/all.mbox" \
    "${emls[@]}" "${emls[@]}" "${emls[@]}" "${emls[@]}" \
    "${emls[@]}" "${emls[@]}" "${emls[@]}" "${emls[@]}" \
    "${emls[@]}" "${emls[@]}" "${emls[@]}" "${emls[@]}" \
    "${emls[@]}" "${emls[@]}" "${emls[@]}" "${emls[@]}" >/dev/null
[ "$(stat -c %s "$tmp/all.mbox")" -ge 1048576 ] || echo "note: all.mbox is under 1 MiB"

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
    judge "-j $j problem inputs" $?
done

# Files of a folder walk are read by the workers (the main thread hands
# out their paths): a tree with nested folders, a Maildir, an mbox, a FIFO
# and a socket, empty files, symbolic links to a directory seen twice and
# looping, links that cannot be followed, files over --max-message-size,
# nesting too deep; at top level too, with a missing path, standard input,
# a top-level empty file and FIFO.  Same stdout, stderr (problem lines in
# order; --stats without its timing) and exit status as -j 1, with and
# without -q.
tree="$tmp/tree"
mkdir -p "$tree/a/b/c" "$tree/md/cur" "$tree/md/new" "$tree/md/tmp" "$tree/z"
n=0
for f in "${emls[@]}"; do
    n=$((n + 1))
    case $((n % 6)) in
        0) d="$tree" ;; 1) d="$tree/a" ;; 2) d="$tree/a/b" ;; 3) d="$tree/a/b/c" ;;
        4) d="$tree/md/new" ;; *) d="$tree/z" ;;
    esac
    cp "$f" "$d/$(printf '%03d' $n).eml"
done
cp "${emls[0]}" "$tree/md/tmp/skipped.eml"
cp "${emls[1]}" "$tree/md/cur/1.eml:2,S"
python3 "$src/bench/make_mbox.py" "$tree/a/inner.mbox" "${emls[@]:0:20}" >/dev/null
: >"$tree/a/b/empty.eml"
: >"$tree/000-empty.eml"
mkfifo "$tree/a/fifo"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tree/z/sock" 2>/dev/null
ln -s .. "$tree/a/b/c/up"             # a directory seen again (a loop)
ln -s ../a "$tree/z/again"            # a directory seen twice
ln -s "$tree/a/b/c/003.eml" "$tree/z/link.eml"
ln -s nowhere "$tree/z/dangling.eml"  # cannot open: No such file
ln -s self.eml "$tree/z/self.eml"     # cannot open: Too many levels
if [ "$(id -u)" != 0 ]; then          # root reads it anyway
    cp "${emls[2]}" "$tree/z/noperm.eml"; chmod 000 "$tree/z/noperm.eml"
fi
deep="$tree/deep"; for k in $(seq 70); do deep="$deep/d"; done
mkdir -p "$deep"; cp "${emls[3]}" "$deep/x.eml"
# a file whose whole path is too long for open() (its folder's is not)
long="$tree/long"; n200=$(printf 'n%.0s' $(seq 200))
for k in $(seq 19); do long="$long/$n200"; done
mkdir -p "$long" && python3 -c '
import os, sys
d = os.open(sys.argv[1], os.O_RDONLY)
f = os.open("f" * 250, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d)
os.write(f, open(sys.argv[2], "rb").read())' "$long" "${emls[4]}"
: >"$tmp/top-empty.eml"
mkfifo "$tmp/top-fifo"
ln -s "$tree/a" "$tmp/top-link"
tops=("$tree" "$tmp/missing-3" "$tmp/top-empty.eml" "$tmp/top-fifo" "${emls[5]}" - "$tmp/top-link" "$tmp/all.mbox" "$tree/a/inner.mbox" "$tree/a/b")
for opts in "--format jsonl --all --delivered --stats" "--format csv --max-message-size 1500 --stats" "--format sisimai -q"; do
    # shellcheck disable=SC2086
    "$cli" bounce $opts -j 1 "${tops[@]}" <"${emls[7]}" >"$tmp/j1" 2>"$tmp/e1"
    rc1=$?
    sed -i 's/ elapsed=.*//' "$tmp/e1"
    for j in 2 3 8; do
        # shellcheck disable=SC2086
        "$cli" bounce $opts -j "$j" "${tops[@]}" <"${emls[7]}" >"$tmp/jn" 2>"$tmp/en"
        rc=$?
        sed -i 's/ elapsed=.*//' "$tmp/en"
        judge "-j $j tree ($opts)" $rc
    done
done
# -j 1 saw every kind of problem (the last run was -q: run once more)
"$cli" bounce --format jsonl --max-message-size 1500 -j 1 "${tops[@]}" </dev/null >"$tmp/j1" 2>"$tmp/e1"
grep -q 'fffff' "$tmp/j1" "$tmp/e1" || bad "tree: -j 1 did not read the file with a long path"
if [ "$(id -u)" != 0 ]; then
    grep -q 'noperm.eml: cannot open: Permission denied' "$tmp/e1" ||
        bad "tree: -j 1 did not report the unreadable file"
fi
for want in 'fifo: not a regular file or directory, skipped' \
            'top-fifo: not a regular file or directory, skipped' \
            'dangling.eml: cannot open: No such file' \
            'self.eml: cannot open: Too many levels' \
            'missing-3: cannot open' 'top-empty.eml: no message in it' \
            'directory nesting too deep' 'truncated'; do
    grep -q "$want" "$tmp/e1" || bad "tree: -j 1 did not report '$want'"
done
grep -q '000-empty.eml\|b/empty.eml\|skipped.eml\|/up/' "$tmp/e1" "$tmp/j1" &&
    bad "tree: an empty file in a folder, Maildir tmp or a loop was not skipped"
# A big mbox is read in parts by the workers (smtpstatus_reader_reopen_part):
# the same messages, numbers and problem lines as -j 1 where parts meet
# in the middle of a message, of a line longer than a part and of a
# "From " line; around separators after "\n" and "\r\n" blank lines and
# "From " lines that are not separators; ">From " lines; a message over
# three parts long; an mbox of only empty messages ("no message in it");
# and a bare-CR mbox (read by the main thread as before).
python3 - "$tmp" "${emls[@]}" <<'PY'
import random, sys
tmp, emls = sys.argv[1], sys.argv[2:]
rnd = random.Random(7)
bodies = [open(f, 'rb').read() for f in emls]
sep = b'From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n'
out = [sep, b'Subject: first\n\nbody\n']
while sum(map(len, out)) < 3 << 20:
    k = rnd.randrange(60)
    if k == 0:   # a line longer than a part
        out.append(b'\n' + sep + b'Subject: long\n\n' + b'y' * rnd.randrange(270000, 600000) + b'\n')
    elif k == 1: # "From " lines that are not separators, and quoted ones
        out.append(b'From nobody\n>From quoted\n>>From twice 12:00 2024\nFrom x 10:00 2024\n')
    elif k == 2: # a CRLF blank line before a separator
        out.append(b'\r\n' + sep + b'Subject: crlf\r\n\r\nbody\r\n')
    elif k == 3: # empty messages
        out.append(b'\n' + sep + b'\n' + sep)
    else:
        out.append(b'\n' + sep + rnd.choice(bodies).replace(b'\nFrom ', b'\n>From '))
open(tmp + '/parts.mbox', 'wb').write(b''.join(out))
# only empty messages, over 1 MiB
open(tmp + '/empties.mbox', 'wb').write(b'From a Thu Jan  1 00:00:00 1970\n\n' * 40000)
# bare CR line ends
open(tmp + '/cr.mbox', 'wb').write(b''.join(out[:400]).replace(b'\r\n', b'\n').replace(b'\n', b'\r'))
PY
for opts in "--format jsonl --all --delivered --vacation --stats" "--format csv --max-message-size 5000 --stats"; do
    # shellcheck disable=SC2086
    "$cli" bounce $opts -j 1 "$tmp/parts.mbox" "$tmp/empties.mbox" "$tmp/cr.mbox" "$tmp/all.mbox" >"$tmp/j1" 2>"$tmp/e1"
    rc1=$?
    sed -i 's/ elapsed=.*//' "$tmp/e1"
    for j in 2 3 8; do
        # shellcheck disable=SC2086
        "$cli" bounce $opts -j "$j" "$tmp/parts.mbox" "$tmp/empties.mbox" "$tmp/cr.mbox" "$tmp/all.mbox" >"$tmp/jn" 2>"$tmp/en"
        rc=$?
        sed -i 's/ elapsed=.*//' "$tmp/en"
        judge "-j $j mbox parts ($opts)" $rc
    done
done
grep -q 'empties.mbox: no message in it' "$tmp/e1" || bad "parts: -j 1 did not say empties.mbox holds no message"
grep -q 'parts.mbox:[0-9]*: .*truncated' "$tmp/e1" || bad "parts: -j 1 did not cut a long message"
[ "$(grep -c '^[^,]*parts.mbox:' "$tmp/j1")" -gt 200 ] || bad "parts: too few records from parts.mbox"

echo "jobs: $pass passed, $fail failed"
[ $fail = 0 ]
