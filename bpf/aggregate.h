/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader's series table: kernel transaction records (bw_http_event) counted per series key
 * (tgid, cgroup, TLS/HTTP/2/gRPC flags, status, gRPC status, request line without its query) into histogram buckets and
 * exact-threshold counts, written to the agent as bw_series_record deltas at each flush.
 * Bounded: when the table is full it is flushed early (counted), so no request is ever lost.
 */
#ifndef BURNWATCH_AGGREGATE_H
#define BURNWATCH_AGGREGATE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "events.h"

struct agg_entry;

struct agg_table {
	struct agg_entry *slots; /* open addressing, capacity a power of 2 */
	__u32 *used;             /* indices of occupied slots, in insertion order */
	__u32 capacity;
	__u32 n_used;
	__u32 max_used;          /* flush early past this many keys (3/4 of capacity) */
	__u32 n_bounds;
	__u64 bounds_ns[BW_MAX_BOUNDS];
	__u64 thresholds_ns[BW_MAX_THRESHOLDS]; /* 0: slot empty */
	__u32 active[BW_MAX_THRESHOLDS];        /* non-empty slots */
	__u32 n_active;
	__u32 n_good;                           /* highest non-empty slot + 1 */
	__u64 counters[BW_LOADER_COUNTER_MAX];
	FILE *out;
};

/* Capacity: keys held between two flushes (rounded up to a power of 2). 0 on success. */
int agg_init(struct agg_table *t, __u32 capacity, const __u64 *bounds_ns, __u32 n_bounds, FILE *out);
void agg_free(struct agg_table *t);
/* Counts one kernel record; may flush the table first when it is full. 0, or -1 when writing failed. */
int agg_add(struct agg_table *t, const struct bw_http_event *e);
/* Writes one bw_series_record per key seen since the last flush and empties the table. */
int agg_flush(struct agg_table *t);
/* "350,0,1000": threshold slot i counts requests within that many ms (0: empty). 0, or -1 if malformed. */
int agg_set_thresholds(struct agg_table *t, const char *list);
/* The key's request line: method, path, a '?' or '#' if a query or fragment followed, version. Pure. */
__u32 agg_request_line(const char *prefix, __u32 len, char *line);

#endif
