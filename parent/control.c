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
 * The control socket for wsctl(8): a UNIX SOCK_SEQPACKET socket that only
 * root may use (mode 0600), one request per connection.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"

#define CONTROL_MAXCONN	16
#define CONTROL_WAIT	2	/* s for the workers to answer a query */

/* A request that waits for the workers' answers. */
struct ctl_req {
	TAILQ_ENTRY(ctl_req)	 entry;
	uint32_t		 id;
	uint32_t		 cmd;
	int			 json;
	struct ipc_chan		*chan;		/* NULL once wsctl left */
	struct event		*ev_timeout;
	unsigned int		 waiting;	/* workers yet to answer */
	unsigned int		 rows;
	int			 found;
	struct ctl_asked	 asked[CHILDREN_MAX];
	unsigned int		 nasked;
};

/* The control socket's state: one, as the parent's env. */
static struct {
	struct event_base	*base;
	struct event		*ev;
	int			 nconn;
	uint32_t		 next_id;
	TAILQ_HEAD(, ctl_req)	 reqs;
	int			 dirfd;		/* where the socket lives */
	char			 name[sizeof(((struct sockaddr_un *)0)->sun_path)];
} control = { .reqs = TAILQ_HEAD_INITIALIZER(control.reqs), .dirfd = -1 };

static void	 control_accept(int, short, void *);
static void	 control_dispatch(struct ipc_chan *, struct ipc_msg *, void *);

static const struct ipc_handlers control_handlers = { .h = {
	[IPC_CTL_REQ] = control_dispatch,
} };
static void	 control_closed(struct ipc_chan *, void *);

#ifndef O_PATH
#define O_PATH		 O_RDONLY	/* Linux's "for reference only" */
#endif


/*
 * The listening socket. Its directory goes in self, kept open so that
 * the socket can be removed at exit with the file system otherwise off
 * limits (sandbox_parent()).
 */
int
control_init(const char *path, struct sandbox_self *self)
{
	struct sockaddr_un	 sun;
	char			*dir = self->ctldir, *slash;
	mode_t			 old_umask;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fatalx("control socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		fatal("%s: socket", __func__);
	/* A socket that answers belongs to a running daemon: keep off. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		fatalx("control socket %s is in use: is wsd running?", path);
	close(fd);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		fatal("%s: socket", __func__);
	/* A stale socket from a crashed daemon is replaced. */
	if (unlink(path) == -1 && errno != ENOENT)
		fatal("%s: unlink %s", __func__, path);
	old_umask = umask(S_IXUSR | S_IRWXG | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("%s: bind %s", __func__, path);
	umask(old_umask);
	if (chmod(path, S_IRUSR | S_IWUSR) == -1)
		fatal("%s: chmod %s", __func__, path);
	if (listen(fd, CONTROL_MAXCONN) == -1)
		fatal("%s: listen", __func__);

	strlcpy(dir, path, sizeof(self->ctldir));
	if ((slash = strrchr(dir, '/')) == NULL) {
		strlcpy(control.name, path, sizeof(control.name));
		strlcpy(dir, ".", sizeof(self->ctldir));
	} else {
		strlcpy(control.name, slash + 1, sizeof(control.name));
		slash[slash == dir ? 1 : 0] = '\0';
	}
	if ((control.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		fatal("%s: %s", __func__, dir);
	self->ctldir_fd = control.dirfd;
	return (fd);
}

void
control_listen(struct event_base *base, int fd)
{
	control.base = base;
	control.ev = event_new(base, fd, EV_READ | EV_PERSIST,
	    control_accept, NULL);
	if (control.ev == NULL || event_add(control.ev, NULL) == -1)
		fatalx("%s: event", __func__);
}

void
control_cleanup(void)
{
	unlinkat(control.dirfd, control.name, 0);
}

static void
control_accept(int fd, short event, void *arg)
{
	struct ipc_chan	*chan;
	int		 cfd;

	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept", __func__);
		return;
	}
	if (control.nconn >= CONTROL_MAXCONN) {
		close(cfd);
		return;
	}
	/* On failure the channel has closed cfd. */
	if ((chan = ipc_chan_new(control.base, cfd, "control", END_PARENT,
	    END_CONTROL, &control_handlers, NULL)) == NULL) {
		log_warn("%s: channel", __func__);
		return;
	}
	chan->closed = control_closed;
	control.nconn++;
}

static void
control_closed(struct ipc_chan *chan, void *arg)
{
	struct ctl_req	*r;

	/* Answers still to come for it are dropped. */
	TAILQ_FOREACH(r, &control.reqs, entry)
		if (r->chan == chan)
			r->chan = NULL;
	parent_reload_forget(chan);
	ipc_chan_free(chan);
	control.nconn--;
}

static void
control_end(struct ipc_chan *chan, int status)
{
	struct ipc_ctl_end	 end;

	end.status = status;
	ipc_compose(chan, IPC_CTL_END, &end, sizeof(end), NULL, 0, -1);
}

void
control_reloaded(struct ipc_chan *chan)
{
	ctl_line(chan, "configuration reloaded");
	control_end(chan, 0);
}

static void
control_finish(struct ctl_req *r)
{
	if (r->chan != NULL) {
		if (r->cmd == CTL_SHOW_CONNECTIONS && r->json)
			ctl_line(r->chan, "]");
		if (r->cmd == CTL_KILL)
			ctl_line(r->chan, r->found ? "connection closed" :
			    "no such connection");
		control_end(r->chan, r->cmd == CTL_KILL && !r->found);
	}
	TAILQ_REMOVE(&control.reqs, r, entry);
	event_free(r->ev_timeout);
	free(r);
}

/* A worker that died mid-query never answers: finish without it. */
static void
control_timeout(int fd, short event, void *arg)
{
	struct ctl_req	*r = arg;
	unsigned int	 i;

	/* Said in text only: a JSON answer stays one document. */
	for (i = 0; i < r->nasked; i++)
		if (!r->asked[i].done && r->chan != NULL && !r->json)
			ctl_line(r->chan, "%s did not answer",
			    r->asked[i].c->name);
	control_finish(r);
}

/* Ask the workers; the answers come back through control_reply(). */
static void
control_query(struct ipc_chan *chan, const struct ipc_ctl *req)
{
	struct ipc_query	 q;
	struct ctl_req		*r;
	struct timeval		 tv;
	const char		*errstr = NULL;

	memset(&q, 0, sizeof(q));
	if (req->cmd == CTL_KILL) {
		q.kind = QUERY_KILL;
		q.id = strtonum(req->arg, 1, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			ctl_line(chan, "connection id %s: %s", req->arg,
			    errstr);
			control_end(chan, 1);
			return;
		}
	} else
		q.kind = QUERY_CONNECTIONS;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->ev_timeout = evtimer_new(control.base, control_timeout,
	    r)) == NULL) {
		log_warn("%s", __func__);
		free(r);
		control_end(chan, 1);
		return;
	}
	r->id = q.reqid = ++control.next_id;
	r->cmd = req->cmd;
	r->json = (req->flags & CTL_F_JSON) != 0;
	r->chan = chan;
	TAILQ_INSERT_TAIL(&control.reqs, r, entry);
	if (r->cmd == CTL_SHOW_CONNECTIONS)
		show_connections_head(chan, r->json);
	r->nasked = parent_query(&q, r->asked, CHILDREN_MAX);
	if ((r->waiting = r->nasked) == 0) {
		control_finish(r);
		return;
	}
	timerclear(&tv);
	tv.tv_sec = CONTROL_WAIT;
	evtimer_add(r->ev_timeout, &tv);
}

/* A worker's answer to a query. */
void
control_reply(struct child *from, struct ipc_msg *msg)
{
	struct ipc_conn_info	 ci;
	struct ipc_query_end	 end;
	struct ctl_req		*r;
	struct ctl_asked	*a = NULL;
	uint32_t		 id;
	unsigned int		 i;

	memcpy(&id, msg->data, sizeof(id));	/* first in both */
	TAILQ_FOREACH(r, &control.reqs, entry)
		if (r->id == id)
			break;
	if (r == NULL)
		return;		/* late, after its timeout */
	/* Only a worker asked, and only until its end: no one else's. */
	for (i = 0; i < r->nasked; i++)
		if (r->asked[i].c == from && r->asked[i].pid == from->pid)
			a = &r->asked[i];
	if (a == NULL || a->done) {
		log_warnx("%s: %s answered query %u %s", __func__, from->name,
		    id, a == NULL ? "without being asked" : "after its end");
		return;
	}
	if (msg->type == IPC_CONN_INFO) {
		memcpy(&ci, msg->data, sizeof(ci));
		if (r->chan != NULL && r->cmd == CTL_SHOW_CONNECTIONS)
			show_connection(r->chan, &ci, r->json, r->rows == 0);
		r->rows++;
		return;
	}
	memcpy(&end, msg->data, sizeof(end));
	a->done = 1;
	r->found |= end.found;
	if (--r->waiting == 0)
		control_finish(r);
}

static void
control_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_ctl	 req;
	int		 json;

	memcpy(&req, msg->data, sizeof(req));
	req.arg[sizeof(req.arg) - 1] = '\0';
	json = (req.flags & CTL_F_JSON) != 0;
	switch (req.cmd) {
	case CTL_SHOW_SUMMARY:
		show_summary(chan, json);
		break;
	case CTL_SHOW_STATS:
		show_stats(chan, json);
		break;
	case CTL_SHOW_METRICS:
		show_metrics(chan);
		break;
	case CTL_RELOAD:
		/* Answered when the handshake processes confirm. */
		if (parent_reload(chan) == -1) {
			ctl_line(chan, "reload failed; the configuration in "
			    "force stays (see the log)");
			control_end(chan, 1);
		}
		return;
	case CTL_SHOW_CONNECTIONS:
	case CTL_KILL:
		control_query(chan, &req);
		return;
	case CTL_LOG_VERBOSE:
	case CTL_LOG_BRIEF:
		parent_verbose(req.cmd == CTL_LOG_VERBOSE);
		log_info("logging %s", req.cmd == CTL_LOG_VERBOSE ?
		    "verbose" : "brief");
		ctl_line(chan, "logging %s", req.cmd == CTL_LOG_VERBOSE ?
		    "verbose" : "brief");
		break;
	default:
		log_warnx("%s: unknown control command %u", __func__,
		    req.cmd);
		control_end(chan, 1);
		return;
	}
	control_end(chan, 0);
}
