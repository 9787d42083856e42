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
 * What open connections cost the daemon's processes when nothing
 * happens on them, and how their sockets are set: behaviour, not
 * speed (make bench measures speed). Every process is measured, from
 * /proc; the sockets are read from inside the process that holds them
 * with pidfd_getfd(2), which the test may do as root.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "harness.h"

#define MAXKIDS		16
#define IDLE_MS		2000
/* CPU time a process may use in IDLE_MS with idle connections: ticks */
#define IDLE_TICKS_MAX	10

static struct wsd_proc	 wsd;
static int		 tport;

static void
start(const atf_tc_t *tc, const char *global)
{
	char	 server[512];

	make_certs(tc);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n",
	    tport);
	wsd_write_conf(&wsd, global, server);
	daemon_start(tc, &wsd, NULL);
}

/* utime + stime of a process, in clock ticks; -1 if it is gone. */
static long
cpu_ticks(pid_t pid)
{
	char		 path[64], buf[1024], *p;
	FILE		*f;
	unsigned long	 ut, st;
	size_t		 n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command name in parentheses, fields 3 on. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return (-1);
	return ((long)(ut + st));
}

ATF_TC_WITH_CLEANUP(idle_cpu);
ATF_TC_HEAD(idle_cpu, tc)
{
	atf_tc_set_md_var(tc, "descr", "With ws:// and wss:// connections "
	    "open and idle, no process of the daemon uses the CPU");
}
ATF_TC_BODY(idle_cpu, tc)
{
	enum { NWS = 20, NWSS = 5 };
	struct wsc_tls	 t[NWSS];
	pid_t		 kids[MAXKIDS];
	char		 titles[MAXKIDS][64], resp[1024];
	long		 before[MAXKIDS + 1], used;
	int		 fd[NWS], n, i;

	start(tc, NULL);
	for (i = 0; i < NWS; i++) {
		ATF_REQUIRE((fd[i] = wsc_connect(wsd.port)) != -1);
		ATF_REQUIRE_EQ(wsc_upgrade(fd[i], NULL, resp, sizeof(resp)),
		    101);
	}
	for (i = 0; i < NWSS; i++) {
		ATF_REQUIRE_MSG(wsct_connect(&t[i], tport, NULL) == 0,
		    "connect: %s", wsct_error(&t[i]));
		ATF_REQUIRE_EQ(wsct_upgrade(&t[i], NULL, resp, sizeof(resp)),
		    101);
	}
	/* Let the hand-offs settle, then measure every process. */
	usleep(300000);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	ATF_REQUIRE(n >= 4);
	for (i = 0; i < n; i++)
		before[i] = cpu_ticks(kids[i]);
	before[n] = cpu_ticks(wsd.pid);
	usleep(IDLE_MS * 1000);
	for (i = 0; i < n; i++) {
		used = cpu_ticks(kids[i]) - before[i];
		printf("%s (pid %d): %ld ticks in %d ms\n", titles[i],
		    (int)kids[i], used, IDLE_MS);
		ATF_CHECK_MSG(used <= IDLE_TICKS_MAX, "%s (pid %d) used %ld "
		    "ticks of CPU in %d ms with idle connections", titles[i],
		    (int)kids[i], used, IDLE_MS);
	}
	used = cpu_ticks(wsd.pid) - before[n];
	printf("parent: %ld ticks in %d ms\n", used, IDLE_MS);
	ATF_CHECK_MSG(used <= IDLE_TICKS_MAX, "the parent used %ld ticks",
	    used);
	for (i = 0; i < NWS; i++)
		close(fd[i]);
	for (i = 0; i < NWSS; i++)
		wsct_close(&t[i]);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(idle_cpu, tc)
{
	daemon_cleanup();
}

/*
 * The TCP sockets a process holds, other than listeners, copied into
 * ours: how many, and how many of them have TCP_NODELAY.
 */
static int
tcp_nodelay(pid_t pid, int *nodelay)
{
	char		 path[64];
	DIR		*d;
	struct dirent	*de;
	socklen_t	 len;
	int		 pidfd, fd, v, n = 0;

	*nodelay = 0;
	if ((pidfd = syscall(SYS_pidfd_open, pid, 0)) == -1)
		return (-1);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL) {
		close(pidfd);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		if (fd == -1)
			continue;
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 &&
		    v == IPPROTO_TCP && getsockopt(fd, SOL_SOCKET,
		    SO_ACCEPTCONN, &v, &len) == 0 && v == 0) {
			n++;
			len = sizeof(v);
			if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v,
			    &len) == 0 && v != 0)
				(*nodelay)++;
		}
		close(fd);
	}
	closedir(d);
	close(pidfd);
	return (n);
}

ATF_TC_WITH_CLEANUP(nodelay);
ATF_TC_HEAD(nodelay, tc)
{
	atf_tc_set_md_var(tc, "descr", "The sockets a worker (ws://) and a "
	    "relay (wss://) write to have TCP_NODELAY: no Nagle wait");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(nodelay, tc)
{
	struct wsc_tls	 t;
	char		 resp[1024];
	pid_t		 w, h;
	int		 fd, n, nd;

	start(tc, "prefork handshake 1\nprefork worker 1\n");
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd, NULL, resp, sizeof(resp)), 101);
	ATF_REQUIRE_MSG(wsct_connect(&t, tport, NULL) == 0, "connect: %s",
	    wsct_error(&t));
	ATF_REQUIRE_EQ(wsct_upgrade(&t, NULL, resp, sizeof(resp)), 101);
	usleep(200000);
	ATF_REQUIRE((w = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	ATF_REQUIRE((h = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	n = tcp_nodelay(w, &nd);
	ATF_REQUIRE_MSG(n >= 1, "no client socket found in the worker "
	    "(%d: %s)", n, strerror(errno));
	ATF_CHECK_EQ_MSG(nd, n, "%d of the worker's %d client sockets have "
	    "TCP_NODELAY", nd, n);
	n = tcp_nodelay(h, &nd);
	ATF_REQUIRE_MSG(n >= 1, "no relayed socket found in the handshake "
	    "process");
	ATF_CHECK_EQ_MSG(nd, n, "%d of the relay's %d client sockets have "
	    "TCP_NODELAY", nd, n);
	close(fd);
	wsct_close(&t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(nodelay, tc)
{
	daemon_cleanup();
}

/*
 * An idle connection costs each process only its small state: the
 * worker frees a session once nothing is in flight, and the parent's
 * record of it for the limits is small. Bytes per connection, well
 * above what the daemon needs and well below what a session kept per
 * connection (about 150 bytes more in the worker) would cost.
 */
#define IDLE_CONNS		800	/* their log lines fit the harness's buffer */
#define IDLE_WORKER_MAX		430
#define IDLE_PARENT_MAX		72
#define IDLE_HANDSHAKE_MAX	32

/* A message, and its echo back. */
static int
echoed(int fd)
{
	uint8_t	 buf[16];
	size_t	 len;
	int	 fin, op;

	return (wsc_send(fd, 1, 0x1, "hello", 5) == 0 &&
	    wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0 && fin &&
	    op == 0x1 && len == 5 && memcmp(buf, "hello", 5) == 0);
}

ATF_TC_WITH_CLEANUP(idle_memory);
ATF_TC_HEAD(idle_memory, tc)
{
	atf_tc_set_md_var(tc, "descr", "An idle ws:// connection, after a "
	    "message, costs each process of the daemon only its small state");
}
ATF_TC_BODY(idle_memory, tc)
{
	pid_t	 pids[3];
	long	 before[3], per;
	char	 resp[1024];
	int	*fd, i;
	static const char *names[3] = { "parent", "handshake", "worker" };
	static const long  max[3] = { IDLE_PARENT_MAX, IDLE_HANDSHAKE_MAX,
	    IDLE_WORKER_MAX };

	ATF_REQUIRE((fd = calloc(IDLE_CONNS, sizeof(*fd))) != NULL);
	start(tc, "prefork handshake 1\nprefork worker 1\n"
	    "max connections 5000\nmax connections per address 5000\n");
	pids[0] = wsd.pid;
	ATF_REQUIRE((pids[1] = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	ATF_REQUIRE((pids[2] = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	/* A first connection: what every connection shares is made. */
	ATF_REQUIRE((fd[0] = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd[0], NULL, resp, sizeof(resp)), 101);
	ATF_REQUIRE(echoed(fd[0]));
	usleep(200000);
	for (i = 0; i < 3; i++)
		ATF_REQUIRE((before[i] = proc_rss_kb(pids[i])) > 0);
	for (i = 1; i < IDLE_CONNS; i++) {
		ATF_REQUIRE_MSG((fd[i] = wsc_connect(wsd.port)) != -1,
		    "connection %d: %s", i, strerror(errno));
		ATF_REQUIRE_MSG(wsc_upgrade(fd[i], NULL, resp, sizeof(resp)) ==
		    101, "connection %d: %.40s", i, resp);
		ATF_REQUIRE(echoed(fd[i]));
		/* Read the daemon's log lines, or its pipe fills. */
		if (i % 100 == 0)
			(void)wsd_wait_log(&wsd, "\001", 1);
	}
	usleep(500000);
	for (i = 0; i < 3; i++) {
		per = (proc_rss_kb(pids[i]) - before[i]) * 1024 /
		    (IDLE_CONNS - 1);
		printf("%s: %ld bytes per idle connection\n", names[i], per);
		ATF_CHECK_MSG(per <= max[i], "%s: %ld bytes per idle "
		    "connection, more than %ld", names[i], per, max[i]);
	}
	for (i = 0; i < IDLE_CONNS; i++)
		close(fd[i]);
	free(fd);
	/* Their close lines, read as they come, or the log pipe fills. */
	for (i = 0; i < 100 && wsd_log_count(&wsd, "client closed TCP") <
	    IDLE_CONNS; i++)
		(void)wsd_wait_log(&wsd, "\001", 100);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(idle_memory, tc)
{
	daemon_cleanup();
}

/*
 * An idle wss:// connection costs the handshake process its TLS session
 * (OpenSSL's own record buffers, about 33 KB) and the relay's state, but
 * no relay buffer: those (16 KB each way) are held only while they have
 * bytes. Bytes per connection, with room for OpenSSL, and well below
 * what buffers held for good would cost.
 */
#define IDLE_TLS_CONNS		100
#define IDLE_TLS_RELAY_MAX	(48 * 1024)

ATF_TC_WITH_CLEANUP(idle_memory_tls);
ATF_TC_HEAD(idle_memory_tls, tc)
{
	atf_tc_set_md_var(tc, "descr", "An idle wss:// connection, after a "
	    "message, holds no relay buffer in the handshake process");
}
ATF_TC_BODY(idle_memory_tls, tc)
{
	struct wsc_tls	*t;
	uint8_t		 buf[16];
	size_t		 len;
	char		 resp[1024];
	long		 before = -1, per;
	pid_t		 h;
	int		 i, fin, op;

	ATF_REQUIRE((t = calloc(IDLE_TLS_CONNS, sizeof(*t))) != NULL);
	start(tc, "prefork handshake 1\nprefork worker 1\n");
	ATF_REQUIRE((h = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	for (i = 0; i < IDLE_TLS_CONNS; i++) {
		if (i == 1) {
			usleep(200000);
			ATF_REQUIRE((before = proc_rss_kb(h)) > 0);
		}
		ATF_REQUIRE_MSG(wsct_connect(&t[i], tport, NULL) == 0,
		    "connect: %s", wsct_error(&t[i]));
		ATF_REQUIRE_EQ(wsct_upgrade(&t[i], NULL, resp, sizeof(resp)),
		    101);
		ATF_REQUIRE(wsct_send(&t[i], 1, 0x1, "hello", 5) == 0);
		ATF_REQUIRE(wsct_recv(&t[i], &fin, &op, buf, sizeof(buf),
		    &len) == 0 && len == 5 && memcmp(buf, "hello", 5) == 0);
	}
	usleep(500000);
	per = (proc_rss_kb(h) - before) * 1024 / (IDLE_TLS_CONNS - 1);
	printf("handshake: %ld bytes per idle wss:// connection\n", per);
	ATF_CHECK_MSG(per <= IDLE_TLS_RELAY_MAX, "%ld bytes per idle wss:// "
	    "connection, more than %d", per, IDLE_TLS_RELAY_MAX);
	for (i = 0; i < IDLE_TLS_CONNS; i++)
		wsct_close(&t[i]);
	free(t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(idle_memory_tls, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, idle_cpu);
	ATF_TP_ADD_TC(tp, nodelay);
	ATF_TP_ADD_TC(tp, idle_memory);
	ATF_TP_ADD_TC(tp, idle_memory_tls);
	return (atf_no_error());
}
