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
 * Slow and stalled clients against the real wsd, ws:// and wss://: ones
 * that stop reading while they flood, keep talking but never read, go
 * silent, trickle a frame or a request, or lose the worker behind their
 * relay. wsd.conf(5) promises that such a client is gone within
 * ping interval + min(ping interval, 30) + 1 seconds, that a client
 * that left bytes unread gets a reset, and the counts follow. The
 * kernel's own table (/proc/net/tcp) tells what became of the server's
 * end of each connection: gone (reset), or still there.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "harness.h"

#define PING		1	/* s: ping interval in these tests */
/* The stated bound, ping + min(ping, 30) + 1 s, and slack for a busy host. */
#define BOUND_MS	((PING + PING + 1) * 1000)
#define SLACK_MS	2500
#define TCP_ESTABLISHED_ST	1

static struct wsd_proc	 wsd;
static int		 tport;		/* the tls listener */

static void
start_ping(const atf_tc_t *tc, int ping, const char *global)
{
	char	 server[1024], conf[1024];

	make_certs(tc);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(conf, sizeof(conf), "ping interval %d\ntimeout idle 0\n"
	    "timeout handshake 2\n%s", ping, global != NULL ? global : "");
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n",
	    tport);
	wsd_write_conf(&wsd, conf, server);
	daemon_start(tc, &wsd, NULL);
}

static void
start(const atf_tc_t *tc, const char *global)
{
	start_ping(tc, PING, global);
}

static int
local_port(int fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		return (-1);
	return (ntohs(sin.sin_port));
}

/*
 * The server's end of the connection from client port cport to sport,
 * from the kernel's table: its TCP state, or 0 if the kernel holds
 * none (closed with a reset, or all done); *txq gets its send queue.
 */
static int
server_end(int sport, int cport, long *txq)
{
	char		 line[512];
	FILE		*f;
	unsigned int	 lport, rport, st;
	unsigned long	 tx, rx;
	int		 state = 0;

	*txq = 0;
	if ((f = fopen("/proc/net/tcp", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*u: %*x:%x %*x:%x %x %lx:%lx", &lport,
		    &rport, &st, &tx, &rx) != 5)
			continue;
		if ((int)lport == sport && (int)rport == cport) {
			state = st;
			*txq = tx;
		}
	}
	fclose(f);
	return (state);
}

/* What the client does while it waits: called every few ms. */
struct client {
	int		 fd;
	struct wsc_tls	*t;		/* or NULL: plain */
	int		 sport;
	int		 cport;
	int		 op;		/* of its chatter; 0: flood */
	long long	 next;		/* ms: its next chatter frame */
	size_t		 sent;
	int		 dead;		/* a write failed */
};

static uint8_t	 flood_frame[65536 + 14];
static size_t	 flood_len;

static ssize_t
client_write(struct client *c, const void *buf, size_t len)
{
	ssize_t	 n;

	if (c->t != NULL) {
		n = tls_write(c->t->tls, buf, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
			return (0);
		return (n);
	}
	n = write(c->fd, buf, len);
	if (n == -1 && errno == EAGAIN)
		return (0);
	return (n);
}

/* Writes what the kernel takes (a flood) or a frame every 100 ms. */
static void
client_step(struct client *c)
{
	uint8_t	 frame[64];
	size_t	 len;
	ssize_t	 n;
	int	 i;

	if (c->dead)
		return;
	if (c->op == 0) {
		/* Whole frames only: a frame cut short would be a trickle. */
		for (i = 0; i < 64; i++) {
			n = client_write(c, flood_frame +
			    c->sent % flood_len, flood_len -
			    c->sent % flood_len);
			if (n == 0)
				return;
			if (n < 0) {
				c->dead = 1;
				return;
			}
			c->sent += n;
		}
		return;
	}
	if (now_ms() < c->next)
		return;
	c->next = now_ms() + 100;
	len = wsc_frame(frame, 1, c->op, "not reading", 11);
	if (client_write(c, frame, len) < 0)
		c->dead = 1;
}

/*
 * Waits, doing the client's part, until the server has let go of its
 * end (no longer ESTABLISHED), at most ms. Returns the ms waited, or
 * -1 if it held on; *state and *txq tell what is left of its end.
 */
static long long
wait_server_end(struct client *c, int ms, int *state, long *txq)
{
	long long	 t0 = now_ms();

	for (;;) {
		client_step(c);
		*state = server_end(c->sport, c->cport, txq);
		if (*state != TCP_ESTABLISHED_ST)
			return (now_ms() - t0);
		if (now_ms() - t0 > ms)
			return (-1);
		/* The log is read as it comes, or the daemon could block. */
		(void)wsd_wait_log(&wsd, "\001", 1);
		usleep(20000);
	}
}

/* wsctl show metrics: the value of a line that starts with name. */
static long
metric(const atf_tc_t *tc, const char *name)
{
	char	 cmd[1200], line[256];
	FILE	*f;
	long	 v = -1;
	size_t	 n = strlen(name);

	snprintf(cmd, sizeof(cmd), "%s -s %s show metrics",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	if ((f = popen(cmd, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, n) == 0 && line[n] == ' ')
			v = strtol(line + n + 1, NULL, 10);
	pclose(f);
	return (v);
}

/*
 * The counts come back to zero: the workers' open connections (they
 * report once a second) and the parent's count against max connections.
 */
static void
check_counts_zero(const atf_tc_t *tc)
{
	long	 open = -1, counted = -1;
	int	 tries;

	for (tries = 0; tries < 50; tries++) {
		open = metric(tc, "wsd_open_connections");
		counted = metric(tc, "wsd_counted_connections");
		if (open == 0 && counted == 0)
			return;
		usleep(100000);
	}
	ATF_CHECK_MSG(0, "counts stayed at %ld open, %ld counted", open,
	    counted);
}

static void
plain_conn(struct client *c, int op)
{
	char	 resp[1024];

	memset(c, 0, sizeof(*c));
	ATF_REQUIRE((c->fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ_MSG(wsc_upgrade(c->fd, NULL, resp, sizeof(resp)), 101,
	    "response: %s", resp);
	c->sport = wsd.port;
	c->cport = local_port(c->fd);
	c->op = op;
	ATF_REQUIRE(fcntl(c->fd, F_SETFL, O_NONBLOCK) == 0);
}

static void
tls_conn(struct client *c, struct wsc_tls *t, int op)
{
	char	 resp[1024];

	memset(c, 0, sizeof(*c));
	ATF_REQUIRE_MSG(wsct_connect(t, tport, NULL) == 0, "connect: %s",
	    wsct_error(t));
	ATF_REQUIRE_EQ_MSG(wsct_upgrade(t, NULL, resp, sizeof(resp)), 101,
	    "response: %s", resp);
	c->t = t;
	c->fd = t->fd;
	c->sport = tport;
	c->cport = local_port(t->fd);
	c->op = op;
	ATF_REQUIRE(fcntl(c->fd, F_SETFL, O_NONBLOCK) == 0);
}

static void
flood_init(void)
{
	static uint8_t	 payload[65536];

	memset(payload, 'f', sizeof(payload));
	flood_len = wsc_frame(flood_frame, 1, 0x2, payload, sizeof(payload));
}

/*
 * A client that never reads, doing its part: the server's end goes
 * within the bound, with a reset if reset is set (nothing of the
 * server's end left behind), and the counts come back to zero.
 */
static void
expect_dropped(const atf_tc_t *tc, struct client *c, int reset,
    const char *what)
{
	long long	 ms;
	long		 txq;
	int		 state;

	ms = wait_server_end(c, BOUND_MS + SLACK_MS, &state, &txq);
	ATF_REQUIRE_MSG(ms != -1, "%s: still open after %d ms", what,
	    BOUND_MS + SLACK_MS);
	printf("%s: the server let go after %lld ms (state %d, %ld bytes "
	    "queued)\n", what, ms, state, txq);
	if (reset)
		ATF_CHECK_MSG(state == 0, "%s: closed without a reset: its "
		    "end is left in TCP state %d with %ld bytes queued",
		    what, state, txq);
	check_counts_zero(tc);
}

ATF_TC_WITH_CLEANUP(ws_flood_unread);
ATF_TC_HEAD(ws_flood_unread, tc)
{
	atf_tc_set_md_var(tc, "descr", "ws://: a client that floods and "
	    "never reads is reset within the bound; counts go back to 0");
}
ATF_TC_BODY(ws_flood_unread, tc)
{
	struct client	 c;

	flood_init();
	start(tc, NULL);
	plain_conn(&c, 0);
	expect_dropped(tc, &c, 1, "ws flood");
	ATF_CHECK(wsd_wait_log(&wsd, "no pong", WSC_TIMEOUT) == 0 ||
	    wsd_wait_log(&wsd, "client stopped reading", 1) == 0);
	close(c.fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(ws_flood_unread, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(wss_flood_unread);
ATF_TC_HEAD(wss_flood_unread, tc)
{
	atf_tc_set_md_var(tc, "descr", "wss://: a client that floods and "
	    "never reads is reset by the relay within the bound");
}
ATF_TC_BODY(wss_flood_unread, tc)
{
	struct client	 c;
	struct wsc_tls	 t;

	flood_init();
	start(tc, NULL);
	tls_conn(&c, &t, 0);
	expect_dropped(tc, &c, 1, "wss flood");
	wsct_close(&t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(wss_flood_unread, tc)
{
	daemon_cleanup();
}

/* Keeps sending small frames of op, never reads a byte. */
static void
chatter(const atf_tc_t *tc, int tls, int op, const char *what)
{
	struct client	 c;
	struct wsc_tls	 t;

	start(tc, NULL);
	if (tls)
		tls_conn(&c, &t, op);
	else
		plain_conn(&c, op);
	expect_dropped(tc, &c, 0, what);
	if (tls)
		wsct_close(&t);
	else
		close(c.fd);
	daemon_stop_ok(&wsd);
}

ATF_TC_WITH_CLEANUP(ws_chatter_unread);
ATF_TC_HEAD(ws_chatter_unread, tc)
{
	atf_tc_set_md_var(tc, "descr", "ws://: a client that sends a message "
	    "every 100 ms but never reads is dropped within the bound");
}
ATF_TC_BODY(ws_chatter_unread, tc)
{
	chatter(tc, 0, 0x1, "ws chatter");
}
ATF_TC_CLEANUP(ws_chatter_unread, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(ws_unsolicited_pongs);
ATF_TC_HEAD(ws_unsolicited_pongs, tc)
{
	atf_tc_set_md_var(tc, "descr", "ws://: pongs the client makes up, "
	    "without reading the pings, do not keep it alive");
}
ATF_TC_BODY(ws_unsolicited_pongs, tc)
{
	chatter(tc, 0, 0xa, "ws pongs");
}
ATF_TC_CLEANUP(ws_unsolicited_pongs, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(wss_chatter_unread);
ATF_TC_HEAD(wss_chatter_unread, tc)
{
	atf_tc_set_md_var(tc, "descr", "wss://: a client that keeps sending "
	    "but never reads is dropped within the bound");
}
ATF_TC_BODY(wss_chatter_unread, tc)
{
	chatter(tc, 1, 0x1, "wss chatter");
}
ATF_TC_CLEANUP(wss_chatter_unread, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(silent);
ATF_TC_HEAD(silent, tc)
{
	atf_tc_set_md_var(tc, "descr", "ws:// and wss://: a client that goes "
	    "silent after its 101 is dropped within the bound");
}
ATF_TC_BODY(silent, tc)
{
	struct client	 c, ct;
	struct wsc_tls	 t;

	start(tc, NULL);
	plain_conn(&c, 1);
	c.dead = 1;		/* sends nothing */
	tls_conn(&ct, &t, 1);
	ct.dead = 1;
	expect_dropped(tc, &c, 0, "ws silent");
	expect_dropped(tc, &ct, 0, "wss silent");
	close(c.fd);
	wsct_close(&t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(silent, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(trickle_frame);
ATF_TC_HEAD(trickle_frame, tc)
{
	atf_tc_set_md_var(tc, "descr", "ws://: a client that trickles a "
	    "large frame a byte at a time cannot answer pings in the middle "
	    "of it, and is dropped within the bound");
}
ATF_TC_BODY(trickle_frame, tc)
{
	static const uint8_t	 head[] = { 0x82, 0xff, 0, 0, 0, 0, 0, 0x10,
				    0, 0, 1, 2, 3, 4 };
	struct client		 c;
	long long		 t0, ms = -1;
	long			 txq;
	int			 state = TCP_ESTABLISHED_ST;

	start(tc, NULL);
	plain_conn(&c, 1);
	c.dead = 1;
	ATF_REQUIRE(write(c.fd, head, sizeof(head)) == sizeof(head));
	t0 = now_ms();
	while (now_ms() - t0 < BOUND_MS + SLACK_MS) {
		(void)write(c.fd, "x", 1);
		if ((state = server_end(c.sport, c.cport, &txq)) !=
		    TCP_ESTABLISHED_ST) {
			ms = now_ms() - t0;
			break;
		}
		(void)wsd_wait_log(&wsd, "\001", 1);
		usleep(100000);
	}
	ATF_CHECK_MSG(ms != -1, "a trickle kept its connection for %d ms",
	    BOUND_MS + SLACK_MS);
	printf("trickle: dropped after %lld ms\n", ms);
	check_counts_zero(tc);
	close(c.fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(trickle_frame, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(trickle_handshake);
ATF_TC_HEAD(trickle_handshake, tc)
{
	atf_tc_set_md_var(tc, "descr", "A request head a byte at a time, and "
	    "a TLS connection that sends nothing, end at timeout handshake");
}
ATF_TC_BODY(trickle_handshake, tc)
{
	static const char	 req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n"
				    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	long long		 t0, ms = -1, mst = -1;
	long			 txq;
	size_t			 i = 0;
	int			 fd, tfd, cport, tcport;

	start(tc, NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE((tfd = wsc_connect(tport)) != -1);
	cport = local_port(fd);
	tcport = local_port(tfd);
	t0 = now_ms();
	/* timeout handshake is 2 s. */
	while (now_ms() - t0 < 2000 + SLACK_MS && (ms == -1 || mst == -1)) {
		if (i < sizeof(req) - 1)
			(void)write(fd, req + i++, 1);
		if (ms == -1 && server_end(wsd.port, cport, &txq) !=
		    TCP_ESTABLISHED_ST)
			ms = now_ms() - t0;
		if (mst == -1 && server_end(tport, tcport, &txq) !=
		    TCP_ESTABLISHED_ST)
			mst = now_ms() - t0;
		(void)wsd_wait_log(&wsd, "\001", 1);
		usleep(50000);
	}
	ATF_CHECK_MSG(ms != -1, "a trickled request head was kept");
	ATF_CHECK_MSG(mst != -1, "a silent TLS client was kept");
	ATF_CHECK_MSG(ms >= 1500, "closed after %lld ms, before the timeout",
	    ms);
	printf("trickle_handshake: ws %lld ms, tls %lld ms\n", ms, mst);
	ATF_CHECK(wsd_wait_log(&wsd, "handshake timed out", WSC_TIMEOUT) == 0);
	check_counts_zero(tc);
	close(fd);
	close(tfd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(trickle_handshake, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(wss_worker_killed);
ATF_TC_HEAD(wss_worker_killed, tc)
{
	atf_tc_set_md_var(tc, "descr", "wss://: when the worker behind a "
	    "relay dies while the client reads nothing, the relay resets "
	    "TCP within 2 s of the hang-up");
}
ATF_TC_BODY(wss_worker_killed, tc)
{
	struct client	 c;
	struct wsc_tls	 t;
	long long	 t0, ms;
	long		 txq;
	pid_t		 worker;
	int		 state;

	flood_init();
	/* Long pings: only the hang-up can end it within the test. */
	start_ping(tc, 60, "prefork worker 1");
	tls_conn(&c, &t, 0);
	/* Flood until the relay has stopped taking for half a second. */
	t0 = now_ms();
	while (now_ms() - t0 < 5000) {
		size_t before = c.sent;

		client_step(&c);
		usleep(100000);
		client_step(&c);
		if (c.sent == before && now_ms() - t0 > 500)
			break;
	}
	ATF_REQUIRE((worker = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	ATF_REQUIRE(kill(worker, SIGKILL) == 0);
	ms = wait_server_end(&c, 2000 + SLACK_MS, &state, &txq);
	ATF_CHECK_MSG(ms != -1, "the relay held the connection after its "
	    "worker died");
	ATF_CHECK_MSG(ms == -1 || state == 0, "closed without a reset: state "
	    "%d, %ld bytes queued", state, txq);
	printf("wss_worker_killed: relay ended %lld ms after the kill\n", ms);
	check_counts_zero(tc);
	wsct_close(&t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(wss_worker_killed, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(reader_lives);
ATF_TC_HEAD(reader_lives, tc)
{
	atf_tc_set_md_var(tc, "descr", "A busy client that reads and answers "
	    "each ping is pinged all the same and stays connected");
}
ATF_TC_BODY(reader_lives, tc)
{
	uint8_t		 buf[256];
	size_t		 len;
	long long	 t0;
	long		 txq;
	int		 fd, fin, op, pings = 0, echoes = 0;

	start(tc, NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd, NULL, (char *)buf, sizeof(buf)), 101);
	t0 = now_ms();
	/*
	 * Deadlines are whole seconds checked by a tick once a second, so
	 * pings can be 2 * PING + 1 s apart: time for two with room.
	 */
	while (now_ms() - t0 < 2 * BOUND_MS) {
		ATF_REQUIRE(wsc_send(fd, 1, 0x1, "busy", 4) == 0);
		do {
			ATF_REQUIRE_MSG(wsc_recv(fd, &fin, &op, buf,
			    sizeof(buf), &len) == 0, "connection lost after "
			    "%d pings", pings);
			if (op == 0x9) {
				pings++;
				ATF_REQUIRE(wsc_send(fd, 1, 0xa, buf, len) ==
				    0);
			}
		} while (op != 0x1);
		echoes++;
		usleep(100000);
	}
	ATF_CHECK_MSG(pings >= 2, "%d pings in %d ms of traffic", pings,
	    2 * BOUND_MS);
	ATF_CHECK_EQ(server_end(wsd.port, local_port(fd), &txq),
	    TCP_ESTABLISHED_ST);
	printf("reader_lives: %d echoes, %d pings answered\n", echoes, pings);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(reader_lives, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(many_unread);
ATF_TC_HEAD(many_unread, tc)
{
	atf_tc_set_md_var(tc, "descr", "32 ws:// and 32 wss:// clients that "
	    "flood and never read: all are reset within the bound, and the "
	    "counts go back to 0");
}
ATF_TC_BODY(many_unread, tc)
{
	enum { N = 32 };
	struct client	 c[2 * N];
	struct wsc_tls	 t[N];
	long long	 t0;
	long		 txq;
	int		 i, left, state[2 * N];



	flood_init();
	start(tc, "max connections per address 1000");
	for (i = 0; i < N; i++) {
		plain_conn(&c[i], 0);
		tls_conn(&c[N + i], &t[i], 0);
	}
	for (i = 0; i < 2 * N; i++)
		state[i] = TCP_ESTABLISHED_ST;
	t0 = now_ms();
	do {
		left = 0;
		for (i = 0; i < 2 * N; i++) {
			if (state[i] != TCP_ESTABLISHED_ST)
				continue;
			client_step(&c[i]);
			state[i] = server_end(c[i].sport, c[i].cport, &txq);
			left += state[i] == TCP_ESTABLISHED_ST;
		}
		(void)wsd_wait_log(&wsd, "\001", 1);
		usleep(20000);
	} while (left > 0 && now_ms() - t0 < BOUND_MS + 2 * SLACK_MS);
	printf("many_unread: %d of %d left after %lld ms\n", left, 2 * N,
	    now_ms() - t0);
	ATF_CHECK_EQ_MSG(left, 0, "%d connections still open", left);
	for (i = 0; i < 2 * N; i++)
		ATF_CHECK_MSG(state[i] == 0, "connection %d (%s) closed "
		    "without a reset: state %d", i, i < N ? "ws" : "wss",
		    state[i]);
	check_counts_zero(tc);
	for (i = 0; i < N; i++) {
		close(c[i].fd);
		wsct_close(&t[i]);
	}
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(many_unread, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	signal(SIGPIPE, SIG_IGN);
	ATF_TP_ADD_TC(tp, ws_flood_unread);
	ATF_TP_ADD_TC(tp, wss_flood_unread);
	ATF_TP_ADD_TC(tp, ws_chatter_unread);
	ATF_TP_ADD_TC(tp, ws_unsolicited_pongs);
	ATF_TP_ADD_TC(tp, wss_chatter_unread);
	ATF_TP_ADD_TC(tp, silent);
	ATF_TP_ADD_TC(tp, trickle_frame);
	ATF_TP_ADD_TC(tp, trickle_handshake);
	ATF_TP_ADD_TC(tp, wss_worker_killed);
	ATF_TP_ADD_TC(tp, reader_lives);
	ATF_TP_ADD_TC(tp, many_unread);
	return (atf_no_error());
}
