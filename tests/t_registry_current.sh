#!/bin/bash
# t_registry_current.sh - fails when lib/registry_data.c is stale: runs
# tools/gen_registry.py on data/reply-codes.tsv and data/status-codes.tsv
# into a temporary file and compares it with the committed one.  It does
# not check the content of the data (tests/unit/test_registry.c does).
# Usage: bash t_registry_current.sh <cli> <source-dir> <build-dir>
# Skips (exit 0) only when python3 is not installed.
set -u
src=${2:-$(cd "$(dirname "$0")/.." && pwd)}
if ! command -v python3 >/dev/null 2>&1; then
    echo "t_registry_current: skipped: python3 not found"
    exit 0
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/registry_data.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
if ! python3 "$src/tools/gen_registry.py" --data "$src/data" -o "$tmp"; then
    echo "t_registry_current: FAIL: the generator rejected the data files"
    exit 1
fi
if ! cmp -s "$tmp" "$src/lib/registry_data.c"; then
    echo "t_registry_current: FAIL: lib/registry_data.c is stale;" \
         "run: python3 tools/gen_registry.py"
    diff -u "$src/lib/registry_data.c" "$tmp" | head -40
    exit 1
fi
echo "t_registry_current: lib/registry_data.c is current"
exit 0
