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
