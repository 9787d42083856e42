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
 * The pure half of the handshake policy: Host, Origin, request paths and
 * subprotocol lists, parsed and compared on buffers. It is common: the
 * handshake applies it, the configuration parser checks origin patterns,
 * paths and tokens with it, and a fuzzer can call all of it.
 */

#ifndef POLICY_H
#define POLICY_H

#include <sys/types.h>

#include <stdint.h>

#define POLICY_HOST_MAX		255

enum origin_scheme {
	ORIGIN_NULL,		/* the opaque origin "null" */
	ORIGIN_HTTP,
	ORIGIN_HTTPS,
	ORIGIN_WS,
	ORIGIN_WSS
};

/* scheme://host[:port], or a pattern with a "*." in front of the host. */
struct origin {
	uint8_t		 scheme;		/* enum origin_scheme */
	uint8_t		 wildcard;		/* host is the suffix after * */
	uint8_t		 v6;			/* host is an IPv6 literal */
	uint16_t	 port;			/* default ports filled in */
	char		 host[POLICY_HOST_MAX + 1];	/* lower case */
};

/* The Host header: host lower case, without brackets; port or 0. */
struct hostport {
	char		 host[POLICY_HOST_MAX + 1];
	uint16_t	 port;
	uint8_t		 v6;
};

#define ORIGIN_PATTERN		0x1	/* a wildcard is allowed */

int	 origin_parse(const char *, size_t, int, struct origin *,
	    const char **);
int	 origin_match(const struct origin *, const struct origin *);
int	 origin_same(const struct origin *, int, const struct hostport *);
int	 host_parse(const char *, size_t, struct hostport *);
int	 host_name_match(const char *, const struct hostport *);
int	 host_port_match(const struct hostport *, int, uint16_t);
int	 target_path(const char *, size_t, size_t *);
int	 path_prefix_match(const char *, const char *, size_t);
int	 path_check(const char *);
int	 token_list_next(const char **, const char *, const char **,
	    size_t *);
int	 token_check(const char *);

#endif /* POLICY_H */
