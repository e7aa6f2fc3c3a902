import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { AlertStore } from '../../../src/alerts/alert-store.js';
import { SloEngine } from '../../../src/alerts/engine/slo-engine.service.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  screenshot,
  type TestBrowser,
} from '../../support/browser.js';
import { errorRateSlo, latencySlo } from '../../support/fixtures.js';
import { DEPLOY_DIGEST, OLD_DIGEST, badDeploy, startWithCluster, type Cluster } from './cluster-story.js';
import { checkoutStory, evaluateNow, expectedBudgetLeft, minuteOf, seedTraffic } from './seed-sli.js';

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
  let cluster: Cluster | undefined;

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
    if (cluster) await cluster.stop();
    else await burnwatch.close();
    cluster = undefined;
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

    // Without SLI history and without Kubernetes, the page says so instead of drawing empty charts.
    await page.getByRole('heading', { name: 'No data yet' }).waitFor();
    await page.getByRole('heading', { name: 'Kubernetes not connected' }).waitFor();
    await screenshot(page, 'slo-page-no-data');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it("shows which gRPC status codes count as errors: the default set when the SLO names none, else the SLO's own", async () => {
    const { page } = browser;
    expect((await call('POST', '/api/v1/slos', errorRateSlo())).status).toBe(201);
    const custom = errorRateSlo({
      name: 'cart-grpc-errors',
      indicator: { type: 'errorRate', grpcErrorCodes: ['UNAVAILABLE', 'NOT_FOUND'] },
    });
    expect((await call('POST', '/api/v1/slos', custom)).status).toBe(201);
    expect((await call('POST', '/api/v1/slos', latencySlo())).status).toBe(201);

    await page.goto(`${burnwatch.url}/slos/checkout-errors`);
    const definition = page.getByRole('region', { name: 'Definition' });
    await definition.getByText('gRPC errors', { exact: true }).waitFor();
    expect(await definition.locator('dt:has-text("gRPC errors") + dd').textContent()).toBe(
      'gRPC calls ending with UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS are bad' +
        ' (the default set: this SLO names no grpcErrorCodes)',
    );

    await page.goto(`${burnwatch.url}/slos/cart-grpc-errors`);
    await definition.getByText('UNAVAILABLE, NOT_FOUND', { exact: false }).waitFor();
    expect(await definition.locator('dt:has-text("gRPC errors") + dd').textContent()).toBe(
      "gRPC calls ending with UNAVAILABLE, NOT_FOUND are bad (this SLO's grpcErrorCodes)",
    );
    expect(await accessibilityViolations(page)).toEqual([]);

    // A latency SLO has no error codes to show.
    await page.goto(`${burnwatch.url}/slos/checkout-latency`);
    await definition.getByText('Indicator', { exact: true }).waitFor();
    expect(await definition.getByText('gRPC errors', { exact: true }).count()).toBe(0);
  });

  it('says so when no SLO has that name', async () => {
    const { page } = browser;
    await page.goto(`${burnwatch.url}/slos/nothing-here`);
    await page.getByRole('heading', { name: 'No such SLO' }).waitFor();
    await page.getByRole('link', { name: 'See every SLO' }).click();
    await page.waitForURL(`${burnwatch.url}/`);
  });

  it('draws the burn-down, SLI and burn-rate charts from the stored history, with deploy markers and the alert timeline', async () => {
    const { page } = browser;
    const nowMinute = minuteOf(Date.now());
    const story = checkoutStory(nowMinute, {
      before: `docker.io/shop/checkout@${OLD_DIGEST}`,
      after: `docker.io/shop/checkout@${DEPLOY_DIGEST}`,
    });
    // This test's service watches a Kubernetes stand-in, where the bad deploy happens.
    await burnwatch.close();
    cluster = await startWithCluster(story.deployMinute * 60);
    burnwatch = cluster.burnwatch;
    call = apiClient(burnwatch.url);
    await badDeploy(cluster, story.deployMinute * 60);
    const created = await call('POST', '/api/v1/slos', errorRateSlo({ objective: 99, window: '7d' }));
    const seeded = await seedTraffic(burnwatch, story, nowMinute - 7 * 1_440 + 10, nowMinute);
    const deployAt = story.deployMinute * 60;
    // The alert of the bad deploy, two days ago, as the engine would have recorded it.
    const store = burnwatch.app.get(AlertStore);
    const slo = created.body;
    await store.apply(slo, { kind: 'fired', severity: 'page' }, SNAPSHOT, new Date((deployAt + 600) * 1000));
    await store.apply(slo, { kind: 'resolved' }, SNAPSHOT, new Date((deployAt + 7 * 3600) * 1000));
    // Then the engine evaluates the history: the burn of the last minutes pages.
    await evaluateNow(burnwatch);
    const requests: URL[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/timeseries?')) requests.push(new URL(r.url()));
    });

    await page.goto(`${burnwatch.url}/slos/checkout-errors`);
    const budget = page.getByTestId('chart-budget');
    await budget.locator('canvas').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Page');
    const state = (await page.getByRole('region', { name: 'Current state' }).textContent())!;
    expect(state).toContain(`${Number(expectedBudgetLeft(seeded, 99).toFixed(1))} %`);
    expect(await budget.locator('figcaption').textContent()).toMatch(/error budget is left/);
    await page.getByTestId('chart-sli').locator('canvas').waitFor();
    // One burn-rate chart per alert window of a 7-day SLO's default policy.
    expect(await page.locator('.small-multiples canvas').count()).toBe(slo.effectiveAlerting.windows.length);

    // The whole 7-day window is what the page asked for, and the server's series have the seeded incident in them.
    const first = requests[0]!;
    expect(Number(first.searchParams.get('to')) - Number(first.searchParams.get('from'))).toBe(7 * 86_400);
    const series = await call('GET', `/api/v1/slos/checkout-errors/timeseries${first.search}`);
    expect(
      Math.min(...series.body.budgetRemainingPercent.filter((v: number | null) => v !== null)),
    ).toBeLessThan(0);

    // The deploy is marked with its short digest; its details show on hover.
    const deploy = budget.getByRole('button', { name: /9e8d7c6b5a4f/ });
    await deploy.hover();
    const details = budget.getByRole('tooltip');
    await details.waitFor();
    expect(await details.textContent()).toContain('Image shop/checkout:1.4.3');
    expect(await details.textContent()).toContain('(was 1a2b3c4d5e6f)');
    await screenshot(page, 'slo-page', { docs: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    // Kubernetes warnings of one reason are folded into one marker.
    expect(await budget.getByRole('button', { name: 'BackOff ×5' }).count()).toBe(1);
    expect(await budget.getByRole('button', { name: 'Unhealthy ×4' }).count()).toBe(1);

    // The alert of the bad deploy is on the timeline, and so is the page the engine raised for the burn now.
    const timeline = page.getByRole('region', { name: 'Alert timeline' });
    expect(await timeline.locator('.timeline-bar.severity-page').count()).toBe(2);

    // The correlation compared the images when that alert fired (over the lookback and the burn, from the
    // engine's per-image storage): the new image served 80 % good, the old one all good.
    const images = page.getByRole('region', { name: 'Per-image comparison' });
    const imageRows = await images
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(imageRows.map((r) => [r[0], r[1], r[4]])).toEqual([
      ['checkout:1.4.2', '1a2b3c4d5e6f', '100 %'],
      ['checkout:1.4.3', '9e8d7c6b5a4f', '80 %'],
    ]);
    // And it names the deploy as the suspect, confirmed by the images.
    const alerts = (await call('GET', '/api/v1/alerts?slo=checkout-errors&state=resolved')).body.items;
    expect(alerts[0].correlation.suspects[0]).toMatchObject({ kind: 'deploy', digest: DEPLOY_DIGEST });

    // A shorter range asks for that range and keeps it in the address.
    await page.getByRole('button', { name: '24 hours' }).click();
    await page.waitForURL('**/slos/checkout-errors?range=1d');
    await expect.poll(() => requests.length).toBeGreaterThan(1);
    const last = requests[requests.length - 1]!;
    expect(Number(last.searchParams.get('to')) - Number(last.searchParams.get('from'))).toBe(86_400);
    expect(await page.getByRole('button', { name: '24 hours' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('chart-budget').locator('canvas').waitFor();
    // A day reads minutes only: nothing to say about resolution.
    expect(await page.locator('.resolution-note').count()).toBe(0);

    // Once the history older than 26 h is rolled up into hours, the week's charts say so.
    await burnwatch.app.get(SloEngine).maintainStorage(new Date(), 31);
    await page.goto(`${burnwatch.url}/slos/checkout-errors`);
    await page.getByTestId('chart-budget').locator('canvas').waitFor();
    expect(await page.locator('.resolution-note').textContent()).toMatch(/the data is stored per hour/);
  });
});
