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
 * Streaming UTF-8 validation (RFC 3629): shortest forms only, no
 * surrogates, nothing above U+10FFFF. The state is one byte, so a code
 * point may be split across frames, and a byte that cannot continue a
 * valid sequence is refused at once. ASCII runs go eight bytes a time.
 */

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "worker.h"

/* What the next byte must be, by state. */
enum {
	U_ACCEPT = UTF8_ACCEPT,	/* between code points */
	U_CONT1,		/* one 80..BF left */
	U_CONT2,		/* two left */
	U_CONT3,		/* three left */
	U_E0,			/* A0..BF, then one more */
	U_ED,			/* 80..9F (no surrogates), then one more */
	U_F0,			/* 90..BF, then two more */
	U_F4,			/* 80..8F (at most U+10FFFF), then two more */
	U_REJECT = UTF8_REJECT
};

static uint8_t
utf8_lead(uint8_t b)
{
	if (b < 0x80)
		return (U_ACCEPT);
	if (b < 0xc2)
		return (U_REJECT);	/* continuation, or overlong C0/C1 */
	if (b < 0xe0)
		return (U_CONT1);
	if (b == 0xe0)
		return (U_E0);
	if (b == 0xed)
		return (U_ED);
	if (b < 0xf0)
		return (U_CONT2);
	if (b == 0xf0)
		return (U_F0);
	if (b < 0xf4)
		return (U_CONT3);
	if (b == 0xf4)
		return (U_F4);
	return (U_REJECT);
}

static uint8_t
utf8_step(uint8_t state, uint8_t b)
{
	switch (state) {
	case U_ACCEPT:
		return (utf8_lead(b));
	case U_CONT1:
		return (b >= 0x80 && b <= 0xbf ? U_ACCEPT : U_REJECT);
	case U_CONT2:
		return (b >= 0x80 && b <= 0xbf ? U_CONT1 : U_REJECT);
	case U_CONT3:
		return (b >= 0x80 && b <= 0xbf ? U_CONT2 : U_REJECT);
	case U_E0:
		return (b >= 0xa0 && b <= 0xbf ? U_CONT1 : U_REJECT);
	case U_ED:
		return (b >= 0x80 && b <= 0x9f ? U_CONT1 : U_REJECT);
	case U_F0:
		return (b >= 0x90 && b <= 0xbf ? U_CONT2 : U_REJECT);
	case U_F4:
		return (b >= 0x80 && b <= 0x8f ? U_CONT2 : U_REJECT);
	}
	return (U_REJECT);
}

/*
 * Continue validation from state over p[0..len). Returns the new state;
 * UTF8_REJECT as soon as a byte cannot belong to valid text.
 */
uint8_t
utf8_validate(uint8_t state, const uint8_t *p, size_t len)
{
	const uint64_t	 high = 0x8080808080808080ULL;
	uint64_t	 w;
	size_t		 i = 0;

	while (i < len) {
		if (state == U_ACCEPT) {
			while (i + 8 <= len) {
				memcpy(&w, p + i, sizeof(w));
				if (w & high)
					break;
				i += 8;
			}
			if (i == len)
				break;
		}
		state = utf8_step(state, p[i++]);
		if (state == U_REJECT)
			break;
	}
	return (state);
}
