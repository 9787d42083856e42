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
 * The service manager's readiness protocol (parent/notify.c), spoken to
 * a datagram socket the test binds in place of systemd's: the real wsd
 * -d, with NOTIFY_SOCKET naming it, must say READY=1 only once every
 * child is up, RELOADING=1 and READY=1 around a reload, good or bad,
 * STOPPING=1 at SIGTERM, and keep NOTIFY_SOCKET from its children.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define NOTE_MAX	1024
#define MAXKIDS		16
/* Two of each, so that "every child" is more than the first one. */
#define PREFORK		"prefork handshake 2\nprefork worker 2\n"

static struct wsd_proc	 wsd;

/* A datagram socket at name (a path, or '@' and an abstract name). */
static int
notify_bind(const char *name)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ATF_REQUIRE(strlen(name) < sizeof(sun.sun_path));
	strlcpy(sun.sun_path, name, sizeof(sun.sun_path));
	len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	else
		unlink(name);
	ATF_REQUIRE((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) !=
	    -1);
	ATF_REQUIRE_MSG(bind(fd, (struct sockaddr *)&sun, len) == 0,
	    "bind %s", name);
	return (fd);
}

/* The socket at ./notify.sock, named in the environment wsd inherits. */
static int
notify_here(void)
{
	char	 cwd[200], path[256];

	ATF_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(path, sizeof(path), "%s/notify.sock", cwd);
	ATF_REQUIRE(setenv("NOTIFY_SOCKET", path, 1) == 0);
	return (notify_bind(path));
}

/* The next datagram within ms, NUL-terminated in buf; -1 if none came. */
static int
notify_recv(int fd, char *buf, size_t size, int ms)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
		return (-1);
	if ((n = recv(fd, buf, size - 1, MSG_DONTWAIT)) < 0)
		return (-1);
	buf[n] = '\0';
	return (0);
}

/* A datagram on one line, for a failure message: '|' for each newline. */
static const char *
flat(const char *s)
{
	static char	 line[2][NOTE_MAX];
	static int	 i;
	size_t		 n;

	i = !i;
	strlcpy(line[i], s, sizeof(line[i]));
	for (n = 0; line[i][n] != '\0'; n++)
		if (line[i][n] == '\n')
			line[i][n] = '|';
	return (line[i]);
}

/* The next datagram must come, and begin with what. */
static void
notify_expect(int fd, const char *what, char *buf, size_t size)
{
	if (notify_recv(fd, buf, size, WSC_TIMEOUT) == -1) {
		fprintf(stderr, "wsd's output:\n%s", wsd.log);
		atf_tc_fail("no datagram, waiting for %s", flat(what));
	}
	ATF_REQUIRE_MSG(strncmp(buf, what, strlen(what)) == 0,
	    "got \"%s\", not %s", flat(buf), flat(what));
}

/* Nothing more in the next ms. */
static void
notify_none(int fd, int ms)
{
	char	 buf[NOTE_MAX];

	ATF_CHECK_MSG(notify_recv(fd, buf, sizeof(buf), ms) == -1,
	    "unexpected datagram \"%s\"", flat(buf));
}

/* Start wsd with two processes of each role, and the extra lines. */
static void
start(const atf_tc_t *tc, const char *extra)
{
	char	 global[512];

	memset(&wsd, 0, sizeof(wsd));
	wsd.port = wsd_free_port();
	snprintf(global, sizeof(global), "%s%s", PREFORK,
	    extra != NULL ? extra : "");
	wsd_write_conf(&wsd, global, NULL);
	daemon_start(tc, &wsd, NULL);
}

/* An echo over a new connection: the daemon serves. */
static void
serves(void)
{
	char	 resp[1024];
	uint8_t	*back;
	size_t	 len;
	int	 fd, op;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ_MSG(wsc_upgrade(fd, NULL, resp, sizeof(resp)), 101,
	    "%s", resp);
	ATF_REQUIRE(wsc_exchange(fd, 0x1, "hi", 2, &back, &len, &op) == 0);
	ATF_CHECK(len == 2 && memcmp(back, "hi", 2) == 0);
	free(back);
	close(fd);
}

/*
 * Whether needle is anywhere in the readable memory of pid; -1 if its
 * memory cannot be read. /proc/pid/environ cannot tell: setproctitle(3)
 * zeroes the original environment block to make room for the title, and
 * keeps the strings in copies on the heap, which this finds.
 */
static int
mem_has(pid_t pid, const char *needle)
{
	char		 path[64], line[512], perms[8], *buf;
	unsigned long	 lo, hi;
	size_t		 len = strlen(needle), size;
	ssize_t		 n;
	FILE		*maps;
	int		 mem, found = 0, readable = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((maps = fopen(path, "r")) == NULL)
		return (-1);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((mem = open(path, O_RDONLY)) == -1) {
		fclose(maps);
		return (-1);
	}
	while (!found && fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || strstr(line, "[v") != NULL)
			continue;	/* [vvar], [vsyscall]: not ours */
		size = hi - lo;
		if ((buf = malloc(size)) == NULL)
			continue;
		if ((n = pread(mem, buf, size, lo)) > 0) {
			readable = 1;
			found = memmem(buf, n, needle, len) != NULL;
		}
		free(buf);
	}
	close(mem);
	fclose(maps);
	return (readable ? found : -1);
}

/*
 * setpriv's --bounding-set for the unit's CapabilityBoundingSet:
 * "-all,+net_bind_service,...".
 */
static void
unit_bounding_set(const atf_tc_t *tc, char *set, size_t size)
{
	char	 line[512], *cap, *p;
	FILE	*f;

	ATF_REQUIRE((f = fopen(srcpath(tc, "../etc/wsd.service"), "r")) !=
	    NULL);
	strlcpy(set, "-all", size);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "CapabilityBoundingSet=", 22) != 0)
			continue;
		for (p = line + 22; (cap = strsep(&p, " \n")) != NULL;) {
			if (strncmp(cap, "CAP_", 4) != 0)
				continue;
			strlcat(set, ",+", size);
			for (cap += 4; *cap != '\0'; cap++) {
				line[0] = tolower((unsigned char)*cap);
				line[1] = '\0';
				strlcat(set, line, size);
			}
		}
		break;
	}
	fclose(f);
	ATF_REQUIRE_MSG(strchr(set, '+') != NULL, "no CapabilityBoundingSet");
}

/*
 * ./unit.sh: wsd as wsd.service runs it, near enough without systemd:
 * in a mount namespace where / is read-only (ProtectSystem=strict) but
 * for this directory, when rw, (ReadWritePaths= of the control
 * socket's), and within the unit's bounding set. Each step execs the
 * next, so the daemon keeps the pid the test started.
 */
static void
write_unit_sh(const atf_tc_t *tc, int rw)
{
	char	 set[512];
	FILE	*f;

	if (system("unshare --mount --propagation private true "
	    ">/dev/null 2>&1") != 0)
		atf_tc_skip("unshare --mount does not work here");
	unit_bounding_set(tc, set, sizeof(set));
	ATF_REQUIRE((f = fopen("unit.sh", "w")) != NULL);
	fprintf(f, "#!/bin/sh\n"
	    "exec unshare --mount --propagation private /bin/sh -c '\n"
	    "%s"
	    "mount --bind / / && mount -o remount,bind,ro / || exit 125\n"
	    "exec setpriv --bounding-set \"$0\" \"$@\"' '%s' '%s' \"$@\"\n",
	    rw ? "mount --bind \"$PWD\" \"$PWD\" || exit 125\n" : "",
	    set, srcpath(tc, "../wsd"));
	fclose(f);
	ATF_REQUIRE(chmod("unit.sh", 0755) == 0);
}

ATF_TC_WITH_CLEANUP(ready);
ATF_TC_HEAD(ready, tc)
{
	atf_tc_set_md_var(tc, "descr", "READY=1 is the first datagram, sent "
	    "once every child is up, and only once");
}
ATF_TC_BODY(ready, tc)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64], buf[NOTE_MAX];
	int	 fd, i, n, hs = 0, wk = 0;

	fd = notify_here();
	start(tc, NULL);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	ATF_CHECK_MSG(strstr(buf, "\nSTATUS=") != NULL, "no STATUS in %s",
	    flat(buf));
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++) {
		hs += strcmp(titles[i], "wsd: handshake") == 0;
		wk += strcmp(titles[i], "wsd: worker") == 0;
	}
	ATF_CHECK_MSG(hs == 2 && wk == 2, "%d handshake and %d worker "
	    "processes at READY=1", hs, wk);
	serves();
	/* A child that dies and comes back is no new readiness. */
	ATF_REQUIRE((kids[0] = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	kill(kids[0], SIGKILL);
	ATF_REQUIRE(wsd_wait_log(&wsd, "respawned worker", WSC_TIMEOUT) == 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "is ready", WSC_TIMEOUT) == 0);
	notify_none(fd, 300);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(ready, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(not_ready);
ATF_TC_HEAD(not_ready, tc)
{
	atf_tc_set_md_var(tc, "descr", "No READY=1 while a role cannot "
	    "start, though the others are up; STOPPING=1 when wsd gives up");
}
ATF_TC_BODY(not_ready, tc)
{
	char	 buf[NOTE_MAX];
	int	 fd, status;

	fd = notify_here();
	/* Every worker dies of its filter before it says it is ready. */
	ATF_REQUIRE(setenv("WSD_SANDBOX_PROBE", "worker:open", 1) == 0);
	memset(&wsd, 0, sizeof(wsd));
	wsd.port = wsd_free_port();
	wsd_write_conf(&wsd, PREFORK, NULL);
	ATF_CHECK_MSG(daemon_try_start(tc, &wsd, NULL) != 0, "wsd got "
	    "ready:\n%s", wsd.log);
	status = wsd_stop(&wsd, 0);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "wsd status %d, not exit 1:\n%s", status, wsd.log);
	ATF_REQUIRE_MSG(strstr(wsd.log, "die in a loop") != NULL, "%s",
	    wsd.log);
	notify_expect(fd, "STOPPING=1\n", buf, sizeof(buf));
	notify_none(fd, 200);
}
ATF_TC_CLEANUP(not_ready, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(reload);
ATF_TC_HEAD(reload, tc)
{
	atf_tc_set_md_var(tc, "descr", "SIGHUP: RELOADING=1 with "
	    "MONOTONIC_USEC, then READY=1 once the reload is done");
}
ATF_TC_BODY(reload, tc)
{
	char	 buf[NOTE_MAX];
	int	 fd;

	fd = notify_here();
	start(tc, NULL);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	/* One more worker: the reload waits for it. */
	wsd_write_conf(&wsd, "prefork handshake 2\nprefork worker 3\n", NULL);
	kill(wsd.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1\n", buf, sizeof(buf));
	ATF_CHECK_MSG(strstr(buf, "\nMONOTONIC_USEC=") != NULL,
	    "no MONOTONIC_USEC in %s", flat(buf));
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	ATF_CHECK_MSG(strstr(buf, "STATUS=configuration reloaded") != NULL,
	    "%s", flat(buf));
	ATF_CHECK(wsd_wait_log(&wsd, "configuration reloaded", 1000) == 0);
	serves();
	notify_none(fd, 200);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(reload, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(reload_failed);
ATF_TC_HEAD(reload_failed, tc)
{
	atf_tc_set_md_var(tc, "descr", "A reload that fails still ends "
	    "with READY=1, and STATUS says the old configuration stays");
}
ATF_TC_BODY(reload_failed, tc)
{
	char	 buf[NOTE_MAX];
	int	 fd;

	fd = notify_here();
	start(tc, NULL);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	/* A file that does not load, then one the daemon cannot take. */
	wsd_write_conf(&wsd, PREFORK "bogus line\n", NULL);
	kill(wsd.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1\n", buf, sizeof(buf));
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	ATF_CHECK_MSG(strstr(buf, "STATUS=reload failed; the configuration "
	    "in force stays") != NULL, "%s", flat(buf));
	wsd_write_conf(&wsd, PREFORK "chroot \"/\"\n", NULL);
	kill(wsd.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1\n", buf, sizeof(buf));
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	ATF_CHECK_MSG(strstr(buf, "STATUS=reload failed") != NULL, "%s",
	    flat(buf));
	ATF_CHECK(wsd_wait_count(&wsd, "reload failed", 2) == 0);
	serves();
	notify_none(fd, 200);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(reload_failed, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(stopping);
ATF_TC_HEAD(stopping, tc)
{
	atf_tc_set_md_var(tc, "descr", "SIGTERM: STOPPING=1 and nothing "
	    "after it, not even for a reload asked during the shutdown");
}
ATF_TC_BODY(stopping, tc)
{
	char	 buf[NOTE_MAX];
	int	 fd, status;

	fd = notify_here();
	start(tc, NULL);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	kill(wsd.pid, SIGTERM);
	notify_expect(fd, "STOPPING=1\n", buf, sizeof(buf));
	kill(wsd.pid, SIGHUP);
	status = wsd_stop(&wsd, SIGTERM);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %d:\n%s", status, wsd.log);
	notify_none(fd, 200);
}
ATF_TC_CLEANUP(stopping, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(abstract);
ATF_TC_HEAD(abstract, tc)
{
	atf_tc_set_md_var(tc, "descr", "NOTIFY_SOCKET=@name: an abstract "
	    "socket gets the same datagrams");
}
ATF_TC_BODY(abstract, tc)
{
	char	 name[64], buf[NOTE_MAX];
	int	 fd;

	snprintf(name, sizeof(name), "@wsd-t_notify-%d", (int)getpid());
	fd = notify_bind(name);
	ATF_REQUIRE(setenv("NOTIFY_SOCKET", name, 1) == 0);
	start(tc, NULL);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	kill(wsd.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1\n", buf, sizeof(buf));
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	daemon_stop_ok(&wsd);
	notify_expect(fd, "STOPPING=1\n", buf, sizeof(buf));
}
ATF_TC_CLEANUP(abstract, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(nowhere);
ATF_TC_HEAD(nowhere, tc)
{
	atf_tc_set_md_var(tc, "descr", "A NOTIFY_SOCKET that points nowhere, "
	    "or cannot be a socket's name, is one warning; wsd serves, "
	    "reloads and stops as without it");
}
ATF_TC_BODY(nowhere, tc)
{
	char	 cwd[200], name[300], longname[200];
	const char *names[4];
	int	 i, status;

	ATF_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(name, sizeof(name), "%s/missing/notify.sock", cwd);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	names[0] = name;
	names[1] = longname;
	names[2] = "notify.sock";	/* relative */
	names[3] = "@";
	for (i = 0; i < 4; i++) {
		ATF_REQUIRE(setenv("NOTIFY_SOCKET", names[i], 1) == 0);
		start(tc, NULL);
		serves();
		kill(wsd.pid, SIGHUP);
		ATF_CHECK_MSG(wsd_wait_log(&wsd, "configuration reloaded",
		    WSC_TIMEOUT) == 0, "%s: no reload:\n%s", names[i],
		    wsd.log);
		serves();
		status = wsd_stop(&wsd, SIGTERM);
		ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s: status %d:\n%s", names[i], status, wsd.log);
		/* Four datagrams were due: one line says it, once. */
		ATF_CHECK_MSG(wsd_log_count(&wsd, "NOTIFY_SOCKET=") == 1,
		    "%s: not one warning:\n%s", names[i], wsd.log);
	}
}
ATF_TC_CLEANUP(nowhere, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(environment);
ATF_TC_HEAD(environment, tc)
{
	atf_tc_set_md_var(tc, "descr", "The children, respawned ones too, "
	    "are started without NOTIFY_SOCKET in their environment");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(environment, tc)
{
	pid_t	 kids[MAXKIDS], old;
	char	 titles[MAXKIDS][64], buf[NOTE_MAX], cwd[200], leak[300];
	int	 fd, i, n;

	fd = notify_here();
	snprintf(leak, sizeof(leak), "NOTIFY_SOCKET=%s",
	    getenv("NOTIFY_SOCKET"));
	/* What the children must inherit, so the scan is seen to work. */
	ATF_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	ATF_REQUIRE(setenv("WSD_T_NOTIFY_KEPT", cwd, 1) == 0);
	start(tc, NULL);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	ATF_REQUIRE((old = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	kill(old, SIGKILL);
	ATF_REQUIRE(wsd_wait_log(&wsd, "respawned handshake", WSC_TIMEOUT) ==
	    0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "is ready", WSC_TIMEOUT) == 0);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	ATF_REQUIRE_MSG(n == 4, "%d children", n);
	snprintf(buf, sizeof(buf), "WSD_T_NOTIFY_KEPT=%s", cwd);
	for (i = 0; i < n; i++) {
		ATF_CHECK_MSG(mem_has(kids[i], buf) == 1, "%s (pid %d): "
		    "its environment cannot be found", titles[i],
		    (int)kids[i]);
		ATF_CHECK_MSG(mem_has(kids[i], leak) == 0, "%s (pid %d) "
		    "was started with %s", titles[i], (int)kids[i], leak);
	}
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(environment, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(unit_sandbox);
ATF_TC_HEAD(unit_sandbox, tc)
{
	atf_tc_set_md_var(tc, "descr", "Under the unit's capability bounding "
	    "set, with / read-only but for the control socket's directory, "
	    "wsd gets ready, serves, reloads and stops as it should");
	atf_tc_set_md_var(tc, "require.user", "root");
	atf_tc_set_md_var(tc, "require.progs", "unshare setpriv");
}
ATF_TC_BODY(unit_sandbox, tc)
{
	char	 buf[NOTE_MAX];
	int	 fd;

	write_unit_sh(tc, 1);
	fd = notify_here();
	memset(&wsd, 0, sizeof(wsd));
	wsd.port = wsd_free_port();
	wsd_write_conf(&wsd, PREFORK, NULL);
	if (daemon_try_start_binary(&wsd, "./unit.sh", NULL) != 0)
		atf_tc_fail("wsd did not get ready; its output:\n%s", wsd.log);
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	serves();
	kill(wsd.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1\n", buf, sizeof(buf));
	notify_expect(fd, "READY=1\n", buf, sizeof(buf));
	ATF_CHECK_MSG(strstr(buf, "STATUS=configuration reloaded") != NULL,
	    "%s", flat(buf));
	serves();
	daemon_stop_ok(&wsd);
	notify_expect(fd, "STOPPING=1\n", buf, sizeof(buf));
	/* It removed its socket, in the one directory it may write. */
	ATF_CHECK_MSG(access(wsd.sock, F_OK) == -1, "%s is still there",
	    wsd.sock);
}
ATF_TC_CLEANUP(unit_sandbox, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(unit_socket_dir);
ATF_TC_HEAD(unit_socket_dir, tc)
{
	atf_tc_set_md_var(tc, "descr", "With the control socket's directory "
	    "read-only too, wsd cannot start and says why: hence "
	    "ReadWritePaths=/run in the unit");
	atf_tc_set_md_var(tc, "require.user", "root");
	atf_tc_set_md_var(tc, "require.progs", "unshare setpriv");
}
ATF_TC_BODY(unit_socket_dir, tc)
{
	int	 status;

	write_unit_sh(tc, 0);
	memset(&wsd, 0, sizeof(wsd));
	wsd.port = wsd_free_port();
	wsd_write_conf(&wsd, PREFORK, NULL);
	ATF_CHECK(daemon_try_start_binary(&wsd, "./unit.sh", NULL) != 0);
	status = wsd_stop(&wsd, 0);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status %d:\n%s", status, wsd.log);
	ATF_CHECK_MSG(strstr(wsd.log, "Read-only file system") != NULL,
	    "%s", wsd.log);
}
ATF_TC_CLEANUP(unit_socket_dir, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, ready);
	ATF_TP_ADD_TC(tp, not_ready);
	ATF_TP_ADD_TC(tp, reload);
	ATF_TP_ADD_TC(tp, reload_failed);
	ATF_TP_ADD_TC(tp, stopping);
	ATF_TP_ADD_TC(tp, abstract);
	ATF_TP_ADD_TC(tp, nowhere);
	ATF_TP_ADD_TC(tp, environment);
	ATF_TP_ADD_TC(tp, unit_sandbox);
	ATF_TP_ADD_TC(tp, unit_socket_dir);
	return (atf_no_error());
}
