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
};

static const struct ipc_type_info ipc_types[IPC_TYPE_MAX] = {
	[IPC_LOG] = { "log", sizeof(struct ipc_log),
	    sizeof(struct ipc_log) + IPC_LOG_MAX, 0 },
	[IPC_CONFIG] = { "config", sizeof(struct ipc_config),
	    sizeof(struct ipc_config), 0 },
	[IPC_LISTENER] = { "listener", sizeof(struct ipc_listener),
	    sizeof(struct ipc_listener), 1 },
	[IPC_PEER] = { "peer", sizeof(struct ipc_peer),
	    sizeof(struct ipc_peer), 1 },
	[IPC_START] = { "start", 0, 0, 0 },
	[IPC_READY] = { "ready", 0, 0, 0 },
	[IPC_SHUTDOWN] = { "shutdown", 0, 0, 0 },
	[IPC_CONN] = { "conn", sizeof(struct ipc_conn),
	    sizeof(struct ipc_conn) + WSD_MAXHEADER_MAX, 1 },
	[IPC_CTL_REQ] = { "ctl-request", sizeof(struct ipc_ctl),
	    sizeof(struct ipc_ctl), 0 },
	[IPC_CTL_DATA] = { "ctl-data", 0, 4096, 0 },
	[IPC_CTL_END] = { "ctl-end", sizeof(struct ipc_ctl_end),
	    sizeof(struct ipc_ctl_end), 0 },
	[IPC_STATS] = { "stats", sizeof(struct ipc_stats),
	    sizeof(struct ipc_stats), 0 },
	[IPC_QUERY] = { "query", sizeof(struct ipc_query),
	    sizeof(struct ipc_query), 0 },
	[IPC_CONN_INFO] = { "conn-info", sizeof(struct ipc_conn_info),
	    sizeof(struct ipc_conn_info), 0 },
	[IPC_QUERY_END] = { "query-end", sizeof(struct ipc_query_end),
	    sizeof(struct ipc_query_end), 0 },
	[IPC_VERBOSE] = { "verbose", sizeof(int32_t), sizeof(int32_t), 0 },
	[IPC_RECONF] = { "reconf", 0, 0, 0 },
	[IPC_RECONF_END] = { "reconf-end", 0, 0, 0 },
	[IPC_PEER_RETIRE] = { "peer-retire", sizeof(struct ipc_peer),
	    sizeof(struct ipc_peer), 0 },
	[IPC_HS_STATS] = { "hs-stats", sizeof(struct ipc_hs_stats),
	    sizeof(struct ipc_hs_stats), 0 },
	[IPC_SERVER] = { "server", sizeof(struct ipc_server),
	    sizeof(struct ipc_server), 0 },
	[IPC_ALIAS] = { "alias", sizeof(struct ipc_alias),
	    sizeof(struct ipc_alias), 0 },
	[IPC_ORIGIN] = { "origin", sizeof(struct ipc_origin),
	    sizeof(struct ipc_origin), 0 },
	[IPC_LOCATION] = { "location", sizeof(struct ipc_location),
	    sizeof(struct ipc_location), 0 },
	[IPC_SUBPROTO] = { "subprotocol", sizeof(struct ipc_subproto),
	    sizeof(struct ipc_subproto), 0 },
	[IPC_TLS_SERVER] = { "tls-server", sizeof(struct ipc_tls_server),
	    sizeof(struct ipc_tls_server), 0 },
	[IPC_TLS_FILE] = { "tls-file", sizeof(struct ipc_tls_file) + 1,
	    sizeof(struct ipc_tls_file) + TLS_FILE_MAX, 0 },
	[IPC_LISTENER_SERVER] = { "listener-server",
	    sizeof(struct ipc_listener_server),
	    sizeof(struct ipc_listener_server), 0 },
	[IPC_ADMIT] = { "admit", sizeof(struct ipc_admit),
	    sizeof(struct ipc_admit), 0 },
	[IPC_ADMIT_REPLY] = { "admit-reply", sizeof(struct ipc_admit_reply),
	    sizeof(struct ipc_admit_reply), 0 },
	[IPC_HANDOFF] = { "handoff", sizeof(struct ipc_handoff),
	    sizeof(struct ipc_handoff), 0 },
	[IPC_RELEASE] = { "release", sizeof(uint64_t), sizeof(uint64_t), 0 },
	[IPC_CLOSED] = { "closed", sizeof(uint64_t), sizeof(uint64_t), 0 },
	[IPC_TLS_TICKET] = { "tls-ticket", sizeof(struct ipc_tls_ticket),
	    sizeof(struct ipc_tls_ticket), 0 },
};

/* A PEM file travels in one datagram. */
_Static_assert(sizeof(struct ipc_tls_file) + TLS_FILE_MAX <= IPC_MAXPAYLOAD,
    "TLS_FILE_MAX does not fit in one message");

static uint8_t	 ipc_rbuf[sizeof(struct ipc_hdr) + IPC_MAXPAYLOAD];

static void	 ipc_chan_read(int, short, void *);
static void	 ipc_chan_write(int, short, void *);
static int	 ipc_chan_flush(struct ipc_chan *);
static void	 ipc_chan_lost(struct ipc_chan *);

const char *
ipc_type_name(uint32_t type)
{
	if (type == 0 || type >= IPC_TYPE_MAX)
		return ("unknown");
	return (ipc_types[type].name);
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

struct ipc_chan *
ipc_chan_new(struct event_base *base, int fd, const char *name,
    uint64_t accept, ipc_handler handler, void *arg)
{
	struct ipc_chan	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->fd = fd;
	c->name = name;
	c->accept = accept;
	c->handler = handler;
	c->arg = arg;
	TAILQ_INIT(&c->outq);
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    ipc_chan_read, c);
	c->ev_write = event_new(base, fd, EV_WRITE, ipc_chan_write, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    fd_nonblock(fd) == -1 || event_add(c->ev_read, NULL) == -1) {
		ipc_chan_free(c);
		return (NULL);
	}
	return (c);
}

void
ipc_chan_free(struct ipc_chan *c)
{
	struct ipc_out	*o;

	if (c == NULL)
		return;
	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, o, entry);
		if (o->fd != -1)
			close(o->fd);
		explicit_bzero(o->buf, o->len);
		free(o);
	}
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	close(c->fd);
	free(c);
}

static void
ipc_chan_lost(struct ipc_chan *c)
{
	event_del(c->ev_read);
	event_del(c->ev_write);
	if (c->closed != NULL)
		c->closed(c, c->arg);
	else
		fatalx("lost channel to %s", c->name);
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
	c->handler(c, &msg, c->arg);
	return (1);
}

/*
 * One message per readiness event: the handler may free the channel, and
 * level-triggered events bring us back for the next one.
 */
static void
ipc_chan_read(int fd, short event, void *arg)
{
	(void)fd;
	(void)event;
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
	while (ipc_chan_read_one(c))
		;
}

static void
ipc_chan_write(int fd, short event, void *arg)
{
	struct ipc_chan	*c = arg;

	(void)fd;
	(void)event;
	if (ipc_chan_flush(c) == -1)
		ipc_chan_lost(c);
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
 * once sent, or at once on failure.
 */
int
ipc_compose(struct ipc_chan *c, uint32_t type, const void *a, size_t alen,
    const void *b, size_t blen, int fd)
{
	struct ipc_out	*o;
	size_t		 size = sizeof(struct ipc_hdr) + alen + blen;

	if (c->outq_len + size > IPC_OUTQ_MAX ||
	    (o = malloc(sizeof(*o) + size)) == NULL) {
		if (fd != -1)
			close(fd);
		return (-1);
	}
	if (ipc_encode(o->buf, size, type, a, alen, b, blen, fd,
	    &o->len) == -1) {
		log_warnx("%s: cannot encode %s", __func__,
		    ipc_type_name(type));
		if (fd != -1)
			close(fd);
		free(o);
		return (-1);
	}
	o->fd = fd;
	TAILQ_INSERT_TAIL(&c->outq, o, entry);
	c->outq_len += o->len;
	if (TAILQ_FIRST(&c->outq) == o && ipc_chan_flush(c) == -1) {
		/* The read side notices the loss; keep the queue for it. */
		return (-1);
	}
	return (0);
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
