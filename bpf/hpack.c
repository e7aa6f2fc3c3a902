// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * HPACK decoder (RFC 7541): integers with an N-bit prefix (5.1), string literals, plain or
 * Huffman-coded (5.2, Appendix B), the static table (Appendix A) and a dynamic table with
 * size-bounded eviction (4). Anything it cannot decode is an error, never a guess.
 */
#include <stdlib.h>
#include <string.h>
#include "hpack.h"
#include "hpack_huffman.h"
#include "hpack_static.h"

/* Bounds against hostile input: a table larger than this, or a string longer, is refused. */
#define HPACK_MAX_TABLE (1u << 20)
#define HPACK_MAX_STRING (1u << 16)

/* Huffman decoding tree, built once: internal nodes 0.., leaves are sym | LEAF. */
#define LEAF 0x8000
static uint16_t tree[512][2];
static int tree_nodes;

static void build_tree(void)
{
	tree_nodes = 1;
	memset(tree, 0, sizeof(tree));
	for (int sym = 0; sym < 256; sym++) {
		unsigned int code = hpack_huffman[sym].code, bits = hpack_huffman[sym].bits;
		int node = 0;
		for (int b = (int)bits - 1; b > 0; b--) {
			int bit = (code >> b) & 1;
			if (!tree[node][bit])
				tree[node][bit] = (uint16_t)tree_nodes++;
			node = tree[node][bit];
		}
		tree[node][code & 1] = (uint16_t)(LEAF | sym);
	}
}

long hpack_huffman_decode(const uint8_t *p, size_t n, char *out)
{
	if (!tree_nodes)
		build_tree();
	long len = 0;
	int node = 0, depth = 0, ones = 1; /* bits since the last symbol, all ones so far */
	for (size_t i = 0; i < n; i++) {
		for (int b = 7; b >= 0; b--) {
			int bit = (p[i] >> b) & 1;
			uint16_t next = tree[node][bit];
			depth++;
			ones = ones && bit;
			if (next & LEAF) {
				out[len++] = (char)(next & 0xff);
				node = 0;
				depth = 0;
				ones = 1;
			} else if (!next) {
				return -1; /* EOS (30 ones) or beyond: RFC 7541 5.2 makes it an error */
			} else {
				node = next;
			}
		}
	}
	/* Padding: at most 7 bits, the most significant bits of EOS (all ones). */
	if (depth > 7 || !ones)
		return -1;
	return len;
}

void hpack_init(struct hpack *t)
{
	memset(t, 0, sizeof(*t));
	t->max_size = 4096;
}

static void drop_oldest(struct hpack *t)
{
	struct hpack_entry *e = &t->ents[t->first];
	t->size -= e->name_len + e->value_len + 32;
	free(e->name);
	free(e->value);
	memset(e, 0, sizeof(*e));
	t->first = (t->first + 1) % t->cap;
	t->count--;
}

void hpack_free(struct hpack *t)
{
	while (t->count)
		drop_oldest(t);
	free(t->ents);
	hpack_init(t);
}

static void evict_to(struct hpack *t, uint32_t size)
{
	while (t->count && t->size > size)
		drop_oldest(t);
}

static int add(struct hpack *t, const char *name, size_t nl, const char *value, size_t vl)
{
	uint64_t sz = (uint64_t)nl + vl + 32;
	if (sz > t->max_size) {
		evict_to(t, 0); /* RFC 7541 4.4: an entry larger than the table empties it */
		return 0;
	}
	evict_to(t, t->max_size - (uint32_t)sz);
	if (t->count == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		struct hpack_entry *v = calloc(cap, sizeof(*v));
		if (!v)
			return -1;
		for (uint32_t i = 0; i < t->count; i++)
			v[i] = t->ents[(t->first + i) % t->cap];
		free(t->ents);
		t->ents = v;
		t->cap = cap;
		t->first = 0;
	}
	struct hpack_entry *e = &t->ents[(t->first + t->count) % t->cap];
	e->name = malloc(nl ? nl : 1);
	e->value = malloc(vl ? vl : 1);
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return -1;
	}
	memcpy(e->name, name, nl);
	memcpy(e->value, value, vl);
	e->name_len = (uint32_t)nl;
	e->value_len = (uint32_t)vl;
	t->count++;
	t->size += (uint32_t)sz;
	return 0;
}

/* Field at index i (1-based; 62.. the dynamic table, newest first). */
static int lookup(const struct hpack *t, uint64_t i, const char **name, size_t *nl, const char **value, size_t *vl)
{
	if (i == 0)
		return -1;
	if (i <= HPACK_STATIC_ENTRIES) {
		*name = hpack_static[i - 1].name;
		*nl = strlen(*name);
		*value = hpack_static[i - 1].value;
		*vl = strlen(*value);
		return 0;
	}
	uint64_t d = i - HPACK_STATIC_ENTRIES - 1;
	if (d >= t->count)
		return -1; /* the table holds fewer: its state is unknown to us */
	const struct hpack_entry *e = &t->ents[(t->first + t->count - 1 - d) % t->cap];
	*name = e->name;
	*nl = e->name_len;
	*value = e->value;
	*vl = e->value_len;
	return 0;
}

/* RFC 7541 5.1. */
static int integer(const uint8_t **p, const uint8_t *end, int prefix, uint64_t *out)
{
	if (*p >= end)
		return -1;
	uint64_t max = (1u << prefix) - 1, v = **p & max;
	(*p)++;
	if (v < max) {
		*out = v;
		return 0;
	}
	for (int shift = 0; shift <= 28; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = **p;
		(*p)++;
		v += (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* RFC 7541 5.2, into buf (room for 2 * HPACK_MAX_STRING). */
static int string(const uint8_t **p, const uint8_t *end, char *buf, size_t *len)
{
	if (*p >= end)
		return -1;
	int huff = **p & 0x80;
	uint64_t n;
	if (integer(p, end, 7, &n) || n > HPACK_MAX_STRING || n > (uint64_t)(end - *p))
		return -1;
	if (huff) {
		long l = hpack_huffman_decode(*p, (size_t)n, buf);
		if (l < 0)
			return -1;
		*len = (size_t)l;
	} else {
		memcpy(buf, *p, (size_t)n);
		*len = (size_t)n;
	}
	*p += n;
	return 0;
}

int hpack_decode(struct hpack *t, const uint8_t *p, size_t n, hpack_field_fn fn, void *arg)
{
	static char name_buf[2 * HPACK_MAX_STRING], value_buf[2 * HPACK_MAX_STRING];
	const uint8_t *end = p + n;
	while (p < end) {
		uint8_t b = *p;
		uint64_t idx;
		const char *name, *value;
		size_t nl, vl;
		if (b & 0x80) { /* 6.1 indexed field */
			if (integer(&p, end, 7, &idx) || lookup(t, idx, &name, &nl, &value, &vl))
				return -1;
			fn(arg, name, nl, value, vl);
			continue;
		}
		if ((b & 0xe0) == 0x20) { /* 6.3 dynamic table size update */
			if (integer(&p, end, 5, &idx) || idx > HPACK_MAX_TABLE)
				return -1;
			t->max_size = (uint32_t)idx;
			evict_to(t, t->max_size);
			continue;
		}
		/* 6.2 literals: with incremental indexing (01), without (0000), never indexed (0001). */
		int indexing = (b & 0xc0) == 0x40;
		if (integer(&p, end, indexing ? 6 : 4, &idx))
			return -1;
		if (idx) {
			if (lookup(t, idx, &name, &nl, &value, &vl))
				return -1;
			if (nl > HPACK_MAX_STRING)
				return -1;
			memcpy(name_buf, name, nl);
		} else if (string(&p, end, name_buf, &nl)) {
			return -1;
		}
		if (string(&p, end, value_buf, &vl))
			return -1;
		fn(arg, name_buf, nl, value_buf, vl);
		if (indexing && add(t, name_buf, nl, value_buf, vl))
			return -1;
	}
	return 0;
}
