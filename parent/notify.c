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
 * The service manager's readiness protocol (systemd's Type=notify, see
 * sd_notify(3)), without libsystemd: a datagram of VAR=value lines to
 * the socket $NOTIFY_SOCKET names, a path or, after '@', an abstract
 * name. Only the parent speaks it, and a socket that cannot be used is
 * one warning, never a reason to stop.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parent.h"

#define NOTIFY_ENV	"NOTIFY_SOCKET"

static struct {
	int			 fd;
	struct sockaddr_un	 sun;
	socklen_t		 sunlen;
	char			 name[sizeof(struct sockaddr_un)];
	int			 warned;	/* once, for every failure */
	int			 ready;		/* READY=1 sent */
	int			 reloading;	/* RELOADING=1 sent */
	int			 stopping;	/* STOPPING=1 sent */
} notify = { .fd = -1 };

static void	 notify_send(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));

/* The address in name, or -1 with the reason in *why. */
static int
notify_addr(const char *name, const char **why)
{
	size_t	 len = strlen(name);

	memset(&notify.sun, 0, sizeof(notify.sun));
	notify.sun.sun_family = AF_UNIX;
	if (len == 0 || (name[0] != '/' && name[0] != '@') ||
	    (name[0] == '@' && len == 1)) {
		*why = "neither an absolute path nor an abstract name";
		return (-1);
	}
	/* A path needs its NUL; an abstract name is counted, not ended. */
	if (len > sizeof(notify.sun.sun_path) ||
	    (name[0] == '/' && len == sizeof(notify.sun.sun_path))) {
		*why = "too long";
		return (-1);
	}
	memcpy(notify.sun.sun_path, name, len);
	if (name[0] == '@')
		notify.sun.sun_path[0] = '\0';
	notify.sunlen = offsetof(struct sockaddr_un, sun_path) + len;
	return (0);
}

/*
 * Before the sandbox and the first child: the children are started with
 * the parent's environment, and the manager's socket is not theirs.
 */
void
notify_init(void)
{
	const char	*name, *why;

	if ((name = getenv(NOTIFY_ENV)) == NULL)
		return;
	strlcpy(notify.name, name, sizeof(notify.name));
	if (notify_addr(name, &why) == -1) {
		log_warnx("%s: %s=%s is %s; not notifying", __func__,
		    NOTIFY_ENV, notify.name, why);
		notify.warned = 1;
	} else if ((notify.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("%s: socket; not notifying", __func__);
		notify.warned = 1;
	}
	if (unsetenv(NOTIFY_ENV) == -1)
		fatal("%s: unsetenv", __func__);
}

/*
 * One datagram, never waiting: a manager that does not read must not
 * stop the parent. Unconnected, so that a socket bound again later still
 * gets the next one.
 */
static void
notify_send(const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];
	int	 len;

	if (notify.fd == -1 || notify.stopping)
		return;
	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(msg))
		len = sizeof(msg) - 1;
	if (sendto(notify.fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&notify.sun, notify.sunlen) == -1 &&
	    !notify.warned) {
		notify.warned = 1;
		log_warn("%s: %s=%s", __func__, NOTIFY_ENV, notify.name);
	}
}

/* Every child has said it is ready, for the first time. */
void
notify_ready(const char *status)
{
	notify_send("READY=1\nSTATUS=%s", status);
	notify.ready = 1;
}

/*
 * A reload has begun. Before the first READY=1 the manager is still
 * waiting for that one, which comes once every child is ready.
 * MONOTONIC_USEC is what Type=notify-reload asks for with it.
 */
void
notify_reloading(void)
{
	struct timespec	 ts;

	if (!notify.ready || notify.reloading)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_send("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	notify.reloading = 1;
}

/* The reload has ended, well or not: the daemon serves either way. */
void
notify_reloaded(const char *status)
{
	if (!notify.reloading)
		return;
	notify_send("READY=1\nSTATUS=%s", status);
	notify.reloading = 0;
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=shutting down");
	notify.stopping = 1;
}
