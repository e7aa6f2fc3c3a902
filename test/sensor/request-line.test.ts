/**
 * The loader keys its series by a shortened request line (bpf/aggregate.c, agg_request_line): the query left
 * out. The agent parses that line instead of each request's bytes, so for every capture the parser must give the
 * same answer on both. The C function is compiled here as it is in the loader and fed real-looking captures.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestLine } from '../../sensor/http-request.js';

const bpf = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bpf');
let dir: string;
let binary: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bw-request-line-'));
  // Reads captures (hex, one a line), prints each key line (hex).
  writeFileSync(
    path.join(dir, 'main.c'),
    `#include <stdio.h>
#include <string.h>
#include "aggregate.h"
int main(void) {
  char hex[512], in[BW_LINE_MAX], out[BW_LINE_MAX];
  while (fgets(hex, sizeof hex, stdin)) {
    unsigned n = 0, b;
    while (n < BW_LINE_MAX && sscanf(hex + 2 * n, "%2x", &b) == 1) in[n++] = (char)b;
    unsigned m = agg_request_line(in, n, out);
    for (unsigned i = 0; i < m; i++) printf("%02x", (unsigned char)out[i]);
    printf("\\n");
  }
  return 0;
}
`,
  );
  binary = path.join(dir, 'request-line');
  execFileSync(
    'cc',
    ['-O2', '-Wall', '-Werror', `-I${bpf}/include`, `-I${bpf}`, 'main.c', `${bpf}/aggregate.c`, '-o', binary],
    {
      cwd: dir,
    },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyLines(captures: Buffer[]): Buffer[] {
  const run = spawnSync(binary, { input: captures.map((c) => c.toString('hex')).join('\n') + '\n' });
  return run.stdout
    .toString()
    .trim()
    .split('\n')
    .map((h) => Buffer.from(h, 'hex'));
}

/** What the kernel captures: the first 80 bytes of what the server read. */
const capture = (text: string) => Buffer.from(text, 'latin1').subarray(0, 80);
const headers = '\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';

const cases: { name: string; request: string }[] = [
  { name: 'a plain GET', request: `GET /users/42 HTTP/1.1${headers}` },
  { name: 'a query', request: `GET /search?q=shoes&page=2 HTTP/1.1${headers}` },
  { name: 'a fragment', request: `GET /docs#intro HTTP/1.1${headers}` },
  { name: 'HTTP/1.0', request: `POST /orders HTTP/1.0${headers}` },
  { name: 'a capture cut inside the path', request: `GET /${'a'.repeat(100)} HTTP/1.1` },
  { name: 'a capture cut inside the query', request: `GET /p?${'x'.repeat(100)} HTTP/1.1` },
  { name: 'a capture cut inside the version', request: `GET /${'b'.repeat(68)}? HTTP/1.1` },
  { name: 'absolute form', request: `GET http://example.com/a/b?c=d HTTP/1.1${headers}` },
  { name: 'asterisk form', request: `OPTIONS * HTTP/1.1${headers}` },
  { name: 'percent-escapes and ;params', request: `GET /users/%31%32;jsessionid=AB HTTP/1.1${headers}` },
  { name: 'an unknown method', request: `BREW /pot HTTP/1.1${headers}` },
  { name: 'no space within 8 bytes', request: `GETTINGLONG /x HTTP/1.1${headers}` },
  { name: 'HTTP/2 in the version', request: `GET /x HTTP/2.0${headers}` },
  { name: 'a control byte in the path', request: `GET /a\x01b HTTP/1.1${headers}` },
  { name: 'a control byte in the query', request: `GET /a?b\x01c HTTP/1.1${headers}` },
  { name: 'a high byte in the query', request: `GET /a?\xff HTTP/1.1${headers}` },
  { name: 'an empty target', request: `GET  HTTP/1.1${headers}` },
  { name: 'only the method', request: 'GET ' },
  { name: 'binary', request: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' },
  { name: 'a short capture', request: 'GE' },
];

describe("the loader's series key line", () => {
  it.each(cases)('gives the same parse as the whole capture: $name', ({ request }) => {
    const [line] = keyLines([capture(request)]);
    expect(parseRequestLine(line!)).toEqual(parseRequestLine(capture(request)));
  });

  it('is the same for requests that differ only in their query', () => {
    const lines = keyLines([
      capture(`GET /search?q=a HTTP/1.1${headers}`),
      capture(`GET /search?q=bbbbbbbb&x=1 HTTP/1.1\r\nHost: other\r\n\r\n`),
    ]);
    expect(lines[0]!.toString('latin1')).toBe('GET /search? HTTP/1.1');
    expect(lines[1]!.equals(lines[0]!)).toBe(true);
  });
});
