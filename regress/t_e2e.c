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
 * End to end: the real wsd, with its parent, handshake and worker
 * processes, on a loopback port, spoken to as a client would.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <atf-c.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAXKIDS		16

static struct wsd_proc	 wsd;

/* Start the daemon with the given configuration lines, or fail. */
static void
start(const atf_tc_t *tc, const char *global, const char *server)
{

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, global, server);
	daemon_start(tc, &wsd, NULL);
}

/* A connected, upgraded client socket. */
static int
client(void)
{
	char	 resp[1024];
	int	 fd;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ_MSG(wsc_upgrade(fd, NULL, resp, sizeof(resp)), 101,
	    "response: %s", resp);
	return (fd);
}

static void
expect_frame(int fd, int fin, int op, const void *data, size_t len)
{
	uint8_t	*buf;
	size_t	 got;
	int	 gfin, gop;

	ATF_REQUIRE((buf = malloc(len + 1)) != NULL);
	ATF_REQUIRE_MSG(wsc_recv(fd, &gfin, &gop, buf, len, &got) == 0,
	    "no frame of %zu bytes came back", len);
	ATF_CHECK_EQ(gfin, fin);
	ATF_CHECK_EQ(gop, op);
	ATF_REQUIRE_EQ(got, len);
	ATF_CHECK(memcmp(buf, data, len) == 0);
	free(buf);
}

/*
 * One whole message, however the server fragmented its echo: the first
 * frame carries op, the others are continuations.
 */
static void
expect_message(int fd, int op, const void *data, size_t len)
{
	uint8_t	*buf;
	size_t	 got = 0, n;
	int	 fin = 0, gop, first = 1;

	ATF_REQUIRE((buf = malloc(len + 1)) != NULL);
	while (!fin) {
		ATF_REQUIRE_MSG(wsc_recv(fd, &fin, &gop, buf + got,
		    len - got, &n) == 0, "message of %zu bytes: no frame "
		    "after %zu", len, got);
		ATF_REQUIRE_EQ(gop, first ? op : 0x0);
		first = 0;
		got += n;
	}
	ATF_REQUIRE_EQ(got, len);
	ATF_CHECK(memcmp(buf, data, len) == 0);
	free(buf);
}

static void
expect_close(int fd, int code)
{
	uint8_t	 buf[125];
	size_t	 len;
	int	 fin, op;

	ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_REQUIRE_EQ(op, 0x8);
	ATF_REQUIRE(len >= 2);
	ATF_CHECK_EQ(buf[0] << 8 | buf[1], code);
}

ATF_TC_WITH_CLEANUP(echo_path);
ATF_TC_HEAD(echo_path, tc)
{
	atf_tc_set_md_var(tc, "descr", "A message travels parent -> "
	    "handshake -> worker and comes back; SIGTERM stops every process");
}
ATF_TC_BODY(echo_path, tc)
{
	pid_t		 kids[MAXKIDS];
	char		 titles[MAXKIDS][64];
	uint8_t		*big;
	int		 n, i, hs = 0, wk = 0, fd;

	start(tc, "prefork handshake 2\nprefork worker 3", NULL);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++) {
		if (strcmp(titles[i], "wsd: handshake") == 0)
			hs++;
		else if (strcmp(titles[i], "wsd: worker") == 0)
			wk++;
	}
	ATF_REQUIRE_EQ_MSG(n, 5, "children: %d", n);
	ATF_CHECK_EQ(hs, 2);
	ATF_CHECK_EQ(wk, 3);

	fd = client();
	ATF_REQUIRE(wsc_send(fd, 1, 0x1, "Hello", 5) == 0);
	expect_frame(fd, 1, 0x1, "Hello", 5);

	ATF_REQUIRE((big = malloc(200000)) != NULL);
	for (i = 0; i < 200000; i++)
		big[i] = i * 7;
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, big, 200000) == 0);
	expect_message(fd, 0x2, big, 200000);
	free(big);

	/* Fragments come back as one message. */
	ATF_REQUIRE(wsc_send(fd, 0, 0x1, "frag", 4) == 0);
	ATF_REQUIRE(wsc_send(fd, 0, 0x0, "", 0) == 0);
	ATF_REQUIRE(wsc_send(fd, 1, 0x0, "ments", 5) == 0);
	expect_message(fd, 0x1, "fragments", 9);

	ATF_REQUIRE(wsc_send(fd, 1, 0x9, "are you there", 13) == 0);
	expect_frame(fd, 1, 0xa, "are you there", 13);

	ATF_REQUIRE(wsc_send(fd, 1, 0x8, "\x03\xe8" "bye", 5) == 0);
	expect_close(fd, 1000);
	ATF_CHECK(wsc_wait_eof(fd) == 0);
	close(fd);

	daemon_stop_ok(&wsd);
	for (i = 0; i < n; i++)
		ATF_CHECK_MSG(pid_gone(kids[i]), "child %d (%s) still exists",
		    (int)kids[i], titles[i]);
}
ATF_TC_CLEANUP(echo_path, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(accept_key);
ATF_TC_HEAD(accept_key, tc)
{
	atf_tc_set_md_var(tc, "descr", "The 101 carries the accept key of "
	    "RFC 6455's example");
}
ATF_TC_BODY(accept_key, tc)
{
	char	 resp[1024];
	int	 fd;

	start(tc, NULL, NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd, NULL, resp, sizeof(resp)), 101);
	ATF_CHECK(strstr(resp, "\r\nSec-WebSocket-Accept: "
	    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != NULL);
	ATF_CHECK(strstr(resp, "\r\nUpgrade: websocket\r\n") != NULL);
	ATF_CHECK(strstr(resp, "\r\nConnection: Upgrade\r\n") != NULL);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(accept_key, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(child_log);
ATF_TC_HEAD(child_log, tc)
{
	atf_tc_set_md_var(tc, "descr", "Log lines of the handshake and "
	    "worker processes reach the parent's output, escaped");
}
ATF_TC_BODY(child_log, tc)
{
	const char	*post = "POST / HTTP/1.1\r\nHost: x\r\n\r\n";
	char		 resp[1024];
	int		 fd;

	start(tc, NULL, NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, post, strlen(post)) == 0);
	ATF_CHECK_EQ(wsc_read_response(fd, resp, sizeof(resp)), 405);
	ATF_CHECK(strstr(resp, "\r\nAllow: GET\r\n") != NULL);
	ATF_CHECK(strstr(resp, "\r\nConnection: close\r\n") != NULL);
	ATF_CHECK(wsc_wait_eof(fd) == 0);
	close(fd);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "refused: 405 (method is not GET)",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	ATF_CHECK(strstr(wsd.log, "handshake[") != NULL);

	fd = client();
	ATF_REQUIRE(wsc_send(fd, 1, 0x8, "\x03\xe8", 2) == 0);
	expect_close(fd, 1000);
	close(fd);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "closed by client", WSC_TIMEOUT) == 0,
	    "log:\n%s", wsd.log);
	ATF_CHECK(strstr(wsd.log, "worker[") != NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(child_log, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(pipelined);
ATF_TC_HEAD(pipelined, tc)
{
	atf_tc_set_md_var(tc, "descr", "A frame sent in the same packet as "
	    "the request head is handed to the worker and echoed");
}
ATF_TC_BODY(pipelined, tc)
{
	char	 buf[1024], resp[1024];
	size_t	 len;
	int	 fd;

	start(tc, NULL, NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	len = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: 127.0.0.1"
	    ":%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", wsd.port);
	len += wsc_frame((uint8_t *)buf + len, 1, 0x1, "early", 5);
	len += wsc_frame((uint8_t *)buf + len, 1, 0x2, "bird", 4);
	ATF_REQUIRE(wsc_write_all(fd, buf, len) == 0);
	ATF_REQUIRE_EQ(wsc_read_response(fd, resp, sizeof(resp)), 101);
	expect_frame(fd, 1, 0x1, "early", 5);
	expect_frame(fd, 1, 0x2, "bird", 4);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(pipelined, tc)
{
	daemon_cleanup();
}

/* One raw request and the status it must get. */
struct refusal {
	const char	*request;
	int		 status;
	const char	*header;	/* a line the answer must carry */
};

ATF_TC_WITH_CLEANUP(refusals);
ATF_TC_HEAD(refusals, tc)
{
	atf_tc_set_md_var(tc, "descr", "Requests that are not a valid "
	    "upgrade get the RFC's status and the connection is closed");
}
ATF_TC_BODY(refusals, tc)
{
	static const struct refusal cases[] = {
		{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 426,
		    "Upgrade: websocket" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
		    400, NULL },
		{ "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
		    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
		    426, "Sec-WebSocket-Version: 13" },
		{ "GET / HTTP/1.0\r\nHost: a\r\n\r\n", 505, NULL },
		{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, NULL },
		{ "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", 400, NULL },
	};
	char	 resp[1024], line[128];
	size_t	 i;
	int	 fd;

	start(tc, NULL, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
		ATF_REQUIRE(wsc_write_all(fd, cases[i].request,
		    strlen(cases[i].request)) == 0);
		ATF_CHECK_EQ_MSG(wsc_read_response(fd, resp, sizeof(resp)),
		    cases[i].status, "case %zu: %s", i, resp);
		if (cases[i].header != NULL) {
			snprintf(line, sizeof(line), "\r\n%s\r\n",
			    cases[i].header);
			ATF_CHECK_MSG(strstr(resp, line) != NULL,
			    "case %zu lacks %s", i, cases[i].header);
		}
		ATF_CHECK_MSG(wsc_wait_eof(fd) == 0, "case %zu not closed", i);
		close(fd);
	}
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(refusals, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(head_limits);
ATF_TC_HEAD(head_limits, tc)
{
	atf_tc_set_md_var(tc, "descr", "A request head over max header gets "
	    "431; one that never ends is dropped at the handshake deadline");
}
ATF_TC_BODY(head_limits, tc)
{
	char	 big[4096], resp[1024];
	int	 fd;

	start(tc, "max header 1K\ntimeout handshake 1", NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX-Pad: ", 23);
	ATF_REQUIRE(wsc_write_all(fd, big, sizeof(big)) == 0);
	ATF_CHECK_EQ(wsc_read_response(fd, resp, sizeof(resp)), 431);
	close(fd);

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, "GET / HTTP/1.1\r\n", 16) == 0);
	ATF_CHECK_MSG(wsc_wait_eof(fd) == 0, "slow client was not dropped");
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "handshake timed out", WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(head_limits, tc)
{
	daemon_cleanup();
}

/* Milliseconds since an arbitrary start, for the trickle below. */
static long long
msnow(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

#define TRICKLE_MS	300
#define TRICKLE_MAX	20

ATF_TC_WITH_CLEANUP(slow_trickle);
ATF_TC_HEAD(slow_trickle, tc)
{
	atf_tc_set_md_var(tc, "descr", "A valid request head sent one byte "
	    "every 300 ms is closed at the handshake deadline, before it is "
	    "complete: the deadline covers the whole head, not each read");
}
ATF_TC_BODY(slow_trickle, tc)
{
	struct pollfd	 pfd;
	char		 req[512], c;
	size_t		 len, sent = 0;
	long long	 t0, elapsed;
	int		 fd, closed = 0;

	start(tc, "timeout handshake 2", NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE((len = wsc_request(req, sizeof(req), fd, "/", NULL,
	    NULL)) > TRICKLE_MAX);
	t0 = msnow();
	/* One byte, then wait for the next one's turn or for the close. */
	while (sent < TRICKLE_MAX && !closed) {
		if (send(fd, req + sent, 1, MSG_NOSIGNAL) != 1) {
			closed = 1;	/* reset by the server */
			break;
		}
		sent++;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, TRICKLE_MS) == 1)
			closed = read(fd, &c, 1) <= 0;
	}
	elapsed = msnow() - t0;
	close(fd);
	ATF_CHECK_MSG(closed, "not closed after %zu bytes in %lld ms", sent,
	    elapsed);
	ATF_CHECK_MSG(sent < len, "the head was complete");
	ATF_CHECK_MSG(elapsed >= 1500 && elapsed < 4000,
	    "closed after %lld ms, %zu bytes", elapsed, sent);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "handshake timed out", WSC_TIMEOUT) ==
	    0, "log:\n%s", wsd.log);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(slow_trickle, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(protocol_error);
ATF_TC_HEAD(protocol_error, tc)
{
	atf_tc_set_md_var(tc, "descr", "An unmasked client frame is answered "
	    "with close 1002 and the connection ends");
}
ATF_TC_BODY(protocol_error, tc)
{
	int	 fd;

	start(tc, NULL, NULL);
	fd = client();
	ATF_REQUIRE(wsc_write_all(fd, "\x81\x02hi", 4) == 0);
	expect_close(fd, 1002);
	ATF_CHECK(wsc_wait_eof(fd) == 0);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(protocol_error, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(shutdown_1001);
ATF_TC_HEAD(shutdown_1001, tc)
{
	atf_tc_set_md_var(tc, "descr", "SIGTERM closes open connections "
	    "with 1001 and the daemon exits 0");
}
ATF_TC_BODY(shutdown_1001, tc)
{
	int	 fd[4], i;

	start(tc, NULL, NULL);
	for (i = 0; i < 4; i++) {
		fd[i] = client();
		ATF_REQUIRE(wsc_send(fd[i], 1, 0x1, "x", 1) == 0);
		expect_frame(fd[i], 1, 0x1, "x", 1);
	}
	kill(wsd.pid, SIGTERM);
	for (i = 0; i < 4; i++) {
		expect_close(fd[i], 1001);
		close(fd[i]);
	}
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(shutdown_1001, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(many_clients);
ATF_TC_HEAD(many_clients, tc)
{
	atf_tc_set_md_var(tc, "descr", "200 connections at once, spread over "
	    "the workers, each gets its own messages back");
}
ATF_TC_BODY(many_clients, tc)
{
	enum { N = 200 };
	int	 fd[N], i, round;
	char	 msg[64];

	start(tc, NULL, NULL);
	for (i = 0; i < N; i++)
		fd[i] = client();
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			snprintf(msg, sizeof(msg), "client %d round %d", i,
			    round);
			ATF_REQUIRE(wsc_send(fd[i], 1, 0x1, msg,
			    strlen(msg)) == 0);
		}
		for (i = 0; i < N; i++) {
			snprintf(msg, sizeof(msg), "client %d round %d", i,
			    round);
			expect_frame(fd[i], 1, 0x1, msg, strlen(msg));
		}
	}
	for (i = 0; i < N; i++)
		close(fd[i]);
	ATF_CHECK(wsd_wait_log(&wsd, "worker[0]: connection", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK(wsd_wait_log(&wsd, "worker[1]: connection", WSC_TIMEOUT) ==
	    0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(many_clients, tc)
{
	daemon_cleanup();
}

/* Close fd; the worker whose close line names that client, or -1. */
static int
closed_by(int fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 pat[64], head[32];
	const char		*p;
	int			 w;

	ATF_REQUIRE(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	close(fd);
	snprintf(pat, sizeof(pat), "from 127.0.0.1:%d client closed",
	    ntohs(sin.sin_port));
	if (wsd_wait_log(&wsd, pat, WSC_TIMEOUT) == -1 ||
	    (p = strstr(wsd.log, pat)) == NULL)
		return (-1);
	/* Back to the start of its line: "worker[N]: connection ...". */
	while (p > wsd.log && p[-1] != '\n')
		p--;
	for (w = 0; w < 2; w++) {
		snprintf(head, sizeof(head), "worker[%d]: ", w);
		if (strncmp(p, head, strlen(head)) == 0)
			return (w);
	}
	return (-1);
}

ATF_TC_WITH_CLEANUP(balance_after_close);
ATF_TC_HEAD(balance_after_close, tc)
{
	atf_tc_set_md_var(tc, "descr", "A handshake process counts the "
	    "ws:// connections its workers closed: the next goes to the "
	    "worker that holds fewest");
}
ATF_TC_BODY(balance_after_close, tc)
{
	int	 fd[4], i;

	start(tc, "prefork handshake 1\nprefork worker 2\n", NULL);
	/* Least connections, ties in turn: 0, 1, 0. */
	for (i = 0; i < 3; i++) {
		fd[i] = client();
		ATF_REQUIRE(wsc_send(fd[i], 1, 0x1, "x", 1) == 0);
		expect_frame(fd[i], 1, 0x1, "x", 1);
	}
	ATF_REQUIRE_EQ(closed_by(fd[0]), 0);
	ATF_REQUIRE_EQ(closed_by(fd[2]), 0);
	/* Worker 0 now holds none, worker 1 one; closes count within 1 s. */
	usleep(1500000);
	fd[3] = client();
	ATF_REQUIRE(wsc_send(fd[3], 1, 0x1, "y", 1) == 0);
	expect_frame(fd[3], 1, 0x1, "y", 1);
	ATF_CHECK_EQ_MSG(closed_by(fd[3]), 0, "the new connection went to the "
	    "worker with more");
	ATF_CHECK_EQ(closed_by(fd[1]), 1);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(balance_after_close, tc)
{
	daemon_cleanup();
}

/* Run wsctl with args; its output goes to the file out. */
static int
wsctl(const atf_tc_t *tc, const char *args)
{
	return (wsctl_run(tc, &wsd, args));
}

/* Ask show stats until pattern is in its output (10 s at most). */
static int
stats_show(const atf_tc_t *tc, const char *pattern)
{
	int	 tries;

	for (tries = 0; tries < 100; tries++) {
		ATF_REQUIRE_EQ(wsctl(tc, "show stats"), 0);
		if (atf_utils_grep_file(pattern, "out"))
			return (0);
		usleep(100000);
	}
	return (-1);
}

ATF_TC_WITH_CLEANUP(wsctl_stats);
ATF_TC_HEAD(wsctl_stats, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsctl show stats counts messages, "
	    "bytes, close codes and protocol errors as they happen");
}
ATF_TC_BODY(wsctl_stats, tc)
{
	int	 fd, i, j;

	start(tc, NULL, NULL);
	for (i = 0; i < 3; i++) {
		fd = client();
		for (j = 0; j < 5; j++) {
			ATF_REQUIRE(wsc_send(fd, 1, 0x1, "12345", 5) == 0);
			expect_frame(fd, 1, 0x1, "12345", 5);
		}
		ATF_REQUIRE(wsc_send(fd, 1, 0x8, "\x03\xe8", 2) == 0);
		expect_close(fd, 1000);
		close(fd);
	}
	fd = client();
	ATF_REQUIRE(wsc_write_all(fd, "\x81\x02hi", 4) == 0);
	expect_close(fd, 1002);
	close(fd);
	/* Workers report once a second: ask until they have. */
	if (stats_show(tc, "^total +0 +4 +15 +15 ") == 0)
		stats_show(tc, "unmasked frame: 1");
	ATF_CHECK_MSG(atf_utils_grep_file("^total +0 +4 +15 +15 +", "out"),
	    "totals never reached 4 connections, 15 messages each way");
	ATF_CHECK(atf_utils_grep_file("^close codes sent: 1000 3, 1002 1$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^close codes received: 1000 3$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^protocol error: unmasked frame: 1$",
	    "out"));
	/* Handshake processes count outcomes: four accepted, one refused. */
	fd = wsc_connect(wsd.port);
	ATF_REQUIRE(wsc_write_all(fd, "GET / HTTP/1.0\r\n\r\n", 18) == 0);
	close(fd);
	stats_show(tc, "^handshakes refused: 505 1$");
	ATF_CHECK(atf_utils_grep_file("^handshakes: accepted 4 \\(plain 4, "
	    "tls 0\\)", "out"));
	ATF_CHECK(atf_utils_grep_file("^handshakes refused: 505 1$", "out"));
	ATF_REQUIRE_EQ(wsctl(tc, "show metrics"), 0);
	ATF_CHECK(atf_utils_grep_file("^wsd_handshakes_total\\{outcome="
	    "\"refused\",status=\"505\"\\} 1$", "out"));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(wsctl_stats, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(wsctl_commands);
ATF_TC_HEAD(wsctl_commands, tc)
{
	atf_tc_set_md_var(tc, "descr", "show connections, kill, show "
	    "metrics, log verbose|brief and -j against a live daemon");
}
ATF_TC_BODY(wsctl_commands, tc)
{
	char	 args[128], id[32];
	FILE	*f;
	int	 fd[3], i;

	start(tc, NULL, NULL);
	for (i = 0; i < 3; i++) {
		fd[i] = client();
		ATF_REQUIRE(wsc_send(fd[i], 1, 0x1, "abc", 3) == 0);
		expect_frame(fd[i], 1, 0x1, "abc", 3);
	}
	ATF_REQUIRE_EQ(wsctl(tc, "show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("^ID +PEER +SERVER +LOCATION +TLS +STATE",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^[0-9]+ +127.0.0.1:[0-9]+ +127.0.0.1 +- +"
	    "no +open +[0-9]+ +[0-9]+ +no +1 +1 +", "out"));
	/* The first connection's id, from the first row. */
	ATF_REQUIRE((f = fopen("out", "r")) != NULL);
	ATF_REQUIRE(fscanf(f, "%*[^\n]\n%31s", id) == 1);
	fclose(f);

	ATF_REQUIRE_EQ(wsctl(tc, "-j show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("^\\[$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\\]$", "out"));
	ATF_CHECK(atf_utils_grep_file("\"id\":%s,\"peer\":\"127.0.0.1:",
	    "out", id));
	ATF_CHECK(atf_utils_grep_file("\"server\":\"127.0.0.1\",\"location\""
	    ":\"-\",\"tls\":false,", "out"));

	snprintf(args, sizeof(args), "kill %s", id);
	ATF_CHECK_EQ(wsctl(tc, args), 0);
	ATF_CHECK(atf_utils_grep_file("^connection closed$", "out"));
	ATF_CHECK_EQ(wsctl(tc, "kill 99999"), 1);
	ATF_CHECK(atf_utils_grep_file("^no such connection$", "out"));
	ATF_CHECK_EQ(wsctl(tc, "kill nonsense"), 1);
	/* Exactly one of the three was closed, with 1008. */
	ATF_CHECK(wsd_wait_log(&wsd, "killed by wsctl", WSC_TIMEOUT) == 0);
	for (i = 0; i < 3; i++)
		ATF_REQUIRE(wsc_send(fd[i], 1, 0x1, "x", 1) == 0);

	ATF_REQUIRE_EQ(wsctl(tc, "show metrics"), 0);
	ATF_CHECK(atf_utils_grep_file("^# TYPE wsd_open_connections gauge$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^wsd_processes\\{role=\"worker\"\\} 2$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^# EOF$", "out"));

	ATF_REQUIRE_EQ(wsctl(tc, "-j show summary"), 0);
	ATF_CHECK(atf_utils_grep_file("^\\{\"parent\":\\{\"pid\":%d,",
	    "out", (int)wsd.pid));

	ATF_REQUIRE_EQ(wsctl(tc, "log verbose"), 0);
	ATF_CHECK(atf_utils_grep_file("^logging verbose$", "out"));
	ATF_CHECK(wsd_wait_log(&wsd, "logging verbose", WSC_TIMEOUT) == 0);
	/* Debug lines of the children appear now: a worker's new one. */
	ATF_CHECK(strstr(wsd.log, ", location ") == NULL);
	close(client());
	ATF_CHECK(wsd_wait_log(&wsd, ", location ", WSC_TIMEOUT) == 0);
	ATF_REQUIRE_EQ(wsctl(tc, "log brief"), 0);
	ATF_CHECK_EQ(wsctl(tc, "show nonsense"), 1);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(wsctl_commands, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(children_ignore_term);
ATF_TC_HEAD(children_ignore_term, tc)
{
	atf_tc_set_md_var(tc, "descr", "SIGTERM to the process group reaches "
	    "the children too: only the parent acts on it");
}
ATF_TC_BODY(children_ignore_term, tc)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	int	 n, i, fd;

	start(tc, NULL, NULL);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	ATF_REQUIRE_EQ(n, 4);
	for (i = 0; i < n; i++)
		ATF_REQUIRE(kill(kids[i], SIGTERM) == 0);
	/* Two round trips through every process after the signals. */
	for (i = 0; i < 4; i++) {
		fd = client();
		ATF_REQUIRE(wsc_send(fd, 1, 0x1, "still", 5) == 0);
		expect_frame(fd, 1, 0x1, "still", 5);
		close(fd);
	}
	for (i = 0; i < n; i++)
		ATF_CHECK_MSG(!pid_gone(kids[i]), "%s died of SIGTERM",
		    titles[i]);
	ATF_CHECK(strstr(wsd.log, "lost child") == NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(children_ignore_term, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(ids_unique);
ATF_TC_HEAD(ids_unique, tc)
{
	atf_tc_set_md_var(tc, "descr", "A respawned handshake process does not "
	    "number its connections like the one it replaces");
}
ATF_TC_BODY(ids_unique, tc)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64], line[128];
	char	*p;
	int	 n, i, fd;

	start(tc, "prefork handshake 1", NULL);
	fd = client();
	close(fd);
	ATF_REQUIRE(wsd_wait_log(&wsd, "accepted", WSC_TIMEOUT) == 0);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], "wsd: handshake") == 0)
			kill(kids[i], SIGKILL);
	ATF_REQUIRE(wsd_wait_log(&wsd, ") is ready", WSC_TIMEOUT) == 0);
	fd = client();
	close(fd);
	/* The first connection's id must not come again. */
	ATF_REQUIRE((p = strstr(wsd.log, "connection ")) != NULL);
	ATF_REQUIRE(sscanf(p, "connection %63s", line) == 1);
	ATF_REQUIRE(wsd_wait_log(&wsd, "respawned", WSC_TIMEOUT) == 0);
	/* Until the new process has logged its first connection. */
	for (i = 0; i < 100 && strstr(strstr(wsd.log, "respawned"),
	    "accepted") == NULL; i++)
		wsd_wait_log(&wsd, "\001", 100);
	p = strstr(wsd.log, "respawned");
	ATF_REQUIRE_MSG(strstr(p, "accepted") != NULL, "log:\n%s", wsd.log);
	ATF_CHECK_MSG(strstr(p, line) == NULL, "id %s used twice:\n%s", line,
	    wsd.log);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(ids_unique, tc)
{
	daemon_cleanup();
}

/* Kill the first child with this title and wait for its successor. */
static void
kill_and_respawn(const char *title)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	int	 i, n, before;

	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], title) == 0)
			break;
	ATF_REQUIRE(i < n);
	before = wsd_log_count(&wsd, ") is ready");
	ATF_REQUIRE(kill(kids[i], SIGKILL) == 0);
	if (wsd_wait_count(&wsd, ") is ready", before + 1) != 0)
		atf_tc_fail("no new %s got ready:\n%s", title, wsd.log);
}

ATF_TC_WITH_CLEANUP(stats_survive_respawn);
ATF_TC_HEAD(stats_survive_respawn, tc)
{
	atf_tc_set_md_var(tc, "descr", "The totals of wsctl show stats and "
	    "show metrics keep what processes counted before they died");
}
ATF_TC_BODY(stats_survive_respawn, tc)
{
	int	 fd, i;

	start(tc, "prefork handshake 1\nprefork worker 2", NULL);
	for (i = 0; i < 4; i++) {
		fd = client();
		ATF_REQUIRE(wsc_send(fd, 1, 0x1, "12345", 5) == 0);
		expect_frame(fd, 1, 0x1, "12345", 5);
		ATF_REQUIRE(wsc_send(fd, 1, 0x8, "\x03\xe8", 2) == 0);
		expect_close(fd, 1000);
		close(fd);
	}
	ATF_REQUIRE_MSG(stats_show(tc, "^total +0 +4 +4 +4 ") == 0,
	    "the totals never reached 4 connections and messages");
	ATF_REQUIRE(stats_show(tc, "^handshakes: accepted 4 ") == 0);
	/* Each worker had two: one of them dies, the other stays. */
	kill_and_respawn("wsd: worker");
	kill_and_respawn("wsd: handshake");
	ATF_REQUIRE_EQ(wsctl(tc, "show stats"), 0);
	ATF_CHECK_MSG(atf_utils_grep_file("^total +0 +4 +4 +4 ", "out"),
	    "the totals went down");
	ATF_CHECK(atf_utils_grep_file("^exited +0 +2 +2 +2 ", "out"));
	ATF_CHECK(atf_utils_grep_file("^handshakes: accepted 4 ", "out"));
	ATF_CHECK(atf_utils_grep_file("^close codes received: 1000 4$",
	    "out"));
	ATF_REQUIRE_EQ(wsctl(tc, "-j show stats"), 0);
	ATF_CHECK(atf_utils_grep_file("^\\],\"exited\":$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\\{\"process\":\"exited\","
	    "\"connections\":0,\"connections_total\":2,", "out"));
	ATF_CHECK(atf_utils_grep_file("^\\{\"process\":\"total\","
	    "\"connections\":0,\"connections_total\":4,", "out"));
	ATF_REQUIRE_EQ(wsctl(tc, "show metrics"), 0);
	ATF_CHECK(atf_utils_grep_file("^wsd_connections_total 4$", "out"));
	ATF_CHECK(atf_utils_grep_file("^wsd_messages_total\\{direction="
	    "\"in\"\\} 4$", "out"));
	/* New counts add to the old. */
	fd = client();
	ATF_REQUIRE(wsc_send(fd, 1, 0x1, "12345", 5) == 0);
	expect_frame(fd, 1, 0x1, "12345", 5);
	close(fd);
	ATF_CHECK(stats_show(tc, "^total +0 +5 +5 +5 ") == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(stats_survive_respawn, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(respawn);
ATF_TC_HEAD(respawn, tc)
{
	atf_tc_set_md_var(tc, "descr", "A worker killed with SIGKILL is "
	    "respawned; connections on the other worker keep echoing");
}
ATF_TC_BODY(respawn, tc)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	uint8_t	*echo;
	size_t	 len;
	int	 fd[4], i, n, op, alive = 0, dead = 0, victim = -1;

	start(tc, NULL, NULL);
	for (i = 0; i < 4; i++) {
		fd[i] = client();
		ATF_REQUIRE(wsc_send(fd[i], 1, 0x1, "x", 1) == 0);
		expect_frame(fd[i], 1, 0x1, "x", 1);
	}
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n && victim == -1; i++)
		if (strcmp(titles[i], "wsd: worker") == 0)
			victim = kids[i];
	ATF_REQUIRE(victim > 0);
	ATF_REQUIRE(kill(victim, SIGKILL) == 0);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "respawned worker[",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	ATF_CHECK(strstr(wsd.log, "killed by signal 9") != NULL);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, ") is ready", WSC_TIMEOUT) == 0,
	    "the new worker never got ready:\n%s", wsd.log);
	/* Four clients over two workers: both had some (pigeonhole). */
	for (i = 0; i < 4; i++) {
		if (wsc_exchange(fd[i], 0x1, "still?", 6, &echo, &len,
		    &op) == 0) {
			ATF_CHECK(len == 6 && memcmp(echo, "still?", 6) == 0);
			free(echo);
			alive++;
		} else
			dead++;
		close(fd[i]);
	}
	ATF_CHECK_MSG(alive > 0 && dead > 0, "alive %d, dead %d", alive,
	    dead);
	/* The new worker takes connections like the old one. */
	for (i = 0; i < 4; i++) {
		fd[i] = client();
		ATF_REQUIRE(wsc_send(fd[i], 1, 0x2, "y", 1) == 0);
		expect_frame(fd[i], 1, 0x2, "y", 1);
		close(fd[i]);
	}
	ATF_CHECK_EQ(wsd_children(&wsd, kids, titles, MAXKIDS), 4);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(respawn, tc)
{
	daemon_cleanup();
}

ATF_TC(config_check);
ATF_TC_HEAD(config_check, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsd -n accepts a good file and names "
	    "file:line for a bad one");
}
ATF_TC_BODY(config_check, tc)
{
	char	 cmd[2048];
	FILE	*f;

	ATF_REQUIRE((f = fopen("good.conf", "w")) != NULL);
	fprintf(f, "# comment\nlport = \"8080\"\nprefork worker 3\n"
	    "server \"a\" {\n\tlisten on 127.0.0.1 port $lport\n}\n");
	fclose(f);
	ATF_REQUIRE((f = fopen("bad.conf", "w")) != NULL);
	fprintf(f, "prefork worker 3\nprefork handshake 0\n"
	    "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n}\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -n -f good.conf 2>out",
	    srcpath(tc, "../wsd"));
	ATF_CHECK_EQ(system(cmd), 0);
	ATF_CHECK(atf_utils_grep_file("configuration OK", "out"));
	snprintf(cmd, sizeof(cmd), "%s -n -f bad.conf 2>out",
	    srcpath(tc, "../wsd"));
	ATF_CHECK(WEXITSTATUS(system(cmd)) == 1);
	ATF_CHECK(atf_utils_grep_file("^bad.conf:2: prefork handshake out of "
	    "range", "out"));
	snprintf(cmd, sizeof(cmd), "%s -n -D lport=9 -f good.conf 2>out",
	    srcpath(tc, "../wsd"));
	ATF_CHECK_EQ(system(cmd), 0);
}

ATF_TC_WITH_CLEANUP(wsctl_summary);
ATF_TC_HEAD(wsctl_summary, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsctl show summary lists every "
	    "process; without a daemon it fails clearly");
}
ATF_TC_BODY(wsctl_summary, tc)
{
	char	 cmd[2048], pat[128];
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	int	 n, i;

	start(tc, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "%s -s %s show summary >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	ATF_REQUIRE_EQ(system(cmd), 0);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	ATF_REQUIRE_EQ(n, 4);
	for (i = 0; i < n; i++) {
		snprintf(pat, sizeof(pat), "^%s +[0-9]+ +%d +ready$",
		    titles[i] + 5, (int)kids[i]);
		ATF_CHECK_MSG(atf_utils_grep_file("%s", "out", pat),
		    "no line %s", pat);
	}
	ATF_CHECK(atf_utils_grep_file("^listen 127.0.0.1:%d$", "out",
	    wsd.port));
	daemon_stop_ok(&wsd);
	ATF_CHECK(WEXITSTATUS(system(cmd)) == 1);
	ATF_CHECK(atf_utils_grep_file("wsd is not running", "out"));
}
ATF_TC_CLEANUP(wsctl_summary, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, echo_path);
	ATF_TP_ADD_TC(tp, accept_key);
	ATF_TP_ADD_TC(tp, child_log);
	ATF_TP_ADD_TC(tp, pipelined);
	ATF_TP_ADD_TC(tp, refusals);
	ATF_TP_ADD_TC(tp, head_limits);
	ATF_TP_ADD_TC(tp, protocol_error);
	ATF_TP_ADD_TC(tp, shutdown_1001);
	ATF_TP_ADD_TC(tp, many_clients);
	ATF_TP_ADD_TC(tp, balance_after_close);
	ATF_TP_ADD_TC(tp, children_ignore_term);
	ATF_TP_ADD_TC(tp, ids_unique);
	ATF_TP_ADD_TC(tp, respawn);
	ATF_TP_ADD_TC(tp, stats_survive_respawn);
	ATF_TP_ADD_TC(tp, wsctl_stats);
	ATF_TP_ADD_TC(tp, wsctl_commands);
	ATF_TP_ADD_TC(tp, config_check);
	ATF_TP_ADD_TC(tp, wsctl_summary);
	ATF_TP_ADD_TC(tp, slow_trickle);
	return (atf_no_error());
}
