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
 * The PROXY protocol, versions 1 and 2, as HAProxy's proxy-protocol.txt
 * specifies it: the header a load balancer puts before the client's
 * bytes, naming the client's address and the address it connected to.
 * Only the header is ever taken from the socket (proxy_scan says how
 * long it is), so what follows, a TLS ClientHello or a request head,
 * is read by the code that reads it anyway. Anything that is not a
 * well-formed header is refused, and the connection closed.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "handshake.h"

static const uint8_t	 v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};
static const char	 v1_sig[] = "PROXY ";

/*
 * Of buf[0..len), read from the start of a connection: PROXY_DONE and
 * the header's length in *hdrlen (at most len); PROXY_MORE if all len
 * bytes are header so far and more must come; PROXY_BAD if it is not
 * a header, or longer than PROXY_MAX.
 */
int
proxy_scan(const uint8_t *buf, size_t len, size_t *hdrlen)
{
	const uint8_t	*crlf;
	size_t		 n;

	if (len == 0)
		return (PROXY_MORE);
	if (buf[0] == v2_sig[0]) {
		n = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
		if (memcmp(buf, v2_sig, n) != 0)
			return (PROXY_BAD);
		if (len < 16)
			return (PROXY_MORE);
		*hdrlen = 16 + (buf[14] << 8 | buf[15]);
		if (*hdrlen > PROXY_MAX)
			return (PROXY_BAD);
		return (len >= *hdrlen ? PROXY_DONE : PROXY_MORE);
	}
	n = len < sizeof(v1_sig) - 1 ? len : sizeof(v1_sig) - 1;
	if (memcmp(buf, v1_sig, n) != 0)
		return (PROXY_BAD);
	/* Printable ASCII up to the CRLF: anything else is bad at once. */
	n = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;
	for (crlf = buf; crlf < buf + n; crlf++) {
		if (*crlf == '\r' && crlf + 1 < buf + n) {
			if (crlf[1] != '\n')
				return (PROXY_BAD);
			*hdrlen = crlf - buf + 2;
			return (PROXY_DONE);
		}
		if (*crlf != '\r' && (*crlf < 0x20 || *crlf > 0x7e))
			return (PROXY_BAD);
	}
	return (len < PROXY_V1_MAX ? PROXY_MORE : PROXY_BAD);
}

/* A port of a v1 header: 0-65535, decimal, no sign or leading zero. */
static int
v1_port(const char *s, uint16_t *port)
{
	size_t	 i, len = strlen(s);
	long	 n = 0;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		n = n * 10 + (s[i] - '0');
	}
	if (n > 65535)
		return (-1);
	*port = n;
	return (0);
}

static int
v1_addr(int family, const char *s, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return (inet_pton(AF_INET, s, &sin->sin_addr) == 1 ? 0 : -1);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	return (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1 ? 0 : -1);
}

/*
 * "PROXY TCP4|TCP6 src dst sport dport\r\n", single spaces, or
 * "PROXY UNKNOWN" and anything up to the CRLF.
 */
static int
proxy_v1(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    const char **why)
{
	char		 line[PROXY_V1_MAX + 1], *f[6], *p;
	uint16_t	 sport, dport;
	int		 family, n = 0;

	*why = "malformed PROXY v1 header";
	memcpy(line, buf, len - 2);
	line[len - 2] = '\0';
	if (memchr(line, '\0', len - 2) != NULL)
		return (-1);
	if (strncmp(line, "PROXY UNKNOWN", 13) == 0 &&
	    (line[13] == '\0' || line[13] == ' ')) {
		h->local = 1;
		return (0);
	}
	for (p = line; n < 6; n++) {
		f[n] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n != 5 || strcmp(f[0], "PROXY") != 0)
		return (-1);
	if (strcmp(f[1], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return (-1);
	if (v1_port(f[4], &sport) == -1 || v1_port(f[5], &dport) == -1 ||
	    v1_addr(family, f[2], sport, &h->src) == -1 ||
	    v1_addr(family, f[3], dport, &h->dst) == -1)
		return (-1);
	return (0);
}

/*
 * Version 2: the signature, version and command, family and protocol,
 * the length, then the addresses; TLVs after them (SNI, ALPN, ...) are
 * not needed and not read.
 */
static int
proxy_v2(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    const char **why)
{
	struct sockaddr_in	*src4 = (struct sockaddr_in *)&h->src;
	struct sockaddr_in	*dst4 = (struct sockaddr_in *)&h->dst;
	struct sockaddr_in6	*src6 = (struct sockaddr_in6 *)&h->src;
	struct sockaddr_in6	*dst6 = (struct sockaddr_in6 *)&h->dst;
	const uint8_t		*a = buf + 16;
	size_t			 alen = len - 16;

	*why = "malformed PROXY v2 header";
	if ((buf[12] & 0xf0) != 0x20)
		return (-1);		/* version 2 only */
	switch (buf[12] & 0x0f) {
	case 0x0:			/* LOCAL: the balancer's own */
		h->local = 1;
		return (0);
	case 0x1:			/* PROXY */
		break;
	default:
		return (-1);
	}
	memset(&h->src, 0, sizeof(h->src));
	memset(&h->dst, 0, sizeof(h->dst));
	switch (buf[13]) {
	case 0x00:			/* UNSPEC: the connection's own */
		h->local = 1;
		return (0);
	case 0x11:			/* TCP over IPv4 */
		if (alen < 12)
			return (-1);
		src4->sin_family = dst4->sin_family = AF_INET;
		memcpy(&src4->sin_addr, a, 4);
		memcpy(&dst4->sin_addr, a + 4, 4);
		memcpy(&src4->sin_port, a + 8, 2);
		memcpy(&dst4->sin_port, a + 10, 2);
		return (0);
	case 0x21:			/* TCP over IPv6 */
		if (alen < 36)
			return (-1);
		src6->sin6_family = dst6->sin6_family = AF_INET6;
		memcpy(&src6->sin6_addr, a, 16);
		memcpy(&dst6->sin6_addr, a + 16, 16);
		memcpy(&src6->sin6_port, a + 32, 2);
		memcpy(&dst6->sin6_port, a + 34, 2);
		return (0);
	}
	/* Datagrams, UNIX sockets: not what a WebSocket comes over. */
	*why = "PROXY v2 header for neither TCP over IPv4 nor over IPv6";
	return (-1);
}

/*
 * A whole header, buf[0..len) as proxy_scan measured it: 0 and the
 * addresses in h (h->local: the connection's own stand), or -1 and why.
 */
int
proxy_parse(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    const char **why)
{
	memset(h, 0, sizeof(*h));
	if (len >= 16 && memcmp(buf, v2_sig, sizeof(v2_sig)) == 0)
		return (proxy_v2(buf, len, h, why));
	if (len >= 8 && len <= PROXY_V1_MAX && memcmp(buf, v1_sig,
	    sizeof(v1_sig) - 1) == 0 && buf[len - 2] == '\r' &&
	    buf[len - 1] == '\n')
		return (proxy_v1(buf, len, h, why));
	*why = "not a PROXY header";
	return (-1);
}

/* Whether addr is in one of the n networks of nets: a trusted balancer. */
int
proxy_trusted(const struct sockaddr_storage *addr,
    const struct proxy_net *nets, size_t n)
{
	const uint8_t	*a, *b;
	size_t		 i, bits, full;
	unsigned int	 rest;

	for (i = 0; i < n; i++) {
		if (nets[i].family != addr->ss_family)
			continue;
		if (addr->ss_family == AF_INET) {
			a = (const uint8_t *)&((const struct sockaddr_in *)
			    addr)->sin_addr;
			bits = nets[i].prefixlen > 32 ? 32 : nets[i].prefixlen;
		} else if (addr->ss_family == AF_INET6) {
			a = (const uint8_t *)&((const struct sockaddr_in6 *)
			    addr)->sin6_addr;
			bits = nets[i].prefixlen > 128 ? 128 :
			    nets[i].prefixlen;
		} else
			continue;
		b = nets[i].addr;
		full = bits / 8;
		rest = bits % 8;
		if (memcmp(a, b, full) != 0)
			continue;
		if (rest != 0 && ((a[full] ^ b[full]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return (1);
	}
	return (0);
}
