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
 * fingerprint compared with the configured one. A token (jwt.c) comes
 * from the configured cookie, the configured query parameter, or
 * Authorization: Bearer; its sub is the identity, its exp goes to the
 * worker, which closes the connection with 1008 then.
 *
 * HTTP Basic (RFC 7617) is checked here up to the password: the user is
 * looked up in the htpasswd table the parent sent, and the hash and the
 * password go to a password process (password.c, through pwcheck.c),
 * since bcrypt would stall every other handshake of this process. An
 * unknown user is checked against another user's hash all the same, so
 * that the time of the answer does not tell which users exist.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "handshake.h"
#include "jwt.h"

#define TOKEN_MAX	8192	/* bytes of a token we look at */

struct hs_user {
	char		 name[WSD_USER_MAX];
	char		 hash[BCRYPT_HASH_LEN + 1];
};

/* An authenticate basic line: its realm, its users sorted by name. */
struct hs_basic {
	char		 realm[WSD_REALM_MAX];
	struct hs_user	*users;
	size_t		 n;
};

struct hs_token {
	struct jwt_key	 key;
	int		 nokey;		/* the parent had none to send */
	char		 cookie[WSD_TOKEN_NAME_MAX];
	char		 query[WSD_TOKEN_NAME_MAX];
	char		 audience[WSD_AUTH_PATTERN_MAX];
	char		 issuer[WSD_AUTH_PATTERN_MAX];
	int64_t		 leeway;
};

/*
 * jansson seeds its hash tables from /dev/urandom on first use: seed it
 * now, before the sandbox takes open(2) away.
 */
int
auth_init(void)
{
	uint32_t	 seed;

	do {
		if (getentropy(&seed, sizeof(seed)) == -1)
			return (-1);
	} while (seed == 0);
	json_object_seed(seed);
	return (0);
}

/* What the parent sent, checked as any message from it is. */
int
auth_add(struct hs_auths *list, const struct ipc_auth *ia)
{
	struct hs_auth	*a;
	size_t		 i;

	if (ia->kind < AUTH_CERT || ia->kind > AUTH_ALLOW_CLAIM ||
	    ia->kind == AUTH_TOKEN || ia->kind == AUTH_BASIC ||
	    !TERMINATED(ia->pattern) ||
	    !TERMINATED(ia->fingerprint) || !TERMINATED(ia->value))
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
	strlcpy(a->value, ia->value, sizeof(a->value));
	TAILQ_INSERT_TAIL(list, a, entry);
	return (0);
}

/* A token line, and its key as the parent read it. */
int
auth_add_token(struct hs_auths *list, const struct ipc_auth_token *it,
    const uint8_t *key, size_t keylen)
{
	struct hs_auth	*a;
	struct hs_token	*t;
	const char	*errstr;

	if (!TERMINATED(it->cookie) || !TERMINATED(it->query) ||
	    !TERMINATED(it->audience) || !TERMINATED(it->issuer) ||
	    it->leeway > 3600)
		return (-1);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (-1);
	if ((t = calloc(1, sizeof(*t))) == NULL || (keylen > 0 &&
	    jwt_key_load(&t->key, key, keylen, &errstr) == -1)) {
		free(t);
		free(a);
		return (-1);
	}
	/* Without its key the line refuses every token: it fails closed. */
	t->nokey = keylen == 0;
	strlcpy(t->cookie, it->cookie, sizeof(t->cookie));
	strlcpy(t->query, it->query, sizeof(t->query));
	strlcpy(t->audience, it->audience, sizeof(t->audience));
	strlcpy(t->issuer, it->issuer, sizeof(t->issuer));
	t->leeway = it->leeway;
	a->kind = AUTH_TOKEN;
	a->token = t;
	TAILQ_INSERT_TAIL(list, a, entry);
	return (0);
}

static int
user_add(const char *name, size_t len, const char *hash, void *arg)
{
	struct hs_basic	*b = arg;
	struct hs_user	*u;

	if ((u = reallocarray(b->users, b->n + 1, sizeof(*u))) == NULL)
		return (-1);
	b->users = u;
	u = &b->users[b->n++];
	memset(u, 0, sizeof(*u));
	memcpy(u->name, name, len);
	memcpy(u->hash, hash, BCRYPT_HASH_LEN);
	return (0);
}

static int
user_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct hs_user *)a)->name,
	    ((const struct hs_user *)b)->name));
}

static void
basic_free(struct hs_basic *b)
{
	if (b->users != NULL) {
		explicit_bzero(b->users, b->n * sizeof(*b->users));
		free(b->users);
	}
	free(b);
}

/* A basic line and its htpasswd file, checked again as the parent did. */
int
auth_add_basic(struct hs_auths *list, const struct ipc_auth_basic *ib,
    const uint8_t *file, size_t len, const char **errstr)
{
	struct hs_auth	*a;
	struct hs_basic	*b;
	unsigned int	 line;
	size_t		 i;

	if (!TERMINATED(ib->realm) || !basic_realm_valid(ib->realm)) {
		*errstr = "bad realm";
		return (-1);
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (a = calloc(1, sizeof(*a))) == NULL) {
		free(b);
		*errstr = "out of memory";
		return (-1);
	}
	strlcpy(b->realm, ib->realm, sizeof(b->realm));
	if (htpasswd_parse(file, len, user_add, b, &line, errstr) == -1)
		goto fail;
	qsort(b->users, b->n, sizeof(*b->users), user_cmp);
	for (i = 1; i < b->n; i++)
		if (strcmp(b->users[i - 1].name, b->users[i].name) == 0) {
			*errstr = "a user listed twice";
			goto fail;
		}
	a->kind = AUTH_BASIC;
	a->basic = b;
	TAILQ_INSERT_TAIL(list, a, entry);
	return (0);
 fail:
	basic_free(b);
	free(a);
	return (-1);
}

/* Keys and hashes are wiped as they go. */
void
auth_free(struct hs_auths *list)
{
	struct hs_auth	*a;

	while ((a = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, a, entry);
		if (a->token != NULL) {
			jwt_key_free(&a->token->key);
			explicit_bzero(a->token, sizeof(*a->token));
			free(a->token);
		}
		if (a->basic != NULL)
			basic_free(a->basic);
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

static int
auth_has_method(const struct hs_auths *list)
{
	return (auth_has(list, AUTH_CERT) || auth_has(list, AUTH_TOKEN) ||
	    auth_has(list, AUTH_BASIC));
}

static int
auth_has_allow(const struct hs_auths *list)
{
	return (auth_has(list, AUTH_ALLOW_SUBJECT) ||
	    auth_has(list, AUTH_ALLOW_USER) || auth_has(list, AUTH_ALLOW_CLAIM));
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
 * In s[0..len), a list of name=value items split by sep (and blanks
 * after it, for cookies): the value of name, or NULL.
 */
static const char *
auth_item(const char *s, size_t len, char sep, const char *name,
    size_t *vlen)
{
	const char	*end = s + len, *item, *next, *eq;
	size_t		 nlen = strlen(name);

	for (item = s; item < end; item = next + 1) {
		while (sep == ';' && item < end && (*item == ' ' ||
		    *item == '\t'))
			item++;
		if ((next = memchr(item, sep, end - item)) == NULL)
			next = end;
		eq = memchr(item, '=', next - item);
		if (eq != NULL && (size_t)(eq - item) == nlen &&
		    memcmp(item, name, nlen) == 0) {
			*vlen = next - eq - 1;
			return (eq + 1);
		}
	}
	return (NULL);
}

/* The token of line t in the request, or NULL: cookie, query, Bearer. */
static const char *
auth_token_find(const struct hs_token *t, const struct http_request *req,
    size_t *len)
{
	const struct http_header	*h;
	const char			*v, *q;
	unsigned int			 i;

	i = 0;
	while (t->cookie[0] != '\0' &&
	    (h = http_header_find(req, "Cookie", &i)) != NULL)
		if ((v = auth_item(h->value, h->valuelen, ';', t->cookie,
		    len)) != NULL)
			return (v);
	if (t->query[0] != '\0' && (q = memchr(req->target, '?',
	    req->targetlen)) != NULL && (v = auth_item(q + 1,
	    req->target + req->targetlen - q - 1, '&', t->query, len)) != NULL)
		return (v);
	if ((h = http_header_find(req, "Authorization", NULL)) != NULL &&
	    h->valuelen > 7 && strncasecmp(h->value, "Bearer ", 7) == 0) {
		*len = h->valuelen - 7;
		return (h->value + 7);
	}
	return (NULL);
}

/* An Authorization header, or the cookie of a token line in list. */
static int
auth_sent_credentials(const struct hs_auths *list,
    const struct http_request *req)
{
	const struct http_header	*h;
	const struct hs_auth		*a;
	unsigned int			 i;
	size_t				 len;

	if (http_header_find(req, "Authorization", NULL) != NULL)
		return (1);
	TAILQ_FOREACH(a, list, entry) {
		if (a->token == NULL || a->token->cookie[0] == '\0')
			continue;
		i = 0;
		while ((h = http_header_find(req, "Cookie", &i)) != NULL)
			if (auth_item(h->value, h->valuelen, ';',
			    a->token->cookie, &len) != NULL)
				return (1);
	}
	return (0);
}

/*
 * The allow lines in list: does who (a certificate's subject, a token's
 * claims, or a Basic user) pass?
 */
static int
auth_allowed(const struct hs_auths *list, const char *subject,
    json_t *claims, const char *user)
{
	const struct hs_auth	*a;
	json_t			*sub;

	if (!auth_has_allow(list))
		return (1);
	TAILQ_FOREACH(a, list, entry) {
		if (a->kind == AUTH_ALLOW_SUBJECT && subject != NULL &&
		    fnmatch(a->pattern, subject, 0) == 0)
			return (1);
		if (a->kind == AUTH_ALLOW_USER && user != NULL &&
		    strcmp(user, a->pattern) == 0)
			return (1);
		if (a->kind == AUTH_ALLOW_USER && claims != NULL &&
		    (sub = json_object_get(claims, "sub")) != NULL &&
		    json_is_string(sub) && strcmp(json_string_value(sub),
		    a->pattern) == 0)
			return (1);
		if (a->kind == AUTH_ALLOW_CLAIM && claims != NULL &&
		    jwt_claim_has(claims, a->pattern, a->value))
			return (1);
	}
	return (0);
}

/* A token line: 1 and its claims if the request carries a good token. */
static int
auth_token_try(const struct hs_token *t, const struct http_request *req,
    json_t **claims, int64_t *exp, const char **why)
{
	static char		 reason[64];
	struct jwt_check	 chk;
	const char		*tok;
	size_t			 len;

	if ((tok = auth_token_find(t, req, &len)) == NULL)
		return (0);
	if (len > TOKEN_MAX) {
		*why = "token: too long";
		return (0);
	}
	if (t->nokey) {
		*why = "token: the key file could not be read";
		return (0);
	}
	memset(&chk, 0, sizeof(chk));
	chk.audience = t->audience[0] != '\0' ? t->audience : NULL;
	chk.issuer = t->issuer[0] != '\0' ? t->issuer : NULL;
	chk.leeway = t->leeway;
	chk.now = time(NULL);
	if (jwt_verify(&t->key, tok, len, &chk, claims, exp, why) == -1) {
		/* jwt.c's reasons, named as the token's for the log. */
		snprintf(reason, sizeof(reason), "token: %s", *why);
		*why = reason;
		return (0);
	}
	return (1);
}

/* The lines that apply at p: its methods, and the allow lines for them. */
static void
auth_lists(const struct hs_policy *p, const struct hs_auths **methods,
    const struct hs_auths **allow)
{
	const struct hs_location	*l = p->loc;

	*methods = l != NULL && auth_has_method(&l->auths) ? &l->auths :
	    &p->srv->auths;
	*allow = l != NULL && auth_has_allow(&l->auths) ? &l->auths :
	    *methods;
}

/* Why a client that sent nothing usable is refused. */
static const char *
auth_none_given(const struct hs_auths *m)
{
	int	 cert = auth_has(m, AUTH_CERT), token = auth_has(m, AUTH_TOKEN);
	int	 basic = auth_has(m, AUTH_BASIC);

	if (cert + token + basic > 1)
		return (basic ? "no credentials given" : "no credentials: "
		    "neither a client certificate nor a token");
	return (cert ? "client certificate: none given" : token ?
	    "token: none given" : "basic: none given");
}

/* The WWW-Authenticate lines of a 401, or NULL (certificates only). */
static const char *
auth_challenge(const struct hs_auths *m)
{
	static char		 buf[WSD_REALM_MAX + 128];
	const struct hs_auth	*a;
	const char		*realm = NULL;
	int			 token = auth_has(m, AUTH_TOKEN);

	TAILQ_FOREACH(a, m, entry)
		if (a->kind == AUTH_BASIC) {
			realm = a->basic->realm;
			break;
		}
	if (realm == NULL && !token)
		return (NULL);
	buf[0] = '\0';
	if (realm != NULL)
		snprintf(buf, sizeof(buf), "WWW-Authenticate: Basic "
		    "realm=\"%s\", charset=\"UTF-8\"%s", realm,
		    token ? "\r\n" : "");
	if (token)
		strlcat(buf, "WWW-Authenticate: Bearer realm=\"wsd\"",
		    sizeof(buf));
	return (buf);
}

/* The decoded user:password of the request being checked. */
static char	 basic_cred[WSD_USER_MAX + WSD_PASSWORD_MAX + 1];

/*
 * Authorization: Basic: AUTH_PENDING with the password check to make in
 * r, or 0 with *why set if the header is there but cannot be used.
 */
static int
auth_basic_try(const struct hs_auths *m, const struct http_request *req,
    struct auth_result *r, const char **why)
{
	const struct http_header	*h;
	const struct hs_auth		*a;
	const struct hs_user		*u = NULL, *any = NULL;
	struct hs_user			 key;
	const char			*v, *colon;
	size_t				 vlen, ulen;
	ssize_t				 n;

	if ((h = http_header_find(req, "Authorization", NULL)) == NULL ||
	    h->valuelen < 6 || strncasecmp(h->value, "Basic ", 6) != 0)
		return (0);
	for (v = h->value + 6, vlen = h->valuelen - 6; vlen > 0 && *v == ' ';
	    v++, vlen--)
		;
	*why = "basic: malformed credentials";
	if ((n = base64_decode(v, vlen, (uint8_t *)basic_cred,
	    sizeof(basic_cred))) <= 0)
		return (0);
	/* A NUL would cut the password short in crypt(3). */
	if ((colon = memchr(basic_cred, ':', n)) == NULL ||
	    (ulen = colon - basic_cred) == 0 || ulen >= WSD_USER_MAX ||
	    (size_t)n - ulen - 1 > WSD_PASSWORD_MAX ||
	    memchr(basic_cred, '\0', n) != NULL) {
		auth_wipe();
		return (0);
	}
	memset(&key, 0, sizeof(key));
	memcpy(key.name, basic_cred, ulen);
	TAILQ_FOREACH(a, m, entry) {
		if (a->kind != AUTH_BASIC)
			continue;
		if (any == NULL && a->basic->n > 0)
			any = &a->basic->users[0];
		if ((u = bsearch(&key, a->basic->users, a->basic->n,
		    sizeof(*u), user_cmp)) != NULL)
			break;
	}
	if (u == NULL && any == NULL) {
		/* Every file of the location is empty: not one user. */
		*why = "basic: no users loaded";
		auth_wipe();
		return (0);
	}
	r->unknown = u == NULL;
	r->hash = u != NULL ? u->hash : any->hash;
	strlcpy(r->user, key.name, sizeof(r->user));
	r->password = colon + 1;
	r->passlen = n - ulen - 1;
	return (AUTH_PENDING);
}

/* The password of the last auth_basic_try is gone once sent. */
void
auth_wipe(void)
{
	explicit_bzero(basic_cred, sizeof(basic_cred));
}

/*
 * 0 and who the client is, or the HTTP status of the refusal with its
 * reason (and a header to send with it) in r; or AUTH_PENDING, with a
 * password check to make, whose answer goes to auth_basic_done.
 */
int
auth_check(struct tls *tls, const struct hs_policy *p,
    const struct http_request *req, struct auth_result *r)
{
	const struct hs_location	*l = p->loc;
	const struct hs_auths		*methods, *allow;
	const struct hs_auth		*a;
	char				 subject[WSD_IDENTITY_MAX * 2];
	const char			*fpr, *why = NULL, *who = NULL;
	json_t				*claims = NULL, *sub;
	int64_t				 exp = 0;
	int				 cert = 0;

	memset(r, 0, sizeof(*r));
	auth_lists(p, &methods, &allow);
	if (((p->srv->flags | (l != NULL ? l->flags : 0)) &
	    IPC_SERVER_TLS_REQUIRED) && tls == NULL) {
		r->reason = auth_sent_credentials(methods, req) ?
		    "credentials over cleartext" : "tls required";
		return (403);
	}
	if (!auth_has_method(methods))
		return (0);

	/* A verified certificate, if the client sent one. */
	if (tls != NULL && tls_peer_cert_provided(tls) &&
	    auth_has(methods, AUTH_CERT)) {
		if (auth_cert_subject(tls, subject, sizeof(subject)) == -1)
			why = "client certificate: unreadable subject";
		else {
			fpr = tls_peer_cert_hash(tls);
			why = "client certificate: subject or fingerprint not "
			    "accepted";
			TAILQ_FOREACH(a, methods, entry)
				if (a->kind == AUTH_CERT &&
				    auth_cert_match(a, subject, fpr))
					cert = 1;
		}
	}
	/* Else any token line whose token is good. */
	TAILQ_FOREACH(a, methods, entry) {
		if (cert || a->kind != AUTH_TOKEN)
			continue;
		if (auth_token_try(a->token, req, &claims, &exp, &why)) {
			/* Closed when no handshake would take it any more. */
			exp += a->token->leeway;
			break;
		}
	}
	if (!cert && claims == NULL) {
		/* Else a password, checked elsewhere: the answer comes later. */
		if (auth_has(methods, AUTH_BASIC) &&
		    auth_basic_try(methods, req, r, &why) == AUTH_PENDING)
			return (AUTH_PENDING);
		r->reason = why != NULL ? why : auth_none_given(methods);
		r->extra = auth_challenge(methods);
		return (401);
	}
	if (!auth_allowed(allow, cert ? subject : NULL, claims, NULL)) {
		r->reason = cert ? "client certificate: subject not allowed" :
		    "token: not allowed";
		json_decref(claims);
		return (403);
	}
	if (cert)
		who = subject;
	else if ((sub = json_object_get(claims, "sub")) != NULL &&
	    json_is_string(sub))
		who = json_string_value(sub);
	if (who != NULL)
		str_escape(r->identity, sizeof(r->identity), who, strlen(who));
	r->expires = cert ? 0 : exp;
	json_decref(claims);
	return (0);
}

/*
 * The password process's answer for user (unknown: not in any table,
 * checked against another's hash for the time it takes): as auth_check.
 */
int
auth_basic_done(const struct hs_policy *p, const char *user, int unknown,
    int ok, struct auth_result *r)
{
	const struct hs_auths	*methods, *allow;

	memset(r, 0, sizeof(*r));
	auth_lists(p, &methods, &allow);
	if (unknown || !ok) {
		r->reason = unknown ? "basic: unknown user" :
		    "basic: wrong password";
		r->extra = auth_challenge(methods);
		return (401);
	}
	if (!auth_allowed(allow, NULL, NULL, user)) {
		r->reason = "basic: not allowed";
		return (403);
	}
	str_escape(r->identity, sizeof(r->identity), user, strlen(user));
	return (0);
}

/* Whether a token line of list reads its token from query name. */
static int
auth_list_query(const struct hs_auths *list, const char *name, size_t len)
{
	const struct hs_auth	*a;

	TAILQ_FOREACH(a, list, entry)
		if (a->token != NULL && strlen(a->token->query) == len &&
		    len > 0 && memcmp(a->token->query, name, len) == 0)
			return (1);
	return (0);
}

/* Whether any token line of the table reads from query name. */
static int
auth_query_name(const struct hs_servers *t, const char *name, size_t len)
{
	const struct hs_server		*s;
	const struct hs_location	*l;

	TAILQ_FOREACH(s, t, entry) {
		if (auth_list_query(&s->auths, name, len))
			return (1);
		TAILQ_FOREACH(l, &s->locations, entry)
			if (auth_list_query(&l->auths, name, len))
				return (1);
	}
	return (0);
}

/*
 * A request target for a log line, with the value of every query
 * parameter that carries a token replaced: tokens are credentials.
 * Returns the length written to out (always terminated).
 */
size_t
auth_redact(const struct hs_servers *t, const char *target, size_t len,
    char *out, size_t size)
{
	static const char	 mark[] = "REDACTED";
	const char		*q, *end = target + len, *item, *next, *eq;
	size_t			 o = 0, n;

#define PUT(p, k) do {							\
	n = (size_t)(k) < size - 1 - o ? (size_t)(k) : size - 1 - o;	\
	memcpy(out + o, (p), n);					\
	o += n;								\
} while (0)
	if (size == 0)
		return (0);
	if ((q = memchr(target, '?', len)) == NULL) {
		PUT(target, len);
		out[o] = '\0';
		return (o);
	}
	PUT(target, q + 1 - target);
	for (item = q + 1; item < end; item = next + 1) {
		if ((next = memchr(item, '&', end - item)) == NULL)
			next = end;
		eq = memchr(item, '=', next - item);
		if (eq != NULL && auth_query_name(t, item, eq - item)) {
			PUT(item, eq + 1 - item);
			PUT(mark, sizeof(mark) - 1);
		} else
			PUT(item, next - item);
		if (next < end)
			PUT("&", 1);
	}
#undef PUT
	out[o] = '\0';
	return (o);
}
