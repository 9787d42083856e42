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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"

/*
 * sbdebug passes WSD_SANDBOX_DEBUG on as -S: the children inherit the
 * environment too, but a flag shows in ps and is read in one place.
 */
void
proc_spawn(struct child *c, const char *exe, int debug, int verbose,
    int sbdebug)
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
		closefrom(WSD_PARENT_FD + 1);
		execv(exe, argv);
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
