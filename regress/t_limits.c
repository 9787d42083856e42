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
 * End to end: max connections and max connections per address for the
 * daemon as a whole, their release when connections end (or the
 * process holding them dies), and the least-connections choice of a
 * worker.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <atf-c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MAXKIDS		16
#define MAXCONNS	64

static struct wsd_proc	 wsd;

static void
start(const atf_tc_t *tc, const char *global)
{

	/* A refused client may write to a socket the daemon closed. */
	signal(SIGPIPE, SIG_IGN);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, global, NULL);
	daemon_start(tc, &wsd, NULL);
}

/* A socket connected to the daemon from the loopback address from. */
static int
connect_from(const char *from)
{
	struct sockaddr_in	 sin;
	int			 fd;

	ATF_REQUIRE((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ATF_REQUIRE(inet_pton(AF_INET, from, &sin.sin_addr) == 1);
	ATF_REQUIRE(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	sin.sin_port = htons(wsd.port);
	ATF_REQUIRE(inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr) == 1);
	ATF_REQUIRE(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	return (fd);
}

/* Upgrade from an address: the status, and *fdp open on 101 only. */
static int
upgrade_from(const char *from, int *fdp)
{
	char	 resp[1024];
	int	 fd, status;

	fd = connect_from(from);
	status = wsc_upgrade(fd, NULL, resp, sizeof(resp));
	if (status == 101)
		*fdp = fd;
	else
		close(fd);
	return (status);
}

/* Releases travel by message: retry for a while until admitted. */
static int
admitted_eventually(const char *from)
{
	int	 fd = -1, i;

	for (i = 0; i < 100; i++) {
		if (upgrade_from(from, &fd) == 101)
			return (fd);
		usleep(50000);
	}
	atf_tc_fail("never admitted again from %s; log:\n%s", from, wsd.log);
	return (-1);
}

static void
close_all(int *fd, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (fd[i] != -1)
			close(fd[i]);
}

ATF_TC_WITH_CLEANUP(max_connections);
ATF_TC_HEAD(max_connections, tc)
{
	atf_tc_set_md_var(tc, "descr", "max connections 5: the 6th gets 503 "
	    "while 5 are open; closed, refused and timed-out connections "
	    "give their place back");
}
ATF_TC_BODY(max_connections, tc)
{
	char	 resp[1024], cmd[2048];
	int	 fd[6], idle, i, bad, st;

	start(tc, "max connections 5\ntimeout handshake 1");
	for (i = 0; i < 5; i++)
		ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[i]), 101);
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[5]), 503);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 503 (max connections)",
	    WSC_TIMEOUT) == 0);
	snprintf(cmd, sizeof(cmd), "%s -s %s show stats >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	ATF_REQUIRE_EQ(system(cmd), 0);
	ATF_CHECK(atf_utils_grep_file("^limits: 5 open of 5, 1 addresses "
	    "\\(256 each\\); refused 1 over the total, 0 per address", "out"));

	/* A client that leaves: its place is free again. */
	close(fd[0]);
	fd[0] = admitted_eventually("127.0.0.1");
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[5]), 503);

	/* A refused handshake (400) holds no place once answered. */
	close(fd[1]);
	for (i = 0, st = 503; i < 100 && st == 503; i++) {
		if (i > 0)
			usleep(50000);
		bad = connect_from("127.0.0.1");
		ATF_REQUIRE(wsc_write_all(bad, "GET / HTTP/1.1\r\n\r\n",
		    18) == 0);
		st = wsc_read_response(bad, resp, sizeof(resp));
		close(bad);
	}
	ATF_CHECK_EQ(st, 400);
	fd[1] = admitted_eventually("127.0.0.1");
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[5]), 503);

	/* A handshake that times out holds its place until then. */
	close(fd[2]);
	fd[2] = -1;
	usleep(200000);
	idle = connect_from("127.0.0.1");
	ATF_REQUIRE(wsd_wait_log(&wsd, "handshake timed out",
	    WSC_TIMEOUT) == 0);
	fd[2] = admitted_eventually("127.0.0.1");
	close(idle);
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[5]), 503);
	close_all(fd, 5);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(max_connections, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(per_address);
ATF_TC_HEAD(per_address, tc)
{
	atf_tc_set_md_var(tc, "descr", "max connections per address 3: the "
	    "4th from 127.0.0.1 gets 429, 127.0.0.2 is still admitted");
}
ATF_TC_BODY(per_address, tc)
{
	int	 fd[5], i;

	start(tc, "max connections per address 3");
	for (i = 0; i < 3; i++)
		ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[i]), 101);
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[3]), 429);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 429 (max connections per "
	    "address)", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(upgrade_from("127.0.0.2", &fd[3]), 101);
	ATF_REQUIRE_EQ(upgrade_from("127.0.0.2", &fd[4]), 101);
	close(fd[0]);
	fd[0] = admitted_eventually("127.0.0.1");
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &i), 429);
	close_all(fd, 5);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(per_address, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(tls_listener);
ATF_TC_HEAD(tls_listener, tc)
{
	atf_tc_set_md_var(tc, "descr", "max connections 2 on a tls listener: "
	    "the 3rd is closed before its TLS handshake; the relay of a "
	    "wss:// connection gives its place back when it ends");
}
ATF_TC_BODY(tls_listener, tc)
{
	struct wsc_tls	 t[3];
	char		 server[512], resp[1024];
	int		 tport, i, ok = 0;

	make_certs(tc);
	signal(SIGPIPE, SIG_IGN);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n",
	    tport);
	wsd_write_conf(&wsd, "max connections 2", server);
	daemon_start(tc, &wsd, NULL);
	for (i = 0; i < 2; i++) {
		ATF_REQUIRE_MSG(wsct_connect(&t[i], tport, NULL) == 0,
		    "connect: %s", wsct_error(&t[i]));
		ATF_REQUIRE_EQ(wsct_upgrade(&t[i], NULL, resp, sizeof(resp)),
		    101);
	}
	ATF_CHECK(wsct_connect(&t[2], tport, NULL) == -1);
	wsct_close(&t[2]);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: max connections, closed",
	    WSC_TIMEOUT) == 0);
	/* The worker's close ends the relay, which releases the place. */
	ATF_REQUIRE(wsct_send(&t[0], 1, 0x8, "\x03\xe8", 2) == 0);
	wsct_close(&t[0]);
	for (i = 0; i < 100 && !ok; i++) {
		if (wsct_connect(&t[0], tport, NULL) == 0 &&
		    wsct_upgrade(&t[0], NULL, resp, sizeof(resp)) == 101)
			ok = 1;
		else {
			wsct_close(&t[0]);
			usleep(50000);
		}
	}
	ATF_CHECK_MSG(ok, "never admitted again; log:\n%s", wsd.log);
	wsct_close(&t[0]);
	wsct_close(&t[1]);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(tls_listener, tc)
{
	daemon_cleanup();
}

/* Until wsctl says no connection is open, as after every close. */
static void
wait_none_open(const atf_tc_t *tc)
{
	char	 cmd[2048];
	int	 i;

	snprintf(cmd, sizeof(cmd), "%s -s %s show stats >stats 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	for (i = 0; i < 200; i++) {
		ATF_REQUIRE_EQ(system(cmd), 0);
		if (atf_utils_grep_file("^limits: 0 open of", "stats"))
			return;
		usleep(50000);
	}
	atf_tc_fail("connections still open; log:\n%s", wsd.log);
}

ATF_TC_WITH_CLEANUP(two_handshakes);
ATF_TC_HEAD(two_handshakes, tc)
{
	atf_tc_set_md_var(tc, "descr", "The limit holds for the daemon: 40 "
	    "clients at once over 2 handshake processes, max connections 20");
}
ATF_TC_BODY(two_handshakes, tc)
{
	char	 req[1024], resp[1024], cmd[2048];
	int	 fd[40], status[40], i, n101 = 0, n503 = 0, round;
	int	 hs0 = 0, hs1 = 0;

	start(tc, "prefork handshake 2\nmax connections 20");
	snprintf(cmd, sizeof(cmd), "%s -s %s show connections >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	for (round = 0; round < 2; round++) {
		/* Every request goes out before any answer is read. */
		for (i = 0; i < 40; i++) {
			fd[i] = connect_from("127.0.0.1");
			ATF_REQUIRE(wsc_request(req, sizeof(req), fd[i], "/",
			    NULL, NULL) > 0);
			ATF_REQUIRE(wsc_write_all(fd[i], req,
			    strlen(req)) == 0);
		}
		for (i = 0; i < 40; i++) {
			status[i] = wsc_read_response(fd[i], resp,
			    sizeof(resp));
			if (status[i] == 101)
				n101++;
			else if (status[i] == 503)
				n503++;
		}
		ATF_CHECK_EQ_MSG(n101, 20, "round %d: %d admitted", round,
		    n101);
		ATF_CHECK_EQ_MSG(n503, 20, "round %d: %d refused", round,
		    n503);
		/*
		 * Connection ids name the process: the n-th handshake process
		 * started numbers them from n << 40 (1099511627776 * n).
		 */
		ATF_REQUIRE_EQ(system(cmd), 0);
		hs0 |= atf_utils_grep_file("^10995116[0-9]{5} ", "out");
		hs1 |= atf_utils_grep_file("^21990232[0-9]{5} ", "out");
		close_all(fd, 40);
		n101 = n503 = 0;
		/* All 20 places come back. */
		for (i = 0; i < 20; i++)
			fd[i] = admitted_eventually("127.0.0.1");
		close_all(fd, 20);
		wait_none_open(tc);
	}
	/* Both processes took part: the kernel wakes both on a backlog. */
	ATF_CHECK_MSG(hs0 && hs1, "handshake[0] %s, handshake[1] %s",
	    hs0 ? "admitted some" : "none", hs1 ? "admitted some" : "none");
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(two_handshakes, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(worker_killed);
ATF_TC_HEAD(worker_killed, tc)
{
	atf_tc_set_md_var(tc, "descr", "kill -9 of a worker holding every "
	    "place: its respawn comes with the places released");
}
ATF_TC_BODY(worker_killed, tc)
{
	pid_t	 kids[MAXKIDS], victim = -1;
	char	 titles[MAXKIDS][64];
	int	 fd[5], n, i;

	start(tc, "prefork worker 1\nmax connections 4");
	for (i = 0; i < 4; i++)
		ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[i]), 101);
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[4]), 503);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n && victim == -1; i++)
		if (strcmp(titles[i], "wsd: worker") == 0)
			victim = kids[i];
	ATF_REQUIRE(victim > 0);
	ATF_REQUIRE(kill(victim, SIGKILL) == 0);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "released 4 connections of "
	    "worker[0]", WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	ATF_REQUIRE(wsd_wait_log(&wsd, ") is ready", WSC_TIMEOUT) == 0);
	close_all(fd, 4);
	fd[0] = admitted_eventually("127.0.0.1");
	for (i = 1; i < 4; i++)
		ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[i]), 101);
	ATF_CHECK_EQ(upgrade_from("127.0.0.1", &fd[4]), 503);
	close_all(fd, 4);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(worker_killed, tc)
{
	daemon_cleanup();
}

/*
 * Open connections per worker, from wsctl show stats; workers report
 * once a second, so ask until the total is what it should be.
 */
static void
worker_conns(const atf_tc_t *tc, unsigned long long total,
    unsigned long long *w)
{
	char			 cmd[2048], line[512];
	unsigned long long	 n, sum;
	unsigned int		 i;
	FILE			*f;
	int			 tries;

	snprintf(cmd, sizeof(cmd), "%s -s %s show stats >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	for (tries = 0; tries < 60; tries++) {
		ATF_REQUIRE_EQ(system(cmd), 0);
		ATF_REQUIRE((f = fopen("out", "r")) != NULL);
		sum = 0;
		w[0] = w[1] = 0;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "worker[%u] %llu", &i, &n) == 2 &&
			    i < 2) {
				w[i] = n;
				sum += n;
			}
		fclose(f);
		if (sum == total)
			return;
		usleep(100000);
	}
	atf_tc_fail("show stats never counted %llu open connections",
	    total);
}

ATF_TC_WITH_CLEANUP(least_connections);
ATF_TC_HEAD(least_connections, tc)
{
	atf_tc_set_md_var(tc, "descr", "Connections go to the worker with "
	    "the fewest open: 10 spread 5/5, and after the closes of one "
	    "worker's, new ones all go to that worker");
}
ATF_TC_BODY(least_connections, tc)
{
	unsigned long long	 w[2], before[2];
	int			 fd[10], where[4], i, k, x;

	start(tc, "prefork handshake 1\nprefork worker 2");
	for (i = 0; i < 10; i++)
		ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[i]), 101);
	worker_conns(tc, 10, w);
	ATF_CHECK_MSG(w[0] >= 4 && w[0] <= 6 && w[1] >= 4 && w[1] <= 6,
	    "10 connections spread %llu/%llu", w[0], w[1]);
	close_all(fd, 10);
	worker_conns(tc, 0, w);

	/* Four connections, one at a time: learn where each one went. */
	for (i = 0; i < 4; i++) {
		before[0] = w[0];
		before[1] = w[1];
		ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[i]), 101);
		worker_conns(tc, i + 1, w);
		where[i] = w[0] > before[0] ? 0 : 1;
	}
	ATF_REQUIRE_EQ(w[0], 2);
	ATF_REQUIRE_EQ(w[1], 2);
	/* Close both of one worker: x has none, the other two. */
	x = where[0];
	for (i = 0, k = 0; i < 4; i++)
		if (where[i] == x) {
			close(fd[i]);
			fd[i] = -1;
			k++;
		}
	ATF_REQUIRE_EQ(k, 2);
	worker_conns(tc, 2, w);
	ATF_REQUIRE_EQ(w[x], 0);
	/* Round robin would give one each; least connections both to x. */
	ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[4]), 101);
	ATF_REQUIRE_EQ(upgrade_from("127.0.0.1", &fd[5]), 101);
	worker_conns(tc, 4, w);
	ATF_CHECK_EQ_MSG(w[x], 2, "worker[%d] has %llu, worker[%d] %llu", x,
	    w[x], !x, w[!x]);
	ATF_CHECK_EQ(w[!x], 2);
	close_all(fd, 6);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(least_connections, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, max_connections);
	ATF_TP_ADD_TC(tp, per_address);
	ATF_TP_ADD_TC(tp, tls_listener);
	ATF_TP_ADD_TC(tp, two_handshakes);
	ATF_TP_ADD_TC(tp, worker_killed);
	ATF_TP_ADD_TC(tp, least_connections);
	return (atf_no_error());
}
