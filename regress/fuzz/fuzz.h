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
 * What the fuzz targets share. Each target is built twice: with
 * libFuzzer's main, and with replay.c's, which feeds it the files of its
 * corpus so that what was once found stays fixed.
 */

#ifndef FUZZ_H
#define FUZZ_H

#include <sys/types.h>

#include <stdint.h>

/* A broken invariant is a crash, so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)

/* Cuts and choices drawn from the input, so that a run repeats. */
struct fuzz_rng {
	uint32_t	 s;
};

/* A growing byte string. */
struct fuzz_buf {
	uint8_t		*p;
	size_t		 len, cap;
};

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

__attribute__((__noreturn__))
void		 fuzz_fail(const char *, int, const char *);
void		 fuzz_seed(struct fuzz_rng *, const uint8_t *, size_t);
uint32_t	 fuzz_rand(struct fuzz_rng *, uint32_t);
void		 fuzz_put(struct fuzz_buf *, const void *, size_t);
void		 fuzz_buf_free(struct fuzz_buf *);
ssize_t		 fuzz_utf8_ref(const uint8_t *, size_t, int *);

#endif /* FUZZ_H */
