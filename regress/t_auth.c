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
 * Authentication against the real daemon: client certificates made at
 * test time by mkcerts.sh (two of the test CA, one of another CA),
 * authenticate and allow lines in servers and locations, tls required,
 * and what the log and wsctl say of who connected.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define CLIENT_ID	"CN=test client,O=wsd tests"

static struct wsd_proc	 wsd;
static int		 tport;		/* the tls listener */

static void
mkcerts(const atf_tc_t *tc)
{
	char	 cmd[1200];

	snprintf(cmd, sizeof(cmd), "sh %s", srcpath(tc, "mkcerts.sh"));
	ATF_REQUIRE_EQ_MSG(system(cmd), 0, "mkcerts.sh failed");
}

/*
 * The server "127.0.0.1": ws:// on wsd.port, wss:// on tport, client
 * certificates of ca.crt asked for but optional, and the lines given.
 */
static void
start(const atf_tc_t *tc, const char *lines)
{
	char	 server[4096];

	memset(&wsd, 0, sizeof(wsd));
	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls client ca \"ca.crt\" optional\n%s", tport, lines);
	wsd_write_conf(&wsd, NULL, server);
	daemon_start(tc, &wsd, NULL);
}

/*
 * A wss:// upgrade to path with the certificate name ("client" for
 * client.crt and client.key) or none: the status, or -1 if TLS failed.
 * A 101 is checked with an echo; t stays open if kept is not NULL.
 */
static int
wss_status(const char *cert, const char *path, struct wsc_tls *kept)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;
	char			 crt[64], key[64], resp[1024];
	uint8_t			 buf[16];
	size_t			 len;
	int			 status, fin, op;

	if (cert != NULL) {
		snprintf(crt, sizeof(crt), "%s.crt", cert);
		snprintf(key, sizeof(key), "%s.key", cert);
		o.cert = crt;
		o.key = key;
	}
	if (wsct_connect(&t, tport, &o) == -1) {
		wsct_close(&t);
		return (-1);
	}
	status = wsct_upgrade_path(&t, path, NULL, resp, sizeof(resp));
	if (status == 101 && (wsct_send(&t, 1, 0x1, "who", 3) == -1 ||
	    wsct_recv(&t, &fin, &op, buf, sizeof(buf), &len) == -1 ||
	    len != 3 || memcmp(buf, "who", 3) != 0))
		status = 0;
	if (status == 101 && kept != NULL)
		*kept = t;
	else
		wsct_close(&t);
	return (status);
}

/* A ws:// upgrade to path with extra header lines: the status. */
static int
ws_status(const char *path, const char *extra)
{
	char	 resp[1024];
	int	 fd, status;

	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	status = wsc_upgrade_to(fd, path, NULL, extra, resp, sizeof(resp));
	close(fd);
	return (status);
}

/* openssl's SHA-256 fingerprint of a certificate, as wsd.conf takes it. */
static void
fingerprint(const char *file, char *out, size_t size)
{
	char	 cmd[256], line[256], *p;
	FILE	*f;
	size_t	 o = 0;

	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha256 "
	    "-in %s", file);
	ATF_REQUIRE((f = popen(cmd, "r")) != NULL);
	ATF_REQUIRE(fgets(line, sizeof(line), f) != NULL);
	pclose(f);
	ATF_REQUIRE((p = strchr(line, '=')) != NULL);
	o = strlcpy(out, "SHA256:", size);
	for (p++; *p != '\0' && *p != '\n' && o + 1 < size; p++)
		if (*p != ':')
			out[o++] = tolower((unsigned char)*p);
	out[o] = '\0';
	ATF_REQUIRE_EQ(strlen(out), 7 + 64);
}

static int
wsctl(const atf_tc_t *tc, const char *args)
{
	char	 cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s -s %s %s >out 2>&1",
	    srcpath(tc, "../wsctl/wsctl"), wsd.sock, args);
	return (WEXITSTATUS(system(cmd)));
}

ATF_TC_WITH_CLEANUP(cert_accepted);
ATF_TC_HEAD(cert_accepted, tc)
{
	atf_tc_set_md_var(tc, "descr", "authenticate client certificate: a "
	    "certificate of the CA is served and named in the logs and by "
	    "wsctl; none, or ws://, gets 401, counted");
}
ATF_TC_BODY(cert_accepted, tc)
{
	struct wsc_tls	 t;

	mkcerts(tc);
	start(tc, "\tauthenticate client certificate\n");
	ATF_REQUIRE_EQ(wss_status("client", "/", &t), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "accepted: server 127.0.0.1, path "
	    "\"/\"", WSC_TIMEOUT) == 0);
	ATF_CHECK_MSG(strstr(wsd.log, "identity \"" CLIENT_ID "\"") != NULL,
	    "no identity in the accept line:\n%s", wsd.log);
	ATF_REQUIRE_EQ(wsctl(tc, "show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("IDENTITY$", "out"));
	ATF_CHECK(atf_utils_grep_file(" yes +open .* " CLIENT_ID "$", "out"));
	ATF_REQUIRE_EQ(wsctl(tc, "-j show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("\"identity\":\"" CLIENT_ID "\"",
	    "out"));
	wsct_close(&t);
	ATF_CHECK(wsd_wait_log(&wsd, "in/out, identity \"" CLIENT_ID "\"",
	    WSC_TIMEOUT) == 0);

	ATF_CHECK_EQ(wss_status(NULL, "/", NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (client certificate: "
	    "none given)", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(ws_status("/", NULL), 401);
	ATF_REQUIRE_EQ(wsctl(tc, "show stats"), 0);
	ATF_CHECK(atf_utils_grep_file("^handshakes refused: 401 2$", "out") ||
	    (usleep(1200000), wsctl(tc, "show stats") == 0 &&
	    atf_utils_grep_file("^handshakes refused: 401 2$", "out")));
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(cert_accepted, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(cert_rules);
ATF_TC_HEAD(cert_rules, tc)
{
	atf_tc_set_md_var(tc, "descr", "subject and fingerprint restrict a "
	    "line, both must hold; of several lines any one admits");
}
ATF_TC_BODY(cert_rules, tc)
{
	char	 fpr[80], lines[2048];

	mkcerts(tc);
	fingerprint("client2.crt", fpr, sizeof(fpr));
	snprintf(lines, sizeof(lines),
	    "\tlocation \"/subject\" {\n"
	    "\t\tauthenticate client certificate subject \"CN=test client,*\"\n"
	    "\t}\n"
	    "\tlocation \"/fingerprint\" {\n"
	    "\t\tauthenticate client certificate fingerprint \"%s\"\n"
	    "\t}\n"
	    "\tlocation \"/both\" {\n"
	    "\t\tauthenticate client certificate subject \"CN=test client,*\" "
	    "fingerprint \"%s\"\n"
	    "\t}\n"
	    "\tlocation \"/either\" {\n"
	    "\t\tauthenticate client certificate subject \"CN=test client,*\"\n"
	    "\t\tauthenticate client certificate fingerprint \"%s\"\n"
	    "\t}\n"
	    "\tlocation \"/\" {\n\t}\n", fpr, fpr, fpr);
	start(tc, lines);
	ATF_CHECK_EQ(wss_status("client", "/subject", NULL), 101);
	ATF_CHECK_EQ(wss_status("client2", "/subject", NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (client certificate: "
	    "subject or fingerprint not accepted)", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss_status("client2", "/fingerprint", NULL), 101);
	ATF_CHECK_EQ(wss_status("client", "/fingerprint", NULL), 401);
	ATF_CHECK_EQ(wss_status("client", "/both", NULL), 401);
	ATF_CHECK_EQ(wss_status("client2", "/both", NULL), 401);
	ATF_CHECK_EQ(wss_status("client", "/either", NULL), 101);
	ATF_CHECK_EQ(wss_status("client2", "/either", NULL), 101);
	/* The server has no authenticate lines: / is open. */
	ATF_CHECK_EQ(wss_status(NULL, "/", NULL), 101);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(cert_rules, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(cert_other_ca);
ATF_TC_HEAD(cert_other_ca, tc)
{
	atf_tc_set_md_var(tc, "descr", "A certificate of another CA, with "
	    "the very subject that is allowed, fails the TLS handshake");
}
ATF_TC_BODY(cert_other_ca, tc)
{
	mkcerts(tc);
	start(tc, "\tauthenticate client certificate subject "
	    "\"" CLIENT_ID "\"\n");
	ATF_CHECK_EQ(wss_status("stranger", "/", NULL), -1);
	ATF_CHECK(wsd_wait_log(&wsd, "TLS handshake failed", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK(strstr(wsd.log, "accepted") == NULL);
	ATF_CHECK_EQ(wss_status("client", "/", NULL), 101);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(cert_other_ca, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(allow_subject);
ATF_TC_HEAD(allow_subject, tc)
{
	atf_tc_set_md_var(tc, "descr", "allow subject: authenticated but not "
	    "allowed is 403; a location inherits the server's allow lines "
	    "with its authenticate lines, and its own lines replace them");
}
ATF_TC_BODY(allow_subject, tc)
{
	mkcerts(tc);
	start(tc, "\tauthenticate client certificate\n"
	    "\tallow subject \"*,O=wsd tests\"\n"
	    "\tlocation \"/admin\" {\n"
	    "\t\tallow subject \"CN=test client,*\"\n"
	    "\t}\n"
	    "\tlocation \"/own\" {\n"
	    "\t\tauthenticate client certificate subject \"CN=other*\"\n"
	    "\t}\n"
	    "\tlocation \"/inherit\" {\n"
	    "\t\tmax message 1K\n"
	    "\t}\n"
	    "\tlocation \"/\" {\n\t}\n");
	ATF_CHECK_EQ(wss_status("client2", "/", NULL), 101);
	ATF_CHECK_EQ(wss_status("client2", "/admin", NULL), 403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (client certificate: "
	    "subject not allowed)", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(wss_status("client", "/admin", NULL), 101);
	ATF_CHECK_EQ(wss_status("client2", "/own", NULL), 101);
	ATF_CHECK_EQ(wss_status("client", "/own", NULL), 401);
	ATF_CHECK_EQ(wss_status("client2", "/inherit", NULL), 101);
	ATF_CHECK_EQ(wss_status(NULL, "/inherit", NULL), 401);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(allow_subject, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(tls_required);
ATF_TC_HEAD(tls_required, tc)
{
	atf_tc_set_md_var(tc, "descr", "tls required: a ws:// upgrade is 403, "
	    "logged as credentials over cleartext when it carried "
	    "Authorization (never the credential itself), else as tls "
	    "required; wss:// is served");
}
ATF_TC_BODY(tls_required, tc)
{
	mkcerts(tc);
	start(tc, "\tlocation \"/secure\" {\n\t\ttls required\n\t}\n"
	    "\tlocation \"/\" {\n\t}\n");
	ATF_CHECK_EQ(ws_status("/", NULL), 101);
	ATF_CHECK_EQ(ws_status("/secure", NULL), 403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (tls required)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(ws_status("/secure",
	    "Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"), 403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (credentials over "
	    "cleartext)", WSC_TIMEOUT) == 0);
	ATF_CHECK(strstr(wsd.log, "dXNlcjpzZWNyZXQ") == NULL);
	ATF_CHECK_EQ(wss_status(NULL, "/secure", NULL), 101);
	daemon_stop_ok(&wsd);

	/* For the whole server. */
	start(tc, "\ttls required\n");
	ATF_CHECK_EQ(ws_status("/", NULL), 403);
	ATF_CHECK_EQ(wss_status(NULL, "/", NULL), 101);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(tls_required, tc)
{
	daemon_cleanup();
}

/* wsd -n (opts) on text; its exit status, stderr in err, stdout in out. */
static int
check(const atf_tc_t *tc, const char *text, const char *opts)
{
	char	 cmd[2048];
	FILE	*f;

	ATF_REQUIRE((f = fopen("c.conf", "w")) != NULL);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s -f c.conf >out 2>err",
	    srcpath(tc, "../wsd"), opts);
	return (WEXITSTATUS(system(cmd)));
}

ATF_TC_WITHOUT_HEAD(config);
ATF_TC_BODY(config, tc)
{
	char	 fpr[80], text[2048];

	mkcerts(tc);
	/* A client certificate needs a CA to verify it against. */
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\tauthenticate client certificate\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:5: authenticate client "
	    "certificate: server \"a\" has no tls client ca$", "err"));

	/* What is accepted prints back as written. */
	fingerprint("client.crt", fpr, sizeof(fpr));
	snprintf(text, sizeof(text), "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls client ca \"ca.crt\"\n\ttls required\n"
	    "\tauthenticate client certificate subject \"CN=*\" "
	    "fingerprint \"%s\"\n"
	    "\tallow subject \"CN=test client,*\"\n"
	    "\tlocation \"/x\" {\n\t\ttls required\n"
	    "\t\tauthenticate client certificate\n\t}\n}\n", fpr);
	ATF_REQUIRE_EQ_MSG(check(tc, text, "-nv"), 0, "refused: see err");
	ATF_CHECK(atf_utils_grep_file("^\ttls required$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\tauthenticate client certificate "
	    "subject \"CN=\\*\" fingerprint \"%s\"$", "out", fpr));
	ATF_CHECK(atf_utils_grep_file("^\tallow subject \"CN=test client,"
	    "\\*\"$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\t\tauthenticate client certificate$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^\t\ttls required$", "out"));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, cert_accepted);
	ATF_TP_ADD_TC(tp, cert_rules);
	ATF_TP_ADD_TC(tp, cert_other_ca);
	ATF_TP_ADD_TC(tp, allow_subject);
	ATF_TP_ADD_TC(tp, tls_required);
	ATF_TP_ADD_TC(tp, config);
	return (atf_no_error());
}
