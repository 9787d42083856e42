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
 * What every child does, whatever its role: start-up, the messages every
 * role gets from the parent, and the event loop.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsd.h"

static void
child_parent_lost(struct ipc_chan *chan, void *arg)
{
	/* Nobody is left to log to. */
	_exit(0);
}

/* The channel to the parent; its argument is cr, for the handlers. */
struct ipc_chan *
child_init(const struct child_role *cr, int debug, int verbose,
    struct event_base **basep)
{
	struct ipc_chan	*chan;
	struct stat	 st;

	if (fstat(WSD_PARENT_FD, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		/* Started by hand with -P: there is no parent to serve. */
		log_init(1, verbose);
		fatalx("the %s role is started by the wsd parent only",
		    role_names[cr->role]);
	}
	setproctitle("%s", role_names[cr->role]);
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
	hostile_init(debug);

	if ((*basep = event_init()) == NULL)
		fatalx("%s: event_init", __func__);
	if ((chan = ipc_chan_new(*basep, WSD_PARENT_FD, "parent",
	    (enum ipc_end)cr->role, END_PARENT, cr->handlers,
	    (void *)(uintptr_t)cr)) == NULL)
		fatal("%s: channel", __func__);
	chan->closed = child_parent_lost;
	return (chan);
}

__dead void
child_run(struct event_base *base)
{
	event_base_dispatch(base);
	exit(0);
}

/* At start and at every reload. */
void
child_on_config(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	const struct child_role	*cr = arg;

	memcpy(cr->conf, msg->data, sizeof(*cr->conf));
	log_setverbose(cr->conf->verbose);
}

void
child_on_verbose(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	int32_t	 level;

	memcpy(&level, msg->data, sizeof(level));
	log_setverbose(level);
}

/* Everything has arrived: from here on, only what the role holds. */
void
child_on_start(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	const struct child_role	*cr = arg;

	if (cr->prepare != NULL)
		cr->prepare();
	sandbox(cr->role, cr->conf);
	cr->serve();
	ipc_compose(chan, IPC_READY, NULL, 0, NULL, 0, -1);
	hostile_start(cr->role, event_get_base(chan->ev_read), cr->conf);
}
