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
 * A child taken over, from inside: WSD_HOSTILE=role:attack (wsd -d only)
 * makes the first process of a role send the parent what a compromised
 * one would (common/hostile.c). Each test asserts what wsd(8) promises
 * of it: the attacker is killed or refused, the parent never exits, and
 * every other process and connection lives.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <atf-c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct wsd_proc	 wsd;

static void
start(const atf_tc_t *tc, const char *attack, const char *global)
{
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, global, NULL);
	if (attack != NULL)
		ATF_REQUIRE(setenv("WSD_HOSTILE", attack, 1) == 0);
	daemon_start(tc, &wsd, NULL);
	unsetenv("WSD_HOSTILE");
}

/* wsctl show stats, into the file out. */
static void
show_stats(const atf_tc_t *tc)
{
	char	 cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s -s %s show stats >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	ATF_REQUIRE_EQ(system(cmd), 0);
}

/* Until wsctl says n connections are open; bounded. */
static void
wait_open(const atf_tc_t *tc, int n)
{
	char	 want[64];
	int	 i;

	snprintf(want, sizeof(want), "^limits: %d open of", n);
	for (i = 0; i < 100; i++) {
		show_stats(tc);
		if (atf_utils_grep_file("%s", "out", want))
			return;
		usleep(50000);
	}
	atf_tc_fail("never %d open connections; log:\n%s", n, wsd.log);
}

static void
echo_works(void)
{
	char		 resp[1024];
	uint8_t		*back;
	size_t		 len;
	int		 fd, op;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ_MSG(wsc_upgrade(fd, NULL, resp, sizeof(resp)), 101,
	    "%s", resp);
	ATF_REQUIRE_MSG(wsc_exchange(fd, 0x1, "still here", 10, &back, &len,
	    &op) == 0, "no echo; log:\n%s", wsd.log);
	ATF_CHECK(len == 10 && memcmp(back, "still here", 10) == 0);
	free(back);
	close(fd);
}

/*
 * A handshake process asks to admit connection after connection and
 * never reads a reply: the parent's queue to it reaches its cap, and
 * the parent kills it and starts another instead of exiting; the
 * connections it had asked for are forgotten.
 */
ATF_TC_WITH_CLEANUP(admit_flood);
ATF_TC_HEAD(admit_flood, tc)
{
	atf_tc_set_md_var(tc, "descr", "A handshake process that floods the "
	    "parent with admissions and reads nothing is killed and "
	    "respawned; the parent lives");
	atf_tc_set_md_var(tc, "require.user", "root");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(admit_flood, tc)
{
	start(tc, "handshake:admit_flood",
	    "prefork handshake 1\nprefork worker 1\n");
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "channel to handshake[0] is "
	    "broken: its queue is full", 60000) == 0, "the queue never "
	    "filled, or the parent did not give up on it:\n%s", wsd.log);
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "respawned handshake[0]",
	    WSC_TIMEOUT) == 0, "no respawn:\n%s", wsd.log);
	ATF_CHECK(strstr(wsd.log, "lost child: handshake[0]") != NULL &&
	    strstr(wsd.log, "killed by signal 9") != NULL);
	ATF_REQUIRE(wsd_wait_log(&wsd, "is ready", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ_MSG(kill(wsd.pid, 0), 0, "the parent is gone");
	wait_open(tc, 0);
	echo_works();
	/* The messages that go out by themselves reach the new one. */
	ATF_REQUIRE(kill(wsd.pid, SIGHUP) == 0);
	ATF_CHECK(wsd_wait_log(&wsd, "configuration reloaded",
	    WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(admit_flood, tc)
{
	daemon_cleanup();
}

/* The connection id of a client, and the worker serving it, from the log. */
static int
served_by(int cport, unsigned long long *id)
{
	char		 needle[64];
	const char	*p;
	int		 w;

	snprintf(needle, sizeof(needle), "from 127.0.0.1:%d accepted", cport);
	if ((p = strstr(wsd.log, needle)) == NULL)
		return (-1);
	while (p > wsd.log && p[-1] != ' ')
		p--;
	while (p > wsd.log && p[-1] == ' ')
		p--;
	while (p > wsd.log && p[-1] != ' ')
		p--;
	*id = strtoull(p, NULL, 10);
	for (w = 0; w < 2; w++) {
		snprintf(needle, sizeof(needle), "worker[%d]: connection %llu:",
		    w, *id);
		if (strstr(wsd.log, needle) != NULL)
			return (w);
	}
	return (-1);
}

/*
 * A worker tells the handshake process that the clients of every relay
 * stopped reading: only the relays whose other end that worker holds
 * may listen; the wss:// clients of the other worker keep their echo.
 */
ATF_TC_WITH_CLEANUP(forge_results);
ATF_TC_HEAD(forge_results, tc)
{
	atf_tc_set_md_var(tc, "descr", "A password process that says yes to "
	    "checks it was not given is cut off by the handshake process; "
	    "the other password process checks, and wrong passwords fail");
}
ATF_TC_BODY(forge_results, tc)
{
	/* printf 'alice:pw' | base64; and 'alice:no' */
	static const char	 good[] = "Authorization: Basic YWxpY2U6cHc=\r\n";
	static const char	 bad[] = "Authorization: Basic YWxpY2U6bm8=\r\n";
	char			 resp[1024];
	int			 fd, i;

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE(system("htpasswd -cbB -C 4 htp alice pw 2>/dev/null") ==
	    0);
	wsd_write_conf(&wsd, "prefork handshake 1\nprefork password 2\n",
	    "\tauthenticate basic \"htp\" insecure\n");
	ATF_REQUIRE(setenv("WSD_HOSTILE", "password:forge_results", 1) == 0);
	daemon_start(tc, &wsd, NULL);
	unsetenv("WSD_HOSTILE");
	ATF_REQUIRE_MSG(wsd_wait_log(&wsd, "handshake[0]: password[0] "
	    "answered a check it was not given: channel closed",
	    WSC_TIMEOUT) == 0, "no cut-off:\n%s", wsd.log);
	/* Connection ids 1 to 8 of handshake[0]: in the forged range. */
	for (i = 0; i < 8; i++) {
		ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
		ATF_CHECK_EQ(wsc_upgrade(fd, i == 7 ? good : bad, resp,
		    sizeof(resp)), i == 7 ? 101 : 401);
		close(fd);
	}
	ATF_CHECK(wsd_wait_count(&wsd, "(basic: wrong password)", 7) == 0);
	ATF_CHECK(wsd_wait_log(&wsd, "hostile: forge_results, round 3",
	    WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(forge_results, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(close_others);
ATF_TC_HEAD(close_others, tc)
{
	atf_tc_set_md_var(tc, "descr", "A worker cannot make a relay reset "
	    "a wss:// client that another worker serves");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(close_others, tc)
{
	enum { N = 6 };
	struct wsc_tls		 t[N];
	struct sockaddr_in	 sin;
	socklen_t		 slen;
	unsigned long long	 id;
	char			 server[512], resp[1024];
	uint8_t			*back;
	size_t			 len;
	int			 i, op, w, tport, others = 0, rounds;

	make_certs(tc);
	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n",
	    tport);
	wsd_write_conf(&wsd, "prefork handshake 1\nprefork worker 2\n",
	    server);
	ATF_REQUIRE(setenv("WSD_HOSTILE", "worker:close_others", 1) == 0);
	daemon_start(tc, &wsd, "-v");
	unsetenv("WSD_HOSTILE");
	for (i = 0; i < N; i++) {
		ATF_REQUIRE_MSG(wsct_connect(&t[i], tport, NULL) == 0,
		    "connect: %s", wsct_error(&t[i]));
		ATF_REQUIRE_EQ(wsct_upgrade(&t[i], NULL, resp, sizeof(resp)),
		    101);
	}
	/* Three rounds of the attack with all of them open. */
	rounds = wsd_log_count(&wsd, "hostile: close_others, round");
	ATF_REQUIRE_MSG(wsd_wait_count(&wsd, "hostile: close_others, round",
	    rounds + 3) == 0, "the attack stopped early:\n%s", wsd.log);
	for (i = 0; i < N; i++) {
		slen = sizeof(sin);
		ATF_REQUIRE(getsockname(t[i].fd, (struct sockaddr *)&sin,
		    &slen) == 0);
		w = served_by(ntohs(sin.sin_port), &id);
		ATF_REQUIRE_MSG(w != -1, "whose is client %d?\n%s", i,
		    wsd.log);
		if (w == 0)
			continue;	/* the attacker's own */
		others++;
		back = NULL;
		ATF_CHECK_MSG(wsct_exchange(&t[i], 0x1, "still here", 10, &back,
		    &len, &op) == 0, "connection %llu of worker[1] lost its "
		    "echo:\n%s", id, wsd.log);
		if (back != NULL)
			free(back);
	}
	ATF_CHECK_MSG(others > 0, "worker[1] was given no connection");
	for (i = 0; i < N; i++)
		wsct_close(&t[i]);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(close_others, tc)
{
	daemon_cleanup();
}

/*
 * A worker says that connections it was never given are closed (the
 * ids of the first handshake process are predictable): the parent
 * keeps counting them, so max connections holds.
 */
ATF_TC_WITH_CLEANUP(release_others);
ATF_TC_HEAD(release_others, tc)
{
	atf_tc_set_md_var(tc, "descr", "A worker cannot release connections "
	    "a handshake process holds: max connections still holds");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(release_others, tc)
{
	char	 resp[1024];
	int	 fd[6], i, rounds;

	start(tc, "worker:release_others", "prefork handshake 1\n"
	    "prefork worker 1\nmax connections 5\ntimeout handshake 30\n");
	/* Five connections that stay in their handshake, held by it. */
	for (i = 0; i < 5; i++)
		ATF_REQUIRE((fd[i] = wsc_connect(wsd.port)) != -1);
	wait_open(tc, 5);
	/* Three more rounds of releases, with all five open. */
	rounds = wsd_log_count(&wsd, "hostile: release_others, round");
	ATF_REQUIRE_MSG(wsd_wait_count(&wsd, "hostile: release_others, round",
	    rounds + 3) == 0, "the attack stopped early:\n%s", wsd.log);
	wait_open(tc, 5);
	ATF_REQUIRE((fd[5] = wsc_connect(wsd.port)) != -1);
	ATF_CHECK_EQ_MSG(wsc_upgrade(fd[5], NULL, resp, sizeof(resp)), 503,
	    "a sixth connection was admitted: %s", resp);
	close(fd[5]);
	ATF_CHECK(strstr(wsd.log, "worker[0] may not release connection") !=
	    NULL);
	for (i = 0; i < 5; i++)
		close(fd[i]);
	wait_open(tc, 0);
	echo_works();
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(release_others, tc)
{
	daemon_cleanup();
}

/*
 * A worker that a client can make crash, killed again and again once it
 * serves: it is respawned at once the first time, then after 1, 2, 4, 8
 * and 10 seconds, never more; the daemon does not stop.
 */
ATF_TC_WITH_CLEANUP(crash_backoff);
ATF_TC_HEAD(crash_backoff, tc)
{
	atf_tc_set_md_var(tc, "descr", "A child that keeps dying once ready "
	    "is respawned with a growing wait of at most 10 s, and the "
	    "daemon lives");
	atf_tc_set_md_var(tc, "require.user", "root");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(crash_backoff, tc)
{
	const int	 waits[] = { 0, 1, 2, 4, 8, 10 };
	char		 line[128];
	pid_t		 wk;
	int		 i;

	start(tc, NULL, "prefork handshake 1\nprefork worker 1\n");
	for (i = 0; i < 6; i++) {
		ATF_REQUIRE((wk = wsd_child(&wsd, "wsd: worker", 0)) > 0);
		ATF_REQUIRE(kill(wk, SIGKILL) == 0);
		ATF_REQUIRE_MSG(wsd_wait_count(&wsd, "respawned worker[0]",
		    i + 1) == 0, "no respawn %d:\n%s", i + 1, wsd.log);
		/* Ready again: a death before that is a failed start. */
		ATF_REQUIRE(wsd_wait_count(&wsd, "is ready", i + 1) == 0);
		snprintf(line, sizeof(line), "respawning worker[0] in %d "
		    "seconds", waits[i]);
		if (waits[i] > 0)
			ATF_CHECK_MSG(strstr(wsd.log, line) != NULL,
			    "no \"%s\" in:\n%s", line, wsd.log);
	}
	ATF_CHECK_MSG(wsd_log_count(&wsd, "respawning worker[0] in") == 5,
	    "the first respawn waited, or more did:\n%s", wsd.log);
	ATF_CHECK_EQ_MSG(kill(wsd.pid, 0), 0, "the daemon stopped");
	echo_works();
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(crash_backoff, tc)
{
	daemon_cleanup();
}

/*
 * A worker answers wsctl's queries again and again, asked or not, while
 * the other worker cannot answer (stopped): the parent takes one answer
 * from each worker it asked, so the query is not cut short by the
 * forger; it waits for the silent worker, then says which one did not
 * answer.
 */
ATF_TC_WITH_CLEANUP(forge_answers);
ATF_TC_HEAD(forge_answers, tc)
{
	atf_tc_set_md_var(tc, "descr", "A worker's extra answers to a query "
	    "count for nothing: one answer from each worker asked");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(forge_answers, tc)
{
	char	 cmd[2048];
	pid_t	 silent;

	start(tc, "worker:forge_answers", "prefork handshake 1\n"
	    "prefork worker 2\n");
	/* worker[0] forges; the other one is the second in the list. */
	ATF_REQUIRE((silent = wsd_child(&wsd, "wsd: worker", 1)) > 0);
	ATF_REQUIRE(kill(silent, SIGSTOP) == 0);
	snprintf(cmd, sizeof(cmd), "%s -s %s show connections >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock);
	ATF_REQUIRE_EQ(system(cmd), 0);
	ATF_CHECK_MSG(atf_utils_grep_file("^worker\\[[01]\\] did not answer$",
	    "out"), "the query ended without the silent worker");
	ATF_CHECK_MSG(wsd_wait_log(&wsd, "answered query 1 after its end",
	    WSC_TIMEOUT) == 0, "no refused answer in:\n%s", wsd.log);
	ATF_REQUIRE(kill(silent, SIGCONT) == 0);
	ATF_CHECK_EQ_MSG(kill(wsd.pid, 0), 0, "the parent is gone");
	echo_works();
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(forge_answers, tc)
{
	daemon_cleanup();
}

/*
 * A worker sends what the protocol cannot say: each is dropped and
 * logged as from that worker, and everything goes on.
 */
ATF_TC_WITH_CLEANUP(malformed);
ATF_TC_HEAD(malformed, tc)
{
	atf_tc_set_md_var(tc, "descr", "Malformed and misdirected messages "
	    "from a worker are dropped, logged, and harm nothing");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(malformed, tc)
{
	const char	*want[] = {
		"from worker[0]: truncated header",
		"from worker[0]: truncated payload",
		"from worker[0]: trailing bytes",
		"from worker[0]: bad payload size for type",
		"from worker[0]: unknown type",
		"from worker[0]: unexpected descriptor",
		"worker[0] may not send admit",
	};
	size_t		 i;

	start(tc, "worker:malformed", "prefork handshake 1\n"
	    "prefork worker 1\n");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ATF_CHECK_MSG(wsd_wait_log(&wsd, want[i], WSC_TIMEOUT) == 0,
		    "no \"%s\" in:\n%s", want[i], wsd.log);
	ATF_CHECK(strstr(wsd.log, "lost child") == NULL);
	echo_works();
	wait_open(tc, 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(malformed, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, admit_flood);
	ATF_TP_ADD_TC(tp, release_others);
	ATF_TP_ADD_TC(tp, close_others);
	ATF_TP_ADD_TC(tp, forge_results);
	ATF_TP_ADD_TC(tp, crash_backoff);
	ATF_TP_ADD_TC(tp, forge_answers);
	ATF_TP_ADD_TC(tp, malformed);
	return (atf_no_error());
}
