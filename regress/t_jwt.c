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
 * handshake/jwt.c against tokens minted at test time by mkjwt.py
 * (python3 and the openssl CLI, not wsd's code), with keys made by
 * openssl: every way a token must be refused, and the ways it is not.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../handshake/jwt.h"

#define NOW	1800000000LL

static void
sh(const char *cmd)
{
	ATF_REQUIRE_EQ_MSG(system(cmd), 0, "failed: %s", cmd);
}

static void
keys(void)
{
	sh("openssl ecparam -name prime256v1 -genkey -noout -out ec.key "
	    "2>/dev/null && openssl ec -in ec.key -pubout -out ec.pub "
	    "2>/dev/null");
	sh("openssl genpkey -algorithm ed25519 -out ed.key 2>/dev/null && "
	    "openssl pkey -in ed.key -pubout -out ed.pub");
	sh("printf 'a shared secret of more than 32 bytes\\n' >secret");
	sh("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 "
	    "-out rsa.key 2>/dev/null && openssl pkey -in rsa.key -pubout "
	    "-out rsa.pub");
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	uint8_t	*buf;

	ATF_REQUIRE((f = fopen(path, "r")) != NULL);
	ATF_REQUIRE((buf = malloc(65536)) != NULL);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return (buf);
}

static void
load(struct jwt_key *k, const char *path, int alg)
{
	const char	*errstr;
	uint8_t		*buf;
	size_t		 len;

	buf = slurp(path, &len);
	ATF_REQUIRE_MSG(jwt_key_load(k, buf, len, &errstr) == 0, "%s: %s",
	    path, errstr);
	ATF_REQUIRE_EQ(k->alg, alg);
	free(buf);
}

/* mkjwt.py's token; header NULL for the default one. */
static char *
mint(const atf_tc_t *tc, const char *alg, const char *key, const char *hdr,
    const char *payload)
{
	char	 cmd[4096], *tok;
	size_t	 len;

	snprintf(cmd, sizeof(cmd), "python3 %s/mkjwt.py %s %s '%s' '%s' >tok",
	    atf_tc_get_config_var(tc, "srcdir"), alg, key,
	    hdr != NULL ? hdr : "-", payload);
	sh(cmd);
	tok = (char *)slurp("tok", &len);
	ATF_REQUIRE(len > 0 && tok[len - 1] == '\n');
	tok[len - 1] = '\0';
	return (tok);
}

/* jwt_verify's reason for tok, NULL if accepted. */
static const char *
verify(const struct jwt_key *k, const char *tok, const char *aud,
    const char *iss)
{
	struct jwt_check	 chk = { aud, iss, 60, NOW };
	json_t			*claims;
	int64_t			 exp;
	const char		*why;

	if (jwt_verify(k, tok, strlen(tok), &chk, &claims, &exp, &why) == 0) {
		ATF_CHECK(claims != NULL);
		json_decref(claims);
		return (NULL);
	}
	ATF_CHECK(why != NULL && claims == NULL);
	return (why);
}

#define ACCEPTED(k, tok, aud, iss) do {					\
	const char *why_ = verify((k), (tok), (aud), (iss));		\
	ATF_CHECK_MSG(why_ == NULL, "refused: %s", why_);		\
} while (0)

#define REFUSED(k, tok, aud, iss, reason) do {				\
	const char *why_ = verify((k), (tok), (aud), (iss));		\
	ATF_CHECK_MSG(why_ != NULL && strcmp(why_, (reason)) == 0,	\
	    "expected \"%s\", got \"%s\"", (reason),			\
	    why_ ? why_ : "accepted");					\
} while (0)

#define VALID	"{\"sub\":\"alice\",\"exp\":1800000100}"

ATF_TC_WITHOUT_HEAD(algorithms);
ATF_TC_BODY(algorithms, tc)
{
	struct jwt_key	 hs, es, ed;
	char		*t;

	keys();
	load(&hs, "secret", JWT_HS256);
	load(&es, "ec.pub", JWT_ES256);
	load(&ed, "ed.pub", JWT_EDDSA);
	ACCEPTED(&hs, (t = mint(tc, "HS256", "secret", NULL, VALID)), NULL,
	    NULL);
	/* A token for one key is refused by the others. */
	REFUSED(&es, t, NULL, NULL, "algorithm not accepted");
	free(t);
	ACCEPTED(&es, (t = mint(tc, "ES256", "ec.key", NULL, VALID)), NULL,
	    NULL);
	REFUSED(&ed, t, NULL, NULL, "algorithm not accepted");
	free(t);
	ACCEPTED(&ed, (t = mint(tc, "EdDSA", "ed.key", NULL, VALID)), NULL,
	    NULL);
	REFUSED(&hs, t, NULL, NULL, "algorithm not accepted");
	free(t);
	jwt_key_free(&hs);
	jwt_key_free(&es);
	jwt_key_free(&ed);
}

ATF_TC_WITHOUT_HEAD(forged);
ATF_TC_BODY(forged, tc)
{
	struct jwt_key	 hs, es;
	char		*t, *u, *dot, *mixed;

	keys();
	load(&hs, "secret", JWT_HS256);
	load(&es, "ec.pub", JWT_ES256);
	/* alg none, with and without a signature part. */
	t = mint(tc, "none", "-", "{\"alg\":\"none\"}", VALID);
	REFUSED(&hs, t, NULL, NULL, "algorithm not accepted");
	REFUSED(&es, t, NULL, NULL, "algorithm not accepted");
	free(t);
	/* Algorithm confusion: HS256 keyed with the public key's PEM. */
	t = mint(tc, "HS256", "ec.pub", NULL, VALID);
	REFUSED(&es, t, NULL, NULL, "algorithm not accepted");
	free(t);
	/* A header that claims the right alg over an HMAC of the PEM. */
	t = mint(tc, "HS256", "ec.pub", "{\"alg\":\"ES256\"}", VALID);
	REFUSED(&es, t, NULL, NULL, "bad signature");
	free(t);
	/* Another secret. */
	sh("printf 'another secret of more than 32 bytes!\\n' >secret2");
	t = mint(tc, "HS256", "secret2", NULL, VALID);
	REFUSED(&hs, t, NULL, NULL, "bad signature");
	free(t);
	/* A tampered payload: another token's, under this signature. */
	t = mint(tc, "ES256", "ec.key", NULL, VALID);
	u = mint(tc, "ES256", "ec.key", NULL,
	    "{\"sub\":\"admin\",\"exp\":1800000100}");
	ATF_REQUIRE((dot = strchr(u, '.')) != NULL);
	ATF_REQUIRE((mixed = malloc(strlen(t) + strlen(u))) != NULL);
	snprintf(mixed, strlen(t) + strlen(u), "%.*s%s", (int)(strchr(t,
	    '.') - t), t, strchr(u, '.'));
	/* u's payload and signature under t's header: u is valid... */
	ACCEPTED(&es, mixed, NULL, NULL);
	/* ...but u's payload with t's signature is not. */
	snprintf(mixed, strlen(t) + strlen(u), "%.*s%s", (int)(strrchr(u,
	    '.') - u), u, strrchr(t, '.'));
	REFUSED(&es, mixed, NULL, NULL, "bad signature");
	free(mixed);
	free(t);
	free(u);
	jwt_key_free(&hs);
	jwt_key_free(&es);
}

ATF_TC_WITHOUT_HEAD(claims);
ATF_TC_BODY(claims, tc)
{
	struct jwt_key	 hs;
	char		*t;

	keys();
	load(&hs, "secret", JWT_HS256);
#define HS(payload)	mint(tc, "HS256", "secret", NULL, (payload))
	REFUSED(&hs, (t = HS("{\"sub\":\"a\"}")), NULL, NULL, "no exp claim");
	free(t);
	REFUSED(&hs, (t = HS("{\"exp\":\"1800000100\"}")), NULL, NULL,
	    "no exp claim");
	free(t);
	/* Expired, beyond the 60 s of leeway; within it, not. */
	REFUSED(&hs, (t = HS("{\"exp\":1799999939}")), NULL, NULL,
	    "expired");
	free(t);
	ACCEPTED(&hs, (t = HS("{\"exp\":1799999941}")), NULL, NULL);
	free(t);
	REFUSED(&hs, (t = HS("{\"exp\":1800000100,\"nbf\":1800000061}")),
	    NULL, NULL, "not yet valid");
	free(t);
	ACCEPTED(&hs, (t = HS("{\"exp\":1800000100,\"nbf\":1800000059}")),
	    NULL, NULL);
	free(t);
	/* aud a string or an array; iss a string. */
	t = HS("{\"exp\":1800000100,\"aud\":\"chat\",\"iss\":\"app\"}");
	ACCEPTED(&hs, t, "chat", "app");
	REFUSED(&hs, t, "other", NULL, "wrong audience");
	REFUSED(&hs, t, NULL, "evil", "wrong issuer");
	free(t);
	t = HS("{\"exp\":1800000100,\"aud\":[\"x\",\"chat\"]}");
	ACCEPTED(&hs, t, "chat", NULL);
	REFUSED(&hs, t, "y", NULL, "wrong audience");
	REFUSED(&hs, t, NULL, "app", "wrong issuer");
	free(t);
	/* Duplicate names: which one counts is ambiguous, so neither. */
	REFUSED(&hs, (t = HS("{\"exp\":1,\"exp\":1800000100}")), NULL, NULL,
	    "malformed claims");
	free(t);
	REFUSED(&hs, (t = HS("[1,2]")), NULL, NULL, "malformed claims");
	free(t);
#undef HS
	jwt_key_free(&hs);
}

ATF_TC_WITHOUT_HEAD(malformed);
ATF_TC_BODY(malformed, tc)
{
	static const char *const bad[] = {
		"", "a", "a.b", "a.b.c.d", "..", "eyJ.eyJ.x=",
		"!!!.eyJ.abc", "eyJhbGciOiJIUzI1NiJ9..",
		"eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
	};
	struct jwt_key	 hs;
	size_t		 i;

	keys();
	load(&hs, "secret", JWT_HS256);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_MSG(verify(&hs, bad[i], NULL, NULL) != NULL,
		    "accepted \"%s\"", bad[i]);
	jwt_key_free(&hs);
}

ATF_TC_WITHOUT_HEAD(keys_refused);
ATF_TC_BODY(keys_refused, tc)
{
	struct jwt_key	 k;
	const char	*errstr;
	uint8_t		*buf;
	size_t		 len;

	keys();
	buf = slurp("rsa.pub", &len);
	ATF_CHECK(jwt_key_load(&k, buf, len, &errstr) == -1);
	ATF_CHECK_STREQ(errstr, "a public key must be P-256 (ES256) or "
	    "Ed25519 (EdDSA)");
	free(buf);
	ATF_CHECK(jwt_key_load(&k, (const uint8_t *)"short\n", 6,
	    &errstr) == -1);
	ATF_CHECK_STREQ(errstr, "a shared secret must have at least 32 "
	    "bytes");
	buf = slurp("ec.pub", &len);
	buf[40] ^= 1;
	ATF_CHECK(jwt_key_load(&k, buf, len, &errstr) == -1);
	free(buf);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, algorithms);
	ATF_TP_ADD_TC(tp, forged);
	ATF_TP_ADD_TC(tp, claims);
	ATF_TP_ADD_TC(tp, malformed);
	ATF_TP_ADD_TC(tp, keys_refused);
	return (atf_no_error());
}
