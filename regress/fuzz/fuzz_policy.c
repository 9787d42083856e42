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
 * The handshake policy (common/policy.c, handshake/servers.c) on hostile
 * requests, over a fixed server table. The first byte chooses the
 * listener (family, port, TLS) and the SNI name; the rest is a request
 * head. A request let through must name a server of its listener, by
 * Host and SNI, a location its path lies under, and a subprotocol of
 * the list; one refused must say why. Host and Origin values that
 * parse are also written back out and must parse again to the same.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../handshake/handshake.h"

static void	 table_add(uint32_t, const void *, size_t);
static void	 table(void);
static void	 check_origin(const char *, size_t, int);
static void	 check_host(const char *, size_t);
static void	 check_tokens(const char *, size_t);
static void	 check_pass(const struct ipc_listener *,
		    const struct http_request *, const char *,
		    const struct hs_policy *);

static struct hs_servers	 servers = TAILQ_HEAD_INITIALIZER(servers);
static const char		*snis[4] = {
	NULL, "example.org", "OTHER.example.net", "[::1]"
};
static const char		*schemes[] = { "null", "http", "https", "ws",
				    "wss" };

static void
table_add(uint32_t type, const void *msg, size_t len)
{
	const char	*errstr;

	if (servers_add(&servers, type, msg, len, &errstr) == -1)
		fuzz_fail(__FILE__, __LINE__, errstr);
}

/*
 * Server 0, example.org and www.example.org on listeners 0 and 1, with
 * origins, locations and subprotocols; server 1, other.example.net on
 * listener 1, Origin required, one location; server 2, [::1] on
 * listener 0, nothing.
 */
static void
table(void)
{
	struct ipc_server	 is;
	struct ipc_alias	 ia;
	struct ipc_origin	 io;
	struct ipc_location	 il;
	struct ipc_subproto	 ip;

	memset(&is, 0, sizeof(is));
	strlcpy(is.name, "example.org", sizeof(is.name));
	strlcpy(is.health, "/health", sizeof(is.health));
	is.listeners = 3;
	table_add(IPC_SERVER, &is, sizeof(is));
	memset(&ia, 0, sizeof(ia));
	strlcpy(ia.name, "www.example.org", sizeof(ia.name));
	table_add(IPC_ALIAS, &ia, sizeof(ia));
	memset(&io, 0, sizeof(io));
	strlcpy(io.origin, "https://*.example.org", sizeof(io.origin));
	table_add(IPC_ORIGIN, &io, sizeof(io));
	strlcpy(io.origin, "http://[::1]:8080", sizeof(io.origin));
	table_add(IPC_ORIGIN, &io, sizeof(io));
	strlcpy(io.origin, "null", sizeof(io.origin));
	table_add(IPC_ORIGIN, &io, sizeof(io));
	memset(&il, 0, sizeof(il));
	il.id = 10;
	strlcpy(il.path, "/chat", sizeof(il.path));
	table_add(IPC_LOCATION, &il, sizeof(il));
	il.id = 11;
	strlcpy(il.path, "/chat/admin/", sizeof(il.path));
	table_add(IPC_LOCATION, &il, sizeof(il));
	il.id = 12;
	strlcpy(il.path, "/", sizeof(il.path));
	table_add(IPC_LOCATION, &il, sizeof(il));
	memset(&ip, 0, sizeof(ip));
	ip.location = 10;
	strlcpy(ip.name, "chat.v1", sizeof(ip.name));
	table_add(IPC_SUBPROTO, &ip, sizeof(ip));
	ip.location = WSD_NOLOCATION;
	strlcpy(ip.name, "echo", sizeof(ip.name));
	table_add(IPC_SUBPROTO, &ip, sizeof(ip));

	memset(&is, 0, sizeof(is));
	is.id = 1;
	is.flags = IPC_SERVER_ORIGIN_REQUIRED;
	strlcpy(is.name, "other.example.net", sizeof(is.name));
	is.listeners = 2;
	table_add(IPC_SERVER, &is, sizeof(is));
	il.server = 1;
	il.id = 13;
	strlcpy(il.path, "/only", sizeof(il.path));
	table_add(IPC_LOCATION, &il, sizeof(il));

	memset(&is, 0, sizeof(is));
	is.id = 2;
	strlcpy(is.name, "[::1]", sizeof(is.name));
	is.listeners = 1;
	table_add(IPC_SERVER, &is, sizeof(is));
}

/* What parses, printed back in full, parses to the same. */
static void
check_origin(const char *s, size_t len, int flags)
{
	struct origin	 o, again;
	const char	*errstr = NULL;
	char		 buf[POLICY_HOST_MAX + 64];
	size_t		 i;
	int		 n;

	if (origin_parse(s, len, flags, &o, &errstr) == -1) {
		FUZZ_CHECK(errstr != NULL);
		return;
	}
	FUZZ_CHECK(o.scheme <= ORIGIN_WSS);
	FUZZ_CHECK(!o.wildcard || (flags & ORIGIN_PATTERN));
	if (o.scheme == ORIGIN_NULL) {
		FUZZ_CHECK(len == 4 && memcmp(s, "null", 4) == 0);
		return;
	}
	FUZZ_CHECK(o.port != 0 && o.host[0] != '\0');
	for (i = 0; o.host[i] != '\0'; i++)
		FUZZ_CHECK(o.host[i] < 'A' || o.host[i] > 'Z');
	FUZZ_CHECK(o.wildcard || origin_match(&o, &o));
	n = snprintf(buf, sizeof(buf), "%s://%s%s%s%s:%u", schemes[o.scheme],
	    o.wildcard ? "*." : "", o.v6 ? "[" : "", o.host, o.v6 ? "]" : "",
	    o.port);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf));
	FUZZ_CHECK(origin_parse(buf, n, flags, &again, &errstr) == 0);
	FUZZ_CHECK(again.scheme == o.scheme && again.wildcard == o.wildcard &&
	    again.v6 == o.v6 && again.port == o.port &&
	    strcmp(again.host, o.host) == 0);
}

static void
check_host(const char *s, size_t len)
{
	struct hostport	 h, again;
	char		 buf[POLICY_HOST_MAX + 16];
	int		 n;

	if (host_parse(s, len, &h) == -1)
		return;
	FUZZ_CHECK(h.host[0] != '\0');
	n = snprintf(buf, sizeof(buf), "%s%s%s", h.v6 ? "[" : "", h.host,
	    h.v6 ? "]" : "");
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf));
	if (h.port != 0)
		n += snprintf(buf + n, sizeof(buf) - n, ":%u", h.port);
	FUZZ_CHECK(host_parse(buf, n, &again) == 0);
	FUZZ_CHECK(again.v6 == h.v6 && again.port == h.port &&
	    strcmp(again.host, h.host) == 0);
	FUZZ_CHECK(host_name_match(h.host, &h) || h.v6);
}

/* Each token lies in the list and the list is walked forward. */
static void
check_tokens(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *tok, *last = s - 1;
	size_t		 toklen;
	int		 r;

	while ((r = token_list_next(&p, end, &tok, &toklen)) == 1) {
		FUZZ_CHECK(tok > last && tok >= s && toklen > 0 &&
		    toklen <= (size_t)(end - tok));
		FUZZ_CHECK(p >= tok + toklen && p <= end);
		last = tok;
	}
	FUZZ_CHECK(r == 0 || r == -1);
}

static void
check_pass(const struct ipc_listener *l, const struct http_request *req,
    const char *sni, const struct hs_policy *p)
{
	const struct http_header	*h;
	const struct hs_name		*n;
	const struct hs_location	*loc;
	const struct hs_proto		*pr;
	struct hostport			 hp;
	int				 found = 0;

	FUZZ_CHECK(p->srv != NULL && (p->srv->listeners & (1ULL << l->id)));
	FUZZ_CHECK(policy_sni(p->srv, sni));
	FUZZ_CHECK((h = http_header_find(req, "Host", NULL)) != NULL &&
	    host_parse(h->value, h->valuelen, &hp) == 0);
	TAILQ_FOREACH(n, &p->srv->names, entry)
		found |= host_name_match(n->name, &hp);
	FUZZ_CHECK(found);
	FUZZ_CHECK(p->path == req->target && p->pathlen <= req->targetlen &&
	    memchr(p->path, '?', p->pathlen) == NULL);
	if (p->loc == NULL)
		FUZZ_CHECK(TAILQ_EMPTY(&p->srv->locations));
	else {
		FUZZ_CHECK(path_prefix_match(p->loc->path, p->path,
		    p->pathlen));
		/* The longest prefix wins. */
		TAILQ_FOREACH(loc, &p->srv->locations, entry)
			FUZZ_CHECK(!path_prefix_match(loc->path, p->path,
			    p->pathlen) || strlen(loc->path) <=
			    strlen(p->loc->path));
	}
	if (p->subproto != NULL) {
		found = 0;
		TAILQ_FOREACH(pr, p->loc != NULL &&
		    !TAILQ_EMPTY(&p->loc->protos) ? &p->loc->protos :
		    &p->srv->protos, entry)
			found |= pr->name == p->subproto;
		FUZZ_CHECK(found);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct ipc_listener		 l;
	struct sockaddr_in		*sin = (struct sockaddr_in *)&l.ss;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)&l.ss;
	struct http_request		 req;
	struct hs_policy		 p;
	const struct http_header	*h;
	const char			*reason, *sni;
	char				*head;
	unsigned int			 i;
	uint16_t			 port;
	int				 status;

	if (TAILQ_EMPTY(&servers))
		table();
	if (len < 1)
		return (0);
	memset(&l, 0, sizeof(l));
	l.id = in[0] & 1;
	l.tls = (in[0] >> 1) & 1;
	port = htons(l.tls ? 443 : (in[0] & 4) ? 8080 : 80);
	sni = l.tls ? snis[(in[0] >> 3) & 3] : NULL;
	if (in[0] & 0x20) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = port;
	}
	in++;
	len--;

	if ((head = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(head, in, len);
	if (http_parse_request(head, len, &req, &reason) != 0) {
		free(head);
		return (0);
	}
	for (i = 0; i < req.nheaders; i++) {
		h = &req.headers[i];
		check_origin(h->value, h->valuelen, 0);
		check_origin(h->value, h->valuelen, ORIGIN_PATTERN);
		check_host(h->value, h->valuelen);
		check_tokens(h->value, h->valuelen);
	}
	status = policy_check(&servers, &l, &req, sni, &p);
	if (status == 0)
		check_pass(&l, &req, sni, &p);
	else
		FUZZ_CHECK((status == 400 || status == 403 || status == 404 ||
		    status == 421) && p.reason != NULL);
	/* The path is compared; a query is not part of it. */
	if (policy_health(&servers, &l, &req))
		FUZZ_CHECK(req.targetlen >= 7 &&
		    memcmp(req.target, "/health", 7) == 0 &&
		    (req.targetlen == 7 || req.target[7] == '?'));
	free(head);
	return (0);
}
