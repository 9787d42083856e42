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

/* What every end-to-end test program does with the daemon under test. */

#ifndef HARNESS_H
#define HARNESS_H

#include <atf-c.h>

#include "wsc.h"

const char	*srcpath(const atf_tc_t *, const char *);
int		 daemon_try_start(const atf_tc_t *, struct wsd_proc *,
		    const char *);
int		 daemon_try_start_binary(struct wsd_proc *, const char *,
		    const char *);
void		 daemon_start(const atf_tc_t *, struct wsd_proc *,
		    const char *);
void		 daemon_stop_ok(struct wsd_proc *);
void		 daemon_cleanup(void);

#endif /* HARNESS_H */
