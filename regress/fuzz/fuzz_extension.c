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
 * Sec-WebSocket-Extensions (handshake/extension.c) on hostile values.
 * The first byte says whether compression is allowed and how big the
 * answer's buffer is; the rest is up to four field values, split at
 * newlines, each in a buffer of its own exact size so that ASan sees a
 * read past a value. An offer taken must give parameters the worker
 * can use, and the answer, offered back, must be taken as it is.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../handshake/handshake.h"

#define FIELDS_MAX	4
#define RESP_PREFIX	"Sec-WebSocket-Extensions: "
#define RESP_FIRST	RESP_PREFIX "permessage-deflate; " \
			"server_no_context_takeover"

static const size_t	 sizes[4] = { 1, 40, 100, 256 };

static void	 add_field(struct http_request *, const char *, size_t);
static void	 check_answer(const struct ws_deflate_params *,
		    const char *);

static void
add_field(struct http_request *req, const char *v, size_t len)
{
	struct http_header	*h = &req->headers[req->nheaders++];
	char			*p;

	if ((p = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(p, v, len);
	h->name = "Sec-WebSocket-Extensions";
	h->namelen = strlen(h->name);
	h->value = p;
	h->valuelen = len;
}

/* Our answer, offered back, is taken with the same parameters. */
static void
check_answer(const struct ws_deflate_params *dp, const char *resp)
{
	struct ws_deflate_params	 again;
	struct http_request		 req;
	size_t				 len = strlen(resp);
	char				 resp2[256];

	FUZZ_CHECK(strncmp(resp, RESP_FIRST, strlen(RESP_FIRST)) == 0);
	FUZZ_CHECK(len >= 2 && strcmp(resp + len - 2, "\r\n") == 0);
	memset(&req, 0, sizeof(req));
	add_field(&req, resp + strlen(RESP_PREFIX),
	    len - 2 - strlen(RESP_PREFIX));
	FUZZ_CHECK(ws_negotiate_deflate(&req, 1, &again, resp2,
	    sizeof(resp2)) == 0);
	FUZZ_CHECK(memcmp(dp, &again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(resp, resp2) == 0);
	free((char *)req.headers[0].value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct ws_deflate_params	 dp;
	struct http_request		 req;
	const char			*p, *end, *nl;
	char				*resp;
	size_t				 size;
	unsigned int			 i;
	int				 allow, rv;

	if (len < 1)
		return (0);
	allow = in[0] & 1;
	size = sizes[(in[0] >> 1) & 3];
	memset(&req, 0, sizeof(req));
	p = (const char *)in + 1;
	end = (const char *)in + len;
	while (req.nheaders < FIELDS_MAX) {
		nl = memchr(p, '\n', end - p);
		add_field(&req, p, (nl != NULL ? nl : end) - p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if ((resp = malloc(size)) == NULL)
		abort();
	rv = ws_negotiate_deflate(&req, allow, &dp, resp, size);
	FUZZ_CHECK(rv == 0 || rv == -1);
	FUZZ_CHECK(memchr(resp, '\0', size) != NULL);
	if (!allow || !dp.enabled) {
		FUZZ_CHECK(!dp.enabled && resp[0] == '\0');
	} else {
		FUZZ_CHECK(dp.server_no_context_takeover == 1);
		FUZZ_CHECK(dp.client_no_context_takeover <= 1);
		FUZZ_CHECK(dp.server_max_window_bits >= 9 &&
		    dp.server_max_window_bits <= 15);
		FUZZ_CHECK(dp.client_max_window_bits >= 8 &&
		    dp.client_max_window_bits <= 15);
		if (size == sizes[3])
			check_answer(&dp, resp);
	}
	for (i = 0; i < req.nheaders; i++)
		free((char *)req.headers[i].value);
	free(resp);
	return (0);
}
