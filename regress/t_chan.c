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
 * Channels: who may send what to whom (the direction column of
 * ipc_types[]), handler tables that must match it, and the rule for a
 * peer that stops reading. Every message type is sent on every kind of
 * channel over a real socketpair, through the event loop.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsd.h"

#define B(t)	IPC_BIT(IPC_##t)

/*
 * The protocol as wsd(8) describes it, written out here independently
 * of the daemon's table: what each end may send to each other end.
 */
static const struct {
	enum ipc_end	 from, to;
	uint64_t	 types;
} spec[] = {
	{ END_PARENT, END_HANDSHAKE, B(CONFIG) | B(LISTENER) | B(PEER) |
	    B(START) | B(SHUTDOWN) | B(VERBOSE) | B(SERVER) | B(ALIAS) |
	    B(ORIGIN) | B(LOCATION) | B(SUBPROTO) | B(TLS_SERVER) |
	    B(TLS_FILE) | B(LISTENER_SERVER) | B(RECONF) | B(RECONF_END) |
	    B(PEER_RETIRE) | B(ADMIT_REPLY) | B(TLS_TICKET) | B(AUTH) |
	    B(AUTH_TOKEN) | B(AUTH_BASIC) | B(PROXY_FROM) },
	{ END_PARENT, END_WORKER, B(CONFIG) | B(PEER) | B(START) |
	    B(SHUTDOWN) | B(VERBOSE) | B(QUERY) },
	{ END_PARENT, END_CONTROL, B(CTL_DATA) | B(CTL_END) },
	{ END_HANDSHAKE, END_PARENT, B(LOG) | B(READY) | B(HS_STATS) |
	    B(ADMIT) | B(HANDOFF) | B(RELEASE) },
	{ END_HANDSHAKE, END_WORKER, B(CONN) },
	{ END_HANDSHAKE, END_PASSWORD, B(PW_CHECK) },
	{ END_PARENT, END_PASSWORD, B(CONFIG) | B(PEER) | B(START) |
	    B(SHUTDOWN) | B(VERBOSE) },
	{ END_PASSWORD, END_PARENT, B(LOG) | B(READY) },
	{ END_PASSWORD, END_HANDSHAKE, B(PW_RESULT) },
	{ END_WORKER, END_PARENT, B(LOG) | B(READY) | B(STATS) |
	    B(CONN_INFO) | B(QUERY_END) | B(RELEASE) },
	{ END_WORKER, END_HANDSHAKE, B(CLOSED) },
	{ END_CONTROL, END_PARENT, B(CTL_REQ) },
};

static const char *const end_names[IPC_ENDS] = {
	"parent", "handshake", "worker", "password", "wsctl"
};

/* A well-formed payload size for each type, and its descriptor. */
static size_t
valid_len(uint32_t t, int *nfd)
{
	*nfd = t == IPC_LISTENER || t == IPC_PEER || t == IPC_CONN;
	switch (t) {
	case IPC_LOG:		return (sizeof(struct ipc_log) + 5);
	case IPC_CONFIG:	return (sizeof(struct ipc_config));
	case IPC_LISTENER:	return (sizeof(struct ipc_listener));
	case IPC_PEER:
	case IPC_PEER_RETIRE:	return (sizeof(struct ipc_peer));
	case IPC_CONN:		return (sizeof(struct ipc_conn));
	case IPC_CTL_REQ:	return (sizeof(struct ipc_ctl));
	case IPC_CTL_DATA:	return (10);
	case IPC_CTL_END:	return (sizeof(struct ipc_ctl_end));
	case IPC_STATS:		return (sizeof(struct ipc_stats));
	case IPC_QUERY:		return (sizeof(struct ipc_query));
	case IPC_CONN_INFO:	return (sizeof(struct ipc_conn_info));
	case IPC_QUERY_END:	return (sizeof(struct ipc_query_end));
	case IPC_VERBOSE:	return (sizeof(int32_t));
	case IPC_SERVER:	return (sizeof(struct ipc_server));
	case IPC_ALIAS:		return (sizeof(struct ipc_alias));
	case IPC_ORIGIN:	return (sizeof(struct ipc_origin));
	case IPC_LOCATION:	return (sizeof(struct ipc_location));
	case IPC_SUBPROTO:	return (sizeof(struct ipc_subproto));
	case IPC_AUTH:		return (sizeof(struct ipc_auth));
	case IPC_AUTH_TOKEN:	return (sizeof(struct ipc_auth_token) + 1);
	case IPC_AUTH_BASIC:	return (sizeof(struct ipc_auth_basic) + 61);
	case IPC_PW_CHECK:	return (sizeof(struct ipc_pw_check) + 8);
	case IPC_PW_RESULT:	return (sizeof(struct ipc_pw_result));
	case IPC_PROXY_FROM:	return (sizeof(struct proxy_net));
	case IPC_TLS_SERVER:	return (sizeof(struct ipc_tls_server));
	case IPC_TLS_FILE:	return (sizeof(struct ipc_tls_file) + 1);
	case IPC_LISTENER_SERVER: return (sizeof(struct ipc_listener_server));
	case IPC_HS_STATS:	return (sizeof(struct ipc_hs_stats));
	case IPC_ADMIT:		return (sizeof(struct ipc_admit));
	case IPC_ADMIT_REPLY:	return (sizeof(struct ipc_admit_reply));
	case IPC_HANDOFF:	return (sizeof(struct ipc_handoff));
	case IPC_RELEASE:	return (sizeof(uint64_t));
	case IPC_CLOSED:	return (sizeof(struct ipc_closed));
	case IPC_TLS_TICKET:	return (sizeof(struct ipc_tls_ticket));
	default:		return (0);	/* START, READY, ... */
	}
}

static uint64_t	 handled;
static int	 closed_calls;

static void
count(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	handled |= IPC_BIT(msg->type);
	if (msg->fd != -1)
		close(msg->fd);
}

static void
on_closed(struct ipc_chan *chan, void *arg)
{
	closed_calls++;
}

static uint64_t
spec_types(enum ipc_end from, enum ipc_end to)
{
	size_t	 i;

	for (i = 0; i < sizeof(spec) / sizeof(spec[0]); i++)
		if (spec[i].from == from && spec[i].to == to)
			return (spec[i].types);
	return (0);
}

static void
handlers_for(struct ipc_handlers *h, uint64_t mask)
{
	uint32_t	 t;

	memset(h, 0, sizeof(*h));
	for (t = 1; t < IPC_TYPE_MAX; t++)
		if (mask & IPC_BIT(t))
			h->h[t] = count;
}

static void
send_raw(int fd, uint32_t t)
{
	uint8_t		*buf;
	size_t		 len, outlen;
	int		 nfd, pass = -1;

	len = valid_len(t, &nfd);
	ATF_REQUIRE((buf = calloc(1, sizeof(struct ipc_hdr) + len)) != NULL);
	if (t == 0 || t >= IPC_TYPE_MAX) {
		/* What no encoder makes: a header of an unknown type. */
		memcpy(buf, &t, sizeof(t));
		ATF_REQUIRE(ipc_sendmsg(fd, buf, sizeof(struct ipc_hdr),
		    -1) == 0);
		free(buf);
		return;
	}
	if (nfd)
		ATF_REQUIRE((pass = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE_MSG(ipc_encode(buf, sizeof(struct ipc_hdr) + len, t,
	    buf + sizeof(struct ipc_hdr), len, NULL, 0, pass, &outlen) == 0,
	    "encode %s", ipc_type_name(t));
	ATF_REQUIRE(ipc_sendmsg(fd, buf, outlen, pass) == 0);
	if (pass != -1)
		close(pass);
	free(buf);
}

/* Run the loop until the receiving socket has nothing left. */
static void
drain(struct event_base *base, int fd)
{
	char	 c;
	int	 i;

	for (i = 0; i < 1000; i++) {
		if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == -1 &&
		    errno == EAGAIN)
			return;
		event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
	}
	atf_tc_fail("the channel did not read everything");
}

static void
types_str(char *buf, size_t len, uint64_t mask)
{
	uint32_t	 t;

	buf[0] = '\0';
	for (t = 1; t < IPC_TYPE_MAX; t++)
		if (mask & IPC_BIT(t)) {
			strlcat(buf, " ", len);
			strlcat(buf, ipc_type_name(t), len);
		}
}

/* The table says what the protocol says, for every pair of ends. */
ATF_TC_WITHOUT_HEAD(table_matches_protocol);
ATF_TC_BODY(table_matches_protocol, tc)
{
	char		 extra[1024], missing[1024];
	uint64_t	 want, got;
	int		 from, to;

	for (from = 0; from < IPC_ENDS; from++)
		for (to = 0; to < IPC_ENDS; to++) {
			want = spec_types(from, to);
			got = ipc_accepts(from, to);
			types_str(extra, sizeof(extra), got & ~want);
			types_str(missing, sizeof(missing), want & ~got);
			ATF_CHECK_MSG(want == got, "%s -> %s: allowed but "
			    "not in the protocol:%s; in the protocol but "
			    "refused:%s", end_names[from], end_names[to],
			    extra, missing);
		}
}

/*
 * Every type on every channel: exactly what the direction table lets
 * the peer send reaches a handler; the rest is dropped, descriptors
 * closed, and the channel lives on.
 */
ATF_TC_WITHOUT_HEAD(every_type_every_channel);
ATF_TC_BODY(every_type_every_channel, tc)
{
	struct event_base	*base;
	struct ipc_handlers	 h;
	struct ipc_chan		*chan;
	char			 diff[1024];
	uint64_t		 want;
	uint32_t		 t;
	int			 self, peer, sv[2];

	ATF_REQUIRE((base = event_base_new()) != NULL);
	for (self = 0; self < IPC_ENDS; self++)
		for (peer = 0; peer < IPC_ENDS; peer++) {
			if (self == peer)
				continue;
			want = spec_types(peer, self);
			ATF_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0,
			    sv) == 0);
			handlers_for(&h, ipc_accepts(peer, self));
			ATF_REQUIRE((chan = ipc_chan_new(base, sv[0], "peer",
			    self, peer, &h, NULL)) != NULL);
			chan->closed = on_closed;
			handled = 0;
			closed_calls = 0;
			for (t = 0; t <= IPC_TYPE_MAX; t++)
				send_raw(sv[1], t);
			drain(base, sv[0]);
			types_str(diff, sizeof(diff), handled ^ want);
			ATF_CHECK_MSG(handled == want, "%s from %s: "
			    "wrong types handled:%s", end_names[self],
			    end_names[peer], diff);
			ATF_CHECK_EQ(0, closed_calls);
			ipc_chan_free(chan);
			close(sv[1]);
		}
	event_base_free(base);
}

/* In a child: what a programming error does is exit non-zero. */
static int
exits_with_error(void (*fn)(void))
{
	pid_t	 pid;
	int	 status;

	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		close(STDERR_FILENO);
		fn();
		_exit(0);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

static void
chan_with(uint64_t mask, enum ipc_end self, enum ipc_end peer)
{
	struct event_base	*base = event_base_new();
	struct ipc_handlers	 h;
	int			 sv[2];

	if (base == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		_exit(0);
	handlers_for(&h, mask);
	ipc_chan_new(base, sv[0], "test", self, peer, &h, NULL);
}

static void
missing_handler(void)
{
	chan_with(ipc_accepts(END_HANDSHAKE, END_PARENT) & ~B(ADMIT),
	    END_PARENT, END_HANDSHAKE);
}

static void
extra_handler(void)
{
	chan_with(ipc_accepts(END_WORKER, END_PARENT) | B(ADMIT),
	    END_PARENT, END_WORKER);
}

static void
wrong_way(void)
{
	struct event_base	*base = event_base_new();
	struct ipc_handlers	 h;
	struct ipc_chan		*chan;
	int			 sv[2];

	if (base == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		_exit(0);
	/* A worker composing what only the parent may send. */
	handlers_for(&h, ipc_accepts(END_PARENT, END_WORKER));
	if ((chan = ipc_chan_new(base, sv[0], "parent", END_WORKER,
	    END_PARENT, &h, NULL)) == NULL)
		_exit(0);
	ipc_compose(chan, IPC_SHUTDOWN, NULL, 0, NULL, 0, -1);
}

/* A table that does not match the directions is our bug, caught early. */
ATF_TC_WITHOUT_HEAD(handlers_must_match);
ATF_TC_BODY(handlers_must_match, tc)
{
	ATF_CHECK_MSG(exits_with_error(missing_handler),
	    "a channel with an unhandled accepted type was made");
	ATF_CHECK_MSG(exits_with_error(extra_handler),
	    "a channel with a handler for a refused type was made");
	ATF_CHECK_MSG(exits_with_error(wrong_way),
	    "a message was composed against its direction");
}

/*
 * A peer that stops reading: the sender's queue reaches its cap, the
 * channel breaks, closed is called once from the loop (not inside
 * ipc_compose), later sends fail at once, and the sender lives.
 */
ATF_TC_WITHOUT_HEAD(full_queue_breaks_channel);
ATF_TC_BODY(full_queue_breaks_channel, tc)
{
	struct event_base	*base;
	struct ipc_handlers	 h;
	struct ipc_chan		*chan;
	struct ipc_tls_file	 tf;
	static uint8_t		 pem[TLS_FILE_MAX];
	int			 sv[2], i, failed = 0;

	ATF_REQUIRE((base = event_base_new()) != NULL);
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	handlers_for(&h, ipc_accepts(END_HANDSHAKE, END_PARENT));
	ATF_REQUIRE((chan = ipc_chan_new(base, sv[0], "handshake[0]",
	    END_PARENT, END_HANDSHAKE, &h, NULL)) != NULL);
	chan->closed = on_closed;
	closed_calls = 0;
	memset(&tf, 0, sizeof(tf));
	/* 16 MB of queue at 64 KB a message: bounded, a few hundred. */
	for (i = 0; i < 1000 && !failed; i++)
		failed = ipc_compose(chan, IPC_TLS_FILE, &tf, sizeof(tf), pem,
		    sizeof(pem), -1) == -1;
	ATF_REQUIRE_MSG(failed, "a queue that is never read did not fill");
	ATF_CHECK_EQ_MSG(0, closed_calls, "closed was called from inside "
	    "ipc_compose");
	ATF_CHECK(chan->broken);
	ATF_CHECK_EQ(-1, ipc_compose(chan, IPC_START, NULL, 0, NULL, 0, -1));
	event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
	ATF_CHECK_EQ(1, closed_calls);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ATF_CHECK_EQ(1, closed_calls);
	ipc_chan_free(chan);
	close(sv[1]);
	event_base_free(base);
}

/* A descriptor given to a broken channel is closed, not leaked. */
ATF_TC_WITHOUT_HEAD(broken_channel_closes_fd);
ATF_TC_BODY(broken_channel_closes_fd, tc)
{
	struct event_base	*base;
	struct ipc_handlers	 h;
	struct ipc_chan		*chan;
	struct ipc_peer		 peer;
	int			 sv[2], fd;

	ATF_REQUIRE((base = event_base_new()) != NULL);
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	handlers_for(&h, ipc_accepts(END_WORKER, END_PARENT));
	ATF_REQUIRE((chan = ipc_chan_new(base, sv[0], "worker[0]",
	    END_PARENT, END_WORKER, &h, NULL)) != NULL);
	chan->closed = on_closed;
	close(sv[1]);		/* the peer is gone: the send fails */
	memset(&peer, 0, sizeof(peer));
	ATF_REQUIRE((fd = open("/dev/null", O_RDONLY)) != -1);
	ATF_CHECK_EQ(-1, ipc_compose(chan, IPC_PEER, &peer, sizeof(peer),
	    NULL, 0, fd));
	ATF_CHECK_MSG(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	    "the descriptor was not closed");
	ipc_chan_free(chan);
	event_base_free(base);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, table_matches_protocol);
	ATF_TP_ADD_TC(tp, every_type_every_channel);
	ATF_TP_ADD_TC(tp, handlers_must_match);
	ATF_TP_ADD_TC(tp, full_queue_breaks_channel);
	ATF_TP_ADD_TC(tp, broken_channel_closes_fd);
	return (atf_no_error());
}
