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
 * The OpenBSD half of the sandbox: pledge(2) with the promises each role
 * needs once it holds all its descriptors, and unveil(2) for what it may
 * still see of the file system. Compiled by the tests against the
 * prototypes (regress/t_portable.sh), but not run on OpenBSD yet.
 */

#ifdef __OpenBSD__

#include <sys/types.h>

#include <unistd.h>

#include "wsd.h"

static const struct sandbox_self	*sandbox_self;

void
sandbox_os_init(int trap)
{
	/* pledge(2) names a refused call itself: nothing to set up. */
	(void)trap;
}

void
sandbox_os_self(const struct sandbox_self *self)
{
	sandbox_self = self;
}

/*
 * The parent reads files named by a configuration it reloads, so it
 * keeps the whole tree, read-only; it may execute only our binary and
 * remove only in the control socket's directory.
 */
static void
sandbox_unveil_parent(void)
{
	if (unveil("/", "r") == -1 ||
	    unveil(sandbox_self->exe, "x") == -1 ||
	    unveil(sandbox_self->ctldir, "c") == -1)
		fatal("%s: unveil", __func__);
}

void
sandbox_os(enum wsd_role role)
{
	const char	*promises;

	switch (role) {
	case ROLE_PARENT:
		/*
		 * stdio: the loop, logging (sendsyslog(2)). rpath: the
		 * configuration, certificates and keys, read again at
		 * reload. cpath: the control socket, removed at exit.
		 * inet: listeners bound at reload. dns: names in them.
		 * unix: wsctl on the control socket. sendfd: listeners
		 * and channels to the children. proc exec: respawn; the
		 * children pledge for themselves after exec.
		 */
		promises = "stdio rpath cpath inet dns unix sendfd proc exec";
		sandbox_unveil_parent();
		break;
	case ROLE_HANDSHAKE:
		/*
		 * stdio: the loop, reads and writes, malloc, getentropy for
		 * libtls. inet: accept(2) on the listeners it was given.
		 * recvfd: listeners and channels from the parent. sendfd:
		 * the client socket, or a socketpair end, to a worker.
		 */
		promises = "stdio inet recvfd sendfd";
		break;
	case ROLE_WORKER:
		/*
		 * stdio: the loop, reads and writes, malloc. recvfd: the
		 * connections from the handshake processes. No inet: it
		 * never makes or accepts a connection.
		 */
		promises = "stdio recvfd";
		break;
	case ROLE_PASSWORD:
		/*
		 * stdio: the loop, malloc, bcrypt_checkpass(3). recvfd:
		 * the channels to the handshake processes.
		 */
		promises = "stdio recvfd";
		break;
	default:
		fatalx("%s: no sandbox for this role", __func__);
	}
	/* The children see nothing of the file system after set-up. */
	if (role != ROLE_PARENT && unveil("/", "") == -1)
		fatal("%s: unveil", __func__);
	if (unveil(NULL, NULL) == -1)
		fatal("%s: unveil", __func__);
	if (pledge(promises, NULL) == -1)
		fatal("%s: pledge", __func__);
}

#endif /* __OpenBSD__ */
