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

#ifndef HANDSHAKE_H
#define HANDSHAKE_H

#include <sys/types.h>

#include <stdint.h>

#include "../common/wsd.h"

#define HTTP_MAXHEADERS		64
#define WS_KEY_LEN		24	/* base64 of 16 bytes */
#define WS_ACCEPT_LEN		28	/* base64 of a SHA-1 digest */
#define SHA1_DIGEST_LEN		20

/* Finds the end of a request head as bytes arrive, looking at each once. */
struct http_reader {
	size_t		 off;		/* bytes already looked at */
	size_t		 linelen;	/* of the current line, so far */
	int		 cr;		/* the current line is just "\r" */
};

struct http_header {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
};

struct http_request {
	const char	*method;
	size_t		 methodlen;
	const char	*target;
	size_t		 targetlen;
	int		 minor;		/* HTTP/1.minor */
	unsigned int	 nheaders;
	struct http_header headers[HTTP_MAXHEADERS];
};

/* The outcome of checking an upgrade request. */
struct ws_upgrade {
	int		 status;	/* 101 or the HTTP error to answer */
	const char	*reason;	/* why it was refused, for the log */
	const char	*extra;		/* an extra response header, or NULL */
	char		 key[WS_KEY_LEN + 1];
};

/* http.c */
ssize_t		 http_reader_feed(struct http_reader *, const uint8_t *,
		    size_t, size_t);
int		 http_parse_request(const char *, size_t,
		    struct http_request *, const char **);
const struct http_header *http_header_find(const struct http_request *,
		    const char *, unsigned int *);
int		 http_token_list_has(const char *, size_t, const char *);
int		 ws_check_upgrade(const struct http_request *,
		    struct ws_upgrade *);
const char	*http_status_text(int);
int		 http_response(char *, size_t, int, const char *);

/* extension.c */
int		 ws_negotiate_deflate(const struct http_request *, int,
		    struct ws_deflate_params *, char *, size_t);

/* wskey.c */
void		 sha1(const void *, size_t, uint8_t[SHA1_DIGEST_LEN]);
size_t		 base64_encode(const uint8_t *, size_t, char *, size_t);
ssize_t		 base64_decode(const char *, size_t, uint8_t *, size_t);
void		 ws_accept_key(const char *, char[WS_ACCEPT_LEN + 1]);

/* tls.c */
#define IO_WANT_READ		-2
#define IO_WANT_WRITE		-3

struct tls;
void		 hs_tls_init(void);
void		 hs_tls_server(struct ipc_msg *);
void		 hs_tls_file(struct ipc_msg *);
struct tls	*hs_tls_listener(uint32_t, const uint32_t *, size_t);
void		 hs_tls_wipe(void);
void		 hs_tls_describe(struct tls *, char *, size_t);
ssize_t		 io_read(struct tls *, int, void *, size_t);
ssize_t		 io_write(struct tls *, int, const void *, size_t);

/* relay.c */
void		 relay_init(struct event_base *, unsigned int);
int		 relay_start(struct tls *, int, int, uint64_t);
unsigned int	 relay_count(void);
void		 relay_on_empty(void (*)(void));

/* handshake.c */
__dead void	 handshake_main(unsigned int, int, int);

#endif /* HANDSHAKE_H */
