import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  screenshot,
  type TestBrowser,
} from '../../support/browser.js';
import { errorRateSlo, latencySlo, timesliceSlo } from '../../support/fixtures.js';

/** The list page's refresh interval (ui/src/pages/SloListPage.tsx). */
const REFRESH_SECONDS = 30;
import {
  checkoutStory,
  evaluateNow,
  expectedBudgetLeft,
  minuteOf,
  searchStory,
  seedTraffic,
  type Seeded,
} from './seed-sli.js';

describe('the SLO list in a browser', () => {
  let burnwatch: RunningBurnwatch;
  let call: ReturnType<typeof apiClient>;
  let browser: TestBrowser;

  beforeAll(() => ensureUiBuilt());
  // A fresh service per test: the engine keeps the series it has seen in memory.
  beforeEach(async () => {
    await resetDatabase();
    burnwatch = await startTestApp();
    call = apiClient(burnwatch.url);
    browser = await openBrowser();
  });
  afterEach(async () => {
    const errors = browser.pageErrors;
    await browser.close();
    await burnwatch.close();
    expect(errors).toEqual([]);
  });

  it('teaches how to create the first SLO, and its OpenSLO example works as shown', async () => {
    const { page } = browser;
    await page.goto(burnwatch.url + '/');
    await page.getByRole('heading', { name: 'No SLOs yet' }).waitFor();
    const curl = await page.getByLabel('curl command that creates an SLO').textContent();
    expect(curl).toContain(`curl -X POST ${burnwatch.url}/api/v1/slos`);
    await screenshot(page, 'empty-list');
    expect(await accessibilityViolations(page)).toEqual([]);

    const yaml = (await page.getByLabel('OpenSLO example').textContent())!;
    const created = await call('POST', '/api/v1/openslo', yaml, 'application/yaml');
    expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
    await page.reload();
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-errors']);
  });

  it('lists every SLO with its objective and filters by team and namespace, keeping the filter in the address', async () => {
    const { page } = browser;
    for (const body of [
      latencySlo(),
      errorRateSlo({
        team: 'payments',
        service: { namespace: 'billing', workload: 'invoices' },
        name: 'invoice-errors',
      }),
      timesliceSlo({ team: 'search' }),
    ])
      expect((await call('POST', '/api/v1/slos', body)).status).toBe(201);

    await page.goto(burnwatch.url + '/');
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-latency', 'invoice-errors', 'search-p95']);
    const searchRow = page.locator('tr[data-slo="search-p95"]');
    expect(await searchRow.textContent()).toContain('99 %');
    await screenshot(page, 'slo-list-definitions');

    await page.getByLabel('Team').selectOption('payments');
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-latency', 'invoice-errors']);
    await page.getByLabel('Namespace').selectOption('billing');
    await expect.poll(() => rowNames(browser)).toEqual(['invoice-errors']);
    expect(new URL(page.url()).search).toBe('?team=payments&namespace=billing');
    await expect.poll(() => page.getByText('1 of 3 SLOs shown').count()).toBe(1);

    // The filtered address opens the same list, and "Clear filters" shows everything again.
    await page.reload();
    await expect.poll(() => rowNames(browser)).toEqual(['invoice-errors']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rowNames(browser)).toHaveLength(3);
  });

  it('shows the budget left, SLI and status the engine computed from the stored history, sorted by budget left', async () => {
    const { page } = browser;
    const nowMinute = minuteOf(Date.now());
    const week = 7 * 1_440;
    for (const body of [
      errorRateSlo({ objective: 99, window: '7d' }),
      errorRateSlo({
        name: 'search-errors',
        team: 'search',
        objective: 99.9,
        window: '7d',
        service: { namespace: 'shop', workload: 'search' },
      }),
      errorRateSlo({
        name: 'invoice-errors',
        window: '7d',
        service: { namespace: 'billing', workload: 'invoices' },
      }),
    ])
      expect((await call('POST', '/api/v1/slos', body)).status).toBe(201);
    const checkout = await seedTraffic(burnwatch, checkoutStory(nowMinute), nowMinute - week + 10, nowMinute);
    const search = await seedTraffic(burnwatch, searchStory(), nowMinute - week + 10, nowMinute);
    await evaluateNow(burnwatch);

    // The list reads the summary view, compressed (docs/benchmarks.md, "API lists under load").
    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/slo-statuses'));
    await page.goto(burnwatch.url + '/');
    const answer = await listed;
    expect(new URL(answer.url()).search).toBe('?view=summary');
    expect((await answer.allHeaders())['content-encoding']).toBe('br');
    // Least budget first; an SLO without data has no budget and goes last.
    await expect
      .poll(() => rowNames(browser))
      .toEqual(['checkout-errors', 'search-errors', 'invoice-errors']);
    const row = (name: string) => page.locator(`tr[data-slo="${name}"]`);
    const shownBudget = async (name: string) =>
      Number((await row(name).locator('.budget-value').textContent())!.replace(' %', ''));
    const shownSli = async (name: string) => (await row(name).locator('td').nth(2).textContent())!.trim();

    expect(
      Math.abs((await shownBudget('checkout-errors')) - expectedBudgetLeft(checkout, 99)),
    ).toBeLessThanOrEqual(0.051);
    expect(
      Math.abs((await shownBudget('search-errors')) - expectedBudgetLeft(search, 99.9)),
    ).toBeLessThanOrEqual(0.051);
    expect(await shownBudget('checkout-errors')).toBeLessThan(0);
    expect(await shownSli('checkout-errors')).toBe(formatSli(checkout));
    expect(await shownSli('search-errors')).toBe(formatSli(search));
    expect(await row('checkout-errors').locator('.badge').textContent()).toBe('Page');
    expect(await row('search-errors').locator('.badge').textContent()).toBe('OK');
    expect(await row('invoice-errors').locator('.badge').textContent()).toBe('No data');
    expect(await row('checkout-errors').locator('td').last().textContent()).toBe('exhausted');
    // The fastest burn is the full status' highest long-window rate, with its window.
    const tiers = (await call('GET', '/api/v1/slos/checkout-errors/status')).body.burnRates as {
      long: number | null;
      longWindow: string;
    }[];
    const fastest = tiers.reduce((a, b) => ((b.long ?? -1) > (a.long ?? -1) ? b : a));
    expect(await row('checkout-errors').locator('td').nth(4).textContent()).toMatch(
      new RegExp(`× over ${fastest.longWindow}$`),
    );
    await screenshot(page, 'slo-list', { docs: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: /Budget left/ }).click();
    await expect
      .poll(() => rowNames(browser))
      .toEqual(['search-errors', 'checkout-errors', 'invoice-errors']);
    await page.getByLabel('Status').selectOption('page');
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-errors']);
  });

  it('refreshes itself: an SLO created elsewhere shows up after the refresh interval', async () => {
    const { page } = browser;
    await page.clock.install();
    await call('POST', '/api/v1/slos', latencySlo());
    await page.goto(burnwatch.url + '/');
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-latency']);
    await call('POST', '/api/v1/slos', errorRateSlo());
    await page.clock.fastForward(REFRESH_SECONDS * 1000 + 1000);
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-errors', 'checkout-latency']);
  });

  it('works with BURNWATCH_API_TOKEN set: the UI only reads, and reads need no token', async () => {
    await burnwatch.close();
    const token = 'ui-test-token-0123456789';
    burnwatch = await startTestApp({ apiToken: token });
    expect((await apiClient(burnwatch.url)('POST', '/api/v1/slos', latencySlo())).status).toBe(401);
    expect((await apiClient(burnwatch.url, token)('POST', '/api/v1/slos', latencySlo())).status).toBe(201);
    const { page } = browser;
    await page.goto(burnwatch.url + '/');
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-latency']);
    await page.getByRole('link', { name: 'checkout-latency' }).click();
    await page.getByLabel('OpenSLO YAML of this SLO').waitFor();
  });

  it('opens an SLO from the list with the keyboard', async () => {
    const { page } = browser;
    await call('POST', '/api/v1/slos', latencySlo());
    await page.goto(burnwatch.url + '/');
    const link = page.getByRole('link', { name: 'checkout-latency' });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/slos/checkout-latency');
    await page.getByRole('heading', { level: 1, name: /checkout-latency/ }).waitFor();
  });
});

async function rowNames(browser: TestBrowser): Promise<string[]> {
  return browser.page
    .locator('tbody tr[data-slo]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-slo')!));
}

/** The SLI as the list prints it (three decimals, trailing zeros dropped). */
function formatSli(seeded: Seeded): string {
  const percent = ((seeded.total - seeded.bad) / seeded.total) * 100;
  return `${Number(percent.toFixed(3))} %`;
}
