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
 * The wss:// relay. A TLS session cannot leave the process that made it
 * (and this kernel has no kTLS), so the worker gets one end of a stream
 * socketpair and this process moves bytes between the TLS session and
 * the other end for the life of the connection. The worker's code path
 * is the same as for ws://: it sees a plain stream.
 *
 * Each direction has one bounded buffer; a side is not read while the
 * buffer towards the other side is full, so backpressure crosses the
 * relay both ways. A client's close_notify or EOF becomes shutdown(2) of
 * the socketpair; the worker's EOF becomes close_notify to the client,
 * and then the relay lingers (relay_linger) before it closes TCP.
 *
 * The worker decides when a client has stopped reading; the relay only
 * follows. When the worker gives a client up, it tells us (IPC_CLOSED
 * with reset) and the relay ends at once, with a reset if the client
 * left bytes untaken. When the worker's end hangs up without that word
 * (a worker that crashed or retired), what is left for the client has
 * RELAY_LINGER to go out. While the buffer towards the client is full
 * and the worker's end is not read, a poll(2) once a second
 * (RELAY_WATCH) sees its hang-up: an epoll event for a hang-up alone
 * cannot be had from libevent, which reports it as read and write.
 * Events are level-triggered on purpose: libtls can answer
 * TLS_WANT_POLLIN with bytes still in the socket (after a TLS 1.3 session
 * ticket), and only a level-triggered event comes back for them.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/tree.h>

#include <errno.h>
#include <event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "handshake.h"

#define RELAY_BUFSZ	(16 * 1024)	/* each way */
/*
 * After close_notify, TCP is shut for writing and what the client still
 * sends is read and dropped until its EOF: closing with input unread
 * would send a reset, and that can destroy the close frame and the
 * close_notify before the client reads them. A client that keeps
 * sending gets this long, as in the worker (TIMEOUT_LINGER).
 */
#define RELAY_LINGER	2	/* s */
#define RELAY_WATCH	1	/* s between looks at a worker end not read */
#ifndef POLLRDHUP
#define POLLRDHUP	0	/* Linux's; elsewhere a hang-up is POLLHUP */
#endif

struct relay {
	RB_ENTRY(relay)		 entry;
	uint64_t		 id;
	unsigned int		 worker;	/* the instance at the other end */
	struct tls		*tls;
	struct tlsio		*io;		/* the socket under tls */
	int			 fd;		/* the client */
	int			 pfd;		/* our end of the socketpair */
	struct event		*ev_fd;
	struct event		*ev_pfd;
	struct event		*ev_timeout;
	struct event		*ev_watch;
	short			 armed_fd;	/* events now waited for */
	short			 armed_pfd;
	int			 client_eof;	/* close_notify or EOF read */
	int			 worker_eof;
	int			 shut;		/* SHUT_WR sent to the worker */
	int			 closing;	/* close_notify under way */
	int			 lingering;	/* close_notify sent */
	int			 worker_hup;	/* the worker's end hung up */
	int			 abandon;	/* the worker gave the client up */
	int			 reset;		/* close TCP with a reset */
	int			 pfd_drained;	/* empty when last read */
	/* Allocated while they hold bytes: an idle relay holds none. */
	uint8_t			*up;		/* to the worker */
	size_t			 uplen, upoff;
	uint8_t			*down;		/* to the client */
	size_t			 downlen, downoff;
	unsigned long long	 nup, ndown;
};

RB_HEAD(relays, relay);
RB_PROTOTYPE(relays, relay, entry, relay_cmp);

static int
relay_cmp(struct relay *a, struct relay *b)
{
	return (a->id < b->id ? -1 : a->id > b->id);
}

RB_GENERATE(relays, relay, entry, relay_cmp);

/* The relay's state, apart from the rest of the process. */
static struct relay_env {
	struct relays		 relays;	/* by connection id */
	unsigned int		 count;
	struct event_base	*base;
	unsigned int		 close_wait;	/* s, for a goodbye */
	void			(*empty)(void);	/* at the last one's end */
} relay_env = { .relays = RB_INITIALIZER(&relay_env.relays) };

static void	 relay_event(int, short, void *);
static void	 relay_timeout(int, short, void *);
static void	 relay_watch(int, short, void *);
static void	 relay_run(struct relay *);
static void	 relay_free(struct relay *, const char *);
static void	 relay_abort(struct relay *, const char *);
static void	 relay_buffers_free(struct relay *);

/* close_wait bounds the goodbye to a client that reads nothing. */
void
relay_init(struct event_base *base, unsigned int close_wait)
{
	relay_env.base = base;
	relay_env.close_wait = close_wait;
}

unsigned int
relay_count(void)
{
	return (relay_env.count);
}

/* Called once when the last relay ends: the process may then exit. */
void
relay_on_empty(void (*cb)(void))
{
	relay_env.empty = cb;
	if (cb != NULL && RB_EMPTY(&relay_env.relays))
		cb();
}

/* Takes tls, io, fd and pfd whatever happens. */
int
relay_start(struct tls *tls, struct tlsio *io, int fd, int pfd, uint64_t id,
    unsigned int worker)
{
	struct relay	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("%s", __func__);
		tls_free(tls);
		tlsio_free(io);
		close(fd);
		close(pfd);
		return (-1);
	}
	r->id = id;
	r->worker = worker;
	r->tls = tls;
	r->io = io;
	r->fd = fd;
	r->pfd = pfd;
	tlsio_lazy(io);
	if (RB_INSERT(relays, &relay_env.relays, r) != NULL)
		fatalx("%s: connection %llu relayed twice", __func__,
		    (unsigned long long)id);
	relay_env.count++;
	r->ev_fd = event_new(relay_env.base, fd, 0, relay_event, r);
	r->ev_pfd = event_new(relay_env.base, pfd, 0, relay_event, r);
	r->ev_timeout = evtimer_new(relay_env.base, relay_timeout, r);
	r->ev_watch = evtimer_new(relay_env.base, relay_watch, r);
	if (r->ev_fd == NULL || r->ev_pfd == NULL || r->ev_timeout == NULL ||
	    r->ev_watch == NULL || fd_nonblock(pfd) == -1) {
		relay_free(r, "out of memory");
		return (-1);
	}
	/* libtls may hold bytes read past the request already. */
	relay_run(r);
	return (0);
}

/* Wait for what is wanted on one descriptor, changing only what differs. */
static void
relay_arm(struct relay *r, struct event *ev, int fd, short *armed,
    short want)
{
	if (*armed == want)
		return;
	event_del(ev);
	*armed = want;
	if (want == 0)
		return;
	event_assign(ev, relay_env.base, fd, want | EV_PERSIST, relay_event, r);
	event_add(ev, NULL);
}

/* What is left for the client has RELAY_LINGER to go out. */
static void
relay_deadline(struct relay *r)
{
	struct timeval	 tv;

	if (r->closing || r->lingering || evtimer_pending(r->ev_timeout, NULL))
		return;
	timerclear(&tv);
	tv.tv_sec = RELAY_LINGER;
	evtimer_add(r->ev_timeout, &tv);
}

static void
relay_event(int fd, short event, void *arg)
{
	struct relay	*r = arg;

	/* A side found empty is read again only once it has something. */
	if ((event & EV_READ) && fd == r->fd)
		tlsio_readable(r->io);
	if ((event & EV_READ) && fd == r->pfd)
		r->pfd_drained = 0;
	relay_run(r);
}

/* The worker's end, not read while the client takes nothing: gone? */
static void
relay_watch(int fd, short event, void *arg)
{
	struct relay	*r = arg;
	struct pollfd	 pfd;
	struct timeval	 tv;

	if (r->pfd == -1 || r->worker_eof || r->downoff == r->downlen)
		return;
	pfd.fd = r->pfd;
	pfd.events = POLLRDHUP;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLRDHUP | POLLHUP |
	    POLLERR))) {
		r->worker_hup = 1;
		relay_deadline(r);
		return;
	}
	timerclear(&tv);
	tv.tv_sec = RELAY_WATCH;
	evtimer_add(r->ev_watch, &tv);
}

static void
relay_timeout(int fd, short event, void *arg)
{
	struct relay	*r = arg;

	if (r->lingering)
		relay_abort(r, "client still sending");
	else
		relay_abort(r, r->closing ? "close timed out" :
		    "worker gone, client not reading");
}

/*
 * The worker closed connection id. If it gave the client up, what can
 * still move without waiting moves, and the relay ends now; else the
 * worker's EOF ends it as usual, within RELAY_LINGER. Only the worker
 * that holds the other end is heard.
 */
void
relay_worker_closed(uint64_t id, unsigned int worker, int reset)
{
	struct relay	 key, *r;

	key.id = id;
	if ((r = RB_FIND(relays, &relay_env.relays, &key)) == NULL ||
	    r->worker != worker)
		return;
	if (!reset) {
		relay_deadline(r);
		return;
	}
	r->abandon = 1;
	if (r->lingering)
		relay_abort(r, NULL);
	else
		relay_run(r);
}

/* Lingering: the client's bytes are dropped unread, up to its EOF. */
static void
relay_drain(int fd, short event, void *arg)
{
	uint8_t	 buf[RELAY_BUFSZ];
	ssize_t	 n;

	n = read(fd, buf, sizeof(buf));
	if (n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR)))
		return;
	relay_free(arg, NULL);
}

/*
 * The worker is done and close_notify is sent: the worker's end and the
 * TLS session go now, the client gets EOF, and the socket stays open
 * only to read the client's EOF, for RELAY_LINGER at most.
 */
static void
relay_linger(struct relay *r)
{
	struct timeval	 tv;

	r->lingering = 1;
	event_del(r->ev_fd);
	event_del(r->ev_pfd);
	r->armed_fd = r->armed_pfd = 0;
	close(r->pfd);
	r->pfd = -1;
	tls_free(r->tls);
	r->tls = NULL;
	tlsio_free(r->io);
	r->io = NULL;
	relay_buffers_free(r);
	if (shutdown(r->fd, SHUT_WR) == -1) {
		relay_free(r, NULL);
		return;
	}
	event_assign(r->ev_fd, relay_env.base, r->fd, EV_READ | EV_PERSIST,
	    relay_drain, r);
	event_add(r->ev_fd, NULL);
	timerclear(&tv);
	tv.tv_sec = RELAY_LINGER;
	evtimer_add(r->ev_timeout, &tv);
}

static short
relay_want(ssize_t n)
{
	return (n == IO_WANT_READ ? EV_READ : EV_WRITE);
}

/* A buffer of RELAY_BUFSZ for *bp, unless it has one. */
static int
relay_buffer(uint8_t **bp)
{
	if (*bp == NULL && (*bp = malloc(RELAY_BUFSZ)) == NULL) {
		log_warn("%s", __func__);
		return (-1);
	}
	return (0);
}

/* An emptied buffer goes. */
static void
relay_buffer_done(uint8_t **bp, size_t *len, size_t *off)
{
	if (*off < *len)
		return;
	*len = *off = 0;
	free(*bp);
	*bp = NULL;
}

static void
relay_buffers_free(struct relay *r)
{
	free(r->up);
	free(r->down);
	r->up = r->down = NULL;
	r->uplen = r->upoff = r->downlen = r->downoff = 0;
}

/* Client to buffer. Returns 1 on progress, 0 if blocked, -1 on error. */
static int
relay_from_client(struct relay *r, short *want)
{
	ssize_t	 n;

	if (r->client_eof || r->closing || r->uplen == RELAY_BUFSZ)
		return (0);
	if (relay_buffer(&r->up) == -1)
		return (-1);
	n = io_read(r->tls, r->io, r->fd, r->up + r->uplen,
	    RELAY_BUFSZ - r->uplen);
	if (n == IO_WANT_READ || n == IO_WANT_WRITE) {
		relay_buffer_done(&r->up, &r->uplen, &r->upoff);
		*want |= relay_want(n);
		return (0);
	}
	if (n == -1)
		return (-1);
	if (n == 0)
		r->client_eof = 1;
	r->uplen += n;
	r->nup += n;
	relay_buffer_done(&r->up, &r->uplen, &r->upoff);
	return (1);
}

/* Buffer to worker; a worker that is gone gets no more. */
static int
relay_to_worker(struct relay *r, short *want)
{
	ssize_t	 n;

	if (r->upoff < r->uplen) {
		n = write(r->pfd, r->up + r->upoff, r->uplen - r->upoff);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			*want |= EV_WRITE;
			return (0);
		}
		if (n == -1) {
			r->upoff = r->uplen = 0;
			r->client_eof = 1;
			return (1);
		}
		r->upoff += n;
		relay_buffer_done(&r->up, &r->uplen, &r->upoff);
		return (1);
	}
	if (r->client_eof && !r->shut) {
		/* The worker reads EOF as the client's. */
		shutdown(r->pfd, SHUT_WR);
		r->shut = 1;
		return (1);
	}
	return (0);
}

static int
relay_from_worker(struct relay *r, short *want)
{
	ssize_t	 n;

	size_t	 room;

	if (r->worker_eof || r->downlen == RELAY_BUFSZ)
		return (0);
	if (r->pfd_drained) {
		*want |= EV_READ;
		return (0);
	}
	if (relay_buffer(&r->down) == -1)
		return (-1);
	room = RELAY_BUFSZ - r->downlen;
	n = read(r->pfd, r->down + r->downlen, room);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		relay_buffer_done(&r->down, &r->downlen, &r->downoff);
		r->pfd_drained = 1;
		*want |= EV_READ;
		return (0);
	}
	if (n <= 0) {
		relay_buffer_done(&r->down, &r->downlen, &r->downoff);
		r->worker_eof = 1;
		return (1);
	}
	/* Short: the socketpair is empty; epoll says when it is not. */
	r->pfd_drained = (size_t)n < room;
	r->downlen += n;
	r->ndown += n;
	return (1);
}

/*
 * Buffer to client, then, once the worker is done and all is sent,
 * close_notify. Returns 2 when the relay is finished.
 */
static int
relay_to_client(struct relay *r, short *want)
{
	struct timeval	 tv;
	ssize_t		 n;

	if (r->downoff < r->downlen) {
		n = io_write(r->tls, r->fd, r->down + r->downoff,
		    r->downlen - r->downoff);
		if (n == IO_WANT_READ || n == IO_WANT_WRITE) {
			*want |= relay_want(n);
			return (0);
		}
		if (n <= 0)
			return (-1);
		r->downoff += n;
		relay_buffer_done(&r->down, &r->downlen, &r->downoff);
		return (1);
	}
	if (!r->worker_eof)
		return (0);
	if (!r->closing) {
		r->closing = 1;
		timerclear(&tv);
		tv.tv_sec = relay_env.close_wait;
		evtimer_add(r->ev_timeout, &tv);
	}
	n = tls_close(r->tls);
	if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
		*want |= n == TLS_WANT_POLLIN ? EV_READ : EV_WRITE;
		return (0);
	}
	return (2);
}

static const char *
relay_error(struct relay *r)
{
	const char	*e;

	if ((e = tls_error(r->tls)) == NULL)
		e = "connection lost";
	return (e);
}

/*
 * Move what can be moved, both ways, until nothing moves; then wait for
 * exactly what the last pass was blocked on.
 */
static void
relay_run(struct relay *r)
{
	struct timeval	 tv;
	short		 want_fd, want_pfd;
	int		 progress, rv;

	do {
		want_fd = want_pfd = 0;
		progress = 0;
		if ((rv = relay_from_client(r, &want_fd)) == -1) {
			relay_free(r, relay_error(r));
			return;
		}
		progress |= rv;
		progress |= relay_to_worker(r, &want_pfd);
		if ((rv = relay_from_worker(r, &want_pfd)) == -1) {
			relay_free(r, "out of memory");
			return;
		}
		progress |= rv;
		if ((rv = relay_to_client(r, &want_fd)) == -1) {
			relay_free(r, relay_error(r));
			return;
		}
		if (rv == 2) {
			if (r->abandon)
				relay_abort(r, "client stopped reading");
			else
				relay_linger(r);
			return;
		}
		progress |= rv;
	} while (progress);
	if (r->abandon) {
		relay_abort(r, "client stopped reading");
		return;
	}
	/* Blocked towards the client: look at the worker's end now and then. */
	if (r->downoff < r->downlen && !r->worker_eof && !r->worker_hup &&
	    !evtimer_pending(r->ev_watch, NULL)) {
		timerclear(&tv);
		tv.tv_sec = RELAY_WATCH;
		evtimer_add(r->ev_watch, &tv);
	}
	relay_arm(r, r->ev_fd, r->fd, &r->armed_fd, want_fd);
	relay_arm(r, r->ev_pfd, r->pfd, &r->armed_pfd, want_pfd);
}

/* Bytes for the client that it has not taken: ours, or the kernel's. */
static int
relay_stuck(struct relay *r)
{
	return (r->downoff < r->downlen || (r->closing && !r->lingering) ||
	    sock_untaken(r->fd, 0) > 0);
}

/* Ends now; a client that left bytes untaken gets a reset. */
static void
relay_abort(struct relay *r, const char *why)
{
	r->reset = relay_stuck(r);
	relay_free(r, why);
}

static void
relay_free(struct relay *r, const char *error)
{
	if (error != NULL)
		log_debug("connection %llu: relay ends: %s",
		    (unsigned long long)r->id, error);
	log_debug("connection %llu: relayed %llu bytes in, %llu out",
	    (unsigned long long)r->id, r->nup, r->ndown);
	RB_REMOVE(relays, &relay_env.relays, r);
	relay_env.count--;
	hs_release(r->id);
	if (r->ev_fd != NULL)
		event_free(r->ev_fd);
	if (r->ev_pfd != NULL)
		event_free(r->ev_pfd);
	if (r->ev_timeout != NULL)
		event_free(r->ev_timeout);
	if (r->ev_watch != NULL)
		event_free(r->ev_watch);
	tls_free(r->tls);
	tlsio_free(r->io);
	relay_buffers_free(r);
	if (r->reset)
		sock_close_reset(r->fd);
	else
		close(r->fd);
	if (r->pfd != -1)
		close(r->pfd);
	free(r);
	if (relay_env.empty != NULL && RB_EMPTY(&relay_env.relays))
		relay_env.empty();
}
