#! /usr/bin/env atf-sh
#
# Copyright (c) 2026 The wsd developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# wsd on aarch64, which no machine here is: built with Debian's cross
# compiler and run under qemu-user. The build shows that the sources
# and the allowlists compile there (a call aarch64 lacks is an error);
# the runs, that each role's filter as libseccomp builds it there names
# real calls only and allows those glibc makes there for what wsd calls.
# qemu-user enforces no filter, so that the filters kill what they must
# is shown on this machine only, by t_sandbox.

CROSS=aarch64-linux-gnu
QEMU="timeout 60 qemu-aarch64 -L /usr/$CROSS"

# atf_fail with a file's start on one line: atf wants one.
fail_with()
{
	atf_fail "$1: $(tr '\n' ' ' <"$2" | cut -c1-2000)"
}

# Skips unless make deps put the cross compiler, qemu-user and the arm64
# libraries here; then makes pkg-config answer for arm64.
cross_require()
{
	for p in $CROSS-gcc qemu-aarch64; do
		command -v $p >/dev/null || atf_skip "no $p: make deps" \
		    "installs it as root on amd64"
	done
	export PKG_CONFIG_LIBDIR=/usr/lib/$CROSS/pkgconfig:/usr/share/pkgconfig
	pkg-config --exists libtls libcrypto jansson zlib libseccomp \
	    libbsd-overlay libxcrypt &&
	    [ -e /usr/lib/$CROSS/libevent-2.1.so.7 ] ||
	    atf_skip "no arm64 libraries: make deps installs them as root"
	CROSS_CFLAGS="$(pkg-config --cflags libtls libcrypto jansson zlib \
	    libseccomp libbsd-overlay libxcrypt)"
	CROSS_LIBS="$(pkg-config --libs libtls libcrypto jansson zlib \
	    libseccomp libbsd-overlay libbsd-ctor libxcrypt)"
	# No arm64 libevent-dev beside the amd64 one (etc/deps.sh): its
	# headers are the same, and the library is linked by its file name.
	if pkg-config --exists libevent; then
		CROSS_LIBS="$CROSS_LIBS $(pkg-config --libs libevent)"
	else
		CROSS_LIBS="$CROSS_LIBS -l:libevent-2.1.so.7"
	fi
}

# make with the top Makefile, its flags and source lists, for aarch64 and
# out of the source tree: vpath finds the sources, the objects are made
# here, and parse.c is made here first, since its rule names its path.
cross_make()
{
	src="$(atf_get_srcdir)/.."
	for d in "$src"/*/; do
		mkdir -p "$(basename "$d")"
	done
	printf 'vpath %%.%s %s\n' c "$src" h "$src" y "$src" >cross.mk
	echo "include $src/Makefile" >>cross.mk
	byacc -o parent/parse.c "$src/parent/parse.y" ||
	    atf_fail "byacc failed"
	# Not the flags of a make test above us: its jobserver is not ours.
	MAKEFLAGS= MFLAGS= MAKELEVEL= make -s -j2 -f cross.mk CC=$CROSS-gcc \
	    PKG_CFLAGS="$CROSS_CFLAGS -I$src/common -I$src/parent" \
	    PKG_LIBS="$CROSS_LIBS" "$@" >make.out 2>&1 ||
	    fail_with "make $* for aarch64 failed" make.out
	[ ! -s make.out ] || fail_with "make $* warned" make.out
}

# regress/cross/filter.c for aarch64, run for each role: role.pfc.
cross_filters()
{
	src="$(atf_get_srcdir)/.."
	cross_make common/log.o common/ipc.o common/util.o
	$CROSS-gcc -O2 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	    -Wshadow -D_GNU_SOURCE $CROSS_CFLAGS -I"$src/common" -o filter \
	    "$src/regress/cross/filter.c" common/log.o common/ipc.o \
	    common/util.o $CROSS_LIBS >cc.out 2>&1 ||
	    fail_with "cc filter.c" cc.out
	for role in parent handshake worker password; do
		$QEMU ./filter $role >$role.pfc 2>filter.err ||
		    fail_with "no $role filter on aarch64" filter.err
		grep -q 'filter for arch aarch64' $role.pfc ||
		    atf_fail "the $role filter is not for aarch64"
	done
}

# The calls each role's filter names, "role name number" a line.
filter_calls()
{
	for role in parent handshake worker password; do
		awk -v role=$role '/# filter for syscall/ {
			gsub(/["()]/, ""); print role, $5, $6 }' $role.pfc
	done
}

atf_test_case builds
builds_head()
{
	atf_set "descr" "wsd builds for aarch64 from the Makefile, its" \
	    "warnings as errors, and checks a configuration under qemu-user"
}
builds_body()
{
	cross_require
	cross_make wsd
	$CROSS-readelf -h wsd | grep -q 'Machine:.*AArch64' ||
	    atf_fail "wsd is not an aarch64 program"
	printf 'server "localhost" {\n\tlisten on 127.0.0.1 port 8080\n}\n' \
	    >wsd.conf
	atf_check -s exit:0 -e inline:'configuration OK\n' \
	    $QEMU ./wsd -n -f wsd.conf
}

atf_test_case filters
filters_head()
{
	atf_set "descr" "On aarch64 every role's filter builds, and every" \
	    "call it names is one of aarch64's, not a pseudo number that" \
	    "libseccomp would never match"
}
filters_body()
{
	cross_require
	cross_filters
	filter_calls >calls
	[ "$(grep -c '^worker ' calls)" -ge 10 ] ||
	    fail_with "too few worker calls" worker.pfc
	# libseccomp prints a pseudo number unsigned: 2^32 less a little.
	bad=$(awk '$3 >= 2147483648 { printf "%s: %s ", $1, $2 }' calls)
	[ -z "$bad" ] || atf_fail "calls aarch64 does not have: $bad"
	# The roles kept apart: what a child must never do.
	bad=$(grep -E '^(worker|handshake|password) (socket|openat|execveat|clone) ' \
	    calls | tr '\n' ' ')
	[ -z "$bad" ] || atf_fail "allowed to a child: $bad"
	# The password process holds no client socket.
	bad=$(grep -E '^password (read|write|accept4|socketpair|getrandom) ' \
	    calls | tr '\n' ' ')
	[ -z "$bad" ] || atf_fail "allowed to the password process: $bad"
}

atf_test_case libc
libc_head()
{
	atf_set "descr" "Each role's filter on aarch64 allows the calls" \
	    "that glibc makes there for the functions wsd calls, as" \
	    "qemu-user's -strace shows them"
}
libc_body()
{
	src="$(atf_get_srcdir)/.."
	cross_require
	cross_filters
	filter_calls >calls
	$CROSS-gcc -O2 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	    -D_GNU_SOURCE -o libc "$src/regress/cross/calls.c" \
	    -l:libevent-2.1.so.7 >cc.out 2>&1 || fail_with "cc calls.c" cc.out
	$QEMU -strace ./libc >trace 2>&1 || fail_with "libc" trace
	# calls.c's parts end at each getppid: the start and set-up under
	# the parent's filter, then a worker, a handshake process, the
	# parent. qemu names a call it does not know by its number.
	awk '
	FILENAME == "calls" { ok[$1, $2] = ok[$1, "#" $3] = 1; next }
	$2 == "Unknown" && $3 == "syscall" { call = "#" $4 }
	$2 ~ /^[a-z0-9_]+\(/ { call = $2; sub(/\(.*/, "", call) }
	call == "" { next }
	call == "getppid" { part++; call = ""; next }
	{
		role = part == 1 ? "worker" : \
		    part == 2 ? "handshake" : "parent"
		made[role]++
		if (!ok[role, call] && !seen[role, call]++)
			print role ": " call
		call = ""
	}
	END {
		if (part != 3 || !made["worker"] || !made["handshake"])
			print "trace: " part + 0 " parts, not 3"
	}' calls trace >refused
	[ ! -s refused ] || fail_with "refused on aarch64" refused
}

atf_init_test_cases()
{
	atf_add_test_case builds
	atf_add_test_case filters
	atf_add_test_case libc
}
