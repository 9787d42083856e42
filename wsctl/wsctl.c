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

/* wsctl(8): ask the running wsd(8) over its control socket. */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/wsd.h"

#define WSCTL_TIMEOUT	10000	/* ms without an answer */

struct command {
	const char	*words[3];
	uint32_t	 cmd;
	int		 arg;		/* takes one argument */
};

static const struct command commands[] = {
	{ { "kill", NULL },		CTL_KILL, 1 },
	{ { "log", "brief", NULL },	CTL_LOG_BRIEF, 0 },
	{ { "log", "verbose", NULL },	CTL_LOG_VERBOSE, 0 },
	{ { "reload", NULL },		CTL_RELOAD, 0 },
	{ { "show", "connections", NULL }, CTL_SHOW_CONNECTIONS, 0 },
	{ { "show", "metrics", NULL },	CTL_SHOW_METRICS, 0 },
	{ { "show", "stats", NULL },	CTL_SHOW_STATS, 0 },
	{ { "show", "summary", NULL },	CTL_SHOW_SUMMARY, 0 },
};

__dead static void
usage(void)
{
	fprintf(stderr, "usage: %s [-j] [-s socket] command [argument ...]\n",
	    getprogname());
	exit(1);
}

/* The command that argv spells, with *arg its argument if it takes one. */
static const struct command *
command_find(int argc, char *argv[], const char **arg)
{
	size_t	 i;
	int	 j;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		for (j = 0; j < argc && commands[i].words[j] != NULL; j++)
			if (strcmp(argv[j], commands[i].words[j]) != 0)
				break;
		if (commands[i].words[j] != NULL ||
		    argc - j != commands[i].arg)
			continue;
		*arg = commands[i].arg ? argv[j] : NULL;
		return (&commands[i]);
	}
	return (NULL);
}

static int
control_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(1, "socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			errx(1, "wsd is not running (no control socket at "
			    "%s)", path);
		err(1, "connect %s", path);
	}
	return (fd);
}

/* Print the answer's lines; return the status it ends with. */
static int
read_answer(int fd)
{
	static uint8_t		 buf[sizeof(struct ipc_hdr) + IPC_MAXPAYLOAD];
	struct ipc_msg		 msg;
	struct ipc_ctl_end	 end;
	struct pollfd		 pfd;
	const char		*errstr;
	ssize_t			 n;
	int			 rfd;

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, WSCTL_TIMEOUT) <= 0)
			errx(1, "no answer from wsd");
		n = ipc_recvmsg(fd, buf, sizeof(buf), &rfd, &errstr);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == 0 || n == -1)
			errx(1, "wsd closed the connection");
		if (n == -2 || ipc_decode(buf, n, rfd, &msg, &errstr) == -1)
			errx(1, "bad answer from wsd: %s", errstr);
		switch (msg.type) {
		case IPC_CTL_DATA:
			printf("%.*s\n", (int)msg.len, (char *)msg.data);
			break;
		case IPC_CTL_END:
			memcpy(&end, msg.data, sizeof(end));
			return (end.status);
		default:
			errx(1, "unexpected %s from wsd",
			    ipc_type_name(msg.type));
		}
	}
}

int
main(int argc, char *argv[])
{
	const struct command	*cmd;
	struct ipc_ctl		 req;
	uint8_t			 buf[sizeof(struct ipc_hdr) + sizeof(req)];
	const char		*sockname = WSD_SOCKET, *arg;
	size_t			 len;
	int			 ch, fd, json = 0;

	while ((ch = getopt(argc, argv, "js:")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			sockname = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if ((cmd = command_find(argc, argv, &arg)) == NULL) {
		fprintf(stderr, "%s: unknown command:", getprogname());
		for (ch = 0; ch < argc; ch++)
			fprintf(stderr, " %s", argv[ch]);
		fprintf(stderr, "\n");
		usage();
	}

	fd = control_connect(sockname);
	memset(&req, 0, sizeof(req));
	req.cmd = cmd->cmd;
	if (json)
		req.flags |= CTL_F_JSON;
	if (arg != NULL && strlcpy(req.arg, arg, sizeof(req.arg)) >=
	    sizeof(req.arg))
		errx(1, "argument too long: %s", arg);
	if (ipc_encode(buf, sizeof(buf), IPC_CTL_REQ, &req, sizeof(req), NULL,
	    0, -1, &len) == -1 || ipc_sendmsg(fd, buf, len, -1) == -1)
		err(1, "send");
	if (read_answer(fd) != 0)
		errx(1, "command failed");
	close(fd);
	return (0);
}
