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
 * The libc and libevent functions that wsd calls under its filters, each
 * made once, for t_cross.sh: run under qemu-user's -strace, it shows the
 * system calls another architecture's libc makes for them, which the
 * test holds against the filter of the role that makes them. getppid(2),
 * in no allowlist, ends each part: the start and set-up every process
 * makes under the parent's filter, then what a worker, a handshake
 * process and the parent make once sandboxed.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include <netinet/in.h>

#include <err.h>
#include <event.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct calls {
	struct event_base	*base;
	struct event		*ev;
	int			 sp[2];		/* an IPC channel */
	int			 lfd;		/* a listener */
};

static void	 calls_setup(struct calls *);
static void	 calls_worker(struct calls *);
static void	 calls_handshake(struct calls *);
static void	 calls_parent(struct calls *, const char *);
static void	 calls_cb(int, short, void *);

static void
calls_cb(int fd, short ev, void *arg)
{
}

/* What a child does before its filter, and the parent before its own. */
static void
calls_setup(struct calls *c)
{
	struct sockaddr_in	 sin;

	if ((c->base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->sp) == -1)
		err(1, "socketpair");
	c->ev = event_new(c->base, c->sp[0], EV_READ | EV_PERSIST, calls_cb,
	    NULL);
	if (c->ev == NULL || event_add(c->ev, NULL) == -1)
		errx(1, "event_add");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(c->lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(c->lfd, 1) == -1)
		err(1, "listener");
}

static void
calls_worker(struct calls *c)
{
	struct pollfd	 pfd = { c->sp[0], POLLOUT, 0 };
	struct timespec	 ts;
	struct timeval	 tv;
	struct iovec	 iov[2];
	struct msghdr	 msg;
	char		 buf[8] = "ab";
	void		*p;

	event_base_loop(c->base, EVLOOP_NONBLOCK);
	(void)poll(&pfd, 1, 0);
	(void)time(NULL);
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	(void)gettimeofday(&tv, NULL);
	(void)fcntl(c->sp[0], F_SETFL, O_NONBLOCK);
	(void)write(c->sp[1], "x", 1);
	(void)read(c->sp[0], buf, sizeof(buf));
	iov[0].iov_base = iov[1].iov_base = buf;
	iov[0].iov_len = iov[1].iov_len = 1;
	(void)writev(c->sp[1], iov, 2);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	(void)sendmsg(c->sp[1], &msg, 0);
	(void)recvmsg(c->sp[0], &msg, 0);
	/* malloc(3): the heap, then a mapping of its own */
	free(malloc(64 * 1024));
	if ((p = malloc(1024 * 1024)) != NULL)
		memset(p, 0, 1024 * 1024);
	free(p);
	event_del(c->ev);
	(void)close(c->sp[1]);
}

static void
calls_handshake(struct calls *c)
{
	char	 buf[16];

	(void)accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK);
	(void)shutdown(c->sp[0], SHUT_WR);
	(void)getentropy(buf, sizeof(buf));
	(void)getpid();
}

/*
 * Not fork(2), which qemu-user does not survive here: glibc makes it
 * clone(2) everywhere. Not execveat(2) either: wsd makes it with
 * syscall(2).
 */
static void
calls_parent(struct calls *c, const char *self)
{
	struct addrinfo	 hints, *res;
	struct rlimit	 rl;
	struct stat	 st;
	struct utsname	 un;
	char		 buf[16];
	int		 fd;

	(void)access("/etc/ld.so.preload", R_OK);
	(void)stat("/", &st);
	if ((fd = open(self, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", self);
	(void)fstat(fd, &st);
	(void)lseek(fd, 0, SEEK_SET);
	(void)pread(fd, buf, sizeof(buf), 0);
	(void)dup2(fd, fd + 1);
	(void)dup2(fd, fd);
	(void)close(dup(fd));
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	(void)sysconf(_SC_PHYS_PAGES);
	(void)uname(&un);
	(void)time(NULL);
	(void)kill(getpid(), 0);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo("localhost", "8080", &hints, &res) == 0)
		freeaddrinfo(res);
}

int
main(int argc, char *argv[])
{
	struct calls	 c;

	calls_setup(&c);
	(void)getppid();
	calls_worker(&c);
	(void)getppid();
	calls_handshake(&c);
	(void)getppid();
	calls_parent(&c, argv[0]);
	return (0);
}
