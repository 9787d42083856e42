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
 * The echo engine driven through struct ws_session: client frames in,
 * server frames out, parsed and compared. Every input is also fed in two
 * pieces split at each byte, one byte at a time, and with a high-water
 * mark of one byte; what comes out must not depend on how it was cut.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../worker/worker.h"

#define MiB		(1024 * 1024)
#define SPLIT_ALL	2048	/* longer inputs are split near headers */
#define SPLIT_NEAR	24
#define SPLIT_STRIDE	1021
#define F_UNMASKED	0x01
#define F_LONG		0x02	/* 64-bit length whatever the size */
#define SYNC		"\x00\x00\xff\xff"

/* A growing byte string; for client input, where each frame starts. */
struct bytes {
	uint8_t		*p;
	size_t		 len, cap;
	size_t		*starts;
	size_t		 nstarts, capstarts;
};

/* One message, control frame or close as the server sent it. */
struct entry {
	uint8_t		 op;
	uint8_t		 compressed;
	uint8_t		*data;
	size_t		 len;
};

struct result {
	struct entry	*e;
	size_t		 n;
	size_t		 partial;	/* message bytes cut off by a close */
	uint16_t	 close;		/* our close: 0 none, 1005 empty */
	int		 state;
	uint64_t	 msgs_in, msgs_out, msg_len;
	size_t		 wire;		/* output bytes */
	size_t		 first_used;	/* of the first ws_session_input */
};

struct setup {
	struct ws_limits		 lim;
	const struct ws_deflate_params	*dp;
};

/* The client's side of permessage-deflate. */
struct zclient {
	z_stream	 z;
	int		 no_takeover;
};

/* A frame that must fail the connection, and how. */
struct err_case {
	const char	*what;
	uint8_t		 b0;
	uint64_t	 len;		/* announced */
	size_t		 fed;		/* payload bytes given */
	int		 flags;
	uint16_t	 code;
	int		 state;
	int		 open_text;	/* a text message "ab" is open first */
};

static void	 put(struct bytes *, const void *, size_t);
static void	 bytes_free(struct bytes *);
static void	 frame_ex(struct bytes *, uint8_t, const void *, size_t,
		    uint64_t, int);
static void	 frame(struct bytes *, uint8_t, const void *, size_t);
static void	 close_frame(struct bytes *, uint16_t, const char *, size_t);
static void	 gen_text(uint8_t *, size_t);
static void	 gen_binary(uint8_t *, size_t, uint32_t);
static int	 zinflate(z_stream *, const uint8_t *, size_t, int,
		    struct bytes *);
static void	 add_entry(struct result *, uint8_t, int, const uint8_t *,
		    size_t);
static void	 parse_output(const uint8_t *, size_t, int, struct result *);
static void	 result_free(struct result *);
static size_t	 drain(struct ws_session *, struct bytes *);
static void	 feed(struct ws_session *, uint8_t *, size_t, size_t,
		    struct bytes *, struct result *);
static void	 run(const struct setup *, const struct bytes *, size_t,
		    size_t, size_t, struct result *);
static int	 same(const struct result *, const struct result *,
		    const char *, size_t);
static void	 check_splits(const struct setup *, const struct bytes *,
		    struct result *);
static void	 expect_msg(const struct result *, size_t, uint8_t,
		    const void *, size_t);
static void	 expect_close(const struct result *, uint16_t, int);
static void	 zc_init(struct zclient *, int, int);
static void	 zc_message(struct zclient *, const uint8_t *, size_t,
		    struct bytes *);
static void	 zc_frames(struct bytes *, uint8_t, const struct bytes *,
		    size_t);
static void	 bytes_reset(struct bytes *);
static int	 cut_here(const struct bytes *, size_t);
static void	 check_error(const struct setup *, const struct err_case *);
static void	 check_close(uint16_t, const char *, size_t, uint16_t);
static void	 deflate_setup(struct ws_deflate_params *, struct setup *,
		    int, int, uint64_t);
static size_t	 zmessage(struct zclient *, struct bytes *, uint8_t,
		    const uint8_t *, size_t, size_t);
static uint8_t	 msg_fill(uint8_t *, size_t, size_t);

static const struct setup plain = { { 16 * MiB, 1000 }, NULL };

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

static void
bytes_free(struct bytes *b)
{
	free(b->p);
	free(b->starts);
	memset(b, 0, sizeof(*b));
}

/*
 * A client frame announcing len bytes and carrying the first fed of
 * data, masked with a key that changes from frame to frame.
 */
static void
frame_ex(struct bytes *b, uint8_t b0, const void *data, size_t fed,
    uint64_t len, int flags)
{
	uint8_t		 hdr[WS_HEADER_MAX], mask[4], *p;
	size_t		 hl = 2, i, n = b->nstarts;
	int		 k;

	if (b->nstarts == b->capstarts) {
		b->capstarts = b->capstarts * 2 + 8;
		ATF_REQUIRE((b->starts = reallocarray(b->starts, b->capstarts,
		    sizeof(size_t))) != NULL);
	}
	b->starts[b->nstarts++] = b->len;
	hdr[0] = b0;
	if (len > 0xffff || (flags & F_LONG)) {
		hdr[1] = 127;
		for (k = 0; k < 8; k++)
			hdr[hl++] = len >> (56 - 8 * k);
	} else if (len > 125) {
		hdr[1] = 126;
		hdr[hl++] = len >> 8;
		hdr[hl++] = len;
	} else
		hdr[1] = len;
	mask[0] = 0x37 ^ n;
	mask[1] = 0xfa - n;
	mask[2] = 0x21 + 7 * n;
	mask[3] = 0x3d ^ (n << 3);
	if (!(flags & F_UNMASKED)) {
		hdr[1] |= 0x80;
		memcpy(hdr + hl, mask, 4);
		hl += 4;
	}
	put(b, hdr, hl);
	put(b, data, fed);
	p = b->p + b->len - fed;
	if (!(flags & F_UNMASKED))
		for (i = 0; i < fed; i++)
			p[i] ^= mask[i & 3];
}

static void
frame(struct bytes *b, uint8_t b0, const void *data, size_t len)
{
	frame_ex(b, b0, data, len, len, 0);
}

static void
close_frame(struct bytes *b, uint16_t code, const char *reason, size_t rlen)
{
	uint8_t	 p[WS_CONTROL_MAX];

	p[0] = code >> 8;
	p[1] = code;
	memcpy(p + 2, reason, rlen);
	frame(b, 0x88, p, 2 + rlen);
}

/* Valid UTF-8 of exactly len bytes, code points of every length. */
static void
gen_text(uint8_t *p, size_t len)
{
	static const char	 unit[] = "a\xc3\xa9\xe2\x82\xac"
				    "\xf0\x9f\x98\x80";
	size_t			 i = 0;

	for (; i + sizeof(unit) - 1 <= len; i += sizeof(unit) - 1)
		memcpy(p + i, unit, sizeof(unit) - 1);
	for (; i < len; i++)
		p[i] = 'a' + i % 26;
}

static void
gen_binary(uint8_t *p, size_t len, uint32_t seed)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = seed >> 16;
	}
}

/* Raw inflate into out; the sync marker is put back when final. */
static int
zinflate(z_stream *z, const uint8_t *in, size_t len, int final,
    struct bytes *out)
{
	uint8_t	 buf[64 * 1024];
	int	 pass, rv;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && !final)
			break;
		z->next_in = (Bytef *)(uintptr_t)(pass ? (const uint8_t *)
		    SYNC : in);
		z->avail_in = pass ? 4 : len;
		do {
			z->next_out = buf;
			z->avail_out = sizeof(buf);
			rv = inflate(z, Z_SYNC_FLUSH);
			if (rv != Z_OK && rv != Z_BUF_ERROR)
				return (-1);
			put(out, buf, sizeof(buf) - z->avail_out);
		} while (z->avail_out == 0);
		if (z->avail_in != 0)
			return (-1);
	}
	return (0);
}

static void
add_entry(struct result *r, uint8_t op, int compressed, const uint8_t *p,
    size_t len)
{
	struct entry	*e;

	ATF_REQUIRE((r->e = reallocarray(r->e, r->n + 1,
	    sizeof(*r->e))) != NULL);
	e = &r->e[r->n++];
	e->op = op;
	e->compressed = compressed;
	e->len = len;
	ATF_REQUIRE((e->data = malloc(len + 1)) != NULL);
	if (len > 0)
		memcpy(e->data, p, len);
}

/*
 * Parse what the server sent, checking its framing: unmasked, shortest
 * lengths, RSV1 only on the first frame of a compressed message, control
 * frames whole, nothing after the close. Messages are reassembled (and
 * inflated); a message a close cut short is only counted.
 */
static void
parse_output(const uint8_t *p, size_t len, int deflate, struct result *r)
{
	struct bytes	 msg = { 0 }, plain_msg = { 0 };
	z_stream	 z;
	uint64_t	 plen;
	size_t		 off = 0, hl;
	uint8_t		 op, rsv, fin, open_op = 0, open_comp = 0;
	int		 k;

	memset(&z, 0, sizeof(z));
	ATF_REQUIRE(inflateInit2(&z, -15) == Z_OK);
	r->wire = len;
	while (off < len) {
		ATF_REQUIRE_MSG(len - off >= 2, "truncated server frame");
		fin = p[off] & 0x80;
		rsv = p[off] & 0x70;
		op = p[off] & 0x0f;
		ATF_CHECK_MSG((p[off + 1] & 0x80) == 0, "masked server frame");
		plen = p[off + 1] & 0x7f;
		hl = 2;
		if (plen == 126) {
			ATF_REQUIRE(len - off >= 4);
			plen = (uint64_t)p[off + 2] << 8 | p[off + 3];
			ATF_CHECK_MSG(plen >= 126, "long form for %ju",
			    (uintmax_t)plen);
			hl = 4;
		} else if (plen == 127) {
			ATF_REQUIRE(len - off >= 10);
			for (k = 0, plen = 0; k < 8; k++)
				plen = plen << 8 | p[off + 2 + k];
			ATF_CHECK_MSG(plen > 0xffff, "long form for %ju",
			    (uintmax_t)plen);
			hl = 10;
		}
		ATF_REQUIRE_MSG(plen <= len - off - hl, "truncated payload");
		ATF_CHECK_MSG(r->close == 0, "frame after our close");
		ATF_CHECK_MSG(rsv == 0 || (rsv == 0x40 && deflate &&
		    (op == WS_OP_TEXT || op == WS_OP_BINARY)),
		    "RSV %02x on opcode %u", rsv, op);
		off += hl;
		if (WS_OP_IS_CONTROL(op)) {
			ATF_CHECK_MSG(fin && plen <= WS_CONTROL_MAX &&
			    op <= WS_OP_PONG, "bad control frame %u", op);
			add_entry(r, op, 0, p + off, plen);
			if (op == WS_OP_CLOSE) {
				ATF_CHECK_MSG(plen != 1, "1-byte close");
				r->close = plen >= 2 ? p[off] << 8 |
				    p[off + 1] : WS_CLOSE_NO_STATUS;
			}
		} else if (op == WS_OP_CONT) {
			ATF_CHECK_MSG(open_op != 0, "stray continuation");
			put(&msg, p + off, plen);
		} else {
			ATF_CHECK_MSG(op <= WS_OP_BINARY, "opcode %u", op);
			ATF_CHECK_MSG(open_op == 0, "nested message");
			open_op = op;
			open_comp = rsv != 0;
			msg.len = 0;
			put(&msg, p + off, plen);
		}
		off += plen;
		if (!fin || WS_OP_IS_CONTROL(op))
			continue;
		plain_msg.len = 0;
		if (open_comp)
			ATF_CHECK_MSG(zinflate(&z, msg.p, msg.len, 1,
			    &plain_msg) == 0, "server deflate output broken");
		else
			put(&plain_msg, msg.p, msg.len);
		add_entry(r, open_op, open_comp, plain_msg.p, plain_msg.len);
		open_op = 0;
	}
	if (open_op != 0) {
		plain_msg.len = 0;
		if (open_comp)
			ATF_CHECK(zinflate(&z, msg.p, msg.len, 0,
			    &plain_msg) == 0);
		else
			put(&plain_msg, msg.p, msg.len);
		r->partial = plain_msg.len;
	}
	inflateEnd(&z);
	bytes_free(&msg);
	bytes_free(&plain_msg);
}

static void
result_free(struct result *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		free(r->e[i].data);
	free(r->e);
	memset(r, 0, sizeof(*r));
}

/* Take everything the session has queued; returns how much. */
static size_t
drain(struct ws_session *s, struct bytes *out)
{
	struct wbuf	*b;
	size_t		 n = 0;

	for (b = s->out.head; b != NULL; b = b->next) {
		ATF_REQUIRE(b->off <= b->len);
		put(out, b->data + b->off, b->len - b->off);
		n += b->len - b->off;
	}
	ATF_REQUIRE_EQ(n, s->out.len);
	wchain_consume(&s->out, n);
	ATF_REQUIRE(s->out.len == 0 && s->out.head == NULL);
	return (n);
}

/* Give the session p[0..len), again and again until all is used. */
static void
feed(struct ws_session *s, uint8_t *p, size_t len, size_t highwater,
    struct bytes *out, struct result *r)
{
	size_t	 used, got;
	int	 first = r->first_used == (size_t)-1;

	while (len > 0) {
		used = ws_session_input(s, p, len, highwater);
		ATF_REQUIRE_MSG(used <= len, "used %zu of %zu", used, len);
		if (first)
			r->first_used = used;
		first = 0;
		got = drain(s, out);
		ATF_REQUIRE_MSG(used > 0 || got > 0, "no progress");
		p += used;
		len -= used;
	}
}

/*
 * One session over the input: whole, cut in two at cut, or in pieces of
 * step bytes, with the given high-water mark.
 */
static void
run(const struct setup *su, const struct bytes *in, size_t cut,
    size_t step, size_t highwater, struct result *r)
{
	struct ws_session	 s;
	struct bytes		 out = { 0 }, copy = { 0 };
	size_t			 off;

	memset(r, 0, sizeof(*r));
	r->first_used = (size_t)-1;
	ATF_REQUIRE(ws_session_init(&s, &su->lim, su->dp) == 0);
	/* The session unmasks in place: each run gets a fresh copy. */
	put(&copy, in->p, in->len);
	if (step > 0)
		for (off = 0; off < in->len; off += step)
			feed(&s, copy.p + off, in->len - off < step ?
			    in->len - off : step, highwater, &out, r);
	else if (cut > 0) {
		feed(&s, copy.p, cut, highwater, &out, r);
		feed(&s, copy.p + cut, in->len - cut, highwater, &out, r);
	} else
		feed(&s, copy.p, in->len, highwater, &out, r);
	r->state = s.state;
	r->msgs_in = s.msgs_in;
	r->msgs_out = s.msgs_out;
	r->msg_len = s.msg_len;
	parse_output(out.p, out.len, su->dp != NULL && su->dp->enabled, r);
	ws_session_free(&s);
	bytes_free(&out);
	bytes_free(&copy);
}

static int
same(const struct result *a, const struct result *b, const char *how,
    size_t k)
{
	size_t	 i;

	/*
	 * At a high-water mark the end of a message may wait for the next
	 * input, so msgs_in is compared there by backpressure_message_end.
	 */
	if (a->n != b->n || a->state != b->state || a->close != b->close ||
	    (a->msgs_in != b->msgs_in && strcmp(how, "high-water mark")) ||
	    a->msgs_out != b->msgs_out) {
		ATF_CHECK_MSG(0, "%s %zu: %zu entries, state %d, close %u, "
		    "%ju/%ju messages; whole: %zu, %d, %u, %ju/%ju", how, k,
		    b->n, b->state, b->close, (uintmax_t)b->msgs_in,
		    (uintmax_t)b->msgs_out, a->n, a->state, a->close,
		    (uintmax_t)a->msgs_in, (uintmax_t)a->msgs_out);
		return (0);
	}
	for (i = 0; i < a->n; i++)
		if (a->e[i].op != b->e[i].op || a->e[i].len != b->e[i].len ||
		    a->e[i].compressed != b->e[i].compressed ||
		    memcmp(a->e[i].data, b->e[i].data, a->e[i].len) != 0) {
			ATF_CHECK_MSG(0, "%s %zu: entry %zu differs (op %u, "
			    "%zu bytes; whole: op %u, %zu bytes)", how, k, i,
			    b->e[i].op, b->e[i].len, a->e[i].op, a->e[i].len);
			return (0);
		}
	return (1);
}

/* Whether off is worth a cut: all of them for short inputs. */
static int
cut_here(const struct bytes *in, size_t off)
{
	size_t	 i;

	if (in->len <= SPLIT_ALL || off < SPLIT_NEAR ||
	    in->len - off < SPLIT_NEAR || off % SPLIT_STRIDE == 0)
		return (1);
	for (i = 0; i < in->nstarts; i++)
		if (off + SPLIT_NEAR > in->starts[i] &&
		    off < in->starts[i] + SPLIT_NEAR)
			return (1);
	return (0);
}

/*
 * Run the input whole into *whole, then cut every way, each compared
 * with it. Inputs longer than SPLIT_ALL are cut near every frame header,
 * near both ends and at a stride between: a cut inside a long payload is
 * like its neighbours but for the phase of the mask.
 */
static void
check_splits(const struct setup *su, const struct bytes *in,
    struct result *whole)
{
	struct result	 r;
	size_t		 k;
	int		 bad = 0;

	run(su, in, 0, 0, SIZE_MAX, whole);
	run(su, in, 0, 1, SIZE_MAX, &r);
	bad += !same(whole, &r, "1-byte pieces", 1);
	result_free(&r);
	run(su, in, 0, 0, 1, &r);
	bad += !same(whole, &r, "high-water mark", 1);
	result_free(&r);
	for (k = 1; k < in->len && bad < 3; k++) {
		if (!cut_here(in, k))
			continue;
		run(su, in, k, 0, SIZE_MAX, &r);
		bad += !same(whole, &r, "cut at", k);
		result_free(&r);
	}
}

static void
expect_msg(const struct result *r, size_t i, uint8_t op, const void *data,
    size_t len)
{
	ATF_REQUIRE_MSG(i < r->n, "entry %zu missing (%zu)", i, r->n);
	ATF_CHECK_EQ_MSG(r->e[i].op, op, "entry %zu", i);
	ATF_REQUIRE_EQ_MSG(r->e[i].len, len, "entry %zu", i);
	ATF_CHECK_MSG(len == 0 || memcmp(r->e[i].data, data, len) == 0,
	    "entry %zu: payload differs", i);
}

/* The session ended with our close with code, in state. */
static void
expect_close(const struct result *r, uint16_t code, int state)
{
	ATF_CHECK_EQ_MSG(r->close, code, "close %u, want %u", r->close, code);
	ATF_CHECK_EQ_MSG(r->state, state, "state %d, want %d", r->state,
	    state);
	ATF_CHECK(r->n > 0 && r->e[r->n - 1].op == WS_OP_CLOSE);
}

static void
zc_init(struct zclient *c, int wbits, int no_takeover)
{
	memset(c, 0, sizeof(*c));
	c->no_takeover = no_takeover;
	ATF_REQUIRE(deflateInit2(&c->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
	    -wbits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
}

/* RFC 7692 section 7.2.1: flush, then drop the trailing sync marker. */
static void
zc_message(struct zclient *c, const uint8_t *p, size_t len,
    struct bytes *out)
{
	uint8_t	 buf[16 * 1024];

	out->len = 0;
	c->z.next_in = (Bytef *)(uintptr_t)p;
	c->z.avail_in = len;
	do {
		c->z.next_out = buf;
		c->z.avail_out = sizeof(buf);
		ATF_REQUIRE(deflate(&c->z, Z_SYNC_FLUSH) != Z_STREAM_ERROR);
		put(out, buf, sizeof(buf) - c->z.avail_out);
	} while (c->z.avail_out == 0);
	/* Nothing new since the last flush: an empty stored block. */
	if (out->len == 0) {
		put(out, "\x00", 1);
		return;
	}
	ATF_REQUIRE(out->len >= 4 &&
	    memcmp(out->p + out->len - 4, SYNC, 4) == 0);
	out->len -= 4;
	if (c->no_takeover)
		ATF_REQUIRE(deflateReset(&c->z) == Z_OK);
}

/* A compressed message in nfrag frames, RSV1 on the first only. */
static void
zc_frames(struct bytes *b, uint8_t op, const struct bytes *z, size_t nfrag)
{
	size_t	 i, off = 0, n;

	for (i = 0; i < nfrag; i++) {
		n = i + 1 == nfrag ? z->len - off : z->len / nfrag;
		frame(b, (i + 1 == nfrag ? 0x80 : 0) | (i == 0 ? 0x40 | op :
		    WS_OP_CONT), z->p + off, n);
		off += n;
	}
}

static void
bytes_reset(struct bytes *b)
{
	b->len = 0;
	b->nstarts = 0;
}

/* Each opcode's messages of each size, alone and all in one stream. */
ATF_TC_WITHOUT_HEAD(echo_sizes);
ATF_TC_BODY(echo_sizes, tc)
{
	static const size_t	 sizes[] = { 0, 1, 125, 126, 65535, 65536 };
	static const uint8_t	 ops[] = { WS_OP_TEXT, WS_OP_BINARY };
	struct bytes		 in = { 0 }, all = { 0 };
	struct result		 r;
	uint8_t			*p[12];
	size_t			 i, j, n = 0;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (j = 0; j < 2; j++, n++) {
			ATF_REQUIRE((p[n] = malloc(sizes[i] + 1)) != NULL);
			if (ops[j] == WS_OP_TEXT)
				gen_text(p[n], sizes[i]);
			else
				gen_binary(p[n], sizes[i], n);
			bytes_reset(&in);
			frame(&in, 0x80 | ops[j], p[n], sizes[i]);
			frame(&all, 0x80 | ops[j], p[n], sizes[i]);
			check_splits(&plain, &in, &r);
			ATF_CHECK_EQ(r.n, 1);
			expect_msg(&r, 0, ops[j], p[n], sizes[i]);
			ATF_CHECK(r.close == 0 && r.state == WS_OPEN);
			ATF_CHECK(r.msgs_in == 1 && r.msgs_out == 1);
			result_free(&r);
		}
	check_splits(&plain, &all, &r);
	ATF_CHECK_EQ(r.n, n);
	for (i = 0; i < n; i++) {
		expect_msg(&r, i, ops[i % 2], p[i], sizes[i / 2]);
		free(p[i]);
	}
	ATF_CHECK(r.msgs_in == n && r.msgs_out == n && r.state == WS_OPEN);
	result_free(&r);
	bytes_free(&in);
	bytes_free(&all);
}

ATF_TC_WITHOUT_HEAD(ping_pong);
ATF_TC_BODY(ping_pong, tc)
{
	struct bytes	 in = { 0 };
	struct result	 r;
	uint8_t		 p[WS_CONTROL_MAX];

	gen_binary(p, sizeof(p), 7);
	frame(&in, 0x89, NULL, 0);
	frame(&in, 0x89, p, sizeof(p));
	frame(&in, 0x81, "x", 1);
	frame(&in, 0x89, "abc", 3);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 4);
	expect_msg(&r, 0, WS_OP_PONG, NULL, 0);
	expect_msg(&r, 1, WS_OP_PONG, p, sizeof(p));
	expect_msg(&r, 2, WS_OP_TEXT, "x", 1);
	expect_msg(&r, 3, WS_OP_PONG, "abc", 3);
	ATF_CHECK(r.close == 0 && r.state == WS_OPEN && r.msgs_in == 1);
	result_free(&r);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(pong_ignored);
ATF_TC_BODY(pong_ignored, tc)
{
	struct bytes	 in = { 0 };
	struct result	 r;

	frame(&in, 0x8a, NULL, 0);
	frame(&in, 0x8a, "unsolicited", 11);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 0);
	ATF_CHECK_EQ(r.wire, 0);
	ATF_CHECK_EQ(r.state, WS_OPEN);
	result_free(&r);
	frame(&in, 0x82, "b", 1);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 1);
	expect_msg(&r, 0, WS_OP_BINARY, "b", 1);
	result_free(&r);
	bytes_free(&in);
}

/* Control frames between the fragments of a message. */
ATF_TC_WITHOUT_HEAD(control_inside_fragments);
ATF_TC_BODY(control_inside_fragments, tc)
{
	struct bytes	 in = { 0 };
	struct result	 r;

	frame(&in, 0x01, "Hel", 3);
	frame(&in, 0x89, "p1", 2);
	frame(&in, 0x00, "lo \xe2\x82", 5);
	frame(&in, 0x8a, "x", 1);
	frame(&in, 0x00, "\xac wor", 5);
	frame(&in, 0x89, NULL, 0);
	frame(&in, 0x80, "ld", 2);
	frame(&in, 0x02, "\xff", 1);
	frame(&in, 0x89, "p2", 2);
	frame(&in, 0x80, "\x00", 1);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 5);
	expect_msg(&r, 0, WS_OP_PONG, "p1", 2);
	expect_msg(&r, 1, WS_OP_PONG, NULL, 0);
	expect_msg(&r, 2, WS_OP_TEXT, "Hello \xe2\x82\xac world", 15);
	expect_msg(&r, 3, WS_OP_PONG, "p2", 2);
	expect_msg(&r, 4, WS_OP_BINARY, "\xff\x00", 2);
	ATF_CHECK(r.msgs_in == 2 && r.msgs_out == 2 && r.state == WS_OPEN);
	result_free(&r);

	/* A close inside a message ends the connection there. */
	bytes_reset(&in);
	frame(&in, 0x01, "Hel", 3);
	close_frame(&in, 1000, "", 0);
	frame(&in, 0x80, "lo", 2);
	check_splits(&plain, &in, &r);
	expect_close(&r, 1000, WS_CLOSED);
	ATF_CHECK(r.n == 1 && r.msgs_out == 0);
	result_free(&r);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(empty_fragments);
ATF_TC_BODY(empty_fragments, tc)
{
	static const char	 euro[] = "\xe2\x82\xac\xc3\xa9"
				    "\xf0\x9f\x98\x80";
	struct bytes		 in = { 0 };
	struct result		 r;
	size_t			 i;

	frame(&in, 0x01, NULL, 0);
	frame(&in, 0x00, NULL, 0);
	frame(&in, 0x00, "abc", 3);
	frame(&in, 0x00, NULL, 0);
	frame(&in, 0x80, NULL, 0);
	frame(&in, 0x02, NULL, 0);
	frame(&in, 0x80, NULL, 0);
	frame(&in, 0x01, "a", 1);
	frame(&in, 0x00, NULL, 0);
	frame(&in, 0x80, "b", 1);
	/* One byte a fragment: every code point split across frames. */
	for (i = 0; i < sizeof(euro) - 1; i++)
		frame(&in, (i == 0 ? WS_OP_TEXT : WS_OP_CONT) |
		    (i == sizeof(euro) - 2 ? 0x80 : 0), euro + i, 1);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 4);
	expect_msg(&r, 0, WS_OP_TEXT, "abc", 3);
	expect_msg(&r, 1, WS_OP_BINARY, NULL, 0);
	expect_msg(&r, 2, WS_OP_TEXT, "ab", 2);
	expect_msg(&r, 3, WS_OP_TEXT, euro, sizeof(euro) - 1);
	ATF_CHECK(r.msgs_in == 4 && r.msgs_out == 4 && r.state == WS_OPEN);
	result_free(&r);
	bytes_free(&in);
}

static const struct err_case proto_cases[] = {
	{ "unmasked text", 0x81, 2, 2, F_UNMASKED, 1002, WS_CLOSED, 0 },
	{ "unmasked ping", 0x89, 0, 0, F_UNMASKED, 1002, WS_CLOSED, 0 },
	{ "unmasked continuation", 0x80, 2, 2, F_UNMASKED, 1002, WS_CLOSED,
	    1 },
	{ "RSV1", 0xc1, 2, 2, 0, 1002, WS_CLOSED, 0 },
	{ "RSV2", 0xa1, 2, 2, 0, 1002, WS_CLOSED, 0 },
	{ "RSV3", 0x91, 2, 2, 0, 1002, WS_CLOSED, 0 },
	{ "RSV1 binary", 0xc2, 2, 2, 0, 1002, WS_CLOSED, 0 },
	{ "RSV1 continuation", 0xc0, 2, 2, 0, 1002, WS_CLOSED, 1 },
	{ "RSV1 ping", 0xc9, 0, 0, 0, 1002, WS_CLOSED, 0 },
	{ "ping of 126", 0x89, 126, 126, 0, 1002, WS_CLOSED, 0 },
	{ "pong of 126", 0x8a, 126, 126, 0, 1002, WS_CLOSED, 0 },
	{ "close of 126", 0x88, 126, 126, 0, 1002, WS_CLOSED, 0 },
	{ "ping of 5 in 64 bits", 0x89, 5, 5, F_LONG, 1002, WS_CLOSED, 0 },
	{ "fragmented ping", 0x09, 0, 0, 0, 1002, WS_CLOSED, 0 },
	{ "fragmented pong", 0x0a, 1, 1, 0, 1002, WS_CLOSED, 0 },
	{ "fragmented close", 0x08, 2, 2, 0, 1002, WS_CLOSED, 0 },
	{ "fragmented ping in a message", 0x09, 0, 0, 0, 1002, WS_CLOSED,
	    1 },
	{ "64-bit length, top bit", 0x82, 1ULL << 63, 0, 0, 1002, WS_CLOSED,
	    0 },
	{ "64-bit length, all ones", 0x82, UINT64_MAX, 0, 0, 1002, WS_CLOSED,
	    0 },
	{ "continuation first", 0x80, 2, 2, 0, 1002, WS_CLOSE_SENT, 0 },
	{ "non-final continuation first", 0x00, 2, 2, 0, 1002, WS_CLOSE_SENT,
	    0 },
	{ "empty continuation first", 0x80, 0, 0, 0, 1002, WS_CLOSE_SENT,
	    0 },
	{ "text inside a message", 0x81, 2, 2, 0, 1002, WS_CLOSE_SENT, 1 },
	{ "binary inside a message", 0x02, 2, 2, 0, 1002, WS_CLOSE_SENT, 1 },
	{ "empty text inside a message", 0x81, 0, 0, 0, 1002, WS_CLOSE_SENT,
	    1 },
};

/*
 * A frame that fails the connection, perhaps inside an open message, and
 * a message after it that must not be echoed.
 */
static void
check_error(const struct setup *su, const struct err_case *c)
{
	struct bytes	 in = { 0 };
	struct result	 r;
	uint8_t		 payload[200];

	memset(payload, 'h', sizeof(payload));
	if (c->open_text)
		frame(&in, 0x01, "ab", 2);
	frame_ex(&in, c->b0, payload, c->fed, c->len, c->flags);
	if (c->fed == c->len)
		frame(&in, 0x81, "after", 5);
	check_splits(su, &in, &r);
	ATF_CHECK_EQ_MSG(r.close, c->code, "%s: close %u, want %u", c->what,
	    r.close, c->code);
	ATF_CHECK_EQ_MSG(r.state, c->state, "%s: state %d, want %d",
	    c->what, r.state, c->state);
	ATF_CHECK_EQ_MSG(r.n, 1, "%s: %zu entries", c->what, r.n);
	ATF_CHECK_EQ_MSG(r.msgs_out, 0, "%s: echoed", c->what);
	result_free(&r);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(protocol_errors);
ATF_TC_BODY(protocol_errors, tc)
{
	static const uint8_t	 reserved[] = { 3, 4, 5, 6, 7, 11, 12, 13, 14,
				    15 };
	struct err_case		 c;
	size_t			 i;
	int			 open;

	for (i = 0; i < sizeof(proto_cases) / sizeof(proto_cases[0]); i++)
		check_error(&plain, &proto_cases[i]);
	for (i = 0; i < sizeof(reserved); i++)
		for (open = 0; open < 2; open++) {
			c = (struct err_case){ "reserved opcode",
			    0x80 | reserved[i], 1, 1, 0, 1002, WS_CLOSED,
			    open };
			check_error(&plain, &c);
		}
}

/* A text message in up to four fragments, and whether it is valid. */
struct utf8_case {
	const char	*frag[4];
	size_t		 len[4];
	size_t		 nfrag;
	int		 ok;
};

static const struct utf8_case utf8_cases[] = {
	{ { "\xc3\x28" }, { 2 }, 1, 0 },
	{ { "ok\xed\xa0\x80" }, { 5 }, 1, 0 },		/* surrogate */
	{ { "\xf4\x90\x80\x80" }, { 4 }, 1, 0 },	/* > U+10FFFF */
	{ { "\xc0\xaf" }, { 2 }, 1, 0 },		/* overlong */
	{ { "\xe0\x80\xaf" }, { 3 }, 1, 0 },
	{ { "\xff" }, { 1 }, 1, 0 },
	{ { "a\xe2\x82" }, { 3 }, 1, 0 },		/* truncated */
	{ { "a\xe2\x82", "" }, { 3, 0 }, 2, 0 },
	{ { "a\xe2", "\x82" }, { 2, 1 }, 2, 0 },
	{ { "fine", "\x80" }, { 4, 1 }, 2, 0 },
	{ { "\xe2\x82", "\xac" }, { 2, 1 }, 2, 1 },	/* split: valid */
	{ { "\xf0\x9f", "", "\x98", "\x80" }, { 2, 0, 1, 1 }, 4, 1 },
	{ { "\xf4\x8f\xbf\xbf" }, { 4 }, 1, 1 },
	{ { "\xed\x9f\xbf\xee\x80\x80" }, { 6 }, 1, 1 },
};

ATF_TC_WITHOUT_HEAD(utf8_text);
ATF_TC_BODY(utf8_text, tc)
{
	const struct utf8_case	*c;
	struct bytes		 in = { 0 }, whole = { 0 };
	struct result		 r;
	size_t			 i, j;

	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		c = &utf8_cases[i];
		bytes_reset(&in);
		whole.len = 0;
		for (j = 0; j < c->nfrag; j++) {
			frame(&in, (j == 0 ? WS_OP_TEXT : WS_OP_CONT) |
			    (j + 1 == c->nfrag ? 0x80 : 0), c->frag[j],
			    c->len[j]);
			put(&whole, c->frag[j], c->len[j]);
		}
		check_splits(&plain, &in, &r);
		if (c->ok) {
			ATF_CHECK_EQ_MSG(r.n, 1, "case %zu", i);
			expect_msg(&r, 0, WS_OP_TEXT, whole.p, whole.len);
			ATF_CHECK_EQ(r.state, WS_OPEN);
		} else {
			ATF_CHECK_EQ_MSG(r.n, 1, "case %zu", i);
			expect_close(&r, 1007, WS_CLOSE_SENT);
			ATF_CHECK_EQ(r.msgs_out, 0);
		}
		result_free(&r);
	}
	bytes_free(&in);
	bytes_free(&whole);
}

/*
 * 1000 bytes announced, 10 given: the bad byte is seen at once, the
 * close is out before the rest of the frame.
 */
ATF_TC_WITHOUT_HEAD(utf8_fail_fast);
ATF_TC_BODY(utf8_fail_fast, tc)
{
	static const char	*starts[] = { "\xf5xxxxxxxxx", "abcd\xc3(xxxx",
				    "\xed\xa0xxxxxxxx", "abcdefghi\x80" };
	struct bytes		 in = { 0 };
	struct result		 r;
	size_t			 i;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		bytes_reset(&in);
		frame_ex(&in, 0x81, starts[i], 10, 1000, 0);
		check_splits(&plain, &in, &r);
		ATF_CHECK_EQ_MSG(r.n, 1, "case %zu", i);
		expect_close(&r, 1007, WS_CLOSE_SENT);
		ATF_CHECK_EQ(r.first_used, in.len);
		result_free(&r);
		/* The same in a continuation. */
		bytes_reset(&in);
		frame(&in, 0x01, "ok", 2);
		frame_ex(&in, 0x80, starts[i], 10, 1000, 0);
		check_splits(&plain, &in, &r);
		expect_close(&r, 1007, WS_CLOSE_SENT);
		result_free(&r);
	}
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(binary_not_checked);
ATF_TC_BODY(binary_not_checked, tc)
{
	static const char	 junk[] = "\xff\xfe\xc0\x80\xed\xa0"
				    "\x80\xf5\xe2";
	struct bytes		 in = { 0 };
	struct result		 r;

	frame(&in, 0x82, junk, sizeof(junk) - 1);
	frame(&in, 0x02, junk, 3);
	frame(&in, 0x80, junk + 3, sizeof(junk) - 4);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 2);
	expect_msg(&r, 0, WS_OP_BINARY, junk, sizeof(junk) - 1);
	expect_msg(&r, 1, WS_OP_BINARY, junk, sizeof(junk) - 1);
	ATF_CHECK_EQ(r.state, WS_OPEN);
	result_free(&r);
	bytes_free(&in);
}

/* A close with code and reason; want is the code we answer. */
static void
check_close(uint16_t code, const char *reason, size_t rlen, uint16_t want)
{
	struct bytes	 in = { 0 };
	struct result	 r;

	close_frame(&in, code, reason, rlen);
	frame(&in, 0x81, "after", 5);
	frame(&in, 0x89, "ping", 4);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ_MSG(r.close, want, "close %u: answered %u, want %u",
	    code, r.close, want);
	ATF_CHECK_EQ_MSG(r.state, WS_CLOSED, "close %u: state %d", code,
	    r.state);
	ATF_CHECK_EQ_MSG(r.n, 1, "close %u: %zu entries", code, r.n);
	ATF_CHECK_EQ_MSG(r.first_used, in.len, "close %u", code);
	/* The reason is not echoed: only the code. */
	ATF_CHECK(r.n == 0 || r.e[r.n - 1].len == 2);
	result_free(&r);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(close_codes);
ATF_TC_BODY(close_codes, tc)
{
	static const uint16_t	 valid[] = { 1000, 1001, 1002, 1003, 1007,
				    1008, 1009, 1010, 1011, 1012, 1013, 1014,
				    3000, 3999, 4000, 4999 };
	static const uint16_t	 invalid[] = { 0, 1, 999, 1004, 1005, 1006,
				    1015, 1016, 2000, 2999, 5000, 65535 };
	char			 longreason[WS_CONTROL_MAX - 2];
	size_t			 i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		check_close(valid[i], "", 0, valid[i]);
		check_close(valid[i], "bye \xe2\x82\xac", 7, valid[i]);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		check_close(invalid[i], "", 0, 1002);
	gen_text((uint8_t *)longreason, sizeof(longreason));
	check_close(1000, longreason, sizeof(longreason), 1000);
	check_close(1000, "\xff", 1, 1007);
	check_close(1001, "ok\xed\xa0\x80", 5, 1007);
	check_close(1000, "cut \xe2\x82", 6, 1007);
}

ATF_TC_WITHOUT_HEAD(close_short);
ATF_TC_BODY(close_short, tc)
{
	struct bytes	 in = { 0 };
	struct result	 r;

	/* Empty: an empty close back. */
	frame(&in, 0x88, NULL, 0);
	frame(&in, 0x81, "after", 5);
	check_splits(&plain, &in, &r);
	ATF_CHECK_EQ(r.n, 1);
	ATF_CHECK(r.n == 1 && r.e[0].op == WS_OP_CLOSE && r.e[0].len == 0);
	ATF_CHECK_EQ(r.state, WS_CLOSED);
	result_free(&r);
	/* One byte cannot hold a code. */
	bytes_reset(&in);
	frame(&in, 0x88, "\x03", 1);
	check_splits(&plain, &in, &r);
	expect_close(&r, 1002, WS_CLOSED);
	ATF_CHECK_EQ(r.n, 1);
	result_free(&r);
	bytes_free(&in);
}

/* After our close, input is discarded until the client's close. */
ATF_TC_WITHOUT_HEAD(close_sent_then_client_close);
ATF_TC_BODY(close_sent_then_client_close, tc)
{
	struct bytes	 in = { 0 };
	struct result	 r;

	frame(&in, 0x81, "\xff", 1);
	frame(&in, 0x81, "ignored", 7);
	frame(&in, 0x89, "ignored", 7);
	frame(&in, 0x01, "x", 1);
	close_frame(&in, 1000, "", 0);
	frame(&in, 0x82, "gone", 4);
	check_splits(&plain, &in, &r);
	expect_close(&r, 1007, WS_CLOSED);
	ATF_CHECK_EQ(r.n, 1);
	ATF_CHECK_EQ(r.msgs_out, 0);
	result_free(&r);

	/* Without the client's close the session stays half closed. */
	bytes_reset(&in);
	frame(&in, 0x81, "\xff", 1);
	frame(&in, 0x81, "ignored", 7);
	check_splits(&plain, &in, &r);
	expect_close(&r, 1007, WS_CLOSE_SENT);
	ATF_CHECK_EQ(r.n, 1);
	result_free(&r);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(limits);
ATF_TC_BODY(limits, tc)
{
	static const struct setup	 small = { { 1000, 3 }, NULL };
	static const struct err_case	 cases[] = {
		{ "header over the limit", 0x82, 1001, 0, 0, 1009,
		    WS_CLOSE_SENT, 0 },
		{ "text header over", 0x81, 1001, 10, 0, 1009, WS_CLOSE_SENT,
		    0 },
		{ "2^62 bytes", 0x82, 1ULL << 62, 0, 0, 1009, WS_CLOSE_SENT,
		    0 },
		{ "continuation over", 0x80, 999, 0, 0, 1009, WS_CLOSE_SENT,
		    1 },
	};
	struct bytes	 in = { 0 };
	struct result	 r;
	uint8_t		 p[1000];
	size_t		 i;

	/* Refused from the header alone, before any payload. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_error(&small, &cases[i]);
	gen_text(p, sizeof(p));
	/* Exactly the limit, in one frame and in three. */
	bytes_reset(&in);
	frame(&in, 0x81, p, 1000);
	frame(&in, 0x01, p, 500);
	frame(&in, 0x00, p + 500, 0);
	frame(&in, 0x80, p + 500, 500);
	frame(&in, 0x89, p, 125);	/* control frames are not limited */
	check_splits(&small, &in, &r);
	ATF_CHECK_EQ(r.n, 3);
	expect_msg(&r, 0, WS_OP_TEXT, p, 1000);
	expect_msg(&r, 1, WS_OP_TEXT, p, 1000);
	expect_msg(&r, 2, WS_OP_PONG, p, 125);
	ATF_CHECK_EQ(r.state, WS_OPEN);
	result_free(&r);
	/* Fragments summing above. */
	bytes_reset(&in);
	frame(&in, 0x02, p, 600);
	frame(&in, 0x80, p, 401);
	check_splits(&small, &in, &r);
	expect_close(&r, 1009, WS_CLOSE_SENT);
	ATF_CHECK(r.n == 1 && r.msgs_out == 0 && r.partial <= 600);
	result_free(&r);
	/* A fourth fragment. */
	bytes_reset(&in);
	frame(&in, 0x02, "a", 1);
	frame(&in, 0x00, "b", 1);
	frame(&in, 0x00, "c", 1);
	frame(&in, 0x80, "d", 1);
	check_splits(&small, &in, &r);
	expect_close(&r, 1009, WS_CLOSE_SENT);
	ATF_CHECK_EQ(r.n, 1);
	result_free(&r);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(backpressure);
ATF_TC_BODY(backpressure, tc)
{
	struct bytes	 in = { 0 };
	struct result	 a, b;
	uint8_t		 p[300];
	size_t		 i;

	gen_text(p, sizeof(p));
	for (i = 0; i < 20; i++) {
		frame(&in, 0x81, p, 30 + i * 10);
		if (i == 10)
			frame(&in, 0x89, "mid", 3);
	}
	run(&plain, &in, 0, 0, SIZE_MAX, &a);
	ATF_CHECK_EQ(a.first_used, in.len);
	run(&plain, &in, 0, 0, 100, &b);
	ATF_CHECK_MSG(b.first_used < in.len, "used %zu of %zu with a "
	    "high-water mark of 100", b.first_used, in.len);
	ATF_CHECK(same(&a, &b, "high-water mark", 100));
	ATF_CHECK_EQ(a.wire, b.wire);
	ATF_CHECK_EQ(a.n, 21);
	ATF_CHECK(a.msgs_in == 20 && a.msgs_out == 20);
	result_free(&a);
	result_free(&b);
	bytes_free(&in);
}

/*
 * permessage-deflate. The client compresses with zlib as RFC 7692 says,
 * the server's output is inflated back; messages must match.
 */
static void
deflate_setup(struct ws_deflate_params *dp, struct setup *su, int bits,
    int cnct, uint64_t max_message)
{
	memset(dp, 0, sizeof(*dp));
	dp->enabled = 1;
	dp->server_no_context_takeover = 1;
	dp->client_no_context_takeover = cnct;
	dp->server_max_window_bits = bits;
	dp->client_max_window_bits = bits;
	su->lim.max_message = max_message;
	su->lim.max_fragments = 1000;
	su->dp = dp;
}

/* Compress msg and add it to in as nfrag frames. */
static size_t
zmessage(struct zclient *zc, struct bytes *in, uint8_t op,
    const uint8_t *msg, size_t len, size_t nfrag)
{
	struct bytes	 z = { 0 };
	size_t		 zlen;

	zc_message(zc, msg, len, &z);
	zc_frames(in, op, &z, nfrag);
	zlen = z.len;
	bytes_free(&z);
	return (zlen);
}

/* Messages 2 and 3 are the same random bytes, the others text. */
static uint8_t
msg_fill(uint8_t *p, size_t i, size_t len)
{
	if (i == 2 || i == 3) {
		gen_binary(p, len, 99);
		return (WS_OP_BINARY);
	}
	gen_text(p, len);
	return (WS_OP_TEXT);
}

ATF_TC_WITHOUT_HEAD(deflate_windows);
ATF_TC_BODY(deflate_windows, tc)
{
	static const size_t	 sizes[] = { 0, 1, 200, 200, 1000, 100000 };
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 };
	struct result		 r;
	uint8_t			*p;
	size_t			 i, zlen[6];
	int			 bits, cnct;
	uint8_t			 op;

	ATF_REQUIRE((p = malloc(100000)) != NULL);
	for (bits = 9; bits <= 15; bits++)
		for (cnct = 0; cnct < 2; cnct++) {
			deflate_setup(&dp, &su, bits, cnct, 16 * MiB);
			zc_init(&zc, bits, cnct);
			bytes_reset(&in);
			for (i = 0; i < 6; i++) {
				op = msg_fill(p, i, sizes[i]);
				zlen[i] = zmessage(&zc, &in, op, p, sizes[i],
				    1);
			}
			/* With context takeover, a repeat costs little. */
			if (!cnct)
				ATF_CHECK_MSG(zlen[3] < zlen[2] / 4,
				    "%zu then %zu", zlen[2], zlen[3]);
			check_splits(&su, &in, &r);
			ATF_CHECK_EQ_MSG(r.n, 6, "bits %d, cnct %d: %zu", bits,
			    cnct, r.n);
			for (i = 0; i < 6 && i < r.n; i++) {
				op = msg_fill(p, i, sizes[i]);
				expect_msg(&r, i, op, p, sizes[i]);
				ATF_CHECK_MSG(r.e[i].compressed, "bits %d: "
				    "message %zu not compressed", bits, i);
			}
			ATF_CHECK(r.close == 0 && r.state == WS_OPEN);
			ATF_CHECK(r.msgs_in == 6 && r.msgs_out == 6);
			result_free(&r);
			deflateEnd(&zc.z);
		}
	free(p);
	bytes_free(&in);
}

/* What does not compress: stored blocks, in and out. */
ATF_TC_WITHOUT_HEAD(deflate_incompressible);
ATF_TC_BODY(deflate_incompressible, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 };
	struct result		 r;
	uint8_t			*p;
	int			 bits;

	ATF_REQUIRE((p = malloc(100000)) != NULL);
	gen_binary(p, 100000, 42);
	for (bits = 9; bits <= 15; bits += 3) {
		deflate_setup(&dp, &su, bits, 1, 16 * MiB);
		zc_init(&zc, bits, 1);
		bytes_reset(&in);
		zmessage(&zc, &in, WS_OP_BINARY, p, 100000, 3);
		check_splits(&su, &in, &r);
		ATF_CHECK_EQ(r.n, 1);
		expect_msg(&r, 0, WS_OP_BINARY, p, 100000);
		ATF_CHECK(r.close == 0 && r.state == WS_OPEN);
		result_free(&r);
		deflateEnd(&zc.z);
	}
	free(p);
	bytes_free(&in);
}

ATF_TC_WITHOUT_HEAD(deflate_fragmented);
ATF_TC_BODY(deflate_fragmented, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 }, z = { 0 };
	struct result		 r;
	uint8_t			 p[3000];

	deflate_setup(&dp, &su, 15, 0, 16 * MiB);
	zc_init(&zc, 15, 0);
	gen_text(p, sizeof(p));
	zmessage(&zc, &in, WS_OP_TEXT, p, sizeof(p), 3);
	zmessage(&zc, &in, WS_OP_BINARY, p, 0, 2);
	/* Empty first and middle fragments, a ping among them. */
	zc_message(&zc, p, 1000, &z);
	frame(&in, 0x41, NULL, 0);
	frame(&in, 0x00, z.p, z.len / 2);
	frame(&in, 0x89, "ping", 4);
	frame(&in, 0x00, NULL, 0);
	frame(&in, 0x80, z.p + z.len / 2, z.len - z.len / 2);
	/* Plain messages stay plain on a deflate session. */
	frame(&in, 0x81, p, 200);
	frame(&in, 0x02, p, 10);
	frame(&in, 0x80, p + 10, 10);
	check_splits(&su, &in, &r);
	ATF_CHECK_EQ(r.n, 6);
	expect_msg(&r, 0, WS_OP_TEXT, p, sizeof(p));
	expect_msg(&r, 1, WS_OP_BINARY, NULL, 0);
	expect_msg(&r, 2, WS_OP_PONG, "ping", 4);
	expect_msg(&r, 3, WS_OP_TEXT, p, 1000);
	expect_msg(&r, 4, WS_OP_TEXT, p, 200);
	expect_msg(&r, 5, WS_OP_BINARY, p, 20);
	if (r.n == 6) {
		ATF_CHECK(r.e[0].compressed && r.e[1].compressed &&
		    r.e[3].compressed);
		ATF_CHECK_MSG(!r.e[4].compressed && !r.e[5].compressed,
		    "a plain message came back compressed");
	}
	ATF_CHECK(r.state == WS_OPEN && r.msgs_in == 5 && r.msgs_out == 5);
	result_free(&r);
	deflateEnd(&zc.z);
	bytes_free(&in);
	bytes_free(&z);
}

ATF_TC_WITHOUT_HEAD(deflate_errors);
ATF_TC_BODY(deflate_errors, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 }, z = { 0 };
	struct result		 r;
	int			 i;

	deflate_setup(&dp, &su, 15, 1, 16 * MiB);
	zc_init(&zc, 15, 1);
	for (i = 0; i < 8; i++) {
		bytes_reset(&in);
		switch (i) {
		case 0:		/* RSV1 on a continuation */
			zc_message(&zc, (const uint8_t *)"abcdef", 6, &z);
			frame(&in, 0x41, z.p, 2);
			frame(&in, 0xc0, z.p + 2, z.len - 2);
			break;
		case 1:		/* RSV1 on a plain message's continuation */
			frame(&in, 0x01, "ab", 2);
			frame(&in, 0xc0, "cd", 2);
			break;
		case 2:
			frame(&in, 0xc9, NULL, 0);
			break;
		case 3:
			frame(&in, 0xc8, "\x03\xe8", 2);
			break;
		case 4:		/* RSV2 was not negotiated */
			frame(&in, 0xa1, "ab", 2);
			break;
		case 5:		/* garbage */
			frame(&in, 0xc1, "\xff\xff\xff\xff\xff\xff", 6);
			break;
		case 6:		/* invalid UTF-8, compressed */
			zmessage(&zc, &in, WS_OP_TEXT,
			    (const uint8_t *)"abc\xff", 4, 1);
			break;
		case 7:		/* truncated code point, compressed */
			zmessage(&zc, &in, WS_OP_TEXT,
			    (const uint8_t *)"a\xe2\x82", 3, 2);
			break;
		}
		frame(&in, 0x82, "after", 5);
		check_splits(&su, &in, &r);
		ATF_CHECK_EQ_MSG(r.close, i < 5 ? 1002 : 1007, "case %d: %u",
		    i, r.close);
		ATF_CHECK_EQ_MSG(r.state, i < 2 || i > 4 ? WS_CLOSE_SENT :
		    WS_CLOSED, "case %d: state %d", i, r.state);
		ATF_CHECK_EQ_MSG(r.n, 1, "case %d: %zu entries", i, r.n);
		result_free(&r);
	}
	/* Binary is not UTF-8 checked, compressed or not. */
	bytes_reset(&in);
	zmessage(&zc, &in, WS_OP_BINARY, (const uint8_t *)"abc\xff", 4, 2);
	check_splits(&su, &in, &r);
	ATF_CHECK_EQ(r.n, 1);
	expect_msg(&r, 0, WS_OP_BINARY, "abc\xff", 4);
	result_free(&r);
	deflateEnd(&zc.z);
	bytes_free(&in);
	bytes_free(&z);
}

/*
 * 16 MiB of zeros in 16 KiB against a 1 MiB limit: refused while
 * inflating, having produced no more than the limit.
 */
ATF_TC(deflate_bomb);
ATF_TC_HEAD(deflate_bomb, tc)
{
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(deflate_bomb, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 };
	struct result		 r;
	uint8_t			*p;
	size_t			 zlen;

	ATF_REQUIRE((p = calloc(1, 16 * MiB)) != NULL);
	deflate_setup(&dp, &su, 15, 1, MiB);
	zc_init(&zc, 15, 1);
	zlen = zmessage(&zc, &in, WS_OP_BINARY, p, 16 * MiB, 1);
	free(p);
	ATF_REQUIRE(zlen < 64 * 1024);
	check_splits(&su, &in, &r);
	expect_close(&r, 1009, WS_CLOSE_SENT);
	ATF_CHECK_EQ(r.msgs_out, 0);
	ATF_CHECK_MSG(r.partial <= MiB, "echoed %zu bytes inflated",
	    r.partial);
	ATF_CHECK_MSG(r.msg_len <= MiB, "inflated %ju", (uintmax_t)r.msg_len);
	ATF_CHECK_MSG(r.wire < 64 * 1024, "%zu bytes out", r.wire);
	result_free(&r);

	/* Text too, in many frames. */
	ATF_REQUIRE((p = malloc(16 * MiB)) != NULL);
	memset(p, 'a', 16 * MiB);
	bytes_reset(&in);
	zmessage(&zc, &in, WS_OP_TEXT, p, 16 * MiB, 16);
	free(p);
	check_splits(&su, &in, &r);
	expect_close(&r, 1009, WS_CLOSE_SENT);
	ATF_CHECK(r.partial <= MiB && r.msg_len <= MiB);
	result_free(&r);
	deflateEnd(&zc.z);
	bytes_free(&in);
}

/*
 * A compressed message that passes the limit and then goes bad: the
 * first fault decides the close, however the input was cut. Inflated
 * whole, the corrupt block once won over the bytes before it.
 */
ATF_TC_WITHOUT_HEAD(deflate_fault_order);
ATF_TC_BODY(deflate_fault_order, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 }, z = { 0 };
	struct result		 r;
	uint8_t			 p[2000];

	deflate_setup(&dp, &su, 15, 1, 1000);
	zc_init(&zc, 15, 1);
	memset(p, 'a', sizeof(p));
	zc_message(&zc, p, sizeof(p), &z);
	/* A block of the reserved type 3 after 2000 good bytes. */
	put(&z, "\x00\x00\xff\xff\x06", 5);
	zc_frames(&in, WS_OP_TEXT, &z, 1);
	check_splits(&su, &in, &r);
	expect_close(&r, 1009, WS_CLOSE_SENT);
	result_free(&r);

	/* Invalid UTF-8 well before the limit, in one step of inflate. */
	p[10] = 0xff;
	bytes_reset(&in);
	zmessage(&zc, &in, WS_OP_TEXT, p, sizeof(p), 1);
	check_splits(&su, &in, &r);
	expect_close(&r, 1007, WS_CLOSE_SENT);
	result_free(&r);
	deflateEnd(&zc.z);
	bytes_free(&in);
	bytes_free(&z);
}

ATF_TC_WITHOUT_HEAD(deflate_backpressure);
ATF_TC_BODY(deflate_backpressure, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct bytes		 in = { 0 };
	struct result		 a, b;
	uint8_t			*p;

	ATF_REQUIRE((p = malloc(200000)) != NULL);
	gen_binary(p, 200000, 1);
	deflate_setup(&dp, &su, 15, 0, 16 * MiB);
	zc_init(&zc, 15, 0);
	zmessage(&zc, &in, WS_OP_BINARY, p, 200000, 1);
	gen_text(p, 200000);
	zmessage(&zc, &in, WS_OP_TEXT, p, 200000, 2);
	run(&su, &in, 0, 0, SIZE_MAX, &a);
	run(&su, &in, 0, 0, 100, &b);
	ATF_CHECK_MSG(b.first_used < in.len, "used %zu of %zu",
	    b.first_used, in.len);
	ATF_CHECK(same(&a, &b, "high-water mark", 100));
	ATF_CHECK_EQ(a.n, 2);
	expect_msg(&a, 1, WS_OP_TEXT, p, 200000);
	result_free(&a);
	result_free(&b);
	deflateEnd(&zc.z);
	free(p);
	bytes_free(&in);
}

/*
 * Input stopped at the high-water mark right after the last payload of a
 * message, with nothing left to feed: the message must still be over.
 */
ATF_TC_WITHOUT_HEAD(backpressure_message_end);
ATF_TC_BODY(backpressure_message_end, tc)
{
	struct ws_deflate_params dp;
	struct setup		 su;
	struct zclient		 zc;
	struct ws_session	 s;
	struct bytes		 in = { 0 }, out = { 0 };
	struct result		 r;
	uint8_t			 p[200];
	int			 deflate;

	gen_text(p, sizeof(p));
	for (deflate = 0; deflate < 2; deflate++) {
		deflate_setup(&dp, &su, 15, 1, MiB);
		bytes_reset(&in);
		if (deflate) {
			zc_init(&zc, 15, 1);
			zmessage(&zc, &in, WS_OP_TEXT, p, sizeof(p), 1);
			deflateEnd(&zc.z);
		} else
			frame(&in, 0x81, p, sizeof(p));
		ATF_REQUIRE(ws_session_init(&s, &su.lim, deflate ? &dp :
		    NULL) == 0);
		memset(&r, 0, sizeof(r));
		r.first_used = 0;
		out.len = 0;
		feed(&s, in.p, in.len, 10, &out, &r);
		parse_output(out.p, out.len, deflate, &r);
		ATF_CHECK_EQ(r.n, 1);
		expect_msg(&r, 0, WS_OP_TEXT, p, sizeof(p));
		ATF_CHECK_EQ_MSG(s.msgs_in, 1, "deflate %d: msgs_in %ju",
		    deflate, (uintmax_t)s.msgs_in);
		ATF_CHECK_EQ_MSG(s.msg_op, 0, "deflate %d: message still open",
		    deflate);
		/* Without context takeover, zlib's memory goes with it. */
		if (deflate)
			ATF_CHECK_MSG(pmd_memory(s.pmd) < 1024, "pmd holds %zu",
			    pmd_memory(s.pmd));
		ws_session_free(&s);
		result_free(&r);
	}
	bytes_free(&in);
	bytes_free(&out);
}

/*
 * The worker frees the session of an idle connection (worker/wconn.c):
 * idle must mean that nothing is in flight, or freeing it would lose a
 * half-read frame, an open message, output or a ping's answer.
 */
static void
input_all(struct ws_session *s, struct bytes *in, size_t from, size_t to)
{
	ATF_REQUIRE_EQ(ws_session_input(s, in->p + from, to - from, 1 << 20),
	    to - from);
}

ATF_TC_WITHOUT_HEAD(idle);
ATF_TC_BODY(idle, tc)
{
	struct ws_deflate_params	 dp;
	struct setup			 su;
	struct ws_session		 s;
	struct bytes			 in = { 0 }, out = { 0 };
	static const uint8_t		 tag[WS_PING_TAG] = "12345678";
	size_t				 mid;

	ATF_REQUIRE(ws_session_init(&s, &plain.lim, NULL) == 0);
	ATF_CHECK(ws_session_idle(&s));

	/* A whole message and its echo sent: idle again. */
	frame(&in, 0x81, "hello", 5);
	input_all(&s, &in, 0, 1);
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle inside a frame header");
	input_all(&s, &in, 1, in.len - 2);
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle inside a payload");
	input_all(&s, &in, in.len - 2, in.len);
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle with its echo unsent");
	ATF_CHECK(drain(&s, &out) > 0);
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle with activity unseen");
	s.activity = 0;
	ATF_CHECK(ws_session_idle(&s));

	/* A fragmented message is open between its frames. */
	mid = in.len;
	frame(&in, 0x01, "frag", 4);
	input_all(&s, &in, mid, in.len);
	drain(&s, &out);
	s.activity = 0;
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle with a message open");
	mid = in.len;
	frame(&in, 0x80, "ment", 4);
	input_all(&s, &in, mid, in.len);
	drain(&s, &out);
	s.activity = 0;
	ATF_CHECK(ws_session_idle(&s));

	/* A ping awaits its pong; a wrong pong does not answer it. */
	ws_session_ping(&s, tag, sizeof(tag));
	drain(&s, &out);
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle with a ping unanswered");
	mid = in.len;
	frame(&in, 0x8a, "87654321", 8);
	input_all(&s, &in, mid, in.len);
	s.activity = 0;
	ATF_CHECK_MSG(!ws_session_idle(&s), "a wrong pong answered");
	mid = in.len;
	frame(&in, 0x8a, tag, sizeof(tag));
	input_all(&s, &in, mid, in.len);
	s.activity = 0;
	ATF_CHECK_MSG(!ws_session_idle(&s), "idle with the answer unseen");
	s.answered = 0;
	ATF_CHECK(ws_session_idle(&s));

	/* Closing is never idle. */
	ws_session_close(&s, WS_CLOSE_GOING_AWAY, WS_ERR_NONE);
	drain(&s, &out);
	ATF_CHECK(!ws_session_idle(&s));
	ws_session_free(&s);

	/* Nor is a compression context. */
	deflate_setup(&dp, &su, 15, 1, 16 * MiB);
	ATF_REQUIRE(ws_session_init(&s, &su.lim, &dp) == 0);
	ATF_CHECK(!ws_session_idle(&s));
	ws_session_free(&s);
	bytes_free(&in);
	bytes_free(&out);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, echo_sizes);
	ATF_TP_ADD_TC(tp, ping_pong);
	ATF_TP_ADD_TC(tp, idle);
	ATF_TP_ADD_TC(tp, pong_ignored);
	ATF_TP_ADD_TC(tp, control_inside_fragments);
	ATF_TP_ADD_TC(tp, empty_fragments);
	ATF_TP_ADD_TC(tp, protocol_errors);
	ATF_TP_ADD_TC(tp, utf8_text);
	ATF_TP_ADD_TC(tp, utf8_fail_fast);
	ATF_TP_ADD_TC(tp, binary_not_checked);
	ATF_TP_ADD_TC(tp, close_codes);
	ATF_TP_ADD_TC(tp, close_short);
	ATF_TP_ADD_TC(tp, close_sent_then_client_close);
	ATF_TP_ADD_TC(tp, limits);
	ATF_TP_ADD_TC(tp, backpressure);
	ATF_TP_ADD_TC(tp, backpressure_message_end);
	ATF_TP_ADD_TC(tp, deflate_windows);
	ATF_TP_ADD_TC(tp, deflate_incompressible);
	ATF_TP_ADD_TC(tp, deflate_fragmented);
	ATF_TP_ADD_TC(tp, deflate_errors);
	ATF_TP_ADD_TC(tp, deflate_bomb);
	ATF_TP_ADD_TC(tp, deflate_fault_order);
	ATF_TP_ADD_TC(tp, deflate_backpressure);
	return (atf_no_error());
}
