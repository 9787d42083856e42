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
 * The handshake policy on buffers: Origin parsing and matching with the
 * look-alike attacks, Host parsing and matching, request paths and
 * locations, token lists, and the whole policy over a server table
 * built from the parent's messages.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../handshake/handshake.h"

struct parse_case {
	const char	*s;
	int		 flags;
	int		 ok;
	int		 scheme;
	const char	*host;
	int		 port;
	int		 wildcard;
};

ATF_TC_WITHOUT_HEAD(origin_parse);
ATF_TC_BODY(origin_parse, tc)
{
	static const struct parse_case cases[] = {
		{ "https://Example.ORG", 0, 1, ORIGIN_HTTPS, "example.org",
		    443, 0 },
		{ "HTTP://a.b:8080", 0, 1, ORIGIN_HTTP, "a.b", 8080, 0 },
		{ "http://127.0.0.1", 0, 1, ORIGIN_HTTP, "127.0.0.1", 80, 0 },
		{ "ws://x", 0, 1, ORIGIN_WS, "x", 80, 0 },
		{ "wss://x", 0, 1, ORIGIN_WSS, "x", 443, 0 },
		{ "http://[::1]:81", 0, 1, ORIGIN_HTTP, "::1", 81, 0 },
		{ "http://[0:0::1]", 0, 1, ORIGIN_HTTP, "::1", 80, 0 },
		{ "null", 0, 1, ORIGIN_NULL, "", 0, 0 },
		{ "https://*.example.org", ORIGIN_PATTERN, 1, ORIGIN_HTTPS,
		    "example.org", 443, 1 },
		{ "https://*.example.org", 0, 0, 0, NULL, 0, 0 },
		{ "https://a.*.example.org", ORIGIN_PATTERN, 0, 0, NULL, 0, 0 },
		{ "https://*example.org", ORIGIN_PATTERN, 0, 0, NULL, 0, 0 },
		{ "https://*", ORIGIN_PATTERN, 0, 0, NULL, 0, 0 },
		{ "https://*.[::1]", ORIGIN_PATTERN, 0, 0, NULL, 0, 0 },
		{ "NULL", 0, 0, 0, NULL, 0, 0 },
		{ "", 0, 0, 0, NULL, 0, 0 },
		{ "example.org", 0, 0, 0, NULL, 0, 0 },
		{ "ftp://example.org", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org/", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org/x", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org:", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org:0", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org:65536", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org:123456", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org:8a", 0, 0, 0, NULL, 0, 0 },
		{ "https://user@example.org", 0, 0, 0, NULL, 0, 0 },
		{ "https://example..org", 0, 0, 0, NULL, 0, 0 },
		{ "https://.example.org", 0, 0, 0, NULL, 0, 0 },
		{ "https://example.org.", 0, 0, 0, NULL, 0, 0 },
		{ "https://exa mple.org", 0, 0, 0, NULL, 0, 0 },
		{ "https://", 0, 0, 0, NULL, 0, 0 },
		{ "https://[::1", 0, 0, 0, NULL, 0, 0 },
		{ "https://[zz::1]", 0, 0, 0, NULL, 0, 0 },
		{ "https://[::1]x", 0, 0, 0, NULL, 0, 0 },
		{ "https:/example.org", 0, 0, 0, NULL, 0, 0 },
	};
	struct origin	 o;
	const char	*errstr;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errstr = NULL;
		r = origin_parse(cases[i].s, strlen(cases[i].s),
		    cases[i].flags, &o, &errstr);
		ATF_CHECK_EQ_MSG(r == 0, cases[i].ok, "%s: %d", cases[i].s, r);
		if (r != 0) {
			ATF_CHECK_MSG(errstr != NULL, "%s: no reason",
			    cases[i].s);
			continue;
		}
		ATF_CHECK_EQ_MSG(o.scheme, cases[i].scheme, "%s", cases[i].s);
		ATF_CHECK_STREQ_MSG(o.host, cases[i].host, "%s", cases[i].s);
		ATF_CHECK_EQ_MSG(o.port, cases[i].port, "%s", cases[i].s);
		ATF_CHECK_EQ_MSG(o.wildcard, cases[i].wildcard, "%s",
		    cases[i].s);
	}
}

struct match_case {
	const char	*pattern;
	const char	*origin;
	int		 match;
};

ATF_TC_WITHOUT_HEAD(origin_match);
ATF_TC_BODY(origin_match, tc)
{
	static const struct match_case cases[] = {
		{ "https://example.org", "https://example.org", 1 },
		{ "https://example.org", "HTTPS://EXAMPLE.org", 1 },
		{ "https://example.org", "https://example.org:443", 1 },
		{ "https://example.org:443", "https://example.org", 1 },
		{ "http://example.org", "http://example.org:80", 1 },
		{ "https://example.org", "http://example.org", 0 },
		{ "https://example.org", "https://example.org:8443", 0 },
		{ "https://example.org", "https://www.example.org", 0 },
		{ "https://example.org", "https://example.org.evil.com", 0 },
		{ "https://example.org", "https://evilexample.org", 0 },
		{ "https://*.example.org", "https://a.example.org", 1 },
		{ "https://*.example.org", "https://a.b.example.org", 1 },
		{ "https://*.example.org", "https://A.Example.Org", 1 },
		{ "https://*.example.org", "https://example.org", 0 },
		{ "https://*.example.org", "https://a.example.org.evil.com",
		    0 },
		{ "https://*.example.org", "https://example.org.evil.com", 0 },
		{ "https://*.example.org", "https://evilexample.org", 0 },
		{ "https://*.example.org", "https://a.evilexample.org", 0 },
		{ "https://*.example.org", "http://a.example.org", 0 },
		{ "https://*.example.org", "https://a.example.org:444", 0 },
		{ "https://*.example.org:8443", "https://a.example.org:8443",
		    1 },
		{ "null", "null", 1 },
		{ "null", "https://null", 0 },
		{ "https://example.org", "null", 0 },
		{ "http://[::1]", "http://[0::1]:80", 1 },
		{ "http://[::1]", "http://[::2]", 0 },
	};
	struct origin	 p, o;
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ATF_REQUIRE(origin_parse(cases[i].pattern,
		    strlen(cases[i].pattern), ORIGIN_PATTERN, &p,
		    &errstr) == 0);
		ATF_REQUIRE_MSG(origin_parse(cases[i].origin,
		    strlen(cases[i].origin), 0, &o, &errstr) == 0, "%s",
		    cases[i].origin);
		ATF_CHECK_EQ_MSG(origin_match(&p, &o), cases[i].match,
		    "%s against %s", cases[i].origin, cases[i].pattern);
	}
}

struct same_case {
	const char	*origin;
	const char	*host;
	int		 tls;
	int		 same;
};

ATF_TC_WITHOUT_HEAD(origin_same);
ATF_TC_BODY(origin_same, tc)
{
	static const struct same_case cases[] = {
		{ "http://example.org", "example.org", 0, 1 },
		{ "http://example.org", "EXAMPLE.org:80", 0, 1 },
		{ "http://example.org:8080", "example.org:8080", 0, 1 },
		{ "http://example.org", "example.org:8080", 0, 0 },
		{ "http://example.org:8080", "example.org", 0, 0 },
		{ "https://example.org", "example.org", 0, 0 },
		{ "https://example.org", "example.org", 1, 1 },
		{ "http://example.org", "example.org", 1, 0 },
		{ "ws://example.org", "example.org", 0, 0 },
		{ "http://example.org.evil.com", "example.org", 0, 0 },
		{ "http://evil.com", "example.org", 0, 0 },
		{ "http://[::1]:8080", "[::1]:8080", 0, 1 },
		{ "null", "example.org", 0, 0 },
	};
	struct origin	 o;
	struct hostport	 h;
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ATF_REQUIRE(origin_parse(cases[i].origin,
		    strlen(cases[i].origin), 0, &o, &errstr) == 0);
		ATF_REQUIRE(host_parse(cases[i].host, strlen(cases[i].host),
		    &h) == 0);
		ATF_CHECK_EQ_MSG(origin_same(&o, cases[i].tls, &h),
		    cases[i].same, "%s with Host %s", cases[i].origin,
		    cases[i].host);
	}
}

struct host_case {
	const char	*host;
	int		 ok;
	const char	*name;
	int		 port;
};

ATF_TC_WITHOUT_HEAD(host_parse);
ATF_TC_BODY(host_parse, tc)
{
	static const struct host_case cases[] = {
		{ "example.org", 1, "example.org", 0 },
		{ "Example.Org:8080", 1, "example.org", 8080 },
		{ "127.0.0.1:1", 1, "127.0.0.1", 1 },
		{ "[::1]", 1, "::1", 0 },
		{ "[::FFFF:1.2.3.4]:99", 1, "::ffff:1.2.3.4", 99 },
		{ "", 0, NULL, 0 },
		{ ":80", 0, NULL, 0 },
		{ "example.org:", 0, NULL, 0 },
		{ "example.org:0", 0, NULL, 0 },
		{ "example.org:65536", 0, NULL, 0 },
		{ "example.org:80:80", 0, NULL, 0 },
		{ "example.org/x", 0, NULL, 0 },
		{ "user@example.org", 0, NULL, 0 },
		{ "exa_mple.org", 0, NULL, 0 },
		{ "example..org", 0, NULL, 0 },
		{ "example.org ", 0, NULL, 0 },
		{ "::1", 0, NULL, 0 },
		{ "[::1", 0, NULL, 0 },
		{ "[::1]80", 0, NULL, 0 },
		{ "[1.2.3.4]", 0, NULL, 0 },
		{ "a%2eb", 0, NULL, 0 },
	};
	struct hostport	 h;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = host_parse(cases[i].host, strlen(cases[i].host), &h);
		ATF_CHECK_EQ_MSG(r == 0, cases[i].ok, "\"%s\"", cases[i].host);
		if (r != 0 || !cases[i].ok)
			continue;
		ATF_CHECK_STREQ(h.host, cases[i].name);
		ATF_CHECK_EQ(h.port, cases[i].port);
	}
}

struct name_case {
	const char	*name;
	const char	*host;
	int		 tls;
	int		 port;
	int		 name_ok;
	int		 port_ok;
};

ATF_TC_WITHOUT_HEAD(host_match);
ATF_TC_BODY(host_match, tc)
{
	static const struct name_case cases[] = {
		{ "echo.example.org", "ECHO.example.org", 0, 80, 1, 1 },
		{ "echo.example.org", "echo.example.org:80", 0, 80, 1, 1 },
		{ "echo.example.org", "echo.example.org", 0, 8080, 1, 0 },
		{ "echo.example.org", "echo.example.org:8080", 0, 8080, 1, 1 },
		{ "echo.example.org", "echo.example.org:8081", 0, 8080, 1, 0 },
		{ "echo.example.org", "echo.example.org", 1, 443, 1, 1 },
		{ "echo.example.org", "echo.example.org", 1, 80, 1, 0 },
		{ "echo.example.org", "echo.example.org.evil.com", 0, 80,
		    0, 1 },
		{ "echo.example.org", "xecho.example.org", 0, 80, 0, 1 },
		{ "echo.example.org", "example.org", 0, 80, 0, 1 },
		{ "::1", "[::1]:8080", 0, 8080, 1, 1 },
		{ "[::1]", "[0::1]:8080", 0, 8080, 1, 1 },
		{ "::1", "[::2]", 0, 80, 0, 1 },
		{ "127.0.0.1", "127.0.0.1:8080", 0, 8080, 1, 1 },
		{ "127.0.0.1", "127.0.0.10:8080", 0, 8080, 0, 1 },
	};
	struct hostport	 h;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ATF_REQUIRE_MSG(host_parse(cases[i].host, strlen(cases[i].host),
		    &h) == 0, "%s", cases[i].host);
		ATF_CHECK_EQ_MSG(host_name_match(cases[i].name, &h),
		    cases[i].name_ok, "%s as %s", cases[i].host,
		    cases[i].name);
		ATF_CHECK_EQ_MSG(host_port_match(&h, cases[i].tls,
		    cases[i].port), cases[i].port_ok, "%s on port %d",
		    cases[i].host, cases[i].port);
	}
}

struct path_case {
	const char	*target;
	int		 ok;
	size_t		 pathlen;
};

ATF_TC_WITHOUT_HEAD(target_path);
ATF_TC_BODY(target_path, tc)
{
	static const struct path_case cases[] = {
		{ "/", 1, 1 },
		{ "/chat", 1, 5 },
		{ "/chat?x=1", 1, 5 },
		{ "/chat/x?y/../z", 1, 7 },
		{ "/?", 1, 1 },
		{ "/a/.b/..c", 1, 9 },
		{ "", 0, 0 },
		{ "chat", 0, 0 },
		{ "*", 0, 0 },
		{ "http://example.org/chat", 0, 0 },
		{ "/chat#x", 0, 0 },
		{ "/chat/../admin", 0, 0 },
		{ "/chat/./x", 0, 0 },
		{ "/..", 0, 0 },
		{ "/chat/..", 0, 0 },
		{ "/chat/.?x", 0, 0 },
	};
	size_t	 i, len;
	int	 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = target_path(cases[i].target, strlen(cases[i].target),
		    &len);
		ATF_CHECK_EQ_MSG(r == 0, cases[i].ok, "%s", cases[i].target);
		if (r == 0 && cases[i].ok)
			ATF_CHECK_EQ_MSG(len, cases[i].pathlen, "%s",
			    cases[i].target);
	}
}

struct prefix_case {
	const char	*loc;
	const char	*path;
	int		 match;
};

ATF_TC_WITHOUT_HEAD(path_prefix);
ATF_TC_BODY(path_prefix, tc)
{
	static const struct prefix_case cases[] = {
		{ "/chat", "/chat", 1 },
		{ "/chat", "/chat/x", 1 },
		{ "/chat", "/chatroom", 0 },
		{ "/chat", "/cha", 0 },
		{ "/chat", "/Chat", 0 },
		{ "/chat/", "/chat/x", 1 },
		{ "/chat/", "/chat", 0 },
		{ "/", "/anything", 1 },
		{ "/", "/", 1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ATF_CHECK_EQ_MSG(path_prefix_match(cases[i].loc, cases[i].path,
		    strlen(cases[i].path)), cases[i].match, "%s in %s",
		    cases[i].path, cases[i].loc);
	ATF_CHECK(path_check("/chat") == 0);
	ATF_CHECK(path_check("chat") == -1);
	ATF_CHECK(path_check("/chat?x") == -1);
	ATF_CHECK(path_check("/a b") == -1);
	ATF_CHECK(path_check("/a/../b") == -1);
}

ATF_TC_WITHOUT_HEAD(token_list);
ATF_TC_BODY(token_list, tc)
{
	static const char	*good = " chat.v1 ,, superchat\t,x ";
	static const char	*bad[] = { "a b", "a;b", "a, \"b\"", "a,/" };
	const char		*p, *tok, *want[] = { "chat.v1", "superchat",
				    "x" };
	size_t			 len, i, n = 0;
	int			 r;

	p = good;
	while ((r = token_list_next(&p, good + strlen(good), &tok, &len)) ==
	    1) {
		ATF_REQUIRE(n < 3);
		ATF_CHECK_EQ(len, strlen(want[n]));
		ATF_CHECK(strncmp(tok, want[n], len) == 0);
		n++;
	}
	ATF_CHECK_EQ(r, 0);
	ATF_CHECK_EQ(n, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i];
		while ((r = token_list_next(&p, bad[i] + strlen(bad[i]), &tok,
		    &len)) == 1)
			;
		ATF_CHECK_EQ_MSG(r, -1, "%s", bad[i]);
	}
}

/* A table: server 0 "echo.example.org" (alias "www.example.org") on
 * listener 0 with origins and locations; server 1 on listener 1 only. */
static void
table(struct hs_servers *t)
{
	struct ipc_server	 is;
	struct ipc_alias	 ia;
	struct ipc_origin	 io;
	struct ipc_location	 il;
	struct ipc_subproto	 ip;
	const char		*errstr;

	TAILQ_INIT(t);
	memset(&is, 0, sizeof(is));
	strlcpy(is.name, "echo.example.org", sizeof(is.name));
	strlcpy(is.health, "/health", sizeof(is.health));
	is.listeners = 1;
	ATF_REQUIRE(servers_add(t, IPC_SERVER, &is, sizeof(is), &errstr) == 0);
	memset(&ia, 0, sizeof(ia));
	strlcpy(ia.name, "www.example.org", sizeof(ia.name));
	ATF_REQUIRE(servers_add(t, IPC_ALIAS, &ia, sizeof(ia), &errstr) == 0);
	memset(&io, 0, sizeof(io));
	strlcpy(io.origin, "https://*.example.org", sizeof(io.origin));
	ATF_REQUIRE(servers_add(t, IPC_ORIGIN, &io, sizeof(io), &errstr) == 0);
	memset(&il, 0, sizeof(il));
	il.id = 7;
	strlcpy(il.path, "/chat", sizeof(il.path));
	ATF_REQUIRE(servers_add(t, IPC_LOCATION, &il, sizeof(il),
	    &errstr) == 0);
	il.id = 8;
	strlcpy(il.path, "/chat/admin", sizeof(il.path));
	ATF_REQUIRE(servers_add(t, IPC_LOCATION, &il, sizeof(il),
	    &errstr) == 0);
	memset(&ip, 0, sizeof(ip));
	ip.location = 7;
	strlcpy(ip.name, "chat.v2", sizeof(ip.name));
	ATF_REQUIRE(servers_add(t, IPC_SUBPROTO, &ip, sizeof(ip),
	    &errstr) == 0);
	strlcpy(ip.name, "chat.v1", sizeof(ip.name));
	ATF_REQUIRE(servers_add(t, IPC_SUBPROTO, &ip, sizeof(ip),
	    &errstr) == 0);
	memset(&is, 0, sizeof(is));
	is.id = 1;
	strlcpy(is.name, "other.example.org", sizeof(is.name));
	is.listeners = 2;
	is.flags = IPC_SERVER_ORIGIN_REQUIRED;
	ATF_REQUIRE(servers_add(t, IPC_SERVER, &is, sizeof(is), &errstr) == 0);
}

ATF_TC_WITHOUT_HEAD(table_messages);
ATF_TC_BODY(table_messages, tc)
{
	struct hs_servers	 t;
	struct ipc_server	 is;
	struct ipc_alias	 ia;
	struct ipc_location	 il;
	struct ipc_subproto	 ip;
	const char		*errstr;

	table(&t);
	memset(&is, 'A', sizeof(is));		/* no terminator */
	is.id = 5;
	ATF_CHECK(servers_add(&t, IPC_SERVER, &is, sizeof(is), &errstr) == -1);
	memset(&is, 0, sizeof(is));		/* a repeated id */
	ATF_CHECK(servers_add(&t, IPC_SERVER, &is, sizeof(is), &errstr) == -1);
	ATF_CHECK(servers_add(&t, IPC_SERVER, &is, sizeof(is) - 1,
	    &errstr) == -1);
	memset(&ia, 0, sizeof(ia));
	ia.server = 9;				/* unknown server */
	ATF_CHECK(servers_add(&t, IPC_ALIAS, &ia, sizeof(ia), &errstr) == -1);
	memset(&il, 0, sizeof(il));
	strlcpy(il.path, "chat", sizeof(il.path));
	ATF_CHECK(servers_add(&t, IPC_LOCATION, &il, sizeof(il),
	    &errstr) == -1);
	memset(&ip, 0, sizeof(ip));
	ip.location = 99;			/* unknown location */
	strlcpy(ip.name, "x", sizeof(ip.name));
	ATF_CHECK(servers_add(&t, IPC_SUBPROTO, &ip, sizeof(ip),
	    &errstr) == -1);
	ip.location = WSD_NOLOCATION;
	strlcpy(ip.name, "a b", sizeof(ip.name));
	ATF_CHECK(servers_add(&t, IPC_SUBPROTO, &ip, sizeof(ip),
	    &errstr) == -1);
	ATF_CHECK(servers_add(&t, IPC_CONN, &ip, sizeof(ip), &errstr) == -1);
	servers_free(&t);
}

struct policy_case {
	const char	*what;
	unsigned int	 listener;
	const char	*target;
	const char	*headers;
	int		 status;
	int		 location;	/* -1: none */
	const char	*subproto;
};

static void
listener(struct ipc_listener *l, unsigned int id)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&l->ss;

	memset(l, 0, sizeof(*l));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(id == 0 ? 8080 : 80);
	l->id = id;
}

ATF_TC_WITHOUT_HEAD(policy);
ATF_TC_BODY(policy, tc)
{
	static const struct policy_case cases[] = {
		{ "name", 0, "/chat", "Host: echo.example.org:8080\r\n",
		    0, 7, NULL },
		{ "alias", 0, "/chat/x?y", "Host: WWW.example.org:8080\r\n",
		    0, 7, NULL },
		{ "longest prefix", 0, "/chat/admin/x",
		    "Host: echo.example.org:8080\r\n", 0, 8, NULL },
		{ "no location", 0, "/chatroom",
		    "Host: echo.example.org:8080\r\n", 404, -1, NULL },
		{ "dot segment", 0, "/chat/../x",
		    "Host: echo.example.org:8080\r\n", 400, -1, NULL },
		{ "no port", 0, "/chat", "Host: echo.example.org\r\n",
		    421, -1, NULL },
		{ "wrong port", 0, "/chat", "Host: echo.example.org:8081\r\n",
		    421, -1, NULL },
		{ "unknown host", 0, "/chat", "Host: evil.example.org:8080\r\n",
		    421, -1, NULL },
		{ "server of another listener", 0, "/chat",
		    "Host: other.example.org:8080\r\n", 421, -1, NULL },
		{ "malformed host", 0, "/chat", "Host: a b\r\n", 400, -1,
		    NULL },
		{ "wildcard origin", 0, "/chat",
		    "Host: echo.example.org:8080\r\n"
		    "Origin: https://a.example.org\r\n", 0, 7, NULL },
		{ "look-alike 1", 0, "/chat", "Host: echo.example.org:8080\r\n"
		    "Origin: https://a.example.org.evil.com\r\n", 403, -1,
		    NULL },
		{ "look-alike 2", 0, "/chat", "Host: echo.example.org:8080\r\n"
		    "Origin: https://example.org.evil.com\r\n", 403, -1, NULL },
		{ "bare domain", 0, "/chat", "Host: echo.example.org:8080\r\n"
		    "Origin: https://example.org\r\n", 403, -1, NULL },
		{ "null", 0, "/chat", "Host: echo.example.org:8080\r\n"
		    "Origin: null\r\n", 403, -1, NULL },
		{ "two origins", 0, "/chat", "Host: echo.example.org:8080\r\n"
		    "Origin: https://a.example.org\r\n"
		    "Origin: https://a.example.org\r\n", 403, -1, NULL },
		{ "subprotocol chosen", 0, "/chat",
		    "Host: echo.example.org:8080\r\n"
		    "Sec-WebSocket-Protocol: x, chat.v1\r\n"
		    "Sec-WebSocket-Protocol: chat.v2\r\n", 0, 7, "chat.v1" },
		{ "subprotocol none matching", 0, "/chat",
		    "Host: echo.example.org:8080\r\n"
		    "Sec-WebSocket-Protocol: x, y\r\n", 400, -1, NULL },
		{ "subprotocol malformed", 0, "/chat",
		    "Host: echo.example.org:8080\r\n"
		    "Sec-WebSocket-Protocol: chat.v1;q=1\r\n", 400, -1, NULL },
		{ "subprotocol not listed here", 0, "/chat/admin",
		    "Host: echo.example.org:8080\r\n"
		    "Sec-WebSocket-Protocol: chat.v1\r\n", 0, 8, NULL },
		{ "origin required", 1, "/", "Host: other.example.org\r\n",
		    403, -1, NULL },
		{ "same origin", 1, "/", "Host: other.example.org\r\n"
		    "Origin: http://other.example.org\r\n", 0, -1, NULL },
		{ "other origin", 1, "/", "Host: other.example.org\r\n"
		    "Origin: http://evil.example.org\r\n", 403, -1, NULL },
		{ "https is not same origin on ws", 1, "/",
		    "Host: other.example.org\r\n"
		    "Origin: https://other.example.org\r\n", 403, -1, NULL },
	};
	struct hs_servers	 t;
	struct ipc_listener	 l;
	struct http_request	 req;
	struct hs_policy	 p;
	char			 head[1024];
	const char		*reason;
	size_t			 i;
	int			 status;

	table(&t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\n%s\r\n",
		    cases[i].target, cases[i].headers);
		ATF_REQUIRE_MSG(http_parse_request(head, strlen(head), &req,
		    &reason) == 0, "%s: %s", cases[i].what, reason);
		listener(&l, cases[i].listener);
		status = policy_check(&t, &l, &req, NULL, &p);
		ATF_CHECK_EQ_MSG(status, cases[i].status, "%s: %d (%s)",
		    cases[i].what, status, p.reason ? p.reason : "");
		if (status != 0 || cases[i].status != 0)
			continue;
		ATF_CHECK_EQ_MSG(p.loc ? (int)p.loc->id : -1,
		    cases[i].location, "%s", cases[i].what);
		if (cases[i].subproto == NULL)
			ATF_CHECK_MSG(p.subproto == NULL, "%s", cases[i].what);
		else
			ATF_CHECK_STREQ_MSG(p.subproto ? p.subproto : "",
			    cases[i].subproto, "%s", cases[i].what);
	}
	servers_free(&t);
}

ATF_TC_WITHOUT_HEAD(sni);
ATF_TC_BODY(sni, tc)
{
	static const struct {
		const char	*host;
		const char	*sni;
		int		 status;
	} cases[] = {
		{ "echo.example.org:8080", NULL, 0 },
		{ "echo.example.org:8080", "echo.example.org", 0 },
		{ "echo.example.org:8080", "WWW.Example.ORG", 0 },
		{ "www.example.org:8080", "echo.example.org", 0 },
		{ "echo.example.org:8080", "other.example.org", 421 },
		{ "echo.example.org:8080", "evil.example.org", 421 },
		{ "echo.example.org:8080", "example.org", 421 },
		{ "evil.example.org:8080", "echo.example.org", 421 },
	};
	struct hs_servers	 t;
	const struct hs_server	*s0, *s1;
	struct ipc_listener	 l;
	struct http_request	 req;
	struct hs_policy	 p;
	char			 head[256];
	const char		*reason;
	size_t			 i;

	table(&t);
	s0 = TAILQ_FIRST(&t);
	s1 = TAILQ_NEXT(s0, entry);
	ATF_CHECK(policy_sni(s0, NULL));
	ATF_CHECK(policy_sni(s0, "echo.example.org"));
	ATF_CHECK(policy_sni(s0, "ECHO.example.org"));
	ATF_CHECK(policy_sni(s0, "www.example.org"));
	ATF_CHECK(!policy_sni(s0, "other.example.org"));
	ATF_CHECK(!policy_sni(s0, "echo.example.org."));
	ATF_CHECK(!policy_sni(s0, "echo.example.or"));
	ATF_CHECK(!policy_sni(s0, ""));
	ATF_CHECK(policy_sni(s1, "other.example.org"));
	ATF_CHECK(!policy_sni(s1, "www.example.org"));
	/* In the policy: after the server is chosen by Host. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(head, sizeof(head), "GET /chat HTTP/1.1\r\n"
		    "Host: %s\r\n\r\n", cases[i].host);
		ATF_REQUIRE(http_parse_request(head, strlen(head), &req,
		    &reason) == 0);
		listener(&l, 0);
		ATF_CHECK_EQ_MSG(policy_check(&t, &l, &req, cases[i].sni, &p),
		    cases[i].status, "host %s sni %s", cases[i].host,
		    cases[i].sni ? cases[i].sni : "none");
	}
	servers_free(&t);
}

ATF_TC_WITHOUT_HEAD(health);
ATF_TC_BODY(health, tc)
{
	static const struct {
		const char	*head;
		int		 health;
	} cases[] = {
		{ "GET /health HTTP/1.1\r\nHost: echo.example.org:8080\r\n",
		    1 },
		{ "GET /health?x HTTP/1.1\r\nHost: echo.example.org:8080\r\n",
		    1 },
		{ "GET /health/x HTTP/1.1\r\nHost: echo.example.org:8080\r\n",
		    0 },
		{ "GET /healthz HTTP/1.1\r\nHost: echo.example.org:8080\r\n",
		    0 },
		{ "GET /health HTTP/1.1\r\nHost: evil.example.org:8080\r\n",
		    0 },
		{ "GET /health HTTP/1.1\r\nHost: echo.example.org\r\n", 0 },
	};
	struct hs_servers	 t;
	struct ipc_listener	 l;
	struct http_request	 req;
	char			 head[512];
	const char		*reason;
	size_t			 i;

	table(&t);
	listener(&l, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(head, sizeof(head), "%s\r\n", cases[i].head);
		ATF_REQUIRE(http_parse_request(head, strlen(head), &req,
		    &reason) == 0);
		ATF_CHECK_EQ_MSG(policy_health(&t, &l, &req), cases[i].health,
		    "%s", cases[i].head);
	}
	servers_free(&t);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, origin_parse);
	ATF_TP_ADD_TC(tp, origin_match);
	ATF_TP_ADD_TC(tp, origin_same);
	ATF_TP_ADD_TC(tp, host_parse);
	ATF_TP_ADD_TC(tp, host_match);
	ATF_TP_ADD_TC(tp, target_path);
	ATF_TP_ADD_TC(tp, path_prefix);
	ATF_TP_ADD_TC(tp, token_list);
	ATF_TP_ADD_TC(tp, table_messages);
	ATF_TP_ADD_TC(tp, policy);
	ATF_TP_ADD_TC(tp, sni);
	ATF_TP_ADD_TC(tp, health);
	return (atf_no_error());
}
