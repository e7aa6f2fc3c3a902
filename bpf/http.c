// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * burnwatch-loader: loads and attaches the sensor's BPF programs and streams
 * records (include/events.h) to stdout for the agent: one BW_REC_READY once
 * attached; then, every --stats-ms and whenever the agent asks, the series
 * counted since the last flush (BW_REC_SERIES, aggregate.c: one per key, not
 * one per request), BW_REC_STATS and BW_REC_COUNTERS.
 * Commands on stdin, one per line:
 *   F <seq>       drain the ring buffer, write every series, then BW_REC_FLUSHED <seq>
 *   T <ms>,<ms>…  exact-threshold slots (0: empty); counts so far are flushed first
 * Human-readable messages go to stderr only.
 *
 * open -> set rodata -> load -> attach -> poll, one cleanup path.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "aggregate.h"
#include "existing_conns.h"
#include "tls_libs.h"
#include "h2.h"
#include "http.skel.h"

#define TRACEFS "/sys/kernel/tracing"
#define BTF_PATH "/sys/kernel/btf/vmlinux"

struct options {
	const char *btf_path; /* NULL: the running kernel's */
	__u32 excluded_tgids[BW_MAX_EXCLUDED_TGIDS];
	__u16 excluded_ports[BW_MAX_EXCLUDED_PORTS];
	__u32 n_tgids;
	__u32 n_ports;
	__u32 max_conns;
	__u32 wakeup_records;
	__u32 poll_ms;
	__u32 stats_ms;
	__u32 tls_rescan_ms; /* 0: libssl files are looked for at start only */
	__u32 n_bounds;
	__u64 bounds_ns[BW_MAX_BOUNDS];
	__u32 series_table;  /* keys held between two flushes */
	__u8 _pad0[4];
};

static volatile sig_atomic_t stopping;
static char last_prog[64]; /* last program libbpf complained about */
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	/* Remember which program a failure was about ("prog 'name': ..."). */
	if (strncmp(fmt, "prog '", 6) == 0 || strstr(fmt, "prog '%s'")) {
		va_list copy;
		va_copy(copy, args);
		const char *name = va_arg(copy, const char *);
		if (name)
			snprintf(last_prog, sizeof(last_prog), "%s", name);
		va_end(copy);
	}
	return vfprintf(stderr, fmt, args);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--exclude-pid PID]... [--exclude-port PORT]... [--max-conns N]\n"
		"          [--wakeup-records N] [--poll-ms MS] [--stats-ms MS] [--tls-rescan-ms MS] [--btf FILE] [--verbose]\n"
		"          [--bounds-ns NS,NS,...] [--series-table N]\n"
		"--bounds-ns: histogram bucket bounds in ns, increasing (default: the contract's)\n"
		"--series-table: series kept between two flushes; a full table is flushed early\n"
		"--btf: kernel BTF from FILE (e.g. from BTFHub, for kernels built without BTF)\n"
		"--tls-rescan-ms: look for new libssl files in /proc/*/maps this often (0: at start only)\n"
		"Streams records (bpf/include/events.h) to stdout; reads F and T commands on stdin.\n",
		argv0);
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "burnwatch-loader: bad %s '%s' (want %ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static void parse_bounds(const char *list, struct options *o)
{
	char *copy = strdup(list), *save = NULL;
	o->n_bounds = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_bounds == BW_MAX_BOUNDS) {
			fprintf(stderr, "burnwatch-loader: at most %d --bounds-ns\n", BW_MAX_BOUNDS);
			exit(2);
		}
		char *end;
		errno = 0;
		unsigned long long v = strtoull(tok, &end, 10);
		if (errno || *end || v == 0 || (o->n_bounds && v <= o->bounds_ns[o->n_bounds - 1])) {
			fprintf(stderr, "burnwatch-loader: bad --bounds-ns '%s' (want increasing ns)\n", list);
			exit(2);
		}
		o->bounds_ns[o->n_bounds++] = v;
	}
	free(copy);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "exclude-pid", required_argument, NULL, 'p' },
		{ "exclude-port", required_argument, NULL, 'P' },
		{ "max-conns", required_argument, NULL, 'c' },
		{ "wakeup-records", required_argument, NULL, 'w' },
		{ "poll-ms", required_argument, NULL, 't' },
		{ "stats-ms", required_argument, NULL, 's' },
		{ "tls-rescan-ms", required_argument, NULL, 'r' },
		{ "btf", required_argument, NULL, 'b' },
		{ "bounds-ns", required_argument, NULL, 'B' },
		{ "series-table", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o->n_tgids == BW_MAX_EXCLUDED_TGIDS) {
				fprintf(stderr, "burnwatch-loader: at most %d --exclude-pid\n", BW_MAX_EXCLUDED_TGIDS);
				exit(2);
			}
			o->excluded_tgids[o->n_tgids++] = (__u32)parse_num(optarg, 1, 0x7fffffff, "pid");
			break;
		case 'P':
			if (o->n_ports == BW_MAX_EXCLUDED_PORTS) {
				fprintf(stderr, "burnwatch-loader: at most %d --exclude-port\n", BW_MAX_EXCLUDED_PORTS);
				exit(2);
			}
			o->excluded_ports[o->n_ports++] = (__u16)parse_num(optarg, 1, 65535, "port");
			break;
		case 'c': o->max_conns = (__u32)parse_num(optarg, 64, 1 << 20, "max-conns"); break;
		case 'w': o->wakeup_records = (__u32)parse_num(optarg, 1, 1 << 16, "wakeup-records"); break;
		case 't': o->poll_ms = (__u32)parse_num(optarg, 1, 10000, "poll-ms"); break;
		case 's': o->stats_ms = (__u32)parse_num(optarg, 100, 600000, "stats-ms"); break;
		case 'r': o->tls_rescan_ms = (__u32)parse_num(optarg, 0, 3600000, "tls-rescan-ms"); break;
		case 'b': o->btf_path = optarg; break;
		case 'B': parse_bounds(optarg, o); break;
		case 'S': o->series_table = (__u32)parse_num(optarg, 64, 1 << 20, "series-table"); break;
		case 'v': verbose = true; break;
		case 'h': usage(argv[0]); exit(0);
		default: usage(argv[0]); exit(2);
		}
	}
}

static __u64 effective_caps(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/* Everything that can be checked before asking the kernel, each with what to do. */
static int preflight(const char *btf_path)
{
	struct stat st;
	__u64 caps = effective_caps();
	bool sys_admin = caps & (1ULL << 21), perfmon = caps & (1ULL << 38), bpf = caps & (1ULL << 39);

	if (!sys_admin && !(bpf && perfmon)) {
		fprintf(stderr, "burnwatch-loader: not permitted: missing %s%s%s. Run as root, or grant CAP_BPF, "
				"CAP_PERFMON and CAP_SYS_RESOURCE.\n",
			bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
		return -1;
	}

	if (access(btf_path ? btf_path : BTF_PATH, R_OK) != 0) {
		fprintf(stderr, "burnwatch-loader: no kernel BTF: %s is %s. The sensor needs a kernel built "
				"with CONFIG_DEBUG_INFO_BTF=y, or a BTF file for this kernel given with --btf "
				"(BTF is used to relocate the programs).\n",
			btf_path ? btf_path : BTF_PATH, errno == ENOENT ? "missing" : "not readable");
		return -1;
	}
	if (stat(TRACEFS "/events/syscalls", &st) != 0) {
		if (errno == EACCES) {
			fprintf(stderr, "burnwatch-loader: cannot read %s (%s): run as root.\n", TRACEFS, strerror(errno));
			return -1;
		}
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) != 0 ||
		    stat(TRACEFS "/events/syscalls", &st) != 0) {
			fprintf(stderr, "burnwatch-loader: tracefs is not mounted at %s and mounting it failed (%s). "
					"Run: mount -t tracefs tracefs %s (the syscall tracepoints need it)%s.\n",
				TRACEFS, strerror(errno), TRACEFS,
				geteuid() != 0 ? "; also, this is not running as root" : "");
			return -1;
		}
	}
	return 0;
}

static const char *perm_hint(void)
{
	return geteuid() != 0
		? "not permitted: run as root, or with CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE"
		: "not permitted even as root: a security module, lockdown or seccomp forbids bpf()";
}

static struct bw_stats_record stats_rec;
#define BW_MAX_KERNEL_STATS 256
static __u64 kernel_stats[BW_MAX_KERNEL_STATS];
static __u32 n_kernel_stats;
static struct agg_table table;

/* Every entry of the kernel's per-CPU `stats` map, summed over CPUs, into kernel_stats. */
static void read_kernel_stats(struct http_bpf *skel, int ncpus)
{
	__u64 *vals = calloc((size_t)ncpus, sizeof(__u64));
	n_kernel_stats = bpf_map__max_entries(skel->maps.stats);
	if (n_kernel_stats > BW_MAX_KERNEL_STATS)
		n_kernel_stats = BW_MAX_KERNEL_STATS;
	memset(kernel_stats, 0, sizeof(kernel_stats));
	if (vals) {
		/* Every entry of the map, whatever enum bw_stat holds: the agent names them. */
		for (__u32 k = 0; k < n_kernel_stats; k++) {
			if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &k, vals))
				continue;
			for (int c = 0; c < ncpus; c++)
				kernel_stats[k] += vals[c];
		}
		free(vals);
	}
}

static void collect_stats(struct http_bpf *skel, int ncpus)
{
	memset(&stats_rec, 0, sizeof(stats_rec));
	stats_rec.type = BW_REC_STATS;
	read_kernel_stats(skel, ncpus);
	stats_rec.n_kernel = n_kernel_stats < BW_STATS_KERNEL_SLOTS ? n_kernel_stats : BW_STATS_KERNEL_SLOTS;
	memcpy(stats_rec.kernel, kernel_stats, stats_rec.n_kernel * sizeof(__u64));

	/* Connections tracked: walk the keys (bounded by max_entries). */
	int fd = bpf_map__fd(skel->maps.conns);
	__u64 key, next, n = 0;
	void *prev = NULL;
	while (n < bpf_map__max_entries(skel->maps.conns) && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	stats_rec.conns_tracked = n;
	stats_rec.conns_capacity = bpf_map__max_entries(skel->maps.conns);

	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0) {
			stats_rec.bpf_run_time_ns += info.run_time_ns;
			stats_rec.bpf_run_cnt += info.run_cnt;
		}
	}
}

static int write_record(const void *rec)
{
	if (fwrite(rec, BW_RECORD_SIZE, 1, stdout) != 1)
		return -1;
	return 0;
}

/* One finished request, from the kernel (HTTP/1) or from bpf/h2.c: counted in its series. */
static int emit_http(const struct bw_http_event *ev)
{
	return agg_add(&table, ev) ? -EPIPE : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= 1 && *(const __u8 *)data == BW_REC_H2)
		return h2_on_record(data, size, emit_http); /* HTTP/2 frames: decoded into HTTP records */
	if (size < BW_RECORD_SIZE || ((const struct bw_http_event *)data)->type != BW_REC_HTTP)
		return 0;
	return emit_http(data);
}

static int write_counters(void)
{
	struct bw_counters_record h = { .type = BW_REC_COUNTERS };
	h.n_kernel = n_kernel_stats;
	h.n_loader = BW_LOADER_COUNTER_MAX;
	h.size = (__u32)(sizeof(h) + 8 * (h.n_kernel + h.n_loader));
	if (fwrite(&h, sizeof(h), 1, stdout) != 1 ||
	    fwrite(kernel_stats, 8, n_kernel_stats, stdout) != n_kernel_stats ||
	    fwrite(table.counters, 8, BW_LOADER_COUNTER_MAX, stdout) != BW_LOADER_COUNTER_MAX)
		return -1;
	return 0;
}

/* The agent's commands (see the top of this file). A partial line waits for the rest. */
static char cmd_buf[4096];
static size_t cmd_len;

static int read_commands(struct ring_buffer *rb, struct http_bpf *skel, int ncpus, bool *eof)
{
	ssize_t n = read(STDIN_FILENO, cmd_buf + cmd_len, sizeof(cmd_buf) - 1 - cmd_len);
	if (n == 0) {
		*eof = true;
		return 0;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : (*eof = true, 0);
	cmd_len += (size_t)n;
	cmd_buf[cmd_len] = 0;
	char *line = cmd_buf, *nl;
	while ((nl = strchr(line, '\n'))) {
		*nl = 0;
		if (line[0] == 'T' && line[1] == ' ') {
			if (agg_set_thresholds(&table, line + 2))
				fprintf(stderr, "burnwatch-loader: bad threshold command '%s'\n", line);
		} else if (line[0] == 'F' && line[1] == ' ') {
			/* Everything the kernel submitted so far, then every series: the agent renders after this. */
			int c = ring_buffer__consume(rb);
			if (c < 0)
				return c;
			struct bw_flushed_record f = { .type = BW_REC_FLUSHED, .size = sizeof(f) };
			f.seq = (__u32)strtoul(line + 2, NULL, 10);
			/* The counters too, so a scrape shows every loss up to it. */
			read_kernel_stats(skel, ncpus);
			if (agg_flush(&table) || write_counters() || fwrite(&f, sizeof(f), 1, stdout) != 1 ||
			    fflush(stdout))
				return -EPIPE;
		} else if (line[0]) {
			fprintf(stderr, "burnwatch-loader: unknown command '%s'\n", line);
		}
		line = nl + 1;
	}
	cmd_len = strlen(line);
	memmove(cmd_buf, line, cmd_len);
	if (cmd_len == sizeof(cmd_buf) - 1)
		cmd_len = 0; /* a line this long is no command */
	return 0;
}

struct links {
	struct bpf_link **v;
	__u32 n, cap;
};

static int links_push(struct links *l, struct bpf_link *link)
{
	if (l->n == l->cap) {
		__u32 cap = l->cap ? l->cap * 2 : 64;
		struct bpf_link **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = link;
	return 0;
}

static bool is_uprobe(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	return strncmp(sec, "uprobe", 6) == 0 || strncmp(sec, "uretprobe", 9) == 0;
}

/* The uprobes of one libssl file: symbol, program, return probe or not. A symbol the
 * file does not export (SSL_read_ex before OpenSSL 1.1.1) is skipped. */
struct tls_ctx {
	struct http_bpf *skel;
	struct links *links;
	__u32 libraries;
	__u32 probes;
};

static int attach_tls_library(const char *path, void *arg)
{
	struct tls_ctx *t = arg;
	const struct {
		const char *func;
		struct bpf_program *prog;
		__u64 ret; /* a return probe */
	} probes[] = {
		{ "SSL_set_fd", t->skel->progs.bw_ssl_set_fd, 0 },
		{ "SSL_read", t->skel->progs.bw_ssl_read, false },
		{ "SSL_read", t->skel->progs.bw_ssl_read_ret, true },
		{ "SSL_read_ex", t->skel->progs.bw_ssl_read_ex, false },
		{ "SSL_read_ex", t->skel->progs.bw_ssl_read_ex_ret, true },
		{ "SSL_write", t->skel->progs.bw_ssl_write, false },
		{ "SSL_write", t->skel->progs.bw_ssl_write_ret, true },
		{ "SSL_write_ex", t->skel->progs.bw_ssl_write_ex, false },
		{ "SSL_write_ex", t->skel->progs.bw_ssl_write_ex_ret, true },
	};
	__u32 ok = 0;
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = probes[i].func, .retprobe = probes[i].ret != 0);
		/* libbpf warns for a missing symbol; expected for the _ex ones on old files. */
		struct bpf_link *link = bpf_program__attach_uprobe_opts(probes[i].prog, -1, path, 0, &uo);
		if (!link)
			continue;
		if (links_push(t->links, link)) {
			bpf_link__destroy(link);
			break;
		}
		ok++;
	}
	if (!ok) {
		fprintf(stderr, "burnwatch-loader: no SSL_read/SSL_write in %s: its TLS is not seen\n", path);
		return -1;
	}
	fprintf(stderr, "burnwatch-loader: TLS: %u uprobes on %s\n", ok, path);
	t->libraries++;
	t->probes += ok;
	return 0;
}

static __u64 now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.max_conns = 0, .wakeup_records = 64, .poll_ms = 100, .stats_ms = 1000, .tls_rescan_ms = 5000,
		.n_bounds = 19, .series_table = 4096,
		/* The contract's bounds (sensor/config.ts DEFAULT_BUCKETS_SECONDS), in ns. */
		.bounds_ns = { 5000000, 10000000, 25000000, 50000000, 75000000, 100000000, 150000000, 200000000,
			       250000000, 300000000, 400000000, 500000000, 750000000, 1000000000, 1500000000,
			       2000000000, 3000000000ULL, 5000000000ULL, 10000000000ULL },
	};
	struct http_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct links links = { 0 };
	struct tls_libs tls_libs = { 0 };
	__u32 attached = 0;
	int err = 1;

	parse_args(argc, argv, &opt);
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (preflight(opt.btf_path))
		return 1;
	if (agg_init(&table, opt.series_table, opt.bounds_ns, opt.n_bounds, stdout)) {
		fprintf(stderr, "burnwatch-loader: out of memory for the series table\n");
		return 1;
	}

	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = opt.btf_path);
	skel = http_bpf__open_opts(&open_opts);
	if (!skel) {
		fprintf(stderr, "burnwatch-loader: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->wakeup_records = opt.wakeup_records;
	memcpy((void *)skel->rodata->excluded_tgids, opt.excluded_tgids, sizeof(opt.excluded_tgids));
	memcpy((void *)skel->rodata->excluded_ports, opt.excluded_ports, sizeof(opt.excluded_ports));
	if (opt.max_conns)
		bpf_map__set_max_entries(skel->maps.conns, opt.max_conns);

	if (http_bpf__load(skel)) {
		int e = errno;
		/* libbpf names the program it could not load; the verifier answers EACCES. */
		if (last_prog[0])
			fprintf(stderr, "burnwatch-loader: the kernel refused BPF program '%s' (%s); "
					"the verifier log is above.\n",
				last_prog, strerror(e));
		else if (e == EPERM || e == EACCES)
			fprintf(stderr, "burnwatch-loader: loading failed: %s.\n", perm_hint());
		else
			fprintf(stderr, "burnwatch-loader: loading the BPF object failed: %s\n", strerror(e));
		goto out;
	}

	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		if (is_uprobe(prog))
			continue; /* attached per libssl file below */
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link) {
			int e = errno;
			fprintf(stderr, "burnwatch-loader: cannot attach '%s' to %s: %s%s\n",
				bpf_program__name(prog), bpf_program__section_name(prog), strerror(e),
				(e == EPERM || e == EACCES) ? " (need CAP_PERFMON or root)"
				: e == ENOENT ? " (tracepoint missing: is tracefs mounted at " TRACEFS "?)" : "");
			goto out;
		}
		if (links_push(&links, link)) {
			bpf_link__destroy(link);
			goto out;
		}
		attached++;
	}

	/* TLS: every libssl file mapped by a process now; later ones at each rescan. */
	struct tls_ctx tls = { .skel = skel, .links = &links };
	if (find_tls_libraries(&tls_libs, attach_tls_library, &tls) < 0)
		fprintf(stderr, "burnwatch-loader: cannot read /proc: TLS is not seen\n");

	h2_init(bpf_map__fd(skel->maps.stats), libbpf_num_possible_cpus());
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "burnwatch-loader: cannot set up the ring buffer: %s\n", strerror(errno));
		goto out;
	}

	int seeded = seed_existing_connections(bpf_map__fd(skel->maps.conns), bpf_map__max_entries(skel->maps.conns),
					       opt.excluded_tgids, opt.n_tgids, opt.excluded_ports, opt.n_ports);
	if (seeded < 0)
		fprintf(stderr, "burnwatch-loader: cannot read /proc: connections accepted before start are not followed\n");

	struct bw_ready_record ready;
	memset(&ready, 0, sizeof(ready));
	ready.type = BW_REC_READY;
	ready.loader_pid = (__u32)getpid();
	ready.programs_attached = attached;
	ready.conns_seeded = seeded > 0 ? (__u32)seeded : 0;
	ready.tls_libraries = tls.libraries;
	ready.tls_probes = tls.probes;
	if (write_record(&ready) || fflush(stdout))
		goto out;
	fprintf(stderr, "burnwatch-loader: %u programs attached, %u uprobes on %u libssl files; following %d connections "
			"accepted before start; streaming records\n",
		attached, tls.probes, tls.libraries, seeded > 0 ? seeded : 0);

	int ncpus = libbpf_num_possible_cpus();
	__u64 next_stats = now_ms() + opt.stats_ms;
	__u64 next_tls_scan = now_ms() + opt.tls_rescan_ms;
	bool stdin_open = true;
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	while (!stopping) {
		/* The ring buffer's epoll fd (batched wake-ups from the kernel) and the agent's commands. */
		struct pollfd fds[2] = {
			{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		int n = poll(fds, 2, (int)opt.poll_ms);
		if (n < 0 && errno == EINTR)
			continue;
		/* Wake-ups are batched in the kernel: drain whatever the timer found. */
		n = ring_buffer__consume(rb);
		if (n >= 0 && stdin_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			bool eof = false;
			n = read_commands(rb, skel, ncpus, &eof);
			if (eof)
				stdin_open = false; /* no agent commands (run by hand): periodic flushes only */
		}
		if (n < 0) {
			if (n != -EPIPE)
				fprintf(stderr, "burnwatch-loader: polling failed: %s\n", strerror(-n));
			break;
		}
		if (now_ms() >= next_stats) {
			collect_stats(skel, ncpus);
			if (agg_flush(&table) || write_record(&stats_rec) || write_counters())
				break;
			next_stats = now_ms() + opt.stats_ms;
		}
		if (opt.tls_rescan_ms && now_ms() >= next_tls_scan) {
			find_tls_libraries(&tls_libs, attach_tls_library, &tls);
			next_tls_scan = now_ms() + opt.tls_rescan_ms;
		}
		if (fflush(stdout))
			break; /* the agent went away */
	}
	err = 0;
out:
	ring_buffer__free(rb);
	while (links.n)
		bpf_link__destroy(links.v[--links.n]);
	free(links.v);
	tls_libs_free(&tls_libs);
	h2_free();
	http_bpf__destroy(skel);
	agg_free(&table);
	return err;
}
