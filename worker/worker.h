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

#ifndef WORKER_H
#define WORKER_H

#include <sys/types.h>
#include <sys/queue.h>

#include <event.h>
#include <stdint.h>

#include "../common/wsd.h"

/* RFC 6455 section 5.2 */
#define WS_OP_CONT		0x0
#define WS_OP_TEXT		0x1
#define WS_OP_BINARY		0x2
#define WS_OP_CLOSE		0x8
#define WS_OP_PING		0x9
#define WS_OP_PONG		0xa
#define WS_OP_IS_CONTROL(op)	((op) & 0x8)
#define WS_CONTROL_MAX		125
#define WS_HEADER_MAX		14	/* 2 + 8 length + 4 mask */

/* Close codes, RFC 6455 section 7.4.1 */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_NO_STATUS	1005
#define WS_CLOSE_BAD_DATA	1007
#define WS_CLOSE_POLICY		1008
#define WS_CLOSE_TOO_BIG	1009



enum ws_event_type {
	WS_EV_NONE,		/* all input consumed, nothing to report */
	WS_EV_HEADER,		/* a frame header is complete */
	WS_EV_PAYLOAD,		/* payload bytes, unmasked in place */
	WS_EV_END,		/* the frame's payload is complete */
	WS_EV_ERROR		/* protocol violation: close with code */
};

struct ws_frame {
	uint8_t		 fin;
	uint8_t		 rsv;		/* RSV1-3 as bits 0x70 */
	uint8_t		 opcode;
	uint8_t		 mask[4];
	uint64_t	 len;
};

/*
 * An incremental decoder: it keeps what it needs to resume at any byte
 * boundary, so however the input is split the events are the same.
 */
struct ws_decoder {
	uint8_t		 in_payload;
	uint8_t		 hdrlen;	/* header bytes collected */
	uint8_t		 hdr[WS_HEADER_MAX];
	uint8_t		 maskpos;
	uint8_t		 rsv_allowed;	/* bits a negotiated extension uses */
	uint64_t	 remain;	/* payload bytes left in the frame */
	struct ws_frame	 frame;
};

struct ws_event {
	enum ws_event_type	 type;
	uint8_t			*data;		/* WS_EV_PAYLOAD */
	size_t			 len;
	uint16_t		 code;		/* WS_EV_ERROR */
	enum ws_err		 err;
	const char		*reason;
};

/* UTF-8 validator states that callers look at. */
#define UTF8_ACCEPT		0
#define UTF8_REJECT		8

/*
 * Output waits in a chain of pooled buffers; a connection holds none
 * while it is idle.
 */
#define WBUF_SIZE		(16 * 1024)
struct wbuf {
	struct wbuf	*next;
	uint32_t	 off;
	uint32_t	 len;
	uint8_t		 data[WBUF_SIZE];
};

struct wchain {
	struct wbuf	*head;
	struct wbuf	*tail;
	size_t		 len;		/* bytes not yet written */
};

struct ws_limits {
	uint64_t	 max_message;
	uint32_t	 max_fragments;
};


struct pmd;

/* What a connection's sessions counted. */
struct ws_counts {
	uint64_t	 msgs_in;
	uint64_t	 msgs_out;
	uint64_t	 bytes_in;
	uint64_t	 bytes_out;
};

#define WS_PING_TAG	8	/* bytes of a keepalive ping's payload */

/*
 * The protocol side of one connection, without I/O: bytes in, echo and
 * control frames out. A fuzzer or a test drives it with a buffer.
 */
struct ws_session {
	struct ws_decoder	 dec;
	struct wchain		 out;
	struct pmd		*pmd;		/* NULL: no permessage-deflate */
	uint8_t			*ctl;		/* a control payload, arriving */
	const struct ws_limits	*lim;
	uint64_t		 msg_len;	/* decompressed, so far */
	uint64_t		 msg_wire;	/* as received */
	uint32_t		 msg_frags;
	uint16_t		 close_sent;	/* codes, 0 for none */
	uint16_t		 close_rcvd;
	uint8_t			 state;
	uint8_t			 msg_op;	/* 0: no message open */
	uint8_t			 msg_deflate;
	uint8_t			 out_started;	/* an echo fragment went out */
	uint8_t			 utf8;
	uint8_t			 ctllen;
	uint8_t			 err;		/* enum ws_err */
	uint8_t			 activity;	/* a frame arrived */
	uint8_t			 ping_len;	/* a ping awaits its pong */
	uint8_t			 answered;	/* and the pong came */
	uint8_t			 ping_tag[WS_PING_TAG];
	uint64_t		 msgs_in;
	uint64_t		 msgs_out;
	uint64_t		 bytes_in;
	uint64_t		 bytes_out;
};

/* frame.c */
void		 ws_decoder_init(struct ws_decoder *, uint8_t);
size_t		 ws_decode(struct ws_decoder *, uint8_t *, size_t,
		    struct ws_event *);
void		 ws_decoder_unconsume(struct ws_decoder *, uint8_t *, size_t);
size_t		 ws_frame_header(uint8_t *, int, uint8_t, uint64_t);
void		 ws_unmask(uint8_t *, size_t, const uint8_t[4], uint8_t *);

/* utf8.c */
uint8_t		 utf8_validate(uint8_t, const uint8_t *, size_t);

/* buf.c */
struct wbuf	*wbuf_get(void);
void		 wbuf_put(struct wbuf *);
void		 wchain_append(struct wchain *, const void *, size_t);
void		 wchain_consume(struct wchain *, size_t);
void		 wchain_free(struct wchain *);
void		 wbuf_pool_trim(unsigned int);

/* session.c */
int		 ws_session_init(struct ws_session *, const struct ws_limits *,
		    const struct ws_deflate_params *);
void		 ws_session_free(struct ws_session *);
int		 ws_session_idle(const struct ws_session *);
size_t		 ws_session_input(struct ws_session *, uint8_t *, size_t,
		    size_t);
void		 ws_session_close(struct ws_session *, uint16_t, enum ws_err);
void		 ws_session_ping(struct ws_session *, const uint8_t *, size_t);

/* pmd.c */
struct pmd	*pmd_new(const struct ws_deflate_params *);
void		 pmd_free(struct pmd *);
int		 pmd_inflate(struct pmd *, const uint8_t **, size_t *,
		    uint8_t *, size_t, size_t *);
int		 pmd_inflate_finish(struct pmd *, uint8_t *, size_t, size_t *,
		    int *);
int		 pmd_deflate(struct pmd *, const uint8_t *, size_t, int,
		    uint8_t *, size_t, size_t *);
void		 pmd_message_done(struct pmd *);
size_t		 pmd_memory(const struct pmd *);

/*
 * The process (worker.c) and its connections (wconn.c): a connection
 * sits in the list of the deadline it waits for, ordered by when that
 * deadline started.
 */
#define RBUF_SIZE		(64 * 1024)

enum wlist {
	WL_NONE,
	WL_ACTIVE,		/* open, by last activity */
	WL_CLOSING,		/* our close sent, by when */
	WL_LINGER		/* done, written shut, by when */
};

/*
 * Keepalive: a connection waits ping interval from its start or its last
 * pong (KA_WAIT), then its ping waits for the pong (KA_PING).
 */
enum ka_list {
	KA_NONE,
	KA_WAIT,
	KA_PING
};

struct wconn {
	TAILQ_ENTRY(wconn)	 entry;		/* in active or closing */
	TAILQ_ENTRY(wconn)	 full_entry;	/* in the full list */
	TAILQ_ENTRY(wconn)	 ka_entry;	/* in ka_wait or ka_ping */
	struct event		 ev;
	struct ws_session	*s;		/* NULL while parked, idle */
	struct ws_counts	 counted;	/* by sessions since parked */
	char			*identity;	/* who, as authenticated */
	struct event		*ev_expire;	/* a token's exp, or NULL */
	struct ws_limits	 lim;		/* the session points here */
	uint64_t		 id;
	union {
		uint8_t		*pend;		/* input waiting for room */
		uint8_t		*endline;	/* ended: its log line */
	};
	uint32_t		 pendlen;	/* or the line's */
	int			 fd;
	short			 evflags;
	uint8_t			 list;
	uint8_t			 full;		/* above high water */
	uint8_t			 ka;		/* enum ka_list */
	uint8_t			 reset;		/* closed as a client not reading */
	uint8_t			 family;
	uint8_t			 hs;		/* the handshake that sent it */
	uint8_t			 tls;		/* wss://: the relay releases */
	uint16_t		 port;
	uint16_t		 server;
	uint16_t		 location;	/* for wsctl */
	uint8_t			 addr[16];
	uint32_t		 start;
	uint32_t		 last;		/* start of current deadline */
	uint32_t		 full_since;
	uint32_t		 ka_since;	/* last pong, or the ping */
	uint32_t		 rate_sec;
	uint32_t		 rate_count;
};
TAILQ_HEAD(wconns, wconn);

/* All the process's mutable state, in one place, as httpd's httpd_env. */
struct wk_env {
	struct event_base	*base;
	struct ipc_chan		*parent_chan;
	struct ipc_config	 wconf;
	struct ipc_chan		*handshakes[WSD_MAXPROC];
	char			 hs_names[WSD_MAXPROC][16];
	struct wconns		 active;
	struct wconns		 closing;
	struct wconns		 linger;
	struct wconns		 full;
	struct wconns		 ka_wait;
	struct wconns		 ka_ping;
	struct ipc_stats	 stats;	/* closed connections, and counts */
	uint32_t		 closed_plain[WSD_MAXPROC]; /* to tell */
	struct event		*ev_tick;
	int			 shutting_down;
	uint8_t			 rbuf[RBUF_SIZE];
};

extern struct wk_env	 wk_env;

/* wconn.c */
uint32_t	 now_sec(void);
int		 wk_idle(void);
void		 wconn_new(struct ipc_chan *, struct ipc_msg *, void *);
void		 wconn_expire(struct wconn *, uint16_t, const char *);
void		 wconn_close(struct wconn *);
void		 wconn_counts(const struct wconn *, struct ws_counts *);
void		 wconn_tick(uint32_t);

/* worker.c */
__dead void	 worker_main(unsigned int, int, int);

#endif /* WORKER_H */
