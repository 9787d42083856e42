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
 * The socket under a TLS connection, read ahead. Given the socket,
 * libtls reads each record with two read(2)s, its 5-byte header and
 * then its body, and the relay's loop adds a third that finds nothing:
 * three system calls for each message of a ping-pong. Here libtls reads
 * through callbacks instead: one read(2) takes all the socket holds, up
 * to TLSIO_AHEAD bytes, and later calls are served from it. Once the
 * relay has the connection, a socket found empty (a short read) is not
 * read again until the event loop says it is readable: epoll is level
 * triggered, so no byte is left waiting.
 *
 * The buffer is allocated while it holds bytes and freed when emptied,
 * so an idle connection holds none; at most TLSIO_AHEAD bytes each.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "handshake.h"

#define TLSIO_AHEAD	(32 * 1024)

struct tlsio {
	int		 fd;
	int		 lazy;		/* trust "drained" (the relay) */
	int		 drained;	/* empty when last read */
	uint8_t		*ahead;		/* read, not yet given to libtls */
	size_t		 len, off;
};

static ssize_t
tlsio_read(struct tls *ctx, void *buf, size_t len, void *arg)
{
	struct tlsio	*io = arg;
	ssize_t		 n;

	if (io->ahead == NULL) {
		if (io->lazy && io->drained)
			return (TLS_WANT_POLLIN);
		if ((io->ahead = malloc(TLSIO_AHEAD)) == NULL)
			return (-1);
		n = read(io->fd, io->ahead, TLSIO_AHEAD);
		if (n <= 0) {
			free(io->ahead);
			io->ahead = NULL;
			if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
				io->drained = 1;
				return (TLS_WANT_POLLIN);
			}
			return (n);
		}
		io->drained = n < TLSIO_AHEAD;
		io->len = n;
		io->off = 0;
	}
	if (len > io->len - io->off)
		len = io->len - io->off;
	memcpy(buf, io->ahead + io->off, len);
	if ((io->off += len) == io->len) {
		free(io->ahead);
		io->ahead = NULL;
	}
	return (len);
}

static ssize_t
tlsio_write(struct tls *ctx, const void *buf, size_t len, void *arg)
{
	struct tlsio	*io = arg;
	ssize_t		 n;

	n = write(io->fd, buf, len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (TLS_WANT_POLLOUT);
	return (n);
}

/* A server connection on fd; io is freed with tlsio_free after cctx. */
int
tlsio_accept(struct tls *server, struct tls **cctx, int fd,
    struct tlsio **iop)
{
	struct tlsio	*io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return (-1);
	io->fd = fd;
	if (tls_accept_cbs(server, cctx, tlsio_read, tlsio_write, io) == -1) {
		free(io);
		return (-1);
	}
	*iop = io;
	return (0);
}

/* From now on a socket found empty waits for tlsio_readable. */
void
tlsio_lazy(struct tlsio *io)
{
	io->lazy = 1;
	io->drained = 0;
}

/* The event loop says the socket has bytes (or an end). */
void
tlsio_readable(struct tlsio *io)
{
	io->drained = 0;
}

/* Bytes read from the socket that libtls has not taken yet. */
size_t
tlsio_pending(const struct tlsio *io)
{
	return (io->ahead != NULL ? io->len - io->off : 0);
}

void
tlsio_free(struct tlsio *io)
{
	if (io == NULL)
		return;
	free(io->ahead);
	free(io);
}
