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
 * The UTF-8 validator against a reference written from the definition
 * (RFC 3629 section 4 and Unicode D92): every 1-, 2- and 3-byte string,
 * the 4-byte strings over each class boundary, fail fast, streaming and
 * the eight-byte ASCII path.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdint.h>
#include <string.h>

#include "../worker/worker.h"

#define REF_INCOMPLETE	1	/* neither accepted nor rejected */

struct ff_case {
	const char	*bytes;
	size_t		 len;
	size_t		 at;		/* index of the byte that rejects */
};

static int	 ref_seqlen(uint8_t);
static int	 ref_cp_ok(uint32_t, int);
static int	 ref_partial_ok(uint32_t, int, int);
static int	 ref_class(const uint8_t *, size_t);
static int	 dut_class(uint8_t);
static void	 check_string(const uint8_t *, size_t);

/* 4-byte third and fourth bytes: both sides of every class boundary. */
static const uint8_t	 edge[] = {
	0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff
};

static const struct ff_case ff_cases[] = {
	{ "\xf4\x90", 2, 1 },		/* above U+10FFFF */
	{ "\xed\xa0", 2, 1 },		/* surrogate */
	{ "\xe0\x80", 2, 1 },		/* overlong 3 */
	{ "\xe0\x9f", 2, 1 },
	{ "\xf0\x80", 2, 1 },		/* overlong 4 */
	{ "\xf0\x8f", 2, 1 },
	{ "\xc0", 1, 0 },		/* overlong 2 */
	{ "\xc1", 1, 0 },
	{ "\xf5", 1, 0 },		/* would be above U+10FFFF */
	{ "\xff", 1, 0 },
	{ "\x80", 1, 0 },		/* lone continuation */
	{ "\xbf", 1, 0 },
	{ "a\xc3\x28", 3, 2 },		/* lead, then not a continuation */
	{ "\xe2\x82\x41", 3, 2 },
	{ "\xf4\x8f\xbf\xc0", 4, 3 },
	{ "\xf0\x9f\x98\x80\x80", 5, 4 },
	{ "abc\xed\xbf\xbf", 6, 4 },
};

/* A valid multi-code-point text: each length and each special lead. */
static const char	 sample[] =
    "a\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xe2\x82\xac\xed\x9f\xbf"
    "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf0\x9f\x98\x80"
    "\xf3\xbf\xbf\xbf\xf4\x80\x80\x80\xf4\x8f\xbf\xbf" "end";

/* The length a lead byte announces, 0 if it cannot lead. */
static int
ref_seqlen(uint8_t b)
{
	if (b <= 0x7f)
		return (1);
	if (b >= 0xc0 && b <= 0xdf)
		return (2);
	if (b >= 0xe0 && b <= 0xef)
		return (3);
	if (b >= 0xf0 && b <= 0xf7)
		return (4);
	return (0);
}

/* Whether cp is a scalar value in the shortest form of n bytes. */
static int
ref_cp_ok(uint32_t cp, int n)
{
	static const uint32_t	 min[5] = { 0, 0, 0x80, 0x800, 0x10000 };

	if (cp < min[n] || cp > 0x10ffff)
		return (0);
	return (cp < 0xd800 || cp > 0xdfff);
}

/*
 * Whether the first have bytes of an n-byte sequence, whose bits so far
 * are in hi, can still be completed to a valid one: the completions are
 * an interval, which must meet one of the two ranges of scalar values
 * (below and above the surrogates) in the shortest form of n bytes.
 */
static int
ref_partial_ok(uint32_t hi, int have, int n)
{
	static const uint32_t	 min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t		 lo, top;
	int			 shift = 6 * (n - have);

	lo = hi << shift;
	top = lo | ((1U << shift) - 1);
	if (lo <= 0xd7ff && top >= min[n])
		return (1);
	return (lo <= 0x10ffff && top >= (min[n] > 0xe000 ? min[n] : 0xe000));
}

/* UTF8_ACCEPT, REF_INCOMPLETE or UTF8_REJECT for p[0..len). */
static int
ref_class(const uint8_t *p, size_t len)
{
	static const uint8_t	 leadmask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	size_t			 i = 0;
	uint32_t		 cp;
	int			 n, k;

	while (i < len) {
		if ((n = ref_seqlen(p[i])) == 0)
			return (UTF8_REJECT);
		cp = p[i] & leadmask[n];
		for (k = 1; k < n && i + k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (UTF8_REJECT);
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (k < n)
			return (ref_partial_ok(cp, k, n) ? REF_INCOMPLETE :
			    UTF8_REJECT);
		if (!ref_cp_ok(cp, n))
			return (UTF8_REJECT);
		i += n;
	}
	return (UTF8_ACCEPT);
}

/* The validator's state, folded into the reference's three classes. */
static int
dut_class(uint8_t state)
{
	if (state == UTF8_ACCEPT || state == UTF8_REJECT)
		return (state);
	return (REF_INCOMPLETE);
}

/*
 * Whole, and byte by byte: each prefix must be judged as the reference
 * judges it, so a rejection comes at the first impossible byte.
 */
static void
check_string(const uint8_t *p, size_t len)
{
	uint8_t	 st = UTF8_ACCEPT, whole;
	size_t	 i;
	int	 ref;

	for (i = 0; i < len; i++) {
		st = utf8_validate(st, p + i, 1);
		ref = ref_class(p, i + 1);
		if (dut_class(st) != ref)
			ATF_REQUIRE_MSG(0, "%02x %02x %02x %02x (len %zu), "
			    "after %zu bytes: state %u, reference %d",
			    p[0], len > 1 ? p[1] : 0, len > 2 ? p[2] : 0,
			    len > 3 ? p[3] : 0, len, i + 1, st, ref);
		if (st == UTF8_REJECT)
			break;
	}
	whole = utf8_validate(UTF8_ACCEPT, p, len);
	ref = ref_class(p, len);
	if (dut_class(whole) != ref)
		ATF_REQUIRE_MSG(0, "%02x %02x %02x %02x (len %zu) whole: "
		    "state %u, reference %d", p[0], len > 1 ? p[1] : 0,
		    len > 2 ? p[2] : 0, len > 3 ? p[3] : 0, len, whole, ref);
}

ATF_TC_WITHOUT_HEAD(reference_self_check);
ATF_TC_BODY(reference_self_check, tc)
{
	/* The reference itself, on cases known from the RFC. */
	ATF_CHECK_EQ(ref_class((const uint8_t *)sample, sizeof(sample) - 1),
	    UTF8_ACCEPT);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xed\xa0\x80", 3),
	    UTF8_REJECT);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xed\x9f", 2),
	    REF_INCOMPLETE);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xed\xa0", 2), UTF8_REJECT);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xf4\x90", 2), UTF8_REJECT);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xf4\x8f", 2),
	    REF_INCOMPLETE);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xe0\x9f", 2), UTF8_REJECT);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xc1\xbf", 2), UTF8_REJECT);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xf0", 1), REF_INCOMPLETE);
	ATF_CHECK_EQ(ref_class((const uint8_t *)"\xf5", 1), UTF8_REJECT);
}

ATF_TC_WITHOUT_HEAD(exhaustive_1_2);
ATF_TC_BODY(exhaustive_1_2, tc)
{
	uint8_t		 b[2];
	unsigned int	 i;

	for (i = 0; i < 0x100; i++) {
		b[0] = i;
		check_string(b, 1);
	}
	for (i = 0; i < 0x10000; i++) {
		b[0] = i >> 8;
		b[1] = i;
		check_string(b, 2);
	}
}

ATF_TC_WITHOUT_HEAD(exhaustive_3);
ATF_TC_BODY(exhaustive_3, tc)
{
	uint8_t		 b[3];
	uint32_t	 i;

	for (i = 0; i < 0x1000000; i++) {
		b[0] = i >> 16;
		b[1] = i >> 8;
		b[2] = i;
		check_string(b, 3);
	}
}

ATF_TC_WITHOUT_HEAD(exhaustive_4_edges);
ATF_TC_BODY(exhaustive_4_edges, tc)
{
	uint8_t		 b[4];
	uint32_t	 i;
	size_t		 j, k;

	for (i = 0; i < 0x10000; i++) {
		b[0] = i >> 8;
		b[1] = i;
		for (j = 0; j < sizeof(edge); j++) {
			b[2] = edge[j];
			for (k = 0; k < sizeof(edge); k++) {
				b[3] = edge[k];
				check_string(b, 4);
			}
		}
	}
}

ATF_TC_WITHOUT_HEAD(fail_fast);
ATF_TC_BODY(fail_fast, tc)
{
	const struct ff_case	*c;
	uint8_t			 st;
	size_t			 i, n;

	for (n = 0; n < sizeof(ff_cases) / sizeof(ff_cases[0]); n++) {
		c = &ff_cases[n];
		st = UTF8_ACCEPT;
		for (i = 0; i < c->len; i++) {
			st = utf8_validate(st, (const uint8_t *)c->bytes + i,
			    1);
			if (i < c->at)
				ATF_CHECK_MSG(st != UTF8_REJECT,
				    "case %zu: rejected at byte %zu, not %zu",
				    n, i, c->at);
			else
				ATF_CHECK_MSG(st == UTF8_REJECT,
				    "case %zu: state %u at byte %zu", n, st,
				    i);
		}
		/* Rejection sticks, whatever follows. */
		ATF_CHECK_EQ(utf8_validate(st, (const uint8_t *)"abc", 3),
		    UTF8_REJECT);
	}
}

ATF_TC_WITHOUT_HEAD(streaming_split);
ATF_TC_BODY(streaming_split, tc)
{
	const uint8_t	*p = (const uint8_t *)sample;
	size_t		 len = sizeof(sample) - 1, i, j;
	uint8_t		 st, st2;
	int		 boundary;

	for (i = 0; i <= len; i++) {
		st = utf8_validate(UTF8_ACCEPT, p, i);
		ATF_REQUIRE_MSG(st != UTF8_REJECT, "prefix %zu rejected", i);
		/* ACCEPT exactly between code points. */
		boundary = i == len || (p[i] & 0xc0) != 0x80;
		ATF_CHECK_MSG((st == UTF8_ACCEPT) == boundary,
		    "prefix %zu: state %u", i, st);
		for (j = i; j <= len; j++) {
			st2 = utf8_validate(st, p + i, j - i);
			ATF_REQUIRE_MSG(st2 != UTF8_REJECT,
			    "split %zu/%zu rejected", i, j);
			st2 = utf8_validate(st2, p + j, len - j);
			ATF_REQUIRE_MSG(st2 == UTF8_ACCEPT,
			    "split %zu/%zu: state %u", i, j, st2);
		}
	}
}

ATF_TC_WITHOUT_HEAD(ascii_fast_path);
ATF_TC_BODY(ascii_fast_path, tc)
{
	static const uint8_t	 bad[] = { 0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff };
	uint8_t			 buf[64 + 8];
	size_t			 len, pos, b, start;

	for (start = 0; start < 8; start++) {
		for (len = 0; len <= 64; len++) {
			memset(buf + start, 'x', len);
			ATF_REQUIRE_EQ(utf8_validate(UTF8_ACCEPT, buf + start,
			    len), UTF8_ACCEPT);
		}
		for (len = 1; len <= 64; len++)
			for (pos = 0; pos <= 40 && pos < len; pos++)
				for (b = 0; b < sizeof(bad); b++) {
					memset(buf + start, 'x', len);
					buf[start + pos] = bad[b];
					ATF_REQUIRE_MSG(utf8_validate(
					    UTF8_ACCEPT, buf + start, len) ==
					    UTF8_REJECT, "len %zu, %02x at %zu",
					    len, bad[b], pos);
				}
	}
	/* A valid pair in a run, and a lead followed by a run. */
	for (pos = 0; pos <= 40; pos++) {
		memset(buf, 'x', 48);
		memcpy(buf + pos, "\xc3\xa9", 2);
		ATF_CHECK_EQ(utf8_validate(UTF8_ACCEPT, buf, 48), UTF8_ACCEPT);
		buf[pos + 1] = 'x';
		ATF_CHECK_EQ(utf8_validate(UTF8_ACCEPT, buf, 48), UTF8_REJECT);
	}
	memset(buf, 'x', 48);
	ATF_CHECK_EQ(utf8_validate(utf8_validate(UTF8_ACCEPT,
	    (const uint8_t *)"\xe2\x82", 2), buf, 48), UTF8_REJECT);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, reference_self_check);
	ATF_TP_ADD_TC(tp, exhaustive_1_2);
	ATF_TP_ADD_TC(tp, exhaustive_3);
	ATF_TP_ADD_TC(tp, exhaustive_4_edges);
	ATF_TP_ADD_TC(tp, fail_fast);
	ATF_TP_ADD_TC(tp, streaming_split);
	ATF_TP_ADD_TC(tp, ascii_fast_path);
	return (atf_no_error());
}
