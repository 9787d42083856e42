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
 * The handshake process: accepts connections, runs the TLS handshake on
 * a tls listener, reads the request head within a size limit and a
 * deadline, answers 101 or an error, and hands an upgraded connection to
 * a worker with the bytes read past the head: the socket itself for
 * ws://, one end of a socketpair for wss:// (relay.c).
 *
 * This file is the process: the configuration generations and their
 * listeners, the workers, the parent's messages, reload and shutdown.
 * A connection's way from accept to hand-off is in conn.c.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "handshake.h"

#define ACCEPT_PAUSE	1	/* seconds, when out of descriptors */

struct hs_env	 hs_env = {
	.conns = TAILQ_HEAD_INITIALIZER(hs_env.conns),
	.admitting = TAILQ_HEAD_INITIALIZER(hs_env.admitting),
	.checking = TAILQ_HEAD_INITIALIZER(hs_env.checking)
};

static void	 hs_worker_lost(struct ipc_chan *, void *);
static void	 hs_dispatch_worker(struct ipc_chan *, struct ipc_msg *,
		    void *);
static void	 hs_accept_resume(int, short, void *);
static void	 hs_report(int, short, void *);
static void	 hs_shutdown(void);
static void	 hs_reload(void);

static const struct ipc_handlers hs_worker_handlers = { .h = {
	[IPC_CLOSED] = hs_dispatch_worker,
} };

static struct hs_gen *
hs_gen_new(void)
{
	struct hs_gen	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		fatal("%s", __func__);
	TAILQ_INIT(&g->listeners);
	TAILQ_INIT(&g->servers);
	return (g);
}

void
hs_gen_free(struct hs_gen *g)
{
	struct hs_listener	*l;

	while ((l = TAILQ_FIRST(&g->listeners)) != NULL) {
		TAILQ_REMOVE(&g->listeners, l, entry);
		event_free(l->ev);
		if (l->fd != -1)
			close(l->fd);
		tls_free(l->tls);
		free(l->others);
		free(l);
	}
	servers_free(&g->servers);
	free(g);
}

/* Stop accepting on g's listeners; free it once no handshake uses it. */
static void
hs_gen_retire(struct hs_gen *g)
{
	struct hs_listener	*l;

	g->retired = 1;
	TAILQ_FOREACH(l, &g->listeners, entry) {
		event_del(l->ev);
		close(l->fd);
		l->fd = -1;
	}
	if (g->refs == 0)
		hs_gen_free(g);
}

/* Configuration messages go to the reload under way, if there is one. */
static struct hs_gen *
hs_gen_target(void)
{
	return (hs_env.incoming != NULL ? hs_env.incoming : hs_env.gen);
}

static void
hs_listeners_enable(int on)
{
	struct hs_listener	*l;

	TAILQ_FOREACH(l, &hs_env.gen->listeners, entry) {
		if (on)
			event_add(l->ev, NULL);
		else
			event_del(l->ev);
	}
}

static void
hs_add_listener(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct hs_listener	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("%s", __func__);
	memcpy(&l->conf, msg->data, sizeof(l->conf));
	l->gen = hs_gen_target();
	l->fd = msg->fd;
	if (fd_nonblock(l->fd) == -1)
		fatal("%s: fd_nonblock", __func__);
	if ((l->ev = event_new(hs_env.base, l->fd, EV_READ | EV_PERSIST,
	    hs_accept, l)) == NULL)
		fatalx("%s: event_new", __func__);
	TAILQ_INSERT_TAIL(&l->gen->listeners, l, entry);
	if (hs_env.started && l->gen == hs_env.gen)
		event_add(l->ev, NULL);
}

static void
hs_add_listener_server(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_listener_server	 ils;
	struct hs_listener		*l;
	uint32_t			*o;

	memcpy(&ils, msg->data, sizeof(ils));
	TAILQ_FOREACH(l, &hs_gen_target()->listeners, entry)
		if (memcmp(&l->conf.ss, &ils.ss, sizeof(ils.ss)) == 0)
			break;
	if (l == NULL) {
		log_warnx("%s: no such listener", __func__);
		return;
	}
	if ((o = reallocarray(l->others, l->nothers + 1,
	    sizeof(*o))) == NULL)
		fatal("%s", __func__);
	o[l->nothers++] = ils.server;
	l->others = o;
}

/*
 * Every tls listener gets its context before the sandbox, then the key
 * copies go: from here on only OpenSSL's structures hold the keys.
 */
static void
hs_tls_contexts(struct hs_gen *g)
{
	struct hs_listener	*l;

	TAILQ_FOREACH(l, &g->listeners, entry)
		if (l->conf.tls && l->tls == NULL)
			l->tls = hs_tls_listener(l->conf.server, l->others,
			    l->nothers, &l->conf.ss,
			    hs_env.conf.ticket_lifetime);
	hs_tls_wipe();
}

/* A channel to a worker, or to a password process. */
static void
hs_add_peer(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct hs_workers	*w = &hs_env.workers;
	struct ipc_peer		 peer;
	unsigned int		 i;

	memcpy(&peer, msg->data, sizeof(peer));
	if ((peer.role != ROLE_WORKER && peer.role != ROLE_PASSWORD) ||
	    peer.instance >= WSD_MAXPROC) {
		log_warnx("%s: unexpected peer", __func__);
		close(msg->fd);
		return;
	}
	if (peer.role == ROLE_PASSWORD) {
		pwcheck_add(msg, &peer);
		return;
	}
	i = peer.instance;
	/*
	 * A respawned worker replaces one whose loss we may not know yet;
	 * what we handed to the dead one died with it.
	 */
	if (w->chan[i] != NULL)
		ipc_chan_free(w->chan[i]);
	w->load[i] = 0;
	w->pid[i] = peer.pid;
	snprintf(w->name[i], sizeof(w->name[i]), "worker[%u]", i);
	if ((w->chan[i] = ipc_chan_new(hs_env.base, msg->fd, w->name[i],
	    END_HANDSHAKE, END_WORKER, &hs_worker_handlers, NULL)) == NULL)
		fatal("%s: channel", __func__);
	w->chan[i]->closed = hs_worker_lost;
	if (i >= w->n)
		w->n = i + 1;
}

/* A worker beyond a reduced count takes no more connections. */
static void
hs_retire_peer(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct hs_workers	*w = &hs_env.workers;
	struct ipc_peer		 peer;

	memcpy(&peer, msg->data, sizeof(peer));
	if (peer.role == ROLE_PASSWORD && peer.instance < WSD_MAXPROC) {
		pwcheck_retire(&peer);
		return;
	}
	if (peer.role != ROLE_WORKER || peer.instance >= WSD_MAXPROC ||
	    w->chan[peer.instance] == NULL)
		return;
	ipc_chan_free(w->chan[peer.instance]);
	w->chan[peer.instance] = NULL;
	w->load[peer.instance] = 0;
}

/* A worker that went away gets no more connections. */
static void
hs_worker_lost(struct ipc_chan *chan, void *arg)
{
	struct hs_workers	*w = &hs_env.workers;
	unsigned int		 i;

	for (i = 0; i < w->n; i++)
		if (w->chan[i] == chan) {
			log_warnx("lost channel to %s", chan->name);
			w->chan[i] = NULL;
		}
	ipc_chan_free(chan);
}

/*
 * A worker closed a connection we handed to it; if that worker holds
 * the other end of a relay, the relay follows. ws:// closes, which only
 * count for the balance, come counted, once a second.
 */
static void
hs_dispatch_worker(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct hs_workers	*w = &hs_env.workers;
	struct ipc_closed	 cl;
	unsigned int		 i;

	memcpy(&cl, msg->data, sizeof(cl));
	for (i = 0; i < w->n; i++) {
		if (w->chan[i] != chan)
			continue;
		if (cl.id == 0) {
			w->load[i] -= cl.count < w->load[i] ? cl.count :
			    w->load[i];
			continue;
		}
		if (w->load[i] > 0)
			w->load[i]--;
		relay_worker_closed(cl.id, i, cl.reset != 0);
	}
}

/* The server table changes before start, and then only by a reload. */
static void
hs_add_server_item(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	const char	*errstr;

	if (hs_env.started && hs_env.incoming == NULL) {
		log_warnx("%s: %s outside a reload ignored", __func__,
		    ipc_type_name(msg->type));
		return;
	}
	if (servers_add(&hs_gen_target()->servers, msg->type, msg->data,
	    msg->len, &errstr) == -1)
		fatalx("%s: %s: %s", __func__, ipc_type_name(msg->type),
		    errstr);
}

/* A network whose balancers may send PROXY headers. */
static void
hs_add_proxy_from(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct hs_gen	*g = hs_gen_target();
	struct proxy_net n;

	memcpy(&n, msg->data, sizeof(n));
	if ((n.family != AF_INET || n.prefixlen > 32) &&
	    (n.family != AF_INET6 || n.prefixlen > 128))
		fatalx("%s: bad network", __func__);
	if (g->nproxy_from >= WSD_PROXY_NETS_MAX)
		fatalx("%s: too many networks", __func__);
	g->proxy_from[g->nproxy_from++] = n;
}

/* Everything has arrived: contexts made while files can still be read. */
static void
hs_prepare(void)
{
	if (hs_env.conf.max_header == 0 || hs_env.workers.n == 0 ||
	    TAILQ_EMPTY(&hs_env.gen->servers))
		fatalx("start before configuration");
	hs_tls_contexts(hs_env.gen);
	relay_init(hs_env.base, hs_env.conf.timeout_shutdown);
}

static void
hs_serve(void)
{
	hs_env.started = 1;
	hs_listeners_enable(1);
}

static void
hs_on_reconf(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	if (!hs_env.started || hs_env.incoming != NULL) {
		log_warnx("%s: unexpected reload", __func__);
		return;
	}
	hs_env.incoming = hs_gen_new();
}

static void
hs_on_reconf_end(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	hs_reload();
}

static void
hs_on_shutdown(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	hs_shutdown();
}

static void
hs_on_tls_server(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	hs_tls_server(msg);
}

static void
hs_on_tls_file(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	hs_tls_file(msg);
}

static void
hs_on_tls_ticket(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	hs_tls_ticket(msg);
}

static const struct ipc_handlers hs_parent_handlers = { .h = {
	[IPC_CONFIG] = child_on_config,
	[IPC_VERBOSE] = child_on_verbose,
	[IPC_START] = child_on_start,
	[IPC_LISTENER] = hs_add_listener,
	[IPC_LISTENER_SERVER] = hs_add_listener_server,
	[IPC_TLS_SERVER] = hs_on_tls_server,
	[IPC_TLS_FILE] = hs_on_tls_file,
	[IPC_TLS_TICKET] = hs_on_tls_ticket,
	[IPC_PEER] = hs_add_peer,
	[IPC_PEER_RETIRE] = hs_retire_peer,
	[IPC_SERVER] = hs_add_server_item,
	[IPC_ALIAS] = hs_add_server_item,
	[IPC_ORIGIN] = hs_add_server_item,
	[IPC_LOCATION] = hs_add_server_item,
	[IPC_SUBPROTO] = hs_add_server_item,
	[IPC_AUTH] = hs_add_server_item,
	[IPC_AUTH_TOKEN] = hs_add_server_item,
	[IPC_AUTH_BASIC] = hs_add_server_item,
	[IPC_PROXY_FROM] = hs_add_proxy_from,
	[IPC_RECONF] = hs_on_reconf,
	[IPC_RECONF_END] = hs_on_reconf_end,
	[IPC_ADMIT_REPLY] = hs_admitted,
	[IPC_SHUTDOWN] = hs_on_shutdown,
} };

static const struct child_role hs_role = {
	ROLE_HANDSHAKE, &hs_parent_handlers, &hs_env.conf, hs_prepare,
	hs_serve
};

/*
 * The reload has all arrived: make its TLS contexts, then swap. The old
 * listeners stop accepting (the parent closes the sockets that went);
 * handshakes under way finish with the configuration they began with.
 */
static void
hs_reload(void)
{
	struct hs_gen	*old = hs_env.gen;

	if (hs_env.incoming == NULL ||
	    TAILQ_EMPTY(&hs_env.incoming->servers)) {
		log_warnx("%s: incomplete reload ignored", __func__);
		return;
	}
	hs_tls_forget();
	hs_tls_contexts(hs_env.incoming);
	hs_env.gen = hs_env.incoming;
	hs_env.incoming = NULL;
	hs_gen_retire(old);
	hs_listeners_enable(1);
	log_debug("new configuration in place");
	ipc_compose(hs_env.parent, IPC_READY, NULL, 0, NULL, 0, -1);
}

/* Out of descriptors: stop accepting a while rather than spin. */
void
hs_accept_pause(void)
{
	struct timeval	 tv;

	hs_listeners_enable(0);
	timerclear(&tv);
	tv.tv_sec = ACCEPT_PAUSE;
	evtimer_add(hs_env.ev_accept_pause, &tv);
}

static void
hs_accept_resume(int fd, short event, void *arg)
{
	hs_listeners_enable(1);
}

/* Counters for wsctl, once a second when they moved. */
static void
hs_report(int fd, short event, void *arg)
{
	if (memcmp(&hs_env.stats, &hs_env.stats_sent,
	    sizeof(hs_env.stats)) == 0)
		return;
	if (ipc_compose(hs_env.parent, IPC_HS_STATS, &hs_env.stats,
	    sizeof(hs_env.stats), NULL, 0, -1) == 0)
		hs_env.stats_sent = hs_env.stats;
}

static void
hs_exit(void)
{
	ipc_flush_blocking(hs_env.parent,
	    hs_env.conf.timeout_shutdown * 1000);
	exit(0);
}

static void
hs_shutdown_timeout(int fd, short event, void *arg)
{
	log_info("shutdown timeout: dropping %u tls connections",
	    relay_count());
	hs_exit();
}

/*
 * Stop accepting, drop handshakes in progress, deliver hand-offs; then
 * relay until the workers have said goodbye (close 1001) over every
 * wss:// connection, or the shutdown timeout passes.
 */
static void
hs_shutdown(void)
{
	struct timeval	 tv;
	unsigned int	 i;
	int		 wait_ms = hs_env.conf.timeout_shutdown * 1000;

	hs_listeners_enable(0);
	hs_close_all();
	for (i = 0; i < hs_env.workers.n; i++)
		if (hs_env.workers.chan[i] != NULL)
			ipc_flush_blocking(hs_env.workers.chan[i], wait_ms);
	timerclear(&tv);
	tv.tv_sec = hs_env.conf.timeout_shutdown;
	event_base_once(hs_env.base, -1, EV_TIMEOUT, hs_shutdown_timeout,
	    NULL, &tv);
	relay_on_empty(hs_exit);
}

__dead void
handshake_main(unsigned int inst, int debug, int verbose)
{
	struct timeval	 tv;

	hs_env.gen = hs_gen_new();
	hs_env.workers.next = inst;	/* spread the first hand-offs */
	hs_env.parent = child_init(&hs_role, debug, verbose, &hs_env.base);
	hs_tls_init();
	console_init();
	if (auth_init() == -1)
		fatal("%s: auth_init", __func__);
	if ((hs_env.ev_accept_pause = evtimer_new(hs_env.base,
	    hs_accept_resume, NULL)) == NULL ||
	    (hs_env.refusals.ev = evtimer_new(hs_env.base,
	    hs_refusals_summary, NULL)) == NULL ||
	    (hs_env.ev_stats = event_new(hs_env.base, -1, EV_PERSIST,
	    hs_report, NULL)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	timerclear(&tv);
	tv.tv_sec = 1;
	event_add(hs_env.ev_stats, &tv);
	child_run(hs_env.base);
}
