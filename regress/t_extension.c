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
 * Sec-WebSocket-Extensions: which permessage-deflate offer is taken,
 * with what parameters and what answer, and what fails the handshake.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdio.h>
#include <string.h>

#include "../handshake/handshake.h"

#define RESP		"Sec-WebSocket-Extensions: permessage-deflate; " \
			"server_no_context_takeover"
#define DECLINED	-2	/* valid header, no offer taken */

struct ext_case {
	const char	*field[2];	/* header values, NULL for none */
	int		 allow;
	int		 rv;		/* 0, -1, or DECLINED (rv 0) */
	int		 cnct;
	int		 smwb, cmwb;
	const char	*resp;		/* after RESP, before CRLF */
};

static const struct ext_case cases[] = {
	{ { NULL }, 1, DECLINED, 0, 0, 0, NULL },
	{ { "permessage-deflate" }, 1, 0, 0, 15, 15, "" },
	{ { "permessage-deflate; client_max_window_bits" }, 1, 0, 0, 15, 12,
	    "; client_max_window_bits=12" },
	{ { "permessage-deflate; client_max_window_bits=10" }, 1, 0, 0, 15,
	    10, "; client_max_window_bits=10" },
	{ { "permessage-deflate; client_max_window_bits=15" }, 1, 0, 0, 15,
	    12, "; client_max_window_bits=12" },
	{ { "permessage-deflate; server_max_window_bits=10" }, 1, 0, 0, 10,
	    15, "; server_max_window_bits=10" },
	{ { "permessage-deflate; server_max_window_bits=\"10\"" }, 1, 0, 0,
	    10, 15, "; server_max_window_bits=10" },
	{ { "permessage-deflate; server_max_window_bits=15" }, 1, 0, 0, 15,
	    15, "; server_max_window_bits=15" },
	{ { "permessage-deflate; server_max_window_bits=8" }, 1, DECLINED, 0,
	    0, 0, NULL },
	{ { "permessage-deflate; server_max_window_bits" }, 1, DECLINED, 0,
	    0, 0, NULL },
	{ { "permessage-deflate; server_max_window_bits=7" }, 1, DECLINED, 0,
	    0, 0, NULL },
	{ { "permessage-deflate; server_max_window_bits=16" }, 1, DECLINED,
	    0, 0, 0, NULL },
	{ { "permessage-deflate; server_max_window_bits=010" }, 1, DECLINED,
	    0, 0, 0, NULL },
	{ { "permessage-deflate; server_max_window_bits=abc" }, 1, DECLINED,
	    0, 0, 0, NULL },
	{ { "permessage-deflate; client_max_window_bits=7" }, 1, DECLINED, 0,
	    0, 0, NULL },
	{ { "permessage-deflate; client_max_window_bits=16" }, 1, DECLINED,
	    0, 0, 0, NULL },
	{ { "permessage-deflate; client_max_window_bits=010" }, 1, DECLINED,
	    0, 0, 0, NULL },
	{ { "permessage-deflate; client_max_window_bits=abc" }, 1, DECLINED,
	    0, 0, 0, NULL },
	{ { "permessage-deflate; client_no_context_takeover" }, 1, 0, 1, 15,
	    15, "; client_no_context_takeover" },
	{ { "permessage-deflate; server_no_context_takeover" }, 1, 0, 0, 15,
	    15, "" },
	{ { "permessage-deflate; server_no_context_takeover=1" }, 1,
	    DECLINED, 0, 0, 0, NULL },
	{ { "permessage-deflate; client_no_context_takeover; "
	    "client_no_context_takeover, permessage-deflate" }, 1, 0, 0, 15,
	    15, "" },
	{ { "permessage-deflate; server_max_window_bits=10; "
	    "server_max_window_bits=11, permessage-deflate; "
	    "client_max_window_bits=9" }, 1, 0, 0, 15, 9,
	    "; client_max_window_bits=9" },
	{ { "permessage-deflate; foo" }, 1, DECLINED, 0, 0, 0, NULL },
	{ { "permessage-deflate; foo=1, permessage-deflate; "
	    "client_max_window_bits=11" }, 1, 0, 0, 15, 11,
	    "; client_max_window_bits=11" },
	{ { "x-webkit-deflate-frame" }, 1, DECLINED, 0, 0, 0, NULL },
	{ { "x-webkit-deflate-frame; no_context_takeover, "
	    "permessage-deflate" }, 1, 0, 0, 15, 15, "" },
	{ { "foo; bar=1", "permessage-deflate; client_max_window_bits=11" },
	    1, 0, 0, 15, 11, "; client_max_window_bits=11" },
	{ { "permessage-deflate; client_max_window_bits=10",
	    "permessage-deflate" }, 1, 0, 0, 15, 10,
	    "; client_max_window_bits=10" },
	{ { ", ,permessage-deflate ,," }, 1, 0, 0, 15, 15, "" },
	{ { "PerMessage-Deflate; Client_Max_Window_Bits=10" }, 1, 0, 0, 15,
	    10, "; client_max_window_bits=10" },
	{ { "permessage-deflate; client_no_context_takeover; "
	    "server_max_window_bits=9; client_max_window_bits" }, 1, 0, 1, 9,
	    12, "; server_max_window_bits=9; client_no_context_takeover; "
	    "client_max_window_bits=12" },
	{ { "permessage-deflate" }, 0, DECLINED, 0, 0, 0, NULL },
	{ { "permessage-deflate; client_max_window_bits", "foo" }, 0,
	    DECLINED, 0, 0, 0, NULL },
	/* Malformed: the handshake fails. */
	{ { "permessage-deflate;" }, 1, -1, 0, 0, 0, NULL },
	{ { ";" }, 1, -1, 0, 0, 0, NULL },
	{ { "permessage-deflate; =1" }, 1, -1, 0, 0, 0, NULL },
	{ { "permessage-deflate; a=" }, 1, -1, 0, 0, 0, NULL },
	{ { "permessage-deflate; server_max_window_bits=\"10" }, 1, -1, 0, 0,
	    0, NULL },
	{ { "permessage-deflate x" }, 1, -1, 0, 0, 0, NULL },
	{ { "permessage-deflate; a=\"\"" }, 1, -1, 0, 0, 0, NULL },
	{ { "permessage-deflate", "permessage-deflate;;" }, 1, -1, 0, 0, 0,
	    NULL },
	{ { "permessage-deflate x" }, 0, -1, 0, 0, 0, NULL },
};

/* A request head carrying the given extension fields. */
static void
request(const struct ext_case *c, char *buf, size_t size,
    struct http_request *req)
{
	const char	*reason = NULL;
	int		 n;

	n = snprintf(buf, size, "GET / HTTP/1.1\r\nHost: x\r\n%s%s%s%s%s%s"
	    "\r\n", c->field[0] ? "Sec-WebSocket-Extensions: " : "",
	    c->field[0] ? c->field[0] : "", c->field[0] ? "\r\n" : "",
	    c->field[1] ? "sec-websocket-extensions: " : "",
	    c->field[1] ? c->field[1] : "", c->field[1] ? "\r\n" : "");
	ATF_REQUIRE(n > 0 && (size_t)n < size);
	ATF_REQUIRE_EQ_MSG(http_parse_request(buf, n, req, &reason), 0,
	    "%s", reason);
}

ATF_TC_WITHOUT_HEAD(negotiate);
ATF_TC_BODY(negotiate, tc)
{
	const struct ext_case		*c;
	struct ws_deflate_params	 dp;
	struct http_request		 req;
	char				 buf[1024], resp[256], want[256];
	size_t				 i;
	int				 rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		request(c, buf, sizeof(buf), &req);
		memset(&dp, 0xee, sizeof(dp));
		memset(resp, 'x', sizeof(resp));
		rv = ws_negotiate_deflate(&req, c->allow, &dp, resp,
		    sizeof(resp));
		ATF_CHECK_EQ_MSG(rv, c->rv == DECLINED ? 0 : c->rv,
		    "case %zu (%s): %d", i, c->field[0], rv);
		if (c->rv != 0) {
			if (rv == 0)
				ATF_CHECK_MSG(!dp.enabled && resp[0] == '\0',
				    "case %zu (%s): enabled %u, \"%s\"", i,
				    c->field[0], dp.enabled, resp);
			continue;
		}
		snprintf(want, sizeof(want), RESP "%s\r\n", c->resp);
		ATF_CHECK_MSG(dp.enabled == 1 && strcmp(resp, want) == 0,
		    "case %zu (%s): enabled %u, \"%s\"", i, c->field[0],
		    dp.enabled, resp);
		ATF_CHECK_EQ_MSG(dp.server_no_context_takeover, 1, "case %zu",
		    i);
		ATF_CHECK_EQ_MSG(dp.client_no_context_takeover, c->cnct,
		    "case %zu", i);
		ATF_CHECK_EQ_MSG(dp.server_max_window_bits, c->smwb,
		    "case %zu: %u", i, dp.server_max_window_bits);
		ATF_CHECK_EQ_MSG(dp.client_max_window_bits, c->cmwb,
		    "case %zu: %u", i, dp.client_max_window_bits);
	}
}

/* A response buffer too small for the answer is not overrun. */
ATF_TC_WITHOUT_HEAD(small_buffer);
ATF_TC_BODY(small_buffer, tc)
{
	static const struct ext_case	 c = { { "permessage-deflate" }, 1,
					    0, 0, 15, 15, "" };
	struct ws_deflate_params	 dp;
	struct http_request		 req;
	char				 buf[1024], resp[16 + 1];

	request(&c, buf, sizeof(buf), &req);
	resp[16] = '!';
	ATF_CHECK_EQ(ws_negotiate_deflate(&req, 1, &dp, resp, 16), 0);
	ATF_CHECK_EQ(resp[16], '!');
	ATF_CHECK_EQ(strlen(resp), 15);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, negotiate);
	ATF_TP_ADD_TC(tp, small_buffer);
	return (atf_no_error());
}
