#!/bin/sh
#
# The one list of what wsd needs from Debian, for building, testing and
# running it. As root, installs what is missing and creates the user and
# the chroot directory the daemon uses; otherwise prints what to run.
# "deps.sh fuzz" adds clang and its libFuzzer, for make fuzz.

BUILD="gcc make pkg-config byacc libtls-dev libevent-dev zlib1g-dev
    libseccomp-dev libbsd-dev"
TEST="libatf-dev atf-sh kyua mandoc openssl bsdextrautils procps"
FUZZ="clang libclang-rt-14-dev"
NATIVE=$(dpkg --print-architecture)
USER_NAME=_wsd
CHROOT_DIR=/var/empty

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

want="$BUILD $TEST"
[ "$1" = fuzz ] && want="$want $FUZZ"
missing=$(notinstalled "$want")

if [ "$(id -u)" -ne 0 ]; then
	if [ -n "$missing" ]; then
		echo "deps: missing packages; run as root:" >&2
		echo "    apt-get install -y$missing" >&2
		exit 1
	fi
	getent passwd "$USER_NAME" >/dev/null ||
	    echo "deps: warning: no user $USER_NAME; as root run:" \
	    "useradd -r -d $CHROOT_DIR -s /usr/sbin/nologin $USER_NAME" >&2
	exit 0
fi

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || exit 1
	apt-get install -y -qq $missing || exit 1
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
exit 0
