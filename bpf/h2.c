// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * HTTP/2 and gRPC in the loader. The kernel (h2.bpf.h) follows the frames of connections that
 * began with the client preface and ships the payloads of HEADERS/CONTINUATION frames in
 * pieces, DATA END_STREAM and RST_STREAM as marks. Here, per connection: the header blocks are
 * put together (padding and priority stripped), decoded with one HPACK table per direction,
 * and each stream becomes one struct bw_http_event when its response ends — the same record
 * as HTTP/1, so everything after the loader treats both alike:
 *   prefix     "METHOD :path HTTP/2" (from the request's :method and :path)
 *   status     the response's :status (1xx skipped)
 *   duration   from the read of the request's HEADERS to the write that ended the response
 *              (DATA with END_STREAM, or the trailers)
 *   flags      BW_HTTP_F_H2, BW_HTTP_F_TLS as seen, BW_HTTP_F_GRPC for content-type
 *              application/grpc*, with grpc_status from grpc-status (trailers, or a
 *              trailers-only response), BW_GRPC_STATUS_NONE when none came.
 * Nothing is guessed: a header block that cannot be decoded (a record lost, an index the table
 * does not hold) gives the connection up, and its streams are counted, not timed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "h2.h"
#include "hpack.h"

#define H2_FRAME_HEADERS 1
#define H2_FRAME_CONTINUATION 9
#define H2_END_STREAM 0x1
#define H2_END_HEADERS 0x4
#define H2_PADDED 0x8
#define H2_PRIORITY 0x20
/* A header block larger than this is not decoded (the connection is given up, counted). */
#define H2_MAX_BLOCK (64u << 10)
/* Streams waiting for their response on one connection. */
#define H2_MAX_STREAMS 1024
#define H2_BUCKETS 4096
#define H2_MAX_CONNS 16384
#define H2_PATH_MAX 80

struct h2_stream {
	uint64_t start_ns;
	uint32_t id;
	uint16_t status;
	uint8_t grpc;
	uint8_t grpc_status; /* BW_GRPC_STATUS_NONE until a grpc-status */
	uint8_t path_len;
	uint8_t method_len;
	char method[8];
	char path[H2_PATH_MAX];
	uint8_t _pad0[6];
};

struct h2_block {
	uint8_t *buf;
	size_t len;
	size_t frame_start; /* where the current frame's payload begins in buf */
	uint64_t ts_ns;     /* of the first piece */
	uint32_t stream;
	uint32_t frame_len;
	uint32_t frame_got;
	uint8_t open;        /* a block is being put together */
	uint8_t first_flags; /* the HEADERS frame's flags (END_STREAM) */
	uint8_t frame_type;
	uint8_t frame_flags;
};

struct h2_conn {
	struct h2_conn *next;
	uint32_t tgid;
	uint32_t fd;
	uint32_t next_seq;
	uint32_t n_streams;
	struct hpack tables[2]; /* 0: requests (read), 1: responses (written) */
	struct h2_block blocks[2];
	struct h2_stream *streams;
	uint32_t cap_streams;
	uint8_t broken;
	uint8_t _pad0[3];
};

static struct h2_conn *buckets[H2_BUCKETS];
static uint32_t n_conns;
static int stats_fd = -1;
static int n_cpus = 1;
static uint64_t counters[BW_STAT_MAX];

static void count(enum bw_stat idx, uint64_t n)
{
	if (!n)
		return;
	counters[idx] += n;
	if (stats_fd < 0)
		return;
	uint64_t *vals = calloc((size_t)n_cpus, sizeof(*vals));
	if (!vals)
		return;
	vals[0] = counters[idx];
	__u32 key = idx;
	bpf_map_update_elem(stats_fd, &key, vals, BPF_ANY);
	free(vals);
}

void h2_init(int fd, int ncpus)
{
	stats_fd = fd;
	n_cpus = ncpus > 0 ? ncpus : 1;
}

static uint32_t bucket(uint32_t tgid, uint32_t fd)
{
	return (tgid * 2654435761u ^ fd * 40503u) % H2_BUCKETS;
}

static struct h2_conn *find(uint32_t tgid, uint32_t fd)
{
	for (struct h2_conn *c = buckets[bucket(tgid, fd)]; c; c = c->next)
		if (c->tgid == tgid && c->fd == fd)
			return c;
	return NULL;
}

static void conn_free(struct h2_conn *c)
{
	for (int d = 0; d < 2; d++) {
		hpack_free(&c->tables[d]);
		free(c->blocks[d].buf);
	}
	free(c->streams);
	free(c);
}

/* Forgets a connection; its streams still waiting are counted under `reason`. */
static void drop(uint32_t tgid, uint32_t fd, enum bw_stat reason)
{
	struct h2_conn **pp = &buckets[bucket(tgid, fd)];
	for (; *pp; pp = &(*pp)->next) {
		struct h2_conn *c = *pp;
		if (c->tgid == tgid && c->fd == fd) {
			count(reason, c->n_streams);
			*pp = c->next;
			conn_free(c);
			n_conns--;
			return;
		}
	}
}

static struct h2_conn *open_conn(uint32_t tgid, uint32_t fd, uint32_t seq)
{
	drop(tgid, fd, BW_STAT_H2_UNANSWERED);
	if (n_conns >= H2_MAX_CONNS)
		return NULL; /* its streams will be counted as undecodable */
	struct h2_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->tgid = tgid;
	c->fd = fd;
	c->next_seq = seq + 1;
	hpack_init(&c->tables[0]);
	hpack_init(&c->tables[1]);
	uint32_t b = bucket(tgid, fd);
	c->next = buckets[b];
	buckets[b] = c;
	n_conns++;
	return c;
}

/* The header tables' state is lost: nothing more on this connection is decoded; the streams
 * waiting, and every request after this, are counted as undecodable. */
static void give_up(struct h2_conn *c)
{
	if (c->broken)
		return;
	c->broken = 1;
	/* A request whose header block was being put together is lost too (a later piece missing). */
	count(BW_STAT_H2_UNDECODABLE, c->n_streams + (c->blocks[0].open ? 1 : 0));
	c->n_streams = 0;
	for (int d = 0; d < 2; d++) {
		hpack_free(&c->tables[d]);
		free(c->blocks[d].buf);
		memset(&c->blocks[d], 0, sizeof(c->blocks[d]));
	}
}

static struct h2_stream *stream_of(struct h2_conn *c, uint32_t id)
{
	for (uint32_t i = 0; i < c->n_streams; i++)
		if (c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

static void stream_remove(struct h2_conn *c, struct h2_stream *s)
{
	*s = c->streams[--c->n_streams];
}

/* What a header block says, collected by the HPACK callback. */
struct fields {
	char method[8];
	char path[H2_PATH_MAX];
	uint8_t method_len;
	uint8_t path_len;
	uint8_t has_method;
	uint8_t has_path;
	uint8_t grpc;
	uint8_t has_grpc_status;
	uint8_t grpc_status;
	uint8_t _pad0;
	uint16_t status;
	uint8_t _pad1[2];
};

static bool is(const char *name, size_t nl, const char *want)
{
	size_t wl = strlen(want);
	return nl == wl && memcmp(name, want, wl) == 0;
}

static void on_field(void *arg, const char *name, size_t nl, const char *value, size_t vl)
{
	struct fields *f = arg;
	if (is(name, nl, ":method")) {
		f->method_len = (uint8_t)(vl < sizeof(f->method) ? vl : sizeof(f->method));
		memcpy(f->method, value, f->method_len);
		f->has_method = 1;
	} else if (is(name, nl, ":path")) {
		f->path_len = (uint8_t)(vl < sizeof(f->path) ? vl : sizeof(f->path));
		memcpy(f->path, value, f->path_len);
		f->has_path = 1;
	} else if (is(name, nl, ":status")) {
		f->status = 0;
		for (size_t i = 0; i < vl && i < 3; i++)
			f->status = (uint16_t)(f->status * 10 + (value[i] >= '0' && value[i] <= '9' ? value[i] - '0' : 0));
		if (vl != 3)
			f->status = 0;
	} else if (is(name, nl, "content-type")) {
		f->grpc = vl >= 16 && memcmp(value, "application/grpc", 16) == 0 && (vl == 16 || value[16] == '+' || value[16] == ';');
	} else if (is(name, nl, "grpc-status")) {
		unsigned v = 0;
		bool ok = vl > 0 && vl <= 3;
		for (size_t i = 0; ok && i < vl; i++) {
			ok = value[i] >= '0' && value[i] <= '9';
			v = v * 10 + (unsigned)(value[i] - '0');
		}
		if (ok && v < BW_GRPC_STATUS_NONE) {
			f->grpc_status = (uint8_t)v;
			f->has_grpc_status = 1;
		}
	}
}

static int finish(struct h2_conn *c, struct h2_stream *s, const struct bw_h2_event *e, h2_emit_fn emit)
{
	struct bw_http_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = BW_REC_HTTP;
	ev.flags = (uint8_t)(BW_HTTP_F_H2 | (e->http_flags & BW_HTTP_F_TLS) | (s->grpc ? BW_HTTP_F_GRPC : 0));
	ev.status = s->status;
	ev.local_port = e->local_port;
	ev.grpc_status = s->grpc ? s->grpc_status : 0;
	ev.tgid = e->tgid;
	ev.fd = e->fd;
	ev.start_ns = s->start_ns;
	ev.duration_ns = e->ts_ns > s->start_ns ? e->ts_ns - s->start_ns : 0;
	ev.cgroup_id = e->cgroup_id;
	memcpy(ev.comm, e->comm, sizeof(ev.comm));
	int n = snprintf(ev.prefix, sizeof(ev.prefix), "%.*s %.*s HTTP/2", s->method_len, s->method, s->path_len, s->path);
	/* A path cut at H2_PATH_MAX: the prefix ends inside it, as a cut HTTP/1 capture does. */
	if (s->path_len == H2_PATH_MAX || n >= (int)sizeof(ev.prefix))
		n = s->method_len + 1 + s->path_len < (int)sizeof(ev.prefix) ? s->method_len + 1 + s->path_len
									     : (int)sizeof(ev.prefix);
	ev.prefix_len = (uint8_t)n;
	stream_remove(c, s);
	return emit(&ev);
}

/* A whole header block of direction d. */
static int on_block(struct h2_conn *c, int d, const struct bw_h2_event *e, h2_emit_fn emit)
{
	struct h2_block *b = &c->blocks[d];
	struct fields f;
	memset(&f, 0, sizeof(f));
	if (hpack_decode(&c->tables[d], b->buf, b->len, on_field, &f)) {
		count(BW_STAT_H2_UNDECODABLE, d == 0 ? 1 : 0);
		give_up(c);
		return 0;
	}
	struct h2_stream *s = stream_of(c, b->stream);
	if (d == 0) {
		if (s || !f.has_method || !f.has_path)
			return 0; /* request trailers; or no request (counted by the agent as malformed if sent) */
		if (c->n_streams == H2_MAX_STREAMS) {
			count(BW_STAT_H2_UNANSWERED, 1);
			return 0;
		}
		if (c->n_streams == c->cap_streams) {
			uint32_t cap = c->cap_streams ? c->cap_streams * 2 : 8;
			struct h2_stream *v = realloc(c->streams, cap * sizeof(*v));
			if (!v)
				return 0;
			c->streams = v;
			c->cap_streams = cap;
		}
		s = &c->streams[c->n_streams++];
		memset(s, 0, sizeof(*s));
		s->id = b->stream;
		s->start_ns = b->ts_ns;
		s->grpc = f.grpc;
		s->grpc_status = BW_GRPC_STATUS_NONE;
		memcpy(s->method, f.method, sizeof(s->method));
		s->method_len = f.method_len;
		memcpy(s->path, f.path, sizeof(s->path));
		s->path_len = f.path_len;
		return 0;
	}
	if (!s)
		return 0; /* a stream the sensor did not see start, or a pushed one */
	if (f.status >= 100 && f.status < 200)
		return 0; /* informational */
	if (f.status)
		s->status = f.status;
	if (f.has_grpc_status)
		s->grpc_status = f.grpc_status;
	if ((b->first_flags & H2_END_STREAM) && s->status)
		return finish(c, s, e, emit);
	return 0;
}

static int on_piece(struct h2_conn *c, const struct bw_h2_event *e, size_t size, h2_emit_fn emit)
{
	int d = e->dir & 1;
	struct h2_block *b = &c->blocks[d];
	if (e->piece_len > BW_H2_PIECE || size < offsetof(struct bw_h2_event, data) + e->piece_len)
		goto bad;
	if (e->piece_off == 0) {
		if (e->frame_type == H2_FRAME_HEADERS) {
			if (b->open)
				goto bad; /* a block not ended by END_HEADERS */
			b->open = 1;
			b->len = 0;
			b->stream = e->stream;
			b->first_flags = e->frame_flags;
			b->ts_ns = e->ts_ns;
		} else if (!b->open || b->stream != e->stream) {
			goto bad;
		}
		b->frame_start = b->len;
		b->frame_len = e->frame_len;
		b->frame_got = 0;
		b->frame_type = e->frame_type;
		b->frame_flags = e->frame_flags;
	} else if (!b->open || e->piece_off != b->frame_got || e->stream != b->stream) {
		goto bad; /* a piece missing */
	}
	if (b->len + e->piece_len > H2_MAX_BLOCK)
		goto bad;
	if (!b->buf && !(b->buf = malloc(H2_MAX_BLOCK)))
		goto bad;
	memcpy(b->buf + b->len, e->data, e->piece_len);
	b->len += e->piece_len;
	b->frame_got += e->piece_len;
	if (b->frame_got < b->frame_len)
		return 0;
	if (b->frame_type == H2_FRAME_HEADERS) {
		/* RFC 9113 6.2: Pad Length, then Stream Dependency and Weight, before the block. */
		uint8_t *p = b->buf + b->frame_start;
		size_t n = b->len - b->frame_start, skip = 0, pad = 0;
		if (b->frame_flags & H2_PADDED) {
			if (n < 1)
				goto bad;
			pad = p[0];
			skip = 1;
		}
		if (b->frame_flags & H2_PRIORITY)
			skip += 5;
		if (skip + pad > n)
			goto bad;
		memmove(p, p + skip, n - skip - pad);
		b->len = b->frame_start + n - skip - pad;
	}
	if (!(b->frame_flags & H2_END_HEADERS))
		return 0;
	b->open = 0;
	return on_block(c, d, e, emit);
bad:
	/* A request's first piece: counted here unless its block was opened (give_up counts that one). */
	count(BW_STAT_H2_UNDECODABLE, d == 0 && e->frame_type == H2_FRAME_HEADERS && e->piece_off == 0 &&
					      !(b->open && b->stream == e->stream)
				      ? 1
				      : 0);
	give_up(c);
	return 0;
}

int h2_on_record(const void *data, size_t size, h2_emit_fn emit)
{
	const struct bw_h2_event *e = data;
	if (size < offsetof(struct bw_h2_event, data))
		return 0;
	if (e->kind == BW_H2_OPEN) {
		open_conn(e->tgid, e->fd, e->seq);
		return 0;
	}
	if (e->kind == BW_H2_CLOSE || e->kind == BW_H2_GIVEUP) {
		drop(e->tgid, e->fd, BW_STAT_H2_UNANSWERED);
		return 0;
	}
	struct h2_conn *c = find(e->tgid, e->fd);
	if (!c) {
		/* Its OPEN was lost (ring buffer full, or the table was full): nothing to decode with. */
		if (e->kind == BW_H2_HEADERS && e->dir == 0 && e->frame_type == H2_FRAME_HEADERS && e->piece_off == 0)
			count(BW_STAT_H2_UNDECODABLE, 1);
		return 0;
	}
	if (e->seq != c->next_seq)
		give_up(c); /* a record in between found no room in the ring buffer */
	c->next_seq = e->seq + 1;
	if (c->broken) {
		if (e->kind == BW_H2_HEADERS && e->dir == 0 && e->frame_type == H2_FRAME_HEADERS && e->piece_off == 0)
			count(BW_STAT_H2_UNDECODABLE, 1);
		return 0;
	}
	switch (e->kind) {
	case BW_H2_HEADERS:
		return on_piece(c, e, size, emit);
	case BW_H2_END: {
		struct h2_stream *s = e->dir == 1 ? stream_of(c, e->stream) : NULL;
		if (s && s->status)
			return finish(c, s, e, emit);
		return 0;
	}
	case BW_H2_RESET: {
		struct h2_stream *s = stream_of(c, e->stream);
		if (s) {
			stream_remove(c, s);
			count(BW_STAT_H2_RESET, 1);
		}
		return 0;
	}
	default:
		return 0;
	}
}

void h2_free(void)
{
	for (int b = 0; b < H2_BUCKETS; b++) {
		while (buckets[b]) {
			struct h2_conn *c = buckets[b];
			buckets[b] = c->next;
			conn_free(c);
		}
	}
	n_conns = 0;
}
