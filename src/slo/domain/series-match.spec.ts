import { describe, expect, it } from 'vitest';
import { badEventsOf, isErrorSeries, isErrorStatus, seriesMatches } from './series-match.js';

const series = {
  namespace: 'shop',
  workload: 'checkout',
  serviceName: 'node',
  route: '/api/pay',
  method: 'POST',
  statusCode: 200,
};

describe('seriesMatches', () => {
  it.each([
    {
      name: 'namespace and workload select in Kubernetes',
      service: { namespace: 'shop', workload: 'checkout' },
      matches: true,
    },
    {
      name: 'another namespace does not match',
      service: { namespace: 'other', workload: 'checkout' },
      matches: false,
    },
    {
      name: 'without a namespace the workload is the process name',
      service: { workload: 'node' },
      matches: true,
    },
    {
      name: 'without a namespace the k8s workload name is not used',
      service: { workload: 'checkout' },
      matches: false,
    },
    {
      name: 'a route narrows the selection',
      service: { namespace: 'shop', workload: 'checkout', route: '/api/cart' },
      matches: false,
    },
    {
      name: 'a method narrows the selection',
      service: { namespace: 'shop', workload: 'checkout', method: 'POST' as const },
      matches: true,
    },
  ])('$name', ({ service, matches }) => {
    expect(seriesMatches(service, series)).toBe(matches);
  });
});

describe('isErrorStatus', () => {
  it.each([
    { status: 503, rule: '5xx', error: true },
    { status: 404, rule: '5xx', error: false },
    { status: 404, rule: '4xx,5xx', error: true },
    { status: 429, rule: '500,503,429', error: true },
    { status: 502, rule: '500,503,429', error: false },
    { status: 200, rule: '4xx,5xx', error: false },
  ])('status $status with rule "$rule" is an error: $error', ({ status, rule, error }) => {
    expect(isErrorStatus(status, rule)).toBe(error);
  });
});

describe('badEventsOf', () => {
  it('counts a whole series as bad when its status is an error', () => {
    expect(
      badEventsOf({ type: 'errorRate', errorStatus: '5xx' }, { statusCode: 500, bounds: [] }, 7, [7]),
    ).toEqual({ bad: 7, approximate: false });
  });
  it('counts requests slower than the threshold as bad', () => {
    expect(
      badEventsOf(
        { type: 'latency', thresholdMs: 300 },
        { statusCode: 200, bounds: [0.1, 0.3, 1] },
        100,
        [10, 20, 30, 40],
      ),
    ).toEqual({
      bad: 70,
      approximate: false,
    });
  });
});

describe('isErrorSeries', () => {
  const errorRate = { type: 'errorRate' as const, errorStatus: '5xx' };
  it.each([
    {
      name: 'an HTTP 503 without gRPC is an error',
      series: { statusCode: 503, grpcStatusCode: null },
      error: true,
    },
    {
      name: 'an HTTP 200 without gRPC is not',
      series: { statusCode: 200, grpcStatusCode: null },
      error: false,
    },
    {
      name: 'a gRPC UNAVAILABLE answered with HTTP 200 is an error',
      series: { statusCode: 200, grpcStatusCode: 14 },
      error: true,
    },
    {
      name: 'a gRPC NOT_FOUND is not, by default',
      series: { statusCode: 200, grpcStatusCode: 5 },
      error: false,
    },
    {
      name: 'a gRPC OK is not, even if a proxy answered HTTP 503 around it',
      series: { statusCode: 503, grpcStatusCode: 0 },
      error: false,
    },
  ])('$name', ({ series, error }) => expect(isErrorSeries(errorRate, series)).toBe(error));

  it('counts the codes an SLO lists instead of the default ones', () =>
    expect(
      [5, 14].map((code) =>
        isErrorSeries(
          { ...errorRate, grpcErrorCodes: ['NOT_FOUND'] },
          { statusCode: 200, grpcStatusCode: code },
        ),
      ),
    ).toEqual([true, false]));
});
