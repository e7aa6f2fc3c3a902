/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef BURNWATCH_EXISTING_CONNS_H
#define BURNWATCH_EXISTING_CONNS_H

#include <stdbool.h>
#include <linux/types.h>

/* Puts the server side of TCP connections established before start into the connection
 * map (`conns`). Returns how many, or -1 when /proc cannot be read. */
int seed_existing_connections(int map_fd, __u32 max_entries, const __u32 *excluded_tgids, __u32 n_tgids,
			      const __u16 *excluded_ports, __u32 n_ports);

#endif
