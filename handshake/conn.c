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
 * A connection in the handshake process, from accept to hand-off: the
 * parent's admission, the TLS handshake on a tls listener, the request
 * head within a size limit and a deadline, then 101 and the hand-off to
 * a worker, or an error answer and a drain until the client closes.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>

#include "handshake.h"

#define RESPONSE_MAX	1024
#define DRAIN_TIMEOUT	2	/* s to read what follows an error */
/* A flood of bad requests must not fill the disk: lines a second. */
#define LOG_REFUSALS	20
#define LOG_FIELD_MAX	128	/* of a client's string, escaped */
#define TLSINFO_MAX	384

enum hs_state {
	HS_PROXY,		/* reading the balancer's PROXY header */
	HS_ADMIT,		/* waiting for the parent's admission */
	HS_TLS_HANDSHAKE,
	HS_READ_HEAD,
	HS_CHECK_PASSWORD,	/* a password process has the password */
	HS_WRITE_101,
	HS_WRITE_ERROR,
	HS_DRAIN		/* error sent; read until EOF, then close */
};

struct hs_conn {
	TAILQ_ENTRY(hs_conn)	 entry;
	TAILQ_ENTRY(hs_conn)	 admit_entry;	/* HS_ADMIT, HS_CHECK_PASSWORD */
	int			 fd;
	int			 counted;	/* the parent counts it */
	struct tls		*tls;		/* NULL for ws:// */
	struct tlsio		*io;		/* the socket under tls */
	char			 identity[WSD_IDENTITY_MAX];	/* auth.c */
	int64_t			 expires;	/* a token's exp */
	int			 pw_peer;	/* HS_CHECK_PASSWORD: who checks */
	int			 pw_unknown;	/* not a user: fails anyway */
	int			 wipe;		/* buf held credentials */
	uint16_t		 dport;		/* PROXY: the balancer's port */
	enum hs_state		 state;
	uint64_t		 id;
	struct sockaddr_storage	 peer;
	const struct hs_listener *l;
	struct hs_policy	 pol;		/* points into buf */
	struct ws_deflate_params deflate;
	struct event		*ev;
	short			 evflags;	/* what ev waits for now */
	event_callback_fn	 evcb;
	struct event		*ev_timeout;
	struct http_reader	 reader;
	uint8_t			*buf;
	size_t			 bufsize;	/* max_header when accepted */
	size_t			 len;
	size_t			 headlen;
	char			 out[RESPONSE_MAX];
	size_t			 outlen;
	size_t			 outoff;
	const char		*body;		/* static, written after out */
	size_t			 bodylen;
	char			 tlsinfo[TLSINFO_MAX];	/* for the log */
};

static void	 hs_admit(struct hs_conn *);
static void	 hs_proxy_read(int, short, void *);
static const struct ipc_listener *hs_listener_conf(struct hs_conn *,
		    struct ipc_listener *);
static void	 hs_tls_handshake(int, short, void *);
static void	 hs_read(int, short, void *);
static void	 hs_request(struct hs_conn *, int);
static void	 hs_check_password(struct hs_conn *, struct auth_result *);
static void	 hs_write(int, short, void *);
static void	 hs_timeout(int, short, void *);
static void	 hs_wait(struct hs_conn *, short, event_callback_fn);
static void	 hs_unwait(struct hs_conn *);
static int	 hs_io_moved(struct hs_conn *, ssize_t, event_callback_fn);
static void	 hs_respond(struct hs_conn *, int, const char *,
		    const char *);
static void	 hs_respond_101(struct hs_conn *, const char *, const char *);
static void	 hs_respond_health(struct hs_conn *);
static void	 hs_respond_console(struct hs_conn *,
		    const struct hostport *, int);
static void	 hs_refuse_policy(struct hs_conn *,
		    const struct http_request *, int);
static size_t	 hs_log_accepted(struct hs_conn *, uint8_t *, size_t);
static void	 hs_log_line(const uint8_t *, size_t);
static int	 hs_refusal_loggable(void);
static void	 hs_drain(struct hs_conn *);
static void	 hs_handoff(struct hs_conn *);
static int	 hs_handoff_fd(struct hs_conn *, unsigned int);
static void	 hs_close(struct hs_conn *);

void
hs_accept(int fd, short event, void *arg)
{
	struct hs_listener	*l = arg;
	struct hs_conn		*c;
	struct sockaddr_storage	 ss;
	struct timeval		 tv;
	char			 peer[64];
	socklen_t		 len = sizeof(ss);
	int			 s;

	if ((s = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("%s: pausing accept", __func__);
			hs_accept_pause();
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept", __func__);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->buf = malloc(hs_env.conf.max_header)) == NULL) {
		log_warn("%s", __func__);
		free(c);
		close(s);
		return;
	}
	c->fd = s;
	c->peer = ss;
	c->l = l;
	c->bufsize = hs_env.conf.max_header;
	l->gen->refs++;
	c->id = hs_env.conf.id_base | ++hs_env.next_id;
	c->state = HS_READ_HEAD;	/* HS_ADMIT once asked */
	c->ev = event_new(hs_env.base, -1, 0, hs_read, c);
	c->ev_timeout = evtimer_new(hs_env.base, hs_timeout, c);
	TAILQ_INSERT_TAIL(&hs_env.conns, c, entry);
	if (c->ev == NULL || c->ev_timeout == NULL) {
		log_warnx("%s: event_new", __func__);
		hs_close(c);
		return;
	}
	if (l->tls != NULL && tlsio_accept(l->tls, &c->tls, s, &c->io) == -1) {
		log_warnx("%s: tls_accept_cbs: %s", __func__,
		    tls_error(l->tls) != NULL ? tls_error(l->tls) :
		    "out of memory");
		hs_close(c);
		return;
	}
	/*
	 * The deadline covers admission, the TLS handshake and the request
	 * head. Nothing is read before the parent admits the connection,
	 * but a balancer's PROXY header, which names the client to admit.
	 */
	timerclear(&tv);
	tv.tv_sec = hs_env.conf.timeout_handshake;
	evtimer_add(c->ev_timeout, &tv);
	if (!l->conf.proxy) {
		hs_admit(c);
		return;
	}
	if (!proxy_trusted(&c->peer, l->gen->proxy_from,
	    l->gen->nproxy_from)) {
		hs_env.stats.proxy_refused++;
		if (hs_refusal_loggable())
			log_info("connection %llu from %s refused: not a "
			    "trusted proxy (proxy from), closed",
			    (unsigned long long)c->id, sockaddr_str(
			    (struct sockaddr *)&c->peer, peer, sizeof(peer)));
		hs_close(c);
		return;
	}
	c->state = HS_PROXY;
	hs_proxy_read(c->fd, EV_READ, c);
}

/*
 * The PROXY header, and not a byte more: a peek says how much of what
 * has come is header (proxy_scan), and only that is read, so what
 * follows stays in the socket for TLS or the request head. Every pass
 * takes bytes or ends the connection, so a header that comes in pieces
 * cannot make the level-triggered loop spin.
 */
static void
hs_proxy_read(int fd, short event, void *arg)
{
	struct hs_conn		*c = arg;
	struct proxy_hdr	 h;
	struct iovec		 iov;
	struct msghdr		 msg;
	const char		*why = "malformed PROXY header";
	char			 peer[64];
	size_t			 cap, hdrlen = 0, take;
	ssize_t			 n;
	int			 rv;

	cap = c->bufsize < PROXY_MAX ? c->bufsize : PROXY_MAX;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = c->buf + c->len;
	iov.iov_len = cap - c->len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if ((n = recvmsg(fd, &msg, MSG_PEEK)) == -1 &&
	    (errno == EAGAIN || errno == EINTR)) {
		hs_wait(c, EV_READ, hs_proxy_read);
		return;
	}
	if (n <= 0) {
		hs_close(c);
		return;
	}
	rv = proxy_scan(c->buf, c->len + n, &hdrlen);
	if (rv != PROXY_BAD) {
		take = rv == PROXY_MORE ? (size_t)n : hdrlen - c->len;
		if (read(fd, c->buf + c->len, take) != (ssize_t)take) {
			hs_close(c);
			return;
		}
		c->len += take;
		if (rv == PROXY_MORE && c->len < cap) {
			hs_wait(c, EV_READ, hs_proxy_read);
			return;
		}
	}
	if (rv != PROXY_DONE || proxy_parse(c->buf, c->len, &h, &why) == -1) {
		hs_env.stats.proxy_refused++;
		if (hs_refusal_loggable())
			log_info("connection %llu from %s refused: %s, closed",
			    (unsigned long long)c->id, sockaddr_str(
			    (struct sockaddr *)&c->peer, peer, sizeof(peer)),
			    rv == PROXY_DONE ? why : "malformed PROXY header");
		hs_close(c);
		return;
	}
	/* What follows waits in the socket until the parent admits. */
	hs_unwait(c);
	/* The client is who the balancer says; its port, where it came. */
	if (!h.local) {
		c->peer = h.src;
		c->dport = h.dst.ss_family == AF_INET6 ?
		    ntohs(((struct sockaddr_in6 *)&h.dst)->sin6_port) :
		    ntohs(((struct sockaddr_in *)&h.dst)->sin_port);
	}
	c->len = 0;
	hs_admit(c);
}

/*
 * The listener as the policy sees it: behind a balancer, the port the
 * client connected to is the balancer's, which Host names.
 */
static const struct ipc_listener *
hs_listener_conf(struct hs_conn *c, struct ipc_listener *copy)
{
	if (c->dport == 0)
		return (&c->l->conf);
	*copy = c->l->conf;
	if (copy->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&copy->ss)->sin6_port = htons(c->dport);
	else
		((struct sockaddr_in *)&copy->ss)->sin_port = htons(c->dport);
	return (copy);
}

/* Ask the parent to count the connection: see parent/limits.c. */
static void
hs_admit(struct hs_conn *c)
{
	struct ipc_admit	 ia;

	memset(&ia, 0, sizeof(ia));
	ia.id = c->id;
	ia.peer = c->peer;
	c->state = HS_ADMIT;
	TAILQ_INSERT_TAIL(&hs_env.admitting, c, admit_entry);
	if (ipc_compose(hs_env.parent, IPC_ADMIT, &ia, sizeof(ia), NULL, 0,
	    -1) == -1) {
		log_warnx("%s: connection %llu: cannot ask the parent",
		    __func__, (unsigned long long)c->id);
		hs_close(c);
	}
}

/* Tell the parent a connection it counted is closed. */
void
hs_release(uint64_t id)
{
	if (ipc_compose(hs_env.parent, IPC_RELEASE, &id, sizeof(id), NULL, 0,
	    -1) == -1)
		log_warnx("%s: connection %llu: cannot tell the parent",
		    __func__, (unsigned long long)id);
}

/*
 * The parent's answer. Over a limit, a ws:// client gets the status;
 * a tls client is closed without an answer, before its TLS handshake:
 * a flood must not cost us a handshake each.
 */
void
hs_admitted(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_admit_reply	 ir;
	struct hs_conn		*c;
	char			 peer[64];

	memcpy(&ir, msg->data, sizeof(ir));
	TAILQ_FOREACH(c, &hs_env.admitting, admit_entry)
		if (c->id == ir.id)
			break;
	if (c == NULL)
		return;		/* closed meanwhile; hs_close released it */
	TAILQ_REMOVE(&hs_env.admitting, c, admit_entry);
	c->state = HS_WRITE_ERROR;
	if (ir.status == 0) {
		c->counted = 1;
		c->state = c->tls != NULL ? HS_TLS_HANDSHAKE : HS_READ_HEAD;
		/*
		 * The client has usually sent already: try before waiting,
		 * and a socket with nothing yet waits (hs_io_moved).
		 */
		if (c->tls != NULL)
			hs_tls_handshake(c->fd, EV_READ, c);
		else
			hs_read(c->fd, EV_READ, c);
		return;
	}
	if (c->tls == NULL) {
		hs_respond(c, ir.status, ir.status == 429 ?
		    "max connections per address" : "max connections", NULL);
		return;
	}
	if (hs_refusal_loggable())
		log_info("connection %llu from %s refused: %s, closed",
		    (unsigned long long)c->id, sockaddr_str((struct sockaddr *)
		    &c->peer, peer, sizeof(peer)), ir.status == 429 ?
		    "max connections per address" : "max connections");
	hs_close(c);
}

/* Wait for what a step of the connection needs, changing only what differs. */
static void
hs_wait(struct hs_conn *c, short what, event_callback_fn cb)
{
	if (c->evflags == what && c->evcb == cb)
		return;
	event_del(c->ev);
	event_assign(c->ev, hs_env.base, c->fd, what | EV_PERSIST, cb, c);
	c->evflags = what;
	c->evcb = cb;
	event_add(c->ev, NULL);
}

/* Wait for nothing: bytes that come meanwhile stay in the socket. */
static void
hs_unwait(struct hs_conn *c)
{
	event_del(c->ev);
	c->evflags = 0;
	c->evcb = NULL;
}

/*
 * After io_read or io_write: 1 if bytes moved; else c waits in cb for
 * what the socket or libtls wants, or is closed, and 0.
 */
static int
hs_io_moved(struct hs_conn *c, ssize_t n, event_callback_fn cb)
{
	if (n == IO_WANT_READ || n == IO_WANT_WRITE) {
		hs_wait(c, n == IO_WANT_READ ? EV_READ : EV_WRITE, cb);
		return (0);
	}
	if (n <= 0) {
		hs_close(c);
		return (0);
	}
	return (1);
}

static void
hs_tls_handshake(int fd, short event, void *arg)
{
	struct hs_conn	*c = arg;
	char		 peer[64];
	int		 rv;

	rv = tls_handshake(c->tls);
	if (rv == TLS_WANT_POLLIN || rv == TLS_WANT_POLLOUT) {
		hs_wait(c, rv == TLS_WANT_POLLIN ? EV_READ : EV_WRITE,
		    hs_tls_handshake);
		return;
	}
	if (rv == -1) {
		hs_env.stats.tls_failures++;
		if (hs_refusal_loggable())
			log_info("connection %llu from %s: TLS handshake "
			    "failed: %s", (unsigned long long)c->id,
			    sockaddr_str((struct sockaddr *)&c->peer, peer,
			    sizeof(peer)), tls_error(c->tls));
		hs_close(c);
		return;
	}
	hs_tls_describe(c->tls, c->tlsinfo, sizeof(c->tlsinfo));
	c->state = HS_READ_HEAD;
	hs_wait(c, EV_READ, hs_read);
	/* The request may already sit decrypted in libtls. */
	hs_read(c->fd, EV_READ, c);
}

static void
hs_read(int fd, short event, void *arg)
{
	struct hs_conn		*c = arg;
	ssize_t			 n, head;

	if (c->state == HS_DRAIN) {
		hs_drain(c);
		return;
	}
	/* Until libtls has nothing left: no event comes for its buffer. */
	do {
		n = io_read(c->tls, c->io, fd, c->buf + c->len,
		    c->bufsize - c->len);
		if (!hs_io_moved(c, n, hs_read))
			return;
		c->len += n;
		head = http_reader_feed(&c->reader, c->buf, c->len,
		    c->bufsize);
		if (head == -1 || (head == 0 && c->len == c->bufsize)) {
			hs_respond(c, 431, "request head too large", NULL);
			return;
		}
	} while (head == 0);
	c->headlen = head;
	hs_request(c, 0);
}

/*
 * The request head is in c->buf: answer it. Once a password check has
 * admitted the client (authed), it is parsed again, the same, for what
 * the answer needs, and the checks before that are not made again.
 */
static void
hs_request(struct hs_conn *c, int authed)
{
	struct http_request	 req;
	struct ws_upgrade	 up;
	struct auth_result	 ar;
	struct ipc_listener	 copy;
	const struct ipc_listener *lc = hs_listener_conf(c, &copy);
	struct hostport		 hp;
	const char		*reason;
	char			 ext[RESPONSE_MAX / 2];
	int			 status;

	if ((status = http_parse_request((char *)c->buf, c->headlen, &req,
	    &reason)) != 0) {
		hs_respond(c, status, reason, NULL);
		return;
	}
	if (ws_check_upgrade(&req, &up) != 101) {
		if (up.plain_get && !up.head &&
		    policy_health(&c->l->gen->servers, lc, &req))
			hs_respond_health(c);
		else if (up.plain_get && policy_console(&c->l->gen->servers,
		    lc, &req, &hp))
			hs_respond_console(c, &hp, up.head);
		else
			hs_respond(c, up.status, up.reason, up.extra);
		return;
	}
	if (!authed) {
		if ((status = policy_check(&c->l->gen->servers, lc, &req,
		    c->tls != NULL ? tls_conn_servername(c->tls) : NULL,
		    &c->pol)) != 0) {
			hs_refuse_policy(c, &req, status);
			return;
		}
		c->wipe = http_header_find(&req, "Authorization", NULL) !=
		    NULL;
		if ((status = auth_check(c->tls, &c->pol, &req, &ar)) ==
		    AUTH_PENDING) {
			hs_check_password(c, &ar);
			return;
		}
		if (status != 0) {
			hs_respond(c, status, ar.reason, ar.extra);
			return;
		}
		strlcpy(c->identity, ar.identity, sizeof(c->identity));
		c->expires = ar.expires;
	}
	if (ws_negotiate_deflate(&req, hs_env.conf.compression, &c->deflate,
	    ext, sizeof(ext)) == -1) {
		hs_respond(c, 400, "malformed Sec-WebSocket-Extensions", NULL);
		return;
	}
	hs_respond_101(c, up.key, ext);
}

/*
 * A password goes to a password process; c waits for the answer with
 * no event of its own (what the client sends meanwhile stays in the
 * socket), under the handshake deadline it already has.
 */
static void
hs_check_password(struct hs_conn *c, struct auth_result *ar)
{
	int	 peer, waited;

	peer = pwcheck_send(c->id, ar, &waited);
	auth_wipe();
	if (peer == -1) {
		hs_env.stats.pw_busy++;
		hs_respond(c, 503, "basic: every password process is busy",
		    "Retry-After: 1");
		return;
	}
	hs_env.stats.pw_checks++;
	if (waited)
		hs_env.stats.pw_waited++;
	/* The user as sent, until the answer says who it is. */
	strlcpy(c->identity, ar->user, sizeof(c->identity));
	c->pw_unknown = ar->unknown;
	c->pw_peer = peer;
	c->state = HS_CHECK_PASSWORD;
	hs_unwait(c);
	TAILQ_INSERT_TAIL(&hs_env.checking, c, admit_entry);
}

static struct hs_conn *
hs_checking(unsigned int peer, uint64_t id)
{
	struct hs_conn	*c;

	TAILQ_FOREACH(c, &hs_env.checking, admit_entry)
		if (c->id == id && c->pw_peer == (int)peer)
			return (c);
	return (NULL);
}

/*
 * Password process peer's answer for connection id. One closed meanwhile
 * (timed out) is not found; nor is an id that process was not asked.
 */
void
hs_pw_answer(unsigned int peer, uint64_t id, int ok)
{
	struct hs_conn		*c;
	struct auth_result	 ar;
	char			 user[WSD_USER_MAX];
	int			 status;

	if ((c = hs_checking(peer, id)) == NULL)
		return;
	TAILQ_REMOVE(&hs_env.checking, c, admit_entry);
	c->state = HS_READ_HEAD;
	strlcpy(user, c->identity, sizeof(user));
	c->identity[0] = '\0';
	if ((status = auth_basic_done(&c->pol, user, c->pw_unknown, ok,
	    &ar)) != 0) {
		hs_respond(c, status, ar.reason, ar.extra);
		return;
	}
	strlcpy(c->identity, ar.identity, sizeof(c->identity));
	hs_request(c, 1);
}

/* Password process peer is gone, with the checks it had. */
void
hs_pw_lost(unsigned int peer)
{
	struct hs_conn	*c, *next;

	TAILQ_FOREACH_SAFE(c, &hs_env.checking, admit_entry, next) {
		if (c->pw_peer != (int)peer)
			continue;
		TAILQ_REMOVE(&hs_env.checking, c, admit_entry);
		c->state = HS_READ_HEAD;
		c->identity[0] = '\0';
		hs_env.stats.pw_busy++;
		hs_respond(c, 503, "basic: password process lost",
		    "Retry-After: 1");
	}
}

/*
 * A client's string for a log line: escaped with str_escape, the double
 * quote included, so that it stays one field of the line whatever it
 * holds; cut at LOG_FIELD_MAX escaped bytes, and quoted. log_write in
 * the parent escapes only what would break the line, not this again.
 */
static const char *
hs_logstr(char *buf, size_t size, const char *s, size_t len)
{
	char	 esc[LOG_FIELD_MAX + 1];
	int	 cut;

	if (s == NULL) {
		strlcpy(buf, "-", size);
		return (buf);
	}
	cut = str_escape(esc, sizeof(esc), s, len);
	snprintf(buf, size, "\"%s\"%s", esc, cut ? "..." : "");
	return (buf);
}

/* A policy refusal: its log line names what the client sent. */
static void
hs_refuse_policy(struct hs_conn *c, const struct http_request *req,
    int status)
{
	const struct http_header	*h;
	char				 host[LOG_FIELD_MAX + 8];
	char				 origin[LOG_FIELD_MAX + 8];
	char				 path[LOG_FIELD_MAX + 8];
	char				 target[LOG_FIELD_MAX * 2];
	char				 sni[LOG_FIELD_MAX + 8];
	char				 why[4 * LOG_FIELD_MAX + 128];
	const char			*name = NULL;

	h = http_header_find(req, "Host", NULL);
	hs_logstr(host, sizeof(host), h ? h->value : NULL,
	    h ? h->valuelen : 0);
	h = http_header_find(req, "Origin", NULL);
	hs_logstr(origin, sizeof(origin), h ? h->value : NULL,
	    h ? h->valuelen : 0);
	/* A token in the query is a credential: not for the log. */
	hs_logstr(path, sizeof(path), target, auth_redact(&c->l->gen->servers,
	    req->target, req->targetlen, target, sizeof(target)));
	if (c->tls != NULL)
		name = tls_conn_servername(c->tls);
	hs_logstr(sni, sizeof(sni), name, name ? strlen(name) : 0);
	snprintf(why, sizeof(why), "%s; host %s, origin %s, target %s%s%s",
	    c->pol.reason, host, origin, path, c->tls ? ", sni " : "",
	    c->tls ? sni : "");
	hs_respond(c, status, why, NULL);
}

static void
hs_start_write(struct hs_conn *c, int n)
{
	if (n < 0 || (size_t)n >= sizeof(c->out)) {
		hs_close(c);
		return;
	}
	c->outlen = n;
	c->outoff = 0;
	/* The socket almost always has room: wait for it only if not. */
	hs_write(c->fd, EV_WRITE, c);
}

static void
hs_respond_101(struct hs_conn *c, const char *key, const char *ext)
{
	char	 accept[WS_ACCEPT_LEN + 1];

	ws_accept_key(key, accept);
	c->state = HS_WRITE_101;
	hs_start_write(c, snprintf(c->out, sizeof(c->out), "HTTP/1.1 101 %s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n%s%s%s%s\r\n", http_status_text(101),
	    accept, c->pol.subproto ? "Sec-WebSocket-Protocol: " : "",
	    c->pol.subproto ? c->pol.subproto : "",
	    c->pol.subproto ? "\r\n" : "", ext));
}

/* For load balancers: short, and the connection closes like an error. */
static void
hs_respond_health(struct hs_conn *c)
{
	log_debug("connection %llu: health check", (unsigned long long)c->id);
	hs_env.stats.health++;
	c->state = HS_WRITE_ERROR;
	hs_start_write(c, snprintf(c->out, sizeof(c->out), "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 3\r\n\r\nok\n"));
}

/* The console page (console.c), for people; it closes like an error. */
static void
hs_respond_console(struct hs_conn *c, const struct hostport *hp, int head)
{
	log_debug("connection %llu: console%s", (unsigned long long)c->id,
	    head ? ", head" : "");
	c->state = HS_WRITE_ERROR;
	if (!head)
		c->body = console_page(&c->bodylen);
	hs_start_write(c, console_head(c->out, sizeof(c->out), hp,
	    c->tls != NULL));
}

void
hs_refusals_summary(int fd, short event, void *arg)
{
	log_info("%lu refusals not logged", hs_env.refusals.dropped);
	hs_env.refusals.dropped = 0;
}

/*
 * At most LOG_REFUSALS refusal lines a second, failed TLS handshakes
 * included (a client can make as many of those); what is left out is
 * counted, and the count logged a second after the first one left out.
 */
static int
hs_refusal_loggable(void)
{
	struct timeval	 tv;
	time_t		 now = time(NULL);

	if (now != hs_env.refusals.sec) {
		hs_env.refusals.sec = now;
		hs_env.refusals.logged = 0;
	}
	if (hs_env.refusals.logged < LOG_REFUSALS) {
		hs_env.refusals.logged++;
		return (1);
	}
	if (hs_env.refusals.dropped++ == 0) {
		timerclear(&tv);
		tv.tv_sec = 1;
		evtimer_add(hs_env.refusals.ev, &tv);
	}
	return (0);
}

/* An error answer; extra is one more header line, reason is logged. */
static void
hs_respond(struct hs_conn *c, int status, const char *reason,
    const char *extra)
{
	static const int	 codes[] = HS_STATUSES;
	char			 peer[64];
	size_t			 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == status)
			break;
	hs_env.stats.refused[i]++;	/* the last slot: any other */
	if (hs_refusal_loggable())
		log_info("connection %llu from %s refused: %d (%s)",
		    (unsigned long long)c->id, sockaddr_str((struct sockaddr *)
		    &c->peer, peer, sizeof(peer)), status, reason);
	c->state = HS_WRITE_ERROR;
	hs_start_write(c, http_response(c->out, sizeof(c->out), status,
	    extra));
}

/*
 * After an error answer, read and drop what the client still sends until
 * it closes: closing with unread input would reset the connection and
 * could destroy the answer before the client has read it.
 */
static void
hs_drain(struct hs_conn *c)
{
	uint8_t	 buf[1024];
	ssize_t	 n;

	n = read(c->fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		hs_close(c);
}

static void
hs_write(int fd, short event, void *arg)
{
	struct hs_conn	*c = arg;
	struct timeval	 tv;
	ssize_t		 n;

	while (c->outoff < c->outlen) {
		n = io_write(c->tls, fd, c->out + c->outoff,
		    c->outlen - c->outoff);
		if (!hs_io_moved(c, n, hs_write))
			return;
		c->outoff += n;
	}
	while (c->bodylen > 0) {
		n = io_write(c->tls, fd, c->body, c->bodylen);
		if (!hs_io_moved(c, n, hs_write))
			return;
		c->body += n;
		c->bodylen -= n;
	}
	if (c->state == HS_WRITE_101) {
		hs_handoff(c);
		return;
	}
	/* One try at close_notify; the drain below reads raw bytes. */
	if (c->tls != NULL)
		(void)tls_close(c->tls);
	shutdown(fd, SHUT_WR);
	c->state = HS_DRAIN;
	hs_wait(c, EV_READ, hs_read);
	timerclear(&tv);
	tv.tv_sec = DRAIN_TIMEOUT;
	evtimer_add(c->ev_timeout, &tv);
}

/*
 * The accept line, in line (struct ipc_log and text) to ride on the
 * hand-off notice to the parent; a wss:// one, which has no notice, is
 * sent alone.
 */
static size_t
hs_log_accepted(struct hs_conn *c, uint8_t *line, size_t size)
{
	char	 peer[64], path[LOG_FIELD_MAX + 8], origin[LOG_FIELD_MAX + 8];
	size_t	 len;

	if (c->tls != NULL)
		hs_env.stats.accepted_tls++;
	else
		hs_env.stats.accepted_plain++;

	len = log_attach(line, size, LOG_INFO, "connection %llu from %s "
	    "accepted: server %s, path %s, origin %s, subprotocol %s%s%s%s%s%s",
	    (unsigned long long)c->id,
	    sockaddr_str((struct sockaddr *)&c->peer, peer, sizeof(peer)),
	    TAILQ_FIRST(&c->pol.srv->names)->name,
	    hs_logstr(path, sizeof(path), c->pol.path, c->pol.pathlen),
	    hs_logstr(origin, sizeof(origin), c->pol.origin,
	    c->pol.originlen), c->pol.subproto ? c->pol.subproto : "-",
	    c->tls != NULL ? ", tls" : "", c->tls != NULL ? c->tlsinfo : "",
	    c->identity[0] != '\0' ? ", identity \"" : "", c->identity,
	    c->identity[0] != '\0' ? "\"" : "");
	if (c->tls != NULL) {
		hs_log_line(line, len);
		len = 0;
	}
	return (len);
}

/* A line made by log_attach, sent alone after all. */
static void
hs_log_line(const uint8_t *line, size_t len)
{
	if (len > sizeof(struct ipc_log))
		log_info("%.*s", (int)(len - sizeof(struct ipc_log)),
		    (const char *)line + sizeof(struct ipc_log));
}

/*
 * Least connections: the live worker with the fewest open connections
 * that we handed to it (each reports its closes to us), ties in turn.
 * Other handshake processes fill the workers too; each one balancing
 * its own share balances the whole well enough, without a round trip.
 */
static int
hs_choose_worker(void)
{
	struct hs_workers	*ws = &hs_env.workers;
	unsigned int		 i, w;
	int			 best = -1;

	for (i = 0; i < ws->n; i++) {
		w = (ws->next + i) % ws->n;
		if (ws->chan[w] != NULL && (best == -1 ||
		    ws->load[w] < ws->load[best]))
			best = w;
	}
	if (best != -1)
		ws->next = best + 1;
	return (best);
}

/* The channel closes our copy of the socket once sent. */
static void
hs_handoff(struct hs_conn *c)
{
	struct ipc_conn		 ic;
	struct ipc_handoff	 ih;
	struct ipc_chan		*w;
	uint8_t			 line[IPC_LOG_ATTACH_MAX];
	size_t			 linelen;
	int			 fd, wi, relayed = c->tls != NULL;

	w = (wi = hs_choose_worker()) == -1 ? NULL : hs_env.workers.chan[wi];
	if (w == NULL) {
		log_warnx("%s: connection %llu dropped: no worker", __func__,
		    (unsigned long long)c->id);
		hs_close(c);
		return;
	}
	/* Before the hand-off takes the TLS session to the relay. */
	linelen = hs_log_accepted(c, line, sizeof(line));
	if ((fd = hs_handoff_fd(c, wi)) == -1) {
		hs_log_line(line, linelen);
		hs_close(c);
		return;
	}
	/* A wss:// connection is the relay's now, to release at its end. */
	if (relayed)
		c->counted = 0;
	memset(&ic, 0, sizeof(ic));
	ic.id = c->id;
	ic.peer = c->peer;
	ic.server = c->pol.srv->id;
	ic.location = c->pol.loc ? c->pol.loc->id : WSD_NOLOCATION;
	ic.max_message = c->pol.loc && c->pol.loc->max_message ?
	    c->pol.loc->max_message : hs_env.conf.max_message;
	if (c->pol.subproto != NULL)
		strlcpy(ic.subproto, c->pol.subproto, sizeof(ic.subproto));
	ic.deflate = c->deflate;
	ic.tls = relayed;
	strlcpy(ic.identity, c->identity, sizeof(ic.identity));
	ic.expires = c->expires;
	ic.extra_len = c->len - c->headlen;
	if (ipc_compose(w, IPC_CONN, &ic, sizeof(ic), c->buf + c->headlen,
	    ic.extra_len, fd) == -1) {
		hs_log_line(line, linelen);
		log_warnx("%s: connection %llu lost in hand-off", __func__,
		    (unsigned long long)c->id);
		hs_close(c);
		return;
	}
	hs_env.workers.load[wi]++;
	/* A ws:// connection is the worker's to close and release. */
	if (!relayed) {
		memset(&ih, 0, sizeof(ih));
		ih.id = c->id;
		ih.worker = wi;
		ih.pid = hs_env.workers.pid[wi];
		if (ipc_compose(hs_env.parent, IPC_HANDOFF, &ih, sizeof(ih),
		    line, linelen, -1) == 0)
			c->counted = 0;
	}
	hs_close(c);
}

/*
 * What the worker gets: the client socket for ws://; for wss:// one end
 * of a socketpair, the other going to the relay with the TLS session
 * and the client socket. Either way c no longer owns them.
 */
static int
hs_handoff_fd(struct hs_conn *c, unsigned int wi)
{
	int	 sp[2], fd = c->fd;

	/*
	 * Before the descriptor leaves: once the channel has closed our
	 * copy, epoll could no longer forget the socket, which the worker
	 * keeps open, and would report it to us for as long as it lives.
	 */
	event_del(c->ev);
	c->fd = -1;
	if (c->tls == NULL)
		return (fd);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sp) == -1) {
		log_warn("%s: connection %llu: socketpair", __func__,
		    (unsigned long long)c->id);
		c->fd = fd;
		return (-1);
	}
	if (relay_start(c->tls, c->io, fd, sp[0], c->id, wi) == -1) {
		c->tls = NULL;
		c->io = NULL;
		close(sp[1]);
		return (-1);
	}
	c->tls = NULL;
	c->io = NULL;
	return (sp[1]);
}

static void
hs_timeout(int fd, short event, void *arg)
{
	struct hs_conn	*c = arg;
	char		 peer[64];

	if (c->state == HS_DRAIN) {
		hs_close(c);
		return;
	}
	hs_env.stats.timeouts++;
	if (hs_refusal_loggable())
		log_info("connection %llu from %s: handshake timed out",
		    (unsigned long long)c->id, sockaddr_str((struct sockaddr *)
		    &c->peer, peer, sizeof(peer)));
	/* A client that left our answer untaken is reset. */
	if (c->fd != -1 && sock_untaken(c->fd, 0) > 0) {
		sock_close_reset(c->fd);
		c->fd = -1;
	}
	hs_close(c);
}

static void
hs_close(struct hs_conn *c)
{
	/* An admission under way may still come back as one. */
	if (c->state == HS_ADMIT) {
		TAILQ_REMOVE(&hs_env.admitting, c, admit_entry);
		c->counted = 1;
	}
	if (c->state == HS_CHECK_PASSWORD)
		TAILQ_REMOVE(&hs_env.checking, c, admit_entry);
	if (c->counted)
		hs_release(c->id);
	TAILQ_REMOVE(&hs_env.conns, c, entry);
	if (c->l != NULL && --c->l->gen->refs == 0 && c->l->gen->retired)
		hs_gen_free(c->l->gen);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->ev_timeout != NULL)
		event_free(c->ev_timeout);
	tls_free(c->tls);
	tlsio_free(c->io);
	if (c->fd != -1)
		close(c->fd);
	/* A password or a token is not left in freed memory. */
	if (c->wipe)
		explicit_bzero(c->buf, c->len);
	free(c->buf);
	free(c);
}

/* At shutdown: the handshakes under way are dropped. */
void
hs_close_all(void)
{
	struct hs_conn	*c;

	while ((c = TAILQ_FIRST(&hs_env.conns)) != NULL)
		hs_close(c);
}
