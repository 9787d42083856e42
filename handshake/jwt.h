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

#ifndef JWT_H
#define JWT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

enum jwt_alg {
	JWT_HS256 = 1,
	JWT_ES256,
	JWT_EDDSA
};

/* A verification key: the algorithm follows from it. */
struct jwt_key {
	int		 alg;		/* enum jwt_alg */
	uint8_t		*secret;	/* HS256 */
	size_t		 secretlen;
	EVP_PKEY	*pkey;		/* ES256, EdDSA */
};

struct jwt_check {
	const char	*audience;	/* NULL: not checked */
	const char	*issuer;	/* NULL: not checked */
	int64_t		 leeway;	/* seconds */
	int64_t		 now;		/* seconds since the epoch */
};

const char	*jwt_alg_name(int);
int		 jwt_key_load(struct jwt_key *, const uint8_t *, size_t,
		    const char **);
void		 jwt_key_free(struct jwt_key *);
int		 jwt_verify(const struct jwt_key *, const char *, size_t,
		    const struct jwt_check *, json_t **, int64_t *,
		    const char **);
int		 jwt_claim_has(json_t *, const char *, const char *);

#endif /* JWT_H */
