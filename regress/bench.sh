#!/bin/sh
#
# make bench: wsd and a peer side by side on loopback, in one run.
# The peer is lws_echo.c, a minimal echo against Debian's libwebsockets
# written the way its examples are: a measuring stick, not part of wsd.
# Each server, all of its processes, runs on one core (SERVER_CPU) and
# wsbench, which checks every echo byte for byte, on another
# (LOAD_CPU). wsd runs one handshake process and one worker. Each shape
# runs RUNS times for SECS seconds; the table gives medians and the
# wsd/peer ratio. Memory per idle connection counts the whole daemon,
# every process, each time on a fresh start. Stops by itself.

cd "$(dirname "$0")" || exit 1
RUNS=${RUNS:-3}
SECS=${SECS:-5}
if [ "$(nproc)" -ge 2 ]; then
	SERVER_CPU=${SERVER_CPU:-0}
	LOAD_CPU=${LOAD_CPU:-1}
else
	SERVER_CPU=${SERVER_CPU:-0}
	LOAD_CPU=${LOAD_CPU:-0}
fi
dir=$(mktemp -d /tmp/wsd-bench.XXXXXX) || exit 1
pid=
trap 'stop; rm -rf "$dir"' EXIT INT TERM

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$dir/server.key" -out "$dir/server.crt" 2>/dev/null || exit 1

nextport() {
	# Below the ephemeral range, where the clients' own ports come from.
	port=$(( ${port:-$((20000 + $$ % 10000))} + 1 ))
}

# Waits for the word ready in the file $1 while process $pid lives.
waitready() {
	i=0
	until grep -q "ready" "$1"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
			cat "$1" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# wsd on $port, plain or tls ($1); pids: the parent and its children.
start_wsd() {
	nextport
	auth=
	if [ "$1" = basic ]; then
		# Two users: one at htpasswd's default cost, one at 10.
		htpasswd -cbB -C 5 "$dir/htp" fast pw 2>/dev/null &&
		    htpasswd -bB -C 10 "$dir/htp" slow pw 2>/dev/null || exit 1
		auth="location \"/basic\" {
		authenticate basic \"$dir/htp\" insecure
	}
	location \"/\" {
	}"
	fi
	if [ "$1" = tls ]; then
		listen="listen on 127.0.0.1 port $port tls
	tls certificate \"$dir/server.crt\"
	tls key \"$dir/server.key\""
	else
		listen="listen on 127.0.0.1 port $port"
	fi
	cat >"$dir/bench.conf" <<CONF
prefork handshake 1
prefork worker 1
max connections 20000
max connections per address 20000
server "127.0.0.1" {
	alias "localhost"
	$listen
	$auth
}
CONF
	taskset -c $SERVER_CPU ../wsd -d -f "$dir/bench.conf" \
	    -s "$dir/wsd.sock" 2>"$dir/server.log" &
	pid=$!
	waitready "$dir/server.log"
	pids=$(ps -o pid= --ppid $pid | tr -d ' ' | paste -sd,)
	pids="$pid,$pids"
}

start_peer() {
	nextport
	if [ "$1" = tls ]; then
		set -- -c "$dir/server.crt" -k "$dir/server.key"
	else
		set --
	fi
	taskset -c $SERVER_CPU ./lws_echo -p $port "$@" >"$dir/server.log" \
	    2>&1 &
	pid=$!
	waitready "$dir/server.log"
	pids=$pid
}

stop() {
	[ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null
	pid=
}

# One wsbench run against $port; prints its RESULT line.
load() {
	out=$(taskset -c $LOAD_CPU ./wsbench -p $port "$@") || {
		echo "wsbench $*: failed" >&2
		echo "$out" >&2
		exit 1
	}
	echo "$out" | grep '^RESULT'
}

# The values of field $1 in the RESULT lines of $dir/runs, and their median.
field() {
	awk -v f="$1" '{
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == f)
				print kv[2]
		}
	}' "$dir/runs"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'
}

# server, "row=field ...", wsbench arguments: RUNS runs, a row each.
measure() {
	server=$1 rows=$2
	shift 2
	r=0
	: >"$dir/runs"
	while [ $r -lt "$RUNS" ]; do
		load "$@" >>"$dir/runs" || exit 1
		r=$((r + 1))
	done
	for row in $rows; do
		vals=$(field "${row#*=}")
		v=$(echo "$vals" | median)
		echo "${row%%=*} $server $v" >>"$dir/table"
		printf '%-22s %-5s %10s   runs: %s\n' "${row%%=*}" "$server" \
		    "$v" "$(echo "$vals" | paste -sd' ')"
	done
}

# Memory per idle connection: a fresh server for each run.
measure_mem() {
	server=$1
	: >"$dir/runs"
	r=0
	while [ $r -lt "$RUNS" ]; do
		"start_$server" plain
		load -m "$pids" -c 10000 >>"$dir/runs" || exit 1
		stop
		r=$((r + 1))
	done
	vals=$(field bytes_per_conn)
	v=$(echo "$vals" | median)
	echo "idle-B/conn $server $v" >>"$dir/table"
	printf '%-22s %-5s %10s   runs: %s\n' "idle-B/conn" "$server" "$v" \
	    "$(echo "$vals" | paste -sd' ')"
}

: >"$dir/table"
echo "wsd and lws_echo (libwebsockets $(pkg-config --modversion \
    libwebsockets 2>/dev/null)): server on CPU $SERVER_CPU, load on CPU" \
    "$LOAD_CPU, $RUNS runs of $SECS s, medians"
for server in wsd peer; do
	"start_$server" plain
	measure $server "ws-pingpong-msg/s=msgs_per_s" \
	    -c 100 -n 1 -s 32 -t "$SECS"
	measure $server "ws-pipelined-msg/s=msgs_per_s" \
	    -c 100 -n 16 -s 32 -t "$SECS"
	measure $server "ws-64KiB-MB/s=mb_per_s ws-64KiB-p99-ms=p99_ms" \
	    -c 10 -n 1 -s 65536 -t "$SECS"
	measure $server "ws-connections/s=conns_per_s" -r -c 16 -t "$SECS"
	stop
	"start_$server" tls
	measure $server "wss-pingpong-msg/s=msgs_per_s" \
	    -T -c 100 -n 1 -s 32 -t "$SECS"
	measure $server "wss-64KiB-MB/s=mb_per_s wss-64KiB-p99-ms=p99_ms" \
	    -T -c 10 -n 1 -s 65536 -t "$SECS"
	measure $server "wss-connections/s=conns_per_s" -T -r -c 16 \
	    -t "$SECS"
	stop
	measure_mem $server
done

# HTTP Basic, wsd alone: the connection rate when every upgrade has a
# password checked (cost 5, htpasswd's default); and the rate of upgrades
# without one while a flood of cost-10 checks keeps the password
# processes busy, beside the same rate alone.
start_wsd basic
measure wsd "ws-basic-cost5-connections/s=conns_per_s" -r -c 8 \
    -t "$SECS" -P /basic -H "Authorization: Basic $(printf fast:pw | base64)"
measure wsd "ws-open-connections/s=conns_per_s" -r -c 8 -t "$SECS"
taskset -c $LOAD_CPU ./wsbench -p $port -r -c 8 -t $((SECS * RUNS + 2)) \
    -P /basic -H "Authorization: Basic $(printf slow:pw | base64)" \
    >"$dir/flood.out" 2>&1 &
flood=$!
sleep 1
measure wsd "ws-open-during-cost10-flood/s=conns_per_s" -r -c 8 \
    -t "$SECS"
wait $flood
grep '^RESULT' "$dir/flood.out" | sed 's/^RESULT/cost-10 flood:/'
stop

echo
echo "| shape | wsd | peer | wsd/peer |"
echo "|---|---|---|---|"
awk '{ v[$1 " " $2] = $3; if (!($1 in seen)) { seen[$1] = 1; o[++n] = $1 } }
END {
	for (i = 1; i <= n; i++) {
		w = v[o[i] " wsd"]; p = v[o[i] " peer"]
		r = (p + 0 > 0) ? sprintf("%.2f", w / p) : "-"
		printf "| %s | %s | %s | %s |\n", o[i], w, p, r
	}
}' "$dir/table"
