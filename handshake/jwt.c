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
 * JSON Web Tokens (RFC 7519) in the compact JWS form (RFC 7515), checked
 * as a token from a hostile client must be: the key decides the one
 * algorithm accepted (a shared secret HS256, a P-256 public key ES256,
 * an Ed25519 public key EdDSA), so "none" and algorithm confusion are
 * refused before any signature is looked at; the signature is checked
 * before the claims are trusted, a MAC compared in constant time; exp is
 * required, nbf, aud and iss checked when present or configured. JSON
 * is parsed by jansson, duplicate names refused.
 */

#include <sys/types.h>

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "jwt.h"

#define JWT_SECRET_MIN	32	/* bytes of an HS256 key: RFC 7518 3.2 */

static const char *const jwt_alg_names[] = {
	[JWT_HS256] = "HS256",
	[JWT_ES256] = "ES256",
	[JWT_EDDSA] = "EdDSA",
};

const char *
jwt_alg_name(int alg)
{
	return (alg >= JWT_HS256 && alg <= JWT_EDDSA ? jwt_alg_names[alg] :
	    "?");
}

/*
 * A key file's bytes: a PEM public key (P-256 or Ed25519), or else a
 * shared secret, its bytes as written less one trailing newline.
 */
int
jwt_key_load(struct jwt_key *k, const uint8_t *data, size_t len,
    const char **errstr)
{
	static const char	 pem[] = "-----BEGIN PUBLIC KEY-----";
	BIO			*bio;
	EVP_PKEY		*pkey;
	char			 group[64];
	size_t			 glen;

	memset(k, 0, sizeof(*k));
	if (len >= sizeof(pem) - 1 && memcmp(data, pem, sizeof(pem) - 1) == 0) {
		if ((bio = BIO_new_mem_buf(data, len)) == NULL) {
			*errstr = "out of memory";
			return (-1);
		}
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (pkey == NULL) {
			*errstr = "unreadable public key";
			return (-1);
		}
		if (EVP_PKEY_id(pkey) == EVP_PKEY_ED25519)
			k->alg = JWT_EDDSA;
		else if (EVP_PKEY_id(pkey) == EVP_PKEY_EC &&
		    EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &glen) == 1 && (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0))
			k->alg = JWT_ES256;
		else {
			EVP_PKEY_free(pkey);
			*errstr = "a public key must be P-256 (ES256) or "
			    "Ed25519 (EdDSA)";
			return (-1);
		}
		k->pkey = pkey;
		return (0);
	}
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len < JWT_SECRET_MIN) {
		*errstr = "a shared secret must have at least 32 bytes";
		return (-1);
	}
	if ((k->secret = malloc(len)) == NULL) {
		*errstr = "out of memory";
		return (-1);
	}
	memcpy(k->secret, data, len);
	k->secretlen = len;
	k->alg = JWT_HS256;
	return (0);
}

void
jwt_key_free(struct jwt_key *k)
{
	if (k->secret != NULL) {
		explicit_bzero(k->secret, k->secretlen);
		free(k->secret);
	}
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

/* Strict base64url without padding; -1 for anything else. */
static ssize_t
b64url_decode(const char *in, size_t len, uint8_t *out, size_t size)
{
	static const char	 alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t		 v = 0;
	size_t			 i, o = 0, bits = 0;
	const char		*p;

	if (len % 4 == 1)
		return (-1);
	for (i = 0; i < len; i++) {
		if (in[i] == '\0' || (p = strchr(alpha, in[i])) == NULL)
			return (-1);
		v = (v << 6) | (uint32_t)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == size)
				return (-1);
			out[o++] = (v >> bits) & 0xff;
		}
	}
	/* The bits left over must be zero: one spelling per value. */
	if ((v & ((1U << bits) - 1)) != 0)
		return (-1);
	return (o);
}

/* A part of the token decoded into a fresh buffer. */
static uint8_t *
jwt_part(const char *in, size_t len, size_t *outlen)
{
	uint8_t	*buf;
	ssize_t	 n;

	if ((buf = malloc(len + 1)) == NULL)
		return (NULL);
	if ((n = b64url_decode(in, len, buf, len)) == -1) {
		free(buf);
		return (NULL);
	}
	*outlen = n;
	return (buf);
}

static int
jwt_sig_ok(const struct jwt_key *k, const char *input, size_t inlen,
    const uint8_t *sig, size_t siglen)
{
	uint8_t		 mac[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int	 maclen;
	EVP_MD_CTX	*ctx;
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r, *s;
	int		 derlen, ok = 0;

	switch (k->alg) {
	case JWT_HS256:
		if (siglen != 32 || HMAC(EVP_sha256(), k->secret,
		    k->secretlen, (const uint8_t *)input, inlen, mac,
		    &maclen) == NULL || maclen != 32)
			return (0);
		ok = CRYPTO_memcmp(mac, sig, 32) == 0;
		explicit_bzero(mac, sizeof(mac));
		return (ok);
	case JWT_ES256:
		/* JWS writes r and s as 32 bytes each; OpenSSL wants DER. */
		if (siglen != 64 || (es = ECDSA_SIG_new()) == NULL)
			return (0);
		r = BN_bin2bn(sig, 32, NULL);
		s = BN_bin2bn(sig + 32, 32, NULL);
		if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
			BN_free(r);
			BN_free(s);
			ECDSA_SIG_free(es);
			return (0);
		}
		derlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		if (derlen <= 0)
			return (0);
		if ((ctx = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
		    k->pkey) == 1 && EVP_DigestVerify(ctx, der, derlen,
		    (const uint8_t *)input, inlen) == 1)
			ok = 1;
		EVP_MD_CTX_free(ctx);
		OPENSSL_free(der);
		return (ok);
	case JWT_EDDSA:
		if (siglen != 64)
			return (0);
		if ((ctx = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		    EVP_DigestVerify(ctx, sig, siglen, (const uint8_t *)input,
		    inlen) == 1)
			ok = 1;
		EVP_MD_CTX_free(ctx);
		return (ok);
	}
	return (0);
}

/* A NumericDate: an integer, or a real cut to one. */
static int
jwt_date(json_t *v, int64_t *t)
{
	double	 d;

	if (json_is_integer(v)) {
		*t = json_integer_value(v);
		return (0);
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != d || d > 9.2e18 || d < -9.2e18)
			return (-1);
		*t = (int64_t)d;
		return (0);
	}
	return (-1);
}

/* A string claim equal to want, or an array claim holding it. */
int
jwt_claim_has(json_t *claims, const char *name, const char *want)
{
	json_t	*v, *e;
	size_t	 i;

	if ((v = json_object_get(claims, name)) == NULL)
		return (0);
	if (json_is_string(v))
		return (strcmp(json_string_value(v), want) == 0);
	if (json_is_array(v))
		json_array_foreach(v, i, e)
			if (json_is_string(e) &&
			    strcmp(json_string_value(e), want) == 0)
				return (1);
	return (0);
}

/*
 * 0, with the claims (the caller's to json_decref) and exp; or -1 and
 * why, for the log. Nothing of the token is in why.
 */
int
jwt_verify(const struct jwt_key *k, const char *tok, size_t len,
    const struct jwt_check *chk, json_t **claimsp, int64_t *expp,
    const char **why)
{
	const char	*dot1, *dot2, *alg;
	uint8_t		*hdr = NULL, *body = NULL, *sig = NULL;
	size_t		 hlen, blen, slen;
	json_t		*h = NULL, *c = NULL, *v;
	int64_t		 exp, nbf;
	int		 rv = -1;

	*claimsp = NULL;
	*why = "malformed token";
	if ((dot1 = memchr(tok, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', tok + len - dot1 - 1)) == NULL ||
	    memchr(dot2 + 1, '.', tok + len - dot2 - 1) != NULL)
		return (-1);
	if ((hdr = jwt_part(tok, dot1 - tok, &hlen)) == NULL ||
	    (body = jwt_part(dot1 + 1, dot2 - dot1 - 1, &blen)) == NULL ||
	    (sig = jwt_part(dot2 + 1, tok + len - dot2 - 1, &slen)) == NULL)
		goto done;
	if ((h = json_loadb((const char *)hdr, hlen, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL || !json_is_object(h))
		goto done;
	/* The key names the algorithm; the token may only agree. */
	*why = "algorithm not accepted";
	if ((v = json_object_get(h, "alg")) == NULL || !json_is_string(v) ||
	    strcmp((alg = json_string_value(v)), jwt_alg_name(k->alg)) != 0)
		goto done;
	*why = "critical header parameter not understood";
	if (json_object_get(h, "crit") != NULL)
		goto done;
	*why = "bad signature";
	if (!jwt_sig_ok(k, tok, dot2 - tok, sig, slen))
		goto done;
	*why = "malformed claims";
	if ((c = json_loadb((const char *)body, blen, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL || !json_is_object(c))
		goto done;
	*why = "no exp claim";
	if ((v = json_object_get(c, "exp")) == NULL || jwt_date(v, &exp) == -1)
		goto done;
	*why = "expired";
	if (chk->now > exp + chk->leeway)
		goto done;
	*why = "not yet valid";
	if ((v = json_object_get(c, "nbf")) != NULL && (jwt_date(v,
	    &nbf) == -1 || chk->now + chk->leeway < nbf))
		goto done;
	*why = "wrong audience";
	if (chk->audience != NULL && !jwt_claim_has(c, "aud", chk->audience))
		goto done;
	*why = "wrong issuer";
	if (chk->issuer != NULL && ((v = json_object_get(c, "iss")) == NULL ||
	    !json_is_string(v) || strcmp(json_string_value(v),
	    chk->issuer) != 0))
		goto done;
	*why = NULL;
	*claimsp = c;
	*expp = exp;
	c = NULL;
	rv = 0;
 done:
	json_decref(h);
	json_decref(c);
	free(hdr);
	free(body);
	free(sig);
	return (rv);
}
