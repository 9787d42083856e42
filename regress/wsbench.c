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
 * wsbench: a load generator for loopback measurements (make bench).
 *
 *   wsbench -p port [-c conns] [-n inflight] [-s size] [-t seconds]
 *   wsbench -p port -m pid[,pid...] [-c conns] [-z | -zz]
 *
 * The first form echoes: each connection keeps inflight messages of size
 * bytes on the wire and sends another as each echo returns, for seconds;
 * it prints messages and bytes a second. The second form opens conns
 * connections (with permessage-deflate and one compressed message each
 * when -z, offering client_no_context_takeover too with -zz) and prints how much the given processes' RSS grew per
 * connection. Both stop by themselves.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "wsc.h"

#define BATCH_MAX	64

struct bconn {
	int		 fd;
	unsigned int	 owed;		/* messages to send */
	size_t		 woff;		/* into the current batch */
	size_t		 wlen;
	uint64_t	 need;		/* bytes left of the frame being read */
	uint8_t		 hdr[10];
	size_t		 hdrlen;
	int		 fin;
};

static uint8_t	*batch;		/* BATCH_MAX frames, back to back */
static size_t	 frame_len;
static uint64_t	 msgs, bytes;

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
upgraded(int port, const char *extra)
{
	char	 resp[1024];
	int	 fd;

	if ((fd = wsc_connect(port)) == -1)
		err(1, "connect");
	if (wsc_upgrade(fd, extra, resp, sizeof(resp)) != 101)
		errx(1, "upgrade refused: %s", resp);
	return (fd);
}

static void
bench_write(struct bconn *c)
{
	ssize_t	 n;

	while (c->owed > 0 || c->woff < c->wlen) {
		if (c->woff == c->wlen) {
			c->wlen = (c->owed < BATCH_MAX ? c->owed : BATCH_MAX) *
			    frame_len;
			c->owed -= c->wlen / frame_len;
			c->woff = 0;
		}
		n = write(c->fd, batch + c->woff, c->wlen - c->woff);
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0)
			err(1, "write");
		c->woff += n;
	}
}

/* Count whole echoed messages in what arrived; each one is owed back. */
static void
bench_read(struct bconn *c, const uint8_t *p, size_t len)
{
	size_t	 n, hl;

	bytes += len;
	while (len > 0) {
		if (c->need > 0) {
			n = len < c->need ? len : c->need;
			c->need -= n;
			p += n;
			len -= n;
		} else {
			c->hdr[c->hdrlen++] = *p++;
			len--;
			if (c->hdrlen < 2)
				continue;
			hl = (c->hdr[1] & 0x7f) == 126 ? 4 :
			    (c->hdr[1] & 0x7f) == 127 ? 10 : 2;
			if (c->hdrlen < hl)
				continue;
			c->need = c->hdr[1] & 0x7f;
			if (hl == 4)
				c->need = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
			else if (hl == 10)
				for (n = 2, c->need = 0; n < 10; n++)
					c->need = c->need << 8 | c->hdr[n];
			c->fin = c->hdr[0] >> 7;
			c->hdrlen = 0;
		}
		if (c->need == 0 && c->hdrlen == 0 && c->fin) {
			c->fin = 0;
			msgs++;
			c->owed++;
		}
	}
}

static void
bench_echo(int port, int nconn, int inflight, size_t size, int seconds)
{
	static uint8_t	 rbuf[256 * 1024];
	struct epoll_event ev, evs[256];
	struct bconn	*conns;
	uint8_t		*payload;
	double		 t0, t;
	int		 ep, i, n, k;
	ssize_t		 r;

	if ((payload = malloc(size)) == NULL ||
	    (conns = calloc(nconn, sizeof(*conns))) == NULL)
		err(1, NULL);
	memset(payload, 'w', size);
	frame_len = wsc_frame(rbuf, 1, 0x2, payload, size);
	if ((batch = malloc(frame_len * BATCH_MAX)) == NULL)
		err(1, NULL);
	for (i = 0; i < BATCH_MAX; i++)
		wsc_frame(batch + i * frame_len, 1, 0x2, payload, size);
	if ((ep = epoll_create1(0)) == -1)
		err(1, "epoll_create1");
	for (i = 0; i < nconn; i++) {
		conns[i].fd = upgraded(port, NULL);
		conns[i].owed = inflight;
		fcntl(conns[i].fd, F_SETFL, O_NONBLOCK);
		ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
		ev.data.ptr = &conns[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
	}
	t0 = now();
	while ((t = now() - t0) < seconds) {
		n = epoll_wait(ep, evs, 256, 100);
		for (i = 0; i < n; i++) {
			struct bconn	*c = evs[i].data.ptr;

			for (k = 0; k < 64; k++) {
				r = read(c->fd, rbuf, sizeof(rbuf));
				if (r <= 0)
					break;
				bench_read(c, rbuf, r);
			}
			if (r == 0)
				errx(1, "server closed a connection");
			bench_write(c);
		}
	}
	printf("echo: %d connections, %d in flight, %zu-byte messages: "
	    "%.0f messages/s, %.1f MB/s of echoes\n", nconn, inflight, size,
	    msgs / t, bytes / t / 1e6);
	for (i = 0; i < nconn; i++)
		close(conns[i].fd);
	free(conns);
	free(payload);
}

static long
rss_kb(const char *pids)
{
	char	 path[64], line[256], *list, *p, *last;
	FILE	*f;
	long	 kb, sum = 0;

	if ((list = strdup(pids)) == NULL)
		err(1, NULL);
	for (p = strtok_r(list, ",", &last); p != NULL;
	    p = strtok_r(NULL, ",", &last)) {
		snprintf(path, sizeof(path), "/proc/%s/status", p);
		if ((f = fopen(path, "r")) == NULL)
			err(1, "%s", path);
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
				sum += kb;
		fclose(f);
	}
	free(list);
	return (sum);
}

/* One compressed message and its echo, so the streams get made. */
static void
bench_compressed(int fd)
{
	static const char	 msg[] = "a compressed hello, a compressed hello";
	uint8_t			 z[256], frame[300];
	size_t			 zlen, flen, elen;
	z_stream		 zs;
	int			 fin, op;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		errx(1, "deflateInit2");
	zs.next_in = (Bytef *)(uintptr_t)msg;
	zs.avail_in = sizeof(msg) - 1;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	deflate(&zs, Z_SYNC_FLUSH);
	zlen = sizeof(z) - zs.avail_out - 4;
	deflateEnd(&zs);
	flen = wsc_frame(frame, 1, 0x1, z, zlen);
	frame[0] |= 0x40;
	if (wsc_write_all(fd, frame, flen) == -1 ||
	    wsc_recv(fd, &fin, &op, frame, sizeof(frame), &elen) == -1)
		errx(1, "no compressed echo");
}

static void
bench_memory(int port, int nconn, const char *pids, int deflate)
{
	const char	*ext = NULL;
	long		 before, after;
	int		*fds, i;

	if (deflate == 1)
		ext = "Sec-WebSocket-Extensions: permessage-deflate; "
		    "client_max_window_bits\r\n";
	else if (deflate > 1)
		ext = "Sec-WebSocket-Extensions: permessage-deflate; "
		    "client_no_context_takeover; client_max_window_bits\r\n";
	if ((fds = calloc(nconn, sizeof(int))) == NULL)
		err(1, NULL);
	before = rss_kb(pids);
	for (i = 0; i < nconn; i++) {
		fds[i] = upgraded(port, ext);
		if (deflate)
			bench_compressed(fds[i]);
	}
	/* Let the workers finish with the last hand-offs before reading. */
	sleep(1);
	after = rss_kb(pids);
	printf("idle memory%s: %.0f bytes per connection (%d connections, "
	    "workers' RSS %ld kB -> %ld kB)\n", deflate == 0 ? "" :
	    deflate == 1 ? " with permessage-deflate" :
	    " with permessage-deflate, client_no_context_takeover",
	    (after - before) * 1024.0 / nconn,
	    nconn, before, after);
	for (i = 0; i < nconn; i++)
		close(fds[i]);
	free(fds);
}

int
main(int argc, char *argv[])
{
	const char	*pids = NULL, *errstr;
	size_t		 size = 32;
	int		 ch, port = 0, nconn = 100, inflight = 16, seconds = 5;
	int		 deflate = 0;

	while ((ch = getopt(argc, argv, "c:m:n:p:s:t:z")) != -1) {
		errstr = NULL;
		switch (ch) {
		case 'c':
			nconn = strtonum(optarg, 1, 100000, &errstr);
			break;
		case 'm':
			pids = optarg;
			break;
		case 'n':
			inflight = strtonum(optarg, 1, 100000, &errstr);
			break;
		case 'p':
			port = strtonum(optarg, 1, 65535, &errstr);
			break;
		case 's':
			size = strtonum(optarg, 0, 16 * 1024 * 1024, &errstr);
			break;
		case 't':
			seconds = strtonum(optarg, 1, 600, &errstr);
			break;
		case 'z':
			deflate++;	/* -zz: client_no_context_takeover */
			break;
		default:
			fprintf(stderr, "usage: wsbench -p port [-z] [-c conns] "
			    "[-m pids] [-n inflight] [-s size] [-t seconds]\n");
			return (1);
		}
		if (errstr != NULL)
			errx(1, "-%c %s: %s", ch, optarg, errstr);
	}
	if (port == 0)
		errx(1, "-p port is required");
	raise_nofile();
	if (pids != NULL)
		bench_memory(port, nconn, pids, deflate);
	else
		bench_echo(port, nconn, inflight, size, seconds);
	return (0);
}
