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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"

#define CONTROL_MAXCONN	16

static struct event_base	*control_base;
static struct event		*control_ev;
static int			 control_nconn;

static void	 control_accept(int, short, void *);
static void	 control_dispatch(struct ipc_chan *, struct ipc_msg *, void *);
static void	 control_closed(struct ipc_chan *, void *);

int
control_init(const char *path)
{
	struct sockaddr_un	 sun;
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
	return (fd);
}

void
control_listen(struct event_base *base, int fd)
{
	control_base = base;
	control_ev = event_new(base, fd, EV_READ | EV_PERSIST,
	    control_accept, NULL);
	if (control_ev == NULL || event_add(control_ev, NULL) == -1)
		fatalx("%s: event", __func__);
}

void
control_cleanup(const char *path)
{
	unlink(path);
}

static void
control_accept(int fd, short event, void *arg)
{
	struct ipc_chan	*chan;
	int		 cfd;

	(void)event;
	(void)arg;
	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept", __func__);
		return;
	}
	if (control_nconn >= CONTROL_MAXCONN) {
		close(cfd);
		return;
	}
	if ((chan = ipc_chan_new(control_base, cfd, "control",
	    IPC_BIT(IPC_CTL_REQ), control_dispatch, NULL)) == NULL) {
		log_warn("%s: channel", __func__);
		close(cfd);
		return;
	}
	chan->closed = control_closed;
	control_nconn++;
}

static void
control_closed(struct ipc_chan *chan, void *arg)
{
	(void)arg;
	ipc_chan_free(chan);
	control_nconn--;
}

static void
control_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_ctl		 req;
	struct ipc_ctl_end	 end;

	(void)arg;
	memcpy(&req, msg->data, sizeof(req));
	req.arg[sizeof(req.arg) - 1] = '\0';
	end.status = 0;
	switch (req.cmd) {
	case CTL_SHOW_SUMMARY:
		parent_summary(chan);
		break;
	case CTL_SHOW_STATS:
		parent_stats(chan);
		break;
	default:
		log_warnx("%s: unknown control command %u", __func__,
		    req.cmd);
		end.status = 1;
		break;
	}
	ipc_compose(chan, IPC_CTL_END, &end, sizeof(end), NULL, 0, -1);
}
