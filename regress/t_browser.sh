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

# The console in a real browser: Debian's chromium, driven by
# playwright-core (regress/browser, installed by etc/deps.sh with npm ci),
# against the real wsd on a loopback port, and a page of another origin
# served by python3's http.server on another port.

# Two free loopback ports, as the kernel picks them: both bound at once,
# so that they differ.
free_ports()
{
	python3 -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0))
b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])'
}

# Wait up to 10 s for the line $1 in the file $2.
wait_line()
{
	i=0
	while ! grep -qF -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1
	done
}

atf_test_case console cleanup
console_head()
{
	atf_set "descr" "In chromium the console page echoes what is sent," \
	    "with no CSP violation; a page of another origin cannot connect"
	atf_set "require.progs" "node python3"
	atf_set "timeout" "150"
}
console_body()
{
	src="$(atf_get_srcdir)"
	[ -x /usr/bin/chromium ] ||
	    atf_skip "no /usr/bin/chromium (etc/deps.sh installs it)"
	[ -f "$src/browser/node_modules/playwright-core/package.json" ] ||
	    atf_skip "no playwright-core in regress/browser (etc/deps.sh)"

	set -- $(free_ports)
	port=$1
	other=$2
	cat >wsd.conf <<EOF
server "127.0.0.1" {
	alias "localhost"
	listen on 127.0.0.1 port $port
	console
}
EOF
	"$src/../wsd" -d -f wsd.conf -s "$(pwd)/wsd.sock" >wsd.log 2>&1 &
	echo $! >wsd.pid
	mkdir www
	echo '<!DOCTYPE html><title>another origin</title>' >www/index.html
	python3 -m http.server --bind 127.0.0.1 --directory www "$other" \
	    >http.log 2>&1 &
	echo $! >http.pid
	wait_line "ready:" wsd.log || atf_fail "wsd is not ready: $(cat wsd.log)"
	wait_line "Serving HTTP" http.log ||
	    atf_fail "no static server: $(cat http.log)"

	CONSOLE_URL="http://127.0.0.1:$port/" \
	    OTHER_URL="http://127.0.0.1:$other/" \
	    timeout -k 5 100 node "$src/browser/console.js" >browser.out 2>&1
	rc=$?
	cat browser.out
	[ $rc -eq 0 ] || atf_fail "the browser test failed ($rc)"

	# The page's own origin was admitted, the other one refused.
	own="accepted: server 127.0.0.1, path \"/\","
	own="$own origin \"http://127.0.0.1:$port\""
	wait_line "$own" wsd.log ||
	    atf_fail "no accept line for the console: $(cat wsd.log)"
	refused="refused: 403 (Origin is not the request's own;"
	refused="$refused host \"127.0.0.1:$port\","
	refused="$refused origin \"http://127.0.0.1:$other\""
	wait_line "$refused" wsd.log ||
	    atf_fail "no 403 for the other origin: $(cat wsd.log)"
}
console_cleanup()
{
	for f in wsd.pid http.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

atf_init_test_cases()
{
	atf_add_test_case console
}
