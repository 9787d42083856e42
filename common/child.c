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

/* What every child does first, whatever its role. */

#include <sys/types.h>
#include <sys/stat.h>

#include <event.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "wsd.h"

static void
child_parent_lost(struct ipc_chan *chan, void *arg)
{
	(void)chan;
	(void)arg;
	/* Nobody is left to log to. */
	_exit(0);
}

struct ipc_chan *
child_start(enum wsd_role role, int debug, int verbose, uint64_t accept,
    ipc_handler handler, struct event_base **basep)
{
	struct ipc_chan	*chan;
	struct stat	 st;

	if (fstat(WSD_PARENT_FD, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		/* Started by hand with -P: there is no parent to serve. */
		log_init(1, verbose);
		fatalx("the %s role is started by the wsd parent only",
		    role_names[role]);
	}
	setproctitle("%s", role_names[role]);
	/* Lines go to the parent: no syslog socket in a sandboxed process. */
	log_init(1, verbose);
	log_to_parent(WSD_PARENT_FD);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * The parent decides when children stop: a signal to the whole
	 * process group (^C, kill -TERM -pgid) reaches it too, and it shuts
	 * them down in order, with 1001 to every connection.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	if ((*basep = event_init()) == NULL)
		fatalx("%s: event_init", __func__);
	if ((chan = ipc_chan_new(*basep, WSD_PARENT_FD, "parent", accept,
	    handler, NULL)) == NULL)
		fatal("%s: channel", __func__);
	chan->closed = child_parent_lost;
	return (chan);
}
