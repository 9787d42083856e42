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
 * wsd.conf(5) through wsd -n: a table of good and bad configurations with
 * the exact line each bad one must get, and wsd -nv, whose output must
 * load again to the same configuration.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER	"server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n}\n"

struct conf_case {
	const char	*text;
	const char	*error;		/* the whole line; NULL: it loads */
};

static const struct conf_case cases[] = {
	{ SERVER, NULL },
	{ "# only a comment\n" SERVER, NULL },
	{ "p = \"8080\"\nserver \"a\" {\n\tlisten on 127.0.0.1 port $p\n}\n",
	    NULL },
	{ "max message 16M\nmax header 16K\ncompression off\n" SERVER, NULL },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n}", NULL },
	{ "prefork worker 0\n" SERVER,
	    "c.conf:1: prefork worker out of range (1-64)" },
	{ "prefork handshake 65\n" SERVER,
	    "c.conf:1: prefork handshake out of range (1-64)" },
	{ "timeout handshake 0\n" SERVER,
	    "c.conf:1: timeout handshake out of range (1-3600)" },
	{ "max header 100\n" SERVER,
	    "c.conf:1: max header out of range (512-65536)" },
	{ "max header 1X\n" SERVER, "c.conf:1: invalid size: 1X" },
	{ "tls ticket lifetime 0\ntls ticket lifetime 4\n" SERVER, NULL },
	{ "\ntls ticket lifetime 3\n" SERVER,
	    "c.conf:2: tls ticket lifetime out of range (0 or 4-86400)" },
	{ "tls ticket lifetime 86401\n" SERVER,
	    "c.conf:1: tls ticket lifetime out of range (0 or 4-86400)" },
	{ "max message 2G\n" SERVER,
	    "c.conf:1: max message out of range (125-1073741824)" },
	{ "max connections 5\nmax connections per address 1\n" SERVER,
	    NULL },
	{ "max connections 0\n" SERVER,
	    "c.conf:1: max connections out of range (1-1000000)" },
	{ "\nmax connections 1000001\n" SERVER,
	    "c.conf:2: max connections out of range (1-1000000)" },
	{ "max connections per address 0\n" SERVER,
	    "c.conf:1: max connections per address out of range "
	    "(1-1000000)" },
	{ "max connections per 3\n" SERVER, "c.conf:1: syntax error" },
	{ "frobnicate 1\n" SERVER, "c.conf:1: syntax error" },
	{ "\n\nuser\n" SERVER, "c.conf:3: syntax error" },
	{ "chroot \"relative\"\n" SERVER,
	    "c.conf:1: chroot must be an absolute path" },
	{ "socket \"wsd.sock\"\n" SERVER,
	    "c.conf:1: socket must be an absolute path" },
	{ SERVER "server \"A\" {\n\tlisten on 127.0.0.1 port 8081\n}\n",
	    "c.conf:4: server \"A\" defined twice" },
	{ "server \"a\" {\n\talias \"b\"\n}\n",
	    "c.conf:3: server \"a\" has no listen on" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 0\n}\n",
	    "c.conf:2: port out of range (1-65535)" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n\tlisten on "
	    "127.0.0.1 port 8080 tls\n}\n",
	    "c.conf:3: listener used with and without tls" },
	{ "server \"a\" {\n\tlisten on $nowhere port 8080\n}\n",
	    "c.conf:2: macro 'nowhere' not defined" },
	{ "include \"/nonexistent/x.conf\"\n" SERVER,
	    "c.conf:1: /nonexistent/x.conf: No such file or directory" },
	{ "# nothing\n", "c.conf: no server defined" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8443 tls\n}\n",
	    "c.conf:3: server \"a\" has a tls listener but no tls "
	    "certificate" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8443 tls\n\t"
	    "tls key \"/nonexistent.key\"\n}\n",
	    "c.conf:3: /nonexistent.key: No such file or directory" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8443 tls\n\t"
	    "tls protocols \"bogus\"\n}\n",
	    "c.conf:3: invalid tls protocols: bogus" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8443 tls\n\t"
	    "tls ocsp \"/nonexistent.ocsp\"\n}\n",
	    "c.conf:3: /nonexistent.ocsp: No such file or directory" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8443 tls\n\t"
	    "tls ocsp \"/dev/null\"\n}\n",
	    "c.conf:3: /dev/null: not a regular file of 1 to 65536 bytes" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n\t"
	    "authenticate client certificate\n}\n",
	    "c.conf:3: authenticate client certificate: server \"a\" has no "
	    "tls listener" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n\t"
	    "location \"/x\" {\n\t\tallow subject \"CN=*\"\n\t}\n}\n",
	    "c.conf:4: allow subject in location /x: no authenticate client "
	    "certificate to go with it" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n\t"
	    "authenticate client certificate fingerprint \"SHA256:00\"\n}\n",
	    "c.conf:3: fingerprint must be \"SHA256:\" and 64 hex digits, "
	    "once" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n\t"
	    "location \"/x\" {\n\t\ttls required\n\t}\n}\n",
	    "c.conf:4: tls required: server \"a\" has no tls listener" },
	{ "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n\t"
	    "location \"chat\" {\n\t}\n}\n",
	    "c.conf:3: location must start with / and have no query, space or "
	    "dot segment" },
};

static const char *
wsd_path(const atf_tc_t *tc)
{
	static char	 path[1024];

	snprintf(path, sizeof(path), "%s/../wsd",
	    atf_tc_get_config_var(tc, "srcdir"));
	return (path);
}

/* wsd -n on text; returns its exit status, stderr in the file err. */
static int
check(const atf_tc_t *tc, const char *text, const char *opts)
{
	char	 cmd[2048];
	FILE	*f;

	ATF_REQUIRE((f = fopen("c.conf", "w")) != NULL);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s -f c.conf >out 2>err", wsd_path(tc),
	    opts);
	return (WEXITSTATUS(system(cmd)));
}

/* The whole line as a regular expression that matches it literally. */
static void
line_re(char *re, size_t size, const char *line)
{
	size_t	 o = 0;

	re[o++] = '^';
	for (; *line != '\0' && o + 3 < size; line++) {
		if (strchr("^$.[]()*+?{}|\\", *line) != NULL)
			re[o++] = '\\';
		re[o++] = *line;
	}
	re[o++] = '$';
	re[o] = '\0';
}

ATF_TC_WITHOUT_HEAD(table);
ATF_TC_BODY(table, tc)
{
	char	 line[512];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].error == NULL) {
			ATF_CHECK_EQ_MSG(check(tc, cases[i].text, "-n"), 0,
			    "case %zu refused", i);
			ATF_CHECK(atf_utils_grep_file("^configuration OK$",
			    "err"));
			continue;
		}
		ATF_CHECK_EQ_MSG(check(tc, cases[i].text, "-n"), 1,
		    "case %zu accepted", i);
		line_re(line, sizeof(line), cases[i].error);
		ATF_CHECK_MSG(atf_utils_grep_file("%s", "err", line),
		    "case %zu: no line \"%s\"", i, cases[i].error);
	}
}

ATF_TC_WITHOUT_HEAD(macros_from_command_line);
ATF_TC_BODY(macros_from_command_line, tc)
{
	const char	*text = "p = \"1\"\nserver \"a\" {\n\t"
			    "listen on 127.0.0.1 port $p\n}\n";

	ATF_REQUIRE_EQ(check(tc, text, "-nv -D p=8099"), 0);
	ATF_CHECK(atf_utils_grep_file("listen on 127.0.0.1 port 8099$",
	    "out"));
	ATF_CHECK_EQ(check(tc, text, "-n -D 'bad-name=1'"), 1);
}

ATF_TC_WITHOUT_HEAD(print_round_trip);
ATF_TC_BODY(print_round_trip, tc)
{
	const char	*text = "prefork worker 3\nmax message 1M\n"
			    "max connections 500\n"
			    "server \"echo.example.org\" {\n"
			    "\talias \"www.echo.example.org\"\n"
			    "\tlisten on 127.0.0.1 port 8080\n"
			    "\tlisten on ::1 port 8080\n"
			    "\torigin \"https://*.example.org\"\n"
			    "\torigin required\n"
			    "\thealth \"/health\"\n"
			    "\tlocation \"/chat\" {\n"
			    "\t\tsubprotocol \"chat.v1\"\n"
			    "\t\tmax message 64K\n\t}\n}\n"
			    "server \"b\" { listen on 127.0.0.1 port 8080 }\n";
	char		 cmd[2048];

	ATF_REQUIRE_EQ(check(tc, text, "-nv"), 0);
	/* Defaults are filled in, sizes in bytes. */
	ATF_CHECK(atf_utils_grep_file("^timeout idle 300$", "out"));
	ATF_CHECK(atf_utils_grep_file("^tls ticket lifetime 3600$", "out"));
	ATF_CHECK(atf_utils_grep_file("^prefork worker 3$", "out"));
	ATF_CHECK(atf_utils_grep_file("^max message 1048576$", "out"));
	ATF_CHECK(atf_utils_grep_file("^max connections 500$", "out"));
	ATF_CHECK(atf_utils_grep_file("^max connections per address 256$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^\t\tmax message 65536$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\tlisten on ::1 port 8080$", "out"));
	/* What it printed loads again and prints the same. */
	ATF_REQUIRE(rename("out", "first.conf") == 0);
	snprintf(cmd, sizeof(cmd), "%s -nv -f first.conf >second 2>err",
	    wsd_path(tc));
	ATF_REQUIRE_EQ(WEXITSTATUS(system(cmd)), 0);
	ATF_CHECK_MSG(WEXITSTATUS(system("cmp -s first.conf second")) == 0,
	    "the printed configuration prints differently once loaded");
}

ATF_TC_WITHOUT_HEAD(print_tls);
ATF_TC_BODY(print_tls, tc)
{
	char	 cmd[2048];

	snprintf(cmd, sizeof(cmd), "sh %s/mkcerts.sh >/dev/null 2>&1",
	    atf_tc_get_config_var(tc, "srcdir"));
	ATF_REQUIRE_EQ(system(cmd), 0);
	ATF_REQUIRE_EQ(check(tc, "server \"a\" {\n"
	    "\tlisten on 127.0.0.1 port 8443 tls\n"
	    "\ttls certificate \"server.crt\"\n\ttls key \"server.key\"\n"
	    "\ttls client ca \"ca.crt\" optional\n\ttls ecdhe \"X25519\"\n"
	    "\ttls ocsp \"server.ocsp\"\n}\n", "-nv"), 0);
	ATF_CHECK(atf_utils_grep_file("^\ttls ocsp \"server.ocsp\"$", "out"));
	ATF_CHECK(atf_utils_grep_file("^\ttls protocols \"tlsv1.2,tlsv1.3\"$",
	    "out"));
	ATF_CHECK(atf_utils_grep_file("^\ttls client ca \"ca.crt\" optional$",
	    "out"));
	ATF_REQUIRE(rename("out", "first.conf") == 0);
	snprintf(cmd, sizeof(cmd), "%s -nv -f first.conf >second 2>err",
	    wsd_path(tc));
	ATF_REQUIRE_EQ(WEXITSTATUS(system(cmd)), 0);
	ATF_CHECK(WEXITSTATUS(system("cmp -s first.conf second")) == 0);
}

ATF_TC(start_checks);
ATF_TC_HEAD(start_checks, tc)
{
	atf_tc_set_md_var(tc, "descr", "As root, wsd -n refuses what the "
	    "start would: a user that does not exist, a chroot that is not "
	    "there or that others can write to");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(start_checks, tc)
{
	char	 cwd[512], text[1024];

	ATF_CHECK_EQ(check(tc, "chroot \"/nonexistent/wsd\"\n"
	    "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^chroot /nonexistent/wsd: No such file "
	    "or directory$", "err"));
	ATF_REQUIRE(mkdir("open", 0777) == 0 && chmod("open", 0777) == 0);
	ATF_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(text, sizeof(text), "chroot \"%s/open\"\n"
	    "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n}\n", cwd);
	ATF_CHECK_EQ(check(tc, text, "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("/open must be a directory owned by root "
	    "and writable by nobody else$", "err"));
	ATF_CHECK_EQ(check(tc, "user \"no_such_user_here\"\n"
	    "server \"a\" {\n\tlisten on 127.0.0.1 port 8080\n}\n", "-n"), 1);
	ATF_CHECK(atf_utils_grep_file("^user no_such_user_here does not exist",
	    "err"));
	ATF_CHECK_EQ(check(tc, "server \"a\" {\n\tlisten on 127.0.0.1 port "
	    "8080\n}\n", "-n"), 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, start_checks);
	ATF_TP_ADD_TC(tp, table);
	ATF_TP_ADD_TC(tp, macros_from_command_line);
	ATF_TP_ADD_TC(tp, print_round_trip);
	ATF_TP_ADD_TC(tp, print_tls);
	return (atf_no_error());
}
