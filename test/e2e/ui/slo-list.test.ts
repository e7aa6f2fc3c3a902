import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import { ensureUiBuilt, openBrowser, screenshot, type TestBrowser } from '../../support/browser.js';
import { errorRateSlo, latencySlo, timesliceSlo } from '../../support/fixtures.js';
import { routeStatuses, story } from './contract-fixtures.js';

describe('the SLO list in a browser', () => {
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

  it('teaches how to create the first SLO, and its OpenSLO example works as shown', async () => {
    const { page } = browser;
    await page.goto(burnwatch.url + '/');
    await page.getByRole('heading', { name: 'No SLOs yet' }).waitFor();
    const curl = await page.getByLabel('curl command that creates an SLO').textContent();
    expect(curl).toContain(`curl -X POST ${burnwatch.url}/api/v1/slos`);
    await screenshot(page, 'empty-list');

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

  it("shows each SLO's status, SLI, budget left, fastest burn and forecast, sorted by budget left", async () => {
    const { page } = browser;
    await routeStatuses(page, story(Date.now()));
    await page.goto(burnwatch.url + '/');
    // Least budget first; an SLO without data has no budget and goes last.
    await expect
      .poll(() => rowNames(browser))
      .toEqual(['checkout-latency', 'checkout-errors', 'search-p95', 'invoice-errors']);
    const cells = async (name: string) =>
      page.locator(`tr[data-slo="${name}"] td`).evaluateAll((tds) => tds.map((td) => td.textContent!.trim()));
    expect(await cells('checkout-latency')).toEqual([
      'Page',
      '99 % / 28d',
      '98.85 %',
      '-15 %',
      '2.1× over 3d',
      'exhausted',
    ]);
    expect(await cells('checkout-errors')).toEqual([
      'Ticket',
      '99.9 % / 30d',
      '99.93 %',
      '18 %',
      '3.4× over 1d',
      'in 19 h',
    ]);
    expect(await cells('search-p95')).toEqual([
      'OK',
      '99 % / 28d',
      '≈ 99.6 %',
      '87.5 %',
      '0.4× over 1h',
      'not at this rate',
    ]);
    expect(await cells('invoice-errors')).toEqual(['No data', '99 % / 28d', '—', '—', '—', '—']);
    expect(
      await page
        .getByRole('meter', { name: 'Error budget left for search-p95' })
        .getAttribute('aria-valuenow'),
    ).toBe('87.5');
    await screenshot(page, 'slo-list', { docs: true });

    await page.getByRole('button', { name: /Budget left/ }).click();
    await expect
      .poll(() => rowNames(browser))
      .toEqual(['search-p95', 'checkout-errors', 'checkout-latency', 'invoice-errors']);
    await page.getByLabel('Status').selectOption('ticket');
    await expect.poll(() => rowNames(browser)).toEqual(['checkout-errors']);
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
