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
 * call outside its allowlist. The parent, which keeps root, first gives
 * up all but six of root's capabilities.
 *
 * The filter is for the architecture wsd is compiled for, the only one
 * it accepts calls from, and its allowlists hold that architecture's
 * call numbers. They are written for the 64-bit ABIs below: x86_64 and
 * ppc64 keep the old calls (poll, epoll_wait, dup2, access...), aarch64
 * and riscv64 have the generic set, where libc makes ppoll, epoll_pwait,
 * dup3, faccessat instead. A call that an architecture lacks is under
 * #ifdef __NR_x, and each is listed with the call libc makes where it
 * lacks it. s390x is refused: socketcall(2), which its libc uses for
 * sockets, and mmap(2) take their arguments in memory, where a filter
 * cannot see them, and clone(2) has its flags second. 32-bit ABIs
 * (time64 calls, mmap2, _llseek) are not covered either.
 */

#ifdef __linux__

#if !(defined(__x86_64__) && defined(__LP64__)) && !defined(__aarch64__) && \
    !(defined(__riscv) && __riscv_xlen == 64) && !defined(__powerpc64__)
#error "sandbox_linux.c: no allowlists for this architecture"
#endif

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/sockios.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "wsd.h"

#define PA	(1 << ROLE_PARENT)
#define HS	(1 << ROLE_HANDSHAKE)
#define WK	(1 << ROLE_WORKER)
#define PW	(1 << ROLE_PASSWORD)
#define ALL	(PA | HS | WK | PW)
#define CONN	(PA | HS | WK)		/* the roles that hold client sockets */

/* A test on one argument of a call: all of a rule's tests must hold. */
struct sandbox_test {
	uint8_t		 arg;		/* argument number + 1; 0: no test */
	uint8_t		 op;
#define T_IS		 1		/* arg == val */
#define T_CLEAR		 2		/* (arg & val) == 0 */
#define T_MASKED	 3		/* (arg & 0xf) == val: a socket type */
#define T_FD		 4		/* arg == sandbox_fds[val] */
	uint64_t	 val;
};

struct sandbox_rule {
	int			 nr;		/* __NR_name: this ABI's */
	int			 roles;		/* who may make the call */
	int			 err;		/* 0: allow; else fail with it */
	struct sandbox_test	 test[2];
};

#define IS(n, v)	{ (n) + 1, T_IS, (v) }
#define CLEAR(n, v)	{ (n) + 1, T_CLEAR, (v) }
#define TYPE(n, v)	{ (n) + 1, T_MASKED, (v) }
#define FD(n, v)	{ (n) + 1, T_FD, (v) }

/*
 * __NR_name, not SCMP_SYS(name): for a call this architecture lacks,
 * libseccomp's name is a pseudo number that a rule quietly never
 * matches, where the kernel's is an error at compile time.
 */
#define ALLOW(name, roles)		{ __NR_##name, roles, 0, { { 0 } } }
#define ALLOW_IF(name, roles, ...)	{ __NR_##name, roles, 0, \
					    { __VA_ARGS__ } }
#define FAIL_IF(name, roles, err, ...)	{ __NR_##name, roles, err, \
					    { __VA_ARGS__ } }

/* Descriptors the parent's rules name, from sandbox_parent(). */
#define FD_EXE		0		/* our own binary, to start children */
#define FD_CTLDIR	1		/* the control socket's directory */
static int	 sandbox_fds[2] = { -1, -1 };

/* No new namespaces, and no threads: every role is single threaded. */
#define CLONE_REFUSED	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			    CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			    CLONE_NEWNET | CLONE_THREAD)
/* Opening a file for anything but reading. */
#define O_WRITING	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

/*
 * The allowlists, read like pledge promises. Anything else kills the
 * process with SIGSYS: socket, connect, bind, listen, execve, fork,
 * ptrace, kill, setuid and the rest for the children; for the parent,
 * ptrace, mount, modules, namespaces, bpf, keyrings, exec of anything
 * but wsd, and every change to the file system but removing its own
 * control socket (bind(2), needed for listeners, could still make a
 * socket file). To find a missing call, run with WSD_SANDBOX_DEBUG=1
 * (wsd(8)).
 *
 * Linux stacks filters: a child's calls must pass the parent's filter
 * too, which it inherits. So PA covers, besides the parent's own needs
 * (respawn, reload, the control socket, logging), the children's whole
 * lives: ld.so and their set-up before their own filter (marked "set-up")
 * and everything HS, WK and PW allow. PW, the password process, holds
 * no client socket: its channels, the loop, memory, and nothing else.
 *
 * Where libc makes a call for a function of another name, the comment
 * says "libc's". regress/t_cross.sh checks on aarch64, under qemu-user,
 * that each role's filter allows what glibc makes there.
 */
static const struct sandbox_rule sandbox_rules[] = {
	/* stdio: only the descriptors the process already holds */
	ALLOW(read, CONN),		/* clients, files being read */
	ALLOW(write, CONN),		/* clients, log lines on stderr */
	ALLOW(writev, CONN),		/* one gathered write of echoes */
	ALLOW(shutdown, CONN),		/* half-close: an error answer, a close */
	ALLOW(close, ALL),		/* clients, lost channels */
	/*
	 * fcntl: O_NONBLOCK on passed fds (fd_nonblock), and a child's
	 * channel kept open across exec. No owner, signal or O_ASYNC:
	 * with them, the kernel signals another process on input, and
	 * a child could have its siblings sent SIGKILL.
	 */
	ALLOW_IF(fcntl, ALL, IS(1, F_GETFL)),
	ALLOW_IF(fcntl, ALL, IS(1, F_SETFL), CLEAR(2, O_ASYNC)),
	ALLOW_IF(fcntl, PA, IS(1, F_SETFD)),
	ALLOW(dup, PA),			/* set-up: libevent, stdio */
#ifdef __NR_dup2
	ALLOW(dup2, PA),		/* a child's channel onto fd 3 */
#endif
	ALLOW(dup3, PA),		/* libc's dup2 elsewhere */
	ALLOW(close_range, PA),		/* a child inherits nothing else */
	ALLOW(pipe2, PA),		/* set-up: libevent's signal pipe */
	/*
	 * recvfd sendfd: the IPC channels. A child's sockets are listeners,
	 * which send nothing, and connected ones (clients, pairs of the
	 * kinds below), which send to their peer only, whatever address
	 * sendmsg names (in memory, where seccomp cannot see it).
	 */
	ALLOW(recvmsg, ALL),		/* config, listeners, clients */
	ALLOW(sendmsg, ALL),		/* log lines, hand-offs */
#ifdef __NR_poll
	ALLOW(poll, ALL),		/* waiting on a full channel, DNS */
#endif
	ALLOW(ppoll, ALL),		/* libc's poll elsewhere */
	/*
	 * Connected pairs: a stream for a wss:// relay, channels for new
	 * children. Not datagrams: those can send to any abstract UNIX socket,
	 * which the chroot does not hide, and descriptors with it.
	 */
	ALLOW_IF(socketpair, PA | HS, IS(0, AF_UNIX), TYPE(1, SOCK_STREAM)),
	ALLOW_IF(socketpair, PA, IS(0, AF_UNIX), TYPE(1, SOCK_SEQPACKET)),
	/* inet: accept on the listeners it was given, nothing else */
	ALLOW(accept4, PA | HS),	/* new clients; wsctl */
	/*
	 * inet dns unix, for the parent: listeners bound at reload, names
	 * resolved at reload, syslog. Sockets of these kinds only, so no
	 * raw or packet sockets. getaddrinfo(3) asks the routing table
	 * (netlink) to sort several addresses: that gets EAFNOSUPPORT, and
	 * the addresses keep the resolver's order.
	 */
	ALLOW_IF(socket, PA, IS(0, AF_UNIX), TYPE(1, SOCK_STREAM)),
	ALLOW_IF(socket, PA, IS(0, AF_UNIX), TYPE(1, SOCK_DGRAM)),
	ALLOW_IF(socket, PA, IS(0, AF_INET), TYPE(1, SOCK_STREAM)),
	ALLOW_IF(socket, PA, IS(0, AF_INET), TYPE(1, SOCK_DGRAM)),
	ALLOW_IF(socket, PA, IS(0, AF_INET6), TYPE(1, SOCK_STREAM)),
	ALLOW_IF(socket, PA, IS(0, AF_INET6), TYPE(1, SOCK_DGRAM)),
	FAIL_IF(socket, PA, EAFNOSUPPORT, IS(0, AF_NETLINK)),
	ALLOW(setsockopt, PA),		/* SO_REUSEADDR, IPV6_V6ONLY */
	ALLOW(bind, PA),
	ALLOW(listen, PA),
	ALLOW(connect, PA),		/* the resolver, /dev/log */
	ALLOW(getsockname, PA),		/* the resolver */
	ALLOW(sendto, PA),		/* the resolver, syslog */
#ifdef __NR_send
	ALLOW(send, PA),		/* libc's send on ppc64 */
#endif
	ALLOW(sendmmsg, PA),		/* the resolver, A and AAAA at once */
	ALLOW(recvfrom, PA),		/* the resolver */
	ALLOW(uname, PA),		/* the resolver: the local domain */
	ALLOW_IF(ioctl, PA, IS(1, FIONREAD)),	/* the resolver */
	/*
	 * A client that stopped reading: how much it left untaken, and a
	 * close that resets. Only these reads of a queue and this option.
	 */
	ALLOW_IF(ioctl, CONN, IS(1, SIOCOUTQNSD)),
	ALLOW_IF(ioctl, CONN, IS(1, SIOCOUTQ)),
	ALLOW_IF(setsockopt, HS | WK, IS(1, SOL_SOCKET), IS(2, SO_LINGER)),
	/* libevent */
#ifdef __NR_epoll_wait
	ALLOW(epoll_wait, ALL),		/* the loop */
#endif
	ALLOW(epoll_pwait, ALL),	/* libc's epoll_wait elsewhere */
	ALLOW(epoll_ctl, ALL),		/* events on and off */
	ALLOW(epoll_create1, PA),	/* set-up */
	/*
	 * time: the vDSO answers, the kernel if the clock has no vDSO;
	 * without time(2), libc's time is clock_gettime
	 */
	ALLOW(clock_gettime, ALL),	/* libevent's timers */
	ALLOW(gettimeofday, ALL),	/* libevent's cached time */
#ifdef __NR_time
	ALLOW(time, ALL),		/* connection durations */
#endif
	/* malloc: the heap, and mappings for large or fallback blocks */
	ALLOW(brk, ALL),
	ALLOW_IF(mmap, HS | WK | PW, CLEAR(2, PROT_EXEC)),	/* W^X */
	ALLOW(mmap, PA),		/* set-up: ld.so maps libraries */
	ALLOW(mprotect, PA),		/* set-up: ld.so, RELRO */
	ALLOW(munmap, ALL),
	ALLOW(mremap, PA),		/* realloc(3) of large blocks */
	/* libtls/OpenSSL at run time, in the handshake role only */
	ALLOW(getrandom, CONN),		/* the DRBG; ping payloads (getentropy) */
	ALLOW(getpid, PA | HS),		/* the DRBG checks it for forks */
	ALLOW(futex, PA | HS),		/* OpenSSL's locks, at exit(3) */
	/* rpath, for the parent: configuration, keys, ld.so; never written */
	ALLOW_IF(openat, PA, CLEAR(2, O_WRITING)),
	ALLOW(newfstatat, PA),		/* libc's stat and fstat */
	ALLOW(fstat, PA),		/* libc's fstat from glibc 2.39 */
	ALLOW(lseek, PA),
	ALLOW(pread64, PA),		/* set-up: ld.so */
#ifdef __NR_access
	ALLOW(access, PA),		/* set-up: ld.so */
#endif
	ALLOW(faccessat, PA),		/* libc's access elsewhere */
	ALLOW(sysinfo, PA),		/* qsort(3) sizes its buffer */
	/* cpath, for the parent: only its control socket, at exit */
	ALLOW_IF(unlinkat, PA, FD(0, FD_CTLDIR), IS(2, 0)),
	/* proc exec, for the parent: children are wsd itself, and never
	 * threads or in other namespaces */
	ALLOW_IF(clone, PA, CLEAR(0, CLONE_REFUSED)),
	ALLOW_IF(execveat, PA, FD(0, FD_EXE), IS(4, AT_EMPTY_PATH)),
	ALLOW(wait4, PA),		/* reaping */
	ALLOW(kill, PA),		/* SIGKILL after the shutdown grace */
	ALLOW(rt_sigaction, PA),	/* set-up */
	ALLOW(rt_sigprocmask, PA),	/* blocked around fork */
	ALLOW(rt_sigreturn, PA),	/* libevent's signal handler */
	ALLOW(restart_syscall, PA),
	ALLOW(set_robust_list, PA),	/* fork, set-up */
	ALLOW(set_tid_address, PA),	/* set-up */
	ALLOW(rseq, PA),		/* set-up */
#ifdef __NR_arch_prctl
	ALLOW(arch_prctl, PA),		/* set-up: TLS; a register elsewhere */
#endif
	ALLOW(prlimit64, PA),		/* set-up: libc's [gs]etrlimit */
	/* id, for the set-up only: the children's chroot and user */
	ALLOW(getuid, PA),
	ALLOW(geteuid, PA),
	ALLOW(getgid, PA),
	ALLOW(getegid, PA),
	ALLOW(getresuid, PA),
	ALLOW(chroot, PA),
	ALLOW(chdir, PA),
	ALLOW(setgroups, PA),
	ALLOW(setresgid, PA),
	ALLOW(setresuid, PA),
	/* the children's sandbox: it can only take away */
	ALLOW_IF(prctl, PA, IS(0, PR_SET_NO_NEW_PRIVS)),
	ALLOW_IF(prctl, PA, IS(0, PR_SET_DUMPABLE), IS(1, 0)),
	ALLOW(seccomp, PA),
	/* exit */
	ALLOW(exit_group, ALL),
};

static int	 sandbox_trap;		/* report refused calls: -S */
static int	 sandbox_role = -1;	/* whose filter is in place */

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

/* The descriptors the parent's filter lets it use: see sandbox_rules. */
void
sandbox_os_self(const struct sandbox_self *self)
{
	sandbox_fds[FD_EXE] = self->exe_fd;
	sandbox_fds[FD_CTLDIR] = self->ctldir_fd;
}

/*
 * The parent's root keeps only the capabilities its work needs, for
 * itself and, through exec, for the children it starts as root.
 */
static const int sandbox_caps_kept[] = {
	CAP_NET_BIND_SERVICE,	/* ports below 1024, bound at reload */
	CAP_DAC_READ_SEARCH,	/* keys another user owns, read at reload */
	CAP_KILL,		/* SIGKILL to children that outstay shutdown */
	CAP_SYS_CHROOT,		/* the children's chroot */
	CAP_SETGID,		/* the children's group */
	CAP_SETUID,		/* the children's user */
};

static void
sandbox_caps(void)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];
	size_t				 i;
	int				 cap, inset;

	if (geteuid() != 0)
		return;		/* nothing to give up */
	memset(data, 0, sizeof(data));
	for (i = 0; i < sizeof(sandbox_caps_kept) /
	    sizeof(sandbox_caps_kept[0]); i++) {
		cap = sandbox_caps_kept[i];
		data[CAP_TO_INDEX(cap)].effective |= CAP_TO_MASK(cap);
	}
	/*
	 * The bounding set first: dropping from it takes CAP_SETPCAP, which
	 * a service manager that already bounds us to the six (wsd.service's
	 * CapabilityBoundingSet) has taken away: drop only what is still in.
	 */
	for (cap = 0; (inset = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0;
	    cap++)
		if (inset == 1 && (data[CAP_TO_INDEX(cap)].effective &
		    CAP_TO_MASK(cap)) == 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			fatal("%s: PR_CAPBSET_DROP %d", __func__, cap);
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i].permitted = data[i].effective;
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("%s: capset", __func__);
}

void
sandbox_os(enum wsd_role role)
{
	if (role == ROLE_PARENT)
		sandbox_caps();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("%s: PR_SET_NO_NEW_PRIVS", __func__);
	/* No core dumps or ptrace by the user: the parent and a handshake
	 * process hold keys. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("%s: PR_SET_DUMPABLE", __func__);
	sandbox_role = role;
	sandbox_filter(role);
}

/* One rule's argument tests as libseccomp wants them; the count. */
static unsigned int
sandbox_tests(const struct sandbox_rule *r, struct scmp_arg_cmp *cmp)
{
	const struct sandbox_test	*t;
	unsigned int			 i, n = 0;

	for (i = 0; i < 2 && r->test[i].arg != 0; i++, n++) {
		t = &r->test[i];
		cmp[n].arg = t->arg - 1;
		cmp[n].op = SCMP_CMP_MASKED_EQ;
		switch (t->op) {
		case T_IS:
			cmp[n].op = SCMP_CMP_EQ;
			cmp[n].datum_a = t->val;
			cmp[n].datum_b = 0;
			break;
		case T_CLEAR:
			cmp[n].datum_a = t->val;
			cmp[n].datum_b = 0;
			break;
		case T_MASKED:
			cmp[n].datum_a = 0xf;
			cmp[n].datum_b = t->val;
			break;
		case T_FD:
			if (sandbox_fds[t->val] == -1)
				fatalx("%s: descriptor %llu not set", __func__,
				    (unsigned long long)t->val);
			cmp[n].op = SCMP_CMP_EQ;
			cmp[n].datum_a = sandbox_fds[t->val];
			cmp[n].datum_b = 0;
			break;
		}
	}
	return (n);
}

static void
sandbox_filter(enum wsd_role role)
{
	const struct sandbox_rule	*r;
	struct scmp_arg_cmp		 cmp[2];
	scmp_filter_ctx			 ctx;
	uint32_t			 deny, action;
	size_t				 i;
	int				 rv;

	deny = sandbox_trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	if ((ctx = seccomp_init(deny)) == NULL)
		fatalx("%s: seccomp_init", __func__);
	/*
	 * seccomp_init() makes a filter for the native ABI only: a call
	 * through another (i386 or x32 on x86_64, arm32 on aarch64) is
	 * refused the same way.
	 */
	if ((rv = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, deny)) < 0)
		goto fail;
	for (i = 0; i < sizeof(sandbox_rules) / sizeof(sandbox_rules[0]);
	    i++) {
		r = &sandbox_rules[i];
		if ((r->roles & (1 << role)) == 0)
			continue;
		action = r->err ? SCMP_ACT_ERRNO(r->err) : SCMP_ACT_ALLOW;
		if ((rv = seccomp_rule_add_array(ctx, action, r->nr,
		    sandbox_tests(r, cmp), cmp)) < 0)
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
	char		 text[129];
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
	if (sandbox_role == ROLE_PARENT) {
		/* The parent logs itself: stderr, where -d shows it. */
		text[len++] = '\n';
		if (write(STDERR_FILENO, text, len) == -1) {
			/* no stderr: die all the same */
		}
	} else {
		il.priority = LOG_CRIT;
		if (ipc_encode(buf, sizeof(buf), IPC_LOG, &il, sizeof(il),
		    text, len, -1, &n) == 0)
			(void)ipc_sendmsg(WSD_PARENT_FD, buf, n, -1);
	}
	/*
	 * SIGSYS is back to its default, so a refused call now kills us.
	 * getppid(2) is in no allowlist; were it, it would only ask.
	 */
	syscall(SYS_getppid);
	_exit(128 + sig);
}

#endif /* __linux__ */
