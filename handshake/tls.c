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
 * TLS in the handshake process: the contexts of the tls listeners, built
 * from the certificate, key and CA bytes that the parent read (this
 * process opens no file), and reads and writes that work alike over TLS
 * and over a plain socket.
 *
 * One libtls context per listener: the keypair of the listener's first
 * server is the default, those of the other servers that share the
 * listener are added, and libtls picks one by SNI. The protocols,
 * ciphers, curves and client CA of the first server apply.
 *
 * Session tickets are encrypted with keys that the parent makes and
 * rotates, the same in every handshake process; each listener's config
 * stays alive (its context holds it) so that new keys can join it.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "handshake.h"

struct hs_tls_server {
	TAILQ_ENTRY(hs_tls_server) entry;
	struct ipc_tls_server	 conf;
	uint8_t			*file[TLS_FILE_MAXKIND];
	size_t			 len[TLS_FILE_MAXKIND];
};

_Static_assert(WSD_TICKET_KEY_SIZE == TLS_TICKET_KEY_SIZE,
    "a ticket key is not what libtls takes");

static struct tls_env {
	/* What the parent sent, until the contexts are made. */
	TAILQ_HEAD(, hs_tls_server) servers;
	/* Ticket keys that came before the contexts, oldest first. */
	struct ipc_tls_ticket	 tickets[WSD_TICKET_KEYS];
	size_t			 ntickets;
	/* Those of the contexts in force, for the keys to come. */
	struct tls_config	*configs[WSD_MAXLISTENERS];
	size_t			 nconfigs;
} tls_env = { .servers = TAILQ_HEAD_INITIALIZER(tls_env.servers) };

/*
 * OpenSSL reads its configuration file when it is initialised: do that
 * now, before the sandbox takes open(2) away.
 */
void
hs_tls_init(void)
{
	if (tls_init() == -1)
		fatalx("%s: tls_init", __func__);
}

static struct hs_tls_server *
hs_tls_find(uint32_t server)
{
	struct hs_tls_server	*s;

	TAILQ_FOREACH(s, &tls_env.servers, entry)
		if (s->conf.server == server)
			return (s);
	return (NULL);
}

void
hs_tls_server(struct ipc_msg *msg)
{
	struct hs_tls_server	*s;
	struct ipc_tls_server	 conf;

	memcpy(&conf, msg->data, sizeof(conf));
	if (memchr(conf.ciphers, '\0', sizeof(conf.ciphers)) == NULL ||
	    memchr(conf.ecdhe, '\0', sizeof(conf.ecdhe)) == NULL ||
	    conf.verify > TLS_VERIFY_REQUIRED ||
	    hs_tls_find(conf.server) != NULL) {
		log_warnx("%s: bad tls server", __func__);
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("%s", __func__);
	s->conf = conf;
	TAILQ_INSERT_TAIL(&tls_env.servers, s, entry);
}

/* Copy a file out of the receive buffer and wipe it there. */
void
hs_tls_file(struct ipc_msg *msg)
{
	struct hs_tls_server	*s;
	struct ipc_tls_file	 tf;
	size_t			 len = msg->len - sizeof(tf);

	memcpy(&tf, msg->data, sizeof(tf));
	if (tf.kind >= TLS_FILE_MAXKIND ||
	    (s = hs_tls_find(tf.server)) == NULL ||
	    s->file[tf.kind] != NULL) {
		log_warnx("%s: unexpected tls file", __func__);
		explicit_bzero(msg->data, msg->len);
		return;
	}
	if ((s->file[tf.kind] = malloc(len)) == NULL)
		fatal("%s", __func__);
	memcpy(s->file[tf.kind], msg->data + sizeof(tf), len);
	s->len[tf.kind] = len;
	explicit_bzero(msg->data, msg->len);
}

static void
hs_tls_add_ticket(struct tls_config *tc, struct ipc_tls_ticket *t)
{
	if (tls_config_add_ticket_key(tc, t->keyrev, t->key,
	    sizeof(t->key)) == -1)
		log_warnx("%s: key %u: %s", __func__, t->keyrev,
		    tls_config_error(tc));
}

/*
 * A ticket key from the parent: added to each context at once, and kept
 * (the last few) for the contexts a reload builds.
 */
void
hs_tls_ticket(struct ipc_msg *msg)
{
	struct ipc_tls_ticket	 t;
	size_t			 i;

	memcpy(&t, msg->data, sizeof(t));
	explicit_bzero(msg->data, msg->len);
	if (tls_env.ntickets == WSD_TICKET_KEYS) {
		memmove(&tls_env.tickets[0], &tls_env.tickets[1],
		    sizeof(tls_env.tickets) - sizeof(tls_env.tickets[0]));
		tls_env.ntickets--;
	}
	tls_env.tickets[tls_env.ntickets++] = t;
	for (i = 0; i < tls_env.nconfigs; i++)
		hs_tls_add_ticket(tls_env.configs[i], &t);
	explicit_bzero(&t, sizeof(t));
}

/*
 * Resumption by ticket. The session ID context must be the same in
 * every process, or OpenSSL refuses a session made by another one: a
 * digest of the listener's address, so a ticket of one listener does
 * not resume on another.
 */
static int
hs_tls_sessions(struct tls_config *tc, const struct sockaddr_storage *ss,
    uint32_t lifetime)
{
	struct ipc_tls_ticket	*t;
	uint8_t			 sid[SHA1_DIGEST_LEN];
	size_t			 i;

	if (lifetime == 0)
		return (0);
	sha1(ss, sizeof(*ss), sid);
	if (tls_config_set_session_id(tc, sid, sizeof(sid)) == -1 ||
	    tls_config_set_session_lifetime(tc, lifetime) == -1)
		return (-1);
	for (i = 0; i < tls_env.ntickets; i++) {
		t = &tls_env.tickets[i];
		if (tls_config_add_ticket_key(tc, t->keyrev, t->key,
		    sizeof(t->key)) == -1)
			return (-1);
	}
	return (0);
}

static int
hs_tls_settings(struct tls_config *tc, struct hs_tls_server *s)
{
	if (tls_config_set_protocols(tc, s->conf.protocols) == -1)
		return (-1);
	if (s->conf.ciphers[0] != '\0' &&
	    tls_config_set_ciphers(tc, s->conf.ciphers) == -1)
		return (-1);
	if (s->conf.ecdhe[0] != '\0' &&
	    tls_config_set_ecdhecurves(tc, s->conf.ecdhe) == -1)
		return (-1);
	if (s->conf.verify == TLS_VERIFY_NONE)
		return (0);
	if (s->file[TLS_FILE_CA] == NULL || tls_config_set_ca_mem(tc,
	    s->file[TLS_FILE_CA], s->len[TLS_FILE_CA]) == -1)
		return (-1);
	if (s->conf.verify == TLS_VERIFY_OPTIONAL)
		tls_config_verify_client_optional(tc);
	else
		tls_config_verify_client(tc);
	return (0);
}

/* A server's keypair, with its OCSP response to staple if it has one. */
static int
hs_tls_keypair(struct tls_config *tc, struct hs_tls_server *s, int first)
{
	if (s->file[TLS_FILE_CERT] == NULL || s->file[TLS_FILE_KEY] == NULL)
		return (-1);
	if (first)
		return (tls_config_set_keypair_ocsp_mem(tc,
		    s->file[TLS_FILE_CERT], s->len[TLS_FILE_CERT],
		    s->file[TLS_FILE_KEY], s->len[TLS_FILE_KEY],
		    s->file[TLS_FILE_OCSP], s->len[TLS_FILE_OCSP]));
	return (tls_config_add_keypair_ocsp_mem(tc, s->file[TLS_FILE_CERT],
	    s->len[TLS_FILE_CERT], s->file[TLS_FILE_KEY],
	    s->len[TLS_FILE_KEY], s->file[TLS_FILE_OCSP],
	    s->len[TLS_FILE_OCSP]));
}

/*
 * The server context of a tls listener. libtls copies the keys into
 * OpenSSL's structures at tls_configure(); the config's copies are wiped
 * right after, ours by hs_tls_wipe() once every listener has its context.
 */
struct tls *
hs_tls_listener(uint32_t server, const uint32_t *others, size_t nothers,
    const struct sockaddr_storage *ss, uint32_t lifetime)
{
	struct tls_config	*tc;
	struct tls		*ctx;
	struct hs_tls_server	*s;
	size_t			 i;

	if ((s = hs_tls_find(server)) == NULL)
		fatalx("%s: no tls configuration for server %u", __func__,
		    server);
	if ((tc = tls_config_new()) == NULL || (ctx = tls_server()) == NULL)
		fatalx("%s: out of memory", __func__);
	if (hs_tls_settings(tc, s) == -1 || hs_tls_keypair(tc, s, 1) == -1 ||
	    hs_tls_sessions(tc, ss, lifetime) == -1)
		fatalx("%s: server %u: %s", __func__, server,
		    tls_config_error(tc));
	for (i = 0; i < nothers; i++) {
		if ((s = hs_tls_find(others[i])) == NULL ||
		    hs_tls_keypair(tc, s, 0) == -1)
			fatalx("%s: server %u: %s", __func__, others[i],
			    s == NULL ? "no tls configuration" :
			    tls_config_error(tc));
	}
	if (tls_configure(ctx, tc) == -1)
		fatalx("%s: tls_configure: %s", __func__, tls_error(ctx));
	tls_config_clear_keys(tc);
	/* Ticket keys that come later join it; the context refers to it. */
	if (tls_env.nconfigs == WSD_MAXLISTENERS)
		fatalx("%s: too many tls listeners", __func__);
	tls_env.configs[tls_env.nconfigs++] = tc;
	return (ctx);
}

/*
 * A reload builds new contexts: the old configs leave the list that ticket
 * keys go to (the old contexts keep them while handshakes finish).
 */
void
hs_tls_forget(void)
{
	size_t	 i;

	for (i = 0; i < tls_env.nconfigs; i++)
		tls_config_free(tls_env.configs[i]);
	tls_env.nconfigs = 0;
}

void
hs_tls_wipe(void)
{
	struct hs_tls_server	*s;
	int			 k;

	log_debug("tls: %zu contexts, %zu session ticket keys",
	    tls_env.nconfigs, tls_env.ntickets);
	while ((s = TAILQ_FIRST(&tls_env.servers)) != NULL) {
		TAILQ_REMOVE(&tls_env.servers, s, entry);
		for (k = 0; k < TLS_FILE_MAXKIND; k++)
			if (s->file[k] != NULL) {
				explicit_bzero(s->file[k], s->len[k]);
				free(s->file[k]);
			}
		free(s);
	}
}

/*
 * " TLSv1.3 TLS_AES_256_GCM_SHA384", the name the client sent with SNI
 * and the subject of its certificate, if any. Both are the client's to
 * choose: escaped.
 */
void
hs_tls_describe(struct tls *t, char *buf, size_t size)
{
	const char	*sni, *subject;
	char		 esc[128];
	size_t		 len;

	snprintf(buf, size, " %s %s%s", tls_conn_version(t),
	    tls_conn_cipher(t), tls_conn_session_resumed(t) == 1 ?
	    " resumed" : "");
	if ((sni = tls_conn_servername(t)) != NULL) {
		str_escape(esc, sizeof(esc), sni, strlen(sni));
		len = strlen(buf);
		snprintf(buf + len, size - len, " sni \"%s\"", esc);
	}
	if (tls_peer_cert_provided(t) &&
	    (subject = tls_peer_cert_subject(t)) != NULL) {
		str_escape(esc, sizeof(esc), subject, strlen(subject));
		len = strlen(buf);
		snprintf(buf + len, size - len, " client \"%s\"", esc);
	}
}

/*
 * Read or write over TLS or plain: bytes moved, 0 at end of file, -1 on
 * error, or IO_WANT_READ/IO_WANT_WRITE when the socket must be ready
 * for that first.
 */
ssize_t
io_read(struct tls *t, struct tlsio *io, int fd, void *buf, size_t len)
{
	size_t	 ahead;
	ssize_t	 n;

	if (t != NULL) {
		/*
		 * libtls asks for more after a record that carries no data
		 * (a KeyUpdate) even with bytes read ahead: those would wait
		 * for an event that never comes, as the socket is empty.
		 * Each try consumes some of them or reads more, or it ends.
		 */
		do {
			ahead = tlsio_pending(io);
			n = tls_read(t, buf, len);
		} while (n == TLS_WANT_POLLIN && tlsio_pending(io) > 0 &&
		    tlsio_pending(io) != ahead);
		if (n == TLS_WANT_POLLIN)
			return (IO_WANT_READ);
		if (n == TLS_WANT_POLLOUT)
			return (IO_WANT_WRITE);
		return (n);
	}
	n = read(fd, buf, len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (IO_WANT_READ);
	return (n);
}

ssize_t
io_write(struct tls *t, int fd, const void *buf, size_t len)
{
	ssize_t	 n;

	if (t != NULL) {
		n = tls_write(t, buf, len);
		if (n == TLS_WANT_POLLIN)
			return (IO_WANT_READ);
		if (n == TLS_WANT_POLLOUT)
			return (IO_WANT_WRITE);
		return (n);
	}
	n = write(fd, buf, len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (IO_WANT_WRITE);
	return (n);
}
