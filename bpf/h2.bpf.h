/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * HTTP/2 in the kernel: included by http.bpf.c (one BPF object), after its helpers.
 *
 * A followed connection whose first read is the client preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
 * is HTTP/2 from then on (bw_conn.h2, state in h2_conns). Both directions are walked frame
 * by frame (9-byte header, then the payload): HEADERS and CONTINUATION payloads are copied to
 * the ring buffer in pieces of BW_H2_PIECE bytes, DATA frames only tell their END_STREAM,
 * RST_STREAM its stream. HPACK is decoded by the loader (bpf/h2.c, bpf/hpack.c). Reads are
 * walked at their exit (ret bytes), writes at their exit too (the bytes really written: a
 * partial write must not move the frame boundaries).
 */
#ifndef BURNWATCH_H2_BPF_H
#define BURNWATCH_H2_BPF_H

#define H2_FRAME_DATA 0
#define H2_FRAME_HEADERS 1
#define H2_FRAME_RST_STREAM 3
#define H2_FRAME_CONTINUATION 9
#define H2_FLAG_END_STREAM 0x1
/* Steps of the frame walk per call: a frame header, a skip, a piece or the next iovec each. Every
 * step but the last consumes a byte or an iovec, so a call needs at most len + iovecs steps; a
 * 64 KiB read of the smallest frames (9 bytes) needs about 7300, Node's writev of 50 gRPC
 * answers (117 iovecs) about 400. More: the connection is given up (counted). bpf_loop allows 8M. */
#define H2_STEPS (1u << 17)
#define H2_PREFACE_LEN 24

struct h2_walk {
	struct bw_h2_conn *h;
	const struct bw_conn_key *key;
	const char *buf;
	__u64 now;
	const struct iovec *iov; /* a vectored call: its next iovec, NULL for one buffer */
	__u64 left;              /* bytes transferred not yet in buf (vectored calls) */
	__u32 len;
	__u32 off;
	__u16 port;
	__u8 dir;
	__u8 hflags;
	__u8 lost;  /* a record found no room: the frames are still followed, the loader sees the gap */
	__u8 stuck; /* the walk could not go on (user memory unreadable): frame boundaries lost */
	__u8 _pad0[2];
};

static __always_inline void h2_header_fields(struct bw_h2_event *e, const struct h2_walk *w, __u8 kind)
{
	struct bw_h2_conn *h = w->h;
	e->type = BW_REC_H2;
	e->kind = kind;
	e->dir = w->dir;
	e->frame_type = 0;
	e->frame_flags = 0;
	e->http_flags = w->hflags;
	e->local_port = w->port;
	e->tgid = w->key->tgid;
	e->fd = w->key->fd;
	e->stream = 0;
	e->seq = h ? h->seq : 0;
	e->frame_len = 0;
	e->piece_off = 0;
	e->piece_len = 0;
	__builtin_memset(e->_pad0, 0, sizeof(e->_pad0));
	e->ts_ns = w->now;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* One record without data (OPEN, END, RESET, CLOSE, GIVEUP). */
static __always_inline void h2_emit(struct h2_walk *w, __u8 kind, __u32 stream, __u8 ftype, __u8 fflags)
{
	struct bw_h2_conn *h = w->h;
	struct bw_h2_event *e = bpf_ringbuf_reserve(&events, sizeof(*e) - BW_H2_PIECE, 0);
	if (h)
		h->seq++;
	if (!e) {
		w->lost = 1;
		return;
	}
	h2_header_fields(e, w, kind);
	e->stream = stream;
	e->frame_type = ftype;
	e->frame_flags = fflags;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* n bytes of the current HEADERS/CONTINUATION frame's payload, at w->buf + w->off. */
static __always_inline void h2_piece(struct h2_walk *w, struct bw_h2_dir *d, __u32 n)
{
	struct bw_h2_conn *h = w->h;
	struct bw_h2_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (h)
		h->seq++;
	if (!e) {
		w->lost = 1;
		/* The start of a request's header block: that request is lost (the loader, seeing the
		 * gap, counts the later ones it cannot decode as h2_undecodable). */
		if (w->dir == 0 && d->type == H2_FRAME_HEADERS && d->rem == d->frame_len)
			stat_inc(BW_STAT_RINGBUF_DROPS);
		return;
	}
	h2_header_fields(e, w, BW_H2_HEADERS);
	e->stream = d->stream;
	e->frame_type = d->type;
	e->frame_flags = d->flags;
	e->frame_len = d->frame_len;
	e->piece_off = d->frame_len - d->rem;
	if (n > BW_H2_PIECE)
		n = BW_H2_PIECE;
	e->piece_len = n;
	__u64 size = n;
	/* For the verifier (the compiler drops a plain mask it can prove useless). */
	asm volatile("%0 &= 0x1ff" : "+r"(size));
	if (size > BW_H2_PIECE)
		size = BW_H2_PIECE;
	if (size && bpf_probe_read_user(e->data, size, w->buf + w->off))
		e->piece_len = 0; /* the loader sees a short frame: it gives the connection up */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

static long h2_step(__u32 i, struct h2_walk *w)
{
	(void)i;
	struct bw_h2_conn *h = w->h;
	if (!h)
		return 1;
	if (w->off >= w->len) {
		/* The buffer is walked: the next iovec of a vectored call, as far as the call transferred. */
		if (!w->iov || !w->left)
			return 1;
		struct iovec iov;
		if (bpf_probe_read_user(&iov, sizeof(iov), w->iov)) {
			w->stuck = 1;
			return 1;
		}
		w->iov++;
		__u64 n = iov.iov_len < w->left ? iov.iov_len : w->left;
		if (n > 0x7fffffff)
			n = 0x7fffffff;
		w->left -= n;
		w->buf = iov.iov_base;
		w->len = (__u32)n;
		w->off = 0;
		return 0;
	}
	struct bw_h2_dir *d = &h->dir[w->dir & 1];
	__u32 avail = w->len - w->off;
	if (d->rem) {
		__u32 n = d->rem < avail ? d->rem : avail;
		if (d->type == H2_FRAME_HEADERS || d->type == H2_FRAME_CONTINUATION) {
			if (n > BW_H2_PIECE)
				n = BW_H2_PIECE;
			h2_piece(w, d, n);
		}
		d->rem -= n;
		w->off += n;
		return 0;
	}
	/* A frame header, perhaps the rest of one split across calls. */
	__u32 at = d->hdr_have;
	if (at > 8)
		at = 8;
	__u32 n = 9 - at;
	if (n > avail)
		n = avail;
	__u64 size = n;
	asm volatile("%0 &= 0xf" : "+r"(size));
	if (size > 9)
		size = 9;
	n = size;
	if (bpf_probe_read_user(d->hdr + at, size, w->buf + w->off)) {
		w->stuck = 1;
		return 1;
	}
	w->off += n;
	d->hdr_have = at + n;
	if (d->hdr_have < 9)
		return 0; /* the buffer is used up: the rest comes with the next iovec or call */
	d->hdr_have = 0;
	__u32 len = ((__u32)d->hdr[0] << 16) | ((__u32)d->hdr[1] << 8) | d->hdr[2];
	d->type = d->hdr[3];
	d->flags = d->hdr[4];
	d->stream = (((__u32)d->hdr[5] & 0x7f) << 24) | ((__u32)d->hdr[6] << 16) | ((__u32)d->hdr[7] << 8) | d->hdr[8];
	d->frame_len = len;
	d->rem = len;
	if (d->type == H2_FRAME_HEADERS || d->type == H2_FRAME_CONTINUATION) {
		if (!len)
			h2_piece(w, d, 0); /* carries the flags */
	} else if (d->type == H2_FRAME_DATA) {
		if (d->flags & H2_FLAG_END_STREAM)
			h2_emit(w, BW_H2_END, d->stream, d->type, d->flags);
	} else if (d->type == H2_FRAME_RST_STREAM) {
		h2_emit(w, BW_H2_RESET, d->stream, d->type, d->flags);
	}
	return 0;
}

/* The connection's frames can no longer be followed: tell the loader, forget it (counted); its
 * later requests are counted by h2_lost_read. */
static __always_inline void h2_give_up(struct bw_conn *conn, struct h2_walk *w)
{
	h2_emit(w, BW_H2_GIVEUP, 0, 0, 0);
	conn->h2 = 3;
	bpf_map_delete_elem(&h2_conns, w->key);
	stat_inc(BW_STAT_H2_DESYNC);
}

/* Walks the call's bytes (buf, or the iovecs from w->iov); false when the walk did not reach their
 * end (H2_STEPS used up, user memory unreadable). A record lost is no reason to stop: the frame
 * boundaries are still known, and the loader sees the gap in the sequence numbers. */
static __always_inline bool h2_walk_run(struct h2_walk *w)
{
	bpf_loop(H2_STEPS, h2_step, w, 0);
	return w->off >= w->len && !w->left && !w->stuck;
}

/* Walks len bytes at buf. */
static __always_inline bool h2_walk_buf(struct h2_walk *w, const char *buf, __u32 len)
{
	w->buf = buf;
	w->len = len;
	w->off = 0;
	w->iov = NULL;
	w->left = 0;
	return h2_walk_run(w);
}

/* bytes handed to a syscall (kind, arg) of which `total` were transferred: walked in order, all
 * iovecs of a vectored call in one loop (as many as the kernel takes, UIO_MAXIOV). */
static __always_inline bool h2_walk_call(struct h2_walk *w, enum buf_kind kind, unsigned long arg, __u64 total)
{
	if (kind == BUF_PLAIN)
		return h2_walk_buf(w, (const char *)arg, total > 0x7fffffff ? 0x7fffffff : (__u32)total);
	const struct iovec *iovp;
	if (kind == BUF_MSG) {
		if (bpf_probe_read_user(&iovp, sizeof(iovp), &((struct user_msghdr *)arg)->msg_iov))
			return false;
	} else {
		iovp = (const struct iovec *)arg;
	}
	w->buf = NULL;
	w->len = 0;
	w->off = 0;
	w->iov = iovp;
	w->left = total;
	return h2_walk_run(w);
}

/* Frames of a call on an HTTP/2 connection (conn->h2 == 1). */
static __always_inline void h2_frames(struct bw_conn *conn, const struct bw_conn_key *key, __u8 dir, enum buf_kind kind,
				      unsigned long arg, __u64 total, __u8 hflags)
{
	struct h2_walk w = { .key = key, .now = bpf_ktime_get_ns(), .port = conn->local_port, .dir = dir, .hflags = hflags };
	w.h = bpf_map_lookup_elem(&h2_conns, key);
	if (!w.h) {
		/* Evicted from h2_conns: its frame boundaries are lost. */
		h2_give_up(conn, &w);
		return;
	}
	if (!h2_walk_call(&w, kind, arg, total))
		h2_give_up(conn, &w);
}

/* The 9 bytes at head look like a HEADERS frame on a client stream (odd), flags within
 * END_STREAM|END_HEADERS|PADDED|PRIORITY, a length that fits the avail bytes read. */
static __always_inline bool h2_looks_like_request(const char *head, __u64 avail)
{
	__u32 len = ((__u32)(__u8)head[0] << 16) | ((__u32)(__u8)head[1] << 8) | (__u8)head[2];
	__u32 stream = (((__u32)(__u8)head[5] & 0x7f) << 24) | ((__u32)(__u8)head[6] << 16) |
		       ((__u32)(__u8)head[7] << 8) | (__u8)head[8];
	return head[3] == H2_FRAME_HEADERS && ((__u8)head[4] & ~0x2d) == 0 && (stream & 1) && len + 9 <= avail &&
	       ((__u8)head[5] & 0x80) == 0;
}

/* A read on a connection whose frames the kernel gave up (conn->h2 == 3): one that begins like a
 * request's HEADERS frame carries at least one request the sensor will never count, counted
 * here (h2_lost_desync, a lower bound: a read that begins elsewhere is not). */
static __always_inline bool h2_request_read(const char *buf, __u64 avail)
{
	char head[9];
	if (!buf || avail < 9 || bpf_probe_read_user(head, sizeof(head), buf))
		return false;
	return h2_looks_like_request(head, avail);
}

static __always_inline void h2_lost_read(const char *buf, __u64 avail)
{
	if (h2_request_read(buf, avail))
		stat_inc(BW_STAT_H2_LOST_DESYNC);
}

static const char h2_preface[H2_PREFACE_LEN] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* The n bytes at buf begin with the client preface. */
static __always_inline bool h2_is_preface(const char *buf, __u64 n)
{
	char head[H2_PREFACE_LEN];
	if (n < H2_PREFACE_LEN || bpf_probe_read_user(head, sizeof(head), buf))
		return false;
#pragma unroll
	for (int i = 0; i < H2_PREFACE_LEN; i++)
		if (head[i] != h2_preface[i])
			return false;
	return true;
}

/* A read on a followed HTTP/1-or-nothing-yet connection that is no request: the HTTP/2 client
 * preface starts following its frames (the rest of the read is walked); a read that looks
 * like a HEADERS frame without a preface is counted (a connection older than the sensor,
 * whose header table is unknown: never decoded, never guessed). True when it was HTTP/2. */
static __always_inline bool h2_start(struct bw_conn *conn, const struct bw_conn_key *key, enum buf_kind kind,
				     unsigned long arg, const char *buf, __u64 avail, __u8 hflags)
{
	char head[H2_PREFACE_LEN];
	if (!buf || avail < 9 || conn->head != conn->tail || conn->req_open)
		return false;
	__u32 n = avail < H2_PREFACE_LEN ? (__u32)avail : H2_PREFACE_LEN;
	if (n < 9 || n > H2_PREFACE_LEN || bpf_probe_read_user(head, n, buf))
		return false;
	bool preface = n == H2_PREFACE_LEN;
#pragma unroll
	for (int i = 0; i < H2_PREFACE_LEN; i++)
		if (preface && head[i] != h2_preface[i])
			preface = false;
	if (preface) {
		struct bw_h2_conn zero = {};
		if (bpf_map_update_elem(&h2_conns, key, &zero, BPF_ANY))
			return false;
		conn->h2 = 1;
		stat_inc(BW_STAT_H2_CONNS);
		struct h2_walk w = { .key = key, .now = bpf_ktime_get_ns(), .port = conn->local_port, .dir = 0, .hflags = hflags };
		w.h = bpf_map_lookup_elem(&h2_conns, key);
		if (!w.h)
			return true;
		h2_emit(&w, BW_H2_OPEN, 0, 0, 0);
		if (avail > H2_PREFACE_LEN) {
			/* Frames behind the preface in the same read (plain reads: the first buffer). */
			if (kind != BUF_PLAIN || !h2_walk_buf(&w, buf + H2_PREFACE_LEN,
							      avail - H2_PREFACE_LEN > 0x7fffffff ? 0x7fffffff : (__u32)(avail - H2_PREFACE_LEN)))
				h2_give_up(conn, &w);
		}
		(void)arg;
		return true;
	}
	if (h2_looks_like_request(head, avail)) {
		stat_inc(BW_STAT_H2_NO_PREFACE);
		conn->h2 = 2; /* counted once per connection */
		return true;
	}
	return false;
}

#endif /* BURNWATCH_H2_BPF_H */
