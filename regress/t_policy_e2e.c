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
 * The handshake policy through the running daemon: Origin, Host and
 * aliases, locations, subprotocols, health checks, per-location message
 * limits, the log lines and wsd -n's errors for the new keywords.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct wsd_proc	 wsd;

/*
 * Start the daemon: global lines (where "%d" is the port, as in server
 * blocks of their own) and lines of server "127.0.0.1".
 */
static void
start(const atf_tc_t *tc, const char *global, const char *server)
{
	char	 g[2048];

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	snprintf(g, sizeof(g), global ? global : "", wsd.port);
	wsd_write_conf(&wsd, g, server);
	daemon_start(tc, &wsd, NULL);
}

/*
 * One upgrade: path, Host ("%d" for the port; NULL for 127.0.0.1:port)
 * and extra header lines ("%d" for the port too). Returns the status,
 * the response in resp; *fdp gets the socket when it is wanted.
 */
static int
upgrade(const char *path, const char *host, const char *extra, char *resp,
    size_t size, int *fdp)
{
	char	 h[256], e[1024];
	int	 fd, status;

	snprintf(h, sizeof(h), host ? host : "127.0.0.1:%d", wsd.port);
	snprintf(e, sizeof(e), extra ? extra : "", wsd.port);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	status = wsc_upgrade_to(fd, path, h, e, resp, size);
	if (fdp != NULL)
		*fdp = fd;
	else
		close(fd);
	return (status);
}

/* Whether the daemon logged needle, waiting for it a while. */
static int
logged(const char *needle)
{
	return (wsd_wait_log(&wsd, needle, WSC_TIMEOUT) == 0);
}

struct ucase {
	const char	*what;
	const char	*path;
	const char	*host;
	const char	*extra;
	int		 status;
};

static void
run_cases(const struct ucase *c, size_t n)
{
	char	 resp[2048];
	size_t	 i;

	for (i = 0; i < n; i++)
		ATF_CHECK_EQ_MSG(upgrade(c[i].path, c[i].host, c[i].extra,
		    resp, sizeof(resp), NULL), c[i].status, "%s: %s",
		    c[i].what, resp);
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

ATF_TC_WITH_CLEANUP(origin_default);
ATF_TC_HEAD(origin_default, tc)
{
	atf_tc_set_md_var(tc, "descr", "Without origin lines only the "
	    "request's own origin, or none, is allowed");
}
ATF_TC_BODY(origin_default, tc)
{
	static const struct ucase cases[] = {
		{ "same origin", "/", NULL,
		    "Origin: http://127.0.0.1:%d\r\n", 101 },
		{ "same origin, alias", "/", "localhost:%d",
		    "Origin: http://LOCALHOST:%d\r\n", 101 },
		{ "missing", "/", NULL, NULL, 101 },
		{ "other host", "/", NULL, "Origin: http://localhost:%d\r\n",
		    403 },
		{ "other origin", "/", NULL, "Origin: https://evil.com\r\n",
		    403 },
		{ "other scheme", "/", NULL,
		    "Origin: https://127.0.0.1:%d\r\n", 403 },
		{ "default port", "/", NULL, "Origin: http://127.0.0.1\r\n",
		    403 },
		{ "null", "/", NULL, "Origin: null\r\n", 403 },
		{ "malformed", "/", NULL, "Origin: http://a b\r\n", 403 },
	};

	start(tc, NULL, NULL);
	run_cases(cases, N(cases));
	ATF_CHECK(logged("refused: 403 (Origin is not the request's own; "
	    "host \"127.0.0.1:"));
	ATF_CHECK(logged("origin \"https://evil.com\""));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(origin_default, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(origin_listed);
ATF_TC_HEAD(origin_listed, tc)
{
	atf_tc_set_md_var(tc, "descr", "Listed origins and anchored "
	    "wildcards; the look-alike attacks are refused");
}
ATF_TC_BODY(origin_listed, tc)
{
	static const struct ucase cases[] = {
		{ "listed", "/", NULL, "Origin: https://app.test\r\n", 101 },
		{ "listed, port 443", "/", NULL,
		    "Origin: https://app.test:443\r\n", 101 },
		{ "wildcard", "/", NULL, "Origin: https://a.example.org\r\n",
		    101 },
		{ "wildcard, deeper", "/", NULL,
		    "Origin: https://a.b.example.org\r\n", 101 },
		{ "wildcard, bare domain", "/", NULL,
		    "Origin: https://example.org\r\n", 403 },
		{ "look-alike: suffix", "/", NULL,
		    "Origin: https://a.example.org.evil.com\r\n", 403 },
		{ "look-alike: domain suffix", "/", NULL,
		    "Origin: https://example.org.evil.com\r\n", 403 },
		{ "look-alike: no dot", "/", NULL,
		    "Origin: https://evilexample.org\r\n", 403 },
		{ "same origin is not listed", "/", NULL,
		    "Origin: http://127.0.0.1:%d\r\n", 403 },
		{ "null", "/", NULL, "Origin: null\r\n", 403 },
		{ "missing", "/", NULL, NULL, 101 },
	};

	start(tc, NULL, "origin \"https://app.test\"\n"
	    "origin \"https://*.example.org\"");
	run_cases(cases, N(cases));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(origin_listed, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(origin_null_required);
ATF_TC_HEAD(origin_null_required, tc)
{
	atf_tc_set_md_var(tc, "descr", "origin \"null\" allows the opaque "
	    "origin; origin required refuses a request without Origin");
}
ATF_TC_BODY(origin_null_required, tc)
{
	static const struct ucase cases[] = {
		{ "null listed", "/", NULL, "Origin: null\r\n", 101 },
		{ "missing, required", "/", NULL, NULL, 403 },
		{ "other", "/", NULL, "Origin: http://127.0.0.1:%d\r\n", 403 },
	};

	start(tc, NULL, "origin \"null\"\norigin required");
	run_cases(cases, N(cases));
	ATF_CHECK(logged("refused: 403 (Origin required"));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(origin_null_required, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(hosts);
ATF_TC_HEAD(hosts, tc)
{
	atf_tc_set_md_var(tc, "descr", "Host names a server of the listener "
	    "by name or alias, port aware; otherwise 421, or 400 when "
	    "malformed");
}
ATF_TC_BODY(hosts, tc)
{
	static const struct ucase cases[] = {
		{ "name", "/", "127.0.0.1:%d", NULL, 101 },
		{ "alias", "/", "localhost:%d", NULL, 101 },
		{ "alias, other case", "/", "LocalHost:%d", NULL, 101 },
		{ "second server, same listener", "/", "other.test:%d", NULL,
		    101 },
		{ "server of another listener", "/", "third.test:%d", NULL,
		    421 },
		{ "unknown", "/", "unknown.test:%d", NULL, 421 },
		{ "look-alike", "/", "localhost.evil.com:%d", NULL, 421 },
		{ "no port: 80", "/", "127.0.0.1", NULL, 421 },
		{ "wrong port", "/", "127.0.0.1:1", NULL, 421 },
		{ "malformed", "/", "127.0.0.1:%d:1", NULL, 400 },
		{ "userinfo", "/", "a@127.0.0.1:%d", NULL, 400 },
	};
	char	 g[512];
	int	 port2;

	ATF_REQUIRE((port2 = wsd_free_port()) > 0);
	snprintf(g, sizeof(g), "server \"other.test\" {\n"
	    "\tlisten on 127.0.0.1 port %%d\n}\n"
	    "server \"third.test\" {\n\tlisten on 127.0.0.1 port %d\n}\n",
	    port2);
	start(tc, g, NULL);
	run_cases(cases, N(cases));
	ATF_CHECK(logged("refused: 421 (Host names no server"));
	ATF_CHECK(logged("accepted: server other.test, path \"/\""));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(hosts, tc)
{
	daemon_cleanup();
}

#define CHAT	"location \"/chat\" {\n\tsubprotocol \"chat.v2\"\n" \
		"\tsubprotocol \"chat.v1\"\n}\n"
#define SMALL	"location \"/small\" {\n\tmax message 1K\n}\n"

ATF_TC_WITH_CLEANUP(locations);
ATF_TC_HEAD(locations, tc)
{
	atf_tc_set_md_var(tc, "descr", "The longest location prefix of the "
	    "path is chosen; a path in none gets 404");
}
ATF_TC_BODY(locations, tc)
{
	static const struct ucase cases[] = {
		{ "root", "/", NULL, NULL, 404 },
		{ "other", "/chatroom", NULL, NULL, 404 },
		{ "exact", "/chat", NULL, NULL, 101 },
		{ "below", "/chat/room", NULL, NULL, 101 },
		{ "query", "/chat?x=1", NULL, NULL, 101 },
		{ "dot segment", "/chat/../x", NULL, NULL, 400 },
		{ "second", "/small", NULL, NULL, 101 },
	};

	start(tc, NULL, CHAT SMALL);
	run_cases(cases, N(cases));
	ATF_CHECK(logged("refused: 404 (no location"));
	ATF_CHECK(logged("path \"/chat\", origin -"));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(locations, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(subprotocols);
ATF_TC_HEAD(subprotocols, tc)
{
	atf_tc_set_md_var(tc, "descr", "The first offered subprotocol that "
	    "the location lists is echoed; none listed offered is 400");
}
ATF_TC_BODY(subprotocols, tc)
{
	char	 resp[2048];

	start(tc, NULL, CHAT SMALL);
	ATF_CHECK_EQ(upgrade("/chat", NULL, "Sec-WebSocket-Protocol: x, "
	    "chat.v1, chat.v2\r\n", resp, sizeof(resp), NULL), 101);
	ATF_CHECK(strstr(resp, "\r\nSec-WebSocket-Protocol: chat.v1\r\n") !=
	    NULL);
	ATF_CHECK_EQ(upgrade("/chat", NULL, "Sec-WebSocket-Protocol: x\r\n"
	    "Sec-WebSocket-Protocol: chat.v2\r\n", resp, sizeof(resp), NULL),
	    101);
	ATF_CHECK(strstr(resp, "\r\nSec-WebSocket-Protocol: chat.v2\r\n") !=
	    NULL);
	ATF_CHECK_EQ(upgrade("/chat", NULL, "Sec-WebSocket-Protocol: x, y\r\n",
	    resp, sizeof(resp), NULL), 400);
	ATF_CHECK_EQ(upgrade("/chat", NULL, NULL, resp, sizeof(resp), NULL),
	    101);
	ATF_CHECK(strstr(resp, "Sec-WebSocket-Protocol") == NULL);
	/* A location that lists none answers none. */
	ATF_CHECK_EQ(upgrade("/small", NULL, "Sec-WebSocket-Protocol: "
	    "chat.v1\r\n", resp, sizeof(resp), NULL), 101);
	ATF_CHECK(strstr(resp, "Sec-WebSocket-Protocol") == NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(subprotocols, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(health);
ATF_TC_HEAD(health, tc)
{
	atf_tc_set_md_var(tc, "descr", "A plain GET of the health path "
	    "answers 200 and closes; another plain GET still gets 426");
}
ATF_TC_BODY(health, tc)
{
	char	 req[256], resp[1024], body[16];
	ssize_t	 n;
	int	 fd;

	start(tc, NULL, "health \"/healthz\"");
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n\r\n", wsd.port);
	ATF_REQUIRE(wsc_write_all(fd, req, strlen(req)) == 0);
	ATF_CHECK_EQ(wsc_read_response(fd, resp, sizeof(resp)), 200);
	ATF_CHECK(strstr(resp, "Connection: close\r\n") != NULL);
	n = read(fd, body, sizeof(body) - 1);
	ATF_REQUIRE(n >= 0);
	body[n] = '\0';
	ATF_CHECK_STREQ(body, "ok\n");
	ATF_CHECK(wsc_wait_eof(fd) == 0);
	close(fd);

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	snprintf(req, sizeof(req), "GET /other HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n\r\n", wsd.port);
	ATF_REQUIRE(wsc_write_all(fd, req, strlen(req)) == 0);
	ATF_CHECK_EQ(wsc_read_response(fd, resp, sizeof(resp)), 426);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(health, tc)
{
	daemon_cleanup();
}

static void
expect_close(int fd, int code)
{
	uint8_t	 buf[256];
	size_t	 len;
	int	 fin, op;

	ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_REQUIRE_EQ_MSG(op, 0x8, "opcode %d, not close", op);
	ATF_REQUIRE(len >= 2);
	ATF_CHECK_EQ(buf[0] << 8 | buf[1], code);
}

static void
expect_echo(int fd, const uint8_t *data, size_t len)
{
	uint8_t	*buf;
	size_t	 got = 0, n;
	int	 fin = 0, op;

	ATF_REQUIRE((buf = malloc(len + 1)) != NULL);
	while (!fin) {
		ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf + got, len - got,
		    &n) == 0);
		ATF_REQUIRE(op != 0x8);
		got += n;
	}
	ATF_CHECK_EQ(got, len);
	ATF_CHECK(memcmp(buf, data, len) == 0);
	free(buf);
}

ATF_TC_WITH_CLEANUP(max_message);
ATF_TC_HEAD(max_message, tc)
{
	atf_tc_set_md_var(tc, "descr", "A location's max message overrides "
	    "the global one: one byte over it closes with 1009");
}
ATF_TC_BODY(max_message, tc)
{
	uint8_t	 msg[2048];
	char	 resp[1024];
	int	 fd;

	memset(msg, 'x', sizeof(msg));
	start(tc, "max message 2K", CHAT SMALL);
	ATF_REQUIRE_EQ(upgrade("/small", NULL, NULL, resp, sizeof(resp), &fd),
	    101);
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, msg, 1024) == 0);
	expect_echo(fd, msg, 1024);
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, msg, 1025) == 0);
	expect_close(fd, 1009);
	close(fd);
	/* Elsewhere the global limit holds. */
	ATF_REQUIRE_EQ(upgrade("/chat", NULL, NULL, resp, sizeof(resp), &fd),
	    101);
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, msg, 2048) == 0);
	expect_echo(fd, msg, 2048);
	ATF_REQUIRE(wsc_send(fd, 1, 0x2, msg, 1025) == 0);
	expect_echo(fd, msg, 1025);
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(max_message, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(log_escaped_limited);
ATF_TC_HEAD(log_escaped_limited, tc)
{
	atf_tc_set_md_var(tc, "descr", "Client strings reach the log escaped; "
	    "a flood of refusals is logged in part, with a count");
}
ATF_TC_BODY(log_escaped_limited, tc)
{
	char	 resp[1024];
	int	 i;

	start(tc, NULL, NULL);
	/* obs-text and a backslash pass the parser; the log escapes them. */
	ATF_CHECK_EQ(upgrade("/", NULL, "Origin: http://x\xff\\\r\n", resp,
	    sizeof(resp), NULL), 403);
	ATF_CHECK(logged("origin \"http://x\\xff\\x5c\""));
	for (i = 0; i < 60; i++)
		ATF_CHECK_EQ(upgrade("/", "nobody.test:%d", NULL, resp,
		    sizeof(resp), NULL), 421);
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "refusals not logged",
	    WSC_TIMEOUT) == 0, "no summary line:\n%s", wsd.log);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(log_escaped_limited, tc)
{
	daemon_cleanup();
}

/* The double quotes in the log line from marker on: two per field. */
static int
line_quotes(const char *marker)
{
	const char	*s;
	int		 n = 0;

	if ((s = strstr(wsd.log, marker)) == NULL)
		return (-1);
	for (; *s != '\0' && *s != '\n'; s++)
		if (*s == '"')
			n++;
	return (n);
}

ATF_TC_WITH_CLEANUP(log_fields_quoted);
ATF_TC_HEAD(log_fields_quoted, tc)
{
	atf_tc_set_md_var(tc, "descr", "A double quote in Host or Origin "
	    "is escaped: the client cannot forge a field of the log line");
}
ATF_TC_BODY(log_fields_quoted, tc)
{
	char	 resp[1024], want[256];

	start(tc, NULL, NULL);
	ATF_CHECK_EQ(upgrade("/", "127.0.0.1:%d\", origin \"https://evil",
	    NULL, resp, sizeof(resp), NULL), 400);
	snprintf(want, sizeof(want), "(malformed Host; host \"127.0.0.1:%d"
	    "\\x22, origin \\x22https://evil\", origin -, target \"/\")",
	    wsd.port);
	ATF_CHECK_MSG(logged(want), "no %s in:\n%s", want, wsd.log);
	/* host and target: two quoted fields, no third. */
	ATF_CHECK_EQ_MSG(line_quotes("(malformed Host;"), 4, "log:\n%s",
	    wsd.log);

	ATF_CHECK_EQ(upgrade("/", NULL, "Origin: http://a\", target \"/x\r\n",
	    resp, sizeof(resp), NULL), 403);
	ATF_CHECK_MSG(logged("origin \"http://a\\x22, target \\x22/x\", "
	    "target \"/\")"), "log:\n%s", wsd.log);
	ATF_CHECK_EQ_MSG(line_quotes("origin \"http://a"), 4, "log:\n%s",
	    wsd.log);
	ATF_CHECK(strstr(wsd.log, "origin \"https://evil") == NULL);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(log_fields_quoted, tc)
{
	daemon_cleanup();
}

struct conf_case {
	const char	*lines;
	const char	*error;
};

ATF_TC(config_errors);
ATF_TC_HEAD(config_errors, tc)
{
	atf_tc_set_md_var(tc, "descr", "wsd -n names file:line for bad "
	    "origin, location, subprotocol and health lines");
}
ATF_TC_BODY(config_errors, tc)
{
	static const struct conf_case cases[] = {
		{ "location \"/a\" {\n}\nlocation \"/a\" {\n}",
		    "wsd.conf:5: location \"/a\" defined twice" },
		{ "location \"a\" {\n}", "wsd.conf:3: location must start "
		    "with /" },
		{ "origin \"https://example.org/\"", "wsd.conf:3: bad origin" },
		{ "origin \"https://a.*.example.org\"", "wsd.conf:3: bad "
		    "origin \"https://a.*.example.org\": a wildcard may only" },
		{ "origin \"example.org\"", "wsd.conf:3: bad origin" },
		{ "subprotocol \"a b\"", "wsd.conf:3: subprotocol must be a "
		    "token" },
		{ "health \"healthz\"", "wsd.conf:3: health path must start" },
		{ "location \"/a\" {\n\tmax message 1\n}", "wsd.conf:4: max "
		    "message out of range" },
	};
	char	 cmd[2048], conf[512];
	size_t	 i;
	FILE	*f;

	for (i = 0; i < N(cases); i++) {
		snprintf(conf, sizeof(conf), "server \"a\" {\n"
		    "\tlisten on 127.0.0.1 port 8080\n%s\n}\n", cases[i].lines);
		ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
		fputs(conf, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "%s -n -f wsd.conf 2>out",
		    srcpath(tc, "../wsd"));
		ATF_CHECK_EQ_MSG(WEXITSTATUS(system(cmd)), 1, "%s",
		    cases[i].lines);
		ATF_CHECK_MSG(atf_utils_grep_file("%s", "out", cases[i].error),
		    "%s: expected %s", cases[i].lines, cases[i].error);
	}
	ATF_REQUIRE((f = fopen("wsd.conf", "w")) != NULL);
	fputs("server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n"
	    "\torigin \"https://*.example.org\"\n\torigin \"null\"\n"
	    "\torigin required\n\thealth \"/health\"\n"
	    "\tsubprotocol \"echo\"\n\tlocation \"/\" {\n\t}\n"
	    "\tlocation \"/chat\" {\n\t\tsubprotocol \"chat.v1\"\n"
	    "\t\tmax message 1M\n\t}\n}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -n -f wsd.conf 2>out",
	    srcpath(tc, "../wsd"));
	ATF_CHECK_EQ(system(cmd), 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, origin_default);
	ATF_TP_ADD_TC(tp, origin_listed);
	ATF_TP_ADD_TC(tp, origin_null_required);
	ATF_TP_ADD_TC(tp, hosts);
	ATF_TP_ADD_TC(tp, locations);
	ATF_TP_ADD_TC(tp, subprotocols);
	ATF_TP_ADD_TC(tp, health);
	ATF_TP_ADD_TC(tp, max_message);
	ATF_TP_ADD_TC(tp, log_escaped_limited);
	ATF_TP_ADD_TC(tp, log_fields_quoted);
	ATF_TP_ADD_TC(tp, config_errors);
	return (atf_no_error());
}
