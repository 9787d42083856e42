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
 * The frame decoder: the events it reports must not depend on how the
 * input is cut, nor on payload bytes given back with
 * ws_decoder_unconsume and read again. What it reports must hold
 * together: a payload lies in the input and never passes its frame, a
 * header obeys the rules checked before it is reported.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../worker/worker.h"

#define CUT_WHOLE	0
#define CUT_PIECES	1
#define CUT_GIVE_BACK	2

struct trace {
	struct fuzz_buf	 ev;		/* headers, ends and the error */
	struct fuzz_buf	 payload;	/* all payload bytes, unmasked */
	size_t		 start;		/* of the frame's, in payload */
	int		 error;
};

static void	 record_header(struct trace *, const struct ws_decoder *);
static size_t	 feed(struct ws_decoder *, uint8_t *, size_t,
		    struct trace *, struct fuzz_rng *, int);
static void	 run(const uint8_t *, size_t, uint8_t, int,
		    struct fuzz_rng *, struct trace *);
static void	 check_server_header(const uint8_t *, size_t);

static void
record_header(struct trace *t, const struct ws_decoder *d)
{
	const struct ws_frame	*f = &d->frame;
	uint8_t			 op = f->opcode, b[8];

	FUZZ_CHECK((f->rsv & ~d->rsv_allowed) == 0);
	FUZZ_CHECK(op <= WS_OP_BINARY || (op >= WS_OP_CLOSE &&
	    op <= WS_OP_PONG));
	FUZZ_CHECK(f->len >> 63 == 0);
	if (WS_OP_IS_CONTROL(op))
		FUZZ_CHECK(f->fin && f->rsv == 0 && f->len <= WS_CONTROL_MAX);
	FUZZ_CHECK(d->remain == f->len && d->in_payload);
	b[0] = 'H';
	b[1] = f->fin;
	b[2] = f->rsv;
	b[3] = op;
	memcpy(b + 4, f->mask, 4);
	fuzz_put(&t->ev, b, sizeof(b));
	fuzz_put(&t->ev, &f->len, sizeof(f->len));
	t->start = t->payload.len;
}

/*
 * Decode p[0..len) to the end or to an error. Returns the bytes used,
 * which is all of them unless the frame was refused.
 */
static size_t
feed(struct ws_decoder *d, uint8_t *p, size_t len, struct trace *t,
    struct fuzz_rng *rng, int how)
{
	struct ws_event	 ev;
	size_t		 off = 0, n, back;
	uint64_t	 at;

	while (!t->error) {
		n = ws_decode(d, p + off, len - off, &ev);
		FUZZ_CHECK(n <= len - off);
		off += n;
		switch (ev.type) {
		case WS_EV_NONE:
			FUZZ_CHECK(off == len);
			return (off);
		case WS_EV_ERROR:
			FUZZ_CHECK(ev.code == WS_CLOSE_PROTOCOL &&
			    ev.err > WS_ERR_NONE && ev.err < WS_ERR_MAX &&
			    ev.reason != NULL);
			fuzz_put(&t->ev, "X", 1);
			fuzz_put(&t->ev, &ev.err, sizeof(ev.err));
			t->error = 1;
			break;
		case WS_EV_HEADER:
			FUZZ_CHECK(n > 0);
			record_header(t, d);
			break;
		case WS_EV_PAYLOAD:
			FUZZ_CHECK(ev.len == n && n > 0 && ev.data + n ==
			    p + off);
			back = how == CUT_GIVE_BACK ? fuzz_rand(rng, n + 1) : 0;
			if (back > 0) {
				ws_decoder_unconsume(d, ev.data + n, back);
				off -= back;
			}
			fuzz_put(&t->payload, ev.data, n - back);
			break;
		case WS_EV_END:
			FUZZ_CHECK(n == 0 && d->in_payload == 0);
			at = t->payload.len;
			FUZZ_CHECK(at - t->start == d->frame.len);
			fuzz_put(&t->ev, "E", 1);
			fuzz_put(&t->ev, &at, sizeof(at));
			break;
		}
	}
	return (off);
}

static void
run(const uint8_t *in, size_t len, uint8_t rsv_allowed, int how,
    struct fuzz_rng *rng, struct trace *t)
{
	struct ws_decoder	 d;
	uint8_t			*p;
	size_t			 off, n;

	memset(t, 0, sizeof(*t));
	/* The decoder unmasks in place: each run has its own copy. */
	if ((p = malloc(len + 1)) == NULL)
		abort();
	memcpy(p, in, len);
	ws_decoder_init(&d, rsv_allowed);
	for (off = 0; off < len && !t->error; off += n) {
		n = how == CUT_WHOLE ? len : 1 + fuzz_rand(rng, 16);
		if (n > len - off)
			n = len - off;
		feed(&d, p + off, n, t, rng, how);
	}
	/* All the input in: a frame whose payload is complete ends. */
	if (!t->error)
		feed(&d, p + len, 0, t, rng, how);
	free(p);
}

/* What we send: the shortest length form, read back the same. */
static void
check_server_header(const uint8_t *p, size_t len)
{
	struct ws_decoder	 d;
	struct ws_event		 ev;
	uint8_t			 hdr[WS_HEADER_MAX];
	uint64_t		 plen = 0;
	size_t			 i, hl;

	for (i = 0; i < 8 && i < len; i++)
		plen = plen << 8 | p[i];
	plen >>= len > 0 ? p[0] & 0x3f : 0;
	plen &= ~(1ULL << 63);
	hl = ws_frame_header(hdr, 1, WS_OP_BINARY, plen);
	FUZZ_CHECK(hl == (plen < 126 ? 2U : plen <= 0xffff ? 4U : 10U));
	/* The decoder takes client frames only: mask it. */
	hdr[1] |= 0x80;
	memset(hdr + hl, 0, 4);
	ws_decoder_init(&d, 0);
	FUZZ_CHECK(ws_decode(&d, hdr, hl + 4, &ev) == hl + 4);
	FUZZ_CHECK(ev.type == WS_EV_HEADER && d.frame.len == plen &&
	    d.frame.fin && d.frame.opcode == WS_OP_BINARY);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct trace	 whole, cut;
	struct fuzz_rng	 rng;
	uint8_t		 rsv_allowed;
	int		 how;

	if (len < 1)
		return (0);
	fuzz_seed(&rng, in, len);
	rsv_allowed = in[0] & 0x70;
	check_server_header(in + 1, len - 1);
	run(in + 1, len - 1, rsv_allowed, CUT_WHOLE, &rng, &whole);
	for (how = CUT_PIECES; how <= CUT_GIVE_BACK; how++) {
		run(in + 1, len - 1, rsv_allowed, how, &rng, &cut);
		FUZZ_CHECK(cut.error == whole.error);
		FUZZ_CHECK(cut.ev.len == whole.ev.len &&
		    (cut.ev.len == 0 ||
		    memcmp(cut.ev.p, whole.ev.p, cut.ev.len) == 0));
		FUZZ_CHECK(cut.payload.len == whole.payload.len &&
		    (cut.payload.len == 0 || memcmp(cut.payload.p,
		    whole.payload.p, cut.payload.len) == 0));
		fuzz_buf_free(&cut.ev);
		fuzz_buf_free(&cut.payload);
	}
	fuzz_buf_free(&whole.ev);
	fuzz_buf_free(&whole.payload);
	return (0);
}
