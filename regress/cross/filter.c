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
 * The seccomp filter of one role, built by sandbox_linux.c's own code
 * and printed (libseccomp's pseudo filter code) where wsd would load it,
 * for t_cross.sh: built for another architecture and run under qemu-user,
 * which does not enforce seccomp, it shows what the allowlists become
 * there. Any rule libseccomp refuses is fatal, as in wsd.
 */

#define seccomp_load	filter_print
#include "../../common/sandbox_linux.c"

#include <stdio.h>

int
filter_print(const scmp_filter_ctx ctx)
{
	fflush(stdout);
	return (seccomp_export_pfc(ctx, STDOUT_FILENO));
}

int
main(int argc, char *argv[])
{
	int	 role;

	if (argc != 2)
		fatalx("usage: filter role");
	for (role = 0; role < ROLE_MAX; role++)
		if (strcmp(argv[1], role_names[role]) == 0)
			break;
	if (role == ROLE_MAX)
		fatalx("no role %s", argv[1]);
	log_init(1, 0);
	/*
	 * qemu-user has no seccomp(2), so libseccomp cannot learn that the
	 * kernel kills whole processes: build the filter of -S, which only
	 * differs in what it does to a refused call.
	 */
	sandbox_trap = 1;
	/* The parent's descriptors, as sandbox_parent() would set them. */
	sandbox_fds[FD_EXE] = 3;
	sandbox_fds[FD_CTLDIR] = 4;
	sandbox_filter(role);
	return (0);
}
