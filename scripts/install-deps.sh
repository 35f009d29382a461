#!/bin/sh
# install-deps.sh - install the Debian packages cascade needs to build,
# test and run.  Idempotent: installs only what is missing.
#
#   sudo scripts/install-deps.sh          build + test + run
#
# Needs root (apt-get).  Debian 12 (bookworm) or later.
set -eu
# python3: the integration tests read --json output with its json module
# (python3-minimal does not have it)
PACKAGES="gcc make pkg-config libc6-dev libpq-dev libyaml-dev libssl-dev libcunit1-dev
postgresql postgresql-common postgresql-client mandoc graphviz python3"
# chromium: the test of "cascade report" checks the page as a browser
# renders it; clang and libclang-rt-14-dev: "make fuzz" and the fuzzing
# self-test of "make check" (libFuzzer); where they cannot be installed,
# those steps are skipped with a message, so their absence does not stop
# anything
OPTIONAL="chromium clang libclang-rt-14-dev"

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
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	if [ -n "$missing" ]; then
		echo "install-deps: these Debian packages are missing:$missing" >&2
		echo "install-deps: run this script as root (e.g. with sudo) to install them" >&2
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
