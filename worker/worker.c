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
 * The worker process: receives upgraded connections from the handshake
 * processes and runs each one's session (session.c) over its socket
 * (wconn.c); reports its counters, answers wsctl's queries through the
 * parent, keeps the once-a-second tick, and shuts down.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"


_Static_assert(WS_ERR_MAX <= STATS_ERRORS, "ipc_stats has no room for errors");

struct wk_env		 wk_env;

static const struct ipc_handlers wk_handshake_handlers = { .h = {
	[IPC_CONN] = wconn_new,
} };

/* Closed connections' counters plus the open ones', for wsctl. */
static void
wk_report(void)
{
	struct ipc_stats	 st = wk_env.stats;
	struct ws_counts	 n;
	struct wconn		*c;
	struct wconns		*lists[2] = { &wk_env.active, &wk_env.closing };
	int			 i;

	for (i = 0; i < 2; i++)
		TAILQ_FOREACH(c, lists[i], entry) {
			wconn_counts(c, &n);
			st.msgs_in += n.msgs_in;
			st.msgs_out += n.msgs_out;
			st.bytes_in += n.bytes_in;
			st.bytes_out += n.bytes_out;
		}
	ipc_compose(wk_env.parent_chan, IPC_STATS, &st, sizeof(st), NULL, 0, -1);
}

static void
wk_tick(int fd, short event, void *arg)
{
	uint32_t	 now = now_sec();

	wk_report();
	wconn_tick(now);
	if (TAILQ_EMPTY(&wk_env.active) && TAILQ_EMPTY(&wk_env.closing))
		wbuf_pool_trim(0);
}

static void
wk_shutdown_timeout(int fd, short event, void *arg)
{
	log_info("shutdown timeout: dropping the remaining connections");
	ipc_flush_blocking(wk_env.parent_chan, 1000);
	exit(0);
}

/* Every connection gets close 1001; exit once they are done or late. */
static void
wk_shutdown(void)
{
	struct wconn	*c, *next;
	struct timeval	 tv;

	wk_env.shutting_down = 1;
	if (wk_idle()) {
		ipc_flush_blocking(wk_env.parent_chan, 1000);
		exit(0);
	}
	TAILQ_FOREACH_SAFE(c, &wk_env.active, entry, next)
		wconn_expire(c, WS_CLOSE_GOING_AWAY, "shutting down");
	timerclear(&tv);
	tv.tv_sec = wk_env.wconf.timeout_shutdown;
	event_base_once(wk_env.base, -1, EV_TIMEOUT, wk_shutdown_timeout, NULL,
	    &tv);
}

/* A handshake process that exits takes only its channel with it. */
static void
wk_handshake_lost(struct ipc_chan *chan, void *arg)
{
	unsigned int	 i;

	for (i = 0; i < WSD_MAXPROC; i++)
		if (wk_env.handshakes[i] == chan)
			wk_env.handshakes[i] = NULL;
	ipc_chan_free(chan);
}

static void
wk_add_handshake(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_peer	 peer;

	memcpy(&peer, msg->data, sizeof(peer));
	if (peer.role != ROLE_HANDSHAKE || peer.instance >= WSD_MAXPROC) {
		log_warnx("%s: unexpected peer", __func__);
		close(msg->fd);
		return;
	}
	/* A respawned process replaces one whose loss we may not know yet. */
	if (wk_env.handshakes[peer.instance] != NULL)
		ipc_chan_free(wk_env.handshakes[peer.instance]);
	snprintf(wk_env.hs_names[peer.instance], sizeof(wk_env.hs_names[0]),
	    "handshake[%u]", peer.instance);
	if ((wk_env.handshakes[peer.instance] = ipc_chan_new(wk_env.base, msg->fd,
	    wk_env.hs_names[peer.instance], END_WORKER, END_HANDSHAKE,
	    &wk_handshake_handlers, NULL)) == NULL)
		fatal("%s: channel", __func__);
	wk_env.handshakes[peer.instance]->closed = wk_handshake_lost;
}

static void
wk_serve(void)
{
	struct timeval	 tv;

	timerclear(&tv);
	tv.tv_sec = 1;
	if ((wk_env.ev_tick = event_new(wk_env.base, -1, EV_PERSIST, wk_tick,
	    NULL)) == NULL || event_add(wk_env.ev_tick, &tv) == -1)
		fatalx("%s: tick", __func__);
}

static void
wk_conn_info(struct wconn *c, uint32_t reqid, uint32_t now)
{
	struct ipc_conn_info	 ci;
	struct ws_counts	 n;

	memset(&ci, 0, sizeof(ci));
	ci.reqid = reqid;
	ci.state = c->s != NULL ? c->s->state : WS_OPEN;
	ci.id = c->id;
	ci.peer.ss_family = c->family;
	if (c->family == AF_INET) {
		memcpy(&((struct sockaddr_in *)&ci.peer)->sin_addr, c->addr, 4);
		((struct sockaddr_in *)&ci.peer)->sin_port = htons(c->port);
	} else {
		memcpy(&((struct sockaddr_in6 *)&ci.peer)->sin6_addr, c->addr,
		    16);
		((struct sockaddr_in6 *)&ci.peer)->sin6_port = htons(c->port);
	}
	ci.age = now - c->start;
	ci.idle = c->list == WL_ACTIVE ? now - c->last : 0;
	ci.deflate = c->s != NULL && c->s->pmd != NULL;
	ci.server = c->server;
	ci.location = c->location == UINT16_MAX ? WSD_NOLOCATION :
	    c->location;
	ci.tls = c->tls;
	if (c->identity != NULL)
		strlcpy(ci.identity, c->identity, sizeof(ci.identity));
	wconn_counts(c, &n);
	ci.msgs_in = n.msgs_in;
	ci.msgs_out = n.msgs_out;
	ci.bytes_in = n.bytes_in;
	ci.bytes_out = n.bytes_out;
	ipc_compose(wk_env.parent_chan, IPC_CONN_INFO, &ci, sizeof(ci), NULL, 0,
	    -1);
}

static void
wk_kill(struct wconn *c)
{
	log_info("connection %llu: killed by wsctl", (unsigned long long)c->id);
	if (c->list == WL_LINGER)
		wconn_close(c);
	else
		wconn_expire(c, WS_CLOSE_POLICY, "killed");
}

/*
 * wsctl show connections and kill, through the parent. Lingering ones
 * still hold a socket, so they are shown too.
 */
static void
wk_query(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_query	 q;
	struct ipc_query_end	 end;
	struct wconn		*c;
	struct wconns		*lists[3] = { &wk_env.active, &wk_env.closing,
				    &wk_env.linger };
	uint32_t		 now = now_sec();
	int			 i;

	memcpy(&q, msg->data, sizeof(q));
	memset(&end, 0, sizeof(end));
	end.reqid = q.reqid;
	for (i = 0; i < 3 && !end.found; i++)
		TAILQ_FOREACH(c, lists[i], entry) {
			if (q.kind == QUERY_CONNECTIONS)
				wk_conn_info(c, q.reqid, now);
			else if (q.kind == QUERY_KILL && c->id == q.id) {
				end.found = 1;
				wk_kill(c);
				break;
			}
		}
	ipc_compose(wk_env.parent_chan, IPC_QUERY_END, &end, sizeof(end), NULL, 0,
	    -1);
}

static void
wk_on_shutdown(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	wk_shutdown();
}

static const struct ipc_handlers wk_parent_handlers = { .h = {
	[IPC_CONFIG] = child_on_config,
	[IPC_VERBOSE] = child_on_verbose,
	[IPC_START] = child_on_start,
	[IPC_PEER] = wk_add_handshake,
	[IPC_SHUTDOWN] = wk_on_shutdown,
	[IPC_QUERY] = wk_query,
} };

static const struct child_role wk_role = {
	ROLE_WORKER, &wk_parent_handlers, &wk_env.wconf, NULL, wk_serve
};

__dead void
worker_main(unsigned int inst, int debug, int verbose)
{
	/* Initialised here, not statically, so that wk_env stays in bss. */
	TAILQ_INIT(&wk_env.active);
	TAILQ_INIT(&wk_env.closing);
	TAILQ_INIT(&wk_env.linger);
	TAILQ_INIT(&wk_env.full);
	TAILQ_INIT(&wk_env.ka_wait);
	TAILQ_INIT(&wk_env.ka_ping);
	wk_env.parent_chan = child_init(&wk_role, debug, verbose, &wk_env.base);
	child_run(wk_env.base);
}
