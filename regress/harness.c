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
 * The daemon under test: started as wsd -d with its output on a pipe we
 * read, stopped with a signal. Every wait is bounded.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PIDFILE		"wsd.pid"

long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Wait until fd is readable, at most ms; 1 if it is. */
static int
wait_readable(int fd, int ms)
{
	struct pollfd	 pfd;

	pfd.fd = fd;
	pfd.events = POLLIN;
	return (poll(&pfd, 1, ms) > 0);
}

/* A port the kernel just handed out on 127.0.0.1, now free again. */
static int
kernel_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return (-1);
	}
	port = ntohs(sin.sin_port);
	close(fd);
	return (port);
}

/*
 * A free port, and not one this process was given before: the kernel
 * may well hand out the same port twice in a row, and a test that asks
 * for two listeners must get two.
 */
int
wsd_free_port(void)
{
	static int	 given[64];
	static size_t	 ngiven;
	size_t		 i;
	int		 port, try;

	for (try = 0; try < 100; try++) {
		if ((port = kernel_port()) == -1)
			return (-1);
		for (i = 0; i < ngiven && given[i] != port; i++)
			;
		if (i < ngiven)
			continue;
		if (ngiven < sizeof(given) / sizeof(given[0]))
			given[ngiven++] = port;
		return (port);
	}
	return (-1);
}

/*
 * A configuration in the working directory: the global lines given, and
 * one server on 127.0.0.1 at p->port with the server lines given.
 */
void
wsd_write_conf(struct wsd_proc *p, const char *global, const char *server)
{
	FILE	*f;
	char	 cwd[200];

	snprintf(p->conf, sizeof(p->conf), "wsd.conf");
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	snprintf(p->sock, sizeof(p->sock), "%s/wsd.sock", cwd);
	if ((f = fopen(p->conf, "w")) == NULL)
		return;
	fprintf(f, "%s\nserver \"127.0.0.1\" {\n\talias \"localhost\"\n"
	    "\tlisten on 127.0.0.1 port %d\n%s\n}\n", global ? global : "",
	    p->port, server ? server : "");
	fclose(f);
}

/* Start wsd -d and wait for its "ready" line. Returns 0 when ready. */
int
wsd_start(struct wsd_proc *p, const char *wsd, const char *extra)
{
	int	 pfd[2];
	char	*argv[12];
	int	 argc = 0;

	if (pipe(pfd) == -1)
		return (-1);
	argv[argc++] = (char *)(uintptr_t)wsd;
	argv[argc++] = (char *)(uintptr_t)"-d";
	argv[argc++] = (char *)(uintptr_t)"-f";
	argv[argc++] = p->conf;
	argv[argc++] = (char *)(uintptr_t)"-s";
	argv[argc++] = p->sock;
	if (extra != NULL)
		argv[argc++] = (char *)(uintptr_t)extra;
	argv[argc] = NULL;
	switch (p->pid = fork()) {
	case -1:
		return (-1);
	case 0:
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		if (p->uid != 0 && (setgroups(1, &p->gid) == -1 ||
		    setresgid(p->gid, p->gid, p->gid) == -1 ||
		    setresuid(p->uid, p->uid, p->uid) == -1))
			_exit(126);
		execv(wsd, argv);
		_exit(127);
	}
	close(pfd[1]);
	p->errfd = pfd[0];
	fcntl(p->errfd, F_SETFL, O_NONBLOCK);
	p->loglen = 0;
	p->log[0] = '\0';
	return (wsd_wait_log(p, "ready:", WSC_TIMEOUT));
}

/* How many times needle is in the daemon's output read so far. */
int
wsd_log_count(const struct wsd_proc *p, const char *needle)
{
	const char	*s = p->log;
	int		 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return (n);
}

/* Read the daemon's output until needle is in it n times; 0 if it was. */
int
wsd_wait_count(struct wsd_proc *p, const char *needle, int n)
{
	int	 i;

	for (i = 0; i < 100; i++) {
		if (wsd_log_count(p, needle) >= n)
			return (0);
		wsd_wait_log(p, "\001", 100);
	}
	return (wsd_log_count(p, needle) >= n ? 0 : -1);
}

/* Read the daemon's output until needle shows up; 0 if it did. */
int
wsd_wait_log(struct wsd_proc *p, const char *needle, int ms)
{
	long long	 deadline = now_ms() + ms;
	ssize_t		 n;

	for (;;) {
		if (strstr(p->log, needle) != NULL)
			return (0);
		if (now_ms() >= deadline ||
		    !wait_readable(p->errfd, deadline - now_ms()))
			return (-1);
		n = read(p->errfd, p->log + p->loglen,
		    sizeof(p->log) - 1 - p->loglen);
		if (n == 0)
			return (-1);	/* the daemon is gone */
		if (n > 0) {
			p->loglen += n;
			p->log[p->loglen] = '\0';
		}
	}
}

/*
 * The direct children of the daemon and their titles, from /proc.
 * Returns how many were found.
 */
int
wsd_children(struct wsd_proc *p, pid_t *pids, char (*titles)[64], int max)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[300], buf[512], *s;
	FILE		*f;
	size_t		 n;
	int		 found = 0, ppid;

	if ((d = opendir("/proc")) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL && found < max) {
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* "pid (comm) state ppid": comm may hold spaces. */
		if ((s = strrchr(buf, ')')) == NULL ||
		    sscanf(s + 1, " %*c %d", &ppid) != 1 || ppid != p->pid)
			continue;
		pids[found] = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		titles[found][0] = '\0';
		if ((f = fopen(path, "r")) != NULL) {
			n = fread(titles[found], 1, 63, f);
			titles[found][n] = '\0';
			fclose(f);
		}
		found++;
	}
	closedir(d);
	return (found);
}

/* The nth child (from 0, in the order /proc lists them) titled title. */
pid_t
wsd_child(struct wsd_proc *p, const char *title, int nth)
{
	pid_t	 kids[64];
	char	 titles[64][64];
	int	 i, n;

	n = wsd_children(p, kids, titles, 64);
	for (i = 0; i < n; i++)
		if (strcmp(titles[i], title) == 0 && nth-- == 0)
			return (kids[i]);
	return (0);
}

int
pid_gone(pid_t pid)
{
	char	 path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return (access(path, F_OK) == -1);
}

/* Read what the daemon wrote until it closes its output, or ms pass. */
static void
wsd_drain(struct wsd_proc *p, int ms)
{
	long long	 deadline = now_ms() + ms;
	ssize_t		 n;

	while (p->loglen + 1 < sizeof(p->log) && now_ms() < deadline &&
	    wait_readable(p->errfd, deadline - now_ms())) {
		n = read(p->errfd, p->log + p->loglen,
		    sizeof(p->log) - 1 - p->loglen);
		if (n <= 0)
			break;
		p->loglen += n;
		p->log[p->loglen] = '\0';
	}
}

/*
 * Send sig and wait for the daemon to exit, reading its output. Returns
 * its wait status, or -1 if it did not exit in time (it is then killed).
 */
int
wsd_stop(struct wsd_proc *p, int sig)
{
	long long	 deadline = now_ms() + WSC_TIMEOUT;
	int		 status;
	pid_t		 r;

	if (p->pid <= 0)
		return (-1);
	kill(p->pid, sig);
	while ((r = waitpid(p->pid, &status, WNOHANG)) == 0) {
		if (now_ms() >= deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			p->pid = -1;
			return (-1);
		}
		/* Its output is our pacing: no blind sleep. */
		wsd_drain(p, 50);
	}
	/* Its children may still hold the pipe: a bounded last read. */
	wsd_drain(p, 1000);
	p->pid = -1;
	return (r == -1 ? -1 : status);
}

/*
 * For a test case, the daemon is the one built beside the test programs.
 * Its pid goes to a file in the work directory, so that the test's
 * cleanup routine, which runs in another process, can kill it should the
 * test die half way.
 */

/* rel, beside the test programs; two results may be in use at once. */
const char *
srcpath(const atf_tc_t *tc, const char *rel)
{
	static char	 path[2][1024];
	static int	 i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s",
	    atf_tc_get_config_var(tc, "srcdir"), rel);
	return (path[i]);
}

/* Start wsd -d with p's configuration; wsd_start's result. */
int
daemon_try_start(const atf_tc_t *tc, struct wsd_proc *p, const char *extra)
{
	return (daemon_try_start_binary(p, srcpath(tc, "../wsd"), extra));
}

/* The same with the binary at wsd; daemon_cleanup() kills it too. */
int
daemon_try_start_binary(struct wsd_proc *p, const char *wsd,
    const char *extra)
{
	FILE	*f;
	int	 rv;

	rv = wsd_start(p, wsd, extra);
	if ((f = fopen(PIDFILE, "w")) != NULL) {
		fprintf(f, "%d\n", (int)p->pid);
		fclose(f);
	}
	return (rv);
}

/* The same, and the test fails if the daemon does not get ready. */
void
daemon_start(const atf_tc_t *tc, struct wsd_proc *p, const char *extra)
{
	if (daemon_try_start(tc, p, extra) != 0)
		atf_tc_fail("wsd did not get ready; its output:\n%s", p->log);
}

/* SIGTERM, and the daemon must exit 0. */
void
daemon_stop_ok(struct wsd_proc *p)
{
	int	 status;

	status = wsd_stop(p, SIGTERM);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "wsd did not exit cleanly (status %d); output:\n%s", status,
	    p->log);
}

void
daemon_cleanup(void)
{
	FILE	*f;
	int	 pid;

	if ((f = fopen(PIDFILE, "r")) == NULL)
		return;
	if (fscanf(f, "%d", &pid) == 1 && pid > 1)
		kill(pid, SIGKILL);
	fclose(f);
}

/* The certificates of mkcerts.sh, in the work directory. */
void
make_certs(const atf_tc_t *tc)
{
	char	 cmd[1200];

	snprintf(cmd, sizeof(cmd), "sh %s >/dev/null 2>&1",
	    srcpath(tc, "mkcerts.sh"));
	ATF_REQUIRE_EQ_MSG(system(cmd), 0, "mkcerts.sh failed");
}

/* wsctl with args against p; its exit status, its output in the file out. */
int
wsctl_run(const atf_tc_t *tc, const struct wsd_proc *p, const char *args)
{
	char	 cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s -s %s %s >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), p->sock, args);
	return (WEXITSTATUS(system(cmd)));
}

/* User and system CPU time of a process so far, in ms; -1 if it is gone. */
long
proc_cpu_ms(pid_t pid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 utime, stime;
	long		 hz = sysconf(_SC_CLK_TCK);
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, after the command in parentheses. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
	    &stime) != 2 || hz <= 0)
		return (-1);
	return ((long)((utime + stime) * 1000 / hz));
}

/* Resident memory of a process, in kB; -1 if it is gone. */
long
proc_rss_kb(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return (kb);
}
