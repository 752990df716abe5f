#!/usr/bin/env bash
# Bounce fixtures: run `smtpstatus bounce` on each case of
# fixtures/cases.tsv and compare the records with fixtures/expected/NAME.jsonl.
# Expected lines hold the fields that matter for the case; every listed
# field must be equal, in order, and the number of records must match.
set -euo pipefail
cli=$(realpath "$1"); src=$(realpath "$2")
cd "$src/tests/fixtures"
fail=0; pass=0
while IFS=$'\t' read -r name args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  # shellcheck disable=SC2086
  actual=$("$cli" bounce --format jsonl $args 2>/dev/null) || true
  printf "%s\n" "$actual" > "${TMPDIR:-/tmp}/ss_fixture_$$.jsonl"
  if python3 "$src/tests/check_records.py" "expected/$name.jsonl" "${TMPDIR:-/tmp}/ss_fixture_$$.jsonl"
  then pass=$((pass+1)); else echo "FAIL: $name ($args)"; fail=$((fail+1)); fi
done < cases.tsv
rm -f "${TMPDIR:-/tmp}/ss_fixture_$$.jsonl"
echo "fixtures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
