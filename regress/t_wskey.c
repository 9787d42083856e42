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
 * SHA-1 against FIPS 180 vectors and digests taken from openssl(1) at the
 * padding boundaries, base64 against RFC 4648 section 10, and the accept
 * key against the example in RFC 6455 section 1.3.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../handshake/handshake.h"

struct sha1_case {
	const char	*unit;		/* hashed repeat times */
	size_t		 repeat;
	const char	*digest;
};

struct b64_case {
	const char	*raw;
	const char	*enc;
};

struct b64_bad {
	const char	*in;
	size_t		 len;		/* of in; 0 means strlen */
	size_t		 size;		/* of the output buffer */
	const char	*why;
};

static void	 sha1_hex(const void *, size_t, char *);
static char	*repeat(const char *, size_t, size_t *);
static ssize_t	 decode_exact(const char *, size_t, size_t, uint8_t **);

static const struct sha1_case sha1_cases[] = {
	/* FIPS 180-2 appendix A and its long message */
	{ "abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ "a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
	/* around the padding boundaries, from openssl sha1 */
	{ "a", 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
	{ "a", 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
	{ "a", 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
	{ "a", 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
	{ "a", 65, "11655326c708d70319be2610e8a57d9a5b959d3b" },
	{ "a", 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
	{ "a", 120, "f34c1488385346a55709ba056ddd08280dd4c6d6" },
};

/* RFC 4648 section 10 */
static const struct b64_case b64_cases[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const struct b64_bad b64_bad[] = {
	{ "Z", 0, 16, "length 1" },
	{ "Zm", 0, 16, "length 2" },
	{ "Zm9", 0, 16, "length 3" },
	{ "Zm9vY", 0, 16, "length 5" },
	{ "Zm9vYg=", 0, 16, "length 7" },
	{ "Zm9vYm", 0, 16, "length 6" },
	{ "Zm9!", 0, 16, "invalid character !" },
	{ "Zm 9", 0, 16, "space" },
	{ "Zm-_", 0, 16, "base64url alphabet" },
	{ "Zm\n9", 0, 16, "newline" },
	{ "Zm\0009", 4, 16, "NUL" },
	{ "Zm\3019", 0, 16, "byte above 0x7f" },
	{ "Z=9v", 0, 16, "'=' second" },
	{ "Zm=v", 0, 16, "'=' third" },
	{ "Zg==Zm9v", 0, 16, "padded group before the last" },
	{ "Zm8=Zm9v", 0, 16, "one '=' before the last group" },
	{ "====", 0, 16, "only padding" },
	{ "Z===", 0, 16, "three '='" },
	{ "Zh==", 0, 16, "unused bits set after one byte" },
	{ "Zm9=", 0, 16, "unused bits set after two bytes" },
	{ "Zm9vYmF=", 0, 16, "unused bits set in the last group" },
	{ "Zm9vYmFy", 0, 5, "output one byte short" },
	{ "Zm9vYg==", 0, 3, "padded output one byte short" },
	{ "Zg==", 0, 0, "no room at all" },
};

static void
sha1_hex(const void *data, size_t len, char *hex)
{
	uint8_t		 md[SHA1_DIGEST_LEN];
	int		 i;

	sha1(data, len, md);
	for (i = 0; i < SHA1_DIGEST_LEN; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
}

/* unit repeated n times, in a buffer of exactly that size. */
static char *
repeat(const char *unit, size_t n, size_t *lenp)
{
	size_t		 ulen = strlen(unit), i;
	char		*p;

	ATF_REQUIRE((p = malloc(ulen * n + 1)) != NULL);
	for (i = 0; i < n; i++)
		memcpy(p + i * ulen, unit, ulen);
	*lenp = ulen * n;
	return (p);
}

/* Decode into a heap buffer of exactly size bytes, so ASan sees overruns. */
static ssize_t
decode_exact(const char *in, size_t len, size_t size, uint8_t **outp)
{
	ATF_REQUIRE((*outp = malloc(size ? size : 1)) != NULL);
	return (base64_decode(in, len, *outp, size));
}

ATF_TC_WITHOUT_HEAD(sha1_vectors);
ATF_TC_BODY(sha1_vectors, tc)
{
	const struct sha1_case	*c;
	char			 hex[SHA1_DIGEST_LEN * 2 + 1], *data;
	size_t			 i, len;

	for (i = 0; i < sizeof(sha1_cases) / sizeof(sha1_cases[0]); i++) {
		c = &sha1_cases[i];
		data = repeat(c->unit, c->repeat, &len);
		sha1_hex(data, len, hex);
		ATF_CHECK_STREQ_MSG(c->digest, hex, "\"%.10s\" x %zu",
		    c->unit, c->repeat);
		free(data);
	}
}

ATF_TC_WITHOUT_HEAD(accept_key);
ATF_TC_BODY(accept_key, tc)
{
	char	 out[WS_ACCEPT_LEN + 1];

	/* RFC 6455 section 1.3 */
	memset(out, 'X', sizeof(out));
	ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
	ATF_CHECK_STREQ("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", out);
	/* the example on the Wikipedia page, checked with openssl */
	ws_accept_key("x3JJHMbDL1EzLkh9GBhXDw==", out);
	ATF_CHECK_STREQ("HSmrc0sMlYUkAGmm5OPpG2HaGWk=", out);
}

ATF_TC_WITHOUT_HEAD(base64_encode_vectors);
ATF_TC_BODY(base64_encode_vectors, tc)
{
	const struct b64_case	*c;
	char			*out;
	size_t			 i, rlen, elen;

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		c = &b64_cases[i];
		rlen = strlen(c->raw);
		elen = strlen(c->enc);
		ATF_REQUIRE((out = malloc(elen + 1)) != NULL);
		ATF_CHECK_EQ_MSG(elen, base64_encode((const uint8_t *)c->raw,
		    rlen, out, elen + 1), "\"%s\"", c->raw);
		ATF_CHECK_STREQ_MSG(c->enc, out, "\"%s\"", c->raw);
		/* no room for the NUL */
		ATF_CHECK_EQ_MSG(0, base64_encode((const uint8_t *)c->raw,
		    rlen, out, elen), "\"%s\" in %zu bytes", c->raw, elen);
		free(out);
	}
}

ATF_TC_WITHOUT_HEAD(base64_decode_vectors);
ATF_TC_BODY(base64_decode_vectors, tc)
{
	const struct b64_case	*c;
	uint8_t			*out;
	size_t			 i, rlen;
	ssize_t			 n;

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		c = &b64_cases[i];
		rlen = strlen(c->raw);
		n = decode_exact(c->enc, strlen(c->enc), rlen, &out);
		ATF_CHECK_EQ_MSG((ssize_t)rlen, n, "\"%s\"", c->enc);
		if (n == (ssize_t)rlen)
			ATF_CHECK_MSG(memcmp(out, c->raw, rlen) == 0,
			    "\"%s\" decodes wrong", c->enc);
		free(out);
	}
}

/* Every byte value survives a round trip, at each length mod 3. */
ATF_TC_WITHOUT_HEAD(base64_roundtrip);
ATF_TC_BODY(base64_roundtrip, tc)
{
	uint8_t		 raw[256], back[256];
	char		 enc[345];
	size_t		 i, len, elen;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = 255 - i;
	for (len = 0; len <= sizeof(raw); len++) {
		elen = base64_encode(raw, len, enc, sizeof(enc));
		ATF_REQUIRE_EQ_MSG((len + 2) / 3 * 4, elen, "len %zu", len);
		ATF_REQUIRE_EQ_MSG((ssize_t)len, base64_decode(enc, elen,
		    back, sizeof(back)), "len %zu", len);
		ATF_CHECK_MSG(memcmp(raw, back, len) == 0, "len %zu", len);
	}
}

ATF_TC_WITHOUT_HEAD(base64_decode_rejects);
ATF_TC_BODY(base64_decode_rejects, tc)
{
	const struct b64_bad	*c;
	uint8_t			*out;
	size_t			 i;

	for (i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
		c = &b64_bad[i];
		ATF_CHECK_EQ_MSG(-1, decode_exact(c->in,
		    c->len ? c->len : strlen(c->in), c->size, &out),
		    "%s accepted", c->why);
		free(out);
	}
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, sha1_vectors);
	ATF_TP_ADD_TC(tp, accept_key);
	ATF_TP_ADD_TC(tp, base64_encode_vectors);
	ATF_TP_ADD_TC(tp, base64_decode_vectors);
	ATF_TP_ADD_TC(tp, base64_roundtrip);
	ATF_TP_ADD_TC(tp, base64_decode_rejects);
	return (atf_no_error());
}
