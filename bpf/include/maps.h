/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps of the sensor and their sizes, in one place. Kernel side only. */
#ifndef BURNWATCH_MAPS_H
#define BURNWATCH_MAPS_H

#include "events.h"

/* Connections tracked at once; the loader may change it (--max-conns) before load. */
#define BW_MAX_CONNS 8192
/* Bytes of one request read searched for pipelined requests behind the first. */
#define BW_SCAN_MAX 1024
/* Ring buffer: 4 MiB, about 30,000 transactions between two polls. */
#define BW_RINGBUF_BYTES (4 << 20)
/* Bytes one record takes in the ring buffer: the record and its 8-byte header. */
#define BW_RINGBUF_STRIDE (BW_RECORD_SIZE + 8)

/* Per (tgid, fd) of an accepted socket. LRU: forgotten connections age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BW_MAX_CONNS);
	__type(key, struct bw_conn_key);
	__type(value, struct bw_conn);
} conns SEC(".maps");

/* Finished transactions, one struct bw_http_event each. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BW_RINGBUF_BYTES);
} events SEC(".maps");

/* enum bw_stat counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Copy of one request read, searched for pipelined requests. The tail slack lets
 * a prefix be copied from any offset below BW_SCAN_MAX without a bounds check. */
struct bw_scratch {
	char buf[BW_SCAN_MAX + BW_REQ_PREFIX_LEN + 8];
	/* A request line arriving in pieces: the bytes staged so far, then those of this read
	 * behind them (room for 79 + 80 without a bounds check). */
	char stage[2 * BW_REQ_PREFIX_LEN + 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_scratch);
} scratch SEC(".maps");

/* TLS (uprobes on libssl). Per thread (task storage: no hash, freed with the thread):
 * inside SSL_read/SSL_read_ex, what its return probe needs, and what a syscall on a followed
 * socket during the call ties to that socket; outside, the followed socket this thread last
 * read a TLS record from (Node's memory BIOs: the ciphertext is read, then SSL_read decrypts
 * it on the same thread). */
struct bw_ssl_call {
	__u64 ssl; /* 0: not inside SSL_read */
	__u64 buf;
	__u64 readbytes; /* SSL_read_ex's size_t *; 0 for SSL_read */
	__u32 last_fd;
	__u32 last_set; /* last_fd is a TLS record read since the last SSL_read */
	/* Inside SSL_write/SSL_write_ex on an HTTP/2 connection: its frames are walked at the
	 * return, with the bytes really written (a failed write is retried with the same bytes). */
	__u64 wbuf;     /* 0: no such call */
	__u64 wwritten; /* SSL_write_ex's size_t *written; 0 for SSL_write */
	__u32 wfd;
	__u32 _pad0;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bw_ssl_call);
} ssl_calls SEC(".maps");

/* (tgid, SSL *) -> fd of its socket. LRU sized like conns: one SSL per followed connection. */
struct bw_ssl_key {
	__u32 tgid;
	__u32 _pad0;
	__u64 ssl;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BW_MAX_CONNS);
	__type(key, struct bw_ssl_key);
	__type(value, __u32);
} ssl_fds SEC(".maps");

/* HTTP/2 connections (bw_conn.h2 == 1): where each direction is in its frames. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct bw_conn_key);
	__type(value, struct bw_h2_conn);
} h2_conns SEC(".maps");

/* A thread inside a write syscall on an HTTP/2 connection: its frames are followed at the
 * syscall's exit, once the number of bytes really written is known (a partial write must not
 * move the frame boundaries). */
struct bw_h2_write {
	__u32 fd;
	__u32 kind; /* enum buf_kind of http.bpf.c */
	__u64 arg;  /* the buffer, iovec array or msghdr */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct bw_h2_write);
} h2_writes SEC(".maps");

#endif /* BURNWATCH_MAPS_H */
