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
 * The HTTP/1.1 request head of a WebSocket opening handshake (RFC 9112,
 * RFC 6455 section 4.2.1). Everything works on a buffer: the reader looks
 * at each byte once as the head trickles in, the parser makes one pass
 * over the complete head and points into it.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "handshake.h"

/*
 * Feed the bytes buf[r->off..len). Returns the length of the head
 * (through the empty line) once it is complete, 0 while more is needed,
 * and -1 when the head would exceed max bytes.
 */
ssize_t
http_reader_feed(struct http_reader *r, const uint8_t *buf, size_t len,
    size_t max)
{
	for (; r->off < len; r->off++) {
		if (r->off >= max)
			return (-1);
		if (buf[r->off] != '\n') {
			r->cr = r->linelen == 0 && buf[r->off] == '\r';
			r->linelen++;
			continue;
		}
		/*
		 * An empty line ends the head. A bare LF ends it too, so
		 * that the parser can refuse it at once instead of waiting
		 * for a CRLF that never comes.
		 */
		if (r->linelen == 0 || (r->linelen == 1 && r->cr))
			return (++r->off);
		r->linelen = 0;
		r->cr = 0;
	}
	return (0);
}

static int
is_tchar(int c)
{
	if (isalnum(c))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* One line, without its CRLF; NULL when a bare CR or LF is found. */
static const char *
http_line(const char *p, const char *end, size_t *linelen)
{
	const char	*s;

	for (s = p; s < end; s++) {
		if (*s == '\r') {
			if (s + 1 >= end || s[1] != '\n')
				return (NULL);
			*linelen = s - p;
			return (s + 2);
		}
		if (*s == '\n')
			return (NULL);
	}
	return (NULL);
}

static int
http_request_line(const char *p, size_t len, struct http_request *req,
    const char **reason)
{
	const char	*sp1, *sp2, *end = p + len;

	for (sp1 = p; sp1 < end && is_tchar((unsigned char)*sp1); sp1++)
		;
	if (sp1 == p || sp1 >= end || *sp1 != ' ') {
		*reason = "malformed request line";
		return (400);
	}
	req->method = p;
	req->methodlen = sp1 - p;
	/* The target is visible ASCII, no spaces (RFC 9112 section 3.2). */
	for (sp2 = sp1 + 1; sp2 < end && *sp2 > 0x20 && *sp2 < 0x7f; sp2++)
		;
	if (sp2 == sp1 + 1 || sp2 >= end || *sp2 != ' ') {
		*reason = "malformed request target";
		return (400);
	}
	req->target = sp1 + 1;
	req->targetlen = sp2 - (sp1 + 1);
	p = sp2 + 1;
	if (end - p != 8 || strncmp(p, "HTTP/", 5) != 0 ||
	    !isdigit((unsigned char)p[5]) || p[6] != '.' ||
	    !isdigit((unsigned char)p[7])) {
		*reason = "malformed protocol version";
		return (400);
	}
	if (p[5] != '1') {
		*reason = "unsupported protocol version";
		return (505);
	}
	req->minor = p[7] - '0';
	return (0);
}

static int
http_header_line(const char *p, size_t len, struct http_request *req,
    const char **reason)
{
	struct http_header	*h;
	const char		*colon, *v, *ve, *end = p + len;

	if (len > 0 && (*p == ' ' || *p == '\t')) {
		*reason = "obsolete line folding";
		return (400);
	}
	for (colon = p; colon < end && is_tchar((unsigned char)*colon);
	    colon++)
		;
	if (colon == p || colon >= end || *colon != ':') {
		*reason = "malformed header field";
		return (400);
	}
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	for (ve = end; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
		;
	/* Bytes 0x80-0xff are obs-text, allowed (RFC 9110 section 5.5). */
	for (end = v; end < ve; end++)
		if (((unsigned char)*end < 0x20 && *end != '\t') ||
		    *end == 0x7f) {
			*reason = "control character in header value";
			return (400);
		}
	if (req->nheaders >= HTTP_MAXHEADERS) {
		*reason = "too many header fields";
		return (431);
	}
	h = &req->headers[req->nheaders++];
	h->name = p;
	h->namelen = colon - p;
	h->value = v;
	h->valuelen = ve - v;
	return (0);
}

/*
 * Parse a complete head as found by http_reader_feed. Returns 0, or the
 * HTTP status to answer with *reason saying why.
 */
int
http_parse_request(const char *buf, size_t len, struct http_request *req,
    const char **reason)
{
	const char	*p = buf, *next, *end = buf + len;
	size_t		 linelen;
	int		 status;

	memset(req, 0, sizeof(*req));
	if (memchr(buf, '\0', len) != NULL) {
		*reason = "NUL in request head";
		return (400);
	}
	if ((next = http_line(p, end, &linelen)) == NULL) {
		*reason = "bare CR or LF in request line";
		return (400);
	}
	if ((status = http_request_line(p, linelen, req, reason)) != 0)
		return (status);
	for (p = next; p < end; p = next) {
		if ((next = http_line(p, end, &linelen)) == NULL) {
			*reason = "bare CR or LF in header";
			return (400);
		}
		if (linelen == 0) {
			*reason = "bytes after the request head";
			return (next == end ? 0 : 400);
		}
		if ((status = http_header_line(p, linelen, req, reason)) != 0)
			return (status);
	}
	*reason = "head does not end with an empty line";
	return (400);
}

/* The first header named name after *index (start with 0). */
const struct http_header *
http_header_find(const struct http_request *req, const char *name,
    unsigned int *index)
{
	size_t		 len = strlen(name);
	unsigned int	 i;

	for (i = index ? *index : 0; i < req->nheaders; i++)
		if (req->headers[i].namelen == len &&
		    strncasecmp(req->headers[i].name, name, len) == 0) {
			if (index != NULL)
				*index = i + 1;
			return (&req->headers[i]);
		}
	return (NULL);
}

/* Whether a comma-separated list holds token, ignoring case. */
int
http_token_list_has(const char *v, size_t len, const char *token)
{
	const char	*end = v + len, *s, *e;
	size_t		 tlen = strlen(token);

	/* Past each comma; never past end, not even as a pointer. */
	for (s = v; s < end; s = e + (e < end)) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		for (e = s; e < end && *e != ','; e++)
			;
		len = e - s;
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == tlen && strncasecmp(s, token, tlen) == 0)
			return (1);
	}
	return (0);
}

/* Whether any field named name lists token: lists may be split. */
static int
http_fields_have(const struct http_request *req, const char *name,
    const char *token)
{
	const struct http_header	*h;
	unsigned int			 i = 0;

	while ((h = http_header_find(req, name, &i)) != NULL)
		if (http_token_list_has(h->value, h->valuelen, token))
			return (1);
	return (0);
}

static const struct http_header *
http_header_once(const struct http_request *req, const char *name,
    int *dup)
{
	const struct http_header	*h;
	unsigned int			 i = 0;

	h = http_header_find(req, name, &i);
	*dup = h != NULL && http_header_find(req, name, &i) != NULL;
	return (h);
}

static int
ws_refuse(struct ws_upgrade *up, int status, const char *reason,
    const char *extra)
{
	up->status = status;
	up->reason = reason;
	up->extra = extra;
	return (status);
}

/*
 * RFC 6455 section 4.2.1: what makes a GET an opening handshake. Returns
 * 101, or the status to refuse it with.
 */
int
ws_check_upgrade(const struct http_request *req, struct ws_upgrade *up)
{
	const struct http_header	*h;
	uint8_t				 raw[18];
	int				 dup, head;

	memset(up, 0, sizeof(*up));
	/* A HEAD goes on only to be found a plain one, for the console. */
	head = req->methodlen == 4 && strncmp(req->method, "HEAD", 4) == 0;
	if ((!head && (req->methodlen != 3 ||
	    strncmp(req->method, "GET", 3) != 0)) ||
	    (head && http_header_find(req, "Upgrade", NULL) != NULL))
		return (ws_refuse(up, 405, "method is not GET",
		    "Allow: GET"));
	if (req->minor != 1)
		return (ws_refuse(up, 505, "not HTTP/1.1", NULL));
	if ((h = http_header_once(req, "Host", &dup)) == NULL || dup ||
	    h->valuelen == 0)
		return (ws_refuse(up, 400, dup ? "duplicate Host" :
		    "missing Host", NULL));
	if (http_header_find(req, "Upgrade", NULL) == NULL) {
		up->plain_get = 1;	/* a health check, perhaps */
		up->head = head;
		if (head)
			return (ws_refuse(up, 405, "method is not GET",
			    "Allow: GET"));
		return (ws_refuse(up, 426, "not an upgrade request",
		    "Upgrade: websocket"));
	}
	if (!http_fields_have(req, "Upgrade", "websocket"))
		return (ws_refuse(up, 400, "Upgrade is not websocket", NULL));
	if (!http_fields_have(req, "Connection", "upgrade"))
		return (ws_refuse(up, 400, "Connection lacks upgrade", NULL));
	if ((h = http_header_once(req, "Sec-WebSocket-Version", &dup)) ==
	    NULL || dup)
		return (ws_refuse(up, 400, dup ?
		    "duplicate Sec-WebSocket-Version" :
		    "missing Sec-WebSocket-Version", NULL));
	if (h->valuelen != 2 || strncmp(h->value, "13", 2) != 0)
		return (ws_refuse(up, 426, "unsupported WebSocket version",
		    "Sec-WebSocket-Version: 13"));
	if ((h = http_header_once(req, "Sec-WebSocket-Key", &dup)) == NULL ||
	    dup || h->valuelen != WS_KEY_LEN ||
	    base64_decode(h->value, h->valuelen, raw, sizeof(raw)) != 16)
		return (ws_refuse(up, 400, "bad Sec-WebSocket-Key", NULL));
	memcpy(up->key, h->value, WS_KEY_LEN);
	up->key[WS_KEY_LEN] = '\0';
	up->status = 101;
	return (101);
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 101:	return ("Switching Protocols");
	case 400:	return ("Bad Request");
	case 401:	return ("Unauthorized");
	case 403:	return ("Forbidden");
	case 404:	return ("Not Found");
	case 405:	return ("Method Not Allowed");
	case 408:	return ("Request Timeout");
	case 421:	return ("Misdirected Request");
	case 426:	return ("Upgrade Required");
	case 429:	return ("Too Many Requests");
	case 431:	return ("Request Header Fields Too Large");
	case 500:	return ("Internal Server Error");
	case 503:	return ("Service Unavailable");
	case 505:	return ("HTTP Version Not Supported");
	default:	return ("Error");
	}
}

/* A short error answer that closes the connection. */
int
http_response(char *buf, size_t size, int status, const char *extra)
{
	int	 n;

	n = snprintf(buf, size, "HTTP/1.1 %d %s\r\nConnection: close\r\n"
	    "Content-Length: 0\r\n%s%s\r\n", status, http_status_text(status),
	    extra ? extra : "", extra ? "\r\n" : "");
	return (n < 0 || (size_t)n >= size ? -1 : n);
}
