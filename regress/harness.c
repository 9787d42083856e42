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
 * The daemon under test is the one built beside the test programs. Its
 * pid goes to a file in the work directory, so that a test's cleanup
 * routine, which runs in another process, can kill it should the test
 * die half way.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>

#include "harness.h"

#define PIDFILE		"wsd.pid"

/* rel, beside the test programs; two results may be in use at once. */
const char *
srcpath(const atf_tc_t *tc, const char *rel)
{
	static char	 path[2][1024];
	static int	 i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s",
	    atf_tc_get_config_var(tc, "srcdir"), rel);
	return (path[i]);
}

/* Start wsd -d with p's configuration; wsd_start's result. */
int
daemon_try_start(const atf_tc_t *tc, struct wsd_proc *p, const char *extra)
{
	return (daemon_try_start_binary(p, srcpath(tc, "../wsd"), extra));
}

/* The same with the binary at wsd; daemon_cleanup() kills it too. */
int
daemon_try_start_binary(struct wsd_proc *p, const char *wsd,
    const char *extra)
{
	FILE	*f;
	int	 rv;

	rv = wsd_start(p, wsd, extra);
	if ((f = fopen(PIDFILE, "w")) != NULL) {
		fprintf(f, "%d\n", (int)p->pid);
		fclose(f);
	}
	return (rv);
}

/* The same, and the test fails if the daemon does not get ready. */
void
daemon_start(const atf_tc_t *tc, struct wsd_proc *p, const char *extra)
{
	if (daemon_try_start(tc, p, extra) != 0)
		atf_tc_fail("wsd did not get ready; its output:\n%s", p->log);
}

/* SIGTERM, and the daemon must exit 0. */
void
daemon_stop_ok(struct wsd_proc *p)
{
	int	 status;

	status = wsd_stop(p, SIGTERM);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "wsd did not exit cleanly (status %d); output:\n%s", status,
	    p->log);
}

void
daemon_cleanup(void)
{
	FILE	*f;
	int	 pid;

	if ((f = fopen(PIDFILE, "r")) == NULL)
		return;
	if (fscanf(f, "%d", &pid) == 1 && pid > 1)
		kill(pid, SIGKILL);
	fclose(f);
}
