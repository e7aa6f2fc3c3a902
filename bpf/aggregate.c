// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate.h"

struct agg_entry {
	__u64 hash; /* 0: free */
	__u64 cgroup_id;
	__u64 count;
	__u64 sum_ns;
	__u32 tgid;
	__u16 status;
	__u8 flags;
	__u8 line_len;
	__u8 grpc_status;
	__u8 _pad0[7];
	char comm[BW_COMM_LEN];
	char line[BW_LINE_MAX];
	__u32 buckets[BW_MAX_BOUNDS + 1];
	__u32 good[BW_MAX_THRESHOLDS];
};

static __u32 round_pow2(__u32 n)
{
	__u32 p = 64;
	while (p < n && p < (1u << 24))
		p <<= 1;
	return p;
}

int agg_init(struct agg_table *t, __u32 capacity, const __u64 *bounds_ns, __u32 n_bounds, FILE *out)
{
	memset(t, 0, sizeof(*t));
	if (n_bounds > BW_MAX_BOUNDS)
		return -1;
	t->capacity = round_pow2(capacity * 4 / 3 + 1);
	t->max_used = t->capacity / 4 * 3;
	t->slots = calloc(t->capacity, sizeof(*t->slots));
	t->used = calloc(t->capacity, sizeof(*t->used));
	if (!t->slots || !t->used) {
		agg_free(t);
		return -1;
	}
	memcpy(t->bounds_ns, bounds_ns, n_bounds * sizeof(*bounds_ns));
	t->n_bounds = n_bounds;
	t->out = out;
	return 0;
}

void agg_free(struct agg_table *t)
{
	free(t->slots);
	free(t->used);
	t->slots = NULL;
	t->used = NULL;
}

static bool visible(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

__u32 agg_request_line(const char *prefix, __u32 len, char *line)
{
	if (len > BW_LINE_MAX)
		len = BW_LINE_MAX;
	__u32 sp = 0;
	while (sp < len && sp < 8 && prefix[sp] != ' ')
		sp++;
	if (sp == len || sp == 8 || sp == 0) {
		/* Not "METHOD SP": the agent drops it as malformed; 8 bytes keep such keys few. */
		__u32 n = len < 8 ? len : 8;
		memcpy(line, prefix, n);
		return n;
	}
	__u32 end = sp + 1; /* end of the path */
	while (end < len && prefix[end] != ' ' && prefix[end] != '?' && prefix[end] != '#')
		end++;
	__u32 target_end = end;
	while (target_end < len && prefix[target_end] != ' ') {
		if (!visible((unsigned char)prefix[target_end]))
			return (memcpy(line, prefix, len), len); /* malformed query: kept whole, dropped by the agent */
		target_end++;
	}
	__u32 n = end;
	memcpy(line, prefix, n);
	if (end < target_end)
		line[n++] = prefix[end]; /* '?' or '#': the path is whole even if the capture ends inside the query */
	__u32 version = len - target_end < 9 ? len - target_end : 9; /* " HTTP/1.1" */
	memcpy(line + n, prefix + target_end, version);
	return n + version;
}

static __u64 hash_key(__u32 tgid, __u64 cgroup, __u16 status, __u8 flags, __u8 grpc_status, const char *line,
		      __u32 n)
{
	__u64 h = 1469598103934665603ULL;
	h = (h ^ tgid) * 1099511628211ULL;
	h = (h ^ cgroup) * 1099511628211ULL;
	h = (h ^ ((__u64)grpc_status << 24 | (__u64)status << 8 | flags)) * 1099511628211ULL;
	for (__u32 i = 0; i < n; i++)
		h = (h ^ (unsigned char)line[i]) * 1099511628211ULL;
	return h ? h : 1;
}

int agg_add(struct agg_table *t, const struct bw_http_event *e)
{
	char line[BW_LINE_MAX];
	__u32 n = agg_request_line(e->prefix, e->prefix_len, line);
	/* The labels url.scheme, network.protocol.version and rpc.grpc.status_code come from these. */
	__u8 flags = e->flags & (BW_HTTP_F_TLS | BW_HTTP_F_H2 | BW_HTTP_F_GRPC);
	__u8 grpc_status = flags & BW_HTTP_F_GRPC ? e->grpc_status : 0;
	__u64 h = hash_key(e->tgid, e->cgroup_id, e->status, flags, grpc_status, line, n);
	__u32 mask = t->capacity - 1;
	__u32 i = (__u32)h & mask;
	struct agg_entry *s;
	for (;;) {
		s = &t->slots[i];
		if (!s->hash)
			break;
		if (s->hash == h && s->tgid == e->tgid && s->cgroup_id == e->cgroup_id && s->status == e->status &&
		    s->flags == flags && s->grpc_status == grpc_status && s->line_len == n && memcmp(s->line, line, n) == 0)
			goto found;
		i = (i + 1) & mask;
	}
	if (t->n_used >= t->max_used) {
		/* Full: what is counted goes to the agent now, and counting goes on. */
		t->counters[BW_LOADER_FLUSHES_FULL]++;
		if (agg_flush(t))
			return -1;
		i = (__u32)h & mask; /* the table is empty now */
		s = &t->slots[i];
	}
	s->hash = h;
	s->tgid = e->tgid;
	s->cgroup_id = e->cgroup_id;
	s->status = e->status;
	s->flags = flags;
	s->grpc_status = grpc_status;
	s->line_len = (__u8)n;
	memcpy(s->line, line, n);
	memcpy(s->comm, e->comm, BW_COMM_LEN);
	t->used[t->n_used++] = i;
found:
	t->counters[BW_LOADER_RECORDS]++;
	s->count++;
	s->sum_ns += e->duration_ns;
	__u64 d = e->duration_ns;
	__u32 b = 0;
	while (b < t->n_bounds && d > t->bounds_ns[b])
		b++;
	s->buckets[b]++;
	for (__u32 k = 0; k < t->n_active; k++) {
		__u32 slot = t->active[k];
		if (d <= t->thresholds_ns[slot])
			s->good[slot]++;
	}
	return 0;
}

int agg_flush(struct agg_table *t)
{
	char buf[sizeof(struct bw_series_record) + 4 * (BW_MAX_BOUNDS + 1 + BW_MAX_THRESHOLDS) + BW_LINE_MAX + 8];
	__u32 nb = t->n_bounds + 1, ng = t->n_good;
	for (__u32 u = 0; u < t->n_used; u++) {
		struct agg_entry *s = &t->slots[t->used[u]];
		struct bw_series_record *r = (struct bw_series_record *)buf;
		__u32 off = sizeof(*r);
		memset(r, 0, sizeof(*r));
		r->type = BW_REC_SERIES;
		r->flags = s->flags;
		r->status = s->status;
		r->tgid = s->tgid;
		r->line_len = s->line_len;
		r->grpc_status = s->grpc_status;
		r->n_buckets = (__u8)nb;
		r->n_good = (__u8)ng;
		r->cgroup_id = s->cgroup_id;
		r->count = s->count;
		r->sum_ns = s->sum_ns;
		memcpy(r->comm, s->comm, BW_COMM_LEN);
		memcpy(buf + off, s->buckets, 4 * nb);
		off += 4 * nb;
		memcpy(buf + off, s->good, 4 * ng);
		off += 4 * ng;
		memcpy(buf + off, s->line, s->line_len);
		off += s->line_len;
		while (off % 8)
			buf[off++] = 0;
		r->size = off;
		if (fwrite(buf, off, 1, t->out) != 1)
			return -1;
		t->counters[BW_LOADER_SERIES_SENT]++;
		memset(s, 0, sizeof(*s));
	}
	t->n_used = 0;
	return 0;
}

int agg_set_thresholds(struct agg_table *t, const char *list)
{
	__u64 ns[BW_MAX_THRESHOLDS] = { 0 };
	__u32 n = 0;
	const char *p = list;
	while (*p && *p != '\n') {
		char *end;
		errno = 0;
		unsigned long ms = strtoul(p, &end, 10);
		if (errno || end == p || ms > 10000 || n == BW_MAX_THRESHOLDS)
			return -1;
		ns[n++] = (__u64)ms * 1000000ULL;
		p = end;
		if (*p == ',')
			p++;
	}
	/* Counts so far were taken with the old slots: they go out first. */
	if (agg_flush(t))
		return -1;
	memcpy(t->thresholds_ns, ns, sizeof(ns));
	t->n_active = 0;
	t->n_good = 0;
	for (__u32 i = 0; i < n; i++)
		if (ns[i]) {
			t->active[t->n_active++] = i;
			t->n_good = i + 1;
		}
	return 0;
}
