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

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"
#include "../handshake/handshake.h"
#include "../worker/worker.h"

__dead static void	 usage(void);
static void		 sandbox_setup(struct wsd_config *);

__dead static void
usage(void)
{
	fprintf(stderr, "usage: %s [-dnv] [-D macro=value] [-f file] "
	    "[-s socket]\n", getprogname());
	exit(1);
}

/*
 * The children chroot and change to the user when the parent is root:
 * check both now, so that a mistake is one clear line at start-up.
 * Without root, say once what the children's sandbox will lack.
 */
static void
sandbox_setup(struct wsd_config *conf)
{
	struct passwd	*pw;
	struct stat	 st;
	const char	*debug;

	debug = getenv("WSD_SANDBOX_DEBUG");
	conf->sandbox_debug = debug != NULL && strcmp(debug, "1") == 0;
	if (geteuid() != 0) {
		log_warnx("not started as root: the children get their "
		    "syscall filter but no chroot to %s and no user %s",
		    conf->chroot, conf->user);
		return;
	}
	if ((pw = getpwnam(conf->user)) == NULL)
		fatalx("user %s does not exist; create it with: "
		    "useradd -r -d %s -s /usr/sbin/nologin %s", conf->user,
		    conf->chroot, conf->user);
	if (pw->pw_uid == 0)
		fatalx("user %s is root; the children must run "
		    "unprivileged", conf->user);
	if (stat(conf->chroot, &st) == -1)
		fatal("chroot %s", conf->chroot);
	/* An empty place nobody but root can write to, as sshd wants it. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatalx("chroot %s must be a directory owned by root and "
		    "writable by nobody else", conf->chroot);
	conf->privdrop = 1;
	conf->uid = pw->pw_uid;
	conf->gid = pw->pw_gid;
}

int
main(int argc, char *argv[])
{
	struct wsd_config	*conf;
	struct sandbox_self	 self;
	const char		*conffile = WSD_CONF, *sockname = NULL;
	const char		*rolename = NULL, *errstr;
	unsigned int		 instance = 0;
	int			 ch, debug = 0, noaction = 0, verbose = 0;
	int			 sbtrap = 0;

	while ((ch = getopt(argc, argv, "D:df:I:nP:Ss:v")) != -1) {
		switch (ch) {
		case 'D':
			if (cmdline_symset(optarg) < 0) {
				fprintf(stderr, "%s: could not parse macro "
				    "definition %s\n", getprogname(), optarg);
				exit(1);
			}
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'I':
			instance = strtonum(optarg, 0, WSD_MAXPROC - 1,
			    &errstr);
			if (errstr != NULL)
				fatalx("invalid instance: %s", errstr);
			break;
		case 'n':
			noaction = 1;
			break;
		case 'P':
			rolename = optarg;
			break;
		case 'S':
			/* Internal, like -P and -I: see proc_spawn(). */
			sbtrap = 1;
			break;
		case 's':
			sockname = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc != 0)
		usage();

	if (rolename != NULL) {
		sandbox_init(sbtrap, debug);
		if (strcmp(rolename, role_names[ROLE_HANDSHAKE]) == 0)
			handshake_main(instance, debug, verbose);
		if (strcmp(rolename, role_names[ROLE_WORKER]) == 0)
			worker_main(instance, debug, verbose);
		if (strcmp(rolename, role_names[ROLE_PASSWORD]) == 0)
			password_main(instance, debug, verbose);
		fatalx("unknown role %s", rolename);
	}

	log_init(1, verbose);
	if ((conf = parse_config(conffile)) == NULL)
		exit(1);
	if (sockname != NULL && strlcpy(conf->socket, sockname,
	    sizeof(conf->socket)) >= sizeof(conf->socket))
		fatalx("socket path too long");
	if (noaction) {
		/* As root, what the start would refuse: the user, the chroot. */
		if (geteuid() == 0)
			sandbox_setup(conf);
		if (verbose)
			config_print(stdout, conf);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	sandbox_setup(conf);
	if ((env = calloc(1, sizeof(*env))) == NULL)
		fatal("%s", __func__);
	proc_init(argv[0], &self);
	parent_main(conf, conffile, &self, debug, verbose);
}
