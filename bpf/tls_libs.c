// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where OpenSSL lives on this node: every process's /proc/<pid>/maps for libssl files,
 * and its /proc/<pid>/exe for a `node` executable (OpenSSL linked in, its SSL_* symbols
 * exported); each distinct file (device, inode) once. Containers bring their own
 * libssl.so.1.1 or .3 and their own node: each is its own file, reached through
 * /proc/<pid>/root.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* "node", "nodejs": Node's executable, which carries its own OpenSSL. Other names (a
 * renamed or single-executable build) are not looked at: reading every executable's
 * symbol table at each scan would cost far more. */
static int is_node(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strcmp(base, "node") == 0 || strcmp(base, "nodejs") == 0;
}

/* The executable of process `pid` when it is a node not handed out before. */
static int node_executable(struct tls_libs *libs, const char *pid, tls_lib_found_fn found, void *ctx)
{
	char exe[300], path[4096], open_path[4096 + 300];
	snprintf(exe, sizeof(exe), "/proc/%s/exe", pid);
	ssize_t len = readlink(exe, path, sizeof(path) - 1);
	if (len <= 0)
		return 0; /* a kernel thread, gone, or not ours to read */
	path[len] = 0;
	if (!is_node(path))
		return 0; /* also " (deleted)": replaced on disk, would fail to open */
	struct stat st;
	if (stat(exe, &st))
		return 0;
	__u64 dev = ((__u64)major(st.st_dev) << 32) | minor(st.st_dev);
	if (seen(libs, dev, st.st_ino) || remember(libs, dev, st.st_ino))
		return 0;
	snprintf(open_path, sizeof(open_path), "/proc/%s/root%s", pid, path);
	return found(open_path, ctx) == 0;
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
		added += node_executable(libs, d->d_name, found, ctx);
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
