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
 * htpasswd files for authenticate basic: "user:hash" lines, as Apache's
 * htpasswd -B writes them. Only bcrypt is taken ($2b$, and $2y$, the
 * same algorithm under PHP's name): the other kinds htpasswd can write
 * (MD5-crypt, SHA-1, crypt(3) DES, plain text) are fast to attack, and
 * a file that holds one is refused at load, naming its line. The parent
 * checks the file when it reads it, the handshake process again when it
 * receives it, and the password process every hash it is asked about.
 */

#include <sys/types.h>

#include <string.h>

#include "wsd.h"

static const char	 bcrypt_chars[] =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/*
 * A realm goes into a quoted header parameter: printable ASCII without
 * the quote and the backslash, which would need escaping.
 */
int
basic_realm_valid(const char *r)
{
	if (r[0] == '\0')
		return (0);
	for (; *r != '\0'; r++)
		if (*r < 0x20 || *r > 0x7e || *r == '"' || *r == '\\')
			return (0);
	return (1);
}

/* No control characters: a user name goes into log lines. */
static int
user_printable(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	return (1);
}

/*
 * "$2b$" or "$2y$", a cost in range, "$", and 53 characters of bcrypt's:
 * h[0..len), not terminated (a line of a file as read).
 */
int
bcrypt_hash_valid(const char *h, size_t len, const char **errstr)
{
	size_t	 i;
	int	 cost;

	if (len < 4 || h[0] != '$' || h[1] != '2' ||
	    (h[2] != 'b' && h[2] != 'y') || h[3] != '$') {
		*errstr = "not a bcrypt hash ($2b$ or $2y$; make it with "
		    "htpasswd -B)";
		return (-1);
	}
	for (i = 7; i < len; i++)
		if (h[i] == '\0' || strchr(bcrypt_chars, h[i]) == NULL)
			break;
	if (len != BCRYPT_HASH_LEN || h[4] < '0' || h[4] > '9' ||
	    h[5] < '0' || h[5] > '9' || h[6] != '$' || i != len) {
		*errstr = "malformed bcrypt hash";
		return (-1);
	}
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < BCRYPT_COST_MIN || cost > BCRYPT_COST_MAX) {
		*errstr = "bcrypt cost out of range (04 to 18)";
		return (-1);
	}
	return (0);
}

/*
 * Each "user:hash" line of data[0..len) to fn, in order. Blank lines
 * and lines starting with '#' are skipped. On error, *lineno is the
 * line and *errstr why; fn's own error stops the walk the same way.
 */
int
htpasswd_parse(const uint8_t *data, size_t len,
    int (*fn)(const char *, size_t, const char *, void *), void *arg,
    unsigned int *lineno, const char **errstr)
{
	const char	*p = (const char *)data, *end = p + len, *eol, *colon;
	size_t		 n, ulen;

	*lineno = 0;
	for (; p < end; p = eol + 1) {
		++*lineno;
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		n = eol - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#')
			continue;
		if (memchr(p, '\0', n) != NULL) {
			*errstr = "NUL byte";
			return (-1);
		}
		if ((colon = memchr(p, ':', n)) == NULL) {
			*errstr = "not user:hash";
			return (-1);
		}
		ulen = colon - p;
		if (ulen == 0 || ulen >= WSD_USER_MAX) {
			*errstr = "user name empty or longer than 63 bytes";
			return (-1);
		}
		if (!user_printable(p, ulen)) {
			*errstr = "user name with a control character";
			return (-1);
		}
		if (bcrypt_hash_valid(colon + 1, n - ulen - 1, errstr) == -1)
			return (-1);
		if (fn != NULL && fn(p, ulen, colon + 1, arg) == -1) {
			*errstr = "user listed twice, or out of memory";
			return (-1);
		}
	}
	return (0);
}
