import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../support/slack.js';

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  await resetDatabase();
  burnwatch = await startTestApp({ slack: slackConfig(undefined, { botToken: undefined }) });
  api = apiClient(burnwatch.url);
});
afterAll(() => burnwatch.close());

describe('dry-run (no SLACK_BOT_TOKEN)', () => {
  it('keeps the message that would have been sent and shows it through the API', async () => {
    const store = burnwatch.app.get(AlertStore);
    const event = await store.apply(
      sloSpec(),
      { kind: 'fired', severity: 'page' },
      alertSnapshot(),
      new Date('2026-11-25T17:00:00.000Z'),
    );

    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items[0]).toMatchObject({
        kind: 'fired',
        state: 'dry-run',
        channel: '#payments-oncall',
      });
    });
    const list = await api('GET', '/api/v1/notifications');
    expect(list.body.dryRun).toBe(true);
    expect(list.body.items[0].message.text).toMatch(/^\[PAGE\] checkout-latency is burning its error budget/);
    expect(list.body.items[0].message.blocks[0].text.text).toBe(
      '🔴 Page: checkout-latency is burning its error budget',
    );
    const alert = await api('GET', `/api/v1/alerts/${event!.alertId}`);
    expect(alert.body.notifications[0]).toMatchObject({ state: 'dry-run', attempts: 1, error: null });
  });

  it('keeps the test message too, and still needs a channel', async () => {
    const test = await api('POST', '/api/v1/notifications/test', { channel: '#payments-oncall' });
    expect(test.status).toBe(201);
    expect(test.body).toMatchObject({ kind: 'test', state: 'dry-run', channel: '#payments-oncall' });
    expect(test.body.message.text).toContain('Burnwatch test message');

    const missing = await api('POST', '/api/v1/notifications/test', {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'channel', message: 'is required (SLACK_DEFAULT_CHANNEL is not set to fall back on)' },
    ]);
  });
});
