#!/usr/bin/env bash
# Decoder fixtures: every tests/fixtures/decoders/NAME.eml is analyzed and
# compared with NAME.jsonl (see check_records.py).  Then every fixture
# message (decoders/, bounce/ and the mboxes) is copied with CRLF and with bare-CR
# line ends: the records must be the same as for the LF copy.
set -euo pipefail
cli=$(realpath "$1"); src=$(realpath "$2")
fx="$src/tests/fixtures"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
for eml in "$fx"/decoders/*.eml; do
  [ -e "$eml" ] || continue
  name=$(basename "$eml" .eml)
  "$cli" bounce --format jsonl --delivered --vacation "$eml" > "$tmp/out.jsonl" 2>/dev/null || true
  if python3 "$src/tests/check_records.py" "${eml%.eml}.jsonl" "$tmp/out.jsonl"; then
    pass=$((pass+1)); else echo "FAIL: decoders/$name"; fail=$((fail+1)); fi
done
# line ends: LF vs CRLF vs CR give the same records (source aside)
strip() { python3 -c '
import json,sys
for l in sys.stdin:
    if l.strip():
        r=json.loads(l); r.pop("source",None); print(json.dumps(r,sort_keys=True))'; }
for eml in "$fx"/decoders/*.eml "$fx"/bounce/*.eml "$fx"/mbox/*.mbox; do
  [ -e "$eml" ] || continue
  name=$(basename "$eml" .eml)
  python3 - "$eml" "$tmp/lf.eml" "$tmp/crlf.eml" "$tmp/cr.eml" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read().replace(b'\r\n', b'\n').replace(b'\r', b'\n')
open(sys.argv[2], 'wb').write(d)
open(sys.argv[3], 'wb').write(d.replace(b'\n', b'\r\n'))
open(sys.argv[4], 'wb').write(d.replace(b'\n', b'\r'))
PY
  base=$("$cli" bounce --format jsonl --all --delivered --vacation "$tmp/lf.eml" 2>/dev/null | strip || true)
  for v in crlf cr; do
    other=$("$cli" bounce --format jsonl --all --delivered --vacation "$tmp/$v.eml" 2>/dev/null | strip || true)
    if [ "$base" == "$other" ]; then pass=$((pass+1)); else
      echo "FAIL: $name: $v copy differs from LF copy"; diff <(echo "$base") <(echo "$other") | head -5; fail=$((fail+1)); fi
  done
done
echo "decoders: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
