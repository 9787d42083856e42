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
 * The scale-out deployment of wsd(8), "Behind a load balancer": a real
 * HAProxy (Debian's) in TCP mode with send-proxy-v2, in front of two
 * wsd daemons on 127.0.0.11 and 127.0.0.12, health-checked through
 * their health path; the configurations are etc/scaleout/'s, with the
 * test's ports. Clients bound to 127.0.0.2 and 127.0.0.3 are logged
 * and limited as themselves; a stopped wsd gets no new connections;
 * wss:// goes through untouched to wsd's TLS.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
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

#define HAPROXY		"/usr/sbin/haproxy"

static struct wsd_proc	 a, b;
static pid_t		 hapid = -1;
static int		 fws, fwss;	/* HAProxy's frontends */
static int		 tport;		/* the wsd's tls listeners */

/*
 * etc/scaleout/name into out, the example's ports replaced by the test's
 * and the sed expressions of more applied.
 */
static void
config_from(const atf_tc_t *tc, const char *name, const char *more,
    const char *out)
{
	char	 cmd[2048];

	snprintf(cmd, sizeof(cmd), "sed -e 's/:8080$/:%d/' -e 's/:8443$/:%d/' "
	    "-e 's/9080/%d/g' -e 's/9443/%d/g' %s %s/%s >%s", fws, fwss,
	    a.port, tport, more != NULL ? more : "",
	    srcpath(tc, "../etc/scaleout"), name, out);
	ATF_REQUIRE_EQ_MSG(system(cmd), 0, "%s", cmd);
}

/* One wsd of the example, on 127.0.0.<host>, with a limit of 2. */
static void
start_wsd(const atf_tc_t *tc, struct wsd_proc *p, const char *name,
    int host)
{
	char	 cwd[200], more[256];

	ATF_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(p->conf, sizeof(p->conf), "%s.conf", name);
	snprintf(p->sock, sizeof(p->sock), "%s/%s.sock", cwd, name);
	snprintf(more, sizeof(more), "-e 's/127.0.0.11/127.0.0.%d/' "
	    "-e 's,/etc/ssl/wsd.crt,server.crt,' "
	    "-e 's,/etc/ssl/private/wsd.key,server.key,' "
	    "-e 's/per address 64/per address 2/'", host);
	config_from(tc, "wsd.conf", more, p->conf);
	if (daemon_try_start_binary(p, srcpath(tc, "../wsd"), NULL) != 0)
		atf_tc_fail("wsd %s did not get ready:\n%s", name, p->log);
}

/* HAProxy's servers state: how many are up, by its stats socket. */
static int
servers_up(const char *backend)
{
	struct sockaddr_un	 sun;
	char			 buf[16384], *line, *save;
	ssize_t			 n;
	size_t			 len = 0;
	int			 fd, up = 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, "haproxy.sock", sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, "show stat\n", 10) != 10) {
		close(fd);
		return (-1);
	}
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	/* pxname,svname,...,status (the 18th field) */
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char	*f[20], *p = line;
		int	 i;

		for (i = 0; i < 20 && p != NULL; i++)
			f[i] = strsep(&p, ",");
		/* "UP 1/2" is going down, but still takes connections. */
		if (i >= 18 && strcmp(f[0], backend) == 0 &&
		    strcmp(f[1], "BACKEND") != 0 &&
		    strncmp(f[17], "UP", 2) == 0)
			up++;
	}
	return (up);
}

static int
wait_up(const char *backend, int want)
{
	int	 i;

	for (i = 0; i < 150; i++) {
		if (servers_up(backend) == want)
			return (0);
		usleep(100000);
	}
	return (-1);
}

static void
start_haproxy(const atf_tc_t *tc)
{
	FILE	*f;
	char	*argv[] = { HAPROXY, "-db", "-f", "h.cfg", NULL };

	config_from(tc, "haproxy.cfg", NULL, "h.cfg");
	ATF_REQUIRE((f = fopen("h.cfg", "a")) != NULL);
	/* For the test only: a stats socket, to see the health checks. */
	fprintf(f, "\nglobal\n\tstats socket unix@haproxy.sock mode 600\n");
	fclose(f);
	ATF_REQUIRE(system(HAPROXY " -c -q -f h.cfg") == 0);
	switch (hapid = fork()) {
	case -1:
		atf_tc_fail("fork");
	case 0:
		execv(HAPROXY, argv);
		_exit(127);
	}
	ATF_REQUIRE((f = fopen("haproxy.pid", "w")) != NULL);
	fprintf(f, "%d\n", (int)hapid);
	fclose(f);
}

/* A client bound to addr: its upgrade's status through HAProxy. */
static int
client(const char *addr, int port, const char *host, int *keep)
{
	struct sockaddr_in	 sin;
	char			 req[1024], resp[1024];
	size_t			 n;
	int			 fd, status;

	ATF_REQUIRE((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ATF_REQUIRE(inet_pton(AF_INET, addr, &sin.sin_addr) == 1);
	ATF_REQUIRE(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	ATF_REQUIRE(inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr) == 1);
	sin.sin_port = htons(port);
	ATF_REQUIRE(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	ATF_REQUIRE((n = wsc_request(req, sizeof(req), fd, "/", host,
	    NULL)) > 0);
	ATF_REQUIRE(wsc_write_all(fd, req, n) == 0);
	status = wsc_read_response(fd, resp, sizeof(resp));
	if (status == 101 && keep != NULL)
		*keep = fd;
	else
		close(fd);
	return (status);
}

static void
cleanup(void)
{
	FILE	*f;
	int	 pid;
	const char *const files[] = { "haproxy.pid", "b.pid" };
	size_t	 i;

	for (i = 0; i < 2; i++) {
		if ((f = fopen(files[i], "r")) == NULL)
			continue;
		if (fscanf(f, "%d", &pid) == 1 && pid > 1)
			kill(pid, SIGKILL);
		fclose(f);
	}
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(scaleout);
ATF_TC_HEAD(scaleout, tc)
{
	atf_tc_set_md_var(tc, "descr", "HAProxy with send-proxy-v2 before "
	    "two wsd: clients logged and limited by their own addresses, "
	    "a stopped wsd avoided, wss:// through to wsd's TLS");
	atf_tc_set_md_var(tc, "require.progs", HAPROXY);
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(scaleout, tc)
{
	/* An address as the name: libtls sends no SNI, and checks the IP. */
	struct wsc_tls_opts	 o = { .ca = "ca.crt", .servername =
	    "127.0.0.1" };
	struct wsc_tls		 t;
	char			 host[64], resp[1024], addr[32];
	int			 keep[4], st[6], i, n, ok, fd;
	FILE			*f;

	make_certs(tc);
	/* Both wsd use the same two ports, on two addresses. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ATF_REQUIRE((a.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	b.port = a.port;
	ATF_REQUIRE((fws = wsd_free_port()) > 0);
	ATF_REQUIRE((fwss = wsd_free_port()) > 0);
	start_wsd(tc, &b, "b", 12);
	ATF_REQUIRE((f = fopen("b.pid", "w")) != NULL);
	fprintf(f, "%d\n", (int)b.pid);
	fclose(f);
	start_wsd(tc, &a, "a", 11);
	start_haproxy(tc);
	ATF_REQUIRE_MSG(wait_up("wsd_ws", 2) == 0 && wait_up("wsd_wss", 2) ==
	    0, "HAProxy's health checks did not pass:\na:\n%s\nb:\n%s",
	    a.log, b.log);

	/* Each client address is itself, limited to 2 where it lands. */
	snprintf(host, sizeof(host), "127.0.0.1:%d", fws);
	for (i = 0; i < 2; i++)
		ATF_CHECK_EQ(client("127.0.0.2", fws, host, &keep[i]), 101);
	ATF_CHECK_EQ(client("127.0.0.2", fws, host, NULL), 429);
	for (i = 2; i < 4; i++)
		ATF_CHECK_EQ(client("127.0.0.3", fws, host, &keep[i]), 101);
	wsd_wait_log(&a, "\001", 300);
	wsd_wait_log(&b, "\001", 300);
	ATF_CHECK_MSG(strstr(a.log, "from 127.0.0.2:") != NULL ||
	    strstr(b.log, "from 127.0.0.2:") != NULL, "no 127.0.0.2:\n%s\n%s",
	    a.log, b.log);
	ATF_CHECK(strstr(a.log, "from 127.0.0.3:") != NULL ||
	    strstr(b.log, "from 127.0.0.3:") != NULL);
	ATF_CHECK(strstr(a.log, "127.0.0.2:") == NULL ||
	    strstr(b.log, "127.0.0.2:") == NULL);
	ATF_CHECK(strstr(a.log, "refused: 429") != NULL ||
	    strstr(b.log, "refused: 429") != NULL);
	for (i = 0; i < 4; i++)
		close(keep[i]);

	/* wss:// through HAProxy, verified against the test CA. */
	ATF_REQUIRE_MSG(wsct_connect(&t, fwss, &o) == 0, "connect: %s",
	    wsct_error(&t));
	snprintf(host, sizeof(host), "127.0.0.1:%d", fwss);
	ATF_CHECK_EQ(wsct_upgrade_host(&t, host, NULL, resp, sizeof(resp)),
	    101);
	wsct_close(&t);

	/* a stops: once HAProxy sees it, every new connection goes to b. */
	daemon_stop_ok(&a);
	ATF_REQUIRE(wait_up("wsd_ws", 1) == 0);
	n = wsd_log_count(&b, "accepted");
	snprintf(host, sizeof(host), "127.0.0.1:%d", fws);
	for (i = ok = 0; i < 6; i++) {
		/* Addresses of their own: no limit in the way. */
		snprintf(addr, sizeof(addr), "127.0.0.%d", 20 + i);
		fd = -1;
		if ((st[i] = client(addr, fws, host, &fd)) == 101)
			ok++;
		if (fd != -1)
			close(fd);
	}
	wsd_wait_log(&b, "\001", 500);
	ATF_CHECK_EQ_MSG(ok, 6, "%d of 6 through b (%d %d %d %d %d %d):\n%s",
	    ok, st[0], st[1], st[2], st[3], st[4], st[5], b.log);
	ATF_CHECK(wsd_wait_count(&b, "accepted", n + 6) == 0);
	daemon_stop_ok(&b);
	kill(hapid, SIGTERM);
	waitpid(hapid, NULL, 0);
}
ATF_TC_CLEANUP(scaleout, tc)
{
	cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, scaleout);
	return (atf_no_error());
}
