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
 * The PROXY header reader (handshake/proxy.c) on hostile bytes, as a
 * connection's first. What the handshake process relies on: proxy_scan
 * never claims bytes past the header (every shorter prefix of a header
 * is "more", so reading in pieces takes the same bytes as reading at
 * once), a header is at most PROXY_MAX bytes, and a header it accepts
 * parses to TCP addresses of one family, or to none.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../handshake/handshake.h"

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct proxy_hdr	 h;
	const char		*why = NULL;
	size_t			 hdrlen = 0, k, again;
	int			 rv;

	rv = proxy_scan(in, len, &hdrlen);
	FUZZ_CHECK(rv == PROXY_BAD || rv == PROXY_MORE || rv == PROXY_DONE);
	if (rv == PROXY_MORE)
		FUZZ_CHECK(len < PROXY_MAX);
	if (rv != PROXY_DONE)
		return (0);
	FUZZ_CHECK(hdrlen > 0 && hdrlen <= len && hdrlen <= PROXY_MAX);
	/* Read a byte at a time, the same header, and not a byte more. */
	for (k = 1; k < hdrlen; k++)
		FUZZ_CHECK(proxy_scan(in, k, &again) == PROXY_MORE);
	FUZZ_CHECK(proxy_scan(in, hdrlen, &again) == PROXY_DONE &&
	    again == hdrlen);
	if (proxy_parse(in, hdrlen, &h, &why) == -1) {
		FUZZ_CHECK(why != NULL);
		return (0);
	}
	if (h.local)
		return (0);
	FUZZ_CHECK(h.src.ss_family == h.dst.ss_family);
	FUZZ_CHECK(h.src.ss_family == AF_INET || h.src.ss_family == AF_INET6);
	return (0);
}
