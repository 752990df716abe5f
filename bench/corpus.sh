#!/usr/bin/env bash
# corpus.sh - how far `smtpstatus bounce` agrees with the sisimai sample
# corpus (../shared/corpus/sisimai beside the checkout, see its README).
#
# Runs `smtpstatus bounce --format jsonl --all --delivered --vacation`
# (sisimai's own tests keep delivered and vacation results) over the corpus' .eml files
# and hands the output to corpus_compare.py, which prints per kind, per
# module and in total the share of files with the expected number of
# results and the share of rows whose status, reply code, reason and
# hard_bounce agree.  It does not judge who is right: expected.tsv holds
# another implementation's answers.
#
# usage: bench/corpus.sh [SMTPSTATUS_BIN] [--kinds rfc3464,arf,rfc3834,rhost,lhost,none]
#                        [--list-mismatches [status|reply_code|reason|hard_bounce|count|all]]
#                        [--min-reason P] [--min-status P] [--min-count P] [--quiet]
#                        [--sisimai-compat]
#   --sisimai-compat    run `bounce --sisimai-compat` (sisimai's rule for
#                       "user unknown" texts with no known command)
#   SMTPSTATUS_BIN      default ./build/smtpstatus (run from the repository root)
#   SMTPSTATUS_CORPUS   the corpus folder, default <checkout>/../shared/corpus/sisimai
# Exit status: 0 ok, 1 a --min-* threshold not met, 2 usage or setup error.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="./build/smtpstatus"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    bin="$1"
    shift
fi
extra=()
args=()
for a in "$@"; do
    if [ "$a" = "--sisimai-compat" ]; then extra+=(--sisimai-compat); else args+=("$a"); fi
done
set -- ${args[@]+"${args[@]}"}
corpus="${SMTPSTATUS_CORPUS:-$here/../../shared/corpus/sisimai}"
[ -d "$corpus" ] && corpus="$(cd "$corpus" && pwd)"

die() { echo "corpus.sh: $*" >&2; exit 2; }

command -v python3 >/dev/null 2>&1 || die "python3 is needed"
[ -d "$corpus" ] || die "no corpus folder at $corpus (expected ../shared/corpus/sisimai beside the checkout, or set SMTPSTATUS_CORPUS)"
[ -f "$corpus/expected.tsv" ] || die "no expected.tsv in $corpus"
[ -x "$bin" ] || die "no smtpstatus binary at $bin (build it first, e.g. make, or pass its path as the first argument)"

# The .eml files, in sorted order.
shopt -s nullglob
emls=("$corpus"/*.eml)
shopt -u nullglob
[ ${#emls[@]} -gt 0 ] || die "no .eml files in $corpus"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/smtpstatus-corpus.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

rc=0
"$bin" bounce --format jsonl --all --delivered --vacation ${extra[@]+"${extra[@]}"} "${emls[@]}" >"$tmp/out.jsonl" 2>"$tmp/err.txt" || rc=$?

echo "smtpstatus: $bin ($("$bin" --version 2>/dev/null | head -n 1 || echo '?'))"
echo "corpus: $corpus (${#emls[@]} files), $(wc -l <"$tmp/out.jsonl") output lines"
if [ "$rc" -ne 0 ] || [ -s "$tmp/err.txt" ]; then
    echo "smtpstatus exit status $rc, $(wc -l <"$tmp/err.txt") lines on stderr; first ones:"
    head -n 5 "$tmp/err.txt" | sed 's/^/  /'
fi
if [ ! -s "$tmp/out.jsonl" ]; then
    echo "warning: smtpstatus wrote no records at all; is 'bounce' implemented?"
fi

python3 "$here/corpus_compare.py" --expected "$corpus/expected.tsv" \
    --ours "$tmp/out.jsonl" "$@"
