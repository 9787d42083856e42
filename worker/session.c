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
 * The echo engine of one connection (RFC 6455 sections 5 and 7, RFC 7692).
 *
 * Bytes are echoed as soon as they are validated: each chunk of payload
 * that arrives goes out at once as a complete frame of its own (the first
 * with the message's opcode, the rest as continuations, FIN on the last),
 * so a close frame can follow at any point without breaking the framing,
 * and memory is bounded by the output high-water mark, not by messages.
 * A compressed message is inflated and compressed again in steps of
 * ZSTEP bytes, and its size limit is checked on the inflated bytes as
 * they appear.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "worker.h"

#define ZSTEP		(16 * 1024)
/* Deflate output for ZSTEP input: stored blocks, flush, held tail. */
#define ZOUT_SIZE	(ZSTEP + ZSTEP / 8 + 1024)

/*
 * A step of a compressed message, inflated and then compressed again.
 * No session keeps it between calls, so one serves them all.
 */
struct ws_zbuf {
	uint8_t	 in[ZSTEP];
	uint8_t	 out[ZOUT_SIZE];
};

static struct ws_zbuf	 zbuf;

int
ws_session_init(struct ws_session *s, const struct ws_limits *lim,
    const struct ws_deflate_params *dp)
{
	memset(s, 0, sizeof(*s));
	s->lim = lim;
	ws_decoder_init(&s->dec, dp != NULL && dp->enabled ? 0x40 : 0);
	if (dp != NULL && dp->enabled && (s->pmd = pmd_new(dp)) == NULL)
		return (-1);
	return (0);
}

void
ws_session_free(struct ws_session *s)
{
	wchain_free(&s->out);
	pmd_free(s->pmd);
	free(s->ctl);
	s->pmd = NULL;
	s->ctl = NULL;
}

/*
 * Nothing in flight: no frame or message begun, nothing to send, no
 * ping awaiting its pong, no compression context. Such a session can be
 * freed and made fresh later; only its counts would differ.
 */
int
ws_session_idle(const struct ws_session *s)
{
	return (s->state == WS_OPEN && s->pmd == NULL && s->out.head == NULL &&
	    s->msg_op == 0 && !s->dec.in_payload && s->dec.hdrlen == 0 &&
	    s->ping_len == 0 && !s->answered && !s->activity);
}

static void
ws_out_frame(struct ws_session *s, int fin, uint8_t op, const uint8_t *data,
    size_t len)
{
	uint8_t	 hdr[WS_HEADER_MAX];
	size_t	 hlen;

	hlen = ws_frame_header(hdr, fin, op, len);
	wchain_append(&s->out, hdr, hlen);
	if (len)
		wchain_append(&s->out, data, len);
	s->bytes_out += hlen + len;
}

/* Send our close (once); what the client sends after it is discarded. */
void
ws_session_close(struct ws_session *s, uint16_t code, enum ws_err err)
{
	uint8_t	 payload[2];

	if (s->state != WS_OPEN)
		return;
	if (err != WS_ERR_NONE && s->err == WS_ERR_NONE)
		s->err = err;
	s->close_sent = code;
	s->state = s->close_rcvd ? WS_CLOSED : WS_CLOSE_SENT;
	if (code == WS_CLOSE_NO_STATUS) {
		ws_out_frame(s, 1, WS_OP_CLOSE, NULL, 0);
		return;
	}
	payload[0] = code >> 8;
	payload[1] = code & 0xff;
	ws_out_frame(s, 1, WS_OP_CLOSE, payload, sizeof(payload));
}

/*
 * A keepalive ping. Its pong must carry the same payload: a pong proves
 * that the client read everything sent before the ping, which no
 * unsolicited pong or other frame does.
 */
void
ws_session_ping(struct ws_session *s, const uint8_t *tag, size_t len)
{
	if (s->state != WS_OPEN || len > sizeof(s->ping_tag))
		return;
	memcpy(s->ping_tag, tag, len);
	s->ping_len = len;
	s->answered = 0;
	ws_out_frame(s, 1, WS_OP_PING, tag, len);
}

/* An echo fragment: the message's opcode first, continuations after. */
static void
ws_echo(struct ws_session *s, int fin, const uint8_t *data, size_t len,
    int rsv1)
{
	uint8_t	 op = s->out_started ? WS_OP_CONT : s->msg_op;

	if (rsv1 && !s->out_started)
		op |= 0x40;
	ws_out_frame(s, fin, op, data, len);
	s->out_started = 1;
	if (fin) {
		s->out_started = 0;
		s->msgs_out++;
	}
}

static int
ws_close_code_valid(uint16_t code)
{
	if (code >= 3000 && code <= 4999)
		return (1);
	return (code >= 1000 && code <= 1014 && code != 1004 &&
	    code != 1005 && code != 1006);
}

/* The client's close: echo a valid status code, else fail. */
static void
ws_on_close(struct ws_session *s)
{
	uint16_t	 code;

	if (s->ctllen == 0) {
		s->close_rcvd = WS_CLOSE_NO_STATUS;
		ws_session_close(s, WS_CLOSE_NO_STATUS, WS_ERR_NONE);
		s->state = WS_CLOSED;
		return;
	}
	code = (uint16_t)s->ctl[0] << 8 | s->ctl[1];
	s->close_rcvd = s->ctllen == 1 ? WS_CLOSE_PROTOCOL : code;
	if (s->ctllen == 1 || !ws_close_code_valid(code))
		ws_session_close(s, WS_CLOSE_PROTOCOL, WS_ERR_CLOSE_PAYLOAD);
	else if (utf8_validate(UTF8_ACCEPT, s->ctl + 2, s->ctllen - 2) !=
	    UTF8_ACCEPT)
		ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_UTF8);
	else
		ws_session_close(s, code, WS_ERR_NONE);
	s->state = WS_CLOSED;
}

static int
ws_on_header(struct ws_session *s, const struct ws_frame *f)
{
	s->activity = 1;
	if (WS_OP_IS_CONTROL(f->opcode)) {
		s->ctllen = 0;
		if (s->ctl == NULL && f->len > 0 &&
		    (s->ctl = malloc(WS_CONTROL_MAX)) == NULL)
			fatal("%s", __func__);
		return (0);
	}
	if (s->state != WS_OPEN)
		return (0);
	if (f->opcode == WS_OP_CONT) {
		if (s->msg_op == 0) {
			ws_session_close(s, WS_CLOSE_PROTOCOL,
			    WS_ERR_CONTINUATION);
			return (-1);
		}
		if (f->rsv) {
			/* RSV1 marks only the first frame of a message. */
			ws_session_close(s, WS_CLOSE_PROTOCOL, WS_ERR_RSV);
			return (-1);
		}
	} else {
		if (s->msg_op != 0) {
			ws_session_close(s, WS_CLOSE_PROTOCOL, WS_ERR_NESTED);
			return (-1);
		}
		s->msg_op = f->opcode;
		s->msg_deflate = (f->rsv & 0x40) != 0;
		s->msg_len = 0;
		s->msg_wire = 0;
		s->msg_frags = 0;
		s->utf8 = UTF8_ACCEPT;
	}
	if (++s->msg_frags > s->lim->max_fragments) {
		ws_session_close(s, WS_CLOSE_TOO_BIG, WS_ERR_FRAGMENTS);
		return (-1);
	}
	/*
	 * The limit holds for the bytes on the wire as well: uncompressed,
	 * it is known before the payload is read; compressed, it also stops
	 * a stream of empty blocks that would never grow the message.
	 */
	if (f->len > s->lim->max_message - s->msg_wire) {
		ws_session_close(s, WS_CLOSE_TOO_BIG, WS_ERR_TOO_BIG);
		return (-1);
	}
	s->msg_wire += f->len;
	return (0);
}

/* Inflated or plain message bytes: count, check, and pass on. */
static int
ws_message_bytes(struct ws_session *s, const uint8_t *p, size_t len)
{
	uint64_t	 room = s->lim->max_message - s->msg_len;

	/*
	 * The first byte at fault decides, as it would had the bytes come
	 * in smaller steps: the text within the limit is checked first.
	 */
	if (s->msg_op == WS_OP_TEXT && (s->utf8 = utf8_validate(s->utf8, p,
	    len < room ? len : room)) == UTF8_REJECT) {
		ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_UTF8);
		return (-1);
	}
	if (len > room) {
		ws_session_close(s, WS_CLOSE_TOO_BIG, WS_ERR_TOO_BIG);
		return (-1);
	}
	s->msg_len += len;
	return (0);
}

/* Compress inflated bytes and send what deflate gives as a fragment. */
static int
ws_recompress(struct ws_session *s, const uint8_t *p, size_t len, int final)
{
	size_t	 n;

	if (pmd_deflate(s->pmd, p, len, final, zbuf.out, sizeof(zbuf.out),
	    &n) == -1) {
		ws_session_close(s, WS_CLOSE_PROTOCOL, WS_ERR_INFLATE);
		return (-1);
	}
	if (n > 0 || final)
		ws_echo(s, final, zbuf.out, n, 1);
	return (0);
}

/*
 * Compressed payload: inflate in steps, stopping at the high-water mark.
 * Returns how many of the len bytes were used; the rest is given back.
 */
static size_t
ws_inflate_payload(struct ws_session *s, const uint8_t *data, size_t len,
    size_t highwater)
{
	const uint8_t	*in = data;
	size_t		 inlen = len, n = 0;
	int		 rv;

	while (s->state == WS_OPEN && (inlen > 0 || n == sizeof(zbuf.in))) {
		if (s->out.len >= highwater && inlen > 0)
			break;
		rv = pmd_inflate(s->pmd, &in, &inlen, zbuf.in, sizeof(zbuf.in),
		    &n);
		/*
		 * What came out before bad data is judged first, as it
		 * would have been had the bad data come in a later read.
		 */
		if (n > 0 && ws_message_bytes(s, zbuf.in, n) == -1)
			return (len);
		if (rv == -1) {
			ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_INFLATE);
			return (len);
		}
		if (n == 0)
			break;
		if (ws_recompress(s, zbuf.in, n, 0) == -1)
			return (len);
	}
	return (len - inlen);
}

/* The last frame of a compressed message ended: flush both streams. */
static void
ws_inflate_end(struct ws_session *s)
{
	size_t	 n;
	int	 done = 0;

	while (!done && s->state == WS_OPEN) {
		if (pmd_inflate_finish(s->pmd, zbuf.in, sizeof(zbuf.in), &n,
		    &done) == -1) {
			ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_INFLATE);
			return;
		}
		if (n > 0 && (ws_message_bytes(s, zbuf.in, n) == -1 ||
		    ws_recompress(s, zbuf.in, n, 0) == -1))
			return;
	}
	if (s->state != WS_OPEN)
		return;
	if (s->msg_op == WS_OP_TEXT && s->utf8 != UTF8_ACCEPT) {
		ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_UTF8);
		return;
	}
	ws_recompress(s, NULL, 0, 1);
}

static void
ws_message_end(struct ws_session *s)
{
	if (s->msg_op == WS_OP_TEXT && s->utf8 != UTF8_ACCEPT) {
		ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_UTF8);
		return;
	}
	s->msgs_in++;
	s->msg_op = 0;
	if (s->msg_deflate)
		pmd_message_done(s->pmd);
	s->msg_deflate = 0;
}

/*
 * A data frame's payload chunk. Returns the bytes used of len (less
 * only when a compressed message met the high-water mark).
 */
static size_t
ws_on_payload(struct ws_session *s, const struct ws_frame *f, uint8_t *data,
    size_t len, size_t highwater)
{
	size_t	 used;

	if (s->state != WS_OPEN)
		return (len);
	if (s->msg_deflate) {
		used = ws_inflate_payload(s, data, len, highwater);
		if (s->state == WS_OPEN && used == len && s->dec.remain == 0 &&
		    f->fin)
			ws_inflate_end(s);
		return (used);
	}
	if (ws_message_bytes(s, data, len) == -1)
		return (len);
	/* UTF-8 is checked at the end of the message, not of a chunk. */
	if (f->fin && s->dec.remain == 0 && s->msg_op == WS_OP_TEXT &&
	    s->utf8 != UTF8_ACCEPT) {
		ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_UTF8);
		return (len);
	}
	ws_echo(s, f->fin && s->dec.remain == 0, data, len, 0);
	return (len);
}

static void
ws_on_end(struct ws_session *s, const struct ws_frame *f)
{
	switch (f->opcode) {
	case WS_OP_PING:
		if (s->state == WS_OPEN)
			ws_out_frame(s, 1, WS_OP_PONG, s->ctl, s->ctllen);
		return;
	case WS_OP_PONG:
		if (s->ping_len != 0 && s->ctllen == s->ping_len &&
		    memcmp(s->ctl, s->ping_tag, s->ping_len) == 0) {
			s->ping_len = 0;
			s->answered = 1;
		}
		return;
	case WS_OP_CLOSE:
		ws_on_close(s);
		return;
	}
	/* An empty data frame has had no chunk to carry it. */
	if (s->state == WS_OPEN && f->len == 0) {
		if (s->msg_deflate) {
			if (f->fin)
				ws_inflate_end(s);
		} else if (f->fin && s->msg_op == WS_OP_TEXT &&
		    s->utf8 != UTF8_ACCEPT)
			ws_session_close(s, WS_CLOSE_BAD_DATA, WS_ERR_UTF8);
		else
			ws_echo(s, f->fin, NULL, 0, 0);
	}
	if (f->fin && s->state == WS_OPEN)
		ws_message_end(s);
}

/*
 * Feed client bytes. Stops early once the output passes highwater (the
 * caller keeps the rest and feeds it again later). Returns bytes used.
 */
size_t
ws_session_input(struct ws_session *s, uint8_t *data, size_t len,
    size_t highwater)
{
	const struct ws_frame	*f = &s->dec.frame;
	struct ws_event		 ev;
	size_t			 off = 0, n, used;

	while (s->state != WS_CLOSED) {
		/* A frame whose payload is all in still ends here. */
		if (s->out.len >= highwater && s->state == WS_OPEN &&
		    !(s->dec.in_payload && s->dec.remain == 0))
			break;
		n = ws_decode(&s->dec, data + off, len - off, &ev);
		off += n;
		switch (ev.type) {
		case WS_EV_NONE:
			s->bytes_in += off;
			return (off);
		case WS_EV_ERROR:
			if (s->state == WS_OPEN)
				ws_session_close(s, ev.code, ev.err);
			s->state = WS_CLOSED;
			break;
		case WS_EV_HEADER:
			ws_on_header(s, f);
			break;
		case WS_EV_PAYLOAD:
			if (WS_OP_IS_CONTROL(f->opcode)) {
				memcpy(s->ctl + s->ctllen, ev.data, ev.len);
				s->ctllen += ev.len;
				break;
			}
			used = ws_on_payload(s, f, ev.data, ev.len, highwater);
			if (used < ev.len) {
				ws_decoder_unconsume(&s->dec, ev.data + ev.len,
				    ev.len - used);
				off -= ev.len - used;
			}
			break;
		case WS_EV_END:
			ws_on_end(s, f);
			break;
		}
	}
	/* After both closes nothing more is read. */
	if (s->state == WS_CLOSED)
		off = len;
	s->bytes_in += off;
	return (off);
}
