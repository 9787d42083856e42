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

#ifndef WORKER_H
#define WORKER_H

#include <sys/types.h>

#include <stdint.h>

#include "../common/wsd.h"

/* RFC 6455 section 5.2 */
#define WS_OP_CONT		0x0
#define WS_OP_TEXT		0x1
#define WS_OP_BINARY		0x2
#define WS_OP_CLOSE		0x8
#define WS_OP_PING		0x9
#define WS_OP_PONG		0xa
#define WS_OP_IS_CONTROL(op)	((op) & 0x8)
#define WS_CONTROL_MAX		125
#define WS_HEADER_MAX		14	/* 2 + 8 length + 4 mask */

/* Close codes, RFC 6455 section 7.4.1 */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_NO_STATUS	1005

enum ws_event_type {
	WS_EV_NONE,		/* all input consumed, nothing to report */
	WS_EV_HEADER,		/* a frame header is complete */
	WS_EV_PAYLOAD,		/* payload bytes, unmasked in place */
	WS_EV_END,		/* the frame's payload is complete */
	WS_EV_ERROR		/* protocol violation: close with code */
};

struct ws_frame {
	uint8_t		 fin;
	uint8_t		 rsv;		/* RSV1-3 as bits 0x70 */
	uint8_t		 opcode;
	uint8_t		 masked;
	uint8_t		 mask[4];
	uint64_t	 len;
};

/*
 * An incremental decoder: it keeps what it needs to resume at any byte
 * boundary, so however the input is split the events are the same.
 */
struct ws_decoder {
	uint8_t		 in_payload;
	uint8_t		 hdrlen;	/* header bytes collected */
	uint8_t		 hdr[WS_HEADER_MAX];
	uint8_t		 maskpos;
	uint8_t		 rsv_allowed;	/* bits a negotiated extension uses */
	uint64_t	 remain;	/* payload bytes left in the frame */
	struct ws_frame	 frame;
};

struct ws_event {
	enum ws_event_type	 type;
	uint8_t			*data;		/* WS_EV_PAYLOAD */
	size_t			 len;
	uint16_t		 code;		/* WS_EV_ERROR */
	const char		*reason;
};

/* frame.c */
void		 ws_decoder_init(struct ws_decoder *, uint8_t);
size_t		 ws_decode(struct ws_decoder *, uint8_t *, size_t,
		    struct ws_event *);
size_t		 ws_frame_header(uint8_t *, int, uint8_t, uint64_t);
void		 ws_unmask(uint8_t *, size_t, const uint8_t[4], uint8_t *);

/* worker.c */
__dead void	 worker_main(unsigned int, int, int);

#endif /* WORKER_H */
