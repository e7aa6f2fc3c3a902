// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where libssl lives on this node: every process's /proc/<pid>/maps, each distinct
 * file (device, inode) once. Containers bring their own libssl.so.1.1 or .3: each is
 * its own file, reached through /proc/<pid>/root.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tls_libs.h"

static int seen(const struct tls_libs *libs, __u64 dev, __u64 ino)
{
	for (__u32 i = 0; i < libs->n; i++)
		if (libs->seen[i].dev == dev && libs->seen[i].ino == ino)
			return 1;
	return 0;
}

static int remember(struct tls_libs *libs, __u64 dev, __u64 ino)
{
	if (libs->n == libs->cap) {
		__u32 cap = libs->cap ? libs->cap * 2 : 16;
		struct tls_lib_id *v = realloc(libs->seen, cap * sizeof(*v));
		if (!v)
			return -1;
		libs->seen = v;
		libs->cap = cap;
	}
	libs->seen[libs->n].dev = dev;
	libs->seen[libs->n].ino = ino;
	libs->n++;
	return 0;
}

/* "libssl.so.3", "libssl.so.1.1": the basename starts with "libssl.so". */
static int is_libssl(const char *path)
{
	const char *base = strrchr(path, '/');
	return base && strncmp(base + 1, "libssl.so", 9) == 0;
}

int find_tls_libraries(struct tls_libs *libs, tls_lib_found_fn found, void *ctx)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	int added = 0;
	struct dirent *d;
	char maps[300], line[4096], path[4096], open_path[4096 + 300];
	while ((d = readdir(proc))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(maps, sizeof(maps), "/proc/%s/maps", d->d_name);
		FILE *f = fopen(maps, "r");
		if (!f)
			continue; /* gone, or a kernel thread */
		while (fgets(line, sizeof(line), f)) {
			if (!strstr(line, "/libssl.so"))
				continue;
			unsigned int major, minor;
			unsigned long long ino;
			/* address perms offset dev inode path */
			if (sscanf(line, "%*s %*s %*s %x:%x %llu %4095s", &major, &minor, &ino, path) != 4)
				continue;
			if (!is_libssl(path) || strstr(line, "(deleted)"))
				continue;
			__u64 dev = ((__u64)major << 32) | minor;
			if (seen(libs, dev, ino))
				continue;
			snprintf(open_path, sizeof(open_path), "/proc/%s/root%s", d->d_name, path);
			/* Remembered even when probing fails: it would fail the same way every scan. */
			if (remember(libs, dev, ino))
				break;
			if (found(open_path, ctx) == 0)
				added++;
		}
		fclose(f);
	}
	closedir(proc);
	return added;
}

void tls_libs_free(struct tls_libs *libs)
{
	free(libs->seen);
	libs->seen = NULL;
	libs->n = libs->cap = 0;
}
