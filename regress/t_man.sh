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

# The manual pages: lint-clean, and the examples in wsd.conf(5) load.

atf_test_case lint
lint_head()
{
	atf_set "descr" "mandoc -Tlint finds nothing in the manual pages"
	atf_set "require.progs" "mandoc"
}
lint_body()
{
	man="$(atf_get_srcdir)/../man"
	for page in wsd.8 wsd.conf.5 wsctl.8; do
		atf_check -s exit:0 test -f "$man/$page"
	done
	atf_check -s exit:0 -o empty -e empty \
	    mandoc -Tlint -Wwarning "$man/wsd.8" "$man/wsd.conf.5" \
	    "$man/wsctl.8"
}

atf_test_case usage
usage_head()
{
	atf_set "descr" "wsd's usage line matches its manual page"
}
usage_body()
{
	top="$(atf_get_srcdir)/.."
	atf_check -s exit:1 -e save:usage "$top/wsd" -x
	synopsis=$(mandoc -Tascii "$top/man/wsd.8" | col -b |
	    sed -n '/^SYNOPSIS/{n;p;}' | sed 's/^ *//')
	atf_check -s exit:0 -o ignore grep -F -- "usage: $synopsis" usage
}

atf_init_test_cases()
{
	atf_add_test_case lint
	atf_add_test_case usage
}
