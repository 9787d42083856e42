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
 * listen ... proxy against the real daemon, this test playing the load
 * balancer: PROXY v1 and v2 headers, whole or in pieces, before a ws://
 * request or a TLS handshake; the client they name admitted, limited,
 * logged and shown; the balancer's port in the Host check; untrusted
 * senders and malformed headers closed; the configuration.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <atf-c.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct wsd_proc	 wsd;

static void
start(const atf_tc_t *tc, const char *global, const char *server)
{
	char	 lines[2048];

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	/* wsd.port is the balancer's side here: a proxy listener. */
	snprintf(lines, sizeof(lines), "%s", server != NULL ? server : "");
	wsd_write_conf(&wsd, global, lines);
	/* The harness writes "listen on ... port N": make it a proxy one. */
	ATF_REQUIRE(system("sed -i 's/^\\(\\tlisten on 127.0.0.1 port "
	    "[0-9]*\\)$/\\1 proxy/' wsd.conf") == 0);
	daemon_start(tc, &wsd, NULL);
}

/* A v2 header for TCP over IPv4, with extra bytes of TLVs after it. */
static size_t
v2_header(uint8_t *buf, const char *src, const char *dst, int sport,
    int dport, const uint8_t *tlv, size_t tlvlen)
{
	static const uint8_t	 sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	size_t			 len = 12 + tlvlen;

	memcpy(buf, sig, 12);
	buf[12] = 0x21;		/* version 2, PROXY */
	buf[13] = 0x11;		/* TCP over IPv4 */
	buf[14] = len >> 8;
	buf[15] = len & 0xff;
	ATF_REQUIRE(inet_pton(AF_INET, src, buf + 16) == 1);
	ATF_REQUIRE(inet_pton(AF_INET, dst, buf + 20) == 1);
	buf[24] = sport >> 8;
	buf[25] = sport & 0xff;
	buf[26] = dport >> 8;
	buf[27] = dport & 0xff;
	if (tlvlen > 0)
		memcpy(buf + 28, tlv, tlvlen);
	return (16 + len);
}

/*
 * Connect, send hdr (len bytes) and then an upgrade with Host host: the
 * status, 0 if the connection was closed without an answer. The socket
 * stays open in *keep when keep is not NULL and the upgrade succeeded.
 */
static int
through(const void *hdr, size_t len, const char *host, int *keep)
{
	char	 req[1024], resp[1024];
	size_t	 n;
	int	 fd, status;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, hdr, len) == 0);
	ATF_REQUIRE((n = wsc_request(req, sizeof(req), fd, "/", host,
	    NULL)) > 0);
	(void)wsc_write_all(fd, req, n);
	status = wsc_read_response(fd, resp, sizeof(resp));
	if (status < 0)
		status = 0;
	if (status == 101 && keep != NULL)
		*keep = fd;
	else
		close(fd);
	return (status);
}

/* Whether the daemon closed fd without writing anything. */
static int
closed_silently(int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 c;

	if (poll(&pfd, 1, WSC_TIMEOUT) != 1)
		return (0);
	return (read(fd, &c, 1) <= 0);
}

ATF_TC_WITH_CLEANUP(v1_v2);
ATF_TC_HEAD(v1_v2, tc)
{
	atf_tc_set_md_var(tc, "descr", "PROXY v1 and v2 headers, with TLVs, "
	    "LOCAL and UNKNOWN: the client they name is the one logged and "
	    "shown by wsctl, and its port at the balancer is Host's");
}
ATF_TC_BODY(v1_v2, tc)
{
	static const uint8_t	 tlv[] = { 0x02, 0x00, 0x0b, 'e', 'x', 'a',
	    'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', 0x01, 0x00, 0x02, 'h', '2' };
	uint8_t			 hdr[256];
	char			 line[128], host[64];
	int			 fd = -1;

	start(tc, NULL, "\tlocation \"/\" {\n\t}\n");
	snprintf(line, sizeof(line), "PROXY TCP4 127.0.0.2 127.0.0.1 40001 "
	    "8080\r\n");
	ATF_CHECK_EQ(through(line, strlen(line), "127.0.0.1:8080", &fd), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "from 127.0.0.2:40001 accepted",
	    WSC_TIMEOUT) == 0);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("127\\.0\\.0\\.2:40001", "out"));
	if (fd != -1)
		close(fd);

	/* The Host check takes the balancer's port, not the listener's. */
	snprintf(host, sizeof(host), "127.0.0.1:%d", wsd.port);
	ATF_CHECK_EQ(through(line, strlen(line), host, NULL), 421);
	snprintf(line, sizeof(line), "PROXY TCP4 127.0.0.2 127.0.0.1 40002 "
	    "80\r\n");
	ATF_CHECK_EQ(through(line, strlen(line), "127.0.0.1", NULL), 101);

	snprintf(line, sizeof(line), "PROXY TCP6 ::2 ::1 40003 8080\r\n");
	ATF_CHECK_EQ(through(line, strlen(line), "127.0.0.1:8080", NULL),
	    101);
	ATF_CHECK(wsd_wait_log(&wsd, "from [::2]:40003 accepted",
	    WSC_TIMEOUT) == 0);

	ATF_CHECK_EQ(through(hdr, v2_header(hdr, "127.0.0.3", "127.0.0.1",
	    40004, 8080, NULL, 0), "127.0.0.1:8080", NULL), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "from 127.0.0.3:40004 accepted",
	    WSC_TIMEOUT) == 0);
	/* TLVs (an authority, an ALPN) are skipped, whatever they say. */
	ATF_CHECK_EQ(through(hdr, v2_header(hdr, "127.0.0.4", "127.0.0.1",
	    40005, 8080, tlv, sizeof(tlv)), "127.0.0.1:8080", NULL), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "from 127.0.0.4:40005 accepted",
	    WSC_TIMEOUT) == 0);

	/* No addresses: the connection's own, and the listener's port. */
	snprintf(line, sizeof(line), "PROXY UNKNOWN whatever\r\n");
	ATF_CHECK_EQ(through(line, strlen(line), host, NULL), 101);
	v2_header(hdr, "127.0.0.5", "127.0.0.1", 1, 2, NULL, 0);
	hdr[12] = 0x20;		/* LOCAL */
	ATF_CHECK_EQ(through(hdr, 28, host, NULL), 101);
	ATF_CHECK(strstr(wsd.log, "127.0.0.5") == NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(v1_v2, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(pieces);
ATF_TC_HEAD(pieces, tc)
{
	atf_tc_set_md_var(tc, "descr", "A header that comes a byte at a time, "
	    "with the request after it later, is read whole, without the "
	    "handshake process spinning meanwhile");
}
ATF_TC_BODY(pieces, tc)
{
	const char	*line = "PROXY TCP4 127.0.0.9 127.0.0.1 41000 8080\r\n";
	char		 req[1024], resp[1024];
	uint8_t		 hdr[64];
	size_t		 i, n, len;
	long		 before, after;
	pid_t		 hs;
	int		 fd, v;

	start(tc, "prefork handshake 1\n", "\tlocation \"/\" {\n\t}\n");
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	for (v = 1; v <= 2; v++) {
		if (v == 1) {
			len = strlen(line);
			memcpy(hdr, line, len);
		} else
			len = v2_header(hdr, "127.0.0.9", "127.0.0.1", 41001,
			    8080, NULL, 0);
		before = proc_cpu_ms(hs);
		ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
		for (i = 0; i < len; i++) {
			ATF_REQUIRE(wsc_write_all(fd, hdr + i, 1) == 0);
			usleep(20000);
		}
		usleep(200000);
		ATF_REQUIRE((n = wsc_request(req, sizeof(req), fd, "/",
		    "127.0.0.1:8080", NULL)) > 0);
		ATF_REQUIRE(wsc_write_all(fd, req, n) == 0);
		ATF_CHECK_EQ(wsc_read_response(fd, resp, sizeof(resp)), 101);
		close(fd);
		after = proc_cpu_ms(hs);
		/* About a second of waiting: a spinning loop would burn it. */
		ATF_CHECK_MSG(after - before < 200, "the handshake process "
		    "used %ld ms of CPU for a slow header", after - before);
	}
	ATF_CHECK(wsd_wait_count(&wsd, "from 127.0.0.9:", 2) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(pieces, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(refused);
ATF_TC_HEAD(refused, tc)
{
	atf_tc_set_md_var(tc, "descr", "No header, a malformed one, or one "
	    "from an address outside proxy from: the connection is closed "
	    "without an answer, logged and counted; the daemon goes on");
}
ATF_TC_BODY(refused, tc)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n",
		"PROXY TCP4 127.0.0.2 127.0.0.1 1 80\n",
		"PROXY TCP4 127.0.0.2  127.0.0.1 1 80\r\n",
		"PROXY TCP4 ::2 ::1 1 80\r\n",
		"PROXY TCP4 127.0.0.2 127.0.0.1 01 80\r\n",
		"PROXY TCP4 127.0.0.2 127.0.0.1 1 65536\r\n",
		"PROXY TCP5 127.0.0.2 127.0.0.1 1 80\r\n",
		"PROXY TCP4 127.0.0.2 127.0.0.1 1 80 extra\r\n",
	};
	uint8_t		 hdr[2048];
	char		 resp[64];
	size_t		 i, n;
	int		 fd, count = 0;

	start(tc, NULL, "\tlocation \"/\" {\n\t}\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
		ATF_REQUIRE(wsc_write_all(fd, bad[i], strlen(bad[i])) == 0);
		ATF_CHECK_MSG(closed_silently(fd), "not closed: %s", bad[i]);
		close(fd);
		count++;
	}
	/* v2: another version; a datagram family; longer than allowed. */
	n = v2_header(hdr, "127.0.0.2", "127.0.0.1", 1, 80, NULL, 0);
	hdr[12] = 0x31;
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, hdr, n) == 0);
	ATF_CHECK(closed_silently(fd));
	close(fd);
	hdr[12] = 0x21;
	hdr[13] = 0x12;
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, hdr, n) == 0);
	ATF_CHECK(closed_silently(fd));
	close(fd);
	hdr[13] = 0x11;
	hdr[14] = 0x10;		/* 4096 bytes of addresses and TLVs */
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, hdr, 16) == 0);
	ATF_CHECK(closed_silently(fd));
	close(fd);
	count += 2;	/* the datagram's line is checked below */
	/* A v1 line that never ends. */
	memset(resp, 'x', sizeof(resp));
	memcpy(resp, "PROXY ", 6);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, resp, sizeof(resp)) == 0);
	ATF_REQUIRE(wsc_write_all(fd, resp + 6, sizeof(resp) - 6) == 0);
	ATF_CHECK(closed_silently(fd));
	close(fd);
	count++;
	ATF_CHECK(wsd_wait_count(&wsd, "refused: malformed PROXY", count) ==
	    0);
	ATF_CHECK(wsd_wait_log(&wsd, "PROXY v2 header for neither TCP over "
	    "IPv4 nor over IPv6", WSC_TIMEOUT) == 0);
	ATF_CHECK(strstr(wsd.log, "accepted") == NULL);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "show stats"), 0);
	ATF_CHECK(atf_utils_grep_file("proxy refused [0-9]", "out"));
	daemon_stop_ok(&wsd);

	/* Loopback is not among the trusted networks now. */
	start(tc, "proxy from \"10.0.0.0/8\"\nproxy from \"fd00::/8\"\n",
	    NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	n = strlen("PROXY TCP4 127.0.0.2 127.0.0.1 1 80\r\n");
	ATF_REQUIRE(wsc_write_all(fd, "PROXY TCP4 127.0.0.2 127.0.0.1 1 "
	    "80\r\n", n) == 0);
	ATF_CHECK(closed_silently(fd));
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: not a trusted proxy (proxy "
	    "from), closed", WSC_TIMEOUT) == 0);
	ATF_CHECK(strstr(wsd.log, "127.0.0.2") == NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(refused, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(limits);
ATF_TC_HEAD(limits, tc)
{
	atf_tc_set_md_var(tc, "descr", "max connections per address counts "
	    "the clients the balancer names, not the balancer");
}
ATF_TC_BODY(limits, tc)
{
	char	 line[128];
	int	 fd[3] = { -1, -1, -1 }, other = -1, i;

	start(tc, "max connections per address 2\n",
	    "\tlocation \"/\" {\n\t}\n");
	snprintf(line, sizeof(line), "PROXY TCP4 127.0.0.2 127.0.0.1 40000 "
	    "8080\r\n");
	for (i = 0; i < 2; i++)
		ATF_CHECK_EQ(through(line, strlen(line), "127.0.0.1:8080",
		    &fd[i]), 101);
	ATF_CHECK_EQ(through(line, strlen(line), "127.0.0.1:8080", &fd[2]),
	    429);
	snprintf(line, sizeof(line), "PROXY TCP4 127.0.0.3 127.0.0.1 40000 "
	    "8080\r\n");
	ATF_CHECK_EQ(through(line, strlen(line), "127.0.0.1:8080", &other),
	    101);
	ATF_CHECK(wsd_wait_log(&wsd, "from 127.0.0.2:40000 refused: 429",
	    WSC_TIMEOUT) == 0);
	for (i = 0; i < 3; i++)
		if (fd[i] != -1)
			close(fd[i]);
	if (other != -1)
		close(other);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(limits, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(tls);
ATF_TC_HEAD(tls, tc)
{
	atf_tc_set_md_var(tc, "descr", "On a tls proxy listener the TLS "
	    "handshake follows the header, and the client it names is the "
	    "one logged");
}
ATF_TC_BODY(tls, tc)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;
	char			 server[512], resp[1024];
	const char		*line = "PROXY TCP4 127.0.0.7 127.0.0.1 42000 "
	    "443\r\n";
	int			 tport;

	make_certs(tc);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls "
	    "proxy\n\ttls certificate \"server.crt\"\n\ttls key "
	    "\"server.key\"\n", tport);
	wsd_write_conf(&wsd, NULL, server);
	daemon_start(tc, &wsd, NULL);
	o.preamble = line;
	ATF_REQUIRE_MSG(wsct_connect(&t, tport, &o) == 0, "connect: %s",
	    wsct_error(&t));
	/* The balancer's port is 443: a Host without a port names it. */
	ATF_CHECK_EQ(wsct_upgrade_host(&t, "127.0.0.1", NULL, resp,
	    sizeof(resp)), 101);
	wsct_close(&t);
	ATF_CHECK(wsd_wait_log(&wsd, "from 127.0.0.7:42000 accepted",
	    WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(tls, tc)
{
	daemon_cleanup();
}

/* wsd -n on c.conf holding text: its exit status; stderr in err. */
static int
check(const atf_tc_t *tc, const char *text, const char *flag)
{
	char	 cmd[512];
	FILE	*f;
	int	 status;

	ATF_REQUIRE((f = fopen("c.conf", "w")) != NULL);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s -f c.conf >out 2>err",
	    srcpath(tc, "../wsd"), flag);
	status = system(cmd);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

ATF_TC_WITHOUT_HEAD(config);
ATF_TC_BODY(config, tc)
{
	ATF_CHECK_EQ(check(tc, "proxy from \"10.1.0.0/16\"\n"
	    "proxy from \"2001:db8::/32\"\nproxy from \"192.0.2.7\"\n"
	    "server \"a\" {\n\tlisten on 127.0.0.1 port 8080 proxy\n}\n",
	    "-nv"), 0);
	ATF_CHECK(atf_utils_grep_file("^proxy from \"10\\.1\\.0\\.0/16\"$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^proxy from \"2001:db8::/32\"$", "out"));
	ATF_CHECK(atf_utils_grep_file("^proxy from \"192\\.0\\.2\\.7/32\"$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^\tlisten on 127\\.0\\.0\\.1 port 8080 "
	    "proxy$", "out"));
	ATF_CHECK_EQ(check(tc, "proxy from \"10.1.0.0/33\"\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:1: proxy from \"10\\.1\\.0\\."
	    "0/33\": not an address or address/prefix$", "err"));
	ATF_CHECK_EQ(check(tc, "proxy from \"example.org\"\n", "-n"), 1);
	ATF_CHECK_EQ(check(tc, "proxy from \"10.0.0.0/\"\n", "-n"), 1);
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080 proxy\n}\nserver \"b\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("listener used with and without proxy",
	    "err"));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, v1_v2);
	ATF_TP_ADD_TC(tp, pieces);
	ATF_TP_ADD_TC(tp, refused);
	ATF_TP_ADD_TC(tp, limits);
	ATF_TP_ADD_TC(tp, tls);
	ATF_TP_ADD_TC(tp, config);
	return (atf_no_error());
}
