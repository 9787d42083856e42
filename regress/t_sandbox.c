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
 * The sandbox, proven on the running daemon rather than on the code that
 * sets it up: what /proc says about each role, and what happens when a
 * sandboxed process tries a call it must not make (WSD_SANDBOX_PROBE,
 * honoured with -d only).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include <atf-c.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MAXKIDS		16

/* What the parent's root keeps: wsd(8), "Sandbox". */
#define CAPS_KEPT	((1ULL << CAP_NET_BIND_SERVICE) |		\
			    (1ULL << CAP_DAC_READ_SEARCH) |		\
			    (1ULL << CAP_KILL) | (1ULL << CAP_SYS_CHROOT) | \
			    (1ULL << CAP_SETGID) | (1ULL << CAP_SETUID))
#define WSD_USER	"_wsd"
#define WSD_CHROOT	"/var/empty"

static struct wsd_proc	 wsd;

/*
 * Start the daemon; 0 once it is ready. The output is in wsd.log. The
 * password processes run only for a server with authenticate basic.
 */
static int
start_role(const atf_tc_t *tc, const char *global, const char *role)
{
	const char	*server = NULL;

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	if (role != NULL && strcmp(role, "password") == 0) {
		ATF_REQUIRE(system("printf 'u:$2b$04$tX6OJvEP.M4q5pxuJGNh9O"
		    "uRd5Ac/7CEv/X.sIPr23E2NoM3ZJIW6\\n' >htp") == 0);
		server = "\tauthenticate basic \"htp\" insecure\n"
		    "\tlocation \"/\" {\n\t\tauthenticate basic \"htp\" "
		    "insecure\n\t}\n\tlocation \"/open\" {\n\t}\n";
	}
	wsd_write_conf(&wsd, global, server);
	return (daemon_try_start(tc, &wsd, NULL));
}

static int
start(const atf_tc_t *tc, const char *global)
{
	return (start_role(tc, global, NULL));
}

/* The value of a line "name:\tvalue" in /proc/pid/status. */
static int
status_field(pid_t pid, const char *name, char *val, size_t size)
{
	FILE	*f;
	char	 path[64], line[256];
	size_t	 len = strlen(name), n;
	int	 found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			strlcpy(val, line + len + 2, size);
			/* Groups: ends in a blank, the others do not. */
			while ((n = strlen(val)) > 0 && (val[n - 1] == '\n' ||
			    val[n - 1] == ' '))
				val[n - 1] = '\0';
			found = 1;
		}
	fclose(f);
	return (found ? 0 : -1);
}

static void
check_field(pid_t pid, const char *role, const char *name, const char *want)
{
	char	 val[128];

	ATF_CHECK_MSG(status_field(pid, name, val, sizeof(val)) == 0,
	    "%s %d: no %s line", role, (int)pid, name);
	ATF_CHECK_MSG(strcmp(val, want) == 0, "%s %d: %s is \"%s\", not "
	    "\"%s\"", role, (int)pid, name, val, want);
}

/*
 * Confined, the roles still do their work: with password processes, a
 * password is checked too.
 */
static void
check_echo_as(const char *extra)
{
	char	 resp[1024];
	uint8_t	 buf[64];
	size_t	 len;
	int	 fd, fin, op;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd, extra, resp, sizeof(resp)), 101);
	ATF_REQUIRE(wsc_send(fd, 1, 0x1, "still here", 10) == 0);
	ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_CHECK(fin == 1 && op == 0x1);
	ATF_CHECK(len == 10 && memcmp(buf, "still here", 10) == 0);
	close(fd);
}

static void
check_echo(void)
{
	check_echo_as(NULL);
}

/* Every process of the role, as /proc shows it, is in its sandbox. */
static void
check_confined(const atf_tc_t *tc, const char *role)
{
	struct passwd	*pw;
	pid_t		 kids[MAXKIDS];
	char		 titles[MAXKIDS][64], title[64], want[64];
	char		 link[64], root[PATH_MAX];
	ssize_t		 n;
	int		 i, nkids, found = 0, status;

	ATF_REQUIRE_MSG((pw = getpwnam(WSD_USER)) != NULL, "no user %s; "
	    "etc/deps.sh creates it", WSD_USER);
	if (start_role(tc, "prefork handshake 2\nprefork worker 2\n"
	    "prefork password 2", role) != 0)
		atf_tc_fail("wsd did not get ready; its output:\n%s", wsd.log);
	snprintf(title, sizeof(title), "wsd: %s", role);
	nkids = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < nkids; i++) {
		if (strcmp(titles[i], title) != 0)
			continue;
		found++;
		check_field(kids[i], role, "Seccomp", "2");
		check_field(kids[i], role, "NoNewPrivs", "1");
		snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid,
		    pw->pw_uid, pw->pw_uid, pw->pw_uid);
		check_field(kids[i], role, "Uid", want);
		snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_gid,
		    pw->pw_gid, pw->pw_gid, pw->pw_gid);
		check_field(kids[i], role, "Gid", want);
		snprintf(want, sizeof(want), "%u", pw->pw_gid);
		check_field(kids[i], role, "Groups", want);
		/* Root's capabilities went with the change of user. */
		check_field(kids[i], role, "CapPrm", "0000000000000000");
		check_field(kids[i], role, "CapEff", "0000000000000000");
		snprintf(want, sizeof(want), "%016llx", CAPS_KEPT);
		check_field(kids[i], role, "CapBnd", want);
		snprintf(link, sizeof(link), "/proc/%d/root", (int)kids[i]);
		n = readlink(link, root, sizeof(root) - 1);
		ATF_REQUIRE_MSG(n > 0, "readlink /proc/%d/root", (int)kids[i]);
		root[n] = '\0';
		ATF_CHECK_STREQ_MSG(root, WSD_CHROOT, "%s %d", role,
		    (int)kids[i]);
	}
	ATF_CHECK_EQ_MSG(found, 2, "%d %s processes", found, role);

	/* u:pw, the user of start_role's htpasswd file. */
	check_echo_as(strcmp(role, "password") == 0 ?
	    "Authorization: Basic dTpwdw==\r\n" : NULL);
	status = wsd_stop(&wsd, SIGTERM);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %d; output:\n%s", status, wsd.log);
}

ATF_TC_WITH_CLEANUP(confined_handshake);
ATF_TC_HEAD(confined_handshake, tc)
{
	atf_tc_set_md_var(tc, "descr", "Each handshake process runs under "
	    "seccomp with no_new_privs, as the user, chrooted");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(confined_handshake, tc)
{
	check_confined(tc, "handshake");
}
ATF_TC_CLEANUP(confined_handshake, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(confined_password);
ATF_TC_HEAD(confined_password, tc)
{
	atf_tc_set_md_var(tc, "descr", "Each password process runs under "
	    "seccomp with no_new_privs, as the user, chrooted");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(confined_password, tc)
{
	check_confined(tc, "password");
}
ATF_TC_CLEANUP(confined_password, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(confined_worker);
ATF_TC_HEAD(confined_worker, tc)
{
	atf_tc_set_md_var(tc, "descr", "Each worker process runs under "
	    "seccomp with no_new_privs, as the user, chrooted");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(confined_worker, tc)
{
	check_confined(tc, "worker");
}
ATF_TC_CLEANUP(confined_worker, tc)
{
	daemon_cleanup();
}

/*
 * The parent keeps root but has its own filter, and starts its children
 * from the binary it runs itself.
 */
ATF_TC_WITH_CLEANUP(confined_parent);
ATF_TC_HEAD(confined_parent, tc)
{
	atf_tc_set_md_var(tc, "descr", "The parent runs under seccomp with "
	    "no_new_privs, keeps only the capabilities it needs, and its "
	    "children are its own binary");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(confined_parent, tc)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64], link[64], exe[PATH_MAX], kexe[PATH_MAX];
	char	 caps[32];
	ssize_t	 n;
	int	 i, nkids;

	if (start(tc, NULL) != 0)
		atf_tc_fail("wsd did not get ready; its output:\n%s", wsd.log);
	check_field(wsd.pid, "parent", "Seccomp", "2");
	check_field(wsd.pid, "parent", "NoNewPrivs", "1");
	check_field(wsd.pid, "parent", "Uid", "0\t0\t0\t0");
	snprintf(caps, sizeof(caps), "%016llx", CAPS_KEPT);
	check_field(wsd.pid, "parent", "CapPrm", caps);
	check_field(wsd.pid, "parent", "CapEff", caps);
	check_field(wsd.pid, "parent", "CapBnd", caps);
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)wsd.pid);
	ATF_REQUIRE((n = readlink(link, exe, sizeof(exe) - 1)) > 0);
	exe[n] = '\0';
	nkids = wsd_children(&wsd, kids, titles, MAXKIDS);
	ATF_REQUIRE(nkids >= 2);
	for (i = 0; i < nkids; i++) {
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)kids[i]);
		ATF_REQUIRE((n = readlink(link, kexe, sizeof(kexe) - 1)) > 0);
		kexe[n] = '\0';
		ATF_CHECK_STREQ_MSG(kexe, exe, "%s %d", titles[i],
		    (int)kids[i]);
	}
	check_echo();
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(confined_parent, tc)
{
	daemon_cleanup();
}

/*
 * Reload and respawn under the parent's filter: a host name resolved,
 * a new listener bound, a worker started again; at exit the control
 * socket, the one thing the parent may remove, is gone.
 */
ATF_TC_WITH_CLEANUP(parent_reload_respawn);
ATF_TC_HEAD(parent_reload_respawn, tc)
{
	atf_tc_set_md_var(tc, "descr", "Under the parent's filter, a reload "
	    "resolves a name and binds, a killed worker is respawned, and "
	    "the control socket is removed at exit");
}
ATF_TC_BODY(parent_reload_respawn, tc)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64], cmd[1024], line[64];
	FILE	*f;
	int	 i, nkids, port2, fd;

	if (start(tc, NULL) != 0)
		atf_tc_fail("wsd did not get ready; its output:\n%s", wsd.log);
	check_field(wsd.pid, "parent", "Seccomp", "2");
	ATF_REQUIRE((port2 = wsd_free_port()) > 0);
	ATF_REQUIRE((f = fopen(wsd.conf, "a")) != NULL);
	fprintf(f, "server \"localhost\" {\n\tlisten on localhost port %d\n}\n",
	    port2);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -s %s reload >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	ATF_CHECK_EQ_MSG(system(cmd), 0, "reload failed; output:\n%s",
	    wsd.log);
	ATF_REQUIRE((fd = wsc_connect(port2)) != -1);
	close(fd);

	nkids = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < nkids; i++)
		if (strcmp(titles[i], "wsd: worker") == 0)
			break;
	ATF_REQUIRE(i < nkids);
	ATF_REQUIRE(kill(kids[i], SIGKILL) == 0);
	snprintf(line, sizeof(line), "respawned worker[0] as pid");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, line, WSC_TIMEOUT) == 0,
	    "no respawn in:\n%s", wsd.log);
	ATF_CHECK(wsd_wait_log(&wsd, "is ready", WSC_TIMEOUT) == 0);
	check_echo();
	daemon_stop_ok(&wsd);
	ATF_CHECK_MSG(access(wsd.sock, F_OK) == -1, "%s is still there",
	    wsd.sock);
	ATF_CHECK(strstr(wsd.log, "SIGSYS") == NULL);
}
ATF_TC_CLEANUP(parent_reload_respawn, tc)
{
	daemon_cleanup();
}

/*
 * A developer runs wsd -d without root: every process still gets
 * no_new_privs and its filter, and wsd says once what is missing.
 */
ATF_TC_WITH_CLEANUP(unprivileged);
ATF_TC_HEAD(unprivileged, tc)
{
	atf_tc_set_md_var(tc, "descr", "Started by an ordinary user, every "
	    "process has no_new_privs and its filter, and wsd warns once");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(unprivileged, tc)
{
	struct passwd	*pw;
	pid_t		 kids[MAXKIDS];
	char		 titles[MAXKIDS][64], dir[] = "/tmp/wsd-unpriv.XXXXXX";
	char		 cmd[2048], conf[256], want[64];
	const char	*warning = "not started as root: the children get "
			    "their syscall filter but no chroot";
	FILE		*f;
	int		 i, nkids, nwarn;

	ATF_REQUIRE_MSG((pw = getpwnam(WSD_USER)) != NULL, "no user %s",
	    WSD_USER);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, NULL, NULL);
	/* A place of its own, with a copy of the binary it may run. */
	ATF_REQUIRE(mkdtemp(dir) != NULL);
	ATF_REQUIRE((f = fopen("tmpdir", "w")) != NULL);
	fprintf(f, "%s\n", dir);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cp %s %s/wsd && cp %s %s/wsd.conf && "
	    "chown -R %u:%u %s", srcpath(tc, "../wsd"), dir, wsd.conf, dir,
	    pw->pw_uid, pw->pw_gid, dir);
	ATF_REQUIRE_EQ(system(cmd), 0);
	snprintf(conf, sizeof(conf), "%s/wsd.conf", dir);
	strlcpy(wsd.conf, conf, sizeof(wsd.conf));
	snprintf(wsd.sock, sizeof(wsd.sock), "%s/wsd.sock", dir);
	wsd.uid = pw->pw_uid;
	wsd.gid = pw->pw_gid;
	snprintf(cmd, sizeof(cmd), "%s/wsd", dir);
	ATF_REQUIRE_MSG(daemon_try_start_binary(&wsd, cmd, NULL) == 0,
	    "wsd did not get ready; its output:\n%s", wsd.log);

	nwarn = wsd_log_count(&wsd, warning);
	ATF_CHECK_EQ_MSG(nwarn, 1, "%d warnings in:\n%s", nwarn, wsd.log);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid,
	    pw->pw_uid, pw->pw_uid, pw->pw_uid);
	check_field(wsd.pid, "parent", "Seccomp", "2");
	check_field(wsd.pid, "parent", "NoNewPrivs", "1");
	check_field(wsd.pid, "parent", "Uid", want);
	nkids = wsd_children(&wsd, kids, titles, MAXKIDS);
	ATF_CHECK_MSG(nkids >= 2, "%d children", nkids);
	for (i = 0; i < nkids; i++) {
		check_field(kids[i], titles[i], "Seccomp", "2");
		check_field(kids[i], titles[i], "NoNewPrivs", "1");
		check_field(kids[i], titles[i], "Uid", want);
	}
	check_echo();
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(unprivileged, tc)
{
	FILE	*f;
	char	 dir[64], cmd[128];

	daemon_cleanup();
	if ((f = fopen("tmpdir", "r")) != NULL) {
		if (fscanf(f, "%63s", dir) == 1 &&
		    strncmp(dir, "/tmp/wsd-unpriv.", 16) == 0) {
			snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
			(void)system(cmd);
		}
		fclose(f);
	}
}

/*
 * A sandboxed process of the role tries a forbidden call, and the filter
 * kills it. A child's death is named by the parent, which respawns it;
 * the new one dies the same way, so after the crash-loop limit the
 * daemon exits 1. The parent's death ends the daemon with SIGSYS. In
 * debug mode the call is named first.
 */
static void
check_probe(const atf_tc_t *tc, const char *role, const char *call,
    const char *name, int debug)
{
	char	 probe[64], line[128], prefix[32] = "";
	int	 status, parent = strcmp(role, "parent") == 0;

	if (!parent)
		snprintf(prefix, sizeof(prefix), "%s[0]: ", role);
	snprintf(probe, sizeof(probe), "%s:%s", role, call);
	ATF_REQUIRE(setenv("WSD_SANDBOX_PROBE", probe, 1) == 0);
	if (debug)
		ATF_REQUIRE(setenv("WSD_SANDBOX_DEBUG", "1", 1) == 0);
	/* The probe runs before the role says it is ready. */
	ATF_CHECK_MSG(start_role(tc, NULL, role) != 0, "wsd got ready:\n%s",
	    wsd.log);
	unsetenv("WSD_SANDBOX_PROBE");
	unsetenv("WSD_SANDBOX_DEBUG");
	status = wsd_stop(&wsd, 0);
	snprintf(line, sizeof(line), "%ssandbox probe: trying %s", prefix,
	    call);
	ATF_CHECK_MSG(strstr(wsd.log, line) != NULL, "no \"%s\" in:\n%s",
	    line, wsd.log);
	ATF_CHECK_MSG(strstr(wsd.log, "was not refused") == NULL,
	    "the call went through:\n%s", wsd.log);
	if (debug) {
		snprintf(line, sizeof(line), "%ssandbox: refused syscall",
		    prefix);
		ATF_CHECK_MSG(strstr(wsd.log, line) != NULL, "no \"%s\" "
		    "in:\n%s", line, wsd.log);
		snprintf(line, sizeof(line), "(%s)", name);
		ATF_CHECK_MSG(strstr(wsd.log, line) != NULL, "no name %s "
		    "in:\n%s", line, wsd.log);
	}
	if (parent) {
		ATF_CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) ==
		    SIGSYS, "wsd status %d, not killed by SIGSYS; "
		    "output:\n%s", status, wsd.log);
		return;
	}
	snprintf(line, sizeof(line), "lost child: %s[", role);
	ATF_CHECK_MSG(strstr(wsd.log, line) != NULL &&
	    strstr(wsd.log, "killed by SIGSYS (sandbox violation)") != NULL,
	    "no kill by SIGSYS in:\n%s", wsd.log);
	snprintf(line, sizeof(line), "respawned %s[0] as pid", role);
	ATF_CHECK_MSG(strstr(wsd.log, line) != NULL, "no respawn in:\n%s",
	    wsd.log);
	ATF_CHECK_MSG(strstr(wsd.log, "die in a loop") != NULL,
	    "no crash loop in:\n%s", wsd.log);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "wsd exit status %d, not 1; output:\n%s", status, wsd.log);
}

/* role tries call, which the kernel knows as name. */
#define PROBE_TC(tcname, role, call, name, debug)			\
ATF_TC_WITH_CLEANUP(tcname);						\
ATF_TC_HEAD(tcname, tc)							\
{									\
	atf_tc_set_md_var(tc, "descr", "A sandboxed " role " that "	\
	    "tries " call " is killed by SIGSYS and it is reported"	\
	    "%s", debug ? ", naming the call" : "");			\
}									\
ATF_TC_BODY(tcname, tc)							\
{									\
	check_probe(tc, role, call, name, debug);			\
}									\
ATF_TC_CLEANUP(tcname, tc)						\
{									\
	daemon_cleanup();						\
}

PROBE_TC(handshake_open, "handshake", "open", "openat", 0)
PROBE_TC(handshake_socket, "handshake", "socket", "socket", 0)
PROBE_TC(handshake_execve, "handshake", "execve", "execve", 0)
PROBE_TC(worker_open, "worker", "open", "openat", 0)
PROBE_TC(worker_socket, "worker", "socket", "socket", 0)
PROBE_TC(worker_execve, "worker", "execve", "execve", 0)
PROBE_TC(debug_names_call, "worker", "socket", "socket", 1)
PROBE_TC(parent_openwrite, "parent", "openwrite", "openat", 0)
PROBE_TC(parent_ptrace, "parent", "ptrace", "ptrace", 0)
PROBE_TC(parent_execve, "parent", "execve", "execve", 0)
PROBE_TC(parent_debug_names_call, "parent", "openwrite", "openat", 1)
/*
 * What a compromised child could do to other processes or outside its
 * chroot (issue 11), in debug mode so that the refused call is named:
 * mprotect_exec must die at mprotect, not at its mmap.
 */
PROBE_TC(handshake_fcntl_setsig, "handshake", "fcntl_setsig", "fcntl", 1)
PROBE_TC(handshake_fcntl_setown, "handshake", "fcntl_setown", "fcntl", 1)
PROBE_TC(handshake_fcntl_async, "handshake", "fcntl_async", "fcntl", 1)
PROBE_TC(handshake_socketpair_dgram, "handshake", "socketpair_dgram",
    "socketpair", 1)
PROBE_TC(handshake_mprotect_exec, "handshake", "mprotect_exec", "mprotect", 1)
PROBE_TC(handshake_kill_other, "handshake", "kill_other", "kill", 1)
PROBE_TC(worker_fcntl_setsig, "worker", "fcntl_setsig", "fcntl", 1)
PROBE_TC(worker_fcntl_setown, "worker", "fcntl_setown", "fcntl", 1)
PROBE_TC(worker_fcntl_async, "worker", "fcntl_async", "fcntl", 1)
PROBE_TC(worker_socketpair_dgram, "worker", "socketpair_dgram", "socketpair",
    1)
PROBE_TC(worker_mprotect_exec, "worker", "mprotect_exec", "mprotect", 1)
PROBE_TC(worker_kill_other, "worker", "kill_other", "kill", 1)
PROBE_TC(parent_fcntl_setown, "parent", "fcntl_setown", "fcntl", 1)
/*
 * The password process (wsd(8)): its channels, its loop and memory. No
 * file, no socket of any kind, no read(2) or write(2), no randomness.
 */
PROBE_TC(password_open, "password", "open", "openat", 1)
PROBE_TC(password_socket, "password", "socket", "socket", 1)
PROBE_TC(password_execve, "password", "execve", "execve", 1)
PROBE_TC(password_fcntl_setsig, "password", "fcntl_setsig", "fcntl", 1)
PROBE_TC(password_socketpair, "password", "socketpair_stream", "socketpair",
    1)
PROBE_TC(password_mprotect_exec, "password", "mprotect_exec", "mprotect", 1)
PROBE_TC(password_kill_other, "password", "kill_other", "kill", 1)
PROBE_TC(password_ioctl_tiocsti, "password", "ioctl_tiocsti", "ioctl", 1)
PROBE_TC(password_write, "password", "write", "write", 1)
PROBE_TC(password_getrandom, "password", "getrandom", "getrandom", 1)
/* What a child got to end a stalled client, and nothing more. */
PROBE_TC(handshake_ioctl_tiocsti, "handshake", "ioctl_tiocsti", "ioctl", 1)
PROBE_TC(handshake_setsockopt_other, "handshake", "setsockopt_other",
    "setsockopt", 1)
PROBE_TC(worker_ioctl_tiocsti, "worker", "ioctl_tiocsti", "ioctl", 1)
PROBE_TC(worker_setsockopt_other, "worker", "setsockopt_other",
    "setsockopt", 1)

ATF_TC(missing_user);
ATF_TC_HEAD(missing_user, tc)
{
	atf_tc_set_md_var(tc, "descr", "Started as root with a user that "
	    "does not exist, wsd exits 1 and says how to create it");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(missing_user, tc)
{
	char	 cmd[2048];
	int	 status;

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, "user \"_nosuchuser\"", NULL);
	snprintf(cmd, sizeof(cmd), "%s -d -f %s -s %s >out 2>&1",
	    srcpath(tc, "../wsd"), wsd.conf, wsd.sock);
	status = system(cmd);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status %d", status);
	ATF_CHECK(atf_utils_grep_file("user _nosuchuser does not exist; "
	    "create it with: useradd -r -d /var/empty -s /usr/sbin/nologin "
	    "_nosuchuser", "out"));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, confined_handshake);
	ATF_TP_ADD_TC(tp, confined_worker);
	ATF_TP_ADD_TC(tp, confined_password);
	ATF_TP_ADD_TC(tp, confined_parent);
	ATF_TP_ADD_TC(tp, parent_reload_respawn);
	ATF_TP_ADD_TC(tp, unprivileged);
	ATF_TP_ADD_TC(tp, parent_openwrite);
	ATF_TP_ADD_TC(tp, parent_ptrace);
	ATF_TP_ADD_TC(tp, parent_execve);
	ATF_TP_ADD_TC(tp, parent_debug_names_call);
	ATF_TP_ADD_TC(tp, handshake_open);
	ATF_TP_ADD_TC(tp, handshake_socket);
	ATF_TP_ADD_TC(tp, handshake_execve);
	ATF_TP_ADD_TC(tp, worker_open);
	ATF_TP_ADD_TC(tp, worker_socket);
	ATF_TP_ADD_TC(tp, worker_execve);
	ATF_TP_ADD_TC(tp, debug_names_call);
	ATF_TP_ADD_TC(tp, handshake_fcntl_setsig);
	ATF_TP_ADD_TC(tp, handshake_fcntl_setown);
	ATF_TP_ADD_TC(tp, handshake_fcntl_async);
	ATF_TP_ADD_TC(tp, handshake_socketpair_dgram);
	ATF_TP_ADD_TC(tp, handshake_mprotect_exec);
	ATF_TP_ADD_TC(tp, handshake_kill_other);
	ATF_TP_ADD_TC(tp, worker_fcntl_setsig);
	ATF_TP_ADD_TC(tp, worker_fcntl_setown);
	ATF_TP_ADD_TC(tp, worker_fcntl_async);
	ATF_TP_ADD_TC(tp, worker_socketpair_dgram);
	ATF_TP_ADD_TC(tp, worker_mprotect_exec);
	ATF_TP_ADD_TC(tp, worker_kill_other);
	ATF_TP_ADD_TC(tp, parent_fcntl_setown);
	ATF_TP_ADD_TC(tp, handshake_ioctl_tiocsti);
	ATF_TP_ADD_TC(tp, handshake_setsockopt_other);
	ATF_TP_ADD_TC(tp, worker_ioctl_tiocsti);
	ATF_TP_ADD_TC(tp, worker_setsockopt_other);
	ATF_TP_ADD_TC(tp, password_open);
	ATF_TP_ADD_TC(tp, password_socket);
	ATF_TP_ADD_TC(tp, password_execve);
	ATF_TP_ADD_TC(tp, password_fcntl_setsig);
	ATF_TP_ADD_TC(tp, password_socketpair);
	ATF_TP_ADD_TC(tp, password_mprotect_exec);
	ATF_TP_ADD_TC(tp, password_kill_other);
	ATF_TP_ADD_TC(tp, password_ioctl_tiocsti);
	ATF_TP_ADD_TC(tp, password_write);
	ATF_TP_ADD_TC(tp, password_getrandom);
	ATF_TP_ADD_TC(tp, missing_user);
	return (atf_no_error());
}
