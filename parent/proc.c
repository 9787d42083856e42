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
 * Starting children. Each one is the same binary executed again with a
 * role flag, so it gets a fresh address space layout and inherits nothing
 * but stdio and its channel to the parent on fd 3.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"

extern char	**environ;

static const char	*self_path;	/* where we were started from */
static int		 self_fd = -1;	/* or the running binary itself */

static void	 proc_exec(char **);

/*
 * Children are started from the very binary the parent runs. On Linux
 * that is /proc/self/exe, opened once: it stays the same file when a
 * package upgrade replaces the one on disk, and executing it through its
 * descriptor is the only exec the parent's filter allows. Elsewhere it
 * is the absolute path we were started with.
 */
void
proc_init(const char *argv0, struct sandbox_self *self)
{
#ifdef __linux__
	int	 fd;

	if ((fd = open("/proc/self/exe", O_PATH | O_CLOEXEC)) == -1)
		fatal("cannot open /proc/self/exe to start the children "
		    "(is /proc mounted?)");
	/* Above the children's channel (fd 3), which proc_spawn() sets. */
	if ((self_fd = fcntl(fd, F_DUPFD_CLOEXEC, WSD_PARENT_FD + 1)) == -1)
		fatal("%s: F_DUPFD_CLOEXEC", __func__);
	close(fd);
#endif
	if (self_fd == -1 && argv0[0] != '/')
		fatalx("need an absolute path to re-execute: %s", argv0);
	self_path = argv0;
	self->exe = self_path;
	self->exe_fd = self_fd;
}

/* In the child, after fork: only returns if the exec failed. */
static void
proc_exec(char **argv)
{
#ifdef __linux__
	/* Everything but the channel and the binary goes; exec closes that. */
	if (self_fd > WSD_PARENT_FD + 1)
		close_range(WSD_PARENT_FD + 1, self_fd - 1, 0);
	close_range(self_fd + 1, ~0U, 0);
	syscall(SYS_execveat, self_fd, "", argv, environ, AT_EMPTY_PATH);
#else
	closefrom(WSD_PARENT_FD + 1);
	execv(self_path, argv);
#endif
}

/*
 * sbdebug passes WSD_SANDBOX_DEBUG on as -S: the children inherit the
 * environment too, but a flag shows in ps and is read in one place.
 */
void
proc_spawn(struct child *c, int debug, int verbose, int sbdebug)
{
	char		 inst[16], role[16], *argv[10];
	int		 sp[2], argc = 0;
	sigset_t	 set;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("%s: socketpair", __func__);
	snprintf(inst, sizeof(inst), "%u", c->instance);
	strlcpy(role, role_names[c->role], sizeof(role));
	argv[argc++] = "wsd";
	argv[argc++] = "-P";
	argv[argc++] = role;
	argv[argc++] = "-I";
	argv[argc++] = inst;
	if (debug)
		argv[argc++] = "-d";
	if (sbdebug)
		argv[argc++] = "-S";
	if (verbose)
		argv[argc++] = verbose > 1 ? "-vv" : "-v";
	argv[argc] = NULL;

	switch (c->pid = fork()) {
	case -1:
		fatal("%s: fork", __func__);
	case 0:
		/* The parent blocks signals while it forks; undo that. */
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		if (sp[1] == WSD_PARENT_FD) {
			if (fcntl(sp[1], F_SETFD, 0) == -1)
				_exit(1);
		} else if (dup2(sp[1], WSD_PARENT_FD) == -1)
			_exit(1);
		proc_exec(argv);
		_exit(127);
	}
	close(sp[1]);
	c->chan_fd = sp[0];
}

/*
 * One channel between a handshake process and a worker: every handshake
 * process gets one to every worker, and nothing else, so the two roles
 * never share a channel with another of their kind.
 */
void
proc_pair(struct child *hs, struct child *wk)
{
	struct ipc_peer	 peer;
	int		 sp[2];

	if (hs->chan == NULL || wk->chan == NULL)
		return;		/* one of them is gone; its respawn pairs */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("%s: socketpair", __func__);
	memset(&peer, 0, sizeof(peer));
	peer.role = ROLE_WORKER;
	peer.instance = wk->instance;
	peer.pid = wk->pid;
	if (ipc_compose(hs->chan, IPC_PEER, &peer, sizeof(peer), NULL, 0,
	    sp[0]) == -1)
		log_warnx("%s: cannot send peer to %s", __func__, hs->name);
	peer.role = ROLE_HANDSHAKE;
	peer.instance = hs->instance;
	peer.pid = hs->pid;
	if (ipc_compose(wk->chan, IPC_PEER, &peer, sizeof(peer), NULL, 0,
	    sp[1]) == -1)
		log_warnx("%s: cannot send peer to %s", __func__, wk->name);
}
