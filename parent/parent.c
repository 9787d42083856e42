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

#include <event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"

struct parent_env	*env;

/* For the service manager: the daemon serves on, as it did before. */
#define RELOAD_FAILED	"reload failed; the configuration in force stays"

static void	 parent_sig(int, short, void *);
static void	 parent_reload_done(void);
static void	 parent_reload_timeout(int, short, void *);

/* Admission of a connection a handshake process accepted: limits.c. */
static void
parent_admit(struct child *c, struct ipc_msg *msg)
{
	struct ipc_admit	 ia;
	struct ipc_admit_reply	 ir;

	memcpy(&ia, msg->data, sizeof(ia));
	memset(&ir, 0, sizeof(ir));
	ir.id = ia.id;
	ir.status = limits_admit(c, &ia, env->conf);
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
	struct child		*c = arg;
	struct ipc_handoff	 ih;

	memcpy(&ih, msg->data, sizeof(ih));
	/* The accept line comes with it: one message, one wake-up. */
	log_child_attached(msg->data + sizeof(ih), msg->len - sizeof(ih),
	    c->name);
	limits_handoff(c, &ih);
}

static void
parent_on_release(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;
	uint64_t	 id;

	memcpy(&id, msg->data, sizeof(id));
	log_child_attached(msg->data + sizeof(id), msg->len - sizeof(id),
	    c->name);
	limits_release(c, id);
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
	log_child(il.priority, c->name, text);
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
	control_reply(arg, msg);
}

/*
 * The first ready of a child answers its start; a later one, a reload.
 * The daemon is ready once every child is.
 */
static void
parent_on_ready(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;

	if (c->state != CHILD_STARTING) {
		parent_reload_answered(c);
		return;
	}
	child_set_state(c, CHILD_READY);
	env->failed_starts[c->role] = 0;
	if (env->all_ready) {
		log_info("%s (pid %d) is ready", c->name, (int)c->pid);
		return;
	}
	if (child_next(NULL, ROLE_ANY, CHILD_BIT(CHILD_STARTING) |
	    CHILD_BIT(CHILD_DEAD)) != NULL)
		return;
	env->all_ready = 1;
	if (proc_want(env->conf, ROLE_PASSWORD) > 0)
		log_info("ready: %u handshake, %u worker and %u password "
		    "processes", env->conf->prefork_handshake,
		    env->conf->prefork_worker,
		    proc_want(env->conf, ROLE_PASSWORD));
	else
		log_info("ready: %u handshake and %u worker processes",
		    env->conf->prefork_handshake, env->conf->prefork_worker);
	notify_ready("ready");
}

const struct ipc_handlers parent_handlers[ROLE_MAX] = {
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
	[ROLE_PASSWORD] = { .h = {
		[IPC_LOG] = parent_on_log,
		[IPC_READY] = parent_on_ready,
	} },
};

static void
parent_sig(int sig, short event, void *arg)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("received signal %d, shutting down", sig);
		parent_shutdown(0);
		break;
	case SIGCHLD:
		proc_reap();
		break;
	case SIGHUP:
		log_info("received SIGHUP, reloading");
		parent_reload(NULL);
		break;
	}
}

void
parent_shutdown(int status)
{
	struct child	*c;
	struct timeval	 tv;

	if (env->stopping)
		return;
	env->stopping = 1;
	env->exit_status = status;
	notify_stopping();
	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_RUNNING)
		if (c->chan != NULL)
			ipc_compose(c->chan, IPC_SHUTDOWN, NULL, 0, NULL, 0,
			    -1);
	/* Children get the shutdown timeout and a second to exit. */
	timerclear(&tv);
	tv.tv_sec = env->conf->timeout_shutdown + 1;
	env->ev_kill = evtimer_new(env->base, proc_kill_all, NULL);
	evtimer_add(env->ev_kill, &tv);
}

/* What a running daemon cannot change in place: the reason, or NULL. */
static const char *
reload_unchangeable(const struct wsd_config *nc)
{
	if (strcmp(nc->user, env->conf->user) != 0)
		return ("the user");
	if (strcmp(nc->chroot, env->conf->chroot) != 0)
		return ("the chroot directory");
	return (NULL);
}

/*
 * SIGHUP or wsctl reload: load the file again; if it loads, every child
 * is reconfigured in place by messages and new connections get the new
 * configuration; if not, the old one stays in force, whole. chan is the
 * wsctl that asked, answered once the handshake processes confirm, or
 * once RELOAD_WAIT has passed and those that did not were killed.
 */
int
parent_reload(struct ipc_chan *chan)
{
	struct wsd_config	*nc, *conf = env->conf;
	struct child		*c;
	struct timeval		 tv;
	const char		*why;
	unsigned int		 old_handshake, old_worker, old_password;

	if (env->stopping || env->reload_waiting) {
		log_warnx("reload refused: %s", env->stopping ?
		    "shutting down" : "a reload is under way");
		return (-1);
	}
	notify_reloading();
	if ((nc = parse_config(env->conf_path)) == NULL) {
		log_warnx("reload failed: %s not loaded; the configuration "
		    "in force stays", env->conf_path);
		notify_reloaded(RELOAD_FAILED);
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
		notify_reloaded(RELOAD_FAILED);
		return (-1);
	}
	old_handshake = conf->prefork_handshake;
	old_worker = conf->prefork_worker;
	old_password = proc_want(conf, ROLE_PASSWORD);
	if (config_rebind(conf, nc) == -1) {
		log_warnx("reload failed: the configuration in force stays");
		config_free(nc);
		notify_reloaded(RELOAD_FAILED);
		return (-1);
	}
	config_free(conf);	/* closes the sockets that went */
	env->conf = nc;
	env->reload_chan = chan;
	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_LIVE)
		if (c->chan != NULL)
			config_reload(c);
	/* Their peers first, so new handshake processes pair with the final set. */
	proc_resize(ROLE_WORKER, old_worker, nc->prefork_worker);
	proc_resize(ROLE_PASSWORD, old_password, proc_want(nc, ROLE_PASSWORD));
	proc_resize(ROLE_HANDSHAKE, old_handshake, nc->prefork_handshake);
	config_wipe_keys(nc);
	if (env->reload_waiting == 0) {
		parent_reload_done();
		return (0);
	}
	timerclear(&tv);
	tv.tv_sec = RELOAD_WAIT;
	evtimer_add(env->ev_reload, &tv);
	return (0);
}

/* c has the reload, or will never confirm it: one fewer to wait for. */
void
parent_reload_answered(struct child *c)
{
	if (!c->reloading)
		return;
	c->reloading = 0;
	if (--env->reload_waiting == 0)
		parent_reload_done();
}

/*
 * A child that has not confirmed a reload in RELOAD_WAIT seconds is
 * broken (stopped, or stuck): the reload ends without it, and it is
 * killed, so that its respawn starts with the new configuration.
 */
static void
parent_reload_timeout(int fd, short event, void *arg)
{
	struct child	*c;

	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_RUNNING)
		if (c->reloading) {
			log_warnx("%s (pid %d) did not confirm the reload in "
			    "%d seconds; killing it", c->name, (int)c->pid,
			    RELOAD_WAIT);
			kill(c->pid, SIGKILL);
			parent_reload_answered(c);
		}
}

static void
parent_reload_done(void)
{
	evtimer_del(env->ev_reload);
	log_info("configuration reloaded");
	notify_reloaded("configuration reloaded");
	if (env->reload_chan != NULL)
		control_reloaded(env->reload_chan);
	env->reload_chan = NULL;
}

/* wsctl went away before its reload was done. */
void
parent_reload_forget(struct ipc_chan *chan)
{
	if (env->reload_chan == chan)
		env->reload_chan = NULL;
}

/* wsctl log verbose|brief: the parent and every child. */
void
parent_verbose(int level)
{
	struct child	*c;
	int32_t		 v = level;

	log_setverbose(level);
	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_RUNNING)
		if (c->chan != NULL)
			ipc_compose(c->chan, IPC_VERBOSE, &v, sizeof(v), NULL,
			    0, -1);
}

/*
 * Send q to every worker that serves, at most max of them; they go into
 * asked, and only they may answer. Returns how many will.
 */
unsigned int
parent_query(const struct ipc_query *q, struct ctl_asked *asked,
    unsigned int max)
{
	struct child	*c;
	unsigned int	 n = 0;

	CHILD_FOREACH(c, ROLE_WORKER, CHILD_BIT(CHILD_READY) |
	    CHILD_BIT(CHILD_RETIRING))
		if (n < max && c->chan != NULL && ipc_compose(c->chan,
		    IPC_QUERY, q, sizeof(*q), NULL, 0, -1) == 0) {
			asked[n].c = c;
			asked[n].pid = c->pid;
			asked[n++].done = 0;
		}
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

	env->conf = c;
	env->conf_path = path;
	env->debug = debug;
	env->verbose = verbose;
	/* Every connection is a descriptor: take what the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
	}
	setproctitle("%s", role_names[ROLE_PARENT]);
	signal(SIGPIPE, SIG_IGN);
	notify_init();
	/* Errors in binding still reach the terminal: detach after. */
	config_bind(c);
	ctlfd = control_init(c->socket, self);
	log_init(debug, verbose);
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");

	if ((env->base = event_init()) == NULL)
		fatalx("event_init");
	for (i = 0; i < 4; i++) {
		ev_sig[i] = evsignal_new(env->base, sigs[i], parent_sig, NULL);
		evsignal_add(ev_sig[i], NULL);
	}
	if ((env->ev_reload = evtimer_new(env->base, parent_reload_timeout,
	    NULL)) == NULL)
		fatalx("%s: evtimer_new", __func__);

	/* Set up: from now on, only what respawn and reload need. */
	sandbox_init(c->sandbox_debug, debug);
	sandbox_parent(self);

	tickets_init();
	if ((env->children = calloc(CHILDREN_MAX,
	    sizeof(*env->children))) == NULL)
		fatal("%s", __func__);
	proc_resize(ROLE_WORKER, 0, c->prefork_worker);
	proc_resize(ROLE_PASSWORD, 0, proc_want(c, ROLE_PASSWORD));
	proc_resize(ROLE_HANDSHAKE, 0, c->prefork_handshake);
	/* The messages hold the only copies now; they are wiped once sent. */
	config_wipe_keys(c);
	control_listen(env->base, ctlfd);

	event_base_dispatch(env->base);

	control_cleanup();
	explicit_bzero(env->tickets, sizeof(env->tickets));
	log_info("%s", env->exit_status ? "terminating with an error" :
	    "terminating");
	exit(env->exit_status);
}
