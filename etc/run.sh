#!/bin/sh
#
# "make run": wsd in the foreground with the example configuration.
# As root it uses the default control socket, so plain "wsctl" works;
# otherwise the socket lives in the build tree.

cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" -eq 0 ]; then
	sock=/run/wsd.sock
else
	mkdir -p etc/run
	sock="$PWD/etc/run/wsd.sock"
fi
echo "wsd: ws://127.0.0.1:8080/ (control socket $sock; ^C stops it)"
exec ./wsd -d -f etc/wsd.conf -s "$sock"
