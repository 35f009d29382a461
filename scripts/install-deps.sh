#!/bin/sh
# install-deps.sh [GROUP...] - install the Debian packages cascade needs.
# Idempotent: installs only what is missing.  Groups:
#
#   build     compile cascade
#   demo      build, and run "make demo" (a PostgreSQL server and psql)
#   test      build, and run "make check" (CUnit, pg_virtualenv, mandoc, Slurm,
#             graphviz, python3, bash; optional: chromium, clang)
#   package   build the Debian package ("make check-package": debhelper,
#             lintian, man-db for "man -l")
#
# Without a group: all of them.  "make demo" asks for demo, "make check"
# for test, so that the demo does not bring in a browser and a compiler
# for fuzzing.
#
#   sudo scripts/install-deps.sh          everything
#   sudo scripts/install-deps.sh demo     what "make demo" needs
#
# Needs root (apt-get) when something is missing.  Debian 12 (bookworm)
# or later.
set -eu
BUILD="gcc make pkg-config libc6-dev libpq-dev libyaml-dev libssl-dev
libsqlite3-dev"
# postgresql: initdb and pg_ctl of the demo's private cluster; graphviz:
# the product graph of its report page
DEMO="$BUILD postgresql postgresql-client graphviz"
# postgresql-common: pg_virtualenv, the integration tests' throwaway
# cluster; python3: the integration tests read --json output with its
# json module (python3-minimal does not have it); bash: the completion's
# test
# slurmctld, slurmd, slurm-client, slurm-wlm-basic-plugins, munge: the
# private single-node Slurm cluster of the Slurm executor's tests
# (tests/slurm/cluster.sh; without them those tests are skipped, saying so)
TEST="$BUILD libcunit1-dev postgresql postgresql-common postgresql-client
mandoc graphviz python3 bash slurmctld slurmd slurm-client
slurm-wlm-basic-plugins munge"
# chromium: the test of "cascade report" checks the page as a browser
# renders it; clang and libclang-rt-14-dev: "make fuzz" and the fuzzing
# self-test of "make check" (libFuzzer); where they cannot be installed,
# those steps are skipped with a message, so their absence does not stop
# anything
TEST_OPTIONAL="chromium clang libclang-rt-14-dev"
# the package's Build-Depends (debian/control) and what CI runs on it
PACKAGE="$BUILD dpkg-dev debhelper lintian man-db libcunit1-dev"

[ $# -gt 0 ] || set -- build demo test package
PACKAGES=
OPTIONAL=
for g in "$@"; do
	case $g in
	build) PACKAGES="$PACKAGES $BUILD" ;;
	demo) PACKAGES="$PACKAGES $DEMO" ;;
	test) PACKAGES="$PACKAGES $TEST"; OPTIONAL=$TEST_OPTIONAL ;;
	package) PACKAGES="$PACKAGES $PACKAGE" ;;
	*) echo "install-deps: unknown group \"$g\" (build, demo, test, package)" >&2; exit 2 ;;
	esac
done
PACKAGES=$(printf '%s\n' $PACKAGES | sort -u | tr '\n' ' ')

missing_in() {
	for p in $1; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			printf ' %s' "$p"
		fi
	done
}
missing=$(missing_in "$PACKAGES")
optional=$(missing_in "$OPTIONAL")
if [ -z "$missing$optional" ]; then
	echo "install-deps: all packages present ($*)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	if [ -n "$missing" ]; then
		echo "install-deps: these Debian packages are missing:$missing" >&2
		echo "install-deps: run \"sudo scripts/install-deps.sh $*\" to install them" >&2
		exit 1
	fi
	echo "install-deps: optional packages missing:$optional (some test steps will be skipped; run this script as root to install them)" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$optional" ]; then
	echo "install-deps: installing$optional"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $optional >/dev/null ||
		echo "install-deps: could not install$optional: the test steps that need it will be skipped" >&2
fi
echo "install-deps: done"
