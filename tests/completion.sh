#!/bin/bash
# completion.sh - the bash completion (scripts/cascade.bash-completion)
# driven as bash drives it: COMP_WORDS split as readline splits a line
# ("--opt=value" is three words), _cascade called, COMPREPLY compared.
# Runs against $CASCADE, and against a ProcessQueue link to it.  No
# database needed.
set -u
: "${CASCADE:?set CASCADE to the cascade binary}"
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/cascade.bash-completion
. "$top/scripts/cascade.bash-completion"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cascade-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ln -s "$CASCADE" "$tmp/ProcessQueue"
mkdir "$tmp/files" && : > "$tmp/files/mission.yaml" && mkdir "$tmp/files/logs"

n=0
bad=0
# complete WORD... : the completions of the last word, sorted, one line
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_cascade
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
# expect WHAT WANT WORD...
expect() {
	local what=$1 want=$2 got
	shift 2
	got=$(complete_words "$@")
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $what"
	else
		bad=$((bad + 1))
		echo "not ok $n - $what"
		echo "#   wanted: $want"
		echo "#   got:    $got"
	fi
}

C=$CASCADE
commands=$("$C" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$commands" ] || { echo "not ok - no commands in \"cascade --help\""; exit 1; }
expect "cascade <TAB>: every command of --help" "$commands" "$C" ""
expect "cascade con<TAB>: config" "config" "$C" con
expect "cascade pro<TAB>: the three commands so named" "process process-queue" "$C" pro
expect "cascade --<TAB>: --help and --version" "--help --version" "$C" --
expect "cascade config <TAB>: its subcommands" "apply check export" "$C" config ""
expect "cascade flag <TAB>: its subcommands" "clear show" "$C" flag ""
expect "cascade config check --no<TAB>: an option of that subcommand" "--no-programs" "$C" config check --no
expect "cascade config apply --st<TAB>: and of that one" "--strict" "$C" config apply --st
expect "cascade status --js<TAB>" "--json" "$C" status --js
expect "cascade ingest --log-f<TAB>: options with a value end in =" "--log-file-level= --log-file=" "$C" ingest --log-f
expect "--log-file-level=<TAB>: the levels" "info" "$C" ingest --log-file-level = "i"
expect "an option's value is skipped: cascade status -m db --js<TAB>" "--json" "$C" status -m db --js
expect "and so is --mission=db's" "--json" "$C" status --mission = db --js
expect "cascade help con<TAB>: a command's name" "config" "$C" help con
expect "cascade config check <TAB> mi: file names" "$tmp/files/mission.yaml" "$C" config check "$tmp/files/mi"
expect "--log-file=<TAB>: file names" "$tmp/files/logs" "$C" ingest --log-file = "$tmp/files/lo"
expect "report --html=<TAB>: directories only" "$tmp/files/logs" "$C" report --html = "$tmp/files/"
expect "--only=<TAB>: no guess at a value" "" "$C" process-queue --only = ""
expect "ProcessQueue --in<TAB>: the options of process-queue" "--ingest" "$tmp/ProcessQueue" --in
expect "ProcessQueue -m db --gl<TAB>" "--glb=" "$tmp/ProcessQueue" -m db --gl
expect "ProcessQueue --log-file=<TAB>: file names" "$tmp/files/logs" "$tmp/ProcessQueue" --log-file = "$tmp/files/lo"
# every command's options come from its own --help
for c in $commands; do
	[ "$c" = help ] && continue
	want=$("$C" "$c" --help 2>/dev/null | grep -c -- '--help')
	got=$(complete_words "$C" "$c" --hel)
	n=$((n + 1))
	if [ "$got" = "--help" ] && [ "$want" -ge 1 ]; then
		echo "ok $n - cascade $c --hel<TAB>: --help"
	else
		bad=$((bad + 1))
		echo "not ok $n - cascade $c --hel<TAB>: --help (got \"$got\")"
	fi
done
echo "completion: $n assertions, $bad failed"
[ "$bad" -eq 0 ]
