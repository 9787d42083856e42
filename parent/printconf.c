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
 * wsd -nv: the configuration as the daemon understood it, every default
 * filled in, host names resolved, in the grammar of wsd.conf(5), so the
 * output loads again to the same configuration.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <tls.h>

#include "parent.h"

/* A quoted string the lexer reads back as it was. */
static void
print_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_global(FILE *f, const struct wsd_config *c)
{
	char		 addr[INET6_ADDRSTRLEN];
	unsigned int	 i;

	fprintf(f, "user ");
	print_str(f, c->user);
	fprintf(f, "\nchroot ");
	print_str(f, c->chroot);
	fprintf(f, "\nsocket ");
	print_str(f, c->socket);
	fprintf(f, "\nprefork handshake %u\n", c->prefork_handshake);
	fprintf(f, "prefork worker %u\n", c->prefork_worker);
	fprintf(f, "prefork password %u\n", c->prefork_password);
	for (i = 0; i < c->nproxy_from; i++)
		fprintf(f, "proxy from \"%s/%u\"\n", inet_ntop(
		    c->proxy_from[i].family, c->proxy_from[i].addr, addr,
		    sizeof(addr)), c->proxy_from[i].prefixlen);
	fprintf(f, "timeout handshake %u\n", c->timeout_handshake);
	fprintf(f, "timeout idle %u\n", c->timeout_idle);
	fprintf(f, "timeout shutdown %u\n", c->timeout_shutdown);
	fprintf(f, "ping interval %u\n", c->ping_interval);
	fprintf(f, "max header %u\n", c->max_header);
	fprintf(f, "max message %llu\n", c->max_message);
	fprintf(f, "max fragments %u\n", c->max_fragments);
	fprintf(f, "max messages per second %u\n", c->max_rate);
	fprintf(f, "max connections %u\n", c->max_conns);
	fprintf(f, "max connections per address %u\n", c->max_conns_addr);
	fprintf(f, "compression %s\n", c->compression ? "on" : "off");
	fprintf(f, "tls ticket lifetime %u\n", c->ticket_lifetime);
}

static void
print_listen(FILE *f, const struct wsd_listener *l)
{
	char	 host[INET6_ADDRSTRLEN];
	int	 port;

	if (l->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&l->ss)->
		    sin_addr, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in *)&l->ss)->sin_port);
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&l->ss)->
		    sin6_addr, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in6 *)&l->ss)->sin6_port);
	}
	fprintf(f, "\tlisten on %s port %d%s%s\n", host, port,
	    l->tls ? " tls" : "", l->proxy ? " proxy" : "");
}

static void
print_strs(FILE *f, const char *indent, const char *kw,
    const struct wsd_strs *list)
{
	const struct wsd_str	*s;

	TAILQ_FOREACH(s, list, entry) {
		fprintf(f, "%s%s ", indent, kw);
		print_str(f, s->s);
		fputc('\n', f);
	}
}

static void
print_tls(FILE *f, const struct wsd_server *s)
{
	static const struct {
		uint32_t	 bit;
		char		 name[8];
	} protos[] = {
		{ TLS_PROTOCOL_TLSv1_0, "tlsv1.0" },
		{ TLS_PROTOCOL_TLSv1_1, "tlsv1.1" },
		{ TLS_PROTOCOL_TLSv1_2, "tlsv1.2" },
		{ TLS_PROTOCOL_TLSv1_3, "tlsv1.3" },
	};
	const char	*sep = "";
	size_t		 i;

	if (s->tls_file[TLS_FILE_CERT].path[0] != '\0') {
		fprintf(f, "\ttls certificate ");
		print_str(f, s->tls_file[TLS_FILE_CERT].path);
		fputc('\n', f);
	}
	if (s->tls_file[TLS_FILE_KEY].path[0] != '\0') {
		fprintf(f, "\ttls key ");
		print_str(f, s->tls_file[TLS_FILE_KEY].path);
		fputc('\n', f);
	}
	if (s->tls_file[TLS_FILE_CA].path[0] != '\0') {
		fprintf(f, "\ttls client ca ");
		print_str(f, s->tls_file[TLS_FILE_CA].path);
		fprintf(f, "%s\n", s->tls_conf.verify == TLS_VERIFY_OPTIONAL ?
		    " optional" : "");
	}
	if (s->tls_file[TLS_FILE_OCSP].path[0] != '\0') {
		fprintf(f, "\ttls ocsp ");
		print_str(f, s->tls_file[TLS_FILE_OCSP].path);
		fputc('\n', f);
	}
	fprintf(f, "\ttls protocols \"");
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (s->tls_conf.protocols & protos[i].bit) {
			fprintf(f, "%s%s", sep, protos[i].name);
			sep = ",";
		}
	fprintf(f, "\"\n");
	if (s->tls_conf.ciphers[0] != '\0') {
		fprintf(f, "\ttls ciphers ");
		print_str(f, s->tls_conf.ciphers);
		fputc('\n', f);
	}
	if (s->tls_conf.ecdhe[0] != '\0') {
		fprintf(f, "\ttls ecdhe ");
		print_str(f, s->tls_conf.ecdhe);
		fputc('\n', f);
	}
}

/* " kw \"value\"", for an option that is set. */
static void
print_opt(FILE *f, const char *kw, const char *value)
{
	if (value[0] == '\0')
		return;
	fprintf(f, " %s ", kw);
	print_str(f, value);
}

static void
print_auth(FILE *f, const char *indent, const struct wsd_auth *a)
{
	const struct wsd_auth_cert	*ac;
	const struct wsd_auth_token	*at;
	const struct wsd_auth_basic	*ab;
	const struct wsd_claim		*cl;

	if (a->tls_required)
		fprintf(f, "%stls required\n", indent);
	TAILQ_FOREACH(ac, &a->certs, entry) {
		fprintf(f, "%sauthenticate client certificate", indent);
		print_opt(f, "subject", ac->subject);
		print_opt(f, "fingerprint", ac->fingerprint);
		fputc('\n', f);
	}
	TAILQ_FOREACH(at, &a->tokens, entry) {
		fprintf(f, "%sauthenticate token ", indent);
		print_str(f, at->key.path);
		print_opt(f, "cookie", at->cookie);
		print_opt(f, "query", at->query);
		print_opt(f, "audience", at->audience);
		print_opt(f, "issuer", at->issuer);
		if (at->leeway != 60)
			fprintf(f, " leeway %d", at->leeway);
		if (at->insecure)
			fprintf(f, " insecure");
		fputc('\n', f);
	}
	TAILQ_FOREACH(ab, &a->basics, entry) {
		fprintf(f, "%sauthenticate basic ", indent);
		print_str(f, ab->file.path);
		print_opt(f, "realm", ab->realm);
		if (ab->insecure)
			fprintf(f, " insecure");
		fputc('\n', f);
	}
	print_strs(f, indent, "allow subject", &a->allow_subjects);
	print_strs(f, indent, "allow user", &a->allow_users);
	TAILQ_FOREACH(cl, &a->allow_claims, entry) {
		fprintf(f, "%sallow claim ", indent);
		print_str(f, cl->name);
		fputc(' ', f);
		print_str(f, cl->value);
		fputc('\n', f);
	}
}

static void
print_server(FILE *f, const struct wsd_config *c, const struct wsd_server *s)
{
	const struct wsd_alias		*a;
	const struct wsd_listener	*l;
	const struct wsd_location	*loc;

	fprintf(f, "\nserver ");
	print_str(f, s->name);
	fprintf(f, " {\n");
	TAILQ_FOREACH(a, &s->aliases, entry) {
		fprintf(f, "\talias ");
		print_str(f, a->name);
		fputc('\n', f);
	}
	TAILQ_FOREACH(l, &c->listeners, entry)
		if (s->listeners & (1ULL << l->id))
			print_listen(f, l);
	if (s->tls)
		print_tls(f, s);
	print_strs(f, "\t", "origin", &s->origins);
	if (s->origin_required)
		fprintf(f, "\torigin required\n");
	print_strs(f, "\t", "subprotocol", &s->protos);
	print_auth(f, "\t", &s->auth);
	if (s->health[0] != '\0') {
		fprintf(f, "\thealth ");
		print_str(f, s->health);
		fputc('\n', f);
	}
	if (s->console[0] != '\0') {
		fprintf(f, "\tconsole ");
		print_str(f, s->console);
		fputc('\n', f);
	}
	TAILQ_FOREACH(loc, &s->locations, entry) {
		fprintf(f, "\tlocation ");
		print_str(f, loc->path);
		fprintf(f, " {\n");
		print_strs(f, "\t\t", "subprotocol", &loc->protos);
		print_auth(f, "\t\t", &loc->auth);
		if (loc->max_message != 0)
			fprintf(f, "\t\tmax message %llu\n", loc->max_message);
		fprintf(f, "\t}\n");
	}
	fprintf(f, "}\n");
}

void
config_print(FILE *f, const struct wsd_config *c)
{
	const struct wsd_server	*s;

	print_global(f, c);
	TAILQ_FOREACH(s, &c->servers, entry)
		print_server(f, c, s);
}
