#!/bin/sh
# check-package.sh - the Debian package as an operator gets it: built
# with "dpkg-buildpackage -us -uc -b" from a copy of this tree (what git
# tracks plus what it would track; a tree that is not a git clone is
# copied without its build outputs), checked with lintian (no errors),
# unpacked into a throwaway root with "dpkg -x" and run from there.
# "make check-package" runs it; CI does (.ci/run).  Needs dpkg-dev,
# debhelper, lintian and man-db ("scripts/install-deps.sh package").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
work=$(mktemp -d "${TMPDIR:-/tmp}/cascade-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/cascade-$ver
root=$work/root
n=0
bad=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '#   %s\n' "$l"; done; }

mkdir -p "$src" "$root"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
		tar -cf - -T -) | tar -xf - -C "$src"
else
	tar -C "$top" --exclude=./build --exclude='./build-*' --exclude=./demo \
		--exclude=./debian/cascade --exclude=./debian/.debhelper -cf - . |
		tar -xf - -C "$src"
fi

echo "check-package: dpkg-buildpackage -us -uc -b in $src"
if (cd "$src" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b builds it"
else
	fail "dpkg-buildpackage -us -uc -b builds it"
	tail -40 "$work/build.log" | sed 's/^/#   /'
	echo "check-package: $n assertions, $bad failed"
	exit 1
fi
deb=$work/cascade_${ver}_$arch.deb
[ -f "$deb" ] && pass "it makes cascade_${ver}_$arch.deb" || fail "it makes cascade_${ver}_$arch.deb" "$(ls "$work")"

# the build honours dpkg-buildflags (CPPFLAGS: _FORTIFY_SOURCE; LDFLAGS:
# relro, now) and does not make warnings errors
cc_lines=$(grep -E '^(cc|gcc|[a-z0-9_-]+-gcc) .* -c -o ' "$work/build.log" || true)
[ -n "$cc_lines" ] && pass "the compiler's command lines are in the log" || fail "the compiler's command lines are in the log"
if [ -n "$cc_lines" ] && ! echo "$cc_lines" | grep -qv -- '-D_FORTIFY_SOURCE='; then
	pass "every compilation has CPPFLAGS' -D_FORTIFY_SOURCE"
else
	fail "every compilation has CPPFLAGS' -D_FORTIFY_SOURCE" "$(echo "$cc_lines" | grep -v -- '-D_FORTIFY_SOURCE=' | head -2)"
fi
# (dpkg-buildflags' own -Werror=format-security is not -Werror)
echo "$cc_lines" | grep -qE -- ' -Werror( |$)' && fail "no -Werror in a plain build" || pass "no -Werror in a plain build"
grep -q -- '-Wl,-z,now' "$work/build.log" && pass "LDFLAGS reach the link" || fail "LDFLAGS reach the link"

dbp=$work/cascade-dbprocessing_${ver}_all.deb
[ -f "$dbp" ] && pass "and cascade-dbprocessing_${ver}_all.deb" || fail "and cascade-dbprocessing_${ver}_all.deb" "$(ls "$work")"

# lintian: no errors (warnings are shown)
if lintian --fail-on error --info "$deb" "$dbp" > "$work/lintian.log" 2>&1; then
	pass "lintian: no errors"
else
	fail "lintian: no errors"
fi
sed 's/^/#   lintian: /' "$work/lintian.log"

# installed into a throwaway root and run from there
dpkg -x "$deb" "$root"
dpkg -x "$dbp" "$root"
out=$("$root/usr/bin/cascade-dbp-inspector" 2>&1 || true)
case $out in "usage: cascade-dbp-inspector"*) pass "cascade-dbp-inspector runs" ;; *) fail "cascade-dbp-inspector runs" "$out" ;; esac
out=$("$root/usr/bin/cascade" --version 2>&1) && pass "cascade --version runs: $out" || fail "cascade --version runs" "$out"
case $out in "cascade $ver"*) pass "and says $ver" ;; *) fail "and says $ver" "$out" ;; esac
out=$("$root/usr/bin/ProcessQueue" --help 2>&1 | head -n 1)
case $out in *"process-queue"*) pass "ProcessQueue is cascade process-queue" ;; *) fail "ProcessQueue is cascade process-queue" "$out" ;; esac
man1=$root/usr/share/man/man1
for page in cascade.1.gz ProcessQueue.1.gz cascade-config.1.gz cascade-flag.1.gz; do
	out=$(MANWIDTH=80 man -l "$man1/$page" 2>"$work/man.err" | head -n 200)
	name=${page%.1.gz}
	case $out in
	*NAME*"$name"*) pass "man -l $page shows its page" ;;
	*) fail "man -l $page shows its page" "$(head -3 "$work/man.err")" ;;
	esac
done
[ -L "$man1/ProcessQueue.1.gz" ] && pass "ProcessQueue(1) is cascade-process-queue(1)" || fail "ProcessQueue(1) is cascade-process-queue(1)"
# the prefix: /usr, in what is installed as in what is compiled in
left=$(grep -rl '/usr/local' "$root" 2>/dev/null | sed "s|^$root||" || true)
left=$(for f in $left; do case $f in *.gz) ;; *) echo "$f" ;; esac; done)
gz=$(find "$root" -name '*.gz' ! -type l -exec sh -c 'zcat "$1" | grep -q /usr/local && echo "${1#'"$root"'}"' _ {} \;)
[ -z "$left$gz" ] && pass "no installed file names /usr/local" || fail "no installed file names /usr/local" $left $gz
zcat "$man1/cascade.1.gz" | grep -q '^\.It Pa /usr/bin/ProcessQueue$' &&
	pass "cascade(1) names /usr/bin/ProcessQueue" || fail "cascade(1) names /usr/bin/ProcessQueue"
ex=$root/usr/share/doc/cascade/examples
grep -q '/usr/bin/ProcessQueue' "$ex/crontab.example" && pass "the crontab example runs /usr/bin/ProcessQueue" || fail "the crontab example runs /usr/bin/ProcessQueue"
grep -q '^ExecStart=/usr/bin/ProcessQueue' "$ex/cascade-processqueue.service" && pass "so does the systemd unit" || fail "so does the systemd unit"
grep -q '^ExecStart=/usr/bin/ProcessQueue --watch' "$ex/cascade-watch@.service" && pass "and the resident controller's unit" || fail "and the resident controller's unit"
grep -aq '/usr/share/doc/cascade' "$root/usr/bin/cascade" && pass "the binary names /usr/share/doc/cascade" || fail "the binary names /usr/share/doc/cascade"
# the examples are valid mission files for the installed binary
for f in "$ex"/*.yaml "$ex"/*.example; do
	case $f in *crontab*) continue ;; esac
	grep -q '^mission:' "$f" || continue
	"$root/usr/bin/cascade" config check --no-programs "$f" >/dev/null 2>"$work/err" &&
		pass "config check ${f##*/}" || fail "config check ${f##*/}" "$(head -3 "$work/err")"
done
# bash completion: installed for both names, and loads
comp=$root/usr/share/bash-completion/completions
[ -f "$comp/cascade" ] && [ -L "$comp/ProcessQueue" ] && pass "bash completion installed for cascade and ProcessQueue" ||
	fail "bash completion installed for cascade and ProcessQueue"
out=$(bash -c ". '$comp/ProcessQueue' && complete -p cascade ProcessQueue" 2>&1)
case $out in *"-F _cascade cascade"*"-F _cascade ProcessQueue"*) pass "and loads" ;; *) fail "and loads" "$out" ;; esac
echo "check-package: $n assertions, $bad failed"
[ "$bad" -eq 0 ]
