import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { AlertStore } from '../../../src/alerts/alert-store.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import { ensureUiBuilt, openBrowser, screenshot, type TestBrowser } from '../../support/browser.js';
import { latencySlo } from '../../support/fixtures.js';
import { routeContractApis, story } from './contract-fixtures.js';

const SNAPSHOT = {
  sliPercent: 96.5,
  objective: 99,
  budgetRemainingPercent: 42,
  burnRates: [],
  exhaustionAt: null,
};

describe('the SLO page in a browser', () => {
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

  it('shows the definition, its alert windows and OpenSLO YAML, and says what is missing for the charts', async () => {
    const { page } = browser;
    const created = await call('POST', '/api/v1/slos', latencySlo());
    expect(created.status).toBe(201);
    await page.goto(`${burnwatch.url}/slos/checkout-latency`);

    const definition = page.getByRole('region', { name: 'Definition' });
    await definition.getByText(created.body.errorBudget.description).waitFor();
    expect(await definition.getByText('Slack #payments-oncall').count()).toBe(1);
    const yaml = await page.getByLabel('OpenSLO YAML of this SLO').textContent();
    expect(yaml).toContain('apiVersion: openslo/v1');
    expect(yaml).toContain('name: checkout-latency');
    expect(await definition.locator('table.windows tbody tr').count()).toBeGreaterThan(0);

    // Without SLI history (or without a history API) and without Kubernetes, the page says so instead of charts.
    await page.getByRole('heading', { name: /No data yet|No history on this server yet/ }).waitFor();
    await page.getByRole('heading', { name: 'Kubernetes not connected' }).waitFor();
    await screenshot(page, 'slo-page-no-data');
  });

  it('says so when no SLO has that name', async () => {
    const { page } = browser;
    await page.goto(`${burnwatch.url}/slos/nothing-here`);
    await page.getByRole('heading', { name: 'No such SLO' }).waitFor();
    await page.getByRole('link', { name: 'See every SLO' }).click();
    await page.waitForURL(`${burnwatch.url}/`);
  });

  it('draws the burn-down, SLI and burn-rate charts with deploy markers, folded warnings and the alert timeline', async () => {
    const { page } = browser;
    const created = await call('POST', '/api/v1/slos', latencySlo({ objective: 99 }));
    const s = story(Date.now());
    const store = burnwatch.app.get(AlertStore);
    await store.apply(
      created.body,
      { kind: 'fired', severity: 'page' },
      SNAPSHOT,
      new Date((s.deployAt + 1800) * 1000),
    );
    await store.apply(created.body, { kind: 'resolved' }, SNAPSHOT, new Date((s.deployAt + 9 * 3600) * 1000));
    const requests = await routeContractApis(page, 'checkout-latency', s);

    await page.goto(`${burnwatch.url}/slos/checkout-latency`);
    const budget = page.getByTestId('chart-budget');
    await budget.locator('canvas').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Page');
    expect(await page.getByRole('region', { name: 'Current state' }).textContent()).toContain('-15 %');
    expect(await budget.locator('figcaption').textContent()).toMatch(/error budget is left/);
    await page.getByTestId('chart-sli').locator('canvas').waitFor();
    expect(await page.locator('.small-multiples canvas').count()).toBe(4);

    // The whole 28-day window at a two-hour step is what the page asked for.
    expect(Number(requests[0]!.searchParams.get('to')) - Number(requests[0]!.searchParams.get('from'))).toBe(
      28 * 86_400,
    );

    // The deploy is marked with its short digest; its details show on hover.
    const deploy = budget.getByRole('button', { name: /9e8d7c6b5a4f/ });
    await deploy.hover();
    const details = budget.getByRole('tooltip');
    await details.waitFor();
    expect(await details.textContent()).toContain('Image registry.example/shop/checkout:1.4.3');
    expect(await details.textContent()).toContain('(was 1a2b3c4d5e6f)');
    await screenshot(page, 'slo-page', { docs: true });

    // Kubernetes warnings of one reason are folded into one marker.
    expect(await budget.getByRole('button', { name: 'BackOff ×5' }).count()).toBe(1);
    expect(await budget.getByRole('button', { name: 'Unhealthy ×4' }).count()).toBe(1);

    // The alert from the real alert store is on the timeline.
    const timeline = page.getByRole('region', { name: 'Alert timeline' });
    expect(await timeline.locator('.timeline-bar.severity-page').count()).toBe(1);

    // A shorter range asks for that range and keeps it in the address.
    await page.getByRole('button', { name: '24 hours' }).click();
    await page.waitForURL('**/slos/checkout-latency?range=1d');
    await expect.poll(() => requests.length).toBeGreaterThan(1);
    const last = requests[requests.length - 1]!;
    expect(Number(last.searchParams.get('to')) - Number(last.searchParams.get('from'))).toBe(86_400);
    expect(await page.getByRole('button', { name: '24 hours' }).getAttribute('aria-pressed')).toBe('true');
  });
});
