// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Burnwatch sensor: server-side HTTP/1.x transactions seen at the syscall layer.
 *
 * A connection is tracked from the moment accept()/accept4() returns it. A read on
 * it whose first bytes are an HTTP method starts a request (its timestamp and first
 * BW_REQ_PREFIX_LEN bytes go into the connection's queue; pipelined requests found
 * behind it in the same read are queued too). The first write starting with
 * "HTTP/1.x NNN" answers the oldest queued request: one fixed-size record goes to the
 * ring buffer. Method and path are parsed in user space from the raw prefix.
 *
 * Reads are hooked at exit (their arguments come from the task's saved registers),
 * writes at enter, accept at exit (which also clears whatever a reused fd left),
 * close at enter. No kprobes, no fentry: syscall tracepoints, and uprobes on libssl for
 * TLS (at the end of this file: SSL_read/SSL_write plaintext through the same logic).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Filters, set by the loader through the skeleton's rodata before load. */
/* Wake the loader once per this many queued records (it also drains on a timer). */
const volatile __u64 wakeup_records = 64;
const volatile __u32 excluded_tgids[BW_MAX_EXCLUDED_TGIDS] = {};
const volatile __u16 excluded_ports[BW_MAX_EXCLUDED_PORTS] = {};

static const struct bw_conn zero_conn = {};

enum buf_kind { BUF_PLAIN, BUF_IOV, BUF_MSG };

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline bool tgid_excluded(__u32 tgid)
{
#pragma unroll
	for (int i = 0; i < BW_MAX_EXCLUDED_TGIDS; i++) {
		if (excluded_tgids[i] == 0)
			return false;
		if (excluded_tgids[i] == tgid)
			return true;
	}
	return false;
}

static __always_inline bool port_excluded(__u16 port)
{
#pragma unroll
	for (int i = 0; i < BW_MAX_EXCLUDED_PORTS; i++) {
		if (excluded_ports[i] == 0)
			return false;
		if (excluded_ports[i] == port)
			return true;
	}
	return false;
}

/* Length of "METHOD " when p starts with a known HTTP method and a space, else 0.
 * p must have 8 readable bytes. */
static __always_inline __u32 method_len(const char *p)
{
	switch (p[0]) {
	case 'G':
		return (p[1] == 'E' && p[2] == 'T' && p[3] == ' ') ? 4 : 0;
	case 'P':
		if (p[1] == 'O' && p[2] == 'S' && p[3] == 'T' && p[4] == ' ')
			return 5;
		if (p[1] == 'U' && p[2] == 'T' && p[3] == ' ')
			return 4;
		if (p[1] == 'A' && p[2] == 'T' && p[3] == 'C' && p[4] == 'H' && p[5] == ' ')
			return 6;
		return 0;
	case 'H':
		return (p[1] == 'E' && p[2] == 'A' && p[3] == 'D' && p[4] == ' ') ? 5 : 0;
	case 'D':
		return (p[1] == 'E' && p[2] == 'L' && p[3] == 'E' && p[4] == 'T' && p[5] == 'E' &&
			p[6] == ' ') ? 7 : 0;
	case 'O':
		return (p[1] == 'P' && p[2] == 'T' && p[3] == 'I' && p[4] == 'O' && p[5] == 'N' &&
			p[6] == 'S' && p[7] == ' ') ? 8 : 0;
	case 'C':
		return (p[1] == 'O' && p[2] == 'N' && p[3] == 'N' && p[4] == 'E' && p[5] == 'C' &&
			p[6] == 'T' && p[7] == ' ') ? 8 : 0;
	case 'T':
		return (p[1] == 'R' && p[2] == 'A' && p[3] == 'C' && p[4] == 'E' && p[5] == ' ') ? 6 : 0;
	}
	return 0;
}

/* The user buffer a syscall read into / writes from: the first iovec only for the
 * vectored ones. *len is capped to that iovec. Returns NULL when it cannot be read. */
static __always_inline const char *first_buffer(enum buf_kind kind, unsigned long arg, __u64 *len)
{
	struct iovec iov;
	const struct iovec *iovp;

	if (kind == BUF_PLAIN)
		return (const char *)arg;
	if (kind == BUF_MSG) {
		if (bpf_probe_read_user(&iovp, sizeof(iovp), &((struct user_msghdr *)arg)->msg_iov))
			return NULL;
	} else {
		iovp = (const struct iovec *)arg;
	}
	if (bpf_probe_read_user(&iov, sizeof(iov), iovp))
		return NULL;
	if (iov.iov_len < *len)
		*len = iov.iov_len;
	return iov.iov_base;
}

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += n;
}

static __always_inline void enqueue(struct bw_conn *conn, struct bw_scratch *sc, __u32 off, __u32 n,
				    __u64 now, __u8 flags)
{
	__u32 tail = conn->tail;

	if (tail - conn->head >= BW_QUEUE_DEPTH) {
		stat_inc(BW_STAT_QUEUE_FULL);
		if (conn->unqueued < 255)
			conn->unqueued++;
		return;
	}
	struct bw_pending *p = &conn->queue[tail & (BW_QUEUE_DEPTH - 1)];
	off &= BW_SCAN_MAX - 1;
	p->start_ns = now;
	p->flags = flags;
	p->prefix_len = n - off > BW_REQ_PREFIX_LEN ? BW_REQ_PREFIX_LEN : n - off;
	bpf_probe_read_kernel(p->prefix, BW_REQ_PREFIX_LEN, sc->buf + off);
	conn->tail = tail + 1;
	conn->bodyless = sc->buf[off] == 'G' || sc->buf[off] == 'H';
	stat_inc(BW_STAT_REQUESTS);
}

/* The end of headers cannot come before this offset: "GET / HTTP/1.0" is 14 bytes. */
#define BW_SCAN_FROM 14

/* bpf_loop callback: finds requests pipelined behind the first one in sc->buf:
 * an end of headers ("\r\n\r\n") directly followed by a method. */
struct scan_ctx {
	struct bw_scratch *sc;
	__u32 n;
	__u32 next; /* first index still to look at */
	__u32 found;
	__u32 extra; /* found once the queue would be full: counted as queue_full */
	__u32 offs[BW_QUEUE_DEPTH];
};

static long scan_step(__u32 k, struct scan_ctx *c)
{
	__u32 i = k + BW_SCAN_FROM;
	if (i < c->next)
		return 0;
	if (i + 12 > c->n)
		return 1; /* no room left for "\r\n\r\n" and a method */
	struct bw_scratch *sc = c->sc;
	if (!sc)
		return 1;
#ifdef BW_TEST_UNBOUNDED_SCAN
	__u32 j = i; /* test build only (make refused): the verifier must refuse bw_exit_read */
#else
	__u32 j = i & (BW_SCAN_MAX - 1);
#endif
	const char *b = sc->buf + j;
	if (b[0] != '\r' || b[1] != '\n' || b[2] != '\r' || b[3] != '\n')
		return 0;
	__u32 ml = method_len(b + 4);
	if (!ml) {
		c->next = i + 4; /* a body follows; keep looking behind it */
		return 0;
	}
	c->next = i + 4 + ml;
	if (c->found >= BW_QUEUE_DEPTH - 1) {
		c->extra++; /* the queue is full: never silently */
		return 0;
	}
	c->offs[c->found & (BW_QUEUE_DEPTH - 1)] = i + 4;
	c->found++;
	return 0;
}

/* A syscall's arguments from the task's saved user registers. On x86 the BTF pointer is
 * read directly (measured: ~20 ns less per read than two probe reads); elsewhere
 * through libbpf's CO-RE syscall macros. */
#if defined(__TARGET_ARCH_x86)
#define syscall_arg1(regs) ((regs)->di)
#define syscall_arg2(regs) ((regs)->si)
#else
#define syscall_arg1(regs) PT_REGS_PARM1_CORE_SYSCALL(regs)
#define syscall_arg2(regs) PT_REGS_PARM2_CORE_SYSCALL(regs)
#endif

/* True when buf (n readable bytes) starts with a known method and a space. */
static __always_inline bool starts_request(const char *buf, __u64 n)
{
	char head[8];
	if (!buf || n < sizeof(head) || bpf_probe_read_user(head, sizeof(head), buf))
		return false;
	return method_len(head) != 0;
}

/* The methods of method_len, for a request line cut before its first 8 bytes. */
static const char methods[9][8] = { "GET ", "POST ", "PUT ", "PATCH ", "HEAD ",
				    "DELETE ", "OPTIONS ", "CONNECT ", "TRACE " };

/* True when the n (< 8) bytes at p are the start of "METHOD " or of "METHOD /…". */
static __always_inline bool method_prefix(const char *p, __u32 n)
{
	for (int m = 0; m < 9; m++) {
		bool ok = true;
		for (int i = 0; i < 8; i++) {
			char c = methods[m][i];
			if (i >= n || c == 0)
				break;
			if (p[i] != c) {
				ok = false;
				break;
			}
		}
		if (ok)
			return true;
	}
	return false;
}

static __always_inline bool has_lf(const char *b, __u32 n)
{
	for (int i = 0; i < BW_REQ_PREFIX_LEN; i++) {
		if (i >= n)
			return false;
		if (b[i] == '\n')
			return true;
	}
	return false;
}

/* What the n bytes at b (8 readable at least) are: 0 no request line, 1 the start of one
 * still arriving, 2 one complete enough to name its route (its end of line, or all
 * BW_REQ_PREFIX_LEN bytes of it). */
static __always_inline int request_line(const char *b, __u32 n)
{
	if (n < 8)
		return method_prefix(b, n) ? 1 : 0;
	if (!method_len(b))
		return 0;
	return n >= BW_REQ_PREFIX_LEN || has_lf(b, n) ? 2 : 1;
}

/* Requests pipelined behind the first in sc->buf (n bytes): queued, or counted. */
static __always_inline void queue_pipelined(struct bw_conn *conn, struct bw_scratch *sc, __u32 n, __u64 now,
					    __u8 flags)
{
	/* Shortest request: "GET / HTTP/1.0\r\n\r\n" (18 bytes); anything shorter
	 * cannot hold a second one behind it. */
	if (n < 18 + 12)
		return;
	struct scan_ctx c = { .sc = sc, .n = n, .next = BW_SCAN_FROM };
	bpf_loop(n - BW_SCAN_FROM, scan_step, &c, 0);
	for (int k = 0; k < BW_QUEUE_DEPTH - 1; k++) {
		if (k >= c.found)
			break;
		enqueue(conn, sc, c.offs[k], n, now, flags | BW_HTTP_F_PIPELINED);
		stat_inc(BW_STAT_PIPELINED);
	}
	if (c.extra) {
		stat_add(BW_STAT_QUEUE_FULL, c.extra);
		__u32 u = conn->unqueued + c.extra;
		conn->unqueued = u > 255 ? 255 : u;
	}
}

/* A read while the request line at queue[tail] is still arriving: its bytes go behind
 * the staged ones; once the line is complete the request is queued, timed from its
 * first byte. */
static __always_inline bool continue_request(struct bw_conn *conn, const char *buf, __u64 avail)
{
	__u32 zero = 0;
	struct bw_scratch *sc = bpf_map_lookup_elem(&scratch, &zero);
	struct bw_pending *p = &conn->queue[conn->tail & (BW_QUEUE_DEPTH - 1)];
	__u32 have = p->prefix_len;
	if (!sc || have >= BW_REQ_PREFIX_LEN) {
		conn->req_open = 0;
		return false;
	}
	__u64 want = BW_REQ_PREFIX_LEN - have;
	if (want > avail)
		want = avail;
	__u32 take = want;
	if (take > BW_REQ_PREFIX_LEN)
		return false; /* never; for the verifier */
	bpf_probe_read_kernel(sc->stage, BW_REQ_PREFIX_LEN, p->prefix);
	if (bpf_probe_read_user(sc->stage + have, take, buf))
		return false;
	__u32 total = have + take;
	int kind = request_line(sc->stage, total);
	if (kind == 0) {
		conn->req_open = 0; /* it was no request after all ("GE" then "X") */
		return false;
	}
	bpf_probe_read_kernel(p->prefix, BW_REQ_PREFIX_LEN, sc->stage);
	p->prefix_len = total;
	if (kind == 1)
		return true;
	conn->req_open = 0;
	conn->tail += 1;
	conn->bodyless = sc->stage[0] == 'G' || sc->stage[0] == 'H';
	stat_inc(BW_STAT_REQUESTS);
	stat_inc(BW_STAT_REQ_STAGED);
	/* Requests pipelined behind it in this read. */
	__u32 n = avail > BW_SCAN_MAX ? BW_SCAN_MAX : avail;
	conn->cut = avail > BW_SCAN_MAX;
	if (n > take && !bpf_probe_read_user(sc->buf, n, buf))
		queue_pipelined(conn, sc, n, bpf_ktime_get_ns(), p->flags);
	return true;
}

/* Plaintext a server read on a followed connection (a read syscall, or SSL_read). A read
 * with nothing waiting may start a request: leading empty lines are skipped, a request
 * line that is not complete yet is staged (the rest comes in the next reads), one that is
 * complete is queued with those pipelined behind it. A read while a request waits is its
 * body or a request pipelined in a read of its own: behind a GET or HEAD (no body in
 * practice) it is taken for a request; behind any other method it is not (the response to
 * such a request is counted as lost, not_seen).
 * Returns false when the bytes are no part of a request line. */
static __always_inline bool request_bytes(struct bw_conn *conn, const char *buf, __u64 avail, __u8 flags)
{
	if (conn->req_open)
		return continue_request(conn, buf, avail);
	bool behind = conn->head != conn->tail;
	if (behind && !conn->bodyless)
		return false;

	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct bw_scratch *sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return false;
	__u32 n = avail > BW_SCAN_MAX ? BW_SCAN_MAX : avail;
	if (bpf_probe_read_user(sc->buf, n, buf))
		return false;
	/* RFC 9112 2.2: empty lines before a request line are ignored. */
	__u32 off = 0;
	for (int i = 0; i < 8; i++) {
		if (off == i && i < n && (sc->buf[i] == '\r' || sc->buf[i] == '\n'))
			off = i + 1;
	}
	if (off >= n)
		return false;
	int kind = request_line(sc->buf + (off & 15), n - off);
	if (kind == 0)
		return false;
	if (behind) {
		/* Pipelined in a read of its own: complete lines only (no staging behind a
		 * waiting request). */
		if (kind != 2 || off)
			return false;
		if (avail > BW_SCAN_MAX)
			conn->cut = 1;
		enqueue(conn, sc, 0, n, now, flags | BW_HTTP_F_PIPELINED);
		stat_inc(BW_STAT_PIPELINED);
		queue_pipelined(conn, sc, n, now, flags);
		return true;
	}
	/* A new request with nothing waiting: whatever the last one left is done. */
	conn->resp_body = 0;
	conn->unqueued = 0;
	conn->cut = avail > BW_SCAN_MAX;
	if (off)
		stat_inc(BW_STAT_CRLF_SKIPPED);
	if (kind == 1) {
		struct bw_pending *p = &conn->queue[conn->tail & (BW_QUEUE_DEPTH - 1)];
		p->start_ns = now;
		p->flags = flags;
		p->prefix_len = n - off; /* < BW_REQ_PREFIX_LEN: an incomplete line is shorter */
		bpf_probe_read_kernel(p->prefix, BW_REQ_PREFIX_LEN, sc->buf + (off & 15));
		conn->req_open = 1;
		return true;
	}
	enqueue(conn, sc, off, n, now, flags);
	queue_pipelined(conn, sc, n, now, flags);
	return true;
}

/* A read syscall on a followed socket that was no request line. By a thread inside
 * SSL_read: that SSL object is this connection's (also for connections whose SSL_set_fd
 * came before the sensor, or that use SSL_set_bio). Outside SSL_read, bytes that start a
 * TLS record (content type 0x14..0x17, version 3.x): this thread's last TLS read, which
 * the next SSL_read decrypts (Node: memory BIOs, no SSL_set_fd). From then on only the
 * uprobes read its HTTP. */
static __always_inline void tie_ssl_call(struct bw_conn *conn, const struct bw_conn_key *key)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bw_ssl_call *call = bpf_task_storage_get(&ssl_calls, task, 0, 0);
	if (call && call->ssl) {
		struct bw_ssl_key sk = { .tgid = key->tgid, .ssl = call->ssl };
		__u32 fd = key->fd;
		bpf_map_update_elem(&ssl_fds, &sk, &fd, BPF_ANY);
		if (!conn->tls) {
			conn->tls = 1;
			stat_inc(BW_STAT_TLS_TIED);
		}
		return;
	}
	/* read/recvfrom: the buffer is the second argument (the vectored reads fail the
	 * check below: an iovec's pointer bytes are no record header). */
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	__u8 h[3];
	if (bpf_probe_read_user(h, sizeof(h), (const void *)syscall_arg2(regs)))
		return;
	if (h[0] < 0x14 || h[0] > 0x17 || h[1] != 3 || h[2] > 4)
		return;
	if (!call)
		call = bpf_task_storage_get(&ssl_calls, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!call)
		return;
	call->last_fd = key->fd;
	call->last_set = 1;
}

/* The open file of fd in the current task, or NULL. */
static __always_inline struct file *file_of(long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
	if (fd < 0 || fd >= max_fds)
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/* Local port of an accepted socket: task->files->fdt->fd[fd]->private_data->sk. */
static __always_inline __u16 local_port(long fd)
{
	struct file *f = file_of(fd);
	if (!f)
		return 0;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return 0;
	return BPF_CORE_READ(sock, sk, __sk_common.skc_num);
}

#define BW_S_IFMT 00170000
#define BW_S_IFSOCK 0140000

/* A socket missing from the map on which the process read a request: it serves HTTP. Its
 * entry was evicted from the full LRU map, or the fd came from elsewhere (a child forked
 * after accept, an fd passed over a Unix socket, a connection older than the sensor):
 * follow it from this request on. Counted. */
static __always_inline struct bw_conn *adopt(const struct bw_conn_key *key)
{
	if (tgid_excluded(key->tgid))
		return NULL;
	struct file *f = file_of(key->fd);
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & BW_S_IFMT) != BW_S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return NULL;
	__u16 port = BPF_CORE_READ(sock, sk, __sk_common.skc_num);
	if (port && port_excluded(port))
		return NULL;
	if (bpf_map_update_elem(&conns, key, &zero_conn, BPF_NOEXIST))
		return NULL;
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, key);
	if (!conn)
		return NULL;
	conn->local_port = port;
	stat_inc(BW_STAT_CONNS_RECOVERED);
	return conn;
}

#include "h2.bpf.h"

static __always_inline int on_read(long ret, enum buf_kind kind)
{
	if (ret <= 0)
		return 0;

	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct bw_conn_key key = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.fd = (__u32)syscall_arg1(regs),
	};
	__u64 avail = ret;
	const char *buf;
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn) {
		buf = first_buffer(kind, syscall_arg2(regs), &avail);
		if (!starts_request(buf, avail))
			return 0;
		conn = adopt(&key);
		if (!conn)
			return 0;
	} else {
		buf = first_buffer(kind, syscall_arg2(regs), &avail);
	}
	if (!buf)
		return 0;
	if (conn->h2) {
		/* HTTP/2: every byte read is walked (all iovecs); 2: never decodable (counted once);
		 * 3: given up, its requests counted as lost. Over TLS the syscalls carry ciphertext:
		 * the frames are walked in SSL_read, and the read only tells which socket the next
		 * SSL_read decrypts (Node). */
		if (conn->tls)
			tie_ssl_call(conn, &key);
		else if (conn->h2 == 1)
			h2_frames(conn, &key, 0, kind, syscall_arg2(regs), ret, 0);
		else if (conn->h2 == 3)
			h2_lost_read(buf, avail);
		return 0;
	}
	/* Ciphertext (a TLS record starts with 0x14..0x17), a body, a short read, or the HTTP/2
	 * preface; and a TLS connection's plaintext only comes through SSL_read. */
	if (conn->tls || !request_bytes(conn, buf, avail, kind == BUF_PLAIN ? 0 : BW_HTTP_F_IOV)) {
		tie_ssl_call(conn, &key);
		if (!conn->tls)
			h2_start(conn, &key, kind, syscall_arg2(regs), buf, avail, 0);
	}
	return 0;
}

/* -1: not a status line; 0: the first n (< 12) bytes of one; else its status code. */
static __always_inline int status_of(const char *h, __u32 n)
{
	for (int i = 0; i < 12; i++) {
		if (i >= n)
			return 0;
		char c = h[i];
		bool ok;
		if (i < 5)
			ok = c == "HTTP/"[i];
		else if (i == 5)
			ok = c == '1';
		else if (i == 6)
			ok = c == '.';
		else if (i == 7 || i >= 10)
			ok = c >= '0' && c <= '9';
		else if (i == 8)
			ok = c == ' ';
		else
			ok = c >= '1' && c <= '9';
		if (!ok)
			return -1;
	}
	return (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
}

/* The response's first bytes, written on a followed connection: a status line answers
 * the oldest request (one record to the ring buffer); one written in pieces is staged
 * until its 12th byte; bytes that are no status line while a request expects one answer
 * it without a status (counted); a status line with no request waiting answers one the
 * sensor did not see (counted). Shared by the write syscalls and SSL_write. */
static __always_inline void answer(struct bw_conn *conn, const struct bw_conn_key *key, const char *buf,
				   __u64 count, __u8 extra_flags)
{
	if (!buf || !count)
		return;
	bool waiting = conn->head != conn->tail || conn->req_open;
	__u32 have = waiting ? conn->status_len : 0;
	if (have > 11)
		have = 0;
	__u64 want = 12 - have;
	if (want > count)
		want = count;
	__u32 take = want;
	if (take > 12)
		return; /* never; for the verifier */
	if (bpf_probe_read_user(conn->status_stage + have, take, buf))
		return;
	int status = status_of(conn->status_stage, have + take);
	if (status < 0 && have) {
		/* The staged bytes and these make no status line: these alone, then. */
		have = 0;
		take = count < 12 ? (__u32)count : 12;
		if (take > 12 || bpf_probe_read_user(conn->status_stage, take, buf))
			take = 0;
		status = take ? status_of(conn->status_stage, take) : -1;
	}
	if (status == 0 && waiting) {
		conn->status_len = have + take; /* a piece of a status line: wait for the rest */
		return;
	}
	conn->status_len = 0;
	if (status <= 0) {
		/* With nothing waiting, or after a status line since the last request read
		 * (pipelining): a body. */
		if (conn->head == conn->tail || conn->resp_body)
			return;
		/* The oldest request is answered by bytes that are no status line. */
		conn->head += 1;
		conn->resp_body = 1;
		stat_inc(BW_STAT_LOST_NO_STATUS);
		return;
	}
	if (status < 200) {
		if (status == 101) {
			/* Switching Protocols: what follows is not HTTP/1.x any more. */
			bpf_map_delete_elem(&conns, key);
			stat_inc(BW_STAT_UPGRADES);
		} else {
			stat_inc(BW_STAT_INFORMATIONAL);
		}
		return;
	}
	conn->resp_body = 1;
	if (conn->head == conn->tail && conn->req_open) {
		/* Answered before its request line was complete (a 400 or 408): time it. */
		conn->req_open = 0;
		conn->tail += 1;
		stat_inc(BW_STAT_REQUESTS);
	}
	__u32 head = conn->head;
	if (head == conn->tail) {
		if (conn->unqueued)
			conn->unqueued -= 1; /* counted as queue_full already */
		else
			stat_inc(conn->cut ? BW_STAT_LOST_BEYOND_SCAN : BW_STAT_LOST_NOT_SEEN);
		return;
	}
	if (have)
		stat_inc(BW_STAT_STATUS_STAGED);

	__u64 now = bpf_ktime_get_ns();
	struct bw_pending *p = &conn->queue[head & (BW_QUEUE_DEPTH - 1)];
	conn->head = head + 1;

	struct bw_http_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(BW_STAT_RINGBUF_DROPS);
		return;
	}
	e->type = BW_REC_HTTP;
	e->flags = p->flags | extra_flags;
	e->status = status;
	e->local_port = conn->local_port;
	e->prefix_len = p->prefix_len;
	e->grpc_status = 0;
	e->tgid = key->tgid;
	e->fd = key->fd;
	e->start_ns = p->start_ns;
	e->duration_ns = now - p->start_ns;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->prefix, p->prefix, BW_REQ_PREFIX_LEN);
	stat_inc(BW_STAT_RESPONSES);

	/* Batched wake-ups: one per wakeup_records records queued, never one per record
	 * (a wake-up costs microseconds); the loader also drains on a short timer. */
	__u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) / BW_RINGBUF_STRIDE;
	bool wake = wakeup_records && queued >= wakeup_records && queued % wakeup_records == 0;
	bpf_ringbuf_submit(e, wake ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline int on_write(__u32 fd, enum buf_kind kind, unsigned long arg, __u64 count)
{
	struct bw_conn_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd };
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return 0;
	if (conn->tls)
		return 0; /* ciphertext: SSL_write saw the plaintext */
	if (conn->h2) {
		if (conn->h2 == 1) {
			/* Walked at the syscall's exit, with the bytes really written. */
			__u64 id = bpf_get_current_pid_tgid();
			struct bw_h2_write pw = { .fd = fd, .kind = kind, .arg = arg };
			bpf_map_update_elem(&h2_writes, &id, &pw, BPF_ANY);
		}
		return 0;
	}
	answer(conn, &key, first_buffer(kind, arg, &count), count, 0);
	return 0;
}

/* Exit of a write syscall: only a thread that entered it on an HTTP/2 connection has work. */
static __always_inline int on_write_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct bw_h2_write *pw = bpf_map_lookup_elem(&h2_writes, &id);
	if (!pw)
		return 0;
	struct bw_h2_write call = *pw;
	bpf_map_delete_elem(&h2_writes, &id);
	if (ret <= 0)
		return 0;
	struct bw_conn_key key = { .tgid = id >> 32, .fd = call.fd };
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn || conn->h2 != 1 || conn->tls)
		return 0;
	h2_frames(conn, &key, 1, (enum buf_kind)call.kind, call.arg, ret, 0);
	return 0;
}

static __always_inline int on_accept(long fd)
{
	if (fd < 0)
		return 0;
	struct bw_conn_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = (__u32)fd };
	if (tgid_excluded(key.tgid)) {
		stat_inc(BW_STAT_ACCEPTS_EXCLUDED);
		return 0;
	}
	__u16 port = local_port(fd);
	if (port && port_excluded(port)) {
		bpf_map_delete_elem(&conns, &key);
		stat_inc(BW_STAT_ACCEPTS_EXCLUDED);
		return 0;
	}
	/* Overwrite whatever an earlier connection on this fd left behind. */
	if (bpf_map_update_elem(&conns, &key, &zero_conn, BPF_ANY))
		return 0;
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (conn)
		conn->local_port = port;
	stat_inc(BW_STAT_ACCEPTS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int bw_exit_accept(struct trace_event_raw_sys_exit *ctx) { return on_accept(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_accept4")
int bw_exit_accept4(struct trace_event_raw_sys_exit *ctx) { return on_accept(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_close")
int bw_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct bw_conn_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = (__u32)ctx->args[0] };
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return 0;
	if (conn->h2 == 1) {
		/* The loader forgets the connection's header tables and counts its open streams. */
		struct h2_walk w = { .key = &key, .now = bpf_ktime_get_ns(), .port = conn->local_port };
		w.h = bpf_map_lookup_elem(&h2_conns, &key);
		h2_emit(&w, BW_H2_CLOSE, 0, 0, 0);
		bpf_map_delete_elem(&h2_conns, &key);
	}
	if (bpf_map_delete_elem(&conns, &key) == 0)
		stat_inc(BW_STAT_CLOSES);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int bw_exit_read(struct trace_event_raw_sys_exit *ctx) { return on_read(ctx->ret, BUF_PLAIN); }

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int bw_exit_recvfrom(struct trace_event_raw_sys_exit *ctx) { return on_read(ctx->ret, BUF_PLAIN); }

SEC("tracepoint/syscalls/sys_exit_readv")
int bw_exit_readv(struct trace_event_raw_sys_exit *ctx) { return on_read(ctx->ret, BUF_IOV); }

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int bw_exit_recvmsg(struct trace_event_raw_sys_exit *ctx) { return on_read(ctx->ret, BUF_MSG); }

SEC("tracepoint/syscalls/sys_enter_write")
int bw_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return on_write(ctx->args[0], BUF_PLAIN, ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int bw_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return on_write(ctx->args[0], BUF_PLAIN, ctx->args[1], ctx->args[2]);
}

/* For the vectored writes the size is that of the first iovec, read in first_buffer. */
SEC("tracepoint/syscalls/sys_enter_writev")
int bw_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return on_write(ctx->args[0], BUF_IOV, ctx->args[1], ~0ULL);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int bw_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	return on_write(ctx->args[0], BUF_MSG, ctx->args[1], ~0ULL);
}

SEC("tracepoint/syscalls/sys_exit_write")
int bw_exit_write(struct trace_event_raw_sys_exit *ctx) { return on_write_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_sendto")
int bw_exit_sendto(struct trace_event_raw_sys_exit *ctx) { return on_write_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_writev")
int bw_exit_writev(struct trace_event_raw_sys_exit *ctx) { return on_write_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int bw_exit_sendmsg(struct trace_event_raw_sys_exit *ctx) { return on_write_exit(ctx->ret); }

/*
 * TLS: uprobes on libssl (attached by the loader to every libssl file found in
 * /proc/<pid>/maps). SSL_read's plaintext goes through queue_requests and SSL_write's
 * through answer, on the connection the SSL object is tied to: by SSL_set_fd, or by the
 * read syscall a thread makes on a followed socket while inside SSL_read.
 */

/* The followed connection of (tgid, ssl), or NULL. */
static __always_inline struct bw_conn *ssl_conn(__u32 tgid, __u64 ssl, struct bw_conn_key *key)
{
	struct bw_ssl_key sk = { .tgid = tgid, .ssl = ssl };
	__u32 *fd = bpf_map_lookup_elem(&ssl_fds, &sk);
	if (!fd)
		return NULL;
	key->tgid = tgid;
	key->fd = *fd;
	return bpf_map_lookup_elem(&conns, key);
}

SEC("uprobe")
int BPF_KPROBE(bw_ssl_set_fd, void *ssl, int fd)
{
	struct bw_conn_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = (__u32)fd };
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return 0; /* a client, or a socket not followed */
	struct bw_ssl_key sk = { .tgid = key.tgid, .ssl = (__u64)ssl };
	__u32 v = key.fd;
	bpf_map_update_elem(&ssl_fds, &sk, &v, BPF_ANY);
	if (!conn->tls) {
		conn->tls = 1;
		stat_inc(BW_STAT_TLS_TIED);
	}
	return 0;
}

static __always_inline int ssl_read_enter(void *ssl, void *buf, void *readbytes)
{
	struct bw_ssl_call *call =
		bpf_task_storage_get(&ssl_calls, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!call)
		return 0;
	call->ssl = (__u64)ssl;
	call->buf = (__u64)buf;
	call->readbytes = (__u64)readbytes;
	return 0;
}

/* The connection whose TLS record this thread read last, for an SSL_read that returned a
 * request: that SSL object is tied to it (anew when the SSL * was tied to another fd before:
 * a freed SSL's address reused by a new connection). */
static __always_inline struct bw_conn *ssl_learned_conn(__u32 tgid, __u64 ssl, __u32 fd, struct bw_conn_key *key)
{
	key->tgid = tgid;
	key->fd = fd;
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, key);
	if (!conn)
		return NULL;
	struct bw_ssl_key sk = { .tgid = tgid, .ssl = ssl };
	__u32 *tied = bpf_map_lookup_elem(&ssl_fds, &sk);
	if (!tied || *tied != fd)
		bpf_map_update_elem(&ssl_fds, &sk, &fd, BPF_ANY);
	if (!conn->tls) {
		conn->tls = 1;
		stat_inc(BW_STAT_TLS_TIED);
	}
	return conn;
}

static __always_inline int ssl_read_exit(long ret, bool ex)
{
	struct bw_ssl_call *c = bpf_task_storage_get(&ssl_calls, bpf_get_current_task_btf(), 0, 0);
	if (!c || !c->ssl)
		return 0;
	struct bw_ssl_call call = *c;
	c->ssl = 0;
	c->last_set = 0; /* that record is decrypted now */

	__u64 n = 0;
	if (ex) {
		/* SSL_read_ex: 1 on success, the byte count in *readbytes. */
		if (ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)call.readbytes))
			return 0;
	} else {
		/* A 64-bit check the verifier sees (an int's checks are 32-bit only). */
		if (ret <= 0 || ret > 0x7fffffff)
			return 0;
		n = ret;
	}
	const char *buf = (const char *)call.buf;
	if (!buf || !n)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct bw_conn_key key;
	struct bw_conn *conn = NULL;
	/* A request line, the HTTP/2 preface or a read beginning with a request's HEADERS frame: the
	 * SSL object is this thread's last TLS record's (Node: no SSL_set_fd); other bytes go to the
	 * connection it is tied to already. */
	bool request = starts_request(buf, n);
	bool preface = !request && h2_is_preface(buf, n);
	if (call.last_set && (request || preface || h2_request_read(buf, n)))
		conn = ssl_learned_conn(id >> 32, call.ssl, call.last_fd, &key);
	if (!conn)
		conn = ssl_conn(id >> 32, call.ssl, &key);
	if (!conn) {
		/* A request in plaintext we cannot put on a connection; counted, never guessed.
		 * (Also a server in an excluded process or on an excluded port.) A HEADERS frame is
		 * not counted here: a client reads its responses' HEADERS on the same odd streams. */
		if (request || preface)
			stat_inc(BW_STAT_TLS_UNPAIRED);
		return 0;
	}
	conn->tls = 1;
	if (conn->h2 == 1) /* HTTP/2 over TLS: every byte decrypted is walked, as on the syscalls */
		h2_frames(conn, &key, 0, BUF_PLAIN, (unsigned long)buf, n, BW_HTTP_F_TLS);
	else if (conn->h2 == 3)
		h2_lost_read(buf, n);
	else if (!conn->h2 && request)
		request_bytes(conn, buf, n, BW_HTTP_F_TLS);
	else if (!conn->h2)
		h2_start(conn, &key, BUF_PLAIN, (unsigned long)buf, buf, n, BW_HTTP_F_TLS);
	return 0;
}

static __always_inline int ssl_write_enter(void *ssl, const char *buf, __u64 num, void *written)
{
	struct bw_conn_key key;
	struct bw_conn *conn = ssl_conn(bpf_get_current_pid_tgid() >> 32, (__u64)ssl, &key);
	if (!conn)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (conn->h2 != 1 || !buf) {
		/* An HTTP/2 write whose return probe never ran (a longjmp over it) must not be walked at
		 * this call's return. */
		struct bw_ssl_call *stale = bpf_task_storage_get(&ssl_calls, task, 0, 0);
		if (stale)
			stale->wbuf = 0;
		if (!conn->h2)
			answer(conn, &key, buf, num, BW_HTTP_F_TLS);
		return 0;
	}
	/* HTTP/2: walked at the return, once the bytes written are known. */
	struct bw_ssl_call *call = bpf_task_storage_get(&ssl_calls, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!call)
		return 0;
	call->wbuf = (__u64)buf;
	call->wwritten = (__u64)written;
	call->wfd = key.fd;
	return 0;
}

/* Return of an SSL_write on an HTTP/2 connection: its frames, as far as written. */
static __always_inline int ssl_write_exit(long ret, bool ex)
{
	struct bw_ssl_call *c = bpf_task_storage_get(&ssl_calls, bpf_get_current_task_btf(), 0, 0);
	if (!c || !c->wbuf)
		return 0;
	const char *buf = (const char *)c->wbuf;
	__u64 written = c->wwritten;
	struct bw_conn_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = c->wfd };
	c->wbuf = 0;
	__u64 n = 0;
	if (ex) {
		if (ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)written))
			return 0;
	} else {
		if (ret <= 0 || ret > 0x7fffffff)
			return 0;
		n = ret;
	}
	struct bw_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn || conn->h2 != 1 || !n)
		return 0;
	h2_frames(conn, &key, 1, BUF_PLAIN, (unsigned long)buf, n, BW_HTTP_F_TLS);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(bw_ssl_read, void *ssl, void *buf, int num) { return ssl_read_enter(ssl, buf, NULL); }

SEC("uretprobe")
int BPF_KRETPROBE(bw_ssl_read_ret, long ret) { return ssl_read_exit((int)ret, false); }

SEC("uprobe")
int BPF_KPROBE(bw_ssl_read_ex, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return ssl_read_enter(ssl, buf, readbytes);
}

SEC("uretprobe")
int BPF_KRETPROBE(bw_ssl_read_ex_ret, int ret) { return ssl_read_exit(ret, true); }

SEC("uprobe")
int BPF_KPROBE(bw_ssl_write, void *ssl, const void *buf, int num)
{
	return num > 0 ? ssl_write_enter(ssl, buf, (__u64)num, NULL) : 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(bw_ssl_write_ret, long ret) { return ssl_write_exit((int)ret, false); }

SEC("uprobe")
int BPF_KPROBE(bw_ssl_write_ex, void *ssl, const void *buf, size_t num, size_t *written)
{
	return ssl_write_enter(ssl, buf, num, written);
}

SEC("uretprobe")
int BPF_KRETPROBE(bw_ssl_write_ex_ret, int ret) { return ssl_write_exit(ret, true); }
