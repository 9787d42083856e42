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
 * The privileged parent: binds the listeners, starts the children, pushes
 * the configuration to them, writes every log line and stops them all.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "parent.h"

#define LISTEN_BACKLOG	1024

static struct event_base	*base;
static struct wsd_config	*conf;
static struct child		*children;
static unsigned int		 nchildren;
static int			 shutting_down;
static int			 exit_status;
static int			 all_ready;
static struct event		*ev_kill;
static const char		*conf_path;
static unsigned int		 reload_waiting;	/* handshakes to confirm */
static struct ipc_chan		*reload_chan;
static int			 opt_debug, opt_verbose;
static time_t			 role_deaths[ROLE_MAX][CRASH_LOOP_DEATHS + 1];
static unsigned int		 role_ndeaths[ROLE_MAX];
static struct ipc_tls_ticket	 tickets[WSD_TICKET_KEYS];	/* newest 1st */
static unsigned int		 ntickets;
static struct event		*ev_ticket;

static void	 parent_bind(struct wsd_config *);
static void	 parent_configure(struct child *);
static void	 parent_send_config(struct child *);
static void	 parent_send_servers(struct child *);
static void	 parent_configure_tls(struct child *);
static void	 parent_configure_listeners(struct child *);
static void	 parent_send_tickets(struct child *);
static void	 parent_tickets_init(void);
static void	 parent_ticket_rotate(int, short, void *);
static void	 parent_chan_closed(struct ipc_chan *, void *);
static void	 parent_sig(int, short, void *);
static void	 parent_reap(void);
static void	 parent_shutdown(int);
static void	 parent_kill(int, short, void *);
static void	 parent_start_child(struct child *);
static void	 parent_respawn(struct child *);
static void	 parent_resize(enum wsd_role, unsigned int, unsigned int);
static void	 parent_reconfigure(struct child *);
static void	 parent_reload_done(void);
static void	 parent_reload_answered(struct child *);

/* Returns -1, with the reason logged, when the address cannot be had. */
static int
parent_bind_one(struct wsd_listener *l)
{
	char		 addr[64];
	int		 on = 1;
	socklen_t	 len;

	sockaddr_str((struct sockaddr *)&l->ss, addr, sizeof(addr));
	len = l->ss.ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if ((l->fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 ||
	    (l->ss.ss_family == AF_INET6 && setsockopt(l->fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    bind(l->fd, (struct sockaddr *)&l->ss, len) == -1 ||
	    listen(l->fd, LISTEN_BACKLOG) == -1) {
		log_warn("listen on %s", addr);
		if (l->fd != -1)
			close(l->fd);
		l->fd = -1;
		return (-1);
	}
	log_debug("listening on %s%s", addr, l->tls ? " tls" : "");
	return (0);
}

static void
parent_bind(struct wsd_config *c)
{
	struct wsd_listener	*l;

	TAILQ_FOREACH(l, &c->listeners, entry)
		if (parent_bind_one(l) == -1)
			fatalx("cannot listen");
}

/* The listener of old that serves the same address, if any. */
static struct wsd_listener *
listener_match(struct wsd_config *old, const struct wsd_listener *l)
{
	struct wsd_listener	*o;

	TAILQ_FOREACH(o, &old->listeners, entry)
		if (o->fd != -1 && o->tls == l->tls &&
		    sockaddr_same(&o->ss, &l->ss))
			return (o);
	return (NULL);
}

/*
 * Sockets that stay are handed over, so no connection in a listen queue
 * is lost; new addresses are bound first, and if one cannot be, the
 * reload fails with nothing changed.
 */
static int
parent_rebind(struct wsd_config *old, struct wsd_config *nc)
{
	struct wsd_listener	*l, *o;

	TAILQ_FOREACH(l, &nc->listeners, entry)
		if (listener_match(old, l) == NULL &&
		    parent_bind_one(l) == -1) {
			TAILQ_FOREACH(l, &nc->listeners, entry)
				if (l->fd != -1) {
					close(l->fd);
					l->fd = -1;
				}
			return (-1);
		}
	TAILQ_FOREACH(l, &nc->listeners, entry)
		if (l->fd == -1 && (o = listener_match(old, l)) != NULL) {
			l->fd = o->fd;
			o->fd = -1;
		}
	return (0);
}

/* The configuration goes out as a message sequence that ends in start. */
/* The configuration in force, as the message sequence a child reads. */
static void
parent_send_config(struct child *c)
{
	struct ipc_config	 ic;

	memset(&ic, 0, sizeof(ic));
	ic.id_base = c->id_base;
	ic.verbose = log_getverbose();
	ic.prefork_handshake = conf->prefork_handshake;
	ic.prefork_worker = conf->prefork_worker;
	ic.max_header = conf->max_header;
	ic.timeout_handshake = conf->timeout_handshake;
	ic.timeout_shutdown = conf->timeout_shutdown;
	ic.timeout_idle = conf->timeout_idle;
	ic.ping_interval = conf->ping_interval;
	ic.max_message = conf->max_message;
	ic.max_fragments = conf->max_fragments;
	ic.max_rate = conf->max_rate;
	ic.compression = conf->compression;
	ic.max_conns = conf->max_conns;
	ic.max_conns_addr = conf->max_conns_addr;
	ic.ticket_lifetime = ntickets > 0 ? conf->ticket_lifetime : 0;
	ic.privdrop = conf->privdrop;
	ic.uid = conf->uid;
	ic.gid = conf->gid;
	strlcpy(ic.chroot, conf->chroot, sizeof(ic.chroot));
	if (ipc_compose(c->chan, IPC_CONFIG, &ic, sizeof(ic), NULL, 0,
	    -1) == -1)
		fatalx("%s: cannot send config to %s", __func__, c->name);
	if (c->role == ROLE_HANDSHAKE) {
		parent_send_servers(c);
		parent_configure_tls(c);
		parent_send_tickets(c);
		parent_configure_listeners(c);
	}
}

static void
parent_configure(struct child *c)
{
	parent_send_config(c);
	if (ipc_compose(c->chan, IPC_START, NULL, 0, NULL, 0, -1) == -1)
		fatalx("%s: cannot send start to %s", __func__, c->name);
}

/* Settings, then certificate, key and CA of every server with tls. */
static void
parent_configure_tls(struct child *c)
{
	struct wsd_server	*s;
	struct ipc_tls_file	 tf;
	int			 k;

	TAILQ_FOREACH(s, &conf->servers, entry) {
		if (!s->tls)
			continue;
		s->tls_conf.server = s->id;
		if (ipc_compose(c->chan, IPC_TLS_SERVER, &s->tls_conf,
		    sizeof(s->tls_conf), NULL, 0, -1) == -1)
			fatalx("%s: cannot send tls server", __func__);
		for (k = 0; k < TLS_FILE_MAXKIND; k++) {
			if (s->tls_file[k].data == NULL)
				continue;
			tf.server = s->id;
			tf.kind = k;
			if (ipc_compose(c->chan, IPC_TLS_FILE, &tf, sizeof(tf),
			    s->tls_file[k].data, s->tls_file[k].len,
			    -1) == -1)
				fatalx("%s: cannot send tls file", __func__);
		}
	}
}

/*
 * Session-ticket keys, shared by the handshake processes so that a
 * client resumes whichever one it reaches. libtls takes a key to be
 * good for one ticket lifetime from when it was added and keeps the
 * last WSD_TICKET_KEYS; a new key every quarter of the lifetime lets a
 * ticket issued just before a rotation resume for at least three
 * quarters of its lifetime.
 */
static void
parent_ticket_new(void)
{
	explicit_bzero(&tickets[WSD_TICKET_KEYS - 1], sizeof(tickets[0]));
	memmove(&tickets[1], &tickets[0], sizeof(tickets) - sizeof(tickets[0]));
	tickets[0].keyrev = tickets[1].keyrev + 1;
	if (ntickets == 0)
		tickets[0].keyrev = arc4random();
	arc4random_buf(tickets[0].key, sizeof(tickets[0].key));
	if (ntickets < WSD_TICKET_KEYS)
		ntickets++;
}

static void
parent_send_ticket(struct child *c, const struct ipc_tls_ticket *t)
{
	if (ipc_compose(c->chan, IPC_TLS_TICKET, t, sizeof(*t), NULL, 0,
	    -1) == -1)
		fatalx("%s: cannot send ticket key to %s", __func__, c->name);
}

/* Every key still held, oldest first: libtls encrypts with the last. */
static void
parent_send_tickets(struct child *c)
{
	unsigned int	 i;

	for (i = ntickets; i > 0; i--)
		parent_send_ticket(c, &tickets[i - 1]);
}

static void
parent_tickets_init(void)
{
	struct wsd_server	*s;
	struct timeval		 tv;

	TAILQ_FOREACH(s, &conf->servers, entry)
		if (s->tls)
			break;
	if (s == NULL || conf->ticket_lifetime == 0)
		return;
	parent_ticket_new();
	if ((ev_ticket = event_new(base, -1, EV_PERSIST,
	    parent_ticket_rotate, NULL)) == NULL)
		fatalx("%s: event_new", __func__);
	timerclear(&tv);
	tv.tv_sec = conf->ticket_lifetime / 4;
	evtimer_add(ev_ticket, &tv);
}

static void
parent_ticket_rotate(int fd, short event, void *arg)
{
	unsigned int	 i;

	parent_ticket_new();
	for (i = 0; i < nchildren; i++)
		if (children[i].role == ROLE_HANDSHAKE &&
		    !children[i].exited && children[i].chan != NULL)
			parent_send_ticket(&children[i], &tickets[0]);
	log_debug("tls ticket key %u", tickets[0].keyrev);
}

static void
parent_configure_listeners(struct child *c)
{
	struct ipc_listener		 il;
	struct ipc_listener_server	 ils;
	struct wsd_listener		*l;
	unsigned int			 i;
	int				 fd;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		memset(&il, 0, sizeof(il));
		il.ss = l->ss;
		il.server = l->server;
		il.tls = l->tls;
		il.id = l->id;
		if ((fd = dup(l->fd)) == -1)
			fatal("%s: dup", __func__);
		if (ipc_compose(c->chan, IPC_LISTENER, &il, sizeof(il), NULL,
		    0, fd) == -1)
			fatalx("%s: cannot send listener", __func__);
		for (i = 0; i < l->nothers; i++) {
			memset(&ils, 0, sizeof(ils));
			ils.ss = l->ss;
			ils.server = l->others[i];
			if (ipc_compose(c->chan, IPC_LISTENER_SERVER, &ils,
			    sizeof(ils), NULL, 0, -1) == -1)
				fatalx("%s: cannot send listener server",
				    __func__);
		}
	}
}

static void
parent_send(struct child *c, uint32_t type, const void *data, size_t len)
{
	if (ipc_compose(c->chan, type, data, len, NULL, 0, -1) == -1)
		fatalx("%s: cannot send %s to %s", __func__,
		    ipc_type_name(type), c->name);
}

static void
parent_send_protos(struct child *c, uint32_t server, uint32_t location,
    struct wsd_strs *protos)
{
	struct ipc_subproto	 ip;
	struct wsd_str		*e;

	TAILQ_FOREACH(e, protos, entry) {
		memset(&ip, 0, sizeof(ip));
		ip.server = server;
		ip.location = location;
		strlcpy(ip.name, e->s, sizeof(ip.name));
		parent_send(c, IPC_SUBPROTO, &ip, sizeof(ip));
	}
}

static void
parent_send_server(struct child *c, struct wsd_server *s)
{
	struct ipc_server	 is;
	struct ipc_alias	 ia;
	struct ipc_origin	 io;
	struct wsd_alias	*a;
	struct wsd_str		*e;

	memset(&is, 0, sizeof(is));
	is.id = s->id;
	is.flags = s->origin_required ? IPC_SERVER_ORIGIN_REQUIRED : 0;
	is.listeners = s->listeners;
	strlcpy(is.name, s->name, sizeof(is.name));
	strlcpy(is.health, s->health, sizeof(is.health));
	parent_send(c, IPC_SERVER, &is, sizeof(is));
	TAILQ_FOREACH(a, &s->aliases, entry) {
		memset(&ia, 0, sizeof(ia));
		ia.server = s->id;
		strlcpy(ia.name, a->name, sizeof(ia.name));
		parent_send(c, IPC_ALIAS, &ia, sizeof(ia));
	}
	TAILQ_FOREACH(e, &s->origins, entry) {
		memset(&io, 0, sizeof(io));
		io.server = s->id;
		strlcpy(io.origin, e->s, sizeof(io.origin));
		parent_send(c, IPC_ORIGIN, &io, sizeof(io));
	}
	parent_send_protos(c, s->id, WSD_NOLOCATION, &s->protos);
}

/* The server table, for the policy: see IPC_SERVER in wsd.h. */
static void
parent_send_servers(struct child *c)
{
	struct wsd_server	*s;
	struct wsd_location	*l;
	struct ipc_location	 il;

	TAILQ_FOREACH(s, &conf->servers, entry) {
		parent_send_server(c, s);
		TAILQ_FOREACH(l, &s->locations, entry) {
			memset(&il, 0, sizeof(il));
			il.server = s->id;
			il.id = l->id;
			il.max_message = l->max_message;
			strlcpy(il.path, l->path, sizeof(il.path));
			parent_send(c, IPC_LOCATION, &il, sizeof(il));
			parent_send_protos(c, s->id, l->id, &l->protos);
		}
	}
}

/* Admission of a connection a handshake process accepted: limits.c. */
static void
parent_admit(struct child *c, struct ipc_msg *msg)
{
	struct ipc_admit	 ia;
	struct ipc_admit_reply	 ir;

	memcpy(&ia, msg->data, sizeof(ia));
	memset(&ir, 0, sizeof(ir));
	ir.id = ia.id;
	ir.status = limits_admit(c, &ia, conf);
	if (ipc_compose(c->chan, IPC_ADMIT_REPLY, &ir, sizeof(ir), NULL, 0,
	    -1) == -1 && ir.status == 0)
		limits_release(c, ia.id);
}

static void
parent_on_admit(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	parent_admit(arg, msg);
}

static void
parent_on_handoff(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_handoff	 ih;

	memcpy(&ih, msg->data, sizeof(ih));
	limits_handoff(arg, &ih);
}

static void
parent_on_release(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	uint64_t	 id;

	memcpy(&id, msg->data, sizeof(id));
	limits_release(arg, id);
}

static void
parent_on_log(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;
	struct ipc_log	 il;
	char		 text[IPC_LOG_MAX + 1];

	memcpy(&il, msg->data, sizeof(il));
	memcpy(text, msg->data + sizeof(il), msg->len - sizeof(il));
	text[msg->len - sizeof(il)] = '\0';
	log_write(il.priority, c->name, text);
}

static void
parent_on_stats(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;

	memcpy(&c->stats, msg->data, sizeof(c->stats));
}

static void
parent_on_hs_stats(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;

	memcpy(&c->hsstats, msg->data, sizeof(c->hsstats));
}

static void
parent_on_query_reply(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	control_reply(msg);
}

static void
parent_on_ready(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;
	unsigned int	 i;

	/* The first answers its start; any later one, a reload. */
	if (c->ready) {
		parent_reload_answered(c);
		return;
	}
	c->ready = 1;
	if (all_ready)
		log_info("%s (pid %d) is ready", c->name, (int)c->pid);
	/* Every child but the retired: a dead one is not ready. */
	for (i = 0; i < nchildren; i++)
		if (children[i].used && !children[i].retiring &&
		    !children[i].ready)
			return;
	if (!all_ready) {
		all_ready = 1;
		log_info("ready: %u handshake and %u worker processes",
		    conf->prefork_handshake, conf->prefork_worker);
	}
}

static const struct ipc_handlers parent_handlers[ROLE_MAX] = {
	[ROLE_HANDSHAKE] = { .h = {
		[IPC_LOG] = parent_on_log,
		[IPC_READY] = parent_on_ready,
		[IPC_RELEASE] = parent_on_release,
		[IPC_HS_STATS] = parent_on_hs_stats,
		[IPC_ADMIT] = parent_on_admit,
		[IPC_HANDOFF] = parent_on_handoff,
	} },
	[ROLE_WORKER] = { .h = {
		[IPC_LOG] = parent_on_log,
		[IPC_READY] = parent_on_ready,
		[IPC_RELEASE] = parent_on_release,
		[IPC_STATS] = parent_on_stats,
		[IPC_CONN_INFO] = parent_on_query_reply,
		[IPC_QUERY_END] = parent_on_query_reply,
	} },
};

static void
parent_chan_closed(struct ipc_chan *chan, void *arg)
{
	struct child	*c = arg;

	/*
	 * A child that does not read what we send is broken: it is killed
	 * and respawned, and the parent carries on. Its exit status
	 * arrives with SIGCHLD either way.
	 */
	if (chan->broken)
		kill(c->pid, SIGKILL);
	ipc_chan_free(chan);
	c->chan = NULL;
}

static void
parent_sig(int sig, short event, void *arg)
{
	(void)event;
	(void)arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("received signal %d, shutting down", sig);
		parent_shutdown(0);
		break;
	case SIGCHLD:
		parent_reap();
		break;
	case SIGHUP:
		log_info("received SIGHUP, reloading");
		parent_reload(NULL);
		break;
	}
}

static const char *
child_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf, len, "killed by SIGSYS (sandbox violation)");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "stopped (status %d)", status);
	return (buf);
}

static void
parent_reap(void)
{
	char		 how[64];
	unsigned int	 i, alive = 0;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nchildren; i++)
			if (children[i].pid == pid)
				break;
		if (i == nchildren)
			continue;
		children[i].exited = 1;
		/* Its last words (a refused syscall, say) before its death. */
		if (children[i].chan != NULL)
			ipc_chan_drain(children[i].chan);
		/* A reload waits for no dead process; a respawn gets it all. */
		parent_reload_answered(&children[i]);
		limits_child_lost(&children[i]);
		show_child_gone(&children[i]);
		child_status(status, how, sizeof(how));
		if (children[i].retiring)
			log_info("%s (pid %d) retired: %s", children[i].name,
			    pid, how);
		else if (shutting_down && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			log_debug("%s (pid %d) %s", children[i].name, pid, how);
		else {
			log_warnx("lost child: %s (pid %d) %s",
			    children[i].name, pid, how);
			if (!shutting_down)
				parent_respawn(&children[i]);
		}
	}
	for (i = 0; i < nchildren; i++)
		if (!children[i].exited)
			alive++;
	if (shutting_down && alive == 0)
		event_base_loopbreak(base);
}

/*
 * A crash loop is more than CRASH_LOOP_DEATHS deaths of one role within
 * CRASH_LOOP_WINDOW seconds: then respawning only hides a bug, or an
 * attack that kills children, and the daemon stops with an error.
 */
static int
parent_crash_loop(enum wsd_role role)
{
	time_t		*d = role_deaths[role];
	unsigned int	 n = CRASH_LOOP_DEATHS + 1, i = role_ndeaths[role]++;
	time_t		 now = time(NULL);

	d[i % n] = now;
	return (role_ndeaths[role] >= n &&
	    now - d[(i + 1) % n] < CRASH_LOOP_WINDOW);
}

static void
parent_respawn(struct child *c)
{
	unsigned int	 i;

	if (parent_crash_loop(c->role)) {
		log_warnx("%s processes die in a loop: more than %d deaths in "
		    "%d seconds; stopping", role_names[c->role],
		    CRASH_LOOP_DEATHS, CRASH_LOOP_WINDOW);
		parent_shutdown(1);
		return;
	}
	if (c->chan != NULL) {
		ipc_chan_free(c->chan);
		c->chan = NULL;
	}
	c->exited = c->ready = 0;
	parent_start_child(c);
	/* Channels to the other role's processes, then configuration. */
	for (i = 0; i < nchildren; i++) {
		if (children[i].role == c->role || children[i].exited ||
		    children[i].retiring)
			continue;
		if (c->role == ROLE_HANDSHAKE)
			proc_pair(c, &children[i]);
		else
			proc_pair(&children[i], c);
	}
	/* The keys were wiped once sent: a new process needs them again. */
	if (c->role == ROLE_HANDSHAKE && config_read_keys(conf) == -1)
		log_warnx("%s gets no tls key: its tls listeners will fail",
		    c->name);
	parent_configure(c);
	config_wipe_keys(conf);
	log_info("respawned %s as pid %d", c->name, (int)c->pid);
}

/* A slot for a new child: never used, or of a child that retired. */
static struct child *
child_slot(void)
{
	unsigned int	 i;

	for (i = 0; i < CHILDREN_MAX; i++)
		if (!children[i].used || (children[i].retiring &&
		    children[i].exited)) {
			memset(&children[i], 0, sizeof(children[i]));
			if (i >= nchildren)
				nchildren = i + 1;
			return (&children[i]);
		}
	fatalx("%s: no room for another child", __func__);
}

/* Start instance of role, paired with the other role's processes. */
static void
parent_add_child(enum wsd_role role, unsigned int instance)
{
	struct child	*c = child_slot();
	unsigned int	 i;

	c->used = 1;
	c->role = role;
	c->instance = instance;
	snprintf(c->name, sizeof(c->name), "%s[%u]", role_names[role],
	    instance);
	limits_child_init(c);
	parent_start_child(c);
	for (i = 0; i < nchildren; i++) {
		if (children[i].role == role || children[i].exited ||
		    children[i].retiring || !children[i].used)
			continue;
		if (role == ROLE_HANDSHAKE)
			proc_pair(c, &children[i]);
		else
			proc_pair(&children[i], c);
	}
	parent_configure(c);
}

/*
 * A process beyond the new count: it gets the shutdown sequence (a
 * handshake process stops accepting and relays its wss:// connections
 * until they end; a worker closes its connections with 1001), and the
 * handshake processes stop handing connections to a retiring worker.
 */
static void
parent_retire_child(struct child *c)
{
	struct ipc_peer	 peer;
	unsigned int	 i;

	c->retiring = 1;
	if (c->chan != NULL)
		ipc_compose(c->chan, IPC_SHUTDOWN, NULL, 0, NULL, 0, -1);
	if (c->role != ROLE_WORKER)
		return;
	memset(&peer, 0, sizeof(peer));
	peer.role = ROLE_WORKER;
	peer.instance = c->instance;
	peer.pid = c->pid;
	for (i = 0; i < nchildren; i++)
		if (children[i].role == ROLE_HANDSHAKE &&
		    !children[i].exited && children[i].chan != NULL)
			ipc_compose(children[i].chan, IPC_PEER_RETIRE, &peer,
			    sizeof(peer), NULL, 0, -1);
}

/* Take role from n processes to want: start some, or retire some. */
static void
parent_resize(enum wsd_role role, unsigned int n, unsigned int want)
{
	unsigned int	 i, inst;

	for (inst = n; inst < want; inst++)
		parent_add_child(role, inst);
	for (i = 0; i < nchildren; i++)
		if (children[i].used && children[i].role == role &&
		    children[i].instance >= want && !children[i].retiring &&
		    !children[i].exited) {
			log_info("retiring %s", children[i].name);
			parent_retire_child(&children[i]);
		}
}

/*
 * Connection ids are unique for the daemon's life: each handshake
 * process, respawns included, numbers its connections above a base of
 * its own.
 */
static void
parent_start_child(struct child *ch)
{
	static uint64_t	 spawns;

	if (ch->role == ROLE_HANDSHAKE)
		ch->id_base = ++spawns << 40;
	proc_spawn(ch, opt_debug, opt_verbose, conf->sandbox_debug);
	if ((ch->chan = ipc_chan_new(base, ch->chan_fd, ch->name, END_PARENT,
	    (enum ipc_end)ch->role, &parent_handlers[ch->role], ch)) == NULL)
		fatal("%s: channel", __func__);
	ch->chan->closed = parent_chan_closed;
}

static void
parent_shutdown(int status)
{
	struct timeval	 tv;
	unsigned int	 i;

	if (shutting_down)
		return;
	shutting_down = 1;
	exit_status = status;
	for (i = 0; i < nchildren; i++)
		if (!children[i].exited && children[i].chan != NULL)
			ipc_compose(children[i].chan, IPC_SHUTDOWN, NULL, 0,
			    NULL, 0, -1);
	/* Children get the shutdown timeout and a second to exit. */
	timerclear(&tv);
	tv.tv_sec = conf->timeout_shutdown + 1;
	ev_kill = evtimer_new(base, parent_kill, NULL);
	evtimer_add(ev_kill, &tv);
}

static void
parent_kill(int fd, short event, void *arg)
{
	unsigned int	 i;

	(void)fd;
	(void)event;
	(void)arg;
	for (i = 0; i < nchildren; i++)
		if (!children[i].exited) {
			log_warnx("%s (pid %d) did not exit, killing it",
			    children[i].name, children[i].pid);
			kill(children[i].pid, SIGKILL);
		}
}

/* What a running daemon cannot change in place: the reason, or NULL. */
static const char *
reload_unchangeable(const struct wsd_config *nc)
{
	if (strcmp(nc->user, conf->user) != 0)
		return ("the user");
	if (strcmp(nc->chroot, conf->chroot) != 0)
		return ("the chroot directory");
	return (NULL);
}

/*
 * SIGHUP or wsctl reload: load the file again; if it loads, every child
 * is reconfigured in place by messages and new connections get the new
 * configuration; if not, the old one stays in force, whole. chan is the
 * wsctl that asked, answered once the handshake processes confirm.
 */
int
parent_reload(struct ipc_chan *chan)
{
	struct wsd_config	*nc;
	const char		*why;
	unsigned int		 i, old_handshake, old_worker;

	if (shutting_down || reload_waiting) {
		log_warnx("reload refused: %s", shutting_down ?
		    "shutting down" : "a reload is under way");
		return (-1);
	}
	if ((nc = parse_config(conf_path)) == NULL) {
		log_warnx("reload failed: %s not loaded; the configuration "
		    "in force stays", conf_path);
		return (-1);
	}
	/* The control socket stays where it is, -s included. */
	strlcpy(nc->socket, conf->socket, sizeof(nc->socket));
	nc->privdrop = conf->privdrop;
	nc->uid = conf->uid;
	nc->gid = conf->gid;
	nc->sandbox_debug = conf->sandbox_debug;
	if ((why = reload_unchangeable(nc)) != NULL) {
		log_warnx("reload failed: %s cannot change without a "
		    "restart; the configuration in force stays", why);
		config_free(nc);
		return (-1);
	}
	old_handshake = conf->prefork_handshake;
	old_worker = conf->prefork_worker;
	if (parent_rebind(conf, nc) == -1) {
		log_warnx("reload failed: the configuration in force stays");
		config_free(nc);
		return (-1);
	}
	config_free(conf);	/* closes the sockets that went */
	conf = nc;
	reload_chan = chan;
	for (i = 0; i < nchildren; i++)
		parent_reconfigure(&children[i]);
	/* Workers first, so new handshake processes pair with the final set. */
	parent_resize(ROLE_WORKER, old_worker, conf->prefork_worker);
	parent_resize(ROLE_HANDSHAKE, old_handshake, conf->prefork_handshake);
	config_wipe_keys(conf);
	if (reload_waiting == 0)
		parent_reload_done();
	return (0);
}

static void
parent_reconfigure(struct child *c)
{
	/*
	 * One still starting reads this after its start sequence, which
	 * had the old configuration: the channel keeps the order.
	 */
	if (c->exited || c->chan == NULL || c->retiring)
		return;
	if (c->role == ROLE_HANDSHAKE) {
		ipc_compose(c->chan, IPC_RECONF, NULL, 0, NULL, 0, -1);
		parent_send_config(c);
		ipc_compose(c->chan, IPC_RECONF_END, NULL, 0, NULL, 0, -1);
		c->reloading = 1;
		reload_waiting++;
	} else
		parent_send_config(c);
}

/* c has the reload, or will never confirm it: one fewer to wait for. */
static void
parent_reload_answered(struct child *c)
{
	if (!c->reloading)
		return;
	c->reloading = 0;
	if (--reload_waiting == 0)
		parent_reload_done();
}

static void
parent_reload_done(void)
{
	log_info("configuration reloaded");
	if (reload_chan != NULL)
		control_reloaded(reload_chan);
	reload_chan = NULL;
}

/* wsctl went away before its reload was done. */
void
parent_reload_forget(struct ipc_chan *chan)
{
	if (reload_chan == chan)
		reload_chan = NULL;
}

struct child *
parent_children(unsigned int *n)
{
	*n = nchildren;
	return (children);
}

const struct wsd_config *
parent_conf(void)
{
	return (conf);
}

int
parent_stopping(void)
{
	return (shutting_down);
}

/* wsctl log verbose|brief: the parent and every child. */
void
parent_verbose(int level)
{
	int32_t		 v = level;
	unsigned int	 i;

	log_setverbose(level);
	for (i = 0; i < nchildren; i++)
		if (children[i].chan != NULL)
			ipc_compose(children[i].chan, IPC_VERBOSE, &v,
			    sizeof(v), NULL, 0, -1);
}

/* Send q to every live worker; returns how many will answer. */
unsigned int
parent_query(const struct ipc_query *q)
{
	unsigned int	 i, n = 0;

	for (i = 0; i < nchildren; i++)
		if (children[i].role == ROLE_WORKER && !children[i].exited &&
		    children[i].ready && children[i].chan != NULL &&
		    ipc_compose(children[i].chan, IPC_QUERY, q, sizeof(*q),
		    NULL, 0, -1) == 0)
			n++;
	return (n);
}

__dead void
parent_main(struct wsd_config *c, const char *path, struct sandbox_self *self,
    int debug, int verbose)
{
	struct event	*ev_sig[4];
	struct rlimit	 rl;
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGCHLD, SIGHUP };
	unsigned int	 i;
	int		 ctlfd;

	conf = c;
	conf_path = path;
	/* Every connection is a descriptor: take what the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
	}
	opt_debug = debug;
	opt_verbose = verbose;
	setproctitle("%s", role_names[ROLE_PARENT]);
	signal(SIGPIPE, SIG_IGN);
	/* Errors in binding still reach the terminal: detach after. */
	parent_bind(conf);
	ctlfd = control_init(conf->socket, self);
	log_init(debug, verbose);
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");

	if ((base = event_init()) == NULL)
		fatalx("event_init");
	for (i = 0; i < 4; i++) {
		ev_sig[i] = evsignal_new(base, sigs[i], parent_sig, NULL);
		evsignal_add(ev_sig[i], NULL);
	}

	/* Set up: from now on, only what respawn and reload need. */
	sandbox_init(conf->sandbox_debug, debug);
	sandbox_parent(self);

	parent_tickets_init();
	if ((children = calloc(CHILDREN_MAX, sizeof(*children))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < CHILDREN_MAX; i++)
		children[i].exited = 1;		/* a free slot */
	parent_resize(ROLE_WORKER, 0, conf->prefork_worker);
	parent_resize(ROLE_HANDSHAKE, 0, conf->prefork_handshake);
	/* The messages hold the only copies now; they are wiped once sent. */
	config_wipe_keys(conf);
	control_listen(base, ctlfd);

	event_base_dispatch(base);

	control_cleanup();
	explicit_bzero(tickets, sizeof(tickets));
	log_info("%s", exit_status ? "terminating with an error" :
	    "terminating");
	exit(exit_status);
}
