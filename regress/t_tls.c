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
 * wss:// end to end: the real wsd with a tls listener, certificates made
 * by mkcerts.sh in the test's directory, and the libtls client of wsc.c.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAXKIDS		16
#define BIG		(16 * 1024 * 1024)

static struct wsd_proc	 wsd;
static int		 tport;		/* the tls listener */
static const char	*start_opts;	/* more options for wsd */

/*
 * Start the daemon: the server "127.0.0.1" listens on wsd.port (plain)
 * and on tport with tls, with the server certificate and the tls lines
 * given; global lines may hold more servers.
 */
static void
start(const atf_tc_t *tc, const char *global, const char *tls)
{
	char	 server[2048];

	make_certs(tc);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n%s",
	    tport, tls != NULL ? tls : "");
	wsd_write_conf(&wsd, global, server);
	daemon_start(tc, &wsd, start_opts);
}

static void
stop_ok(void)
{
	daemon_stop_ok(&wsd);
	ATF_CHECK_MSG(strstr(wsd.log, "lost child") == NULL, "output:\n%s",
	    wsd.log);
}

/* A TLS connection that got its 101. */
static void
client(struct wsc_tls *t, const struct wsc_tls_opts *o)
{
	char	 resp[1024];

	ATF_REQUIRE_MSG(wsct_connect(t, tport, o) == 0, "connect: %s",
	    wsct_error(t));
	ATF_REQUIRE_EQ_MSG(wsct_upgrade(t, NULL, resp, sizeof(resp)), 101,
	    "response: %s", resp);
}

static void
expect_frame(struct wsc_tls *t, int op, const void *data, size_t len)
{
	uint8_t	 buf[256];
	size_t	 got;
	int	 fin, gop;

	ATF_REQUIRE(len <= sizeof(buf));
	ATF_REQUIRE_MSG(wsct_recv(t, &fin, &gop, buf, sizeof(buf), &got) == 0,
	    "no frame came back");
	ATF_CHECK_EQ(fin, 1);
	ATF_CHECK_EQ(gop, op);
	ATF_REQUIRE_EQ(got, len);
	ATF_CHECK(memcmp(buf, data, len) == 0);
}

static void
expect_close(struct wsc_tls *t, int code)
{
	uint8_t	 buf[125];
	size_t	 len;
	int	 fin, op;

	ATF_REQUIRE(wsct_recv(t, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_REQUIRE_EQ(op, 0x8);
	ATF_REQUIRE(len >= 2);
	ATF_CHECK_EQ(buf[0] << 8 | buf[1], code);
}

/* A message goes out and comes back whole, read while it is written. */
static void
exchange(struct wsc_tls *t, int op, size_t len)
{
	uint8_t	*msg, *echo;
	size_t	 i, elen;
	int	 eop;

	ATF_REQUIRE((msg = malloc(len + 1)) != NULL);
	for (i = 0; i < len; i++)
		msg[i] = op == 0x1 ? 'a' + i % 26 : (uint8_t)(i * 7 + i / 251);
	ATF_REQUIRE_MSG(wsct_exchange(t, op, msg, len, &echo, &elen,
	    &eop) == 0, "echo of %zu bytes failed", len);
	ATF_CHECK_EQ(eop, op);
	ATF_REQUIRE_EQ(elen, len);
	ATF_CHECK(memcmp(echo, msg, len) == 0);
	free(echo);
	free(msg);
}

ATF_TC_WITH_CLEANUP(echo);
ATF_TC_HEAD(echo, tc)
{
	atf_tc_set_md_var(tc, "descr", "wss:// echo of small and 16 MiB "
	    "messages through the relay, verified against the test CA");
}
ATF_TC_BODY(echo, tc)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;

	start(tc, "max message 32M", NULL);
	client(&t, &o);
	ATF_REQUIRE(wsct_send(&t, 1, 0x1, "Hello", 5) == 0);
	expect_frame(&t, 0x1, "Hello", 5);
	exchange(&t, 0x2, 200000);
	exchange(&t, 0x2, BIG);
	exchange(&t, 0x1, 1000);
	ATF_REQUIRE(wsct_send(&t, 1, 0x8, "\x03\xe8", 2) == 0);
	expect_close(&t, 1000);
	ATF_CHECK_MSG(wsct_wait_eof(&t) == 0, "no close_notify or EOF");
	wsct_close(&t);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, ", tls TLSv1.3 ", WSC_TIMEOUT) ==
	    0, "log:\n%s", wsd.log);
	stop_ok();
}
ATF_TC_CLEANUP(echo, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(close_notify);
ATF_TC_HEAD(close_notify, tc)
{
	atf_tc_set_md_var(tc, "descr", "A client's close_notify reaches the "
	    "worker as the end of its stream, and the server then ends the "
	    "connection");
}
ATF_TC_BODY(close_notify, tc)
{
	struct wsc_tls	 t;
	int		 rv;

	start(tc, NULL, NULL);
	client(&t, NULL);
	exchange(&t, 0x1, 100);
	while ((rv = tls_close(t.tls)) == TLS_WANT_POLLIN ||
	    rv == TLS_WANT_POLLOUT)
		ATF_REQUIRE(poll(&(struct pollfd){ t.fd, POLLIN | POLLOUT, 0 },
		    1, WSC_TIMEOUT) > 0);
	ATF_REQUIRE_EQ_MSG(rv, 0, "tls_close: %s", wsct_error(&t));
	/* Raw bytes now: the server's close_notify, then the end. */
	ATF_CHECK_MSG(wsc_wait_eof(t.fd) == 0, "connection not ended");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "client closed TCP without a close",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	wsct_close(&t);
	stop_ok();
}
ATF_TC_CLEANUP(close_notify, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(pipelined);
ATF_TC_HEAD(pipelined, tc)
{
	atf_tc_set_md_var(tc, "descr", "Frames in the same TLS record as "
	    "the request head reach the worker and are echoed");
}
ATF_TC_BODY(pipelined, tc)
{
	struct wsc_tls	 t;
	char		 buf[1024], resp[1024];
	size_t		 len;

	start(tc, NULL, NULL);
	ATF_REQUIRE_MSG(wsct_connect(&t, tport, NULL) == 0, "connect: %s",
	    wsct_error(&t));
	len = wsc_request(buf, sizeof(buf), t.fd, "/", NULL, NULL);
	len += wsc_frame((uint8_t *)buf + len, 1, 0x1, "early", 5);
	len += wsc_frame((uint8_t *)buf + len, 1, 0x2, "bird", 4);
	/* One tls_write of less than a record: one record. */
	ATF_REQUIRE(wsct_write_all(&t, buf, len) == 0);
	ATF_REQUIRE_EQ(wsct_read_response(&t, resp, sizeof(resp)), 101);
	expect_frame(&t, 0x1, "early", 5);
	expect_frame(&t, 0x2, "bird", 4);
	wsct_close(&t);
	stop_ok();
}
ATF_TC_CLEANUP(pipelined, tc)
{
	daemon_cleanup();
}

/* A TLS connection with these protocols: 0 if it got its 101. */
static int
try_protocols(const char *protocols)
{
	struct wsc_tls_opts	 o = { .protocols = protocols };
	struct wsc_tls		 t;
	char			 resp[1024];
	int			 rv = -1;

	if (wsct_connect(&t, tport, &o) == 0 &&
	    wsct_upgrade(&t, NULL, resp, sizeof(resp)) == 101)
		rv = 0;
	wsct_close(&t);
	return (rv);
}

ATF_TC_WITH_CLEANUP(protocols);
ATF_TC_HEAD(protocols, tc)
{
	atf_tc_set_md_var(tc, "descr", "TLS 1.2 and 1.3 by default, TLS 1.1 "
	    "refused; tls protocols narrows the set");
	atf_tc_set_md_var(tc, "require.progs", "openssl");
}
ATF_TC_BODY(protocols, tc)
{
	char	 cmd[256];

	start(tc, NULL, NULL);
	ATF_CHECK_MSG(try_protocols("tlsv1.1") == -1, "TLS 1.1 accepted");
	/*
	 * The libtls client may refuse TLS 1.1 by itself (Debian's OpenSSL
	 * defaults): s_client at security level 0 offers it, and the
	 * server must answer with a protocol_version alert.
	 */
	snprintf(cmd, sizeof(cmd), "echo | openssl s_client -connect "
	    "127.0.0.1:%d -tls1_1 -cipher DEFAULT@SECLEVEL=0 >s_client.out "
	    "2>&1", tport);
	system(cmd);
	ATF_CHECK_MSG(atf_utils_grep_file("alert protocol version",
	    "s_client.out"), "TLS 1.1 not refused by the server");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "unsupported protocol", WSC_TIMEOUT) ==
	    0, "log:\n%s", wsd.log);
	ATF_CHECK_MSG(try_protocols("tlsv1.2") == 0, "TLS 1.2 refused");
	ATF_CHECK_MSG(try_protocols("tlsv1.3") == 0, "TLS 1.3 refused");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, ", tls TLSv1.2 ", WSC_TIMEOUT) ==
	    0, "log:\n%s", wsd.log);
	stop_ok();

	start(tc, NULL, "\ttls protocols \"tlsv1.3\"\n");
	ATF_CHECK_MSG(try_protocols("tlsv1.2") == -1, "TLS 1.2 accepted");
	ATF_CHECK_MSG(try_protocols("tlsv1.3") == 0, "TLS 1.3 refused");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "TLS handshake failed",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	stop_ok();
}
ATF_TC_CLEANUP(protocols, tc)
{
	daemon_cleanup();
}

/* With a client certificate or without: 0 if the 101 came. */
static int
try_client(int with_cert)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;
	char			 resp[1024];
	int			 rv = -1;

	if (with_cert) {
		o.cert = "client.crt";
		o.key = "client.key";
	}
	/* TLS 1.3 clients finish before the server checks: try a request. */
	if (wsct_connect(&t, tport, &o) == 0 &&
	    wsct_upgrade(&t, NULL, resp, sizeof(resp)) == 101 &&
	    wsct_send(&t, 1, 0x1, "me", 2) == 0)
		expect_frame(&t, 0x1, "me", 2), rv = 0;
	wsct_close(&t);
	return (rv);
}

ATF_TC_WITH_CLEANUP(client_required);
ATF_TC_HEAD(client_required, tc)
{
	atf_tc_set_md_var(tc, "descr", "tls client ca: a client without a "
	    "certificate is refused, one with a certificate of the CA is "
	    "served and the log names its subject");
}
ATF_TC_BODY(client_required, tc)
{
	start(tc, NULL, "\ttls client ca \"ca.crt\"\n");
	ATF_CHECK_MSG(try_client(0) == -1, "served without a certificate");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "TLS handshake failed",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	ATF_CHECK_MSG(try_client(1) == 0, "refused with a certificate");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "client \"/O=wsd tests/CN=test "
	    "client\"", WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	stop_ok();
}
ATF_TC_CLEANUP(client_required, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(client_optional);
ATF_TC_HEAD(client_optional, tc)
{
	atf_tc_set_md_var(tc, "descr", "tls client ca optional: clients "
	    "with and without a certificate are served");
}
ATF_TC_BODY(client_optional, tc)
{
	start(tc, NULL, "\ttls client ca \"ca.crt\" optional\n");
	ATF_CHECK_MSG(try_client(0) == 0, "refused without a certificate");
	ATF_CHECK_MSG(try_client(1) == 0, "refused with a certificate");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "client \"/O=wsd tests/CN=test "
	    "client\"", WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	stop_ok();
}
ATF_TC_CLEANUP(client_optional, tc)
{
	daemon_cleanup();
}

/* What the summary lines say was left out of the log. */
static int
refusals_not_logged(void)
{
	const char	*s = wsd.log, *p;
	int		 n = 0;

	while ((p = strstr(s, " refusals not logged")) != NULL) {
		s = p + 1;
		while (p > wsd.log && p[-1] >= '0' && p[-1] <= '9')
			p--;
		n += atoi(p);
	}
	return (n);
}

ATF_TC_WITH_CLEANUP(failures_limited);
ATF_TC_HEAD(failures_limited, tc)
{
	atf_tc_set_md_var(tc, "descr", "Failed TLS handshakes share the "
	    "refusals' log limit: 20 lines a second, the rest counted in a "
	    "summary line");
}
ATF_TC_BODY(failures_limited, tc)
{
	const char	*junk = "GET / HTTP/1.1\r\n\r\n";
	time_t		 t0, t1;
	int		 fd, i, logged = 0, n = 200;

	/* One handshake process: the limit is each process's own. */
	start(tc, "prefork handshake 1", NULL);
	t0 = time(NULL);
	for (i = 0; i < n; i++) {
		ATF_REQUIRE((fd = wsc_connect(tport)) != -1);
		wsc_write_all(fd, junk, strlen(junk));
		close(fd);
	}
	/* Until every failure is either a line or in a summary's count. */
	for (i = 0; i < 300; i++) {
		logged = wsd_log_count(&wsd, "TLS handshake failed");
		if (logged + refusals_not_logged() >= n)
			break;
		wsd_wait_log(&wsd, "\001", 100);
	}
	t1 = time(NULL);
	ATF_CHECK_EQ_MSG(logged + refusals_not_logged(), n, "log:\n%s",
	    wsd.log);
	ATF_CHECK_MSG(refusals_not_logged() > 0, "no summary line; %d lines "
	    "of %d in %lld seconds", logged, n, (long long)(t1 - t0));
	ATF_CHECK_MSG(logged <= 20 * (t1 - t0 + 1), "%d lines of %d in %lld "
	    "seconds", logged, n, (long long)(t1 - t0));
	stop_ok();
}
ATF_TC_CLEANUP(failures_limited, tc)
{
	daemon_cleanup();
}

/* The subject of the certificate the server showed for this SNI. */
static void
check_sni(int port, const char *sni, const char *want)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt", .servername = sni };
	struct wsc_tls		 t;
	const char		*subject;
	char			 resp[1024], host[128];

	ATF_REQUIRE_MSG(wsct_connect(&t, port, &o) == 0, "%s: %s", sni,
	    wsct_error(&t));
	subject = tls_peer_cert_subject(t.tls);
	ATF_CHECK_MSG(subject != NULL && strstr(subject, want) != NULL,
	    "SNI %s: subject %s", sni, subject ? subject : "none");
	/* Host names the same server: the policy would refuse another. */
	snprintf(host, sizeof(host), "%s:%d", sni, port);
	ATF_CHECK_EQ_MSG(wsct_upgrade_host(&t, host, NULL, resp,
	    sizeof(resp)), 101, "%s", resp);
	wsct_close(&t);
}

ATF_TC_WITH_CLEANUP(sni);
ATF_TC_HEAD(sni, tc)
{
	atf_tc_set_md_var(tc, "descr", "Two servers on one tls listener: "
	    "SNI chooses the certificate, the first server's is the default");
}
ATF_TC_BODY(sni, tc)
{
	char	 global[1024];
	int	 port;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	snprintf(global, sizeof(global),
	    "server \"a.test\" {\n\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"a.crt\"\n\ttls key \"a.key\"\n}\n"
	    "server \"b.test\" {\n\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"b.crt\"\n\ttls key \"b.key\"\n}\n",
	    port, port);
	start(tc, global, NULL);
	check_sni(port, "a.test", "CN=a.test");
	check_sni(port, "b.test", "CN=b.test");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "sni \"b.test\"", WSC_TIMEOUT) == 0,
	    "log:\n%s", wsd.log);
	/* libtls sends no SNI for an address: the default certificate. */
	{
		struct wsc_tls_opts	 o = { .servername = "127.0.0.1" };
		struct wsc_tls		 t;
		const char		*subject;

		ATF_REQUIRE_MSG(wsct_connect(&t, port, &o) == 0, "%s",
		    wsct_error(&t));
		subject = tls_peer_cert_subject(t.tls);
		ATF_CHECK_MSG(subject != NULL &&
		    strstr(subject, "CN=a.test") != NULL, "no SNI: %s",
		    subject ? subject : "none");
		wsct_close(&t);
	}
	stop_ok();
}
ATF_TC_CLEANUP(sni, tc)
{
	daemon_cleanup();
}

/* The status of an upgrade with this SNI (NULL: none) and Host. */
static int
sni_host(int port, const char *sni, const char *host, const char *cn)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt", .servername = sni };
	struct wsc_tls		 t;
	const char		*subject;
	char			 resp[1024], hp[128];
	int			 status;

	if (sni == NULL)
		o = (struct wsc_tls_opts){ .servername = "127.0.0.1" };
	ATF_REQUIRE_MSG(wsct_connect(&t, port, &o) == 0, "%s: %s",
	    sni ? sni : "no SNI", wsct_error(&t));
	subject = tls_peer_cert_subject(t.tls);
	ATF_CHECK_MSG(subject != NULL && strstr(subject, cn) != NULL,
	    "SNI %s: subject %s", sni ? sni : "none",
	    subject ? subject : "none");
	snprintf(hp, sizeof(hp), "%s:%d", host, port);
	status = wsct_upgrade_host(&t, hp, NULL, resp, sizeof(resp));
	wsct_close(&t);
	return (status);
}

ATF_TC_WITH_CLEANUP(sni_host);
ATF_TC_HEAD(sni_host, tc)
{
	atf_tc_set_md_var(tc, "descr", "Over TLS, SNI and Host must name "
	    "the same server (421 otherwise); without SNI, Host chooses the "
	    "server and the listener's default certificate is shown");
}
ATF_TC_BODY(sni_host, tc)
{
	char	 global[1024];
	int	 port;

	ATF_REQUIRE((port = wsd_free_port()) > 0);
	snprintf(global, sizeof(global),
	    "server \"a.test\" {\n\tlisten on 127.0.0.1 port %d tls\n"
	    "\talias \"www.a.test\"\n"
	    "\ttls certificate \"a.crt\"\n\ttls key \"a.key\"\n}\n"
	    "server \"b.test\" {\n\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"b.crt\"\n\ttls key \"b.key\"\n}\n",
	    port, port);
	start(tc, global, NULL);
	ATF_CHECK_EQ(sni_host(port, "a.test", "b.test", "CN=a.test"), 421);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "421 (SNI names another server "
	    "than Host; host \"b.test:", WSC_TIMEOUT) == 0, "log:\n%s",
	    wsd.log);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, ", sni \"a.test\")", WSC_TIMEOUT) ==
	    0, "log:\n%s", wsd.log);
	ATF_CHECK_EQ(sni_host(port, "b.test", "a.test", "CN=b.test"), 421);
	ATF_CHECK_EQ(sni_host(port, "a.test", "a.test", "CN=a.test"), 101);
	ATF_CHECK_EQ(sni_host(port, "a.test", "www.a.test", "CN=a.test"), 101);
	ATF_CHECK_EQ(sni_host(port, "b.test", "b.test", "CN=b.test"), 101);
	/* No SNI: the default certificate, and Host alone decides. */
	ATF_CHECK_EQ(sni_host(port, NULL, "b.test", "CN=a.test"), 101);
	ATF_CHECK_EQ(sni_host(port, NULL, "a.test", "CN=a.test"), 101);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "accepted: server b.test",
	    WSC_TIMEOUT) == 0, "log:\n%s", wsd.log);
	stop_ok();
}
ATF_TC_CLEANUP(sni_host, tc)
{
	daemon_cleanup();
}

/* Counts the payload bytes of the server's frames as they stream in. */
struct counter {
	uint8_t		 hdr[10];
	size_t		 hlen;
	uint64_t	 left;		/* of the current frame's payload */
	uint64_t	 payload;
};

static void
count(struct counter *c, const uint8_t *p, size_t n)
{
	size_t		 need, k;
	uint64_t	 len;
	int		 i;

	while (n > 0) {
		if (c->left > 0) {
			k = n < c->left ? n : c->left;
			c->left -= k;
			c->payload += k;
			p += k;
			n -= k;
			continue;
		}
		c->hdr[c->hlen++] = *p++;
		n--;
		if (c->hlen < 2)
			continue;
		len = c->hdr[1] & 0x7f;
		need = len == 126 ? 4 : len == 127 ? 10 : 2;
		if (c->hlen < need)
			continue;
		if (len == 126)
			len = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
		else if (len == 127)
			for (i = 2, len = 0; i < 10; i++)
				len = len << 8 | c->hdr[i];
		c->left = len;
		c->hlen = 0;
	}
}

/*
 * Write tx from *off and, if c is not NULL, read and count the echo,
 * until the echo holds want payload bytes; without c, until the writes
 * have been blocked for ms. Returns 0 then, -1 on error or timeout.
 */
static int
pump(struct wsc_tls *t, const uint8_t *tx, size_t txlen, size_t *off,
    struct counter *c, uint64_t want, int ms)
{
	struct pollfd	 pfd;
	uint8_t		 rx[65536];
	ssize_t		 r;
	int		 progress;

	while (c == NULL || c->payload < want) {
		progress = 0;
		pfd.fd = t->fd;
		pfd.events = 0;
		if (*off < txlen) {
			r = tls_write(t->tls, tx + *off, txlen - *off > 65536 ?
			    65536 : txlen - *off);
			if (r > 0) {
				*off += r;
				progress = 1;
			} else if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
				pfd.events |= r == TLS_WANT_POLLIN ? POLLIN :
				    POLLOUT;
			else
				return (-1);
		}
		if (c != NULL) {
			r = tls_read(t->tls, rx, sizeof(rx));
			if (r > 0) {
				count(c, rx, r);
				progress = 1;
			} else if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
				pfd.events |= r == TLS_WANT_POLLIN ? POLLIN :
				    POLLOUT;
			else
				return (-1);
		}
		if (progress)
			continue;
		if (pfd.events == 0 || poll(&pfd, 1, ms) <= 0)
			return (c == NULL ? 0 : -1);
	}
	return (0);
}

/* The largest resident set of the handshake processes, in kB. */
static long
handshake_rss(void)
{
	pid_t	 kids[MAXKIDS];
	char	 titles[MAXKIDS][64], path[64], line[256];
	FILE	*f;
	long	 kb, max = 0;
	int	 n, i;

	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++) {
		if (strcmp(titles[i], "wsd: handshake") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", (int)kids[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmRSS: %ld", &kb) == 1 && kb > max)
				max = kb;
		fclose(f);
	}
	return (max);
}

ATF_TC_WITH_CLEANUP(backpressure);
ATF_TC_HEAD(backpressure, tc)
{
	atf_tc_set_md_var(tc, "descr", "A client that sends without reading "
	    "is stopped by backpressure through the relay, which stays "
	    "small; once it reads, every echo arrives");
}
ATF_TC_BODY(backpressure, tc)
{
	enum { N = 64, LEN = 1024 * 1024 };
	struct counter	 c;
	struct wsc_tls	 t;
	uint8_t		*tx, *msg;
	size_t		 txlen = 0, off = 0, i;
	long		 rss0, rss;

	ATF_REQUIRE((msg = malloc(LEN)) != NULL);
	ATF_REQUIRE((tx = malloc(N * (LEN + 14))) != NULL);
	for (i = 0; i < LEN; i++)
		msg[i] = i * 13;
	for (i = 0; i < N; i++)
		txlen += wsc_frame(tx + txlen, 1, 0x2, msg, LEN);
	start(tc, NULL, NULL);
	client(&t, NULL);
	rss0 = handshake_rss();
	ATF_REQUIRE(pump(&t, tx, txlen, &off, NULL, 0, 2000) == 0);
	rss = handshake_rss();
	ATF_CHECK_MSG(off < txlen, "all %zu bytes went out unread", txlen);
	ATF_CHECK_MSG(rss - rss0 < 4096, "handshake grew from %ld to %ld kB "
	    "with %zu bytes sent", rss0, rss, off);
	memset(&c, 0, sizeof(c));
	ATF_CHECK_MSG(pump(&t, tx, txlen, &off, &c, (uint64_t)N * LEN,
	    WSC_TIMEOUT) == 0, "echo stopped at %llu of %llu bytes",
	    (unsigned long long)c.payload, (unsigned long long)N * LEN);
	wsct_close(&t);
	free(tx);
	free(msg);
	stop_ok();
}
ATF_TC_CLEANUP(backpressure, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(deadline);
ATF_TC_HEAD(deadline, tc)
{
	atf_tc_set_md_var(tc, "descr", "A TLS handshake that never starts "
	    "is closed at the handshake deadline");
}
ATF_TC_BODY(deadline, tc)
{
	int	 fd;

	start(tc, "timeout handshake 1", NULL);
	ATF_REQUIRE((fd = wsc_connect(tport)) != -1);
	ATF_CHECK_MSG(wsc_wait_eof(fd) == 0, "silent client not dropped");
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "handshake timed out", WSC_TIMEOUT) == 0);
	stop_ok();
}
ATF_TC_CLEANUP(deadline, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(shutdown_1001);
ATF_TC_HEAD(shutdown_1001, tc)
{
	atf_tc_set_md_var(tc, "descr", "SIGTERM with wss connections open: "
	    "each gets close 1001 through the relay, then close_notify, and "
	    "the daemon exits 0");
}
ATF_TC_BODY(shutdown_1001, tc)
{
	struct wsc_tls	 t[3];
	int		 i;

	start(tc, NULL, NULL);
	for (i = 0; i < 3; i++) {
		client(&t[i], NULL);
		ATF_REQUIRE(wsct_send(&t[i], 1, 0x1, "x", 1) == 0);
		expect_frame(&t[i], 0x1, "x", 1);
	}
	kill(wsd.pid, SIGTERM);
	for (i = 0; i < 3; i++) {
		expect_close(&t[i], 1001);
		ATF_CHECK_MSG(wsct_wait_eof(&t[i]) == 0, "connection %d not "
		    "ended", i);
		wsct_close(&t[i]);
	}
	stop_ok();
}
ATF_TC_CLEANUP(shutdown_1001, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(sandboxed);
ATF_TC_HEAD(sandboxed, tc)
{
	atf_tc_set_md_var(tc, "descr", "The handshake processes relay wss:// "
	    "under their seccomp filter");
}
ATF_TC_BODY(sandboxed, tc)
{
	pid_t		 kids[MAXKIDS];
	char		 titles[MAXKIDS][64], path[64], line[256];
	struct wsc_tls	 t;
	FILE		*f;
	int		 n, i, found = 0;

	start(tc, NULL, NULL);
	client(&t, NULL);
	exchange(&t, 0x2, 100000);
	n = wsd_children(&wsd, kids, titles, MAXKIDS);
	for (i = 0; i < n; i++) {
		if (strcmp(titles[i], "wsd: handshake") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", (int)kids[i]);
		ATF_REQUIRE((f = fopen(path, "r")) != NULL);
		while (fgets(line, sizeof(line), f) != NULL)
			if (strcmp(line, "Seccomp:\t2\n") == 0)
				found++;
		fclose(f);
	}
	ATF_CHECK_EQ_MSG(found, 2, "%d filtered handshake processes", found);
	wsct_close(&t);
	stop_ok();
}
ATF_TC_CLEANUP(sandboxed, tc)
{
	daemon_cleanup();
}

/*
 * A connection with the session file "session" that upgrades on path
 * "/r<n>" and closes; its log line, once it is there, in line.
 * Returns whether libtls resumed the session.
 */
static int
resume_once(int n, const char *protocols, char *line, size_t size)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt", .protocols = protocols,
				    .session = "session" };
	struct wsc_tls		 t;
	char			 req[512], resp[1024], path[32], host[64];
	char			*p, *e;
	size_t			 len;
	int			 resumed;

	ATF_REQUIRE_MSG(wsct_connect(&t, tport, &o) == 0, "connect %d: %s",
	    n, wsct_error(&t));
	resumed = tls_conn_session_resumed(t.tls);
	snprintf(path, sizeof(path), "/r%d", n);
	snprintf(host, sizeof(host), "127.0.0.1:%d", tport);
	ATF_REQUIRE((len = wsc_request(req, sizeof(req), t.fd, path, host,
	    NULL)) > 0);
	ATF_REQUIRE(wsct_write_all(&t, req, len) == 0);
	ATF_REQUIRE_EQ_MSG(wsct_read_response(&t, resp, sizeof(resp)), 101,
	    "%s", resp);
	ATF_REQUIRE(wsct_send(&t, 1, 0x8, "\x03\xe8", 2) == 0);
	expect_close(&t, 1000);
	wsct_close(&t);
	snprintf(req, sizeof(req), "path \"%s\",", path);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, req, WSC_TIMEOUT) == 0, "log:\n%s",
	    wsd.log);
	p = strstr(wsd.log, req);
	while (p > wsd.log && p[-1] != '\n')
		p--;
	if ((e = strchr(p, '\n')) == NULL)
		e = p + strlen(p);
	snprintf(line, size, "%.*s", (int)(e - p), p);
	return (resumed);
}

/* Whether the session file holds a ticket from the server. */
static int
session_has_ticket(void)
{
	return (WEXITSTATUS(system("openssl sess_id -in session -noout -text "
	    "2>/dev/null | grep -q 'TLS session ticket:'")) == 0);
}

/*
 * Reconnections until each of the two handshake processes has taken a
 * connection that offered the session of the first one; all upgrade.
 * Returns 1 when the server sent a ticket and every reconnection
 * resumed, 0 when no ticket came, and fails the test otherwise.
 */
static int
resume_rounds(const char *protocols, int first)
{
	char	 line[1024];
	int	 n, r, seen[2] = { 0, 0 }, resumed = 0, ticket;

	unlink("session");
	ATF_CHECK_EQ_MSG(resume_once(first, protocols, line, sizeof(line)),
	    0, "the first connection resumed: %s", line);
	ticket = session_has_ticket();
	for (n = first + 1; n < first + 60 && (!seen[0] || !seen[1] ||
	    n < first + 5); n++) {
		r = resume_once(n, protocols, line, sizeof(line));
		resumed += r;
		if (ticket)
			ATF_CHECK_MSG(r == 1 && strstr(line, " resumed") !=
			    NULL, "%s: connection %d not resumed: %s",
			    protocols, n, line);
		if (strstr(line, "handshake[0]") != NULL)
			seen[0]++;
		else if (strstr(line, "handshake[1]") != NULL)
			seen[1]++;
		else
			atf_tc_fail("which process? %s", line);
	}
	ATF_CHECK_MSG(seen[0] > 0 && seen[1] > 0, "handshake[0] took %d, "
	    "handshake[1] %d", seen[0], seen[1]);
	if (!ticket)
		ATF_CHECK_EQ_MSG(resumed, 0, "resumed without a ticket");
	return (ticket);
}

ATF_TC_WITH_CLEANUP(tickets);
ATF_TC_HEAD(tickets, tc)
{
	atf_tc_set_md_var(tc, "descr", "Session-ticket keys: made and "
	    "rotated by the parent, taken by every handshake process; "
	    "clients that offer a session still "
	    "get their 101 from either process");
}
ATF_TC_BODY(tickets, tc)
{
	start_opts = "-v";
	/* A new key every second: the rounds below span rotations. */
	start(tc, "prefork handshake 2\ntls ticket lifetime 4", NULL);
	ATF_CHECK_EQ_MSG(wsd_log_count(&wsd,
	    "tls: 1 contexts, 1 session ticket keys"), 2, "log:\n%s", wsd.log);
	resume_rounds("tlsv1.2", 0);
	resume_rounds("tlsv1.3", 100);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "tls ticket key", WSC_TIMEOUT) ==
	    0, "no rotation:\n%s", wsd.log);
	resume_rounds("tlsv1.2", 200);
	ATF_CHECK_MSG(strstr(wsd.log, "add_ticket") == NULL, "log:\n%s",
	    wsd.log);
	stop_ok();
}
ATF_TC_CLEANUP(tickets, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(resume);
ATF_TC_HEAD(resume, tc)
{
	atf_tc_set_md_var(tc, "descr", "TLS session resumption by ticket "
	    "whichever handshake process a client reaches, where the TLS "
	    "library issues tickets");
}
ATF_TC_BODY(resume, tc)
{
	int	 t12, t13;

	start(tc, "prefork handshake 2\ntls ticket lifetime 60", NULL);
	t12 = resume_rounds("tlsv1.2", 0);
	t13 = resume_rounds("tlsv1.3", 100);
	stop_ok();
	if (!t12 && !t13)
		atf_tc_skip("the server sent no session ticket: libretls "
		    "over OpenSSL 3 issues none (see CAVEATS in wsd.conf(5))");
}
ATF_TC_CLEANUP(resume, tc)
{
	daemon_cleanup();
}

/* openssl s_client asking for a staple; its output in "sclient". */
static void
s_client(const char *opts)
{
	char	 cmd[512];

	snprintf(cmd, sizeof(cmd), "openssl s_client -connect 127.0.0.1:%d "
	    "-servername localhost -CAfile ca.crt %s </dev/null >sclient "
	    "2>&1", tport, opts);
	ATF_REQUIRE_EQ_MSG(WEXITSTATUS(system(cmd)), 0, "%s", cmd);
}

ATF_TC_WITH_CLEANUP(ocsp);
ATF_TC_HEAD(ocsp, tc)
{
	atf_tc_set_md_var(tc, "descr", "tls ocsp: a client that asks for "
	    "the certificate status gets the stapled OCSP response");
}
ATF_TC_BODY(ocsp, tc)
{
	start(tc, NULL, "\ttls ocsp \"server.ocsp\"\n");
	s_client("-status");
	ATF_CHECK_MSG(atf_utils_grep_file("OCSP Response Status: successful",
	    "sclient"), "no staple");
	ATF_CHECK(atf_utils_grep_file("Cert Status: good", "sclient"));
	ATF_CHECK(atf_utils_grep_file("Verify return code: 0 ", "sclient"));
	/* Over TLS 1.2 as well, where the staple has its own message. */
	s_client("-status -tls1_2");
	ATF_CHECK_MSG(atf_utils_grep_file("OCSP Response Status: successful",
	    "sclient"), "no staple over TLS 1.2");
	stop_ok();
	/* Without tls ocsp, nothing is stapled. */
	start(tc, NULL, NULL);
	s_client("-status");
	ATF_CHECK(atf_utils_grep_file("OCSP response: no response sent",
	    "sclient"));
	stop_ok();
}
ATF_TC_CLEANUP(ocsp, tc)
{
	daemon_cleanup();
}

/* wsd -n on a configuration: its exit status, output in "out". */
static int
check_conf(const atf_tc_t *tc, const char *text)
{
	char	 cmd[1200];
	FILE	*f;

	ATF_REQUIRE((f = fopen("t.conf", "w")) != NULL);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -n -f t.conf >out 2>&1",
	    srcpath(tc, "../wsd"));
	return (WEXITSTATUS(system(cmd)));
}

ATF_TC(config_errors);
ATF_TC_HEAD(config_errors, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsd -n: the tls keywords load, and "
	    "each tls mistake is an error at file:line");
}
ATF_TC_BODY(config_errors, tc)
{
	make_certs(tc);
	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls protocols \"tlsv1.2,tlsv1.3\"\n"
	    "\ttls ciphers \"secure\"\n\ttls ecdhe \"X25519,P-256\"\n"
	    "\ttls client ca \"ca.crt\" optional\n"
	    "\ttls ocsp \"server.ocsp\"\n}\n"), 0);
	ATF_CHECK(atf_utils_grep_file("configuration OK", "out"));

	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls ocsp \"/nonexistent/server.ocsp\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:5: /nonexistent/server.ocsp: "
	    "No such file or directory", "out"));

	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls key \"server.key\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:4: server \"a\" has a tls "
	    "listener but no tls certificate", "out"));

	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:4: server \"a\" has a tls "
	    "listener but no tls key", "out"));

	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n"
	    "\ttls key \"/nonexistent/server.key\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:4: /nonexistent/server.key: "
	    "No such file or directory", "out"));

	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"nocert.crt\"\n"
	    "\ttls key \"server.key\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:3: nocert.crt: No such file",
	    "out"));

	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls protocols \"tlsv9\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:5: invalid tls protocols",
	    "out"));

	/* A key that is not the certificate's. */
	ATF_CHECK_EQ(check_conf(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"a.key\"\n}\n"), 1);
	ATF_CHECK(atf_utils_grep_file("^t.conf:5: server \"a\": tls "
	    "certificate", "out"));
}

/*
 * One step of a client that never stops sending: TLS records until the
 * server's close_notify, raw bytes after it. Returns 1 at the server's
 * EOF, -1 at a reset or a TLS error, 0 while TCP is open.
 */
static int
keep_sending(struct wsc_tls *t, uint8_t *rx, size_t *rxlen, size_t rxsize,
    int *notify)
{
	static const uint8_t	 junk[4096];
	uint8_t			 b[4096];
	ssize_t			 n;

	if (!*notify) {
		if (tls_write(t->tls, junk, sizeof(junk)) == -1 ||
		    (n = tls_read(t->tls, rx + *rxlen, rxsize - *rxlen)) == -1)
			return (-1);
		if (n == 0)
			*notify = 1;
		else if (n > 0)
			*rxlen += n;
		return (0);
	}
	/* Read first: an EOF already here is not hidden by a reset. */
	if ((n = recv(t->fd, b, sizeof(b), MSG_DONTWAIT)) == 0)
		return (1);
	if (n == -1 && errno != EAGAIN)
		return (-1);
	if (send(t->fd, junk, sizeof(junk), MSG_NOSIGNAL | MSG_DONTWAIT) ==
	    -1 && errno != EAGAIN)
		return (-1);
	return (0);
}

/* Raw junk until a write fails: 0 if it does within ms. */
static int
junk_until_gone(int fd, long ms)
{
	static const uint8_t	 junk[4096];
	long long		 t0 = now_ms();

	while (now_ms() - t0 < ms) {
		poll(&(struct pollfd){ fd, POLLOUT, 0 }, 1, 100);
		if (send(fd, junk, sizeof(junk), MSG_NOSIGNAL |
		    MSG_DONTWAIT) == -1 && errno != EAGAIN)
			return (0);
	}
	return (-1);
}

ATF_TC_WITH_CLEANUP(fail_linger);
ATF_TC_HEAD(fail_linger, tc)
{
	atf_tc_set_md_var(tc, "descr", "The worker fails a wss connection "
	    "while the client keeps sending: the client gets close 1002, "
	    "close_notify and EOF, not a reset, within 3 s, and the server "
	    "lets go of the socket within 5 s more");
}
ATF_TC_BODY(fail_linger, tc)
{
	static const uint8_t	 unmasked[] = { 0x81, 0x02, 'h', 'i' };
	struct wsc_tls		 t;
	long long		 t0;
	uint8_t			 rx[256];
	size_t			 rxlen = 0;
	long			 ms;
	int			 notify = 0, end = 0;

	/* libtls writes with write(2): a reset must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	start(tc, NULL, NULL);
	client(&t, NULL);
	ATF_REQUIRE(wsct_write_all(&t, unmasked, sizeof(unmasked)) == 0);
	t0 = now_ms();
	while (end == 0 && now_ms() - t0 < 5000) {
		poll(&(struct pollfd){ t.fd, POLLIN | POLLOUT, 0 }, 1, 100);
		end = keep_sending(&t, rx, &rxlen, sizeof(rx), &notify);
	}
	ms = now_ms() - t0;
	ATF_REQUIRE_MSG(rxlen >= 4, "%zu bytes before the end", rxlen);
	ATF_CHECK(rx[0] == 0x88 && rx[1] == 2);
	ATF_CHECK_EQ(rx[2] << 8 | rx[3], 1002);
	ATF_CHECK_MSG(notify, "no close_notify");
	ATF_REQUIRE_MSG(end == 1 && ms < 3000, "TCP %s after %ld ms",
	    end == 1 ? "ended" : end == -1 ? "reset" : "still open", ms);
	ATF_CHECK_MSG(junk_until_gone(t.fd, 5000) == 0,
	    "the server took junk for 5 s after its EOF");
	wsct_close(&t);
	stop_ok();
}
ATF_TC_CLEANUP(fail_linger, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, echo);
	ATF_TP_ADD_TC(tp, close_notify);
	ATF_TP_ADD_TC(tp, pipelined);
	ATF_TP_ADD_TC(tp, protocols);
	ATF_TP_ADD_TC(tp, client_required);
	ATF_TP_ADD_TC(tp, client_optional);
	ATF_TP_ADD_TC(tp, failures_limited);
	ATF_TP_ADD_TC(tp, sni);
	ATF_TP_ADD_TC(tp, sni_host);
	ATF_TP_ADD_TC(tp, ocsp);
	ATF_TP_ADD_TC(tp, tickets);
	ATF_TP_ADD_TC(tp, resume);
	ATF_TP_ADD_TC(tp, backpressure);
	ATF_TP_ADD_TC(tp, deadline);
	ATF_TP_ADD_TC(tp, shutdown_1001);
	ATF_TP_ADD_TC(tp, fail_linger);
	ATF_TP_ADD_TC(tp, sandboxed);
	ATF_TP_ADD_TC(tp, config_errors);
	return (atf_no_error());
}
