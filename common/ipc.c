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
 * Messages between processes. Each one is a single SOCK_SEQPACKET datagram,
 * so its boundaries and the descriptor it carries arrive together; the
 * decoder works on a buffer and rejects anything that is not exactly what
 * its type says.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsd.h"

/* Bytes queued on one channel before a sender is told to back off. */
#define IPC_OUTQ_MAX	(16 * 1024 * 1024)

struct ipc_type_info {
	const char	*name;
	size_t		 minlen;
	size_t		 maxlen;
	int		 nfds;
	uint64_t	 dirs;		/* IPC_DIR(from, to) bits */
};

/* The directions, by their ends' initials. */
#define P_H	IPC_DIR(END_PARENT, END_HANDSHAKE)
#define P_W	IPC_DIR(END_PARENT, END_WORKER)
#define P_C	IPC_DIR(END_PARENT, END_CONTROL)
#define H_P	IPC_DIR(END_HANDSHAKE, END_PARENT)
#define H_W	IPC_DIR(END_HANDSHAKE, END_WORKER)
#define W_P	IPC_DIR(END_WORKER, END_PARENT)
#define W_H	IPC_DIR(END_WORKER, END_HANDSHAKE)
#define C_P	IPC_DIR(END_CONTROL, END_PARENT)
#define P_X	IPC_DIR(END_PARENT, END_PASSWORD)
#define X_P	IPC_DIR(END_PASSWORD, END_PARENT)
#define H_X	IPC_DIR(END_HANDSHAKE, END_PASSWORD)
#define X_H	IPC_DIR(END_PASSWORD, END_HANDSHAKE)

#define FIXED(s)	sizeof(s), sizeof(s)

static const struct ipc_type_info ipc_types[IPC_TYPE_MAX] = {
	[IPC_LOG] = { "log", sizeof(struct ipc_log),
	    sizeof(struct ipc_log) + IPC_LOG_MAX, 0, H_P | W_P | X_P },
	[IPC_CONFIG] = { "config", FIXED(struct ipc_config), 0,
	    P_H | P_W | P_X },
	[IPC_LISTENER] = { "listener", FIXED(struct ipc_listener), 1, P_H },
	[IPC_PEER] = { "peer", FIXED(struct ipc_peer), 1, P_H | P_W | P_X },
	[IPC_START] = { "start", 0, 0, 0, P_H | P_W | P_X },
	[IPC_READY] = { "ready", 0, 0, 0, H_P | W_P | X_P },
	[IPC_SHUTDOWN] = { "shutdown", 0, 0, 0, P_H | P_W | P_X },
	[IPC_CONN] = { "conn", sizeof(struct ipc_conn),
	    sizeof(struct ipc_conn) + WSD_MAXHEADER_MAX, 1, H_W },
	[IPC_CTL_REQ] = { "ctl-request", FIXED(struct ipc_ctl), 0, C_P },
	[IPC_CTL_DATA] = { "ctl-data", 0, 4096, 0, P_C },
	[IPC_CTL_END] = { "ctl-end", FIXED(struct ipc_ctl_end), 0, P_C },
	[IPC_STATS] = { "stats", FIXED(struct ipc_stats), 0, W_P },
	[IPC_QUERY] = { "query", FIXED(struct ipc_query), 0, P_W },
	[IPC_CONN_INFO] = { "conn-info", FIXED(struct ipc_conn_info), 0,
	    W_P },
	[IPC_QUERY_END] = { "query-end", FIXED(struct ipc_query_end), 0,
	    W_P },
	[IPC_VERBOSE] = { "verbose", FIXED(int32_t), 0, P_H | P_W | P_X },
	[IPC_SERVER] = { "server", FIXED(struct ipc_server), 0, P_H },
	[IPC_ALIAS] = { "alias", FIXED(struct ipc_alias), 0, P_H },
	[IPC_ORIGIN] = { "origin", FIXED(struct ipc_origin), 0, P_H },
	[IPC_LOCATION] = { "location", FIXED(struct ipc_location), 0, P_H },
	[IPC_AUTH] = { "auth", FIXED(struct ipc_auth), 0, P_H },
	/* No key: the parent could not read it again for a respawn. */
	[IPC_AUTH_TOKEN] = { "auth token", sizeof(struct ipc_auth_token),
	    sizeof(struct ipc_auth_token) + WSD_TOKEN_KEY_MAX, 0, P_H },
	[IPC_AUTH_BASIC] = { "auth basic", sizeof(struct ipc_auth_basic),
	    sizeof(struct ipc_auth_basic) + WSD_HTPASSWD_MAX, 0, P_H },
	[IPC_PW_CHECK] = { "password check", sizeof(struct ipc_pw_check),
	    sizeof(struct ipc_pw_check) + WSD_PASSWORD_MAX, 0, H_X },
	[IPC_PW_RESULT] = { "password result", FIXED(struct ipc_pw_result),
	    0, X_H },
	[IPC_PROXY_FROM] = { "proxy-from", FIXED(struct proxy_net), 0, P_H },
	[IPC_SUBPROTO] = { "subprotocol", FIXED(struct ipc_subproto), 0,
	    P_H },
	[IPC_TLS_SERVER] = { "tls-server", FIXED(struct ipc_tls_server), 0,
	    P_H },
	[IPC_TLS_FILE] = { "tls-file", sizeof(struct ipc_tls_file) + 1,
	    sizeof(struct ipc_tls_file) + TLS_FILE_MAX, 0, P_H },
	[IPC_LISTENER_SERVER] = { "listener-server",
	    FIXED(struct ipc_listener_server), 0, P_H },
	[IPC_RECONF] = { "reconf", 0, 0, 0, P_H },
	[IPC_RECONF_END] = { "reconf-end", 0, 0, 0, P_H },
	[IPC_PEER_RETIRE] = { "peer-retire", FIXED(struct ipc_peer), 0,
	    P_H },
	[IPC_HS_STATS] = { "hs-stats", FIXED(struct ipc_hs_stats), 0, H_P },
	[IPC_ADMIT] = { "admit", FIXED(struct ipc_admit), 0, H_P },
	[IPC_ADMIT_REPLY] = { "admit-reply", FIXED(struct ipc_admit_reply),
	    0, P_H },
	/* Each may carry the connection's log line (log_attach). */
	[IPC_HANDOFF] = { "handoff", sizeof(struct ipc_handoff),
	    sizeof(struct ipc_handoff) + IPC_LOG_ATTACH_MAX, 0, H_P },
	[IPC_RELEASE] = { "release", sizeof(uint64_t),
	    sizeof(uint64_t) + IPC_LOG_ATTACH_MAX, 0, H_P | W_P },
	[IPC_CLOSED] = { "closed", FIXED(struct ipc_closed), 0, W_H },
	[IPC_TLS_TICKET] = { "tls-ticket", FIXED(struct ipc_tls_ticket), 0,
	    P_H },
};

/* A PEM file travels in one datagram. */
_Static_assert(sizeof(struct ipc_tls_file) + TLS_FILE_MAX <= IPC_MAXPAYLOAD,
    "TLS_FILE_MAX does not fit in one message");

_Static_assert(sizeof(struct ipc_auth_basic) + WSD_HTPASSWD_MAX <=
    IPC_MAXPAYLOAD, "WSD_HTPASSWD_MAX does not fit in one message");

static uint8_t	 ipc_rbuf[sizeof(struct ipc_hdr) + IPC_MAXPAYLOAD];

static void	 ipc_chan_read(int, short, void *);
static void	 ipc_chan_write(int, short, void *);
static int	 ipc_chan_flush(struct ipc_chan *);
static void	 ipc_chan_lost(struct ipc_chan *);
static void	 ipc_chan_break(struct ipc_chan *, const char *);
static void	 ipc_outq_clear(struct ipc_chan *);
static void	 ipc_chan_broken(int, short, void *);

const char *
ipc_type_name(uint32_t type)
{
	if (type == 0 || type >= IPC_TYPE_MAX)
		return ("unknown");
	return (ipc_types[type].name);
}

/* The types that from may send to to, as a mask of IPC_BIT(type). */
uint64_t
ipc_accepts(enum ipc_end from, enum ipc_end to)
{
	uint64_t	 mask = 0;
	uint32_t	 t;

	for (t = 1; t < IPC_TYPE_MAX; t++)
		if (ipc_types[t].dirs & IPC_DIR(from, to))
			mask |= IPC_BIT(t);
	return (mask);
}

/*
 * Check one received datagram. On success msg points into buf and owns
 * fd; on failure the caller still owns fd and closes it.
 */
int
ipc_decode(uint8_t *buf, size_t len, int fd, struct ipc_msg *msg,
    const char **errstr)
{
	struct ipc_hdr			 hdr;
	const struct ipc_type_info	*ti;

	if (len < sizeof(hdr)) {
		*errstr = "truncated header";
		return (-1);
	}
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.type == 0 || hdr.type >= IPC_TYPE_MAX) {
		*errstr = "unknown type";
		return (-1);
	}
	ti = &ipc_types[hdr.type];
	if (hdr.len != len - sizeof(hdr)) {
		*errstr = hdr.len > len - sizeof(hdr) ?
		    "truncated payload" : "trailing bytes";
		return (-1);
	}
	if (hdr.len < ti->minlen || hdr.len > ti->maxlen) {
		*errstr = "bad payload size for type";
		return (-1);
	}
	if ((fd != -1) != (ti->nfds != 0)) {
		*errstr = fd == -1 ? "descriptor missing" :
		    "unexpected descriptor";
		return (-1);
	}
	msg->type = hdr.type;
	msg->len = hdr.len;
	msg->data = buf + sizeof(hdr);
	msg->fd = fd;
	return (0);
}

/* Lay out header, a fixed part and a variable part in out. */
int
ipc_encode(uint8_t *out, size_t outsize, uint32_t type, const void *a,
    size_t alen, const void *b, size_t blen, int fd, size_t *outlen)
{
	struct ipc_hdr			 hdr;
	const struct ipc_type_info	*ti;
	size_t				 len = alen + blen;

	if (type == 0 || type >= IPC_TYPE_MAX)
		return (-1);
	ti = &ipc_types[type];
	if (len < ti->minlen || len > ti->maxlen ||
	    sizeof(hdr) + len > outsize || (fd != -1) != (ti->nfds != 0))
		return (-1);
	hdr.type = type;
	hdr.len = len;
	memcpy(out, &hdr, sizeof(hdr));
	if (alen)
		memcpy(out + sizeof(hdr), a, alen);
	if (blen)
		memcpy(out + sizeof(hdr) + alen, b, blen);
	*outlen = sizeof(hdr) + len;
	return (0);
}

int
ipc_sendmsg(int sock, const void *buf, size_t len, int fd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = &cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		return (-1);
	return (0);
}

static void
ipc_close_fds(struct msghdr *mh)
{
	struct cmsghdr	*cm;
	size_t		 i, n;
	int		 fd;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			close(fd);
		}
	}
}

/*
 * Receive one datagram. Returns its length, 0 at end of file, -1 with
 * errno set when nothing could be read, or -2 with *errstr set when a
 * malformed message was read and dropped (its descriptors closed).
 */
ssize_t
ipc_recvmsg(int sock, uint8_t *buf, size_t size, int *fdp,
    const char **errstr)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	ssize_t		 n;
	int		 flags = MSG_DONTWAIT;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 4)];
	} cmsgbuf;

#ifdef MSG_CMSG_CLOEXEC
	flags |= MSG_CMSG_CLOEXEC;
#endif
	*fdp = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = size;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	if ((n = recvmsg(sock, &mh, flags)) <= 0)
		return (n);
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		ipc_close_fds(&mh);
		*errstr = mh.msg_flags & MSG_TRUNC ? "oversized message" :
		    "too many descriptors";
		return (-2);
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		if (cm->cmsg_len != CMSG_LEN(sizeof(int)) || *fdp != -1) {
			ipc_close_fds(&mh);
			*fdp = -1;
			*errstr = "too many descriptors";
			return (-2);
		}
		memcpy(fdp, CMSG_DATA(cm), sizeof(int));
	}
	return (n);
}

/*
 * A channel from self to peer. What peer may send is the direction
 * table's; handlers must handle exactly that, or it is our bug.
 */
struct ipc_chan *
ipc_chan_new(struct event_base *base, int fd, const char *name,
    enum ipc_end self, enum ipc_end peer, const struct ipc_handlers *handlers,
    void *arg)
{
	struct ipc_chan	*c;
	uint32_t	 t;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->fd = fd;
	c->name = name;
	c->self = self;
	c->peer = peer;
	c->accept = ipc_accepts(peer, self);
	for (t = 1; t < IPC_TYPE_MAX; t++)
		if (((c->accept & IPC_BIT(t)) != 0) !=
		    (handlers->h[t] != NULL))
			fatalx("%s: %s: %s %s", __func__, name,
			    ipc_type_name(t), handlers->h[t] == NULL ?
			    "is not handled" : "may not come this way");
	c->handlers = handlers;
	c->arg = arg;
	TAILQ_INIT(&c->outq);
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    ipc_chan_read, c);
	c->ev_write = event_new(base, fd, EV_WRITE, ipc_chan_write, c);
	c->ev_broken = evtimer_new(base, ipc_chan_broken, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    c->ev_broken == NULL || fd_nonblock(fd) == -1 ||
	    event_add(c->ev_read, NULL) == -1) {
		ipc_chan_free(c);
		return (NULL);
	}
	return (c);
}

/* Drop what was never sent: descriptors closed, bytes (keys) wiped. */
static void
ipc_outq_clear(struct ipc_chan *c)
{
	struct ipc_out	*o;

	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, o, entry);
		if (o->fd != -1)
			close(o->fd);
		explicit_bzero(o->buf, o->len);
		free(o);
	}
	c->outq_len = 0;
}

void
ipc_chan_free(struct ipc_chan *c)
{
	if (c == NULL)
		return;
	ipc_outq_clear(c);
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->ev_broken != NULL)
		event_free(c->ev_broken);
	close(c->fd);
	free(c);
}

static void
ipc_chan_lost(struct ipc_chan *c)
{
	if (c->lost)
		return;
	c->lost = 1;
	event_del(c->ev_read);
	event_del(c->ev_write);
	event_del(c->ev_broken);
	if (c->closed != NULL)
		c->closed(c, c->arg);
	else
		fatalx("lost channel to %s", c->name);
}

/*
 * The one rule for a send that fails: a peer that does not read, or
 * whose socket fails, is broken. Its channel stops sending at once and
 * is given up from the event loop, where the owner kills or forgets
 * the peer; the sender itself carries on.
 */
static void
ipc_chan_break(struct ipc_chan *c, const char *why)
{
	struct timeval	 tv;

	if (c->lost || c->broken)
		return;
	c->broken = 1;
	log_warnx("channel to %s is broken: %s", c->name, why);
	event_del(c->ev_read);
	event_del(c->ev_write);
	ipc_outq_clear(c);
	timerclear(&tv);
	evtimer_add(c->ev_broken, &tv);
}

static void
ipc_chan_broken(int fd, short event, void *arg)
{
	ipc_chan_lost(arg);
}

/*
 * Read and handle one message. Returns 1 when there may be more, 0 when
 * the socket is empty or the channel was lost (and possibly freed).
 */
static int
ipc_chan_read_one(struct ipc_chan *c)
{
	struct ipc_msg	 msg;
	const char	*errstr;
	ssize_t		 n;
	int		 rfd;

	n = ipc_recvmsg(c->fd, ipc_rbuf, sizeof(ipc_rbuf), &rfd, &errstr);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	/*
	 * The peer closed with messages to it unread. The error comes
	 * once, before what the peer sent us, which still waits.
	 */
	if (n == -1 && errno == ECONNRESET)
		return (1);
	if (n == -1 || n == 0) {
		ipc_chan_lost(c);
		return (0);
	}
	if (n == -2) {
		log_warnx("%s: from %s: %s", __func__, c->name, errstr);
		return (1);
	}
	if (ipc_decode(ipc_rbuf, n, rfd, &msg, &errstr) == -1) {
		log_warnx("%s: from %s: %s", __func__, c->name, errstr);
		if (rfd != -1)
			close(rfd);
		return (1);
	}
	if ((c->accept & IPC_BIT(msg.type)) == 0) {
		log_warnx("%s: %s may not send %s", __func__, c->name,
		    ipc_type_name(msg.type));
		if (rfd != -1)
			close(rfd);
		return (1);
	}
	c->handlers->h[msg.type](c, &msg, c->arg);
	return (1);
}

/*
 * One message per readiness event: the handler may free the channel, and
 * level-triggered events bring us back for the next one.
 */
static void
ipc_chan_read(int fd, short event, void *arg)
{
	ipc_chan_read_one(arg);
}

/*
 * Handle every message already queued, up to the end of the channel: the
 * last words of a process that died. Only for a channel whose handler
 * does not free it.
 */
void
ipc_chan_drain(struct ipc_chan *c)
{
	while (!c->lost && !c->broken && ipc_chan_read_one(c))
		;
}

static void
ipc_chan_write(int fd, short event, void *arg)
{
	struct ipc_chan	*c = arg;

	if (ipc_chan_flush(c) == -1)
		ipc_chan_break(c, "send failed");
}

static int
ipc_chan_flush(struct ipc_chan *c)
{
	struct ipc_out	*o;

	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		if (ipc_sendmsg(c->fd, o->buf, o->len, o->fd) == -1) {
			if (errno == EAGAIN || errno == ENOBUFS ||
			    errno == EINTR) {
				event_add(c->ev_write, NULL);
				return (0);
			}
			return (-1);
		}
		TAILQ_REMOVE(&c->outq, o, entry);
		c->outq_len -= o->len;
		if (o->fd != -1)
			close(o->fd);
		/* A message may carry a private key: no copy stays behind. */
		explicit_bzero(o->buf, o->len);
		free(o);
	}
	return (0);
}

/*
 * Queue a message. The channel takes fd whatever happens: it is closed
 * once sent, or at once on failure. A failure breaks the channel (see
 * ipc_chan_break); -1 tells a caller that must undo something.
 */
int
ipc_compose(struct ipc_chan *c, uint32_t type, const void *a, size_t alen,
    const void *b, size_t blen, int fd)
{
	struct ipc_out	*o;
	size_t		 size = sizeof(struct ipc_hdr) + alen + blen;

	if (type == 0 || type >= IPC_TYPE_MAX ||
	    (ipc_types[type].dirs & IPC_DIR(c->self, c->peer)) == 0)
		fatalx("%s: %s may not go to %s", __func__,
		    ipc_type_name(type), c->name);
	if (c->lost || c->broken)
		goto fail;
	if (c->outq_len + size > IPC_OUTQ_MAX) {
		ipc_chan_break(c, "its queue is full");
		goto fail;
	}
	if ((o = malloc(sizeof(*o) + size)) == NULL) {
		ipc_chan_break(c, "out of memory");
		goto fail;
	}
	if (ipc_encode(o->buf, size, type, a, alen, b, blen, fd,
	    &o->len) == -1)
		fatalx("%s: cannot encode %s", __func__, ipc_type_name(type));
	o->fd = fd;
	TAILQ_INSERT_TAIL(&c->outq, o, entry);
	c->outq_len += o->len;
	if (TAILQ_FIRST(&c->outq) == o && ipc_chan_flush(c) == -1) {
		ipc_chan_break(c, "send failed");
		return (-1);
	}
	return (0);
 fail:
	if (fd != -1)
		close(fd);
	return (-1);
}

/* Send everything queued, waiting at most timeout milliseconds. */
int
ipc_flush_blocking(struct ipc_chan *c, int timeout)
{
	struct pollfd	 pfd;

	while (!TAILQ_EMPTY(&c->outq)) {
		if (ipc_chan_flush(c) == -1)
			return (-1);
		if (TAILQ_EMPTY(&c->outq))
			break;
		pfd.fd = c->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, timeout) <= 0)
			return (-1);
	}
	return (0);
}
