#!/usr/bin/env python3
#
# Mint a JSON Web Token for the tests, independently of wsd's own code:
#   mkjwt.py ALG KEYFILE HEADER PAYLOAD
# ALG is HS256 (KEYFILE: the shared secret, less one trailing newline),
# ES256 (KEYFILE: a P-256 private key, signed with openssl dgst) or EdDSA
# (an Ed25519 private key, signed with openssl pkeyutl), or none. HEADER
# is JSON, or - for {"alg": ALG, "typ": "JWT"}; PAYLOAD is JSON, written
# as given. The token goes to standard output.

import base64
import hashlib
import hmac
import subprocess
import sys


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_to_raw(der):
    """An ECDSA-Sig-Value (DER) as JWS writes it: r and s, 32 bytes each."""
    def read_int(buf, i):
        assert buf[i] == 0x02
        n = buf[i + 1]
        v = int.from_bytes(buf[i + 2:i + 2 + n], "big")
        return v, i + 2 + n
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 3
    r, i = read_int(der, i)
    s, i = read_int(der, i)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign(alg, keyfile, data):
    if alg == "none":
        return b""
    if alg == "HS256":
        with open(keyfile, "rb") as f:
            key = f.read()
        if key.endswith(b"\n"):
            key = key[:-1]
        return hmac.new(key, data, hashlib.sha256).digest()
    if alg == "ES256":
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", keyfile],
                             input=data, capture_output=True,
                             check=True).stdout
        return der_to_raw(der)
    if alg == "EdDSA":
        with open("mkjwt.in", "wb") as f:
            f.write(data)
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin",
                               "-inkey", keyfile, "-in", "mkjwt.in"],
                              capture_output=True, check=True).stdout
    raise SystemExit("mkjwt.py: unknown algorithm " + alg)


def main():
    alg, keyfile, header, payload = sys.argv[1:5]
    if header == "-":
        header = '{"alg":"%s","typ":"JWT"}' % alg
    signing_input = (b64url(header.encode()) + "." +
                     b64url(payload.encode())).encode()
    sig = sign(alg, keyfile, signing_input)
    print(signing_input.decode() + "." + b64url(sig))


main()
