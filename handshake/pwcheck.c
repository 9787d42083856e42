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
 * The handshake process's side of the password processes: a channel to
 * each, and the checks it has sent each that are not answered yet. At
 * most PW_INFLIGHT_MAX wait at one process; with every process full, a
 * new check is refused (503) rather than queued without bound, which is
 * what a client guessing passwords as fast as it can would get from us.
 */

#include <sys/types.h>

#include <event.h>
#include <stdio.h>
#include <string.h>

#include "handshake.h"

static void	 pw_answer(struct ipc_chan *, struct ipc_msg *, void *);
static void	 pw_drop(unsigned int);

static const struct ipc_handlers pw_handlers = { .h = {
	[IPC_PW_RESULT] = pw_answer,
} };

static int
pw_index(struct ipc_chan *chan)
{
	struct hs_passwords	*p = &hs_env.passwords;
	unsigned int		 i;

	for (i = 0; i < p->n; i++)
		if (p->chan[i] == chan)
			return (i);
	return (-1);
}

static unsigned int
pw_inflight(unsigned int i)
{
	unsigned int	 k, n = 0;

	for (k = 0; k < PW_INFLIGHT_MAX; k++)
		if (hs_env.passwords.pending[i][k] != 0)
			n++;
	return (n);
}

/* The channel to password process i goes, and its checks: 503 each. */
static void
pw_drop(unsigned int i)
{
	struct hs_passwords	*p = &hs_env.passwords;

	if (p->chan[i] == NULL)
		return;
	ipc_chan_free(p->chan[i]);
	p->chan[i] = NULL;
	memset(p->pending[i], 0, sizeof(p->pending[i]));
	hs_pw_lost(i);
}

static void
pw_lost(struct ipc_chan *chan, void *arg)
{
	int	 i;

	if ((i = pw_index(chan)) == -1) {
		ipc_chan_free(chan);
		return;
	}
	log_warnx("lost channel to %s", chan->name);
	pw_drop(i);
}

void
pwcheck_add(struct ipc_msg *msg, const struct ipc_peer *peer)
{
	struct hs_passwords	*p = &hs_env.passwords;
	unsigned int		 i = peer->instance;

	/* A respawned process replaces one whose loss we may not know yet. */
	pw_drop(i);
	snprintf(p->name[i], sizeof(p->name[i]), "password[%u]", i);
	if ((p->chan[i] = ipc_chan_new(hs_env.base, msg->fd, p->name[i],
	    END_HANDSHAKE, END_PASSWORD, &pw_handlers, NULL)) == NULL)
		fatal("%s: channel", __func__);
	p->chan[i]->closed = pw_lost;
	if (i >= p->n)
		p->n = i + 1;
}

/* A process beyond a reduced count gets no more checks. */
void
pwcheck_retire(const struct ipc_peer *peer)
{
	pw_drop(peer->instance);
}

/*
 * Send r's check for connection id to the least busy process: its index,
 * with *waited set if the check queues behind another; -1 if every one
 * is full, or there is none.
 */
int
pwcheck_send(uint64_t id, const struct auth_result *r, int *waited)
{
	struct hs_passwords	*p = &hs_env.passwords;
	struct ipc_pw_check	 req;
	unsigned int		 i, n, least = PW_INFLIGHT_MAX, k;
	int			 best = -1;

	for (i = 0; i < p->n; i++)
		if (p->chan[i] != NULL && (n = pw_inflight(i)) < least) {
			best = i;
			least = n;
		}
	if (best == -1)
		return (-1);
	memset(&req, 0, sizeof(req));
	req.id = id;
	strlcpy(req.hash, r->hash, sizeof(req.hash));
	if (ipc_compose(p->chan[best], IPC_PW_CHECK, &req, sizeof(req),
	    r->password, r->passlen, -1) == -1)
		return (-1);
	for (k = 0; p->pending[best][k] != 0; k++)
		;
	p->pending[best][k] = id;
	*waited = least > 0;
	return (best);
}

/*
 * An answer, for a check this process has and has not answered yet
 * (its client may have timed out meanwhile). Any other answer is a
 * process gone wrong: we drop our channel to it.
 */
static void
pw_answer(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct hs_passwords	*p = &hs_env.passwords;
	struct ipc_pw_result	 res;
	unsigned int		 k;
	int			 i;

	if ((i = pw_index(chan)) == -1)
		return;
	memcpy(&res, msg->data, sizeof(res));
	for (k = 0; k < PW_INFLIGHT_MAX; k++)
		if (res.id != 0 && p->pending[i][k] == res.id)
			break;
	if (k == PW_INFLIGHT_MAX) {
		log_warnx("%s answered a check it was not given: channel "
		    "closed", chan->name);
		pw_drop(i);
		return;
	}
	p->pending[i][k] = 0;
	hs_pw_answer(i, res.id, res.ok == 1);
}
