#!/usr/bin/env bash
# t_install.sh - `cmake --install` into a prefix the loader does not search
# gives a tool that runs as it is (no ldconfig, no LD_LIBRARY_PATH), and a
# library a program can be built against with the installed header and
# pkg-config file (which finds the prefix from where it lies), statically
# and dynamically.
#
#   bash t_install.sh CLI SOURCE_DIR BUILD_DIR
set -u
cli=$(realpath "$1"); src=$(realpath "$2"); build=$(realpath "${3:?build dir}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
pfx=$tmp/prefix
if ! cmake --install "$build" --prefix "$pfx" >"$tmp/log" 2>&1; then
    cat "$tmp/log"
    echo "install: cmake --install failed"
    exit 1
fi
for f in bin/smtpstatus include/smtpstatus.h share/man/man1/smtpstatus.1 \
         share/man/man3/libsmtpstatus.3; do
    [ -f "$pfx/$f" ] && ok || bad "$f not installed"
done
pc=$(find "$pfx" -name smtpstatus.pc | head -1)
[ -n "$pc" ] && ok || bad "smtpstatus.pc not installed"
libdir=$(dirname "$(find "$pfx" -name libsmtpstatus.a | head -1)")
[ -f "$libdir/libsmtpstatus.a" ] && [ -e "$libdir/libsmtpstatus.so" ] && ok ||
    bad "libsmtpstatus.a / .so not installed"

# the installed tool starts from a directory of its own, as the build's does
(cd "$tmp" && env -u LD_LIBRARY_PATH "$pfx/bin/smtpstatus" --version) >"$tmp/v" 2>&1
"$cli" --version >"$tmp/v0" 2>&1
if cmp -s "$tmp/v" "$tmp/v0"; then ok; else bad "installed smtpstatus --version: $(head -2 "$tmp/v")"; fi
(cd "$tmp" && env -u LD_LIBRARY_PATH "$pfx/bin/smtpstatus" explain --json 5.1.1) >"$tmp/x" 2>&1
grep -q '"status":"5.1.1"' "$tmp/x" && ok || bad "installed smtpstatus explain: $(head -2 "$tmp/x")"

# a program built against the installed library: statically, and
# dynamically (run with the library's directory named, as it is outside
# the loader's paths)
cat >"$tmp/p.c" <<'C'
#include <smtpstatus.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    static const char reply[] = "550 5.1.1 no such user";
    smtpstatus_explanation e;
    if (smtpstatus_explain(reply, strlen(reply), &e) != SMTPSTATUS_OK)
        return 1;
    printf("%d.%d.%d\n", e.status.klass, e.status.subject, e.status.detail);
    return 0;
}
C
cc=${CC:-cc}
# a sanitizer build's library needs the sanitizer runtime linked in
if grep -q '^SMTPSTATUS_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    cc="$cc -fsanitize=address,undefined"
fi
if $cc -I"$pfx/include" "$tmp/p.c" "$libdir/libsmtpstatus.a" -lpthread -o "$tmp/ps" 2>"$tmp/ce" &&
   [ "$("$tmp/ps")" = "5.1.1" ]; then ok; else bad "static program: $(head -3 "$tmp/ce")"; fi
if $cc -I"$pfx/include" "$tmp/p.c" -L"$libdir" -lsmtpstatus -o "$tmp/pd" 2>"$tmp/ce" &&
   [ "$(LD_LIBRARY_PATH="$libdir" "$tmp/pd")" = "5.1.1" ]; then ok; else bad "shared program: $(head -3 "$tmp/ce")"; fi
# smtpstatus.pc finds the prefix from where it lies: this install chose a
# prefix other than the one the build was configured with
pcdir=$(dirname "$pc")
if command -v pkg-config >/dev/null 2>&1; then
    flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs smtpstatus 2>&1)
    if $cc "$tmp/p.c" $flags -o "$tmp/pp" 2>"$tmp/ce" &&
       [ "$(LD_LIBRARY_PATH="$libdir" "$tmp/pp")" = "5.1.1" ]; then ok
    else bad "program built with pkg-config ($flags): $(head -3 "$tmp/ce")"; fi
    case "$flags" in
        *"-I$pcdir/"*|*"-I$pfx/"*) ok ;;
        *) bad "pkg-config --cflags does not name the install prefix: $flags" ;;
    esac
else
    grep -q '^prefix=${pcfiledir}/' "$pc" && ok || bad "smtpstatus.pc: $(head -1 "$pc")"
fi

echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
