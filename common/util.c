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
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

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
	int	 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, flags | O_NONBLOCK));
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
