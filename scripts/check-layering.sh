#!/bin/sh
# check-layering.sh - enforce the layers of docs/architecture.md.
#
# src/ has one directory per layer, lowest first:
#
#   base diag core formats os db rules run views cmd
#
#  - a file includes headers of its own layer or of layers below it,
#    never of a layer above;
#  - only db/db.c includes libpq-fe.h, only formats/config.c yaml.h, only
#    formats/dbpsqlite.c sqlite3.h;
#  - only the spawn module (os/spawn.c, os/spawn-sup.c) calls fork, exec*,
#    waitpid/wait4 or kill;
#  - only the command layer (cmd/) and views/status.c write to stdout;
#  - only cmd/main.c sets up and finishes a command (ctx_setup, ctx_finish);
#  - every .c includes its own header first (if it has one) and banned.h
#    last.
set -u
cd "$(dirname "$0")/../src" || exit 2
LAYERS="base diag core formats os db rules run views cmd"
bad=0
complain() { echo "layering: $*" >&2; bad=1; }

rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

# every file is in a layer directory
for f in $(find . -name '*.[ch]' | sort); do
	d=$(dirname "$f"); d=${d#./}
	[ "$(rank "$d")" -ge 0 ] || complain "$f is not in a layer directory ($LAYERS)"
done

# includes point down (or sideways)
for f in $(find . -mindepth 2 -name '*.[ch]' | sort); do
	d=$(dirname "$f"); d=${d#./}
	r=$(rank "$d")
	for h in $(sed -n 's/^#include[[:space:]]*"\([^"/]*\.h\)".*/\1/p' "$f"); do
		[ "$h" = version-gen.h ] && continue # generated: the version
		hp=$(ls ./*/"$h" 2>/dev/null | head -n 1)
		if [ -z "$hp" ]; then
			complain "$f includes $h, which is in no layer"
			continue
		fi
		hd=$(dirname "$hp"); hd=${hd#./}
		[ "$(rank "$hd")" -le "$r" ] ||
			complain "$f ($d) includes $h of a layer above it ($hd)"
	done
done

# code lines only: drop comment lines (starting with /* or *)
code() { find . -name '*.[ch]' -exec grep -nE "$1" {} + | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' | cut -d: -f1 | sort -u; }

for f in $(code '^#include[[:space:]]*<libpq-fe.h>'); do
	[ "$f" = ./db/db.c ] || complain "$f includes libpq-fe.h (only db/db.c may)"
done
for f in $(code '^#include[[:space:]]*<yaml.h>'); do
	[ "$f" = ./formats/config.c ] || complain "$f includes yaml.h (only formats/config.c may)"
done
for f in $(code '^#include[[:space:]]*<sqlite3.h>'); do
	[ "$f" = ./formats/dbpsqlite.c ] || complain "$f includes sqlite3.h (only formats/dbpsqlite.c may)"
done
for f in $(code '(^|[^a-z_])(fork|vfork|execv|execve|execvp|execl|execlp|waitpid|wait4|kill|killpg)[[:space:]]*\('); do
	case "$f" in
	./os/spawn.c|./os/spawn-sup.c) ;;
	*) complain "$f forks, execs, waits or signals (only os/spawn.c and os/spawn-sup.c may)" ;;
	esac
done
for f in $(code '(^|[^a-z_])(printf|puts|putchar)[[:space:]]*\(|(^|[^a-z_])stdout([^a-z_]|$)'); do
	case "$f" in
	./cmd/*.c|./views/status.c) ;;
	*) complain "$f writes to stdout (only cmd/ and views/status.c may)" ;;
	esac
done
for f in $(code '(^|[^a-z_])ctx_(setup|finish)[[:space:]]*\('); do
	case "$f" in
	./cmd/main.c|./cmd/cmd-ctx.c|./cmd/cmd.h) ;; # cmd-ctx.c defines them
	*) complain "$f sets up or finishes a command (only cmd/main.c may)" ;;
	esac
done
for f in $(find . -name '*.c' | sort); do
	h=${f%.c}.h
	first=$(grep -m1 '^#include' "$f")
	last=$(grep '^#include' "$f" | tail -n 1)
	if [ -f "$h" ] && [ "$first" != "#include \"$(basename "$h")\"" ]; then
		complain "$f does not include its own header first"
	fi
	[ "$last" = '#include "banned.h"' ] || complain "$f does not include banned.h last"
done
[ "$bad" -eq 0 ] && echo "layering: ok ($LAYERS)"
exit "$bad"
