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
 * Children: their life cycle (start, pairing, respawn, crash loop,
 * resize, retire, reap), as one state per child. Each one is the same
 * binary executed again with a role flag, so it gets a fresh address
 * space layout and inherits nothing but stdio and its channel to the
 * parent on fd 3.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parent.h"

extern char	**environ;

static void	 proc_exec(char **);
static void	 proc_spawn(struct child *);
static void	 proc_pair(struct child *, struct child *);
static void	 proc_chan_closed(struct ipc_chan *, void *);

/* From each state, the states a child may go to. */
static const unsigned int child_moves[CHILD_NSTATES] = {
	[CHILD_FREE] = CHILD_BIT(CHILD_STARTING),
	[CHILD_STARTING] = CHILD_BIT(CHILD_READY) |
	    CHILD_BIT(CHILD_RETIRING) | CHILD_BIT(CHILD_DEAD),
	[CHILD_READY] = CHILD_BIT(CHILD_RETIRING) | CHILD_BIT(CHILD_DEAD),
	[CHILD_RETIRING] = CHILD_BIT(CHILD_RETIRED),
	[CHILD_RETIRED] = CHILD_BIT(CHILD_STARTING),
	[CHILD_DEAD] = CHILD_BIT(CHILD_STARTING) | CHILD_BIT(CHILD_RETIRED),
};

static const char child_state_names[CHILD_NSTATES][10] = {
	"free", "starting", "ready", "retiring", "retired", "exited"
};

/*
 * Children are started from the very binary the parent runs. On Linux
 * that is /proc/self/exe, opened once: it stays the same file when a
 * package upgrade replaces the one on disk, and executing it through its
 * descriptor is the only exec the parent's filter allows. Elsewhere it
 * is the absolute path we were started with.
 */
void
proc_init(const char *argv0, struct sandbox_self *self)
{
#ifdef __linux__
	int	 fd;

	if ((fd = open("/proc/self/exe", O_PATH | O_CLOEXEC)) == -1)
		fatal("cannot open /proc/self/exe to start the children "
		    "(is /proc mounted?)");
	/* Above the children's channel (fd 3), which proc_spawn() sets. */
	if ((env->self_fd = fcntl(fd, F_DUPFD_CLOEXEC,
	    WSD_PARENT_FD + 1)) == -1)
		fatal("%s: F_DUPFD_CLOEXEC", __func__);
	close(fd);
#else
	env->self_fd = -1;
#endif
	if (env->self_fd == -1 && argv0[0] != '/')
		fatalx("need an absolute path to re-execute: %s", argv0);
	env->self_path = argv0;
	self->exe = env->self_path;
	self->exe_fd = env->self_fd;
}

/* In the child, after fork: only returns if the exec failed. */
static void
proc_exec(char **argv)
{
#ifdef __linux__
	/* Everything but the channel and the binary goes; exec closes that. */
	if (env->self_fd > WSD_PARENT_FD + 1)
		close_range(WSD_PARENT_FD + 1, env->self_fd - 1, 0);
	close_range(env->self_fd + 1, ~0U, 0);
	syscall(SYS_execveat, env->self_fd, "", argv, environ, AT_EMPTY_PATH);
#else
	closefrom(WSD_PARENT_FD + 1);
	execv(env->self_path, argv);
#endif
}

/*
 * WSD_SANDBOX_DEBUG goes on as -S: the children inherit the environment
 * too, but a flag shows in ps and is read in one place.
 */
static void
proc_spawn(struct child *c)
{
	char		 inst[16], role[16], *argv[10];
	int		 sp[2], argc = 0;
	sigset_t	 set;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("%s: socketpair", __func__);
	snprintf(inst, sizeof(inst), "%u", c->instance);
	strlcpy(role, role_names[c->role], sizeof(role));
	argv[argc++] = "wsd";
	argv[argc++] = "-P";
	argv[argc++] = role;
	argv[argc++] = "-I";
	argv[argc++] = inst;
	if (env->debug)
		argv[argc++] = "-d";
	if (env->conf->sandbox_debug)
		argv[argc++] = "-S";
	if (env->verbose)
		argv[argc++] = env->verbose > 1 ? "-vv" : "-v";
	argv[argc] = NULL;

	switch (c->pid = fork()) {
	case -1:
		fatal("%s: fork", __func__);
	case 0:
		/* The parent blocks signals while it forks; undo that. */
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		if (sp[1] == WSD_PARENT_FD) {
			if (fcntl(sp[1], F_SETFD, 0) == -1)
				_exit(1);
		} else if (dup2(sp[1], WSD_PARENT_FD) == -1)
			_exit(1);
		proc_exec(argv);
		_exit(127);
	}
	close(sp[1]);
	c->chan_fd = sp[0];
}

/*
 * One channel between a handshake process and a worker or a password
 * process: every handshake process gets one to each of those, and
 * nothing else, so that no two workers or password processes share a
 * channel, and neither of those roles has one to the other.
 */
static void
proc_pair(struct child *hs, struct child *wk)
{
	struct ipc_peer	 peer;
	int		 sp[2];

	if (hs->chan == NULL || wk->chan == NULL)
		return;		/* one of them is gone; its respawn pairs */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("%s: socketpair", __func__);
	memset(&peer, 0, sizeof(peer));
	peer.role = wk->role;
	peer.instance = wk->instance;
	peer.pid = wk->pid;
	ipc_compose(hs->chan, IPC_PEER, &peer, sizeof(peer), NULL, 0, sp[0]);
	peer.role = ROLE_HANDSHAKE;
	peer.instance = hs->instance;
	peer.pid = hs->pid;
	ipc_compose(wk->chan, IPC_PEER, &peer, sizeof(peer), NULL, 0, sp[1]);
}

/* The next child after prev (NULL: the first) of role in states. */
struct child *
child_next(struct child *prev, enum wsd_role role, unsigned int states)
{
	struct child	*c = prev == NULL ? env->children : prev + 1;

	for (; c < env->children + env->nchildren; c++)
		if ((states & CHILD_BIT(c->state)) != 0 &&
		    (role == ROLE_ANY || c->role == role))
			return (c);
	return (NULL);
}

void
child_set_state(struct child *c, enum child_state to)
{
	if ((child_moves[c->state] & CHILD_BIT(to)) == 0)
		fatalx("%s: %s cannot go from %s to %s", __func__, c->name,
		    child_state_names[c->state], child_state_names[to]);
	c->state = to;
}

const char *
child_state_name(const struct child *c)
{
	return (child_state_names[c->state]);
}

/* A slot for a new child: never used, or of a child that retired. */
static struct child *
child_slot(void)
{
	struct child	*c;
	unsigned int	 i;

	for (i = 0; i < CHILDREN_MAX; i++) {
		c = &env->children[i];
		if (c->state != CHILD_FREE && c->state != CHILD_RETIRED)
			continue;
		if (c->ev_respawn != NULL)
			event_free(c->ev_respawn);
		memset(c, 0, sizeof(*c));
		c->state = CHILD_FREE;
		if (i >= env->nchildren)
			env->nchildren = i + 1;
		return (c);
	}
	fatalx("%s: no room for another child", __func__);
}

/*
 * Start c's process with a channel to it, pair it with the other role's
 * live processes, and send it the configuration. Connection ids are
 * unique for the daemon's life: each handshake process, respawns
 * included, numbers its connections above a base of its own.
 */
static void
proc_start(struct child *c)
{
	struct child	*o;

	child_set_state(c, CHILD_STARTING);
	if (c->role == ROLE_HANDSHAKE)
		c->id_base = ++env->spawns << 40;
	proc_spawn(c);
	if ((c->chan = ipc_chan_new(env->base, c->chan_fd, c->name,
	    END_PARENT, (enum ipc_end)c->role, &parent_handlers[c->role],
	    c)) == NULL)
		fatal("%s: channel", __func__);
	c->chan->closed = proc_chan_closed;
	CHILD_FOREACH(o, ROLE_ANY, CHILDREN_LIVE) {
		if (c->role == ROLE_HANDSHAKE && o->role != ROLE_HANDSHAKE)
			proc_pair(c, o);
		else if (c->role != ROLE_HANDSHAKE && o->role == ROLE_HANDSHAKE)
			proc_pair(o, c);
	}
	config_start(c);
}

/*
 * A child that does not read what we send is broken: it is killed and
 * respawned, and the parent carries on. Its exit status arrives with
 * SIGCHLD either way.
 */
static void
proc_chan_closed(struct ipc_chan *chan, void *arg)
{
	struct child	*c = arg;

	if (chan->broken)
		kill(c->pid, SIGKILL);
	ipc_chan_free(chan);
	c->chan = NULL;
}

static void
proc_add(enum wsd_role role, unsigned int instance)
{
	struct child	*c = child_slot();

	c->role = role;
	c->instance = instance;
	snprintf(c->name, sizeof(c->name), "%s[%u]", role_names[role],
	    instance);
	proc_start(c);
}

/*
 * A process beyond the new count: it gets the shutdown sequence (a
 * handshake process stops accepting and relays its wss:// connections
 * until they end; a worker closes its connections with 1001), and the
 * handshake processes stop handing connections to a retiring worker.
 * A reload waits for no process that is going away.
 */
static void
proc_retire(struct child *c)
{
	struct ipc_peer	 peer;
	struct child	*hs;

	log_info("retiring %s", c->name);
	child_set_state(c, CHILD_RETIRING);
	parent_reload_answered(c);
	if (c->chan != NULL)
		ipc_compose(c->chan, IPC_SHUTDOWN, NULL, 0, NULL, 0, -1);
	if (c->role == ROLE_HANDSHAKE)
		return;
	memset(&peer, 0, sizeof(peer));
	peer.role = c->role;
	peer.instance = c->instance;
	peer.pid = c->pid;
	CHILD_FOREACH(hs, ROLE_HANDSHAKE, CHILDREN_RUNNING)
		if (hs->chan != NULL)
			ipc_compose(hs->chan, IPC_PEER_RETIRE, &peer,
			    sizeof(peer), NULL, 0, -1);
}

/*
 * How many processes of role conf wants. Password processes only for a
 * configuration with an authenticate basic line.
 */
unsigned int
proc_want(const struct wsd_config *conf, enum wsd_role role)
{
	switch (role) {
	case ROLE_HANDSHAKE:
		return (conf->prefork_handshake);
	case ROLE_WORKER:
		return (conf->prefork_worker);
	case ROLE_PASSWORD:
		return (conf->basic ? conf->prefork_password : 0);
	default:
		return (0);
	}
}

/* Take role from n processes to want: start some, or retire some. */
void
proc_resize(enum wsd_role role, unsigned int n, unsigned int want)
{
	struct child	*c;
	unsigned int	 inst;

	for (inst = n; inst < want; inst++)
		proc_add(role, inst);
	CHILD_FOREACH(c, role, CHILDREN_LIVE)
		if (c->instance >= want)
			proc_retire(c);
}

static void
proc_respawn(struct child *c)
{
	c->respawns++;
	/* The keys were wiped once sent: a new process needs them again. */
	if (c->role == ROLE_HANDSHAKE && config_read_keys(env->conf) == -1)
		log_warnx("%s does not get every key and file it had: see "
		    "above", c->name);
	proc_start(c);
	config_wipe_keys(env->conf);
	log_info("respawned %s as pid %d", c->name, (int)c->pid);
}

/*
 * A respawn that waited: unless the daemon stops, or the slot is no
 * longer wanted (a reload lowered the count, or started another process
 * for the same instance meanwhile).
 */
static void
proc_respawn_due(int fd, short event, void *arg)
{
	struct child	*c = arg, *o;
	unsigned int	 want = proc_want(env->conf, c->role);

	if (env->stopping)
		return;
	CHILD_FOREACH(o, c->role, CHILDREN_RUNNING)
		if (o->instance == c->instance)
			break;
	if (c->instance >= want || o != NULL) {
		child_set_state(c, CHILD_RETIRED);
		return;
	}
	proc_respawn(c);
}

/*
 * A process that died before it was ready failed to start: after
 * CRASH_LOOP_DEATHS of one role in a row, the role cannot start and the
 * daemon stops. One that served is respawned, later each time its role
 * keeps dying, and never stops the daemon: a crash a client can cause
 * must not be a way to stop it.
 */
static void
proc_died(struct child *c, int started)
{
	struct timeval	 tv;
	time_t		 now = time(NULL);
	unsigned int	 n;

	if (!started) {
		if (++env->failed_starts[c->role] <= CRASH_LOOP_DEATHS) {
			proc_respawn(c);
			return;
		}
		log_warnx("%s processes die in a loop: %d in a row before they "
		    "were ready; stopping", role_names[c->role],
		    CRASH_LOOP_DEATHS + 1);
		parent_shutdown(1);
		return;
	}
	if (now - env->last_death[c->role] >= RESPAWN_CALM)
		env->backoff[c->role] = 0;
	env->last_death[c->role] = now;
	if ((n = env->backoff[c->role]++) == 0) {
		proc_respawn(c);
		return;
	}
	timerclear(&tv);
	tv.tv_sec = n > 4 ? RESPAWN_WAIT_MAX : 1 << (n - 1);
	if (tv.tv_sec > RESPAWN_WAIT_MAX)
		tv.tv_sec = RESPAWN_WAIT_MAX;
	log_warnx("%s processes keep dying: respawning %s in %lld seconds",
	    role_names[c->role], c->name, (long long)tv.tv_sec);
	if (c->ev_respawn == NULL && (c->ev_respawn = evtimer_new(env->base,
	    proc_respawn_due, c)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	evtimer_add(c->ev_respawn, &tv);
}

static const char *
proc_status(int status, char *buf, size_t len)
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

/* c has exited with status: account for it, and respawn it if due. */
static void
proc_gone(struct child *c, int status)
{
	char	 how[64];
	int	 retired, started;

	/*
	 * Its last words (a refused syscall, a ready) before its death;
	 * then the channel goes with it.
	 */
	if (c->chan != NULL) {
		ipc_chan_drain(c->chan);
		ipc_chan_free(c->chan);
		c->chan = NULL;
	}
	retired = c->state == CHILD_RETIRING;
	started = c->state == CHILD_READY;
	child_set_state(c, retired ? CHILD_RETIRED : CHILD_DEAD);
	/* A reload waits for no dead process; a respawn gets it all. */
	parent_reload_answered(c);
	limits_child_lost(c);
	show_child_gone(c);
	proc_status(status, how, sizeof(how));
	if (retired)
		log_info("%s (pid %d) retired: %s", c->name, (int)c->pid,
		    how);
	else if (env->stopping && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		log_debug("%s (pid %d) %s", c->name, (int)c->pid, how);
	else {
		log_warnx("lost child: %s (pid %d) %s", c->name, (int)c->pid,
		    how);
		if (!env->stopping)
			proc_died(c, started);
	}
}

void
proc_reap(void)
{
	struct child	*c;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		CHILD_FOREACH(c, ROLE_ANY, CHILDREN_RUNNING)
			if (c->pid == pid) {
				proc_gone(c, status);
				break;
			}
	if (env->stopping &&
	    child_next(NULL, ROLE_ANY, CHILDREN_RUNNING) == NULL)
		event_base_loopbreak(env->base);
}

/* The shutdown timeout has passed: what still runs is killed. */
void
proc_kill_all(int fd, short event, void *arg)
{
	struct child	*c;

	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_RUNNING) {
		log_warnx("%s (pid %d) did not exit, killing it", c->name,
		    (int)c->pid);
		kill(c->pid, SIGKILL);
	}
}
