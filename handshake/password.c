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
 * The password process: checks Basic passwords against bcrypt hashes
 * for the handshake processes, one at a time. bcrypt is slow on purpose
 * (tens of milliseconds at cost 10, doubling with each step), and a
 * handshake process serves every handshake of its share of clients in
 * one thread: a check there would stall them all. Here it stalls only
 * the checks queued behind it, which the handshake process bounds.
 *
 * It keeps nothing: each request carries its hash and password, and the
 * password is wiped once checked. It holds no key, no htpasswd file and
 * no client socket, and its sandbox allows less than a worker's: a
 * taken-over password process can answer wrongly for the passwords it
 * is asked about, and nothing more.
 */

#include <sys/types.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __OpenBSD__
#include <pwd.h>
#else
#include <crypt.h>
#endif

#include "handshake.h"

static struct {
	struct event_base	*base;
	struct ipc_chan		*parent;
	struct ipc_config	 conf;
	struct ipc_chan		*hs[WSD_MAXPROC];
	char			 names[WSD_MAXPROC][16];
} pw;

#ifndef __OpenBSD__
/* Compares all of a and b, whatever differs first. */
static int
pw_same(const char *a, const char *b, size_t len)
{
	unsigned char	 diff = 0;
	size_t		 i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return (diff == 0);
}
#endif

/* Whether password matches hash, a valid bcrypt hash. */
static int
pw_matches(const char *password, const char *hash)
{
#ifdef __OpenBSD__
	return (bcrypt_checkpass(password, hash) == 0);
#else
	static struct crypt_data	 cd;
	const char			*out;
	int				 ok;

	memset(&cd, 0, sizeof(cd));
	out = crypt_r(password, hash, &cd);
	ok = out != NULL && strlen(out) == BCRYPT_HASH_LEN &&
	    pw_same(out, hash, BCRYPT_HASH_LEN);
	explicit_bzero(&cd, sizeof(cd));
	return (ok);
#endif
}

/*
 * One check. The hash is checked again here: a bad one, from a
 * handshake process gone wrong, fails the check rather than reaching
 * crypt(3), and its cost is bounded so that no request takes hours.
 */
static void
pw_check(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_pw_check	 req;
	struct ipc_pw_result	 res;
	char			 password[WSD_PASSWORD_MAX + 1];
	const char		*errstr;
	size_t			 len = msg->len - sizeof(req);

	memcpy(&req, msg->data, sizeof(req));
	memset(&res, 0, sizeof(res));
	res.id = req.id;
	memcpy(password, msg->data + sizeof(req), len);
	password[len] = '\0';
	if (!TERMINATED(req.hash) || bcrypt_hash_valid(req.hash,
	    strlen(req.hash), &errstr) == -1)
		log_warnx("%s: %s: refused", chan->name, errstr == NULL ?
		    "unterminated hash" : errstr);
	else if (memchr(password, '\0', len) != NULL)
		log_warnx("%s: password with a NUL byte: refused", chan->name);
	else
		res.ok = pw_matches(password, req.hash);
	explicit_bzero(password, sizeof(password));
	explicit_bzero(&req, sizeof(req));
	explicit_bzero(msg->data, msg->len);
	ipc_compose(chan, IPC_PW_RESULT, &res, sizeof(res), NULL, 0, -1);
}

static const struct ipc_handlers pw_handshake_handlers = { .h = {
	[IPC_PW_CHECK] = pw_check,
} };

static void
pw_handshake_lost(struct ipc_chan *chan, void *arg)
{
	unsigned int	 i;

	for (i = 0; i < WSD_MAXPROC; i++)
		if (pw.hs[i] == chan)
			pw.hs[i] = NULL;
	ipc_chan_free(chan);
}

static void
pw_add_handshake(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_peer	 peer;
	unsigned int	 i;

	memcpy(&peer, msg->data, sizeof(peer));
	if (peer.role != ROLE_HANDSHAKE || peer.instance >= WSD_MAXPROC) {
		log_warnx("%s: unexpected peer", __func__);
		close(msg->fd);
		return;
	}
	i = peer.instance;
	/* A respawned process replaces one whose loss we may not know yet. */
	if (pw.hs[i] != NULL)
		ipc_chan_free(pw.hs[i]);
	snprintf(pw.names[i], sizeof(pw.names[i]), "handshake[%u]", i);
	if ((pw.hs[i] = ipc_chan_new(pw.base, msg->fd, pw.names[i],
	    END_PASSWORD, END_HANDSHAKE, &pw_handshake_handlers,
	    NULL)) == NULL)
		fatal("%s: channel", __func__);
	pw.hs[i]->closed = pw_handshake_lost;
}

/* Nothing is kept between checks: nothing to finish. */
static void
pw_shutdown(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	ipc_flush_blocking(pw.parent, 1000);
	exit(0);
}

static void
pw_serve(void)
{
}

static const struct ipc_handlers pw_parent_handlers = { .h = {
	[IPC_CONFIG] = child_on_config,
	[IPC_VERBOSE] = child_on_verbose,
	[IPC_START] = child_on_start,
	[IPC_PEER] = pw_add_handshake,
	[IPC_SHUTDOWN] = pw_shutdown,
} };

static const struct child_role pw_role = {
	ROLE_PASSWORD, &pw_parent_handlers, &pw.conf, NULL, pw_serve
};

__dead void
password_main(unsigned int inst, int debug, int verbose)
{
	pw.parent = child_init(&pw_role, debug, verbose, &pw.base);
	child_run(pw.base);
}
