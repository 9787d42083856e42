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
 * wsd.conf(5). The lexer reads from whole-file buffers, so the parser can
 * be called on memory (a fuzzer does), and it never exits the process:
 * every error is reported as file:line and counted.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tls.h>
#include <unistd.h>

#include "parent.h"
#include "policy.h"

#define CONF_FILE_MAX		(1024 * 1024)
#define CONF_INCLUDE_DEPTH	8
#define CONF_WORD_MAX		8192
#define CONF_LIST_MAX		64	/* origins, locations, protocols */

struct file {
	TAILQ_ENTRY(file)	 entry;
	char			*name;
	char			*buf;
	size_t			 len;
	size_t			 pos;
	int			 lineno;
	int			 errors;
};
static TAILQ_HEAD(files, file)	 files = TAILQ_HEAD_INITIALIZER(files);
static struct file		*file, *topfile;

struct sym {
	TAILQ_ENTRY(sym)	 entry;
	int			 used;
	int			 persist;
	char			*nam;
	char			*val;
};
static TAILQ_HEAD(, sym)	 symhead = TAILQ_HEAD_INITIALIZER(symhead);

static struct wsd_config	*conf;
static struct wsd_server	*srv;
static struct wsd_location	*loc;
static struct wsd_auth_cert	*acert;		/* being parsed */
static struct wsd_auth_token	*atoken;	/* being parsed */
static struct wsd_auth_basic	*abasic;	/* being parsed */
static int			 errors;
static int			 depth;

int		 yyparse(void);
static int	 yylex(void);
static int	 yylex_token(void);
static int	 yyerror(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static int	 kw_cmp(const void *, const void *);
static int	 lookup(char *);
static int	 lgetc(int);
static void	 lungetc(int);
static int	 findeol(void);
static struct file *pushfile_buf(const char *, char *, size_t);
static struct file *pushfile(const char *);
static int	 popfile(void);
static int	 symset(const char *, const char *, int);
static char	*symget(const char *);
static int	 parse_size(const char *, long long *);
static int	 add_listener(const char *, long long, int, int);
static int	 add_proxy_from(const char *);
static int	 tls_file_read(enum tls_file_kind, const char *);
static int	 tls_spec_set(char *, const char *, const char *);
static int	 tls_server_check(struct wsd_server *);
static int	 add_origin(const char *);
static int	 add_location(const char *);
static int	 add_subproto(struct wsd_strs *, const char *);
static int	 str_add(struct wsd_strs *, const char *);
static struct wsd_auth *cur_auth(void);
static int	 fingerprint_set(char *, const char *);
static int	 token_key_read(struct wsd_auth_token *, const char *);
static int	 basic_file_read(struct wsd_auth_basic *, const char *);
static int	 token_name_set(char *, const char *, const char *);
static void	 auth_init(struct wsd_auth *);
static int	 auth_check(struct wsd_server *, struct wsd_auth *,
		    const char *);
static void	 yyerror_at(int, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

typedef struct {
	union {
		long long	 number;
		char		*string;
	} v;
	int lineno;
} YYSTYPE;

%}

%token	ADDRESS ALIAS ALLOW AUDIENCE AUTHENTICATE CA CERTIFICATE CLAIM COOKIE
%token	BASIC PASSWORD REALM PROXY FROM
%token	INSECURE ISSUER LEEWAY QUERY TOKEN CHROOT CIPHERS CLIENT COMPRESSION CONNECTIONS ECDHE ERROR
%token	FINGERPRINT FRAGMENTS HANDSHAKE HEADER HEALTH IDLE INCLUDE INTERVAL KEY LISTEN
%token	LIFETIME LOCATION MAX MESSAGE MESSAGES OCSP OFF ON OPTIONAL ORIGIN PER
%token	PING PORT PREFORK PROTOCOLS REQUIRED SECOND SERVER SHUTDOWN SOCKET
%token	SUBJECT SUBPROTOCOL TICKET TIMEOUT TLS USER WORKER
%token	CONSOLE
%token	<v.string>	STRING
%token	<v.number>	NUMBER
/*
 * "listen on ... port N tls": a tls after the port belongs to the listen
 * option, not to a tls option on the same line.
 */
%nonassoc	NOTLS
%nonassoc	TLS
%type	<v.number>	opttls optproxy size onoff optional

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar server '\n'
		| grammar error '\n'		{ file->errors++; }
		;

include		: INCLUDE STRING		{
			struct file	*nfile;

			if (depth >= CONF_INCLUDE_DEPTH) {
				yyerror("include nested too deeply");
				free($2);
				YYERROR;
			}
			nfile = pushfile($2);
			free($2);
			if (nfile == NULL)
				YYERROR;
			depth++;
			file = nfile;
			lungetc('\n');
		}
		;

varset		: STRING '=' STRING		{
			char	*s;

			for (s = $1; *s != '\0'; s++)
				if (!isalnum((unsigned char)*s) && *s != '_') {
					yyerror("macro name may only contain "
					    "letters, digits and _");
					free($1);
					free($3);
					YYERROR;
				}
			if (symset($1, $3, 0) == -1)
				yyerror("cannot store macro");
			free($1);
			free($3);
		}
		;

main		: PREFORK HANDSHAKE NUMBER	{
			if ($3 < 1 || $3 > WSD_MAXPROC) {
				yyerror("prefork handshake out of range "
				    "(1-%d)", WSD_MAXPROC);
				YYERROR;
			}
			conf->prefork_handshake = $3;
		}
		| PROXY FROM STRING		{
			if (add_proxy_from($3) == -1) {
				free($3);
				YYERROR;
			}
			free($3);
		}
		| PREFORK PASSWORD NUMBER	{
			if ($3 < 1 || $3 > WSD_MAXPROC) {
				yyerror("prefork password out of range "
				    "(1-%d)", WSD_MAXPROC);
				YYERROR;
			}
			conf->prefork_password = $3;
		}
		| PREFORK WORKER NUMBER		{
			if ($3 < 1 || $3 > WSD_MAXPROC) {
				yyerror("prefork worker out of range (1-%d)",
				    WSD_MAXPROC);
				YYERROR;
			}
			conf->prefork_worker = $3;
		}
		| TIMEOUT HANDSHAKE NUMBER	{
			if ($3 < 1 || $3 > 3600) {
				yyerror("timeout handshake out of range "
				    "(1-3600)");
				YYERROR;
			}
			conf->timeout_handshake = $3;
		}
		| TIMEOUT SHUTDOWN NUMBER	{
			if ($3 < 1 || $3 > 3600) {
				yyerror("timeout shutdown out of range "
				    "(1-3600)");
				YYERROR;
			}
			conf->timeout_shutdown = $3;
		}
		| TIMEOUT IDLE NUMBER		{
			if ($3 < 0 || $3 > 86400) {
				yyerror("timeout idle out of range "
				    "(0-86400)");
				YYERROR;
			}
			conf->timeout_idle = $3;
		}
		| PING INTERVAL NUMBER		{
			if ($3 < 0 || $3 > 86400) {
				yyerror("ping interval out of range "
				    "(0-86400)");
				YYERROR;
			}
			conf->ping_interval = $3;
		}
		| MAX MESSAGE size		{
			if ($3 < 125 || $3 > WSD_MAXMESSAGE_MAX) {
				yyerror("max message out of range "
				    "(125-%lld)", (long long)WSD_MAXMESSAGE_MAX);
				YYERROR;
			}
			conf->max_message = $3;
		}
		| MAX FRAGMENTS NUMBER		{
			if ($3 < 1 || $3 > 1000000) {
				yyerror("max fragments out of range "
				    "(1-1000000)");
				YYERROR;
			}
			conf->max_fragments = $3;
		}
		| MAX CONNECTIONS NUMBER	{
			if ($3 < 1 || $3 > WSD_MAXCONN_MAX) {
				yyerror("max connections out of range (1-%d)",
				    WSD_MAXCONN_MAX);
				YYERROR;
			}
			conf->max_conns = $3;
		}
		| MAX CONNECTIONS PER ADDRESS NUMBER {
			if ($5 < 1 || $5 > WSD_MAXCONN_MAX) {
				yyerror("max connections per address out of "
				    "range (1-%d)", WSD_MAXCONN_MAX);
				YYERROR;
			}
			conf->max_conns_addr = $5;
		}
		| MAX MESSAGES PER SECOND NUMBER {
			if ($5 < 0 || $5 > 1000000) {
				yyerror("max messages per second out of "
				    "range (0-1000000)");
				YYERROR;
			}
			conf->max_rate = $5;
		}
		| COMPRESSION onoff		{
			conf->compression = $2;
		}
		| TLS TICKET LIFETIME NUMBER	{
			/* libtls' bounds for a session lifetime */
			if ($4 != 0 && ($4 < 4 || $4 > 86400)) {
				yyerror("tls ticket lifetime out of range "
				    "(0 or 4-86400)");
				YYERROR;
			}
			conf->ticket_lifetime = $4;
		}
		| MAX HEADER size		{
			if ($3 < 512 || $3 > WSD_MAXHEADER_MAX) {
				yyerror("max header out of range (512-%d)",
				    WSD_MAXHEADER_MAX);
				YYERROR;
			}
			conf->max_header = $3;
		}
		| USER STRING			{
			if (strlcpy(conf->user, $2, sizeof(conf->user)) >=
			    sizeof(conf->user)) {
				yyerror("user name too long");
				free($2);
				YYERROR;
			}
			free($2);
		}
		| CHROOT STRING			{
			if ($2[0] != '/' || strlcpy(conf->chroot, $2,
			    sizeof(conf->chroot)) >= sizeof(conf->chroot)) {
				yyerror("chroot must be an absolute path");
				free($2);
				YYERROR;
			}
			free($2);
		}
		| SOCKET STRING			{
			if ($2[0] != '/' || strlcpy(conf->socket, $2,
			    sizeof(conf->socket)) >= sizeof(conf->socket)) {
				yyerror("socket must be an absolute path");
				free($2);
				YYERROR;
			}
			free($2);
		}
		;

size		: NUMBER			{ $$ = $1; }
		| STRING			{
			if (parse_size($1, &$$) == -1) {
				yyerror("invalid size: %s", $1);
				free($1);
				YYERROR;
			}
			free($1);
		}
		;

server		: SERVER STRING			{
			struct wsd_server	*s;

			TAILQ_FOREACH(s, &conf->servers, entry)
				if (strcasecmp(s->name, $2) == 0)
					break;
			if (s != NULL) {
				yyerror("server \"%s\" defined twice", $2);
				free($2);
				YYERROR;
			}
			if ((srv = calloc(1, sizeof(*srv))) == NULL) {
				yyerror("out of memory");
				free($2);
				YYERROR;
			}
			TAILQ_INIT(&srv->aliases);
			srv->tls_conf.protocols = TLS_PROTOCOLS_DEFAULT;
			srv->tls_conf.verify = TLS_VERIFY_NONE;
			TAILQ_INIT(&srv->origins);
			TAILQ_INIT(&srv->protos);
			auth_init(&srv->auth);
			TAILQ_INIT(&srv->locations);
			if (strlcpy(srv->name, $2, sizeof(srv->name)) >=
			    sizeof(srv->name)) {
				yyerror("server name too long");
				free(srv);
				free($2);
				YYERROR;
			}
			free($2);
			srv->id = 0;
			if ((s = TAILQ_LAST(&conf->servers, wsd_servers)) !=
			    NULL)
				srv->id = s->id + 1;
			TAILQ_INSERT_TAIL(&conf->servers, srv, entry);
		} '{' optnl serveropts_l '}'	{
			if (srv->nlisten == 0) {
				yyerror("server \"%s\" has no listen on",
				    srv->name);
				YYERROR;
			}
			if (srv->tls && tls_server_check(srv) == -1)
				YYERROR;
			/* A plain GET of the path can only be one of them. */
			if (srv->console[0] != '\0' &&
			    strcmp(srv->console, srv->health) == 0) {
				yyerror_at(srv->console_lineno, "console path "
				    "\"%s\" is the health path", srv->console);
				YYERROR;
			}
			if (auth_check(srv, &srv->auth, NULL) == -1)
				YYERROR;
			TAILQ_FOREACH(loc, &srv->locations, entry)
				if (auth_check(srv, &loc->auth, loc->path) ==
				    -1)
					YYERROR;
			loc = NULL;
			srv = NULL;
		}
		;

serveropts_l	: serveropts_l serveropts nl
		| serveropts optnl
		;

serveropts	: LISTEN ON STRING PORT NUMBER opttls optproxy {
			if (add_listener($3, $5, $6, $7) == -1) {
				free($3);
				YYERROR;
			}
			free($3);
			srv->nlisten++;
		}
		| ALIAS STRING			{
			struct wsd_alias	*a;

			if ((a = calloc(1, sizeof(*a))) == NULL ||
			    strlcpy(a->name, $2, sizeof(a->name)) >=
			    sizeof(a->name)) {
				yyerror("alias too long");
				free(a);
				free($2);
				YYERROR;
			}
			free($2);
			TAILQ_INSERT_TAIL(&srv->aliases, a, entry);
		}
		| ORIGIN STRING			{
			if (add_origin($2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| ORIGIN REQUIRED		{
			srv->origin_required = 1;
		}
		| SUBPROTOCOL STRING		{
			if (add_subproto(&srv->protos, $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| HEALTH STRING			{
			if (path_check($2) == -1 || strlcpy(srv->health, $2,
			    sizeof(srv->health)) >= sizeof(srv->health)) {
				yyerror("health path must start with / and "
				    "have no query, space or dot segment");
				free($2);
				YYERROR;
			}
			free($2);
		}
		| CONSOLE			{
			strlcpy(srv->console, "/", sizeof(srv->console));
			srv->console_lineno = yylval.lineno;
		}
		| CONSOLE STRING		{
			if (path_check($2) == -1 || strlcpy(srv->console, $2,
			    sizeof(srv->console)) >= sizeof(srv->console)) {
				yyerror("console path must start with /, have "
				    "no query, space or dot segment and at "
				    "most %d bytes", WSD_PATH_MAX - 1);
				srv->console[0] = '\0';
				free($2);
				YYERROR;
			}
			srv->console_lineno = yylval.lineno;
			free($2);
		}
		| LOCATION STRING		{
			if (add_location($2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		} '{' optnl locopts_o '}'	{
			loc = NULL;
		}
		| TLS tlsopts
		| authline
		| allowline
		;

/* In a server or a location: cur_auth() says which. */
authline	: AUTHENTICATE CLIENT CERTIFICATE	{
			if ((acert = calloc(1, sizeof(*acert))) == NULL) {
				yyerror("out of memory");
				YYERROR;
			}
			acert->lineno = yylval.lineno;
		} certfilters				{
			TAILQ_INSERT_TAIL(&cur_auth()->certs, acert, entry);
			acert = NULL;
		}
		;

authline	: AUTHENTICATE TOKEN STRING		{
			if ((atoken = calloc(1, sizeof(*atoken))) == NULL) {
				yyerror("out of memory");
				free($3);
				YYERROR;
			}
			atoken->lineno = yylval.lineno;
			atoken->leeway = 60;
			if (token_key_read(atoken, $3) == -1) {
				free(atoken);
				atoken = NULL;
				free($3);
				YYERROR;
			}
			free($3);
		} tokenopts				{
			TAILQ_INSERT_TAIL(&cur_auth()->tokens, atoken, entry);
			atoken = NULL;
		}
		;

authline	: AUTHENTICATE BASIC STRING		{
			if ((abasic = calloc(1, sizeof(*abasic))) == NULL) {
				yyerror("out of memory");
				free($3);
				YYERROR;
			}
			abasic->lineno = yylval.lineno;
			strlcpy(abasic->realm, "wsd", sizeof(abasic->realm));
			if (basic_file_read(abasic, $3) == -1) {
				free(abasic);
				abasic = NULL;
				free($3);
				YYERROR;
			}
			free($3);
		} basicopts				{
			TAILQ_INSERT_TAIL(&cur_auth()->basics, abasic, entry);
			abasic = NULL;
			conf->basic = 1;
		}
		;

basicopts	: /* empty */
		| basicopts basicopt
		;

basicopt	: REALM STRING			{
			if (strlcpy(abasic->realm, $2, sizeof(abasic->realm)) >=
			    sizeof(abasic->realm) || !basic_realm_valid($2)) {
				yyerror("realm: 1 to %d printable characters, "
				    "without \" or \\", WSD_REALM_MAX - 1);
				free($2);
				YYERROR;
			}
			free($2);
		}
		| INSECURE			{
			abasic->insecure = 1;
		}
		;

tokenopts	: /* empty */
		| tokenopts tokenopt
		;

tokenopt	: COOKIE STRING			{
			if (token_name_set(atoken->cookie, "cookie", $2) ==
			    -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| QUERY STRING			{
			if (token_name_set(atoken->query, "query", $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| AUDIENCE STRING		{
			if (strlcpy(atoken->audience, $2,
			    sizeof(atoken->audience)) >=
			    sizeof(atoken->audience) || $2[0] == '\0') {
				yyerror("audience: 1 to %d bytes",
				    WSD_AUTH_PATTERN_MAX - 1);
				free($2);
				YYERROR;
			}
			free($2);
		}
		| ISSUER STRING			{
			if (strlcpy(atoken->issuer, $2,
			    sizeof(atoken->issuer)) >= sizeof(atoken->issuer) ||
			    $2[0] == '\0') {
				yyerror("issuer: 1 to %d bytes",
				    WSD_AUTH_PATTERN_MAX - 1);
				free($2);
				YYERROR;
			}
			free($2);
		}
		| LEEWAY NUMBER			{
			if ($2 < 0 || $2 > 3600) {
				yyerror("leeway out of range (0-3600)");
				YYERROR;
			}
			atoken->leeway = $2;
		}
		| INSECURE			{
			atoken->insecure = 1;
		}
		;

certfilters	: /* empty */
		| certfilters certfilter
		;

certfilter	: SUBJECT STRING		{
			if (acert->subject[0] != '\0' ||
			    strlcpy(acert->subject, $2,
			    sizeof(acert->subject)) >= sizeof(acert->subject)) {
				yyerror("one subject pattern of at most %d "
				    "bytes", WSD_AUTH_PATTERN_MAX - 1);
				free($2);
				free(acert);
				acert = NULL;
				YYERROR;
			}
			free($2);
		}
		| FINGERPRINT STRING		{
			if (acert->fingerprint[0] != '\0' ||
			    fingerprint_set(acert->fingerprint, $2) == -1) {
				yyerror("fingerprint must be \"SHA256:\" and "
				    "64 hex digits, once");
				free($2);
				free(acert);
				acert = NULL;
				YYERROR;
			}
			free($2);
		}
		;

allowline	: ALLOW SUBJECT STRING		{
			struct wsd_auth	*a = cur_auth();

			if (strlen($3) >= WSD_AUTH_PATTERN_MAX ||
			    str_add(&a->allow_subjects, $3) == -1) {
				yyerror("allow subject: a pattern of at most "
				    "%d bytes", WSD_AUTH_PATTERN_MAX - 1);
				free($3);
				YYERROR;
			}
			if (a->allow_lineno == 0)
				a->allow_lineno = yylval.lineno;
			free($3);
		}
		| ALLOW USER STRING		{
			struct wsd_auth	*a = cur_auth();

			if (strlen($3) >= WSD_AUTH_PATTERN_MAX ||
			    str_add(&a->allow_users, $3) == -1) {
				yyerror("allow user: a name of at most %d "
				    "bytes", WSD_AUTH_PATTERN_MAX - 1);
				free($3);
				YYERROR;
			}
			if (a->allow_lineno == 0)
				a->allow_lineno = yylval.lineno;
			free($3);
		}
		| ALLOW CLAIM STRING STRING	{
			struct wsd_auth	*a = cur_auth();
			struct wsd_claim *cl;

			if ((cl = calloc(1, sizeof(*cl))) == NULL ||
			    strlcpy(cl->name, $3, sizeof(cl->name)) >=
			    sizeof(cl->name) || strlcpy(cl->value, $4,
			    sizeof(cl->value)) >= sizeof(cl->value)) {
				yyerror("allow claim: a name and a value of "
				    "at most %d bytes", WSD_AUTH_PATTERN_MAX -
				    1);
				free(cl);
				free($3);
				free($4);
				YYERROR;
			}
			TAILQ_INSERT_TAIL(&a->allow_claims, cl, entry);
			if (a->allow_lineno == 0)
				a->allow_lineno = yylval.lineno;
			free($3);
			free($4);
		}
		;

tlsopts		: REQUIRED			{
			srv->auth.tls_required = yylval.lineno;
		}
		| CERTIFICATE STRING		{
			if (tls_file_read(TLS_FILE_CERT, $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| KEY STRING			{
			if (tls_file_read(TLS_FILE_KEY, $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| CLIENT CA STRING optional	{
			if (tls_file_read(TLS_FILE_CA, $3) == -1) {
				free($3);
				YYERROR;
			}
			free($3);
			srv->tls_conf.verify = $4 ? TLS_VERIFY_OPTIONAL :
			    TLS_VERIFY_REQUIRED;
		}
		| OCSP STRING			{
			if (tls_file_read(TLS_FILE_OCSP, $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| PROTOCOLS STRING		{
			uint32_t	 protocols;

			if (tls_config_parse_protocols(&protocols, $2) != 0) {
				yyerror("invalid tls protocols: %s", $2);
				free($2);
				YYERROR;
			}
			free($2);
			srv->tls_conf.protocols = protocols;
		}
		| CIPHERS STRING		{
			if (tls_spec_set(srv->tls_conf.ciphers, "ciphers",
			    $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| ECDHE STRING			{
			if (tls_spec_set(srv->tls_conf.ecdhe, "ecdhe",
			    $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		;

optional	: /* empty */			{ $$ = 0; }
		| OPTIONAL			{ $$ = 1; }
		;

locopts_o	: /* empty */
		| locopts_l
		;

locopts_l	: locopts_l locopts nl
		| locopts optnl
		;

locopts		: authline
		| allowline
		| TLS REQUIRED			{
			loc->auth.tls_required = yylval.lineno;
		}
		| SUBPROTOCOL STRING		{
			if (add_subproto(&loc->protos, $2) == -1) {
				free($2);
				YYERROR;
			}
			free($2);
		}
		| MAX MESSAGE size		{
			if ($3 < 125 || $3 > WSD_MAXMESSAGE_MAX) {
				yyerror("max message out of range "
				    "(125-%lld)",
				    (long long)WSD_MAXMESSAGE_MAX);
				YYERROR;
			}
			loc->max_message = $3;
		}
		;

onoff		: ON				{ $$ = 1; }
		| OFF				{ $$ = 0; }
		;

opttls		: /* empty */ %prec NOTLS	{ $$ = 0; }
		| TLS				{ $$ = 1; }
		;

optproxy	: /* empty */			{ $$ = 0; }
		| PROXY				{ $$ = 1; }
		;

optnl		: '\n' optnl
		|
		;

nl		: '\n' optnl
		;

%%

struct keywords {
	const char	*k_name;
	int		 k_val;
};

static int
yyerror(const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	file->errors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d: %s", file->name, yylval.lineno, msg);
	return (0);
}

static int
kw_cmp(const void *k, const void *e)
{
	return (strcmp(k, ((const struct keywords *)e)->k_name));
}

static int
lookup(char *s)
{
	/* Sorted, for bsearch. */
	static const struct keywords keywords[] = {
		{ "address",	ADDRESS },
		{ "alias",	ALIAS },
		{ "allow",	ALLOW },
		{ "audience",	AUDIENCE },
		{ "authenticate", AUTHENTICATE },
		{ "basic",	BASIC },
		{ "ca",		CA },
		{ "certificate", CERTIFICATE },
		{ "chroot",	CHROOT },
		{ "ciphers",	CIPHERS },
		{ "claim",	CLAIM },
		{ "client",	CLIENT },
		{ "compression", COMPRESSION },
		{ "connections", CONNECTIONS },
		{ "console",	CONSOLE },
		{ "cookie",	COOKIE },
		{ "ecdhe",	ECDHE },
		{ "fingerprint", FINGERPRINT },
		{ "fragments",	FRAGMENTS },
		{ "from",	FROM },
		{ "handshake",	HANDSHAKE },
		{ "header",	HEADER },
		{ "health",	HEALTH },
		{ "idle",	IDLE },
		{ "include",	INCLUDE },
		{ "insecure",	INSECURE },
		{ "interval",	INTERVAL },
		{ "issuer",	ISSUER },
		{ "key",	KEY },
		{ "leeway",	LEEWAY },
		{ "lifetime",	LIFETIME },
		{ "listen",	LISTEN },
		{ "location",	LOCATION },
		{ "max",	MAX },
		{ "message",	MESSAGE },
		{ "messages",	MESSAGES },
		{ "ocsp",	OCSP },
		{ "off",	OFF },
		{ "on",		ON },
		{ "optional",	OPTIONAL },
		{ "origin",	ORIGIN },
		{ "password",	PASSWORD },
		{ "per",	PER },
		{ "ping",	PING },
		{ "port",	PORT },
		{ "prefork",	PREFORK },
		{ "protocols",	PROTOCOLS },
		{ "proxy",	PROXY },
		{ "query",	QUERY },
		{ "realm",	REALM },
		{ "required",	REQUIRED },
		{ "second",	SECOND },
		{ "server",	SERVER },
		{ "shutdown",	SHUTDOWN },
		{ "socket",	SOCKET },
		{ "subject",	SUBJECT },
		{ "subprotocol", SUBPROTOCOL },
		{ "ticket",	TICKET },
		{ "timeout",	TIMEOUT },
		{ "tls",	TLS },
		{ "token",	TOKEN },
		{ "user",	USER },
		{ "worker",	WORKER },
	};
	const struct keywords	*p;

	p = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	return (p != NULL ? p->k_val : STRING);
}

/*
 * Bytes pushed back by lungetc and the expansion of a macro are read
 * before the file itself.
 */
static char	*parsebuf;
static size_t	 parseindex;
static char	 pushback_buf[CONF_WORD_MAX];
static size_t	 pushback_index;

static int
lgetc(int quotec)
{
	int	 c, next;

	if (parsebuf != NULL) {
		if ((c = (unsigned char)parsebuf[parseindex]) != '\0') {
			parseindex++;
			return (c);
		}
		parsebuf = NULL;
		parseindex = 0;
	}
	if (pushback_index)
		return ((unsigned char)pushback_buf[--pushback_index]);

	if (quotec) {
		if (file->pos >= file->len) {
			yyerror("reached end of file while parsing "
			    "quoted string");
			if (file == topfile || popfile() == EOF)
				return (EOF);
			return (quotec);
		}
		return ((unsigned char)file->buf[file->pos++]);
	}

	for (;;) {
		c = file->pos < file->len ?
		    (unsigned char)file->buf[file->pos++] : EOF;
		if (c != '\\')
			break;
		next = file->pos < file->len ?
		    (unsigned char)file->buf[file->pos] : EOF;
		if (next != '\n') {
			c = '\\';
			break;
		}
		/* A backslash before a newline joins the lines. */
		file->pos++;
		yylval.lineno = file->lineno;
		file->lineno++;
	}

	while (c == EOF) {
		if (file == topfile || popfile() == EOF)
			return (EOF);
		c = file->pos < file->len ?
		    (unsigned char)file->buf[file->pos++] : EOF;
	}
	return (c);
}

static void
lungetc(int c)
{
	if (c == EOF)
		return;
	if (parsebuf != NULL) {
		parseindex--;
		return;
	}
	if (pushback_index < sizeof(pushback_buf))
		pushback_buf[pushback_index++] = c;
}

static int
findeol(void)
{
	int	 c;

	parsebuf = NULL;
	pushback_index = 0;
	for (;;) {
		c = lgetc(0);
		if (c == '\n') {
			file->lineno++;
			break;
		}
		if (c == EOF)
			break;
	}
	return (ERROR);
}

static int
allowed_in_string(int x)
{
	if (isalnum(x))
		return (1);
	switch (x) {
	case '{': case '}': case '#': case '=': case '"': case '\'':
	case ',': case ';': case ' ': case '\t': case '\n': case '\r':
		return (0);
	}
	return (isprint(x));
}

static int
lex_macro(void)
{
	char	 name[128], *p = name, *val;
	int	 c;

	while ((c = lgetc(0)) != EOF &&
	    (isalnum(c) || c == '_')) {
		if (p + 1 >= name + sizeof(name)) {
			yyerror("macro name too long");
			return (findeol());
		}
		*p++ = c;
	}
	*p = '\0';
	lungetc(c);
	if ((val = symget(name)) == NULL) {
		yyerror("macro '%s' not defined", name);
		return (findeol());
	}
	parsebuf = val;
	parseindex = 0;
	return (0);
}

/* A last line without its newline still ends a statement. */
static int
yylex(void)
{
	static int	 line_open;
	int		 token;

	token = yylex_token();
	if (token == 0 && line_open) {
		line_open = 0;
		return ('\n');
	}
	line_open = token != 0 && token != '\n';
	return (token);
}

static int
yylex_token(void)
{
	char	 buf[CONF_WORD_MAX], *p;
	int	 quotec, next, c, token;
	const char *errstr;

top:
	p = buf;
	while ((c = lgetc(0)) == ' ' || c == '\t')
		;
	yylval.lineno = file->lineno;
	if (c == '#')
		while ((c = lgetc(0)) != '\n' && c != EOF)
			;
	if (c == '$' && parsebuf == NULL) {
		if (lex_macro() != 0)
			return (ERROR);
		goto top;
	}

	switch (c) {
	case '\'':
	case '"':
		quotec = c;
		for (;;) {
			if ((c = lgetc(quotec)) == EOF)
				return (0);
			if (c == '\n') {
				file->lineno++;
				continue;
			} else if (c == '\\') {
				if ((next = lgetc(quotec)) == EOF)
					return (0);
				if (next == quotec || next == ' ' ||
				    next == '\t')
					c = next;
				else if (next == '\n') {
					file->lineno++;
					continue;
				} else
					lungetc(next);
			} else if (c == quotec) {
				*p = '\0';
				break;
			} else if (c == '\0') {
				yyerror("NUL byte in quoted string");
				return (findeol());
			}
			if (p + 1 >= buf + sizeof(buf) - 1) {
				yyerror("string too long");
				return (findeol());
			}
			*p++ = c;
		}
		if ((yylval.v.string = strdup(buf)) == NULL) {
			yyerror("out of memory");
			return (findeol());
		}
		return (STRING);
	}

	if (c == '-' || isdigit(c)) {
		do {
			*p++ = c;
			if ((size_t)(p - buf) >= sizeof(buf)) {
				yyerror("string too long");
				return (findeol());
			}
		} while ((c = lgetc(0)) != EOF && isdigit(c));
		lungetc(c);
		if (p == buf + 1 && buf[0] == '-')
			goto nodigits;
		if (c == EOF || !allowed_in_string(c)) {
			*p = '\0';
			yylval.v.number = strtonum(buf, LLONG_MIN,
			    LLONG_MAX, &errstr);
			if (errstr) {
				yyerror("\"%s\" invalid number: %s",
				    buf, errstr);
				return (findeol());
			}
			return (NUMBER);
		}
nodigits:
		while (p > buf + 1)
			lungetc((unsigned char)*--p);
		c = (unsigned char)*--p;
		if (c == '-')
			return (c);
	}

	if (allowed_in_string(c) && c != '$') {
		do {
			*p++ = c;
			if ((size_t)(p - buf) >= sizeof(buf)) {
				yyerror("string too long");
				return (findeol());
			}
		} while ((c = lgetc(0)) != EOF && allowed_in_string(c));
		lungetc(c);
		*p = '\0';
		if ((token = lookup(buf)) == STRING &&
		    (yylval.v.string = strdup(buf)) == NULL) {
			yyerror("out of memory");
			return (findeol());
		}
		return (token);
	}
	if (c == '\n') {
		yylval.lineno = file->lineno;
		file->lineno++;
	}
	if (c == EOF)
		return (0);
	return (c);
}

static struct file *
pushfile_buf(const char *name, char *buf, size_t len)
{
	struct file	*nfile;

	if ((nfile = calloc(1, sizeof(*nfile))) == NULL ||
	    (nfile->name = strdup(name)) == NULL) {
		log_warn("%s", __func__);
		free(nfile);
		free(buf);
		return (NULL);
	}
	nfile->buf = buf;
	nfile->len = len;
	nfile->lineno = 1;
	TAILQ_INSERT_TAIL(&files, nfile, entry);
	return (nfile);
}

/* Read a whole file into memory: the lexer never touches a stream. */
static struct file *
pushfile(const char *name)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1) {
		if (file != NULL)
			yyerror("%s: %s", name, strerror(errno));
		else
			log_warn("%s", name);
		return (NULL);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONF_FILE_MAX ||
	    (buf = malloc(st.st_size + 1)) == NULL) {
		log_warnx("%s: not a regular file, too large, or unreadable",
		    name);
		close(fd);
		return (NULL);
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, st.st_size - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return (pushfile_buf(name, buf, len));
}

static int
popfile(void)
{
	struct file	*prev;

	if ((prev = TAILQ_PREV(file, files, entry)) != NULL)
		prev->errors += file->errors;
	TAILQ_REMOVE(&files, file, entry);
	free(file->name);
	free(file->buf);
	free(file);
	file = prev;
	depth--;
	return (file ? 0 : EOF);
}

static void
parse_reset(void)
{
	struct sym	*sym, *next;

	TAILQ_FOREACH_SAFE(sym, &symhead, entry, next) {
		if (sym->persist)
			continue;
		TAILQ_REMOVE(&symhead, sym, entry);
		free(sym->nam);
		free(sym->val);
		free(sym);
	}
	parsebuf = NULL;
	parseindex = 0;
	pushback_index = 0;
	srv = NULL;
	loc = NULL;
	depth = 0;
}

static struct wsd_config *
parse_run(struct file *f)
{
	struct wsd_config	*c;
	char			 name[PATH_MAX];

	if (f == NULL)
		return (NULL);
	strlcpy(name, f->name, sizeof(name));
	if ((conf = config_new()) == NULL) {
		file = f;
		popfile();
		return (NULL);
	}
	file = topfile = f;
	yyparse();
	errors = file->errors;
	popfile();
	if (errors == 0 && TAILQ_EMPTY(&conf->servers)) {
		log_warnx("%s: no server defined", name);
		errors++;
	}
	c = conf;
	conf = NULL;
	parse_reset();
	if (errors) {
		config_free(c);
		return (NULL);
	}
	return (c);
}

struct wsd_config *
parse_config(const char *filename)
{
	file = NULL;
	return (parse_run(pushfile(filename)));
}

struct wsd_config *
parse_config_buffer(const char *name, const char *data, size_t len)
{
	char	*buf;

	if ((buf = malloc(len + 1)) == NULL)
		return (NULL);
	memcpy(buf, data, len);
	buf[len] = '\0';
	file = NULL;
	return (parse_run(pushfile_buf(name, buf, len)));
}

/* "16", "16K", "16M", "1G": bytes. */
static int
parse_size(const char *s, long long *out)
{
	char		*end;
	long long	 n, mult = 1;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno != 0 || n < 0)
		return (-1);
	switch (*end) {
	case '\0':
		break;
	case 'K': case 'k':
		mult = 1024LL;
		break;
	case 'M': case 'm':
		mult = 1024LL * 1024;
		break;
	case 'G': case 'g':
		mult = 1024LL * 1024 * 1024;
		break;
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0')
		return (-1);
	if (n > LLONG_MAX / mult)
		return (-1);
	*out = n * mult;
	return (0);
}

/* Another server on a shared listener: its certificate is chosen by SNI. */
static int
listener_add_other(struct wsd_listener *l)
{
	unsigned int	*o, i;

	if (l->server == srv->id)
		return (0);
	for (i = 0; i < l->nothers; i++)
		if (l->others[i] == srv->id)
			return (0);
	if ((o = reallocarray(l->others, l->nothers + 1,
	    sizeof(*o))) == NULL) {
		yyerror("out of memory");
		return (-1);
	}
	o[l->nothers++] = srv->id;
	l->others = o;
	return (0);
}

static int
add_listener_ai(struct addrinfo *ai, int tls, int proxy)
{
	struct wsd_listener	*l;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (!sockaddr_same(&l->ss,
		    (struct sockaddr_storage *)ai->ai_addr))
			continue;
		if (l->tls != tls) {
			yyerror("listener used with and without tls");
			return (-1);
		}
		if (l->proxy != proxy) {
			yyerror("listener used with and without proxy");
			return (-1);
		}
		/* Shared by name-based servers: each one knows it. */
		srv->listeners |= 1ULL << l->id;
		return (listener_add_other(l));
	}
	if (conf->nlisteners >= WSD_MAXLISTENERS) {
		yyerror("too many listeners (at most %d)", WSD_MAXLISTENERS);
		return (-1);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		yyerror("out of memory");
		return (-1);
	}
	memcpy(&l->ss, ai->ai_addr, ai->ai_addrlen);
	l->tls = tls;
	l->proxy = proxy;
	l->fd = -1;
	l->id = conf->nlisteners++;
	l->server = srv->id;
	srv->listeners |= 1ULL << l->id;
	TAILQ_INSERT_TAIL(&conf->listeners, l, entry);
	return (0);
}

/* Addresses and host names are resolved at load; "*" is every address. */
static int
add_listener(const char *host, long long port, int tls, int proxy)
{
	struct addrinfo	 hints, *res, *ai;
	char		 portstr[8];
	int		 error, rv = 0;

	if (tls)
		srv->tls = 1;
	if (port < 1 || port > 65535) {
		yyerror("port out of range (1-65535)");
		return (-1);
	}
	snprintf(portstr, sizeof(portstr), "%lld", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (strcmp(host, "*") == 0)
		host = NULL;
	if ((error = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		yyerror("listen on %s: %s", host ? host : "*",
		    gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL && rv == 0; ai = ai->ai_next)
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			rv = add_listener_ai(ai, tls, proxy);
	freeaddrinfo(res);
	return (rv);
}

/* proxy from "address[/prefix]": numeric, no host names. */
static int
add_proxy_from(const char *s)
{
	struct proxy_net	 n;
	char			 buf[INET6_ADDRSTRLEN + 8], *slash;
	const char		*errstr;
	int			 max;

	if (conf->nproxy_from >= WSD_PROXY_NETS_MAX) {
		yyerror("too many proxy from lines (at most %d)",
		    WSD_PROXY_NETS_MAX);
		return (-1);
	}
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		goto bad;
	memset(&n, 0, sizeof(n));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n.addr) == 1) {
		n.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n.addr) == 1) {
		n.family = AF_INET6;
		max = 128;
	} else
		goto bad;
	n.prefixlen = max;
	if (slash != NULL) {
		n.prefixlen = strtonum(slash, 0, max, &errstr);
		if (errstr != NULL || slash[0] == '\0' ||
		    (slash[0] == '0' && slash[1] != '\0'))
			goto bad;
	}
	conf->proxy_from[conf->nproxy_from++] = n;
	return (0);
 bad:
	yyerror("proxy from \"%s\": not an address or address/prefix", s);
	return (-1);
}

static int
str_add(struct wsd_strs *list, const char *s)
{
	struct wsd_str	*e;
	int		 n = 0;

	TAILQ_FOREACH(e, list, entry)
		n++;
	if (n >= CONF_LIST_MAX) {
		yyerror("too many entries (at most %d)", CONF_LIST_MAX);
		return (-1);
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		yyerror("out of memory");
		return (-1);
	}
	strlcpy(e->s, s, sizeof(e->s));
	TAILQ_INSERT_TAIL(list, e, entry);
	return (0);
}

/* Checked here with the handshake's own parser, so errors have a line. */
static int
add_origin(const char *s)
{
	struct origin	 o;
	const char	*errstr;

	if (strlen(s) >= WSD_ORIGIN_MAX) {
		yyerror("origin too long");
		return (-1);
	}
	if (origin_parse(s, strlen(s), ORIGIN_PATTERN, &o, &errstr) == -1) {
		yyerror("bad origin \"%s\": %s", s, errstr);
		return (-1);
	}
	return (str_add(&srv->origins, s));
}

static int
add_subproto(struct wsd_strs *list, const char *s)
{
	struct wsd_str	*e;

	if (strlen(s) >= WSD_SUBPROTO_MAX || token_check(s) == -1) {
		yyerror("subprotocol must be a token of at most %d bytes",
		    WSD_SUBPROTO_MAX - 1);
		return (-1);
	}
	TAILQ_FOREACH(e, list, entry)
		if (strcmp(e->s, s) == 0) {
			yyerror("subprotocol \"%s\" listed twice", s);
			return (-1);
		}
	return (str_add(list, s));
}

static int
add_location(const char *path)
{
	struct wsd_location	*l;
	int			 n = 0;

	if (path[0] != '/' || strlen(path) >= WSD_PATH_MAX ||
	    path_check(path) == -1) {
		yyerror("location must start with / and have no query, "
		    "space or dot segment");
		return (-1);
	}
	TAILQ_FOREACH(l, &srv->locations, entry) {
		if (strcmp(l->path, path) == 0) {
			yyerror("location \"%s\" defined twice", path);
			return (-1);
		}
		n++;
	}
	if (n >= CONF_LIST_MAX) {
		yyerror("too many locations (at most %d)", CONF_LIST_MAX);
		return (-1);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		yyerror("out of memory");
		return (-1);
	}
	strlcpy(l->path, path, sizeof(l->path));
	TAILQ_INIT(&l->protos);
	auth_init(&l->auth);
	l->id = conf->nlocations++;
	TAILQ_INSERT_TAIL(&srv->locations, l, entry);
	loc = l;
	return (0);
}

/*
 * Certificates, keys and CAs are read now, as root, so that an unreadable
 * file is an error at its line, also with -n; the handshake processes get
 * the bytes and open nothing.
 */
static int
tls_file_read(enum tls_file_kind kind, const char *path)
{
	const char	*errstr;

	if (config_tls_file_read(srv, kind, path, &errstr) == -1) {
		yyerror("%s: %s", path, errstr);
		return (-1);
	}
	return (0);
}

/* Check a cipher or curve list now, with a scratch libtls config. */
static int
tls_spec_set(char *dst, const char *what, const char *spec)
{
	struct tls_config	*tc;
	int			 rv;

	if (strlcpy(dst, spec, TLS_SPEC_MAX) >= TLS_SPEC_MAX) {
		yyerror("tls %s too long", what);
		return (-1);
	}
	if ((tc = tls_config_new()) == NULL) {
		yyerror("tls_config_new failed");
		return (-1);
	}
	if (strcmp(what, "ciphers") == 0)
		rv = tls_config_set_ciphers(tc, spec);
	else
		rv = tls_config_set_ecdhecurves(tc, spec);
	if (rv == -1)
		yyerror("invalid tls %s \"%s\": %s", what, spec,
		    tls_config_error(tc));
	tls_config_free(tc);
	return (rv);
}

/*
 * Whether libtls takes s's certificate and key together; why not in
 * why. Decoding the key leaves the library's scratch copies in the heap
 * of the process that does it: see tls_server_check.
 */
static int
tls_keypair_try(struct wsd_server *s, char *why, size_t len)
{
	struct tls_config	*tc;
	struct tls		*ctx = NULL;
	struct wsd_tls_file	*cert = &s->tls_file[TLS_FILE_CERT];
	struct wsd_tls_file	*key = &s->tls_file[TLS_FILE_KEY];
	int			 rv = -1;

	if ((tc = tls_config_new()) == NULL || (ctx = tls_server()) == NULL)
		snprintf(why, len, "libtls: out of memory");
	else if (tls_config_set_keypair_mem(tc, cert->data, cert->len,
	    key->data, key->len) == -1)
		snprintf(why, len, "server \"%s\": tls certificate or key: %s",
		    s->name, tls_config_error(tc));
	else if (tls_configure(ctx, tc) == -1)
		snprintf(why, len, "server \"%s\": tls certificate and key: "
		    "%s", s->name, tls_error(ctx));
	else
		rv = 0;
	tls_free(ctx);
	if (tc != NULL) {
		tls_config_clear_keys(tc);
		tls_config_free(tc);
	}
	return (rv);
}

/*
 * A server with a tls listener needs a certificate and key that libtls
 * accepts together; try them now rather than in the handshake process.
 * The parent keeps no decoded key: the try runs in a process forked for
 * it, whose heap goes with it, and which tells only why it failed.
 */
static int
tls_server_check(struct wsd_server *s)
{
	char		 why[512];
	ssize_t		 n;
	pid_t		 pid;
	int		 sp[2], status;

	if (s->tls_file[TLS_FILE_CERT].data == NULL ||
	    s->tls_file[TLS_FILE_KEY].data == NULL) {
		yyerror("server \"%s\" has a tls listener but no tls %s",
		    s->name, s->tls_file[TLS_FILE_CERT].data == NULL ?
		    "certificate" : "key");
		return (-1);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1) {
		yyerror("server \"%s\": socketpair: %s", s->name,
		    strerror(errno));
		return (-1);
	}
	if ((pid = fork()) == -1) {
		yyerror("server \"%s\": fork: %s", s->name, strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return (-1);
	}
	if (pid == 0) {
		close(sp[0]);
		why[0] = '\0';
		status = tls_keypair_try(s, why, sizeof(why));
		if (status == -1 && write(sp[1], why, strlen(why)) == -1)
			_exit(2);
		_exit(status == 0 ? 0 : 1);
	}
	close(sp[1]);
	n = read(sp[0], why, sizeof(why) - 1);
	close(sp[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == 0)
		return (0);
	why[n > 0 ? n : 0] = '\0';
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "server \"%s\": the tls check "
		    "did not finish (status %d)", s->name, status);
	yyerror("%s", why);
	return (-1);
}

static int
symset(const char *nam, const char *val, int persist)
{
	struct sym	*sym;

	TAILQ_FOREACH(sym, &symhead, entry)
		if (strcmp(nam, sym->nam) == 0)
			break;
	if (sym != NULL) {
		if (sym->persist)
			return (0);	/* -D wins over the file */
		free(sym->val);
		if ((sym->val = strdup(val)) == NULL)
			return (-1);
		return (0);
	}
	if ((sym = calloc(1, sizeof(*sym))) == NULL)
		return (-1);
	if ((sym->nam = strdup(nam)) == NULL ||
	    (sym->val = strdup(val)) == NULL) {
		free(sym->nam);
		free(sym);
		return (-1);
	}
	sym->persist = persist;
	TAILQ_INSERT_TAIL(&symhead, sym, entry);
	return (0);
}

int
cmdline_symset(const char *s)
{
	char	*sym, *val;
	int	 ret;

	if ((val = strchr(s, '=')) == NULL || val == s)
		return (-1);
	for (sym = (char *)(uintptr_t)s; sym < val; sym++)
		if (!isalnum((unsigned char)*sym) && *sym != '_')
			return (-1);
	if ((sym = strndup(s, val - s)) == NULL)
		return (-1);
	ret = symset(sym, val + 1, 1);
	free(sym);
	return (ret);
}

static char *
symget(const char *nam)
{
	struct sym	*sym;

	TAILQ_FOREACH(sym, &symhead, entry)
		if (strcmp(nam, sym->nam) == 0) {
			sym->used = 1;
			return (sym->val);
		}
	return (NULL);
}

static void
auth_init(struct wsd_auth *a)
{
	TAILQ_INIT(&a->certs);
	TAILQ_INIT(&a->tokens);
	TAILQ_INIT(&a->basics);
	TAILQ_INIT(&a->allow_subjects);
	TAILQ_INIT(&a->allow_users);
	TAILQ_INIT(&a->allow_claims);
}

/* The key file, read now as root; it must be a key wsd can use. */
static int
token_key_read(struct wsd_auth_token *t, const char *path)
{
	const char	*errstr;

	if (config_token_key_read(t, path, &errstr) == -1) {
		yyerror("%s: %s", path, errstr);
		return (-1);
	}
	return (0);
}

/* The htpasswd file, read now as root: bcrypt hashes only. */
static int
basic_file_read(struct wsd_auth_basic *b, const char *path)
{
	const char	*errstr;
	unsigned int	 line;

	if (config_basic_read(b, path, &line, &errstr) == -1) {
		if (line > 0)
			yyerror("authenticate basic: %s:%u: %s", path, line,
			    errstr);
		else
			yyerror("authenticate basic: %s: %s", path, errstr);
		return (-1);
	}
	return (0);
}

/* A cookie or query parameter name: a token of at most 63 bytes. */
static int
token_name_set(char *dst, const char *what, const char *s)
{
	if (dst[0] != '\0' || s[0] == '\0' || token_check(s) == -1 ||
	    strlcpy(dst, s, WSD_TOKEN_NAME_MAX) >= WSD_TOKEN_NAME_MAX) {
		yyerror("%s: one name, a token of at most %d bytes", what,
		    WSD_TOKEN_NAME_MAX - 1);
		return (-1);
	}
	return (0);
}

/* The authentication being written: the location's, else the server's. */
static struct wsd_auth *
cur_auth(void)
{
	return (loc != NULL ? &loc->auth : &srv->auth);
}

/* "SHA256:" and 64 hex digits, kept as libtls writes it: lower case. */
static int
fingerprint_set(char *out, const char *s)
{
	size_t	 i;

	if (strncasecmp(s, "SHA256:", 7) != 0 || strlen(s) != 7 + 64)
		return (-1);
	memcpy(out, "SHA256:", 7);
	for (i = 7; s[i] != '\0'; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return (-1);
		out[i] = tolower((unsigned char)s[i]);
	}
	out[i] = '\0';
	return (0);
}

static void
yyerror_at(int lineno, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	file->errors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d: %s", file->name, lineno, msg);
}

/*
 * What a server's or a location's authentication needs, checked once
 * the server is complete: a certificate needs a tls listener and a CA to
 * verify it against; an allow subject line needs a certificate to
 * compare; tls required needs a tls listener.
 */
static int
auth_check(struct wsd_server *s, struct wsd_auth *a, const char *where)
{
	struct wsd_auth_cert	*ac;
	struct wsd_auth_token	*at;
	struct wsd_auth_basic	*ab;
	struct wsd_listener	*l;
	struct wsd_str		*o;
	int			 own, certs, tokens, basics, plain = 0, null = 0;
	int			 secure = a->tls_required || s->auth.tls_required;

	TAILQ_FOREACH(l, &conf->listeners, entry)
		if ((s->listeners & (1ULL << l->id)) && !l->tls)
			plain = 1;
	TAILQ_FOREACH(o, &s->origins, entry)
		if (strcasecmp(o->s, "null") == 0)
			null = 1;
	TAILQ_FOREACH(at, &a->tokens, entry) {
		/* A token over ws:// is a credential in the clear. */
		if (plain && !at->insecure && !secure) {
			yyerror_at(at->lineno, "authenticate token: server "
			    "\"%s\" has a listener without tls; the token "
			    "would cross in the clear (insecure allows it)",
			    s->name);
			return (-1);
		}
		/* Any sandboxed frame sends Origin null: any site. */
		if (at->cookie[0] != '\0' && null) {
			yyerror_at(at->lineno, "authenticate token cookie: "
			    "server \"%s\" admits origin \"null\", so any "
			    "site could use the cookie", s->name);
			return (-1);
		}
	}

	TAILQ_FOREACH(ab, &a->basics, entry)
		if (plain && !ab->insecure && !secure) {
			yyerror_at(ab->lineno, "authenticate basic: server "
			    "\"%s\" has a listener without tls; passwords "
			    "would cross in the clear (insecure allows it)",
			    s->name);
			return (-1);
		}

	TAILQ_FOREACH(ac, &a->certs, entry) {
		if (!s->tls) {
			yyerror_at(ac->lineno, "authenticate client "
			    "certificate: server \"%s\" has no tls listener",
			    s->name);
			return (-1);
		}
		if (s->tls_file[TLS_FILE_CA].data == NULL) {
			yyerror_at(ac->lineno, "authenticate client "
			    "certificate: server \"%s\" has no tls client ca",
			    s->name);
			return (-1);
		}
	}
	/* A location without authenticate lines has the server's. */
	own = !TAILQ_EMPTY(&a->certs) || !TAILQ_EMPTY(&a->tokens) ||
	    !TAILQ_EMPTY(&a->basics);
	certs = !TAILQ_EMPTY(&a->certs) || (where != NULL && !own &&
	    !TAILQ_EMPTY(&s->auth.certs));
	tokens = !TAILQ_EMPTY(&a->tokens) || (where != NULL && !own &&
	    !TAILQ_EMPTY(&s->auth.tokens));
	basics = !TAILQ_EMPTY(&a->basics) || (where != NULL && !own &&
	    !TAILQ_EMPTY(&s->auth.basics));
	if (!TAILQ_EMPTY(&a->allow_users) && !tokens && !basics) {
		yyerror_at(a->allow_lineno, "allow user%s%s: no authenticate "
		    "token or basic to go with it",
		    where != NULL ? " in location " : "",
		    where != NULL ? where : "");
		return (-1);
	}
	if (!TAILQ_EMPTY(&a->allow_claims) && !tokens) {
		yyerror_at(a->allow_lineno, "allow claim%s%s: no "
		    "authenticate token to go with it",
		    where != NULL ? " in location " : "",
		    where != NULL ? where : "");
		return (-1);
	}
	if (!TAILQ_EMPTY(&a->allow_subjects) && !certs) {
		yyerror_at(a->allow_lineno, "allow subject%s%s: no "
		    "authenticate client certificate to go with it",
		    where != NULL ? " in location " : "",
		    where != NULL ? where : "");
		return (-1);
	}
	if (a->tls_required && !s->tls) {
		yyerror_at(a->tls_required, "tls required: server \"%s\" has "
		    "no tls listener", s->name);
		return (-1);
	}
	return (0);
}
