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
	/* Loader -> agent only, variable size (a multiple of 8, in the u32 at offset 4): */
	BW_REC_SERIES = 4,   /* struct bw_series_record: one series' counts since the last flush */
	BW_REC_FLUSHED = 5,  /* struct bw_flushed_record: every series record of a flush asked for was sent */
	BW_REC_COUNTERS = 6, /* struct bw_counters_record: every entry of the `stats` map, and the loader's own */
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
	BW_STAT_MAX,
};

#define BW_STATS_KERNEL_SLOTS 12

struct bw_stats_record {
	__u8 type; /* BW_REC_STATS */
	__u8 _pad0[3];
	__u32 n_kernel;                        /* how many of kernel[] are used: the first BW_STATS_KERNEL_SLOTS
	                                        * counters only; every one goes in bw_counters_record */
	__u64 kernel[BW_STATS_KERNEL_SLOTS];   /* enum bw_stat, cumulative since load */
	__u64 conns_tracked;                   /* entries in the connection map now */
	__u64 conns_capacity;                  /* max entries of the connection map */
	__u64 bpf_run_time_ns;                 /* sum over programs; needs kernel.bpf_stats_enabled=1 */
	__u64 bpf_run_cnt;
};

struct bw_ready_record {
	__u8 type; /* BW_REC_READY */
	__u8 _pad0[3];
	__u32 loader_pid;
	__u32 programs_attached;
	__u32 conns_seeded; /* connections accepted before start, found in /proc */
	__u32 tls_libraries; /* distinct libssl files (dev, inode) found in /proc/<pid>/maps and probed */
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

struct bw_conn {
	__u32 head; /* next request to answer */
	__u32 tail; /* next free slot */
	__u16 local_port;
	__u8 tls;   /* 1 once an SSL object is tied to it: only the uprobes read its HTTP */
	__u8 _pad0[5];
	struct bw_pending queue[BW_QUEUE_DEPTH];
};

/*
 * Loader -> agent: the loader aggregates the kernel's bw_http_event records per series key
 * (tgid, cgroup, TLS flag, status, request line without its query) and sends counts, not requests.
 * Each of these records starts with its type and carries its whole size at offset 4.
 */
#define BW_MAX_BOUNDS 63          /* histogram bounds (the agent passes them with --bounds-ns) */
#define BW_MAX_THRESHOLDS 64      /* exact-threshold slots (the agent sets them over stdin) */
#define BW_LINE_MAX BW_REQ_PREFIX_LEN

struct bw_series_record {
	__u8 type;         /* BW_REC_SERIES */
	__u8 flags;        /* BW_HTTP_F_TLS or 0 */
	__u16 status;
	__u32 size;        /* bytes of this record, header + arrays + line, padded to 8 */
	__u32 tgid;
	__u16 line_len;    /* bytes of line after the arrays */
	__u8 n_buckets;    /* counts per bucket (not cumulative), the last one +Inf */
	__u8 n_good;       /* counts within threshold slot 0..n_good-1 (0 for an empty slot) */
	__u64 cgroup_id;
	__u64 count;       /* requests */
	__u64 sum_ns;      /* sum of their durations */
	char comm[BW_COMM_LEN]; /* serving thread's name, of the first request of the flush */
	/* then: __u32 buckets[n_buckets]; __u32 good[n_good];
	 * char line[line_len]: the request's method, path and version with the query left out
	 * ("GET /users/1? HTTP/1.1": a '?' or '#' says there was one). */
};

struct bw_flushed_record {
	__u8 type; /* BW_REC_FLUSHED */
	__u8 _pad0[3];
	__u32 size; /* 16 */
	__u32 seq;  /* of the "F <seq>" line the agent wrote */
	__u32 _pad1;
};

/* The loader's own counters, after the kernel's in bw_counters_record.values. */
enum bw_loader_counter {
	BW_LOADER_FLUSHES_FULL = 0, /* series table flushed early because it was full (nothing lost) */
	BW_LOADER_SERIES_SENT,      /* series records written */
	BW_LOADER_RECORDS,          /* kernel transaction records aggregated */
	BW_LOADER_COUNTER_MAX,
};

struct bw_counters_record {
	__u8 type; /* BW_REC_COUNTERS */
	__u8 _pad0[3];
	__u32 size;      /* 16 + 8 * (n_kernel + n_loader) */
	__u32 n_kernel;  /* entries of the `stats` map (enum bw_stat), cumulative since load */
	__u32 n_loader;  /* enum bw_loader_counter, cumulative since start */
	/* then: __u64 values[n_kernel + n_loader] */
};

#if !defined(__bpf__)
_Static_assert(sizeof(struct bw_series_record) == 56, "series record header");
_Static_assert(sizeof(struct bw_flushed_record) == 16, "flushed record");
_Static_assert(sizeof(struct bw_counters_record) == 16, "counters record header");
_Static_assert(sizeof(struct bw_http_event) == BW_RECORD_SIZE, "http event size");
_Static_assert(sizeof(struct bw_stats_record) == BW_RECORD_SIZE, "stats record size");
_Static_assert(sizeof(struct bw_ready_record) == BW_RECORD_SIZE, "ready record size");
_Static_assert(sizeof(struct bw_conn) == 16 + BW_QUEUE_DEPTH * 96, "conn layout");
#endif

#endif /* BURNWATCH_EVENTS_H */
