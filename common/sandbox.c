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
 * unprivileged user (when started as root), rlimits, no_new_privs, then
 * a seccomp filter that kills the process on any call not listed below.
 *
 * The parent is not filtered: it keeps root to bind, read keys, respawn
 * and reload, and it never parses network input.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "wsd.h"

#define HS	(1 << ROLE_HANDSHAKE)
#define WK	(1 << ROLE_WORKER)
#define ALL	(HS | WK)

struct sandbox_rule {
	int		 nr;		/* SCMP_SYS(name) */
	int		 roles;		/* the roles that may make the call */
	uint64_t	 a2_clear;	/* bits that must be clear in arg 2 */
};

#define ALLOW(name, roles)		{ SCMP_SYS(name), roles, 0 }
#define ALLOW_IF_CLEAR(name, roles, a2)	{ SCMP_SYS(name), roles, a2 }

/*
 * The allowlists, read like pledge promises. Anything else kills the
 * process with SIGSYS: open/openat, socket, connect, bind, listen,
 * execve/execveat, fork/vfork/clone/clone3 (the roles are single
 * threaded), ptrace, kill, setuid and the rest. No call gets a soft
 * error instead: after set-up nothing in these roles or in the libc
 * paths they use probes files, as the e2e suite shows under this filter.
 * To find a missing call, run with WSD_SANDBOX_DEBUG=1 (wsd(8)).
 */
static const struct sandbox_rule sandbox_rules[] = {
	/* stdio: only the descriptors the process already holds */
	ALLOW(read, ALL),		/* clients */
	ALLOW(write, ALL),		/* clients */
	ALLOW(writev, WK),		/* one gathered write of echoes */
	ALLOW(shutdown, HS),		/* half-close after an error answer */
	ALLOW(close, ALL),		/* clients, lost channels */
	ALLOW(fcntl, ALL),		/* O_NONBLOCK on passed fds */
	/* recvfd sendfd: the IPC channels */
	ALLOW(recvmsg, ALL),		/* config, listeners, clients */
	ALLOW(sendmsg, ALL),		/* log lines, hand-offs */
	ALLOW(poll, ALL),		/* waiting on a full channel */
	/* inet: accept on the listeners it was given, nothing else */
	ALLOW(accept4, HS),		/* new clients */
	/* libevent */
	ALLOW(epoll_wait, ALL),		/* the loop */
	ALLOW(epoll_ctl, ALL),		/* events on and off */
	/* time: the vDSO answers, the kernel if the clock has no vDSO */
	ALLOW(clock_gettime, ALL),	/* libevent's timers */
	ALLOW(gettimeofday, ALL),	/* libevent's cached time */
	ALLOW(time, ALL),		/* connection durations */
	/* malloc: the heap, and mappings for large or fallback blocks */
	ALLOW(brk, ALL),
	ALLOW_IF_CLEAR(mmap, ALL, PROT_EXEC),	/* never executable (W^X) */
	ALLOW(munmap, ALL),
	/* libtls/OpenSSL at run time, in the handshake role only */
	ALLOW(getrandom, HS),		/* the DRBG seeds and reseeds */
	ALLOW(getpid, HS),		/* the DRBG checks it for forks */
	ALLOW(futex, HS),		/* OpenSSL's locks, at exit(3) */
	/* wss:// hand-off: a connected pair, no address, no network */
	ALLOW(socketpair, HS),		/* one end to the worker (relay.c) */
	/* exit */
	ALLOW(exit_group, ALL),
};

static int	 sandbox_trap;		/* report refused calls: -S */
static int	 sandbox_probe_ok;	/* the test hook: only with -d */

#define SANDBOX_NAMES	512
static char	*sandbox_names[SANDBOX_NAMES];

static void	 sandbox_privdrop(const struct ipc_config *);
static void	 sandbox_rlimits(void);
static void	 sandbox_filter(enum wsd_role);
static void	 sandbox_sigsys(int, siginfo_t *, void *);
static void	 sandbox_probe(enum wsd_role);

/* Called once by a child before it serves: trap is -S, probe is -d. */
void
sandbox_init(int trap, int probe)
{
	struct sigaction	 sa;
	int			 i;

	sandbox_trap = trap;
	sandbox_probe_ok = probe;
	if (!trap)
		return;
	/* Resolved now: the signal handler may not allocate. */
	for (i = 0; i < SANDBOX_NAMES; i++)
		sandbox_names[i] = seccomp_syscall_resolve_num_arch(
		    SCMP_ARCH_NATIVE, i);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	/* Reset on delivery, so that the handler can die of SIGSYS. */
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("%s: sigaction", __func__);
}

void
sandbox(enum wsd_role role, const struct ipc_config *ic)
{
	if (ic->privdrop)
		sandbox_privdrop(ic);
	sandbox_rlimits();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("%s: PR_SET_NO_NEW_PRIVS", __func__);
	/* No core dumps or ptrace by the user: a handshake holds keys. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("%s: PR_SET_DUMPABLE", __func__);
	sandbox_filter(role);
	log_debug("%s: in place%s", __func__,
	    ic->privdrop ? "" : ", without chroot and user");
	if (sandbox_probe_ok)
		sandbox_probe(role);
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

static void
sandbox_filter(enum wsd_role role)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 deny;
	size_t		 i;
	int		 rv;

	deny = sandbox_trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	if ((ctx = seccomp_init(deny)) == NULL)
		fatalx("%s: seccomp_init", __func__);
	/* A call through another ABI (i386, x32) is refused the same way. */
	if ((rv = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, deny)) < 0)
		goto fail;
	for (i = 0; i < sizeof(sandbox_rules) / sizeof(sandbox_rules[0]);
	    i++) {
		if ((sandbox_rules[i].roles & (1 << role)) == 0)
			continue;
		if (sandbox_rules[i].a2_clear != 0)
			rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			    sandbox_rules[i].nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ,
			    sandbox_rules[i].a2_clear, 0));
		else
			rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			    sandbox_rules[i].nr, 0);
		if (rv < 0)
			goto fail;
	}
	if ((rv = seccomp_load(ctx)) < 0)
		goto fail;
	seccomp_release(ctx);
	return;
 fail:
	errno = -rv;
	fatal("%s: cannot build the seccomp filter", __func__);
}

/* Integer to decimal without the allocating parts of libc. */
static size_t
sandbox_itoa(char *buf, unsigned int n)
{
	char	 tmp[16];
	size_t	 i = 0, len = 0;

	do
		tmp[i++] = '0' + n % 10;
	while ((n /= 10) != 0);
	while (i > 0)
		buf[len++] = tmp[--i];
	return (len);
}

/*
 * Debug mode (-S): say which call was refused, then die of SIGSYS as the
 * filter would have killed us, so the parent sees the same death. Only
 * async-signal-safe work: the names were resolved in sandbox_init().
 */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *ctx)
{
	uint8_t		 buf[sizeof(struct ipc_hdr) + sizeof(struct ipc_log) +
			    IPC_LOG_MAX];
	char		 text[128];
	const char	*name = "unknown";
	struct ipc_log	 il;
	size_t		 len, n;
	int		 nr = si->si_syscall;

	if (nr >= 0 && nr < SANDBOX_NAMES && sandbox_names[nr] != NULL)
		name = sandbox_names[nr];
	len = strlcpy(text, "sandbox: refused syscall ", sizeof(text));
	len += sandbox_itoa(text + len, nr);
	text[len++] = ' ';
	text[len++] = '(';
	n = strnlen(name, sizeof(text) - len - 2);
	memcpy(text + len, name, n);
	len += n;
	text[len++] = ')';
	il.priority = LOG_CRIT;
	if (ipc_encode(buf, sizeof(buf), IPC_LOG, &il, sizeof(il), text, len,
	    -1, &n) == 0)
		(void)ipc_sendmsg(WSD_PARENT_FD, buf, n, -1);
	/*
	 * SIGSYS is back to its default, so a refused call now kills us.
	 * kill(2) is in no allowlist; were it, kill(0, 0) only checks.
	 */
	syscall(SYS_kill, 0, 0);
	_exit(128 + sig);
}

/*
 * The test hook: WSD_SANDBOX_PROBE=role:call (open, socket, execve) makes
 * that role try the call right after sandboxing, so the tests can watch
 * the filter kill it. It is honoured only with -d, a daemon in the
 * foreground: who sets the environment of that can run anything as its
 * user anyway, and a service (without -d) ignores it.
 */
static void
sandbox_probe(enum wsd_role role)
{
	const char	*probe, *call;
	char		*argv[] = { "sh", NULL };
	size_t		 len;

	if ((probe = getenv("WSD_SANDBOX_PROBE")) == NULL)
		return;
	len = strlen(role_names[role]);
	if (strncmp(probe, role_names[role], len) != 0 || probe[len] != ':')
		return;
	call = probe + len + 1;
	log_info("sandbox probe: trying %s", call);
	if (strcmp(call, "open") == 0)
		(void)open("/etc/passwd", O_RDONLY);
	else if (strcmp(call, "socket") == 0)
		(void)socket(AF_INET, SOCK_STREAM, 0);
	else if (strcmp(call, "execve") == 0)
		(void)execve("/bin/sh", argv, NULL);
	log_warnx("sandbox probe: %s was not refused", call);
}
