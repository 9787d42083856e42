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
#include "../worker/worker.h"

#define LISTEN_BACKLOG	1024

static struct event_base	*base;
static struct wsd_config	*conf;
static struct child		*children;
static unsigned int		 nchildren;
static int			 shutting_down;
static int			 exit_status;
static int			 all_ready;
static struct event		*ev_kill;
static const char		*self_exe;
static int			 opt_debug, opt_verbose;
static time_t			 role_deaths[ROLE_MAX][CRASH_LOOP_DEATHS + 1];
static unsigned int		 role_ndeaths[ROLE_MAX];
static struct ipc_tls_ticket	 tickets[WSD_TICKET_KEYS];	/* newest 1st */
static unsigned int		 ntickets;
static struct event		*ev_ticket;

static void	 parent_bind(struct wsd_config *);
static void	 parent_configure(struct child *);
static void	 parent_send_servers(struct child *);
static void	 parent_configure_tls(struct child *);
static void	 parent_configure_listeners(struct child *);
static void	 parent_send_tickets(struct child *);
static void	 parent_tickets_init(void);
static void	 parent_ticket_rotate(int, short, void *);
static void	 parent_dispatch(struct ipc_chan *, struct ipc_msg *, void *);
static void	 parent_chan_closed(struct ipc_chan *, void *);
static void	 parent_sig(int, short, void *);
static void	 parent_reap(void);
static void	 parent_shutdown(int);
static void	 parent_kill(int, short, void *);
static void	 parent_start_child(struct child *);
static void	 parent_respawn(struct child *);

static void
parent_bind(struct wsd_config *c)
{
	struct wsd_listener	*l;
	char			 addr[64];
	int			 on = 1;
	socklen_t		 len;

	TAILQ_FOREACH(l, &c->listeners, entry) {
		sockaddr_str((struct sockaddr *)&l->ss, addr, sizeof(addr));
		if ((l->fd = socket(l->ss.ss_family, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
			fatal("socket %s", addr);
		if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == -1)
			fatal("SO_REUSEADDR %s", addr);
		if (l->ss.ss_family == AF_INET6 && setsockopt(l->fd,
		    IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
			fatal("IPV6_V6ONLY %s", addr);
		len = l->ss.ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (bind(l->fd, (struct sockaddr *)&l->ss, len) == -1)
			fatal("bind %s", addr);
		if (listen(l->fd, LISTEN_BACKLOG) == -1)
			fatal("listen %s", addr);
		log_debug("listening on %s%s", addr, l->tls ? " tls" : "");
	}
}

/* The configuration goes out as a message sequence that ends in start. */
static void
parent_configure(struct child *c)
{
	struct ipc_config	 ic;

	memset(&ic, 0, sizeof(ic));
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

static void
parent_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;
	struct ipc_log	 il;
	char		 text[IPC_LOG_MAX + 1];
	unsigned int	 i;

	(void)chan;
	switch (msg->type) {
	case IPC_LOG:
		memcpy(&il, msg->data, sizeof(il));
		memcpy(text, msg->data + sizeof(il), msg->len - sizeof(il));
		text[msg->len - sizeof(il)] = '\0';
		log_write(il.priority, c->name, text);
		break;
	case IPC_STATS:
		memcpy(&c->stats, msg->data, sizeof(c->stats));
		break;
	case IPC_CONN_INFO:
	case IPC_QUERY_END:
		control_reply(msg);
		break;
	case IPC_READY:
		c->ready = 1;
		if (all_ready)
			log_info("%s (pid %d) is ready", c->name, (int)c->pid);
		for (i = 0; i < nchildren; i++)
			if (!children[i].ready)
				return;
		if (!all_ready) {
			all_ready = 1;
			log_info("ready: %u handshake and %u worker processes",
			    conf->prefork_handshake, conf->prefork_worker);
		}
		break;
	}
}

static void
parent_chan_closed(struct ipc_chan *chan, void *arg)
{
	struct child	*c = arg;

	/* Its exit status arrives with SIGCHLD. */
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
		log_warnx("reload is not available in this version; ignored");
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
		child_status(status, how, sizeof(how));
		if (shutting_down && WIFEXITED(status) &&
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
		if (children[i].role == c->role || children[i].exited)
			continue;
		if (c->role == ROLE_HANDSHAKE)
			proc_pair(c, &children[i]);
		else
			proc_pair(&children[i], c);
	}
	parent_configure(c);
	log_info("respawned %s as pid %d", c->name, (int)c->pid);
}

static void
parent_start_child(struct child *ch)
{
	proc_spawn(ch, self_exe, opt_debug, opt_verbose, conf->sandbox_debug);
	if ((ch->chan = ipc_chan_new(base, ch->chan_fd, ch->name,
	    IPC_BIT(IPC_LOG) | IPC_BIT(IPC_READY) | (ch->role == ROLE_WORKER ?
	    IPC_BIT(IPC_STATS) | IPC_BIT(IPC_CONN_INFO) |
	    IPC_BIT(IPC_QUERY_END) : 0), parent_dispatch, ch)) == NULL)
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
parent_main(struct wsd_config *c, const char *exe, int debug, int verbose)
{
	struct event	*ev_sig[4];
	struct rlimit	 rl;
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGCHLD, SIGHUP };
	unsigned int	 i, n;
	int		 ctlfd;

	conf = c;
	self_exe = exe;
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
	ctlfd = control_init(conf->socket);
	log_init(debug, verbose);
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");

	if ((base = event_init()) == NULL)
		fatalx("event_init");
	for (i = 0; i < 4; i++) {
		ev_sig[i] = evsignal_new(base, sigs[i], parent_sig, NULL);
		evsignal_add(ev_sig[i], NULL);
	}

	parent_tickets_init();
	nchildren = conf->prefork_handshake + conf->prefork_worker;
	if ((children = calloc(nchildren, sizeof(*children))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < nchildren; i++) {
		struct child	*ch = &children[i];

		ch->role = i < conf->prefork_handshake ? ROLE_HANDSHAKE :
		    ROLE_WORKER;
		ch->instance = ch->role == ROLE_HANDSHAKE ? i :
		    i - conf->prefork_handshake;
		snprintf(ch->name, sizeof(ch->name), "%s[%u]",
		    role_names[ch->role], ch->instance);
		parent_start_child(ch);
	}
	n = conf->prefork_handshake;
	proc_mesh(children, n, children + n, conf->prefork_worker);
	for (i = 0; i < nchildren; i++)
		parent_configure(&children[i]);
	/* The messages hold the only copies now; they are wiped once sent. */
	config_wipe_keys(conf);
	control_listen(base, ctlfd);

	event_base_dispatch(base);

	control_cleanup(conf->socket);
	explicit_bzero(tickets, sizeof(tickets));
	log_info("%s", exit_status ? "terminating with an error" :
	    "terminating");
	exit(exit_status);
}
