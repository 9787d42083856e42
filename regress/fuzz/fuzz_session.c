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
 * The echo engine (worker/session.c) on hostile bytes, as the worker
 * drives it: input in pieces, what was not used fed again, output
 * drained in bits. The first two bytes choose the setting: with or
 * without permessage-deflate and its parameters as extension.c can
 * agree them, small limits, and the high-water mark.
 *
 * Checked: what the server sends is well-formed framing (unmasked,
 * shortest lengths, RSV1 only where it belongs, whole control frames,
 * nothing after the close, compressed messages that inflate within the
 * agreed window); each message it echoes whole is the client's message
 * of that rank, within the limit and, for text, valid UTF-8; the engine
 * always makes progress and leaves nothing waiting once all is read;
 * and cutting the input another way changes none of it.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "../../worker/worker.h"

#define CFG_LEN		2
#define MAX_MSGS	64	/* messages compared; the rest are counted */

struct setting {
	struct ws_limits		 lim;
	struct ws_deflate_params	 dp;
	size_t				 highwater;
};

struct msg {
	uint8_t		 op;
	struct fuzz_buf	 data;
};

struct result {
	struct msg	 m[MAX_MSGS];
	size_t		 n;		/* whole messages, all counted */
	uint16_t	 close;		/* ours: 0 none, 1005 empty */
	uint8_t		 state, err;
	uint64_t	 msgs_in, msgs_out;
};

static void	 setting(const uint8_t *, struct setting *);
static int	 zinflate(z_stream *, const uint8_t *, size_t,
		    struct fuzz_buf *);
static void	 add_msg(struct result *, uint8_t, const uint8_t *, size_t);
static void	 result_free(struct result *);
static int	 close_code_valid(uint16_t);
static void	 check_output(const struct setting *, const uint8_t *,
		    size_t, struct result *);
static void	 drain(struct ws_session *, size_t, struct fuzz_buf *);
static void	 run(const struct setting *, const uint8_t *, size_t,
		    struct fuzz_rng *, struct result *);
static void	 reference(const struct setting *, const uint8_t *, size_t,
		    struct result *);
static void	 check_prefix(const struct result *, const struct result *,
		    int);

static const uint64_t	 max_messages[8] = {
	125, 126, 200, 1000, 4096, 65536, 70000, 1024 * 1024
};
static const uint32_t	 max_frags[8] = { 1, 2, 3, 5, 8, 64, 1000, 65536 };
static const size_t	 highwaters[4] = { 1, 100, 20000, 64 * 1024 };

/*
 * cfg[0]: deflate, client_no_context_takeover and both windows;
 * cfg[1]: max message, max fragments and the high-water mark.
 */
static void
setting(const uint8_t *cfg, struct setting *st)
{
	memset(st, 0, sizeof(*st));
	st->dp.enabled = cfg[0] & 0x01;
	st->dp.server_no_context_takeover = 1;	/* as extension.c answers */
	st->dp.client_no_context_takeover = (cfg[0] >> 1) & 1;
	st->dp.client_max_window_bits = 8 + ((cfg[0] >> 2) & 7);
	st->dp.server_max_window_bits = 9 + ((cfg[0] >> 5) & 7) % 7;
	st->lim.max_message = max_messages[cfg[1] & 7];
	st->lim.max_fragments = max_frags[(cfg[1] >> 3) & 7];
	st->highwater = highwaters[cfg[1] >> 6];
}

/* Raw inflate of a whole message, the stripped sync marker put back. */
static int
zinflate(z_stream *z, const uint8_t *in, size_t len, struct fuzz_buf *out)
{
	static const uint8_t	 sync[4] = { 0x00, 0x00, 0xff, 0xff };
	uint8_t			 buf[16 * 1024];
	int			 pass, rv;

	for (pass = 0; pass < 2; pass++) {
		z->next_in = (Bytef *)(uintptr_t)(pass ? sync : in);
		z->avail_in = pass ? sizeof(sync) : len;
		do {
			z->next_out = buf;
			z->avail_out = sizeof(buf);
			rv = inflate(z, Z_SYNC_FLUSH);
			if (rv != Z_OK && rv != Z_BUF_ERROR)
				return (-1);
			fuzz_put(out, buf, sizeof(buf) - z->avail_out);
			/* No bomb here: the engine never echoes more. */
			if (out->len > 2 * 1024 * 1024)
				return (-1);
		} while (z->avail_out == 0);
		if (z->avail_in != 0)
			return (-1);
	}
	return (0);
}

static void
add_msg(struct result *r, uint8_t op, const uint8_t *p, size_t len)
{
	if (r->n < MAX_MSGS) {
		r->m[r->n].op = op;
		memset(&r->m[r->n].data, 0, sizeof(r->m[r->n].data));
		fuzz_put(&r->m[r->n].data, p, len);
	}
	r->n++;
}

static void
result_free(struct result *r)
{
	size_t	 i;

	for (i = 0; i < r->n && i < MAX_MSGS; i++)
		fuzz_buf_free(&r->m[i].data);
	r->n = 0;
}

/* RFC 6455 section 7.4: the codes an endpoint may send. */
static int
close_code_valid(uint16_t code)
{
	if (code >= 3000 && code <= 4999)
		return (1);
	return (code >= 1000 && code <= 1014 && code != 1004 &&
	    code != 1005 && code != 1006);
}

/* Parse and judge what the server sent; whole messages go to r. */
static void
check_output(const struct setting *st, const uint8_t *p, size_t len,
    struct result *r)
{
	struct fuzz_buf	 msg = { 0 }, plain = { 0 };
	z_stream	 z;
	uint64_t	 plen;
	size_t		 off = 0, hl;
	uint8_t		 op, rsv, fin, open_op = 0, open_z = 0;
	int		 k, closed = 0, complete;

	memset(&z, 0, sizeof(z));
	FUZZ_CHECK(inflateInit2(&z, -st->dp.server_max_window_bits) == Z_OK);
	while (off < len) {
		FUZZ_CHECK(!closed);
		FUZZ_CHECK(len - off >= 2);
		fin = p[off] & 0x80;
		rsv = p[off] & 0x70;
		op = p[off] & 0x0f;
		FUZZ_CHECK((p[off + 1] & 0x80) == 0);
		plen = p[off + 1] & 0x7f;
		hl = 2;
		if (plen == 126) {
			FUZZ_CHECK(len - off >= 4);
			plen = (uint64_t)p[off + 2] << 8 | p[off + 3];
			FUZZ_CHECK(plen >= 126);
			hl = 4;
		} else if (plen == 127) {
			FUZZ_CHECK(len - off >= 10);
			for (k = 0, plen = 0; k < 8; k++)
				plen = plen << 8 | p[off + 2 + k];
			FUZZ_CHECK(plen > 0xffff);
			hl = 10;
		}
		off += hl;
		FUZZ_CHECK(plen <= len - off);
		if (WS_OP_IS_CONTROL(op)) {
			FUZZ_CHECK(fin && rsv == 0 && plen <= WS_CONTROL_MAX);
			/* We only answer: pongs and one close. */
			FUZZ_CHECK(op == WS_OP_PONG || op == WS_OP_CLOSE);
			if (op == WS_OP_CLOSE) {
				FUZZ_CHECK(plen == 0 || plen == 2);
				r->close = plen == 0 ? WS_CLOSE_NO_STATUS :
				    p[off] << 8 | p[off + 1];
				FUZZ_CHECK(plen == 0 ||
				    close_code_valid(r->close));
				closed = 1;
			}
			off += plen;
			continue;
		}
		if (op == WS_OP_CONT) {
			FUZZ_CHECK(open_op != 0 && rsv == 0);
		} else {
			FUZZ_CHECK(op == WS_OP_TEXT || op == WS_OP_BINARY);
			FUZZ_CHECK(open_op == 0);
			FUZZ_CHECK(rsv == 0 || (rsv == 0x40 && st->dp.enabled));
			open_op = op;
			open_z = rsv != 0;
			msg.len = 0;
		}
		fuzz_put(&msg, p + off, plen);
		off += plen;
		if (!fin)
			continue;
		plain.len = 0;
		if (open_z) {
			FUZZ_CHECK(inflateReset(&z) == Z_OK);
			FUZZ_CHECK(zinflate(&z, msg.p, msg.len, &plain) == 0);
		} else
			fuzz_put(&plain, msg.p, msg.len);
		FUZZ_CHECK(plain.len <= st->lim.max_message);
		if (open_op == WS_OP_TEXT)
			FUZZ_CHECK(fuzz_utf8_ref(plain.p, plain.len,
			    &complete) == -1 && complete);
		add_msg(r, open_op, plain.p, plain.len);
		open_op = 0;
	}
	inflateEnd(&z);
	fuzz_buf_free(&msg);
	fuzz_buf_free(&plain);
}

/* What a writer that got n bytes out would take from the chain. */
static void
drain(struct ws_session *s, size_t n, struct fuzz_buf *out)
{
	struct wbuf	*b;
	size_t		 total = 0, k, left = n;

	for (b = s->out.head; b != NULL; b = b->next) {
		FUZZ_CHECK(b->off <= b->len && b->len <= WBUF_SIZE);
		total += b->len - b->off;
		k = b->len - b->off < left ? b->len - b->off : left;
		fuzz_put(out, b->data + b->off, k);
		left -= k;
	}
	FUZZ_CHECK(total == s->out.len);
	FUZZ_CHECK(n <= total);
	wchain_consume(&s->out, n);
	FUZZ_CHECK(s->out.len == total - n);
}

/*
 * One connection over in[0..len): whole with no high-water mark when
 * rng is NULL, else in random pieces with the setting's mark, the
 * unused rest fed again after the writer made room, as worker.c does.
 */
static void
run(const struct setting *st, const uint8_t *in, size_t len,
    struct fuzz_rng *rng, struct result *r)
{
	struct ws_session	 s;
	struct fuzz_buf		 out = { 0 };
	uint8_t			*p, none[1];
	size_t			 hw = rng ? st->highwater : SIZE_MAX;
	size_t			 pos = 0, end = 0, used, before, outlen;
	uint32_t		 cap;
	uint8_t			 state;

	memset(r, 0, sizeof(*r));
	/* Pieces of up to 1, 2, 4 ... 2048 bytes: small ones often. */
	cap = rng ? 1U << fuzz_rand(rng, 12) : 0;
	if ((p = malloc(len + 1)) == NULL)
		abort();
	memcpy(p, in, len);	/* unmasked in place */
	FUZZ_CHECK(ws_session_init(&s, &st->lim, &st->dp) == 0);
	while (end < len) {
		end += rng ? 1 + fuzz_rand(rng, cap) : len;
		if (end > len)
			end = len;
		while (pos < end) {
			before = s.out.len;
			state = s.state;
			used = ws_session_input(&s, p + pos, end - pos, hw);
			FUZZ_CHECK(used <= end - pos);
			if (before < hw)
				FUZZ_CHECK(used > 0 || s.out.len > before ||
				    s.state != state);
			pos += used;
			if (s.state == WS_CLOSED)
				FUZZ_CHECK(pos == end);
			/* The writer catches up when reading stopped. */
			drain(&s, used == 0 || !rng ? s.out.len :
			    fuzz_rand(rng, s.out.len + 1), &out);
		}
	}
	/* All was read: nothing may wait for input that will not come. */
	outlen = s.out.len + out.len;
	used = ws_session_input(&s, none, 0, SIZE_MAX);
	FUZZ_CHECK(used == 0 && s.out.len + out.len == outlen);
	drain(&s, s.out.len, &out);
	FUZZ_CHECK(s.bytes_out == out.len);
	FUZZ_CHECK(s.bytes_in <= len);
	FUZZ_CHECK(s.msgs_in == s.msgs_out);
	/* Our deflate never fails: that would be our fault, not the peer's. */
	FUZZ_CHECK(!(s.err == WS_ERR_INFLATE &&
	    s.close_sent == WS_CLOSE_PROTOCOL));
	check_output(st, out.p, out.len, r);
	FUZZ_CHECK(r->close == s.close_sent);
	FUZZ_CHECK(r->n == s.msgs_out);
	r->state = s.state;
	r->err = s.err;
	r->msgs_in = s.msgs_in;
	r->msgs_out = s.msgs_out;
	ws_session_free(&s);
	fuzz_buf_free(&out);
	free(p);
}

/*
 * The client's messages as a plain reading of RFC 6455 and RFC 7692
 * finds them, up to the first frame it does not like (it is lenient on
 * UTF-8 and limits, which only the engine enforces) or the close.
 */
static void
reference(const struct setting *st, const uint8_t *p, size_t len,
    struct result *r)
{
	struct fuzz_buf	 msg = { 0 }, plain = { 0 };
	z_stream	 z;
	uint64_t	 plen;
	size_t		 off = 0, hl, i;
	uint8_t		 b0, fin, op, rsv, open_op = 0, open_z = 0;
	const uint8_t	*mask;
	int		 k;

	memset(r, 0, sizeof(*r));
	memset(&z, 0, sizeof(z));
	/* The widest window: see LLVMFuzzerTestOneInput. */
	FUZZ_CHECK(inflateInit2(&z, -15) == Z_OK);
	while (len - off >= 2 && (p[off + 1] & 0x80)) {
		fin = p[off] & 0x80;
		rsv = p[off] & 0x70;
		op = p[off] & 0x0f;
		plen = p[off + 1] & 0x7f;
		hl = 2 + (plen == 126 ? 2 : plen == 127 ? 8 : 0) + 4;
		if (len - off < hl)
			break;
		if (plen == 126)
			plen = (uint64_t)p[off + 2] << 8 | p[off + 3];
		else if (plen == 127)
			for (k = 0, plen = 0; k < 8; k++)
				plen = plen << 8 | p[off + 2 + k];
		mask = p + off + hl - 4;
		if (plen > len - off - hl || (rsv & ~0x40) != 0 ||
		    (rsv != 0 && !st->dp.enabled) ||
		    (op > WS_OP_BINARY && op < WS_OP_CLOSE) || op > WS_OP_PONG)
			break;
		off += hl;
		if (WS_OP_IS_CONTROL(op)) {
			if (!fin || rsv != 0 || plen > WS_CONTROL_MAX)
				break;
			if (op == WS_OP_CLOSE) {
				r->close = plen < 2 ? WS_CLOSE_NO_STATUS :
				    (p[off] ^ mask[0]) << 8 |
				    (p[off + 1] ^ mask[1]);
				break;
			}
			off += plen;
			continue;
		}
		if (op == WS_OP_CONT && (open_op == 0 || rsv != 0))
			break;
		if (op != WS_OP_CONT) {
			if (open_op != 0)
				break;
			open_op = op;
			open_z = rsv != 0;
			msg.len = 0;
		}
		for (i = 0; i < plen; i++) {
			b0 = p[off + i] ^ mask[i & 3];
			fuzz_put(&msg, &b0, 1);
		}
		off += plen;
		if (!fin)
			continue;
		plain.len = 0;
		if (!open_z)
			fuzz_put(&plain, msg.p, msg.len);
		else if (zinflate(&z, msg.p, msg.len, &plain) == -1)
			break;
		if (open_z && st->dp.client_no_context_takeover)
			FUZZ_CHECK(inflateReset(&z) == Z_OK);
		add_msg(r, open_op, plain.p, plain.len);
		open_op = 0;
	}
	inflateEnd(&z);
	fuzz_buf_free(&msg);
	fuzz_buf_free(&plain);
}

/* The messages of a are those of b, or the first of them when !equal. */
static void
check_prefix(const struct result *a, const struct result *b, int equal)
{
	size_t	 i;

	FUZZ_CHECK(a->n <= b->n);
	if (equal)
		FUZZ_CHECK(a->n == b->n);
	for (i = 0; i < a->n && i < MAX_MSGS; i++) {
		FUZZ_CHECK(a->m[i].op == b->m[i].op);
		FUZZ_CHECK(a->m[i].data.len == b->m[i].data.len);
		FUZZ_CHECK(a->m[i].data.len == 0 || memcmp(a->m[i].data.p,
		    b->m[i].data.p, a->m[i].data.len) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct setting	 st;
	struct result	 ref, whole, cut;
	struct result	*few, *many;
	struct fuzz_rng	 rng;

	if (len < CFG_LEN)
		return (0);
	fuzz_seed(&rng, in, len);
	setting(in, &st);
	in += CFG_LEN;
	len -= CFG_LEN;

	reference(&st, in, len, &ref);
	run(&st, in, len, NULL, &whole);
	/* Without a fault of the client's, every message came back. */
	check_prefix(&whole, &ref, whole.err == WS_ERR_NONE);
	if (whole.err == WS_ERR_NONE)
		FUZZ_CHECK(whole.close == ref.close);

	/*
	 * zlib checks a distance against its window plus what the same
	 * call put out, so a client that passes the window it agreed to
	 * may get through or not depending on where its bytes were cut.
	 * Only the full 15-bit window leaves no such gap.
	 */
	run(&st, in, len, &rng, &cut);
	if (st.dp.enabled && st.dp.client_max_window_bits < 15 &&
	    (cut.err == WS_ERR_INFLATE || whole.err == WS_ERR_INFLATE)) {
		few = cut.n <= whole.n ? &cut : &whole;
		many = few == &cut ? &whole : &cut;
		check_prefix(few, many, 0);
		FUZZ_CHECK(few->n == many->n || few->err == WS_ERR_INFLATE);
	} else {
		check_prefix(&cut, &whole, 1);
		FUZZ_CHECK(cut.close == whole.close &&
		    cut.state == whole.state && cut.err == whole.err &&
		    cut.msgs_in == whole.msgs_in);
	}

	result_free(&ref);
	result_free(&whole);
	result_free(&cut);
	return (0);
}
