import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OVERFLOW_ROUTE, RouteCardinalityLimiter, templatePath } from './routes.js';

describe('templatePath', () => {
  it.each([
    { name: 'numeric ids become {id}', path: '/users/123', route: '/users/{id}' },
    { name: 'several ids in one path', path: '/users/123/orders/45', route: '/users/{id}/orders/{id}' },
    { name: 'UUIDs become {id}', path: '/o/123e4567-E89B-12d3-a456-426614174000/x', route: '/o/{id}/x' },
    { name: 'hex hashes become {id}', path: '/blobs/9f86d081884c7d659a2feaa0c55ad015', route: '/blobs/{id}' },
    {
      name: 'long opaque tokens mixing letters and digits become {id}',
      path: '/s/AbC123xYz789QwE456rTy0',
      route: '/s/{id}',
    },
    {
      name: 'short git-style hashes with a digit become {id}',
      path: '/commits/a1b2c3d',
      route: '/commits/{id}',
    },
    { name: 'hex-looking words without a digit stay', path: '/facade/deadbee', route: '/facade/deadbee' },
    { name: 'six hex characters stay (too short for a hash)', path: '/c/abc123', route: '/c/abc123' },
    { name: 'dates become {date}', path: '/reports/2024-01-31/pdf', route: '/reports/{date}/pdf' },
    { name: 'year-months become {date}', path: '/archive/2023-12', route: '/archive/{date}' },
    {
      name: 'timestamps become {date}',
      path: '/events/2024-01-31T10:20:30.123Z',
      route: '/events/{date}',
    },
    {
      name: 'timestamps with an offset become {date}',
      path: '/e/2024-01-31T10:20+02:00',
      route: '/e/{date}',
    },
    { name: 'impossible dates stay', path: '/x/2024-13-45', route: '/x/2024-13-45' },
    {
      name: 'e-mail addresses become {email}',
      path: '/users/ada.l@example.org/prefs',
      route: '/users/{email}/prefs',
    },
    {
      name: 'percent-encoded e-mail addresses become {email}',
      path: '/users/ada%40example.org',
      route: '/users/{email}',
    },
    { name: 'an @ handle without a domain stays', path: '/u/@ada', route: '/u/@ada' },
    { name: 'numbers with an extension keep the extension', path: '/img/123.png', route: '/img/{id}.png' },
    { name: 'hashes with a double extension', path: '/dl/9f86d08.tar.gz', route: '/dl/{id}.tar.gz' },
    { name: 'dates with an extension', path: '/logs/2024-01-31.log', route: '/logs/{date}.log' },
    { name: 'version numbers are not a number with an extension', path: '/api/1.5/x', route: '/api/1.5/x' },
    { name: 'file names stay', path: '/static/app.min.js', route: '/static/app.min.js' },
    { name: ';params are dropped', path: '/cart;jsessionid=0AF3B2C9D1E4', route: '/cart' },
    { name: ';params are dropped in every segment', path: '/a;v=1/b;x', route: '/a/b' },
    {
      name: 'percent-escapes are decoded before templating',
      path: '/users/%31%32%33',
      route: '/users/{id}',
    },
    { name: 'lower-case escapes are decoded', path: '/caf%c3%a9/menu', route: '/café/menu' },
    { name: 'an encoded slash stays inside its segment', path: '/files/a%2fb', route: '/files/a%2Fb' },
    { name: 'an encoded semicolon is not a parameter', path: '/a%3Bb', route: '/a%3Bb' },
    { name: 'an encoded percent is decoded once only', path: '/p/%2531', route: '/p/%2531' },
    { name: 'encoded braces cannot forge a placeholder', path: '/users/%7Bid%7D', route: '/users/%7Bid%7D' },
    { name: 'raw braces cannot forge a placeholder', path: '/users/{id}', route: '/users/%7Bid%7D' },
    {
      name: 'encoded quotes, backslashes and newlines stay encoded',
      path: '/x/%22%5C%0A%7D',
      route: '/x/%22%5C%0A%7D',
    },
    { name: 'encoded control characters stay encoded', path: '/a%00b%1B%7F', route: '/a%00b%1B%7F' },
    { name: 'an encoded space stays encoded', path: '/my%20docs', route: '/my%20docs' },
    {
      name: 'a bidirectional override stays encoded',
      path: '/a%E2%80%AEb',
      route: '/a%E2%80%AEb',
    },
    { name: 'bytes that are not UTF-8 stay encoded', path: '/a%FF%FEb', route: '/a%FF%FEb' },
    { name: 'the % of a broken escape is itself escaped', path: '/a%zz/%4', route: '/a%25zz/%254' },
    { name: 'words stay', path: '/api/v1/health', route: '/api/v1/health' },
    { name: 'short hex-looking words stay', path: '/cafe/beef', route: '/cafe/beef' },
    { name: 'the root stays', path: '/', route: '/' },
    { name: 'a trailing slash stays', path: '/users/', route: '/users/' },
    { name: 'the server-wide OPTIONS target stays', path: '*', route: '*' },
  ])('$name', ({ path, route }) => {
    expect(templatePath(path)).toBe(route);
  });

  it('replaces the cut last segment of a truncated path', () => {
    expect(templatePath('/api/v1/documents/quarterly-rep', true)).toBe('/api/v1/documents/{truncated}');
  });

  it('keeps the last segment of a truncated path when the cut fell inside its ;params', () => {
    expect(templatePath('/shop/cart;jsessionid=0AF3B2C9D1E4F5A6B7C8D9E0F1A2B3C4D5E6F7', true)).toBe(
      '/shop/cart',
    );
  });
});

describe('RouteCardinalityLimiter', () => {
  it('admits routes up to the cap per service, then reports the overflow route', () => {
    const limiter = new RouteCardinalityLimiter(2);
    expect(limiter.admit('api', '/a')).toEqual({ route: '/a', overflowed: false });
    expect(limiter.admit('api', '/b')).toEqual({ route: '/b', overflowed: false });
    expect(limiter.admit('api', '/c')).toEqual({ route: OVERFLOW_ROUTE, overflowed: true });
    expect(limiter.admit('api', '/a')).toEqual({ route: '/a', overflowed: false });
    expect(limiter.admit('web', '/c')).toEqual({ route: '/c', overflowed: false });
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new RouteCardinalityLimiter(0)).toThrow(RangeError);
  });
});

describe('templatePath on arbitrary paths', () => {
  it('keeps the number of segments and leaves no all-digit segment behind', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), { maxLength: 8 }), (segments) => {
        const route = templatePath('/' + segments.join('/'));
        const out = route.split('/').slice(1);
        expect(out).toHaveLength(Math.max(segments.length, 1));
        expect(out.some((s) => /^\d+$/.test(s))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('never exports controls, quotes, backslashes, spaces or braces other than its placeholders', () => {
    const placeholders = /\{(id|date|email|truncated)\}/g;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 12 }),
            fc
              .array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 })
              .map((bytes) => bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
          ),
          { maxLength: 6 },
        ),
        fc.boolean(),
        (parts, truncated) => {
          const raw = '/' + parts.join('');
          const route = templatePath(raw, truncated).replace(placeholders, '');
          expect(route).not.toMatch(/[\p{C}\p{Z}"\\{}]/u);
          expect(route.split('/').length).toBe(raw.split('/').length);
        },
      ),
      { numRuns: 500 },
    );
  }, 60_000); // a second alone; the shared machine can be many times slower
});
