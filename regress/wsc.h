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
 * Test support: a WebSocket client for the real wsd on a loopback port.
 * The wsc_ functions take a plain socket, the wsct_ ones a TLS
 * connection; both run the same protocol routines. Every wait is
 * bounded.
 */

#ifndef WSC_H
#define WSC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define WSC_TIMEOUT	10000	/* ms, for any single wait */

/* The client on a plain socket */
int	 wsc_connect(int);
int	 wsc_write_all(int, const void *, size_t);
int	 wsc_read_response(int, char *, size_t);
int	 wsc_upgrade(int, const char *, char *, size_t);
int	 wsc_upgrade_to(int, const char *, const char *, const char *,
	    char *, size_t);
int	 wsc_send(int, int, int, const void *, size_t);
int	 wsc_recv(int, int *, int *, uint8_t *, size_t, size_t *);
int	 wsc_wait_eof(int);
int	 wsc_exchange(int, int, const void *, size_t, uint8_t **, size_t *,
	    int *);

/* What goes on the wire, plain or not */
size_t	 wsc_frame(uint8_t *, int, int, const void *, size_t);
size_t	 wsc_request(char *, size_t, int, const char *, const char *,
	    const char *);

/* The client over TLS */
struct tls;
struct tls_config;

struct wsc_tls {
	int			 fd;
	struct tls		*tls;
	struct tls_config	*cfg;
	int			 sessfd;	/* the session file, or -1 */
};

struct wsc_tls_opts {
	const char	*ca;		/* verify against it; NULL: no checks */
	const char	*cert;		/* client certificate and key */
	const char	*key;
	const char	*protocols;	/* tls_config_parse_protocols(3) */
	const char	*servername;	/* SNI; NULL: "localhost" */
	const char	*session;	/* a session file to resume from */
	const char	*preamble;	/* sent before TLS: a PROXY header */
};

int	 wsct_connect(struct wsc_tls *, int, const struct wsc_tls_opts *);
const char *wsct_error(struct wsc_tls *);
void	 wsct_close(struct wsc_tls *);
int	 wsct_write_all(struct wsc_tls *, const void *, size_t);
int	 wsct_read_response(struct wsc_tls *, char *, size_t);
int	 wsct_upgrade(struct wsc_tls *, const char *, char *, size_t);
int	 wsct_upgrade_host(struct wsc_tls *, const char *, const char *,
	    char *, size_t);
int	 wsct_upgrade_path(struct wsc_tls *, const char *, const char *,
	    char *, size_t);
int	 wsct_send(struct wsc_tls *, int, int, const void *, size_t);
int	 wsct_recv(struct wsc_tls *, int *, int *, uint8_t *, size_t,
	    size_t *);
int	 wsct_wait_eof(struct wsc_tls *);
int	 wsct_exchange(struct wsc_tls *, int, const void *, size_t,
	    uint8_t **, size_t *, int *);

#endif /* WSC_H */
