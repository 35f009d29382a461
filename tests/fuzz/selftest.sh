#!/bin/sh
# selftest.sh [--clean-tree] O - show that "make fuzz" fails on a finding.
#
# Builds tests/fuzz/selftest.c three times through the Makefile's fuzz
# rules (same compiler and flags as the real targets) and runs each with
# "make fuzz FUZZ_TARGETS=...":
#   - clean: must pass;
#   - overflow (a planted signed overflow): must fail, with a kept crash
#     file that reproduces it and a UBSan report;
#   - oob (a planted read past the input): likewise, with an ASan report.
# With --clean-tree it also runs "make fuzz" on every real target from an
# empty build directory, as on a fresh clone (slow: everything is
# compiled again with clang).
#
# Without a clang that links -fsanitize=fuzzer it prints why and passes,
# unless --clean-tree was asked for ("make fuzz-selftest"), which fails.
# Uses $MAKE (make) and $FUZZ_CC (clang).
set -u
clean_tree=false
if [ "${1:-}" = --clean-tree ]; then
	clean_tree=true
	shift
fi
O=${1:?usage: selftest.sh [--clean-tree] BUILD-DIR}
: "${MAKE:=make}"
: "${FUZZ_CC:=clang}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cascade-fuzz-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "fuzz self-test: FAILED: $*" >&2; bad=1; }

skip() {
	if $clean_tree; then
		echo "fuzz self-test: $*" >&2
		exit 1
	fi
	echo "fuzz self-test: skipped: $*"
	exit 0
}
cat > "$tmp/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return (int)(n && d[0]) * 0; }
EOF
command -v "$FUZZ_CC" >/dev/null 2>&1 ||
	skip "$FUZZ_CC not found (Debian packages clang and libclang-rt-14-dev)"
"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" \
	> "$tmp/probe.log" 2>&1 ||
	skip "$FUZZ_CC cannot link -fsanitize=fuzzer,address,undefined (Debian package libclang-rt-14-dev): $(head -n 1 "$tmp/probe.log")"

# make_fuzz TARGET SECONDS: "make fuzz" on that target, output in $tmp/out
make_fuzz() {
	rm -rf "$O/fuzz/corpus/$1" "$O/fuzz/artifacts/$1"
	$MAKE --no-print-directory O="$O" FUZZ_CC="$FUZZ_CC" \
		FUZZ_TARGETS="$1" FUZZ_TIME="$2" fuzz > "$tmp/out" 2>&1
}

if make_fuzz selftest-clean 2; then
	grep -q 'fuzz-selftest-clean: ok, [0-9]* execs' "$tmp/out" ||
		fail "clean target: no execution count in: $(cat "$tmp/out")"
else
	fail "clean target: make fuzz failed:"
	sed 's/^/  | /' "$tmp/out" >&2
fi

# planted BUG, expected REPORT, first byte of the input that triggers it
for planted in 'overflow:runtime error: signed integer overflow:!' \
	'oob:AddressSanitizer: heap-buffer-overflow:#'; do
	bug=${planted%%:*}
	rest=${planted#*:}
	report=${rest%:*}
	first=${rest##*:}
	# 60 s is only a bound: libFuzzer finds either in well under 1 s
	if make_fuzz "selftest-$bug" 60; then
		fail "planted $bug: make fuzz passed:"
		sed 's/^/  | /' "$tmp/out" >&2
		continue
	fi
	crash=$(sed -n 's/^  crash file: //p' "$tmp/out")
	if [ -z "$crash" ] || [ ! -s "$crash" ]; then
		fail "planted $bug: no crash file kept:"
		sed 's/^/  | /' "$tmp/out" >&2
		continue
	fi
	case $crash in
	"$O/fuzz/artifacts/selftest-$bug/crash-"*) ;;
	*) fail "planted $bug: crash file $crash is not in $O/fuzz/artifacts/selftest-$bug/" ;;
	esac
	[ "$(head -c 1 "$crash")" = "$first" ] ||
		fail "planted $bug: crash file $crash does not start with $first"
	grep -q "$report" "$O/fuzz/log/selftest-$bug.log" ||
		fail "planted $bug: no \"$report\" in $O/fuzz/log/selftest-$bug.log"
	grep -q "$report" "$tmp/out" ||
		fail "planted $bug: make fuzz did not show \"$report\""
	# the kept file reproduces the finding
	if "$O/fuzz/fuzz-selftest-$bug" "$crash" > "$tmp/repro" 2>&1; then
		fail "planted $bug: $crash does not reproduce it"
	elif ! grep -q "$report" "$tmp/repro"; then
		fail "planted $bug: replaying $crash gave no \"$report\""
	fi
	[ "$bad" -eq 0 ] &&
		echo "fuzz self-test: planted $bug found by make fuzz, crash file $crash"
done

if $clean_tree && [ "$bad" -eq 0 ]; then
	# every real target, from an empty build directory
	want=$(ls tests/fuzz/fuzz-*.c | wc -l)
	if $MAKE --no-print-directory O="$tmp/build" FUZZ_CC="$FUZZ_CC" \
		FUZZ_TIME=5 fuzz > "$tmp/out" 2>&1; then
		got=$(grep -c '^fuzz-.*: ok, [0-9]* execs' "$tmp/out")
		[ "$got" -eq "$want" ] ||
			fail "clean tree: $got of $want targets ran"
		grep '^fuzz-' "$tmp/out"
	else
		fail "clean tree: make fuzz failed:"
		tail -n 40 "$tmp/out" | sed 's/^/  | /' >&2
	fi
	[ "$bad" -eq 0 ] &&
		echo "fuzz self-test: make fuzz builds and runs all $want targets from an empty build directory"
fi
[ "$bad" -eq 0 ] && echo "fuzz self-test: ok"
exit "$bad"
