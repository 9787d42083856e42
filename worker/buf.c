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
 * Output buffers: fixed-size blocks from a free list, chained per
 * connection while there is something to send, returned once sent.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "worker.h"

#define WBUF_POOL_MAX	256		/* 4 MB kept at most */

/* The free blocks, shared by every connection of the process. */
struct wbuf_pool {
	unsigned int	 n;
	struct wbuf	*head;
};

static struct wbuf_pool	 pool;

struct wbuf *
wbuf_get(void)
{
	struct wbuf	*b;

	if ((b = pool.head) != NULL) {
		pool.head = b->next;
		pool.n--;
	} else if ((b = malloc(sizeof(*b))) == NULL)
		fatal("%s", __func__);
	b->next = NULL;
	b->off = b->len = 0;
	return (b);
}

void
wbuf_put(struct wbuf *b)
{
	if (b == NULL)
		return;
	if (pool.n >= WBUF_POOL_MAX) {
		free(b);
		return;
	}
	b->next = pool.head;
	pool.head = b;
	pool.n++;
}

/* Give memory back after a burst: keep at most max free blocks. */
void
wbuf_pool_trim(unsigned int max)
{
	struct wbuf	*b;

	while (pool.n > max && (b = pool.head) != NULL) {
		pool.head = b->next;
		pool.n--;
		free(b);
	}
}

void
wchain_append(struct wchain *c, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 n;

	while (len > 0) {
		if (c->tail == NULL || c->tail->len == WBUF_SIZE) {
			if (c->tail == NULL)
				c->head = c->tail = wbuf_get();
			else
				c->tail = c->tail->next = wbuf_get();
		}
		n = WBUF_SIZE - c->tail->len;
		if (n > len)
			n = len;
		memcpy(c->tail->data + c->tail->len, p, n);
		c->tail->len += n;
		c->len += n;
		p += n;
		len -= n;
	}
}

/* Drop len bytes that were written from the head of the chain. */
void
wchain_consume(struct wchain *c, size_t len)
{
	struct wbuf	*b;
	size_t		 n;

	while (len > 0 && (b = c->head) != NULL) {
		n = b->len - b->off;
		if (n > len)
			n = len;
		b->off += n;
		c->len -= n;
		len -= n;
		if (b->off == b->len) {
			if ((c->head = b->next) == NULL)
				c->tail = NULL;
			wbuf_put(b);
		}
	}
}

void
wchain_free(struct wchain *c)
{
	struct wbuf	*b;

	while ((b = c->head) != NULL) {
		c->head = b->next;
		wbuf_put(b);
	}
	c->tail = NULL;
	c->len = 0;
}
