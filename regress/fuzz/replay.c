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
 * A main for a fuzz target without libFuzzer: it feeds the target each
 * file named, and each file of each directory named, once. make test
 * replays the corpora this way, crash reproducers included.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static void	 replay_file(const char *);
static int	 replay_dir(const char *);

static void
replay_file(const char *path)
{
	struct fuzz_buf	 b = { 0 };
	uint8_t		 chunk[8192], *copy;
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fuzz_put(&b, chunk, n);
	if (ferror(f))
		err(1, "%s", path);
	fclose(f);
	/* A copy of the exact size, as libFuzzer gives: ASan sees overreads. */
	if ((copy = malloc(b.len > 0 ? b.len : 1)) == NULL)
		err(1, NULL);
	if (b.len > 0)
		memcpy(copy, b.p, b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	fuzz_buf_free(&b);
}

/* Files in name order, so that a failure repeats the same way. */
static int
replay_dir(const char *dir)
{
	struct dirent	**names;
	struct stat	  st;
	char		  path[PATH_MAX];
	int		  i, n, count = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1)
		err(1, "%s", dir);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			if (stat(path, &st) == -1)
				err(1, "%s", path);
			if (S_ISREG(st.st_mode)) {
				replay_file(path);
				count++;
			}
		}
		free(names[i]);
	}
	free(names);
	return (count);
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	int		 i, count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file | directory ...\n",
		    getprogname());
		return (1);
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1)
			err(1, "%s", argv[i]);
		if (S_ISDIR(st.st_mode))
			count += replay_dir(argv[i]);
		else {
			replay_file(argv[i]);
			count++;
		}
	}
	printf("%d inputs replayed\n", count);
	return (0);
}
