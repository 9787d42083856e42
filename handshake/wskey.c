/*
 * Copyright (c) 2026 The wsd developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Sec-WebSocket-Accept (RFC 6455 section 4.2.2): base64 of the SHA-1 of
 * the client's key and a fixed GUID. SHA-1 (FIPS 180-4) is written out
 * here because it is needed for nothing else and has no secret to keep.
 */

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "handshake.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

static uint32_t
rol32(uint32_t x, int n)
{
	return ((x << n) | (x >> (32 - n)));
}

static void
sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t	 w[80], a, b, c, d, e, f, k, t;
	int		 i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[i * 4] << 24 | (uint32_t)p[i * 4 + 1] << 16 |
		    (uint32_t)p[i * 4 + 2] << 8 | p[i * 4 + 3];
	for (; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol32(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void
sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN])
{
	uint32_t	 h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe,
			    0x10325476, 0xc3d2e1f0 };
	const uint8_t	*p = data;
	uint8_t		 block[64];
	uint64_t	 bits = (uint64_t)len * 8;
	size_t		 rest;
	int		 i;

	for (; len >= 64; p += 64, len -= 64)
		sha1_block(h, p);
	/* Padding: 0x80, zeros, then the length in bits, big-endian. */
	memset(block, 0, sizeof(block));
	memcpy(block, p, len);
	block[len] = 0x80;
	rest = len + 1;
	if (rest > 56) {
		sha1_block(h, block);
		memset(block, 0, sizeof(block));
	}
	for (i = 0; i < 8; i++)
		block[63 - i] = bits >> (i * 8);
	sha1_block(h, block);
	for (i = 0; i < 5; i++) {
		out[i * 4] = h[i] >> 24;
		out[i * 4 + 1] = h[i] >> 16;
		out[i * 4 + 2] = h[i] >> 8;
		out[i * 4 + 3] = h[i];
	}
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Returns the length written (without the NUL), 0 if out is too small. */
size_t
base64_encode(const uint8_t *in, size_t len, char *out, size_t size)
{
	size_t		 i, o = 0;
	uint32_t	 v;

	if (size < (len + 2) / 3 * 4 + 1)
		return (0);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 0x3f];
		out[o++] = b64[(v >> 6) & 0x3f];
		out[o++] = b64[v & 0x3f];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 0x3f];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 0x3f] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return (o);
}

static int
b64_value(int c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64, c)) == NULL)
		return (-1);
	return (p - b64);
}

/*
 * Strict decoding: length a multiple of 4, padding only at the end, and
 * unused bits zero, so that each value has exactly one spelling.
 */
ssize_t
base64_decode(const char *in, size_t len, uint8_t *out, size_t size)
{
	size_t		 i, o = 0, pad = 0;
	uint32_t	 v = 0;
	int		 j, d;

	if (len % 4 != 0)
		return (-1);
	if (len > 0 && in[len - 1] == '=')
		pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
	if ((len / 4) * 3 - pad > size)
		return (-1);
	for (i = 0; i < len; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + j >= len - pad) {
				v <<= 6;
				continue;
			}
			if ((d = b64_value((unsigned char)in[i + j])) == -1)
				return (-1);
			v = v << 6 | d;
		}
		out[o++] = v >> 16;
		if (i + 4 < len || pad < 2)
			out[o++] = v >> 8;
		if (i + 4 < len || pad < 1)
			out[o++] = v;
	}
	if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
		return (-1);
	return (o);
}

void
ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1])
{
	char		 buf[WS_KEY_LEN + sizeof(WS_GUID)];
	uint8_t		 digest[SHA1_DIGEST_LEN];
	size_t		 klen;

	klen = strnlen(key, WS_KEY_LEN);
	memcpy(buf, key, klen);
	memcpy(buf + klen, WS_GUID, sizeof(WS_GUID) - 1);
	sha1(buf, klen + sizeof(WS_GUID) - 1, digest);
	base64_encode(digest, sizeof(digest), out, WS_ACCEPT_LEN + 1);
}
