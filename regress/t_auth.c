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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define CLIENT_ID	"CN=test client,O=wsd tests"

static struct wsd_proc	 wsd;
static int		 tport;		/* the tls listener */

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

	make_certs(tc);
	start(tc, "\tauthenticate client certificate\n");
	ATF_REQUIRE_EQ(wss_status("client", "/", &t), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "accepted: server 127.0.0.1, path "
	    "\"/\"", WSC_TIMEOUT) == 0);
	ATF_CHECK_MSG(strstr(wsd.log, "identity \"" CLIENT_ID "\"") != NULL,
	    "no identity in the accept line:\n%s", wsd.log);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("IDENTITY$", "out"));
	ATF_CHECK(atf_utils_grep_file(" yes +open .* " CLIENT_ID "$", "out"));
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "-j show connections"), 0);
	ATF_CHECK(atf_utils_grep_file("\"identity\":\"" CLIENT_ID "\"",
	    "out"));
	wsct_close(&t);
	ATF_CHECK(wsd_wait_log(&wsd, "in/out, identity \"" CLIENT_ID "\"",
	    WSC_TIMEOUT) == 0);

	ATF_CHECK_EQ(wss_status(NULL, "/", NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (client certificate: "
	    "none given)", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(ws_status("/", NULL), 401);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "show stats"), 0);
	ATF_CHECK(atf_utils_grep_file("^handshakes refused: 401 2$", "out") ||
	    (usleep(1200000), wsctl_run(tc, &wsd, "show stats") == 0 &&
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

	make_certs(tc);
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
	make_certs(tc);
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
	make_certs(tc);
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

/* Keys for tokens, made with openssl now. */
static void
token_keys(void)
{
	ATF_REQUIRE(system("openssl ecparam -name prime256v1 -genkey -noout "
	    "-out ec.key 2>/dev/null && openssl ec -in ec.key -pubout -out "
	    "ec.pub 2>/dev/null && openssl genpkey -algorithm ed25519 -out "
	    "ed.key 2>/dev/null && openssl pkey -in ed.key -pubout -out ed.pub "
	    "&& printf 'a shared secret of more than 32 bytes\\n' >secret") ==
	    0);
}

/* A token minted by mkjwt.py (python3, openssl), not by wsd. */
static char *
mint(const atf_tc_t *tc, const char *alg, const char *key, const char *hdr,
    const char *payload)
{
	static char	 tok[4][2048];
	static int	 i;
	char		 cmd[4096];
	FILE		*f;

	i = (i + 1) % 4;
	snprintf(cmd, sizeof(cmd), "python3 %s '%s' '%s' '%s' '%s'",
	    srcpath(tc, "mkjwt.py"), alg, key, hdr != NULL ? hdr : "-",
	    payload);
	ATF_REQUIRE((f = popen(cmd, "r")) != NULL);
	ATF_REQUIRE(fgets(tok[i], sizeof(tok[i]), f) != NULL);
	pclose(f);
	tok[i][strcspn(tok[i], "\n")] = '\0';
	return (tok[i]);
}

/* Claims with exp that many seconds from now, and more JSON after. */
static const char *
claims(long in, const char *more)
{
	static char	 buf[4][512];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "{\"exp\":%lld%s%s}",
	    (long long)time(NULL) + in, more[0] ? "," : "", more);
	return (buf[i]);
}

/* A wss:// upgrade to path with header lines extra: its status. */
static int
wss_extra(const char *path, const char *extra, char *resp, size_t size,
    struct wsc_tls *kept)
{
	struct wsc_tls_opts	 o = { .ca = "ca.crt" };
	struct wsc_tls		 t;
	int			 status;

	if (wsct_connect(&t, tport, &o) == -1) {
		wsct_close(&t);
		return (-1);
	}
	status = wsct_upgrade_path(&t, path, extra, resp, size);
	if (status == 101 && kept != NULL)
		*kept = t;
	else
		wsct_close(&t);
	return (status);
}

static int
bearer(const char *path, const char *tok, struct wsc_tls *kept)
{
	char	 extra[2400], resp[1024];

	snprintf(extra, sizeof(extra), "Authorization: Bearer %s\r\n", tok);
	return (wss_extra(path, extra, resp, sizeof(resp), kept));
}

ATF_TC_WITH_CLEANUP(token_bearer);
ATF_TC_HEAD(token_bearer, tc)
{
	atf_tc_set_md_var(tc, "descr", "authenticate token with Bearer, each "
	    "algorithm: a good token is served and its sub is the identity; "
	    "none, expired, another audience or issuer, alg none and "
	    "algorithm confusion get 401 with WWW-Authenticate");
}
ATF_TC_BODY(token_bearer, tc)
{
	struct wsc_tls	 t;
	char		 resp[1024];

	make_certs(tc);
	token_keys();
	start(tc, "\tlocation \"/es\" {\n\t\tauthenticate token \"ec.pub\" "
	    "audience \"chat\" issuer \"app\" insecure\n\t}\n"
	    "\tlocation \"/ed\" {\n\t\tauthenticate token \"ed.pub\" "
	    "insecure\n\t}\n"
	    "\tlocation \"/hs\" {\n\t\tauthenticate token \"secret\" "
	    "insecure\n\t}\n");
	ATF_REQUIRE_EQ(bearer("/es", mint(tc, "ES256", "ec.key", NULL,
	    claims(600, "\"sub\":\"alice\",\"aud\":[\"x\",\"chat\"],"
	    "\"iss\":\"app\"")), &t), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "identity \"alice\"", WSC_TIMEOUT) == 0);
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "show connections"), 0);
	ATF_CHECK(atf_utils_grep_file(" alice$", "out"));
	wsct_close(&t);
	ATF_CHECK_EQ(bearer("/ed", mint(tc, "EdDSA", "ed.key", NULL,
	    claims(600, "\"sub\":\"bob\"")), NULL), 101);
	ATF_CHECK_EQ(bearer("/hs", mint(tc, "HS256", "secret", NULL,
	    claims(600, "\"sub\":\"carol\"")), NULL), 101);

	ATF_CHECK_EQ(wss_extra("/es", NULL, resp, sizeof(resp), NULL), 401);
	ATF_CHECK_MSG(strstr(resp, "WWW-Authenticate: Bearer") != NULL,
	    "%s", resp);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 401 (token: none given)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(bearer("/es", mint(tc, "ES256", "ec.key", NULL,
	    claims(-120, "\"aud\":\"chat\",\"iss\":\"app\"")), NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(token: expired)", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(bearer("/es", mint(tc, "ES256", "ec.key", NULL,
	    claims(600, "\"aud\":\"other\",\"iss\":\"app\"")), NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(token: wrong audience)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(bearer("/es", mint(tc, "ES256", "ec.key", NULL,
	    claims(600, "\"aud\":\"chat\",\"iss\":\"evil\"")), NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(token: wrong issuer)", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK_EQ(bearer("/hs", mint(tc, "none", "-", "{\"alg\":\"none\"}",
	    claims(600, "")), NULL), 401);
	/* An HS256 token keyed with the public key's bytes. */
	ATF_CHECK_EQ(bearer("/es", mint(tc, "HS256", "ec.pub", NULL,
	    claims(600, "\"aud\":\"chat\",\"iss\":\"app\"")), NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(token: algorithm not accepted)",
	    WSC_TIMEOUT) == 0);
	/* Signed with another key of the right kind. */
	ATF_REQUIRE(system("openssl genpkey -algorithm ed25519 -out ed2.key "
	    "2>/dev/null") == 0);
	ATF_CHECK_EQ(bearer("/ed", mint(tc, "EdDSA", "ed2.key", NULL,
	    claims(600, "")), NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(token: bad signature)", WSC_TIMEOUT) ==
	    0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(token_bearer, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(token_cookie_query);
ATF_TC_HEAD(token_cookie_query, tc)
{
	atf_tc_set_md_var(tc, "descr", "A token in the configured cookie or "
	    "query parameter is taken; a query token never reaches the log");
}
ATF_TC_BODY(token_cookie_query, tc)
{
	char	 extra[2400], resp[1024], path[2400];
	char	*tok;
	int	 fd;

	make_certs(tc);
	token_keys();
	start(tc, "\tauthenticate token \"secret\" cookie \"session\" query "
	    "\"access_token\" insecure\n");
	tok = mint(tc, "HS256", "secret", NULL, claims(600,
	    "\"sub\":\"dave\""));
	snprintf(extra, sizeof(extra), "Cookie: theme=dark; session=%s\r\n",
	    tok);
	ATF_CHECK_EQ(wss_extra("/", extra, resp, sizeof(resp), NULL), 101);
	snprintf(path, sizeof(path), "/?room=1&access_token=%s", tok);
	ATF_CHECK_EQ(wss_extra(path, NULL, resp, sizeof(resp), NULL), 101);
	ATF_CHECK(wsd_wait_log(&wsd, "identity \"dave\"", WSC_TIMEOUT) == 0);
	/* The second of two Cookie header fields. */
	snprintf(extra, sizeof(extra), "Cookie: theme=dark\r\nCookie: "
	    "session=%s\r\n", tok);
	ATF_CHECK_EQ(wss_extra("/", extra, resp, sizeof(resp), NULL), 101);
	/* A cookie of another name is not a token. */
	snprintf(extra, sizeof(extra), "Cookie: other=%s\r\n", tok);
	ATF_CHECK_EQ(wss_extra("/", extra, resp, sizeof(resp), NULL), 401);
	/* A refusal that logs the target leaves the token out. */
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	snprintf(extra, sizeof(extra), "Origin: https://evil.example\r\n");
	ATF_CHECK_EQ(wsc_upgrade_to(fd, path, NULL, extra, resp,
	    sizeof(resp)), 403);
	close(fd);
	ATF_CHECK(wsd_wait_log(&wsd, "access_token=REDACTED", WSC_TIMEOUT) ==
	    0);
	ATF_CHECK_MSG(strstr(wsd.log, strrchr(tok, '.') + 1) == NULL,
	    "the token's signature is in the log");
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(token_cookie_query, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(token_expires);
ATF_TC_HEAD(token_expires, tc)
{
	atf_tc_set_md_var(tc, "descr", "A connection admitted by a token is "
	    "closed with 1008 when the token expires");
}
ATF_TC_BODY(token_expires, tc)
{
	struct wsc_tls	 t;
	uint8_t		 buf[128];
	size_t		 len;
	time_t		 t0;
	int		 fin, op;

	make_certs(tc);
	token_keys();
	start(tc, "\tauthenticate token \"secret\" leeway 0 insecure\n");
	t0 = time(NULL);
	ATF_REQUIRE_EQ(bearer("/", mint(tc, "HS256", "secret", NULL,
	    claims(3, "\"sub\":\"erin\"")), &t), 101);
	ATF_REQUIRE(wsct_send(&t, 1, 0x1, "hi", 2) == 0);
	ATF_REQUIRE(wsct_recv(&t, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_CHECK_EQ(op, 0x1);
	/* Then, within a few seconds, our close. */
	ATF_REQUIRE(wsct_recv(&t, &fin, &op, buf, sizeof(buf), &len) == 0);
	ATF_CHECK_EQ(op, 0x8);
	ATF_REQUIRE(len >= 2);
	ATF_CHECK_EQ((buf[0] << 8) | buf[1], 1008);
	ATF_CHECK_MSG(time(NULL) - t0 >= 2, "closed before the token expired");
	wsct_close(&t);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(token_expires, tc)
{
	daemon_cleanup();
}

ATF_TC_WITH_CLEANUP(token_allow);
ATF_TC_HEAD(token_allow, tc)
{
	atf_tc_set_md_var(tc, "descr", "allow user and allow claim: a valid "
	    "token of someone else gets 403");
}
ATF_TC_BODY(token_allow, tc)
{
	make_certs(tc);
	token_keys();
	start(tc, "\tauthenticate token \"ed.pub\" insecure\n"
	    "\tallow user \"alice\"\n\tallow user \"bob\"\n"
	    "\tlocation \"/admin\" {\n\t\tallow claim \"roles\" \"admin\"\n"
	    "\t}\n\tlocation \"/\" {\n\t}\n");
	ATF_CHECK_EQ(bearer("/", mint(tc, "EdDSA", "ed.key", NULL,
	    claims(600, "\"sub\":\"bob\"")), NULL), 101);
	ATF_CHECK_EQ(bearer("/", mint(tc, "EdDSA", "ed.key", NULL,
	    claims(600, "\"sub\":\"mallory\"")), NULL), 403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (token: not allowed)",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(bearer("/admin", mint(tc, "EdDSA", "ed.key", NULL,
	    claims(600, "\"sub\":\"bob\",\"roles\":[\"dev\",\"admin\"]")),
	    NULL), 101);
	ATF_CHECK_EQ(bearer("/admin", mint(tc, "EdDSA", "ed.key", NULL,
	    claims(600, "\"sub\":\"alice\",\"roles\":\"dev\"")), NULL), 403);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(token_allow, tc)
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
	make_certs(tc);
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

	/* For the whole server; a token cookie is a credential too. */
	token_keys();
	start(tc, "\ttls required\n"
	    "\tauthenticate token \"secret\" cookie \"session\"\n");
	ATF_CHECK_EQ(ws_status("/", NULL), 403);
	ATF_CHECK_EQ(ws_status("/", "Cookie: session=abc\r\n"), 403);
	ATF_CHECK(wsd_wait_log(&wsd, "refused: 403 (credentials over "
	    "cleartext)", WSC_TIMEOUT) == 0);
	ATF_CHECK(strstr(wsd.log, "session=abc") == NULL);
	ATF_CHECK_EQ(bearer("/", mint(tc, "HS256", "secret", NULL,
	    claims(600, "")), NULL), 101);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(tls_required, tc)
{
	daemon_cleanup();
}



ATF_TC_WITH_CLEANUP(token_reload);
ATF_TC_HEAD(token_reload, tc)
{
	atf_tc_set_md_var(tc, "descr", "A reload re-reads the key file: a "
	    "new secret takes over; a broken file changes nothing");
}
ATF_TC_BODY(token_reload, tc)
{
	char	 a[2048], b[2048];
	pid_t	 hs[2];

	make_certs(tc);
	token_keys();
	start(tc, "\tauthenticate token \"secret\" insecure\n");
	strlcpy(a, mint(tc, "HS256", "secret", NULL, claims(600,
	    "\"sub\":\"a\"")), sizeof(a));
	ATF_CHECK_EQ(bearer("/", a, NULL), 101);
	ATF_REQUIRE(system("printf 'the next secret, also of 32 bytes or "
	    "more\\n' >secret") == 0);
	strlcpy(b, mint(tc, "HS256", "secret", NULL, claims(600,
	    "\"sub\":\"b\"")), sizeof(b));
	ATF_REQUIRE_EQ(wsctl_run(tc, &wsd, "reload"), 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "configuration reloaded",
	    WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(bearer("/", b, NULL), 101);
	ATF_CHECK_EQ(bearer("/", a, NULL), 401);
	ATF_REQUIRE(system("printf 'short\\n' >secret") == 0);
	ATF_CHECK_EQ(wsctl_run(tc, &wsd, "reload"), 1);
	ATF_CHECK(atf_utils_grep_file("^reload failed", "out"));
	ATF_CHECK(wsd_wait_log(&wsd, "secret: a shared secret must have at "
	    "least 32 bytes", WSC_TIMEOUT) == 0);
	ATF_CHECK_EQ(bearer("/", b, NULL), 101);

	/*
	 * The key gone when the handshake processes are respawned: the
	 * line refuses every token, and the parent goes on.
	 */
	ATF_REQUIRE(unlink("secret") == 0);
	ATF_REQUIRE((hs[0] = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	ATF_REQUIRE((hs[1] = wsd_child(&wsd, "wsd: handshake", 1)) > 0);
	ATF_REQUIRE(kill(hs[0], SIGKILL) == 0 && kill(hs[1], SIGKILL) == 0);
	ATF_CHECK(wsd_wait_count(&wsd, "gets no key from secret: that "
	    "authenticate token line refuses every token until a reload",
	    2) == 0);
	ATF_CHECK(wsd_wait_count(&wsd, "] (pid", 2) == 0);
	usleep(300000);
	ATF_CHECK_EQ(bearer("/", b, NULL), 401);
	ATF_CHECK(wsd_wait_log(&wsd, "(token: the key file could not be "
	    "read)", WSC_TIMEOUT) == 0);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(token_reload, tc)
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

	make_certs(tc);
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

	/* Tokens: a credential in the clear, or readable by any site. */
	token_keys();
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tauthenticate token \"secret\"\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:3: authenticate token: "
	    "server \"a\" has a listener without tls; the token would cross "
	    "in the clear \\(insecure allows it\\)$", "err"));
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n\torigin \"null\"\n"
	    "\tauthenticate token \"secret\" cookie \"s\" insecure\n}\n",
	    "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:4: authenticate token "
	    "cookie: server \"a\" admits origin \"null\", so any site could "
	    "use the cookie$", "err"));
	ATF_REQUIRE(system("printf 'too short\\n' >short && openssl genpkey "
	    "-algorithm rsa -pkeyopt rsa_keygen_bits:1024 2>/dev/null | "
	    "openssl pkey -pubout -out rsa.pub") == 0);
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tauthenticate token \"short\" insecure\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:3: short: a shared secret "
	    "must have at least 32 bytes$", "err"));
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tauthenticate token \"rsa.pub\" insecure\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:3: rsa.pub: a public key "
	    "must be P-256 \\(ES256\\) or Ed25519 \\(EdDSA\\)$", "err"));
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tallow user \"alice\"\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:3: allow user: no "
	    "authenticate token or basic to go with it$", "err"));
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8080\n"
	    "\tallow claim \"role\" \"admin\"\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^c\\.conf:3: allow claim: no "
	    "authenticate token to go with it$", "err"));
	ATF_REQUIRE_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\tauthenticate token \"ec.pub\" cookie \"s\" query \"t\" "
	    "audience \"chat\" issuer \"app\" leeway 5\n"
	    "\tallow user \"alice\"\n\tallow claim \"role\" \"admin\"\n}\n",
	    "-nv"), 0);
	ATF_CHECK(atf_utils_grep_file("^\tauthenticate token \"ec.pub\" "
	    "cookie \"s\" query \"t\" audience \"chat\" issuer \"app\" "
	    "leeway 5$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\tallow user \"alice\"$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\tallow claim \"role\" \"admin\"$",
	    "out"));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, cert_accepted);
	ATF_TP_ADD_TC(tp, cert_rules);
	ATF_TP_ADD_TC(tp, cert_other_ca);
	ATF_TP_ADD_TC(tp, allow_subject);
	ATF_TP_ADD_TC(tp, tls_required);
	ATF_TP_ADD_TC(tp, token_bearer);
	ATF_TP_ADD_TC(tp, token_cookie_query);
	ATF_TP_ADD_TC(tp, token_expires);
	ATF_TP_ADD_TC(tp, token_allow);
	ATF_TP_ADD_TC(tp, token_reload);
	ATF_TP_ADD_TC(tp, config);
	return (atf_no_error());
}
