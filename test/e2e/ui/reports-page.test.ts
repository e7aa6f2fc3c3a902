import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { AlertStore } from '../../../src/alerts/alert-store.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  screenshot,
  type TestBrowser,
} from '../../support/browser.js';
import { errorRateSlo } from '../../support/fixtures.js';
import { seedTraffic } from './seed-sli.js';

const NOVEMBER = Date.parse('2026-11-01T00:00:00Z') / 60_000;
const FAIL_FROM = NOVEMBER + 9 * 1440;
const SNAPSHOT = {
  sliPercent: 99,
  objective: 99.9,
  budgetRemainingPercent: 50,
  burnRates: [],
  exhaustionAt: null,
};

describe('the compliance report in a browser', () => {
  let burnwatch: RunningBurnwatch;
  let browser: TestBrowser;

  beforeAll(async () => {
    ensureUiBuilt();
    await resetDatabase();
    burnwatch = await startTestApp({}, new ManualClock(new Date('2026-12-01T06:00:00Z')));
    const api = apiClient(burnwatch.url);
    const checkout = await api('POST', '/api/v1/slos', errorRateSlo({ team: 'payments', window: '30d' }));
    await api(
      'POST',
      '/api/v1/slos',
      errorRateSlo({
        name: 'search-errors',
        team: 'search',
        service: { namespace: 'shop', workload: 'search' },
      }),
    );
    // checkout: 2,160 of 4,320,000 requests fail on 10 November (half the budget); search: none fail.
    await seedTraffic(
      burnwatch,
      {
        namespace: 'shop',
        workload: 'checkout',
        at: (m) => {
          const failed = m >= FAIL_FROM && m < FAIL_FROM + 21 ? 100 : m === FAIL_FROM + 21 ? 60 : 0;
          return { good: 100 - failed, failed };
        },
      },
      NOVEMBER,
      NOVEMBER + 30 * 1440,
    );
    await seedTraffic(
      burnwatch,
      { namespace: 'shop', workload: 'search', at: () => ({ good: 50, failed: 0 }) },
      NOVEMBER,
      NOVEMBER + 30 * 1440,
    );
    const store = burnwatch.app.get(AlertStore);
    await store.apply(
      checkout.body,
      { kind: 'fired', severity: 'page' },
      SNAPSHOT,
      new Date('2026-11-10T00:02:00Z'),
    );
    await store.apply(checkout.body, { kind: 'resolved' }, SNAPSHOT, new Date('2026-11-10T00:47:00Z'));
    browser = await openBrowser();
  });
  afterAll(async () => {
    const errors = browser?.pageErrors ?? [];
    await browser?.close();
    await burnwatch?.close();
    expect(errors).toEqual([]);
  });

  it('shows each team’s SLOs with the month’s numbers and burn-down, downloads the CSV and prints without controls', async () => {
    const { page } = browser;
    await page.goto(`${burnwatch.url}/reports?period=2026-11`);
    await page.getByRole('heading', { name: 'Compliance report 2026-11' }).waitFor();
    const payments = page.getByRole('region', { name: 'Team payments' });
    await payments.waitFor();
    const row = payments.locator('tr[data-slo="checkout-errors"]');
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('99.9');
    expect(cells[1]).toContain('99.95');
    expect(cells[1]).toContain('met');
    expect(cells[2]).toContain('50');
    expect(cells[3]).toContain('45'); // 45 minutes paging
    expect(cells[5]).toBe('1');
    expect(await row.locator('svg.burn-down polyline').count()).toBeGreaterThan(0);
    expect(
      await page.getByRole('region', { name: 'Team search' }).locator('tr[data-slo="search-errors"]').count(),
    ).toBe(1);

    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    const csv = await (await fetch(`${burnwatch.url}${csvHref}`)).text();
    expect(csv.split('\r\n')[1]).toMatch(/^2026-11,checkout-errors,payments,/);

    await page.getByRole('textbox', { name: 'Team', exact: true }).fill('search');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/team=search/);
    await expect.poll(() => page.locator('tr[data-slo]').count()).toBe(1);

    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('form', { name: 'Report period' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    await screenshot(page, 'reports');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
