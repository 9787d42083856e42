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
 * One connection's life in the worker: its events, each with one read
 * into the process's buffer and one gathered write of what is pending;
 * its deadlines, as places in the lists of wk_env; and its end, with
 * the closing handshake, the linger that keeps a reset from destroying
 * what the client has not read, and the counts.
 *
 * Per event-loop pass a connection gets one read, into a buffer shared by
 * the process, and one gathered write of its pending output. It holds
 * buffers of its own only while output is pending or input waits for
 * room. Deadlines need no timer per connection: connections sit in lists
 * ordered by the time their deadline started, and a tick once a second
 * walks each list from its head only as far as deadlines have passed.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

#define OUT_HIGHWATER		(64 * 1024)	/* stop reading above */
#define OUT_LOWWATER		(16 * 1024)	/* read again below */
#define TIMEOUT_CLOSING		2	/* s for the client's close */
#define TIMEOUT_BACKPRESSURE	30	/* s a client may leave us full */
#define TIMEOUT_PONG		30	/* s at most for a pong to come back */
/*
 * After the closing handshake we shut down writing and read until the
 * client's EOF, because closing with input unread sends a reset that
 * destroys what the client has not read yet (the echo, our close). A
 * client that keeps sending gets this long, then the socket is closed.
 */
#define TIMEOUT_LINGER		2	/* s */
#define IOV_MAX_WRITE		16

static void	 wconn_event(int, short, void *);
static void	 wconn_free(struct wconn *, const char *);
static void	 wconn_linger(struct wconn *);
static void	 wconn_drain(struct wconn *);

/* What a parked connection's log line reads: open, no close, no error. */
static const struct ws_session	 ws_parked;

uint32_t
now_sec(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint32_t)ts.tv_sec);
}

static struct wconns *
wconn_head(enum wlist l)
{
	switch (l) {
	case WL_ACTIVE:
		return (&wk_env.active);
	case WL_CLOSING:
		return (&wk_env.closing);
	case WL_LINGER:
		return (&wk_env.linger);
	default:
		return (NULL);
	}
}

static struct wconns *
wconn_ka_head(enum ka_list l)
{
	switch (l) {
	case KA_WAIT:
		return (&wk_env.ka_wait);
	case KA_PING:
		return (&wk_env.ka_ping);
	default:
		return (NULL);
	}
}

/* Keepalive: each list stays ordered by ka_since, as it only appends. */
static void
wconn_ka(struct wconn *c, enum ka_list l, uint32_t when)
{
	struct wconns	*h;

	if ((h = wconn_ka_head(c->ka)) != NULL)
		TAILQ_REMOVE(h, c, ka_entry);
	c->ka = l;
	c->ka_since = when;
	if ((h = wconn_ka_head(l)) != NULL)
		TAILQ_INSERT_TAIL(h, c, ka_entry);
}

static void
wconn_list(struct wconn *c, enum wlist l, uint32_t when)
{
	struct wconns	*h;

	/* Only an open connection is pinged. */
	if (l != WL_ACTIVE && c->ka != KA_NONE)
		wconn_ka(c, KA_NONE, 0);
	if ((h = wconn_head(c->list)) != NULL)
		TAILQ_REMOVE(h, c, entry);
	c->list = l;
	c->last = when;
	if ((h = wconn_head(l)) != NULL)
		TAILQ_INSERT_TAIL(h, c, entry);
}

/* No connection left, none lingering: a worker shutting down is done. */
int
wk_idle(void)
{
	return (TAILQ_EMPTY(&wk_env.active) && TAILQ_EMPTY(&wk_env.closing) &&
	    TAILQ_EMPTY(&wk_env.linger));
}

/*
 * An idle connection holds no session: it is parked (freed) once
 * nothing is in flight, and made fresh when bytes arrive or a ping or a
 * close must go out. Only its counts outlive it. A connection with
 * permessage-deflate keeps its session, as the compression context is
 * part of the protocol state.
 */
static struct ws_session *
wconn_session(struct wconn *c)
{
	if (c->s == NULL && ((c->s = malloc(sizeof(*c->s))) == NULL ||
	    ws_session_init(c->s, &c->lim, NULL) == -1))
		fatal("%s", __func__);
	return (c->s);
}

static void
wconn_park(struct wconn *c)
{
	struct ws_session	*s = c->s;

	if (s == NULL || c->pend != NULL || !ws_session_idle(s))
		return;
	c->counted.msgs_in += s->msgs_in;
	c->counted.msgs_out += s->msgs_out;
	c->counted.bytes_in += s->bytes_in;
	c->counted.bytes_out += s->bytes_out;
	ws_session_free(s);
	free(s);
	c->s = NULL;
}

/* What the connection's sessions, parked or not, have counted. */
void
wconn_counts(const struct wconn *c, struct ws_counts *n)
{
	*n = c->counted;
	if (c->s == NULL)
		return;
	n->msgs_in += c->s->msgs_in;
	n->msgs_out += c->s->msgs_out;
	n->bytes_in += c->s->bytes_in;
	n->bytes_out += c->s->bytes_out;
}

static size_t
wconn_outlen(const struct wconn *c)
{
	return (c->s != NULL ? c->s->out.len : 0);
}

/* Track when a client leaves its output above the high-water mark. */
static void
wconn_track_full(struct wconn *c)
{
	if (!c->full && wconn_outlen(c) >= OUT_HIGHWATER) {
		c->full = 1;
		c->full_since = now_sec();
		TAILQ_INSERT_TAIL(&wk_env.full, c, full_entry);
	} else if (c->full && wconn_outlen(c) <= OUT_LOWWATER) {
		c->full = 0;
		TAILQ_REMOVE(&wk_env.full, c, full_entry);
	}
}

/* Read when nothing waits for room; write while output is pending. */
static void
wconn_update(struct wconn *c)
{
	short	 flags = 0;

	wconn_track_full(c);
	if (c->pend == NULL && !c->full &&
	    (c->s == NULL || c->s->state != WS_CLOSED))
		flags |= EV_READ;
	if (wconn_outlen(c) > 0)
		flags |= EV_WRITE;
	if (flags == c->evflags)
		return;
	if (c->evflags)
		event_del(&c->ev);
	c->evflags = flags;
	if (flags == 0)
		return;
	event_assign(&c->ev, wk_env.base, c->fd, flags | EV_PERSIST, wconn_event,
	    c);
	event_add(&c->ev, NULL);
}

/* One gathered write of what is pending. Returns -1 if the peer is gone. */
static int
wconn_write(struct wconn *c)
{
	struct iovec	 iov[IOV_MAX_WRITE];
	struct wbuf	*b;
	ssize_t		 n;
	int		 i = 0;

	for (b = c->s->out.head; b != NULL && i < IOV_MAX_WRITE; b = b->next) {
		iov[i].iov_base = b->data + b->off;
		iov[i++].iov_len = b->len - b->off;
	}
	if (i == 0)
		return (0);
	if ((n = writev(c->fd, iov, i)) == -1)
		return (errno == EAGAIN || errno == EINTR ? 0 : -1);
	wchain_consume(&c->s->out, n);
	return (0);
}

/* Keep what the session could not take until the client reads. */
static void
wconn_keep(struct wconn *c, const uint8_t *data, size_t len)
{
	uint8_t	*p;

	if (len == 0) {
		free(c->pend);
		c->pend = NULL;
		c->pendlen = 0;
		return;
	}
	if ((p = malloc(len)) == NULL)
		fatal("%s", __func__);
	memcpy(p, data, len);
	free(c->pend);
	c->pend = p;
	c->pendlen = len;
}

static void
wconn_rate(struct wconn *c, uint64_t before)
{
	uint32_t	 now;

	if (wk_env.wconf.max_rate == 0 || c->s->msgs_in == before)
		return;
	if ((now = now_sec()) != c->rate_sec) {
		c->rate_sec = now;
		c->rate_count = 0;
	}
	c->rate_count += c->s->msgs_in - before;
	if (c->rate_count > wk_env.wconf.max_rate)
		ws_session_close(c->s, WS_CLOSE_POLICY, WS_ERR_RATE);
}

static void
wconn_input(struct wconn *c, uint8_t *data, size_t len)
{
	struct ws_session	*s = wconn_session(c);
	uint64_t		 before = s->msgs_in;
	size_t			 used;
	uint8_t			 state = s->state;

	used = ws_session_input(s, data, len, OUT_HIGHWATER);
	wconn_rate(c, before);
	if (s->activity && s->state == WS_OPEN) {
		s->activity = 0;
		wconn_list(c, WL_ACTIVE, now_sec());
	}
	if (s->answered && s->state == WS_OPEN) {
		s->answered = 0;
		wconn_ka(c, KA_WAIT, now_sec());
	}
	if (state == WS_OPEN && s->state == WS_CLOSE_SENT)
		wconn_list(c, WL_CLOSING, now_sec());
	wconn_keep(c, data + used, len - used);
}

/*
 * After input or output: echo what waited for room, write, and close
 * the socket once both closes went through and all is sent.
 */
static void
wconn_run(struct wconn *c)
{
	uint8_t	*p;

	for (;;) {
		if (c->pend != NULL && wconn_outlen(c) < OUT_HIGHWATER) {
			p = c->pend;
			c->pend = NULL;
			wconn_input(c, p, c->pendlen);
			free(p);
		}
		if (wconn_outlen(c) > 0 && wconn_write(c) == -1) {
			wconn_free(c, "write failed");
			return;
		}
		if (c->pend == NULL || wconn_outlen(c) >= OUT_HIGHWATER)
			break;
	}
	if (c->s != NULL && c->s->state == WS_CLOSED && c->s->out.len == 0) {
		wconn_linger(c);
		return;
	}
	wconn_park(c);
	wconn_update(c);
}

static void
wconn_event(int fd, short event, void *arg)
{
	struct wconn	*c = arg;
	ssize_t		 n;

	if (c->list == WL_LINGER) {
		wconn_drain(c);
		return;
	}
	if ((event & EV_READ) && c->pend == NULL) {
		n = read(fd, wk_env.rbuf, sizeof(wk_env.rbuf));
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			wconn_free(c, n == 0 ? "client closed TCP" :
			    "read failed");
			return;
		}
		wconn_input(c, wk_env.rbuf, n);
	}
	wconn_run(c);
}

/*
 * A connection is closed: the handshake process that handed it over
 * counts what each worker holds, to choose the least loaded one, and
 * the parent counts ws:// connections for the limits (parent/limits.c).
 */
static void
wconn_gone(unsigned int hs, uint64_t id, int relayed, int reset,
    const uint8_t *line, size_t linelen)
{
	struct ipc_closed	 cl;

	/* A ws:// close only counts for the balance: told once a second. */
	if (!relayed && hs < WSD_MAXPROC) {
		wk_env.closed_plain[hs]++;
	} else if (hs < WSD_MAXPROC && wk_env.handshakes[hs] != NULL) {
		memset(&cl, 0, sizeof(cl));
		cl.id = id;
		cl.reset = reset;
		ipc_compose(wk_env.handshakes[hs], IPC_CLOSED, &cl, sizeof(cl),
		    NULL, 0, -1);
	}
	if (!relayed)
		ipc_compose(wk_env.parent_chan, IPC_RELEASE, &id, sizeof(id), line,
		    linelen, -1);
}

/* The token that admitted the connection is no longer valid. */
static void
wconn_token_expired(int fd, short event, void *arg)
{
	struct wconn	*c = arg;

	if (c->list == WL_ACTIVE)
		wconn_expire(c, WS_CLOSE_POLICY, "token expired");
}

/* A timer for when, in seconds since the epoch (the token's exp). */
static int
wconn_expire_at(struct wconn *c, int64_t when)
{
	struct timeval	 tv;
	int64_t		 left = when - (int64_t)time(NULL);

	timerclear(&tv);
	tv.tv_sec = left > 0 ? left : 0;
	if ((c->ev_expire = evtimer_new(wk_env.base, wconn_token_expired,
	    c)) == NULL)
		return (-1);
	evtimer_add(c->ev_expire, &tv);
	return (0);
}

void
wconn_new(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_conn		 ic;
	struct wconn		*c;
	unsigned int		 hs;

	memcpy(&ic, msg->data, sizeof(ic));
	for (hs = 0; hs < WSD_MAXPROC; hs++)
		if (wk_env.handshakes[hs] == chan)
			break;
	if (ic.extra_len != msg->len - sizeof(ic) || wk_env.shutting_down ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		if (!wk_env.shutting_down)
			log_warnx("%s: dropping connection %llu", __func__,
			    (unsigned long long)ic.id);
		close(msg->fd);
		wconn_gone(hs, ic.id, ic.tls, 0, NULL, 0);
		return;
	}
	c->fd = msg->fd;
	c->id = ic.id;
	c->hs = hs;
	c->family = ic.peer.ss_family;
	if (c->family == AF_INET) {
		memcpy(c->addr, &((struct sockaddr_in *)&ic.peer)->sin_addr, 4);
		c->port = ntohs(((struct sockaddr_in *)&ic.peer)->sin_port);
	} else {
		memcpy(c->addr, &((struct sockaddr_in6 *)&ic.peer)->sin6_addr,
		    16);
		c->port = ntohs(((struct sockaddr_in6 *)&ic.peer)->sin6_port);
	}
	c->start = now_sec();
	/* The location's max message, chosen by the handshake policy. */
	c->lim.max_message = ic.max_message != 0 &&
	    ic.max_message <= WSD_MAXMESSAGE_MAX ? ic.max_message :
	    wk_env.wconf.max_message;
	c->lim.max_fragments = wk_env.wconf.max_fragments;
	c->tls = ic.tls != 0;
	ic.identity[sizeof(ic.identity) - 1] = '\0';
	if (ic.identity[0] != '\0' &&
	    (c->identity = strdup(ic.identity)) == NULL) {
		log_warn("%s: connection %llu", __func__,
		    (unsigned long long)c->id);
		close(c->fd);
		wconn_gone(c->hs, c->id, c->tls, 0, NULL, 0);
		free(c);
		return;
	}
	c->server = ic.server;
	c->location = ic.location;
	ic.subproto[sizeof(ic.subproto) - 1] = '\0';
	log_debug("connection %llu: server %u, location %d, subprotocol %s, "
	    "max message %llu", (unsigned long long)c->id, ic.server,
	    ic.location == WSD_NOLOCATION ? -1 : (int)ic.location,
	    ic.subproto[0] != '\0' ? ic.subproto : "-",
	    (unsigned long long)c->lim.max_message);
	if (fd_nonblock(c->fd) == -1 || (ic.deflate.enabled &&
	    ((c->s = malloc(sizeof(*c->s))) == NULL ||
	    ws_session_init(c->s, &c->lim, &ic.deflate) == -1))) {
		log_warn("%s: connection %llu", __func__,
		    (unsigned long long)c->id);
		close(c->fd);
		wconn_gone(c->hs, c->id, c->tls, c->reset, NULL, 0);
		free(c->s);
		free(c->identity);
		free(c);
		return;
	}
	if (ic.expires > 0 && wconn_expire_at(c, ic.expires) == -1) {
		log_warn("%s: connection %llu", __func__,
		    (unsigned long long)c->id);
		close(c->fd);
		wconn_gone(c->hs, c->id, c->tls, 0, NULL, 0);
		free(c->s);
		free(c->identity);
		free(c);
		return;
	}
	wk_env.stats.conns_total++;
	wk_env.stats.conns_now++;
	wconn_list(c, WL_ACTIVE, c->start);
	wconn_ka(c, KA_WAIT, c->start);
	/* Frames that came with the request head are echoed first. */
	if (ic.extra_len)
		wconn_input(c, msg->data + sizeof(ic), ic.extra_len);
	wconn_run(c);
}

static const char *
wconn_peer(struct wconn *c, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = c->family;
	if (c->family == AF_INET) {
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, c->addr, 4);
		((struct sockaddr_in *)&ss)->sin_port = htons(c->port);
	} else {
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, c->addr, 16);
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(c->port);
	}
	return (sockaddr_str((struct sockaddr *)&ss, buf, len));
}

static unsigned int
close_stat_index(uint16_t code)
{
	return (code >= 1000 && code < 1000 + STATS_CLOSE_CODES - 1 ?
	    code - 1000 : STATS_CLOSE_CODES - 1);
}

/* How the connection ended, for its log line. */
static void
wconn_how(struct wconn *c, const char *why, char *buf, size_t len)
{
	const struct ws_session	*s = c->s != NULL ? c->s : &ws_parked;

	if (why != NULL && s->close_sent == 0 && s->close_rcvd == 0)
		snprintf(buf, len, "%s without a close", why);
	else if (s->close_rcvd != 0 && (s->close_sent == 0 ||
	    s->err == WS_ERR_NONE || s->close_sent == s->close_rcvd))
		snprintf(buf, len, "closed by client (%u)", s->close_rcvd);
	else if (s->err != WS_ERR_NONE)
		snprintf(buf, len, "closed by server (%u: %s)", s->close_sent,
		    ws_err_names[s->err]);
	else
		snprintf(buf, len, "closed by server (%u)%s%s", s->close_sent,
		    why != NULL ? ", then " : "", why != NULL ? why : "");
}

/* The WebSocket is over: log it, count it, and let go of its buffers. */
static void
wconn_end(struct wconn *c, const char *why)
{
	const struct ws_session	*s = c->s != NULL ? c->s : &ws_parked;
	struct ws_counts	 n;
	char			 peer[64], how[128];

	uint8_t			 line[IPC_LOG_ATTACH_MAX];
	size_t			 len;

	wconn_counts(c, &n);
	wconn_how(c, why, how, sizeof(how));
	len = log_attach(line, sizeof(line), LOG_INFO, "connection %llu from "
	    "%s %s after %us: %llu/%llu messages in/out, %llu/%llu bytes "
	    "in/out%s%s%s", (unsigned long long)c->id,
	    wconn_peer(c, peer, sizeof(peer)), how, now_sec() - c->start,
	    (unsigned long long)n.msgs_in, (unsigned long long)n.msgs_out,
	    (unsigned long long)n.bytes_in, (unsigned long long)n.bytes_out,
	    c->identity ? ", identity \"" : "", c->identity ? c->identity : "",
	    c->identity ? "\"" : "");
	wk_env.stats.msgs_in += n.msgs_in;
	wk_env.stats.msgs_out += n.msgs_out;
	wk_env.stats.bytes_in += n.bytes_in;
	wk_env.stats.bytes_out += n.bytes_out;
	if (s->close_sent)
		wk_env.stats.close_sent[close_stat_index(s->close_sent)]++;
	if (s->close_rcvd)
		wk_env.stats.close_rcvd[close_stat_index(s->close_rcvd)]++;
	wk_env.stats.errors[s->err]++;
	if (c->s != NULL) {
		ws_session_free(c->s);
		free(c->s);
		c->s = NULL;
	}
	free(c->pend);
	c->pend = NULL;
	c->pendlen = 0;
	if (c->full) {
		c->full = 0;
		TAILQ_REMOVE(&wk_env.full, c, full_entry);
	}
	if (c->ka != KA_NONE)
		wconn_ka(c, KA_NONE, 0);
	if (c->ev_expire != NULL) {
		event_free(c->ev_expire);
		c->ev_expire = NULL;
	}
	/*
	 * The line goes to the parent with the release, one message for
	 * both; a wss:// connection, which the relay releases, sends it now.
	 */
	if (!c->tls && len > 0 && (c->endline = malloc(len)) != NULL) {
		memcpy(c->endline, line, len);
		c->pendlen = len;
	} else if (len > sizeof(struct ipc_log))
		log_info("%.*s", (int)(len - sizeof(struct ipc_log)),
		    (const char *)line + sizeof(struct ipc_log));
}

/* The socket goes, and with it the last of the connection. */
void
wconn_close(struct wconn *c)
{
	wk_env.stats.conns_now--;
	if (c->evflags)
		event_del(&c->ev);
	wconn_list(c, WL_NONE, 0);
	if (c->reset && !c->tls)
		sock_close_reset(c->fd);
	else
		close(c->fd);
	wconn_gone(c->hs, c->id, c->tls, c->reset, c->endline, c->pendlen);
	free(c->endline);
	free(c->identity);
	free(c);
	if (wk_env.shutting_down && wk_idle()) {
		ipc_flush_blocking(wk_env.parent_chan, 1000);
		exit(0);
	}
}

static void
wconn_free(struct wconn *c, const char *why)
{
	wconn_end(c, why);
	wconn_close(c);
}

/* Lingering: what the client still sends is read and dropped. */
static void
wconn_drain(struct wconn *c)
{
	ssize_t		 n;

	/* One read a pass, as for any connection: a flood waits its turn. */
	n = read(c->fd, wk_env.rbuf, sizeof(wk_env.rbuf));
	if (n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR)))
		return;
	wconn_close(c);
}

/*
 * Both closes went through and all is sent: shut down writing, so the
 * client reads EOF, and wait for its EOF without a buffer of our own.
 */
static void
wconn_linger(struct wconn *c)
{
	wconn_end(c, NULL);
	if (shutdown(c->fd, SHUT_WR) == -1) {
		wconn_close(c);
		return;
	}
	wconn_list(c, WL_LINGER, now_sec());
	/* Usually it waits for reading already: no change to the poller. */
	if (c->evflags == EV_READ)
		return;
	if (c->evflags)
		event_del(&c->ev);
	c->evflags = EV_READ;
	event_assign(&c->ev, wk_env.base, c->fd, EV_READ | EV_PERSIST,
	    wconn_event, c);
	event_add(&c->ev, NULL);
}

/*
 * The client has not taken what we sent it in time (no pong, a full
 * buffer, a close that never came back): a close frame if it fits, and
 * the connection goes now. If the client left bytes untaken, the socket
 * is reset, so that the kernel frees them at once; for wss:// the relay
 * is told to do the same.
 */
static void
wconn_stalled(struct wconn *c, const char *why)
{
	ws_session_close(wconn_session(c), WS_CLOSE_GOING_AWAY, WS_ERR_NONE);
	if (c->s->out.len > 0)
		(void)wconn_write(c);
	/* For wss:// only the relay sees what TCP holds: it decides. */
	c->reset = c->tls || c->s->out.len > 0 || sock_untaken(c->fd, 0) > 0;
	wconn_free(c, why);
}

/* Close with code on behalf of the server, from a timer. */
void
wconn_expire(struct wconn *c, uint16_t code, const char *why)
{
	log_debug("connection %llu: %s", (unsigned long long)c->id, why);
	ws_session_close(wconn_session(c), code, WS_ERR_NONE);
	wconn_list(c, WL_CLOSING, now_sec());
	wconn_run(c);
}

static void
wconn_tick_idle(uint32_t now)
{
	struct wconn	*c;
	uint32_t	 limit = wk_env.wconf.timeout_idle;

	/* The list is ordered by last activity: stop at the first alive. */
	while (limit != 0 && (c = TAILQ_FIRST(&wk_env.active)) != NULL &&
	    now - c->last >= limit)
		wconn_expire(c, WS_CLOSE_GOING_AWAY, "idle timeout");
}

/*
 * Every ping interval since its last pong, a connection is pinged,
 * whatever else it sends: only the pong shows that the client still
 * reads. The pong has the interval, at most TIMEOUT_PONG, to come back.
 */
static void
wconn_tick_keepalive(uint32_t now)
{
	struct wconn	*c;
	uint8_t		 tag[WS_PING_TAG];
	uint32_t	 interval = wk_env.wconf.ping_interval, wait;

	if (interval == 0)
		return;
	wait = interval < TIMEOUT_PONG ? interval : TIMEOUT_PONG;
	while ((c = TAILQ_FIRST(&wk_env.ka_ping)) != NULL &&
	    now - c->ka_since >= wait)
		wconn_stalled(c, "no pong");
	while ((c = TAILQ_FIRST(&wk_env.ka_wait)) != NULL &&
	    now - c->ka_since >= interval) {
		/* getentropy(3): libbsd's arc4random(3) would call getpid(2). */
		if (getentropy(tag, sizeof(tag)) == -1)
			fatal("%s: getentropy", __func__);
		wconn_ka(c, KA_PING, now);
		ws_session_ping(wconn_session(c), tag, sizeof(tag));
		wconn_run(c);
	}
}

/* The ws:// closes of the last second, to each handshake process. */
static void
wconn_tell_closed(void)
{
	struct ipc_closed	 cl;
	unsigned int		 hs;

	for (hs = 0; hs < WSD_MAXPROC; hs++) {
		if (wk_env.closed_plain[hs] == 0)
			continue;
		memset(&cl, 0, sizeof(cl));
		cl.count = wk_env.closed_plain[hs];
		wk_env.closed_plain[hs] = 0;
		if (wk_env.handshakes[hs] != NULL)
			ipc_compose(wk_env.handshakes[hs], IPC_CLOSED, &cl,
			    sizeof(cl), NULL, 0, -1);
	}
}

/* Once a second: every deadline that has passed. */
void
wconn_tick(uint32_t now)
{
	struct wconn	*c;

	wconn_tell_closed();
	wconn_tick_idle(now);
	wconn_tick_keepalive(now);
	while ((c = TAILQ_FIRST(&wk_env.closing)) != NULL &&
	    now - c->last >= TIMEOUT_CLOSING)
		wconn_stalled(c, "close timed out");
	while ((c = TAILQ_FIRST(&wk_env.linger)) != NULL &&
	    now - c->last >= TIMEOUT_LINGER) {
		c->reset = c->tls || sock_untaken(c->fd, 0) > 0;
		wconn_close(c);
	}
	while ((c = TAILQ_FIRST(&wk_env.full)) != NULL &&
	    now - c->full_since >= TIMEOUT_BACKPRESSURE)
		wconn_stalled(c, "client stopped reading");
}
