import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CachedBody, negotiateCoding } from './cached-body.js';

describe('negotiateCoding', () => {
  it.each([
    { name: 'a browser gets br', header: 'gzip, deflate, br', size: 5000, coding: 'br' },
    { name: 'gzip only', header: 'gzip', size: 5000, coding: 'gzip' },
    { name: 'br refused with q=0', header: 'gzip, br;q=0', size: 5000, coding: 'gzip' },
    { name: 'gzip preferred by q-value', header: 'br;q=0.5, gzip;q=0.9', size: 5000, coding: 'gzip' },
    { name: 'a star covers br', header: '*', size: 5000, coding: 'br' },
    { name: 'a star at q=0 with nothing else', header: '*;q=0', size: 5000, coding: 'identity' },
    { name: 'no header', header: undefined, size: 5000, coding: 'identity' },
    { name: 'only identity', header: 'identity', size: 5000, coding: 'identity' },
    { name: 'a small body stays as it is', header: 'br, gzip', size: 500, coding: 'identity' },
    { name: 'a malformed q-value counts as refused', header: 'br;q=x, gzip', size: 5000, coding: 'gzip' },
  ] as const)('$name', ({ header, size, coding }) => {
    expect(negotiateCoding(header, size)).toBe(coding);
  });
});

describe('CachedBody', () => {
  const body = Buffer.from(
    JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ slo: `s-${i}` })) }),
  );

  it('compresses once per coding, and the bytes decompress to the body', async () => {
    const cached = new CachedBody(body);
    const gzip = cached.bytes('gzip');
    expect(cached.bytes('gzip')).toBe(gzip);
    expect(gunzipSync(await gzip).equals(body)).toBe(true);
    expect(brotliDecompressSync(await cached.bytes('br')).equals(body)).toBe(true);
  });

  it('gives each coding its own strong tag and matches any of them in If-None-Match', () => {
    const cached = new CachedBody(body);
    const tags = [cached.etagFor('identity'), cached.etagFor('gzip'), cached.etagFor('br')];
    expect(new Set(tags).size).toBe(3);
    for (const tag of tags) {
      expect(cached.matches(tag)).toBe(true);
      expect(cached.matches(`W/${tag}`)).toBe(true);
      expect(cached.matches(`"other", ${tag}`)).toBe(true);
    }
    expect(cached.matches('"other"')).toBe(false);
    expect(cached.matches(undefined)).toBe(false);
    expect(new CachedBody(Buffer.from('{}')).matches(cached.etag)).toBe(false);
  });
});
