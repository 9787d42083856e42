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
 * The OpenBSD sandbox on Linux, for t_portable.sh: pledge(2) and
 * unveil(2) only print what they are asked, in order, so the test can
 * read what each role would promise and see. "recorder role" runs
 * sandbox_os() for that role; FAIL=pledge or FAIL=unveil makes that call
 * fail, as OpenBSD would on a bad promise or path.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsd.h"

const char	*const role_names[ROLE_MAX] = { "parent", "handshake", "worker",
    "password" };

static int
fails(const char *call)
{
	const char	*f = getenv("FAIL");

	if (f != NULL && strcmp(f, call) == 0) {
		errno = EINVAL;
		return (1);
	}
	return (0);
}

int
pledge(const char *promises, const char *execpromises)
{
	printf("pledge \"%s\" %s\n", promises, execpromises ? execpromises :
	    "NULL");
	return (fails("pledge") ? -1 : 0);
}

int
unveil(const char *path, const char *permissions)
{
	if (path == NULL)
		printf("unveil NULL\n");
	else
		printf("unveil %s \"%s\"\n", path, permissions);
	return (fails("unveil") ? -1 : 0);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	printf("fatal: ");
	vprintf(fmt, ap);
	printf(": %s\n", strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	printf("fatal: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct sandbox_self	 self;
	int			 role;

	if (argc != 2)
		return (2);
	for (role = 0; role < ROLE_MAX; role++)
		if (strcmp(argv[1], role_names[role]) == 0)
			break;
	memset(&self, 0, sizeof(self));
	self.exe = "/usr/local/sbin/wsd";
	self.exe_fd = -1;
	strlcpy(self.ctldir, "/var/run", sizeof(self.ctldir));
	self.ctldir_fd = -1;
	sandbox_os_init(0);
	sandbox_os_self(&self);
	sandbox_os(role);
	printf("sandboxed\n");
	return (0);
}
