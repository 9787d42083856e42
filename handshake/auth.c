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
 * Who may connect, decided once TLS, Host, Origin and the location are:
 * tls required, then the authenticate lines (any one that succeeds
 * admits the client), then the allow lines. A location without
 * authenticate lines has the server's, with the server's allow lines;
 * one with authenticate lines and no allow lines admits whoever they
 * authenticate. 401 for credentials missing or not accepted, 403 for a
 * client that is who it says but may not connect here.
 *
 * A client certificate has been verified by libtls against the server's
 * tls client ca during the TLS handshake; here its subject (RFC 2253, as
 * OpenSSL writes it) is matched with fnmatch(3) patterns and its SHA-256
 * fingerprint compared with the configured one.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "handshake.h"

#define TERMINATED(a)	(memchr((a), '\0', sizeof(a)) != NULL)

/* What the parent sent, checked as any message from it is. */
int
auth_add(struct hs_auths *list, const struct ipc_auth *ia)
{
	struct hs_auth	*a;
	size_t		 i;

	if ((ia->kind != AUTH_CERT && ia->kind != AUTH_ALLOW_SUBJECT) ||
	    !TERMINATED(ia->pattern) || !TERMINATED(ia->fingerprint))
		return (-1);
	if (ia->fingerprint[0] != '\0') {
		if (ia->kind != AUTH_CERT || strlen(ia->fingerprint) != 71 ||
		    strncmp(ia->fingerprint, "SHA256:", 7) != 0)
			return (-1);
		for (i = 7; i < 71; i++)
			if (strchr("0123456789abcdef", ia->fingerprint[i]) ==
			    NULL)
				return (-1);
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (-1);
	a->kind = ia->kind;
	strlcpy(a->pattern, ia->pattern, sizeof(a->pattern));
	strlcpy(a->fingerprint, ia->fingerprint, sizeof(a->fingerprint));
	TAILQ_INSERT_TAIL(list, a, entry);
	return (0);
}

void
auth_free(struct hs_auths *list)
{
	struct hs_auth	*a;

	while ((a = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, a, entry);
		free(a);
	}
}

static int
auth_has(const struct hs_auths *list, uint32_t kind)
{
	const struct hs_auth	*a;

	TAILQ_FOREACH(a, list, entry)
		if (a->kind == kind)
			return (1);
	return (0);
}

/* The peer certificate's subject, RFC 2253; -1 if there is none. */
static int
auth_cert_subject(struct tls *tls, char *buf, size_t size)
{
	const uint8_t	*pem;
	BIO		*in, *out = NULL;
	X509		*x;
	char		*p;
	size_t		 len;
	long		 n;
	int		 rv = -1;

	if ((pem = tls_peer_cert_chain_pem(tls, &len)) == NULL ||
	    (in = BIO_new_mem_buf(pem, len)) == NULL)
		return (-1);
	/* The chain starts with the client's own certificate. */
	x = PEM_read_bio_X509(in, NULL, NULL, NULL);
	BIO_free(in);
	if (x == NULL)
		return (-1);
	if ((out = BIO_new(BIO_s_mem())) != NULL &&
	    X509_NAME_print_ex(out, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253) >= 0 && (n = BIO_get_mem_data(out, &p)) >= 0 &&
	    (size_t)n < size && memchr(p, '\0', n) == NULL) {
		memcpy(buf, p, n);
		buf[n] = '\0';
		rv = 0;
	}
	BIO_free(out);
	X509_free(x);
	return (rv);
}

/* One authenticate client certificate line. */
static int
auth_cert_match(const struct hs_auth *a, const char *subject,
    const char *fpr)
{
	if (a->pattern[0] != '\0' && fnmatch(a->pattern, subject, 0) != 0)
		return (0);
	if (a->fingerprint[0] != '\0' && (fpr == NULL ||
	    strcmp(a->fingerprint, fpr) != 0))
		return (0);
	return (1);
}

/*
 * 0 and the client's identity (escaped for logs, "" for none), or the
 * HTTP status of the refusal and *reason.
 */
int
auth_check(struct tls *tls, const struct hs_policy *p,
    const struct http_request *req, char *identity, size_t idsize,
    const char **reason)
{
	const struct hs_server		*s = p->srv;
	const struct hs_location	*l = p->loc;
	const struct hs_auths		*certs, *allow;
	const struct hs_auth		*a;
	char				 subject[WSD_IDENTITY_MAX * 2];
	const char			*fpr;
	int				 ok;

	identity[0] = '\0';
	if (((s->flags | (l != NULL ? l->flags : 0)) &
	    IPC_SERVER_TLS_REQUIRED) && tls == NULL) {
		*reason = http_header_find(req, "Authorization", NULL) ?
		    "credentials over cleartext" : "tls required";
		return (403);
	}
	certs = l != NULL && auth_has(&l->auths, AUTH_CERT) ? &l->auths :
	    &s->auths;
	if (l != NULL && auth_has(&l->auths, AUTH_ALLOW_SUBJECT))
		allow = &l->auths;
	else
		allow = certs;
	if (!auth_has(certs, AUTH_CERT))
		return (0);
	if (tls == NULL || !tls_peer_cert_provided(tls)) {
		*reason = "client certificate: none given";
		return (401);
	}
	if (auth_cert_subject(tls, subject, sizeof(subject)) == -1) {
		*reason = "client certificate: unreadable subject";
		return (401);
	}
	fpr = tls_peer_cert_hash(tls);
	ok = 0;
	TAILQ_FOREACH(a, certs, entry)
		if (a->kind == AUTH_CERT && auth_cert_match(a, subject, fpr))
			ok = 1;
	if (!ok) {
		*reason = "client certificate: subject or fingerprint not "
		    "accepted";
		return (401);
	}
	if (auth_has(allow, AUTH_ALLOW_SUBJECT)) {
		ok = 0;
		TAILQ_FOREACH(a, allow, entry)
			if (a->kind == AUTH_ALLOW_SUBJECT &&
			    fnmatch(a->pattern, subject, 0) == 0)
				ok = 1;
		if (!ok) {
			*reason = "client certificate: subject not allowed";
			return (403);
		}
	}
	str_escape(identity, idsize, subject, strlen(subject));
	return (0);
}
