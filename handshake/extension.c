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
 * Sec-WebSocket-Extensions (RFC 6455 section 9.1) and the choice of a
 * permessage-deflate offer (RFC 7692 section 7). A header that breaks the
 * grammar fails the handshake (400); an offer with an unknown, repeated
 * or out-of-range parameter is declined, and the next one is tried.
 *
 * What we answer: always server_no_context_takeover, so our compressor
 * lives for one message only; the client's window is capped at
 * PMD_CLIENT_WBITS when it lets us choose, so its inflater stays small.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "handshake.h"

#define PMD_CLIENT_WBITS	12
#define EXT_VALUE_MAX		32

struct ext_param {
	char	 name[32];
	char	 value[EXT_VALUE_MAX];
	int	 has_value;
};

/* One offer as parsed, before it is judged. */
struct ext_offer {
	int	 deflate;	/* named permessage-deflate */
	int	 bad;		/* a parameter we must decline */
	int	 snct, cnct;	/* server/client_no_context_takeover */
	int	 smwb, cmwb;	/* *_max_window_bits: -1 absent, 0 no value */
};

static int
ext_tchar(int c)
{
	return (isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c)));
}

static const char *
ext_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return (p);
}

static const char *
ext_token(const char *p, const char *end, char *out, size_t size)
{
	size_t	 n = 0;

	while (p < end && ext_tchar((unsigned char)*p)) {
		if (n + 1 < size)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	return (p);
}

/* A token or a quoted string whose content is a token (section 9.1). */
static const char *
ext_value(const char *p, const char *end, char *out, size_t size)
{
	size_t	 n = 0;

	if (p >= end || *p != '"')
		return (ext_token(p, end, out, size));
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\' && ++p >= end)
			return (NULL);
		if (!ext_tchar((unsigned char)*p))
			return (NULL);
		if (n + 1 < size)
			out[n++] = *p;
	}
	if (p >= end)
		return (NULL);
	out[n] = '\0';
	return (p + 1);
}

/* "8".."15" without leading zeros; -1 otherwise. */
static int
ext_bits(const struct ext_param *prm)
{
	const char	*v = prm->value;

	if (strcmp(v, "8") == 0 || strcmp(v, "9") == 0)
		return (v[0] - '0');
	if (v[0] == '1' && v[1] >= '0' && v[1] <= '5' && v[2] == '\0')
		return (10 + v[1] - '0');
	return (-1);
}

static void
ext_judge(struct ext_offer *o, const struct ext_param *prm)
{
	int	*flag = NULL, *bits = NULL;

	if (strcasecmp(prm->name, "server_no_context_takeover") == 0)
		flag = &o->snct;
	else if (strcasecmp(prm->name, "client_no_context_takeover") == 0)
		flag = &o->cnct;
	else if (strcasecmp(prm->name, "server_max_window_bits") == 0)
		bits = &o->smwb;
	else if (strcasecmp(prm->name, "client_max_window_bits") == 0)
		bits = &o->cmwb;
	else {
		o->bad = 1;
		return;
	}
	if (flag != NULL) {
		if (*flag || prm->has_value)
			o->bad = 1;
		*flag = 1;
		return;
	}
	if (*bits != -1) {
		o->bad = 1;
		return;
	}
	*bits = prm->has_value ? ext_bits(prm) : 0;
	/* Only the client's may come without a value. */
	if (*bits == -1 || (*bits == 0 && bits == &o->smwb))
		o->bad = 1;
	/* zlib cannot compress with a 256-byte raw window. */
	if (bits == &o->smwb && *bits == 8)
		o->bad = 1;
}

/* Parse one extension from p; returns where it ended, NULL if malformed. */
static const char *
ext_parse_one(const char *p, const char *end, struct ext_offer *o)
{
	struct ext_param	 prm;
	char			 name[64];

	memset(o, 0, sizeof(*o));
	o->smwb = o->cmwb = -1;
	p = ext_token(p, end, name, sizeof(name));
	if (name[0] == '\0')
		return (NULL);
	o->deflate = strcasecmp(name, "permessage-deflate") == 0;
	for (;;) {
		p = ext_ows(p, end);
		if (p >= end || *p != ';')
			return (p);
		p = ext_ows(p + 1, end);
		memset(&prm, 0, sizeof(prm));
		p = ext_token(p, end, prm.name, sizeof(prm.name));
		if (prm.name[0] == '\0')
			return (NULL);
		p = ext_ows(p, end);
		if (p < end && *p == '=') {
			p = ext_ows(p + 1, end);
			if ((p = ext_value(p, end, prm.value,
			    sizeof(prm.value))) == NULL || prm.value[0] == '\0')
				return (NULL);
			prm.has_value = 1;
		}
		ext_judge(o, &prm);
	}
}

static void
ext_accept(const struct ext_offer *o, struct ws_deflate_params *dp,
    char *resp, size_t size)
{
	char	 smwb[40] = "", cmwb[40] = "";

	dp->enabled = 1;
	dp->server_no_context_takeover = 1;
	dp->client_no_context_takeover = o->cnct;
	dp->server_max_window_bits = o->smwb > 0 ? o->smwb : 15;
	dp->client_max_window_bits = 15;
	if (o->smwb > 0)
		snprintf(smwb, sizeof(smwb), "; server_max_window_bits=%d",
		    o->smwb);
	if (o->cmwb != -1) {
		dp->client_max_window_bits = o->cmwb > 0 &&
		    o->cmwb < PMD_CLIENT_WBITS ? o->cmwb : PMD_CLIENT_WBITS;
		snprintf(cmwb, sizeof(cmwb), "; client_max_window_bits=%d",
		    dp->client_max_window_bits);
	}
	snprintf(resp, size, "Sec-WebSocket-Extensions: permessage-deflate; "
	    "server_no_context_takeover%s%s%s\r\n", smwb,
	    o->cnct ? "; client_no_context_takeover" : "", cmwb);
}

/*
 * Choose the first acceptable permessage-deflate offer of all the
 * Sec-WebSocket-Extensions fields. Returns 0, with dp->enabled and the
 * response line in resp when one was taken, or -1 for a malformed field.
 */
int
ws_negotiate_deflate(const struct http_request *req, int allow,
    struct ws_deflate_params *dp, char *resp, size_t size)
{
	const struct http_header	*h;
	struct ext_offer		 o;
	const char			*p, *end;
	unsigned int			 i = 0;

	memset(dp, 0, sizeof(*dp));
	resp[0] = '\0';
	while ((h = http_header_find(req, "Sec-WebSocket-Extensions",
	    &i)) != NULL) {
		p = h->value;
		end = h->value + h->valuelen;
		while ((p = ext_ows(p, end)) < end) {
			if (*p == ',') {
				p++;	/* empty list elements are allowed */
				continue;
			}
			if ((p = ext_parse_one(p, end, &o)) == NULL)
				return (-1);
			if (p < end && *p != ',')
				return (-1);
			if (allow && !dp->enabled && o.deflate && !o.bad)
				ext_accept(&o, dp, resp, size);
		}
	}
	return (0);
}
