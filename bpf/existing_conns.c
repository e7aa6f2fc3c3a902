// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Connections accepted before the sensor started (keep-alive connections from load
 * balancers and meshes live for hours): found once in /proc and put in the connection
 * map, so their next requests are measured instead of waiting for a reconnect.
 *
 * A socket is taken as accepted (server side) when it is ESTABLISHED and its local
 * port is a port some socket LISTENs on in the same network namespace.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "events.h"
#include "existing_conns.h"

struct sock_entry {
	unsigned long long netns;
	unsigned long inode;
	__u16 port;
	__u8 listening;
	__u8 _pad0[5];
};

struct sock_table {
	struct sock_entry *v;
	size_t n, cap;
};

static int push(struct sock_table *t, struct sock_entry e)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sock_entry *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = e;
	return 0;
}

static unsigned long long netns_of(__u32 pid)
{
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	const char *open = strchr(link, '[');
	return open ? strtoull(open + 1, NULL, 10) : 0;
}

/* /proc/<pid>/net/tcp{,6}: "sl: local:port remote:port st tx:rx tr:when retr uid timeout inode ..." */
static void read_tcp(__u32 pid, const char *file, unsigned long long netns, struct sock_table *t)
{
	char path[64], line[512], local[72], remote[72];
	unsigned int state;
	unsigned long inode;
	snprintf(path, sizeof(path), "/proc/%u/net/%.8s", pid, file);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %71s %71s %x %*s %*s %*s %*u %*u %lu", local, remote, &state, &inode) != 4)
			continue; /* the header line */
		const char *colon = strrchr(local, ':');
		if (!colon || inode == 0)
			continue;
		struct sock_entry e = {
			.netns = netns,
			.inode = inode,
			.port = (__u16)strtoul(colon + 1, NULL, 16),
			.listening = state == 0x0A,
		};
		if ((state == 0x0A || state == 0x01) && push(t, e))
			break;
	}
	fclose(f);
}

static int by_inode(const void *a, const void *b)
{
	unsigned long x = ((const struct sock_entry *)a)->inode, y = ((const struct sock_entry *)b)->inode;
	return x < y ? -1 : x > y;
}

static bool is_listening(const struct sock_table *t, unsigned long long netns, __u16 port)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].listening && t->v[i].port == port && t->v[i].netns == netns)
			return true;
	return false;
}

static bool numeric(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int seed_existing_connections(int map_fd, __u32 max_entries, const __u32 *excluded_tgids, __u32 n_tgids,
			      const __u16 *excluded_ports, __u32 n_ports)
{
	struct sock_table socks = { 0 };
	unsigned long long *seen = NULL;
	size_t n_seen = 0;
	int seeded = 0;
	struct dirent *de;

	/* Pass 1: every network namespace's listening and established TCP sockets. */
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	while ((de = readdir(proc))) {
		if (!numeric(de->d_name))
			continue;
		__u32 pid = (__u32)strtoul(de->d_name, NULL, 10);
		unsigned long long ns = netns_of(pid);
		bool known = false;
		for (size_t i = 0; i < n_seen && !known; i++)
			known = seen[i] == ns;
		if (!ns || known)
			continue;
		unsigned long long *more = realloc(seen, (n_seen + 1) * sizeof(*seen));
		if (!more)
			break;
		seen = more;
		seen[n_seen++] = ns;
		read_tcp(pid, "tcp", ns, &socks);
		read_tcp(pid, "tcp6", ns, &socks);
	}
	qsort(socks.v, socks.n, sizeof(*socks.v), by_inode);

	/* Pass 2: each process's socket fds that are the server side of an established connection. */
	rewinddir(proc);
	while ((de = readdir(proc)) && (__u32)seeded < max_entries) {
		if (!numeric(de->d_name))
			continue;
		__u32 tgid = (__u32)strtoul(de->d_name, NULL, 10);
		bool excluded = false;
		for (__u32 i = 0; i < n_tgids; i++)
			excluded |= excluded_tgids[i] == tgid;
		if (excluded)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%u/fd", tgid);
		DIR *fds = opendir(path);
		if (!fds)
			continue;
		unsigned long long ns = netns_of(tgid);
		struct dirent *fe;
		while ((fe = readdir(fds)) && (__u32)seeded < max_entries) {
			char fdpath[64], link[64];
			if (!numeric(fe->d_name))
				continue;
			__u32 fd = (__u32)strtoul(fe->d_name, NULL, 10);
			snprintf(fdpath, sizeof(fdpath), "/proc/%u/fd/%u", tgid, fd);
			ssize_t n = readlink(fdpath, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (strncmp(link, "socket:[", 8) != 0)
				continue;
			struct sock_entry key = { .inode = strtoul(link + 8, NULL, 10) };
			struct sock_entry *s = bsearch(&key, socks.v, socks.n, sizeof(*socks.v), by_inode);
			if (!s || s->listening || !is_listening(&socks, ns, s->port))
				continue;
			bool port_excluded = false;
			for (__u32 i = 0; i < n_ports; i++)
				port_excluded |= excluded_ports[i] == s->port;
			if (port_excluded)
				continue;
			struct bw_conn_key k = { .tgid = tgid, .fd = fd };
			struct bw_conn v;
			memset(&v, 0, sizeof(v));
			v.local_port = s->port;
			/* BPF_NOEXIST: a connection accepted since attach is already there. */
			if (bpf_map_update_elem(map_fd, &k, &v, BPF_NOEXIST) == 0)
				seeded++;
		}
		closedir(fds);
	}
	closedir(proc);
	free(socks.v);
	free(seen);
	return seeded;
}
