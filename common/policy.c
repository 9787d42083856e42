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
 * Host and Origin as RFC 6454 and RFC 9110 write them, request paths
 * and token lists: parsers and comparisons on buffers, without state.
 *
 * Hosts are strict: letters, digits, '-' and '.' with no empty label, or
 * an IPv6 literal in brackets (kept in inet_ntop(3)'s canonical form so
 * that two spellings of one address compare equal). Names compare
 * without regard to case; nothing is percent-decoded.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "policy.h"

/* Names held in place, not pointed to: the table stays in .rodata. */
static const struct {
	char		 name[sizeof("https")];
	uint8_t		 scheme;
	uint16_t	 port;
} schemes[] = {
	{ "http",	ORIGIN_HTTP,	80 },
	{ "https",	ORIGIN_HTTPS,	443 },
	{ "ws",		ORIGIN_WS,	80 },
	{ "wss",	ORIGIN_WSS,	443 },
};

/* A bracketed IPv6 literal, from just after '[' to just before ']'. */
static int
host_v6(const char *p, size_t len, char *out)
{
	struct in6_addr	 a;
	char		 tmp[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(tmp))
		return (-1);
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1 ||
	    inet_ntop(AF_INET6, &a, out, POLICY_HOST_MAX + 1) == NULL)
		return (-1);
	return (0);
}

/* A name: labels of letters, digits and '-', separated by single dots. */
static int
host_reg(const char *p, size_t len, char *out)
{
	size_t	 i;

	if (len == 0 || len > POLICY_HOST_MAX || p[0] == '.' ||
	    p[len - 1] == '.')
		return (-1);
	for (i = 0; i < len; i++) {
		if (p[i] == '.' && p[i + 1] == '.')
			return (-1);
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' &&
		    p[i] != '.')
			return (-1);
		out[i] = tolower((unsigned char)p[i]);
	}
	out[len] = '\0';
	return (0);
}

/*
 * host [":" port] from p to end into out; returns 0 or -1. A port is
 * 1-65535 in at most five digits; *port is 0 when there is none.
 */
static int
hostport_parse(const char *p, const char *end, char *out, uint8_t *v6,
    uint16_t *port)
{
	const char	*e;
	unsigned int	 n = 0;

	*v6 = p < end && *p == '[';
	if (*v6) {
		if ((e = memchr(p, ']', end - p)) == NULL ||
		    host_v6(p + 1, e - p - 1, out) == -1)
			return (-1);
		e++;
	} else {
		for (e = p; e < end && *e != ':'; e++)
			;
		if (host_reg(p, e - p, out) == -1)
			return (-1);
	}
	*port = 0;
	if (e == end)
		return (0);
	if (*e++ != ':' || e == end || end - e > 5)
		return (-1);
	for (; e < end; e++) {
		if (!isdigit((unsigned char)*e))
			return (-1);
		n = n * 10 + (*e - '0');
	}
	if (n == 0 || n > 65535)
		return (-1);
	*port = n;
	return (0);
}

static int
origin_scheme(const char *s, size_t len, struct origin *o)
{
	size_t	 i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == len &&
		    strncasecmp(schemes[i].name, s, len) == 0) {
			o->scheme = schemes[i].scheme;
			o->port = schemes[i].port;
			return (0);
		}
	return (-1);
}

/*
 * An Origin header value, or with ORIGIN_PATTERN a configured origin
 * that may start its host with "*.". Returns 0, or -1 with *errstr.
 */
int
origin_parse(const char *s, size_t len, int flags, struct origin *o,
    const char **errstr)
{
	const char	*p, *end = s + len;
	uint16_t	 port;

	memset(o, 0, sizeof(*o));
	if (len == 4 && memcmp(s, "null", 4) == 0)
		return (0);	/* ORIGIN_NULL */
	for (p = s; p < end && isalpha((unsigned char)*p); p++)
		;
	if (end - p < 3 || memcmp(p, "://", 3) != 0) {
		*errstr = "not scheme://host[:port]";
		return (-1);
	}
	if (origin_scheme(s, p - s, o) == -1) {
		*errstr = "scheme is not http, https, ws or wss";
		return (-1);
	}
	p += 3;
	if ((flags & ORIGIN_PATTERN) && end - p > 2 && p[0] == '*' &&
	    p[1] == '.') {
		o->wildcard = 1;
		p += 2;
	}
	if (memchr(p, '*', end - p) != NULL) {
		*errstr = (flags & ORIGIN_PATTERN) ? "a wildcard may only be "
		    "\"*.\" at the start of the host" : "wildcard in origin";
		return (-1);
	}
	if (hostport_parse(p, end, o->host, &o->v6, &port) == -1 ||
	    (o->wildcard && o->v6)) {
		*errstr = "bad host or port (an origin has no path)";
		return (-1);
	}
	if (port != 0)
		o->port = port;
	return (0);
}

/*
 * Whether origin o is what pattern p allows. A wildcard needs at least
 * one more label: "*.example.org" takes "a.example.org" and
 * "a.b.example.org", never "example.org" nor "evilexample.org".
 */
int
origin_match(const struct origin *p, const struct origin *o)
{
	size_t	 hl, sl;

	if (p->scheme != o->scheme)
		return (0);
	if (p->scheme == ORIGIN_NULL)
		return (1);
	if (p->port != o->port || p->v6 != o->v6)
		return (0);
	if (!p->wildcard)
		return (strcmp(p->host, o->host) == 0);
	hl = strlen(o->host);
	sl = strlen(p->host);
	return (hl > sl + 1 && o->host[hl - sl - 1] == '.' &&
	    strcmp(o->host + hl - sl, p->host) == 0);
}

/*
 * The default policy: o is the origin of the request itself, with the
 * scheme of the listener (ws: http, wss: https) and Host's host and port.
 */
int
origin_same(const struct origin *o, int tls, const struct hostport *h)
{
	uint16_t	 port = h->port ? h->port : (tls ? 443 : 80);

	return (o->scheme == (tls ? ORIGIN_HTTPS : ORIGIN_HTTP) &&
	    o->v6 == h->v6 && o->port == port && strcmp(o->host, h->host) == 0);
}

/* A Host header value: uri-host [":" port]. Returns 0 or -1. */
int
host_parse(const char *s, size_t len, struct hostport *h)
{
	memset(h, 0, sizeof(*h));
	return (hostport_parse(s, s + len, h->host, &h->v6, &h->port));
}

/* Whether a configured server name or alias names the host in h. */
int
host_name_match(const char *name, const struct hostport *h)
{
	char	 v6[POLICY_HOST_MAX + 1];
	size_t	 len = strlen(name);

	if (!h->v6)
		return (strcasecmp(name, h->host) == 0);
	if (len > 2 && name[0] == '[' && name[len - 1] == ']') {
		name++;
		len -= 2;
	}
	return (host_v6(name, len, v6) == 0 && strcmp(v6, h->host) == 0);
}

/*
 * Whether Host's port is the listener's: a Host without a port means
 * the default port of the scheme, 80 for ws:// and 443 for wss://.
 */
int
host_port_match(const struct hostport *h, int tls, uint16_t port)
{
	return ((h->port ? h->port : (tls ? 443 : 80)) == port);
}

/*
 * The path of a request target in origin form, without its query.
 * Returns 0 with *pathlen, or -1 for another form, a fragment or a "."
 * or ".." segment: refused rather than resolved, so that a location
 * prefix can never be walked out of.
 */
int
target_path(const char *t, size_t len, size_t *pathlen)
{
	const char	*end, *seg, *e;

	if (len == 0 || t[0] != '/' || memchr(t, '#', len) != NULL)
		return (-1);
	if ((end = memchr(t, '?', len)) == NULL)
		end = t + len;
	for (seg = t + 1; seg <= end; seg = e + 1) {
		for (e = seg; e < end && *e != '/'; e++)
			;
		if ((e - seg == 1 && seg[0] == '.') ||
		    (e - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return (-1);
	}
	*pathlen = end - t;
	return (0);
}

/* "/chat" matches "/chat" and "/chat/x", never "/chatroom". */
int
path_prefix_match(const char *loc, const char *path, size_t pathlen)
{
	size_t	 ll = strlen(loc);

	if (ll > pathlen || memcmp(loc, path, ll) != 0)
		return (0);
	return (ll == pathlen || loc[ll - 1] == '/' || path[ll] == '/');
}

/* A configured path: a request path that target_path takes whole. */
int
path_check(const char *p)
{
	size_t	 i, len = strlen(p), pathlen;

	for (i = 0; i < len; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return (-1);
	if (target_path(p, len, &pathlen) == -1 || pathlen != len)
		return (-1);
	return (0);
}

static int
is_tchar(int c)
{
	return (isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c)));
}

/*
 * The next element of a comma-separated token list (RFC 9110 section
 * 5.6.1), empty elements skipped. Returns 1 with the token, 0 at the
 * end, -1 when the list is malformed.
 */
int
token_list_next(const char **pp, const char *end, const char **tok,
    size_t *toklen)
{
	const char	*p = *pp;

	while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
		p++;
	if (p == end)
		return (0);
	*tok = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	if ((*toklen = p - *tok) == 0)
		return (-1);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p != ',')
		return (-1);
	*pp = p;
	return (1);
}

int
token_check(const char *s)
{
	if (*s == '\0')
		return (-1);
	for (; *s != '\0'; s++)
		if (!is_tchar((unsigned char)*s))
			return (-1);
	return (0);
}
