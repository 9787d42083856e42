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
 * The streaming UTF-8 validator against fuzz_utf8_ref, which works from
 * the definition by code point ranges: the same verdict, rejected at
 * the same byte, whether the bytes come whole, one at a time, or in
 * pieces cut anywhere (the eight-byte ASCII path then starts at odd
 * places).
 */

#include <sys/types.h>

#include <stdint.h>

#include "fuzz.h"
#include "../../worker/worker.h"

#define PREFIX_MAX	512	/* prefixes checked one by one, O(n^2) */

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct fuzz_rng	 rng;
	ssize_t		 bad, prefbad;
	size_t		 i, n;
	uint8_t		 whole, state;
	int		 complete, pcomplete;

	fuzz_seed(&rng, p, len);
	bad = fuzz_utf8_ref(p, len, &complete);
	whole = utf8_validate(UTF8_ACCEPT, p, len);
	if (bad >= 0)
		FUZZ_CHECK(whole == UTF8_REJECT);
	else if (complete)
		FUZZ_CHECK(whole == UTF8_ACCEPT);
	else
		FUZZ_CHECK(whole != UTF8_ACCEPT && whole != UTF8_REJECT);

	/* Byte by byte: rejected exactly at the reference's byte. */
	state = UTF8_ACCEPT;
	for (i = 0; i < len; i++) {
		state = utf8_validate(state, p + i, 1);
		if (bad >= 0 && i >= (size_t)bad)
			FUZZ_CHECK(state == UTF8_REJECT);
		else
			FUZZ_CHECK(state != UTF8_REJECT);
		if (i < PREFIX_MAX && state != UTF8_REJECT) {
			prefbad = fuzz_utf8_ref(p, i + 1, &pcomplete);
			FUZZ_CHECK(prefbad == -1);
			FUZZ_CHECK((state == UTF8_ACCEPT) == pcomplete);
		}
	}
	FUZZ_CHECK(state == whole);

	/* In pieces: the state carries everything across a cut. */
	for (i = 0, state = UTF8_ACCEPT; i < len; i += n) {
		n = 1 + fuzz_rand(&rng, 24);
		if (n > len - i)
			n = len - i;
		state = utf8_validate(state, p + i, n);
	}
	FUZZ_CHECK(state == whole);
	return (0);
}
