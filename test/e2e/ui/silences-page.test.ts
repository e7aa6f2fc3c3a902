import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { AlertStore } from '../../../src/alerts/alert-store.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  screenshot,
  type TestBrowser,
} from '../../support/browser.js';
import { latencySlo } from '../../support/fixtures.js';
import { alertSnapshot } from '../../support/slack.js';

const TOKEN = 'silences-ui-test-token';

describe('silences in a browser', () => {
  let burnwatch: RunningBurnwatch;
  let call: ReturnType<typeof apiClient>;
  let browser: TestBrowser;

  beforeAll(async () => {
    await ensureUiBuilt();
    burnwatch = await startTestApp({ apiToken: TOKEN });
    call = apiClient(burnwatch.url, TOKEN);
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

  it('silences a firing alert from the alerts page, shows who silenced it until when, and expires it', async () => {
    const { page } = browser;
    const slo = (await call('POST', '/api/v1/slos', latencySlo())).body;
    await burnwatch.app
      .get(AlertStore)
      .apply(slo, { kind: 'fired', severity: 'page' }, alertSnapshot(), new Date(Date.now() - 600_000));

    await page.goto(`${burnwatch.url}/alerts`);
    const row = page.locator('tr[data-slo="checkout-latency"]');
    await row.getByRole('link', { name: 'Silence this alert…' }).click();
    await page.waitForURL('**/silences?slo=checkout-latency');
    const form = page.getByRole('region', { name: 'New silence' });
    expect(await form.getByLabel('Value').inputValue()).toBe('checkout-latency');
    await form.getByLabel('For').selectOption({ label: '4 hours' });
    await form.getByLabel('Created by').fill('alice');
    await form.getByLabel('Comment').fill('rollback in progress');

    // The server has an API token: without it the write is refused, and the form says which field to fix.
    await form.getByRole('button', { name: 'Create silence' }).click();
    await form.getByRole('alert').getByText('API token').waitFor();
    expect(browser.pageErrors.every((e) => /status of 401/.test(e))).toBe(true);
    browser.pageErrors.splice(0);

    await form.getByLabel('API token').fill(TOKEN);
    await form.getByRole('button', { name: 'Create silence' }).click();
    await form.getByRole('status').getByText('Silence created: slo="checkout-latency"').waitFor();
    const list = page.getByRole('region', { name: 'Silences', exact: true });
    const silenceRow = list.locator('tbody tr').first();
    await silenceRow.getByText('Active').waitFor();
    expect(await silenceRow.textContent()).toContain('alicerollback in progress');
    await screenshot(page, 'silences');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto(`${burnwatch.url}/alerts`);
    const silenced = page.locator('tr[data-slo="checkout-latency"] td.silence');
    await silenced.getByText(/^Silenced until/).waitFor();
    expect(await silenced.textContent()).toMatch(
      /^Silenced until \d+ \w+, \d\d:\d\d by alice — rollback in progress$/,
    );
    // Still firing: the silence holds notifications, not the alert.
    await page.getByRole('region', { name: /Firing \(1\)/ }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto(`${burnwatch.url}/silences`);
    await list.getByRole('button', { name: /^Expire/ }).click();
    await list.locator('tbody tr').first().getByText('Expired').waitFor();
    expect(await list.getByRole('button', { name: /^Expire/ }).count()).toBe(0);
    const stored = (await call('GET', '/api/v1/silences')).body.items;
    expect(stored).toMatchObject([{ createdBy: 'alice', status: { state: 'expired' } }]);
  });
});
