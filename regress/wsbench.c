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
 * wsbench: a load generator for loopback measurements (make bench).
 *
 *   wsbench -p port [-T] [-c conns] [-n inflight] [-s size] [-t seconds]
 *   wsbench -p port -r [-T] [-c conns] [-t seconds]
 *   wsbench -p port -m pid[,pid...] [-T] [-c conns] [-z | -zz]
 *
 * The first form echoes: each connection keeps inflight messages of size
 * bytes on the wire and sends another as each echo returns, for seconds;
 * every echo is checked byte for byte against what was sent, and it
 * prints messages and bytes a second and the echoes' latency. The second
 * keeps conns connections in the air for seconds, each one connecting,
 * upgrading and closing, over and over, and prints connections a second.
 * The third opens conns connections (with permessage-deflate and one
 * compressed message each when -z, offering client_no_context_takeover
 * too with -zz) and prints how much the given processes' RSS grew per
 * connection. -T speaks TLS. The last line on stdout is a RESULT line of
 * name=value fields for scripts. All stop by themselves; a mismatch or
 * a failure exits 1.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>
#include <zlib.h>

#include "wsc.h"

#define BATCH_MAX	64		/* frames in one write */
#define BATCH_BYTES	(256 * 1024)	/* and bytes, for large messages */
#define SETUP_MAX	256		/* connections being set up at once */
#define SETUP_SECS	(WSC_TIMEOUT / 1000)	/* for one connection */
#define GRACE_SECS	10		/* past -t, before the hard limit */
#define STALL_SECS	2		/* without an echo, with some owed */
#define SEQ_LEN		8		/* a payload's sequence number */
#define HIST_US		10		/* latency buckets, */
#define HIST_N		1000000		/* up to 10 s */

/* The answer to wsc_request()'s fixed key. */
#define ACCEPT		"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

enum state {
	S_CONNECT,
	S_TLS,
	S_REQUEST,
	S_RESPONSE,
	S_ECHO,		/* upgraded, echo mode */
	S_CLOSE,	/* upgraded, rate mode: our close going out */
	S_CLOSING	/* the server's close and EOF coming in */
};

static const char *const state_names[] = {
	"connection", "TLS handshake", "upgrade request sent",
	"upgrade answer", "echo", "close sent", "close from the server"
};

struct bconn {
	int		 fd;
	struct tls	*tls;
	enum state	 state;
	uint32_t	 gen;		/* of this attempt, for stale events */
	uint32_t	 events;	/* armed in epoll */
	double		 since;		/* this attempt began */
	char		 head[1024];	/* the upgrade answer, then the close */
	size_t		 off;
	int		 gotclose;

	/* What goes out: a batch of frames, or a pong. */
	uint8_t		*wbuf;
	const uint8_t	*wsrc;
	size_t		 woff, wlen;
	unsigned int	 owed;		/* messages to send */
	uint64_t	 txseq;
	double		*sent;		/* by sequence number % inflight */
	double		 last;		/* an echo was complete */
	uint8_t		 ping[125];	/* a ping's payload, to pong */
	size_t		 pinglen;
	int		 pingpend;
	uint8_t		 pongfr[6 + 125];

	/* What comes in. */
	uint64_t	 rxseq;		/* the echo expected next */
	uint64_t	 need;		/* bytes left of the frame being read */
	uint8_t		 hdr[10];
	size_t		 hdrlen;
	int		 inframe, inmsg, fin, op;
	size_t		 moff;		/* into the echo being read */
	uint8_t		 ctl[125];
	size_t		 ctllen;
};

static struct bconn	*conns;
static int		 nconns, next_conn, nup;
static int		 ep, port, rate, running;
static struct tls_config *tlscfg;	/* NULL: plain */
static char		 req[512];
static size_t		 reqlen;
static uint8_t		 closefr[8];
static size_t		 closelen;

static uint8_t		*pattern;	/* the payload, but its number */
static uint8_t		*tmpl;		/* a whole frame of it */
static const uint8_t	*mask;		/* in tmpl */
static size_t		 msg_size, frame_len, hdr_len, batch_n;
static unsigned int	 inflight;

static uint64_t		 msgs, bytes, cycles, noclose;
static uint32_t		*hist;		/* HIST_N buckets, then the rest */
static uint64_t		 nsamples;

static void	 fail(struct bconn *, const char *, ...)
		    __attribute__((__noreturn__, __format__(__printf__, 2, 3)));

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The backstop, should the loop's own deadlines ever not hold. */
static void
hard_limit(int sig)
{
	static const char	 msg[] = "wsbench: hard time limit reached\n";
	ssize_t			 n;

	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(1);
}

static void
fail(struct bconn *c, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errx(1, "connection %ld: %s", (long)(c - conns), msg);
}

static void
record(double secs)
{
	size_t	 b;

	if (secs >= HIST_N * (HIST_US / 1e6))
		b = HIST_N;
	else
		b = secs <= 0 ? 0 : (size_t)(secs * (1e6 / HIST_US));
	hist[b]++;
	nsamples++;
}

/* The q quantile in ms, as the upper edge of its bucket. */
static double
quantile(double q)
{
	uint64_t	 want, sum = 0;
	size_t		 b;

	if (nsamples == 0)
		return (0);
	want = q * nsamples;
	if (want < q * nsamples || want == 0)
		want++;
	for (b = 0; b < HIST_N; b++)
		if ((sum += hist[b]) >= want)
			break;
	return ((b + 1) * HIST_US / 1000.0);
}

/*
 * Reads and writes answer in libtls's terms on a plain socket too:
 * TLS_WANT_POLLIN or TLS_WANT_POLLOUT when the socket must be waited for.
 */
static ssize_t
io_read(struct bconn *c, void *buf, size_t len)
{
	ssize_t	 n;

	if (c->tls != NULL)
		return (tls_read(c->tls, buf, len));
	if ((n = read(c->fd, buf, len)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return (TLS_WANT_POLLIN);
	return (n);
}

static ssize_t
io_write(struct bconn *c, const void *buf, size_t len)
{
	ssize_t	 n;

	if (c->tls != NULL)
		return (tls_write(c->tls, buf, len));
	if ((n = write(c->fd, buf, len)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return (TLS_WANT_POLLOUT);
	return (n);
}

static const char *
io_error(struct bconn *c)
{
	const char	*e;

	if (c->tls != NULL && (e = tls_error(c->tls)) != NULL)
		return (e);
	return (strerror(errno));
}

static int
io_want(ssize_t n)
{
	return (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT);
}

static uint64_t
conn_key(struct bconn *c)
{
	return ((uint64_t)c->gen << 32 | (uint64_t)(c - conns));
}

static void
arm(struct bconn *c, uint32_t events)
{
	struct epoll_event	 ev;

	if (events == c->events)
		return;
	ev.events = events;
	ev.data.u64 = conn_key(c);
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		err(1, "epoll_ctl");
	c->events = events;
}

/* Wait for what an operation asked for. */
static void
arm_want(struct bconn *c, ssize_t want)
{
	arm(c, want == TLS_WANT_POLLOUT ? EPOLLOUT : EPOLLIN);
}

/* A new attempt: a non-blocking connect, finished in conn_run(). */
static void
conn_start(struct bconn *c)
{
	struct sockaddr_in	 sin;
	struct epoll_event	 ev;
	int			 on = 1;

	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)
		fail(c, "connect: %s", strerror(errno));
	c->gen++;
	c->state = S_CONNECT;
	c->since = now();
	c->off = 0;
	c->gotclose = 0;
	c->events = EPOLLOUT;
	ev.events = c->events;
	ev.data.u64 = conn_key(c);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		err(1, "epoll_ctl");
}

static void
conn_end(struct bconn *c)
{
	if (c->tls != NULL)
		tls_free(c->tls);
	c->tls = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/* The length of the upgrade answer in head once it is whole, else 0. */
static size_t
answer(struct bconn *c)
{
	const char	*end;
	size_t		 hl;

	if ((end = memmem(c->head, c->off, "\r\n\r\n", 4)) == NULL) {
		if (c->off == sizeof(c->head))
			fail(c, "upgrade answer too long");
		return (0);
	}
	hl = end + 4 - c->head;
	/* SNI is "localhost": Host must name the same server (421). */
	if (hl < 12 || memcmp(c->head, "HTTP/1.1 101", 12) != 0)
		fail(c, "upgrade refused: %.*s%s", (int)strcspn(c->head, "\r"),
		    c->head, tlscfg != NULL && memcmp(c->head + 9, "421", 3) ==
		    0 ? " (has the server the alias \"localhost\"?)" : "");
	if (memmem(c->head, hl, ACCEPT, sizeof(ACCEPT) - 1) == NULL)
		fail(c, "upgrade answer without the right accept key");
	return (hl);
}

/* 1 once head holds the server's whole close frame, status 1000. */
static int
close_frame(struct bconn *c)
{
	const uint8_t	*h = (const uint8_t *)c->head;
	size_t		 len;
	int		 code;

	if (c->off < 2)
		return (0);
	if (h[1] & 0x80)
		fail(c, "a masked frame from the server");
	if (h[0] != 0x88)
		fail(c, "a frame 0x%02x where the close was due", h[0]);
	if ((len = h[1]) > 125 || len == 1)
		fail(c, "a close frame of %zu bytes", len);
	if (c->off < 2 + len)
		return (0);
	code = len == 0 ? -1 : h[2] << 8 | h[3];
	if (code != 1000)
		fail(c, "the server's close has status %d, not 1000", code);
	return (1);
}

static void	 echo_ready(struct bconn *);
static void	 echo_run(struct bconn *);

/* A cycle of -r is over: count it, and start the next. */
static void
cycle_done(struct bconn *c)
{
	cycles++;
	record(now() - c->since);
	conn_end(c);
	conn_start(c);
}

/* Take c as far as it goes without waiting. */
static void
conn_run(struct bconn *c)
{
	static uint8_t	 scratch[4096];
	socklen_t	 len;
	ssize_t		 n;
	size_t		 hl;
	int		 e;

	for (;;) {
		switch (c->state) {
		case S_CONNECT:
			len = sizeof(e);
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e,
			    &len) == -1)
				e = errno;
			if (e != 0)
				fail(c, "connect: %s", strerror(e));
			c->state = S_REQUEST;
			if (tlscfg == NULL)
				break;
			if ((c->tls = tls_client()) == NULL)
				errx(1, "tls_client");
			if (tls_configure(c->tls, tlscfg) == -1 ||
			    tls_connect_socket(c->tls, c->fd,
			    "localhost") == -1)
				fail(c, "tls: %s", tls_error(c->tls));
			c->state = S_TLS;
			break;
		case S_TLS:
			if (io_want(n = tls_handshake(c->tls))) {
				arm_want(c, n);
				return;
			}
			if (n == -1)
				fail(c, "TLS handshake: %s", tls_error(c->tls));
			c->state = S_REQUEST;
			break;
		case S_REQUEST:
			n = io_write(c, req + c->off, reqlen - c->off);
			if (io_want(n)) {
				arm_want(c, n);
				return;
			}
			if (n <= 0)
				fail(c, "sending the upgrade request: %s",
				    io_error(c));
			if ((c->off += n) == reqlen) {
				c->state = S_RESPONSE;
				c->off = 0;
			}
			break;
		case S_RESPONSE:
			n = io_read(c, c->head + c->off,
			    sizeof(c->head) - c->off);
			if (io_want(n)) {
				arm_want(c, n);
				return;
			}
			if (n == 0)
				fail(c, "closed before the upgrade answer");
			if (n < 0)
				fail(c, "reading the upgrade answer: %s",
				    io_error(c));
			c->off += n;
			if ((hl = answer(c)) == 0)
				break;
			/* What came after the answer stays in head. */
			c->off -= hl;
			memmove(c->head, c->head + hl, c->off);
			if (!rate) {
				echo_ready(c);
				return;
			}
			c->state = S_CLOSE;
			c->woff = 0;
			break;
		case S_CLOSE:
			n = io_write(c, closefr + c->woff, closelen - c->woff);
			if (io_want(n)) {
				arm_want(c, n);
				return;
			}
			if (n <= 0)
				fail(c, "sending the close: %s", io_error(c));
			if ((c->woff += n) == closelen) {
				c->state = S_CLOSING;
				c->gotclose = close_frame(c);
			}
			break;
		case S_CLOSING:
			/*
			 * After its close the server ends the stream first,
			 * so that the TIME_WAIT is its, not ours.
			 */
			if (c->gotclose)
				n = io_read(c, scratch, sizeof(scratch));
			else
				n = io_read(c, c->head + c->off,
				    sizeof(c->head) - c->off);
			if (io_want(n)) {
				arm_want(c, n);
				return;
			}
			if (n > 0) {
				if (!c->gotclose) {
					c->off += n;
					c->gotclose = close_frame(c);
				}
				break;
			}
			/* EOF, a reset, or TLS without close_notify. */
			if (!c->gotclose)
				noclose++;
			cycle_done(c);
			return;
		case S_ECHO:
			echo_run(c);
			return;
		}
	}
}

/* One round of epoll; events of an attempt that has ended are stale. */
static void
poll_once(void)
{
	struct epoll_event	 evs[256];
	struct bconn		*c;
	int			 i, n;

	if ((n = epoll_wait(ep, evs, 256, 100)) == -1) {
		if (errno == EINTR)
			return;
		err(1, "epoll_wait");
	}
	for (i = 0; i < n; i++) {
		c = &conns[evs[i].data.u64 & 0xffffffff];
		if (c->gen == evs[i].data.u64 >> 32 && c->fd != -1)
			conn_run(c);
	}
}

/* No connection may take longer than SETUP_SECS to come up or go. */
static void
sweep(void)
{
	static double	 last;
	double		 t = now();
	int		 i;

	if (t - last < 0.1)
		return;
	last = t;
	for (i = 0; i < next_conn; i++)
		if (conns[i].state != S_ECHO && conns[i].fd != -1 &&
		    t - conns[i].since > SETUP_SECS)
			fail(&conns[i], "no %s within %d s",
			    state_names[conns[i].state], SETUP_SECS);
}

/*
 * Echoes: message n of a connection carries n in its first SEQ_LEN bytes
 * (little-endian, as many as fit) and the pattern after them, so each
 * echo can be checked against exactly what was sent, in order.
 */

static void
mismatch(struct bconn *c, size_t off, uint8_t got, uint8_t sent)
{
	fail(c, "echo of message %llu differs at byte %zu: 0x%02x, sent "
	    "0x%02x", (unsigned long long)c->rxseq, off, got, sent);
}

static void
echo_check(struct bconn *c, const uint8_t *p, size_t n)
{
	size_t	 off = c->moff, i = 0;
	uint8_t	 b;

	for (; off < SEQ_LEN && off < msg_size && i < n; off++, i++)
		if (p[i] != (b = c->rxseq >> (8 * off)))
			mismatch(c, off, p[i], b);
	if (i < n && memcmp(p + i, pattern + off, n - i) != 0) {
		while (p[i] == pattern[off]) {
			i++;
			off++;
		}
		mismatch(c, off, p[i], pattern[off]);
	}
	c->moff += n;
}

/* A frame head is whole in hdr: check it, and start on its payload. */
static int
echo_head(struct bconn *c)
{
	uint64_t	 need;
	size_t		 hl, i;

	if (c->hdrlen < 2)
		return (0);
	hl = (c->hdr[1] & 0x7f) == 126 ? 4 : (c->hdr[1] & 0x7f) == 127 ?
	    10 : 2;
	if (c->hdrlen < hl)
		return (0);
	c->hdrlen = 0;
	if (c->hdr[1] & 0x80)
		fail(c, "a masked frame from the server");
	if (c->hdr[0] & 0x70)
		fail(c, "a frame with RSV bits: 0x%02x", c->hdr[0]);
	need = c->hdr[1] & 0x7f;
	if (hl == 4)
		need = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
	else if (hl == 10)
		for (i = 2, need = 0; i < 10; i++)
			need = need << 8 | c->hdr[i];
	c->fin = c->hdr[0] >> 7;
	c->op = c->hdr[0] & 0x0f;
	if (c->op & 0x8) {
		if (!c->fin || need > sizeof(c->ctl))
			fail(c, "a bad control frame: opcode 0x%x, %llu "
			    "bytes", c->op, (unsigned long long)need);
		c->ctllen = 0;
	} else if (!c->inmsg) {
		if (c->op != 0x2)
			fail(c, "an echo with opcode 0x%x, not binary (0x2)",
			    c->op);
		if (c->rxseq == c->txseq)
			fail(c, "an echo of a message never sent");
		c->inmsg = 1;
		c->moff = 0;
	} else if (c->op != 0x0)
		fail(c, "opcode 0x%x inside a fragmented echo", c->op);
	if (!(c->op & 0x8) && need > msg_size - c->moff)
		fail(c, "the echo of message %llu is longer than the %zu "
		    "bytes sent", (unsigned long long)c->rxseq, msg_size);
	c->need = need;
	c->inframe = 1;
	return (1);
}

/* A frame is in: t is when, for an echo's latency. */
static void
echo_frame(struct bconn *c, double t)
{
	c->inframe = 0;
	if (c->op & 0x8) {
		switch (c->op) {
		case 0x8:
			fail(c, "the server closed the connection, status %d",
			    c->ctllen >= 2 ? c->ctl[0] << 8 | c->ctl[1] : -1);
		case 0x9:
			/* A keepalive ping: the pong repeats it. */
			memcpy(c->ping, c->ctl, c->ctllen);
			c->pinglen = c->ctllen;
			c->pingpend = 1;
			break;
		case 0xa:
			break;
		default:
			fail(c, "a frame with opcode 0x%x", c->op);
		}
		return;
	}
	if (!c->fin)
		return;
	if (c->moff != msg_size)
		fail(c, "the echo of message %llu has %zu bytes, not %zu",
		    (unsigned long long)c->rxseq, c->moff, msg_size);
	c->inmsg = 0;
	if (running) {
		msgs++;
		record(t - c->sent[c->rxseq % inflight]);
		c->last = t;
	}
	c->rxseq++;
	c->owed++;
}

/* Check what arrived, counting whole echoes; each one is owed back. */
static void
echo_input(struct bconn *c, const uint8_t *p, size_t len, double t)
{
	size_t	 n;

	while (len > 0) {
		if (!c->inframe) {
			c->hdr[c->hdrlen++] = *p++;
			len--;
			if (echo_head(c) && c->need == 0)
				echo_frame(c, t);
			continue;
		}
		n = len < c->need ? len : c->need;
		if (c->op & 0x8) {
			memcpy(c->ctl + c->ctllen, p, n);
			c->ctllen += n;
		} else
			echo_check(c, p, n);
		p += n;
		len -= n;
		if ((c->need -= n) == 0)
			echo_frame(c, t);
	}
}

/*
 * The next thing to write: a pong if one is due, else as many owed
 * messages as a batch holds. A message's send time is taken here, as
 * its batch is queued, just before the batch's first write(): the send
 * time of the first byte of the batch's first message, and a little
 * early for the others when a write is partial.
 */
static void
echo_batch(struct bconn *c)
{
	uint64_t	 seq;
	unsigned int	 i, k;
	uint8_t		*f;
	size_t		 j;
	double		 t;

	c->woff = 0;
	if (c->pingpend) {
		c->pingpend = 0;
		c->wsrc = c->pongfr;
		c->wlen = wsc_frame(c->pongfr, 1, 0xa, c->ping, c->pinglen);
		return;
	}
	k = c->owed < batch_n ? c->owed : batch_n;
	t = now();
	for (i = 0; i < k; i++) {
		seq = c->txseq++;
		f = c->wbuf + i * frame_len + hdr_len;
		for (j = 0; j < SEQ_LEN && j < msg_size; j++)
			f[j] = (uint8_t)(seq >> (8 * j)) ^ mask[j & 3];
		c->sent[seq % inflight] = t;
	}
	c->owed -= k;
	c->wsrc = c->wbuf;
	c->wlen = k * frame_len;
}

/* Write until done or blocked; returns 0, or what is waited for. */
static ssize_t
echo_write(struct bconn *c)
{
	ssize_t	 n;

	while (c->woff < c->wlen || c->pingpend || c->owed > 0) {
		if (c->woff == c->wlen)
			echo_batch(c);
		n = io_write(c, c->wsrc + c->woff, c->wlen - c->woff);
		if (io_want(n))
			return (n);
		if (n <= 0)
			fail(c, "write: %s", io_error(c));
		c->woff += n;
	}
	return (0);
}

/*
 * Reads go on until the socket or libtls asks to wait, writes until
 * done or blocked. A plain socket is edge-triggered for both directions,
 * so that nothing is re-armed per message. A TLS one is level-triggered
 * and re-armed from what libtls wants: libtls may want POLLIN with a
 * record already in the socket (after a TLS 1.3 session ticket), and
 * that record must still wake us.
 */
static void
echo_run(struct bconn *c)
{
	static uint8_t	 rbuf[256 * 1024];
	ssize_t		 n, w;
	int		 out = 0;

	for (;;) {
		if (io_want(n = io_read(c, rbuf, sizeof(rbuf)))) {
			out = n == TLS_WANT_POLLOUT;
			break;
		}
		if (n == 0)
			fail(c, "the server closed the connection");
		if (n < 0)
			fail(c, "read: %s", io_error(c));
		if (running)
			bytes += n;
		echo_input(c, rbuf, n, now());
	}
	w = echo_write(c);
	if (c->tls != NULL)
		arm(c, EPOLLIN | (out || w == TLS_WANT_POLLOUT ? EPOLLOUT : 0));
}

/* c is upgraded: echo mode takes it, and the next one may start. */
static void
echo_ready(struct bconn *c)
{
	c->state = S_ECHO;
	arm(c, c->tls != NULL ? EPOLLIN : EPOLLIN | EPOLLOUT | EPOLLET);
	nup++;
	if (c->off > 0)
		echo_input(c, (uint8_t *)c->head, c->off, now());
	c->off = 0;
	if (next_conn < nconns)
		conn_start(&conns[next_conn++]);
}

static void
bench_echo(int nconn, size_t size, int seconds)
{
	struct bconn	*c;
	double		 t0, t;
	size_t		 i;
	int		 j;

	msg_size = size;
	if ((pattern = malloc(size + 1)) == NULL ||
	    (tmpl = malloc(size + 14)) == NULL ||
	    (conns = calloc(nconn, sizeof(*conns))) == NULL ||
	    (hist = calloc(HIST_N + 1, sizeof(*hist))) == NULL)
		err(1, NULL);
	for (i = 0; i < size; i++)
		pattern[i] = i < SEQ_LEN ? 0 : (uint8_t)(i * 131 + (i >> 8));
	frame_len = wsc_frame(tmpl, 1, 0x2, pattern, size);
	hdr_len = frame_len - size;
	mask = tmpl + hdr_len - 4;
	batch_n = BATCH_BYTES / frame_len;
	if (batch_n > BATCH_MAX)
		batch_n = BATCH_MAX;
	if (batch_n > inflight)
		batch_n = inflight;
	if (batch_n == 0)
		batch_n = 1;
	nconns = nconn;
	for (j = 0; j < nconn; j++) {
		c = &conns[j];
		c->fd = -1;
		if ((c->wbuf = malloc(batch_n * frame_len)) == NULL ||
		    (c->sent = calloc(inflight, sizeof(double))) == NULL)
			err(1, NULL);
		for (i = 0; i < batch_n; i++)
			memcpy(c->wbuf + i * frame_len, tmpl, frame_len);
	}

	/* Up to SETUP_MAX at a time, each bounded by sweep(). */
	alarm(SETUP_SECS * (nconn / SETUP_MAX + 1) + GRACE_SECS);
	while (next_conn < nconn && next_conn < SETUP_MAX)
		conn_start(&conns[next_conn++]);
	while (nup < nconn) {
		poll_once();
		sweep();
	}

	alarm(seconds + GRACE_SECS);
	running = 1;
	t0 = now();
	for (j = 0; j < nconn; j++) {
		conns[j].owed = inflight;
		conns[j].last = t0;
		echo_run(&conns[j]);
	}
	while ((t = now() - t0) < seconds)
		poll_once();
	running = 0;
	/* A connection the server left hanging would only lower the rate. */
	if (msgs == 0)
		errx(1, "no echo came back in %d s", seconds);
	for (j = 0; j < nconn; j++)
		if (conns[j].rxseq < conns[j].txseq &&
		    t0 + t - conns[j].last > STALL_SECS)
			fail(&conns[j], "no echo for the last %.1f s, %llu "
			    "messages owed", t0 + t - conns[j].last,
			    (unsigned long long)(conns[j].txseq -
			    conns[j].rxseq));
	printf("echo%s: %d connections, %u in flight, %zu-byte messages: "
	    "%.0f messages/s, %.1f MB/s of echoes\n", tlscfg ? " over TLS" :
	    "", nconn, inflight, size, msgs / t, bytes / t / 1e6);
	printf("latency, from a message's first write to its whole echo: "
	    "p50 %.2f ms, p99 %.2f ms (%llu echoes, all checked)\n",
	    quantile(0.50), quantile(0.99), (unsigned long long)nsamples);
	printf("RESULT mode=echo tls=%d msgs_per_s=%.0f mb_per_s=%.1f "
	    "p50_ms=%.2f p99_ms=%.2f\n", tlscfg != NULL, msgs / t,
	    bytes / t / 1e6, quantile(0.50), quantile(0.99));
	for (j = 0; j < nconn; j++) {
		conn_end(&conns[j]);
		free(conns[j].wbuf);
		free(conns[j].sent);
	}
	free(conns);
	free(hist);
	free(tmpl);
	free(pattern);
}

static void
bench_rate(int nconn, int seconds)
{
	double	 t0, t;
	int	 i;

	if ((conns = calloc(nconn, sizeof(*conns))) == NULL ||
	    (hist = calloc(HIST_N + 1, sizeof(*hist))) == NULL)
		err(1, NULL);
	nconns = next_conn = nconn;
	alarm(seconds + GRACE_SECS);
	t0 = now();
	for (i = 0; i < nconn; i++)
		conn_start(&conns[i]);
	while ((t = now() - t0) < seconds) {
		poll_once();
		sweep();
	}
	if (cycles == 0)
		errx(1, "no connection went through in %d s", seconds);
	printf("rate%s: %d connections in the air: %.0f connections/s "
	    "(%llu in %.1f s), each from connect to the server's EOF in "
	    "p50 %.2f ms, p99 %.2f ms\n", tlscfg ? " over TLS" : "", nconn,
	    cycles / t, (unsigned long long)cycles, t, quantile(0.50),
	    quantile(0.99));
	if (noclose > 0)
		printf("rate: %llu connections ended without the server's "
		    "close frame\n", (unsigned long long)noclose);
	printf("RESULT mode=rate tls=%d conns_per_s=%.0f p50_ms=%.2f "
	    "p99_ms=%.2f\n", tlscfg != NULL, cycles / t, quantile(0.50),
	    quantile(0.99));
	for (i = 0; i < nconn; i++)
		conn_end(&conns[i]);
	free(conns);
	free(hist);
}

static long
rss_kb(const char *pids)
{
	char	 path[64], line[256], *list, *p, *last;
	FILE	*f;
	long	 kb, sum = 0;

	if ((list = strdup(pids)) == NULL)
		err(1, NULL);
	for (p = strtok_r(list, ",", &last); p != NULL;
	    p = strtok_r(NULL, ",", &last)) {
		snprintf(path, sizeof(path), "/proc/%s/status", p);
		if ((f = fopen(path, "r")) == NULL)
			err(1, "%s", path);
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
				sum += kb;
		fclose(f);
	}
	free(list);
	return (sum);
}

static int
upgraded(struct wsc_tls *t, const char *extra)
{
	char	 resp[1024];
	int	 fd;

	if (t != NULL) {
		if (wsct_connect(t, port, NULL) == -1)
			errx(1, "connect: %s", wsct_error(t));
		/* SNI is "localhost": Host must name the same server. */
		if (wsct_upgrade(t, extra, resp, sizeof(resp)) != 101)
			errx(1, "upgrade refused: %.*s%s",
			    (int)strcspn(resp, "\r"), resp,
			    strncmp(resp, "HTTP/1.1 421", 12) == 0 ?
			    " (has the server the alias \"localhost\"?)" : "");
		return (t->fd);
	}
	if ((fd = wsc_connect(port)) == -1)
		err(1, "connect");
	if (wsc_upgrade(fd, extra, resp, sizeof(resp)) != 101)
		errx(1, "upgrade refused: %s", resp);
	return (fd);
}

/* One compressed message and its echo, so the streams get made. */
static void
bench_compressed(int fd, struct wsc_tls *t)
{
	static const char	 msg[] = "a compressed hello, a compressed hello";
	uint8_t			 z[256], frame[300];
	size_t			 zlen, flen, elen;
	z_stream		 zs;
	int			 fin, op, rv;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		errx(1, "deflateInit2");
	zs.next_in = (Bytef *)(uintptr_t)msg;
	zs.avail_in = sizeof(msg) - 1;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	deflate(&zs, Z_SYNC_FLUSH);
	zlen = sizeof(z) - zs.avail_out - 4;
	deflateEnd(&zs);
	flen = wsc_frame(frame, 1, 0x1, z, zlen);
	frame[0] |= 0x40;
	if (t != NULL)
		rv = wsct_write_all(t, frame, flen) == -1 || wsct_recv(t, &fin,
		    &op, frame, sizeof(frame), &elen) == -1;
	else
		rv = wsc_write_all(fd, frame, flen) == -1 || wsc_recv(fd, &fin,
		    &op, frame, sizeof(frame), &elen) == -1;
	if (rv)
		errx(1, "no compressed echo");
}

static void
bench_memory(int nconn, const char *pids, int deflate, int tls)
{
	const char	*ext = NULL;
	struct wsc_tls	*ts = NULL;
	long		 before, after;
	int		*fds, i;

	if (deflate == 1)
		ext = "Sec-WebSocket-Extensions: permessage-deflate; "
		    "client_max_window_bits\r\n";
	else if (deflate > 1)
		ext = "Sec-WebSocket-Extensions: permessage-deflate; "
		    "client_no_context_takeover; client_max_window_bits\r\n";
	if ((fds = calloc(nconn, sizeof(int))) == NULL ||
	    (tls && (ts = calloc(nconn, sizeof(*ts))) == NULL))
		err(1, NULL);
	before = rss_kb(pids);
	for (i = 0; i < nconn; i++) {
		fds[i] = upgraded(ts ? &ts[i] : NULL, ext);
		if (deflate)
			bench_compressed(fds[i], ts ? &ts[i] : NULL);
	}
	/* Let the workers finish with the last hand-offs before reading. */
	sleep(1);
	after = rss_kb(pids);
	printf("idle memory%s%s: %.0f bytes per connection (%d connections, "
	    "workers' RSS %ld kB -> %ld kB)\n", deflate == 0 ? "" :
	    deflate == 1 ? " with permessage-deflate" :
	    " with permessage-deflate, client_no_context_takeover",
	    tls ? " over TLS" : "", (after - before) * 1024.0 / nconn,
	    nconn, before, after);
	printf("RESULT mode=mem tls=%d bytes_per_conn=%.0f\n", tls,
	    (after - before) * 1024.0 / nconn);
	for (i = 0; i < nconn; i++) {
		if (ts != NULL)
			wsct_close(&ts[i]);
		else
			close(fds[i]);
	}
	free(ts);
	free(fds);
}

int
main(int argc, char *argv[])
{
	const char	*pids = NULL, *path = "/", *errstr;
	char		 host[32], extra[512] = "";
	size_t		 size = 32;
	int		 ch, nconn = 100, seconds = 5, deflate = 0, tls = 0;

	inflight = 16;
	while ((ch = getopt(argc, argv, "H:P:Tc:m:n:p:rs:t:z")) != -1) {
		errstr = NULL;
		switch (ch) {
		case 'H':
			/* One more header line, "Name: value". */
			if (strlcat(extra, optarg, sizeof(extra)) >=
			    sizeof(extra) || strlcat(extra, "\r\n",
			    sizeof(extra)) >= sizeof(extra))
				errx(1, "-H: too long");
			break;
		case 'P':
			path = optarg;
			break;
		case 'T':
			tls = 1;
			break;
		case 'c':
			nconn = strtonum(optarg, 1, 100000, &errstr);
			break;
		case 'm':
			pids = optarg;
			break;
		case 'n':
			inflight = strtonum(optarg, 1, 100000, &errstr);
			break;
		case 'p':
			port = strtonum(optarg, 1, 65535, &errstr);
			break;
		case 'r':
			rate = 1;
			break;
		case 's':
			size = strtonum(optarg, 0, 16 * 1024 * 1024, &errstr);
			break;
		case 't':
			seconds = strtonum(optarg, 1, 600, &errstr);
			break;
		case 'z':
			deflate++;	/* -zz: client_no_context_takeover */
			break;
		default:
			fprintf(stderr, "usage: wsbench -p port [-T] "
			    "[-c conns] [-n inflight] [-s size] [-t seconds]\n"
			    "       wsbench -p port -r [-T] [-c conns] "
			    "[-H header] [-P path] [-t seconds]\n"
			    "       wsbench -p port -m pid[,pid...] [-T] "
			    "[-c conns] [-z | -zz]\n");
			return (1);
		}
		if (errstr != NULL)
			errx(1, "-%c %s: %s", ch, optarg, errstr);
	}
	if (port == 0)
		errx(1, "-p port is required");
	if (rate && pids != NULL)
		errx(1, "-r and -m are different modes");
	raise_nofile();
	/* A write to a connection the server has reset must fail, not kill. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, hard_limit);
	if (pids != NULL) {
		bench_memory(nconn, pids, deflate, tls);
		return (0);
	}
	if (tls) {
		if ((tlscfg = tls_config_new()) == NULL)
			errx(1, "tls_config_new");
		tls_config_insecure_noverifycert(tlscfg);
		tls_config_insecure_noverifyname(tlscfg);
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	if ((reqlen = wsc_request(req, sizeof(req), -1, path, host,
	    extra)) == 0)
		errx(1, "wsc_request");
	closelen = wsc_frame(closefr, 1, 0x8, "\x03\xe8", 2);
	if (rate)
		bench_rate(nconn, seconds);
	else
		bench_echo(nconn, size, seconds);
	tls_config_free(tlscfg);
	return (0);
}
