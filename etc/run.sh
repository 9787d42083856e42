#!/bin/sh
#
# "make run": wsd in the foreground with the example configuration.
# As root it uses the default control socket, so plain "wsctl" works;
# otherwise the socket lives in the build tree. The certificate for
# wss:// is self-signed, made on first use in etc/run/ (never committed).
# The configuration is etc/wsd.conf with the console on (wsd.conf(5)):
# a page for people trying wsd out, which the installed example lacks.

cd "$(dirname "$0")/.." || exit 1
mkdir -p etc/run
if [ "$(id -u)" -eq 0 ]; then
	sock=/run/wsd.sock
else
	sock="$PWD/etc/run/wsd.sock"
fi
if [ ! -f etc/run/server.crt ] || [ ! -f etc/run/server.key ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout etc/run/server.key -out etc/run/server.crt \
	    -days 365 -subj "/CN=localhost" \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    2>/dev/null || exit 1
	chmod 600 etc/run/server.key
fi
awk '{ print } /^server "127\.0\.0\.1" \{$/ { print "\tconsole" }' \
    etc/wsd.conf >etc/run/wsd.conf || exit 1
grep -q '^	console$' etc/run/wsd.conf || exit 1
echo "wsd: ws://127.0.0.1:8080/ and wss://127.0.0.1:8443/" \
    "(control socket $sock; ^C stops it)"
echo "wsd: a console in a browser at http://127.0.0.1:8080/" \
    "and https://127.0.0.1:8443/"
exec ./wsd -d -f etc/run/wsd.conf -s "$sock" \
    -D tls_cert="$PWD/etc/run/server.crt" \
    -D tls_key="$PWD/etc/run/server.key"
