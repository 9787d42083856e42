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
 * What every end-to-end test program does with the daemon under test:
 * start the real wsd on a loopback port, read its output, stop it. The
 * client that speaks to it is in wsc.h.
 */

#ifndef HARNESS_H
#define HARNESS_H

#include <sys/types.h>

#include <stddef.h>

#include <atf-c.h>

#include "wsc.h"

#define WSD_LOG_MAX	(256 * 1024)

struct wsd_proc {
	pid_t		 pid;
	int		 errfd;		/* the daemon's stderr */
	int		 port;
	uid_t		 uid;		/* started as this user, if not 0 */
	gid_t		 gid;
	char		 sock[256];
	char		 conf[256];
	char		 log[WSD_LOG_MAX];
	size_t		 loglen;
};

/* The daemon itself */
int		 wsd_free_port(void);
void		 wsd_write_conf(struct wsd_proc *, const char *, const char *);
int		 wsd_start(struct wsd_proc *, const char *, const char *);
int		 wsd_wait_log(struct wsd_proc *, const char *, int);
int		 wsd_log_count(const struct wsd_proc *, const char *);
int		 wsd_wait_count(struct wsd_proc *, const char *, int);
int		 wsd_children(struct wsd_proc *, pid_t *, char (*)[64], int);
pid_t		 wsd_child(struct wsd_proc *, const char *, int);
int		 wsd_stop(struct wsd_proc *, int);
int		 pid_gone(pid_t);
long long	 now_ms(void);		/* CLOCK_MONOTONIC */

/* The same for a test case, with a pid file for its cleanup routine */
const char	*srcpath(const atf_tc_t *, const char *);
int		 daemon_try_start(const atf_tc_t *, struct wsd_proc *,
		    const char *);
int		 daemon_try_start_binary(struct wsd_proc *, const char *,
		    const char *);
void		 daemon_start(const atf_tc_t *, struct wsd_proc *,
		    const char *);
void		 daemon_stop_ok(struct wsd_proc *);
void		 daemon_cleanup(void);
void		 make_certs(const atf_tc_t *);
long		 proc_rss_kb(pid_t);
long		 proc_cpu_ms(pid_t);
int		 wsctl_run(const atf_tc_t *, const struct wsd_proc *,
		    const char *);

#endif /* HARNESS_H */
