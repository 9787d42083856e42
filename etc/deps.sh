#!/bin/sh
#
# The one list of what wsd needs from Debian, for building, testing and
# running it. As root, installs what is missing and creates the user and
# the chroot directory the daemon uses; otherwise prints what to run.
# "deps.sh fuzz" adds clang and its libFuzzer, for make fuzz; "deps.sh
# bench" the libwebsockets the peer of make bench is built against.
# On amd64 it adds what regress/t_cross.sh needs to build wsd for aarch64
# and run it under qemu-user: a failure there only warns, and the test
# says it skipped. libevent-dev is not Multi-Arch: same in Debian 12, so
# its arm64 package would replace the amd64 one; its headers are the same
# for both, and the arm64 library alone is enough. DEB is what
# regress/t_package.sh needs to build the Debian package (debian/), check
# it and install it into a fresh root; the package build needs no
# fakeroot (Rules-Requires-Root: no).
# regress/t_browser.sh drives Debian's chromium with playwright-core from
# the npm registry: "npm ci" installs the version its lockfile pins into
# regress/browser/node_modules (never a browser of its own), with the
# machine's node and npm, or Debian's where the machine has none.

BUILD="gcc make pkg-config byacc libtls-dev libssl-dev libjansson-dev
    libevent-dev zlib1g-dev libseccomp-dev libbsd-dev libcrypt-dev"
TEST="libatf-dev atf-sh kyua mandoc openssl bsdextrautils procps python3
    apache2-utils haproxy chromium systemd"
FUZZ="clang libclang-rt-14-dev"
BENCH="libwebsockets-dev openssl util-linux"
DEB="debhelper dpkg-dev lintian debootstrap systemd-container"
CROSS="gcc-aarch64-linux-gnu qemu-user libtls-dev:arm64 libssl-dev:arm64
    libjansson-dev:arm64 libevent-2.1-7:arm64 zlib1g-dev:arm64 libseccomp-dev:arm64
    libbsd-dev:arm64 libcrypt-dev:arm64"
NATIVE=$(dpkg --print-architecture)
USER_NAME=_wsd
CHROOT_DIR=/var/empty

# playwright-core as regress/browser's lockfile pins it, when it is not
# there yet or the lockfile changed since.
browser_modules()
{
	dir="$(dirname "$0")/../regress/browser"
	stamp="$dir/node_modules/.package-lock.json"
	[ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ] &&
	    return 0
	if ! command -v npm >/dev/null 2>&1; then
		echo "deps: warning: no npm; t_browser.sh will skip" >&2
		return 0
	fi
	echo "deps: npm ci in regress/browser"
	# The registry out of reach is no reason to stop the build; the
	# browser test then says it skipped, and why.
	(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci \
	    --ignore-scripts --no-audit --no-fund --loglevel=error) ||
	    echo "deps: warning: npm ci failed in regress/browser;" \
	    "t_browser.sh will skip" >&2
}

# The packages of the list $1 that are not installed. A name without an
# architecture means this machine's (or all), not an arm64 one beside it.
notinstalled()
{
	for p in $1; do
		case "$p" in
		*:*)	arch=${p#*:} ;;
		*)	arch="$NATIVE|all" ;;
		esac
		dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$p" \
		    2>/dev/null | grep -Eqx "installed ($arch)" ||
		    printf ' %s' "$p"
	done
}

want="$BUILD $TEST $DEB"
# The browser test runs on the machine's Node.js and npm; where there is
# none, on Debian's (Node.js 18, which playwright-core takes).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    want="$want nodejs npm"
[ "$1" = fuzz ] && want="$want $FUZZ"
[ "$1" = bench ] && want="$want $BENCH"
missing=$(notinstalled "$want")
cross=""
[ "$NATIVE" = amd64 ] && cross=$(notinstalled "$CROSS")
addarch=""
if [ -n "$cross" ] && ! dpkg --print-foreign-architectures | grep -qx arm64
then
	addarch="dpkg --add-architecture arm64 && apt-get update && "
fi

if [ "$(id -u)" -ne 0 ]; then
	[ -n "$cross" ] && echo "deps: for regress/t_cross.sh, as root:" \
	    "${addarch}apt-get install -y$cross" >&2
	if [ -n "$missing" ]; then
		echo "deps: missing packages; run as root:" >&2
		echo "    apt-get install -y$missing" >&2
		exit 1
	fi
	getent passwd "$USER_NAME" >/dev/null ||
	    echo "deps: warning: no user $USER_NAME; as root run:" \
	    "useradd -r -d $CHROOT_DIR -s /usr/sbin/nologin $USER_NAME" >&2
	browser_modules
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	apt-get update -qq || exit 1
	apt-get install -y -qq $missing || exit 1
fi
if [ -n "$cross" ]; then
	echo "deps: installing$cross"
	{ [ -z "$addarch" ] || dpkg --add-architecture arm64; } &&
	    apt-get update -qq && apt-get install -y -qq $cross ||
	    echo "deps: warning: no aarch64 toolchain; t_cross.sh will skip" >&2
fi
if ! getent passwd "$USER_NAME" >/dev/null; then
	echo "deps: creating user $USER_NAME"
	useradd -r -d "$CHROOT_DIR" -s /usr/sbin/nologin "$USER_NAME" ||
	    exit 1
fi
if [ ! -d "$CHROOT_DIR" ]; then
	echo "deps: creating $CHROOT_DIR"
	install -d -m 0755 -o root -g root "$CHROOT_DIR" || exit 1
fi
browser_modules
exit 0
