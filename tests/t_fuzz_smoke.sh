#!/usr/bin/env bash
# t_fuzz_smoke.sh - a short fuzz run as part of the tests: when clang with
# libFuzzer is available, builds every fuzz target (fuzz/fuzz_*.c) into
# build-fuzz-smoke/ in the source folder (once; later runs only rebuild
# what changed) and runs each for a few seconds (FUZZ_SMOKE_SECONDS,
# default 5) from its seed corpus with its dictionary, two at a time, via
# fuzz/run.sh.  Fails when a target does not build or finds something
# (the input is left under build-fuzz-smoke/fuzzwork/<target>/found/;
# the tree is not written).  Prints "skipped: clang not found" and passes
# without clang; in a sanitizer build it passes at once (the fuzz targets
# are sanitizer builds of their own; one smoke run per `make check`).
#
#   bash t_fuzz_smoke.sh CLI SOURCE_DIR [BUILD_DIR]
set -u
SRC=${2:?usage: t_fuzz_smoke.sh CLI SOURCE_DIR [BUILD_DIR]}
BUILD=${3:-}
if ! command -v clang >/dev/null 2>&1; then
    echo "skipped: clang not found"
    exit 0
fi
if [ -n "$BUILD" ] && grep -q '^SMTPSTATUS_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "skipped: sanitizer build (the smoke run belongs to the plain build)"
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/t_fuzz_smoke.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$T/t.c"
if ! clang -fsanitize=fuzzer,address "$T/t.c" -o "$T/t" >/dev/null 2>&1; then
    echo "skipped: clang has no libFuzzer (-fsanitize=fuzzer)"
    exit 0
fi
# a fixed seed: the smoke run is repeatable, so it tests the code, not luck
FUZZ_BUILD=$SRC/build-fuzz-smoke FUZZ_SAVE=0 JOBS=2 FUZZ_SEED=${FUZZ_SEED:-1} \
    bash "$SRC/fuzz/run.sh" "${FUZZ_SMOKE_SECONDS:-5}"
rc=$?
if [ $rc = 0 ]; then
    echo "fuzz smoke: every target ran without a finding"
else
    echo "FAIL: fuzz smoke: a target did not build or found something (exit $rc)"
fi
exit $rc
