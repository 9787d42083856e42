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
 * RFC 6455 section 5 framing. The decoder is driven through a recorder
 * that checks the calling contract on every event and keeps what the
 * events said, so that any two ways of splitting the same bytes can be
 * compared.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdlib.h>
#include <string.h>

#include "../worker/worker.h"

#define MAXFRAMES	16

/* One frame as the events described it. */
struct rec_frame {
	uint8_t		 fin;
	uint8_t		 rsv;
	uint8_t		 opcode;
	uint64_t	 len;
	uint8_t		*data;		/* unmasked payload so far */
	uint64_t	 got;
	int		 ended;
};

struct rec {
	struct rec_frame frames[MAXFRAMES];
	size_t		 nframes;
	uint16_t	 error;		/* close code of an error, or 0 */
};

/* Client frames laid out one after the other. */
struct stream {
	uint8_t		*buf;
	size_t		 len;
};

struct err_case {
	const char	*what;
	uint8_t		 bytes[WS_HEADER_MAX];
	size_t		 len;
	uint8_t		 rsv_allowed;
	size_t		 by;		/* reported by this many bytes */
};

struct fh_case {
	int		 fin;
	uint8_t		 opcode;
	uint64_t	 len;
	size_t		 hdrlen;
	uint8_t		 want[10];
};

static void	 rec_event(struct rec *, const struct ws_decoder *,
		    const struct ws_event *, const uint8_t *, size_t);
static void	 rec_feed(struct ws_decoder *, struct rec *, uint8_t *,
		    size_t);
static void	 rec_feed_copy(struct ws_decoder *, struct rec *,
		    const uint8_t *, size_t);
static void	 rec_free(struct rec *);
static void	 rec_compare(const struct rec *, const struct rec *,
		    const char *, size_t);
static void	 put(struct stream *, const void *, size_t);
static void	 add_frame(struct stream *, struct rec *, int, uint8_t,
		    uint8_t, const uint8_t *, uint64_t, int);
static void	 build_stream(struct stream *, struct rec *);
static void	 decode_chunked(const struct stream *, size_t, uint8_t,
		    struct rec *);
static void	 decode_split(const struct stream *, size_t, struct rec *);
static size_t	 error_at(const uint8_t *, size_t, uint8_t, struct rec *);

/* RFC 6455 section 5.7: a single-frame masked text message "Hello". */
static const uint8_t hello[] = {
	0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
};

#define M	0x01, 0x02, 0x03, 0x04		/* a mask */

static const struct err_case err_cases[] = {
	{ "unmasked text", { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' }, 7, 0,
	    2 },
	{ "unmasked close", { 0x88, 0x00 }, 2, 0, 2 },
	{ "RSV1", { 0xc1, 0x80, M }, 6, 0, 1 },
	{ "RSV2", { 0xa1, 0x80, M }, 6, 0, 1 },
	{ "RSV3", { 0x91, 0x80, M }, 6, 0, 1 },
	{ "RSV2 with RSV1 allowed", { 0xa1, 0x80, M }, 6, 0x40, 1 },
	{ "RSV1 on a continuation", { 0x40, 0x80, M }, 6, 0, 1 },
	{ "RSV1 on a ping, RSV1 allowed", { 0xc9, 0x80, M }, 6, 0x40, 1 },
	{ "ping of 126", { 0x89, 0xfe, 0x00, 0x7e, M }, 8, 0, 2 },
	{ "ping of 126 in 16 bits", { 0x89, 0xfe, 0x00, 0x05, M }, 8, 0, 2 },
	{ "close in 64 bits", { 0x88, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x02, M },
	    14, 0, 2 },
	{ "pong of 126", { 0x8a, 0xfe, 0x00, 0x7e, M }, 8, 0, 2 },
	{ "fragmented ping", { 0x09, 0x80, M }, 6, 0, 2 },
	{ "fragmented pong", { 0x0a, 0x80, M }, 6, 0, 2 },
	{ "fragmented close", { 0x08, 0x80, M }, 6, 0, 2 },
	{ "64-bit length, top bit", { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0,
	    M }, 14, 0, 14 },
	{ "64-bit length, all ones", { 0x82, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, M }, 14, 0, 14 },
};

static const struct fh_case fh_cases[] = {
	{ 1, WS_OP_TEXT, 0, 2, { 0x81, 0x00 } },
	{ 1, WS_OP_TEXT, 125, 2, { 0x81, 0x7d } },
	{ 1, WS_OP_BINARY, 126, 4, { 0x82, 0x7e, 0x00, 0x7e } },
	{ 0, WS_OP_BINARY, 65535, 4, { 0x02, 0x7e, 0xff, 0xff } },
	{ 1, WS_OP_BINARY, 65536, 10,
	    { 0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 } },
	{ 0, WS_OP_CONT, 0x0102030405060708ULL, 10,
	    { 0x00, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8 } },
	{ 1, WS_OP_CLOSE, 2, 2, { 0x88, 0x02 } },
	{ 1, WS_OP_PONG, 125, 2, { 0x8a, 0x7d } },
};

/* Check one event against the decoder contract and note what it says. */
static void
rec_event(struct rec *r, const struct ws_decoder *d,
    const struct ws_event *ev, const uint8_t *in, size_t used)
{
	struct rec_frame	*f = r->nframes ? &r->frames[r->nframes - 1] :
				    NULL;

	switch (ev->type) {
	case WS_EV_HEADER:
		ATF_REQUIRE_MSG(f == NULL || f->ended, "header inside a frame");
		ATF_REQUIRE(r->nframes < MAXFRAMES);
		ATF_REQUIRE_MSG(used > 0, "header from no bytes");
		f = &r->frames[r->nframes++];
		f->fin = d->frame.fin;
		f->rsv = d->frame.rsv;
		f->opcode = d->frame.opcode;
		f->len = d->frame.len;
		f->got = 0;
		f->ended = 0;
		ATF_REQUIRE(f->len < 1024 * 1024);
		ATF_REQUIRE((f->data = malloc(f->len + 1)) != NULL);
		break;
	case WS_EV_PAYLOAD:
		ATF_REQUIRE_MSG(f != NULL && !f->ended, "payload outside");
		ATF_REQUIRE_MSG(ev->len > 0 && ev->len == used,
		    "payload of %zu, %zu used", ev->len, used);
		ATF_REQUIRE_MSG(ev->data == in, "payload not in place");
		ATF_REQUIRE_MSG(f->got + ev->len <= f->len, "payload overrun");
		memcpy(f->data + f->got, ev->data, ev->len);
		f->got += ev->len;
		break;
	case WS_EV_END:
		ATF_REQUIRE_MSG(f != NULL && !f->ended, "end outside a frame");
		ATF_REQUIRE_MSG(used == 0, "end used %zu bytes", used);
		ATF_REQUIRE_MSG(f->got == f->len, "end after %ju of %ju",
		    (uintmax_t)f->got, (uintmax_t)f->len);
		f->ended = 1;
		break;
	case WS_EV_ERROR:
		ATF_REQUIRE_MSG(used == 0, "error used %zu bytes", used);
		ATF_REQUIRE(ev->reason != NULL);
		r->error = ev->code;
		break;
	default:
		ATF_REQUIRE_MSG(0, "unknown event %d", ev->type);
	}
}

/* Call ws_decode until it wants more input or fails. */
static void
rec_feed(struct ws_decoder *d, struct rec *r, uint8_t *in, size_t len)
{
	struct ws_event	 ev;
	size_t		 n;
	int		 idle = 0;

	while (r->error == 0) {
		n = ws_decode(d, in, len, &ev);
		ATF_REQUIRE_MSG(n <= len, "used %zu of %zu", n, len);
		if (ev.type == WS_EV_NONE) {
			ATF_REQUIRE_MSG(n == len, "stopped with %zu left",
			    len - n);
			return;
		}
		ATF_REQUIRE_MSG((idle = n ? 0 : idle + 1) < 3,
		    "no progress");
		rec_event(r, d, &ev, in, n);
		in += n;
		len -= n;
	}
}

/* Feed a copy of exactly len bytes, so that ASan catches overreads. */
static void
rec_feed_copy(struct ws_decoder *d, struct rec *r, const uint8_t *in,
    size_t len)
{
	uint8_t	*p;

	ATF_REQUIRE((p = malloc(len ? len : 1)) != NULL);
	memcpy(p, in, len);
	rec_feed(d, r, p, len);
	free(p);
}

static void
rec_free(struct rec *r)
{
	size_t	 i;

	for (i = 0; i < r->nframes; i++)
		free(r->frames[i].data);
	memset(r, 0, sizeof(*r));
}

static void
rec_compare(const struct rec *want, const struct rec *got, const char *how,
    size_t arg)
{
	const struct rec_frame	*a, *b;
	size_t			 i;

	ATF_REQUIRE_EQ_MSG(want->error, got->error, "%s %zu", how, arg);
	ATF_REQUIRE_EQ_MSG(want->nframes, got->nframes, "%s %zu", how, arg);
	for (i = 0; i < want->nframes; i++) {
		a = &want->frames[i];
		b = &got->frames[i];
		ATF_REQUIRE_MSG(a->fin == b->fin && a->rsv == b->rsv &&
		    a->opcode == b->opcode && a->len == b->len &&
		    a->ended == b->ended && a->got == b->got &&
		    memcmp(a->data, b->data, a->got) == 0,
		    "%s %zu: frame %zu differs", how, arg, i);
	}
}

static void
put(struct stream *s, const void *p, size_t len)
{
	ATF_REQUIRE((s->buf = realloc(s->buf, s->len + len)) != NULL);
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/*
 * Append a masked client frame to s and what it should decode to to
 * want; lenbytes 0, 2 or 8 is the size of the extended length.
 */
static void
add_frame(struct stream *s, struct rec *want, int fin, uint8_t rsv,
    uint8_t op, const uint8_t *payload, uint64_t len, int lenbytes)
{
	struct rec_frame	*f = &want->frames[want->nframes++];
	uint8_t			 hdr[WS_HEADER_MAX], mask[4], *masked;
	size_t			 h = 2, i;

	hdr[0] = (fin ? 0x80 : 0) | rsv | op;
	hdr[1] = 0x80 | (lenbytes == 0 ? len : lenbytes == 2 ? 126 : 127);
	for (i = lenbytes; i > 0; i--)
		hdr[h++] = len >> ((i - 1) * 8);
	for (i = 0; i < 4; i++)
		hdr[h++] = mask[i] = 0x11 * (want->nframes + i) + 0x5a;
	put(s, hdr, h);
	ATF_REQUIRE((masked = malloc(len + 1)) != NULL);
	for (i = 0; i < len; i++)
		masked[i] = payload[i] ^ mask[i % 4];
	put(s, masked, len);
	free(masked);

	f->fin = fin;
	f->rsv = rsv;
	f->opcode = op;
	f->len = f->got = len;
	f->ended = 1;
	ATF_REQUIRE((f->data = malloc(len + 1)) != NULL);
	memcpy(f->data, payload, len);
}

/* Every frame shape the decoder knows, one after the other. */
static void
build_stream(struct stream *s, struct rec *want)
{
	uint8_t		*big;
	size_t		 i;

	memset(s, 0, sizeof(*s));
	memset(want, 0, sizeof(*want));
	ATF_REQUIRE((big = malloc(70000)) != NULL);
	for (i = 0; i < 70000; i++)
		big[i] = i * 7 + i / 251;
	add_frame(s, want, 1, 0, WS_OP_TEXT, (const uint8_t *)"Hello", 5, 0);
	add_frame(s, want, 1, 0, WS_OP_PING, (const uint8_t *)"ping!", 5, 0);
	add_frame(s, want, 0, 0, WS_OP_BINARY, big, 7, 0);
	add_frame(s, want, 1, 0, WS_OP_PONG, (const uint8_t *)"", 0, 0);
	add_frame(s, want, 0, 0, WS_OP_CONT, big + 7, 3, 0);
	add_frame(s, want, 1, 0, WS_OP_CONT, big + 10, 125, 0);
	add_frame(s, want, 1, 0, WS_OP_BINARY, big, 126, 2);
	add_frame(s, want, 1, 0, WS_OP_TEXT, big, 300, 2);
	add_frame(s, want, 1, 0, WS_OP_BINARY, big, 70000, 8);
	add_frame(s, want, 1, 0, WS_OP_TEXT, (const uint8_t *)"", 0, 0);
	add_frame(s, want, 1, 0, WS_OP_BINARY, big + 1, 9, 8);
	add_frame(s, want, 1, 0, WS_OP_CLOSE, (const uint8_t *)"\003\350",
	    2, 0);
	free(big);
}

static void
decode_chunked(const struct stream *s, size_t k, uint8_t rsv_allowed,
    struct rec *r)
{
	struct ws_decoder	 d;
	size_t			 off, n;

	ws_decoder_init(&d, rsv_allowed);
	memset(r, 0, sizeof(*r));
	for (off = 0; off < s->len; off += n) {
		n = s->len - off < k ? s->len - off : k;
		rec_feed_copy(&d, r, s->buf + off, n);
	}
}

static void
decode_split(const struct stream *s, size_t at, struct rec *r)
{
	struct ws_decoder	 d;

	ws_decoder_init(&d, 0);
	memset(r, 0, sizeof(*r));
	rec_feed_copy(&d, r, s->buf, at);
	rec_feed_copy(&d, r, s->buf + at, s->len - at);
}

/* Feed one byte at a time; the number fed when the error came, or 0. */
static size_t
error_at(const uint8_t *bytes, size_t len, uint8_t rsv_allowed,
    struct rec *r)
{
	struct ws_decoder	 d;
	size_t			 i;

	ws_decoder_init(&d, rsv_allowed);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < len; i++) {
		rec_feed_copy(&d, r, bytes + i, 1);
		if (r->error != 0)
			return (i + 1);
	}
	return (0);
}

ATF_TC_WITHOUT_HEAD(rfc_hello);
ATF_TC_BODY(rfc_hello, tc)
{
	static const uint8_t	 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	struct ws_decoder	 d;
	struct ws_event		 ev;
	uint8_t			 in[sizeof(hello)];

	memcpy(in, hello, sizeof(in));
	ws_decoder_init(&d, 0);
	ATF_CHECK_EQ(6, ws_decode(&d, in, sizeof(in), &ev));
	ATF_REQUIRE_EQ(WS_EV_HEADER, ev.type);
	ATF_CHECK_EQ(1, d.frame.fin);
	ATF_CHECK_EQ(0, d.frame.rsv);
	ATF_CHECK_EQ(WS_OP_TEXT, d.frame.opcode);
	ATF_CHECK_EQ(5, d.frame.len);
	ATF_CHECK(memcmp(d.frame.mask, mask, 4) == 0);
	ATF_CHECK_EQ(5, ws_decode(&d, in + 6, sizeof(in) - 6, &ev));
	ATF_REQUIRE_EQ(WS_EV_PAYLOAD, ev.type);
	ATF_CHECK(ev.data == in + 6);
	ATF_CHECK_EQ(5, ev.len);
	ATF_CHECK(memcmp(in + 6, "Hello", 5) == 0);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 11, 0, &ev));
	ATF_CHECK_EQ(WS_EV_END, ev.type);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 11, 0, &ev));
	ATF_CHECK_EQ(WS_EV_NONE, ev.type);
}

/* A payload cut short carries the mask phase into the next call. */
ATF_TC_WITHOUT_HEAD(partial_payload);
ATF_TC_BODY(partial_payload, tc)
{
	struct ws_decoder	 d;
	struct ws_event		 ev;
	uint8_t			 in[sizeof(hello)];

	memcpy(in, hello, sizeof(in));
	ws_decoder_init(&d, 0);
	ATF_CHECK_EQ(6, ws_decode(&d, in, 8, &ev));
	ATF_CHECK_EQ(WS_EV_HEADER, ev.type);
	ATF_CHECK_EQ(2, ws_decode(&d, in + 6, 2, &ev));
	ATF_CHECK_EQ(WS_EV_PAYLOAD, ev.type);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 8, 0, &ev));
	ATF_CHECK_EQ(WS_EV_NONE, ev.type);
	ATF_CHECK_EQ(3, ws_decode(&d, in + 8, 3, &ev));
	ATF_CHECK_EQ(WS_EV_PAYLOAD, ev.type);
	ATF_CHECK(memcmp(in + 6, "Hello", 5) == 0);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 11, 0, &ev));
	ATF_CHECK_EQ(WS_EV_END, ev.type);
}

ATF_TC_WITHOUT_HEAD(zero_length);
ATF_TC_BODY(zero_length, tc)
{
	uint8_t			 in[] = { 0x81, 0x80, M, 0x89, 0x80, M };
	struct ws_decoder	 d;
	struct ws_event		 ev;

	ws_decoder_init(&d, 0);
	ATF_CHECK_EQ(6, ws_decode(&d, in, sizeof(in), &ev));
	ATF_CHECK_EQ(WS_EV_HEADER, ev.type);
	ATF_CHECK_EQ(0, d.frame.len);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 6, sizeof(in) - 6, &ev));
	ATF_CHECK_EQ(WS_EV_END, ev.type);
	ATF_CHECK_EQ(6, ws_decode(&d, in + 6, sizeof(in) - 6, &ev));
	ATF_CHECK_EQ(WS_EV_HEADER, ev.type);
	ATF_CHECK_EQ(WS_OP_PING, d.frame.opcode);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 12, 0, &ev));
	ATF_CHECK_EQ(WS_EV_END, ev.type);
	ATF_CHECK_EQ(0, ws_decode(&d, in + 12, 0, &ev));
	ATF_CHECK_EQ(WS_EV_NONE, ev.type);
}

/* All at once, the stream decodes to the frames it was built from. */
ATF_TC_WITHOUT_HEAD(stream_all_at_once);
ATF_TC_BODY(stream_all_at_once, tc)
{
	struct stream	 s;
	struct rec	 want, got;

	build_stream(&s, &want);
	decode_chunked(&s, s.len, 0, &got);
	rec_compare(&want, &got, "all at once", s.len);
	rec_free(&got);
	rec_free(&want);
	free(s.buf);
}

ATF_TC_WITHOUT_HEAD(stream_chunks);
ATF_TC_BODY(stream_chunks, tc)
{
	struct stream	 s;
	struct rec	 want, once, got;
	size_t		 k;

	build_stream(&s, &want);
	decode_chunked(&s, s.len, 0, &once);
	rec_compare(&want, &once, "all at once", s.len);
	for (k = 1; k <= 20; k++) {
		decode_chunked(&s, k, 0, &got);
		rec_compare(&once, &got, "chunks of", k);
		rec_free(&got);
	}
	rec_free(&once);
	rec_free(&want);
	free(s.buf);
}

ATF_TC_WITHOUT_HEAD(stream_two_pieces);
ATF_TC_BODY(stream_two_pieces, tc)
{
	struct stream	 s;
	struct rec	 want, once, got;
	size_t		 at;

	build_stream(&s, &want);
	decode_chunked(&s, s.len, 0, &once);
	rec_compare(&want, &once, "all at once", s.len);
	for (at = 0; at <= s.len; at++) {
		decode_split(&s, at, &got);
		rec_compare(&once, &got, "split at", at);
		rec_free(&got);
	}
	rec_free(&once);
	rec_free(&want);
	free(s.buf);
}

ATF_TC_WITHOUT_HEAD(protocol_errors);
ATF_TC_BODY(protocol_errors, tc)
{
	const struct err_case	*c;
	struct ws_decoder	 d;
	struct rec		 r;
	size_t			 i, at;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		c = &err_cases[i];
		ws_decoder_init(&d, c->rsv_allowed);
		memset(&r, 0, sizeof(r));
		rec_feed_copy(&d, &r, c->bytes, c->len);
		ATF_CHECK_EQ_MSG(WS_CLOSE_PROTOCOL, r.error, "%s: all at once",
		    c->what);
		ATF_CHECK_EQ_MSG(0, r.nframes, "%s: header reported", c->what);
		rec_free(&r);

		at = error_at(c->bytes, c->len, c->rsv_allowed, &r);
		ATF_CHECK_MSG(at != 0 && at <= c->by,
		    "%s: error after %zu bytes, not by %zu", c->what, at,
		    c->by);
		ATF_CHECK_EQ_MSG(WS_CLOSE_PROTOCOL, r.error, "%s", c->what);
		ATF_CHECK_EQ_MSG(0, r.nframes, "%s: header reported", c->what);
		rec_free(&r);
	}
}

/* Opcodes 3-7 and 11-15 fail on the first byte, before any other. */
ATF_TC_WITHOUT_HEAD(reserved_opcodes);
ATF_TC_BODY(reserved_opcodes, tc)
{
	uint8_t			 frame[6] = { 0, 0x80, M };
	struct ws_decoder	 d;
	struct ws_event		 ev;
	struct rec		 r;
	uint8_t			 op;
	int			 fin;

	for (op = 0; op < 16; op++) {
		if (op <= WS_OP_BINARY ||
		    (op >= WS_OP_CLOSE && op <= WS_OP_PONG))
			continue;
		for (fin = 0; fin <= 1; fin++) {
			frame[0] = (fin ? 0x80 : 0) | op;
			ws_decoder_init(&d, 0);
			ATF_CHECK_EQ(0, ws_decode(&d, frame, 1, &ev));
			ATF_CHECK_EQ_MSG(WS_EV_ERROR, ev.type,
			    "opcode %u not refused on its first byte", op);
			ATF_CHECK_EQ_MSG(WS_CLOSE_PROTOCOL, ev.code,
			    "opcode %u", op);
			ATF_CHECK_EQ_MSG(1, error_at(frame, sizeof(frame), 0,
			    &r), "opcode %u", op);
			rec_free(&r);
		}
	}
	/* a valid first byte alone is just consumed */
	frame[0] = 0x81;
	ws_decoder_init(&d, 0);
	ATF_CHECK_EQ(1, ws_decode(&d, frame, 1, &ev));
	ATF_CHECK_EQ(WS_EV_NONE, ev.type);
}

ATF_TC_WITHOUT_HEAD(rsv_negotiated);
ATF_TC_BODY(rsv_negotiated, tc)
{
	struct stream	 s;
	struct rec	 want, got;
	size_t		 k;

	/* RSV1 as a negotiated extension would use it, then a plain frame */
	memset(&s, 0, sizeof(s));
	memset(&want, 0, sizeof(want));
	add_frame(&s, &want, 1, 0x40, WS_OP_TEXT, (const uint8_t *)"Hello",
	    5, 0);
	add_frame(&s, &want, 1, 0, WS_OP_TEXT, (const uint8_t *)"plain", 5,
	    0);
	for (k = 1; k <= s.len; k++) {
		decode_chunked(&s, k, 0x40, &got);
		rec_compare(&want, &got, "RSV1 allowed, chunks of", k);
		rec_free(&got);
	}
	/* and refused when not negotiated */
	decode_chunked(&s, s.len, 0, &got);
	ATF_CHECK_EQ(WS_CLOSE_PROTOCOL, got.error);
	ATF_CHECK_EQ(0, got.nframes);
	rec_free(&got);
	rec_free(&want);
	free(s.buf);
}

ATF_TC_WITHOUT_HEAD(frame_header);
ATF_TC_BODY(frame_header, tc)
{
	const struct fh_case	*c;
	uint8_t			 out[WS_HEADER_MAX];
	size_t			 i, n;

	for (i = 0; i < sizeof(fh_cases) / sizeof(fh_cases[0]); i++) {
		c = &fh_cases[i];
		memset(out, 0xee, sizeof(out));
		n = ws_frame_header(out, c->fin, c->opcode, c->len);
		ATF_CHECK_EQ_MSG(c->hdrlen, n, "length %ju",
		    (uintmax_t)c->len);
		ATF_CHECK_MSG(memcmp(out, c->want, c->hdrlen) == 0,
		    "length %ju: wrong bytes", (uintmax_t)c->len);
		ATF_CHECK_MSG(out[c->hdrlen] == 0xee,
		    "length %ju: wrote past the header", (uintmax_t)c->len);
	}
}

ATF_TC_WITHOUT_HEAD(unmask_naive);
ATF_TC_BODY(unmask_naive, tc)
{
	static const uint8_t	 mask[4] = { 0x9b, 0x01, 0xe7, 0x42 };
	uint8_t			 orig[100], want[100], *p;
	uint8_t			 phase, pos;
	size_t			 len, i;

	for (i = 0; i < sizeof(orig); i++)
		orig[i] = i * 31 + 5;
	for (len = 0; len <= sizeof(orig); len++)
		for (phase = 0; phase < 4; phase++) {
			for (i = 0; i < len; i++)
				want[i] = orig[i] ^ mask[(phase + i) % 4];
			ATF_REQUIRE((p = malloc(len ? len : 1)) != NULL);
			memcpy(p, orig, len);
			pos = phase;
			ws_unmask(p, len, mask, &pos);
			ATF_CHECK_MSG(memcmp(p, want, len) == 0,
			    "length %zu phase %u", len, phase);
			ATF_CHECK_EQ_MSG((phase + len) % 4, pos,
			    "length %zu phase %u", len, phase);
			free(p);
		}
}

ATF_TC_WITHOUT_HEAD(unmask_pieces);
ATF_TC_BODY(unmask_pieces, tc)
{
	static const uint8_t	 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint8_t			 one[100], two[100];
	uint8_t			 pos1, pos2;
	size_t			 len, cut, i;

	for (len = 0; len <= sizeof(one); len++)
		for (cut = 0; cut <= len; cut++) {
			for (i = 0; i < len; i++)
				one[i] = two[i] = i * 13 + 1;
			pos1 = pos2 = 0;
			ws_unmask(one, len, mask, &pos1);
			ws_unmask(two, cut, mask, &pos2);
			ws_unmask(two + cut, len - cut, mask, &pos2);
			ATF_CHECK_MSG(memcmp(one, two, len) == 0,
			    "length %zu cut at %zu", len, cut);
			ATF_CHECK_EQ(pos1, pos2);
		}
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, rfc_hello);
	ATF_TP_ADD_TC(tp, partial_payload);
	ATF_TP_ADD_TC(tp, zero_length);
	ATF_TP_ADD_TC(tp, stream_all_at_once);
	ATF_TP_ADD_TC(tp, stream_chunks);
	ATF_TP_ADD_TC(tp, stream_two_pieces);
	ATF_TP_ADD_TC(tp, protocol_errors);
	ATF_TP_ADD_TC(tp, reserved_opcodes);
	ATF_TP_ADD_TC(tp, rsv_negotiated);
	ATF_TP_ADD_TC(tp, frame_header);
	ATF_TP_ADD_TC(tp, unmask_naive);
	ATF_TP_ADD_TC(tp, unmask_pieces);
	return (atf_no_error());
}
