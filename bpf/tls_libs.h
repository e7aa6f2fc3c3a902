/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef BURNWATCH_TLS_LIBS_H
#define BURNWATCH_TLS_LIBS_H

#include <linux/types.h>

/* A libssl file seen for the first time: `path` opens it from here (through
 * /proc/<pid>/root, so a container's own file is found too). Returns 0 when probed. */
typedef int (*tls_lib_found_fn)(const char *path, void *ctx);

/* Libssl files already handed out, by (device, inode): each is probed once, and a
 * uprobe on a file covers every process mapping it, started before or after. */
struct tls_libs {
	struct tls_lib_id {
		__u64 dev;
		__u64 ino;
	} *seen;
	__u32 n, cap;
};

/* Walks /proc/<pid>/maps of every process and calls `found` for each libssl.so.* file
 * (dev, inode) not handed out before, and /proc/<pid>/exe for each `node` executable. Returns how many new ones were found, -1 if
 * /proc cannot be read. */
int find_tls_libraries(struct tls_libs *libs, tls_lib_found_fn found, void *ctx);

void tls_libs_free(struct tls_libs *libs);

#endif
