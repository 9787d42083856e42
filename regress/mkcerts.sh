#!/bin/sh
#
# Certificates for the TLS tests, made in the current directory with the
# openssl CLI: a CA, a server certificate for localhost and 127.0.0.1, one
# each for a.test and b.test (SNI), and two client certificates, all
# signed by the CA; and a client certificate of another CA. EC keys: quick to make. Nothing here is ever committed.
# server.ocsp is a DER OCSP response, signed by the CA, that says the
# server certificate is good: the file to staple.

set -e

# name subject [subjectAltName]
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
	if [ -n "$3" ]; then
		printf 'subjectAltName=%s\n' "$3" >"$1.ext"
	else
		printf 'extendedKeyUsage=clientAuth\n' >"$1.ext"
	fi
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -keyout ca.key -subj "/CN=wsd test CA" -days 2 -out ca.crt \
    2>/dev/null
leaf server "/CN=localhost" "DNS:localhost,IP:127.0.0.1"
leaf a "/CN=a.test" "DNS:a.test"
leaf b "/CN=b.test" "DNS:b.test"
leaf client "/O=wsd tests/CN=test client"
leaf client2 "/O=wsd tests/CN=other client"

# Another CA, and a client certificate of its own with the same subject
# as client.crt: a server that trusts ca.crt must not take it.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -keyout other-ca.key -subj "/CN=another CA" -days 2 \
    -out other-ca.crt 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout stranger.key -subj "/O=wsd tests/CN=test client" \
    -out stranger.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >stranger.ext
openssl x509 -req -in stranger.csr -CA other-ca.crt -CAkey other-ca.key \
    -CAcreateserial -days 2 -extfile stranger.ext -out stranger.crt 2>/dev/null
rm -f stranger.csr stranger.ext

# The CA's database as openssl ocsp reads it: valid, expiry, no
# revocation, serial, file, subject.
serial=$(openssl x509 -in server.crt -noout -serial | cut -d= -f2)
printf 'V\t301231235959Z\t\t%s\tunknown\t/CN=localhost\n' "$serial" \
    >index.txt
openssl ocsp -issuer ca.crt -cert server.crt -no_nonce -reqout ocsp.req \
    2>/dev/null
openssl ocsp -index index.txt -rsigner ca.crt -rkey ca.key -CA ca.crt \
    -reqin ocsp.req -respout server.ocsp -ndays 2 >/dev/null 2>&1
rm -f ocsp.req
chmod 600 ./*.key
