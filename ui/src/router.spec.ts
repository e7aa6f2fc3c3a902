import { describe, expect, it } from 'vitest';
import { parseRoute, sloPath } from './router.js';

describe('parseRoute', () => {
  it.each([
    { path: '/', expected: { page: 'list' } },
    { path: '/alerts', expected: { page: 'alerts' } },
    { path: '/alerts/', expected: { page: 'alerts' } },
    { path: '/silences', expected: { page: 'silences' } },
    { path: '/workloads', expected: { page: 'workloads' } },
    { path: '/slos/checkout-latency', expected: { page: 'slo', name: 'checkout-latency' } },
    { path: '/slos/a%20b', expected: { page: 'slo', name: 'a b' } },
    { path: '/slos/a/b', expected: { page: 'notFound' } },
    { path: '/nothing', expected: { page: 'notFound' } },
  ])('reads $path', ({ path, expected }) => expect(parseRoute(path)).toEqual(expected));

  it('round-trips an SLO name through its path', () =>
    expect(parseRoute(sloPath('checkout latency/1'))).toEqual({ page: 'slo', name: 'checkout latency/1' }));
});
