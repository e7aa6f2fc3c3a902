import { fromBucketCounts, latencyEventCounts } from './latency.js';
import { isGrpcError } from './grpc-status.js';
import type { ErrorRateIndicator, Indicator, SloService } from './slo.js';

/** The labels of a sensor series that an SLO selects on. */
export interface SeriesIdentity {
  namespace: string;
  workload: string;
  serviceName: string;
  route: string;
  method: string;
  statusCode: number;
}

/**
 * Is one series' traffic an error for an error-rate SLO? A gRPC series (one with a `grpc-status`) is judged by
 * its gRPC code, since gRPC answers HTTP 200 for most failed calls; any other by its HTTP status.
 */
export function isErrorSeries(
  indicator: ErrorRateIndicator,
  series: { statusCode: number; grpcStatusCode?: number | null },
): boolean {
  if (series.grpcStatusCode !== undefined && series.grpcStatusCode !== null)
    return isGrpcError(series.grpcStatusCode, indicator.grpcErrorCodes);
  return isErrorStatus(series.statusCode, indicator.errorStatus);
}

/**
 * An SLO selects the series of its workload: by namespace and workload in Kubernetes, by the process name
 * (`service_name`) outside it; route and method narrow it when given.
 */
export function seriesMatches(service: SloService, series: SeriesIdentity): boolean {
  if (service.namespace !== undefined) {
    if (series.namespace !== service.namespace || series.workload !== service.workload) return false;
  } else if (series.serviceName !== service.workload) {
    return false;
  }
  if (service.route !== undefined && series.route !== service.route) return false;
  if (service.method !== undefined && series.method !== service.method) return false;
  return true;
}

/** "5xx", "4xx,5xx", "500,503,429": does this status count as an error? */
export function isErrorStatus(statusCode: number, errorStatus: string): boolean {
  return errorStatus.split(',').some((token) => {
    const rule = token.trim().toLowerCase();
    if (rule.endsWith('xx')) return Math.floor(statusCode / 100) === Number(rule[0]);
    return statusCode === Number(rule);
  });
}

/** Bad events of one series in one minute, for an occurrences SLI. */
export function badEventsOf(
  indicator: Indicator,
  series: { statusCode: number; grpcStatusCode?: number | null; bounds: readonly number[] },
  requests: number,
  buckets: readonly number[],
): { bad: number; approximate: boolean } {
  switch (indicator.type) {
    case 'errorRate':
      return {
        bad: isErrorSeries(indicator, series) ? requests : 0,
        approximate: false,
      };
    case 'latency': {
      const { bad, approximate } = latencyEventCounts(
        fromBucketCounts(series.bounds, buckets),
        indicator.thresholdMs / 1000,
      );
      return { bad, approximate };
    }
    case 'ratio':
      return { bad: 0, approximate: false };
  }
}

/** Whether an SLI reads the latency histogram (else counts of requests by status are enough). */
export function needsHistogram(indicator: Indicator): boolean {
  return indicator.type === 'latency';
}
