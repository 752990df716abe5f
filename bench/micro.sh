#!/usr/bin/env bash
# micro.sh - build and run bench/micro.c, the micro-benchmark of
# smtpstatus_explain, smtpstatus_classify, smtpstatus_status_lookup and
# smtpstatus_reply_lookup (lines or lookups per second, median of RUNS).
#
# It compiles micro.c with cc -O2 against BUILD_DIR/libsmtpstatus.a; it
# does not build the library (cmake --build BUILD_DIR does).
#
# usage: bench/micro.sh [BUILD_DIR] [RUNS]
#   BUILD_DIR  default <checkout>/build;  RUNS default 5
#   env: CC (default cc), CFLAGS (default -O2)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-5}"

die() { echo "micro.sh: $*" >&2; exit 2; }

case "$runs" in ''|*[!0-9]*) die "RUNS must be a number from 1 to 64" ;; esac
[ -d "$build" ] || die "no build directory $build (configure and build first: cmake -S $root -B $build && cmake --build $build)"
lib="$build/libsmtpstatus.a"
[ -f "$lib" ] || die "no $lib (build it: cmake --build $build --target smtpstatus_static)"
command -v "${CC:-cc}" >/dev/null 2>&1 || die "no C compiler (${CC:-cc})"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/smtpstatus-micro.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086
"${CC:-cc}" -std=c99 ${CFLAGS:--O2} -Wall -Wextra -Wshadow -D_POSIX_C_SOURCE=200809L \
    -I"$root/include" "$here/micro.c" "$lib" -lpthread -lm -o "$tmp/micro" ||
    die "could not build micro.c against $lib"
"$tmp/micro" "$runs"
