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
 * The console through the running daemon: off, a plain GET gets 426 as
 * ever; on, the page with its security headers, and CSP hashes that are
 * those of the page's own script and style (computed here again, with
 * OpenSSL's base64, not wsd's); only the console path; HEAD; the Origin
 * check unchanged; over TLS; wsd -n's errors and wsd -nv's print.
 * regress/t_browser.sh shows the page to a real browser.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "harness.h"

#define N(a)		(sizeof(a) / sizeof((a)[0]))
#define RESP_MAX	16384

static struct wsd_proc	 wsd;

/* The daemon, with lines for server "127.0.0.1" (which has "localhost"). */
static void
start(const atf_tc_t *tc, const char *global, const char *server)
{
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, global, server);
	daemon_start(tc, &wsd, NULL);
}

/*
 * One request (method, target, Host, extra header lines; "%d" in host is
 * the port) and the whole answer up to the server's close, in resp.
 * Returns the status, or -1.
 */
static int
request(const char *method, const char *target, const char *host,
    const char *extra, char *resp, size_t size)
{
	struct pollfd	 pfd;
	char		 req[1024], h[256];
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, status = -1;

	snprintf(h, sizeof(h), host ? host : "127.0.0.1:%d", wsd.port);
	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n",
	    method, target, h, extra ? extra : "");
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE(wsc_write_all(fd, req, strlen(req)) == 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (len + 1 < size) {
		if (poll(&pfd, 1, WSC_TIMEOUT) != 1)
			break;
		if ((n = read(fd, resp + len, size - len - 1)) == -1 &&
		    (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	resp[len] = '\0';
	if (sscanf(resp, "HTTP/1.1 %d ", &status) != 1)
		return (-1);
	return (status);
}

/* The value of header name in resp's head, into buf; NULL when none. */
static const char *
header(const char *resp, const char *name, char *buf, size_t size)
{
	const char	*p, *end, *e;
	size_t		 nl = strlen(name);

	if ((end = strstr(resp, "\r\n\r\n")) == NULL)
		return (NULL);
	for (p = strstr(resp, "\r\n"); p != NULL && p < end;
	    p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, nl) != 0 || p[2 + nl] != ':')
			continue;
		p += 2 + nl + 1;
		while (*p == ' ')
			p++;
		e = strstr(p, "\r\n");
		snprintf(buf, size, "%.*s", (int)(e - p), p);
		return (buf);
	}
	return (NULL);
}

/* The number of header lines in resp's head. */
static int
header_count(const char *resp)
{
	const char	*p, *end = strstr(resp, "\r\n\r\n");
	int		 n = 0;

	for (p = strstr(resp, "\r\n"); p != NULL && p < end;
	    p = strstr(p + 2, "\r\n"))
		n++;
	return (n);
}

/* 'sha256-...' of what lies between open and close in the body. */
static void
inline_hash(const char *body, const char *open, const char *close,
    char *out, size_t size)
{
	const char	*s, *e;
	uint8_t		 md[EVP_MAX_MD_SIZE];
	unsigned char	 b64[EVP_MAX_MD_SIZE * 2];
	unsigned int	 mdlen;

	ATF_REQUIRE((s = strstr(body, open)) != NULL);
	s += strlen(open);
	ATF_REQUIRE((e = strstr(s, close)) != NULL);
	/* One of each: a second one would need a hash of its own. */
	ATF_CHECK(strstr(e, open) == NULL);
	ATF_REQUIRE(EVP_Digest(s, e - s, md, &mdlen, EVP_sha256(), NULL) ==
	    1);
	EVP_EncodeBlock(b64, md, mdlen);
	snprintf(out, size, "'sha256-%s'", b64);
}

/* Checks a 200 answer with the page; host is as connect-src names it. */
static void
check_page(const char *resp, const char *host)
{
	char		 v[1024], want[1024], script[128], style[128];
	const char	*body;

	ATF_REQUIRE((body = strstr(resp, "\r\n\r\n")) != NULL);
	body += 4;
	ATF_CHECK(strncmp(body, "<!DOCTYPE html>", 15) == 0);
	ATF_CHECK_EQ(header_count(resp), 7);
	ATF_CHECK_STREQ(header(resp, "Connection", v, sizeof(v)), "close");
	ATF_CHECK_STREQ(header(resp, "Content-Type", v, sizeof(v)),
	    "text/html; charset=utf-8");
	snprintf(want, sizeof(want), "%zu", strlen(body));
	ATF_CHECK_STREQ(header(resp, "Content-Length", v, sizeof(v)), want);
	ATF_CHECK_STREQ(header(resp, "X-Content-Type-Options", v,
	    sizeof(v)), "nosniff");
	ATF_CHECK_STREQ(header(resp, "Cache-Control", v, sizeof(v)),
	    "no-store");
	ATF_CHECK_STREQ(header(resp, "Referrer-Policy", v, sizeof(v)),
	    "no-referrer");
	inline_hash(body, "<script>", "</script>", script, sizeof(script));
	inline_hash(body, "<style>", "</style>", style, sizeof(style));
	snprintf(want, sizeof(want), "default-src 'none'; script-src %s; "
	    "style-src %s; connect-src %s; frame-ancestors 'none'; "
	    "base-uri 'none'; form-action 'none'", script, style, host);
	ATF_CHECK_STREQ(header(resp, "Content-Security-Policy", v,
	    sizeof(v)), want);
	/* Self-contained: nothing to load, nothing parsed from data. */
	ATF_CHECK(strstr(body, "src=") == NULL);
	ATF_CHECK(strstr(body, "href=") == NULL);
	ATF_CHECK(strstr(body, "url(") == NULL);
	ATF_CHECK(strstr(body, "@import") == NULL);
	ATF_CHECK(strstr(body, "innerHTML") == NULL);
	ATF_CHECK(strstr(body, "<form") == NULL);
	ATF_CHECK(strstr(body, "new WebSocket(") != NULL);
	ATF_CHECK(strstr(body, "textContent") != NULL);
}

ATF_TC_WITH_CLEANUP(off);
ATF_TC_HEAD(off, tc)
{
	atf_tc_set_md_var(tc, "descr", "Without console a plain GET of / "
	    "gets 426 and a HEAD 405, as before");
}
ATF_TC_BODY(off, tc)
{
	char	 resp[RESP_MAX];

	start(tc, NULL, NULL);
	ATF_CHECK_EQ(request("GET", "/", NULL, NULL, resp, sizeof(resp)),
	    426);
	ATF_CHECK(strstr(resp, "\r\nUpgrade: websocket\r\n") != NULL);
	ATF_CHECK(strstr(resp, "<html") == NULL);
	ATF_CHECK_EQ(request("HEAD", "/", NULL, NULL, resp, sizeof(resp)),
	    405);
	ATF_CHECK(strstr(resp, "\r\nAllow: GET\r\n") != NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(off, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(on);
ATF_TC_HEAD(on, tc)
{
	atf_tc_set_md_var(tc, "descr", "console: a plain GET of / gets the "
	    "page, its security headers and CSP hashes of its own inline "
	    "script and style; HEAD the head alone");
}
ATF_TC_BODY(on, tc)
{
	char	 resp[RESP_MAX], head[RESP_MAX], host[64];

	start(tc, NULL, "console");
	snprintf(host, sizeof(host), "ws://127.0.0.1:%d", wsd.port);
	ATF_REQUIRE_EQ_MSG(request("GET", "/", NULL, NULL, resp,
	    sizeof(resp)), 200, "%s", resp);
	check_page(resp, host);
	/* HEAD: the same head, and nothing after it. */
	ATF_CHECK_EQ(request("HEAD", "/", NULL, NULL, head, sizeof(head)),
	    200);
	ATF_CHECK_MSG(strncmp(resp, head, strlen(head)) == 0 &&
	    strcmp(head + strlen(head) - 4, "\r\n\r\n") == 0,
	    "HEAD:\n%s", head);
	/* The query is not the path; the page is the same. */
	ATF_CHECK_EQ(request("GET", "/?x=1", NULL, NULL, head, sizeof(head)),
	    200);
	ATF_CHECK_STREQ(resp, head);
	/* connect-src follows Host: the alias, in lower case. */
	ATF_CHECK_EQ(request("GET", "/", "LocalHost:%d", NULL, resp,
	    sizeof(resp)), 200);
	snprintf(host, sizeof(host), "ws://localhost:%d", wsd.port);
	check_page(resp, host);
	/* Other methods, other paths and other hosts as before. */
	ATF_CHECK_EQ(request("POST", "/", NULL, "Content-Length: 0\r\n",
	    resp, sizeof(resp)), 405);
	ATF_CHECK_EQ(request("GET", "/other", NULL, NULL, resp,
	    sizeof(resp)), 426);
	ATF_CHECK_EQ(request("GET", "/", "nobody.test:%d", NULL, resp,
	    sizeof(resp)), 426);
	ATF_CHECK_EQ(request("GET", "/./", NULL, NULL, resp, sizeof(resp)),
	    426);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(on, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(origin);
ATF_TC_HEAD(origin, tc)
{
	atf_tc_set_md_var(tc, "descr", "With the console on, the page's own "
	    "origin may connect and another origin still gets 403");
}
ATF_TC_BODY(origin, tc)
{
	char	 resp[RESP_MAX], extra[128];
	int	 fd;

	start(tc, NULL, "console");
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	snprintf(extra, sizeof(extra), "Origin: http://127.0.0.1:%d\r\n",
	    wsd.port);
	ATF_CHECK_EQ(wsc_upgrade(fd, extra, resp, sizeof(resp)), 101);
	close(fd);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	snprintf(extra, sizeof(extra), "Origin: http://127.0.0.1:%d\r\n",
	    wsd.port + 1);
	ATF_CHECK_EQ(wsc_upgrade(fd, extra, resp, sizeof(resp)), 403);
	close(fd);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_CHECK_EQ(wsc_upgrade(fd, "Origin: null\r\n", resp, sizeof(resp)),
	    403);
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (Origin is not the "
	    "request's own", WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(origin, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(path);
ATF_TC_HEAD(path, tc)
{
	atf_tc_set_md_var(tc, "descr", "console \"/dev\" serves the page at "
	    "/dev only; the health path still answers");
}
ATF_TC_BODY(path, tc)
{
	static const struct {
		const char	*target;
		int		 status;
	} cases[] = {
		{ "/dev", 200 },
		{ "/dev?a=b", 200 },
		{ "/", 426 },
		{ "/dev/", 426 },
		{ "/dev/x", 426 },
		{ "/devx", 426 },
		{ "/DEV", 426 },
		{ "/health", 200 },
	};
	char	 resp[RESP_MAX], host[64];
	size_t	 i;

	start(tc, NULL, "console \"/dev\"\nhealth \"/health\"");
	for (i = 0; i < N(cases); i++)
		ATF_CHECK_EQ_MSG(request("GET", cases[i].target, NULL, NULL,
		    resp, sizeof(resp)), cases[i].status, "%s", cases[i].target);
	ATF_REQUIRE_EQ(request("GET", "/dev", NULL, NULL, resp,
	    sizeof(resp)), 200);
	snprintf(host, sizeof(host), "ws://127.0.0.1:%d", wsd.port);
	check_page(resp, host);
	ATF_CHECK_EQ(request("HEAD", "/", NULL, NULL, resp, sizeof(resp)),
	    405);
	ATF_CHECK_EQ(request("HEAD", "/health", NULL, NULL, resp,
	    sizeof(resp)), 405);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(path, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(tls);
ATF_TC_HEAD(tls, tc)
{
	atf_tc_set_md_var(tc, "descr", "Over TLS the page's connect-src is "
	    "wss:// with the listener's port");
}
ATF_TC_BODY(tls, tc)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;
	char			 server[512], req[256], resp[RESP_MAX];
	char			 want[64];
	int			 tport;

	make_certs(tc);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\tconsole", tport);
	start(tc, NULL, server);
	ATF_REQUIRE_EQ_MSG(wsct_connect(&t, tport, &o), 0, "%s",
	    wsct_error(&t));
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: localhost:%d\r\n"
	    "\r\n", tport);
	ATF_REQUIRE(wsct_write_all(&t, req, strlen(req)) == 0);
	ATF_CHECK_EQ(wsct_read_response(&t, resp, sizeof(resp)), 200);
	snprintf(want, sizeof(want), "; connect-src wss://localhost:%d;",
	    tport);
	ATF_CHECK_MSG(strstr(resp, want) != NULL, "no %s in:\n%s", want,
	    resp);
	wsct_close(&t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(tls, tc)
{
	daemon_cleanup();
}

/* wsd -n on a server block with lines; its exit status, stderr in "out". */
static int
check(const atf_tc_t *tc, const char *lines, const char *flags)
{
	char	 cmd[2048];
	FILE	*f;

	ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
	fprintf(f, "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n%s\n}\n",
	    lines);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s -f wsd.conf >print 2>out",
	    srcpath(tc, "../wsd"), flags);
	return (WEXITSTATUS(system(cmd)));
}

ATF_TC(config);
ATF_TC_HEAD(config, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsd -n names file:line for a bad "
	    "console path, and one that is the health path");
}
ATF_TC_BODY(config, tc)
{
	static const struct {
		const char	*lines;
		const char	*error;
	} cases[] = {
		{ "console \"dev\"", "wsd.conf:3: console path must start "
		    "with /" },
		{ "console \"\"", "wsd.conf:3: console path must start" },
		{ "console \"/a b\"", "wsd.conf:3: console path must start" },
		{ "console \"/a?b\"", "wsd.conf:3: console path must start" },
		{ "console \"/a/../b\"", "wsd.conf:3: console path must" },
		{ "console \"/a#b\"", "wsd.conf:3: console path must start" },
		{ "console \"/\" \"/x\"", "wsd.conf:3: syntax error" },
		{ "health \"/h\"\nconsole \"/h\"", "wsd.conf:4: console path "
		    "\"/h\" is the health path" },
		{ "console \"/h\"\nhealth \"/h\"", "wsd.conf:3: console path "
		    "\"/h\" is the health path" },
		{ "console\nhealth \"/\"", "wsd.conf:3: console path \"/\" is "
		    "the health path" },
	};
	char	 lines[512];
	size_t	 i;

	for (i = 0; i < N(cases); i++) {
		ATF_CHECK_EQ_MSG(check(tc, cases[i].lines, "-n"), 1, "%s",
		    cases[i].lines);
		ATF_CHECK_MSG(atf_utils_grep_file("%s", "out", cases[i].error),
		    "%s: expected %s", cases[i].lines, cases[i].error);
	}
	/* WSD_PATH_MAX - 1 bytes and no more. */
	memset(lines, 0, sizeof(lines));
	strlcpy(lines, "console \"/", sizeof(lines));
	memset(lines + strlen(lines), 'a', 254);
	strlcat(lines, "\"", sizeof(lines));
	ATF_CHECK_EQ(check(tc, lines, "-n"), 0);
	lines[strlen(lines) - 1] = 'a';
	strlcat(lines, "\"", sizeof(lines));
	ATF_CHECK_EQ(check(tc, lines, "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("wsd.conf:3: console path .* at most "
	    "255 bytes", "out"));
}

ATF_TC(print);
ATF_TC_HEAD(print, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsd -nv prints console with its path, "
	    "and what it prints loads again the same");
}
ATF_TC_BODY(print, tc)
{
	char	 cmd[2048];

	ATF_REQUIRE_EQ(check(tc, "console", "-nv"), 0);
	ATF_CHECK(atf_utils_grep_file("^\tconsole \"/\"$", "print"));
	ATF_REQUIRE_EQ(check(tc, "health \"/health\"\nconsole \"/dev\"",
	    "-nv"), 0);
	ATF_CHECK(atf_utils_grep_file("^\tconsole \"/dev\"$", "print"));
	ATF_CHECK(atf_utils_grep_file("^\thealth \"/health\"$", "print"));
	ATF_REQUIRE(rename("print", "first.conf") == 0);
	snprintf(cmd, sizeof(cmd), "%s -nv -f first.conf >second 2>out",
	    srcpath(tc, "../wsd"));
	ATF_REQUIRE_EQ(WEXITSTATUS(system(cmd)), 0);
	ATF_CHECK_MSG(WEXITSTATUS(system("cmp -s first.conf second")) == 0,
	    "the printed configuration prints differently once loaded");
	ATF_REQUIRE_EQ(check(tc, "", "-nv"), 0);
	ATF_CHECK(!atf_utils_grep_file("console", "print"));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, off);
	ATF_TP_ADD_TC(tp, on);
	ATF_TP_ADD_TC(tp, origin);
	ATF_TP_ADD_TC(tp, path);
	ATF_TP_ADD_TC(tp, tls);
	ATF_TP_ADD_TC(tp, config);
	ATF_TP_ADD_TC(tp, print);
	return (atf_no_error());
}
