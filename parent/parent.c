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
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
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

static void	 parent_bind(struct wsd_config *);
static void	 parent_configure(struct child *);
static void	 parent_configure_tls(struct child *);
static void	 parent_configure_listeners(struct child *);
static void	 parent_dispatch(struct ipc_chan *, struct ipc_msg *, void *);
static void	 parent_chan_closed(struct ipc_chan *, void *);
static void	 parent_sig(int, short, void *);
static void	 parent_reap(void);
static void	 parent_shutdown(int);
static void	 parent_kill(int, short, void *);

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
	ic.privdrop = conf->privdrop;
	ic.uid = conf->uid;
	ic.gid = conf->gid;
	strlcpy(ic.chroot, conf->chroot, sizeof(ic.chroot));
	if (ipc_compose(c->chan, IPC_CONFIG, &ic, sizeof(ic), NULL, 0,
	    -1) == -1)
		fatalx("%s: cannot send config to %s", __func__, c->name);
	if (c->role == ROLE_HANDSHAKE) {
		parent_configure_tls(c);
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
	case IPC_READY:
		c->ready = 1;
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
				parent_shutdown(1);
		}
	}
	for (i = 0; i < nchildren; i++)
		if (!children[i].exited)
			alive++;
	if (shutting_down && alive == 0)
		event_base_loopbreak(base);
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

void
parent_summary(struct ipc_chan *chan)
{
	struct wsd_server	*s;
	struct wsd_listener	*l;
	char			 line[SERVER_NAME_MAX + 64], addr[64];
	unsigned int		 i;

	TAILQ_FOREACH(s, &conf->servers, entry) {
		snprintf(line, sizeof(line), "server %s", s->name);
		ipc_compose(chan, IPC_CTL_DATA, line, strlen(line), NULL, 0,
		    -1);
	}
	TAILQ_FOREACH(l, &conf->listeners, entry) {
		snprintf(line, sizeof(line), "listen %s%s",
		    sockaddr_str((struct sockaddr *)&l->ss, addr,
		    sizeof(addr)), l->tls ? " tls" : "");
		ipc_compose(chan, IPC_CTL_DATA, line, strlen(line), NULL, 0,
		    -1);
	}
	snprintf(line, sizeof(line), "%-10s %-8s %-8s %s", "ROLE",
	    "INSTANCE", "PID", "STATE");
	ipc_compose(chan, IPC_CTL_DATA, line, strlen(line), NULL, 0, -1);
	snprintf(line, sizeof(line), "%-10s %-8s %-8d %s", "parent", "-",
	    (int)getpid(), shutting_down ? "stopping" : "running");
	ipc_compose(chan, IPC_CTL_DATA, line, strlen(line), NULL, 0, -1);
	for (i = 0; i < nchildren; i++) {
		snprintf(line, sizeof(line), "%-10s %-8u %-8d %s",
		    role_names[children[i].role], children[i].instance,
		    (int)children[i].pid, children[i].exited ? "exited" :
		    children[i].ready ? "ready" : "starting");
		ipc_compose(chan, IPC_CTL_DATA, line, strlen(line), NULL, 0,
		    -1);
	}
}

__dead void
parent_main(struct wsd_config *c, const char *exe, int debug, int verbose)
{
	struct event	*ev_sig[4];
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGCHLD, SIGHUP };
	unsigned int	 i, n;
	int		 ctlfd;

	conf = c;
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
		proc_spawn(ch, exe, debug, verbose, conf->sandbox_debug);
		if ((ch->chan = ipc_chan_new(base, ch->chan_fd, ch->name,
		    IPC_BIT(IPC_LOG) | IPC_BIT(IPC_READY), parent_dispatch,
		    ch)) == NULL)
			fatal("%s: channel", __func__);
		ch->chan->closed = parent_chan_closed;
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
	log_info("%s", exit_status ? "terminating after losing a child" :
	    "terminating");
	exit(exit_status);
}
