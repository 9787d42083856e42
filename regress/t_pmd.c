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
 * permessage-deflate's zlib wrapper alone: round trips for every pair of
 * window sizes, with and without context takeover, input in any pieces;
 * the sync marker removed; memory given back between messages.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../worker/worker.h"

#define SYNC		"\x00\x00\xff\xff"
#define NMSG		5
#define OUTSIZE		(64 * 1024)

struct bytes {
	uint8_t		*p;
	size_t		 len, cap;
};

static void	 put(struct bytes *, const void *, size_t);
static void	 gen(uint8_t *, size_t, int);
static void	 params(struct ws_deflate_params *, int, int, int);
static void	 pdeflate(struct pmd *, const uint8_t *, size_t, size_t,
		    struct bytes *);
static int	 pinflate(struct pmd *, const uint8_t *, size_t, size_t,
		    size_t, struct bytes *);
static void	 zinflate(z_stream *, const struct bytes *, struct bytes *);
static void	 zdeflate(z_stream *, const uint8_t *, size_t,
		    struct bytes *);

static const size_t	 sizes[NMSG] = { 0, 1, 100, 5000, 70000 };

static void
put(struct bytes *b, const void *p, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		ATF_REQUIRE((b->p = realloc(b->p, b->cap)) != NULL);
	}
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
}

/* Text that compresses (kind 0) or random bytes that do not. */
static void
gen(uint8_t *p, size_t len, int kind)
{
	uint32_t	 seed = len * 7 + kind;
	size_t		 i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = kind ? (uint8_t)(seed >> 16) :
		    (uint8_t)"the quick brown fox "[(seed >> 16) % 20];
	}
}

static void
params(struct ws_deflate_params *dp, int sbits, int cbits, int nct)
{
	memset(dp, 0, sizeof(*dp));
	dp->enabled = 1;
	dp->server_no_context_takeover = nct;
	dp->client_no_context_takeover = nct;
	dp->server_max_window_bits = sbits;
	dp->client_max_window_bits = cbits;
}

/* One message through pmd_deflate in pieces; the marker must be gone. */
static void
pdeflate(struct pmd *pmd, const uint8_t *in, size_t len, size_t piece,
    struct bytes *out)
{
	static uint8_t	 buf[OUTSIZE];
	size_t		 off, k, n;

	out->len = 0;
	for (off = 0; off < len; off += k) {
		k = len - off < piece ? len - off : piece;
		ATF_REQUIRE(pmd_deflate(pmd, in + off, k, 0, buf, sizeof(buf),
		    &n) == 0);
		put(out, buf, n);
	}
	ATF_REQUIRE_MSG(pmd_deflate(pmd, NULL, 0, 1, buf, sizeof(buf), &n) ==
	    0, "final deflate of a %zu-byte message in pieces of %zu", len,
	    piece);
	put(out, buf, n);
	ATF_CHECK_MSG(out->len > 0, "no output for %zu bytes", len);
	ATF_CHECK_MSG(out->len < 4 || memcmp(out->p + out->len - 4, SYNC,
	    4) != 0, "output of %zu bytes ends with the sync marker", len);
}

/*
 * One message through pmd_inflate, in pieces of piece bytes, into
 * buffers of outsize bytes, then its end. Returns -1 on bad data.
 */
static int
pinflate(struct pmd *pmd, const uint8_t *in, size_t len, size_t piece,
    size_t outsize, struct bytes *out)
{
	uint8_t		 buf[OUTSIZE];
	const uint8_t	*p;
	size_t		 off, k, n;
	int		 done = 0;

	out->len = 0;
	for (off = 0; off < len; off += piece) {
		k = len - off < piece ? len - off : piece;
		p = in + off;
		do {
			if (pmd_inflate(pmd, &p, &k, buf, outsize, &n) == -1)
				return (-1);
			put(out, buf, n);
		} while (k > 0 || n == outsize);
	}
	while (!done) {
		if (pmd_inflate_finish(pmd, buf, outsize, &n, &done) == -1)
			return (-1);
		put(out, buf, n);
	}
	return (0);
}

/* The peer's inflater: window 15 reads any smaller window. */
static void
zinflate(z_stream *z, const struct bytes *in, struct bytes *out)
{
	uint8_t	 buf[OUTSIZE];
	int	 pass, rv;

	out->len = 0;
	for (pass = 0; pass < 2; pass++) {
		z->next_in = (Bytef *)(uintptr_t)(pass ?
		    (const uint8_t *)SYNC : in->p);
		z->avail_in = pass ? 4 : in->len;
		do {
			z->next_out = buf;
			z->avail_out = sizeof(buf);
			rv = inflate(z, Z_SYNC_FLUSH);
			ATF_REQUIRE_MSG(rv == Z_OK || rv == Z_BUF_ERROR,
			    "inflate: %d", rv);
			put(out, buf, sizeof(buf) - z->avail_out);
		} while (z->avail_out == 0);
		ATF_REQUIRE_EQ(z->avail_in, 0);
	}
}

/* The peer's deflater, RFC 7692 section 7.2.1. */
static void
zdeflate(z_stream *z, const uint8_t *in, size_t len, struct bytes *out)
{
	uint8_t	 buf[OUTSIZE];

	out->len = 0;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = len;
	do {
		z->next_out = buf;
		z->avail_out = sizeof(buf);
		ATF_REQUIRE(deflate(z, Z_SYNC_FLUSH) != Z_STREAM_ERROR);
		put(out, buf, sizeof(buf) - z->avail_out);
	} while (z->avail_out == 0);
	if (out->len == 0) {
		put(out, "\x00", 1);
		return;
	}
	ATF_REQUIRE(out->len >= 4 &&
	    memcmp(out->p + out->len - 4, SYNC, 4) == 0);
	out->len -= 4;
}

/*
 * Every pair of windows, with and without context takeover: our deflate
 * read by zlib and by our inflate, zlib's deflate read by our inflate.
 */
ATF_TC(round_trip);
ATF_TC_HEAD(round_trip, tc)
{
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(round_trip, tc)
{
	struct ws_deflate_params dp, peer;
	struct pmd		*srv, *rcv;
	struct bytes		 z = { 0 }, back = { 0 };
	z_stream		 zi, zd;
	uint8_t			*msg;
	size_t			 i, piece;
	int			 sb, cb, nct, kind;

	ATF_REQUIRE((msg = malloc(70000)) != NULL);
	for (sb = 9; sb <= 15; sb++)
	for (cb = 9; cb <= 15; cb++)
	for (nct = 0; nct < 2; nct++) {
		params(&dp, sb, cb, nct);
		/* The peer inflates with our window as its client's. */
		params(&peer, cb, sb, nct);
		ATF_REQUIRE((srv = pmd_new(&dp)) != NULL);
		ATF_REQUIRE((rcv = pmd_new(&peer)) != NULL);
		memset(&zi, 0, sizeof(zi));
		memset(&zd, 0, sizeof(zd));
		ATF_REQUIRE(inflateInit2(&zi, -sb) == Z_OK);
		ATF_REQUIRE(deflateInit2(&zd, 6, Z_DEFLATED, -cb, 8,
		    Z_DEFAULT_STRATEGY) == Z_OK);
		for (i = 0; i < 2 * NMSG; i++) {
			/* See empty_after_takeover. */
			if (sizes[i % NMSG] == 0 && i > 0 && !nct)
				continue;
			kind = i >= NMSG;
			gen(msg, sizes[i % NMSG], kind);
			piece = sizes[i % NMSG] > 5000 ? 4096 : i % 3 + 1;
			pdeflate(srv, msg, sizes[i % NMSG], piece, &z);
			zinflate(&zi, &z, &back);
			ATF_REQUIRE_EQ_MSG(back.len, sizes[i % NMSG],
			    "%d/%d/%d message %zu", sb, cb, nct, i);
			ATF_REQUIRE(back.len == 0 ||
			    memcmp(back.p, msg, back.len) == 0);
			ATF_REQUIRE_MSG(pinflate(rcv, z.p, z.len, piece,
			    i % 2 ? 7 : OUTSIZE, &back) == 0,
			    "%d/%d/%d message %zu", sb, cb, nct, i);
			ATF_REQUIRE_EQ(back.len, sizes[i % NMSG]);
			ATF_REQUIRE(back.len == 0 ||
			    memcmp(back.p, msg, back.len) == 0);
			pmd_message_done(srv);
			pmd_message_done(rcv);
			/* Without takeover the peer starts afresh too. */
			if (nct)
				ATF_REQUIRE(inflateReset(&zi) == Z_OK);
			zdeflate(&zd, msg, sizes[i % NMSG], &z);
			ATF_REQUIRE_MSG(pinflate(srv, z.p, z.len, piece,
			    OUTSIZE, &back) == 0, "%d/%d/%d zlib message %zu",
			    sb, cb, nct, i);
			ATF_REQUIRE_EQ(back.len, sizes[i % NMSG]);
			ATF_REQUIRE(back.len == 0 ||
			    memcmp(back.p, msg, back.len) == 0);
			pmd_message_done(srv);
			if (nct)
				ATF_REQUIRE(deflateReset(&zd) == Z_OK);
		}
		inflateEnd(&zi);
		deflateEnd(&zd);
		pmd_free(srv);
		pmd_free(rcv);
	}
	free(msg);
	free(z.p);
	free(back.p);
}

/* The held-back tail: one byte a call gives the same message. */
ATF_TC_WITHOUT_HEAD(deflate_pieces);
ATF_TC_BODY(deflate_pieces, tc)
{
	static const size_t	 pieces[] = { 1, 2, 3, 4, 5, 7, 100, 5000 };
	struct ws_deflate_params dp;
	struct pmd		*pmd;
	struct bytes		 z = { 0 }, back = { 0 };
	z_stream		 zi;
	uint8_t			 msg[5000];
	size_t			 i;
	int			 kind;

	params(&dp, 15, 15, 1);
	for (kind = 0; kind < 2; kind++)
		for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
			gen(msg, sizeof(msg), kind);
			ATF_REQUIRE((pmd = pmd_new(&dp)) != NULL);
			memset(&zi, 0, sizeof(zi));
			ATF_REQUIRE(inflateInit2(&zi, -15) == Z_OK);
			pdeflate(pmd, msg, sizeof(msg), pieces[i], &z);
			zinflate(&zi, &z, &back);
			ATF_CHECK_EQ_MSG(back.len, sizeof(msg), "piece %zu",
			    pieces[i]);
			ATF_CHECK(back.len == sizeof(msg) &&
			    memcmp(back.p, msg, back.len) == 0);
			inflateEnd(&zi);
			pmd_free(pmd);
		}
	free(z.p);
	free(back.p);
}

/*
 * With the server's context kept, an empty message follows another: its
 * deflate output is an empty block, which must not fail.
 */
ATF_TC_WITHOUT_HEAD(empty_after_takeover);
ATF_TC_BODY(empty_after_takeover, tc)
{
	struct ws_deflate_params dp;
	struct pmd		*pmd;
	struct bytes		 z = { 0 }, back = { 0 };
	z_stream		 zi;
	uint8_t			 buf[OUTSIZE];
	size_t			 n;

	params(&dp, 15, 15, 0);
	ATF_REQUIRE((pmd = pmd_new(&dp)) != NULL);
	memset(&zi, 0, sizeof(zi));
	ATF_REQUIRE(inflateInit2(&zi, -15) == Z_OK);
	pdeflate(pmd, (const uint8_t *)"hello", 5, 5, &z);
	zinflate(&zi, &z, &back);
	ATF_CHECK(back.len == 5 && memcmp(back.p, "hello", 5) == 0);
	pmd_message_done(pmd);
	ATF_CHECK_EQ_MSG(pmd_deflate(pmd, NULL, 0, 1, buf, sizeof(buf), &n),
	    0, "an empty message after another fails to deflate");
	inflateEnd(&zi);
	pmd_free(pmd);
	free(z.p);
	free(back.p);
}

ATF_TC_WITHOUT_HEAD(memory);
ATF_TC_BODY(memory, tc)
{
	struct ws_deflate_params dp;
	struct pmd		*pmd;
	struct bytes		 z = { 0 }, back = { 0 };
	uint8_t			 msg[1000], buf[OUTSIZE];
	size_t			 idle, n;
	int			 nct;

	gen(msg, sizeof(msg), 0);
	for (nct = 0; nct < 2; nct++) {
		params(&dp, 15, 15, nct);
		ATF_REQUIRE((pmd = pmd_new(&dp)) != NULL);
		idle = pmd_memory(pmd);
		ATF_CHECK_MSG(idle > 0 && idle < 256, "idle: %zu", idle);
		/* In the middle of a message zlib holds its state. */
		ATF_REQUIRE(pmd_deflate(pmd, msg, sizeof(msg), 0, buf,
		    sizeof(buf), &n) == 0);
		ATF_CHECK_MSG(pmd_memory(pmd) > idle + 1024, "deflating: %zu",
		    pmd_memory(pmd));
		ATF_REQUIRE(pmd_deflate(pmd, NULL, 0, 1, buf, sizeof(buf),
		    &n) == 0);
		put(&z, buf, n);
		pmd_message_done(pmd);
		if (nct)
			ATF_CHECK_EQ_MSG(pmd_memory(pmd), idle,
			    "after deflate: %zu", pmd_memory(pmd));
		else
			ATF_CHECK(pmd_memory(pmd) > idle + 1024);
		ATF_REQUIRE(pinflate(pmd, z.p, z.len, 10, OUTSIZE, &back) ==
		    0);
		ATF_CHECK(back.len == sizeof(msg) &&
		    memcmp(back.p, msg, sizeof(msg)) == 0);
		ATF_CHECK(pmd_memory(pmd) > idle + 1024);
		pmd_message_done(pmd);
		if (nct)
			ATF_CHECK_EQ_MSG(pmd_memory(pmd), idle,
			    "after inflate: %zu", pmd_memory(pmd));
		else
			ATF_CHECK(pmd_memory(pmd) > idle + 1024);
		pmd_free(pmd);
		z.len = 0;
	}
	ATF_CHECK_EQ(pmd_memory(NULL), 0);
	free(z.p);
	free(back.p);
}

ATF_TC_WITHOUT_HEAD(inflate_garbage);
ATF_TC_BODY(inflate_garbage, tc)
{
	static const struct {
		const char	*data;
		size_t		 len;
	} bad[] = {
		{ "\xff\xff\xff\xff", 4 },	/* reserved block type */
		{ "\x06", 1 },			/* reserved, not final */
		{ "\x00\x05\x00\x00\x00", 5 },	/* stored, LEN != ~NLEN */
		{ "\x02\xff\xff\xff\xff\xff\xff\xff", 8 },
	};
	struct ws_deflate_params dp;
	struct pmd		*pmd;
	struct bytes		 out = { 0 };
	size_t			 i;

	params(&dp, 15, 15, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ATF_REQUIRE((pmd = pmd_new(&dp)) != NULL);
		ATF_CHECK_EQ_MSG(pinflate(pmd, (const uint8_t *)bad[i].data,
		    bad[i].len, bad[i].len, OUTSIZE, &out), -1, "case %zu", i);
		pmd_free(pmd);
	}
	free(out.p);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, round_trip);
	ATF_TP_ADD_TC(tp, deflate_pieces);
	ATF_TP_ADD_TC(tp, empty_after_takeover);
	ATF_TP_ADD_TC(tp, memory);
	ATF_TP_ADD_TC(tp, inflate_garbage);
	return (atf_no_error());
}
