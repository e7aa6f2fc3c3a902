/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* HTTP/2 in the loader: BW_REC_H2 records from the kernel in, the same per-request
 * struct bw_http_event as HTTP/1 out (BW_HTTP_F_H2, and BW_HTTP_F_GRPC with grpc_status). */
#ifndef BURNWATCH_H2_H
#define BURNWATCH_H2_H

#include <stddef.h>
#include <linux/types.h>
#include "events.h"

/* Called with each finished request; a non-zero return stops the ring buffer's callback. */
typedef int (*h2_emit_fn)(const struct bw_http_event *ev);

/* stats_fd: the BPF programs' per-CPU `stats` map; the loader's HTTP/2 counters are written
 * into their slots of CPU 0 (the kernel never touches those). */
void h2_init(int stats_fd, int ncpus);
int h2_on_record(const void *data, size_t size, h2_emit_fn emit);
void h2_free(void);

#endif
