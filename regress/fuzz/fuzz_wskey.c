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
 * handshake/wskey.c: strict base64 has one spelling per value, so what
 * decodes encodes back to the same text, and what is encoded decodes
 * back to the same bytes; neither writes past the size it is given.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../handshake/handshake.h"

static void	*xmalloc(size_t);

static void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	return (p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct fuzz_rng	 rng;
	uint8_t		*raw, digest[SHA1_DIGEST_LEN];
	char		*text, key[WS_KEY_LEN + 1], accept[WS_ACCEPT_LEN + 1];
	size_t		 size, tlen;
	ssize_t		 n;

	fuzz_seed(&rng, in, len);

	/* The input as base64 text, into a buffer of a random size. */
	size = fuzz_rand(&rng, len / 4 * 3 + 2);
	raw = xmalloc(size);
	n = base64_decode((const char *)in, len, raw, size);
	FUZZ_CHECK(n >= -1 && n <= (ssize_t)size);
	if (n >= 0) {
		FUZZ_CHECK(len % 4 == 0 && (size_t)n <= len / 4 * 3);
		text = xmalloc(len + 1);
		FUZZ_CHECK(base64_encode(raw, n, text, len + 1) == len);
		FUZZ_CHECK(memcmp(text, in, len) == 0 && text[len] == '\0');
		free(text);
	}
	free(raw);

	/* The input as bytes: encoded, then decoded back. */
	tlen = (len + 2) / 3 * 4;
	size = fuzz_rand(&rng, 2) ? tlen + 1 : fuzz_rand(&rng, tlen + 2);
	text = xmalloc(size);
	n = base64_encode(in, len, text, size);
	FUZZ_CHECK(size < tlen + 1 ? n == 0 : (size_t)n == tlen);
	if (size >= tlen + 1) {
		FUZZ_CHECK(strlen(text) == tlen);
		raw = xmalloc(len);
		FUZZ_CHECK(base64_decode(text, tlen, raw, len) ==
		    (ssize_t)len);
		FUZZ_CHECK(len == 0 || memcmp(raw, in, len) == 0);
		free(raw);
	}
	free(text);

	sha1(in, len, digest);
	memset(key, 0, sizeof(key));
	memcpy(key, in, len < WS_KEY_LEN ? len : WS_KEY_LEN);
	ws_accept_key(key, accept);
	FUZZ_CHECK(strlen(accept) == WS_ACCEPT_LEN);
	return (0);
}
