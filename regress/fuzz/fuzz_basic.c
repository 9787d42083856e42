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
 * HTTP Basic in the handshake process (handshake/auth.c) on a hostile
 * Authorization value, over a server with one authenticate basic line:
 * a 401 with its reason and challenge, or a password check to make whose
 * user, hash and password hold what the password process relies on (a
 * valid hash, no NUL, bounded), gone after auth_wipe. An input that
 * starts with '#' is an htpasswd file instead (common/htpasswd.c): every
 * line it accepts has a user and a valid bcrypt hash.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../handshake/handshake.h"

#define ALICE_HASH	"$2y$04$dA2q0vbMS9c0zdwz1R6SneltOYT4vU8HL5fw/6TSyxsbAm1Iq.THO"
#define BOB_HASH	"$2b$05$jenOhIqXu5p8O6vlVW0sg.xKsfFhclAB/WuYKqCieUOuz/i/pJX.O"

static struct hs_servers	 servers = TAILQ_HEAD_INITIALIZER(servers);
static struct hs_policy		 pol;

static void
table(void)
{
	static const char	 file[] = "alice:" ALICE_HASH "\n"
	    "bob:" BOB_HASH "\n";
	struct ipc_server	 is;
	struct ipc_auth_basic	 ib;
	uint8_t			 msg[sizeof(ib) + sizeof(file)];
	const char		*errstr;

	if (pol.srv != NULL)
		return;
	memset(&is, 0, sizeof(is));
	strlcpy(is.name, "example.org", sizeof(is.name));
	is.listeners = 1;
	if (servers_add(&servers, IPC_SERVER, &is, sizeof(is), &errstr) == -1)
		fuzz_fail(__FILE__, __LINE__, errstr);
	memset(&ib, 0, sizeof(ib));
	ib.location = WSD_NOLOCATION;
	strlcpy(ib.realm, "fuzz", sizeof(ib.realm));
	memcpy(msg, &ib, sizeof(ib));
	memcpy(msg + sizeof(ib), file, sizeof(file) - 1);
	if (servers_add(&servers, IPC_AUTH_BASIC, msg, sizeof(ib) +
	    sizeof(file) - 1, &errstr) == -1)
		fuzz_fail(__FILE__, __LINE__, errstr);
	pol.srv = TAILQ_FIRST(&servers);
}

static int
line_ok(const char *user, size_t len, const char *hash, void *arg)
{
	const char	*errstr;

	FUZZ_CHECK(len > 0 && len < WSD_USER_MAX);
	FUZZ_CHECK(memchr(user, ':', len) == NULL);
	FUZZ_CHECK(bcrypt_hash_valid(hash, BCRYPT_HASH_LEN, &errstr) == 0);
	return (0);
}

static void
htpasswd(const uint8_t *in, size_t len)
{
	const char	*errstr;
	unsigned int	 line;

	if (htpasswd_parse(in, len, line_ok, NULL, &line, &errstr) == -1)
		FUZZ_CHECK(errstr != NULL && line > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct http_request	 req;
	struct auth_result	 r, done;
	const char		*errstr, *pw;
	size_t			 i;
	int			 rv;

	if (len > 0 && in[0] == '#') {
		htpasswd(in, len);
		return (0);
	}
	table();
	memset(&req, 0, sizeof(req));
	req.nheaders = 1;
	req.headers[0].name = "Authorization";
	req.headers[0].namelen = 13;
	req.headers[0].value = (const char *)in;
	req.headers[0].valuelen = len;
	rv = auth_check(NULL, &pol, &req, &r);
	FUZZ_CHECK(rv == 401 || rv == AUTH_PENDING);
	if (rv == 401) {
		FUZZ_CHECK(r.reason != NULL && r.extra != NULL &&
		    strstr(r.extra, "Basic realm=\"fuzz\"") != NULL);
		return (0);
	}
	FUZZ_CHECK(bcrypt_hash_valid(r.hash, strlen(r.hash), &errstr) == 0);
	FUZZ_CHECK(r.user[0] != '\0' && strlen(r.user) < WSD_USER_MAX);
	FUZZ_CHECK(r.passlen <= WSD_PASSWORD_MAX);
	FUZZ_CHECK(memchr(r.password, '\0', r.passlen) == NULL);
	if (strcmp(r.user, "alice") == 0)
		FUZZ_CHECK(!r.unknown && strcmp(r.hash, ALICE_HASH) == 0);
	else if (strcmp(r.user, "bob") == 0)
		FUZZ_CHECK(!r.unknown && strcmp(r.hash, BOB_HASH) == 0);
	else
		FUZZ_CHECK(r.unknown);
	pw = r.password;
	auth_wipe();
	for (i = 0; i < r.passlen; i++)
		FUZZ_CHECK(pw[i] == '\0');
	/* Even a password process that says yes admits no unknown user. */
	rv = auth_basic_done(&pol, r.user, r.unknown, 1, &done);
	FUZZ_CHECK(rv == (r.unknown ? 401 : 0));
	return (0);
}
