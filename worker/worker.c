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
 * The worker: receives upgraded connections from the handshake processes
 * and echoes every frame back as it is decoded. Input is read into one
 * buffer shared by the process; a connection holds buffers of its own
 * only while output is pending or input waits for room, so an idle
 * connection costs its small struct and nothing else.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

#define WBUF_SIZE	(64 * 1024)
#define WBUF_POOL_MAX	64	/* free buffers kept for reuse */
/* Room an event may need in the output: a header and a control frame. */
#define OUT_MARGIN	(WS_HEADER_MAX + 2 + WS_CONTROL_MAX)

enum wconn_state {
	WC_OPEN,
	WC_CLOSING		/* our close frame is queued */
};

struct wbuf {
	SLIST_ENTRY(wbuf)	 next;
	size_t			 off;
	size_t			 len;
	uint8_t			 data[WBUF_SIZE];
};

struct wconn {
	TAILQ_ENTRY(wconn)	 entry;
	int			 fd;
	short			 evflags;
	uint8_t			 state;
	uint8_t			 msg_open;	/* a fragmented message */
	uint8_t			 ctllen;
	uint8_t			 close_sent_by_client;
	uint16_t		 close_code;
	uint64_t		 id;
	struct event		 ev;
	struct ws_decoder	 dec;
	struct wbuf		*pend;		/* input waiting for room */
	struct wbuf		*out;
	uint8_t			 ctl[WS_CONTROL_MAX];
	time_t			 start;
	uint64_t		 msgs_in, msgs_out, bytes_in, bytes_out;
	struct sockaddr_storage	 peer;
};

static struct event_base	*base;
static struct ipc_chan		*parent_chan;
static struct ipc_config	 wconf;
static struct ipc_chan		*handshakes[WSD_MAXPROC];
static int			 shutting_down;
static uint8_t			 rbuf[WBUF_SIZE];
static SLIST_HEAD(, wbuf)	 pool = SLIST_HEAD_INITIALIZER(pool);
static unsigned int		 npool;
static TAILQ_HEAD(, wconn)	 conns = TAILQ_HEAD_INITIALIZER(conns);

static void	 wk_dispatch(struct ipc_chan *, struct ipc_msg *, void *);
static void	 wconn_new(struct ipc_msg *);
static void	 wconn_event(int, short, void *);
static void	 wconn_input(struct wconn *, uint8_t *, size_t);
static void	 wconn_update(struct wconn *);
static int	 wconn_flush(struct wconn *);
static void	 wconn_send_close(struct wconn *, uint16_t, const uint8_t *,
		    size_t);
static void	 wconn_free(struct wconn *, const char *);

static struct wbuf *
wbuf_get(void)
{
	struct wbuf	*b;

	if ((b = SLIST_FIRST(&pool)) != NULL) {
		SLIST_REMOVE_HEAD(&pool, next);
		npool--;
	} else if ((b = malloc(sizeof(*b))) == NULL)
		return (NULL);
	b->off = b->len = 0;
	return (b);
}

static void
wbuf_put(struct wbuf *b)
{
	if (b == NULL)
		return;
	if (npool >= WBUF_POOL_MAX) {
		free(b);
		return;
	}
	SLIST_INSERT_HEAD(&pool, b, next);
	npool++;
}

static size_t
wconn_out_room(struct wconn *c)
{
	return (c->out == NULL ? WBUF_SIZE : WBUF_SIZE - c->out->len);
}

/* Append to the output; the caller checked there is room. */
static void
wconn_out(struct wconn *c, const void *data, size_t len)
{
	if (c->out == NULL && (c->out = wbuf_get()) == NULL)
		fatal("%s", __func__);
	memcpy(c->out->data + c->out->len, data, len);
	c->out->len += len;
	c->bytes_out += len;
}

static void
wconn_out_header(struct wconn *c, int fin, uint8_t op, uint64_t len)
{
	uint8_t	 hdr[WS_HEADER_MAX];

	wconn_out(c, hdr, ws_frame_header(hdr, fin, op, len));
}

static void
wconn_out_frame(struct wconn *c, int fin, uint8_t op, const uint8_t *data,
    size_t len)
{
	wconn_out_header(c, fin, op, len);
	if (len)
		wconn_out(c, data, len);
}

static void
wconn_send_close(struct wconn *c, uint16_t code, const uint8_t *reason,
    size_t len)
{
	uint8_t	 payload[WS_CONTROL_MAX];

	if (c->state == WC_CLOSING)
		return;
	c->state = WC_CLOSING;
	c->close_code = code;
	if (code == WS_CLOSE_NO_STATUS) {
		wconn_out_frame(c, 1, WS_OP_CLOSE, NULL, 0);
		return;
	}
	payload[0] = code >> 8;
	payload[1] = code;
	if (len > sizeof(payload) - 2)
		len = sizeof(payload) - 2;
	if (len)
		memcpy(payload + 2, reason, len);
	wconn_out_frame(c, 1, WS_OP_CLOSE, payload, 2 + len);
}

/* The client's close: echo its status code, or 1002 if it has none valid. */
static void
wconn_on_close(struct wconn *c)
{
	uint16_t	 code;

	c->close_sent_by_client = 1;
	if (c->ctllen == 0) {
		wconn_send_close(c, WS_CLOSE_NO_STATUS, NULL, 0);
		return;
	}
	code = (uint16_t)c->ctl[0] << 8 | c->ctl[1];
	if (c->ctllen == 1 || code < 1000 || code >= 5000 ||
	    (code >= 1004 && code <= 1006) || (code >= 1015 && code < 3000)) {
		wconn_send_close(c, WS_CLOSE_PROTOCOL, NULL, 0);
		return;
	}
	wconn_send_close(c, code, NULL, 0);
}

static int
wconn_on_header(struct wconn *c, const struct ws_frame *f)
{
	if (WS_OP_IS_CONTROL(f->opcode)) {
		c->ctllen = 0;
		return (0);
	}
	if (f->opcode == WS_OP_CONT && !c->msg_open) {
		wconn_send_close(c, WS_CLOSE_PROTOCOL, NULL, 0);
		return (-1);
	}
	if (f->opcode != WS_OP_CONT && c->msg_open) {
		wconn_send_close(c, WS_CLOSE_PROTOCOL, NULL, 0);
		return (-1);
	}
	c->msg_open = !f->fin;
	/* The echo mirrors the frame: same opcode, FIN and length. */
	wconn_out_header(c, f->fin, f->opcode, f->len);
	if (f->fin) {
		c->msgs_in++;
		c->msgs_out++;
	}
	return (0);
}

static void
wconn_on_end(struct wconn *c, const struct ws_frame *f)
{
	switch (f->opcode) {
	case WS_OP_PING:
		wconn_out_frame(c, 1, WS_OP_PONG, c->ctl, c->ctllen);
		break;
	case WS_OP_CLOSE:
		wconn_on_close(c);
		break;
	}
}

/*
 * Decode and echo as much of data as the output has room for; what is
 * left waits in c->pend until the client has read its echo.
 */
static void
wconn_input(struct wconn *c, uint8_t *data, size_t len)
{
	struct ws_event	 ev;
	size_t		 off = 0, avail, n, room;
	const struct ws_frame *f = &c->dec.frame;

	c->bytes_in += len;
	for (;;) {
		if (c->state == WC_CLOSING)
			break;
		if ((room = wconn_out_room(c)) < OUT_MARGIN)
			break;
		avail = len - off;
		if (c->dec.in_payload && !WS_OP_IS_CONTROL(f->opcode) &&
		    avail > room - OUT_MARGIN)
			avail = room - OUT_MARGIN;
		n = ws_decode(&c->dec, data + off, avail, &ev);
		off += n;
		if (ev.type == WS_EV_NONE)
			break;
		if (ev.type == WS_EV_ERROR) {
			log_debug("connection %llu: %s",
			    (unsigned long long)c->id, ev.reason);
			wconn_send_close(c, ev.code, NULL, 0);
			off = len;
			break;
		}
		if (ev.type == WS_EV_HEADER && wconn_on_header(c, f) == -1) {
			off = len;
			break;
		}
		if (ev.type == WS_EV_PAYLOAD) {
			if (WS_OP_IS_CONTROL(f->opcode)) {
				memcpy(c->ctl + c->ctllen, ev.data, ev.len);
				c->ctllen += ev.len;
			} else
				wconn_out(c, ev.data, ev.len);
		}
		if (ev.type == WS_EV_END)
			wconn_on_end(c, f);
	}
	if (c->state == WC_CLOSING)
		off = len;	/* after our close, input is ignored */
	c->bytes_in -= len - off;
	if (off < len) {
		if (c->pend == NULL && (c->pend = wbuf_get()) == NULL)
			fatal("%s", __func__);
		memmove(c->pend->data, data + off, len - off);
		c->pend->off = 0;
		c->pend->len = len - off;
	} else if (c->pend != NULL) {
		wbuf_put(c->pend);
		c->pend = NULL;
	}
}

/* Read when nothing waits for room; write while output is pending. */
static void
wconn_update(struct wconn *c)
{
	short	 flags = 0;

	if (c->pend == NULL && c->state == WC_OPEN)
		flags |= EV_READ;
	if (c->out != NULL)
		flags |= EV_WRITE;
	if (flags == c->evflags)
		return;
	if (c->evflags)
		event_del(&c->ev);
	c->evflags = flags;
	if (flags == 0)
		return;
	event_assign(&c->ev, base, c->fd, flags | EV_PERSIST, wconn_event, c);
	event_add(&c->ev, NULL);
}

/* Returns -1 when the connection is gone. */
static int
wconn_flush(struct wconn *c)
{
	ssize_t	 n;

	while (c->out != NULL && c->out->off < c->out->len) {
		n = write(c->fd, c->out->data + c->out->off,
		    c->out->len - c->out->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n <= 0) {
			wconn_free(c, "write failed");
			return (-1);
		}
		c->out->off += n;
	}
	wbuf_put(c->out);
	c->out = NULL;
	if (c->state == WC_CLOSING) {
		wconn_free(c, NULL);
		return (-1);
	}
	return (0);
}

/*
 * Echo what waits for room and write, for as long as the socket takes
 * it. Returns -1 when the connection is gone.
 */
static int
wconn_run(struct wconn *c)
{
	for (;;) {
		if (c->pend != NULL && wconn_out_room(c) >= OUT_MARGIN)
			wconn_input(c, c->pend->data + c->pend->off,
			    c->pend->len - c->pend->off);
		if (c->out == NULL)
			break;
		if (wconn_flush(c) == -1)
			return (-1);
		if (c->out != NULL || c->pend == NULL)
			break;
	}
	wconn_update(c);
	return (0);
}

static void
wconn_event(int fd, short event, void *arg)
{
	struct wconn	*c = arg;
	ssize_t		 n;

	if ((event & EV_READ) && c->pend == NULL && c->state == WC_OPEN) {
		n = read(fd, rbuf, sizeof(rbuf));
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			wconn_free(c, n == 0 ? "client closed TCP" :
			    "read failed");
			return;
		}
		wconn_input(c, rbuf, n);
	}
	wconn_run(c);
}

static void
wconn_new(struct ipc_msg *msg)
{
	struct ipc_conn	 ic;
	struct wconn	*c;

	memcpy(&ic, msg->data, sizeof(ic));
	if (ic.extra_len != msg->len - sizeof(ic)) {
		log_warnx("%s: bad extra length", __func__);
		close(msg->fd);
		return;
	}
	if (shutting_down || (c = calloc(1, sizeof(*c))) == NULL) {
		close(msg->fd);
		return;
	}
	c->fd = msg->fd;
	c->id = ic.id;
	c->peer = ic.peer;
	c->start = time(NULL);
	ws_decoder_init(&c->dec, 0);
	if (fd_nonblock(c->fd) == -1) {
		log_warn("%s: fd_nonblock", __func__);
		close(c->fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&conns, c, entry);
	/* Frames that came with the request head are echoed first. */
	if (ic.extra_len)
		wconn_input(c, msg->data + sizeof(ic), ic.extra_len);
	wconn_run(c);
}

static void
wconn_free(struct wconn *c, const char *why)
{
	char	 peer[64];

	log_info("connection %llu from %s closed after %llds: %s, "
	    "%llu/%llu messages in/out, %llu/%llu bytes in/out",
	    (unsigned long long)c->id, sockaddr_str((struct sockaddr *)&c->peer,
	    peer, sizeof(peer)), (long long)(time(NULL) - c->start),
	    why != NULL ? why : c->close_sent_by_client ? "closed by client" :
	    "closed by server",
	    (unsigned long long)c->msgs_in, (unsigned long long)c->msgs_out,
	    (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out);
	if (c->evflags)
		event_del(&c->ev);
	TAILQ_REMOVE(&conns, c, entry);
	close(c->fd);
	wbuf_put(c->pend);
	wbuf_put(c->out);
	free(c);
	if (shutting_down && TAILQ_EMPTY(&conns)) {
		ipc_flush_blocking(parent_chan, 1000);
		exit(0);
	}
}

static void
wk_shutdown_timeout(int fd, short event, void *arg)
{
	(void)fd;
	(void)event;
	(void)arg;
	log_info("shutdown timeout: %s", "dropping the remaining connections");
	ipc_flush_blocking(parent_chan, 1000);
	exit(0);
}

/* Every connection gets close 1001; exit once they are done or late. */
static void
wk_shutdown(void)
{
	struct wconn	*c, *next;
	struct timeval	 tv;

	shutting_down = 1;
	if (TAILQ_EMPTY(&conns)) {
		ipc_flush_blocking(parent_chan, 1000);
		exit(0);
	}
	TAILQ_FOREACH_SAFE(c, &conns, entry, next) {
		if (c->state == WC_OPEN && wconn_out_room(c) >= OUT_MARGIN)
			wconn_send_close(c, WS_CLOSE_GOING_AWAY, NULL, 0);
		else
			c->state = WC_CLOSING;
		wconn_run(c);
	}
	timerclear(&tv);
	tv.tv_sec = wconf.timeout_shutdown;
	event_base_once(base, -1, EV_TIMEOUT, wk_shutdown_timeout, NULL, &tv);
}

/* A handshake process that exits takes only its channel with it. */
static void
wk_handshake_lost(struct ipc_chan *chan, void *arg)
{
	unsigned int	 i;

	for (i = 0; i < WSD_MAXPROC; i++)
		if (handshakes[i] == chan)
			handshakes[i] = NULL;
	ipc_chan_free(chan);
}

static void
wk_add_handshake(struct ipc_msg *msg)
{
	struct ipc_peer	 peer;
	static char	 names[WSD_MAXPROC][16];

	memcpy(&peer, msg->data, sizeof(peer));
	if (peer.role != ROLE_HANDSHAKE || peer.instance >= WSD_MAXPROC ||
	    handshakes[peer.instance] != NULL) {
		log_warnx("%s: unexpected peer", __func__);
		close(msg->fd);
		return;
	}
	snprintf(names[peer.instance], sizeof(names[0]), "handshake[%u]",
	    peer.instance);
	if ((handshakes[peer.instance] = ipc_chan_new(base, msg->fd,
	    names[peer.instance], IPC_BIT(IPC_CONN), wk_dispatch,
	    NULL)) == NULL)
		fatal("%s: channel", __func__);
	handshakes[peer.instance]->closed = wk_handshake_lost;
}

static void
wk_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	(void)chan;
	(void)arg;
	switch (msg->type) {
	case IPC_CONFIG:
		memcpy(&wconf, msg->data, sizeof(wconf));
		log_setverbose(wconf.verbose);
		break;
	case IPC_PEER:
		wk_add_handshake(msg);
		break;
	case IPC_START:
		/* Everything has arrived: from here on, only what we hold. */
		sandbox(ROLE_WORKER, &wconf);
		ipc_compose(parent_chan, IPC_READY, NULL, 0, NULL, 0, -1);
		break;
	case IPC_SHUTDOWN:
		wk_shutdown();
		break;
	case IPC_CONN:
		wconn_new(msg);
		break;
	}
}

__dead void
worker_main(unsigned int inst, int debug, int verbose)
{
	(void)inst;
	parent_chan = child_start(ROLE_WORKER, debug, verbose,
	    IPC_BIT(IPC_CONFIG) | IPC_BIT(IPC_PEER) | IPC_BIT(IPC_START) |
	    IPC_BIT(IPC_SHUTDOWN), wk_dispatch, &base);
	event_base_dispatch(base);
	exit(0);
}
