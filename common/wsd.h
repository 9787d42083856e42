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
 * What more than one role uses: the message types between processes and
 * their payloads, the IPC channel, logging and small utilities.
 */

#ifndef WSD_H
#define WSD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

struct event;
struct event_base;

#define WSD_CONF		"/etc/wsd.conf"
#define WSD_SOCKET		"/run/wsd.sock"
#define WSD_USER		"_wsd"
#define WSD_CHROOT		"/var/empty"

/* Every child talks to the parent on this descriptor. */
#define WSD_PARENT_FD		3

#define WSD_MAXPROC		64	/* per role */
#define WSD_MAXHEADER_MAX	(64 * 1024)
#define WSD_SHUTDOWN_WAIT	5	/* seconds before SIGKILL */
#define WSD_MAXMESSAGE_MAX	(1024LL * 1024 * 1024)
#define WSD_MAXLISTENERS	64	/* a server names them in a bit mask */
#define WSD_NAME_MAX		256	/* server name or alias, with its NUL */
#define WSD_ORIGIN_MAX		512	/* an origin pattern, with its NUL */
#define WSD_PATH_MAX		256	/* a location or health path */
#define WSD_SUBPROTO_MAX	128	/* a subprotocol name */
#define WSD_NOLOCATION		UINT32_MAX
#define WSD_AUTH_PATTERN_MAX	256	/* a subject pattern, with its NUL */
#define WSD_FPR_MAX		72	/* "SHA256:", 64 hex digits, NUL */
#define WSD_IDENTITY_MAX	256	/* who a client is, as logged */
#define WSD_MAXCONN_MAX		1000000	/* max connections (per address) */

enum wsd_role {
	ROLE_PARENT,
	ROLE_HANDSHAKE,
	ROLE_WORKER,
	ROLE_PASSWORD,		/* checks Basic passwords for the handshakes */
	ROLE_MAX
};

extern const char	*const role_names[ROLE_MAX];

/*
 * The two ends of a channel: a role, or wsctl on the control socket. The
 * direction column of ipc_types[] (ipc.c) names, for every message type,
 * the ends it may travel between; nothing else says who may send what.
 */
enum ipc_end {
	END_PARENT = ROLE_PARENT,
	END_HANDSHAKE = ROLE_HANDSHAKE,
	END_WORKER = ROLE_WORKER,
	END_PASSWORD = ROLE_PASSWORD,
	END_CONTROL,
	IPC_ENDS
};
#define IPC_DIR(from, to)	(1ULL << ((from) * IPC_ENDS + (to)))

/*
 * IPC: one message is one SOCK_SEQPACKET datagram, a header and a payload.
 * Each type has an exact (or bounded) payload size, a fixed number of
 * descriptors, and the one direction it may travel in.
 */
enum ipc_type {
	IPC_LOG = 1,		/* child -> parent: struct ipc_log + text */
	IPC_CONFIG,		/* parent -> child: struct ipc_config */
	IPC_LISTENER,		/* parent -> handshake, fd: struct ipc_listener */
	IPC_PEER,		/* parent -> handshake/worker, fd: ipc_peer */
	IPC_START,		/* parent -> child: configuration done, serve */
	IPC_READY,		/* child -> parent: serving */
	IPC_SHUTDOWN,		/* parent -> child: finish and exit */
	IPC_CONN,		/* handshake -> worker, fd: ipc_conn + bytes */
	IPC_CTL_REQ,		/* wsctl -> parent: struct ipc_ctl */
	IPC_CTL_DATA,		/* parent -> wsctl: a line of output */
	IPC_CTL_END,		/* parent -> wsctl: struct ipc_ctl_end */
	IPC_STATS,		/* worker -> parent: struct ipc_stats */
	IPC_QUERY,		/* parent -> worker: struct ipc_query */
	IPC_CONN_INFO,		/* worker -> parent: struct ipc_conn_info */
	IPC_QUERY_END,		/* worker -> parent: struct ipc_query_end */
	IPC_VERBOSE,		/* parent -> child: int32_t level */
	IPC_SERVER,		/* parent -> handshake: struct ipc_server */
	IPC_ALIAS,		/* parent -> handshake: struct ipc_alias */
	IPC_ORIGIN,		/* parent -> handshake: struct ipc_origin */
	IPC_LOCATION,		/* parent -> handshake: struct ipc_location */
	IPC_SUBPROTO,		/* parent -> handshake: struct ipc_subproto */
	IPC_TLS_SERVER,		/* parent -> handshake: ipc_tls_server */
	IPC_TLS_FILE,		/* parent -> handshake: ipc_tls_file + PEM */
	IPC_LISTENER_SERVER,	/* parent -> handshake: ipc_listener_server */
	IPC_RECONF,		/* parent -> handshake: a reload begins */
	IPC_RECONF_END,		/* parent -> handshake: it is all there */
	IPC_PEER_RETIRE,	/* parent -> handshake: struct ipc_peer */
	IPC_HS_STATS,		/* handshake -> parent: struct ipc_hs_stats */
	IPC_ADMIT,		/* handshake -> parent: struct ipc_admit */
	IPC_ADMIT_REPLY,	/* parent -> handshake: ipc_admit_reply */
	IPC_HANDOFF,		/* handshake -> parent: struct ipc_handoff */
	IPC_RELEASE,		/* handshake/worker -> parent: uint64_t id */
	IPC_CLOSED,		/* worker -> handshake: struct ipc_closed */
	IPC_TLS_TICKET,		/* parent -> handshake: ipc_tls_ticket */
	IPC_AUTH,		/* parent -> handshake: struct ipc_auth */
	IPC_AUTH_TOKEN,		/* parent -> handshake: ipc_auth_token + key */
	IPC_AUTH_BASIC,		/* parent -> handshake: ipc_auth_basic + file */
	IPC_PW_CHECK,		/* handshake -> password: ipc_pw_check + pass */
	IPC_PW_RESULT,		/* password -> handshake: ipc_pw_result */
	IPC_PROXY_FROM,		/* parent -> handshake: struct proxy_net */
	IPC_TYPE_MAX
};

#define IPC_MAXPAYLOAD		(WSD_MAXHEADER_MAX + 1024)

struct ipc_hdr {
	uint32_t	 type;
	uint32_t	 len;		/* of the payload */
};

struct ipc_msg {
	uint32_t	 type;
	uint32_t	 len;
	uint8_t		*data;		/* len bytes, inside the receive buffer */
	int		 fd;		/* -1 unless the type carries one */
};

#define IPC_LOG_MAX		1024
/* A log line riding on another message: struct ipc_log and its text. */
#define IPC_LOG_ATTACH_MAX	(sizeof(struct ipc_log) + IPC_LOG_MAX)
struct ipc_log {
	int32_t		 priority;	/* a severity: log_child_priority */
	/* followed by the text, not terminated */
};

struct ipc_config {
	uint64_t	 id_base;	/* handshake: high bits of its ids */
	uint32_t	 respawns;	/* of this process's slot, so far */
	uint32_t	 instance;	/* of its role */
	int32_t		 verbose;
	uint32_t	 prefork_handshake;
	uint32_t	 prefork_worker;
	uint32_t	 max_header;
	uint32_t	 timeout_handshake;
	uint32_t	 timeout_shutdown;
	uint32_t	 timeout_idle;		/* seconds, 0: never */
	uint32_t	 ping_interval;		/* seconds, 0: no pings */
	uint32_t	 max_fragments;
	uint32_t	 max_rate;		/* messages a second, 0: off */
	uint64_t	 max_message;
	uint32_t	 compression;		/* accept permessage-deflate */
	uint32_t	 max_conns;		/* for the daemon */
	uint32_t	 max_conns_addr;	/* per address or /64 */
	uint32_t	 ticket_lifetime;	/* seconds, 0: no tickets */
	/* The sandbox: chroot and user, when the parent runs as root. */
	uint32_t	 privdrop;
	uint32_t	 uid;
	uint32_t	 gid;
	char		 chroot[PATH_MAX];	/* NUL terminated */
};

struct ipc_listener {
	struct sockaddr_storage	 ss;
	uint32_t		 server;	/* the first server naming it */
	uint32_t		 tls;
	uint32_t		 id;		/* < WSD_MAXLISTENERS */
	uint32_t		 proxy;		/* a PROXY header comes first */
};

/*
 * proxy from "cidr": a network whose load balancers may send the PROXY
 * header. With none configured, the loopback networks.
 */
#define WSD_PROXY_NETS_MAX	64
struct proxy_net {
	uint32_t	 family;	/* AF_INET or AF_INET6 */
	uint32_t	 prefixlen;
	uint8_t		 addr[16];
};

/*
 * The server table, for the policy of the handshake processes. Between
 * IPC_CONFIG and IPC_START the parent sends each server as IPC_SERVER,
 * followed by its IPC_ALIAS, IPC_ORIGIN, IPC_SUBPROTO and IPC_LOCATION
 * messages; a subprotocol of a location follows that location. Every
 * message names its server (and location) by id, which must already be
 * known; every string is NUL terminated inside its array, or the
 * message is refused.
 */
#define IPC_SERVER_ORIGIN_REQUIRED	0x1	/* refuse without Origin */
#define IPC_SERVER_TLS_REQUIRED		0x2	/* refuse ws:// upgrades */

struct ipc_server {
	uint32_t	 id;
	uint32_t	 flags;
	uint64_t	 listeners;		/* bit n: listener id n */
	char		 name[WSD_NAME_MAX];
	char		 health[WSD_PATH_MAX];	/* "" for none */
	char		 console[WSD_PATH_MAX];	/* "" for none */
};

struct ipc_alias {
	uint32_t	 server;
	char		 name[WSD_NAME_MAX];
};

struct ipc_origin {
	uint32_t	 server;
	char		 origin[WSD_ORIGIN_MAX];	/* as configured */
};

struct ipc_location {
	uint32_t	 server;
	uint32_t	 id;			/* unique in the daemon */
	uint64_t	 max_message;		/* 0: the global one */
	uint32_t	 flags;			/* IPC_SERVER_TLS_REQUIRED */
	char		 path[WSD_PATH_MAX];
};

/* An authenticate or allow line of a server or a location. */
enum ipc_auth_kind {
	AUTH_CERT = 1,		/* authenticate client certificate */
	AUTH_ALLOW_SUBJECT,	/* allow subject "pattern" */
	AUTH_TOKEN,		/* authenticate token: ipc_auth_token */
	AUTH_ALLOW_USER,	/* allow user "pattern" */
	AUTH_ALLOW_CLAIM,	/* allow claim "pattern" "value" */
	AUTH_BASIC		/* authenticate basic: ipc_auth_basic */
};

struct ipc_auth {
	uint32_t	 server;
	uint32_t	 location;	/* WSD_NOLOCATION: the server's */
	uint32_t	 kind;		/* enum ipc_auth_kind */
	char		 pattern[WSD_AUTH_PATTERN_MAX];	/* subject, "" any */
	char		 fingerprint[WSD_FPR_MAX];	/* "" any */
	char		 value[WSD_AUTH_PATTERN_MAX];	/* of a claim */
};

/* authenticate token "key-file" ...: the key file's bytes follow. */
#define WSD_TOKEN_NAME_MAX	64	/* a cookie or query name */
#define WSD_TOKEN_KEY_MAX	16384
struct ipc_auth_token {
	uint32_t	 server;
	uint32_t	 location;	/* WSD_NOLOCATION: the server's */
	uint32_t	 leeway;	/* seconds */
	uint32_t	 keylen;
	char		 cookie[WSD_TOKEN_NAME_MAX];	/* "" for none */
	char		 query[WSD_TOKEN_NAME_MAX];	/* "" for none */
	char		 audience[WSD_AUTH_PATTERN_MAX];	/* "" any */
	char		 issuer[WSD_AUTH_PATTERN_MAX];	/* "" any */
	/* followed by keylen bytes */
};

/*
 * authenticate basic "htpasswd-file" [realm "name"]: the file's bytes
 * follow, "user:hash" lines (htpasswd.c), bcrypt hashes only.
 */
#define WSD_REALM_MAX		64	/* with its NUL */
#define WSD_HTPASSWD_MAX	65536	/* one message: about 900 users */
#define WSD_USER_MAX		64	/* a Basic user name, with its NUL */
#define BCRYPT_HASH_LEN		60	/* "$2b$10$" and 53 characters */
#define BCRYPT_COST_MIN		4
#define BCRYPT_COST_MAX		18	/* about 15 s a check: beyond is a typo */
struct ipc_auth_basic {
	uint32_t	 server;
	uint32_t	 location;	/* WSD_NOLOCATION: the server's */
	char		 realm[WSD_REALM_MAX];
	/* followed by the file */
};

/*
 * A password check, handshake -> password process, and its answer. The
 * password follows the request, at most WSD_PASSWORD_MAX bytes, no NUL.
 */
#define WSD_PASSWORD_MAX	1024
struct ipc_pw_check {
	uint64_t	 id;		/* the handshake's, echoed */
	char		 hash[BCRYPT_HASH_LEN + 1];
};

struct ipc_pw_result {
	uint64_t	 id;
	uint32_t	 ok;		/* 1: the password matches the hash */
};

struct ipc_subproto {
	uint32_t	 server;
	uint32_t	 location;	/* WSD_NOLOCATION: the server's */
	char		 name[WSD_SUBPROTO_MAX];
};

/*
 * The TLS settings of a server with a tls listener; its certificate, key
 * and client CA follow as IPC_TLS_FILE messages with the same server.
 */
#define TLS_SPEC_MAX		256
enum tls_verify {
	TLS_VERIFY_NONE,
	TLS_VERIFY_OPTIONAL,
	TLS_VERIFY_REQUIRED
};

struct ipc_tls_server {
	uint32_t	 server;
	uint32_t	 protocols;		/* TLS_PROTOCOL_* bits */
	uint32_t	 verify;		/* enum tls_verify */
	char		 ciphers[TLS_SPEC_MAX];	/* NUL terminated */
	char		 ecdhe[TLS_SPEC_MAX];	/* NUL terminated */
};

/*
 * A file as the parent read it: each file travels whole in one
 * datagram, so a certificate chain, key, CA or OCSP response file may
 * hold at most TLS_FILE_MAX bytes (the parser refuses a larger one).
 */
#define TLS_FILE_MAX		(64 * 1024)
enum tls_file_kind {
	TLS_FILE_CERT,
	TLS_FILE_KEY,
	TLS_FILE_CA,
	TLS_FILE_OCSP,		/* a DER OCSP response, to staple */
	TLS_FILE_MAXKIND
};

struct ipc_tls_file {
	uint32_t	 server;
	uint32_t	 kind;			/* enum tls_file_kind */
	/* followed by 1 to TLS_FILE_MAX bytes of PEM, or DER for OCSP */
};

/*
 * One more server on a listener already sent: its certificate joins the
 * listener's TLS context, to be chosen by SNI.
 */
struct ipc_listener_server {
	struct sockaddr_storage	 ss;
	uint32_t		 server;
	uint32_t		 pad;
};

/*
 * A session-ticket key (TLS_TICKET_KEY_SIZE bytes: AES and HMAC keys),
 * made by the parent and sent to every handshake process, so that a
 * client resumes its session whichever process it reaches. A new one
 * comes every quarter of the ticket lifetime; keyrev names it in the
 * tickets it encrypts and grows by one each time.
 */
#define WSD_TICKET_KEY_SIZE	48
#define WSD_TICKET_KEYS		4	/* kept; libtls keeps as many */
struct ipc_tls_ticket {
	uint32_t	 keyrev;
	uint8_t		 key[WSD_TICKET_KEY_SIZE];
};

struct ipc_peer {
	uint32_t	 role;
	uint32_t	 instance;
	uint32_t	 pid;		/* tells a respawned peer apart */
};

/*
 * Connection limits for the daemon as a whole (see parent/limits.c).
 * The parent holds the counts: a handshake process asks it to admit
 * each accepted connection, tells it when a ws:// connection moves to
 * a worker, and whoever closes a connection releases it.
 */
struct ipc_admit {
	uint64_t		 id;
	struct sockaddr_storage	 peer;
};

struct ipc_admit_reply {
	uint64_t	 id;
	uint32_t	 status;	/* 0: admitted, else the HTTP status */
	uint32_t	 pad;
};

struct ipc_handoff {
	uint64_t	 id;
	uint32_t	 worker;	/* instance */
	uint32_t	 pid;		/* of that worker, from its ipc_peer */
};

/* A worker closed a connection the handshake process handed to it. */
struct ipc_closed {
	uint64_t	 id;		/* 0: count ws:// closes, no relay */
	uint32_t	 reset;		/* the client stopped reading: wss://
					   relays reset TCP */
	uint32_t	 count;		/* with id 0: how many */
};

/* permessage-deflate (RFC 7692) as negotiated by the handshake. */
struct ws_deflate_params {
	uint8_t		 enabled;
	uint8_t		 server_no_context_takeover;
	uint8_t		 client_no_context_takeover;
	uint8_t		 server_max_window_bits;	/* 8..15 */
	uint8_t		 client_max_window_bits;	/* 8..15 */
};

/* A connection handed from a handshake process to a worker. */
struct ipc_conn {
	uint64_t		 id;
	struct sockaddr_storage	 peer;
	uint32_t		 server;
	uint32_t		 location;	/* or WSD_NOLOCATION */
	uint64_t		 max_message;	/* for this connection */
	char			 subproto[WSD_SUBPROTO_MAX]; /* "" for none */
	struct ws_deflate_params deflate;
	uint8_t			 tls;		/* relayed wss://: the relay releases it */
	char			 identity[WSD_IDENTITY_MAX]; /* "" for none */
	int64_t			 expires;	/* a token's exp; 0: never */
	uint32_t		 extra_len;	/* bytes read past the head */
	/* followed by extra_len bytes */
};

#define IPC_CTL_ARGMAX		128
struct ipc_ctl {
	uint32_t	 cmd;
	uint32_t	 flags;
	char		 arg[IPC_CTL_ARGMAX];	/* NUL terminated */
};
#define CTL_F_JSON		0x1

/* The parent asks the workers about connections, for wsctl. */
enum query_kind {
	QUERY_CONNECTIONS = 1,	/* one ipc_conn_info each, then the end */
	QUERY_KILL		/* close connection id, then the end */
};

struct ipc_query {
	uint32_t	 reqid;
	uint32_t	 kind;
	uint64_t	 id;
};

struct ipc_conn_info {
	uint32_t		 reqid;
	uint32_t		 state;		/* enum ws_state */
	uint64_t		 id;
	struct sockaddr_storage	 peer;
	uint32_t		 server;
	uint32_t		 age;		/* seconds */
	uint32_t		 idle;		/* seconds */
	uint32_t		 deflate;
	uint32_t		 location;	/* or WSD_NOLOCATION */
	uint32_t		 tls;
	uint64_t		 msgs_in, msgs_out, bytes_in, bytes_out;
	char			 identity[WSD_IDENTITY_MAX]; /* "" for none */
};

struct ipc_query_end {
	uint32_t	 reqid;
	int32_t		 found;		/* QUERY_KILL: 1 if it was ours */
};

/*
 * A worker's words for its connections, which the parent prints: why
 * one was failed (ipc_stats.errors) and where it stands (conn_info).
 */
enum ws_err {
	WS_ERR_NONE,
	WS_ERR_UNMASKED,
	WS_ERR_RSV,
	WS_ERR_OPCODE,
	WS_ERR_CONTROL,
	WS_ERR_LENGTH,
	WS_ERR_CONTINUATION,
	WS_ERR_NESTED,
	WS_ERR_UTF8,
	WS_ERR_CLOSE_PAYLOAD,
	WS_ERR_TOO_BIG,
	WS_ERR_FRAGMENTS,
	WS_ERR_INFLATE,
	WS_ERR_RATE,
	WS_ERR_MAX
};

enum ws_state {
	WS_OPEN,
	WS_CLOSE_SENT,		/* our close is queued; input is discarded */
	WS_CLOSED,		/* both closes seen: close TCP once flushed */
	WS_STATE_MAX
};

extern const char	*const ws_err_names[WS_ERR_MAX];
extern const char	*const ws_state_names[WS_STATE_MAX];

/* A worker's counters, sent to the parent once a second. */
#define STATS_CLOSE_CODES	17	/* 1000..1015, then all others */
#define STATS_ERRORS		16
_Static_assert(WS_ERR_MAX <= STATS_ERRORS, "a counter for every ws_err");
struct ipc_stats {
	uint64_t	 conns_now;
	uint64_t	 conns_total;
	uint64_t	 msgs_in;
	uint64_t	 msgs_out;
	uint64_t	 bytes_in;
	uint64_t	 bytes_out;
	uint64_t	 close_sent[STATS_CLOSE_CODES];
	uint64_t	 close_rcvd[STATS_CLOSE_CODES];
	uint64_t	 errors[STATS_ERRORS];	/* by enum ws_err */
};

/*
 * A handshake process's counters, sent once a second when they moved:
 * outcomes, and refusals by the status answered (HS_STATUSES lists the
 * codes counted one by one; the last slot takes any other).
 */
#define HS_STATUSES	{ 400, 401, 403, 404, 405, 421, 426, 429, 431, 503, \
			    505 }
#define HS_NSTATUS	12
struct ipc_hs_stats {
	uint64_t	 accepted_plain;
	uint64_t	 accepted_tls;
	uint64_t	 health;
	uint64_t	 timeouts;
	uint64_t	 tls_failures;
	uint64_t	 refused[HS_NSTATUS];
	/* Basic passwords sent to be checked; of those, how many queued
	 * behind another check; and refused (503) for want of room. */
	uint64_t	 pw_checks;
	uint64_t	 pw_waited;
	uint64_t	 pw_busy;
	/* On proxy listeners: from an untrusted address, or no good header. */
	uint64_t	 proxy_refused;
};

enum ctl_cmd {
	CTL_SHOW_SUMMARY = 1,
	CTL_SHOW_STATS,
	CTL_SHOW_CONNECTIONS,
	CTL_SHOW_METRICS,
	CTL_KILL,
	CTL_LOG_VERBOSE,
	CTL_LOG_BRIEF,
	CTL_RELOAD,
	CTL_MAX
};

struct ipc_ctl_end {
	int32_t		 status;	/* 0 on success */
};

struct ipc_chan;
typedef void (*ipc_handler)(struct ipc_chan *, struct ipc_msg *, void *);

/*
 * What one end does with each message type it accepts, by type. A
 * channel refuses a table that leaves an accepted type unhandled or
 * handles one the direction table does not let the peer send.
 */
struct ipc_handlers {
	ipc_handler	 h[IPC_TYPE_MAX];
};

struct ipc_out {
	TAILQ_ENTRY(ipc_out)	 entry;
	size_t			 len;
	int			 fd;
	uint8_t			 buf[];
};

/*
 * A channel whose peer is gone, or broken: its queue is full or a send
 * failed. Either way "closed" is called once, from the event loop (never
 * from inside ipc_compose), and the channel sends nothing more.
 */
struct ipc_chan {
	int			 fd;
	enum ipc_end		 self;
	enum ipc_end		 peer;
	uint64_t		 accept;	/* from the direction table */
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_broken;
	TAILQ_HEAD(, ipc_out)	 outq;
	size_t			 outq_len;
	const struct ipc_handlers *handlers;
	void			*arg;
	void			(*closed)(struct ipc_chan *, void *);
	int			 broken;	/* sends nothing more */
	int			 lost;		/* closed was called */
	const char		*name;		/* for log lines */
};

#define IPC_BIT(t)		(1ULL << (t))
_Static_assert(IPC_TYPE_MAX <= 64, "accept masks hold 64 message types");

/* ipc.c */
const char	*ipc_type_name(uint32_t);
uint64_t	 ipc_accepts(enum ipc_end, enum ipc_end);
int		 ipc_decode(uint8_t *, size_t, int, struct ipc_msg *,
		    const char **);
int		 ipc_encode(uint8_t *, size_t, uint32_t, const void *, size_t,
		    const void *, size_t, int, size_t *);
int		 ipc_sendmsg(int, const void *, size_t, int);
ssize_t		 ipc_recvmsg(int, uint8_t *, size_t, int *, const char **);
struct ipc_chan	*ipc_chan_new(struct event_base *, int, const char *,
		    enum ipc_end, enum ipc_end, const struct ipc_handlers *,
		    void *);
void		 ipc_chan_free(struct ipc_chan *);
void		 ipc_chan_drain(struct ipc_chan *);
int		 ipc_compose(struct ipc_chan *, uint32_t, const void *,
		    size_t, const void *, size_t, int);
int		 ipc_flush_blocking(struct ipc_chan *, int);

/*
 * child.c: the life every child shares. IPC_CONFIG, IPC_VERBOSE and
 * IPC_START from the parent are handled there for every role; a role
 * names those three handlers in its table and adds its own.
 */
struct child_role {
	enum wsd_role		 role;
	const struct ipc_handlers *handlers;	/* of the parent's messages */
	struct ipc_config	*conf;		/* where IPC_CONFIG lands */
	void			(*prepare)(void); /* at start, unsandboxed */
	void			(*serve)(void);	/* sandboxed; then ready */
};

struct ipc_chan	*child_init(const struct child_role *, int, int,
		    struct event_base **);
__dead void	 child_run(struct event_base *);
void		 hostile_init(int);
void		 hostile_start(enum wsd_role, struct event_base *,
		    const struct ipc_config *);
void		 child_on_config(struct ipc_chan *, struct ipc_msg *, void *);
void		 child_on_verbose(struct ipc_chan *, struct ipc_msg *, void *);
void		 child_on_start(struct ipc_chan *, struct ipc_msg *, void *);

/* log.c */
void	log_init(int, int);
void	log_setverbose(int);
int	log_getverbose(void);
void	log_to_parent(int);
int	log_child_priority(int32_t);
void	log_child(int32_t, const char *, const char *);
void	log_child_attached(const uint8_t *, size_t, const char *);
size_t	log_attach(uint8_t *, size_t, int, const char *, ...)
	    __attribute__((__format__ (printf, 4, 5)));
void	log_write(int, const char *, const char *);
void	log_warn(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_warnx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_info(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_debug(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	vlog(int, const char *, va_list)
	    __attribute__((__format__ (printf, 2, 0)));
__dead void fatal(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
__dead void fatalx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));

/* What the parent's sandbox leaves it: see sandbox_parent(). */
struct sandbox_self {
	const char	*exe;		/* our binary, to start children */
	int		 exe_fd;	/* the same, open (Linux) */
	char		 ctldir[PATH_MAX];	/* the control socket's */
	int		 ctldir_fd;
};

/* sandbox.c */
void	sandbox_init(int, int);
void	sandbox(enum wsd_role, const struct ipc_config *);
void	sandbox_parent(const struct sandbox_self *);
const char	*test_hook(const char *, enum wsd_role);

/* sandbox_linux.c, sandbox_openbsd.c: what each system adds */
void	sandbox_os_init(int);
void	sandbox_os_self(const struct sandbox_self *);
void	sandbox_os(enum wsd_role);

/* htpasswd.c */
int		 basic_realm_valid(const char *);
int		 bcrypt_hash_valid(const char *, size_t, const char **);
int		 htpasswd_parse(const uint8_t *, size_t,
		    int (*)(const char *, size_t, const char *, void *), void *,
		    unsigned int *, const char **);

/* util.c */
int		 fd_nonblock(int);
int		 sock_untaken(int, int);
void		 sock_close_reset(int);
const char	*sockaddr_str(const struct sockaddr *, char *, size_t);
int		 sockaddr_same(const struct sockaddr_storage *,
		    const struct sockaddr_storage *);
int		 str_escape(char *, size_t, const void *, size_t);

#endif /* WSD_H */
