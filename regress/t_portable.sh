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

# The OpenBSD code, which no machine here runs: it must compile, with
# OpenBSD's prototypes for pledge(2) and unveil(2), and the sandbox must
# ask each role's promises, with pledge and unveil that only record.

# cc with the project's warnings, the OpenBSD side of every #ifdef; the
# test fails on any error or warning.
obsd_cc()
{
	src="$(atf_get_srcdir)/.."
	cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	    -Wmissing-prototypes -Wshadow -U__linux__ -D__OpenBSD__ \
	    -D_GNU_SOURCE -I"$src/common" -I"$src/parent" \
	    $(pkg-config --cflags libtls libevent zlib libbsd-overlay) \
	    -include "$src/regress/openbsd/unistd_shim.h" "$@" >cc.out 2>&1 ||
	    atf_fail "cc failed on $*: $(cat cc.out)"
	[ ! -s cc.out ] || atf_fail "cc warned on $*: $(cat cc.out)"
}

atf_test_case compiles
compiles_head()
{
	atf_set "descr" "Every source file compiles as on OpenBSD"
	atf_set "require.progs" "cc pkg-config"
}
compiles_body()
{
	src="$(atf_get_srcdir)/.."
	for f in "$src"/common/*.c "$src"/parent/*.c "$src"/handshake/*.c \
	    "$src"/worker/*.c "$src"/wsctl/*.c; do
		obsd_cc -fsyntax-only "$f"
	done
}

# The recorder, built from sandbox_openbsd.c as OpenBSD would build it.
build_recorder()
{
	src="$(atf_get_srcdir)/.."
	obsd_cc -o recorder \
	    "$src/regress/openbsd/recorder.c" "$src/common/sandbox_openbsd.c" \
	    $(pkg-config --libs libbsd-overlay)
}

atf_test_case promises
promises_head()
{
	atf_set "descr" "Each role pledges its own promises and unveils " \
	    "what it still needs, before pledge"
	atf_set "require.progs" "cc pkg-config"
}
promises_body()
{
	build_recorder
	atf_check -s exit:0 -o inline:'unveil / ""
unveil NULL
pledge "stdio recvfd" NULL
sandboxed
' ./recorder worker
	atf_check -s exit:0 -o inline:'unveil / ""
unveil NULL
pledge "stdio recvfd" NULL
sandboxed
' ./recorder password
	atf_check -s exit:0 -o inline:'unveil / ""
unveil NULL
pledge "stdio inet recvfd sendfd" NULL
sandboxed
' ./recorder handshake
	atf_check -s exit:0 -o inline:'unveil / "r"
unveil /usr/local/sbin/wsd "x"
unveil /var/run "c"
unveil NULL
pledge "stdio rpath cpath inet dns unix sendfd proc exec" NULL
sandboxed
' ./recorder parent
}

atf_test_case refused
refused_head()
{
	atf_set "descr" "A failing pledge or unveil, or an unknown role, " \
	    "is fatal: no process runs without its sandbox"
	atf_set "require.progs" "cc pkg-config"
}
refused_body()
{
	build_recorder
	FAIL=pledge atf_check -s exit:1 -o match:'^fatal: sandbox_os: pledge' \
	    -o not-match:sandboxed ./recorder worker
	FAIL=unveil atf_check -s exit:1 \
	    -o match:'^fatal: sandbox_os: unveil' -o not-match:sandboxed \
	    ./recorder handshake
	FAIL=unveil atf_check -s exit:1 \
	    -o match:'^fatal: sandbox_unveil_parent: unveil' \
	    -o not-match:sandboxed ./recorder parent
	atf_check -s exit:1 -o match:'^fatal: sandbox_os: no sandbox' \
	    -o not-match:sandboxed ./recorder nosuchrole
}

atf_init_test_cases()
{
	atf_add_test_case compiles
	atf_add_test_case promises
	atf_add_test_case refused
}
