import type { SeriesLabels } from '../../src/integrations/metrics/sensor-histograms.js';

/** SLO bodies for tests: a base and variants derived from it. */
export function latencySlo(overrides: Record<string, unknown> = {}) {
  return {
    name: 'checkout-latency',
    description: 'Checkout answers fast',
    team: 'payments',
    service: { namespace: 'shop', workload: 'checkout', route: '/api/checkout', method: 'POST' },
    indicator: { type: 'latency', thresholdMs: 300 },
    objective: 95,
    window: '28d',
    budgetingMethod: 'occurrences',
    notify: { slackChannel: '#payments-oncall' },
    ...overrides,
  };
}

export function errorRateSlo(overrides: Record<string, unknown> = {}) {
  return {
    name: 'checkout-errors',
    team: 'payments',
    service: { namespace: 'shop', workload: 'checkout' },
    indicator: { type: 'errorRate', errorStatus: '5xx' },
    objective: 99.9,
    window: '30d',
    ...overrides,
  };
}

export function timesliceSlo(overrides: Record<string, unknown> = {}) {
  return latencySlo({
    name: 'search-p95',
    service: { namespace: 'shop', workload: 'search' },
    indicator: { type: 'latency', thresholdMs: 250, percentile: 95 },
    budgetingMethod: 'timeslices',
    timeslice: '1m',
    objective: 99,
    ...overrides,
  });
}

/** A stored sensor series of shop/checkout (the scraper's labels), with the status and route a test needs. */
export function checkoutSeriesLabels(
  statusCode: number,
  route = '/api/checkout',
  method = 'POST',
): SeriesLabels {
  return {
    namespace: 'shop',
    workload: 'checkout',
    workloadKind: 'Deployment',
    serviceName: 'checkout',
    imageName: 'shop/checkout',
    imageId: 'sha256:1',
    method,
    route,
    statusCode,
    grpcStatusCode: null,
  };
}
