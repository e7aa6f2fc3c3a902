/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one kernel/user boundary of the Burnwatch sensor.
 *
 * Everything that crosses from the BPF programs to the loader, and from the
 * loader to the TypeScript agent (sensor/records.ts), is defined here. Every
 * record is exactly BW_RECORD_SIZE bytes, little-endian as the host, with the
 * record type in its first byte. Padding is explicit: the user-space build uses
 * -Wpadded -Werror, so an implicit hole fails the build instead of silently
 * moving a field the decoder reads.
 *
 * Include <linux/types.h> (user space) or vmlinux.h (BPF) before this file.
 */
#ifndef BURNWATCH_EVENTS_H
#define BURNWATCH_EVENTS_H

#define BW_RECORD_SIZE 136

/* Bytes of the request captured from its first byte ("GET /users/1 HTTP/1.1…").
 * Method and path are parsed in user space from these bytes. */
#define BW_REQ_PREFIX_LEN 80
#define BW_COMM_LEN 16

/* Limits of the read-only filters set by the loader before load. */
#define BW_MAX_EXCLUDED_TGIDS 8
#define BW_MAX_EXCLUDED_PORTS 16

enum bw_record_type {
	BW_REC_HTTP = 1,  /* struct bw_http_event: one finished request/response */
	BW_REC_STATS = 2, /* struct bw_stats_record: counters, sent periodically */
	BW_REC_READY = 3, /* struct bw_ready_record: programs loaded and attached */
	BW_REC_STATS_MORE = 4, /* struct bw_stats_more_record: counters past the first 12 */
};

/* struct bw_http_event.flags */
enum bw_http_flags {
	BW_HTTP_F_PIPELINED = 1 << 0, /* found after another request in the same read */
	BW_HTTP_F_IOV = 1 << 1,       /* request came through readv/recvmsg (first iovec only) */
	BW_HTTP_F_TLS = 1 << 2,       /* plaintext seen in SSL_read/SSL_write (uprobes on libssl) */
};

struct bw_http_event {
	__u8 type;         /* BW_REC_HTTP */
	__u8 flags;        /* enum bw_http_flags */
	__u16 status;      /* HTTP status code, 200..999 (1xx are never sent) */
	__u16 local_port;  /* server port of the connection, 0 for non-inet sockets */
	__u8 prefix_len;   /* valid bytes in prefix[] */
	__u8 _pad0;
	__u32 tgid;        /* process id in the initial pid namespace */
	__u32 fd;
	__u64 start_ns;    /* CLOCK_MONOTONIC: read of the request's first byte */
	__u64 duration_ns; /* from request first byte read to response first byte written */
	__u64 cgroup_id;   /* cgroup v2 id of the serving thread */
	char comm[BW_COMM_LEN];            /* serving thread's name */
	char prefix[BW_REQ_PREFIX_LEN];    /* request's first bytes, not NUL-terminated */
};

/* Counters kept per CPU by the BPF programs (map `stats`), summed by the loader. */
enum bw_stat {
	BW_STAT_ACCEPTS = 0,        /* accepted sockets now tracked */
	BW_STAT_ACCEPTS_EXCLUDED,   /* accepted sockets ignored: excluded pid or port */
	BW_STAT_CLOSES,             /* tracked sockets closed */
	BW_STAT_REQUESTS,           /* request starts seen (including pipelined ones) */
	BW_STAT_PIPELINED,          /* of which found behind another request in one read */
	BW_STAT_RESPONSES,          /* transactions written to the ring buffer */
	BW_STAT_INFORMATIONAL,      /* 1xx responses skipped */
	BW_STAT_RINGBUF_DROPS,      /* transactions lost: ring buffer full */
	BW_STAT_QUEUE_FULL,         /* request starts lost: per-connection queue full */
	BW_STAT_UPGRADES,           /* connections left after 101 Switching Protocols */
	BW_STAT_TLS_TIED,           /* SSL objects tied to a followed connection (SSL_set_fd or a syscall inside SSL_read) */
	BW_STAT_TLS_UNPAIRED,       /* SSL_read/SSL_write plaintext dropped: its SSL object was never tied to a connection */
	/* Appended (issue 11): never reorder, the agent reads them by index. Slots 12.. go in
	 * struct bw_stats_more_record. */
	BW_STAT_LOST_NOT_SEEN,      /* status lines answering no request the sensor saw (a request it missed) */
	BW_STAT_LOST_BEYOND_SCAN,   /* of those, on a connection whose last request read was longer than the scanned 1 KiB */
	BW_STAT_LOST_NO_STATUS,     /* requests answered by bytes that are no HTTP/1.x status line: not timed */
	BW_STAT_CONNS_RECOVERED,    /* sockets followed from a request read though missing from the map (evicted, forked child, passed fd) */
	BW_STAT_REQ_STAGED,         /* request lines that arrived in pieces, put together across reads */
	BW_STAT_STATUS_STAGED,      /* status lines written in pieces, put together across writes */
	BW_STAT_CRLF_SKIPPED,       /* requests read behind empty lines (CRLF), which RFC 9112 lets a client send */
	BW_STAT_MAX,
};

#define BW_STATS_KERNEL_SLOTS 12
#define BW_STATS_MORE_SLOTS 15

struct bw_stats_record {
	__u8 type; /* BW_REC_STATS */
	__u8 _pad0[3];
	__u32 n_kernel;                        /* how many of kernel[] are used (BW_STAT_MAX) */
	__u64 kernel[BW_STATS_KERNEL_SLOTS];   /* enum bw_stat, cumulative since load */
	__u64 conns_tracked;                   /* entries in the connection map now */
	__u64 conns_capacity;                  /* max entries of the connection map */
	__u64 bpf_run_time_ns;                 /* sum over programs; needs kernel.bpf_stats_enabled=1 */
	__u64 bpf_run_cnt;
};

/* Counters BW_STATS_KERNEL_SLOTS.. of enum bw_stat, sent right after each bw_stats_record
 * (bw_stats_record is full; an agent that does not know this type skips it). */
struct bw_stats_more_record {
	__u8 type; /* BW_REC_STATS_MORE */
	__u8 _pad0[3];
	__u32 first;                          /* index in enum bw_stat of kernel[0] (BW_STATS_KERNEL_SLOTS) */
	__u32 n_kernel;                       /* how many of kernel[] are used */
	__u32 _pad1;
	__u64 kernel[BW_STATS_MORE_SLOTS];    /* enum bw_stat from `first`, cumulative since load */
};

struct bw_ready_record {
	__u8 type; /* BW_REC_READY */
	__u8 _pad0[3];
	__u32 loader_pid;
	__u32 programs_attached;
	__u32 conns_seeded; /* connections accepted before start, found in /proc */
	__u32 tls_libraries; /* distinct libssl files (/proc/<pid>/maps) and node executables (/proc/<pid>/exe) probed */
	__u32 tls_probes;    /* uprobes attached on them */
	__u8 _pad1[BW_RECORD_SIZE - 24];
};

/* Connection map (`conns` in maps.h): the BPF programs keep it, and the loader also
 * writes it once at start, for connections accepted before the sensor ran. */
#define BW_QUEUE_DEPTH 8 /* requests waiting for their response on one connection; power of 2 */

struct bw_conn_key {
	__u32 tgid;
	__u32 fd;
};

struct bw_pending {
	__u64 start_ns;
	__u8 prefix_len;
	__u8 flags;
	__u8 _pad0[6];
	char prefix[BW_REQ_PREFIX_LEN];
};

/* Bytes of a status line kept across writes (it needs 12: "HTTP/1.1 200"); room for
 * 11 staged and 12 more read behind them without a bounds check. */
#define BW_STATUS_STAGE 24

struct bw_conn {
	__u32 head; /* next request to answer */
	__u32 tail; /* next free slot */
	__u16 local_port;
	__u8 tls;   /* 1 once an SSL object is tied to it: only the uprobes read its HTTP */
	__u8 req_open;   /* queue[tail] is a request line still arriving (its bytes staged across reads) */
	__u8 resp_body;  /* a response was started since the last request read: other writes are its body */
	__u8 bodyless;   /* the last request queued is a GET or HEAD: a read starting with a method behind it is a request, not its body */
	__u8 status_len; /* bytes of a status line staged in status_stage (written in pieces) */
	__u8 unqueued;   /* requests dropped as queue_full whose responses are still to come */
	__u8 cut;        /* the last request read was longer than the bytes scanned for pipelining */
	__u8 _pad0[7];
	char status_stage[BW_STATUS_STAGE];
	struct bw_pending queue[BW_QUEUE_DEPTH];
};

#if !defined(__bpf__)
_Static_assert(sizeof(struct bw_http_event) == BW_RECORD_SIZE, "http event size");
_Static_assert(sizeof(struct bw_stats_record) == BW_RECORD_SIZE, "stats record size");
_Static_assert(sizeof(struct bw_ready_record) == BW_RECORD_SIZE, "ready record size");
_Static_assert(sizeof(struct bw_stats_more_record) == BW_RECORD_SIZE, "stats more record size");
_Static_assert(BW_STAT_MAX <= BW_STATS_KERNEL_SLOTS + BW_STATS_MORE_SLOTS, "stats slots");
_Static_assert(sizeof(struct bw_conn) == 48 + BW_QUEUE_DEPTH * 96, "conn layout");
#endif

#endif /* BURNWATCH_EVENTS_H */
