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
 * Only the parent writes logs. A child formats its line and sends it to
 * the parent as a message, so a sandboxed process needs no syslog socket.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "wsd.h"

#define LOG_TO_PARENT_WAIT	1000	/* ms to wait on a full channel */

const char	*const role_names[ROLE_MAX] = { "parent", "handshake", "worker",
    "password" };

static int	 log_foreground = 1;
static int	 log_verbose;
static int	 log_parent_fd = -1;

void
log_init(int foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(getprogname(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return (log_verbose);
}

/* From now on lines go to the parent over fd. */
void
log_to_parent(int fd)
{
	log_parent_fd = fd;
}

/*
 * The priority a child's line is logged with. The facility is always
 * the parent's: a child that chose it could write into authpriv, or with
 * LOG_EMERG reach every terminal. A child may say LOG_ERR, LOG_WARNING,
 * LOG_NOTICE, LOG_INFO or LOG_DEBUG; whether the daemon as a whole is in
 * trouble is the parent's to say, so emerg, alert and crit (a child's
 * fatal() sends LOG_CRIT) become LOG_ERR. So does any other value, one
 * with facility bits included: clamped rather than refused, because the
 * text may be the only trace of what went wrong in that child.
 */
int
log_child_priority(int32_t pri)
{
	if (pri < LOG_ERR || pri > LOG_DEBUG)
		return (LOG_ERR);
	return (pri);
}

/*
 * A line to ride on another message to the parent, which then needs no
 * wake-up of its own for it: struct ipc_log and the text, in buf.
 * Returns the length, 0 if nothing fits.
 */
size_t
log_attach(uint8_t *buf, size_t size, int pri, const char *fmt, ...)
{
	struct ipc_log	 il;
	va_list		 ap;
	size_t		 room;
	int		 n;

	if (size <= sizeof(il))
		return (0);
	room = size - sizeof(il);
	if (room > IPC_LOG_MAX)
		room = IPC_LOG_MAX;
	il.priority = pri;
	memcpy(buf, &il, sizeof(il));
	va_start(ap, fmt);
	n = vsnprintf((char *)buf + sizeof(il), room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (0);
	if ((size_t)n >= room)
		n = room - 1;
	return (sizeof(il) + n);
}

/* The line a child attached to a message, if any: as if sent alone. */
void
log_child_attached(const uint8_t *p, size_t len, const char *from)
{
	struct ipc_log	 il;
	char		 text[IPC_LOG_MAX + 1];

	if (len == 0)
		return;
	if (len < sizeof(il) || len > IPC_LOG_ATTACH_MAX) {
		log_warnx("%s attached a malformed log line", from);
		return;
	}
	memcpy(&il, p, sizeof(il));
	memcpy(text, p + sizeof(il), len - sizeof(il));
	text[len - sizeof(il)] = '\0';
	log_child(il.priority, from, text);
}

/* A line from a child, with the priority the parent allows it. */
void
log_child(int32_t pri, const char *from, const char *msg)
{
	/* Our children send severities only: name one that did not. */
	if (pri < 0 || pri > LOG_DEBUG)
		log_warnx("%s sent log priority %d, not a severity", from,
		    pri);
	log_write(log_child_priority(pri), from, msg);
}

/*
 * Bytes outside printable ASCII as \xNN, so that no process can forge a
 * line. The backslash and the double quote stay: the client strings in
 * a line were escaped as fields where they were quoted (str_escape), and
 * escaping the whole line again would double every escape.
 */
static void
log_escape_line(char *dst, size_t size, const char *msg)
{
	size_t	 o = 0;

	for (; *msg != '\0' && o + 1 < size; msg++) {
		if (*msg == '\\' || *msg == '"')
			dst[o++] = *msg;
		else if (str_escape(dst + o, size - o, msg, 1) == 0)
			o += strlen(dst + o);
		else
			break;
	}
	dst[o] = '\0';
}

/* Write one line; from is the child it came from, or NULL. */
void
log_write(int pri, const char *from, const char *msg)
{
	char	 esc[IPC_LOG_MAX * 4 + 1];

	log_escape_line(esc, sizeof(esc), msg);
	if (log_foreground) {
		if (from != NULL)
			fprintf(stderr, "%s: %s\n", from, esc);
		else
			fprintf(stderr, "%s\n", esc);
		fflush(stderr);
	} else if (from != NULL)
		syslog(pri, "%s: %s", from, esc);
	else
		syslog(pri, "%s", esc);
}

static void
log_send_parent(int pri, const char *msg)
{
	uint8_t		 buf[sizeof(struct ipc_hdr) + sizeof(struct ipc_log) +
			    IPC_LOG_MAX];
	struct ipc_log	 il;
	struct pollfd	 pfd;
	size_t		 len, mlen;

	il.priority = pri;
	mlen = strnlen(msg, IPC_LOG_MAX);
	if (ipc_encode(buf, sizeof(buf), IPC_LOG, &il, sizeof(il), msg, mlen,
	    -1, &len) == -1)
		return;
	while (ipc_sendmsg(log_parent_fd, buf, len, -1) == -1) {
		if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			return;
		pfd.fd = log_parent_fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, LOG_TO_PARENT_WAIT) <= 0)
			return;		/* the parent is stuck; drop it */
	}
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[IPC_LOG_MAX];
	int	 saved_errno = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_parent_fd != -1)
		log_send_parent(pri, msg);
	else
		log_write(pri, NULL, msg);
	errno = saved_errno;
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 msg[IPC_LOG_MAX];
	int	 saved_errno = errno;

	if (fmt == NULL)
		strlcpy(msg, strerror(saved_errno), sizeof(msg));
	else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		strlcat(msg, ": ", sizeof(msg));
		strlcat(msg, strerror(saved_errno), sizeof(msg));
	}
	if (log_parent_fd != -1)
		log_send_parent(pri, msg);
	else
		log_write(pri, NULL, msg);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

__dead void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

__dead void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
