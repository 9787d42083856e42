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
 * A WebSocket client for the tests, over plain TCP or TLS. Each protocol
 * routine is written once, over a connection that says how bytes move on
 * it; the wsc_ functions take a plain socket, the wsct_ ones a TLS
 * connection. Every wait is bounded by WSC_TIMEOUT.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "wsc.h"

/* At most this much is written at once while an echo is coming in. */
#define EXCHANGE_CHUNK	65536

/*
 * An operation moves bytes without waiting: it returns how many, 0 at
 * the end of the stream, -1 on an error, or TLS_WANT_POLLIN or
 * TLS_WANT_POLLOUT when the socket must be polled first. A plain socket
 * answers in libtls's terms too, so that one loop serves both.
 */
struct wsc_conn;

struct wsc_ops {
	ssize_t	(*read)(struct wsc_conn *, void *, size_t);
	ssize_t	(*write)(struct wsc_conn *, const void *, size_t);
};

struct wsc_conn {
	const struct wsc_ops	*ops;
	int			 fd;	/* polled when an operation waits */
	struct tls		*tls;	/* NULL on a plain socket */
};

/* One message out as a frame, and its echo as its frames come in. */
struct echo {
	uint8_t		*tx, *rx, *msg;
	size_t		 txlen, txoff, rxlen, rxcap, msglen, max;
	int		 fin, first, op;
};

/*
 * The test's socket may block: read only once poll(2) says something is
 * there, so that every wait is one of ours, and bounded.
 */
static ssize_t
plain_read(struct wsc_conn *c, void *buf, size_t len)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	pfd.fd = c->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) <= 0)
		return (TLS_WANT_POLLIN);
	if ((n = read(c->fd, buf, len)) == -1 && errno == EAGAIN)
		return (TLS_WANT_POLLIN);
	/* A reset ends the stream as surely as a FIN does. */
	if (n == -1 && errno == ECONNRESET)
		return (0);
	return (n);
}

static ssize_t
plain_write(struct wsc_conn *c, const void *buf, size_t len)
{
	ssize_t	 n;

	if ((n = write(c->fd, buf, len)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return (TLS_WANT_POLLOUT);
	return (n);
}

/*
 * libtls may answer TLS_WANT_POLLIN with bytes still pending (after a
 * TLS 1.3 session ticket), so a want is only ever a reason to retry.
 */
static ssize_t
tlsc_read(struct wsc_conn *c, void *buf, size_t len)
{
	return (tls_read(c->tls, buf, len));
}

static ssize_t
tlsc_write(struct wsc_conn *c, const void *buf, size_t len)
{
	return (tls_write(c->tls, buf, len));
}

static const struct wsc_ops	 plain_ops = { plain_read, plain_write };
static const struct wsc_ops	 tlsc_ops = { tlsc_read, tlsc_write };

/* The test's plain socket fd as a connection. */
static struct wsc_conn *
plain(struct wsc_conn *c, int fd)
{
	c->ops = &plain_ops;
	c->fd = fd;
	c->tls = NULL;
	return (c);
}

/* t as a connection, its socket non-blocking since wsct_connect(). */
static struct wsc_conn *
secure(struct wsc_conn *c, struct wsc_tls *t)
{
	c->ops = &tlsc_ops;
	c->fd = t->fd;
	c->tls = t->tls;
	return (c);
}

/* Wait for what an operation asked for; 0 when it may be retried. */
static int
conn_wait(struct wsc_conn *c, ssize_t want)
{
	struct pollfd	 pfd;

	pfd.fd = c->fd;
	pfd.events = want == TLS_WANT_POLLOUT ? POLLOUT : POLLIN;
	return (poll(&pfd, 1, WSC_TIMEOUT) > 0 ? 0 : -1);
}

/* One read, or one write if out is set, retried after each wait. */
static ssize_t
conn_io(struct wsc_conn *c, int out, void *buf, size_t len)
{
	ssize_t	 n;

	for (;;) {
		n = out ? c->ops->write(c, buf, len) :
		    c->ops->read(c, buf, len);
		if (n != TLS_WANT_POLLIN && n != TLS_WANT_POLLOUT)
			return (n);
		if (conn_wait(c, n) == -1)
			return (-1);
	}
}

/* All len bytes in, or out; -1 if the stream ends or fails first. */
static int
conn_full(struct wsc_conn *c, int out, void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = conn_io(c, out, p, len)) <= 0)
			return (-1);
		p += n;
		len -= n;
	}
	return (0);
}

static int
conn_write_all(struct wsc_conn *c, const void *buf, size_t len)
{
	/* A write only reads from buf. */
	return (conn_full(c, 1, (void *)(uintptr_t)buf, len));
}

/*
 * Read an HTTP response head byte by byte, so nothing after it is
 * consumed. Returns its status code, or -1.
 */
static int
conn_response(struct wsc_conn *c, char *buf, size_t size)
{
	size_t	 len = 0;
	int	 status;

	while (len + 1 < size) {
		if (conn_full(c, 0, buf + len, 1) == -1)
			break;
		len++;
		buf[len] = '\0';
		if (len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		return (-1);
	return (status);
}

static int
conn_upgrade(struct wsc_conn *c, const char *path, const char *host,
    const char *extra, char *resp, size_t size)
{
	char	 req[4096];

	if (wsc_request(req, sizeof(req), c->fd, path, host, extra) == 0)
		return (-1);
	if (conn_write_all(c, req, strlen(req)) == -1)
		return (-1);
	return (conn_response(c, resp, size));
}

static int
conn_send(struct wsc_conn *c, int fin, int op, const void *data, size_t len)
{
	uint8_t	*buf;
	int	 rv;

	if ((buf = malloc(len + 14)) == NULL)
		return (-1);
	rv = conn_write_all(c, buf, wsc_frame(buf, fin, op, data, len));
	free(buf);
	return (rv);
}

/* One server frame; the server never masks. */
static int
conn_recv(struct wsc_conn *c, int *fin, int *op, uint8_t *buf, size_t cap,
    size_t *len)
{
	uint8_t		 h[8];
	uint64_t	 n;
	int		 i;

	if (conn_full(c, 0, h, 2) == -1 || (h[1] & 0x80))
		return (-1);
	*fin = h[0] >> 7;
	*op = h[0] & 0x4f;	/* RSV1 stays: permessage-deflate uses it */
	n = h[1] & 0x7f;
	if (n == 126) {
		if (conn_full(c, 0, h, 2) == -1)
			return (-1);
		n = (uint64_t)h[0] << 8 | h[1];
	} else if (n == 127) {
		if (conn_full(c, 0, h, 8) == -1)
			return (-1);
		for (i = 0, n = 0; i < 8; i++)
			n = n << 8 | h[i];
	}
	if (n > cap || conn_full(c, 0, buf, n) == -1)
		return (-1);
	*len = n;
	return (0);
}

/* 0 once the server has ended the stream (close_notify, FIN or reset). */
static int
conn_wait_eof(struct wsc_conn *c)
{
	uint8_t	 b[512];
	ssize_t	 n;

	while ((n = conn_io(c, 0, b, sizeof(b))) > 0)
		;
	return (n == 0 ? 0 : -1);
}

/*
 * Parse one complete server frame at the start of buf[0..len); returns
 * its total length, or 0 when more bytes are needed.
 */
static size_t
wsc_parse(const uint8_t *buf, size_t len, int *fin, int *op,
    const uint8_t **payload, size_t *plen)
{
	uint64_t	 n;
	size_t		 h = 2;
	int		 i;

	if (len < 2)
		return (0);
	n = buf[1] & 0x7f;
	if (n == 126) {
		if (len < 4)
			return (0);
		n = (uint64_t)buf[2] << 8 | buf[3];
		h = 4;
	} else if (n == 127) {
		if (len < 10)
			return (0);
		for (i = 0, n = 0; i < 8; i++)
			n = n << 8 | buf[2 + i];
		h = 10;
	}
	if (len - h < n)
		return (0);
	*fin = buf[0] >> 7;
	*op = buf[0] & 0x4f;
	*payload = buf + h;
	*plen = n;
	return (h + n);
}

static int
echo_init(struct echo *e, int op, const void *data, size_t len)
{
	memset(e, 0, sizeof(*e));
	e->first = 1;
	e->max = len;
	e->rxcap = len + 65536 + 1024;
	if ((e->tx = malloc(len + 14)) == NULL ||
	    (e->rx = malloc(e->rxcap)) == NULL ||
	    (e->msg = malloc(len + 1)) == NULL) {
		free(e->tx);
		free(e->rx);
		return (-1);
	}
	e->txlen = wsc_frame(e->tx, 1, op, data, len);
	return (0);
}

/* Take the whole frames received so far: -1 if they are not the echo. */
static int
echo_take(struct echo *e)
{
	const uint8_t	*payload;
	size_t		 n, plen;
	int		 op;

	while (!e->fin && (n = wsc_parse(e->rx, e->rxlen, &e->fin, &op,
	    &payload, &plen)) > 0) {
		if (e->first)
			e->op = op;
		else if (op != 0)
			return (-1);
		if (e->msglen + plen > e->max)
			return (-1);
		e->first = 0;
		memcpy(e->msg + e->msglen, payload, plen);
		e->msglen += plen;
		memmove(e->rx, e->rx + n, e->rxlen - n);
		e->rxlen -= n;
	}
	return (0);
}

/* Hand the echo over if ok; free what the caller does not take. */
static int
echo_end(struct echo *e, int ok, uint8_t **echo, size_t *len, int *op)
{
	free(e->tx);
	free(e->rx);
	if (!ok) {
		free(e->msg);
		return (-1);
	}
	*echo = e->msg;
	*len = e->msglen;
	*op = e->op;
	return (0);
}

/*
 * What one try in an exchange did: bytes moved are counted at *off, a
 * want is noted in pfd for the poll. -1 if the stream failed or ended.
 */
static int
echo_step(ssize_t r, size_t *off, struct pollfd *pfd, int *progress)
{
	if (r > 0) {
		*off += r;
		*progress = 1;
	} else if (r == TLS_WANT_POLLIN)
		pfd->events |= POLLIN;
	else if (r == TLS_WANT_POLLOUT)
		pfd->events |= POLLOUT;
	else
		return (-1);
	return (0);
}

/*
 * Send one message and collect its echo at the same time, as a client
 * that reads while it writes, waiting only when neither side can move.
 * The echo's payload goes to *echo (the caller frees it) and its first
 * opcode to *echo_op. Returns 0 once the whole echo is in.
 */
static int
conn_exchange(struct wsc_conn *c, int op, const void *data, size_t len,
    uint8_t **echo, size_t *echo_len, int *echo_op)
{
	struct echo	 e;
	struct pollfd	 pfd;
	size_t		 n;
	int		 ok = 0, flags, progress;

	if (echo_init(&e, op, data, len) == -1)
		return (-1);
	/* A write must not block while the echo waits to be read. */
	flags = fcntl(c->fd, F_GETFL);
	fcntl(c->fd, F_SETFL, flags | O_NONBLOCK);
	while (!e.fin) {
		progress = 0;
		pfd.fd = c->fd;
		pfd.events = 0;
		n = e.txlen - e.txoff;
		if (n > 0 && echo_step(c->ops->write(c, e.tx + e.txoff,
		    n > EXCHANGE_CHUNK ? EXCHANGE_CHUNK : n), &e.txoff, &pfd,
		    &progress) == -1)
			goto done;
		if (echo_step(c->ops->read(c, e.rx + e.rxlen,
		    e.rxcap - e.rxlen), &e.rxlen, &pfd, &progress) == -1 ||
		    echo_take(&e) == -1)
			goto done;
		if (!e.fin && !progress && poll(&pfd, 1, WSC_TIMEOUT) <= 0)
			goto done;
	}
	ok = 1;
 done:
	fcntl(c->fd, F_SETFL, flags);
	return (echo_end(&e, ok, echo, echo_len, echo_op));
}

/* A masked client frame into out; returns its length. */
size_t
wsc_frame(uint8_t *out, int fin, int op, const void *data, size_t len)
{
	static const uint8_t	 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	const uint8_t		*p = data;
	size_t			 h = 2, i;

	out[0] = (fin ? 0x80 : 0) | op;
	if (len < 126)
		out[1] = 0x80 | len;
	else if (len <= 0xffff) {
		out[1] = 0x80 | 126;
		out[2] = len >> 8;
		out[3] = len;
		h = 4;
	} else {
		out[1] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			out[2 + i] = (uint64_t)len >> (56 - i * 8);
		h = 10;
	}
	memcpy(out + h, mask, 4);
	h += 4;
	for (i = 0; i < len; i++)
		out[h + i] = p[i] ^ mask[i & 3];
	return (h + len);
}

/*
 * A GET upgrade request for path with a fixed key; host is the whole
 * Host value (NULL: 127.0.0.1 with the port fd is connected to); extra
 * header lines are appended.
 */
size_t
wsc_request(char *req, size_t size, int fd, const char *path,
    const char *host, const char *extra)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 hostbuf[64];
	int			 n;

	if (host == NULL) {
		if (getpeername(fd, (struct sockaddr *)&sin, &len) == -1)
			return (0);
		snprintf(hostbuf, sizeof(hostbuf), "127.0.0.1:%d",
		    ntohs(sin.sin_port));
		host = hostbuf;
	}
	n = snprintf(req, size, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n%s\r\n", path, host,
	    extra ? extra : "");
	return (n < 0 || (size_t)n >= size ? 0 : (size_t)n);
}

/*
 * The client on a plain socket.
 */

int
wsc_connect(int port)
{
	struct sockaddr_in	 sin;
	int			 fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return (-1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return (fd);
}

int
wsc_write_all(int fd, const void *buf, size_t len)
{
	struct wsc_conn	 c;

	return (conn_write_all(plain(&c, fd), buf, len));
}

int
wsc_read_response(int fd, char *buf, size_t size)
{
	struct wsc_conn	 c;

	return (conn_response(plain(&c, fd), buf, size));
}

/* An upgrade of path; host and extra as for wsc_request(). */
int
wsc_upgrade_to(int fd, const char *path, const char *host,
    const char *extra, char *resp, size_t size)
{
	struct wsc_conn	 c;

	return (conn_upgrade(plain(&c, fd), path, host, extra, resp, size));
}

/* An upgrade of "/" for the server 127.0.0.1 at the port connected to. */
int
wsc_upgrade(int fd, const char *extra, char *resp, size_t size)
{
	return (wsc_upgrade_to(fd, "/", NULL, extra, resp, size));
}

int
wsc_send(int fd, int fin, int op, const void *data, size_t len)
{
	struct wsc_conn	 c;

	return (conn_send(plain(&c, fd), fin, op, data, len));
}

int
wsc_recv(int fd, int *fin, int *op, uint8_t *buf, size_t cap, size_t *len)
{
	struct wsc_conn	 c;

	return (conn_recv(plain(&c, fd), fin, op, buf, cap, len));
}

int
wsc_wait_eof(int fd)
{
	struct wsc_conn	 c;

	return (conn_wait_eof(plain(&c, fd)));
}

int
wsc_exchange(int fd, int op, const void *data, size_t len, uint8_t **echo,
    size_t *echo_len, int *echo_op)
{
	struct wsc_conn	 c;

	return (conn_exchange(plain(&c, fd), op, data, len, echo, echo_len,
	    echo_op));
}

/*
 * The client over TLS (libtls). The socket is non-blocking from the
 * start, and every wait is a poll(2) with the usual timeout.
 */

static int
wsct_setup(struct wsc_tls *t, const struct wsc_tls_opts *o)
{
	uint32_t	 protocols;

	if ((t->cfg = tls_config_new()) == NULL ||
	    (t->tls = tls_client()) == NULL)
		return (-1);
	if (o->protocols != NULL && (tls_config_parse_protocols(&protocols,
	    o->protocols) == -1 || tls_config_set_protocols(t->cfg,
	    protocols) == -1))
		return (-1);
	if (o->ca != NULL) {
		if (tls_config_set_ca_file(t->cfg, o->ca) == -1)
			return (-1);
	} else {
		tls_config_insecure_noverifycert(t->cfg);
		tls_config_insecure_noverifyname(t->cfg);
	}
	if (o->cert != NULL && tls_config_set_keypair_file(t->cfg, o->cert,
	    o->key) == -1)
		return (-1);
	/* libtls reads a session from it, and writes the new one back. */
	if (o->session != NULL && ((t->sessfd = open(o->session,
	    O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    tls_config_set_session_fd(t->cfg, t->sessfd) == -1))
		return (-1);
	return (tls_configure(t->tls, t->cfg));
}

/* Connect and finish the TLS handshake; -1 with wsct_error() on failure. */
int
wsct_connect(struct wsc_tls *t, int port, const struct wsc_tls_opts *o)
{
	static const struct wsc_tls_opts	 none;
	struct wsc_conn				 c;
	int					 rv;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->sessfd = -1;
	if (o == NULL)
		o = &none;
	if (wsct_setup(t, o) == -1)
		return (-1);
	if ((t->fd = wsc_connect(port)) == -1)
		return (-1);
	if (o->preamble != NULL && wsc_write_all(t->fd, o->preamble,
	    strlen(o->preamble)) == -1)
		return (-1);
	fcntl(t->fd, F_SETFL, O_NONBLOCK);
	if (tls_connect_socket(t->tls, t->fd, o->servername ?
	    o->servername : "localhost") == -1)
		return (-1);
	secure(&c, t);
	while ((rv = tls_handshake(t->tls)) == TLS_WANT_POLLIN ||
	    rv == TLS_WANT_POLLOUT)
		if (conn_wait(&c, rv) == -1)
			return (-1);
	return (rv == 0 ? 0 : -1);
}

const char *
wsct_error(struct wsc_tls *t)
{
	const char	*e = NULL;

	if (t->tls != NULL)
		e = tls_error(t->tls);
	if (e == NULL && t->cfg != NULL)
		e = tls_config_error(t->cfg);
	return (e != NULL ? e : "no TLS error");
}

void
wsct_close(struct wsc_tls *t)
{
	if (t->tls != NULL)
		tls_free(t->tls);
	if (t->cfg != NULL)
		tls_config_free(t->cfg);
	if (t->fd != -1)
		close(t->fd);
	if (t->sessfd != -1)
		close(t->sessfd);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->sessfd = -1;
}

int
wsct_write_all(struct wsc_tls *t, const void *buf, size_t len)
{
	struct wsc_conn	 c;

	return (conn_write_all(secure(&c, t), buf, len));
}

int
wsct_read_response(struct wsc_tls *t, char *buf, size_t size)
{
	struct wsc_conn	 c;

	return (conn_response(secure(&c, t), buf, size));
}

/* An upgrade of "/" with Host chosen (NULL: 127.0.0.1 and the port). */
int
wsct_upgrade_host(struct wsc_tls *t, const char *host, const char *extra,
    char *resp, size_t size)
{
	struct wsc_conn	 c;

	return (conn_upgrade(secure(&c, t), "/", host, extra, resp, size));
}

int
wsct_upgrade_path(struct wsc_tls *t, const char *path, const char *extra,
    char *resp, size_t size)
{
	struct wsc_conn	 c;

	return (conn_upgrade(secure(&c, t), path, NULL, extra, resp, size));
}

int
wsct_upgrade(struct wsc_tls *t, const char *extra, char *resp, size_t size)
{
	return (wsct_upgrade_host(t, NULL, extra, resp, size));
}

int
wsct_send(struct wsc_tls *t, int fin, int op, const void *data, size_t len)
{
	struct wsc_conn	 c;

	return (conn_send(secure(&c, t), fin, op, data, len));
}

int
wsct_recv(struct wsc_tls *t, int *fin, int *op, uint8_t *buf, size_t cap,
    size_t *len)
{
	struct wsc_conn	 c;

	return (conn_recv(secure(&c, t), fin, op, buf, cap, len));
}

int
wsct_wait_eof(struct wsc_tls *t)
{
	struct wsc_conn	 c;

	return (conn_wait_eof(secure(&c, t)));
}

int
wsct_exchange(struct wsc_tls *t, int op, const void *data, size_t len,
    uint8_t **echo, size_t *echo_len, int *echo_op)
{
	struct wsc_conn	 c;

	return (conn_exchange(secure(&c, t), op, data, len, echo, echo_len,
	    echo_op));
}
