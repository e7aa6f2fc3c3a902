// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the loader's HPACK decoder (hpack.c): `make -C bpf test` builds and runs them;
 * test/sensor/hpack.test.ts runs that target in the sensor tier.
 *
 * Vectors: RFC 7541 Appendix C (C.2 literal forms, C.3/C.4 requests without and with Huffman,
 * C.5/C.6 responses with evictions at a 256-byte table), typed in from the RFC's hex dumps
 * (https://www.rfc-editor.org/rfc/rfc7541#appendix-C); each expected header list, dynamic table
 * (newest first) and table size is the RFC's. The refusals below are HPACK's error cases
 * (RFC 7541 4.2, 5.1, 5.2, 6.1, 6.3): the decoder must refuse them, never guess.
 * Prints one line per check and "N passed, N failed"; exits 1 when any failed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hpack.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s\n", what);
	}
}

/* "8286 8441 ..." -> bytes; spaces and newlines are ignored. */
static size_t dehex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (const char *c = hex; *c; c++) {
		if (isspace((unsigned char)*c))
			continue;
		int v = isdigit((unsigned char)*c) ? *c - '0' : tolower((unsigned char)*c) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == cap) {
				fprintf(stderr, "dehex: more than %zu bytes\n", cap);
				exit(2);
			}
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* The decoded header list, as "name: value\n" lines. */
struct list {
	char text[4096];
	size_t len;
};

static void collect(void *arg, const char *name, size_t nl, const char *value, size_t vl)
{
	struct list *l = arg;
	int n = snprintf(l->text + l->len, sizeof(l->text) - l->len, "%.*s: %.*s\n", (int)nl, name, (int)vl, value);
	if (n > 0 && l->len + (size_t)n < sizeof(l->text))
		l->len += (size_t)n;
}

/* The dynamic table, newest first, in the same form. */
static void table_text(const struct hpack *t, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = 0;
	for (uint32_t d = 0; d < t->count; d++) {
		const struct hpack_entry *e = &t->ents[(t->first + t->count - 1 - d) % t->cap];
		int n = snprintf(out + len, cap - len, "%.*s: %.*s\n", (int)e->name_len, e->name, (int)e->value_len, e->value);
		if (n > 0 && len + (size_t)n < cap)
			len += (size_t)n;
	}
}

static int decode_hex(struct hpack *t, const char *hex, struct list *l)
{
	uint8_t buf[1024];
	size_t n = dehex(hex, buf, sizeof(buf));
	memset(l, 0, sizeof(*l));
	return hpack_decode(t, buf, n, collect, l);
}

/* One header block of a series: decoded fields, table after it and its size, as in the RFC. */
static void step(struct hpack *t, const char *name, const char *hex, const char *want, const char *want_table,
		 uint32_t want_size)
{
	struct list l;
	char what[128], table[4096];
	int rc = decode_hex(t, hex, &l);
	snprintf(what, sizeof(what), "%s: decodes", name);
	check(rc == 0, what);
	snprintf(what, sizeof(what), "%s: header list", name);
	check(strcmp(l.text, want) == 0, what);
	if (strcmp(l.text, want))
		printf("  got:\n%s  want:\n%s", l.text, want);
	table_text(t, table, sizeof(table));
	snprintf(what, sizeof(what), "%s: dynamic table", name);
	check(strcmp(table, want_table) == 0, what);
	if (strcmp(table, want_table))
		printf("  got:\n%s  want:\n%s", table, want_table);
	snprintf(what, sizeof(what), "%s: table size %u", name, want_size);
	check(t->size == want_size, what);
	if (t->size != want_size)
		printf("  got %u\n", t->size);
}

/* A block the decoder must refuse. */
static void refused(struct hpack *t, const char *name, const char *hex)
{
	struct list l;
	char what[128];
	snprintf(what, sizeof(what), "%s: refused", name);
	check(decode_hex(t, hex, &l) == -1, what);
}

static void huffman(const char *name, const char *hex, const char *want)
{
	uint8_t in[256];
	char out[512], what[128];
	size_t n = dehex(hex, in, sizeof(in));
	long len = hpack_huffman_decode(in, n, out);
	snprintf(what, sizeof(what), "Huffman %s", name);
	if (want)
		check(len == (long)strlen(want) && memcmp(out, want, (size_t)len) == 0, what);
	else
		check(len == -1, what);
}

static void rfc_c2(void)
{
	struct hpack t;
	hpack_init(&t);
	step(&t, "C.2.1 literal with indexing", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
	     "custom-key: custom-header\n", "custom-key: custom-header\n", 55);
	hpack_free(&t);
	step(&t, "C.2.2 literal without indexing", "040c 2f73 616d 706c 652f 7061 7468", ":path: /sample/path\n", "", 0);
	step(&t, "C.2.3 literal never indexed", "1008 7061 7373 776f 7264 0673 6563 7265 74", "password: secret\n", "", 0);
	step(&t, "C.2.4 indexed", "82", ":method: GET\n", "", 0);
	hpack_free(&t);
}

#define REQ1 ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n"
#define REQ2 REQ1 "cache-control: no-cache\n"
#define REQ3 ":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\ncustom-key: custom-value\n"
#define TAB1 ":authority: www.example.com\n"
#define TAB2 "cache-control: no-cache\n" TAB1
#define TAB3 "custom-key: custom-value\n" TAB2

static void rfc_c3(void)
{
	struct hpack t;
	hpack_init(&t);
	step(&t, "C.3.1", "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", REQ1, TAB1, 57);
	step(&t, "C.3.2", "8286 84be 5808 6e6f 2d63 6163 6865", REQ2, TAB2, 110);
	step(&t, "C.3.3", "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65", REQ3, TAB3, 164);

	/* RFC 7541 6.3: a size update evicts from the oldest: 110 keeps the two newest (54 + 53). */
	step(&t, "size update to 110, then index 62", "3f4f be", "custom-key: custom-value\n",
	     "custom-key: custom-value\ncache-control: no-cache\n", 107);
	/* The same table read back: :authority was evicted, so index 64 is beyond it. */
	refused(&t, "index 64 after the eviction", "c0");
	hpack_free(&t);

	/* A size update to 0 empties the table; an index into it is then refused. */
	hpack_init(&t);
	step(&t, "C.3.1 again", "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", REQ1, TAB1, 57);
	step(&t, "size update to 0", "20", "", "", 0);
	refused(&t, "index 62 of the emptied table", "be");
	hpack_free(&t);
}

static void rfc_c4(void)
{
	struct hpack t;
	hpack_init(&t);
	step(&t, "C.4.1", "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", REQ1, TAB1, 57);
	step(&t, "C.4.2", "8286 84be 5886 a8eb 1064 9cbf", REQ2, TAB2, 110);
	step(&t, "C.4.3", "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", REQ3, TAB3, 164);
	hpack_free(&t);
}

#define RES1                                                                                                \
	":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com\n"
#define RES1_TAB                                                                                            \
	"location: https://www.example.com\ndate: Mon, 21 Oct 2013 20:13:21 GMT\ncache-control: private\n:status: 302\n"
#define RES2                                                                                                \
	":status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com\n"
#define RES2_TAB                                                                                            \
	":status: 307\nlocation: https://www.example.com\ndate: Mon, 21 Oct 2013 20:13:21 GMT\ncache-control: private\n"
#define COOKIE "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
#define RES3                                                                                                \
	":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\nlocation: https://www.example.com\n" \
	"content-encoding: gzip\nset-cookie: " COOKIE "\n"
#define RES3_TAB "set-cookie: " COOKIE "\ncontent-encoding: gzip\ndate: Mon, 21 Oct 2013 20:13:22 GMT\n"

/* C.5 and C.6 assume SETTINGS_HEADER_TABLE_SIZE = 256 (the protocol's limit, not a size update in the block). */
static void rfc_c5(void)
{
	struct hpack t;
	hpack_init(&t);
	t.max_size = 256;
	step(&t, "C.5.1",
	     "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133"
	     "2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
	     RES1, RES1_TAB, 222);
	step(&t, "C.5.2 (evicts :status 302)", "4803 3330 37c1 c0bf", RES2, RES2_TAB, 222);
	step(&t, "C.5.3 (evicts three)",
	     "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d"
	     "54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049"
	     "5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
	     RES3, RES3_TAB, 215);
	hpack_free(&t);
}

static void rfc_c6(void)
{
	struct hpack t;
	hpack_init(&t);
	t.max_size = 256;
	step(&t, "C.6.1",
	     "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
	     "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
	     RES1, RES1_TAB, 222);
	step(&t, "C.6.2 (evicts :status 302)", "4883 640e ffc1 c0bf", RES2, RES2_TAB, 222);
	step(&t, "C.6.3 (evicts three)",
	     "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab"
	     "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f"
	     "9587 3160 65c0 03ed 4ee5 b106 3d50 07",
	     RES3, RES3_TAB, 215);
	hpack_free(&t);
}

static void refusals(void)
{
	struct hpack t;
	hpack_init(&t);
	/* RFC 7541 6.1/2.3.3: index 0, and any index past the (empty) dynamic table. */
	refused(&t, "index 0", "80");
	refused(&t, "index 62 of an empty table", "be");
	refused(&t, "literal whose name is index 70 of an empty table", "7f07 0161");
	/* 5.1: an integer whose continuation bytes are missing, or too long to be one. */
	refused(&t, "truncated integer (prefix full, nothing after)", "ff");
	refused(&t, "truncated integer (continuation bit set at the end)", "ff 80");
	refused(&t, "integer of more than 5 continuation bytes", "ff ff ff ff ff ff 01");
	refused(&t, "truncated size update", "3f");
	/* 5.2: a string longer than the block. */
	refused(&t, "truncated string literal", "400a 6375 7374");
	refused(&t, "literal with its value missing", "400a 6375 7374 6f6d 2d6b 6579");
	/* 5.2: bad Huffman padding in a value (:path, literal without indexing). */
	refused(&t, "Huffman value padded with zeros", "0481 00");
	refused(&t, "Huffman value with 8 bits of padding", "0481 ff");
	refused(&t, "Huffman value holding EOS", "0485 ffff ffff fc");
	/* 6.3: a size update above what the loader accepts (1 MiB). */
	refused(&t, "size update to 2^21", "3fe1 ff7f");
	/* Nothing was added by any of them. */
	check(t.count == 0 && t.size == 0, "refusals left the table empty");
	hpack_free(&t);

	/* RFC 7541 4.4: an entry larger than the table empties it and is not added; decoding goes on. */
	hpack_init(&t);
	t.max_size = 60;
	step(&t, "entry of 55 fits 60", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
	     "custom-key: custom-header\n", "custom-key: custom-header\n", 55);
	step(&t, "entry of 62 > 60 empties the table", "4011 6375 7374 6f6d 2d6b 6579 2d6c 6f6e 6765 720d 6375 7374 6f6d 2d68 6561 6465 72",
	     "custom-key-longer: custom-header\n", "", 0);
	hpack_free(&t);
}

static void huffman_strings(void)
{
	/* The strings of RFC 7541 C.4 and C.6. */
	huffman("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com");
	huffman("no-cache", "a8eb 1064 9cbf", "no-cache");
	huffman("custom-key", "25a8 49e9 5ba9 7d7f", "custom-key");
	huffman("custom-value", "25a8 49e9 5bb8 e8b4 bf", "custom-value");
	huffman("302", "6402", "302");
	huffman("private", "aec3 771a 4b", "private");
	huffman("date", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff", "Mon, 21 Oct 2013 20:13:21 GMT");
	huffman("location", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3", "https://www.example.com");
	huffman("gzip", "9bd9 ab", "gzip");
	huffman("empty", "", "");
	/* 5.2: padding longer than 7 bits, padding not made of ones, EOS inside the string: refused. */
	huffman("8 bits of padding alone", "ff", NULL);
	huffman("'a' then a byte of padding", "1fff", NULL);
	huffman("'a' then 3 bytes of padding", "1fff ffff", NULL);
	huffman("'0' padded with zeros", "00", NULL);
	huffman("EOS then '?'", "ffff ffff fc", NULL);
	huffman("padding ending on a partial symbol", "52bc 30ff ffff ff", NULL);
}

int main(void)
{
	rfc_c2();
	rfc_c3();
	rfc_c4();
	rfc_c5();
	rfc_c6();
	refusals();
	huffman_strings();
	printf("hpack: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
