import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { SensorScraperService } from '../../../src/integrations/metrics/sensor-scraper.service.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  screenshot,
  type TestBrowser,
} from '../../support/browser.js';
import { SensorStandIn } from '../../support/sensor-standin.js';

const TOKEN = 'workloads-ui-test-token';
const IMAGE = 'sha256:' + '4c1e'.repeat(16);

describe('workloads in a browser', () => {
  let burnwatch: RunningBurnwatch;
  let call: ReturnType<typeof apiClient>;
  let browser: TestBrowser;
  let sensor: SensorStandIn;

  beforeAll(() => ensureUiBuilt());
  // A fresh service per test: the SLI storage keeps the series it has seen in memory.
  beforeEach(async () => {
    await resetDatabase();
    burnwatch = await startTestApp({ apiToken: TOKEN });
    call = apiClient(burnwatch.url, TOKEN);
    // Real sensor-shaped data through the real scraper, over the last two minutes of the real clock.
    sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout', imageId: IMAGE }).start();
    const scraper = burnwatch.app.get(SensorScraperService);
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    await scraper.scrapeAll(at(120), [sensor.url]);
    for (const secondsAgo of [60, 0]) {
      sensor.record(195, 200, 0.02, { route: '/api/cart' });
      sensor.record(3, 200, 0.7, { route: '/api/cart' });
      sensor.record(2, 503, 0.02, { route: '/api/pay', method: 'POST' });
      await scraper.scrapeAll(at(secondsAgo), [sensor.url]);
    }
    browser = await openBrowser();
  });
  afterEach(async () => {
    const errors = browser.pageErrors;
    await browser.close();
    await sensor.stop();
    await burnwatch.close();
    expect(errors).toEqual([]);
  });

  /** The 401 and 400 answers the test provokes show in the console; nothing else may. */
  const expectOnlyRefusals = () => {
    expect(
      browser.pageErrors.every((e) => /status of 40[01]/.test(e)),
      browser.pageErrors.join('\n'),
    ).toBe(true);
    browser.pageErrors.splice(0);
  };

  it('lists what the sensor reports and creates a latency SLO from the form, which then shows in the SLO list', async () => {
    const { page } = browser;
    await page.goto(`${burnwatch.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workloads' }).click();
    await page.waitForURL('**/workloads');
    const card = page.getByRole('article', { name: /shop\/checkout/ });
    await card.waitFor();
    expect(await card.locator('dl').textContent()).toContain('1 %'); // 2 failures in 200
    expect(await card.locator('dl').textContent()).toMatch(/P95 latency≈ \d+ ms/);
    expect(await card.getByRole('rowheader').allTextContents()).toEqual(['GET /api/cart', 'POST /api/pay']);
    expect(await card.textContent()).toContain('SLOs: none yet');
    expect(await card.textContent()).toContain('4c1e4c1e4c1e');
    // The test config turns the service's own sensor off; the page says so and how to turn it on.
    expect(
      await page.getByRole('status').filter({ hasText: 'sensor on this machine' }).textContent(),
    ).toMatch(
      /^The sensor on this machine is off: BURNWATCH_SENSOR is off\. To change that: set BURNWATCH_SENSOR=auto/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);

    await card.getByRole('button', { name: 'Create SLO for shop/checkout' }).click();
    const form = card.getByRole('form', { name: 'New SLO for shop/checkout' });
    expect(await form.getByLabel('Name').inputValue()).toBe('checkout-errors');
    expect(await form.getByLabel('Objective (%)').inputValue()).toBe('99.9');
    expect(await form.getByLabel('Window').inputValue()).toBe('30d');
    // Latency: the threshold starts at the bucket bound at or above the P99 (3 in 200 slow at 0.7 s: 750 ms).
    await form.getByLabel('Indicator').selectOption('latency');
    expect(await form.getByLabel('Name').inputValue()).toBe('checkout-latency');
    expect(await form.getByLabel('Threshold (ms)').inputValue()).toBe('750');
    expect(await form.getByLabel('Objective (%)').inputValue()).toBe('99');
    await form.getByLabel('Route').selectOption({ label: 'GET /api/cart' });

    // The server has an API token: without it the write is refused, and the form asks for it.
    await form.getByRole('button', { name: 'Create SLO' }).click();
    await form.getByRole('alert').getByText('API token').waitFor();
    await form.getByLabel('API token (when the server has one)').fill(TOKEN);
    // A 400 names the field to fix.
    await form.getByLabel('Objective (%)').fill('0.99');
    await form.getByRole('button', { name: 'Create SLO' }).click();
    await form.getByRole('alert').getByText('Objective is a percentage, not a ratio').waitFor();
    expect(await form.getByLabel('Objective (%)').getAttribute('aria-invalid')).toBe('true');
    expectOnlyRefusals();
    expect(await accessibilityViolations(page)).toEqual([]);

    await form.getByLabel('Objective (%)').fill('99');
    await form.getByRole('button', { name: 'Create SLO' }).click();
    await form.getByRole('status').getByText('SLO created: checkout-latency').waitFor();
    await card.getByText('SLOs: checkout-latency').waitFor(); // the list reloads: the SLO now covers it
    await screenshot(page, 'workloads', { docs: true });
    const stored = (await call('GET', '/api/v1/slos/checkout-latency')).body;
    expect(stored).toMatchObject({
      service: { namespace: 'shop', workload: 'checkout', route: '/api/cart', method: 'GET' },
      indicator: { type: 'latency', thresholdMs: 750 },
      objective: 99,
      window: '30d',
    });

    await form.getByRole('link', { name: 'checkout-latency' }).click();
    await page.waitForURL('**/slos/checkout-latency');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SLOs' }).click();
    await page.locator('tr[data-slo="checkout-latency"]').waitFor();
  });

  it('offers the observed workloads on the empty SLO list and creates the first SLO from there', async () => {
    const { page } = browser;
    await page.goto(`${burnwatch.url}/`);
    await page.getByRole('heading', { name: 'No SLOs yet' }).waitFor();
    const observed = page.getByRole('region', { name: 'Start from what the sensor sees' });
    const card = observed.getByRole('article', { name: /shop\/checkout/ });
    await card.getByRole('button', { name: 'Create SLO for shop/checkout' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);
    const form = card.getByRole('form', { name: 'New SLO for shop/checkout' });
    await form.getByLabel('API token (when the server has one)').fill(TOKEN);
    await form.getByRole('button', { name: 'Create SLO' }).click();
    // The list reloads and shows the new SLO instead of the empty state.
    await page.locator('tr[data-slo="checkout-errors"]').waitFor();
    expect(await page.getByRole('heading', { name: 'No SLOs yet' }).count()).toBe(0);
    expect((await call('GET', '/api/v1/slos/checkout-errors')).body).toMatchObject({
      service: { namespace: 'shop', workload: 'checkout' },
      indicator: { type: 'errorRate', errorStatus: '5xx' },
      objective: 99.9,
      window: '30d',
    });
  });
});
