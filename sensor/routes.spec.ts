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
});
