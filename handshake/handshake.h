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
#include <sys/queue.h>

#include <stdint.h>

#include "../common/wsd.h"
#include "policy.h"

#define HTTP_MAXHEADERS		64
#define WS_KEY_LEN		24	/* base64 of 16 bytes */
#define WS_ACCEPT_LEN		28	/* base64 of a SHA-1 digest */
#define SHA1_DIGEST_LEN		20

/* A fixed-size string field from another process holds its NUL. */
#define TERMINATED(a)	(memchr((a), '\0', sizeof(a)) != NULL)

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
	int		 plain_get;	/* a GET or HEAD without Upgrade */
	int		 head;		/* and it is a HEAD */
	char		 key[WS_KEY_LEN + 1];
};

/* The server table as the parent sent it (servers.c). */
struct hs_name {
	TAILQ_ENTRY(hs_name)	 entry;
	char			 name[WSD_NAME_MAX];
};

struct hs_proto {
	TAILQ_ENTRY(hs_proto)	 entry;
	char			 name[WSD_SUBPROTO_MAX];
};
TAILQ_HEAD(hs_protos, hs_proto);

struct hs_origin {
	TAILQ_ENTRY(hs_origin)	 entry;
	struct origin		 o;
};

/* An authenticate or allow line (auth.c). */
struct hs_token;
struct hs_auth {
	TAILQ_ENTRY(hs_auth)	 entry;
	uint32_t		 kind;		/* enum ipc_auth_kind */
	char			 pattern[WSD_AUTH_PATTERN_MAX];
	char			 fingerprint[WSD_FPR_MAX];
	char			 value[WSD_AUTH_PATTERN_MAX];	/* a claim's */
	struct hs_token		*token;		/* AUTH_TOKEN */
	struct hs_basic		*basic;		/* AUTH_BASIC */
};
TAILQ_HEAD(hs_auths, hs_auth);

struct hs_location {
	TAILQ_ENTRY(hs_location) entry;
	uint32_t		 id;
	uint32_t		 flags;		/* IPC_SERVER_TLS_REQUIRED */
	uint64_t		 max_message;	/* 0: the global one */
	char			 path[WSD_PATH_MAX];
	struct hs_protos	 protos;
	struct hs_auths		 auths;
};

struct hs_server {
	TAILQ_ENTRY(hs_server)	 entry;
	uint32_t		 id;
	uint32_t		 flags;		/* IPC_SERVER_* */
	uint64_t		 listeners;
	char			 health[WSD_PATH_MAX];
	char			 console[WSD_PATH_MAX];	/* "" when off */
	TAILQ_HEAD(, hs_name)	 names;		/* the name, then aliases */
	TAILQ_HEAD(, hs_origin)	 origins;
	struct hs_protos	 protos;
	struct hs_auths		 auths;
	TAILQ_HEAD(, hs_location) locations;
};
TAILQ_HEAD(hs_servers, hs_server);

/* What the policy chose for a request, or why it refused it. */
struct hs_policy {
	const struct hs_server	 *srv;
	const struct hs_location *loc;
	const char		 *subproto;	/* NULL for none */
	const char		 *path;		/* in the request, for logs */
	size_t			  pathlen;
	const char		 *origin;	/* NULL when absent */
	size_t			  originlen;
	const char		 *reason;
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

/* servers.c */
int		 servers_add(struct hs_servers *, uint32_t, const void *,
		    size_t, const char **);
void		 servers_free(struct hs_servers *);
int		 policy_check(const struct hs_servers *,
		    const struct ipc_listener *, const struct http_request *,
		    const char *, struct hs_policy *);
int		 policy_sni(const struct hs_server *, const char *);
int		 policy_health(const struct hs_servers *,
		    const struct ipc_listener *, const struct http_request *);
int		 policy_console(const struct hs_servers *,
		    const struct ipc_listener *, const struct http_request *,
		    struct hostport *);

/* console.c */
void		 console_init(void);
int		 console_head(char *, size_t, const struct hostport *, int);
const char	*console_page(size_t *);

/* auth.c */
struct tls;

/* Who a client is, as auth_check found. */
#define AUTH_PENDING	1	/* a password to check: see auth_basic_done */
struct auth_result {
	char		 identity[WSD_IDENTITY_MAX];	/* "" for none */
	int64_t		 expires;	/* a token's exp, 0 for none */
	const char	*reason;	/* of a refusal, for the log */
	const char	*extra;		/* a header for the refusal */
	/* AUTH_PENDING: the check to make; auth_wipe() once it is sent */
	char		 user[WSD_USER_MAX];
	int		 unknown;	/* not a user: fails whatever the answer */
	const char	*hash;
	const char	*password;
	size_t		 passlen;
};

int		 auth_init(void);
int		 auth_add(struct hs_auths *, const struct ipc_auth *);
int		 auth_add_token(struct hs_auths *,
		    const struct ipc_auth_token *, const uint8_t *, size_t);
int		 auth_add_basic(struct hs_auths *,
		    const struct ipc_auth_basic *, const uint8_t *, size_t,
		    const char **);
void		 auth_free(struct hs_auths *);
int		 auth_check(struct tls *, const struct hs_policy *,
		    const struct http_request *, struct auth_result *);
int		 auth_basic_done(const struct hs_policy *, const char *, int,
		    int, struct auth_result *);
void		 auth_wipe(void);
size_t		 auth_redact(const struct hs_servers *, const char *, size_t,
		    char *, size_t);

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
void		 hs_tls_ticket(struct ipc_msg *);
struct tls	*hs_tls_listener(uint32_t, const uint32_t *, size_t,
		    const struct sockaddr_storage *, uint32_t);
void		 hs_tls_wipe(void);
void		 hs_tls_forget(void);
void		 hs_tls_describe(struct tls *, char *, size_t);
struct tlsio;
ssize_t		 io_read(struct tls *, struct tlsio *, int, void *, size_t);
ssize_t		 io_write(struct tls *, int, const void *, size_t);

/* tlsio.c */
int		 tlsio_accept(struct tls *, struct tls **, int, struct tlsio **);
void		 tlsio_lazy(struct tlsio *);
void		 tlsio_readable(struct tlsio *);
size_t		 tlsio_pending(const struct tlsio *);
void		 tlsio_free(struct tlsio *);

/* proxy.c */
#define PROXY_V1_MAX	107		/* the longest v1 line, CRLF included */
#define PROXY_MAX	(16 + 1024)	/* of a v2 header, TLVs included */
#define PROXY_BAD	-1
#define PROXY_MORE	0
#define PROXY_DONE	1
struct proxy_hdr {
	int			 local;	/* no addresses: the connection's own */
	struct sockaddr_storage	 src;	/* the client */
	struct sockaddr_storage	 dst;	/* where it connected, at the balancer */
};
int		 proxy_scan(const uint8_t *, size_t, size_t *);
int		 proxy_parse(const uint8_t *, size_t, struct proxy_hdr *,
		    const char **);
int		 proxy_trusted(const struct sockaddr_storage *,
		    const struct proxy_net *, size_t);

/* pwcheck.c */
void		 pwcheck_add(struct ipc_msg *, const struct ipc_peer *);
void		 pwcheck_retire(const struct ipc_peer *);
int		 pwcheck_send(uint64_t, const struct auth_result *, int *);

/* password.c: the password role */
__dead void	 password_main(unsigned int, int, int);

/* relay.c */
void		 relay_init(struct event_base *, unsigned int);
int		 relay_start(struct tls *, struct tlsio *, int, int, uint64_t,
		    unsigned int);
void		 relay_worker_closed(uint64_t, unsigned int, int);
unsigned int	 relay_count(void);
void		 relay_on_empty(void (*)(void));

/* handshake.c */
struct hs_gen;

struct hs_listener {
	TAILQ_ENTRY(hs_listener) entry;
	struct hs_gen		*gen;
	int			 fd;
	struct ipc_listener	 conf;
	struct event		*ev;
	struct tls		*tls;		/* a tls listener's context */
	uint32_t		*others;	/* servers sharing it (SNI) */
	size_t			 nothers;
};

/*
 * A generation of configuration: the listeners and the server table as
 * one load of wsd.conf gave them. A reload makes a new one; the old one
 * stops accepting at once and is freed when the last handshake that
 * began under it ends, so nothing changes under a connection's feet.
 */
struct hs_gen {
	TAILQ_HEAD(, hs_listener) listeners;
	struct hs_servers	 servers;
	struct proxy_net	 proxy_from[WSD_PROXY_NETS_MAX];
	size_t			 nproxy_from;
	unsigned int		 refs;		/* handshakes in progress */
	int			 retired;
};

struct hs_conn;
TAILQ_HEAD(hs_conns, hs_conn);

/* The workers by instance, and what each has of ours. */
struct hs_workers {
	struct ipc_chan		*chan[WSD_MAXPROC];
	uint32_t		 pid[WSD_MAXPROC];
	unsigned int		 load[WSD_MAXPROC];	/* open */
	char			 name[WSD_MAXPROC][16];	/* of chan */
	unsigned int		 n;		/* the highest instance + 1 */
	unsigned int		 next;		/* where a tie goes */
};

/*
 * The password processes by instance (pwcheck.c), and the connection
 * ids of the checks each has and has not answered (0: a free slot).
 */
#define PW_INFLIGHT_MAX		4
struct hs_passwords {
	struct ipc_chan		*chan[WSD_MAXPROC];
	uint64_t		 pending[WSD_MAXPROC][PW_INFLIGHT_MAX];
	char			 name[WSD_MAXPROC][16];	/* of chan */
	unsigned int		 n;		/* the highest instance + 1 */
};

/* The refusal lines of this second, and those left out. */
struct hs_refusals {
	time_t			 sec;
	unsigned int		 logged;	/* lines in sec */
	unsigned long		 dropped;	/* lines left out */
	struct event		*ev;		/* logs how many */
};

/* The process's state, one in each handshake process. */
struct hs_env {
	struct event_base	*base;
	struct ipc_chan		*parent;
	struct ipc_config	 conf;
	int			 started;
	struct hs_gen		*gen;		/* the one in force */
	struct hs_gen		*incoming;	/* a reload, arriving */
	struct event		*ev_accept_pause;
	struct hs_workers	 workers;
	struct hs_passwords	 passwords;
	uint64_t		 next_id;
	struct hs_conns		 conns;
	/* In the order asked: the parent answers in that order. */
	struct hs_conns		 admitting;
	struct hs_conns		 checking;	/* a password being checked */
	struct hs_refusals	 refusals;
	struct ipc_hs_stats	 stats, stats_sent;
	struct event		*ev_stats;
};

extern struct hs_env	 hs_env;

__dead void	 handshake_main(unsigned int, int, int);
void		 hs_gen_free(struct hs_gen *);
void		 hs_accept_pause(void);

/* conn.c */
void		 hs_accept(int, short, void *);
void		 hs_admitted(struct ipc_chan *, struct ipc_msg *, void *);
void		 hs_release(uint64_t);
void		 hs_refusals_summary(int, short, void *);
void		 hs_close_all(void);
void		 hs_pw_answer(unsigned int, uint64_t, int);
void		 hs_pw_lost(unsigned int);

#endif /* HANDSHAKE_H */
