import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../support/slack.js';
import { SlackStandIn } from '../support/slack-standin.js';

/** Transient failures are retried, but not forever: past SLACK_GIVE_UP_AFTER_SECONDS the notification fails. */
let standIn: SlackStandIn;
let burnwatch: RunningBurnwatch;

beforeAll(async () => {
  await resetDatabase();
  standIn = await SlackStandIn.start();
  burnwatch = await startTestApp({ slack: slackConfig(standIn, { giveUpAfterMs: 1_000, retryMaxMs: 200 }) });
});
afterAll(async () => {
  await burnwatch.close();
  await standIn.close();
});

describe('a Slack that keeps failing', () => {
  it('is retried with backoff until the give-up time, then the notification fails with the last error', async () => {
    standIn.inject({ status: 502 }, 10_000, 'chat.postMessage');
    const api = apiClient(burnwatch.url);
    await burnwatch.app
      .get(AlertStore)
      .apply(sloSpec(), { kind: 'fired', severity: 'page' }, alertSnapshot(), new Date());

    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items[0].state).toBe('failed');
    });
    const [notification] = (await api('GET', '/api/v1/notifications')).body.items;
    expect(notification.attempts).toBeGreaterThan(2);
    expect(notification.error).toBe(`gave up after ${notification.attempts} attempts; last error: http_502`);
    // A 502 may hide a stored message, so every retry looked in the channel before posting again.
    expect(standIn.calls('chat.postMessage')).toHaveLength(notification.attempts);
    expect(standIn.calls('conversations.history')).toHaveLength(notification.attempts - 1);
    expect(standIn.history('C0PAYMENTS')).toHaveLength(0);
  });
});
