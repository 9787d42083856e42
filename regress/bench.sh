#!/bin/sh
#
# make bench: wsd against wsbench on loopback, both on this machine.
# One handshake process and one worker, so the load generator keeps a
# core; the figures are those of one worker. Each measurement gets a
# fresh daemon (freed memory stays in a process's RSS). Stops by itself.

cd "$(dirname "$0")" || exit 1
dir=$(mktemp -d /tmp/wsd-bench.XXXXXX) || exit 1
wsd=
trap 'stop; rm -rf "$dir"' EXIT

start() {
	# Below the ephemeral range, where the clients' own ports come from.
	port=$(( ${port:-$((20000 + $$ % 10000))} + 1 ))
	cat >"$dir/bench.conf" <<CONF
prefork handshake 1
prefork worker 1
max connections 20000
max connections per address 20000
server "127.0.0.1" {
	listen on 127.0.0.1 port $port
}
CONF
	../wsd -d -f "$dir/bench.conf" -s "$dir/wsd.sock" 2>"$dir/wsd.log" &
	wsd=$!
	i=0
	until grep -q "ready:" "$dir/wsd.log"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $wsd 2>/dev/null; then
			cat "$dir/wsd.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	workers=$(ps -o pid= -o args= --ppid $wsd |
	    awk '$3 == "worker" { print $1 }' | paste -sd,)
}

stop() {
	[ -n "$wsd" ] && kill $wsd 2>/dev/null && wait $wsd 2>/dev/null
	wsd=
}

start
./wsbench -p $port -c 100 -n 16 -s 32 -t 5 || exit 1
./wsbench -p $port -c 100 -n 4 -s 65536 -t 5 || exit 1
stop
for z in "" -z -zz; do
	start
	./wsbench -p $port -m "$workers" -c 10000 $z || exit 1
	stop
done
