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
 * The request head reader, the parser and the opening handshake checks
 * (RFC 9112, RFC 6455 section 4.2.1), and the error responses.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../handshake/handshake.h"

#define KEY		"dGhlIHNhbXBsZSBub25jZQ=="
#define GET		"GET /chat HTTP/1.1\r\n"
#define HOST		"Host: example.com\r\n"
#define UPGRADE		"Upgrade: websocket\r\n"
#define CONNECTION	"Connection: Upgrade\r\n"
#define VERSION		"Sec-WebSocket-Version: 13\r\n"
#define WSKEY		"Sec-WebSocket-Key: " KEY "\r\n"
#define VALID		GET HOST UPGRADE CONNECTION VERSION WSKEY "\r\n"

/* What the reader should make of a buffer. */
enum outcome { HEAD, MORE, LIMIT };

struct reader_case {
	const char	*head;
	const char	*tail;		/* bytes after the head */
	size_t		 max;
	enum outcome	 outcome;
};

struct upgrade_case {
	const char	*what;
	const char	*head;
	int		 status;
	const char	*extra;
};

struct token_case {
	const char	*list;
	const char	*token;
	int		 found;
};

static char	*concat(const char *, const char *, size_t *);
static ssize_t	 feed_once(const uint8_t *, size_t, size_t);
static int	 handshake(const char *, size_t, struct ws_upgrade *,
		    const char **);
static void	 check_upgrade(const struct upgrade_case *);
static char	*many_headers(unsigned int, size_t *);

static const struct reader_case reader_cases[] = {
	{ VALID, "", 8192, HEAD },
	/* a client frame sent right behind the head */
	{ VALID, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 8192, HEAD },
	/* a second request pipelined behind the first */
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
	    8192, HEAD },
	{ "GET / HTTP/1.1\nHost: a\n\n", "", 8192, HEAD },
	{ "GET / HTTP/1.1\r\nHost: a\r\n\n", "", 8192, HEAD },
	{ "GET / HTTP/1.1\nHost: a\n\r\n", "", 8192, HEAD },
	{ "\r\n", "", 8192, HEAD },
	{ "\n", "junk", 8192, HEAD },
	{ "GET / HTTP/1.1\r\nHost: a\r\n", "", 8192, MORE },
	/* a one-byte line is not an empty one */
	{ "GET / HTTP/1.1\nX\n", "", 8192, MORE },
	{ "GET / HTTP/1.1\r\nX\n\r\n", "", 8192, HEAD },
	/* CR not alone on its line does not end the head */
	{ "GET / HTTP/1.1\r\nX: \r\r\n", "", 8192, MORE },
	{ "GET / HTTP/1.1\r\nX:\r\r\n\r\n", "", 8192, HEAD },
	{ "GET / HTTP/1.1\r\n\r", "", 8192, MORE },
	/* a head of exactly max bytes fits, one byte more does not */
	{ "GET / HTTP/1.1\r\n\r\n", "", 18, HEAD },
	{ "GET / HTTP/1.1\r\n\r\n", "", 17, LIMIT },
	{ VALID, "", 16, LIMIT },
	{ "GET / HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaa", "", 16, LIMIT },
};

static const struct upgrade_case upgrade_cases[] = {
	{ "valid", VALID, 101, NULL },
	{ "keep-alive, Upgrade",
	    GET HOST UPGRADE "Connection: keep-alive, Upgrade\r\n" VERSION
	    WSKEY "\r\n", 101, NULL },
	{ "Connection split over two lines",
	    GET HOST UPGRADE "Connection: keep-alive\r\n"
	    "Connection: Upgrade\r\n" VERSION WSKEY "\r\n", 101, NULL },
	{ "names in any case",
	    GET "host: example.com\r\nUPGRADE: WebSocket\r\n"
	    "connection: upgrade\r\nsec-websocket-version: 13\r\n"
	    "SEC-WEBSOCKET-KEY: " KEY "\r\n\r\n", 101, NULL },
	{ "OWS around values",
	    GET "Host:example.com \t\r\nUpgrade:\twebsocket\r\n"
	    "Connection:  Upgrade  \r\nSec-WebSocket-Version: 13 \r\n"
	    "Sec-WebSocket-Key:   " KEY "\t\r\n\r\n", 101, NULL },
	{ "other headers with tab in the value",
	    GET HOST "User-Agent: a\tb\r\n" UPGRADE CONNECTION VERSION
	    WSKEY "\r\n", 101, NULL },
	{ "POST", "POST /chat HTTP/1.1\r\n" HOST UPGRADE CONNECTION VERSION
	    WSKEY "\r\n", 405, "Allow: GET" },
	{ "lower case get", "get /chat HTTP/1.1\r\n" HOST UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 405, "Allow: GET" },
	{ "HTTP/1.0", "GET /chat HTTP/1.0\r\n" HOST UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 505, NULL },
	{ "HTTP/2.0", "GET /chat HTTP/2.0\r\n" HOST UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 505, NULL },
	{ "HTTP/2.1", "GET /chat HTTP/2.1\r\n" HOST UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 505, NULL },
	{ "HTTP/0.9", "GET /chat HTTP/0.9\r\n" HOST UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 505, NULL },
	{ "HTTP/1.x", "GET /chat HTTP/1.x\r\n" HOST "\r\n", 400, NULL },
	{ "HTTP/11.1", "GET /chat HTTP/11.1\r\n" HOST "\r\n", 400, NULL },
	{ "http/1.1", "GET /chat http/1.1\r\n" HOST "\r\n", 400, NULL },
	{ "no version", "GET /chat\r\n" HOST "\r\n", 400, NULL },
	{ "two spaces", "GET  /chat HTTP/1.1\r\n" HOST "\r\n", 400, NULL },
	{ "space in method", "G T /chat HTTP/1.1\r\n" HOST "\r\n", 400,
	    NULL },
	{ "control character in target", "GET /c\x01hat HTTP/1.1\r\n"
	    HOST "\r\n", 400, NULL },
	{ "missing Host", GET UPGRADE CONNECTION VERSION WSKEY "\r\n", 400,
	    NULL },
	{ "empty Host", GET "Host:\r\n" UPGRADE CONNECTION VERSION WSKEY
	    "\r\n", 400, NULL },
	{ "duplicate Host", GET HOST UPGRADE CONNECTION "Host: other\r\n"
	    VERSION WSKEY "\r\n", 400, NULL },
	{ "no Upgrade", GET HOST CONNECTION VERSION WSKEY "\r\n", 426,
	    "Upgrade: websocket" },
	{ "Upgrade: h2c", GET HOST "Upgrade: h2c\r\n" CONNECTION VERSION
	    WSKEY "\r\n", 400, NULL },
	{ "no Connection", GET HOST UPGRADE VERSION WSKEY "\r\n", 400, NULL },
	{ "Connection: keep-alive", GET HOST UPGRADE
	    "Connection: keep-alive\r\n" VERSION WSKEY "\r\n", 400, NULL },
	{ "Connection: upgraded", GET HOST UPGRADE
	    "Connection: upgraded\r\n" VERSION WSKEY "\r\n", 400, NULL },
	{ "version 8", GET HOST UPGRADE CONNECTION
	    "Sec-WebSocket-Version: 8\r\n" WSKEY "\r\n", 426,
	    "Sec-WebSocket-Version: 13" },
	{ "version 130", GET HOST UPGRADE CONNECTION
	    "Sec-WebSocket-Version: 130\r\n" WSKEY "\r\n", 426,
	    "Sec-WebSocket-Version: 13" },
	{ "missing version", GET HOST UPGRADE CONNECTION WSKEY "\r\n", 400,
	    NULL },
	{ "duplicate version", GET HOST UPGRADE CONNECTION VERSION VERSION
	    WSKEY "\r\n", 400, NULL },
	{ "missing key", GET HOST UPGRADE CONNECTION VERSION "\r\n", 400,
	    NULL },
	{ "short key", GET HOST UPGRADE CONNECTION VERSION
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n\r\n", 400, NULL },
	{ "long key", GET HOST UPGRADE CONNECTION VERSION
	    "Sec-WebSocket-Key: " KEY "AAAA\r\n\r\n", 400, NULL },
	{ "key not base64", GET HOST UPGRADE CONNECTION VERSION
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ!==\r\n\r\n", 400, NULL },
	{ "key of 18 bytes", GET HOST UPGRADE CONNECTION VERSION
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQAA\r\n\r\n", 400, NULL },
	{ "duplicate key", GET HOST UPGRADE CONNECTION VERSION WSKEY WSKEY
	    "\r\n", 400, NULL },
	{ "obs-fold", GET HOST " folded\r\n" UPGRADE CONNECTION VERSION WSKEY
	    "\r\n", 400, NULL },
	{ "obs-fold with tab", GET HOST UPGRADE "\tx\r\n" CONNECTION VERSION
	    WSKEY "\r\n", 400, NULL },
	{ "space before colon", GET "Host : example.com\r\n" UPGRADE
	    CONNECTION VERSION WSKEY "\r\n", 400, NULL },
	{ "no colon", GET HOST "Foo\r\n" UPGRADE CONNECTION VERSION WSKEY
	    "\r\n", 400, NULL },
	{ "empty name", GET HOST ": x\r\n" UPGRADE CONNECTION VERSION WSKEY
	    "\r\n", 400, NULL },
	{ "bare CR in a value", GET "Host: a\rb\r\n" UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 400, NULL },
	{ "bare CR in the request line", "GET /chat\r HTTP/1.1\r\n" HOST
	    "\r\n", 400, NULL },
	{ "bare LF ends a line", GET "Host: a\n" UPGRADE CONNECTION VERSION
	    WSKEY "\r\n", 400, NULL },
	{ "bare LF ends the head", GET HOST UPGRADE CONNECTION VERSION WSKEY
	    "\n", 400, NULL },
	{ "control character in a value", GET HOST "X-A: a\001b\r\n" UPGRADE
	    CONNECTION VERSION WSKEY "\r\n", 400, NULL },
	{ "DEL in a value", GET HOST "X-A: a\177b\r\n" UPGRADE CONNECTION
	    VERSION WSKEY "\r\n", 400, NULL },
	{ "ESC in the key", GET HOST UPGRADE CONNECTION VERSION
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\033Q==\r\n\r\n", 400,
	    NULL },
	{ "no empty line", GET HOST UPGRADE CONNECTION VERSION WSKEY, 400,
	    NULL },
};

static const struct token_case token_cases[] = {
	{ "Upgrade", "upgrade", 1 },
	{ "upgrade", "Upgrade", 1 },
	{ "keep-alive, Upgrade", "upgrade", 1 },
	{ "keep-alive,Upgrade", "upgrade", 1 },
	{ "Upgrade, keep-alive", "upgrade", 1 },
	{ " \tUpgrade\t ", "upgrade", 1 },
	{ "keep-alive ,\t upgrade \t, close", "upgrade", 1 },
	{ ",, ,\t,Upgrade,", "upgrade", 1 },
	{ "Upgrade,,", "upgrade", 1 },
	{ "", "upgrade", 0 },
	{ ",", "upgrade", 0 },
	{ " , ,\t, ", "upgrade", 0 },
	{ "keep-alive", "upgrade", 0 },
	{ "Upgrades", "upgrade", 0 },
	{ "Upgrad", "upgrade", 0 },
	{ "xUpgrade", "upgrade", 0 },
	{ "Up grade", "upgrade", 0 },
	{ "keep-alive Upgrade", "upgrade", 0 },
	{ "Upgrade;q=1", "upgrade", 0 },
};

static char *
concat(const char *a, const char *b, size_t *lenp)
{
	size_t	 alen = strlen(a), blen = strlen(b);
	char	*p;

	ATF_REQUIRE((p = malloc(alen + blen + 1)) != NULL);
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen + 1);
	*lenp = alen + blen;
	return (p);
}

static ssize_t
feed_once(const uint8_t *buf, size_t len, size_t max)
{
	struct http_reader	 r;

	memset(&r, 0, sizeof(r));
	return (http_reader_feed(&r, buf, len, max));
}

/* Parse and check a head; the status either step answers with. */
static int
handshake(const char *head, size_t len, struct ws_upgrade *up,
    const char **reason)
{
	struct http_request	 req;
	char			*copy;
	int			 status;

	/* An exact copy, so that ASan sees any read past the head. */
	ATF_REQUIRE((copy = malloc(len ? len : 1)) != NULL);
	memcpy(copy, head, len);
	*reason = NULL;
	memset(up, 0, sizeof(*up));
	status = http_parse_request(copy, len, &req, reason);
	if (status == 0) {
		status = ws_check_upgrade(&req, up);
		*reason = up->reason;
		ATF_CHECK_EQ(status, up->status);
	}
	free(copy);
	return (status);
}

static void
check_upgrade(const struct upgrade_case *c)
{
	struct ws_upgrade	 up;
	const char		*reason;
	int			 status;

	status = handshake(c->head, strlen(c->head), &up, &reason);
	ATF_CHECK_EQ_MSG(c->status, status, "%s: got %d (%s)", c->what,
	    status, reason ? reason : "no reason");
	if (status != c->status)
		return;
	if (status == 101) {
		ATF_CHECK_STREQ_MSG(KEY, up.key, "%s", c->what);
		ATF_CHECK_MSG(up.extra == NULL, "%s: extra header", c->what);
		return;
	}
	ATF_CHECK_MSG(reason != NULL, "%s: no reason given", c->what);
	if (c->extra == NULL)
		ATF_CHECK_MSG(up.extra == NULL, "%s: extra \"%s\"", c->what,
		    up.extra);
	else if (up.extra == NULL)
		ATF_CHECK_MSG(0, "%s: no extra header", c->what);
	else
		ATF_CHECK_STREQ_MSG(c->extra, up.extra, "%s", c->what);
}

/* A valid upgrade request with n header fields in all. */
static char *
many_headers(unsigned int n, size_t *lenp)
{
	const char	 base[] = GET HOST UPGRADE CONNECTION VERSION WSKEY;
	size_t		 size = sizeof(base) + n * 16 + 3, off;
	unsigned int	 i;
	char		*p;

	ATF_REQUIRE(n >= 5);
	ATF_REQUIRE((p = malloc(size)) != NULL);
	off = strlcpy(p, base, size);
	for (i = 5; i < n; i++)
		off += snprintf(p + off, size - off, "X-H%u: v\r\n", i);
	off += strlcpy(p + off, "\r\n", size - off);
	ATF_REQUIRE(off < size);
	*lenp = off;
	return (p);
}

ATF_TC_WITHOUT_HEAD(reader_all_at_once);
ATF_TC_BODY(reader_all_at_once, tc)
{
	const struct reader_case	*c;
	size_t				 i, len;
	ssize_t				 want;
	char				*buf;

	for (i = 0; i < sizeof(reader_cases) / sizeof(reader_cases[0]);
	    i++) {
		c = &reader_cases[i];
		buf = concat(c->head, c->tail, &len);
		want = c->outcome == HEAD ? (ssize_t)strlen(c->head) :
		    c->outcome == MORE ? 0 : -1;
		ATF_CHECK_EQ_MSG(want, feed_once((uint8_t *)buf, len, c->max),
		    "case %zu", i);
		free(buf);
	}
}

/*
 * Growing prefixes of one buffer through one reader: nothing until the
 * head is complete, then the same answer as all at once.
 */
ATF_TC_WITHOUT_HEAD(reader_byte_by_byte);
ATF_TC_BODY(reader_byte_by_byte, tc)
{
	const struct reader_case	*c;
	struct http_reader		 r;
	size_t				 i, n, len;
	ssize_t				 got, want;
	char				*buf;

	for (i = 0; i < sizeof(reader_cases) / sizeof(reader_cases[0]);
	    i++) {
		c = &reader_cases[i];
		buf = concat(c->head, c->tail, &len);
		want = feed_once((uint8_t *)buf, len, c->max);
		memset(&r, 0, sizeof(r));
		for (n = 0, got = 0; n <= len && got == 0; n++) {
			got = http_reader_feed(&r, (uint8_t *)buf, n, c->max);
			if (got == 0)
				continue;
			if (c->outcome == HEAD)
				ATF_CHECK_EQ_MSG(strlen(c->head), n,
				    "case %zu: early answer", i);
			else
				ATF_CHECK_EQ_MSG(c->max + 1, n,
				    "case %zu: limit at %zu", i, n);
		}
		ATF_CHECK_EQ_MSG(want, got, "case %zu", i);
		free(buf);
	}
}

/* The reader keeps its place: a byte already looked at is not seen again. */
ATF_TC_WITHOUT_HEAD(reader_resumes);
ATF_TC_BODY(reader_resumes, tc)
{
	struct http_reader	 r;
	const char		 head[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t			 len = sizeof(head) - 1;

	memset(&r, 0, sizeof(r));
	ATF_CHECK_EQ(0, http_reader_feed(&r, (const uint8_t *)head,
	    len - 1, 1024));
	ATF_CHECK_EQ(len - 1, r.off);
	ATF_CHECK_EQ(0, http_reader_feed(&r, (const uint8_t *)head,
	    len - 1, 1024));
	ATF_CHECK_EQ((ssize_t)len, http_reader_feed(&r,
	    (const uint8_t *)head, len, 1024));
}

ATF_TC_WITHOUT_HEAD(parse_request);
ATF_TC_BODY(parse_request, tc)
{
	const char		 head[] = "GET /chat?x=1 HTTP/1.1\r\n"
				    "Host:  example.com \t\r\nX-Empty:\r\n\r\n";
	struct http_request	 req;
	const struct http_header *h;
	const char		*reason = NULL;
	unsigned int		 i = 0;

	ATF_REQUIRE_EQ(0, http_parse_request(head, sizeof(head) - 1, &req,
	    &reason));
	ATF_CHECK(req.methodlen == 3 && memcmp(req.method, "GET", 3) == 0);
	ATF_CHECK(req.targetlen == 9 &&
	    memcmp(req.target, "/chat?x=1", 9) == 0);
	ATF_CHECK_EQ(1, req.minor);
	ATF_CHECK_EQ(2, req.nheaders);
	ATF_REQUIRE((h = http_header_find(&req, "HOST", &i)) != NULL);
	ATF_CHECK_EQ(1, i);
	ATF_CHECK(h->valuelen == 11 && memcmp(h->value, "example.com",
	    11) == 0);
	ATF_REQUIRE((h = http_header_find(&req, "x-empty", NULL)) != NULL);
	ATF_CHECK_EQ(0, h->valuelen);
	ATF_CHECK(http_header_find(&req, "Host", &i) == NULL);
	ATF_CHECK(http_header_find(&req, "Hos", NULL) == NULL);
}

ATF_TC_WITHOUT_HEAD(upgrade_checks);
ATF_TC_BODY(upgrade_checks, tc)
{
	size_t	 i;

	for (i = 0; i < sizeof(upgrade_cases) / sizeof(upgrade_cases[0]);
	    i++)
		check_upgrade(&upgrade_cases[i]);
}

/* RFC 9110 section 5.5 allows obs-text (0x80-0xff) in field values. */
ATF_TC_WITHOUT_HEAD(obs_text_value);
ATF_TC_BODY(obs_text_value, tc)
{
	struct http_request	 req;
	const char		 head[] = "GET / HTTP/1.1\r\n"
				    "User-Agent: caf\xc3\xa9 \x80\xff\r\n\r\n";
	const char		*reason = "";
	int			 status;

	status = http_parse_request(head, sizeof(head) - 1, &req, &reason);
	ATF_CHECK_EQ_MSG(0, status, "refused with %d: %s", status, reason);
}

ATF_TC_WITHOUT_HEAD(nul_in_head);
ATF_TC_BODY(nul_in_head, tc)
{
	const char		 head[] = GET "X-A: a\0b\r\n" HOST UPGRADE
				    CONNECTION VERSION WSKEY "\r\n";
	struct ws_upgrade	 up;
	const char		*reason;

	ATF_CHECK_EQ(400, handshake(head, sizeof(head) - 1, &up, &reason));
	ATF_CHECK(reason != NULL);
	/* the same head without its NUL is good */
	ATF_CHECK_EQ(101, handshake(VALID, strlen(VALID), &up, &reason));
}

/* Bytes past the empty line: refused, and with a reason for the log. */
ATF_TC_WITHOUT_HEAD(bytes_after_head);
ATF_TC_BODY(bytes_after_head, tc)
{
	const char		 head[] = VALID "GET / HTTP/1.1\r\n\r\n";
	struct http_request	 req;
	const char		*reason = NULL;

	ATF_CHECK_EQ(400, http_parse_request(head, sizeof(head) - 1, &req,
	    &reason));
	ATF_CHECK_MSG(reason != NULL, "400 without a reason");
}

ATF_TC_WITHOUT_HEAD(header_count);
ATF_TC_BODY(header_count, tc)
{
	struct http_request	 req;
	struct ws_upgrade	 up;
	const char		*reason;
	char			*head;
	size_t			 len;

	head = many_headers(HTTP_MAXHEADERS, &len);
	ATF_CHECK_EQ(0, http_parse_request(head, len, &req, &reason));
	ATF_CHECK_EQ(HTTP_MAXHEADERS, req.nheaders);
	ATF_CHECK_EQ(101, handshake(head, len, &up, &reason));
	free(head);
	head = many_headers(HTTP_MAXHEADERS + 1, &len);
	ATF_CHECK_EQ(431, handshake(head, len, &up, &reason));
	ATF_CHECK(reason != NULL);
	free(head);
}

ATF_TC_WITHOUT_HEAD(token_list);
ATF_TC_BODY(token_list, tc)
{
	const struct token_case	*c;
	size_t			 i;

	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		c = &token_cases[i];
		ATF_CHECK_EQ_MSG(c->found, http_token_list_has(c->list,
		    strlen(c->list), c->token), "\"%s\" has \"%s\"", c->list,
		    c->token);
	}
	/* only len bytes count */
	ATF_CHECK_EQ(0, http_token_list_has("Upgrade", 6, "upgrade"));
	ATF_CHECK_EQ(1, http_token_list_has("a, Upgrade, b", 10, "upgrade"));
	ATF_CHECK_EQ(0, http_token_list_has("a, Upgrade, b", 9, "upgrade"));
}

/* Every status wsd answers with has its reason phrase (RFC 9110). */
ATF_TC_WITHOUT_HEAD(status_texts);
ATF_TC_BODY(status_texts, tc)
{
	static const struct {
		int		 status;
		const char	*text;
	} texts[] = {
		{ 101, "Switching Protocols" }, { 400, "Bad Request" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 421, "Misdirected Request" },
		{ 426, "Upgrade Required" }, { 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 503, "Service Unavailable" },
		{ 505, "HTTP Version Not Supported" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		ATF_CHECK_STREQ_MSG(http_status_text(texts[i].status),
		    texts[i].text, "%d", texts[i].status);
}

ATF_TC_WITHOUT_HEAD(response);
ATF_TC_BODY(response, tc)
{
	const char	 r405[] = "HTTP/1.1 405 Method Not Allowed\r\n"
			    "Connection: close\r\nContent-Length: 0\r\n"
			    "Allow: GET\r\n\r\n";
	const char	 r400[] = "HTTP/1.1 400 Bad Request\r\n"
			    "Connection: close\r\nContent-Length: 0\r\n\r\n";
	char		 buf[256];

	memset(buf, 'X', sizeof(buf));
	ATF_CHECK_EQ((int)sizeof(r405) - 1, http_response(buf, sizeof(buf),
	    405, "Allow: GET"));
	ATF_CHECK_MSG(memcmp(buf, r405, sizeof(r405)) == 0, "got \"%s\"",
	    buf);
	ATF_CHECK_EQ((int)sizeof(r400) - 1, http_response(buf, sizeof(buf),
	    400, NULL));
	ATF_CHECK_MSG(memcmp(buf, r400, sizeof(r400)) == 0, "got \"%s\"",
	    buf);
	/* exactly enough room, and one byte too little */
	ATF_CHECK_EQ((int)sizeof(r405) - 1, http_response(buf, sizeof(r405),
	    405, "Allow: GET"));
	ATF_CHECK_EQ(-1, http_response(buf, sizeof(r405) - 1, 405,
	    "Allow: GET"));
	ATF_CHECK_STREQ("Upgrade Required", http_status_text(426));
	ATF_CHECK_STREQ("Request Header Fields Too Large",
	    http_status_text(431));
	ATF_CHECK_STREQ("HTTP Version Not Supported", http_status_text(505));
	ATF_CHECK_STREQ("Error", http_status_text(299));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, reader_all_at_once);
	ATF_TP_ADD_TC(tp, reader_byte_by_byte);
	ATF_TP_ADD_TC(tp, reader_resumes);
	ATF_TP_ADD_TC(tp, parse_request);
	ATF_TP_ADD_TC(tp, upgrade_checks);
	ATF_TP_ADD_TC(tp, obs_text_value);
	ATF_TP_ADD_TC(tp, nul_in_head);
	ATF_TP_ADD_TC(tp, bytes_after_head);
	ATF_TP_ADD_TC(tp, header_count);
	ATF_TP_ADD_TC(tp, token_list);
	ATF_TP_ADD_TC(tp, status_texts);
	ATF_TP_ADD_TC(tp, response);
	return (atf_no_error());
}
