#!/bin/sh
# check-layering.sh - enforce the module boundaries of docs/architecture.md.
#
#  - only db.c includes libpq-fe.h;
#  - only config.c includes yaml.h;
#  - only dbpsqlite.c includes sqlite3.h;
#  - only spawn.c and spawn-sup.c (the spawn module) call fork, exec*,
#    waitpid/wait4 or kill;
#  - only cmd-*.c and status.c write to stdout (printf, puts, stdout);
#  - only main.c calls ctx_setup and ctx_finish (the dispatcher owns a
#    command's set-up and teardown; cmd-ctx.c defines them);
#  - every src/*.c includes its own header first (if it has one) and
#    banned.h last.
set -u
cd "$(dirname "$0")/../src" || exit 2
bad=0
complain() { echo "layering: $*" >&2; bad=1; }

# code lines only: drop comment lines (starting with /* or *)
code() { grep -nE "$1" ./*.c ./*.h | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' | cut -d: -f1 | sort -u; }

for f in $(code '^#include[[:space:]]*<libpq-fe.h>'); do
	[ "$f" = ./db.c ] || complain "$f includes libpq-fe.h (only db.c may)"
done
for f in $(code '^#include[[:space:]]*<yaml.h>'); do
	[ "$f" = ./config.c ] || complain "$f includes yaml.h (only config.c may)"
done
for f in $(code '^#include[[:space:]]*<sqlite3.h>'); do
	[ "$f" = ./dbpsqlite.c ] || complain "$f includes sqlite3.h (only dbpsqlite.c may)"
done
for f in $(code '(^|[^a-z_])(fork|vfork|execv|execve|execvp|execl|execlp|waitpid|wait4|kill|killpg)[[:space:]]*\('); do
	case "$f" in
	./spawn.c|./spawn-sup.c) ;;
	*) complain "$f forks, execs, waits or signals (only spawn.c and spawn-sup.c may)" ;;
	esac
done
for f in $(code '(^|[^a-z_])(printf|puts|putchar)[[:space:]]*\(|(^|[^a-z_])stdout([^a-z_]|$)'); do
	case "$f" in
	./cmd-*.c|./status.c|./main.c) ;;
	*) complain "$f writes to stdout (only cmd-*.c and status.c may)" ;;
	esac
done
for f in $(code '(^|[^a-z_])ctx_(setup|finish)[[:space:]]*\('); do
	case "$f" in
	./main.c|./cmd-ctx.c|./cmd.h) ;;
	*) complain "$f calls ctx_setup or ctx_finish (only main.c may)" ;;
	esac
done
for f in ./*.c; do
	h=${f%.c}.h
	first=$(grep -m1 '^#include' "$f")
	last=$(grep '^#include' "$f" | tail -n 1)
	if [ -f "$h" ] && [ "$first" != "#include \"$(basename "$h")\"" ]; then
		complain "$f does not include its own header first"
	fi
	[ "$last" = '#include "banned.h"' ] || complain "$f does not include banned.h last"
done
[ "$bad" -eq 0 ] && echo "layering: ok"
exit "$bad"
