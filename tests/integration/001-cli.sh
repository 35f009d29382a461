# 001-cli: --help, --version and usage errors of every command.
. "$(dirname "$0")/lib.sh"
t_begin cli

expect_rc 0 "--version exits 0" "$CASCADE" --version
contains "--version prints the version" "$out" "cascade "
expect_rc 0 "--help exits 0" "$CASCADE" --help
contains "--help lists commands" "$out" "process-queue"
equals "--help writes nothing to stderr" "$err" ""
expect_rc 2 "no command is a usage error" "$CASCADE"
expect_rc 2 "unknown command exits 2" "$CASCADE" frobnicate
contains "unknown command is named" "$err" 'unknown command "frobnicate"'

for c in init "config check" "config apply" "config export" \
	"flag show" "flag clear" process-queue \
	queue "queue list" "queue flush" check purge prune move-product graph \
	status runs builds show "show build" failures "failures list" \
	"failures show" "failures resolve" "failures retry" stats why \
	orbits "orbits load" "orbits list"; do
	expect_rc 0 "cascade $c --help exits 0" "$CASCADE" $c --help
	contains "cascade $c --help has Usage" "$out" "Usage:"
	contains "cascade $c --help names the man page" "$out" "(1)"
	equals "cascade $c --help writes nothing to stderr" "$err" ""
	expect_rc 2 "cascade $c --bogus exits 2" "$CASCADE" $c --bogus
	contains "cascade $c --bogus complains on stderr" "$err" '"--bogus"'
	contains "cascade $c --bogus points to --help" "$err" "--help\" for more information"
	equals "cascade $c --bogus writes nothing to stdout" "$out" ""
done
expect_rc 0 "cascade help init" "$CASCADE" help init
contains "help init shows init's help" "$out" "cascade init"
expect_rc 2 "config without subcommand" "$CASCADE" config
expect_rc 2 "config apply without a file" "$CASCADE" config apply
contains "missing argument reported" "$err" "missing argument"
expect_rc 2 "flag clear without reason" "$CASCADE" flag clear
contains "flag clear wants a reason" "$err" "reason is required"
expect_rc 2 "process-queue -n with a non-number" "$CASCADE" process-queue -n x
contains "bad integer is named" "$err" 'invalid value "x"'
ln -s "$CASCADE" "$T/ProcessQueue"
expect_rc 0 "ProcessQueue alias --help" "$T/ProcessQueue" --help
contains "ProcessQueue alias is process-queue" "$out" "cascade process-queue"
t_end
