#!/bin/sh
# install-deps.sh - install the Debian packages cascade needs to build,
# test and run.  Idempotent: installs only what is missing.
#
#   sudo scripts/install-deps.sh          build + test + run
#
# Needs root (apt-get).  Debian 12 (bookworm) or later.
set -eu
# python3: the integration tests read --json output with its json module
# (python3-minimal does not have it); chromium: the test of "cascade
# report" checks the page as a browser renders it
PACKAGES="gcc make pkg-config libc6-dev libpq-dev libyaml-dev libcunit1-dev
postgresql postgresql-common postgresql-client mandoc graphviz python3
chromium"

missing=
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: these Debian packages are missing:$missing" >&2
	echo "install-deps: run this script as root (e.g. with sudo) to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
