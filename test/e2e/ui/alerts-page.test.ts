import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../../support/slack-standin.js';
import { slackInteractions } from '../../support/slack-interactions.js';
import { eventually, slackConfig } from '../../support/slack.js';
import type { RunningBurnwatch } from '../../../src/app.js';
import { AlertStore } from '../../../src/alerts/alert-store.js';
import { AlertEntity } from '../../../src/alerts/alert.entity.js';
import { DataSource } from 'typeorm';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';
import {
  accessibilityViolations,
  ensureUiBuilt,
  openBrowser,
  screenshot,
  type TestBrowser,
} from '../../support/browser.js';
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

    // Without a Slack token every notification ends in dry-run; wait for the dispatcher so the page is settled.
    await eventually(async () => {
      const { items } = (await call('GET', '/api/v1/alerts')).body;
      expect(items.flatMap((a: any) => a.notifications.map((n: any) => n.state))).toEqual([
        'dry-run',
        'dry-run',
        'dry-run',
      ]);
    });
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
    expect(await row.locator('td.delivery').textContent()).toBe(
      'Dry run: not sent to #payments-oncall (no Slack token)',
    );

    const recent = page.getByRole('region', { name: /Recent/ });
    const resolved = (await recent.locator('tr[data-slo="checkout-errors"]').textContent())!;
    expect(resolved).toContain('Ticket');
    expect(resolved).toContain('3 h');
    await screenshot(page, 'alerts', { docs: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    await row.getByRole('link', { name: 'checkout-latency' }).click();
    await page.waitForURL('**/slos/checkout-latency');
  });
});

describe('Slack delivery on the alerts page', () => {
  let burnwatch: RunningBurnwatch;
  let slack: SlackStandIn;
  let browser: TestBrowser;

  beforeAll(async () => {
    await ensureUiBuilt();
    await resetDatabase();
    slack = await SlackStandIn.start();
    burnwatch = await startTestApp({ slack: slackConfig(slack) });
    browser = await openBrowser();
  });
  afterAll(async () => {
    const errors = browser?.pageErrors ?? [];
    await browser?.close();
    await burnwatch?.close();
    await slack?.close();
    expect(errors).toEqual([]);
  });

  it("shows each alert's delivery: sent, pending while Slack rate-limits, failed with Slack's error", async () => {
    const call = apiClient(burnwatch.url);
    const store = burnwatch.app.get(AlertStore);
    const fire = async (name: string, channel: string) => {
      const slo = (
        await call('POST', '/api/v1/slos', errorRateSlo({ name, notify: { slackChannel: channel } }))
      ).body;
      const fired = await store.apply(
        slo,
        { kind: 'fired', severity: 'ticket' },
        snapshot(99.5, 80),
        new Date(),
      );
      return fired!.alertId;
    };
    const deliveryOf = async (id: string) =>
      (await call('GET', `/api/v1/alerts/${id}`)).body.notifications[0];

    // Through the real outbox and dispatcher, against a local Slack stand-in.
    const sent = await fire('sent-slo', '#payments-oncall');
    await eventually(async () => expect((await deliveryOf(sent))?.state).toBe('sent'));
    const failed = await fire('failed-slo', '#not-joined');
    await eventually(async () => expect((await deliveryOf(failed))?.state).toBe('failed'));
    slack.inject({ status: 429, retryAfterSeconds: 600 }, 1, 'chat.postMessage');
    const pending = await fire('pending-slo', '#payments-oncall');
    await eventually(async () => expect((await deliveryOf(pending))?.attempts).toBeGreaterThan(0));

    const { page } = browser;
    await page.goto(`${burnwatch.url}/alerts`);
    const cell = (name: string) => page.locator(`tr[data-slo="${name}"] td.delivery`);
    await cell('failed-slo').waitFor();
    expect(await cell('sent-slo').textContent()).toBe('Sent to #payments-oncall');
    expect(await cell('pending-slo').textContent()).toMatch(/^Pending \(1 of 1, retrying after 1 attempt\)/);
    expect(await cell('failed-slo').textContent()).toMatch(/^Failed \(1 of 1\)#not-joined: .*not_in_channel/);
    await screenshot(page, 'alerts-delivery');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});

describe('what was done from Slack, on the alerts page', () => {
  const SECRET = 'ui-signing-secret-0123456789abcdef';
  let burnwatch: RunningBurnwatch;
  let slack: SlackStandIn;
  let browser: TestBrowser;

  beforeAll(async () => {
    await ensureUiBuilt();
    await resetDatabase();
    slack = await SlackStandIn.start();
    burnwatch = await startTestApp({ slack: slackConfig(slack, { signingSecret: SECRET }) });
    browser = await openBrowser();
  });
  afterAll(async () => {
    const errors = browser?.pageErrors ?? [];
    await browser?.close();
    await burnwatch?.close();
    await slack?.close();
    expect(errors).toEqual([]);
  });

  it('shows who acknowledged and silenced a firing alert, and why it was not a real burn', async () => {
    const call = apiClient(burnwatch.url);
    const { blockActions, viewSubmission, send } = slackInteractions(SECRET, () => new Date());
    const slo = (await call('POST', '/api/v1/slos', latencySlo({ objective: 99 }))).body;
    const fired = await burnwatch.app
      .get(AlertStore)
      .apply(
        slo,
        { kind: 'fired', severity: 'page' },
        snapshot(96.5, 42),
        new Date(Date.now() - 20 * 60_000),
      );
    const alertId = fired!.alertId;
    await eventually(() => expect(slack.okCalls('chat.postMessage')).toHaveLength(1));
    const ts = String(slack.okCalls('chat.postMessage')[0]!.response!.ts);

    // Alice clicks on the message in Slack: signed requests to the interactivity URL, as Slack sends them.
    for (const action of ['burnwatch_acknowledge', 'burnwatch_silence_1h', 'burnwatch_not_real_burn']) {
      const answer = await send(burnwatch.url, blockActions(action, alertId, ts));
      expect(answer.status, answer.text).toBe(200);
    }
    await eventually(() => expect(slack.views).toHaveLength(1));
    const submitted = await send(
      burnwatch.url,
      viewSubmission(slack.views[0]!.view.private_metadata, 'planned load test LOAD-17'),
    );
    expect(submitted.status, submitted.text).toBe(200);
    const { annotations } = (await call('GET', `/api/v1/alerts/${alertId}`)).body;
    expect(annotations.map((a: any) => a.kind)).toEqual(['acknowledged', 'silenced', 'notARealBurn']);

    const { page } = browser;
    await page.goto(`${burnwatch.url}/alerts`);
    const row = page.getByRole('region', { name: /Firing/ }).locator(`tr[data-alert="${alertId}"]`);
    await row.waitFor();
    const time = '\\d{1,2} \\w{3}, \\d\\d:\\d\\d';
    const lines = await row.locator('td.annotations li').allTextContents();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^Acknowledged by @alice at ${time}$`));
    expect(lines[1]).toMatch(new RegExp(`^Silenced until ${time} by @alice at ${time}$`));
    expect(lines[2]).toMatch(
      new RegExp(
        `^Not a real burn, says @alice at ${time}: planned load test LOAD-17 \\(${time} to ${time} left out of the budget\\)$`,
      ),
    );
    // The silence the button made holds the alert's notifications, and says so beside them.
    expect(await row.locator('td.silence').textContent()).toMatch(
      new RegExp(`^Silenced until ${time} by alice \\(Slack U0ALICE01\\) — `),
    );
    await screenshot(page, 'alerts-annotations');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
