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
 * max connections and max connections per address, for the daemon as a
 * whole. The parent holds the only counts, so however many handshake
 * processes accept, they cannot race each other: each accepted
 * connection costs one round trip (IPC_ADMIT, IPC_ADMIT_REPLY) before
 * the handshake process spends anything on it. A credit that each
 * handshake process spends locally would save the round trip, but
 * credit held by one process is refused to another near the limit, and
 * the per-address count could not be held that way at all.
 *
 * Every admitted connection is recorded by id with its owner, the child
 * that will close it: the handshake process at first (refusals,
 * timeouts, and the relay of a wss:// connection), the worker once a
 * ws:// connection is handed off (IPC_HANDOFF). The owner releases it
 * (IPC_RELEASE); when a child dies, the parent releases what it owned,
 * so a crash leaks nothing. Memory is bounded: a record per admitted
 * connection (at most max connections), and at most LIMITS_ADDR_MAX
 * addresses, beyond which a new address is refused with 503. A record
 * is kept small, as there is one per idle connection: children by slot
 * number, and no list per owner, since a child's death, the only time
 * its connections are wanted together, is rare enough for a walk.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/tree.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "parent.h"

#define LIMITS_ADDR_MAX		65536
#define LIMITS_KEYLEN		9	/* family, then 4 or 8 address bytes */

struct lim_addr {
	RB_ENTRY(lim_addr)	 entry;
	uint8_t			 key[LIMITS_KEYLEN];
	unsigned int		 n;
};

#define LIMITS_NOCHILD		UINT16_MAX

struct lim_conn {
	RB_ENTRY(lim_conn)	 entry;
	uint64_t		 id;
	struct lim_addr		*addr;
	uint16_t		 owner;		/* slot in env->children */
	uint16_t		 early;		/* released before its hand-off */
	pid_t			 early_pid;
};

RB_HEAD(lim_addrs, lim_addr);
RB_HEAD(lim_conntree, lim_conn);

static int	 lim_addr_cmp(struct lim_addr *, struct lim_addr *);
static int	 lim_conn_cmp(struct lim_conn *, struct lim_conn *);
RB_PROTOTYPE(lim_addrs, lim_addr, entry, lim_addr_cmp);
RB_PROTOTYPE(lim_conntree, lim_conn, entry, lim_conn_cmp);
RB_GENERATE(lim_addrs, lim_addr, entry, lim_addr_cmp);
RB_GENERATE(lim_conntree, lim_conn, entry, lim_conn_cmp);

/* The daemon's connections, by id and by address: one state. */
static struct {
	struct lim_addrs	 addrs;
	struct lim_conntree	 conns;
	struct limits_stats	 stats;
} lim = {
	.addrs = RB_INITIALIZER(&lim.addrs),
	.conns = RB_INITIALIZER(&lim.conns),
};

static int
lim_addr_cmp(struct lim_addr *a, struct lim_addr *b)
{
	return (memcmp(a->key, b->key, LIMITS_KEYLEN));
}

static int
lim_conn_cmp(struct lim_conn *a, struct lim_conn *b)
{
	return (a->id < b->id ? -1 : a->id > b->id);
}

/* An IPv4 address counts alone, an IPv6 address by its /64. */
static void
limits_key(const struct sockaddr_storage *ss, uint8_t *key)
{
	memset(key, 0, LIMITS_KEYLEN);
	key[0] = ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    8);
}

static uint16_t
lim_slot(const struct child *c)
{
	return ((uint16_t)(c - env->children));
}

static struct child *
lim_child(uint16_t slot)
{
	return (slot == LIMITS_NOCHILD ? NULL : &env->children[slot]);
}

/* Returns 0 when admitted, or the HTTP status of the refusal. */
uint32_t
limits_admit(struct child *owner, const struct ipc_admit *ia,
    const struct wsd_config *conf)
{
	struct lim_addr	 find, *a;
	struct lim_conn	*lc;

	if (lim.stats.open >= conf->max_conns) {
		lim.stats.refused_total++;
		return (503);
	}
	limits_key(&ia->peer, find.key);
	if ((a = RB_FIND(lim_addrs, &lim.addrs, &find)) != NULL &&
	    a->n >= conf->max_conns_addr) {
		lim.stats.refused_addr++;
		return (429);
	}
	if (a == NULL && lim.stats.addrs >= LIMITS_ADDR_MAX) {
		lim.stats.refused_table++;
		return (503);
	}
	if ((lc = calloc(1, sizeof(*lc))) == NULL) {
		log_warn("%s", __func__);
		return (503);
	}
	lc->id = ia->id;
	if (RB_INSERT(lim_conntree, &lim.conns, lc) != NULL) {
		log_warnx("%s: %s: connection %llu admitted twice", __func__,
		    owner->name, (unsigned long long)ia->id);
		free(lc);
		return (503);
	}
	if (a == NULL) {
		if ((a = calloc(1, sizeof(*a))) == NULL) {
			log_warn("%s", __func__);
			RB_REMOVE(lim_conntree, &lim.conns, lc);
			free(lc);
			return (503);
		}
		memcpy(a->key, find.key, LIMITS_KEYLEN);
		RB_INSERT(lim_addrs, &lim.addrs, a);
		lim.stats.addrs++;
	}
	a->n++;
	lc->addr = a;
	lc->owner = lim_slot(owner);
	lc->early = LIMITS_NOCHILD;
	lim.stats.open++;
	return (0);
}

static void
limits_free(struct lim_conn *lc)
{
	RB_REMOVE(lim_conntree, &lim.conns, lc);
	if (--lc->addr->n == 0) {
		RB_REMOVE(lim_addrs, &lim.addrs, lc->addr);
		free(lc->addr);
		lim.stats.addrs--;
	}
	free(lc);
	lim.stats.open--;
}

static struct lim_conn *
limits_find(uint64_t id)
{
	struct lim_conn	 find;

	find.id = id;
	return (RB_FIND(lim_conntree, &lim.conns, &find));
}

/*
 * The owner releases a connection it closed. A worker may close a
 * connection before its hand-off reaches us from the handshake process
 * (they come on different channels): then it releases one that a
 * handshake process still owns, and the late hand-off finds nothing.
 * An id we do not hold was refused, or released already.
 */
void
limits_release(struct child *from, uint64_t id)
{
	struct lim_conn	*lc;
	struct child	*owner;

	if ((lc = limits_find(id)) == NULL)
		return;
	if ((owner = lim_child(lc->owner)) == from) {
		limits_free(lc);
		return;
	}
	/*
	 * A worker can close a ws:// connection before the parent has read
	 * the hand-off on the handshake process's channel: the release
	 * counts when that hand-off names this worker, and never if it
	 * names another. A worker cannot release what it was not given.
	 */
	if (from->role == ROLE_WORKER && owner->role == ROLE_HANDSHAKE &&
	    lc->early == LIMITS_NOCHILD) {
		lc->early = lim_slot(from);
		lc->early_pid = from->pid;
		return;
	}
	log_warnx("%s: %s may not release connection %llu", __func__,
	    from->name, (unsigned long long)id);
}

/*
 * A ws:// connection now belongs to a worker. A worker that died (or
 * was respawned: another pid) since the hand-off closed it already.
 */
void
limits_handoff(struct child *from, const struct ipc_handoff *ih)
{
	struct lim_conn	*lc;
	struct child	*c, *early;

	if ((lc = limits_find(ih->id)) == NULL || lim_child(lc->owner) != from)
		return;
	CHILD_FOREACH(c, ROLE_WORKER, CHILDREN_RUNNING)
		if (c->instance == ih->worker && (uint32_t)c->pid == ih->pid)
			break;
	if (c == NULL || c->chan == NULL) {
		limits_free(lc);
		return;
	}
	if ((early = lim_child(lc->early)) != NULL) {
		if (early == c && lc->early_pid == c->pid) {
			limits_free(lc);	/* closed already */
			return;
		}
		log_warnx("%s: %s released connection %llu, which went to "
		    "%s", __func__, early->name, (unsigned long long)lc->id,
		    c->name);
		lc->early = LIMITS_NOCHILD;
	}
	lc->owner = lim_slot(c);
}

/* A child died: its connections died with it. */
void
limits_child_lost(struct child *c)
{
	struct lim_conn	*lc, *next;
	uint16_t	 slot = lim_slot(c);
	unsigned int	 n = 0;

	RB_FOREACH_SAFE(lc, lim_conntree, &lim.conns, next)
		if (lc->owner == slot) {
			limits_free(lc);
			n++;
		}
	if (n > 0)
		log_info("%s: released %u connections of %s", __func__, n,
		    c->name);
}

const struct limits_stats *
limits_stats(void)
{
	return (&lim.stats);
}
