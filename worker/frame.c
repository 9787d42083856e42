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
 * RFC 6455 section 5.2 framing. The decoder works on a buffer, reports
 * one event per call and never looks ahead of what it was given, so a
 * fuzzer can drive it and a 1-byte read costs nothing special.
 */

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "worker.h"

void
ws_decoder_init(struct ws_decoder *d, uint8_t rsv_allowed)
{
	memset(d, 0, sizeof(*d));
	d->rsv_allowed = rsv_allowed;
}

static size_t
ws_error(struct ws_event *ev, enum ws_err err)
{
	ev->type = WS_EV_ERROR;
	ev->code = WS_CLOSE_PROTOCOL;
	ev->err = err;
	ev->reason = ws_err_names[err];
	return (0);
}

/* Total header length once the first two bytes are known. */
static size_t
ws_header_len(const uint8_t *hdr)
{
	size_t	 len = 2;

	if ((hdr[1] & 0x7f) == 126)
		len += 2;
	else if ((hdr[1] & 0x7f) == 127)
		len += 8;
	if (hdr[1] & 0x80)
		len += 4;
	return (len);
}

/* Checks that need only the first two bytes fail as early as they can. */
static int
ws_check_start(struct ws_decoder *d, struct ws_event *ev)
{
	uint8_t	 op = d->hdr[0] & 0x0f, rsv = d->hdr[0] & 0x70;

	if (rsv & ~d->rsv_allowed)
		return (ws_error(ev, WS_ERR_RSV), -1);
	if ((op > WS_OP_BINARY && op < WS_OP_CLOSE) || op > WS_OP_PONG)
		return (ws_error(ev, WS_ERR_OPCODE), -1);
	/* Extensions define RSV1 for messages, never for control frames. */
	if (rsv && WS_OP_IS_CONTROL(op))
		return (ws_error(ev, WS_ERR_RSV), -1);
	if (d->hdrlen < 2)
		return (0);
	if ((d->hdr[1] & 0x80) == 0)
		return (ws_error(ev, WS_ERR_UNMASKED), -1);
	if (WS_OP_IS_CONTROL(op) && ((d->hdr[0] & 0x80) == 0 ||
	    (d->hdr[1] & 0x7f) > WS_CONTROL_MAX))
		return (ws_error(ev, WS_ERR_CONTROL), -1);
	return (0);
}

static size_t
ws_header_done(struct ws_decoder *d, struct ws_event *ev, size_t used)
{
	struct ws_frame	*f = &d->frame;
	const uint8_t	*p = d->hdr + 2;
	int		 i;

	f->fin = d->hdr[0] >> 7;
	f->rsv = d->hdr[0] & 0x70;
	f->opcode = d->hdr[0] & 0x0f;
	f->len = d->hdr[1] & 0x7f;
	if (f->len == 126) {
		f->len = (uint64_t)p[0] << 8 | p[1];
		p += 2;
	} else if (f->len == 127) {
		if (p[0] & 0x80)
			return (ws_error(ev, WS_ERR_LENGTH));
		for (i = 0, f->len = 0; i < 8; i++)
			f->len = f->len << 8 | p[i];
		p += 8;
	}
	memcpy(f->mask, p, 4);
	d->maskpos = 0;
	d->remain = f->len;
	d->in_payload = 1;
	ev->type = WS_EV_HEADER;
	return (used);
}

/*
 * Consume from in[0..len) and report one event. Returns the bytes used;
 * call again while the event is not WS_EV_NONE or WS_EV_ERROR.
 */
size_t
ws_decode(struct ws_decoder *d, uint8_t *in, size_t len,
    struct ws_event *ev)
{
	size_t	 need, n, used = 0;

	memset(ev, 0, sizeof(*ev));
	if (d->in_payload) {
		if (d->remain == 0) {
			d->in_payload = 0;
			d->hdrlen = 0;
			ev->type = WS_EV_END;
			return (0);
		}
		if ((n = len < d->remain ? len : d->remain) == 0)
			return (0);
		ws_unmask(in, n, d->frame.mask, &d->maskpos);
		d->remain -= n;
		ev->type = WS_EV_PAYLOAD;
		ev->data = in;
		ev->len = n;
		return (n);
	}
	while (used < len) {
		need = d->hdrlen < 2 ? 2 : ws_header_len(d->hdr);
		n = need - d->hdrlen;
		if (n > len - used)
			n = len - used;
		memcpy(d->hdr + d->hdrlen, in + used, n);
		d->hdrlen += n;
		used += n;
		if (d->hdrlen <= 2 && ws_check_start(d, ev) == -1)
			return (0);
		if (d->hdrlen >= 2 && d->hdrlen == ws_header_len(d->hdr))
			return (ws_header_done(d, ev, used));
	}
	return (used);
}

/*
 * Give back the last len payload bytes of the previous WS_EV_PAYLOAD,
 * which ended at end: masking is its own inverse, so they are masked
 * again and will come out of the next call as before.
 */
void
ws_decoder_unconsume(struct ws_decoder *d, uint8_t *end, size_t len)
{
	d->maskpos = (d->maskpos - (len & 3)) & 3;
	ws_unmask(end - len, len, d->frame.mask, &d->maskpos);
	d->maskpos = (d->maskpos - (len & 3)) & 3;
	d->remain += len;
}

/* A server frame header: unmasked, the shortest length encoding. */
size_t
ws_frame_header(uint8_t *out, int fin, uint8_t opcode, uint64_t len)
{
	int	 i;

	out[0] = (fin ? 0x80 : 0) | opcode;
	if (len < 126) {
		out[1] = len;
		return (2);
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = len >> 8;
		out[3] = len;
		return (4);
	}
	out[1] = 127;
	for (i = 0; i < 8; i++)
		out[2 + i] = len >> (56 - i * 8);
	return (10);
}

/* XOR with the mask, eight bytes at a time; *pos carries the phase. */
void
ws_unmask(uint8_t *p, size_t len, const uint8_t mask[4], uint8_t *pos)
{
	uint8_t		 m[8];
	uint64_t	 m64, w;
	size_t		 i;

	for (i = 0; i < 8; i++)
		m[i] = mask[(*pos + i) & 3];
	memcpy(&m64, m, sizeof(m64));
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, sizeof(w));
		w ^= m64;
		memcpy(p + i, &w, sizeof(w));
	}
	for (; i < len; i++)
		p[i] ^= m[i & 7];
	*pos = (*pos + len) & 3;
}
