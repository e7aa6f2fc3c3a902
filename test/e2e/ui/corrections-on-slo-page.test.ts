import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  type TestBrowser,
} from '../../support/browser.js';
import { errorRateSlo } from '../../support/fixtures.js';
import { checkoutStory, evaluateNow, minuteOf, seedTraffic } from './seed-sli.js';

describe('budget corrections on the SLO page', () => {
  let burnwatch: RunningBurnwatch;
  let browser: TestBrowser;

  beforeAll(() => ensureUiBuilt());
  beforeEach(async () => {
    await resetDatabase();
    burnwatch = await startTestApp();
    browser = await openBrowser();
  });
  afterEach(async () => {
    const errors = browser.pageErrors;
    await browser.close();
    await burnwatch.close();
    expect(errors).toEqual([]);
  });

  it('lists the corrected time, counts its minutes and leaves its failures out of the budget', async () => {
    const call = apiClient(burnwatch.url);
    const nowMinute = minuteOf(Date.now());
    expect((await call('POST', '/api/v1/slos', errorRateSlo({ objective: 99, window: '7d' }))).status).toBe(
      201,
    );
    await seedTraffic(burnwatch, checkoutStory(nowMinute), nowMinute - 7 * 1_440 + 10, nowMinute);
    await evaluateNow(burnwatch);
    const before = (await call('GET', '/api/v1/slos/checkout-errors/status')).body;

    // The incident of a day ago (two hours of 20 % errors) was an upstream outage: correct it.
    const start = new Date((nowMinute - 1_440) * 60_000);
    const end = new Date((nowMinute - 1_440 + 120) * 60_000);
    const correction = await call('POST', '/api/v1/slos/checkout-errors/corrections', {
      start: start.toISOString(),
      end: end.toISOString(),
      reason: 'upstream payment provider outage',
    });
    expect(correction.status).toBe(201);
    await evaluateNow(burnwatch);
    const after = (await call('GET', '/api/v1/slos/checkout-errors/status')).body;
    expect(after.corrections).toEqual({ excludedMinutes: 120, activeNow: false });
    expect(after.errorBudget.consumedEvents).toBe(before.errorBudget.consumedEvents - 120 * 25);

    const { page } = browser;
    await page.goto(`${burnwatch.url}/slos/checkout-errors`);
    const section = page.getByRole('region', { name: 'Budget corrections' });
    await section.waitFor();
    expect(await section.locator('li').count()).toBe(1);
    const state = (await page.getByRole('region', { name: 'Current state' }).textContent())!;
    expect(state).toContain('120 min left out');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
