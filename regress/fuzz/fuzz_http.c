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
 * The request head (handshake/http.c) on hostile bytes: the reader
 * finds the same end however the bytes trickle in, and never past its
 * limit; a head that parses is a request line and fields that lie in
 * it and obey the grammar; the upgrade check, the accept key and the
 * error answers hold their promises. The first byte chooses the limit.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "../../handshake/handshake.h"

static const size_t	 limits[8] = {
	1, 16, 64, 256, 1024, 8192, 65536, SIZE_MAX
};

static int	 inside(const char *, size_t, const char *, size_t);
static int	 tchars(const char *, size_t);
static ssize_t	 read_head(const uint8_t *, size_t, size_t,
		    struct fuzz_rng *);
static void	 check_request(const char *, size_t,
		    const struct http_request *);
static void	 check_upgrade(const struct http_request *);
static char	*copy(const uint8_t *, size_t);

/* Whether [s, s + n) lies in [buf, buf + len). */
static int
inside(const char *buf, size_t len, const char *s, size_t n)
{
	return (s >= buf && s <= buf + len && n <= (size_t)(buf + len - s));
}

static int
tchars(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return (0);
	return (n > 0);
}

/* The reader, given one more piece at a time as a socket would. */
static ssize_t
read_head(const uint8_t *p, size_t len, size_t max, struct fuzz_rng *rng)
{
	struct http_reader	 r;
	ssize_t			 head = 0;
	size_t			 end = 0;

	memset(&r, 0, sizeof(r));
	do {
		end += rng == NULL ? len : 1 + fuzz_rand(rng, 64);
		if (end > len)
			end = len;
		head = http_reader_feed(&r, p, end, max);
		FUZZ_CHECK(head == -1 || (size_t)head <= end);
		FUZZ_CHECK(r.off <= end);
	} while (head == 0 && end < len);
	return (head);
}

static void
check_request(const char *buf, size_t len, const struct http_request *req)
{
	const struct http_header	*h;
	unsigned int			 i;
	size_t				 k;

	FUZZ_CHECK(len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0);
	FUZZ_CHECK(req->method == buf && tchars(req->method,
	    req->methodlen));
	FUZZ_CHECK(inside(buf, len, req->target, req->targetlen) &&
	    req->targetlen > 0);
	for (k = 0; k < req->targetlen; k++)
		FUZZ_CHECK(req->target[k] > 0x20 && req->target[k] < 0x7f);
	FUZZ_CHECK(req->minor >= 0 && req->minor <= 9);
	FUZZ_CHECK(req->nheaders <= HTTP_MAXHEADERS);
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		FUZZ_CHECK(inside(buf, len, h->name, h->namelen));
		FUZZ_CHECK(inside(buf, len, h->value, h->valuelen));
		FUZZ_CHECK(tchars(h->name, h->namelen));
		FUZZ_CHECK(h->name + h->namelen < h->value ||
		    (h->valuelen == 0 && h->name + h->namelen <= h->value));
		FUZZ_CHECK(h->name[h->namelen] == ':');
		for (k = 0; k < h->valuelen; k++)
			FUZZ_CHECK((unsigned char)h->value[k] >= 0x20 ?
			    h->value[k] != 0x7f : h->value[k] == '\t');
		if (h->valuelen > 0) {
			FUZZ_CHECK(h->value[0] != ' ' && h->value[0] != '\t');
			FUZZ_CHECK(h->value[h->valuelen - 1] != ' ' &&
			    h->value[h->valuelen - 1] != '\t');
		}
	}
}

static void
check_upgrade(const struct http_request *req)
{
	const struct http_header	*h;
	struct ws_upgrade		 up;
	char				 accept[WS_ACCEPT_LEN + 1];
	uint8_t				 raw[WS_KEY_LEN];
	unsigned int			 i = 0, n = 0;
	int				 status;

	status = ws_check_upgrade(req, &up);
	FUZZ_CHECK(status == up.status);
	FUZZ_CHECK(up.plain_get == 0 || status == 426);
	if (status != 101) {
		FUZZ_CHECK(status == 400 || status == 405 || status == 426 ||
		    status == 505);
		FUZZ_CHECK(up.reason != NULL);
		return;
	}
	FUZZ_CHECK(req->methodlen == 3 && memcmp(req->method, "GET", 3) == 0);
	FUZZ_CHECK(strlen(up.key) == WS_KEY_LEN);
	FUZZ_CHECK(base64_decode(up.key, WS_KEY_LEN, raw, sizeof(raw)) == 16);
	while ((h = http_header_find(req, "host", &i)) != NULL) {
		FUZZ_CHECK(h->namelen == 4 &&
		    strncasecmp(h->name, "Host", 4) == 0);
		FUZZ_CHECK(h->valuelen > 0);
		n++;
	}
	FUZZ_CHECK(n == 1);
	ws_accept_key(up.key, accept);
	FUZZ_CHECK(strlen(accept) == WS_ACCEPT_LEN &&
	    accept[WS_ACCEPT_LEN - 1] == '=');
}

/* An exact copy, so that ASan sees a read past the end. */
static char *
copy(const uint8_t *p, size_t len)
{
	char	*s;

	if ((s = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(s, p, len);
	return (s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct http_request	 req;
	struct fuzz_rng		 rng;
	const char		*reason;
	char			*head, resp[256];
	ssize_t			 whole, cut;
	size_t			 max, size;
	int			 status, n;

	if (len < 1)
		return (0);
	fuzz_seed(&rng, in, len);
	max = limits[in[0] & 7];
	in++;
	len--;

	whole = read_head(in, len, max, NULL);
	cut = read_head(in, len, max, &rng);
	FUZZ_CHECK(whole == cut);
	FUZZ_CHECK(whole <= 0 || ((size_t)whole <= max &&
	    in[whole - 1] == '\n'));

	/* Whatever the reader said, the parser takes any length. */
	head = copy(in, len);
	reason = NULL;
	if ((status = http_parse_request(head, len, &req, &reason)) == 0)
		check_request(head, len, &req);
	else
		FUZZ_CHECK((status == 400 || status == 431 || status == 505) &&
		    reason != NULL);
	free(head);
	if (whole <= 0)
		return (0);

	head = copy(in, whole);
	reason = NULL;
	status = http_parse_request(head, whole, &req, &reason);
	FUZZ_CHECK(status == 0 || reason != NULL);
	if (status == 0) {
		check_request(head, whole, &req);
		check_upgrade(&req);
		status = 101;
	}
	size = fuzz_rand(&rng, sizeof(resp) + 1);
	n = http_response(resp, size, status, fuzz_rand(&rng, 2) ?
	    "Upgrade: websocket" : NULL);
	FUZZ_CHECK(n == -1 || ((size_t)n < size && strlen(resp) == (size_t)n));
	free(head);
	return (0);
}
