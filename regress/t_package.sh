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

# The Debian package (debian/): built from the committed tree as
# dpkg-buildpackage builds it, checked by lintian, installed with apt
# into a fresh Debian 12 root, checked there, then removed and purged.

SUITE=bookworm
CACHE=/var/cache/wsd-regress
BASE=$CACHE/$SUITE-minbase.tar

# Runs a step with its output in a log; a failure names the step and
# ends with the log's last lines, on one line: atf wants one.
step()
{
	log=$1
	shift
	"$@" >"$log" 2>&1 && return 0
	atf_fail "$* failed: $(tail -n 15 "$log" | tr '\n' ' ' | cut -c1-2000)"
}

# ./in_root runs a command in the root, bounded, with an environment of
# its own (kyua's TMPDIR and HOME do not exist in there); a script, not
# a function, so that atf_check can run it.
make_in_root()
{
	cat >in_root <<-EOF
	#!/bin/sh
	exec timeout 600 chroot "$(pwd)/root" /usr/bin/env -i \\
	    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \\
	    DEBIAN_FRONTEND=noninteractive \\
	    \${http_proxy:+http_proxy="\$http_proxy"} "\$@"
	EOF
	chmod 0755 in_root
}

# The mirror this machine's apt uses, so the root comes from where the
# machine's own packages do.
mirror()
{
	m=$(awk '/^URIs:/ { print $2; exit }' \
	    /etc/apt/sources.list.d/debian.sources 2>/dev/null)
	[ -n "$m" ] || m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++)
	    if ($i ~ /^https?:/) { print $i; exit } }' \
	    /etc/apt/sources.list 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}

# Unmounts what is mounted under $1, deepest first, so that rm -rf never
# walks into /proc.
unmount_under()
{
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts |
	    sort -r | while read -r m; do umount -l "$m"; done
}

# The source tree as committed: git archive where there is a git tree
# (edits not yet committed are not in the package), else a copy of the
# tree (fresh-root.sh runs the suite on an export without .git); the
# package build's own clean step removes what an earlier build left.
source_tree()
{
	top="$(atf_get_srcdir)/.."
	mkdir src
	if git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		git -C "$top" archive HEAD | tar -x -C src ||
		    atf_fail "git archive HEAD failed"
	else
		tar -C "$top" -cf - . | tar -x -C src ||
		    atf_fail "cannot copy $top"
	fi
}

# A fresh Debian 12 root in ./root. debootstrap --variant=minbase takes
# about a minute here, so its result is kept as a tar under $CACHE and
# each run unpacks a copy that nothing before it has touched. The tar is
# made again when it is a week old (the mirror moves on with point
# releases), or when the mirror or debootstrap's version changed. A CI
# machine starts without it and pays the minute.
fresh_root()
{
	key="$SUITE $(mirror) $(dpkg-query -W -f='${Version}' debootstrap)"
	mkdir -p "$CACHE" || atf_fail "cannot make $CACHE"
	# Two worktrees may run this at once.
	exec 9>"$CACHE/lock"
	flock -w 600 9 || atf_fail "$CACHE/lock held for 10 minutes"
	if [ ! -s "$BASE" ] || [ "$(cat "$BASE.key" 2>/dev/null)" != "$key" ] ||
	    [ -n "$(find "$BASE" -mtime +6)" ]; then
		unmount_under "$CACHE/build"
		rm -rf "$CACHE/build"
		step debootstrap.log timeout 600 debootstrap --variant=minbase \
		    "$SUITE" "$CACHE/build" "$(mirror)"
		chroot "$CACHE/build" apt-get clean
		tar -C "$CACHE/build" -cf "$BASE.new" . &&
		    mv "$BASE.new" "$BASE" && echo "$key" >"$BASE.key" ||
		    atf_fail "cannot write $BASE"
		rm -rf "$CACHE/build"
	fi
	mkdir root && tar -C root -xf "$BASE" || atf_fail "cannot unpack $BASE"
	exec 9>&-
	cp /etc/resolv.conf root/etc/resolv.conf
	# As Debian does in chroots: no service may start in here.
	printf '#!/bin/sh\nexit 101\n' >root/usr/sbin/policy-rc.d
	chmod 0755 root/usr/sbin/policy-rc.d
	mount -t proc proc root/proc || atf_fail "cannot mount proc in root"
	make_in_root
}

atf_test_case package cleanup
package_head()
{
	atf_set "descr" "dpkg-buildpackage builds a lintian-clean wsd" \
	    "package that installs into a fresh root, loads its" \
	    "configuration there, and removes and purges as Debian's do"
	atf_set "require.user" "root"
	atf_set "require.progs" "dpkg-buildpackage dh lintian debootstrap flock"
}
# The package, built from the committed tree: its name in $deb.
build_deb()
{
	source_tree
	# Not the flags of a make test above us: its jobserver is not ours.
	cd src || atf_fail "no src"
	step ../build.log env MAKEFLAGS= MFLAGS= MAKELEVEL= \
	    DEB_BUILD_OPTIONS="nocheck parallel=2" \
	    timeout 600 dpkg-buildpackage -b -us -uc
	cd ..
	set -- wsd_*.deb
	[ $# -eq 1 ] && [ -f "$1" ] || atf_fail "no single wsd_*.deb: $*"
	deb=$1
}

package_body()
{
	build_deb

	# Errors fail; warnings and the rest are in the test's output.
	timeout 300 lintian --fail-on error wsd_*.changes >lintian.out 2>&1 ||
	    atf_fail "lintian: $(grep -v '^running with root' lintian.out |
	    tr '\n' ' ' | cut -c1-2000)"
	cat lintian.out

	fresh_root
	cp "$deb" root/tmp/
	step update.log ./in_root apt-get update
	step install.log ./in_root apt-get install -y \
	    --no-install-recommends "/tmp/$deb"
	atf_check -o inline:"ii \n" \
	    ./in_root dpkg-query -W -f='${db:Status-Abbrev}\n' wsd

	for f in /usr/sbin/wsd /usr/sbin/wsctl /usr/share/man/man8/wsd.8.gz \
	    /usr/share/man/man8/wsctl.8.gz /usr/share/man/man5/wsd.conf.5.gz \
	    /lib/systemd/system/wsd.service /usr/lib/sysusers.d/wsd.conf \
	    /usr/share/doc/wsd/copyright /etc/wsd.conf; do
		atf_check test -f "root$f"
	done
	atf_check test -d root/var/lib/wsd/empty
	atf_check -o match:'^ /etc/wsd\.conf ' \
	    ./in_root dpkg-query -W -f='${Conffiles}\n' wsd
	atf_check -o match:'^ExecStart=/usr/sbin/wsd ' \
	    cat root/lib/systemd/system/wsd.service
	# Enabled as Debian enables a daemon: deb-systemd-helper's link.
	ls root/etc/systemd/system/*.wants/wsd.service >/dev/null 2>&1 ||
	    atf_fail "wsd.service is not enabled"
	# The user comes from the sysusers file; the default configuration
	# needs nothing more to load.
	atf_check -o match:'^_wsd:' ./in_root getent passwd _wsd
	atf_check -e match:'configuration OK' ./in_root wsd -n

	./in_root dpkg -L wsd >files || atf_fail "dpkg -L wsd failed"
	echo "# a change of the administrator's" >>root/etc/wsd.conf
	step remove.log ./in_root dpkg --remove wsd
	atf_check -o inline:"rc \n" \
	    ./in_root dpkg-query -W -f='${db:Status-Abbrev}\n' wsd
	# Remove keeps conffiles and removes everything else.
	while read -r f; do
		[ "$f" = /etc/wsd.conf ] && continue
		[ -f "root$f" ] && atf_fail "$f is still there after remove"
	done <files
	atf_check test ! -e root/var/lib/wsd
	atf_check -o match:"a change of the administrator's" \
	    cat root/etc/wsd.conf

	step purge.log ./in_root dpkg --purge wsd
	atf_check -s exit:1 -o ignore -e ignore ./in_root dpkg -s wsd
	atf_check test ! -e root/etc/wsd.conf
	if ls root/etc/systemd/system/*.wants/wsd.service >/dev/null 2>&1; then
		atf_fail "wsd.service is still enabled after purge"
	fi
	# Debian leaves a system user in place: its files may outlive us.
	atf_check -o match:'^_wsd:' ./in_root getent passwd _wsd
}
package_cleanup()
{
	unmount_under "$(pwd)/root"
}

atf_test_case service cleanup
service_head()
{
	atf_set "descr" "Installed in a fresh root booted with systemd," \
	    "the package runs as a service: started once ready, it echoes;" \
	    "systemctl reload succeeds, fails on a broken file and changes" \
	    "nothing; systemctl stop ends it"
	atf_set "require.user" "root"
	atf_set "require.progs" "dpkg-buildpackage dh debootstrap flock \
	    systemd-nspawn nsenter"
	atf_set "timeout" "600"
}
service_body()
{
	build_deb
	fresh_root
	cp "$deb" root/tmp/
	step update.log ./in_root apt-get update
	step install.log ./in_root apt-get install -y \
	    --no-install-recommends "/tmp/$deb"
	# Booted, the root's own systemd starts what the package enabled.
	umount root/proc
	rm -f root/usr/sbin/policy-rc.d
	timeout 300 systemd-nspawn -q -D "$(pwd)/root" -b --register=no \
	    --keep-unit --private-network --console=read-only >boot.log 2>&1 &
	echo $! >nspawn.pid
	# The container's init: the systemd whose child is wsd's parent.
	init=
	i=0
	while [ -z "$init" ] && [ $i -lt 120 ]; do
		for p in $(pgrep -f '^wsd: parent'); do
			pp=$(ps -o ppid= -p "$p" | tr -d ' ')
			[ "$(ps -o comm= -p "$pp")" = systemd ] && init=$pp
		done
		grep -q 'Failed to start.*wsd' boot.log && break
		kill -0 "$(cat nspawn.pid)" 2>/dev/null || break
		sleep 0.5
		i=$((i + 1))
	done
	if [ -z "$init" ]; then
		# nspawn that never booted a systemd is this machine's limit.
		grep -q 'Welcome to\|systemd 2' boot.log ||
		    atf_skip "systemd-nspawn cannot boot a container here:" \
		    "$(tail -n 3 boot.log | tr '\n' ' ')"
		atf_fail "wsd did not start: $(tr -d '\033' <boot.log |
		    grep -i wsd | tail -n 5 | tr '\n' ' ')"
	fi
	echo "$init" >init.pid
	# ./in_ct runs a command in the container, bounded; a script, for
	# atf_check.
	printf '#!/bin/sh\nexec timeout 60 nsenter -t %s -a "$@"\n' "$init" >in_ct
	chmod 0755 in_ct
	# systemd starts it once it said READY=1: after every child.
	i=0
	until [ "$(./in_ct systemctl is-active wsd)" = active ]; do
		i=$((i + 1))
		[ $i -lt 60 ] || atf_fail "wsd.service is not active"
		sleep 0.5
	done
	atf_check -o match:'^StatusText=ready$' \
	    ./in_ct systemctl show -p StatusText wsd
	# An upgrade and an echo, from bash inside the container.
	atf_check -o match:'^HTTP/1.1 101 ' ./in_ct bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080
	    printf "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" >&3
	    head -n 1 <&3'
	atf_check -o ignore ./in_ct systemctl reload wsd
	echo 'not a line wsd.conf(5) knows' >>root/etc/wsd.conf
	atf_check -s not-exit:0 -o ignore -e ignore ./in_ct systemctl reload wsd
	atf_check -o inline:'active\n' ./in_ct systemctl is-active wsd
	atf_check -o match:'reload failed' ./in_ct journalctl -u wsd --no-pager
	sed -i '$d' root/etc/wsd.conf
	atf_check -o ignore ./in_ct systemctl reload wsd
	atf_check -o ignore ./in_ct systemctl stop wsd
	atf_check -s not-exit:0 -o inline:'inactive\n' \
	    ./in_ct systemctl is-active wsd
	atf_check -o match:'terminating' ./in_ct journalctl -u wsd --no-pager
	# The container shuts down as a machine does, in bounded time.
	atf_check -o ignore -e ignore ./in_ct systemctl poweroff --no-block
	gone "$(cat nspawn.pid)" 60 ||
	    atf_fail "the container did not power off within 60 s"
}
# Whether the process $1 exits within $2 seconds.
gone()
{
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}
# Never into the container (a systemctl there can hang while it shuts
# down): nspawn's SIGTERM asks its init to power off; then, bounded,
# SIGKILL to that init ends every process of the container.
service_cleanup()
{
	if [ -f nspawn.pid ]; then
		pid=$(cat nspawn.pid)
		kill "$pid" 2>/dev/null
		if ! gone "$pid" 20; then
			[ -f init.pid ] && kill -KILL "$(cat init.pid)" 2>/dev/null
			gone "$pid" 10 || pkill -KILL -P "$pid"
		fi
	fi
	unmount_under "$(pwd)/root"
}

# This machine has every package of etc/deps.sh, so the build above
# cannot see a library that debian/control forgot; a clean builder would.
atf_test_case build_depends
build_depends_head()
{
	atf_set "descr" "debian/control's Build-Depends are etc/deps.sh's" \
	    "BUILD list, less what build-essential brings"
}
build_depends_body()
{
	top="$(atf_get_srcdir)/.."
	sed -n '/^BUILD="/,/"$/p' "$top/etc/deps.sh" | sed 's/^BUILD=//' |
	    tr -d '"' | tr ' \t' '\n\n' |
	    grep -v -x -e '' -e gcc -e make | sort >deps
	awk '/^Build-Depends:/ { f = 1; sub(/^Build-Depends:/, "") }
	    /^[^ \t]/ && !/^Build-Depends:/ { f = 0 } f' \
	    "$top/debian/control" | tr ',' '\n' |
	    sed 's/([^)]*)//; s/\[[^]]*\]//; s/[[:space:]]//g' |
	    grep -v -x -e '' -e 'debhelper-compat' -e 'dh-sequence-.*' |
	    sort >control
	[ -s deps ] || atf_fail "no BUILD list in etc/deps.sh"
	atf_check -o file:deps cat control
}

atf_init_test_cases()
{
	atf_add_test_case build_depends
	atf_add_test_case package
	atf_add_test_case service
}
