import { describe, expect, it } from 'vitest';
import type { SloSpec } from '../../slo/domain/slo.js';
import { checkPromqlQuery } from '../../slo/domain/promql.js';
import { statusRegex, windowQueries } from './promql-queries.js';

const base = {
  name: 'x',
  description: '',
  objective: 99,
  window: '28d',
  budgetingMethod: 'occurrences',
  source: { type: 'prometheus' },
} as const;

describe('windowQueries', () => {
  it.each([
    {
      name: 'an error rate counts statuses matching the rule on the sensor histogram',
      spec: {
        ...base,
        service: { namespace: 'shop', workload: 'checkout', method: 'POST' },
        indicator: { type: 'errorRate', errorStatus: '5xx,429' },
      },
      expected: {
        total:
          'sum(increase(http_server_request_duration_seconds_count{k8s_namespace_name="shop",k8s_workload_name="checkout",http_request_method="POST"}[1h]))',
        bad: 'sum(increase(http_server_request_duration_seconds_count{k8s_namespace_name="shop",k8s_workload_name="checkout",http_request_method="POST",http_response_status_code=~"5..|429",rpc_grpc_status_code=""}[1h]) or increase(http_server_request_duration_seconds_count{k8s_namespace_name="shop",k8s_workload_name="checkout",http_request_method="POST",rpc_grpc_status_code=~"2|4|12|13|14|15"}[1h]))',
      },
    },
    {
      name: 'an error rate on gRPC counts the listed gRPC codes',
      spec: {
        ...base,
        service: { workload: 'greeter' },
        indicator: { type: 'errorRate', errorStatus: '5xx', grpcErrorCodes: ['UNAVAILABLE', 'NOT_FOUND'] },
      },
      expected: {
        total: 'sum(increase(http_server_request_duration_seconds_count{service_name="greeter"}[1h]))',
        bad: 'sum(increase(http_server_request_duration_seconds_count{service_name="greeter",http_response_status_code=~"5..",rpc_grpc_status_code=""}[1h]) or increase(http_server_request_duration_seconds_count{service_name="greeter",rpc_grpc_status_code=~"14|5"}[1h]))',
      },
    },
    {
      name: 'a latency counts the bucket at the threshold as good; outside Kubernetes the process name selects',
      spec: { ...base, service: { workload: 'nginx' }, indicator: { type: 'latency', thresholdMs: 250 } },
      expected: {
        total: 'sum(increase(http_server_request_duration_seconds_count{service_name="nginx"}[1h]))',
        good: 'sum(increase(http_server_request_duration_seconds_bucket{service_name="nginx",le="0.25"}[1h]))',
      },
    },
    {
      name: 'a ratio gets the window in its {{window}} placeholders',
      spec: {
        ...base,
        service: { workload: 'w' },
        indicator: {
          type: 'ratio',
          goodQuery: 'sum(increase(ok[{{window}}]))',
          totalQuery: 'sum(increase(all[{{ window }}]))',
        },
      },
      expected: { total: 'sum(increase(all[1h]))', good: 'sum(increase(ok[1h]))' },
    },
    {
      name: 'a ratio gets the window in the Go-template placeholders sloth and the OpenSLO SDK write',
      spec: {
        ...base,
        service: { workload: 'w' },
        indicator: {
          type: 'ratio',
          badQuery: 'sum(increase(errors[{{.window}}]))',
          totalQuery: 'sum(increase(all[{{ .Window }}]))',
        },
      },
      expected: { total: 'sum(increase(all[1h]))', bad: 'sum(increase(errors[1h]))' },
    },
    {
      name: 'a sum of counters without placeholder counts the increase of each series, then sums',
      spec: {
        ...base,
        service: { workload: 'w' },
        indicator: {
          type: 'ratio',
          badQuery: 'sum by (code) (requests_total{code=~"5.."})',
          totalQuery: 'requests_total',
        },
      },
      expected: {
        total: 'increase(requests_total[1h])',
        bad: 'sum by (code) (increase(requests_total{code=~"5.."}[1h]))',
      },
    },
    {
      name: 'a difference of counters without placeholder counts the increase of each side',
      spec: {
        ...base,
        service: { workload: 'w' },
        indicator: {
          type: 'ratio',
          goodQuery: 'sum(requests_total) - sum(errors_total)',
          totalQuery: 'sum(requests_total)',
        },
      },
      expected: {
        total: 'sum(increase(requests_total[1h]))',
        good: 'sum(increase(requests_total[1h])) - sum(increase(errors_total[1h]))',
      },
    },
  ])('$name', ({ spec, expected }) => {
    // Only queries the SLO schema accepts reach windowQueries.
    if (spec.indicator.type === 'ratio')
      for (const query of Object.values(spec.indicator).filter((v) => v !== 'ratio'))
        expect(checkPromqlQuery(query as string)).toMatchObject({ ok: true });
    expect(windowQueries(spec as unknown as SloSpec, 3600)).toEqual(expected);
  });

  it('turns status rules into a regular expression', () => {
    expect(statusRegex('4xx, 5xx')).toBe('4..|5..');
    expect(statusRegex('500,503')).toBe('500|503');
  });
});
