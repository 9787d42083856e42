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
 * Messages between processes: the encoder and decoder on buffers, then
 * descriptor passing and malformed datagrams over a real socketpair.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <atf-c.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "wsd.h"

#define HDR		sizeof(struct ipc_hdr)

struct rt_case {
	uint32_t	 type;
	size_t		 alen;		/* fixed part */
	size_t		 blen;		/* variable part */
	int		 fd;		/* carries a descriptor */
};

struct bad_case {
	const char	*what;
	uint32_t	 type;
	uint32_t	 hdrlen;	/* the length the header claims */
	size_t		 paylen;	/* the bytes actually there */
	int		 fd;
	const char	*err;
};

struct enc_case {
	const char	*what;
	uint32_t	 type;
	size_t		 alen;
	size_t		 blen;
	size_t		 outsize;	/* 0: large enough */
	int		 fd;
};

static void	 fill(uint8_t *, size_t, unsigned int);
static void	 put_hdr(uint8_t *, uint32_t, uint32_t);
static int	 count_fds(void);
static int	 is_open(int);
static void	 seqpacket(int[2]);
static void	 send_fds(int, const void *, size_t, const int *, int);
static void	 recv_fails(int, size_t, const char *);

static const struct rt_case rt_cases[] = {
	{ IPC_CONFIG, sizeof(struct ipc_config), 0, 0 },
	{ IPC_LOG, sizeof(struct ipc_log), 0, 0 },
	{ IPC_LOG, sizeof(struct ipc_log), 17, 0 },
	{ IPC_LOG, sizeof(struct ipc_log), IPC_LOG_MAX, 0 },
	{ IPC_LISTENER, sizeof(struct ipc_listener), 0, 1 },
	{ IPC_PEER, sizeof(struct ipc_peer), 0, 1 },
	{ IPC_START, 0, 0, 0 },
	{ IPC_READY, 0, 0, 0 },
	{ IPC_SHUTDOWN, 0, 0, 0 },
	{ IPC_CONN, sizeof(struct ipc_conn), 0, 1 },
	{ IPC_CONN, sizeof(struct ipc_conn), 11, 1 },
	{ IPC_CONN, sizeof(struct ipc_conn), WSD_MAXHEADER_MAX, 1 },
	{ IPC_CTL_REQ, sizeof(struct ipc_ctl), 0, 0 },
	{ IPC_CTL_DATA, 0, 0, 0 },
	{ IPC_CTL_DATA, 0, 4096, 0 },
	{ IPC_CTL_END, sizeof(struct ipc_ctl_end), 0, 0 },
	{ IPC_TLS_TICKET, sizeof(struct ipc_tls_ticket), 0, 0 },
};

static const struct bad_case bad_cases[] = {
	{ "payload short of header len", IPC_CONFIG,
	    sizeof(struct ipc_config), sizeof(struct ipc_config) - 1, 0,
	    "truncated payload" },
	{ "header len past the datagram", IPC_START, 1, 0, 0,
	    "truncated payload" },
	{ "header len huge", IPC_LOG, 0xffffffffU, 8, 0,
	    "truncated payload" },
	{ "bytes past header len", IPC_CONFIG, sizeof(struct ipc_config),
	    sizeof(struct ipc_config) + 1, 0, "trailing bytes" },
	{ "bytes after an empty message", IPC_READY, 0, 1, 0,
	    "trailing bytes" },
	{ "type 0", 0, 0, 0, 0, "unknown type" },
	{ "IPC_TYPE_MAX", IPC_TYPE_MAX, 0, 0, 0, "unknown type" },
	{ "type ~0", 0xffffffffU, 0, 0, 0, "unknown type" },
	{ "short config", IPC_CONFIG, sizeof(struct ipc_config) - 1,
	    sizeof(struct ipc_config) - 1, 0, "bad payload size for type" },
	{ "long config", IPC_CONFIG, sizeof(struct ipc_config) + 1,
	    sizeof(struct ipc_config) + 1, 0, "bad payload size for type" },
	{ "start with a byte", IPC_START, 1, 1, 0,
	    "bad payload size for type" },
	{ "log without priority", IPC_LOG, 3, 3, 0,
	    "bad payload size for type" },
	{ "log too long", IPC_LOG, sizeof(struct ipc_log) + IPC_LOG_MAX + 1,
	    sizeof(struct ipc_log) + IPC_LOG_MAX + 1, 0,
	    "bad payload size for type" },
	{ "short conn", IPC_CONN, sizeof(struct ipc_conn) - 1,
	    sizeof(struct ipc_conn) - 1, 1, "bad payload size for type" },
	{ "long ctl-data", IPC_CTL_DATA, 4097, 4097, 0,
	    "bad payload size for type" },
	{ "short ctl-end", IPC_CTL_END, 0, 0, 0,
	    "bad payload size for type" },
	{ "short tls-ticket", IPC_TLS_TICKET,
	    sizeof(struct ipc_tls_ticket) - 1,
	    sizeof(struct ipc_tls_ticket) - 1, 0,
	    "bad payload size for type" },
	{ "long tls-ticket", IPC_TLS_TICKET,
	    sizeof(struct ipc_tls_ticket) + 1,
	    sizeof(struct ipc_tls_ticket) + 1, 0,
	    "bad payload size for type" },
	{ "config with a descriptor", IPC_CONFIG, sizeof(struct ipc_config),
	    sizeof(struct ipc_config), 1, "unexpected descriptor" },
	{ "shutdown with a descriptor", IPC_SHUTDOWN, 0, 0, 1,
	    "unexpected descriptor" },
	{ "conn without its descriptor", IPC_CONN, sizeof(struct ipc_conn),
	    sizeof(struct ipc_conn), 0, "descriptor missing" },
	{ "listener without its descriptor", IPC_LISTENER,
	    sizeof(struct ipc_listener), sizeof(struct ipc_listener), 0,
	    "descriptor missing" },
	{ "peer without its descriptor", IPC_PEER, sizeof(struct ipc_peer),
	    sizeof(struct ipc_peer), 0, "descriptor missing" },
};

static const struct enc_case enc_cases[] = {
	{ "type 0", 0, 0, 0, 0, 0 },
	{ "IPC_TYPE_MAX", IPC_TYPE_MAX, 0, 0, 0, 0 },
	{ "short config", IPC_CONFIG, sizeof(struct ipc_config) - 1, 0, 0,
	    0 },
	{ "long config", IPC_CONFIG, sizeof(struct ipc_config), 1, 0, 0 },
	{ "start with a byte", IPC_START, 0, 1, 0, 0 },
	{ "log without priority", IPC_LOG, 0, 3, 0, 0 },
	{ "log text too long", IPC_LOG, sizeof(struct ipc_log),
	    IPC_LOG_MAX + 1, 0, 0 },
	{ "conn head too long", IPC_CONN, sizeof(struct ipc_conn),
	    WSD_MAXHEADER_MAX + 1, 0, 1 },
	{ "no room for the header", IPC_START, 0, 0, HDR - 1, 0 },
	{ "config one byte short", IPC_CONFIG, sizeof(struct ipc_config), 0,
	    HDR + sizeof(struct ipc_config) - 1, 0 },
	{ "log text one byte short", IPC_LOG, sizeof(struct ipc_log), 10,
	    HDR + sizeof(struct ipc_log) + 9, 0 },
	{ "config with a descriptor", IPC_CONFIG, sizeof(struct ipc_config),
	    0, 0, 1 },
	{ "conn without its descriptor", IPC_CONN, sizeof(struct ipc_conn),
	    0, 0, 0 },
};

static void
fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 13;
}

static void
put_hdr(uint8_t *buf, uint32_t type, uint32_t len)
{
	struct ipc_hdr	 hdr;

	hdr.type = type;
	hdr.len = len;
	memcpy(buf, &hdr, sizeof(hdr));
}

static int
count_fds(void)
{
	DIR		*dir;
	struct dirent	*de;
	int		 n = 0;

	ATF_REQUIRE((dir = opendir("/proc/self/fd")) != NULL);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return (n);
}

static int
is_open(int fd)
{
	return (fcntl(fd, F_GETFD) != -1 || errno != EBADF);
}

static void
seqpacket(int sv[2])
{
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	ATF_REQUIRE(fd_nonblock(sv[0]) == 0 && fd_nonblock(sv[1]) == 0);
}

/* sendmsg(2) with any number of descriptors in one SCM_RIGHTS. */
static void
send_fds(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) * 8)];
	} cmsgbuf;

	ATF_REQUIRE(nfds > 0 && nfds <= 8);
	memset(&mh, 0, sizeof(mh));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	ATF_REQUIRE(sendmsg(sock, &mh, 0) == (ssize_t)len);
}

/*
 * The next datagram on sock is dropped with errstr, and whatever it
 * carried is closed: the descriptor table ends as it was.
 */
static void
recv_fails(int sock, size_t size, const char *want)
{
	uint8_t		 buf[256];
	const char	*errstr = NULL;
	int		 before, fd = 12345, a, b;

	ATF_REQUIRE(size <= sizeof(buf));
	/* the two lowest free numbers, where received fds would land */
	ATF_REQUIRE((a = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE((b = open("/dev/null", O_RDONLY)) != -1);
	close(a);
	close(b);
	before = count_fds();
	ATF_CHECK_EQ(-2, ipc_recvmsg(sock, buf, size, &fd, &errstr));
	ATF_CHECK_EQ(-1, fd);
	ATF_REQUIRE(errstr != NULL);
	ATF_CHECK_STREQ(want, errstr);
	ATF_CHECK_EQ_MSG(before, count_fds(), "descriptors leaked");
	ATF_CHECK_MSG(!is_open(a) && !is_open(b), "fd %d or %d leaked", a,
	    b);
}

ATF_TC_WITHOUT_HEAD(type_names);
ATF_TC_BODY(type_names, tc)
{
	ATF_CHECK_STREQ("log", ipc_type_name(IPC_LOG));
	ATF_CHECK_STREQ("conn", ipc_type_name(IPC_CONN));
	ATF_CHECK_STREQ("ctl-end", ipc_type_name(IPC_CTL_END));
	ATF_CHECK_STREQ("unknown", ipc_type_name(0));
	ATF_CHECK_STREQ("unknown", ipc_type_name(IPC_TYPE_MAX));
	ATF_CHECK_STREQ("unknown", ipc_type_name(0xffffffffU));
}

/* Encode then decode: the same type, payload and descriptor back. */
ATF_TC_WITHOUT_HEAD(roundtrip);
ATF_TC_BODY(roundtrip, tc)
{
	const struct rt_case	*c;
	struct ipc_msg		 msg;
	const char		*errstr;
	uint8_t			*a, *b, *out;
	size_t			 i, size, len;
	int			 fd;

	for (i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
		c = &rt_cases[i];
		size = HDR + c->alen + c->blen;
		ATF_REQUIRE((a = malloc(c->alen + 1)) != NULL);
		ATF_REQUIRE((b = malloc(c->blen + 1)) != NULL);
		ATF_REQUIRE((out = malloc(size)) != NULL);
		fill(a, c->alen, i);
		fill(b, c->blen, i + 100);
		fd = c->fd ? open("/dev/null", O_RDONLY) : -1;
		ATF_REQUIRE(!c->fd || fd != -1);
		ATF_REQUIRE_EQ_MSG(0, ipc_encode(out, size, c->type, a,
		    c->alen, b, c->blen, fd, &len), "case %zu", i);
		ATF_CHECK_EQ_MSG(size, len, "case %zu", i);
		ATF_REQUIRE_EQ_MSG(0, ipc_decode(out, len, fd, &msg, &errstr),
		    "case %zu: %s", i, errstr);
		ATF_CHECK_EQ(c->type, msg.type);
		ATF_CHECK_EQ(c->alen + c->blen, msg.len);
		ATF_CHECK(msg.data == out + HDR);
		ATF_CHECK_MSG(memcmp(msg.data, a, c->alen) == 0 &&
		    memcmp(msg.data + c->alen, b, c->blen) == 0,
		    "case %zu: payload differs", i);
		ATF_CHECK_EQ(fd, msg.fd);
		if (fd != -1)
			ATF_CHECK(close(fd) == 0);
		free(a);
		free(b);
		free(out);
	}
}

/* The payload types as a sender fills them in. */
ATF_TC_WITHOUT_HEAD(roundtrip_structs);
ATF_TC_BODY(roundtrip_structs, tc)
{
	struct ipc_config	 conf = { .verbose = 2, .prefork_handshake = 3,
				    .prefork_worker = 4, .max_header = 8192 };
	struct ipc_log		 lg = { .priority = LOG_WARNING };
	struct ipc_conn		 conn;
	const char		 text[] = "worker 3: lost peer";
	const uint8_t		 extra[] = "\x81\x85\x37\xfa\x21\x3d";
	uint8_t			 out[HDR + sizeof(struct ipc_config) + 512];
	struct ipc_msg		 msg;
	const char		*errstr;
	size_t			 len;
	int			 fd;

	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_CONFIG, &conf,
	    sizeof(conf), NULL, 0, -1, &len));
	ATF_REQUIRE_EQ(0, ipc_decode(out, len, -1, &msg, &errstr));
	ATF_CHECK_EQ(IPC_CONFIG, msg.type);
	ATF_CHECK(msg.len == sizeof(conf) &&
	    memcmp(msg.data, &conf, sizeof(conf)) == 0);
	ATF_CHECK_EQ(-1, msg.fd);

	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_LOG, &lg,
	    sizeof(lg), text, sizeof(text) - 1, -1, &len));
	ATF_REQUIRE_EQ(0, ipc_decode(out, len, -1, &msg, &errstr));
	ATF_CHECK_EQ(IPC_LOG, msg.type);
	ATF_CHECK_EQ(sizeof(lg) + sizeof(text) - 1, msg.len);
	ATF_CHECK(memcmp(msg.data, &lg, sizeof(lg)) == 0);
	ATF_CHECK(memcmp(msg.data + sizeof(lg), text, sizeof(text) - 1) == 0);

	memset(&conn, 0, sizeof(conn));
	conn.id = 0x0123456789abcdefULL;
	conn.server = 2;
	conn.extra_len = sizeof(extra) - 1;
	ATF_REQUIRE((fd = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_CONN, &conn,
	    sizeof(conn), extra, sizeof(extra) - 1, fd, &len));
	ATF_REQUIRE_EQ(0, ipc_decode(out, len, fd, &msg, &errstr));
	ATF_CHECK_EQ(IPC_CONN, msg.type);
	ATF_CHECK_EQ(sizeof(conn) + sizeof(extra) - 1, msg.len);
	ATF_CHECK(memcmp(msg.data, &conn, sizeof(conn)) == 0);
	ATF_CHECK(memcmp(msg.data + sizeof(conn), extra,
	    sizeof(extra) - 1) == 0);
	ATF_CHECK_EQ(fd, msg.fd);
	close(fd);
}

ATF_TC_WITHOUT_HEAD(decode_truncated_header);
ATF_TC_BODY(decode_truncated_header, tc)
{
	uint8_t		 buf[HDR];
	struct ipc_msg	 msg;
	const char	*errstr;
	size_t		 len;

	put_hdr(buf, IPC_START, 0);
	for (len = 0; len < HDR; len++) {
		errstr = NULL;
		ATF_CHECK_EQ_MSG(-1, ipc_decode(buf, len, -1, &msg, &errstr),
		    "%zu bytes", len);
		ATF_CHECK_STREQ("truncated header", errstr ? errstr : "");
	}
	ATF_CHECK_EQ(0, ipc_decode(buf, HDR, -1, &msg, &errstr));
}

ATF_TC_WITHOUT_HEAD(decode_rejects);
ATF_TC_BODY(decode_rejects, tc)
{
	const struct bad_case	*c;
	struct ipc_msg		 msg;
	const char		*errstr;
	uint8_t			*buf;
	size_t			 i;
	int			 fd;

	ATF_REQUIRE((fd = open("/dev/null", O_RDONLY)) != -1);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		c = &bad_cases[i];
		ATF_REQUIRE((buf = malloc(HDR + c->paylen)) != NULL);
		put_hdr(buf, c->type, c->hdrlen);
		fill(buf + HDR, c->paylen, i);
		errstr = NULL;
		ATF_CHECK_EQ_MSG(-1, ipc_decode(buf, HDR + c->paylen,
		    c->fd ? fd : -1, &msg, &errstr), "%s accepted", c->what);
		ATF_CHECK_STREQ_MSG(c->err, errstr ? errstr : "(null)", "%s",
		    c->what);
		/* the caller still owns the descriptor */
		ATF_REQUIRE_MSG(is_open(fd), "%s: fd closed", c->what);
		free(buf);
	}
	close(fd);
}

/* A refused encode leaves the output alone. */
ATF_TC_WITHOUT_HEAD(encode_rejects);
ATF_TC_BODY(encode_rejects, tc)
{
	static uint8_t		 a[sizeof(struct ipc_conn) +
				    sizeof(struct ipc_config) + 1];
	static uint8_t		 b[WSD_MAXHEADER_MAX + 1];
	static uint8_t		 out[HDR + sizeof(a) + sizeof(b)];
	const struct enc_case	*c;
	size_t			 i, j, len;

	/* encode only checks that a descriptor is there: any number does */
	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		c = &enc_cases[i];
		ATF_REQUIRE(c->alen <= sizeof(a) && c->blen <= sizeof(b));
		memset(out, 0xa5, sizeof(out));
		len = 4242;
		ATF_CHECK_EQ_MSG(-1, ipc_encode(out, c->outsize ? c->outsize :
		    sizeof(out), c->type, a, c->alen, b, c->blen,
		    c->fd ? 0 : -1, &len), "%s accepted", c->what);
		ATF_CHECK_EQ_MSG(4242, len, "%s: length set", c->what);
		for (j = 0; j < sizeof(out) && out[j] == 0xa5; j++)
			;
		ATF_CHECK_EQ_MSG(sizeof(out), j, "%s: wrote at %zu", c->what,
		    j);
	}
	ATF_CHECK_EQ_MSG(-1, ipc_encode(out, 0, IPC_START, NULL, 0, NULL, 0,
	    -1, &len), "no room at all");
	/* the exact size is enough */
	ATF_CHECK_EQ(0, ipc_encode(out, HDR + sizeof(struct ipc_config),
	    IPC_CONFIG, a, sizeof(struct ipc_config), NULL, 0, -1, &len));
	ATF_CHECK_EQ(HDR + sizeof(struct ipc_config), len);
}

/* A pipe's write end sent over the socket is still that pipe. */
ATF_TC_WITHOUT_HEAD(pass_descriptor);
ATF_TC_BODY(pass_descriptor, tc)
{
	struct ipc_peer	 peer = { .role = ROLE_WORKER, .instance = 7 };
	struct ipc_msg	 msg;
	uint8_t		 out[64], in[64];
	const char	*errstr = NULL;
	char		 got[8];
	size_t		 len;
	ssize_t		 n;
	int		 sv[2], p[2], fd;

	seqpacket(sv);
	ATF_REQUIRE(pipe(p) == 0);
	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_PEER, &peer,
	    sizeof(peer), NULL, 0, p[1], &len));
	ATF_REQUIRE_EQ(0, ipc_sendmsg(sv[0], out, len, p[1]));
	close(p[1]);

	n = ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr);
	ATF_REQUIRE_EQ_MSG((ssize_t)len, n, "%s", n == -2 ? errstr : "");
	ATF_REQUIRE(fd != -1);
	ATF_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ATF_REQUIRE_EQ(0, ipc_decode(in, n, fd, &msg, &errstr));
	ATF_CHECK_EQ(IPC_PEER, msg.type);
	ATF_CHECK(memcmp(msg.data, &peer, sizeof(peer)) == 0);
	ATF_CHECK_EQ(fd, msg.fd);

	ATF_REQUIRE(write(msg.fd, "through", 7) == 7);
	ATF_REQUIRE(read(p[0], got, sizeof(got)) == 7);
	ATF_CHECK(memcmp(got, "through", 7) == 0);
	/* it was the last write end: closing it ends the pipe */
	close(msg.fd);
	ATF_CHECK_EQ(0, read(p[0], got, sizeof(got)));
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

ATF_TC_WITHOUT_HEAD(no_descriptor);
ATF_TC_BODY(no_descriptor, tc)
{
	uint8_t		 out[64], in[64];
	const char	*errstr;
	size_t		 len;
	int		 sv[2], fd = 12345;

	seqpacket(sv);
	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_READY, NULL, 0,
	    NULL, 0, -1, &len));
	ATF_REQUIRE_EQ(0, ipc_sendmsg(sv[0], out, len, -1));
	ATF_CHECK_EQ((ssize_t)len, ipc_recvmsg(sv[1], in, sizeof(in), &fd,
	    &errstr));
	ATF_CHECK_EQ(-1, fd);
	ATF_CHECK(memcmp(in, out, len) == 0);
	close(sv[0]);
	close(sv[1]);
}

/* Larger than the buffer: dropped whole, with what it carried. */
ATF_TC_WITHOUT_HEAD(oversized);
ATF_TC_BODY(oversized, tc)
{
	uint8_t		 big[200], in[64];
	const char	*errstr;
	int		 sv[2], p[2], fd;

	seqpacket(sv);
	fill(big, sizeof(big), 1);
	ATF_REQUIRE(send(sv[0], big, sizeof(big), 0) == (ssize_t)sizeof(big));
	recv_fails(sv[1], 100, "oversized message");

	ATF_REQUIRE(pipe(p) == 0);
	ATF_REQUIRE_EQ(0, ipc_sendmsg(sv[0], big, sizeof(big), p[0]));
	close(p[0]);
	recv_fails(sv[1], 100, "oversized message");
	/* the pipe has no reader left, so the descriptor was closed */
	signal(SIGPIPE, SIG_IGN);
	ATF_CHECK_ERRNO(EPIPE, write(p[1], "x", 1) == -1);
	close(p[1]);

	/* the next message arrives whole */
	ATF_REQUIRE(send(sv[0], big, 10, 0) == 10);
	ATF_CHECK_EQ(10, ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr));
	ATF_CHECK(memcmp(in, big, 10) == 0);
	/* and nothing of the dropped one is left behind */
	ATF_CHECK_EQ(-1, ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr));
	ATF_CHECK_EQ(EAGAIN, errno);
	close(sv[0]);
	close(sv[1]);
}

ATF_TC_WITHOUT_HEAD(two_descriptors);
ATF_TC_BODY(two_descriptors, tc)
{
	uint8_t		 out[64];
	size_t		 len;
	int		 sv[2], p[2];

	seqpacket(sv);
	ATF_REQUIRE(pipe(p) == 0);
	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_START, NULL, 0,
	    NULL, 0, -1, &len));
	send_fds(sv[0], out, len, p, 2);
	recv_fails(sv[1], sizeof(out), "too many descriptors");
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* More than the receive side has room for: the kernel truncates. */
ATF_TC_WITHOUT_HEAD(many_descriptors);
ATF_TC_BODY(many_descriptors, tc)
{
	uint8_t		 out[64];
	size_t		 len;
	int		 sv[2], fds[8], i;

	seqpacket(sv);
	for (i = 0; i < 8; i++)
		ATF_REQUIRE((fds[i] = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE_EQ(0, ipc_encode(out, sizeof(out), IPC_START, NULL, 0,
	    NULL, 0, -1, &len));
	send_fds(sv[0], out, len, fds, 8);
	recv_fails(sv[1], sizeof(out), "too many descriptors");
	for (i = 0; i < 8; i++)
		close(fds[i]);
	close(sv[0]);
	close(sv[1]);
}

ATF_TC_WITHOUT_HEAD(empty_and_eof);
ATF_TC_BODY(empty_and_eof, tc)
{
	uint8_t		 in[64];
	const char	*errstr;
	int		 sv[2], fd;

	seqpacket(sv);
	errno = 0;
	ATF_CHECK_EQ(-1, ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr));
	ATF_CHECK_MSG(errno == EAGAIN || errno == EWOULDBLOCK,
	    "errno %d", errno);
	ATF_CHECK_EQ(-1, fd);

	/* what was queued before the close is still delivered first */
	ATF_REQUIRE(send(sv[0], "abc", 3, 0) == 3);
	close(sv[0]);
	ATF_CHECK_EQ(3, ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr));
	ATF_CHECK_EQ(0, ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr));
	ATF_CHECK_EQ(0, ipc_recvmsg(sv[1], in, sizeof(in), &fd, &errstr));
	close(sv[1]);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, type_names);
	ATF_TP_ADD_TC(tp, roundtrip);
	ATF_TP_ADD_TC(tp, roundtrip_structs);
	ATF_TP_ADD_TC(tp, decode_truncated_header);
	ATF_TP_ADD_TC(tp, decode_rejects);
	ATF_TP_ADD_TC(tp, encode_rejects);
	ATF_TP_ADD_TC(tp, pass_descriptor);
	ATF_TP_ADD_TC(tp, no_descriptor);
	ATF_TP_ADD_TC(tp, oversized);
	ATF_TP_ADD_TC(tp, two_descriptors);
	ATF_TP_ADD_TC(tp, many_descriptors);
	ATF_TP_ADD_TC(tp, empty_and_eof);
	return (atf_no_error());
}
