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

# make install: what a package would ship, where DESTDIR and PREFIX say.

atf_test_case install
install_head()
{
	atf_set "descr" "make install honours DESTDIR and PREFIX"
	atf_set "require.progs" "make"
}
install_body()
{
	top="$(atf_get_srcdir)/.."
	dest="$(pwd)/root"
	atf_check -s exit:0 -o ignore -e ignore \
	    make -C "$top" install DESTDIR="$dest" PREFIX=/opt/wsd
	for f in opt/wsd/sbin/wsd opt/wsd/sbin/wsctl \
	    opt/wsd/share/man/man8/wsd.8 opt/wsd/share/man/man8/wsctl.8 \
	    opt/wsd/share/man/man5/wsd.conf.5 etc/examples/wsd.conf \
	    lib/systemd/system/wsd.service usr/lib/sysusers.d/wsd.conf \
	    usr/lib/tmpfiles.d/wsd.conf; do
		atf_check -s exit:0 test -f "$dest/$f"
	done
	atf_check -s exit:0 test -x "$dest/opt/wsd/sbin/wsd"
	# The unit runs the installed binary, and checks its file first.
	atf_check -s exit:0 -o ignore grep -F \
	    "ExecStart=/opt/wsd/sbin/wsd -d -f /etc/wsd.conf" \
	    "$dest/lib/systemd/system/wsd.service"
	atf_check -s exit:0 -o ignore grep -F "ExecReload=" \
	    "$dest/lib/systemd/system/wsd.service"
	atf_check -s exit:1 grep -F "@BINDIR@" \
	    "$dest/lib/systemd/system/wsd.service"
	# The rc.d script is OpenBSD's: nothing installs it here.
	atf_check -s exit:0 -o empty find "$dest" -path "*rc.d*"
	# The example loads as installed, given its certificate and key.
	atf_check -s exit:0 -o ignore -e ignore sh "$top/regress/mkcerts.sh"
	atf_check -s exit:0 -e match:"configuration OK" \
	    "$dest/opt/wsd/sbin/wsd" -n -f "$dest/etc/examples/wsd.conf" \
	    -D tls_cert="$(pwd)/server.crt" -D tls_key="$(pwd)/server.key"
}

atf_test_case uninstall
uninstall_head()
{
	atf_set "descr" "make uninstall removes what make install put in " \
	    "DESTDIR and PREFIX, and nothing else"
	atf_set "require.progs" "make"
}
uninstall_body()
{
	top="$(atf_get_srcdir)/.."
	dest="$(pwd)/root"
	atf_check -s exit:0 -o ignore -e ignore \
	    make -C "$top" install DESTDIR="$dest" PREFIX=/opt/wsd
	# Files of others beside ours, in directories install made or used.
	for f in opt/wsd/sbin/other lib/systemd/system/other.service \
	    etc/examples/other.conf usr/lib/tmpfiles.d/other.conf; do
		echo other >"$dest/$f"
	done
	find "$dest" -type f | sort >before
	atf_check -s exit:0 -o ignore -e ignore \
	    make -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/wsd
	atf_check -s exit:0 -o inline:"$dest/etc/examples/other.conf
$dest/lib/systemd/system/other.service
$dest/opt/wsd/sbin/other
$dest/usr/lib/tmpfiles.d/other.conf
" sh -c "find '$dest' ! -type d | sort"
	# Nine of ours were there, and the four others.
	atf_check -s exit:0 test "$(wc -l <before)" -eq 13
	# A second uninstall finds nothing to remove, and says nothing wrong.
	atf_check -s exit:0 -o ignore -e empty \
	    make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/wsd
}

atf_init_test_cases()
{
	atf_add_test_case install
	atf_add_test_case uninstall
}
