/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* HPACK (RFC 7541) decoding for the loader: one dynamic table per connection and direction. */
#ifndef BURNWATCH_HPACK_H
#define BURNWATCH_HPACK_H

#include <stddef.h>
#include <stdint.h>

struct hpack_entry {
	char *name;
	char *value;
	uint32_t name_len;
	uint32_t value_len;
};

struct hpack {
	struct hpack_entry *ents; /* circular, newest at (first + count - 1) */
	uint32_t cap;
	uint32_t first;
	uint32_t count;
	uint32_t size;     /* RFC 7541 4.1: sum of name + value + 32 */
	uint32_t max_size; /* last size update (4096 until one comes) */
	uint32_t _pad0;
};

/* One decoded field; name and value are not NUL-terminated. */
typedef void (*hpack_field_fn)(void *arg, const char *name, size_t name_len, const char *value, size_t value_len);

void hpack_init(struct hpack *t);
void hpack_free(struct hpack *t);
/* Decodes one complete header block. 0, or -1 when it cannot be decoded (an index the table
 * does not hold: the connection began before its state was known, or bytes are missing). After
 * -1 the table is in an unknown state: the caller gives the connection up. */
int hpack_decode(struct hpack *t, const uint8_t *p, size_t n, hpack_field_fn fn, void *arg);
/* Huffman-decodes n bytes into out (room for 2 * n bytes: the shortest code is 5 bits). Returns
 * the decoded length, or -1 for an invalid code or padding. */
long hpack_huffman_decode(const uint8_t *p, size_t n, char *out);

#endif
