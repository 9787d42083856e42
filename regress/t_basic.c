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
 * authenticate basic against the real daemon: htpasswd files made at
 * test time by Apache's htpasswd -B ($2y$) and Python's crypt ($2b$),
 * passwords checked by the password processes, the handshakes that go
 * on meanwhile, the bound on checks in flight, a password process that
 * dies with checks in flight, reloads, and the configuration errors.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define ALICE_PW	"open sesame"
#define BOB_PW		"correct horse"
#define SLOW_PW		"patience"

static struct wsd_proc	 wsd;
static int		 tport;		/* the tls listener */

/* htp: alice by htpasswd -B ($2y$), bob by crypt(3) ($2b$), both cost 4. */
static void
make_htpasswd(void)
{
	ATF_REQUIRE(system("htpasswd -cbB -C 4 htp alice '" ALICE_PW "' "
	    "2>/dev/null && python3 -W ignore -c \"import crypt; "
	    "print('bob:' + crypt.crypt('" BOB_PW "', "
	    "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))\" >>htp") == 0);
	ATF_REQUIRE(atf_utils_grep_file("^alice:\\$2y\\$04\\$", "htp"));
	ATF_REQUIRE(atf_utils_grep_file("^bob:\\$2b\\$04\\$", "htp"));
}

/*
 * slow.htp: "slow" at bcrypt cost 14, a second or so a check, and alice
 * at cost 4.
 */
static void
make_slow_htpasswd(void)
{
	ATF_REQUIRE(system("htpasswd -cbB -C 14 slow.htp slow '" SLOW_PW
	    "' 2>/dev/null && htpasswd -bB -C 4 slow.htp alice '" ALICE_PW
	    "' 2>/dev/null") == 0);
}

/* The Authorization line for user:pass (len bytes: it may hold a NUL). */
static const char *
basic_line(const char *cred, size_t len)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789+/";
	static char		 line[512];
	const unsigned char	*p = (const unsigned char *)cred;
	size_t			 i, o;
	uint32_t		 v;

	o = strlcpy(line, "Authorization: Basic ", sizeof(line));
	for (i = 0; i < len; i += 3) {
		v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
		    (i + 2 < len ? p[i + 2] : 0);
		line[o++] = b64[v >> 18 & 63];
		line[o++] = b64[v >> 12 & 63];
		line[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		line[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	strlcpy(line + o, "\r\n", sizeof(line) - o);
	return (line);
}

static const char *
basic(const char *user, const char *pass)
{
	char	 cred[256];

	snprintf(cred, sizeof(cred), "%s:%s", user, pass);
	return (basic_line(cred, strlen(cred)));
}

/*
 * The server "127.0.0.1": ws:// on wsd.port, wss:// on tport, and the
 * lines given; global lines before it.
 */
static void
start(const atf_tc_t *tc, const char *global, const char *lines)
{
	char	 server[4096];

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n%s",
	    tport, lines);
	wsd_write_conf(&wsd, global, server);
	daemon_start(tc, &wsd, NULL);
}

/*
 * A wss:// upgrade to path with header lines extra: the status, the
 * response in resp. A 101 is checked with an echo.
 */
static int
wss(const char *path, const char *extra, char *resp, size_t size)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;
	uint8_t			 buf[16];
	size_t			 len;
	int			 status, fin, op;

	if (wsct_connect(&t, tport, &o) == -1) {
		wsct_close(&t);
		return (-1);
	}
	status = wsct_upgrade_path(&t, path, extra, resp, size);
	if (status == 101 && (wsct_send(&t, 1, 0x1, "who", 3) == -1 ||
	    wsct_recv(&t, &fin, &op, buf, sizeof(buf), &len) == -1 ||
	    len != 3 || memcmp(buf, "who", 3) != 0))
		status = 0;
	wsct_close(&t);
	return (status);
}

/* A ws:// upgrade to path with header lines extra: the status. */
static int
ws(const char *path, const char *extra)
{
	char	 resp[1024];
	int	 fd, status;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	status = wsc_upgrade_to(fd, path, NULL, extra, resp, sizeof(resp));
	close(fd);
	return (status);
}

/* A ws:// request sent, its answer left to read: the socket. */
static int
ws_send(const char *path, const char *extra)
{
	char	 req[1024];
	size_t	 n;
	int	 fd;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE((n = wsc_request(req, sizeof(req), fd, path, NULL,
	    extra)) > 0);
	ATF_REQUIRE(wsc_write_all(fd, req, n) == 0);
	return (fd);
}

/* Whether fd has something to read right now. */
static int
answered(int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };

	return (poll(&pfd, 1, 0) == 1);
}

/* The status of the answer on fd, then closed. */
static int
ws_answer(int fd)
{
	char	 resp[1024];
	int	 status;

	status = wsc_read_response(fd, resp, sizeof(resp));
	close(fd);
	return (status);
}

/* wsctl show stats until its password line is want (once a second). */
static int
stats_line(const atf_tc_t *tc, const char *want)
{
	int	 i;

	for (i = 0; i < 30; i++) {
		if (wsctl_run(tc, &wsd, "show stats") == 0 &&
		    atf_utils_grep_file(want, "out"))
			return (1);
		usleep(200000);
	}
	return (0);
}

ATF_TC_WITH_CLEANUP(accepted);
ATF_TC_HEAD(accepted, tc)
{
	atf_tc_set_md_var(tc, "descr", "authenticate basic: users of htpasswd "
	    "-B and of crypt(3) are served and named; a wrong password, an "
	    "unknown user, none, or a malformed header get 401 with the "
	    "realm, logged without the password; ws:// gets 403");
}
ATF_TC_BODY(accepted, tc)
{
	char	 resp[1024];

	make_certs(tc);
	make_htpasswd();
	start(tc, NULL, "\ttls required\n"
	    "\tauthenticate basic \"htp\" realm \"chat room\"\n");
	ATF_CHECK_EQ(wss("/", basic("alice", ALICE_PW), resp, sizeof(resp)),
	    101);
	ATF_CHECK(wsd_wait_log(&wsd, "identity \"alice\"", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss("/", basic("bob", BOB_PW), resp, sizeof(resp)), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "identity \"bob\"", WSC_TIMEOUT) == 0);

	ATF_CHECK_EQ(wss("/", basic("alice", "open sesame!"), resp,
	    sizeof(resp)), 401);
	ATF_CHECK_MSG(strstr(resp, "\r\nWWW-Authenticate: Basic realm=\"chat "
	    "room\", charset=\"UTF-8\"\r\n") != NULL, "%s", resp);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (basic: wrong password)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss("/", basic("mallory", ALICE_PW), resp, sizeof(resp)),
	    401);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (basic: unknown user)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss("/", NULL, resp, sizeof(resp)), 401);
	ATF_CHECK(strstr(resp, "WWW-Authenticate: Basic realm=") != NULL);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (basic: none given)",
	    WSC_TIMEOUT) == 0);
	/* Not base64; no colon; an empty user; a NUL cutting the password. */
	ATF_CHECK_EQ(wss("/", "Authorization: Basic !!!!\r\n", resp,
	    sizeof(resp)), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(basic: malformed credentials)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss("/", basic_line("alice", 5), resp, sizeof(resp)),
	    401);
	ATF_CHECK_EQ(wss("/", basic("", ALICE_PW), resp, sizeof(resp)), 401);
	ATF_CHECK_EQ(wss("/", basic_line("alice:" ALICE_PW "\0x",
	    sizeof("alice:" ALICE_PW "\0x") - 1), resp, sizeof(resp)), 401);
	ATF_CHECK(wsd_wait_count(&wsd, "(basic: malformed credentials)", 4) ==
	    0);
	/* A Bearer token is no Basic credential. */
	ATF_CHECK_EQ(wss("/", "Authorization: Bearer abc\r\n", resp,
	    sizeof(resp)), 401);
	ATF_CHECK_EQ(ws("/", basic("alice", ALICE_PW)), 403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (credentials over "
	    "cleartext)", WSC_TIMEOUT) == 0);

	ATF_CHECK_MSG(strstr(wsd.log, "sesame") == NULL, "a password in the "
	    "log:\n%s", wsd.log);
	ATF_CHECK_MSG(strstr(wsd.log, "mallory") == NULL, "an unknown user "
	    "in the log:\n%s", wsd.log);
	/* To a password process: two good, a wrong one, an unknown user. */
	ATF_CHECK(stats_line(tc, "^password checks: 4 \\(0 waited behind "
	    "another\\), refused busy 0$"));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(accepted, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(allow_user);
ATF_TC_HEAD(allow_user, tc)
{
	atf_tc_set_md_var(tc, "descr", "allow user with authenticate basic: "
	    "a user who is not listed gets 403; a location inherits the "
	    "server's lines");
}
ATF_TC_BODY(allow_user, tc)
{
	char	 resp[1024];

	make_certs(tc);
	make_htpasswd();
	start(tc, NULL, "\ttls required\n\tauthenticate basic \"htp\"\n"
	    "\tlocation \"/admin\" {\n\t\tallow user \"alice\"\n\t}\n"
	    "\tlocation \"/\" {\n\t}\n");
	ATF_CHECK_EQ(wss("/admin", basic("alice", ALICE_PW), resp,
	    sizeof(resp)), 101);
	ATF_CHECK_EQ(wss("/admin", basic("bob", BOB_PW), resp, sizeof(resp)),
	    403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (basic: not allowed)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss("/admin", basic("bob", "wrong"), resp, sizeof(resp)),
	    401);
	ATF_CHECK_EQ(wss("/", basic("bob", BOB_PW), resp, sizeof(resp)), 101);
	ATF_CHECK(strstr(resp, "realm=\"wsd\"") == NULL);
	ATF_CHECK_EQ(wss("/", NULL, resp, sizeof(resp)), 401);
	ATF_CHECK_MSG(strstr(resp, "WWW-Authenticate: Basic realm=\"wsd\"") !=
	    NULL, "the default realm:\n%s", resp);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(allow_user, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(no_stall);
ATF_TC_HEAD(no_stall, tc)
{
	atf_tc_set_md_var(tc, "descr", "While a password process checks slow "
	    "hashes, the one handshake process serves other clients at once; "
	    "the checks answer in turn, the second counted as waiting");
}
ATF_TC_BODY(no_stall, tc)
{
	uint8_t	 buf[16];
	size_t	 len;
	char	 resp[1024];
	int	 a, b, fd, fin, op;

	make_certs(tc);
	make_slow_htpasswd();
	start(tc, "prefork handshake 1\nprefork password 1\n"
	    "timeout handshake 60\n",
	    "\tlocation \"/open\" {\n\t}\n"
	    "\tlocation \"/\" {\n"
	    "\t\tauthenticate basic \"slow.htp\" insecure\n\t}\n");
	a = ws_send("/", basic("slow", SLOW_PW));
	b = ws_send("/", basic("slow", SLOW_PW));
	/* Another client, served through the same process meanwhile. */
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade_to(fd, "/open", NULL, NULL, resp,
	    sizeof(resp)), 101);
	ATF_REQUIRE(wsc_send(fd, 1, 0x1, "quick", 5) == 0);
	ATF_REQUIRE(wsc_recv(fd, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_CHECK(len == 5 && memcmp(buf, "quick", 5) == 0);
	close(fd);
	/* b waits for a's check and its own: two slow hashes. */
	ATF_CHECK_MSG(!answered(b), "the second check was not behind the "
	    "first, or the other client waited for them");
	ATF_CHECK_EQ(ws_answer(a), 101);
	ATF_CHECK_EQ(ws_answer(b), 101);
	ATF_CHECK(stats_line(tc, "^password checks: 2 \\(1 waited behind "
	    "another\\), refused busy 0$"));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(no_stall, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(busy);
ATF_TC_HEAD(busy, tc)
{
	atf_tc_set_md_var(tc, "descr", "Checks in flight are bounded: with "
	    "the one password process holding 4, more clients get 503 with "
	    "Retry-After at once, counted; the 4 are answered");
}
ATF_TC_BODY(busy, tc)
{
	char	 resp[1024];
	int	 fd[6], i, status;

	make_certs(tc);
	make_slow_htpasswd();
	start(tc, "prefork handshake 1\nprefork password 1\n"
	    "timeout handshake 60\n",
	    "\tauthenticate basic \"slow.htp\" insecure\n");
	for (i = 0; i < 6; i++)
		fd[i] = ws_send("/", basic(i < 4 ? "slow" : "alice", SLOW_PW));
	for (i = 4; i < 6; i++) {
		status = wsc_read_response(fd[i], resp, sizeof(resp));
		ATF_CHECK_EQ_MSG(status, 503, "client %d: %d", i, status);
		ATF_CHECK_MSG(strstr(resp, "\r\nRetry-After: 1\r\n") != NULL,
		    "%s", resp);
		close(fd[i]);
	}
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 503 (basic: every password "
	    "process is busy)", WSC_TIMEOUT) == 0);
	for (i = 0; i < 4; i++)
		ATF_CHECK_EQ(ws_answer(fd[i]), 101);
	ATF_CHECK(stats_line(tc, "^password checks: 4 \\(3 waited behind "
	    "another\\), refused busy 2$"));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(busy, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(process_lost);
ATF_TC_HEAD(process_lost, tc)
{
	atf_tc_set_md_var(tc, "descr", "A password process killed with a check "
	    "in flight: its client gets 503, the process is respawned, and "
	    "the next check is answered");
}
ATF_TC_BODY(process_lost, tc)
{
	pid_t	 pw;
	int	 fd;

	make_certs(tc);
	make_slow_htpasswd();
	start(tc, "prefork handshake 1\nprefork password 1\n",
	    "\tauthenticate basic \"slow.htp\" insecure\n");
	ATF_REQUIRE((pw = wsd_child(&wsd, "wsd: password", 0)) > 0);
	fd = ws_send("/", basic("slow", SLOW_PW));
	usleep(300000);
	ATF_CHECK(!answered(fd));
	ATF_REQUIRE(kill(pw, SIGKILL) == 0);
	ATF_CHECK_EQ(ws_answer(fd), 503);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 503 (basic: password process "
	    "lost)", WSC_TIMEOUT) == 0);
	ATF_CHECK(wsd_wait_log(&wsd, "respawned password[0]", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK(wsd_wait_log(&wsd, "password[0] (pid", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(ws("/", basic("alice", ALICE_PW)), 101);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(process_lost, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(reload);
ATF_TC_HEAD(reload, tc)
{
	atf_tc_set_md_var(tc, "descr", "The htpasswd file is read again on "
	    "reload (a broken one changes nothing) and for a respawned "
	    "handshake process; password processes come and go with the "
	    "authenticate basic lines");
}
ATF_TC_BODY(reload, tc)
{
	pid_t	 hs;

	make_certs(tc);
	make_htpasswd();
	start(tc, "prefork handshake 1\n",
	    "\tauthenticate basic \"htp\" insecure\n");
	ATF_CHECK_EQ(ws("/", basic("alice", ALICE_PW)), 101);

	ATF_REQUIRE(system("htpasswd -bB -C 4 htp alice 'new one' "
	    "2>/dev/null") == 0);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "reload"), 0);
	ATF_CHECK_EQ(ws("/", basic("alice", "new one")), 101);
	ATF_CHECK_EQ(ws("/", basic("alice", ALICE_PW)), 401);

	ATF_REQUIRE(system("echo 'carol:$apr1$abc$def' >>htp") == 0);
	ATF_CHECK(wsctl_run(tc, &wsd, "reload") != 0);
	ATF_CHECK(wsd_wait_log(&wsd, "htp:3: not a bcrypt hash", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK_EQ(ws("/", basic("alice", "new one")), 101);

	/* A handshake process respawned after the parent wiped its copy. */
	ATF_REQUIRE(system("sed -i '/^carol/d' htp") == 0);
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	ATF_REQUIRE(kill(hs, SIGKILL) == 0);
	ATF_CHECK(wsd_wait_log(&wsd, "respawned handshake[0]", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK(wsd_wait_log(&wsd, "handshake[0] (pid", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(ws("/", basic("alice", "new one")), 101);
	ATF_CHECK(strstr(wsd.log, "does not get every key") == NULL);

	/*
	 * The file gone when a handshake process is respawned: its line
	 * refuses every password, the parent goes on, and a reload with
	 * the file back restores it.
	 */
	ATF_REQUIRE(rename("htp", "htp.away") == 0);
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	ATF_REQUIRE(kill(hs, SIGKILL) == 0);
	ATF_CHECK(wsd_wait_log(&wsd, "handshake[0] does not get every key "
	    "and file it had", WSC_TIMEOUT) == 0);
	ATF_CHECK(wsd_wait_log(&wsd, "gets no users from htp: that "
	    "authenticate basic line refuses every password until a reload",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK(wsd_wait_count(&wsd, "handshake[0] (pid", 2) == 0);
	ATF_CHECK_EQ(ws("/", basic("alice", "new one")), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(basic: no users loaded)", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK_EQ(ws("/", NULL), 401);
	ATF_REQUIRE(rename("htp.away", "htp") == 0);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "reload"), 0);
	ATF_CHECK_EQ(ws("/", basic("alice", "new one")), 101);

	/* No basic line: no password process. */
	wsd_write_conf(&wsd, NULL, "");
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "reload"), 0);
	ATF_CHECK(wsd_wait_count(&wsd, ") retired: exited with status 0",
	    2) == 0);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "show summary"), 0);
	ATF_CHECK(!atf_utils_grep_file("^password .*(ready|starting)$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^password +1 .* retired$", "out"));
	ATF_CHECK_EQ(ws("/", NULL), 101);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(reload, tc)
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

/* A server on a tls listener with line, to wsd -n. */
static int
check_line(const atf_tc_t *tc, const char *line)
{
	char	 text[1024];

	snprintf(text, sizeof(text), "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "%s\n}\n", line);
	return (check(tc, text, "-n"));
}

static void
check_refused(const atf_tc_t *tc, const char *line, const char *want)
{
	ATF_CHECK_EQ_MSG(check_line(tc, line), 1, "accepted: %s", line);
	ATF_CHECK_MSG(atf_utils_grep_file(want, "err"), "%s: no /%s/ in err",
	    line, want);
}

ATF_TC_WITHOUT_HEAD(config);
ATF_TC_BODY(config, tc)
{
	make_certs(tc);
	make_htpasswd();
	/* Every other kind htpasswd makes: MD5, SHA-1, crypt, plain. */
	ATF_REQUIRE(system("cp htp md5 && htpasswd -bm md5 carol x "
	    "2>/dev/null && cp htp sha && htpasswd -bs sha carol x "
	    "2>/dev/null && cp htp des && htpasswd -bd des carol x "
	    "2>/dev/null && cp htp plain && htpasswd -bp plain carol x "
	    "2>/dev/null") == 0);
	check_refused(tc, "\tauthenticate basic \"md5\"", "^c\\.conf:5: "
	    "authenticate basic: md5:3: not a bcrypt hash \\(\\$2b\\$ or "
	    "\\$2y\\$; make it with htpasswd -B\\)$");
	check_refused(tc, "\tauthenticate basic \"sha\"", "sha:3: not a "
	    "bcrypt hash");
	check_refused(tc, "\tauthenticate basic \"des\"", "des:3: not a "
	    "bcrypt hash");
	check_refused(tc, "\tauthenticate basic \"plain\"", "plain:3: not a "
	    "bcrypt hash");
	ATF_REQUIRE(system("printf 'dave:$2a$04$tX6OJvEP.M4q5pxuJGNh9OuRd5Ac/"
	    "7CEv/X.sIPr23E2NoM3ZJIW6\\n' >2a && printf '# users\\n\\n"
	    "dave:$2b$19$tX6OJvEP.M4q5pxuJGNh9OuRd5Ac/7CEv/X.sIPr23E2NoM3ZJIW6"
	    "\\n' >cost && printf 'dave:$2b$04$tX6OJvEP\\n' >short && "
	    "cat htp htp >twice && printf 'no hash here\\n' >nocolon && "
	    "printf '# nobody\\n' >empty") == 0);
	check_refused(tc, "\tauthenticate basic \"2a\"", "2a:1: not a bcrypt "
	    "hash");
	check_refused(tc, "\tauthenticate basic \"cost\"", "cost:3: bcrypt "
	    "cost out of range \\(04 to 18\\)$");
	check_refused(tc, "\tauthenticate basic \"short\"", "short:1: "
	    "malformed bcrypt hash$");
	check_refused(tc, "\tauthenticate basic \"twice\"", "twice:3: user "
	    "listed twice");
	check_refused(tc, "\tauthenticate basic \"nocolon\"", "nocolon:1: not "
	    "user:hash$");
	check_refused(tc, "\tauthenticate basic \"empty\"", "authenticate "
	    "basic: empty: no users$");
	check_refused(tc, "\tauthenticate basic \"missing\"", "authenticate "
	    "basic: missing: No such file or directory$");
	check_refused(tc, "\tauthenticate basic \"htp\" realm \"a\\\"b\"",
	    "realm: 1 to 63 printable characters");
	check_refused(tc, "\tauthenticate basic \"htp\"\n"
	    "\tallow claim \"role\" \"x\"", "allow claim: no authenticate "
	    "token to go with it$");
	/* Passwords over ws:// need insecure or tls required. */
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tauthenticate basic \"htp\"\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:3: authenticate basic: "
	    "server \"a\" has a listener without tls; passwords would cross "
	    "in the clear \\(insecure allows it\\)$", "err"));
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tauthenticate basic \"htp\" insecure\n}\n", "-n"), 0);
	ATF_CHECK_EQ(check(tc, "prefork password 0\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("prefork password out of range "
	    "\\(1-64\\)", "err"));
	ATF_CHECK_EQ(check(tc, "prefork password 3\nserver \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls required\n"
	    "\tauthenticate basic \"htp\" realm \"chat\"\n"
	    "\tallow user \"alice\"\n}\n", "-nv"), 0);
	ATF_CHECK(atf_utils_grep_file("^prefork password 3$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\tauthenticate basic \"htp\" realm "
	    "\"chat\"$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\tallow user \"alice\"$", "out"));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, accepted);
	ATF_TP_ADD_TC(tp, allow_user);
	ATF_TP_ADD_TC(tp, no_stall);
	ATF_TP_ADD_TC(tp, busy);
	ATF_TP_ADD_TC(tp, process_lost);
	ATF_TP_ADD_TC(tp, reload);
	ATF_TP_ADD_TC(tp, config);
	return (atf_no_error());
}
