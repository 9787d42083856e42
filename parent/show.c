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
 * What wsctl shows, in one of three forms as bgpctl does: aligned
 * columns for people, JSON for scripts (-j), and OpenMetrics text for
 * scrapers (show metrics).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"


void
ctl_line(struct ipc_chan *chan, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		ipc_compose(chan, IPC_CTL_DATA, line, (size_t)n < sizeof(line) ?
		    (size_t)n : sizeof(line) - 1, NULL, 0, -1);
}

/* A JSON string body: our names are printable, but quote them safely. */
static const char *
json_str(const char *s, char *buf, size_t size)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 7 < size; s++) {
		if (*s == '"' || *s == '\\') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			o += snprintf(buf + o, size - o, "\\u%04x",
			    (unsigned char)*s);
		else
			buf[o++] = *s;
	}
	buf[o] = '\0';
	return (buf);
}

void
show_summary(struct ipc_chan *chan, int json)
{
	const struct wsd_config	*conf = env->conf;
	const char		*state = env->stopping ? "stopping" : "running";
	struct wsd_server	*s;
	struct wsd_listener	*l;
	struct child		*c;
	char			 addr[64], esc[2 * SERVER_NAME_MAX + 8];
	int			 first = 1;

	if (json) {
		ctl_line(chan, "{\"parent\":{\"pid\":%d,\"state\":\"%s\"},",
		    (int)getpid(), state);
		ctl_line(chan, "\"servers\":[");
		TAILQ_FOREACH(s, &conf->servers, entry)
			ctl_line(chan, "%s\"%s\"", s == TAILQ_FIRST(
			    &conf->servers) ? "" : ",", json_str(s->name, esc,
			    sizeof(esc)));
		ctl_line(chan, "],\"listeners\":[");
		TAILQ_FOREACH(l, &conf->listeners, entry)
			ctl_line(chan, "%s{\"address\":\"%s\",\"tls\":%s}",
			    l == TAILQ_FIRST(&conf->listeners) ? "" : ",",
			    sockaddr_str((struct sockaddr *)&l->ss, addr,
			    sizeof(addr)), l->tls ? "true" : "false");
		ctl_line(chan, "],\"processes\":[");
		CHILD_FOREACH(c, ROLE_ANY, CHILDREN_SHOWN) {
			ctl_line(chan, "%s{\"role\":\"%s\",\"instance\":%u,"
			    "\"pid\":%d,\"state\":\"%s\"}", first ? "" : ",",
			    role_names[c->role], c->instance, (int)c->pid,
			    child_state_name(c));
			first = 0;
		}
		ctl_line(chan, "]}");
		return;
	}
	TAILQ_FOREACH(s, &conf->servers, entry)
		ctl_line(chan, "server %s", s->name);
	TAILQ_FOREACH(l, &conf->listeners, entry)
		ctl_line(chan, "listen %s%s", sockaddr_str((struct sockaddr *)
		    &l->ss, addr, sizeof(addr)), l->tls ? " tls" : "");
	ctl_line(chan, "%-10s %-8s %-8s %s", "ROLE", "INSTANCE", "PID",
	    "STATE");
	ctl_line(chan, "%-10s %-8s %-8d %s", "parent", "-", (int)getpid(),
	    state);
	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_SHOWN)
		ctl_line(chan, "%-10s %-8u %-8d %s", role_names[c->role],
		    c->instance, (int)c->pid, child_state_name(c));
}

/*
 * The counters of processes that have exited, retired or died: the
 * daemon's totals only grow, as a scraper of counters expects.
 */
static void	 stats_add(struct ipc_stats *, const struct ipc_stats *);
static void	 hs_add(struct ipc_hs_stats *, const struct ipc_hs_stats *);

/* A child is gone: what it last reported stays counted, once. */
void
show_child_gone(struct child *c)
{
	c->stats.conns_now = 0;
	stats_add(&env->gone_stats, &c->stats);
	hs_add(&env->gone_hsstats, &c->hsstats);
	memset(&c->stats, 0, sizeof(c->stats));
	memset(&c->hsstats, 0, sizeof(c->hsstats));
}

static void
stats_add(struct ipc_stats *t, const struct ipc_stats *s)
{
	int	 i;

	t->conns_now += s->conns_now;
	t->conns_total += s->conns_total;
	t->msgs_in += s->msgs_in;
	t->msgs_out += s->msgs_out;
	t->bytes_in += s->bytes_in;
	t->bytes_out += s->bytes_out;
	for (i = 0; i < STATS_CLOSE_CODES; i++) {
		t->close_sent[i] += s->close_sent[i];
		t->close_rcvd[i] += s->close_rcvd[i];
	}
	for (i = 0; i < STATS_ERRORS; i++)
		t->errors[i] += s->errors[i];
}

/*
 * The workers' counters, as they last reported them (once a second),
 * and those of the workers gone.
 */
static void
stats_total(struct ipc_stats *total)
{
	struct child	*c;

	*total = env->gone_stats;
	CHILD_FOREACH(c, ROLE_WORKER, CHILDREN_RUNNING)
		stats_add(total, &c->stats);
}

static void
stats_row(struct ipc_chan *chan, const char *name, const struct ipc_stats *s,
    int json, int first)
{
	if (json)
		ctl_line(chan, "%s{\"process\":\"%s\",\"connections\":%llu,"
		    "\"connections_total\":%llu,\"messages_in\":%llu,"
		    "\"messages_out\":%llu,\"bytes_in\":%llu,"
		    "\"bytes_out\":%llu}", first ? "" : ",", name,
		    (unsigned long long)s->conns_now,
		    (unsigned long long)s->conns_total,
		    (unsigned long long)s->msgs_in,
		    (unsigned long long)s->msgs_out,
		    (unsigned long long)s->bytes_in,
		    (unsigned long long)s->bytes_out);
	else
		ctl_line(chan, "%-12s %8llu %10llu %12llu %12llu %14llu %14llu",
		    name, (unsigned long long)s->conns_now,
		    (unsigned long long)s->conns_total,
		    (unsigned long long)s->msgs_in,
		    (unsigned long long)s->msgs_out,
		    (unsigned long long)s->bytes_in,
		    (unsigned long long)s->bytes_out);
}

static int
close_code(int i)
{
	return (i == STATS_CLOSE_CODES - 1 ? 0 : 1000 + i);
}

/* "1000 3, 1001 1, other 2", or in JSON {"1000":3,...,"other":2}. */
static void
stats_codes(struct ipc_chan *chan, const char *what, const uint64_t *v,
    int json)
{
	char	 buf[512], item[48];
	int	 i;

	buf[0] = '\0';
	for (i = 0; i < STATS_CLOSE_CODES; i++) {
		if (v[i] == 0)
			continue;
		if (close_code(i) == 0)
			snprintf(item, sizeof(item), json ? "%s\"other\":%llu" :
			    "%sother %llu", buf[0] ? (json ? "," : ", ") : "",
			    (unsigned long long)v[i]);
		else
			snprintf(item, sizeof(item), json ? "%s\"%d\":%llu" :
			    "%s%d %llu", buf[0] ? (json ? "," : ", ") : "",
			    close_code(i), (unsigned long long)v[i]);
		strlcat(buf, item, sizeof(buf));
	}
	if (json)
		ctl_line(chan, ",\"%s\":{%s}", what, buf);
	else
		ctl_line(chan, "%s: %s", what, buf[0] ? buf : "none");
}

static void
hs_add(struct ipc_hs_stats *t, const struct ipc_hs_stats *s)
{
	int	 k;

	t->accepted_plain += s->accepted_plain;
	t->accepted_tls += s->accepted_tls;
	t->health += s->health;
	t->timeouts += s->timeouts;
	t->tls_failures += s->tls_failures;
	for (k = 0; k < HS_NSTATUS; k++)
		t->refused[k] += s->refused[k];
	t->pw_checks += s->pw_checks;
	t->pw_waited += s->pw_waited;
	t->pw_busy += s->pw_busy;
	t->proxy_refused += s->proxy_refused;
}

/* The handshake processes' counters, those gone included. */
static void
hs_total(struct ipc_hs_stats *t)
{
	struct child	*c;

	*t = env->gone_hsstats;
	CHILD_FOREACH(c, ROLE_HANDSHAKE, CHILDREN_RUNNING)
		hs_add(t, &c->hsstats);
}

/* "400 3, 403 1": refusals by the status they got. */
static void
hs_refusals(const struct ipc_hs_stats *t, int json, char *buf, size_t size)
{
	static const int	 codes[] = HS_STATUSES;
	char			 item[48];
	int			 k;

	buf[0] = '\0';
	for (k = 0; k < HS_NSTATUS; k++) {
		if (t->refused[k] == 0)
			continue;
		if (k == HS_NSTATUS - 1)
			snprintf(item, sizeof(item), json ? "%s\"other\":%llu" :
			    "%sother %llu", buf[0] ? (json ? "," : ", ") : "",
			    (unsigned long long)t->refused[k]);
		else
			snprintf(item, sizeof(item), json ? "%s\"%d\":%llu" :
			    "%s%d %llu", buf[0] ? (json ? "," : ", ") : "",
			    codes[k], (unsigned long long)t->refused[k]);
		strlcat(buf, item, size);
	}
}

static void
show_handshakes(struct ipc_chan *chan, int json)
{
	struct ipc_hs_stats	 t;
	char			 refused[512];

	hs_total(&t);
	hs_refusals(&t, json, refused, sizeof(refused));
	if (json) {
		ctl_line(chan, ",\"handshakes\":{\"accepted_plain\":%llu,"
		    "\"accepted_tls\":%llu,\"health\":%llu,\"timeouts\":%llu,"
		    "\"tls_failures\":%llu,\"refused\":{%s},"
		    "\"password_checks\":%llu,\"password_waited\":%llu,"
		    "\"password_busy\":%llu,\"proxy_refused\":%llu}",
		    (unsigned long long)t.accepted_plain,
		    (unsigned long long)t.accepted_tls,
		    (unsigned long long)t.health,
		    (unsigned long long)t.timeouts,
		    (unsigned long long)t.tls_failures, refused,
		    (unsigned long long)t.pw_checks,
		    (unsigned long long)t.pw_waited,
		    (unsigned long long)t.pw_busy,
		    (unsigned long long)t.proxy_refused);
		return;
	}
	ctl_line(chan, "handshakes: accepted %llu (plain %llu, tls %llu), "
	    "health checks %llu, timeouts %llu, tls failures %llu, "
	    "proxy refused %llu",
	    (unsigned long long)(t.accepted_plain + t.accepted_tls),
	    (unsigned long long)t.accepted_plain,
	    (unsigned long long)t.accepted_tls, (unsigned long long)t.health,
	    (unsigned long long)t.timeouts,
	    (unsigned long long)t.tls_failures,
	    (unsigned long long)t.proxy_refused);
	ctl_line(chan, "handshakes refused: %s", refused[0] ? refused : "none");
	ctl_line(chan, "password checks: %llu (%llu waited behind another), "
	    "refused busy %llu", (unsigned long long)t.pw_checks,
	    (unsigned long long)t.pw_waited, (unsigned long long)t.pw_busy);
}

/* The parent's counts for max connections (limits.c). */
static void
show_limits(struct ipc_chan *chan, int json)
{
	const struct limits_stats	*l = limits_stats();
	const struct wsd_config		*conf = env->conf;

	if (json)
		ctl_line(chan, ",\"limits\":{\"open\":%llu,\"max\":%u,"
		    "\"addresses\":%llu,\"max_per_address\":%u,"
		    "\"refused_total\":%llu,\"refused_per_address\":%llu,"
		    "\"refused_table_full\":%llu}", l->open, conf->max_conns,
		    l->addrs, conf->max_conns_addr, l->refused_total,
		    l->refused_addr, l->refused_table);
	else
		ctl_line(chan, "limits: %llu open of %u, %llu addresses "
		    "(%u each); refused %llu over the total, %llu per "
		    "address, %llu with the address table full", l->open,
		    conf->max_conns, l->addrs, conf->max_conns_addr,
		    l->refused_total, l->refused_addr, l->refused_table);
}

void
show_stats(struct ipc_chan *chan, int json)
{
	struct ipc_stats	 total;
	struct child		*c;
	int			 e, first = 1;

	stats_total(&total);
	if (json)
		ctl_line(chan, "{\"workers\":[");
	else
		ctl_line(chan, "%-12s %8s %10s %12s %12s %14s %14s",
		    "PROCESS", "CONNS", "TOTAL", "MSGS IN", "MSGS OUT",
		    "BYTES IN", "BYTES OUT");
	CHILD_FOREACH(c, ROLE_WORKER, CHILDREN_RUNNING) {
		stats_row(chan, c->name, &c->stats, json, first);
		first = 0;
	}
	/* Workers gone: their part of the total. */
	if (json) {
		ctl_line(chan, "],\"exited\":");
		stats_row(chan, "exited", &env->gone_stats, 1, 1);
		ctl_line(chan, ",\"total\":");
		stats_row(chan, "total", &total, 1, 1);
	} else {
		if (env->gone_stats.conns_total > 0)
			stats_row(chan, "exited", &env->gone_stats, 0, 1);
		stats_row(chan, "total", &total, 0, 1);
	}
	show_limits(chan, json);
	stats_codes(chan, json ? "close_codes_sent" : "close codes sent",
	    total.close_sent, json);
	stats_codes(chan, json ? "close_codes_received" :
	    "close codes received", total.close_rcvd, json);
	if (json)
		ctl_line(chan, ",\"protocol_errors\":{");
	for (e = 1, first = 1; e < WS_ERR_MAX; e++) {
		if (total.errors[e] == 0)
			continue;
		if (json)
			ctl_line(chan, "%s\"%s\":%llu", first ? "" : ",",
			    ws_err_names[e], (unsigned long long)total.errors[e]);
		else
			ctl_line(chan, "protocol error: %s: %llu",
			    ws_err_names[e], (unsigned long long)total.errors[e]);
		first = 0;
	}
	if (json)
		ctl_line(chan, "}");
	show_handshakes(chan, json);
	if (json)
		ctl_line(chan, "}");
}

static void
metric(struct ipc_chan *chan, const char *name, const char *type,
    const char *help)
{
	ctl_line(chan, "# TYPE %s %s", name, type);
	ctl_line(chan, "# HELP %s %s", name, help);
}

static void
show_handshake_metrics(struct ipc_chan *chan)
{
	static const int	 codes[] = HS_STATUSES;
	struct ipc_hs_stats	 t;
	int			 k;

	hs_total(&t);
	metric(chan, "wsd_handshakes", "counter",
	    "Opening handshakes by outcome.");
	ctl_line(chan, "wsd_handshakes_total{outcome=\"accepted\","
	    "transport=\"plain\"} %llu", (unsigned long long)t.accepted_plain);
	ctl_line(chan, "wsd_handshakes_total{outcome=\"accepted\","
	    "transport=\"tls\"} %llu", (unsigned long long)t.accepted_tls);
	ctl_line(chan, "wsd_handshakes_total{outcome=\"health\"} %llu",
	    (unsigned long long)t.health);
	ctl_line(chan, "wsd_handshakes_total{outcome=\"timeout\"} %llu",
	    (unsigned long long)t.timeouts);
	ctl_line(chan, "wsd_handshakes_total{outcome=\"tls failure\"} %llu",
	    (unsigned long long)t.tls_failures);
	ctl_line(chan, "wsd_handshakes_total{outcome=\"proxy refused\"} %llu",
	    (unsigned long long)t.proxy_refused);
	for (k = 0; k < HS_NSTATUS; k++) {
		if (t.refused[k] == 0)
			continue;
		if (k == HS_NSTATUS - 1)
			ctl_line(chan, "wsd_handshakes_total{outcome=\"refused\","
			    "status=\"other\"} %llu",
			    (unsigned long long)t.refused[k]);
		else
			ctl_line(chan, "wsd_handshakes_total{outcome=\"refused\","
			    "status=\"%d\"} %llu", codes[k],
			    (unsigned long long)t.refused[k]);
	}
	metric(chan, "wsd_password_checks", "counter",
	    "Basic passwords sent to the password processes.");
	ctl_line(chan, "wsd_password_checks_total %llu",
	    (unsigned long long)t.pw_checks);
	metric(chan, "wsd_password_waits", "counter",
	    "Password checks queued behind another.");
	ctl_line(chan, "wsd_password_waits_total %llu",
	    (unsigned long long)t.pw_waited);
	metric(chan, "wsd_password_busy", "counter",
	    "Password checks refused with 503: every process was full.");
	ctl_line(chan, "wsd_password_busy_total %llu",
	    (unsigned long long)t.pw_busy);
}

/* OpenMetrics text: what a Prometheus scraper reads. */
void
show_metrics(struct ipc_chan *chan)
{
	struct ipc_stats	 t;
	struct child		*c;
	unsigned int		 i, count[ROLE_MAX] = { 0 };
	int			 e;

	stats_total(&t);
	CHILD_FOREACH(c, ROLE_ANY, CHILDREN_RUNNING)
		count[c->role]++;
	metric(chan, "wsd_processes", "gauge", "Running child processes.");
	for (i = ROLE_HANDSHAKE; i < ROLE_MAX; i++)
		ctl_line(chan, "wsd_processes{role=\"%s\"} %u", role_names[i],
		    count[i]);
	metric(chan, "wsd_open_connections", "gauge",
	    "WebSocket connections open now.");
	ctl_line(chan, "wsd_open_connections %llu",
	    (unsigned long long)t.conns_now);
	metric(chan, "wsd_counted_connections", "gauge",
	    "Connections counted against max connections.");
	ctl_line(chan, "wsd_counted_connections %llu", limits_stats()->open);
	metric(chan, "wsd_refused_connections", "counter",
	    "Connections refused by max connections (per address).");
	ctl_line(chan, "wsd_refused_connections_total{limit=\"total\"} %llu",
	    limits_stats()->refused_total + limits_stats()->refused_table);
	ctl_line(chan, "wsd_refused_connections_total{limit=\"address\"} "
	    "%llu", limits_stats()->refused_addr);
	metric(chan, "wsd_connections", "counter",
	    "WebSocket connections handed to the workers.");
	ctl_line(chan, "wsd_connections_total %llu",
	    (unsigned long long)t.conns_total);
	metric(chan, "wsd_messages", "counter", "WebSocket messages.");
	ctl_line(chan, "wsd_messages_total{direction=\"in\"} %llu",
	    (unsigned long long)t.msgs_in);
	ctl_line(chan, "wsd_messages_total{direction=\"out\"} %llu",
	    (unsigned long long)t.msgs_out);
	metric(chan, "wsd_bytes", "counter", "Bytes on WebSocket connections.");
	ctl_line(chan, "wsd_bytes_total{direction=\"in\"} %llu",
	    (unsigned long long)t.bytes_in);
	ctl_line(chan, "wsd_bytes_total{direction=\"out\"} %llu",
	    (unsigned long long)t.bytes_out);
	metric(chan, "wsd_close_codes", "counter", "Close frames by code.");
	for (i = 0; i < STATS_CLOSE_CODES; i++) {
		if (t.close_sent[i])
			ctl_line(chan, "wsd_close_codes_total{direction=\"sent\","
			    "code=\"%d\"} %llu", close_code(i),
			    (unsigned long long)t.close_sent[i]);
		if (t.close_rcvd[i])
			ctl_line(chan, "wsd_close_codes_total{direction="
			    "\"received\",code=\"%d\"} %llu", close_code(i),
			    (unsigned long long)t.close_rcvd[i]);
	}
	show_handshake_metrics(chan);
	metric(chan, "wsd_protocol_errors", "counter",
	    "Connections failed for breaking the protocol, by kind.");
	for (e = 1; e < WS_ERR_MAX; e++)
		ctl_line(chan, "wsd_protocol_errors_total{kind=\"%s\"} %llu",
		    ws_err_names[e], (unsigned long long)t.errors[e]);
	ctl_line(chan, "# EOF");
}

/* Names from the configuration in force, for ids a worker reported. */
static const char *
server_name(uint32_t id)
{
	const struct wsd_server	*s;

	TAILQ_FOREACH(s, &env->conf->servers, entry)
		if (s->id == id)
			return (s->name);
	return ("?");
}

static const char *
location_path(uint32_t server, uint32_t id)
{
	const struct wsd_server		*s;
	const struct wsd_location	*l;

	if (id == WSD_NOLOCATION)
		return ("-");
	TAILQ_FOREACH(s, &env->conf->servers, entry)
		if (s->id == server)
			TAILQ_FOREACH(l, &s->locations, entry)
				if (l->id == id)
					return (l->path);
	return ("?");
}

/* One row of show connections; first says whether a comma is due. */
void
show_connection(struct ipc_chan *chan, const struct ipc_conn_info *ci,
    int json, int first)
{
	char		 peer[64], who[WSD_IDENTITY_MAX];
	char		 whoj[2 * WSD_IDENTITY_MAX + 8];
	const char	*state;
	size_t		 i;

	state = ci->state < WS_STATE_MAX ? ws_state_names[ci->state] :
	    "unknown";
	sockaddr_str((const struct sockaddr *)&ci->peer, peer, sizeof(peer));
	char		 srv[2 * SERVER_NAME_MAX + 8], loc[2 * WSD_PATH_MAX + 8];

	/* Escaped by the handshake process; a worker's word is checked. */
	memcpy(who, ci->identity, sizeof(who));
	who[sizeof(who) - 1] = '\0';
	for (i = 0; who[i] != '\0'; i++)
		if (who[i] < 0x20 || who[i] > 0x7e)
			who[i] = '?';

	if (json)
		ctl_line(chan, "%s{\"id\":%llu,\"peer\":\"%s\",\"server\":"
		    "\"%s\",\"location\":\"%s\",\"tls\":%s,\"state\":"
		    "\"%s\",\"age\":%u,\"idle\":%u,\"compression\":%s,"
		    "\"messages_in\":%llu,\"messages_out\":%llu,"
		    "\"bytes_in\":%llu,\"bytes_out\":%llu,\"identity\":%s%s%s}",
		    first ? "" : ",",
		    (unsigned long long)ci->id, peer,
		    json_str(server_name(ci->server), srv, sizeof(srv)),
		    json_str(location_path(ci->server, ci->location), loc,
		    sizeof(loc)), ci->tls ? "true" : "false", state, ci->age,
		    ci->idle, ci->deflate ? "true" : "false",
		    (unsigned long long)ci->msgs_in,
		    (unsigned long long)ci->msgs_out,
		    (unsigned long long)ci->bytes_in,
		    (unsigned long long)ci->bytes_out, who[0] ? "\"" : "",
		    who[0] ? json_str(who, whoj, sizeof(whoj)) : "null",
		    who[0] ? "\"" : "");
	else
		ctl_line(chan, "%-20llu %-24s %-16s %-10s %-3s %-7s %6u %6u %-3s "
		    "%10llu %10llu %12llu %12llu %s", (unsigned long long)ci->id,
		    peer, server_name(ci->server), location_path(ci->server,
		    ci->location), ci->tls ? "yes" : "no", state, ci->age,
		    ci->idle, ci->deflate ? "yes" : "no",
		    (unsigned long long)ci->msgs_in,
		    (unsigned long long)ci->msgs_out,
		    (unsigned long long)ci->bytes_in,
		    (unsigned long long)ci->bytes_out, who[0] ? who : "-");
}

void
show_connections_head(struct ipc_chan *chan, int json)
{
	if (json)
		ctl_line(chan, "[");
	else
		ctl_line(chan, "%-20s %-24s %-16s %-10s %-3s %-7s %6s %6s %-3s "
		    "%10s %10s %12s %12s %s", "ID", "PEER", "SERVER", "LOCATION",
		    "TLS", "STATE", "AGE", "IDLE", "Z", "MSGS IN", "MSGS OUT",
		    "BYTES IN", "BYTES OUT", "IDENTITY");
}
