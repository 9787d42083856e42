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

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wsd.h"

/* The worker decides these; the parent prints them. */
const char *const ws_err_names[WS_ERR_MAX] = {
	[WS_ERR_NONE] = "none",
	[WS_ERR_UNMASKED] = "unmasked frame",
	[WS_ERR_RSV] = "reserved bit set",
	[WS_ERR_OPCODE] = "reserved opcode",
	[WS_ERR_CONTROL] = "fragmented or oversized control frame",
	[WS_ERR_LENGTH] = "64-bit length with the top bit set",
	[WS_ERR_CONTINUATION] = "continuation without a message",
	[WS_ERR_NESTED] = "new message inside a fragmented one",
	[WS_ERR_UTF8] = "invalid UTF-8",
	[WS_ERR_CLOSE_PAYLOAD] = "invalid close payload",
	[WS_ERR_TOO_BIG] = "message too big",
	[WS_ERR_FRAGMENTS] = "too many fragments",
	[WS_ERR_INFLATE] = "invalid compressed data",
	[WS_ERR_RATE] = "message rate exceeded",
};

const char *const ws_state_names[WS_STATE_MAX] = {
	[WS_OPEN] = "open",
	[WS_CLOSE_SENT] = "closing",
	[WS_CLOSED] = "closed",
};

int
fd_nonblock(int fd)
{
	/*
	 * One call, not F_GETFL first: every descriptor here is a socket,
	 * whose other status flags (O_ASYNC from a hostile sender) are
	 * better cleared than kept.
	 */
	return (fcntl(fd, F_SETFL, O_NONBLOCK));
}

/*
 * What a peer has not taken from a socket: for TCP, bytes the kernel
 * has not sent yet, which with a closed window means a client that does
 * not read (bytes in flight are not counted: the peer may take them);
 * for a UNIX stream, bytes the other end has not read. 0 where the
 * system cannot tell.
 */
int
sock_untaken(int fd, int stream_unix)
{
	int	 n = 0;

#if defined(SIOCOUTQNSD) && defined(SIOCOUTQ)
	if (ioctl(fd, stream_unix ? SIOCOUTQ : SIOCOUTQNSD, &n) == -1)
		n = 0;
#else
	(void)fd;
	(void)stream_unix;
#endif
	return (n);
}

/*
 * Close with a reset (SO_LINGER 0): the kernel drops what the client
 * left unread at once, where a plain close(2) would keep an orphan
 * socket retrying the whole send queue at a window that stays shut.
 */
void
sock_close_reset(int fd)
{
	struct linger	 l = { 1, 0 };

	/* pledge(2) allows the option only with inet, which a worker lacks. */
#ifndef __OpenBSD__
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
#else
	(void)l;
#endif
	close(fd);
}

/* "192.0.2.1:80" or "[2001:db8::1]:80" */
const char *
sockaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char	 host[INET6_ADDRSTRLEN];
	int	 port;

	switch (sa->sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof(host));
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
		snprintf(buf, len, "%s:%d", host, port);
		break;
	case AF_INET6:
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    host, sizeof(host));
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		snprintf(buf, len, "[%s]:%d", host, port);
		break;
	default:
		snprintf(buf, len, "unknown");
		break;
	}
	return (buf);
}

/*
 * Copy src into dst with every byte outside printable ASCII, the
 * backslash and the double quote written as \xNN, so that a client
 * string can forge neither a log line nor a field in one: log lines
 * quote client strings. Returns 1 when the result had to be truncated.
 */
int
str_escape(char *dst, size_t size, const void *src, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = src;
	size_t			 i, o = 0;

	if (size == 0)
		return (1);
	for (i = 0; i < len; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' &&
		    s[i] != '"') {
			if (o + 1 >= size)
				break;
			dst[o++] = s[i];
		} else {
			if (o + 4 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[s[i] >> 4];
			dst[o++] = hex[s[i] & 0xf];
		}
	}
	dst[o] = '\0';
	return (i < len);
}

/* The same address and port. */
int
sockaddr_same(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return (0);
	if (a->ss_family == AF_INET)
		return (memcmp(a, b, sizeof(struct sockaddr_in)) == 0);
	return (memcmp(a, b, sizeof(struct sockaddr_in6)) == 0);
}
