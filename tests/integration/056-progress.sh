# 056-progress: long commands show a progress line with an ETA on a
# terminal (a pseudo-terminal from script(1) here), and nothing of it
# without one (cron), with --quiet, TERM=dumb or CASCADE_NO_PROGRESS.
. "$(dirname "$0")/lib.sh"
t_begin progress
pipeline_setup

if ! command -v script >/dev/null 2>&1; then
	fail "script(1) is installed (util-linux: bsdutils)"
	t_end
	exit
fi
# on_tty FILE CMD...: run CMD with a pseudo-terminal as stdin, stdout and
# stderr, everything it wrote into FILE; its exit status is ours
on_tty() {
	local f=$1 cmd= a
	shift
	for a in "$@"; do cmd="$cmd '$a'"; done
	TERM=xterm script -q -e -c "$cmd" /dev/null > "$f" 2>&1 < /dev/null
}

for d in 01 02 03 04 05 06; do deliver "pl_raw_202405${d}_v1.0.0.dat" "raw $d"; done
on_tty "$T/tty1" "$CASCADE" process-queue -m "$DB"
equals "on a terminal: the run succeeds" "$?" 0
tty1=$(tr '\r' '\n' < "$T/tty1")
contains "the ingest line counts files of the total" "$tty1" "ingest: 6 of 6 files (100%)"
contains "the run line counts builds" "$tty1" "run: 0 built, 0 failed"
contains "it shows what is left and an ETA" "$tty1" "to go; ETA "
contains "without history the first ETA is unknown" "$tty1" "ETA ?"
contains "the line is taken down at the end" "$(cat "$T/tty1")" "$(printf '\r\033[K')"
contains "the summary is still printed" "$tty1" "builds succeeded, 0 failed"

# a second campaign: the history of the first gives an ETA at once
expect_rc 0 "reprocess everything" cascade reprocess --product raw --force 2
on_tty "$T/tty2" "$CASCADE" process -m "$DB"
tty2=$(tr '\r' '\n' < "$T/tty2")
first=$(printf '%s\n' "$tty2" | grep -m1 '^run: ')
case "$first" in
*"ETA ?"*) fail "with history the first ETA is known" "$first" ;;
*"ETA "[0-9]*) pass "with history the first ETA is known" ;;
*) fail "with history the first ETA is known" "no progress line in: $tty2" ;;
esac
contains "it counts the planned builds" "$first" "to go"

# no terminal (cron): not a byte of it
for d in 07 08; do deliver "pl_raw_202405${d}_v1.0.0.dat" "raw $d"; done
expect_rc 0 "without a terminal" cascade process-queue
not_contains "no progress line without a terminal" "$err" "ETA"
not_contains "no carriage return either" "$err$out" "$(printf '\r')"
equals "and stderr is empty: quiet under cron" "$err" ""

expect_rc 0 "reprocess again" cascade reprocess --product raw --force 2
on_tty "$T/tty3" "$CASCADE" process -q -m "$DB"
not_contains "--quiet on a terminal: no progress" "$(cat "$T/tty3")" "ETA"
expect_rc 0 "reprocess once more" cascade reprocess --product raw --force 2
CASCADE_NO_PROGRESS=1 on_tty "$T/tty4" "$CASCADE" process -m "$DB"
not_contains "CASCADE_NO_PROGRESS on a terminal: no progress" "$(cat "$T/tty4")" "ETA"
# SIGUSR1 makes a running process log where it is, ETA included, also
# without a terminal (cron)
expect_rc 0 "reprocess for the signal" cascade reprocess --product raw --force 2
make_fifo "$T/usr1.fifo"
CASCADE_FAULT=build-started:pause@2 CASCADE_FAULT_FIFO=$T/usr1.fifo \
	"$CASCADE" process -m "$DB" > "$T/usr1.out" 2> "$T/usr1.err" &
pq=$!
exec 3>"$T/usr1.fifo"      # it is paused at its second start
kill -USR1 $pq
exec 3>&-
wait $pq
equals "the run goes on after SIGUSR1" "$?" 0
usr1=$(cat "$T/usr1.err")
contains "SIGUSR1: the stage and the builds" "$usr1" "WARNING: run: "
contains "SIGUSR1: counts and the ETA from the history" "$usr1" "to go; ETA "
contains "SIGUSR1: for what is planned so far" "$usr1" "builds planned so far"
not_contains "SIGUSR1: the ETA is known" "$usr1" "ETA ?"
t_end
