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

#ifndef PARENT_H
#define PARENT_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "wsd.h"

#define SERVER_NAME_MAX		255

struct wsd_listener {
	TAILQ_ENTRY(wsd_listener) entry;
	struct sockaddr_storage	 ss;
	int			 tls;
	int			 proxy;		/* a PROXY header first */
	int			 fd;
	unsigned int		 id;		/* < WSD_MAXLISTENERS */
	unsigned int		 server;	/* first server that named it */
	unsigned int		*others;	/* the servers that share it */
	unsigned int		 nothers;
};
TAILQ_HEAD(wsd_listeners, wsd_listener);

/* A certificate, key or CA file, read at load time by the parent. */
struct wsd_tls_file {
	uint8_t			*data;
	size_t			 len;
	char			 path[PATH_MAX];	/* for wsd -nv */
};

struct wsd_alias {
	TAILQ_ENTRY(wsd_alias)	 entry;
	char			 name[SERVER_NAME_MAX + 1];
};

/* An origin pattern or a subprotocol, as configured. */
struct wsd_str {
	TAILQ_ENTRY(wsd_str)	 entry;
	char			 s[WSD_ORIGIN_MAX];
};
TAILQ_HEAD(wsd_strs, wsd_str);

/* authenticate client certificate [subject "glob"] [fingerprint "..."] */
struct wsd_auth_cert {
	TAILQ_ENTRY(wsd_auth_cert) entry;
	char			 subject[WSD_AUTH_PATTERN_MAX];	/* "" any */
	char			 fingerprint[WSD_FPR_MAX];	/* "" any */
	int			 lineno;
};

/* authenticate token "key-file" [cookie] [query] [audience] [issuer] ... */
struct wsd_auth_token {
	TAILQ_ENTRY(wsd_auth_token) entry;
	struct wsd_tls_file	 key;		/* wiped once sent */
	int			 alg;		/* enum jwt_alg, for wsd -nv */
	char			 cookie[WSD_TOKEN_NAME_MAX];
	char			 query[WSD_TOKEN_NAME_MAX];
	char			 audience[WSD_AUTH_PATTERN_MAX];
	char			 issuer[WSD_AUTH_PATTERN_MAX];
	int			 leeway;
	int			 insecure;
	int			 lineno;
};

/* authenticate basic "htpasswd-file" [realm "name"] [insecure] */
struct wsd_auth_basic {
	TAILQ_ENTRY(wsd_auth_basic) entry;
	struct wsd_tls_file	 file;		/* wiped once sent */
	char			 realm[WSD_REALM_MAX];
	int			 insecure;
	int			 lineno;
};

/* allow claim "name" "value" */
struct wsd_claim {
	TAILQ_ENTRY(wsd_claim)	 entry;
	char			 name[WSD_AUTH_PATTERN_MAX];
	char			 value[WSD_AUTH_PATTERN_MAX];
};

/* Who may connect to a server or a location (auth.c in the handshake). */
struct wsd_auth {
	TAILQ_HEAD(, wsd_auth_cert) certs;
	TAILQ_HEAD(, wsd_auth_token) tokens;
	TAILQ_HEAD(, wsd_auth_basic) basics;
	struct wsd_strs		 allow_subjects;
	struct wsd_strs		 allow_users;
	TAILQ_HEAD(, wsd_claim)	 allow_claims;
	int			 allow_lineno;	/* of the first allow */
	int			 tls_required;	/* its line, 0 if not */
};

struct wsd_location {
	TAILQ_ENTRY(wsd_location) entry;
	unsigned int		 id;
	char			 path[WSD_PATH_MAX];
	unsigned long long	 max_message;	/* 0: the global one */
	struct wsd_strs		 protos;
	struct wsd_auth		 auth;
};

struct wsd_server {
	TAILQ_ENTRY(wsd_server)	 entry;
	char			 name[SERVER_NAME_MAX + 1];
	unsigned int		 id;
	TAILQ_HEAD(, wsd_alias)	 aliases;
	int			 nlisten;
	uint64_t		 listeners;	/* bit n: listener id n */
	int			 origin_required;
	char			 health[WSD_PATH_MAX];
	char			 console[WSD_PATH_MAX];	/* "" when off */
	int			 console_lineno;
	struct wsd_strs		 origins;
	struct wsd_strs		 protos;
	struct wsd_auth		 auth;
	TAILQ_HEAD(, wsd_location) locations;
	int			 tls;		/* has a tls listener */
	struct wsd_tls_file	 tls_file[TLS_FILE_MAXKIND];
	struct ipc_tls_server	 tls_conf;
};
TAILQ_HEAD(wsd_servers, wsd_server);

struct wsd_config {
	unsigned int		 prefork_handshake;
	unsigned int		 prefork_worker;
	unsigned int		 prefork_password;
	int			 basic;		/* an authenticate basic line */
	unsigned int		 max_header;
	unsigned int		 timeout_handshake;
	unsigned int		 timeout_shutdown;
	unsigned int		 timeout_idle;
	unsigned int		 ping_interval;
	unsigned int		 max_fragments;
	unsigned int		 max_rate;
	unsigned int		 max_conns;
	unsigned int		 max_conns_addr;
	unsigned long long	 max_message;
	int			 compression;
	unsigned int		 ticket_lifetime;	/* 0: no tickets */
	char			 user[LOGIN_NAME_MAX];
	char			 chroot[PATH_MAX];
	char			 socket[PATH_MAX];
	int			 privdrop;	/* started as root */
	uid_t			 uid;		/* of user, when privdrop */
	gid_t			 gid;
	int			 sandbox_debug;	/* WSD_SANDBOX_DEBUG=1 */
	struct wsd_servers	 servers;
	struct wsd_listeners	 listeners;
	unsigned int		 nlisteners;
	struct proxy_net	 proxy_from[WSD_PROXY_NETS_MAX];
	unsigned int		 nproxy_from;	/* 0: loopback only */
	unsigned int		 nlocations;
};

/* parse.y */
struct wsd_config *parse_config(const char *);
struct wsd_config *parse_config_buffer(const char *, const char *, size_t);
int		 cmdline_symset(const char *);

/* Slots for children: the most of both roles, and as many retiring. */
#define CHILDREN_MAX		(4 * WSD_MAXPROC)

/*
 * More than this many processes of one role in a row that die before
 * they are ready: the role cannot start, and the daemon stops.
 */
#define CRASH_LOOP_DEATHS	10

/*
 * A process that dies once ready is respawned at once, then after 1, 2,
 * 4, 8 and at most RESPAWN_WAIT_MAX seconds while its role keeps dying;
 * RESPAWN_CALM seconds without a death start the count again.
 */
#define RESPAWN_WAIT_MAX	10
#define RESPAWN_CALM		60

/* A reload waits this long for a child to confirm it, then kills it. */
#define RELOAD_WAIT		5

/*
 * A child's life. The transitions are in one place, child_set_state()
 * in proc.c:
 *   FREE or RETIRED -> STARTING		a new process in the slot
 *   STARTING -> READY			its first IPC_READY
 *   STARTING or READY -> RETIRING	beyond a reduced count
 *   STARTING or READY -> DEAD		reaped; respawned -> STARTING
 *   DEAD -> RETIRED			beyond the count when due to respawn
 *   RETIRING -> RETIRED		reaped; the slot may be reused
 */
enum child_state {
	CHILD_FREE,
	CHILD_STARTING,
	CHILD_READY,
	CHILD_RETIRING,
	CHILD_RETIRED,
	CHILD_DEAD,
	CHILD_NSTATES
};

#define CHILD_BIT(s)		(1U << (s))
#define CHILDREN_LIVE		(CHILD_BIT(CHILD_STARTING) | \
				    CHILD_BIT(CHILD_READY))
#define CHILDREN_RUNNING	(CHILDREN_LIVE | CHILD_BIT(CHILD_RETIRING))
#define CHILDREN_SHOWN		(CHILDREN_RUNNING | \
				    CHILD_BIT(CHILD_RETIRED) | \
				    CHILD_BIT(CHILD_DEAD))
#define ROLE_ANY		ROLE_MAX

struct child {
	enum wsd_role		 role;
	enum child_state	 state;
	unsigned int		 instance;
	pid_t			 pid;
	int			 chan_fd;
	struct ipc_chan		*chan;
	struct ipc_stats	 stats;		/* a worker's, latest */
	struct ipc_hs_stats	 hsstats;	/* a handshake's, latest */
	int			 reloading;	/* a reload to confirm */
	unsigned int		 respawns;	/* of this slot's process */
	uint64_t		 id_base;	/* of a handshake's connection ids */
	struct event		*ev_respawn;	/* a respawn that waits */
	char			 name[32];
};

/* Every child of role (or ROLE_ANY) in one of the states (a mask). */
#define CHILD_FOREACH(c, role, states)					\
	for ((c) = child_next(NULL, (role), (states)); (c) != NULL;	\
	    (c) = child_next((c), (role), (states)))

/* The parent's state: one, as httpd's httpd_env. */
struct parent_env {
	struct event_base	*base;
	struct wsd_config	*conf;
	const char		*conf_path;
	int			 debug;
	int			 verbose;
	int			 stopping;	/* shutting down */
	int			 exit_status;
	int			 all_ready;
	struct event		*ev_kill;

	struct child		*children;	/* CHILDREN_MAX slots */
	unsigned int		 nchildren;	/* slots ever used */
	uint64_t		 spawns;	/* of handshake processes */
	unsigned int		 failed_starts[ROLE_MAX];	/* in a row */
	unsigned int		 backoff[ROLE_MAX];	/* deaths lately */
	time_t			 last_death[ROLE_MAX];
	const char		*self_path;	/* to start the children */
	int			 self_fd;

	unsigned int		 reload_waiting; /* children to confirm */
	struct ipc_chan		*reload_chan;	/* the wsctl that asked */
	struct event		*ev_reload;	/* RELOAD_WAIT */

	struct ipc_tls_ticket	 tickets[WSD_TICKET_KEYS];	/* newest 1st */
	unsigned int		 ntickets;
	struct event		*ev_ticket;

	struct ipc_stats	 gone_stats;	/* of processes that went */
	struct ipc_hs_stats	 gone_hsstats;
};

extern struct parent_env	*env;

/* config.c */
struct wsd_config *config_new(void);
void		 config_free(struct wsd_config *);
void		 config_wipe_keys(struct wsd_config *);
int		 config_read_keys(struct wsd_config *);
int		 config_basic_read(struct wsd_auth_basic *, const char *,
		    unsigned int *, const char **);
int		 config_token_key_read(struct wsd_auth_token *, const char *,
		    const char **);
int		 config_tls_file_read(struct wsd_server *, enum tls_file_kind,
		    const char *, const char **);
void		 config_bind(struct wsd_config *);
int		 config_rebind(struct wsd_config *, struct wsd_config *);
void		 config_start(struct child *);
void		 config_reload(struct child *);
void		 tickets_init(void);

/* printconf.c */
void		 config_print(FILE *, const struct wsd_config *);

/* proc.c */
void		 proc_init(const char *, struct sandbox_self *);
struct child	*child_next(struct child *, enum wsd_role, unsigned int);
void		 child_set_state(struct child *, enum child_state);
const char	*child_state_name(const struct child *);
void		 proc_resize(enum wsd_role, unsigned int, unsigned int);
unsigned int	 proc_want(const struct wsd_config *, enum wsd_role);
void		 proc_reap(void);
void		 proc_kill_all(int, short, void *);

/* limits.c */
struct limits_stats {
	unsigned long long	 open;		/* admitted, not yet closed */
	unsigned long long	 addrs;		/* addresses with one open */
	unsigned long long	 refused_total;	/* max connections: 503 */
	unsigned long long	 refused_addr;	/* per address: 429 */
	unsigned long long	 refused_table;	/* address table full: 503 */
};

uint32_t	 limits_admit(struct child *, const struct ipc_admit *,
		    const struct wsd_config *);
void		 limits_release(struct child *, uint64_t);
void		 limits_handoff(struct child *, const struct ipc_handoff *);
void		 limits_child_lost(struct child *);
const struct limits_stats *limits_stats(void);

/* control.c */
int		 control_init(const char *, struct sandbox_self *);
void		 control_listen(struct event_base *, int);
void		 control_cleanup(void);
void		 control_reply(struct child *, struct ipc_msg *);
void		 control_reloaded(struct ipc_chan *);

/* notify.c */
void		 notify_init(void);
void		 notify_ready(const char *);
void		 notify_reloading(void);
void		 notify_reloaded(const char *);
void		 notify_stopping(void);

/* parent.c */
__dead void	 parent_main(struct wsd_config *, const char *,
		    struct sandbox_self *, int, int);
int		 parent_reload(struct ipc_chan *);
void		 parent_reload_forget(struct ipc_chan *);
void		 parent_reload_answered(struct child *);
void		 parent_shutdown(int);
void		 parent_verbose(int);
/* A worker asked by a query of wsctl's, and whether it has answered. */
struct ctl_asked {
	struct child	*c;
	pid_t		 pid;
	int		 done;
};
unsigned int	 parent_query(const struct ipc_query *, struct ctl_asked *,
		    unsigned int);
extern const struct ipc_handlers parent_handlers[ROLE_MAX];

/* show.c */
void		 ctl_line(struct ipc_chan *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
void		 show_summary(struct ipc_chan *, int);
void		 show_stats(struct ipc_chan *, int);
void		 show_child_gone(struct child *);
void		 show_metrics(struct ipc_chan *);
void		 show_connections_head(struct ipc_chan *, int);
void		 show_connection(struct ipc_chan *, const struct ipc_conn_info *,
		    int, int);

#endif /* PARENT_H */
