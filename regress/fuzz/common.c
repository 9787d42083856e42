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

/* The helpers of fuzz.h. */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* FNV-1a of the input: the cuts change whenever the bytes do. */
void
fuzz_seed(struct fuzz_rng *r, const uint8_t *p, size_t len)
{
	size_t	 i;

	r->s = 2166136261U;
	for (i = 0; i < len; i++)
		r->s = (r->s ^ p[i]) * 16777619U;
}

/* A number below n (n > 0); the same input always draws the same. */
uint32_t
fuzz_rand(struct fuzz_rng *r, uint32_t n)
{
	r->s = r->s * 1103515245 + 12345;
	return ((r->s >> 8) % n);
}

void
fuzz_put(struct fuzz_buf *b, const void *p, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

void
fuzz_buf_free(struct fuzz_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* The length a lead byte announces (RFC 3629 section 3), 0 for none. */
static int
ref_seqlen(uint8_t b)
{
	if (b < 0x80)
		return (1);
	if ((b & 0xe0) == 0xc0)
		return (2);
	if ((b & 0xf0) == 0xe0)
		return (3);
	if ((b & 0xf8) == 0xf0)
		return (4);
	return (0);
}

/*
 * Whether some scalar value of an n-byte form lies in [lo, hi]: the
 * shortest form only, at most U+10FFFF, no surrogates (Unicode D92).
 */
static int
ref_possible(uint32_t lo, uint32_t hi, int n)
{
	static const uint32_t	 min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	static const uint32_t	 max[] = { 0, 0x7f, 0x7ff, 0xffff, 0x10ffff };

	if (lo < min[n])
		lo = min[n];
	if (hi > max[n])
		hi = max[n];
	if (lo > hi)
		return (0);
	return (!(lo >= 0xd800 && hi <= 0xdfff));
}

/*
 * UTF-8 from its definition, by ranges of code points rather than by
 * byte classes: returns the index of the first byte after which p can
 * no longer begin valid text, or -1 with *complete set when it can.
 */
ssize_t
fuzz_utf8_ref(const uint8_t *p, size_t len, int *complete)
{
	uint32_t	 cp, free_bits;
	size_t		 i = 0;
	int		 n, j;

	*complete = 0;
	while (i < len) {
		if ((n = ref_seqlen(p[i])) == 0)
			return (i);
		cp = n == 1 ? p[i] : p[i] & (0x7f >> n);
		for (j = 1;; j++) {
			free_bits = 6 * (n - j);
			if (!ref_possible(cp << free_bits,
			    (cp << free_bits) | ((1U << free_bits) - 1), n))
				return (i + j - 1);
			if (j == n)
				break;
			if (i + j >= len)
				return (-1);	/* a code point is cut short */
			if ((p[i + j] & 0xc0) != 0x80)
				return (i + j);
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		i += n;
	}
	*complete = 1;
	return (-1);
}
