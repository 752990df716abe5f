#!/usr/bin/env bash
# speed.sh - the speed benchmark: smtpstatus against the Sisimai Perl
# library and against the floor of reading the same bytes with cat.
#
# It builds a speed set in a temporary directory from the sample corpus
# (../shared/corpus/sisimai beside the checkout): the corpus copied COPIES
# times (default 20) into one folder, and the same messages as one mbox.
# It then times, in the same run, `smtpstatus bounce --format jsonl --delivered` and
# bench/sisimai_run.pl over the folder and over the mbox (median of RUNS
# runs, default 5, and SISIMAI_RUNS, default 3), and `cat` over the same
# bytes, and prints messages per second, MB per second, peak RSS, the ratio
# to sisimai and to the cat floor, and whether the targets are met.
# The target's ratio is to Sisimai->make, which leaves its results as Perl
# objects; sisimai is also timed with Sisimai->dump, which writes them as
# JSON as we do (SISIMAI_JSON=0 skips it), and that ratio is printed beside
# (the rows marked (J) in the table).
#
#   --quick   smoke test: 2 copies, 2 runs, 1 sisimai run
#   --jobs    also measure -j 1 against -j 2 (2 x RUNS alternating pairs,
#             median of the pairs' ratios) and check the output order
#   --big     also generate a 2 GiB mbox in $TMPDIR (never kept), run
#             smtpstatus over it and print peak RSS and MB/s (with --jobs
#             also -j 2 over it: the scaling of a long run)
#   --no-sisimai  skip sisimai (no ratio)
#
# usage: bench/speed.sh [--quick] [--jobs] [--big] [--no-sisimai] [SMTPSTATUS_BIN]
#   SMTPSTATUS_BIN  default <checkout>/build/smtpstatus, built with make
#                   when missing
#   env: COPIES, RUNS, SISIMAI_RUNS, SISIMAI_JSON (0 or 1), BIG_SIZE (bytes),
#        SMTPSTATUS_CORPUS, TMPDIR
#
# Each run is timed by bench/timed_run.py (wall time from spawning the
# command to reaping it, and its CPU time); the peak RSS of a small command
# is taken from one more run under /usr/bin/time.  It installs Debian's
# libsisimai-perl and time packages when missing (apt-get, with sudo when
# not root).  It does not check results beyond counting them:
# bench/corpus.sh measures agreement.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

die() { echo "speed.sh: $*" >&2; exit 2; }
note() { echo "speed.sh: $*" >&2; }

quick=0 jobs=0 big=0 sisimai=1 bin=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=1 ;;
    --jobs) jobs=1 ;;
    --big) big=1 ;;
    --no-sisimai) sisimai=0 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$bin" ] || die "only one binary path"; bin="$1" ;;
    esac
    shift
done

if [ "$quick" = 1 ]; then
    COPIES="${COPIES:-2}" RUNS="${RUNS:-2}" SISIMAI_RUNS="${SISIMAI_RUNS:-1}"
fi
COPIES="${COPIES:-20}"
RUNS="${RUNS:-5}"
SISIMAI_RUNS="${SISIMAI_RUNS:-3}"
SISIMAI_JSON="${SISIMAI_JSON:-1}"
case "$SISIMAI_JSON" in 0|1) ;; *) die "SISIMAI_JSON must be 0 or 1" ;; esac
BIG_SIZE="${BIG_SIZE:-2147483648}"
for v in COPIES RUNS SISIMAI_RUNS BIG_SIZE; do
    case "${!v}" in ''|*[!0-9]*) die "$v must be a positive number" ;; esac
    [ "${!v}" -gt 0 ] || die "$v must be a positive number"
done

corpus="${SMTPSTATUS_CORPUS:-$here/../../shared/corpus/sisimai}"
[ -d "$corpus" ] || die "no corpus folder at $corpus (expected ../shared/corpus/sisimai beside the checkout, or set SMTPSTATUS_CORPUS)"
corpus="$(cd "$corpus" && pwd)"
shopt -s nullglob
emls=("$corpus"/*.eml)
shopt -u nullglob
[ ${#emls[@]} -gt 0 ] || die "no .eml files in $corpus"
command -v python3 >/dev/null 2>&1 || die "python3 is needed"

# ---- the binary ----
if [ -z "$bin" ]; then
    bin="$root/build/smtpstatus"
    if [ ! -x "$bin" ]; then
        note "no $bin: building it with make"
        make -C "$root" build >&2 || die "make failed"
    fi
fi
[ -x "$bin" ] || die "no smtpstatus binary at $bin"

# ---- packages ----
apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    command -v apt-get >/dev/null 2>&1 || return 1
    note "installing $*"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 ||
        { $sudo apt-get update -qq >&2 &&
          $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; }
}
if [ ! -x /usr/bin/time ]; then
    apt_install time || die "/usr/bin/time is needed (Debian package time)"
fi
if [ "$sisimai" = 1 ] && ! perl -MSisimai -e 1 2>/dev/null; then
    apt_install libsisimai-perl || die "could not install libsisimai-perl (use --no-sisimai to skip it)"
    perl -MSisimai -e 1 || die "Sisimai still not loadable after installing libsisimai-perl"
fi

# ---- the speed set ----
tmp="$(mktemp -d "${TMPDIR:-/tmp}/smtpstatus-speed.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/set"
for ((c = 1; c <= COPIES; c++)); do
    tag="$(printf 'c%03d' "$c")"
    for f in "${emls[@]}"; do
        cp "$f" "$tmp/set/$tag-${f##*/}"
    done
done
shopt -s nullglob
setfiles=("$tmp/set"/*)
shopt -u nullglob
nmsg=${#setfiles[@]}
mbox_n="$(python3 "$here/make_mbox.py" "$tmp/set.mbox" "${setfiles[@]}")"
[ "$mbox_n" = "$nmsg" ] || die "mbox holds $mbox_n messages, folder $nmsg"
set_bytes="$(cat "${setfiles[@]}" | wc -c)"
mbox_bytes="$(wc -c <"$tmp/set.mbox")"

# What smtpstatus runs: delivered records are kept, as sisimai_run.pl keeps
# them (delivered => 1), so that both do the same work.
ss_args=(bounce --format jsonl --delivered)

# ---- timing ----
median() { sort -g | awk '{ a[NR] = $1 }
    END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure RUNS OUT cmd... : runs cmd RUNS times in bench/timed_run.py, stdout
# to OUT, and sets MED (median wall seconds), CPU (median user+system
# seconds), RSS (largest peak RSS in KiB) and FAIL (the last non-zero exit
# status, 0 if none); the first failing run's first stderr lines are shown.
# timed_run.py times each run from posix_spawn to wait4 in one Python
# process: /bin/true measures about 0.8 ms that way (medians of 31), against
# about 2.05 ms with the /usr/bin/time run timed by bash's EPOCHREALTIME used
# before, so the harness adds about 1.2 ms less to every run.  The peak RSS
# of a command smaller than that Python process (see timed_run.py) comes from
# one more, untimed run under /usr/bin/time (rss_of), unless NO_RSS=1.
measure() {
    local runs="$1" out="$2" wall cpu r rc
    shift 2
    local times=() cpus=()
    RSS=0 FAIL=0
    python3 "$here/timed_run.py" "$runs" "$out" "$tmp/err" "$@" >"$tmp/runs" ||
        die "timed_run.py failed on: $*"
    while read -r wall cpu r rc; do
        times+=("$wall") cpus+=("$cpu")
        [ "$r" -le "$RSS" ] || RSS="$r"
        if [ "$rc" -ne 0 ]; then
            if [ "$FAIL" = 0 ]; then
                note "exit status $rc from: $*"
                head -n 3 "$tmp/err" | sed 's/^/  /' >&2
            fi
            FAIL=$rc
        fi
    done <"$tmp/runs"
    [ "${#times[@]}" = "$runs" ] || die "timed_run.py reported ${#times[@]} of $runs runs of: $*"
    MED="$(printf '%s\n' "${times[@]}" | median)"
    CPU="$(printf '%s\n' "${cpus[@]}" | median)"
    if [ "$RSS" = 0 ] && [ "${NO_RSS:-0}" != 1 ]; then
        rss_of "$@"
    fi
}

# rss_of cmd... : sets RSS to cmd's peak RSS in KiB, from one run under
# /usr/bin/time (0 when it cannot be read).
rss_of() {
    RSS=0
    /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>&1 || true
    RSS="$(tail -n 1 "$tmp/rss" 2>/dev/null | awk '{ printf "%d", $1 }')"
    case "$RSS" in ''|*[!0-9]*) RSS=0 ;; esac
}

# Result rows.
R_NAME=() R_MSGS=() R_BYTES=() R_SEC=() R_CPU=() R_RSS=() R_BASE=() R_BCPU=() R_CAT=()
add_row() { # name msgs bytes sec cpu rss sisimai_sec sisimai_cpu cat_sec
    R_NAME+=("$1") R_MSGS+=("$2") R_BYTES+=("$3") R_SEC+=("$4") R_CPU+=("$5")
    R_RSS+=("$6") R_BASE+=("$7") R_BCPU+=("$8") R_CAT+=("$9")
}
loadavg() { cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo '?'; }

ncpu="$(nproc)"
ss_version="$("$bin" --version 2>/dev/null | head -n 1 || true)"
echo "machine: $ncpu cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(uname -sr), load $(loadavg)"
echo "smtpstatus: $bin (${ss_version:-version unknown})"
if [ "$sisimai" = 1 ]; then
    echo "sisimai: $(perl -MSisimai -e 'print $Sisimai::VERSION') (perl $(perl -e 'print $^V'))"
fi
echo "speed set: $COPIES copies of $corpus: $nmsg messages;" \
     "folder $(awk -v b="$set_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB," \
     "mbox $(awk -v b="$mbox_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
echo "runs: smtpstatus $RUNS, sisimai $SISIMAI_RUNS, cat $RUNS (medians)"
if awk -v l="$(loadavg)" -v n="$ncpu" 'BEGIN { exit !(l + 0 > n / 2) }'; then
    echo "warning: load average $(loadavg) on $ncpu cores: other work is running, wall times are inflated (compare the cpu column)"
fi
echo

declare -A SEC
for what in folder mbox; do
    if [ "$what" = folder ]; then
        path="$tmp/set" bytes="$set_bytes"
        catcmd=(cat "${setfiles[@]}")
    else
        path="$tmp/set.mbox" bytes="$mbox_bytes"
        catcmd=(cat "$tmp/set.mbox")
    fi
    echo "-- $what"
    # Untimed run: count the records.
    rc=0
    "$bin" "${ss_args[@]}" "$path" >"$tmp/ss.out" 2>"$tmp/ss.err" || rc=$?
    recs="$(wc -l <"$tmp/ss.out")"
    echo "smtpstatus: $recs records (exit status $rc, $(wc -l <"$tmp/ss.err") lines on stderr)"
    [ "$recs" -gt 0 ] || note "smtpstatus wrote no records for the $what: is 'bounce' implemented?"

    measure "$RUNS" /dev/null "${catcmd[@]}"
    SEC[cat_$what]="$MED"
    add_row "cat $what" "$nmsg" "$bytes" "$MED" "$CPU" "$RSS" "" "" ""

    measure "$RUNS" /dev/null "$bin" "${ss_args[@]}" "$path"
    SEC[ss_$what]="$MED"
    SEC[sscpu_$what]="$CPU"
    ss_rss="$RSS"

    sis_sec="" sis_cpu=""
    if [ "$sisimai" = 1 ]; then
        measure "$SISIMAI_RUNS" "$tmp/sis.out" perl "$here/sisimai_run.pl" "$path"
        sis_sec="$MED" sis_cpu="$CPU"
        cat "$tmp/sis.out"
        [ "$FAIL" = 0 ] || note "sisimai_run.pl failed on the $what"
        add_row "sisimai $what" "$nmsg" "$bytes" "$MED" "$CPU" "$RSS" "" "" "${SEC[cat_$what]}"
    fi
    add_row "smtpstatus $what" "$nmsg" "$bytes" "${SEC[ss_$what]}" "${SEC[sscpu_$what]}" "$ss_rss" "$sis_sec" "$sis_cpu" "${SEC[cat_$what]}"
    if [ "$sisimai" = 1 ] && [ "$SISIMAI_JSON" = 1 ]; then
        # The same work as ours on both sides: sisimai's results also
        # turned into JSON text (Sisimai->dump), as smtpstatus writes them.
        measure "$SISIMAI_RUNS" "$tmp/sis.out" perl "$here/sisimai_run.pl" --json "$path"
        cat "$tmp/sis.out"
        [ "$FAIL" = 0 ] || note "sisimai_run.pl --json failed on the $what"
        SEC[sisjson_$what]="$MED" SEC[sisjsoncpu_$what]="$CPU"
        add_row "sisimai $what JSON" "$nmsg" "$bytes" "$MED" "$CPU" "$RSS" "" "" "${SEC[cat_$what]}"
        add_row "smtpstatus $what (J)" "$nmsg" "$bytes" "${SEC[ss_$what]}" "${SEC[sscpu_$what]}" "$ss_rss" "$MED" "$CPU" "${SEC[cat_$what]}"
    fi
    SEC[sis_$what]="$sis_sec" SEC[siscpu_$what]="$sis_cpu"
done

# ---- -j scaling ----
if [ "$jobs" = 1 ]; then
    echo "-- jobs"
    for what in folder mbox; do
        if [ "$what" = folder ]; then path="$tmp/set" bytes="$set_bytes"; else path="$tmp/set.mbox" bytes="$mbox_bytes"; fi
        "$bin" "${ss_args[@]}" -j 1 "$path" >"$tmp/j1.out" 2>/dev/null || true
        "$bin" "${ss_args[@]}" -j 2 "$path" >"$tmp/j2.out" 2>"$tmp/j2.err" || true
        if [ ! -s "$tmp/j2.out" ]; then
            echo "-j 2 on the $what: no output ($(head -n 1 "$tmp/j2.err"))"
            continue
        fi
        if cmp -s "$tmp/j1.out" "$tmp/j2.out"; then order="same output as -j 1"; else order="OUTPUT DIFFERS from -j 1"; fi
        # -j 1 and -j 2 runs alternate, so that a change in the machine's
        # speed during the measurement hits both; the speed-up is the
        # median of the pairs' ratios.
        j1s=() j1c=() j2s=() j2c=() ratios=() r1=0 r2=0
        for ((k = 0; k < 2 * RUNS; k++)); do
            NO_RSS=1 measure 1 /dev/null "$bin" "${ss_args[@]}" -j 1 "$path"
            j1s+=("$MED") j1c+=("$CPU"); [ "$RSS" -le "$r1" ] || r1="$RSS"
            a="$MED"
            NO_RSS=1 measure 1 /dev/null "$bin" "${ss_args[@]}" -j 2 "$path"
            j2s+=("$MED") j2c+=("$CPU"); [ "$RSS" -le "$r2" ] || r2="$RSS"
            ratios+=("$(awk -v a="$a" -v b="$MED" 'BEGIN { printf "%.4f", a / (b > 0 ? b : 1e-6) }')")
        done
        [ "$r1" != 0 ] || { rss_of "$bin" "${ss_args[@]}" -j 1 "$path"; r1="$RSS"; }
        [ "$r2" != 0 ] || { rss_of "$bin" "${ss_args[@]}" -j 2 "$path"; r2="$RSS"; }
        s1="$(printf '%s\n' "${j1s[@]}" | median)" c1="$(printf '%s\n' "${j1c[@]}" | median)"
        s2="$(printf '%s\n' "${j2s[@]}" | median)" c2="$(printf '%s\n' "${j2c[@]}" | median)"
        add_row "smtpstatus $what -j1" "$nmsg" "$bytes" "$s1" "$c1" "$r1" "${SEC[sis_$what]:-}" "${SEC[siscpu_$what]:-}" "${SEC[cat_$what]}"
        add_row "smtpstatus $what -j2" "$nmsg" "$bytes" "$s2" "$c2" "$r2" "${SEC[sis_$what]:-}" "${SEC[siscpu_$what]:-}" "${SEC[cat_$what]}"
        SEC[jspeed_$what]="$(printf '%s\n' "${ratios[@]}" | median | awk '{ printf "%.2f", $1 }')"
        SEC[jorder_$what]="$order"
        echo "$what: -j 2 speed-up ${SEC[jspeed_$what]}x over -j 1 ($order)"
    done
fi

# ---- the 2 GiB mbox ----
if [ "$big" = 1 ]; then
    echo "-- big mbox"
    need_kb=$(( BIG_SIZE / 1024 + BIG_SIZE / 10240 + 65536 ))
    free_kb="$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')"
    if [ "$free_kb" -lt "$need_kb" ]; then
        echo "skipped: $((free_kb / 1024)) MB free in $tmp, need $((need_kb / 1024)) MB"
    else
        # Grow a chunk, then append it until the file is big enough.
        cp "$tmp/set.mbox" "$tmp/chunk.mbox"
        while [ "$(stat -c %s "$tmp/chunk.mbox")" -lt 67108864 ] &&
              [ "$(stat -c %s "$tmp/chunk.mbox")" -lt "$BIG_SIZE" ]; do
            cat "$tmp/chunk.mbox" "$tmp/chunk.mbox" >"$tmp/chunk2.mbox"
            mv "$tmp/chunk2.mbox" "$tmp/chunk.mbox"
        done
        : >"$tmp/big.mbox"
        while [ "$(stat -c %s "$tmp/big.mbox")" -lt "$BIG_SIZE" ]; do
            cat "$tmp/chunk.mbox" >>"$tmp/big.mbox"
        done
        rm -f "$tmp/chunk.mbox"
        big_bytes="$(stat -c %s "$tmp/big.mbox")"
        big_msgs="$(grep -c '^From MAILER-DAEMON Thu Jan  1 00:00:00 1970$' "$tmp/big.mbox" || true)"
        echo "generated $tmp/big.mbox: $big_msgs messages, $((big_bytes / 1048576)) MiB"
        measure 1 /dev/null cat "$tmp/big.mbox"
        big_cat="$MED"
        add_row "cat big mbox" "$big_msgs" "$big_bytes" "$MED" "$CPU" "$RSS" "" "" ""
        measure 1 /dev/null "$bin" bounce --format jsonl "$tmp/big.mbox"
        [ "$FAIL" = 0 ] || note "smtpstatus exit status $FAIL on the big mbox"
        add_row "smtpstatus big mbox" "$big_msgs" "$big_bytes" "$MED" "$CPU" "$RSS" "" "" "$big_cat"
        SEC[big_rss]="$RSS"
        if [ "$jobs" = 1 ]; then
            # a long run, where starting and ending the threads weigh nothing
            big1="$MED"
            measure 1 /dev/null "$bin" bounce --format jsonl -j 2 "$tmp/big.mbox"
            add_row "smtpstatus big mbox -j2" "$big_msgs" "$big_bytes" "$MED" "$CPU" "$RSS" "" "" "$big_cat"
            SEC[jspeed_big]="$(awk -v a="$big1" -v b="$MED" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1e-6) }')"
            echo "big mbox: -j 2 speed-up ${SEC[jspeed_big]}x over -j 1 (one run each)"
        fi
        rm -f "$tmp/big.mbox"
    fi
fi

# ---- the table ----
echo
printf '%-22s %8s %8s %7s %9s %7s %7s %9s %7s %6s\n' \
    "" messages "wall s" "cpu s" "msgs/s" "MB/s" "peak MB" "x sisimai" "x cpu" "x cat"
for i in "${!R_NAME[@]}"; do
    awk -v n="${R_NAME[$i]}" -v m="${R_MSGS[$i]}" -v b="${R_BYTES[$i]}" \
        -v s="${R_SEC[$i]}" -v c="${R_CPU[$i]}" -v r="${R_RSS[$i]}" \
        -v base="${R_BASE[$i]}" -v bcpu="${R_BCPU[$i]}" -v cat="${R_CAT[$i]}" 'BEGIN {
        if (s <= 0) s = 1e-6
        ratio = (base == "") ? "-" : sprintf("%.1f", base / s)
        cratio = (bcpu == "" || c <= 0) ? "-" : sprintf("%.1f", bcpu / c)
        xcat = (cat == "" || cat <= 0) ? "-" : sprintf("%.2f", s / cat)
        rss = (r == "" || r == 0) ? "-" : sprintf("%.1f", r / 1024)
        printf "%-22s %8d %8.3f %7.2f %9.0f %7.1f %7s %9s %7s %6s\n", n, m, s, c, m / s, b / 1e6 / s, rss, ratio, cratio, xcat
    }'
done
echo "msgs/s and MB/s from the median wall time; x sisimai: sisimai's wall time / ours on the"
echo "same messages; x cpu: the same with user+system CPU time (steadier on a busy machine);"
echo "x cat: our wall time / cat's on the same bytes; (J): the same run of ours, its ratios to"
echo "sisimai writing JSON too (Sisimai->dump), the row above it"

# ---- targets ----
echo
verdict() { if awk "BEGIN { exit !($1) }"; then echo ok; else echo MISSED; fi; }
if [ "$sisimai" = 1 ]; then
    for what in folder mbox; do
        for i in "${!R_NAME[@]}"; do
            [ "${R_NAME[$i]}" = "smtpstatus $what" ] || continue
            x="$(awk -v a="${R_BASE[$i]}" -v b="${R_SEC[$i]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1e-6) }')"
            xc="$(awk -v a="${R_BCPU[$i]}" -v b="${R_CPU[$i]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 0.01) }')"
            echo "target: >= 100x sisimai msgs/s, $what: ${x}x $(verdict "$x >= 100") (cpu time: ${xc}x)"
            break
        done
        if [ -n "${SEC[sisjson_$what]:-}" ]; then
            x="$(awk -v a="${SEC[sisjson_$what]}" -v b="${SEC[ss_$what]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1e-6) }')"
            echo "  the same with sisimai writing JSON too (Sisimai->dump), $what: ${x}x"
        fi
    done
fi
for what in folder mbox; do
    x="$(awk -v a="${SEC[ss_$what]}" -v b="${SEC[cat_$what]}" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1e-6) }')"
    echo "target: within 3x the cat floor, $what: ${x}x $(verdict "$x <= 3")"
done
if [ "$jobs" = 1 ]; then
    for what in folder mbox; do
        [ -n "${SEC[jspeed_$what]:-}" ] || { echo "target: -j 2 scaling, $what: not measured"; continue; }
        echo "target: -j 2 near-linear (>= 1.8x), $what: ${SEC[jspeed_$what]}x $(verdict "${SEC[jspeed_$what]} >= 1.8"), ${SEC[jorder_$what]}"
    done
    if [ -n "${SEC[jspeed_big]:-}" ]; then
        echo "target: -j 2 near-linear (>= 1.8x), big mbox: ${SEC[jspeed_big]}x $(verdict "${SEC[jspeed_big]} >= 1.8")"
    fi
fi
if [ "${SEC[big_rss]:-0}" != 0 ]; then
    mb="$(awk -v r="${SEC[big_rss]}" 'BEGIN { printf "%.1f", r / 1024 }')"
    echo "target: peak RSS < 64 MB on the big mbox: $mb MB $(verdict "$mb < 64")"
elif [ -n "${SEC[big_rss]:-}" ]; then
    echo "target: peak RSS < 64 MB on the big mbox: not measured (/usr/bin/time gave no figure)"
fi
echo "load average at the end: $(loadavg)"
