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
 * Reload through the running daemon: open connections keep echoing, new
 * ones get the new configuration, and one that does not load changes
 * nothing.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "harness.h"
#include "wsd.h"

#define MAXKIDS		16

static struct wsd_proc	 wsd;

/* A configuration of one server listening on each port given. */
static void
write_conf(const char *extra, int port1, int port2)
{
	FILE	*f;

	ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
	fprintf(f, "server \"127.0.0.1\" {\n");
	if (port1 > 0)
		fprintf(f, "\tlisten on 127.0.0.1 port %d\n", port1);
	if (port2 > 0)
		fprintf(f, "\tlisten on 127.0.0.1 port %d\n", port2);
	fprintf(f, "%s}\n", extra != NULL ? extra : "");
	fclose(f);
}

static void
start(const atf_tc_t *tc)
{
	char	 cwd[200];

	ATF_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(wsd.conf, sizeof(wsd.conf), "wsd.conf");
	snprintf(wsd.sock, sizeof(wsd.sock), "%s/wsd.sock", cwd);
	daemon_start(tc, &wsd, NULL);
}

/* Where needle is last in the log; NULL if nowhere. */
static const char *
last_of(const char *needle)
{
	const char	*p, *last = NULL;

	for (p = wsd.log; (p = strstr(p, needle)) != NULL; p++)
		last = p;
	return (last);
}

/* wsctl reload; its exit status, its output in the file out. */
static int
wsctl_reload(const atf_tc_t *tc)
{
	char	 cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s -s %s reload >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	return (WEXITSTATUS(system(cmd)));
}

static int
client(int port)
{
	char	 resp[1024];
	int	 fd;

	ATF_REQUIRE((fd = wsc_connect(port)) != -1);
	ATF_REQUIRE_EQ_MSG(wsc_upgrade(fd, NULL, resp, sizeof(resp)), 101,
	    "%s", resp);
	return (fd);
}

static void
echo(int fd, const char *msg)
{
	uint8_t	*back;
	size_t	 len;
	int	 op;

	ATF_REQUIRE_MSG(wsc_exchange(fd, 0x1, msg, strlen(msg), &back, &len,
	    &op) == 0, "no echo of \"%s\"", msg);
	ATF_CHECK(len == strlen(msg) && memcmp(back, msg, len) == 0);
	free(back);
}

ATF_TC_WITH_CLEANUP(listeners);
ATF_TC_HEAD(listeners, tc)
{
	atf_tc_set_md_var(tc, "descr", "SIGHUP with connections open: they "
	    "keep echoing, a new listener answers, a removed one stops");
}
ATF_TC_BODY(listeners, tc)
{
	int	 p1, p2, fd, fd2;

	ATF_REQUIRE((p1 = wsd_free_port()) > 0);
	ATF_REQUIRE((p2 = wsd_free_port()) > 0 && p2 != p1);
	write_conf(NULL, p1, 0);
	start(tc);
	fd = client(p1);
	echo(fd, "before");
	write_conf(NULL, 0, p2);
	kill(wsd.pid, SIGHUP);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "configuration reloaded",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	echo(fd, "after, on the old listener");
	fd2 = client(p2);
	echo(fd2, "on the new listener");
	ATF_CHECK_MSG(wsc_connect(p1) == -1, "the removed listener answers");
	close(fd);
	close(fd2);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(listeners, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(refused);
ATF_TC_HEAD(refused, tc)
{
	atf_tc_set_md_var(tc, "descr", "A configuration that does not load, "
	    "or changes what needs a restart, is refused whole");
}
ATF_TC_BODY(refused, tc)
{
	FILE	*f;
	int	 p1, fd;

	ATF_REQUIRE((p1 = wsd_free_port()) > 0);
	write_conf(NULL, p1, 0);
	start(tc);
	fd = client(p1);
	ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
	fprintf(f, "server \"127.0.0.1\" {\n\tlisten on 127.0.0.1 port %d\n"
	    "\tbogus keyword\n}\n", p1 + 1);
	fclose(f);
	ATF_CHECK_EQ(wsctl_reload(tc), 1);
	ATF_CHECK(atf_utils_grep_file("^reload failed", "out"));
	ATF_CHECK(wsd_wait_log(&wsd, "wsd.conf:3: syntax error", WSC_TIMEOUT) ==
	    0);
	echo(fd, "still here");
	close(fd);
	close(client(p1));

	write_conf(NULL, p1, 0);
	ATF_REQUIRE((f = fopen("wsd.conf", "a")) != NULL);
	fprintf(f, "user \"nobody\"\n");
	fclose(f);
	ATF_CHECK_EQ(wsctl_reload(tc), 1);
	ATF_CHECK(wsd_wait_log(&wsd, "the user cannot change", WSC_TIMEOUT) ==
	    0);

	/* And a good one goes through wsctl too. */
	write_conf(NULL, p1, 0);
	ATF_CHECK_EQ(wsctl_reload(tc), 0);
	ATF_CHECK(atf_utils_grep_file("^configuration reloaded$", "out"));
	close(client(p1));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(refused, tc)
{
	daemon_cleanup();
}

/* How many children of the daemon have title. */
static int
count_role(const char *title)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	int	 n, i, found = 0;

	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], title) == 0)
			found++;
	return (found);
}

ATF_TC_WITH_CLEANUP(processes);
ATF_TC_HEAD(processes, tc)
{
	atf_tc_set_md_var(tc, "descr", "A reload that changes the number of "
	    "processes starts new ones and retires the surplus");
}
ATF_TC_BODY(processes, tc)
{
	FILE	*f;
	int	 p1, fd[4], i;

	ATF_REQUIRE((p1 = wsd_free_port()) > 0);
	write_conf(NULL, p1, 0);
	start(tc);
	for (i = 0; i < 4; i++) {
		fd[i] = client(p1);
		echo(fd[i], "x");
	}
	write_conf(NULL, p1, 0);
	ATF_REQUIRE((f = fopen("wsd.conf", "a")) != NULL);
	fprintf(f, "prefork handshake 1\nprefork worker 3\n");
	fclose(f);
	ATF_REQUIRE_EQ(wsctl_reload(tc), 0);
	/* The retired one has gone and the new one has its title. */
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "handshake[1] (pid", WSC_TIMEOUT) ==
	    0 && wsd_wait_log(&wsd, "retired", WSC_TIMEOUT) == 0 &&
	    wsd_wait_log(&wsd, "worker[2] (pid", WSC_TIMEOUT) == 0, "log:\n%s",
	    wsd.log);
	ATF_CHECK_EQ(count_role("wsd: handshake"), 1);
	ATF_CHECK_EQ(count_role("wsd: worker"), 3);
	/* The connections were on the workers that stay. */
	for (i = 0; i < 4; i++) {
		echo(fd[i], "still");
		close(fd[i]);
	}
	/* The new worker takes its share of new connections. */
	for (i = 0; i < 6; i++) {
		fd[0] = client(p1);
		echo(fd[0], "new");
		close(fd[0]);
	}
	ATF_CHECK(wsd_wait_log(&wsd, "worker[2]: connection", WSC_TIMEOUT) ==
	    0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(processes, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(policy);
ATF_TC_HEAD(policy, tc)
{
	atf_tc_set_md_var(tc, "descr", "A new origin policy holds for new "
	    "connections only");
}
ATF_TC_BODY(policy, tc)
{
	char	 resp[1024];
	int	 p1, fd, fd2;

	ATF_REQUIRE((p1 = wsd_free_port()) > 0);
	write_conf(NULL, p1, 0);
	start(tc);
	fd = client(p1);
	ATF_REQUIRE((fd2 = wsc_connect(p1)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd2, "Origin: https://a.example\r\n", resp,
	    sizeof(resp)), 403);
	close(fd2);

	write_conf("\torigin \"https://a.example\"\n"
	    "\tlocation \"/\" {\n\t\tmax message 200\n\t}\n", p1, 0);
	ATF_REQUIRE_EQ(wsctl_reload(tc), 0);
	ATF_REQUIRE((fd2 = wsc_connect(p1)) != -1);
	ATF_CHECK_EQ(wsc_upgrade(fd2, "Origin: https://a.example\r\n", resp,
	    sizeof(resp)), 101);
	close(fd2);
	/* A new connection gets the new limit, the old one keeps its own. */
	fd2 = client(p1);
	{
		char	 big[300];
		uint8_t	 buf[128];
		size_t	 len;
		int	 fin, op;

		memset(big, 'y', sizeof(big));
		ATF_REQUIRE(wsc_send(fd2, 1, 0x2, big, sizeof(big)) == 0);
		ATF_REQUIRE(wsc_recv(fd2, &fin, &op, buf, sizeof(buf),
		    &len) == 0);
		ATF_CHECK(op == 0x8 && len >= 2 && (buf[0] << 8 | buf[1]) ==
		    1009);
	}
	close(fd2);
	{
		char	 big[300];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		echo(fd, big);
	}
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(policy, tc)
{
	daemon_cleanup();
}

/* The subject of the certificate wsd shows on port. */
static char *
cert_subject(int port)
{
	struct wsc_tls_opts	 o = { .servername = "localhost" };
	struct wsc_tls		 t;
	char			*subject;

	ATF_REQUIRE_MSG(wsct_connect(&t, port, &o) == 0, "%s",
	    wsct_error(&t));
	subject = strdup(tls_peer_cert_subject(t.tls));
	wsct_close(&t);
	return (subject);
}

ATF_TC_WITH_CLEANUP(tls);
ATF_TC_HEAD(tls, tc)
{
	atf_tc_set_md_var(tc, "descr", "A reload replaces the certificate; a "
	    "handshake process respawned afterwards still has its key");
}
ATF_TC_BODY(tls, tc)
{
	char	 extra[256], *subject;
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64];
	int	 port, n, i;

	make_certs(tc);
	ATF_REQUIRE((port = wsd_free_port()) > 0);
	snprintf(extra, sizeof(extra), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"a.crt\"\n\ttls key \"a.key\"\n", port);
	write_conf(extra, wsd_free_port(), 0);
	start(tc);
	subject = cert_subject(port);
	ATF_CHECK_MSG(strstr(subject, "CN=a.test") != NULL, "%s", subject);
	free(subject);

	snprintf(extra, sizeof(extra), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"b.crt\"\n\ttls key \"b.key\"\n", port);
	write_conf(extra, wsd_free_port(), 0);
	ATF_REQUIRE_EQ(wsctl_reload(tc), 0);
	subject = cert_subject(port);
	ATF_CHECK_MSG(strstr(subject, "CN=b.test") != NULL, "%s", subject);
	free(subject);

	/* Kill both handshake processes: their respawns need the key. */
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], "wsd: handshake") == 0)
			kill(kids[i], SIGKILL);
	ATF_REQUIRE_MSG(wsd_wait_count(&wsd, ") is ready", 2) == 0, "log:\n%s",
	    wsd.log);
	subject = cert_subject(port);
	ATF_CHECK_MSG(strstr(subject, "CN=b.test") != NULL, "%s", subject);
	free(subject);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(tls, tc)
{
	daemon_cleanup();
}

/* Two locations, one served at a time: which one tells the config. */
static void
write_conf_location(const char *loc, int port)
{
	FILE	*f;

	ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
	fprintf(f, "prefork handshake 1\nprefork worker 1\n"
	    "server \"127.0.0.1\" {\n\tlisten on 127.0.0.1 port %d\n"
	    "\tlocation \"%s\" {\n\t}\n}\n", port, loc);
	fclose(f);
}

/* The status of an upgrade of path. */
static int
upgrade_status(int port, const char *path)
{
	char	 resp[1024];
	int	 fd, status;

	ATF_REQUIRE((fd = wsc_connect(port)) != -1);
	status = wsc_upgrade_to(fd, path, NULL, NULL, resp, sizeof(resp));
	close(fd);
	return (status);
}

/*
 * Kill pid and stop its replacement as soon as the parent has forked it,
 * before it can start: polls the parent's list of children, bounded.
 */
static pid_t
respawn_stopped(pid_t pid, pid_t other)
{
	char		 path[64], buf[256], *p, *end;
	FILE		*f;
	size_t		 n;
	long		 kid;
	int		 i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
	    (int)wsd.pid, (int)wsd.pid);
	ATF_REQUIRE(kill(pid, SIGKILL) == 0);
	for (i = 0; i < 1000000; i++) {
		if ((f = fopen(path, "r")) == NULL)
			atf_tc_skip("no %s in this kernel", path);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		for (p = buf; (kid = strtol(p, &end, 10)) > 0; p = end)
			if (kid != pid && kid != other) {
				kill((pid_t)kid, SIGSTOP);
				return ((pid_t)kid);
			}
	}
	atf_tc_fail("no new child after killing %d", (int)pid);
}

/*
 * A handshake process respawned just before a reload, still starting
 * when it comes: it gets the new configuration too, and the reload is
 * done only once it has it.
 */
ATF_TC_WITH_CLEANUP(starting_child);
ATF_TC_HEAD(starting_child, tc)
{
	atf_tc_set_md_var(tc, "descr", "A reload reaches a child that is "
	    "still starting, and waits for it");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(starting_child, tc)
{
	char		 line[128];
	const char	*ready, *want, *gone;
	pid_t		 hs, wk, kid = 0;
	int		 port, attempt;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	write_conf_location("/old", port);
	start(tc);
	ATF_REQUIRE(upgrade_status(port, "/old") == 101);
	ATF_REQUIRE((wk = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	/* The window is short: try again if the child beats us to it. */
	for (attempt = 0; attempt < 5; attempt++) {
		ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
		kid = respawn_stopped(hs, wk);
		snprintf(line, sizeof(line), "respawned handshake[0] as pid %d",
		    (int)kid);
		ATF_REQUIRE_MSG(wsd_wait_log(&wsd, line, WSC_TIMEOUT) == 0,
		    "no \"%s\" in:\n%s", line, wsd.log);
		write_conf_location(attempt % 2 ? "/old" : "/new", port);
		ATF_REQUIRE(kill(wsd.pid, SIGHUP) == 0);
		ATF_REQUIRE(wsd_wait_count(&wsd, "received SIGHUP",
		    attempt + 1) == 0);
		snprintf(line, sizeof(line), "handshake[0] (pid %d) is ready",
		    (int)kid);
		if ((ready = strstr(wsd.log, line)) == NULL ||
		    ready > last_of("received SIGHUP"))
			break;
		/* It was ready before the reload came: try again. */
		ATF_REQUIRE(kill(kid, SIGCONT) == 0);
		ATF_REQUIRE(wsd_wait_count(&wsd, "configuration reloaded",
		    attempt + 1) == 0);
	}
	ATF_REQUIRE_MSG(attempt < 5, "never caught a child starting");
	want = attempt % 2 ? "/old" : "/new";
	gone = attempt % 2 ? "/new" : "/old";
	/* Stopped, it cannot have the new configuration: not done yet. */
	wsd_wait_log(&wsd, "\001", 200);
	ATF_CHECK_MSG(wsd_log_count(&wsd, "configuration reloaded") == attempt,
	    "the reload was done before the new child had it:\n%s", wsd.log);
	ATF_REQUIRE(kill(kid, SIGCONT) == 0);
	ATF_REQUIRE_MSG(wsd_wait_count(&wsd, "configuration reloaded",
	    attempt + 1) == 0, "the reload never ended:\n%s", wsd.log);
	ATF_CHECK_EQ(upgrade_status(port, want), 101);
	ATF_CHECK_EQ(upgrade_status(port, gone), 404);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(starting_child, tc)
{
	daemon_cleanup();
}

/*
 * After a reload from /old to /new that lost a handshake process on
 * the way: its replacement serves /new, and the next reload goes
 * through.
 */
static void
reload_went_on(const atf_tc_t *tc, int port)
{
	ATF_REQUIRE(wsd_wait_count(&wsd, "is ready", 1) == 0);
	ATF_CHECK_EQ(upgrade_status(port, "/new"), 101);
	ATF_CHECK_EQ(upgrade_status(port, "/old"), 404);
	write_conf_location("/old", port);
	ATF_CHECK_EQ_MSG(wsctl_reload(tc), 0, "the next reload failed:\n%s",
	    wsd.log);
	ATF_CHECK_EQ(upgrade_status(port, "/old"), 101);
	daemon_stop_ok(&wsd);
}

/*
 * A handshake process that dies in the middle of a reload: the reload
 * ends without it, its replacement gets the new configuration, and the
 * next reload goes through.
 */
ATF_TC_WITH_CLEANUP(dies_during_reload);
ATF_TC_HEAD(dies_during_reload, tc)
{
	atf_tc_set_md_var(tc, "descr", "A child that dies during a reload "
	    "does not hold up that reload or the next");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(dies_during_reload, tc)
{
	pid_t	 hs;
	int	 port;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	write_conf_location("/old", port);
	start(tc);
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	/* Stopped, it cannot confirm the reload. */
	ATF_REQUIRE(kill(hs, SIGSTOP) == 0);
	write_conf_location("/new", port);
	ATF_REQUIRE(kill(wsd.pid, SIGHUP) == 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "received SIGHUP", WSC_TIMEOUT) == 0);
	ATF_REQUIRE(kill(hs, SIGKILL) == 0);
	ATF_REQUIRE_MSG(wsd_wait_count(&wsd, "configuration reloaded", 1) == 0,
	    "the reload never ended:\n%s", wsd.log);
	reload_went_on(tc, port);
}
ATF_TC_CLEANUP(dies_during_reload, tc)
{
	daemon_cleanup();
}

/*
 * A handshake process that stops answering in the middle of a reload:
 * the reload ends after its deadline without it, the stuck process is
 * killed and its replacement gets the new configuration, the parent
 * lives, and the next reload goes through.
 */
ATF_TC_WITH_CLEANUP(stuck_during_reload);
ATF_TC_HEAD(stuck_during_reload, tc)
{
	atf_tc_set_md_var(tc, "descr", "A child that never confirms a "
	    "reload is killed and respawned; the reload ends without it");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(stuck_during_reload, tc)
{
	char	 line[128];
	pid_t	 hs;
	int	 port;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	write_conf_location("/old", port);
	start(tc);
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	/* Stopped, and never continued by the test. */
	ATF_REQUIRE(kill(hs, SIGSTOP) == 0);
	write_conf_location("/new", port);
	ATF_CHECK_EQ_MSG(wsctl_reload(tc), 0, "the reload did not end:\n%s",
	    wsd.log);
	ATF_CHECK(atf_utils_grep_file("configuration reloaded", "out"));
	snprintf(line, sizeof(line), "handshake[0] (pid %d) did not confirm "
	    "the reload", (int)hs);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, line, WSC_TIMEOUT) == 0,
	    "no \"%s\" in:\n%s", line, wsd.log);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "respawned handshake[0]",
	    WSC_TIMEOUT) == 0, "no respawn in:\n%s", wsd.log);
	ATF_CHECK(pid_gone(hs));
	reload_went_on(tc, port);
}
ATF_TC_CLEANUP(stuck_during_reload, tc)
{
	daemon_cleanup();
}

/* A control connection of our own, as wsctl makes one. */
static int
ctl_connect(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, wsd.sock, sizeof(sun.sun_path));
	ATF_REQUIRE((fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) != -1);
	ATF_REQUIRE(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	return (fd);
}

/* One reload on fd, answered: its status, or -1 without an answer. */
static int
ctl_reload(int fd)
{
	struct {
		struct ipc_hdr	 hdr;
		struct ipc_ctl	 req;
	} out;
	struct {
		struct ipc_hdr		 hdr;
		union {
			struct ipc_ctl_end	 end;
			char			 line[4096];
		} u;
	} in;
	struct pollfd	 pfd;

	memset(&out, 0, sizeof(out));
	out.hdr.type = IPC_CTL_REQ;
	out.hdr.len = sizeof(out.req);
	out.req.cmd = CTL_RELOAD;
	ATF_REQUIRE(send(fd, &out, sizeof(out), 0) == sizeof(out));
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, WSC_TIMEOUT) == 1) {
		if (recv(fd, &in, sizeof(in), 0) < (ssize_t)sizeof(in.hdr))
			return (-1);
		if (in.hdr.type == IPC_CTL_END)
			return (in.u.end.status);
	}
	return (-1);
}

/*
 * A worker that stops reading its channel while the parent has more and
 * more to tell it (a configuration at each reload): once 16 MB wait for
 * it, it is broken. It is killed and respawned; the parent lives and
 * serves on.
 */
ATF_TC_WITH_CLEANUP(stuck_worker_queue);
ATF_TC_HEAD(stuck_worker_queue, tc)
{
	atf_tc_set_md_var(tc, "descr", "A child whose queue fills is "
	    "killed and respawned, never the parent");
	atf_tc_set_md_var(tc, "require.user", "root");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(stuck_worker_queue, tc)
{
	char	 line[128], resp[1024];
	pid_t	 wk, now = 0;
	int	 port, fd, i;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	write_conf_location("/old", port);
	start(tc);
	ATF_REQUIRE((wk = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	ATF_REQUIRE(kill(wk, SIGSTOP) == 0);
	fd = ctl_connect();
	/* About 4,000 configurations of 4 KB fill the queue: bounded. */
	for (i = 0; i < 10000; i++) {
		ATF_REQUIRE_EQ_MSG(ctl_reload(fd), 0, "reload %d failed:\n%s",
		    i, wsd.log);
		/* A line a reload: read them, or the daemon blocks on us. */
		wsd_wait_log(&wsd, "\001", 1);
		if (i % 100 == 99 && (now = wsd_child(&wsd, "wsd: worker", 0)) !=
		    wk && now > 0)
			break;
	}
	close(fd);
	ATF_REQUIRE_MSG(i < 10000, "the stopped worker was never replaced");
	ATF_REQUIRE(wsd_wait_log(&wsd, "respawned worker[0]",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_MSG(strstr(wsd.log, "channel to worker[0] is broken: its "
	    "queue is full") != NULL, "no broken channel in:\n%s", wsd.log);
	snprintf(line, sizeof(line), "lost child: worker[0] (pid %d) killed "
	    "by signal 9", (int)wk);
	ATF_CHECK_MSG(strstr(wsd.log, line) != NULL, "no \"%s\"", line);
	ATF_CHECK(pid_gone(wk));
	ATF_CHECK_EQ_MSG(kill(wsd.pid, 0), 0, "the parent is gone");
	ATF_REQUIRE(wsd_wait_count(&wsd, "is ready", 1) == 0);
	ATF_REQUIRE((fd = wsc_connect(port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade_to(fd, "/old", NULL, NULL, resp,
	    sizeof(resp)), 101);
	echo(fd, "after the flood");
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(stuck_worker_queue, tc)
{
	daemon_cleanup();
}

static void
write_conf_workers(int port, int workers)
{
	FILE	*f;

	ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
	fprintf(f, "prefork handshake 1\nprefork worker %d\n"
	    "server \"127.0.0.1\" {\n\tlisten on 127.0.0.1 port %d\n}\n",
	    workers, port);
	fclose(f);
}

/* The worker started last: the highest pid of the two. */
static pid_t
last_worker(void)
{
	pid_t	 kids[MAXKIDS], last = 0;
	char	 titles[MAXKIDS][64];
	int	 i, n;

	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], "wsd: worker") == 0 && kids[i] > last)
			last = kids[i];
	return (last);
}

/*
 * prefork worker lowered while worker[1] still drains (stopped here, so
 * that it cannot exit), then raised: the new worker[1] takes hand-offs,
 * and the parent counts them, though an older worker[1] is still there.
 */
ATF_TC_WITH_CLEANUP(handoff_after_resize);
ATF_TC_HEAD(handoff_after_resize, tc)
{
	atf_tc_set_md_var(tc, "descr", "Connections handed to a new worker "
	    "stay counted while a retired one of the same number drains");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(handoff_after_resize, tc)
{
	char	 cmd[2048];
	pid_t	 old;
	int	 port, fd[4], i;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	write_conf_workers(port, 2);
	start(tc);
	ATF_REQUIRE((old = last_worker()) > 0);
	ATF_REQUIRE(kill(old, SIGSTOP) == 0);
	write_conf_workers(port, 1);
	ATF_REQUIRE_EQ(wsctl_reload(tc), 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "retiring worker[1]", WSC_TIMEOUT) ==
	    0);
	write_conf_workers(port, 2);
	ATF_REQUIRE_EQ(wsctl_reload(tc), 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "worker[1] (pid", WSC_TIMEOUT) == 0);
	/* Least connections: two of the four go to the new worker[1]. */
	for (i = 0; i < 4; i++)
		fd[i] = client(port);
	/* Served: the hand-offs have reached the parent by now. */
	for (i = 0; i < 4; i++)
		echo(fd[i], "counted");
	snprintf(cmd, sizeof(cmd), "%s -s %s show stats >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	ATF_REQUIRE_EQ(system(cmd), 0);
	ATF_CHECK_MSG(atf_utils_grep_file("^limits: 4 open of", "out"),
	    "the parent lost count of the connections on the new worker");
	ATF_REQUIRE(kill(old, SIGCONT) == 0);
	for (i = 0; i < 4; i++)
		close(fd[i]);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(handoff_after_resize, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, listeners);
	ATF_TP_ADD_TC(tp, refused);
	ATF_TP_ADD_TC(tp, processes);
	ATF_TP_ADD_TC(tp, policy);
	ATF_TP_ADD_TC(tp, tls);
	ATF_TP_ADD_TC(tp, starting_child);
	ATF_TP_ADD_TC(tp, dies_during_reload);
	ATF_TP_ADD_TC(tp, stuck_during_reload);
	ATF_TP_ADD_TC(tp, stuck_worker_queue);
	ATF_TP_ADD_TC(tp, handoff_after_resize);
	return (atf_no_error());
}
