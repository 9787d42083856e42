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
 * The hostile-child mode, for the tests: WSD_HOSTILE=role:attack makes
 * the first process of that role (instance 0, not a respawn) act, once
 * it serves, as code that has taken it over would, and send the parent
 * what a child can send, with hostile contents or in floods. The tests
 * then check what wsd(8) promises: the attacker is killed or refused,
 * and everything else lives. Like WSD_SANDBOX_PROBE it is honoured with
 * -d only, a daemon in the foreground, whose environment is set by
 * someone who can run anything as its user anyway.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wsd.h"

#define HOSTILE_ROUNDS		100	/* of a repeated attack */
#define HOSTILE_PERIOD_MS	100
#define HOSTILE_FLOOD_MAX	4000000	/* messages, then it gives up */
#define HOSTILE_FLOOD_SECS	60

struct hostile_attack {
	const char	*name;
	enum wsd_role	 role;
	void		(*run)(const struct ipc_config *);
	int		 repeat;	/* every period, or once */
};

static void	 hostile_admit_flood(const struct ipc_config *);
static void	 hostile_release_others(const struct ipc_config *);
static void	 hostile_forge_answers(const struct ipc_config *);
static void	 hostile_malformed(const struct ipc_config *);
static void	 hostile_close_others(const struct ipc_config *);
static void	 hostile_forge_results(const struct ipc_config *);
static void	 hostile_tick(int, short, void *);

static const struct hostile_attack hostile_attacks[] = {
	/* Admissions without ever reading the answers. */
	{ "admit_flood", ROLE_HANDSHAKE, hostile_admit_flood, 0 },
	/* Releases of the first handshake process's connection ids. */
	{ "release_others", ROLE_WORKER, hostile_release_others, 1 },
	/* Answers to wsctl's queries, asked or not, again and again. */
	{ "forge_answers", ROLE_WORKER, hostile_forge_answers, 1 },
	/* Datagrams no encoder makes, and types a worker may not send. */
	{ "malformed", ROLE_WORKER, hostile_malformed, 0 },
	/* "Gave the client up" for every relay of the first two handshakes. */
	{ "close_others", ROLE_WORKER, hostile_close_others, 1 },
	/* "The password matches", for checks it was never given. */
	{ "forge_results", ROLE_PASSWORD, hostile_forge_results, 1 },
};

static struct {
	int				 allowed;	/* -d */
	const struct hostile_attack	*attack;
	const struct ipc_config		*conf;
	struct event			*ev;
	int				 rounds;
} hostile;

void
hostile_init(int debug)
{
	hostile.allowed = debug;
}

/* A message to the parent as a taken-over child sends it: raw. */
static int
hostile_send(uint32_t type, const void *data, size_t len)
{
	uint8_t		 buf[sizeof(struct ipc_hdr) + 512];
	struct pollfd	 pfd;
	size_t		 n;

	if (ipc_encode(buf, sizeof(buf), type, data, len, NULL, 0, -1,
	    &n) == -1)
		return (-1);
	while (ipc_sendmsg(WSD_PARENT_FD, buf, n, -1) == -1) {
		if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			return (-1);
		pfd.fd = WSD_PARENT_FD;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			return (-1);
	}
	return (0);
}

/*
 * Ask to admit connection after connection and never read a reply: the
 * parent's queue to us grows until it gives up on us.
 */
static void
hostile_admit_flood(const struct ipc_config *ic)
{
	struct ipc_admit	 ia;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ia.peer;
	time_t			 end = time(NULL) + HOSTILE_FLOOD_SECS;
	unsigned long		 n;

	memset(&ia, 0, sizeof(ia));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (n = 1; n <= HOSTILE_FLOOD_MAX && time(NULL) < end; n++) {
		ia.id = ic->id_base | (uint64_t)n;
		if (hostile_send(IPC_ADMIT, &ia, sizeof(ia)) == -1)
			break;
	}
	log_warnx("hostile: admit_flood stopped after %lu admissions", n);
}

/* Say that connections of the first handshake process are closed. */
static void
hostile_release_others(const struct ipc_config *ic)
{
	uint64_t	 id;
	unsigned int	 n;

	for (n = 1; n <= 64; n++) {
		id = (1ULL << 40) | n;
		if (hostile_send(IPC_RELEASE, &id, sizeof(id)) == -1)
			return;
	}
}

/* A row and an end for each of the first query ids, which count up. */
static void
hostile_forge_answers(const struct ipc_config *ic)
{
	struct ipc_conn_info	 ci;
	struct ipc_query_end	 end;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ci.peer;
	uint32_t		 reqid;

	memset(&ci, 0, sizeof(ci));
	ci.id = 4242424242ULL;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x7f060606);
	memset(&end, 0, sizeof(end));
	for (reqid = 1; reqid <= 64; reqid++) {
		ci.reqid = end.reqid = reqid;
		if (hostile_send(IPC_CONN_INFO, &ci, sizeof(ci)) == -1 ||
		    hostile_send(IPC_QUERY_END, &end, sizeof(end)) == -1)
			return;
	}
}

/*
 * What the parent's decoder and direction table must drop, each once:
 * a short header, a length past the datagram, bytes past the length,
 * a size the type does not have, an unknown type, a descriptor where
 * none belongs, and a handshake process's admission from a worker.
 */
static void
hostile_malformed(const struct ipc_config *ic)
{
	struct ipc_hdr		 hdr;
	struct ipc_admit	 ia;
	uint8_t			 buf[sizeof(hdr) + 64];

	memset(buf, 0, sizeof(buf));
	(void)ipc_sendmsg(WSD_PARENT_FD, buf, 3, -1);
	hdr.type = IPC_STATS;
	hdr.len = 1000;
	memcpy(buf, &hdr, sizeof(hdr));
	(void)ipc_sendmsg(WSD_PARENT_FD, buf, sizeof(hdr) + 8, -1);
	hdr.type = IPC_RELEASE;
	hdr.len = sizeof(uint64_t);
	memcpy(buf, &hdr, sizeof(hdr));
	(void)ipc_sendmsg(WSD_PARENT_FD, buf, sizeof(hdr) + 16, -1);
	hdr.len = 3;
	memcpy(buf, &hdr, sizeof(hdr));
	(void)ipc_sendmsg(WSD_PARENT_FD, buf, sizeof(hdr) + 3, -1);
	hdr.type = IPC_TYPE_MAX + 7;
	hdr.len = 0;
	memcpy(buf, &hdr, sizeof(hdr));
	(void)ipc_sendmsg(WSD_PARENT_FD, buf, sizeof(hdr), -1);
	hdr.type = IPC_READY;
	memcpy(buf, &hdr, sizeof(hdr));
	(void)ipc_sendmsg(WSD_PARENT_FD, buf, sizeof(hdr), WSD_PARENT_FD);
	memset(&ia, 0, sizeof(ia));
	ia.id = 77;
	ia.peer.ss_family = AF_INET;
	(void)hostile_send(IPC_ADMIT, &ia, sizeof(ia));
}

/*
 * To every descriptor but the parent's, as code that does not know which
 * are its channels to the handshake processes: IPC_CLOSED with reset
 * for the first connection ids of two handshake processes, so that
 * their relays would reset clients that other workers serve.
 */
static void
hostile_close_others(const struct ipc_config *ic)
{
	struct ipc_closed	 cl;
	uint8_t			 buf[sizeof(struct ipc_hdr) + sizeof(cl)];
	size_t			 n;
	unsigned int		 hs, i;
	int			 fd;

	memset(&cl, 0, sizeof(cl));
	cl.reset = 1;
	for (fd = 3; fd < 64; fd++) {
		if (fd == WSD_PARENT_FD)
			continue;
		for (hs = 1; hs <= 2; hs++)
			for (i = 1; i <= 16; i++) {
				cl.id = (uint64_t)hs << 40 | i;
				if (ipc_encode(buf, sizeof(buf), IPC_CLOSED, &cl,
				    sizeof(cl), NULL, 0, -1, &n) == 0)
					(void)ipc_sendmsg(fd, buf, n, -1);
			}
	}
}

/*
 * To every descriptor but the parent's: a password process that says
 * yes to the first connection ids of two handshake processes, checks
 * that other password processes have, or nobody.
 */
static void
hostile_forge_results(const struct ipc_config *ic)
{
	struct ipc_pw_result	 res;
	uint8_t			 buf[sizeof(struct ipc_hdr) + sizeof(res)];
	size_t			 n;
	unsigned int		 hs, i;
	int			 fd;

	memset(&res, 0, sizeof(res));
	res.ok = 1;
	for (fd = 3; fd < 64; fd++) {
		if (fd == WSD_PARENT_FD)
			continue;
		for (hs = 1; hs <= 2; hs++)
			for (i = 1; i <= 16; i++) {
				res.id = (uint64_t)hs << 40 | i;
				if (ipc_encode(buf, sizeof(buf), IPC_PW_RESULT,
				    &res, sizeof(res), NULL, 0, -1, &n) == 0)
					(void)ipc_sendmsg(fd, buf, n, -1);
			}
	}
}

static void
hostile_tick(int fd, short event, void *arg)
{
	struct timeval	 tv = { 0, HOSTILE_PERIOD_MS * 1000 };

	log_warnx("hostile: %s, round %d", hostile.attack->name,
	    ++hostile.rounds);
	hostile.attack->run(hostile.conf);
	if (hostile.attack->repeat && hostile.rounds < HOSTILE_ROUNDS)
		evtimer_add(hostile.ev, &tv);
}

/* From the event loop, once the role serves and has said so. */
void
hostile_start(enum wsd_role role, struct event_base *base,
    const struct ipc_config *ic)
{
	const char	*name;
	size_t		 i;

	if (!hostile.allowed || ic->respawns != 0 || ic->instance != 0 ||
	    (name = test_hook("WSD_HOSTILE", role)) == NULL)
		return;
	for (i = 0; i < sizeof(hostile_attacks) / sizeof(hostile_attacks[0]);
	    i++)
		if (hostile_attacks[i].role == role &&
		    strcmp(hostile_attacks[i].name, name) == 0)
			hostile.attack = &hostile_attacks[i];
	if (hostile.attack == NULL) {
		log_warnx("hostile: no attack %s for the %s role", name,
		    role_names[role]);
		return;
	}
	hostile.conf = ic;
	if ((hostile.ev = evtimer_new(base, hostile_tick, NULL)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	hostile_tick(-1, 0, NULL);
}
