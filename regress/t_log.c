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
 * What reaches the log: str_escape on client strings, the priority the
 * parent gives a child's line, and what log_write hands to syslog. The
 * syslog(3) here stands in for the C library's and keeps every line.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "wsd.h"

#define MAXLINES	8

struct line {
	int	 pri;
	char	 text[IPC_LOG_MAX * 4 + 64];
};

static struct line	 lines[MAXLINES];
static int		 nlines;

void	openlog(const char *, int, int);
void	syslog(int, const char *, ...);

void
openlog(const char *ident, int option, int facility)
{
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list	 ap;

	if (nlines == MAXLINES)
		return;
	lines[nlines].pri = pri;
	va_start(ap, fmt);
	vsnprintf(lines[nlines].text, sizeof(lines[nlines].text), fmt, ap);
	va_end(ap);
	nlines++;
}

struct esc_case {
	const char	*in;
	const char	*out;
};

ATF_TC_WITHOUT_HEAD(escape);
ATF_TC_BODY(escape, tc)
{
	static const struct esc_case	 cases[] = {
		{ "plain text", "plain text" },
		{ "a\"b", "a\\x22b" },
		{ "\", origin \"https://evil",
		    "\\x22, origin \\x22https://evil" },
		{ "back\\slash", "back\\x5cslash" },
		{ "new\nline\r", "new\\x0aline\\x0d" },
		{ "\x7f\xff", "\\x7f\\xff" },
	};
	char	 buf[128];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ATF_CHECK_EQ(str_escape(buf, sizeof(buf), cases[i].in,
		    strlen(cases[i].in)), 0);
		ATF_CHECK_STREQ(buf, cases[i].out);
	}
}

ATF_TC_WITHOUT_HEAD(escape_truncated);
ATF_TC_BODY(escape_truncated, tc)
{
	char	 buf[6];

	/* An escape that does not fit is left out whole. */
	ATF_CHECK_EQ(str_escape(buf, sizeof(buf), "ab\"c", 4), 1);
	ATF_CHECK_STREQ(buf, "ab");
	ATF_CHECK_EQ(str_escape(buf, sizeof(buf), "\"", 1), 0);
	ATF_CHECK_STREQ(buf, "\\x22");
	ATF_CHECK_EQ(str_escape(buf, 0, "a", 1), 1);
}

struct pri_case {
	int32_t	 sent;
	int	 logged;
};

static const struct pri_case	 pri_cases[] = {
	{ LOG_EMERG, LOG_ERR },
	{ LOG_ALERT, LOG_ERR },
	{ LOG_CRIT, LOG_ERR },
	{ LOG_ERR, LOG_ERR },
	{ LOG_WARNING, LOG_WARNING },
	{ LOG_NOTICE, LOG_NOTICE },
	{ LOG_INFO, LOG_INFO },
	{ LOG_DEBUG, LOG_DEBUG },
	{ LOG_AUTHPRIV | LOG_EMERG, LOG_ERR },
	{ LOG_AUTHPRIV | LOG_DEBUG, LOG_ERR },
	{ LOG_KERN | LOG_INFO, LOG_INFO },	/* LOG_KERN is 0 */
	{ LOG_DAEMON | LOG_INFO, LOG_ERR },
	{ LOG_LOCAL7 | LOG_NOTICE, LOG_ERR },
	{ 8, LOG_ERR },
	{ -1, LOG_ERR },
	{ INT32_MAX, LOG_ERR },
	{ INT32_MIN, LOG_ERR },
};

ATF_TC_WITHOUT_HEAD(child_priority);
ATF_TC_BODY(child_priority, tc)
{
	size_t	 i;

	for (i = 0; i < sizeof(pri_cases) / sizeof(pri_cases[0]); i++)
		ATF_CHECK_EQ_MSG(log_child_priority(pri_cases[i].sent),
		    pri_cases[i].logged, "sent %#x", (unsigned)pri_cases[i].sent);
}

/*
 * The whole way of a child's line in the parent, to syslog: never a
 * facility of the child's choosing, never above LOG_ERR, and a value
 * that is no severity named with the child that sent it.
 */
ATF_TC_WITHOUT_HEAD(child_to_syslog);
ATF_TC_BODY(child_to_syslog, tc)
{
	const struct pri_case	*pc;
	const struct line	*l;
	size_t			 i;

	log_init(0, 0);
	for (i = 0; i < sizeof(pri_cases) / sizeof(pri_cases[0]); i++) {
		pc = &pri_cases[i];
		nlines = 0;
		log_child(pc->sent, "handshake[7]", "some line");
		ATF_REQUIRE(nlines >= 1);
		l = &lines[nlines - 1];
		ATF_CHECK_EQ_MSG(l->pri, pc->logged, "sent %#x, logged %#x",
		    (unsigned)pc->sent, (unsigned)l->pri);
		ATF_CHECK_STREQ(l->text, "handshake[7]: some line");
		if (pc->sent >= 0 && pc->sent <= LOG_DEBUG) {
			ATF_CHECK_EQ(nlines, 1);
			continue;
		}
		ATF_REQUIRE_EQ_MSG(nlines, 2, "sent %#x: not named",
		    (unsigned)pc->sent);
		ATF_CHECK_EQ(lines[0].pri, LOG_ERR);
		ATF_CHECK_MSG(strstr(lines[0].text, "handshake[7] sent log "
		    "priority") != NULL, "%s", lines[0].text);
	}
}

/*
 * The line as a whole: what would end it escaped, the escapes and the
 * quotes of the fields inside left as they are.
 */
ATF_TC_WITHOUT_HEAD(line_escape);
ATF_TC_BODY(line_escape, tc)
{
	log_init(0, 0);
	nlines = 0;
	log_child(LOG_INFO, "worker[1]", "origin \"x\\x22y\"\nforged line\x01");
	ATF_REQUIRE_EQ(nlines, 1);
	ATF_CHECK_STREQ(lines[0].text,
	    "worker[1]: origin \"x\\x22y\"\\x0aforged line\\x01");
}

/*
 * A line riding on another message (a hand-off or a release): made by
 * log_attach in the child, logged by log_child_attached in the parent
 * as if sent alone; truncated to IPC_LOG_MAX like one; escaped; and a
 * malformed one named, not logged.
 */
ATF_TC_WITHOUT_HEAD(attached);
ATF_TC_BODY(attached, tc)
{
	uint8_t		 buf[IPC_LOG_ATTACH_MAX + 16];
	char		 big[IPC_LOG_MAX * 2];
	size_t		 len;

	log_init(0, 0);
	nlines = 0;
	len = log_attach(buf, sizeof(buf), LOG_INFO, "connection %d %s", 7,
	    "closed\nforged");
	ATF_REQUIRE_EQ(len, sizeof(struct ipc_log) + 26);
	log_child_attached(buf, len, "worker[0]");
	ATF_REQUIRE_EQ(nlines, 1);
	ATF_CHECK_EQ(lines[0].pri, LOG_INFO);
	ATF_CHECK_STREQ(lines[0].text, "worker[0]: connection 7 closed\\x0aforged");

	/* Nothing attached: nothing logged. */
	nlines = 0;
	log_child_attached(buf, 0, "worker[0]");
	ATF_CHECK_EQ(nlines, 0);

	/* Longer than a line may be: cut as vlog cuts. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	len = log_attach(buf, sizeof(buf), LOG_INFO, "%s", big);
	ATF_CHECK(len <= IPC_LOG_ATTACH_MAX);
	ATF_CHECK_EQ(len, sizeof(struct ipc_log) + IPC_LOG_MAX - 1);
	ATF_CHECK_EQ(log_attach(buf, sizeof(struct ipc_log), LOG_INFO, "x"),
	    0);

	/* From a hostile child: too short for its header, or too long. */
	nlines = 0;
	log_child_attached(buf, sizeof(struct ipc_log) - 1, "handshake[1]");
	log_child_attached(buf, IPC_LOG_ATTACH_MAX + 1, "handshake[1]");
	ATF_REQUIRE_EQ(nlines, 2);
	ATF_CHECK(strstr(lines[0].text, "handshake[1] attached a malformed "
	    "log line") != NULL);
	ATF_CHECK_EQ(lines[0].pri, LOG_ERR);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, escape);
	ATF_TP_ADD_TC(tp, escape_truncated);
	ATF_TP_ADD_TC(tp, child_priority);
	ATF_TP_ADD_TC(tp, child_to_syslog);
	ATF_TP_ADD_TC(tp, line_escape);
	ATF_TP_ADD_TC(tp, attached);
	return (atf_no_error());
}
