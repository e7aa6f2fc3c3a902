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
	/* Kernel -> loader only: */
	BW_REC_H2 = 7, /* struct bw_h2_event: bpf/h2.c turns them into BW_REC_HTTP, counted in the series table */
};

/* struct bw_http_event.flags */
enum bw_http_flags {
	BW_HTTP_F_PIPELINED = 1 << 0, /* found after another request in the same read */
	BW_HTTP_F_IOV = 1 << 1,       /* request came through readv/recvmsg (first iovec only) */
	BW_HTTP_F_TLS = 1 << 2,       /* plaintext seen in SSL_read/SSL_write (uprobes on libssl) */
	BW_HTTP_F_H2 = 1 << 3,        /* HTTP/2: decoded by the loader from HEADERS frames (bpf/h2.c); prefix is "METHOD :path HTTP/2" */
	BW_HTTP_F_GRPC = 1 << 4,      /* gRPC (content-type application/grpc*): grpc_status is its outcome */
};

struct bw_http_event {
	__u8 type;         /* BW_REC_HTTP */
	__u8 flags;        /* enum bw_http_flags */
	__u16 status;      /* HTTP status code, 200..999 (1xx are never sent) */
	__u16 local_port;  /* server port of the connection, 0 for non-inet sockets */
	__u8 prefix_len;   /* valid bytes in prefix[] */
	__u8 grpc_status;  /* with BW_HTTP_F_GRPC: grpc-status 0..16 from the trailers, BW_GRPC_STATUS_NONE if none came; else 0 */
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
	/* Appended (issue 11): never reorder, the agent reads them by index (sensor/records.ts
	 * KERNEL_STATS). Every entry goes to the agent in struct bw_counters_record. */
	BW_STAT_LOST_NOT_SEEN,      /* status lines answering no request the sensor saw (a request it missed) */
	BW_STAT_LOST_BEYOND_SCAN,   /* of those, on a connection whose last request read was longer than the scanned 1 KiB */
	BW_STAT_LOST_NO_STATUS,     /* requests answered by bytes that are no HTTP/1.x status line: not timed */
	BW_STAT_CONNS_RECOVERED,    /* sockets followed from a request read though missing from the map (evicted, forked child, passed fd) */
	BW_STAT_REQ_STAGED,         /* request lines that arrived in pieces, put together across reads */
	BW_STAT_STATUS_STAGED,      /* status lines written in pieces, put together across writes */
	BW_STAT_CRLF_SKIPPED,       /* requests read behind empty lines (CRLF), which RFC 9112 lets a client send */
	/* HTTP/2 (appended): the first four kept by the BPF programs, the rest by the loader (bpf/h2.c),
	 * which writes them into the same per-CPU map (slot of CPU 0) so they travel like the others. */
	BW_STAT_H2_CONNS,           /* connections that began with the HTTP/2 client preface, followed as HTTP/2 */
	BW_STAT_H2_NO_PREFACE,      /* reads on a followed connection that look like an HTTP/2 HEADERS frame without a preface seen (began before the sensor): not decoded */
	BW_STAT_H2_DESYNC,          /* HTTP/2 connections given up: frames could not be followed (too many iovecs or frames in one call, a record lost) */
	BW_STAT_H2_UNDECODABLE,     /* HTTP/2 streams not timed: their header block could not be decoded (HPACK state unknown or lost) */
	BW_STAT_H2_RESET,           /* HTTP/2 streams reset (RST_STREAM) before their response ended: not timed */
	BW_STAT_H2_UNANSWERED,      /* HTTP/2 streams still open when their connection closed or was given up */
	BW_STAT_H2_LOST_DESYNC,     /* reads beginning with a request's HEADERS frame on an HTTP/2 connection the kernel gave up (h2_desync): at least one request each, never counted (kept by the BPF programs) */
	BW_STAT_MAX,
};

/* grpc_status when a gRPC response ended without a grpc-status (an error, UNKNOWN, for clients). */
#define BW_GRPC_STATUS_NONE 255

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
	__u8 h2;         /* 1: began with the HTTP/2 preface, its frames are followed (map h2_conns); 2: never decodable (no preface); 3: given up (h2_desync) */
	__u8 _pad0[6];
	char status_stage[BW_STATUS_STAGE];
	struct bw_pending queue[BW_QUEUE_DEPTH];
};

/* HTTP/2 (bpf/h2.c): the kernel follows the frames of a connection that began with the client
 * preface and ships the payload of its HEADERS and CONTINUATION frames, in pieces, with the
 * stream id and direction; DATA frames only as their END_STREAM flag, RST_STREAM as a reset.
 * HPACK is decoded by the loader. Records of variable size: the header, then piece_len bytes. */
#define BW_H2_PIECE 256

enum bw_h2_kind {
	BW_H2_OPEN = 1,    /* the client preface was read: a new HTTP/2 connection on (tgid, fd) */
	BW_H2_HEADERS = 2, /* piece_len bytes at piece_off of a HEADERS/CONTINUATION frame's payload */
	BW_H2_END = 3,     /* a DATA frame with END_STREAM */
	BW_H2_RESET = 4,   /* RST_STREAM */
	BW_H2_CLOSE = 5,   /* the connection was closed */
	BW_H2_GIVEUP = 6,  /* the kernel lost the frame boundaries: nothing more comes for it */
};

struct bw_h2_event {
	__u8 type;        /* BW_REC_H2 */
	__u8 kind;        /* enum bw_h2_kind */
	__u8 dir;         /* 0: read by the server (client to server), 1: written by it */
	__u8 frame_type;  /* 1 HEADERS, 9 CONTINUATION (BW_H2_HEADERS) */
	__u8 frame_flags; /* the frame's flags (END_STREAM 0x1, END_HEADERS 0x4, PADDED 0x8, PRIORITY 0x20) */
	__u8 http_flags;  /* BW_HTTP_F_TLS when seen through the uprobes */
	__u16 local_port;
	__u32 tgid;
	__u32 fd;
	__u32 stream;     /* stream id */
	__u32 seq;        /* per connection, +1 per record, also for one the ring buffer had no room for */
	__u32 frame_len;  /* the frame's payload length */
	__u32 piece_off;  /* offset of data[] in that payload */
	__u16 piece_len;  /* valid bytes in data[] */
	__u8 _pad0[6];
	__u64 ts_ns;      /* CLOCK_MONOTONIC of the syscall that carried it */
	__u64 cgroup_id;
	char comm[BW_COMM_LEN];
	char data[BW_H2_PIECE];
};

/* Per-direction frame state (map h2_conns). */
struct bw_h2_dir {
	__u32 rem;       /* payload bytes of the current frame still to come */
	__u32 frame_len;
	__u32 stream;
	__u8 type;
	__u8 flags;
	__u8 hdr_have;   /* bytes of a frame header staged in hdr (split across calls) */
	__u8 _pad0;
	__u8 hdr[20];    /* room for 8 staged and 9 more without a bounds check */
};

struct bw_h2_conn {
	__u32 seq;
	__u32 _pad0;
	struct bw_h2_dir dir[2];
};

/*
 * Loader -> agent: the loader aggregates the kernel's bw_http_event records per series key
 * (tgid, cgroup, TLS, HTTP/2 and gRPC flags, status, gRPC status, request line without its query)
 * and sends counts, not requests.
 * Each of these records starts with its type and carries its whole size at offset 4.
 */
#define BW_MAX_BOUNDS 63          /* histogram bounds (the agent passes them with --bounds-ns) */
#define BW_MAX_THRESHOLDS 64      /* exact-threshold slots (the agent sets them over stdin) */
#define BW_LINE_MAX BW_REQ_PREFIX_LEN

struct bw_series_record {
	__u8 type;         /* BW_REC_SERIES */
	__u8 flags;        /* BW_HTTP_F_TLS, BW_HTTP_F_H2, BW_HTTP_F_GRPC (the others are not part of the key) */
	__u16 status;
	__u32 size;        /* bytes of this record, header + arrays + line, padded to 8 */
	__u32 tgid;
	__u8 line_len;     /* bytes of line after the arrays (at most BW_LINE_MAX) */
	__u8 grpc_status;  /* with BW_HTTP_F_GRPC: as in bw_http_event; else 0 */
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
_Static_assert(sizeof(struct bw_h2_event) == 72 + BW_H2_PIECE, "h2 event layout");
_Static_assert(sizeof(struct bw_http_event) == BW_RECORD_SIZE, "http event size");
_Static_assert(sizeof(struct bw_stats_record) == BW_RECORD_SIZE, "stats record size");
_Static_assert(sizeof(struct bw_ready_record) == BW_RECORD_SIZE, "ready record size");
_Static_assert(sizeof(struct bw_conn) == 48 + BW_QUEUE_DEPTH * 96, "conn layout");
#endif

#endif /* BURNWATCH_EVENTS_H */
