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

# What runs wsd as a service: the systemd unit as make install writes it,
# and the OpenBSD rc.d script. systemd is not PID 1 here: t_notify runs
# wsd under the unit's bounding set and a read-only root instead.

# The unit as installed, naming the installed binary where it really is.
installed_unit()
{
	top="$(atf_get_srcdir)/.."
	dest="$(pwd)/root"
	atf_check -s exit:0 -o ignore -e ignore \
	    make -C "$top" install DESTDIR="$dest" PREFIX=/opt/wsd
	mkdir -p unit
	sed "s,/opt/wsd/sbin/,$dest/opt/wsd/sbin/,g" \
	    "$dest/lib/systemd/system/wsd.service" >unit/wsd.service
	atf_check -s exit:0 test -x "$dest/opt/wsd/sbin/wsd"
	# Documentation= names the installed pages; man(1) finds them there.
	if command -v man >/dev/null; then
		export MANPATH="$dest/opt/wsd/share/man"
		man_opt=""
	else
		man_opt="--man=no"
	fi
}

atf_test_case verify
verify_head()
{
	atf_set "descr" "systemd-analyze verify finds nothing to say about " \
	    "the installed unit"
	atf_set "require.progs" "systemd-analyze make"
}
verify_body()
{
	installed_unit
	# It exits 0 on an unknown key too: the output must be empty.
	atf_check -s exit:0 -o empty -e empty \
	    systemd-analyze verify $man_opt unit/wsd.service
	# And it does read the file: a mistake in it is reported.
	cp unit/wsd.service unit/bad.service
	echo "ProtectSystm=strict" >>unit/bad.service
	atf_check -s ignore -o ignore -e match:"Unknown key" \
	    systemd-analyze verify $man_opt unit/bad.service
}

atf_test_case security
security_head()
{
	atf_set "descr" "systemd-analyze security rates the unit's exposure " \
	    "at 4.5 or less (of 10)"
	atf_set "require.progs" "systemd-analyze make"
}
security_body()
{
	installed_unit
	systemd-analyze security --offline=true --no-pager \
	    unit/wsd.service >report 2>&1 ||
	    atf_skip "no systemd-analyze security --offline: $(tail -1 report)"
	grep "Overall exposure" report
	atf_check -s exit:0 -o ignore -e ignore systemd-analyze security \
	    --offline=true --threshold=45 --no-pager unit/wsd.service
}

atf_test_case unit
unit_head()
{
	atf_set "descr" "The unit is Type=notify, checks the configuration, " \
	    "reloads by SIGHUP, and bounds the capabilities to those that " \
	    "wsd keeps and wsd(8) lists"
}
unit_body()
{
	top="$(atf_get_srcdir)/.."
	unit="$top/etc/wsd.service"
	for line in "Type=notify" "NotifyAccess=main" "Restart=on-failure" \
	    "ExecStartPre=@BINDIR@/wsd -n -f /etc/wsd.conf" \
	    "ExecStart=@BINDIR@/wsd -d -f /etc/wsd.conf" \
	    "ExecReload=@BINDIR@/wsctl reload" \
	    "ProtectSystem=strict" "ReadWritePaths=/run" "ProtectHome=yes" \
	    "PrivateTmp=yes" "PrivateDevices=yes" \
	    "ProtectKernelTunables=yes" "ProtectKernelModules=yes" \
	    "ProtectKernelLogs=yes" "ProtectControlGroups=yes" \
	    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
	    "RestrictNamespaces=yes" "LockPersonality=yes" \
	    "MemoryDenyWriteExecute=yes" "SystemCallArchitectures=native"; do
		atf_check -s exit:0 -o inline:"1\n" grep -cxF -- "$line" "$unit"
	done
	# One list in three places: the unit, the code, the manual.
	sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' |
	    sort >unit.caps
	sed -n '/sandbox_caps_kept\[\] = {/,/^};/p' \
	    "$top/common/sandbox_linux.c" | grep -o 'CAP_[A-Z_]*' |
	    sort >code.caps
	sed -n '/^keeps root, to bind/,/^Linux applies/p' "$top/man/wsd.8" |
	    grep -o 'CAP_[A-Z_]*' | sort >man.caps
	atf_check -s exit:0 -o inline:"6\n" sh -c "wc -l <unit.caps"
	atf_check -s exit:0 -o empty diff unit.caps code.caps
	atf_check -s exit:0 -o empty diff unit.caps man.caps
}

# The rc.d script with a stand-in rc.subr that runs one rc_ function,
# and pkill(1) that only says what it would do.
rcd_copy()
{
	top="$(atf_get_srcdir)/.."
	cat >rc.subr <<'EOF'
daemon_rtable=0
pkill() { echo "pkill $*"; }
rc_cmd() { "rc_$1"; }
EOF
	sed -e "s,^daemon=.*,daemon=\"$top/wsd\"," \
	    -e "s,/etc/rc.d/rc.subr,$(pwd)/rc.subr," \
	    "$top/etc/rc.d/wsd" >wsd.rc
	cat >good.conf <<'EOF'
server "127.0.0.1" {
	listen on 127.0.0.1 port 8080
}
EOF
	printf 'server "127.0.0.1" {\n\tlisten on nowhere\n}\n' >bad.conf
}

atf_test_case rcd
rcd_head()
{
	atf_set "descr" "etc/rc.d/wsd parses, is rc.subr style, and checks " \
	    "the configuration with -n before a start or a reload"
}
rcd_body()
{
	top="$(atf_get_srcdir)/.."
	rc="$top/etc/rc.d/wsd"
	atf_check -s exit:0 sh -n "$rc"
	atf_check -s exit:0 -o ignore grep -x '#!/bin/ksh' "$rc"
	atf_check -s exit:0 -o ignore grep -x 'daemon="/usr/local/sbin/wsd"' \
	    "$rc"
	atf_check -s exit:0 -o ignore grep -x '\. /etc/rc\.d/rc\.subr' "$rc"
	atf_check -s exit:0 -o ignore grep -x 'pexp="wsd: parent"' "$rc"
	atf_check -s exit:0 -o ignore grep -x 'rc_pre()' "$rc"
	atf_check -s exit:0 -o ignore grep -x 'rc_reload()' "$rc"
	atf_check -s exit:0 -o ignore grep -x 'rc_cmd \$1' "$rc"
	rcd_copy
	atf_check -s exit:0 -o empty -e empty \
	    env daemon_flags="-f good.conf" sh ./wsd.rc pre
	atf_check -s exit:1 -o empty -e match:"bad.conf:2: " \
	    env daemon_flags="-f bad.conf" sh ./wsd.rc pre
	atf_check -s exit:0 -o inline:"pkill -HUP -T 0 -xf wsd: parent\n" \
	    -e empty env daemon_flags="-f good.conf" sh ./wsd.rc reload
	# A file that does not load is not sent to the running daemon.
	atf_check -s exit:1 -o empty -e match:"bad.conf:2: " \
	    env daemon_flags="-f bad.conf" sh ./wsd.rc reload
}

atf_init_test_cases()
{
	atf_add_test_case verify
	atf_add_test_case security
	atf_add_test_case unit
	atf_add_test_case rcd
}
