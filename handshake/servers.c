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
 * The server table of a handshake process and the policy applied to each
 * request: server by Host on the listener it came in on, location by
 * path, Origin, subprotocol. The table is built from the parent's
 * messages (IPC_SERVER and what follows it, see wsd.h); nothing here
 * touches a socket, so tests and fuzzers call it on buffers.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handshake.h"

static struct hs_server *
server_find(const struct hs_servers *t, uint32_t id)
{
	struct hs_server	*s;

	TAILQ_FOREACH(s, t, entry)
		if (s->id == id)
			return (s);
	return (NULL);
}

static struct hs_location *
location_find(const struct hs_server *s, uint32_t id)
{
	struct hs_location	*l;

	TAILQ_FOREACH(l, &s->locations, entry)
		if (l->id == id)
			return (l);
	return (NULL);
}

static int
add_name(struct hs_server *s, const char *name)
{
	struct hs_name	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return (-1);
	strlcpy(n->name, name, sizeof(n->name));
	TAILQ_INSERT_TAIL(&s->names, n, entry);
	return (0);
}

static int
add_server(struct hs_servers *t, const struct ipc_server *is,
    const char **errstr)
{
	struct hs_server	*s;

	if (!TERMINATED(is->name) || !TERMINATED(is->health) ||
	    (is->health[0] != '\0' && path_check(is->health) == -1) ||
	    !TERMINATED(is->console) ||
	    (is->console[0] != '\0' && path_check(is->console) == -1) ||
	    server_find(t, is->id) != NULL) {
		*errstr = "bad or repeated server";
		return (-1);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*errstr = "out of memory";
		return (-1);
	}
	s->id = is->id;
	s->flags = is->flags;
	s->listeners = is->listeners;
	strlcpy(s->health, is->health, sizeof(s->health));
	strlcpy(s->console, is->console, sizeof(s->console));
	TAILQ_INIT(&s->names);
	TAILQ_INIT(&s->origins);
	TAILQ_INIT(&s->protos);
	TAILQ_INIT(&s->auths);
	TAILQ_INIT(&s->locations);
	TAILQ_INSERT_TAIL(t, s, entry);
	if (add_name(s, is->name) == -1) {
		*errstr = "out of memory";
		return (-1);
	}
	return (0);
}

static int
add_origin(struct hs_servers *t, const struct ipc_origin *io,
    const char **errstr)
{
	struct hs_server	*s;
	struct hs_origin	*o;
	struct origin		 parsed;

	if (!TERMINATED(io->origin) ||
	    (s = server_find(t, io->server)) == NULL) {
		*errstr = "bad origin message";
		return (-1);
	}
	if (origin_parse(io->origin, strlen(io->origin), ORIGIN_PATTERN,
	    &parsed, errstr) == -1)
		return (-1);
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		*errstr = "out of memory";
		return (-1);
	}
	o->o = parsed;
	TAILQ_INSERT_TAIL(&s->origins, o, entry);
	return (0);
}

static int
add_location(struct hs_servers *t, const struct ipc_location *il,
    const char **errstr)
{
	struct hs_server	*s;
	struct hs_location	*l;

	if (!TERMINATED(il->path) || path_check(il->path) == -1 ||
	    il->id == WSD_NOLOCATION || il->max_message > WSD_MAXMESSAGE_MAX ||
	    (il->flags & ~IPC_SERVER_TLS_REQUIRED) != 0 ||
	    (s = server_find(t, il->server)) == NULL ||
	    location_find(s, il->id) != NULL) {
		*errstr = "bad location message";
		return (-1);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		*errstr = "out of memory";
		return (-1);
	}
	l->id = il->id;
	l->flags = il->flags;
	l->max_message = il->max_message;
	strlcpy(l->path, il->path, sizeof(l->path));
	TAILQ_INIT(&l->protos);
	TAILQ_INIT(&l->auths);
	TAILQ_INSERT_TAIL(&s->locations, l, entry);
	return (0);
}

static int
add_subproto(struct hs_servers *t, const struct ipc_subproto *ip,
    const char **errstr)
{
	struct hs_server	*s;
	struct hs_location	*l = NULL;
	struct hs_proto		*p;

	if (!TERMINATED(ip->name) || token_check(ip->name) == -1 ||
	    (s = server_find(t, ip->server)) == NULL ||
	    (ip->location != WSD_NOLOCATION &&
	    (l = location_find(s, ip->location)) == NULL)) {
		*errstr = "bad subprotocol message";
		return (-1);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		*errstr = "out of memory";
		return (-1);
	}
	strlcpy(p->name, ip->name, sizeof(p->name));
	TAILQ_INSERT_TAIL(l != NULL ? &l->protos : &s->protos, p, entry);
	return (0);
}

/* The authenticate and allow lines of a server or one of its locations. */
static struct hs_auths *
auths_find(struct hs_servers *t, uint32_t server, uint32_t location)
{
	struct hs_server	*s;
	struct hs_location	*l;

	if ((s = server_find(t, server)) == NULL)
		return (NULL);
	if (location == WSD_NOLOCATION)
		return (&s->auths);
	if ((l = location_find(s, location)) == NULL)
		return (NULL);
	return (&l->auths);
}

static int
add_auth_token(struct hs_servers *t, const uint8_t *data, size_t len,
    const char **errstr)
{
	struct ipc_auth_token	 it;
	struct hs_auths		*list;

	*errstr = "bad auth token message";
	if (len < sizeof(it))
		return (-1);
	memcpy(&it, data, sizeof(it));
	if (it.keylen != len - sizeof(it) ||
	    (list = auths_find(t, it.server, it.location)) == NULL)
		return (-1);
	return (auth_add_token(list, &it, data + sizeof(it), it.keylen));
}

static int
add_auth_basic(struct hs_servers *t, const uint8_t *data, size_t len,
    const char **errstr)
{
	struct ipc_auth_basic	 ib;
	struct hs_auths		*list;

	*errstr = "bad auth basic message";
	if (len < sizeof(ib))
		return (-1);
	memcpy(&ib, data, sizeof(ib));
	if ((list = auths_find(t, ib.server, ib.location)) == NULL)
		return (-1);
	return (auth_add_basic(list, &ib, data + sizeof(ib),
	    len - sizeof(ib), errstr));
}

static int
add_auth(struct hs_servers *t, const struct ipc_auth *ia,
    const char **errstr)
{
	struct hs_auths		*list;

	*errstr = "bad auth message";
	if ((list = auths_find(t, ia->server, ia->location)) == NULL ||
	    auth_add(list, ia) == -1)
		return (-1);
	return (0);
}

/*
 * One message of the table, its size already checked by ipc_decode.
 * Returns 0, or -1 with *errstr when it breaks the rules in wsd.h.
 */
int
servers_add(struct hs_servers *t, uint32_t type, const void *data,
    size_t len, const char **errstr)
{
	struct ipc_server	 is;
	struct ipc_alias	 ia;
	struct ipc_origin	 io;
	struct ipc_location	 il;
	struct ipc_subproto	 ip;
	struct ipc_auth		 iau;
	struct hs_server	*s;

	*errstr = "bad size";
	switch (type) {
	case IPC_SERVER:
		if (len != sizeof(is))
			return (-1);
		memcpy(&is, data, len);
		return (add_server(t, &is, errstr));
	case IPC_ALIAS:
		if (len != sizeof(ia))
			return (-1);
		memcpy(&ia, data, len);
		*errstr = "bad alias message";
		if (!TERMINATED(ia.name) ||
		    (s = server_find(t, ia.server)) == NULL)
			return (-1);
		return (add_name(s, ia.name));
	case IPC_ORIGIN:
		if (len != sizeof(io))
			return (-1);
		memcpy(&io, data, len);
		return (add_origin(t, &io, errstr));
	case IPC_LOCATION:
		if (len != sizeof(il))
			return (-1);
		memcpy(&il, data, len);
		return (add_location(t, &il, errstr));
	case IPC_SUBPROTO:
		if (len != sizeof(ip))
			return (-1);
		memcpy(&ip, data, len);
		return (add_subproto(t, &ip, errstr));
	case IPC_AUTH:
		if (len != sizeof(iau))
			return (-1);
		memcpy(&iau, data, len);
		return (add_auth(t, &iau, errstr));
	case IPC_AUTH_TOKEN:
		return (add_auth_token(t, data, len, errstr));
	case IPC_AUTH_BASIC:
		return (add_auth_basic(t, data, len, errstr));
	}
	*errstr = "not a server table message";
	return (-1);
}

static void
protos_free(struct hs_protos *list)
{
	struct hs_proto	*p;

	while ((p = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, p, entry);
		free(p);
	}
}

void
servers_free(struct hs_servers *t)
{
	struct hs_server	*s;
	struct hs_name		*n;
	struct hs_origin	*o;
	struct hs_location	*l;

	while ((s = TAILQ_FIRST(t)) != NULL) {
		while ((n = TAILQ_FIRST(&s->names)) != NULL) {
			TAILQ_REMOVE(&s->names, n, entry);
			free(n);
		}
		while ((o = TAILQ_FIRST(&s->origins)) != NULL) {
			TAILQ_REMOVE(&s->origins, o, entry);
			free(o);
		}
		while ((l = TAILQ_FIRST(&s->locations)) != NULL) {
			TAILQ_REMOVE(&s->locations, l, entry);
			protos_free(&l->protos);
			auth_free(&l->auths);
			free(l);
		}
		protos_free(&s->protos);
		auth_free(&s->auths);
		TAILQ_REMOVE(t, s, entry);
		free(s);
	}
}

static uint16_t
listener_port(const struct ipc_listener *l)
{
	const struct sockaddr_in6	*sin6;
	const struct sockaddr_in	*sin;

	if (l->ss.ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)&l->ss;
		return (ntohs(sin6->sin6_port));
	}
	sin = (const struct sockaddr_in *)&l->ss;
	return (ntohs(sin->sin_port));
}

/*
 * The server that Host names among those on listener l. Returns 0, or
 * 400 for a malformed Host and 421 (Misdirected Request) when no server
 * of this listener has that name and port.
 */
static int
policy_server(const struct hs_servers *t, const struct ipc_listener *l,
    const struct http_request *req, struct hostport *hp, struct hs_policy *p)
{
	const struct http_header	*h;
	const struct hs_server		*s;
	const struct hs_name		*n;

	if ((h = http_header_find(req, "Host", NULL)) == NULL ||
	    host_parse(h->value, h->valuelen, hp) == -1) {
		p->reason = "malformed Host";
		return (400);
	}
	if (!host_port_match(hp, l->tls, listener_port(l))) {
		p->reason = "Host names another port";
		return (421);
	}
	TAILQ_FOREACH(s, t, entry) {
		if (l->id >= WSD_MAXLISTENERS ||
		    (s->listeners & (1ULL << l->id)) == 0)
			continue;
		TAILQ_FOREACH(n, &s->names, entry)
			if (host_name_match(n->name, hp)) {
				p->srv = s;
				return (0);
			}
	}
	p->reason = "Host names no server on this listener";
	return (421);
}

/*
 * Whether the name a TLS client sent with SNI is one of server s's: a
 * client that asked for one server's certificate must not reach another
 * by Host (RFC 9110 section 15.5.20, 421). No SNI, as from a client of
 * an address, is no constraint.
 */
int
policy_sni(const struct hs_server *s, const char *sni)
{
	const struct hs_name	*n;

	if (sni == NULL)
		return (1);
	TAILQ_FOREACH(n, &s->names, entry)
		if (strcasecmp(n->name, sni) == 0)
			return (1);
	return (0);
}

/* The longest location that is a prefix of the path; 404 when none. */
static int
policy_location(const struct http_request *req, struct hs_policy *p)
{
	const struct hs_location	*l;
	size_t				 best = 0;

	if (target_path(req->target, req->targetlen, &p->pathlen) == -1) {
		p->reason = "request target is not a plain path";
		return (400);
	}
	p->path = req->target;
	TAILQ_FOREACH(l, &p->srv->locations, entry)
		if (path_prefix_match(l->path, p->path, p->pathlen) &&
		    (p->loc == NULL || strlen(l->path) > best)) {
			p->loc = l;
			best = strlen(l->path);
		}
	if (p->loc == NULL && !TAILQ_EMPTY(&p->srv->locations)) {
		p->reason = "no location for the path";
		return (404);
	}
	return (0);
}

/* DESIGN.md, CSWSH: the Origin policy. Returns 0 or 403. */
static int
policy_origin(const struct http_request *req, int tls,
    const struct hostport *hp, struct hs_policy *p)
{
	const struct http_header	*h;
	const struct hs_origin		*po;
	struct origin			 o;
	unsigned int			 i = 0;
	const char			*errstr;

	if ((h = http_header_find(req, "Origin", &i)) == NULL) {
		p->reason = "Origin required";
		return (p->srv->flags & IPC_SERVER_ORIGIN_REQUIRED ? 403 : 0);
	}
	p->origin = h->value;
	p->originlen = h->valuelen;
	if (http_header_find(req, "Origin", &i) != NULL ||
	    origin_parse(h->value, h->valuelen, 0, &o, &errstr) == -1) {
		p->reason = "malformed Origin";
		return (403);
	}
	if (TAILQ_EMPTY(&p->srv->origins)) {
		p->reason = "Origin is not the request's own";
		return (origin_same(&o, tls, hp) ? 0 : 403);
	}
	TAILQ_FOREACH(po, &p->srv->origins, entry)
		if (origin_match(&po->o, &o))
			return (0);
	p->reason = "Origin not allowed";
	return (403);
}

static const char *
proto_listed(const struct hs_protos *list, const char *tok, size_t len)
{
	const struct hs_proto	*pr;

	TAILQ_FOREACH(pr, list, entry)
		if (strlen(pr->name) == len && memcmp(pr->name, tok, len) == 0)
			return (pr->name);
	return (NULL);
}

/*
 * The first protocol the client offers that the location (or else the
 * server) lists. A client that offers none gets none; one whose offers
 * all miss a non-empty list is refused with 400.
 */
static int
policy_subproto(const struct http_request *req, struct hs_policy *p)
{
	const struct hs_protos		*list = &p->srv->protos;
	const struct http_header	*h;
	const char			*tok, *v;
	unsigned int			 i = 0;
	size_t				 len;
	int				 r, offered = 0;

	if (p->loc != NULL && !TAILQ_EMPTY(&p->loc->protos))
		list = &p->loc->protos;
	while ((h = http_header_find(req, "Sec-WebSocket-Protocol", &i)) !=
	    NULL) {
		v = h->value;
		while ((r = token_list_next(&v, h->value + h->valuelen, &tok,
		    &len)) == 1) {
			offered = 1;
			if (p->subproto == NULL)
				p->subproto = proto_listed(list, tok, len);
		}
		if (r == -1) {
			p->reason = "malformed Sec-WebSocket-Protocol";
			return (400);
		}
	}
	if (offered && p->subproto == NULL && !TAILQ_EMPTY(list)) {
		p->reason = "no offered subprotocol is served";
		return (400);
	}
	return (0);
}

/*
 * The policy for an upgrade request that passed ws_check_upgrade, with
 * the SNI of a TLS client or NULL. Returns 0 with the choices in *p, or
 * the status to refuse it with and p->reason.
 */
int
policy_check(const struct hs_servers *t, const struct ipc_listener *l,
    const struct http_request *req, const char *sni, struct hs_policy *p)
{
	struct hostport	 hp;
	int		 status;

	memset(p, 0, sizeof(*p));
	if ((status = policy_server(t, l, req, &hp, p)) != 0)
		return (status);
	if (!policy_sni(p->srv, sni)) {
		p->reason = "SNI names another server than Host";
		return (421);
	}
	if ((status = policy_location(req, p)) != 0 ||
	    (status = policy_origin(req, l->tls, &hp, p)) != 0 ||
	    (status = policy_subproto(req, p)) != 0)
		return (status);
	return (0);
}

/* Whether a plain GET is for the health path of the server Host names. */
int
policy_health(const struct hs_servers *t, const struct ipc_listener *l,
    const struct http_request *req)
{
	struct hs_policy	 p;
	struct hostport		 hp;
	size_t			 len;

	memset(&p, 0, sizeof(p));
	if (policy_server(t, l, req, &hp, &p) != 0 ||
	    p.srv->health[0] == '\0' ||
	    target_path(req->target, req->targetlen, &len) == -1)
		return (0);
	return (strlen(p.srv->health) == len &&
	    memcmp(p.srv->health, req->target, len) == 0);
}

/*
 * Whether a plain GET or HEAD is for the console path of the server
 * Host names; *hp gets Host, parsed, for the page's connect-src.
 */
int
policy_console(const struct hs_servers *t, const struct ipc_listener *l,
    const struct http_request *req, struct hostport *hp)
{
	struct hs_policy	 p;
	size_t			 len;

	memset(&p, 0, sizeof(p));
	if (policy_server(t, l, req, hp, &p) != 0 ||
	    p.srv->console[0] == '\0' ||
	    target_path(req->target, req->targetlen, &len) == -1)
		return (0);
	return (strlen(p.srv->console) == len &&
	    memcmp(p.srv->console, req->target, len) == 0);
}
