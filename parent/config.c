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
 * A configuration's life in the parent: made by the parser, its files
 * read, its listeners bound, pushed to every child as a message sequence
 * that ends in start (or, at a reload, in reconf-end), and freed.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"
#include "../handshake/jwt.h"

#define LISTEN_BACKLOG	1024

static void	 strs_free(struct wsd_strs *);
static void	 auth_free(struct wsd_auth *);
static void	 config_send(struct child *);
static void	 config_send_servers(struct child *);
static void	 config_send_tls(struct child *);
static void	 config_send_listeners(struct child *);
static void	 tickets_send(struct child *);
static void	 ticket_rotate(int, short, void *);

struct wsd_config *
config_new(void)
{
	struct wsd_config	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->prefork_handshake = 2;
	c->prefork_worker = 2;
	c->prefork_password = 2;
	c->max_header = 8192;
	c->timeout_handshake = 10;
	c->timeout_shutdown = WSD_SHUTDOWN_WAIT;
	c->timeout_idle = 300;
	c->ping_interval = 30;
	c->max_message = 16 * 1024 * 1024;
	c->max_fragments = 65536;
	c->max_rate = 0;
	c->max_conns = 10000;
	c->max_conns_addr = 256;
	c->compression = 1;
	c->ticket_lifetime = 3600;
	strlcpy(c->user, WSD_USER, sizeof(c->user));
	strlcpy(c->chroot, WSD_CHROOT, sizeof(c->chroot));
	strlcpy(c->socket, WSD_SOCKET, sizeof(c->socket));
	TAILQ_INIT(&c->servers);
	TAILQ_INIT(&c->listeners);
	return (c);
}

static void
tls_file_free(struct wsd_tls_file *f)
{
	if (f->data != NULL) {
		explicit_bzero(f->data, f->len);
		free(f->data);
	}
	f->data = NULL;
	f->len = 0;
}

void
config_free(struct wsd_config *c)
{
	struct wsd_server	*s;
	struct wsd_alias	*a;
	struct wsd_listener	*l;
	struct wsd_location	*lo;
	int			 i;

	if (c == NULL)
		return;
	while ((s = TAILQ_FIRST(&c->servers)) != NULL) {
		while ((a = TAILQ_FIRST(&s->aliases)) != NULL) {
			TAILQ_REMOVE(&s->aliases, a, entry);
			free(a);
		}
		while ((lo = TAILQ_FIRST(&s->locations)) != NULL) {
			TAILQ_REMOVE(&s->locations, lo, entry);
			strs_free(&lo->protos);
			auth_free(&lo->auth);
			free(lo);
		}
		strs_free(&s->origins);
		strs_free(&s->protos);
		auth_free(&s->auth);
		TAILQ_REMOVE(&c->servers, s, entry);
		for (i = 0; i < TLS_FILE_MAXKIND; i++)
			tls_file_free(&s->tls_file[i]);
		free(s);
	}
	while ((l = TAILQ_FIRST(&c->listeners)) != NULL) {
		TAILQ_REMOVE(&c->listeners, l, entry);
		if (l->fd != -1)
			close(l->fd);
		free(l->others);
		free(l);
	}
	free(c);
}

/*
 * Once every handshake process has its copy, the parent keeps no private
 * key (it re-reads the files on reload). Certificates and CAs are public.
 */
/*
 * The secrets of a server's and its locations' authenticate lines, token
 * keys (a shared secret is one) and htpasswd files, to fn.
 */
static int
config_secrets(struct wsd_server *s, int (*fn)(struct wsd_auth *))
{
	struct wsd_location	*l;

	if (fn(&s->auth) == -1)
		return (-1);
	TAILQ_FOREACH(l, &s->locations, entry)
		if (fn(&l->auth) == -1)
			return (-1);
	return (0);
}

static int
secrets_wipe(struct wsd_auth *a)
{
	struct wsd_auth_token	*t;
	struct wsd_auth_basic	*b;

	TAILQ_FOREACH(t, &a->tokens, entry)
		tls_file_free(&t->key);
	TAILQ_FOREACH(b, &a->basics, entry)
		tls_file_free(&b->file);
	return (0);
}

/*
 * For a respawn: each file again. One that no longer reads or checks
 * stays unread (config_send_auth sends its line empty, to refuse every
 * client of it); the others are read all the same.
 */
static int
secrets_reread(struct wsd_auth *a)
{
	struct wsd_auth_token	*t;
	struct wsd_auth_basic	*b;
	const char		*errstr;
	unsigned int		 line;
	int			 rv = 0;

	TAILQ_FOREACH(t, &a->tokens, entry)
		if (t->key.data == NULL && config_token_key_read(t,
		    t->key.path, &errstr) == -1) {
			log_warnx("%s: %s", t->key.path, errstr);
			rv = -1;
		}
	TAILQ_FOREACH(b, &a->basics, entry)
		if (b->file.data == NULL && config_basic_read(b, b->file.path,
		    &line, &errstr) == -1) {
			log_warnx("%s:%u: %s", b->file.path, line, errstr);
			rv = -1;
		}
	return (rv);
}

void
config_wipe_keys(struct wsd_config *c)
{
	struct wsd_server	*s;

	TAILQ_FOREACH(s, &c->servers, entry) {
		tls_file_free(&s->tls_file[TLS_FILE_KEY]);
		(void)config_secrets(s, secrets_wipe);
	}
}

static void
strs_free(struct wsd_strs *list)
{
	struct wsd_str	*e;

	while ((e = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, e, entry);
		free(e);
	}
}

static void
auth_free(struct wsd_auth *a)
{
	struct wsd_auth_cert	*ac;
	struct wsd_auth_token	*at;
	struct wsd_auth_basic	*ab;
	struct wsd_claim	*cl;

	while ((ac = TAILQ_FIRST(&a->certs)) != NULL) {
		TAILQ_REMOVE(&a->certs, ac, entry);
		free(ac);
	}
	while ((at = TAILQ_FIRST(&a->tokens)) != NULL) {
		TAILQ_REMOVE(&a->tokens, at, entry);
		tls_file_free(&at->key);
		free(at);
	}
	while ((ab = TAILQ_FIRST(&a->basics)) != NULL) {
		TAILQ_REMOVE(&a->basics, ab, entry);
		tls_file_free(&ab->file);
		free(ab);
	}
	while ((cl = TAILQ_FIRST(&a->allow_claims)) != NULL) {
		TAILQ_REMOVE(&a->allow_claims, cl, entry);
		free(cl);
	}
	strs_free(&a->allow_subjects);
	strs_free(&a->allow_users);
}

/* Read a PEM file whole; *errstr says why not. */
static int
pem_read(const char *path, struct wsd_tls_file *f, const char **errstr)
{
	struct stat	 st;
	uint8_t		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errstr = strerror(errno);
		return (-1);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size > TLS_FILE_MAX) {
		*errstr = "not a regular file of 1 to 65536 bytes";
		close(fd);
		return (-1);
	}
	if ((buf = malloc(st.st_size)) == NULL) {
		*errstr = "out of memory";
		close(fd);
		return (-1);
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, st.st_size - len)) > 0)
		len += n;
	close(fd);
	if (len != (size_t)st.st_size) {
		*errstr = "short read";
		explicit_bzero(buf, len);
		free(buf);
		return (-1);
	}
	tls_file_free(f);
	f->data = buf;
	f->len = len;
	if (f->path != path)
		strlcpy(f->path, path, sizeof(f->path));
	return (0);
}

/* A certificate, key, CA or OCSP file of server s, for the parser. */
/* A token's key file: read, and checked to be a key jwt.c can use. */
int
config_token_key_read(struct wsd_auth_token *t, const char *path,
    const char **errstr)
{
	struct jwt_key	 k;

	if (pem_read(path, &t->key, errstr) == -1)
		return (-1);
	if (t->key.len > WSD_TOKEN_KEY_MAX) {
		*errstr = "larger than 16384 bytes";
		tls_file_free(&t->key);
		return (-1);
	}
	if (jwt_key_load(&k, t->key.data, t->key.len, errstr) == -1) {
		tls_file_free(&t->key);
		return (-1);
	}
	t->alg = k.alg;
	jwt_key_free(&k);
	return (0);
}

/* A user of an htpasswd file being checked, for the duplicates. */
struct basic_names {
	char		(*names)[WSD_USER_MAX];
	size_t		 n;
};

static int
basic_name_new(const char *name, size_t len, const char *hash, void *arg)
{
	struct basic_names	*bn = arg;
	char			(*p)[WSD_USER_MAX];
	size_t			 i;

	for (i = 0; i < bn->n; i++)
		if (strlen(bn->names[i]) == len &&
		    memcmp(bn->names[i], name, len) == 0)
			return (-1);
	if ((p = reallocarray(bn->names, bn->n + 1, sizeof(*p))) == NULL)
		return (-1);
	bn->names = p;
	memset(p[bn->n], 0, sizeof(p[0]));
	memcpy(p[bn->n++], name, len);
	return (0);
}

/*
 * An htpasswd file: read, and checked as the handshake process will
 * check it. On error, *line is its line (0: the file as a whole).
 */
int
config_basic_read(struct wsd_auth_basic *b, const char *path,
    unsigned int *line, const char **errstr)
{
	struct basic_names	 bn = { NULL, 0 };
	int			 rv;

	*line = 0;
	if (pem_read(path, &b->file, errstr) == -1)
		return (-1);
	if (b->file.len > WSD_HTPASSWD_MAX) {
		*errstr = "larger than 65536 bytes";
		tls_file_free(&b->file);
		return (-1);
	}
	rv = htpasswd_parse(b->file.data, b->file.len, basic_name_new, &bn,
	    line, errstr);
	free(bn.names);
	if (rv == -1)
		tls_file_free(&b->file);
	else if (bn.n == 0) {
		*line = 0;
		*errstr = "no users";
		tls_file_free(&b->file);
		rv = -1;
	}
	return (rv);
}

int
config_tls_file_read(struct wsd_server *s, enum tls_file_kind kind,
    const char *path, const char **errstr)
{
	return (pem_read(path, &s->tls_file[kind], errstr));
}

/*
 * The keys again, from their files, for a handshake process that is
 * respawned after the parent wiped its copies.
 */
int
config_read_keys(struct wsd_config *c)
{
	struct wsd_server	*s;
	struct wsd_tls_file	*f;
	const char		*errstr;
	int			 rv = 0;

	TAILQ_FOREACH(s, &c->servers, entry) {
		if (config_secrets(s, secrets_reread) == -1)
			rv = -1;
		f = &s->tls_file[TLS_FILE_KEY];
		if (f->path[0] == '\0' || f->data != NULL)
			continue;
		if (pem_read(f->path, f, &errstr) == -1) {
			log_warnx("%s: %s", f->path, errstr);
			rv = -1;
		}
	}
	return (rv);
}

/* Returns -1, with the reason logged, when the address cannot be had. */
static int
bind_one(struct wsd_listener *l)
{
	char		 addr[64];
	int		 on = 1;
	socklen_t	 len;

	sockaddr_str((struct sockaddr *)&l->ss, addr, sizeof(addr));
	len = l->ss.ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if ((l->fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 ||
	    /* Accepted sockets inherit it: no Nagle wait on echoes. */
	    setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &on,
	    sizeof(on)) == -1 ||
	    (l->ss.ss_family == AF_INET6 && setsockopt(l->fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    bind(l->fd, (struct sockaddr *)&l->ss, len) == -1 ||
	    listen(l->fd, LISTEN_BACKLOG) == -1) {
		log_warn("listen on %s", addr);
		if (l->fd != -1)
			close(l->fd);
		l->fd = -1;
		return (-1);
	}
	log_debug("listening on %s%s", addr, l->tls ? " tls" : "");
	return (0);
}

void
config_bind(struct wsd_config *c)
{
	struct wsd_listener	*l;

	TAILQ_FOREACH(l, &c->listeners, entry)
		if (bind_one(l) == -1)
			fatalx("cannot listen");
}

/* The listener of old that serves the same address, if any. */
static struct wsd_listener *
listener_match(struct wsd_config *old, const struct wsd_listener *l)
{
	struct wsd_listener	*o;

	TAILQ_FOREACH(o, &old->listeners, entry)
		if (o->fd != -1 && o->tls == l->tls &&
		    sockaddr_same(&o->ss, &l->ss))
			return (o);
	return (NULL);
}

/*
 * Sockets that stay are handed over, so no connection in a listen queue
 * is lost; new addresses are bound first, and if one cannot be, the
 * reload fails with nothing changed.
 */
int
config_rebind(struct wsd_config *old, struct wsd_config *nc)
{
	struct wsd_listener	*l, *o;

	TAILQ_FOREACH(l, &nc->listeners, entry)
		if (listener_match(old, l) == NULL &&
		    bind_one(l) == -1) {
			TAILQ_FOREACH(l, &nc->listeners, entry)
				if (l->fd != -1) {
					close(l->fd);
					l->fd = -1;
				}
			return (-1);
		}
	TAILQ_FOREACH(l, &nc->listeners, entry)
		if (l->fd == -1 && (o = listener_match(old, l)) != NULL) {
			l->fd = o->fd;
			o->fd = -1;
		}
	return (0);
}

/*
 * The networks whose balancers may send PROXY headers: those of the
 * proxy from lines, else the loopback networks.
 */
static void
config_send_proxy_from(struct child *c)
{
	struct proxy_net	 lo[2];
	const struct proxy_net	*n = env->conf->proxy_from;
	unsigned int		 i, count = env->conf->nproxy_from;

	if (count == 0) {
		memset(lo, 0, sizeof(lo));
		lo[0].family = AF_INET;
		lo[0].prefixlen = 8;
		lo[0].addr[0] = 127;
		lo[1].family = AF_INET6;
		lo[1].prefixlen = 128;
		lo[1].addr[15] = 1;
		n = lo;
		count = 2;
	}
	for (i = 0; i < count; i++)
		ipc_compose(c->chan, IPC_PROXY_FROM, &n[i], sizeof(n[i]), NULL,
		    0, -1);
}

/* The configuration in force, as the message sequence a child reads. */
static void
config_send(struct child *c)
{
	struct ipc_config	 ic;

	memset(&ic, 0, sizeof(ic));
	ic.id_base = c->id_base;
	ic.respawns = c->respawns;
	ic.instance = c->instance;
	ic.verbose = log_getverbose();
	ic.prefork_handshake = env->conf->prefork_handshake;
	ic.prefork_worker = env->conf->prefork_worker;
	ic.max_header = env->conf->max_header;
	ic.timeout_handshake = env->conf->timeout_handshake;
	ic.timeout_shutdown = env->conf->timeout_shutdown;
	ic.timeout_idle = env->conf->timeout_idle;
	ic.ping_interval = env->conf->ping_interval;
	ic.max_message = env->conf->max_message;
	ic.max_fragments = env->conf->max_fragments;
	ic.max_rate = env->conf->max_rate;
	ic.compression = env->conf->compression;
	ic.max_conns = env->conf->max_conns;
	ic.max_conns_addr = env->conf->max_conns_addr;
	ic.ticket_lifetime = env->ntickets > 0 ? env->conf->ticket_lifetime : 0;
	ic.privdrop = env->conf->privdrop;
	ic.uid = env->conf->uid;
	ic.gid = env->conf->gid;
	strlcpy(ic.chroot, env->conf->chroot, sizeof(ic.chroot));
	ipc_compose(c->chan, IPC_CONFIG, &ic, sizeof(ic), NULL, 0, -1);
	if (c->role == ROLE_HANDSHAKE) {
		config_send_servers(c);
		config_send_tls(c);
		tickets_send(c);
		config_send_proxy_from(c);
		config_send_listeners(c);
	}
}

void
config_start(struct child *c)
{
	config_send(c);
	ipc_compose(c->chan, IPC_START, NULL, 0, NULL, 0, -1);
}

/*
 * A reload: a handshake process gets the new configuration between
 * reconf and reconf-end and confirms it with ready; a worker needs
 * only the settings. One still starting reads this after its start
 * sequence, which had the old configuration: the channel keeps the
 * order.
 */
void
config_reload(struct child *c)
{
	if (c->role != ROLE_HANDSHAKE) {
		config_send(c);
		return;
	}
	ipc_compose(c->chan, IPC_RECONF, NULL, 0, NULL, 0, -1);
	config_send(c);
	ipc_compose(c->chan, IPC_RECONF_END, NULL, 0, NULL, 0, -1);
	c->reloading = 1;
	env->reload_waiting++;
}
/* Settings, then certificate, key and CA of every server with tls. */
static void
config_send_tls(struct child *c)
{
	struct wsd_server	*s;
	struct ipc_tls_file	 tf;
	int			 k;

	TAILQ_FOREACH(s, &env->conf->servers, entry) {
		if (!s->tls)
			continue;
		s->tls_conf.server = s->id;
		ipc_compose(c->chan, IPC_TLS_SERVER, &s->tls_conf,
		    sizeof(s->tls_conf), NULL, 0, -1);
		for (k = 0; k < TLS_FILE_MAXKIND; k++) {
			if (s->tls_file[k].data == NULL)
				continue;
			tf.server = s->id;
			tf.kind = k;
			ipc_compose(c->chan, IPC_TLS_FILE, &tf, sizeof(tf),
			    s->tls_file[k].data, s->tls_file[k].len, -1);
		}
	}
}

/*
 * Session-ticket keys, shared by the handshake processes so that a
 * client resumes whichever one it reaches. libtls takes a key to be
 * good for one ticket lifetime from when it was added and keeps the
 * last WSD_TICKET_KEYS; a new key every quarter of the lifetime lets a
 * ticket issued just before a rotation resume for at least three
 * quarters of its lifetime.
 */
static void
ticket_new(void)
{
	explicit_bzero(&env->tickets[WSD_TICKET_KEYS - 1], sizeof(env->tickets[0]));
	memmove(&env->tickets[1], &env->tickets[0], sizeof(env->tickets) - sizeof(env->tickets[0]));
	env->tickets[0].keyrev = env->tickets[1].keyrev + 1;
	if (env->ntickets == 0)
		env->tickets[0].keyrev = arc4random();
	arc4random_buf(env->tickets[0].key, sizeof(env->tickets[0].key));
	if (env->ntickets < WSD_TICKET_KEYS)
		env->ntickets++;
}

static void
ticket_send(struct child *c, const struct ipc_tls_ticket *t)
{
	ipc_compose(c->chan, IPC_TLS_TICKET, t, sizeof(*t), NULL, 0, -1);
}

/* Every key still held, oldest first: libtls encrypts with the last. */
static void
tickets_send(struct child *c)
{
	unsigned int	 i;

	for (i = env->ntickets; i > 0; i--)
		ticket_send(c, &env->tickets[i - 1]);
}

void
tickets_init(void)
{
	struct wsd_server	*s;
	struct timeval		 tv;

	TAILQ_FOREACH(s, &env->conf->servers, entry)
		if (s->tls)
			break;
	if (s == NULL || env->conf->ticket_lifetime == 0)
		return;
	ticket_new();
	if ((env->ev_ticket = event_new(env->base, -1, EV_PERSIST,
	    ticket_rotate, NULL)) == NULL)
		fatalx("%s: event_new", __func__);
	timerclear(&tv);
	tv.tv_sec = env->conf->ticket_lifetime / 4;
	evtimer_add(env->ev_ticket, &tv);
}

static void
ticket_rotate(int fd, short event, void *arg)
{
	struct child	*c;

	ticket_new();
	CHILD_FOREACH(c, ROLE_HANDSHAKE, CHILDREN_RUNNING)
		if (c->chan != NULL)
			ticket_send(c, &env->tickets[0]);
	log_debug("tls ticket key %u", env->tickets[0].keyrev);
}
static void
config_send_listeners(struct child *c)
{
	struct ipc_listener		 il;
	struct ipc_listener_server	 ils;
	struct wsd_listener		*l;
	unsigned int			 i;
	int				 fd;

	TAILQ_FOREACH(l, &env->conf->listeners, entry) {
		memset(&il, 0, sizeof(il));
		il.ss = l->ss;
		il.server = l->server;
		il.tls = l->tls;
		il.id = l->id;
		il.proxy = l->proxy;
		if ((fd = dup(l->fd)) == -1)
			fatal("%s: dup", __func__);
		ipc_compose(c->chan, IPC_LISTENER, &il, sizeof(il), NULL, 0,
		    fd);
		for (i = 0; i < l->nothers; i++) {
			memset(&ils, 0, sizeof(ils));
			ils.ss = l->ss;
			ils.server = l->others[i];
			ipc_compose(c->chan, IPC_LISTENER_SERVER, &ils,
			    sizeof(ils), NULL, 0, -1);
		}
	}
}

static void
config_send_item(struct child *c, uint32_t type, const void *data, size_t len)
{
	ipc_compose(c->chan, type, data, len, NULL, 0, -1);
}

static void
config_send_protos(struct child *c, uint32_t server, uint32_t location,
    struct wsd_strs *protos)
{
	struct ipc_subproto	 ip;
	struct wsd_str		*e;

	TAILQ_FOREACH(e, protos, entry) {
		memset(&ip, 0, sizeof(ip));
		ip.server = server;
		ip.location = location;
		strlcpy(ip.name, e->s, sizeof(ip.name));
		config_send_item(c, IPC_SUBPROTO, &ip, sizeof(ip));
	}
}

/* One authenticate or allow line: a pattern, and a fingerprint or value. */
static void
config_send_auth_line(struct child *c, uint32_t server, uint32_t location,
    uint32_t kind, const char *pattern, const char *more)
{
	struct ipc_auth	 ia;

	memset(&ia, 0, sizeof(ia));
	ia.server = server;
	ia.location = location;
	ia.kind = kind;
	strlcpy(ia.pattern, pattern, sizeof(ia.pattern));
	if (kind == AUTH_CERT)
		strlcpy(ia.fingerprint, more, sizeof(ia.fingerprint));
	else if (kind == AUTH_ALLOW_CLAIM)
		strlcpy(ia.value, more, sizeof(ia.value));
	config_send_item(c, IPC_AUTH, &ia, sizeof(ia));
}

/* A server's or a location's authenticate and allow lines. */
static void
config_send_auth(struct child *c, uint32_t server, uint32_t location,
    struct wsd_auth *a)
{
	struct ipc_auth_token	 it;
	struct ipc_auth_basic	 ib;
	struct wsd_auth_cert	*ac;
	struct wsd_auth_token	*at;
	struct wsd_auth_basic	*ab;
	struct wsd_claim	*cl;
	struct wsd_str		*e;

	TAILQ_FOREACH(ac, &a->certs, entry)
		config_send_auth_line(c, server, location, AUTH_CERT,
		    ac->subject, ac->fingerprint);
	TAILQ_FOREACH(e, &a->allow_subjects, entry)
		config_send_auth_line(c, server, location, AUTH_ALLOW_SUBJECT,
		    e->s, NULL);
	TAILQ_FOREACH(e, &a->allow_users, entry)
		config_send_auth_line(c, server, location, AUTH_ALLOW_USER,
		    e->s, NULL);
	TAILQ_FOREACH(cl, &a->allow_claims, entry)
		config_send_auth_line(c, server, location, AUTH_ALLOW_CLAIM,
		    cl->name, cl->value);
	/* The key as data: the handshake process opens no file. */
	TAILQ_FOREACH(at, &a->tokens, entry) {
		if (at->key.data == NULL)
			log_warnx("%s gets no key from %s: that authenticate "
			    "token line refuses every token until a reload",
			    c->name, at->key.path);
		memset(&it, 0, sizeof(it));
		it.server = server;
		it.location = location;
		it.leeway = at->leeway;
		it.keylen = at->key.data != NULL ? at->key.len : 0;
		strlcpy(it.cookie, at->cookie, sizeof(it.cookie));
		strlcpy(it.query, at->query, sizeof(it.query));
		strlcpy(it.audience, at->audience, sizeof(it.audience));
		strlcpy(it.issuer, at->issuer, sizeof(it.issuer));
		ipc_compose(c->chan, IPC_AUTH_TOKEN, &it, sizeof(it),
		    at->key.data, it.keylen, -1);
	}
	TAILQ_FOREACH(ab, &a->basics, entry) {
		if (ab->file.data == NULL)
			log_warnx("%s gets no users from %s: that authenticate "
			    "basic line refuses every password until a reload",
			    c->name, ab->file.path);
		memset(&ib, 0, sizeof(ib));
		ib.server = server;
		ib.location = location;
		strlcpy(ib.realm, ab->realm, sizeof(ib.realm));
		ipc_compose(c->chan, IPC_AUTH_BASIC, &ib, sizeof(ib),
		    ab->file.data, ab->file.data != NULL ? ab->file.len : 0,
		    -1);
	}
}

static void
config_send_server(struct child *c, struct wsd_server *s)
{
	struct ipc_server	 is;
	struct ipc_alias	 ia;
	struct ipc_origin	 io;
	struct wsd_alias	*a;
	struct wsd_str		*e;

	memset(&is, 0, sizeof(is));
	is.id = s->id;
	is.flags = s->origin_required ? IPC_SERVER_ORIGIN_REQUIRED : 0;
	if (s->auth.tls_required)
		is.flags |= IPC_SERVER_TLS_REQUIRED;
	is.listeners = s->listeners;
	strlcpy(is.name, s->name, sizeof(is.name));
	strlcpy(is.health, s->health, sizeof(is.health));
	strlcpy(is.console, s->console, sizeof(is.console));
	config_send_item(c, IPC_SERVER, &is, sizeof(is));
	TAILQ_FOREACH(a, &s->aliases, entry) {
		memset(&ia, 0, sizeof(ia));
		ia.server = s->id;
		strlcpy(ia.name, a->name, sizeof(ia.name));
		config_send_item(c, IPC_ALIAS, &ia, sizeof(ia));
	}
	TAILQ_FOREACH(e, &s->origins, entry) {
		memset(&io, 0, sizeof(io));
		io.server = s->id;
		strlcpy(io.origin, e->s, sizeof(io.origin));
		config_send_item(c, IPC_ORIGIN, &io, sizeof(io));
	}
	config_send_protos(c, s->id, WSD_NOLOCATION, &s->protos);
	config_send_auth(c, s->id, WSD_NOLOCATION, &s->auth);
}

/* The server table, for the policy: see IPC_SERVER in wsd.h. */
static void
config_send_servers(struct child *c)
{
	struct wsd_server	*s;
	struct wsd_location	*l;
	struct ipc_location	 il;

	TAILQ_FOREACH(s, &env->conf->servers, entry) {
		config_send_server(c, s);
		TAILQ_FOREACH(l, &s->locations, entry) {
			memset(&il, 0, sizeof(il));
			il.server = s->id;
			il.id = l->id;
			il.max_message = l->max_message;
			if (l->auth.tls_required)
				il.flags |= IPC_SERVER_TLS_REQUIRED;
			strlcpy(il.path, l->path, sizeof(il.path));
			config_send_item(c, IPC_LOCATION, &il, sizeof(il));
			config_send_protos(c, s->id, l->id, &l->protos);
			config_send_auth(c, s->id, l->id, &l->auth);
		}
	}
}

