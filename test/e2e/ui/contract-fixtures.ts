import type { Page, Route } from 'playwright-core';

/**
 * Contract-shaped answers for the read APIs that other parts of Burnwatch are still building (status,
 * timeseries, changes, Kubernetes status; see docs/ui.md). The browser test routes only those paths here; every
 * other request (SLO, OpenSLO, alerts) reaches the real service. Replace each with seeded data as its API lands.
 */

const HOUR = 3_600;
const DAY = 86_400;

export const DEPLOY_DIGEST = 'sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
export const OLD_DIGEST = 'sha256:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

export interface Story {
  /** epoch seconds */
  now: number;
  deployAt: number;
  gapFrom: number;
  gapTo: number;
}

export function story(nowMs: number): Story {
  const now = Math.floor(nowMs / 1000);
  return { now, deployAt: now - 3 * DAY, gapFrom: now - 9 * DAY, gapTo: now - 8.5 * DAY };
}

/** A 28-day SLO at 99 %: calm, a gap where the sensor was down, then a deploy that burns the budget below zero. */
export function timeseries(s: Story, from: number, to: number, step: number) {
  const timestamps: number[] = [];
  for (let t = from; t <= to; t += step) timestamps.push(t);
  const inGap = (t: number) => t >= s.gapFrom && t < s.gapTo;
  const after = (t: number) => (t - s.deployAt) / HOUR; // hours since the deploy
  const sli = (t: number) => (after(t) >= 0 && after(t) < 10 ? 96.5 : 99.7);
  const budget = (t: number) => {
    const start = s.now - 28 * DAY;
    if (t < s.deployAt) return 100 - (40 * (t - start)) / (s.deployAt - start);
    if (after(t) < 10) return 60 - (72 * after(t)) / 10;
    return -12 - (3 * (t - s.deployAt - 10 * HOUR)) / (s.now - s.deployAt);
  };
  const burn = (t: number, peak: number) => (after(t) >= 0 && after(t) < 10 ? peak : 0.3);
  const windows = [
    { severity: 'page' as const, window: '1h', threshold: 13.44, peak: 21 },
    { severity: 'page' as const, window: '6h', threshold: 5.6, peak: 14 },
    { severity: 'ticket' as const, window: '1d', threshold: 2.8, peak: 6 },
    { severity: 'ticket' as const, window: '3d', threshold: 0.933, peak: 2.1 },
  ];
  return {
    from,
    to,
    stepSeconds: step,
    timestamps,
    sliPercent: timestamps.map((t) => (inGap(t) || t > s.now ? null : sli(t))),
    budgetRemainingPercent: timestamps.map((t) => (inGap(t) || t > s.now ? null : round(budget(t)))),
    burnRates: windows.map((w) => ({
      severity: w.severity,
      window: w.window,
      threshold: w.threshold,
      values: timestamps.map((t) => (inGap(t) || t > s.now ? null : burn(t, w.peak))),
    })),
    requests: timestamps.map((t) => (inGap(t) ? 0 : 1000)),
    bad: timestamps.map((t) => (inGap(t) ? 0 : Math.round(1000 * (1 - sli(t) / 100)))),
  };
}

export function status(s: Story, slo: string) {
  return {
    slo,
    team: 'payments',
    namespace: 'shop',
    workload: 'checkout',
    status: 'page',
    objective: 99,
    window: '28d',
    sli: { percent: 98.85, approximate: false, total: 4_000_000, bad: 46_000 },
    errorBudget: {
      totalEvents: 40_000,
      consumedEvents: 46_000,
      remainingEvents: -6_000,
      remainingPercent: -15,
      consumedPercent: 115,
    },
    burnRates: [
      {
        severity: 'page',
        longWindow: '1h',
        shortWindow: '5m',
        threshold: 13.44,
        long: 0.4,
        short: 0.3,
        longEvents: 6000,
        shortEvents: 500,
        firing: false,
      },
      {
        severity: 'page',
        longWindow: '6h',
        shortWindow: '30m',
        threshold: 5.6,
        long: 0.5,
        short: 0.3,
        longEvents: 36000,
        shortEvents: 3000,
        firing: false,
      },
      {
        severity: 'ticket',
        longWindow: '1d',
        shortWindow: '2h',
        threshold: 2.8,
        long: 0.6,
        short: 0.4,
        longEvents: 144000,
        shortEvents: 12000,
        firing: false,
      },
      {
        severity: 'ticket',
        longWindow: '3d',
        shortWindow: '6h',
        threshold: 0.933,
        long: 2.1,
        short: 0.5,
        longEvents: 432000,
        shortEvents: 36000,
        firing: true,
      },
    ],
    forecast: { burnRate: 2.1, exhaustionAt: null, secondsToExhaustion: null },
    alerts: [],
    dataFreshness: { lastDataAt: new Date((s.now - 40) * 1000).toISOString(), ageSeconds: 40 },
    evaluatedAt: new Date(s.now * 1000).toISOString(),
  };
}

export function changes(s: Story) {
  const iso = (t: number) => new Date(t * 1000).toISOString();
  const base = { namespace: 'shop', workload: 'checkout' };
  return {
    items: [
      {
        kind: 'deploy',
        at: iso(s.now - 12 * DAY),
        ...base,
        image: 'registry.example/shop/checkout:1.4.2',
        digest: OLD_DIGEST,
      },
      {
        kind: 'deploy',
        at: iso(s.deployAt),
        ...base,
        image: 'registry.example/shop/checkout:1.4.3',
        digest: DEPLOY_DIGEST,
        previousDigest: OLD_DIGEST,
      },
      {
        kind: 'warning',
        at: iso(s.deployAt + 120),
        ...base,
        reason: 'BackOff',
        count: 3,
        message: 'Back-off restarting failed container checkout',
      },
      { kind: 'warning', at: iso(s.deployAt + 600), ...base, reason: 'BackOff', count: 2 },
      {
        kind: 'warning',
        at: iso(s.deployAt + 300),
        ...base,
        reason: 'Unhealthy',
        count: 4,
        message: 'Readiness probe failed: HTTP 503',
      },
    ],
  };
}

/** Routes the in-progress APIs of one SLO to the fixtures; returns the timeseries requests seen. */
export async function routeContractApis(page: Page, slo: string, s: Story): Promise<URL[]> {
  const seen: URL[] = [];
  const json = (route: Route, body: unknown) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  await page.route(`**/api/v1/slos/${slo}/timeseries?*`, (route) => {
    const url = new URL(route.request().url());
    seen.push(url);
    const [from, to, step] = ['from', 'to', 'step'].map((k) => Number(url.searchParams.get(k)));
    return json(route, timeseries(s, from!, to!, step!));
  });
  await page.route(`**/api/v1/slos/${slo}/status`, (route) => json(route, status(s, slo)));
  await page.route('**/api/v1/changes?*', (route) => json(route, changes(s)));
  await page.route('**/api/v1/kubernetes/status', (route) => json(route, { connected: true }));
  return seen;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Statuses for the list: one SLO per state, with budgets far enough apart to check the order. */
export function statuses(s: Story) {
  const base = status(s, 'checkout-latency');
  const calm = base.burnRates.map((r) => ({ ...r, long: 0.4, short: 0.3, firing: false }));
  return {
    items: [
      base,
      {
        ...base,
        slo: 'checkout-errors',
        status: 'ticket',
        objective: 99.9,
        window: '30d',
        sli: { percent: 99.93, approximate: false, total: 4_000_000, bad: 2_800 },
        errorBudget: { ...base.errorBudget, remainingPercent: 18, consumedPercent: 82 },
        burnRates: calm.map((r) => (r.longWindow === '1d' ? { ...r, long: 3.4, firing: true } : r)),
        forecast: {
          burnRate: 3.4,
          exhaustionAt: new Date((s.now + 19 * 3600) * 1000).toISOString(),
          secondsToExhaustion: 19 * 3600,
        },
      },
      {
        ...base,
        slo: 'search-p95',
        team: 'search',
        workload: 'search',
        status: 'ok',
        sli: { percent: 99.6, approximate: true, total: 40_000, bad: 160 },
        errorBudget: { ...base.errorBudget, remainingPercent: 87.5, consumedPercent: 12.5 },
        burnRates: calm,
        forecast: { burnRate: 0.4, exhaustionAt: null, secondsToExhaustion: null },
      },
      {
        ...base,
        slo: 'invoice-errors',
        namespace: 'billing',
        workload: 'invoices',
        status: 'noData',
        sli: { percent: null, approximate: false, total: 0, bad: 0 },
        errorBudget: {
          totalEvents: 0,
          consumedEvents: 0,
          remainingEvents: 0,
          remainingPercent: null,
          consumedPercent: null,
        },
        burnRates: calm.map((r) => ({ ...r, long: null, short: null })),
        forecast: { burnRate: null, exhaustionAt: null, secondsToExhaustion: null },
        dataFreshness: { lastDataAt: null, ageSeconds: null },
      },
    ],
  };
}

export async function routeStatuses(page: Page, s: Story): Promise<void> {
  await page.route('**/api/v1/slo-statuses*', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(statuses(s)) }),
  );
}
