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
 * The Linux half of the sandbox: no_new_privs, no core dumps, then a
 * seccomp filter (libseccomp) per role that kills the process on any
 * call outside its allowlist.
 */

#ifdef __linux__

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
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

#define SANDBOX_NAMES	512
static char	*sandbox_names[SANDBOX_NAMES];

static void	 sandbox_filter(enum wsd_role);
static void	 sandbox_sigsys(int, siginfo_t *, void *);

void
sandbox_os_init(int trap)
{
	struct sigaction	 sa;
	int			 i;

	sandbox_trap = trap;
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
sandbox_os(enum wsd_role role)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("%s: PR_SET_NO_NEW_PRIVS", __func__);
	/* No core dumps or ptrace by the user: a handshake holds keys. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("%s: PR_SET_DUMPABLE", __func__);
	sandbox_filter(role);
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

#endif /* __linux__ */
