// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report: small helpers every part uses: growing arrays, strings,
 * files.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pciprobe-report.h"
#include "report.h"

/* room for one more element in the array *p of *cap elements of size sz;
 * out of memory ends the program (exit 2): a partial trace is never judged */
void *pp_grow(void *p, int *cap, int n, size_t sz)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 64;
	p = realloc(p, (size_t)*cap * sz);
	if (!p) {
		fprintf(stderr, "%s: out of memory reading the trace\n", PROG);
		exit(2);
	}
	return p;
}

const char *pp_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int pp_join(char *out, size_t n, const char *a, const char *b)
{
	int len = snprintf(out, n, "%s%s", a, b);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* copy at most n - 1 bytes of src and terminate: names are truncated */
void pp_copy_str(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* the first line of a small file, cut at the first of the characters in stop */
int pp_read_line(const char *path, char *buf, size_t n, const char *stop)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, stop)] = '\0';
	return 0;
}

int pp_read_file_str(const char *path, char *buf, size_t n)
{
	return pp_read_line(path, buf, n, "\n");
}
