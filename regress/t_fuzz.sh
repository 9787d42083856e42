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

# The fuzz targets of fuzz/, built with cc as plain programs, replay
# their corpora: the seeds and every input that once found a bug.
# make fuzz runs the same targets under libFuzzer to find new ones.

replay()
{
	srcdir=$(atf_get_srcdir)
	atf_check -s exit:0 -o match:"inputs replayed" -e empty \
	    "$srcdir/fuzz/replay_$1" "$srcdir/fuzz/corpus/$1"
}

atf_test_case http
http_head()
{
	atf_set "descr" "the request head parser replays its corpus"
}
http_body()
{
	replay http
}

atf_test_case extension
extension_head()
{
	atf_set "descr" "Sec-WebSocket-Extensions replays its corpus"
}
extension_body()
{
	replay extension
}

atf_test_case basic
basic_head()
{
	atf_set "descr" "HTTP Basic credentials and htpasswd files replay" \
	    "their corpus"
}
basic_body()
{
	replay basic
}

atf_test_case proxy
proxy_head()
{
	atf_set "descr" "PROXY protocol headers replay their corpus"
}
proxy_body()
{
	replay proxy
}

atf_test_case jwt
jwt_head()
{
	atf_set "descr" "JSON Web Token verification replays its corpus"
}
jwt_body()
{
	replay jwt
}

atf_test_case wskey
wskey_head()
{
	atf_set "descr" "base64 and the accept key replay their corpus"
}
wskey_body()
{
	replay wskey
}

atf_test_case policy
policy_head()
{
	atf_set "descr" "the Host and Origin policy replays its corpus"
}
policy_body()
{
	replay policy
}

atf_test_case frame
frame_head()
{
	atf_set "descr" "the frame decoder replays its corpus"
}
frame_body()
{
	replay frame
}

atf_test_case utf8
utf8_head()
{
	atf_set "descr" "the UTF-8 validator replays its corpus"
}
utf8_body()
{
	replay utf8
}

atf_test_case session
session_head()
{
	atf_set "descr" "the echo engine replays its corpus"
}
session_body()
{
	replay session
}

atf_init_test_cases()
{
	atf_add_test_case http
	atf_add_test_case extension
	atf_add_test_case wskey
	atf_add_test_case basic
	atf_add_test_case proxy
	atf_add_test_case jwt
	atf_add_test_case policy
	atf_add_test_case frame
	atf_add_test_case utf8
	atf_add_test_case session
}
