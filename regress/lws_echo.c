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
 * lws_echo: a minimal WebSocket echo server on libwebsockets, the peer
 * that make bench measures wsd against. It is not part of wsd.
 *
 *   lws_echo -p port [-c cert.pem -k key.pem]
 *
 * It listens on 127.0.0.1 only, with TLS when given a certificate and
 * key, offers no extensions and echoes every message whole, with the
 * opcode it came with. One process, one thread, one lws_service() loop.
 * It prints "ready" once it listens and stops on SIGINT or SIGTERM.
 */

#include <sys/types.h>
#include <sys/resource.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#define MSG_MAX		(16 * 1024 * 1024)	/* largest message echoed */
#define QUEUE_HIGH	(64 * 1024 * 1024)	/* stop reading above this */
#define QUEUE_LOW	(16 * 1024 * 1024)	/* and resume below this */
#define RX_BUFSZ	65536
#define NOFILE_MAX	(1024 * 1024)	/* lws sizes its fd tables by this */

/* One whole message, with LWS_PRE bytes of headroom for lws_write(). */
struct msg {
	struct msg	*next;
	size_t		 len;
	int		 binary;
	unsigned char	 data[];
};

/* Per connection; lws allocates it zeroed and frees it after CLOSED. */
struct conn {
	struct msg	*rx;		/* the message being reassembled */
	size_t		 rxcap;		/* payload room in rx */
	struct msg	*head;		/* echoes waiting to be written */
	struct msg	*tail;
	size_t		 queued;	/* their payload bytes */
	int		 throttled;	/* rx flow control is off */
};

static struct lws_context	*context;
static volatile sig_atomic_t	 interrupted;

static void
usage(void)
{
	fprintf(stderr, "usage: lws_echo -p port [-c cert.pem -k key.pem]\n");
	exit(1);
}

static void
onsignal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (context != NULL)
		lws_cancel_service(context);
}

static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > NOFILE_MAX)
		rl.rlim_cur = NOFILE_MAX;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void
conn_free(struct conn *c)
{
	struct msg	*m;

	free(c->rx);
	c->rx = NULL;
	while ((m = c->head) != NULL) {
		c->head = m->next;
		free(m);
	}
	c->tail = NULL;
	c->queued = 0;
}

/* Adds a fragment of the current message; 1 when the message is whole. */
static int
conn_rx(struct lws *wsi, struct conn *c, const void *in, size_t len)
{
	struct msg	*m;
	size_t		 need, cap;

	if (lws_is_first_fragment(wsi) && c->rx != NULL) {
		/* lws ended the last message without its final fragment. */
		free(c->rx);
		c->rx = NULL;
		c->rxcap = 0;
	}
	need = (c->rx != NULL ? c->rx->len : 0) + len +
	    lws_remaining_packet_payload(wsi);
	if (need > MSG_MAX) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		    NULL, 0);
		return (-1);
	}
	if (c->rx == NULL || need > c->rxcap) {
		cap = c->rxcap * 2;
		if (cap < need)
			cap = need;
		if (cap > MSG_MAX)
			cap = MSG_MAX;
		if ((m = realloc(c->rx, sizeof(*m) + LWS_PRE + cap)) == NULL)
			return (-1);
		if (c->rx == NULL) {
			m->next = NULL;
			m->len = 0;
			m->binary = lws_frame_is_binary(wsi);
		}
		c->rx = m;
		c->rxcap = cap;
	}
	if (len > 0) {
		memcpy(c->rx->data + LWS_PRE + c->rx->len, in, len);
		c->rx->len += len;
	}
	return (lws_is_final_fragment(wsi) ? 1 : 0);
}

static void
conn_enqueue(struct lws *wsi, struct conn *c)
{
	struct msg	*m = c->rx;

	c->rx = NULL;
	c->rxcap = 0;
	if (c->tail != NULL)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	c->queued += m->len;
	if (!c->throttled && c->queued > QUEUE_HIGH) {
		lws_rx_flow_control(wsi, 0);
		c->throttled = 1;
	}
	lws_callback_on_writable(wsi);
}

/* Writes the oldest queued echo, one lws_write() per message. */
static int
conn_tx(struct lws *wsi, struct conn *c)
{
	struct msg	*m;
	size_t		 len;
	int		 n;

	if ((m = c->head) == NULL)
		return (0);
	if ((c->head = m->next) == NULL)
		c->tail = NULL;
	len = m->len;
	c->queued -= len;
	n = lws_write(wsi, m->data + LWS_PRE, len,
	    m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
	free(m);
	if (n < 0 || (size_t)n < len)
		return (-1);
	if (c->throttled && c->queued < QUEUE_LOW) {
		lws_rx_flow_control(wsi, 1);
		c->throttled = 0;
	}
	if (c->head != NULL)
		lws_callback_on_writable(wsi);
	return (0);
}

static int
echo_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct conn	*c = user;
	int		 r;

	switch (reason) {
	case LWS_CALLBACK_RECEIVE:
		if ((r = conn_rx(wsi, c, in, len)) == -1)
			return (-1);
		if (r == 1)
			conn_enqueue(wsi, c);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (conn_tx(wsi, c) == -1)
			return (-1);
		break;
	case LWS_CALLBACK_CLOSED:
		conn_free(c);
		break;
	default:
		break;
	}
	return (0);
}

/*
 * One protocol, first in the list, so it is the vhost's default: clients
 * that ask for no subprotocol get it.
 */
static const struct lws_protocols protocols[] = {
	{
		.name = "echo",
		.callback = echo_cb,
		.per_session_data_size = sizeof(struct conn),
		.rx_buffer_size = RX_BUFSZ,
		.tx_packet_size = 0,
	},
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct lws_context_creation_info info;
	struct sigaction sa;
	const char	*cert = NULL, *key = NULL;
	char		*ep;
	long		 port = -1;
	int		 ch;

	while ((ch = getopt(argc, argv, "c:k:p:")) != -1) {
		switch (ch) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'p':
			errno = 0;
			port = strtol(optarg, &ep, 10);
			if (*optarg == '\0' || *ep != '\0' || errno != 0 ||
			    port < 1 || port > 65535)
				errx(1, "bad port: %s", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || port == -1 || (cert == NULL) != (key == NULL))
		usage();

	raise_nofile();
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * fd_limit_per_thread stays 0: lws then sizes its tables by the
	 * raised RLIMIT_NOFILE and keeps its direct fd lookup.
	 */
	memset(&info, 0, sizeof(info));
	info.port = (int)port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 |
	    LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (cert != NULL) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cert;
		info.ssl_private_key_filepath = key;
	}

	if ((context = lws_create_context(&info)) == NULL)
		errx(1, "lws_create_context failed");
	printf("ready\n");
	fflush(stdout);

	while (!interrupted)
		if (lws_service(context, 0) < 0)
			break;

	lws_context_destroy(context);
	return (0);
}
