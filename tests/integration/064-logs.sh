# 064-logs: where log lines go, and in whose style.  Under cron (no
# terminal, --quiet) a run that went well prints nothing, while its log
# file can keep INFO (--log-file-level); a run with a failure still
# speaks.  At a terminal an error reads "cascade: FILE:LINE:COL: ...";
# under journald (JOURNAL_STREAM) each line carries its priority; with
# --syslog the entries reach syslog(3).
. "$(dirname "$0")/lib.sh"
t_begin logs
pipeline_setup

# -- cron: silence on success, the summaries in the log file ---------------------
deliver pl_raw_20240501_v1.0.0.dat "raw 01"
deliver pl_raw_20240502_v1.0.0.dat "raw 02"
setsid -w "$CASCADE" process-queue -q -m "$DB" --log-file "$T/info.log" \
	--log-file-level info < /dev/null > "$T/cron.out" 2>&1
equals "a cron run (setsid, no terminal, -q) succeeds" "$?" 0
equals "and prints nothing" "$(cat "$T/cron.out")" ""
contains "its log file has the ingest summary at INFO" "$(cat "$T/info.log")" "INFO: ingest: 2 ingested, 0 duplicates, 0 rejected"
contains "and the process summary" "$(cat "$T/info.log")" "INFO: process: 6 builds succeeded, 0 failed"
not_contains "no DEBUG in it" "$(cat "$T/info.log")" "DEBUG:"

deliver pl_raw_20240503_v1.0.0.dat "raw 03"
setsid -w "$CASCADE" process-queue -q -m "$DB" --log-file "$T/default.log" \
	< /dev/null > "$T/cron2.out" 2>&1
equals "without --log-file-level the file follows stderr: nothing" "$(cat "$T/cron2.out")|$(cat "$T/default.log")" "|"
expect_rc 2 "a bad --log-file-level is a usage error" cascade process-queue --log-file-level loud
contains "that says what it expected" "$err" 'invalid --log-file-level "loud": expected error, warning, info or debug'

# -- cron with a failure: the summary is printed, to be mailed -------------------
deliver pl_bad_20240504_v1.0.0.dat "bad 04"
setsid -w "$CASCADE" process-queue -q -o p_fail -m "$DB" < /dev/null > "$T/cron3.out" 2>&1
equals "a cron run with a failed build exits 1" "$?" 1
contains "and prints its summary" "$(cat "$T/cron3.out")" "process: 0 builds succeeded, 0 failed, 1 bad"

# -- a terminal: "cascade: FILE:LINE:COL: message" --------------------------------
printf 'mission:\n  name: x\n  rootdir: /tmp\n  bogus: 1\nsatellites: []\n' > "$T/bad.yaml"
TERM=xterm script -q -e -c "'$CASCADE' config check '$T/bad.yaml'" /dev/null > "$T/tty" 2>&1 < /dev/null
tty=$(tr -d '\r' < "$T/tty")
equals "at a terminal an error line starts with the program and the place" \
	"$(printf '%s\n' "$tty" | grep -c "^cascade: $T/bad.yaml:4:3: mission: unknown key \"bogus\"")" 1
not_contains "without a time stamp" "$tty" "Z cascade["
"$CASCADE" config check "$T/bad.yaml" > /dev/null 2> "$T/notty"
contains "without a terminal the full log line" "$(cat "$T/notty")" "] ERROR: $T/bad.yaml:4:3: mission: unknown key"

# -- journald: priorities, no time stamp of our own -------------------------------
: > "$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$CASCADE" config check "$T/bad.yaml" > /dev/null 2>> "$T/journal"
contains "under journald an error is priority 3" "$(cat "$T/journal")" "<3>ERROR: $T/bad.yaml:4:3: mission: unknown key"
not_contains "and has no time stamp of ours" "$(cat "$T/journal")" "Z cascade["
JOURNAL_STREAM=1:1 "$CASCADE" config check "$T/bad.yaml" > /dev/null 2> "$T/notjournal"
not_contains "a JOURNAL_STREAM naming another file is not ours" "$(cat "$T/notjournal")" "<3>"

# -- syslog: a private /dev/log in a mount namespace ------------------------------
exec 4< <(python3 - "$T/log.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
s.settimeout(60)
try:
    while True:
        d = s.recv(65536).decode("utf-8", "replace")
        print(d, flush=True)
        if "unknown key" in d:
            break
except socket.timeout:
    pass
PY
)
read -r ready <&4
equals "the private syslog listens" "$ready" ready
unshare -m sh -c 'mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 &&
	ln -s "$1" /dev/log && exec "$2" config check --syslog "$3"' sh \
	"$T/log.sock" "$CASCADE" "$T/bad.yaml" > /dev/null 2>&1
cat <&4 > "$T/syslog.got"
exec 4<&-
contains "--syslog: the error reaches syslog at priority err, facility daemon" "$(cat "$T/syslog.got")" "<27>"
contains "with the program, its pid and the message" "$(cat "$T/syslog.got")" "ERROR: $T/bad.yaml:4:3: mission: unknown key"
t_end
