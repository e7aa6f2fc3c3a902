import { SloSpec } from '../../slo/domain/slo.js';
import { formatDuration } from '../../slo/domain/duration.js';
import { promqlForWindow } from '../../slo/domain/promql.js';
import { SENSOR_HISTOGRAM } from '../../integrations/metrics/sensor-histograms.js';
import { DEFAULT_GRPC_ERROR_CODES, GRPC_STATUS_NAMES, GrpcStatusName } from '../../slo/domain/grpc-status.js';

/** PromQL for the events of one window: total and bad (or good, turned into bad by the caller). */
export interface WindowQueries {
  total: string;
  bad?: string;
  good?: string;
}

/**
 * The queries that count an SLO's events over `windowSeconds`.
 * - errorRate / latency: the sensor's histogram read through PromQL (the metric contract, docs/metrics.md);
 * - ratio: the user's queries, which the SLO schema has checked (src/slo/domain/promql.ts): the window's duration
 *   in each `{{window}}` placeholder, or, in a counter query without one, `increase(…[window])` around each
 *   selector (`sum(x)` counts as `sum(increase(x[1h]))`).
 */
export function windowQueries(spec: SloSpec, windowSeconds: number): WindowQueries {
  const range = formatDuration(windowSeconds);
  const indicator = spec.indicator;
  if (indicator.type === 'ratio') {
    const counted = (query: string) => promqlForWindow(query, range);
    return {
      total: counted(indicator.totalQuery),
      ...(indicator.goodQuery !== undefined
        ? { good: counted(indicator.goodQuery) }
        : { bad: counted(indicator.badQuery!) }),
    };
  }
  const selector = sensorSelector(spec);
  const rangeOf = (metric: string, ...extra: string[]) =>
    `increase(${metric}{${[selector, ...extra].filter(Boolean).join(',')}}[${range}])`;
  const increase = (metric: string, extra = '') => `sum(${rangeOf(metric, extra)})`;
  const total = increase(`${SENSOR_HISTOGRAM}_count`);
  if (indicator.type === 'errorRate') {
    const grpcCodes = grpcCodesRegex(indicator.grpcErrorCodes ?? DEFAULT_GRPC_ERROR_CODES);
    // A gRPC call is judged by its grpc-status (it answers HTTP 200 for most failures), anything else by its HTTP
    // status. The two selections are disjoint (one has no rpc_grpc_status_code, the other has one), so their
    // union counts each bad request once; `or` keeps an SLO without gRPC series exactly as before.
    const httpErrors = rangeOf(
      `${SENSOR_HISTOGRAM}_count`,
      `http_response_status_code=~"${statusRegex(indicator.errorStatus)}"`,
      'rpc_grpc_status_code=""',
    );
    const grpcErrors = rangeOf(`${SENSOR_HISTOGRAM}_count`, `rpc_grpc_status_code=~"${grpcCodes}"`);
    return { total, bad: `sum(${httpErrors} or ${grpcErrors})` };
  }
  return { total, good: increase(`${SENSOR_HISTOGRAM}_bucket`, `le="${indicator.thresholdMs / 1000}"`) };
}

function sensorSelector(spec: SloSpec): string {
  const service = spec.service;
  const matchers: string[] = [];
  if (service.namespace !== undefined) {
    matchers.push(
      `k8s_namespace_name="${escape(service.namespace)}"`,
      `k8s_workload_name="${escape(service.workload)}"`,
    );
  } else {
    matchers.push(`service_name="${escape(service.workload)}"`);
  }
  if (service.route !== undefined) matchers.push(`http_route="${escape(service.route)}"`);
  if (service.method !== undefined) matchers.push(`http_request_method="${service.method}"`);
  return matchers.join(',');
}

/** ["UNAVAILABLE", "INTERNAL"] → "14|13" */
function grpcCodesRegex(codes: readonly GrpcStatusName[]): string {
  return codes.map((name) => GRPC_STATUS_NAMES.indexOf(name)).join('|');
}

/** "5xx,429" → "5..|429" */
export function statusRegex(errorStatus: string): string {
  return errorStatus
    .split(',')
    .map((token) => token.trim().toLowerCase().replace(/xx$/, '..'))
    .join('|');
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
