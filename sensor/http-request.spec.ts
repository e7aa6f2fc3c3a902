import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS, parseRequestLine } from './http-request.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('parseRequestLine', () => {
  it.each([
    {
      name: 'a plain GET',
      raw: 'GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n',
      method: 'GET',
      path: '/users/1',
      truncated: false,
    },
    {
      name: 'the query string is dropped',
      raw: 'GET /search?q=1&x=2 HTTP/1.1\r\n',
      method: 'GET',
      path: '/search',
      truncated: false,
    },
    {
      name: 'a fragment is dropped',
      raw: 'GET /a#frag HTTP/1.0\r\n',
      method: 'GET',
      path: '/a',
      truncated: false,
    },
    {
      name: 'DELETE and OPTIONS are known methods',
      raw: 'DELETE /items/9 HTTP/1.1\r\n',
      method: 'DELETE',
      path: '/items/9',
      truncated: false,
    },
    {
      name: 'OPTIONS * is the server-wide form',
      raw: 'OPTIONS * HTTP/1.1\r\n',
      method: 'OPTIONS',
      path: '*',
      truncated: false,
    },
    {
      name: 'absolute-form keeps only the path',
      raw: 'GET http://example.test/a/b?c HTTP/1.1\r\n',
      method: 'GET',
      path: '/a/b',
      truncated: false,
    },
    {
      name: 'absolute-form without a path is /',
      raw: 'GET http://example.test HTTP/1.1\r\n',
      method: 'GET',
      path: '/',
      truncated: false,
    },
    {
      name: 'a capture cut inside the path is marked truncated',
      raw: 'GET /very/long/pa',
      method: 'GET',
      path: '/very/long/pa',
      truncated: true,
    },
    {
      name: 'a capture cut inside the query is not truncated',
      raw: 'GET /a/b?x=12345678',
      method: 'GET',
      path: '/a/b',
      truncated: false,
    },
    {
      name: 'a capture cut inside the version is accepted',
      raw: 'POST /x HTTP/',
      method: 'POST',
      path: '/x',
      truncated: false,
    },
  ])('$name', ({ raw, method, path, truncated }) => {
    expect(parseRequestLine(b(raw))).toEqual({ method, path, truncated });
  });

  it.each([
    { name: 'an unknown method', raw: 'BREW /pot HTTP/1.1\r\n' },
    { name: 'a lower-case method', raw: 'get / HTTP/1.1\r\n' },
    { name: 'no target', raw: 'GET  HTTP/1.1\r\n' },
    { name: 'a target that is not a path', raw: 'GET users HTTP/1.1\r\n' },
    { name: 'binary bytes in the target', raw: 'GET /\x00\xff\x01 HTTP/1.1\r\n' },
    { name: 'an HTTP/0.9 request line', raw: 'GET /\r\n\r\n' },
    { name: 'a wrong protocol after the target', raw: 'GET / SIP/2.0\r\n' },
    { name: 'a TLS handshake', raw: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' },
    { name: 'nothing', raw: '' },
  ])('rejects $name', ({ raw }) => {
    expect(parseRequestLine(b(raw))).toBeNull();
  });
});

describe('parseRequestLine on arbitrary bytes', () => {
  it('never throws, and whatever it accepts has a known method and a path of visible ASCII', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const line = parseRequestLine(bytes);
        if (line === null) return;
        expect(HTTP_METHODS).toContain(line.method);
        expect(line.path).toMatch(/^(\*|\/[\x21-\x7e]*)$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('recovers method and path from any well-formed request line cut at any length', () => {
    const segment = fc.stringMatching(/^[a-z0-9._~-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.constantFrom(...HTTP_METHODS),
        fc.array(segment, { maxLength: 6 }),
        (method, segments) => {
          const path = '/' + segments.join('/');
          const line = parseRequestLine(b(`${method} ${path} HTTP/1.1\r\nHost: x\r\n\r\n`).subarray(0, 80));
          const cut = method.length + 1 + path.length >= 80;
          expect(line).not.toBeNull();
          expect(line!.method).toBe(method);
          if (!cut) expect(line).toEqual({ method, path, truncated: false });
          else expect(path.startsWith(line!.path)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
