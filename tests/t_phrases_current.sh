#!/usr/bin/env bash
# t_phrases_current.sh - lib/phrases_data.c must be what tools/gen_phrases.py
# makes from data/phrases.tsv today (the generated tables are committed).
# Usage: bash t_phrases_current.sh <smtpstatus-cli> <source-dir> <build-dir>
# Skips (exit 0, "skipped") only when python3 is not installed.
set -u
src=${2:?source dir}
if ! command -v python3 >/dev/null 2>&1; then
    echo "skipped: python3 not found"
    exit 0
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/phrases_data.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
if ! python3 "$src/tools/gen_phrases.py" "$src/data/phrases.tsv" "$tmp"; then
    echo "FAIL: tools/gen_phrases.py rejected data/phrases.tsv"
    exit 1
fi
if ! diff -q "$tmp" "$src/lib/phrases_data.c" >/dev/null; then
    echo "FAIL: lib/phrases_data.c is stale; run:"
    echo "  python3 tools/gen_phrases.py data/phrases.tsv lib/phrases_data.c"
    diff "$tmp" "$src/lib/phrases_data.c" | head -20
    exit 1
fi
echo "ok: lib/phrases_data.c is current"
exit 0
