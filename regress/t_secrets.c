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
 * Where a private key may be: wsd(8) promises it only in the handshake
 * processes, which need it for libtls. The test reads the memory of the
 * running processes, as root can, after start, a reload and a respawn,
 * and looks for the key's secret numbers in every form they take (in
 * DER, most significant byte first; in OpenSSL's numbers on this
 * machine, least significant first) and for the PEM text.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define NEEDLE		32	/* bytes of a number looked for */
#define NNEEDLES	5

static struct wsd_proc	 wsd;

struct needle {
	const char	*what;
	uint8_t		 b[NEEDLE];
	size_t		 len;
};

/* The hex digits after label in openssl's -text output, as bytes. */
static size_t
rsa_number(const char *text, const char *label, uint8_t *out, size_t max)
{
	const char	*p;
	size_t		 n = 0;
	unsigned int	 byte;

	ATF_REQUIRE_MSG((p = strstr(text, label)) != NULL, "no %s", label);
	p += strlen(label);
	/* Numbers run over indented lines of "xx:xx:"; a label ends them. */
	while (*p != '\0' && n < max) {
		if (*p == '\n' && !isspace((unsigned char)p[1]))
			break;
		if (isxdigit((unsigned char)p[0]) &&
		    isxdigit((unsigned char)p[1]) &&
		    sscanf(p, "%2x", &byte) == 1) {
			out[n++] = byte;
			p += 2;
		} else
			p++;
	}
	return (n);
}

/* An RSA key and its certificate, made now; its secrets as needles. */
static void
make_key(struct needle *nd)
{
	char		 text[16384];
	uint8_t		 num[512];
	FILE		*f;
	size_t		 len, n, i, k = 0;
	const char	*labels[] = { "privateExponent:", "prime1:" };

	ATF_REQUIRE(system("openssl req -x509 -newkey rsa:2048 -nodes "
	    "-keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 "
	    "2>/dev/null") == 0);
	ATF_REQUIRE((f = popen("openssl rsa -in key.pem -text -noout "
	    "2>/dev/null", "r")) != NULL);
	len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	pclose(f);
	for (i = 0; i < 2; i++) {
		n = rsa_number(text, labels[i], num, sizeof(num));
		/* DER's sign byte is not part of the number. */
		if (n > 0 && num[0] == 0)
			memmove(num, num + 1, --n);
		ATF_REQUIRE(n > NEEDLE);
		nd[k].what = labels[i];
		memcpy(nd[k].b, num, NEEDLE);
		nd[k++].len = NEEDLE;
		nd[k].what = labels[i];
		for (len = 0; len < NEEDLE; len++)
			nd[k].b[len] = num[n - 1 - len];
		nd[k++].len = NEEDLE;
	}
	/* A line of the PEM text from the middle of the file. */
	ATF_REQUIRE((f = fopen("key.pem", "r")) != NULL);
	for (i = 0; i < 5 && fgets(text, sizeof(text), f) != NULL; i++)
		;
	fclose(f);
	nd[k].what = "the PEM text";
	nd[k].len = NEEDLE;
	memcpy(nd[k].b, text, NEEDLE);
}

/* How many of the needles the writable memory of pid holds. */
static int
memory_holds(pid_t pid, const struct needle *nd, char *found, size_t flen)
{
	char		 path[64], line[512];
	unsigned long	 lo, hi;
	FILE		*maps;
	uint8_t		*buf;
	int		 fd, i, hits = 0;
	char		 perm[8];

	found[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ATF_REQUIRE((maps = fopen(path, "r")) != NULL);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	ATF_REQUIRE((fd = open(path, O_RDONLY)) != -1);
	while (fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3 ||
		    perm[0] != 'r' || perm[1] != 'w' || hi - lo > (1UL << 30))
			continue;
		if ((buf = malloc(hi - lo)) == NULL)
			continue;
		if (pread(fd, buf, hi - lo, lo) == (ssize_t)(hi - lo))
			for (i = 0; i < NNEEDLES; i++)
				if (memmem(buf, hi - lo, nd[i].b,
				    nd[i].len) != NULL) {
					hits++;
					strlcat(found, nd[i].what, flen);
					strlcat(found, " ", flen);
				}
		free(buf);
	}
	close(fd);
	fclose(maps);
	return (hits);
}

/*
 * Start a daemon with the server's tls key and the lines more, reload
 * it, have its handshake process respawned, and look for the needles:
 * none in the parent or the worker, some in the handshake process, which
 * shows that the search finds them where they are.
 */
static void
only_in_handshake(const atf_tc_t *tc, const struct needle *nd,
    const char *more)
{
	char	 server[512], found[256];
	pid_t	 hs, wk, pw;
	int	 tport;

	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	ATF_REQUIRE((tport = wsd_free_port()) > 0);
	snprintf(server, sizeof(server), "\tlisten on 127.0.0.1 port %d tls\n"
	    "\ttls certificate \"cert.pem\"\n\ttls key \"key.pem\"\n%s",
	    tport, more);
	wsd_write_conf(&wsd, "prefork handshake 1\nprefork worker 1\n",
	    server);
	daemon_start(tc, &wsd, NULL);
	ATF_REQUIRE(kill(wsd.pid, SIGHUP) == 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "configuration reloaded",
	    WSC_TIMEOUT) == 0);
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	ATF_REQUIRE(kill(hs, SIGKILL) == 0);
	ATF_REQUIRE(wsd_wait_log(&wsd, "is ready", WSC_TIMEOUT) == 0);
	ATF_REQUIRE((hs = wsd_child(&wsd, "wsd: handshake", 0)) > 0);
	ATF_REQUIRE((wk = wsd_child(&wsd, "wsd: worker", 0)) > 0);

	ATF_CHECK_EQ_MSG(memory_holds(wsd.pid, nd, found, sizeof(found)), 0,
	    "the parent holds %s", found);
	ATF_CHECK_EQ_MSG(memory_holds(wk, nd, found, sizeof(found)), 0,
	    "the worker holds %s", found);
	if ((pw = wsd_child(&wsd, "wsd: password", 0)) > 0)
		ATF_CHECK_EQ_MSG(memory_holds(pw, nd, found, sizeof(found)),
		    0, "the password process holds %s", found);
	ATF_CHECK_MSG(memory_holds(hs, nd, found, sizeof(found)) > 0,
	    "the search found %s nowhere, not even in the handshake process",
	    nd[0].what);
	daemon_stop_ok(&wsd);
}

/*
 * After start, a reload (which checks the key again) and the respawn of
 * the handshake process (for which the parent reads the key file
 * again): the parent and the worker hold none of the key; the handshake
 * process, which the promise allows, does, which shows that the search
 * finds a key where there is one.
 */
ATF_TC_WITH_CLEANUP(key_only_in_handshake);
ATF_TC_HEAD(key_only_in_handshake, tc)
{
	atf_tc_set_md_var(tc, "descr", "No copy of a private key, decoded or "
	    "not, in the parent or a worker after start, reload and "
	    "respawn");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(key_only_in_handshake, tc)
{
	struct needle	 nd[NNEEDLES];

	memset(nd, 0, sizeof(nd));
	make_key(nd);
	only_in_handshake(tc, nd, "");
}
ATF_TC_CLEANUP(key_only_in_handshake, tc)
{
	daemon_cleanup();
}

/*
 * The same for a token's shared secret: read by the parent at start, at
 * the reload and for the respawn, sent as data, and wiped there.
 */
ATF_TC_WITH_CLEANUP(token_secret_only_in_handshake);
ATF_TC_HEAD(token_secret_only_in_handshake, tc)
{
	atf_tc_set_md_var(tc, "descr", "No copy of a token's shared secret "
	    "in the parent or a worker after start, reload and respawn");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(token_secret_only_in_handshake, tc)
{
	struct needle	 tlsnd[NNEEDLES], nd[NNEEDLES];
	FILE		*f;
	int		 i;

	memset(tlsnd, 0, sizeof(tlsnd));
	make_key(tlsnd);
	/* A secret of 48 random letters, looked for as its first 32. */
	memset(nd, 0, sizeof(nd));
	ATF_REQUIRE((f = fopen("secret", "w")) != NULL);
	srandom(getpid());
	for (i = 0; i < 48; i++) {
		char ch = 'a' + random() % 26;

		if (i < NEEDLE)
			nd[0].b[i] = ch;
		fputc(ch, f);
	}
	fputc('\n', f);
	fclose(f);
	nd[0].what = "the shared secret";
	nd[0].len = NEEDLE;
	for (i = 1; i < NNEEDLES; i++)
		nd[i] = nd[0];
	only_in_handshake(tc, nd, "\tauthenticate token \"secret\" insecure\n");
}
ATF_TC_CLEANUP(token_secret_only_in_handshake, tc)
{
	daemon_cleanup();
}

/* 40 random letters: a password, or what to look for. */
static void
random_letters(char *buf, size_t len)
{
	size_t	 i;

	srandom(getpid() ^ (unsigned int)now_ms());
	for (i = 0; i < len - 1; i++)
		buf[i] = 'a' + random() % 26;
	buf[i] = '\0';
}

/* htp: user alice and password pw, at bcrypt cost 4; the hash's tail. */
static void
make_htpasswd(const char *pw, struct needle *nd)
{
	char	 cmd[256], line[256];
	FILE	*f;
	int	 i;

	snprintf(cmd, sizeof(cmd), "htpasswd -cbB -C 4 htp alice %s "
	    "2>/dev/null", pw);
	ATF_REQUIRE(system(cmd) == 0);
	ATF_REQUIRE((f = fopen("htp", "r")) != NULL);
	ATF_REQUIRE(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	/* "alice:$2y$04$" and 53 characters of salt and hash. */
	ATF_REQUIRE(strlen(line) >= 13 + NEEDLE);
	nd[0].what = "the bcrypt hash";
	nd[0].len = NEEDLE;
	memcpy(nd[0].b, line + 13, NEEDLE);
	for (i = 1; i < NNEEDLES; i++)
		nd[i] = nd[0];
}

/*
 * The same for an htpasswd file: the hashes are in the handshake
 * process only, not in the parent (which wiped its copy once sent),
 * a worker, or a password process.
 */
ATF_TC_WITH_CLEANUP(htpasswd_only_in_handshake);
ATF_TC_HEAD(htpasswd_only_in_handshake, tc)
{
	atf_tc_set_md_var(tc, "descr", "No copy of an htpasswd file's hashes "
	    "in the parent, a worker or a password process after start, "
	    "reload and respawn");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(htpasswd_only_in_handshake, tc)
{
	struct needle	 tlsnd[NNEEDLES], nd[NNEEDLES];
	char		 pw[41];

	memset(tlsnd, 0, sizeof(tlsnd));
	make_key(tlsnd);
	memset(nd, 0, sizeof(nd));
	random_letters(pw, sizeof(pw));
	make_htpasswd(pw, nd);
	only_in_handshake(tc, nd, "\tauthenticate basic \"htp\" insecure\n");
}
ATF_TC_CLEANUP(htpasswd_only_in_handshake, tc)
{
	daemon_cleanup();
}

/*
 * A password, once checked: the password process that checked it keeps
 * neither it nor the hash, and it never reached the parent or a worker.
 */
ATF_TC_WITH_CLEANUP(password_wiped);
ATF_TC_HEAD(password_wiped, tc)
{
	atf_tc_set_md_var(tc, "descr", "After a Basic login, the password and "
	    "its hash are in no process but the handshake process");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(password_wiped, tc)
{
	struct needle	 hash[NNEEDLES], nd[NNEEDLES];
	char		 pw[41], extra[256], cmd[256], found[256], resp[1024];
	char		 b64[128];
	FILE		*f;
	pid_t		 pids[3];
	int		 fd, i;

	memset(hash, 0, sizeof(hash));
	memset(nd, 0, sizeof(nd));
	random_letters(pw, sizeof(pw));
	make_htpasswd(pw, hash);
	nd[0].what = "the password";
	nd[0].len = NEEDLE;
	memcpy(nd[0].b, pw, NEEDLE);
	for (i = 1; i < NNEEDLES; i++)
		nd[i] = nd[0];
	snprintf(cmd, sizeof(cmd), "printf 'alice:%s' | base64 -w0", pw);
	ATF_REQUIRE((f = popen(cmd, "r")) != NULL);
	ATF_REQUIRE(fgets(b64, sizeof(b64), f) != NULL);
	pclose(f);
	snprintf(extra, sizeof(extra), "Authorization: Basic %s\r\n", b64);

	ATF_REQUIRE((wsd.port = wsd_free_port()) > 0);
	wsd_write_conf(&wsd, "prefork handshake 1\nprefork worker 1\n"
	    "prefork password 1\n", "\tauthenticate basic \"htp\" insecure\n");
	daemon_start(tc, &wsd, NULL);
	ATF_REQUIRE((fd = wsc_connect(wsd.port)) != -1);
	ATF_REQUIRE_EQ(wsc_upgrade(fd, extra, resp, sizeof(resp)), 101);
	ATF_REQUIRE(wsd_wait_log(&wsd, "identity \"alice\"", WSC_TIMEOUT) ==
	    0);
	pids[0] = wsd.pid;
	ATF_REQUIRE((pids[1] = wsd_child(&wsd, "wsd: worker", 0)) > 0);
	ATF_REQUIRE((pids[2] = wsd_child(&wsd, "wsd: password", 0)) > 0);
	for (i = 0; i < 3; i++) {
		ATF_CHECK_EQ_MSG(memory_holds(pids[i], nd, found,
		    sizeof(found)), 0, "pid %d holds %s", (int)pids[i], found);
		ATF_CHECK_EQ_MSG(memory_holds(pids[i], hash, found,
		    sizeof(found)), 0, "pid %d holds %s", (int)pids[i], found);
	}
	close(fd);
	daemon_stop_ok(&wsd);
}
ATF_TC_CLEANUP(password_wiped, tc)
{
	daemon_cleanup();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, key_only_in_handshake);
	ATF_TP_ADD_TC(tp, token_secret_only_in_handshake);
	ATF_TP_ADD_TC(tp, htpasswd_only_in_handshake);
	ATF_TP_ADD_TC(tp, password_wiped);
	return (atf_no_error());
}
