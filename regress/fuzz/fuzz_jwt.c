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
 * handshake/jwt.c on hostile tokens: a verdict always, a reason with
 * every refusal and claims with every acceptance, the same verdict
 * twice, and under the EdDSA key (whose private half nobody holds) never
 * an acceptance. The corpus holds tokens signed with FUZZ_SECRET.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../handshake/jwt.h"

#define FUZZ_SECRET	"the fuzzer's shared secret, 32 bytes or more"
#define FUZZ_NOW	1800000000LL

static struct jwt_key	 hs, ed;
static int		 ready;

static void
keys(void)
{
	const char	*errstr;
	EVP_PKEY	*pkey;

	if (ready)
		return;
	if (jwt_key_load(&hs, (const uint8_t *)FUZZ_SECRET,
	    strlen(FUZZ_SECRET), &errstr) == -1 ||
	    (pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		abort();
	ed.alg = JWT_EDDSA;
	ed.pkey = pkey;
	ready = 1;
}

static int
verdict(const struct jwt_key *k, const char *tok, size_t len)
{
	struct jwt_check	 chk = { "chat", NULL, 60, FUZZ_NOW };
	json_t			*claims;
	int64_t			 exp;
	const char		*why;
	int			 rv;

	rv = jwt_verify(k, tok, len, &chk, &claims, &exp, &why);
	FUZZ_CHECK(rv == 0 || rv == -1);
	if (rv == -1)
		FUZZ_CHECK(why != NULL && claims == NULL);
	else {
		FUZZ_CHECK(json_is_object(claims) && exp + 60 >= FUZZ_NOW);
		json_decref(claims);
	}
	return (rv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	char	*tok;
	int	 rv;

	keys();
	if ((tok = malloc(len + 1)) == NULL)
		abort();
	memcpy(tok, in, len);
	tok[len] = '\0';
	rv = verdict(&hs, tok, len);
	FUZZ_CHECK(verdict(&hs, tok, len) == rv);
	FUZZ_CHECK(verdict(&ed, tok, len) == -1);
	free(tok);
	return (0);
}
