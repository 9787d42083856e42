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
 * The sandbox of the network-facing roles, in the spirit of pledge(2):
 * a role calls sandbox() once it holds every descriptor and every byte
 * of configuration it will need, and from then on can only use them.
 * The order is OpenSSH's: chroot to an empty directory and drop to the
 * unprivileged user (when started as root), rlimits, then what the
 * system has: on Linux no_new_privs and a seccomp filter that kills the
 * process on any call outside its role's allowlist (sandbox_linux.c), on
 * OpenBSD unveil and pledge (sandbox_openbsd.c).
 *
 * The parent keeps root, to bind, read keys, respawn and reload, so it
 * neither chroots nor changes user; it calls sandbox_parent() once it is
 * set up, and gets the system's filter with the fewest calls those need.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsd.h"

static int	 sandbox_probe_ok;	/* the test hook: only with -d */

static void	 sandbox_privdrop(const struct ipc_config *);
static void	 sandbox_rlimits(void);
static void	 sandbox_probe(enum wsd_role);
static void	 probe_open(void);
static void	 probe_socket(void);
static void	 probe_execve(void);
static void	 probe_openwrite(void);
static void	 probe_ptrace(void);
static void	 probe_fcntl_setsig(void);
static void	 probe_fcntl_setown(void);
static void	 probe_fcntl_async(void);
static void	 probe_socketpair_dgram(void);
static void	 probe_socketpair_stream(void);
static void	 probe_write(void);
static void	 probe_getrandom(void);
static void	 probe_mprotect_exec(void);
static void	 probe_kill_other(void);

/* Called once by a child before it serves: trap is -S, probe is -d. */
void
sandbox_init(int trap, int probe)
{
	sandbox_probe_ok = probe;
	sandbox_os_init(trap);
}

void
sandbox(enum wsd_role role, const struct ipc_config *ic)
{
	if (ic->privdrop)
		sandbox_privdrop(ic);
	sandbox_rlimits();
	sandbox_os(role);
	log_debug("%s: in place%s", __func__,
	    ic->privdrop ? "" : ", without chroot and user");
	if (sandbox_probe_ok)
		sandbox_probe(role);
}

/*
 * self->exe is our own binary, the only one the parent may execute;
 * self->ctldir the control socket's directory, the only place where it
 * may remove anything (its socket, at exit).
 */
void
sandbox_parent(const struct sandbox_self *self)
{
	struct rlimit	 rl = { 0, 0 };

	/* It reads keys: no core file. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("%s: RLIMIT_CORE", __func__);
	sandbox_os_self(self);
	sandbox_os(ROLE_PARENT);
	log_debug("%s: in place", __func__);
	if (sandbox_probe_ok)
		sandbox_probe(ROLE_PARENT);
}

static void
sandbox_privdrop(const struct ipc_config *ic)
{
	gid_t	 gid = ic->gid;
	uid_t	 uid = ic->uid, ruid, euid, suid;

	if (memchr(ic->chroot, '\0', sizeof(ic->chroot)) == NULL)
		fatalx("%s: bad chroot path", __func__);
	if (chroot(ic->chroot) == -1)
		fatal("%s: chroot %s", __func__, ic->chroot);
	if (chdir("/") == -1)
		fatal("%s: chdir /", __func__);
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1)
		fatal("%s: cannot drop privileges", __func__);
	if (getresuid(&ruid, &euid, &suid) == -1 || ruid != uid ||
	    euid != uid || suid != uid)
		fatalx("%s: still privileged", __func__);
}

/* No new processes, no files written, no core files. */
static void
sandbox_rlimits(void)
{
	struct rlimit	 rl = { 0, 0 };

	if (setrlimit(RLIMIT_NPROC, &rl) == -1)
		fatal("%s: RLIMIT_NPROC", __func__);
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		fatal("%s: RLIMIT_FSIZE", __func__);
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("%s: RLIMIT_CORE", __func__);
}

/*
 * The test hook: WSD_SANDBOX_PROBE=role:call makes that role try the call
 * right after sandboxing, so the tests can watch the filter kill it. It
 * is honoured only with -d, a daemon in the foreground: who sets the
 * environment of that can run anything as its user anyway, and a service
 * (without -d) ignores it. Each probe is a call some role must be
 * refused; wsd(8) and regress/t_sandbox.c say which.
 */
static void
probe_open(void)
{
	(void)open("/etc/passwd", O_RDONLY);
}

static void
probe_socket(void)
{
	(void)socket(AF_INET, SOCK_STREAM, 0);
}

static void
probe_execve(void)
{
	char	*argv[] = { "sh", NULL };

	(void)execve("/bin/sh", argv, NULL);
}

/* The parent may open files, to read only. */
static void
probe_openwrite(void)
{
	(void)open("/nonexistent/wsd-probe", O_WRONLY | O_CREAT, 0600);
}

static void
probe_ptrace(void)
{
	(void)ptrace(PTRACE_PEEKDATA, 1, NULL, NULL);
}

/*
 * The three parts of a signal that the kernel sends other processes when
 * input arrives: an owner (F_SETOWN, a process group), the signal
 * (F_SETSIG, SIGKILL) and O_ASYNC. Each is asked alone, harmless even if
 * it went through (owner 0 is none): the filter must refuse the command
 * whatever its argument. Descriptor 3 is a child's channel; the parent's
 * is whatever is there, the filter deciding before the kernel looks.
 */
static void
probe_fcntl_setsig(void)
{
#ifdef F_SETSIG
	(void)fcntl(WSD_PARENT_FD, F_SETSIG, SIGKILL);
#endif
}

static void
probe_fcntl_setown(void)
{
	(void)fcntl(WSD_PARENT_FD, F_SETOWN, 0);
}

static void
probe_fcntl_async(void)
{
	(void)fcntl(WSD_PARENT_FD, F_SETFL, O_NONBLOCK | O_ASYNC);
}

/* A datagram socket could send to any abstract UNIX socket. */
static void
probe_socketpair_dgram(void)
{
	int	 sp[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0) {
		close(sp[0]);
		close(sp[1]);
	}
}

/* The handshake's relay pair: for the password process, no pair at all. */
static void
probe_socketpair_stream(void)
{
	int	 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0) {
		close(sp[0]);
		close(sp[1]);
	}
}

/* write(2) and getrandom(2): the password process has neither. */
static void
probe_write(void)
{
	if (write(STDERR_FILENO, "", 0) == -1)
		return;
}

static void
probe_getrandom(void)
{
	char	 buf[16];

	if (getentropy(buf, sizeof(buf)) == -1)
		return;
}

/* W^X: a page it may write, made executable. */
static void
probe_mprotect_exec(void)
{
	long	 size = sysconf(_SC_PAGESIZE);
	void	*p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON,
	    -1, 0);
	if (p != MAP_FAILED)
		(void)mprotect(p, size, PROT_READ | PROT_EXEC);
}

/* Signal 0 to init only asks whether it is there. */
static void
probe_kill_other(void)
{
	(void)kill(1, 0);
}

/*
 * Of ioctl a child has only the sizes of a socket's queues. TIOCSTI
 * would push input into a terminal it holds (stderr under -d); asked
 * on the channel, which is no terminal, it is harmless if it went
 * through.
 */
static void
probe_ioctl_tiocsti(void)
{
	char	 c = '!';

	(void)ioctl(WSD_PARENT_FD, TIOCSTI, &c);
}

/* Of socket options, only SO_LINGER: not SO_SNDBUF, say. */
static void
probe_setsockopt_other(void)
{
	int	 size = 4096;

	(void)setsockopt(WSD_PARENT_FD, SOL_SOCKET, SO_SNDBUF, &size,
	    sizeof(size));
}

static const struct {
	const char	*call;
	void		(*try)(void);
} sandbox_probes[] = {
	{ "open",		probe_open },
	{ "socket",		probe_socket },
	{ "execve",		probe_execve },
	{ "openwrite",		probe_openwrite },
	{ "ptrace",		probe_ptrace },
	{ "fcntl_setsig",	probe_fcntl_setsig },
	{ "fcntl_setown",	probe_fcntl_setown },
	{ "fcntl_async",	probe_fcntl_async },
	{ "socketpair_dgram",	probe_socketpair_dgram },
	{ "socketpair_stream",	probe_socketpair_stream },
	{ "write",		probe_write },
	{ "getrandom",		probe_getrandom },
	{ "mprotect_exec",	probe_mprotect_exec },
	{ "kill_other",		probe_kill_other },
	{ "ioctl_tiocsti",	probe_ioctl_tiocsti },
	{ "setsockopt_other",	probe_setsockopt_other },
};

/*
 * The tests' hooks, VAR=role:name in the environment: name, if var is
 * set for role; NULL otherwise. The callers honour them with -d only.
 */
const char *
test_hook(const char *var, enum wsd_role role)
{
	const char	*env;
	size_t		 len = strlen(role_names[role]);

	if ((env = getenv(var)) == NULL ||
	    strncmp(env, role_names[role], len) != 0 || env[len] != ':')
		return (NULL);
	return (env + len + 1);
}

static void
sandbox_probe(enum wsd_role role)
{
	const char	*call;
	size_t		 i;

	if ((call = test_hook("WSD_SANDBOX_PROBE", role)) == NULL)
		return;
	log_info("sandbox probe: trying %s", call);
	for (i = 0; i < sizeof(sandbox_probes) / sizeof(sandbox_probes[0]);
	    i++)
		if (strcmp(call, sandbox_probes[i].call) == 0)
			sandbox_probes[i].try();
	log_warnx("sandbox probe: %s was not refused", call);
}
