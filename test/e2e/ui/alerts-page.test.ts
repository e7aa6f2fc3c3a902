import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { AlertStore } from '../../../src/alerts/alert-store.js';
import { AlertEntity } from '../../../src/alerts/alert.entity.js';
import { DataSource } from 'typeorm';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import { ensureUiBuilt, openBrowser, screenshot, type TestBrowser } from '../../support/browser.js';
import { errorRateSlo, latencySlo } from '../../support/fixtures.js';

const snapshot = (sliPercent: number, budgetRemainingPercent: number) => ({
  sliPercent,
  objective: 99,
  budgetRemainingPercent,
  burnRates: [],
  exhaustionAt: null,
});

describe('the alerts page in a browser', () => {
  let burnwatch: RunningBurnwatch;
  let call: ReturnType<typeof apiClient>;
  let browser: TestBrowser;

  beforeAll(async () => {
    await ensureUiBuilt();
    burnwatch = await startTestApp();
    call = apiClient(burnwatch.url);
  });
  afterAll(() => burnwatch?.close());
  beforeEach(async () => {
    await resetDatabase();
    browser = await openBrowser();
  });
  afterEach(async () => {
    const errors = browser.pageErrors;
    await browser.close();
    expect(errors).toEqual([]);
  });

  it('explains alerts when there are none yet', async () => {
    await browser.page.goto(`${burnwatch.url}/alerts`);
    await browser.page.getByRole('heading', { name: 'No alerts yet' }).waitFor();
  });

  it('lists firing and recent alerts with severity, duration and the correlated deploy', async () => {
    const { page } = browser;
    const checkout = (await call('POST', '/api/v1/slos', latencySlo({ objective: 99 }))).body;
    const errors = (await call('POST', '/api/v1/slos', errorRateSlo())).body;
    const store = burnwatch.app.get(AlertStore);
    const now = Date.now();
    const firing = await store.apply(
      checkout,
      { kind: 'fired', severity: 'page' },
      snapshot(96.5, 42),
      new Date(now - 45 * 60_000),
    );
    await store.apply(
      errors,
      { kind: 'fired', severity: 'ticket' },
      snapshot(99.8, 70),
      new Date(now - 26 * 3_600_000),
    );
    await store.apply(errors, { kind: 'resolved' }, snapshot(99.9, 72), new Date(now - 23 * 3_600_000));
    // The correlation column is what the Kubernetes correlation fills when an alert fires.
    await burnwatch.app.get(DataSource).manager.update(
      AlertEntity,
      { id: firing!.alertId },
      {
        correlation: {
          suspects: [
            {
              kind: 'deploy',
              at: new Date(now - 47 * 60_000).toISOString(),
              namespace: 'shop',
              workload: 'checkout',
              image: 'registry.example/shop/checkout:1.4.3',
              digest: 'sha256:9e8d7c6b5a4f3e2d1c0b',
              previousDigest: 'sha256:1a2b3c4d5e6f7a8b9c0d',
              workloadKind: 'Deployment',
              container: 'checkout',
              minutesBeforeBurn: 2,
              score: 92,
              reason: 'new image 2 min before the burn began',
            },
          ],
          events: [
            {
              reason: 'BackOff',
              objectKind: 'Pod',
              objectName: 'checkout-7f9c5d-x2x8q',
              namespace: 'shop',
              count: 5,
              firstSeen: new Date(now - 46 * 60_000).toISOString(),
              lastSeen: new Date(now - 40 * 60_000).toISOString(),
              message: 'Back-off restarting failed container checkout',
              score: 80,
            },
          ],
          imageComparison: null,
        },
      },
    );

    await page.goto(`${burnwatch.url}/alerts`);
    const firingSection = page.getByRole('region', { name: /Firing/ });
    const row = firingSection.locator(`tr[data-alert="${firing!.alertId}"]`);
    await row.waitFor();
    const text = (await row.textContent())!;
    expect(text).toContain('checkout-latency');
    expect(text).toContain('Page');
    // Started 45 minutes ago; the test itself takes a few seconds.
    expect(text).toMatch(/4[56] m( \d+ s)?\s*so far/);
    expect(text).toContain('Deploy of shop/checkout → 9e8d7c6b5a4f (checkout:1.4.3) at');
    expect(text).toContain('— new image 2 min before the burn began');
    expect(text).toContain('5× warning BackOff on checkout-7f9c5d-x2x8q');

    const recent = page.getByRole('region', { name: /Recent/ });
    const resolved = (await recent.locator('tr[data-slo="checkout-errors"]').textContent())!;
    expect(resolved).toContain('Ticket');
    expect(resolved).toContain('3 h');
    await screenshot(page, 'alerts', { docs: true });

    await row.getByRole('link', { name: 'checkout-latency' }).click();
    await page.waitForURL('**/slos/checkout-latency');
  });

  it("shows each alert's Slack delivery: sent, pending with its retries, failed with Slack's error", async () => {
    const { page } = browser;
    const store = burnwatch.app.get(AlertStore);
    const now = Date.now();
    const ids: Record<string, string> = {};
    for (const [name, minutesAgo] of [
      ['sent-slo', 30],
      ['pending-slo', 20],
      ['failed-slo', 10],
    ] as const) {
      const slo = (await call('POST', '/api/v1/slos', errorRateSlo({ name }))).body;
      const fired = await store.apply(
        slo,
        { kind: 'fired', severity: 'ticket' },
        snapshot(99.5, 80),
        new Date(now - minutesAgo * 60_000),
      );
      ids[name] = fired!.alertId;
    }
    // The Slack part adds each alert's notifications to GET /api/v1/alerts; until it is on main, this adds them
    // to the real response in the Slack branch's shape (see docs/ui.md).
    const delivery = (state: string, attempts: number, error: string | null) => ({
      id: `${state}-1`,
      kind: 'fired',
      channel: '#payments-oncall',
      state,
      attempts,
      error,
      createdAt: new Date(now).toISOString(),
      sentAt: state === 'sent' ? new Date(now).toISOString() : null,
      nextAttemptAt: state === 'pending' ? new Date(now + 60_000).toISOString() : null,
      ts: null,
      threadTs: null,
    });
    const notifications: Record<string, unknown[]> = {
      [ids['sent-slo']!]: [delivery('sent', 1, null)],
      [ids['pending-slo']!]: [delivery('pending', 2, 'ratelimited')],
      [ids['failed-slo']!]: [delivery('failed', 1, 'channel_not_found')],
    };
    await page.route('**/api/v1/alerts?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const item of body.items) item.notifications = notifications[item.id] ?? [];
      await route.fulfill({ response, json: body });
    });

    await page.goto(`${burnwatch.url}/alerts`);
    const cell = (name: string) => page.locator(`tr[data-slo="${name}"] td.delivery`);
    await cell('failed-slo').waitFor();
    expect(await cell('sent-slo').textContent()).toBe('Sent to #payments-oncall');
    expect(await cell('pending-slo').textContent()).toBe(
      'Pending (1 of 1, retrying after 2 attempts)#payments-oncall: ratelimited',
    );
    expect(await cell('failed-slo').textContent()).toBe(
      'Failed (1 of 1)#payments-oncall: channel_not_found (1 attempt)',
    );
    await screenshot(page, 'alerts-delivery');
  });
});
