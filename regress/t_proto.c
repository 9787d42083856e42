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
 * The protocol engine through the running daemon: message sizes,
 * permessage-deflate, limits, close codes, keepalive and backpressure.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <atf-c.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"

#define MAXKIDS		16

static struct wsd_proc	 wsd;

static void
start(const atf_tc_t *tc, const char *global)
{
	char	 path[1024];

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, global, NULL);
	snprintf(path, sizeof(path), "%s/../wsd",
	    atf_tc_get_config_var(tc, "srcdir"));
	daemon_start(tc, &wsd, NULL);
}

static int
client(const char *extra, char *resp, size_t size)
{
	char	 buf[1024];
	int	 fd;

	if (resp == NULL) {
		resp = buf;
		size = sizeof(buf);
	}
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ_MSG(wsc_upgrade(fd, extra, resp, size), 101,
	    "response: %s", resp);
	return (fd);
}

/* A whole message: frames until FIN; returns its opcode and RSV1. */
static uint8_t *
recv_message(int fd, int *op, int *rsv1, size_t *len)
{
	uint8_t	*buf;
	size_t	 cap = 1024, got = 0, n;
	int	 fin = 0, fop, first = 1;

	ATF_REQUIRE((buf = malloc(cap)) != NULL);
	while (!fin) {
		if (cap - got < 70000) {
			cap = cap * 2 + 70000;
			ATF_REQUIRE((buf = realloc(buf, cap)) != NULL);
		}
		ATF_REQUIRE_MSG(wsc_recv(fd, &fin, &fop, buf + got,
		    cap - got, &n) == 0, "no frame after %zu bytes", got);
		if (first) {
			*op = fop & 0x0f;
			*rsv1 = (fop & 0x40) != 0;
		} else
			ATF_REQUIRE_EQ(fop, 0);
		first = 0;
		got += n;
	}
	*len = got;
	return (buf);
}

static void
expect_echo(int fd, int op, const uint8_t *data, size_t len)
{
	uint8_t	*got;
	size_t	 n;
	int	 gop, rsv1;

	got = recv_message(fd, &gop, &rsv1, &n);
	ATF_CHECK_EQ(gop, op);
	ATF_CHECK_EQ(rsv1, 0);
	ATF_REQUIRE_EQ_MSG(n, len, "echo of %zu bytes came back as %zu",
	    len, n);
	ATF_CHECK(memcmp(got, data, len) == 0);
	free(got);
}

/* Skip echoes until the close frame; returns its code. */
static int
recv_close(int fd)
{
	static uint8_t	 buf[1024 * 1024];
	size_t		 len;
	int		 fin, op;

	for (;;) {
		if (wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == -1)
			return (-1);
		if (op == 0x8)
			return (len >= 2 ? buf[0] << 8 | buf[1] : 1005);
	}
}

ATF_TC_WITH_CLEANUP(sizes);
ATF_TC_HEAD(sizes, tc)
{
	atf_tc_set_md_var(tc, "descr", "Messages of 0, 125, 126, 65535, "
	    "65536 bytes and 16 MiB come back whole");
}
ATF_TC_BODY(sizes, tc)
{
	static const size_t sizes[] = { 0, 125, 126, 65535, 65536,
	    16 * 1024 * 1024 };
	uint8_t	*msg, *echo;
	size_t	 i, j, n;
	int	 fd, op;

	start(tc, NULL);
	fd = client(NULL, NULL, 0);
	ATF_REQUIRE((msg = malloc(16 * 1024 * 1024)) != NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizes[i]; j++)
			msg[j] = 'a' + (i + j) % 26;
		/* The client reads as it writes, or both would stall. */
		ATF_REQUIRE_MSG(wsc_exchange(fd, 0x1, msg, sizes[i], &echo, &n,
		    &op) == 0, "no echo of %zu bytes", sizes[i]);
		ATF_CHECK_EQ(op, 0x1);
		ATF_REQUIRE_EQ(n, sizes[i]);
		ATF_CHECK(memcmp(echo, msg, n) == 0);
		free(echo);
	}
	free(msg);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(sizes, tc)
{
	daemon_cleanup();
}

/* Compress one message as a client does: sync flush, tail removed. */
static size_t
deflate_message(z_stream *z, const uint8_t *in, size_t len, uint8_t *out,
    size_t size)
{
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = len;
	z->next_out = out;
	z->avail_out = size;
	ATF_REQUIRE(deflate(z, Z_SYNC_FLUSH) == Z_OK);
	ATF_REQUIRE(z->avail_in == 0 && z->avail_out > 0);
	return (size - z->avail_out - 4);
}

static size_t
inflate_message(const uint8_t *in, size_t len, uint8_t *out, size_t size)
{
	static const uint8_t	 tail[4] = { 0, 0, 0xff, 0xff };
	z_stream		 z;
	size_t			 n;

	memset(&z, 0, sizeof(z));
	ATF_REQUIRE(inflateInit2(&z, -15) == Z_OK);
	z.next_out = out;
	z.avail_out = size;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = len;
	ATF_REQUIRE(inflate(&z, Z_SYNC_FLUSH) != Z_DATA_ERROR);
	z.next_in = (Bytef *)(uintptr_t)tail;
	z.avail_in = 4;
	ATF_REQUIRE(inflate(&z, Z_SYNC_FLUSH) != Z_DATA_ERROR);
	n = size - z.avail_out;
	inflateEnd(&z);
	return (n);
}

ATF_TC_WITH_CLEANUP(deflate);
ATF_TC_HEAD(deflate, tc)
{
	atf_tc_set_md_var(tc, "descr", "permessage-deflate is negotiated by "
	    "default and compressed messages come back compressed");
}
ATF_TC_BODY(deflate, tc)
{
	char	 resp[1024];
	uint8_t	*msg, *z, *back, *plain, frame[300000];
	size_t	 len = 200000, zlen, n, flen;
	z_stream zs;
	int	 fd, op, rsv1, i;

	start(tc, NULL);
	fd = client("Sec-WebSocket-Extensions: permessage-deflate; "
	    "client_max_window_bits\r\n", resp, sizeof(resp));
	ATF_REQUIRE_MSG(strstr(resp, "\r\nSec-WebSocket-Extensions: "
	    "permessage-deflate; server_no_context_takeover; "
	    "client_max_window_bits=12\r\n") != NULL, "%s", resp);

	memset(&zs, 0, sizeof(zs));
	ATF_REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, -12, 8,
	    Z_DEFAULT_STRATEGY) == Z_OK);
	ATF_REQUIRE((msg = malloc(len)) != NULL);
	ATF_REQUIRE((z = malloc(len + 1024)) != NULL);
	ATF_REQUIRE((plain = malloc(len)) != NULL);
	/* Two messages: the second uses the client's context. */
	for (i = 0; i < 2; i++) {
		for (n = 0; n < len; n++)
			msg[n] = "the quick brown fox "[(n + i) % 20];
		zlen = deflate_message(&zs, msg, len, z, len + 1024);
		flen = wsc_frame(frame, 1, 0x1, z, zlen);
		frame[0] |= 0x40;	/* RSV1: compressed */
		ATF_REQUIRE(wsc_write_all(fd, frame, flen) == 0);
		back = recv_message(fd, &op, &rsv1, &n);
		ATF_CHECK_EQ(op, 0x1);
		ATF_CHECK_EQ(rsv1, 1);
		ATF_CHECK_MSG(n < len / 10, "echo not compressed: %zu", n);
		ATF_REQUIRE_EQ(inflate_message(back, n, plain, len), len);
		ATF_CHECK(memcmp(plain, msg, len) == 0);
		free(back);
	}
	/* An uncompressed message on the same connection stays plain. */
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, "plain", 5) == 0);
	expect_echo(fd, 0x2, (const uint8_t *)"plain", 5);
	deflateEnd(&zs);
	free(msg);
	free(z);
	free(plain);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(deflate, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(deflate_limits);
ATF_TC_HEAD(deflate_limits, tc)
{
	atf_tc_set_md_var(tc, "descr", "A decompression bomb is stopped by "
	    "max message while inflating; compression off declines offers");
}
ATF_TC_BODY(deflate_limits, tc)
{
	char	 resp[1024];
	uint8_t	*zeros, *z, *frame;
	size_t	 len = 64 * 1024 * 1024, zlen, flen;
	z_stream zs;
	int	 fd;

	start(tc, "max message 1M");
	fd = client("Sec-WebSocket-Extensions: permessage-deflate\r\n", resp,
	    sizeof(resp));
	ATF_REQUIRE(strstr(resp, "permessage-deflate") != NULL);
	memset(&zs, 0, sizeof(zs));
	ATF_REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9,
	    Z_DEFAULT_STRATEGY) == Z_OK);
	ATF_REQUIRE((zeros = calloc(1, len)) != NULL);
	ATF_REQUIRE((z = malloc(len / 100)) != NULL);
	zlen = deflate_message(&zs, zeros, len, z, len / 100);
	ATF_REQUIRE((frame = malloc(zlen + 14)) != NULL);
	flen = wsc_frame(frame, 1, 0x2, z, zlen);
	frame[0] |= 0x40;
	ATF_REQUIRE(wsc_write_all(fd, frame, flen) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1009);
	close(fd);
	deflateEnd(&zs);
	free(zeros);
	free(z);
	free(frame);
	daemon_stop_ok(&wsd);

	start(tc, "compression off");
	fd = client("Sec-WebSocket-Extensions: permessage-deflate\r\n", resp,
	    sizeof(resp));
	ATF_CHECK(strstr(resp, "Sec-WebSocket-Extensions") == NULL);
	/* Without the extension, RSV1 is a protocol error. */
	ATF_REQUIRE(wsc_write_all(fd, "\xc1\x80\0\0\0\0", 6) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1002);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(deflate_limits, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(closes);
ATF_TC_HEAD(closes, tc)
{
	atf_tc_set_md_var(tc, "descr", "Close codes are echoed or refused; "
	    "limits and bad UTF-8 close with the RFC's codes");
}
ATF_TC_BODY(closes, tc)
{
	uint8_t	 big[2000];
	int	 fd;

	start(tc, "max message 1K\nmax messages per second 20");
	fd = client(NULL, NULL, 0);
	ATF_REQUIRE(wsc_send(fd, 1, 0x8, "\x0b\xb8" "ok", 4) == 0);
	ATF_CHECK_EQ(recv_close(fd), 3000);
	close(fd);

	fd = client(NULL, NULL, 0);
	ATF_REQUIRE(wsc_send(fd, 1, 0x8, "\x03\xed", 2) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1002);
	close(fd);

	fd = client(NULL, NULL, 0);
	ATF_REQUIRE(wsc_send(fd, 1, 0x1, "ok \xc3\x28 no", 8) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1007);
	close(fd);

	fd = client(NULL, NULL, 0);
	memset(big, 'x', sizeof(big));
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, big, sizeof(big)) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1009);
	close(fd);

	fd = client(NULL, NULL, 0);
	for (int i = 0; i < 100; i++)
		ATF_REQUIRE(wsc_send(fd, 1, 0x2, "x", 1) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1008);
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "message rate exceeded", WSC_TIMEOUT) ==
	    0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(closes, tc)
{
	daemon_cleanup();
}

/* A client's frames, as (fin, opcode, payload) triples. */
struct rule_frame {
	int		 fin;
	int		 op;
	const char	*data;
	size_t		 len;
};

struct rule {
	const char		*what;
	struct rule_frame	 frames[4];
	int			 code;	/* the close that must come back */
};

ATF_TC_WITH_CLEANUP(rules);
ATF_TC_HEAD(rules, tc)
{
	atf_tc_set_md_var(tc, "descr", "One case of each framing rule through "
	    "the daemon, with the close code it must earn");
}
ATF_TC_BODY(rules, tc)
{
	static const struct rule rules[] = {
		{ "reserved opcode", { { 1, 0x3, "x", 1 } }, 1002 },
		{ "reserved control opcode", { { 1, 0xb, "", 0 } }, 1002 },
		{ "fragmented ping", { { 0, 0x9, "", 0 } }, 1002 },
		{ "continuation first", { { 1, 0x0, "x", 1 } }, 1002 },
		{ "nested message", { { 0, 0x1, "a", 1 },
		    { 1, 0x1, "b", 1 } }, 1002 },
		{ "one-byte close", { { 1, 0x8, "\x03", 1 } }, 1002 },
		{ "close reason not UTF-8", { { 1, 0x8, "\x03\xe8\xff", 3 } },
		    1007 },
		{ "code point split across fragments, then close",
		    { { 0, 0x1, "\xe2\x82", 2 }, { 1, 0x0, "\xac", 1 },
		    { 1, 0x8, "\x03\xe8", 2 } }, 1000 },
		{ "ping inside a fragmented message, then close",
		    { { 0, 0x2, "ab", 2 }, { 1, 0x9, "p", 1 },
		    { 1, 0x0, "cd", 2 }, { 1, 0x8, "\x0f\xa0", 2 } }, 4000 },
		{ "truncated code point at the end", { { 1, 0x1, "\xe2\x82",
		    2 } }, 1007 },
	};
	uint8_t	 ping[126];
	size_t	 i, j;
	int	 fd;

	start(tc, NULL);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		fd = client(NULL, NULL, 0);
		for (j = 0; j < 4 && rules[i].frames[j].data != NULL; j++)
			ATF_REQUIRE(wsc_send(fd, rules[i].frames[j].fin,
			    rules[i].frames[j].op, rules[i].frames[j].data,
			    rules[i].frames[j].len) == 0);
		ATF_CHECK_EQ_MSG(recv_close(fd), rules[i].code, "%s",
		    rules[i].what);
		close(fd);
	}
	/* A ping of 126 bytes is too long for a control frame. */
	memset(ping, 'p', sizeof(ping));
	fd = client(NULL, NULL, 0);
	ATF_REQUIRE(wsc_send(fd, 1, 0x9, ping, sizeof(ping)) == 0);
	ATF_CHECK_EQ(recv_close(fd), 1002);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(rules, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(keepalive);
ATF_TC_HEAD(keepalive, tc)
{
	atf_tc_set_md_var(tc, "descr", "Idle connections get pings; no pong "
	    "means close, and timeout idle closes with 1001");
}
ATF_TC_BODY(keepalive, tc)
{
	uint8_t	 buf[125];
	size_t	 len;
	int	 fd, fin, op;

	start(tc, "ping interval 1\ntimeout idle 0");
	fd = client(NULL, NULL, 0);
	ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_CHECK_EQ(op, 0x9);
	/* A pong keeps it alive: the next thing is another ping. */
	ATF_REQUIRE(wsc_send(fd, 1, 0xa, buf, len) == 0);
	ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_CHECK_EQ(op, 0x9);
	/* Unanswered, it ends. */
	ATF_CHECK_EQ(recv_close(fd), 1001);
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "closed by server (1001)",
	    WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);

	start(tc, "ping interval 0\ntimeout idle 1");
	fd = client(NULL, NULL, 0);
	ATF_CHECK_EQ(recv_close(fd), 1001);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(keepalive, tc)
{
	daemon_cleanup();
}

static long
workers_rss(void)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	long	 sum = 0;
	int	 n, i;

	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], "wsd: worker") == 0)
			sum += proc_rss_kb(kids[i]);
	return (sum);
}

ATF_TC_WITH_CLEANUP(backpressure);
ATF_TC_HEAD(backpressure, tc)
{
	atf_tc_set_md_var(tc, "descr", "A client that sends but never reads "
	    "does not make the worker grow");
}
ATF_TC_BODY(backpressure, tc)
{
	uint8_t		 frame[65536 + 14], payload[65536];
	struct pollfd	 pfd;
	size_t		 flen, off = 0;
	long		 before, after, sent = 0;
	int		 fd, rounds = 0, rcvbuf = 4096;
	ssize_t		 n;

	start(tc, NULL);
	fd = client(NULL, NULL, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	before = workers_rss();
	memset(payload, 'b', sizeof(payload));
	flen = wsc_frame(frame, 1, 0x2, payload, sizeof(payload));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* Write until the server stops taking more: at most 2000 frames. */
	while (rounds < 2000) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 1000) <= 0)
			break;		/* no room for a second: it stopped */
		if ((n = write(fd, frame + off, flen - off)) <= 0)
			continue;
		sent += n;
		if ((off += n) == flen) {
			off = 0;
			rounds++;
		}
	}
	after = workers_rss();
	ATF_CHECK_MSG(rounds < 2000, "the server read %d frames unread",
	    rounds);
	ATF_CHECK_MSG(after - before < 4096, "workers grew by %ld kB after "
	    "%ld bytes sent", after - before, sent);
	printf("backpressure: %ld bytes taken before the server stopped "
	    "reading; workers' RSS %ld kB -> %ld kB\n", sent, before, after);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(backpressure, tc)
{
	daemon_cleanup();
}

/*
 * The closing handshake seen from a client that reads everything to the
 * end: writes and reads at once, so neither side stalls, until EOF, a
 * failed read, or the deadline.
 */
struct pump {
	const uint8_t	*tx;		/* written first */
	size_t		 txlen, txoff;
	int		 junk;		/* then junk, while writes succeed */
	int		 txerr;		/* errno of the write that failed */
	uint8_t		*rx;
	size_t		 rxlen, rxcap;
	int		 eof;
	int		 rxerr;		/* errno of the read that failed */
};

static void
pump_write(int fd, struct pump *p)
{
	static const uint8_t	 junk[4096] = { 'j' };
	ssize_t			 n;

	if (p->txoff < p->txlen)
		n = send(fd, p->tx + p->txoff, p->txlen - p->txoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
	else if (p->junk && p->txerr == 0)
		n = send(fd, junk, sizeof(junk), MSG_NOSIGNAL | MSG_DONTWAIT);
	else
		return;
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		p->txerr = errno;
	else if (n > 0 && p->txoff < p->txlen)
		p->txoff += n;
}

static void
pump_read(int fd, struct pump *p)
{
	ssize_t	 n;

	for (;;) {
		if (p->rxcap - p->rxlen < 65536) {
			p->rxcap = p->rxcap * 2 + 65536;
			ATF_REQUIRE((p->rx = realloc(p->rx, p->rxcap)) != NULL);
		}
		n = recv(fd, p->rx + p->rxlen, p->rxcap - p->rxlen,
		    MSG_DONTWAIT);
		if (n > 0) {
			p->rxlen += n;
			continue;
		}
		if (n == 0)
			p->eof = 1;
		else if (errno != EAGAIN && errno != EINTR)
			p->rxerr = errno;
		return;
	}
}

/* Returns the milliseconds it took, or -1 at the deadline. */
static long
pump(int fd, struct pump *p, long ms)
{
	struct pollfd	 pfd;
	long long	 t0 = now_ms();
	long		 left;

	while (!p->eof && p->rxerr == 0) {
		if ((left = ms - (now_ms() - t0)) <= 0)
			return (-1);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (p->txoff < p->txlen || (p->junk && p->txerr == 0))
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, left) == -1)
			ATF_REQUIRE(errno == EINTR);
		if (pfd.revents & POLLOUT)
			pump_write(fd, p);
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
			pump_read(fd, p);
	}
	return (now_ms() - t0);
}

/* One unmasked server frame at *off; returns its opcode, -1 if cut. */
static int
next_frame(const struct pump *p, size_t *off, const uint8_t **data,
    size_t *len, int *fin)
{
	const uint8_t	*b = p->rx + *off;
	size_t		 have = p->rxlen - *off, h = 2;
	uint64_t	 n;
	int		 i;

	if (have < 2)
		return (-1);
	n = b[1] & 0x7f;
	if (n == 126 && have >= 4) {
		n = (uint64_t)b[2] << 8 | b[3];
		h = 4;
	} else if (n == 127 && have >= 10) {
		for (i = 0, n = 0; i < 8; i++)
			n = n << 8 | b[2 + i];
		h = 10;
	} else if (n >= 126)
		return (-1);
	if (have - h < n)
		return (-1);
	*fin = b[0] >> 7;
	*data = b + h;
	*len = n;
	*off += h + n;
	return (b[0] & 0x0f);
}

/* After the echoes, if any: a close with code, then nothing more. */
static void
expect_close_last(const struct pump *p, size_t off, int code)
{
	const uint8_t	*data;
	size_t		 len;
	int		 fin;

	ATF_REQUIRE_EQ_MSG(next_frame(p, &off, &data, &len, &fin), 0x8,
	    "no close frame at byte %zu of %zu", off, p->rxlen);
	ATF_REQUIRE(len >= 2);
	ATF_CHECK_EQ(data[0] << 8 | data[1], code);
	ATF_CHECK_EQ_MSG(off, p->rxlen, "%zu bytes after the close",
	    p->rxlen - off);
}

/* Until wsctl says no connection is open, in the worker and the parent. */
static void
wait_none_open(const atf_tc_t *tc)
{
	char	 cmd[2048];
	int	 i;

	snprintf(cmd, sizeof(cmd), "%s -s %s show stats >stats 2>&1; "
	    "%s -s %s show metrics >>stats 2>&1", srcpath(tc, "../wsctl/wsctl"),
	    wsd.sock, srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	for (i = 0; i < 100; i++) {
		ATF_REQUIRE_EQ(system(cmd), 0);
		if (atf_utils_grep_file("^limits: 0 open of", "stats") &&
		    atf_utils_grep_file("^wsd_open_connections 0$", "stats"))
			return;
		usleep(50000);
	}
	atf_tc_fail("connections still open; log:\n%s", wsd.log);
}

/*
 * More than the server reads at once (64 KiB) follows the close, so
 * whichever read finds the close, input is left unread.
 */
#define LATE_PINGS	12000		/* 10 bytes each */

/*
 * A message of size bytes, a close (1000) and the late pings in one
 * buffer; the message is left in *msgp.
 */
static uint8_t *
close_after(size_t size, uint8_t **msgp, size_t *txlen)
{
	uint8_t	*msg, *tx;
	size_t	 i;

	ATF_REQUIRE((msg = malloc(size)) != NULL);
	ATF_REQUIRE((tx = malloc(size + 64 + LATE_PINGS * 10)) != NULL);
	for (i = 0; i < size; i++)
		msg[i] = 'a' + i % 26;
	*txlen = wsc_frame(tx, 1, 0x1, msg, size);
	*txlen += wsc_frame(tx + *txlen, 1, 0x8, "\x03\xe8", 2);
	for (i = 0; i < LATE_PINGS; i++)
		*txlen += wsc_frame(tx + *txlen, 1, 0x9, "late", 4);
	*msgp = msg;
	return (tx);
}

/* The whole echo, then the close, then EOF and nothing else. */
static void
expect_echo_close(const struct pump *p, const uint8_t *msg, size_t size)
{
	const uint8_t	*data;
	size_t		 off = 0, got = 0, len;
	int		 fin = 0, op;

	/* A reset shows in the first call to fail, a read or a write. */
	ATF_REQUIRE_MSG(p->rxerr == 0, "%s after %zu bytes",
	    strerror(p->rxerr), p->rxlen);
	ATF_REQUIRE_MSG(p->txerr == 0, "write: %s after %zu bytes read",
	    strerror(p->txerr), p->rxlen);
	while (!fin) {
		op = next_frame(p, &off, &data, &len, &fin);
		ATF_REQUIRE_MSG(op == (got == 0 ? 0x1 : 0x0), "frame %d at "
		    "byte %zu of the echo", op, got);
		ATF_REQUIRE(got + len <= size);
		ATF_REQUIRE(memcmp(data, msg + got, len) == 0);
		got += len;
	}
	ATF_CHECK_EQ(got, size);
	expect_close_last(p, off, 1000);
}

/* Junk until a write fails: returns the milliseconds, -1 at ms. */
static long
junk_until_gone(int fd, struct pump *p, long ms)
{
	struct pollfd	 pfd;
	long long	 t0 = now_ms();
	long		 left;

	p->junk = 1;
	while (p->txerr == 0) {
		if ((left = ms - (now_ms() - t0)) <= 0)
			return (-1);
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, left) == -1)
			ATF_REQUIRE(errno == EINTR);
		if (pfd.revents)
			pump_write(fd, p);
	}
	return (now_ms() - t0);
}

/*
 * A client that sends size bytes, a close and the late pings (then junk
 * if asked) and reads until EOF: the echo and the close must come back.
 */
static int
close_client(const atf_tc_t *tc, size_t size, int junk, long ms,
    struct pump *p, uint8_t **msg)
{
	int	 fd;

	start(tc, NULL);
	fd = client(NULL, NULL, 0);
	memset(p, 0, sizeof(*p));
	p->tx = close_after(size, msg, &p->txlen);
	p->junk = junk;
	ATF_REQUIRE_MSG(pump(fd, p, ms) != -1, "no EOF within %ld ms, %zu "
	    "bytes read", ms, p->rxlen);
	expect_echo_close(p, *msg, size);
	return (fd);
}

static void
close_client_done(int fd, struct pump *p, uint8_t *msg)
{
	free(p->rx);
	free((void *)p->tx);
	free(msg);
	close(fd);
}

ATF_TC_WITH_CLEANUP(close_flush);
ATF_TC_HEAD(close_flush, tc)
{
	atf_tc_set_md_var(tc, "descr", "1 MiB, a close and pings in one "
	    "write: the whole echo and the close come back, then EOF, not a "
	    "reset");
}
ATF_TC_BODY(close_flush, tc)
{
	struct pump	 p;
	uint8_t		*msg;
	int		 fd;

	fd = close_client(tc, 1024 * 1024, 0, WSC_TIMEOUT, &p, &msg);
	close_client_done(fd, &p, msg);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(close_flush, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(close_linger);
ATF_TC_HEAD(close_linger, tc)
{
	atf_tc_set_md_var(tc, "descr", "A client that keeps sending after "
	    "the closing handshake gets its echo, the close and EOF within "
	    "5 s, and the server lets go of the socket within 5 s more");
}
ATF_TC_BODY(close_linger, tc)
{
	struct pump	 p;
	uint8_t		*msg;
	int		 fd;

	fd = close_client(tc, 256 * 1024, 1, 5000, &p, &msg);
	/* The server must not wait for the client to stop. */
	ATF_CHECK_MSG(junk_until_gone(fd, &p, 5000) != -1,
	    "the server took junk for 5 s more");
	close_client_done(fd, &p, msg);
	wait_none_open(tc);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(close_linger, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, sizes);
	ATF_TP_ADD_TC(tp, deflate);
	ATF_TP_ADD_TC(tp, deflate_limits);
	ATF_TP_ADD_TC(tp, closes);
	ATF_TP_ADD_TC(tp, rules);
	ATF_TP_ADD_TC(tp, keepalive);
	ATF_TP_ADD_TC(tp, backpressure);
	ATF_TP_ADD_TC(tp, close_flush);
	ATF_TP_ADD_TC(tp, close_linger);
	return (atf_no_error());
}
