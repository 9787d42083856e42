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
 * permessage-deflate (RFC 7692) over zlib's raw deflate. The streams are
 * made when a compressed message starts and, without context takeover,
 * freed when it ends, so an idle connection holds no zlib memory. The
 * server always compresses with a small window and memLevel: the client
 * can inflate it whatever window it offered.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "worker.h"

#define PMD_SERVER_WBITS	11	/* 2 KB window for our deflate */
#define PMD_MEMLEVEL		4	/* 8 KB of hash and literal buffers */
#define PMD_MIN_WBITS		9	/* zlib's smallest raw window */

struct pmd {
	struct ws_deflate_params p;
	z_stream	*inf;
	z_stream	*def;
	size_t		 mem;		/* bytes zlib holds now */
	uint8_t		 tail[4];	/* held back: may be the sync marker */
	uint8_t		 taillen;
	uint8_t		 trailer_fed;
};

static const uint8_t	 sync_marker[4] = { 0x00, 0x00, 0xff, 0xff };

/* zlib's allocations are counted, so memory can be reported. */
static voidpf
pmd_alloc(voidpf opaque, uInt items, uInt size)
{
	struct pmd	*pmd = opaque;
	size_t		*p;

	if ((p = calloc(1, sizeof(size_t) + (size_t)items * size)) == NULL)
		return (Z_NULL);
	*p = (size_t)items * size;
	pmd->mem += *p;
	return (p + 1);
}

static void
pmd_zfree(voidpf opaque, voidpf ptr)
{
	struct pmd	*pmd = opaque;
	size_t		*p = (size_t *)ptr - 1;

	pmd->mem -= *p;
	free(p);
}

struct pmd *
pmd_new(const struct ws_deflate_params *p)
{
	struct pmd	*pmd;

	if ((pmd = calloc(1, sizeof(*pmd))) == NULL)
		return (NULL);
	pmd->p = *p;
	return (pmd);
}

static void
pmd_free_inflate(struct pmd *pmd)
{
	if (pmd->inf == NULL)
		return;
	inflateEnd(pmd->inf);
	free(pmd->inf);
	pmd->inf = NULL;
}

static void
pmd_free_deflate(struct pmd *pmd)
{
	if (pmd->def == NULL)
		return;
	deflateEnd(pmd->def);
	free(pmd->def);
	pmd->def = NULL;
}

void
pmd_free(struct pmd *pmd)
{
	if (pmd == NULL)
		return;
	pmd_free_inflate(pmd);
	pmd_free_deflate(pmd);
	free(pmd);
}

size_t
pmd_memory(const struct pmd *pmd)
{
	return (pmd == NULL ? 0 : sizeof(*pmd) + pmd->mem +
	    (pmd->inf ? sizeof(z_stream) : 0) +
	    (pmd->def ? sizeof(z_stream) : 0));
}

static z_stream *
pmd_stream(struct pmd *pmd)
{
	z_stream	*z;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		return (NULL);
	z->zalloc = pmd_alloc;
	z->zfree = pmd_zfree;
	z->opaque = pmd;
	return (z);
}

static int
pmd_inflate_start(struct pmd *pmd)
{
	int	 bits = pmd->p.client_max_window_bits;

	if (pmd->inf != NULL)
		return (0);
	if (bits < PMD_MIN_WBITS)
		bits = PMD_MIN_WBITS;	/* a larger window reads a smaller */
	if ((pmd->inf = pmd_stream(pmd)) == NULL)
		return (-1);
	if (inflateInit2(pmd->inf, -bits) != Z_OK) {
		free(pmd->inf);
		pmd->inf = NULL;
		return (-1);
	}
	return (0);
}

static int
pmd_deflate_start(struct pmd *pmd)
{
	int	 bits = PMD_SERVER_WBITS;

	if (pmd->def != NULL)
		return (0);
	if (bits > pmd->p.server_max_window_bits)
		bits = pmd->p.server_max_window_bits;
	if ((pmd->def = pmd_stream(pmd)) == NULL)
		return (-1);
	if (deflateInit2(pmd->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits,
	    PMD_MEMLEVEL, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(pmd->def);
		pmd->def = NULL;
		return (-1);
	}
	return (0);
}

/*
 * Inflate from *in into out, as much as fits. Advances *in and *inlen;
 * *produced is what came out. Returns -1 on bad data.
 */
int
pmd_inflate(struct pmd *pmd, const uint8_t **in, size_t *inlen,
    uint8_t *out, size_t outsize, size_t *produced)
{
	z_stream	*z;
	int		 rv;

	*produced = 0;
	if (pmd_inflate_start(pmd) == -1)
		return (-1);
	z = pmd->inf;
	z->next_in = (Bytef *)(uintptr_t)*in;
	z->avail_in = *inlen;
	z->next_out = out;
	z->avail_out = outsize;
	rv = inflate(z, Z_SYNC_FLUSH);
	*produced = outsize - z->avail_out;
	*in += *inlen - z->avail_in;
	*inlen = z->avail_in;
	if (rv == Z_STREAM_END)
		return (-1);	/* a final block is not allowed here */
	if (rv != Z_OK && rv != Z_BUF_ERROR)
		return (-1);
	return (0);
}

/*
 * The end of a message: inflate the sync marker the client stripped.
 * Call until *done; each call fills at most outsize bytes.
 */
int
pmd_inflate_finish(struct pmd *pmd, uint8_t *out, size_t outsize,
    size_t *produced, int *done)
{
	const uint8_t	*in = sync_marker + pmd->trailer_fed;
	size_t		 inlen = sizeof(sync_marker) - pmd->trailer_fed;

	if (pmd_inflate(pmd, &in, &inlen, out, outsize, produced) == -1)
		return (-1);
	pmd->trailer_fed = sizeof(sync_marker) - inlen;
	*done = inlen == 0 && *produced < outsize;
	return (0);
}

/*
 * Compress len bytes into out, flushing at the end of the message. The
 * last four bytes are held back until more follows: at the end they are
 * the sync marker, which RFC 7692 removes. out has room for len plus a
 * margin (see session.c); returns -1 if it did not fit.
 */
int
pmd_deflate(struct pmd *pmd, const uint8_t *in, size_t len, int final,
    uint8_t *out, size_t outsize, size_t *outlen)
{
	z_stream	*z;
	size_t		 n;
	int		 rv;

	if (pmd_deflate_start(pmd) == -1 || outsize < sizeof(pmd->tail))
		return (-1);
	memcpy(out, pmd->tail, pmd->taillen);
	z = pmd->def;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = len;
	z->next_out = out + pmd->taillen;
	z->avail_out = outsize - pmd->taillen;
	rv = deflate(z, final ? Z_SYNC_FLUSH : Z_NO_FLUSH);
	if ((rv != Z_OK && rv != Z_BUF_ERROR) || z->avail_in != 0 ||
	    z->avail_out == 0)
		return (-1);
	n = outsize - z->avail_out;
	if (final && n == 0) {
		/* An empty message on a used stream: zlib flushes nothing. */
		out[0] = 0x00;
		*outlen = 1;
		return (0);
	}
	if (final) {
		if (n < 4 || memcmp(out + n - 4, sync_marker, 4) != 0)
			return (-1);
		pmd->taillen = 0;
		*outlen = n - 4;
		return (0);
	}
	pmd->taillen = n < 4 ? n : 4;
	memcpy(pmd->tail, out + n - pmd->taillen, pmd->taillen);
	*outlen = n - pmd->taillen;
	return (0);
}

/* Without context takeover a stream lives for one message only. */
void
pmd_message_done(struct pmd *pmd)
{
	pmd->trailer_fed = 0;
	pmd->taillen = 0;
	if (pmd->p.client_no_context_takeover)
		pmd_free_inflate(pmd);
	if (pmd->p.server_no_context_takeover)
		pmd_free_deflate(pmd);
}
