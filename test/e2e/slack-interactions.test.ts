import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { latencySlo } from '../support/fixtures.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../support/slack.js';
import { slackSignature } from '../../src/integrations/slack/domain/slack-interaction.js';
import { SlackStandIn } from '../support/slack-standin.js';
import { slackInteractions, type Signing } from '../support/slack-interactions.js';

/**
 * Slack's buttons over HTTP, as Slack sends them: form-encoded `payload=` bodies shaped like Slack's block_actions
 * and view_submission, signed with the real v0 algorithm; the real @slack/web-api client edits the message and
 * opens the modal on the Slack stand-in. Time is the test's clock (the silence's hour, the signature's 5 minutes).
 */
const T0 = new Date('2026-11-10T12:00:00Z');
const SECRET = 'e2e-signing-secret-0123456789abcdef';
const TOKEN = 'interactions-test-token';
const clock = new ManualClock(T0);
let burnwatch: RunningBurnwatch;
let slack: SlackStandIn;
let api: ReturnType<typeof apiClient>;
let store: AlertStore;
const checkout = sloSpec();

beforeAll(async () => {
  slack = await SlackStandIn.start();
  burnwatch = await startTestApp(
    { apiToken: TOKEN, slack: slackConfig(slack, { signingSecret: SECRET }) },
    clock,
  );
  api = apiClient(burnwatch.url, TOKEN);
  store = burnwatch.app.get(AlertStore);
});
afterAll(async () => {
  await burnwatch.close();
  await slack.close();
});
beforeEach(async () => {
  await resetDatabase();
  slack.reset();
  clock.set(T0);
  expect((await api('POST', '/api/v1/slos', latencySlo({ ...checkout, source: undefined }))).status).toBe(
    201,
  );
});

/** Fires an alert and waits for its Slack message; returns the alert's id and the message's ts. */
async function fire(severity: 'ticket' | 'page' = 'ticket') {
  const event = await store.apply(checkout, { kind: 'fired', severity }, alertSnapshot(), clock.now());
  await eventually(() => expect(slack.okCalls('chat.postMessage')).toHaveLength(1));
  return { alertId: event!.alertId, ts: String(slack.okCalls('chat.postMessage')[0]!.response!.ts) };
}

const { blockActions, viewSubmission, send: sendTo } = slackInteractions(SECRET, () => clock.now());
const send = (payload: unknown, signing: Signing = {}, url = burnwatch.url) => sendTo(url, payload, signing);

async function counts() {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  const { rows } = await client.query<{ silences: string; annotations: string; corrections: string }>(
    `SELECT (SELECT count(*) FROM silences) AS silences, (SELECT count(*) FROM alert_annotations) AS annotations,
            (SELECT count(*) FROM slo_corrections) AS corrections`,
  );
  await client.end();
  return {
    silences: Number(rows[0]!.silences),
    annotations: Number(rows[0]!.annotations),
    corrections: Number(rows[0]!.corrections),
  };
}

const lastUpdateText = () => JSON.stringify(slack.okCalls('chat.update').at(-1)?.args.blocks ?? []);

describe('the buttons on an alert message', () => {
  it('are on the firing message, each carrying the alert id', async () => {
    const { alertId } = await fire();
    const blocks = slack.okCalls('chat.postMessage')[0]!.args.blocks as any[];
    const actions = blocks.at(-1);
    expect(actions.type).toBe('actions');
    expect(actions.elements.map((e: any) => e.text.text)).toEqual([
      'Acknowledge',
      'Silence 1 h',
      'Silence 4 h',
      'Silence until resolved',
      'Not a real burn…',
    ]);
    expect(actions.elements.every((e: any) => e.value === alertId)).toBe(true);
  });
});

describe('Silence 1 h from Slack', () => {
  it('creates a silence as the Slack user, edits the message, and holds the alert for an hour while it stays firing', async () => {
    const { alertId, ts } = await fire('ticket');
    const answer = await send(blockActions('burnwatch_silence_1h', alertId, ts));
    expect(answer.status, answer.text).toBe(200);

    const silences = (await api('GET', '/api/v1/silences')).body.items;
    expect(silences).toMatchObject([
      {
        alertId,
        createdBy: 'alice (Slack U0ALICE01)',
        comment: 'Silenced from Slack for 1 h',
        startsAt: T0.toISOString(),
        endsAt: '2026-11-10T13:00:00.000Z',
        matchers: [{ name: 'slo', value: 'checkout-latency', isRegex: false, isEqual: true }],
        status: { state: 'active' },
      },
    ]);
    // The message, edited in place: who silenced it and until when; the buttons stay.
    const update = slack.okCalls('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0PAYMENTS', ts });
    expect(lastUpdateText()).toContain('🔕 Silenced until <!date^1794315600^');
    expect(lastUpdateText()).toContain('by <@U0ALICE01>');
    expect(slack.history('C0PAYMENTS')[0]!.edited).toBe(true);

    // Still firing and shown so in the API, with the silence and the annotation.
    const shown = (await api('GET', `/api/v1/alerts/${alertId}`)).body;
    expect(shown).toMatchObject({ state: 'firing', silence: { id: silences[0].id } });
    expect(shown.annotations).toMatchObject([
      {
        kind: 'silenced',
        createdBy: 'alice (Slack U0ALICE01)',
        slackUserId: 'U0ALICE01',
        at: T0.toISOString(),
      },
    ]);

    // Within the hour an escalation is held, not told.
    clock.advance(30 * 60);
    await store.apply(checkout, { kind: 'escalated', severity: 'page' }, alertSnapshot(), clock.now());
    await eventually(async () => {
      const notes = (await api('GET', `/api/v1/alerts/${alertId}`)).body.notifications;
      expect(notes.map((n: { state: string }) => n.state)).toEqual(['sent', 'held']);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.okCalls('chat.postMessage')).toHaveLength(1);

    // After the hour the current state is told once, in the thread.
    clock.advance(31 * 60);
    await eventually(() => expect(slack.okCalls('chat.postMessage')).toHaveLength(2));
    const reply = slack.okCalls('chat.postMessage')[1]!;
    expect(reply.args.thread_ts).toBe(ts);
    expect(String(reply.args.text)).toMatch(/^Escalated: checkout-latency is now a page/);
    expect((await api('GET', `/api/v1/alerts/${alertId}`)).body).toMatchObject({
      state: 'firing',
      silence: null,
    });
  });

  it('is carried out once when the same signed request comes twice', async () => {
    const { alertId, ts } = await fire();
    const payload = blockActions('burnwatch_silence_4h', alertId, ts);
    expect((await send(payload)).status).toBe(200);
    expect((await send(payload)).status).toBe(200);
    expect(await counts()).toMatchObject({ silences: 1, annotations: 1 });
    expect((await api('GET', '/api/v1/silences')).body.items[0].endsAt).toBe('2026-11-10T16:00:00.000Z');
  });

  it('until resolved waits for the alert', async () => {
    const { alertId, ts } = await fire();
    expect((await send(blockActions('burnwatch_silence_until_resolved', alertId, ts))).status).toBe(200);
    expect((await api('GET', '/api/v1/silences')).body.items).toMatchObject([
      { alertId, untilResolved: true, endsAt: null, status: { state: 'active' } },
    ]);
    expect(lastUpdateText()).toContain('🔕 Silenced until the alert resolves by <@U0ALICE01>');
  });
});

describe('requests that are not Slack’s', () => {
  const cases: { name: string; signing: Signing }[] = [
    { name: 'unsigned', signing: { unsigned: true } },
    { name: 'replayed after 5 minutes (stale timestamp)', signing: { timestamp: T0.getTime() / 1000 - 301 } },
    { name: 'from the future', signing: { timestamp: T0.getTime() / 1000 + 301 } },
    { name: 'signed with another secret', signing: { secret: 'someone-elses-signing-secret' } },
    {
      name: 'tampered after signing (another user)',
      signing: { tamper: (body) => body.replaceAll('alice', 'mallory') },
    },
  ];
  it.each(cases)('$name: 401 and nothing created', async ({ signing }) => {
    const { alertId, ts } = await fire();
    const updates = slack.okCalls('chat.update').length;
    for (const action of ['burnwatch_acknowledge', 'burnwatch_silence_1h']) {
      const answer = await send(blockActions(action, alertId, ts), signing);
      expect(answer.status).toBe(401);
      expect(answer.body.errors[0].field).toBe('X-Slack-Signature');
    }
    expect(await counts()).toEqual({ silences: 0, annotations: 0, corrections: 0 });
    expect(slack.okCalls('chat.update')).toHaveLength(updates);
  });

  it('a JSON body cannot be checked: 401', async () => {
    const { alertId, ts } = await fire();
    const body = JSON.stringify(blockActions('burnwatch_acknowledge', alertId, ts));
    const timestamp = String(T0.getTime() / 1000);
    const response = await fetch(`${burnwatch.url}/api/v1/slack/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': slackSignature(SECRET, timestamp, body),
      },
      body,
    });
    expect(response.status).toBe(401);
    expect(await counts()).toMatchObject({ annotations: 0 });
  });
});

describe('Acknowledge', () => {
  it('records who is on it, shows it on the message, and an escalation is still told', async () => {
    const { alertId, ts } = await fire('ticket');
    expect((await send(blockActions('burnwatch_acknowledge', alertId, ts))).status).toBe(200);
    expect(lastUpdateText()).toContain('✋ Acknowledged by <@U0ALICE01>');
    expect((await api('GET', `/api/v1/alerts/${alertId}`)).body.annotations).toMatchObject([
      { kind: 'acknowledged', createdBy: 'alice (Slack U0ALICE01)' },
    ]);

    clock.advance(600);
    await store.apply(checkout, { kind: 'escalated', severity: 'page' }, alertSnapshot(), clock.now());
    await eventually(() => expect(slack.okCalls('chat.postMessage')).toHaveLength(2));
    expect(slack.okCalls('chat.postMessage')[1]!.args.thread_ts).toBe(ts);
    // The root, brought to the page, still says who acknowledged it.
    await eventually(() =>
      expect(lastUpdateText()).toMatch(/Page: checkout-latency.*Acknowledged by <@U0ALICE01>/),
    );
  });
});

describe('Not a real burn…', () => {
  it('opens a modal, then records a budget correction over the alert and a note on the message', async () => {
    const { alertId, ts } = await fire();
    expect((await send(blockActions('burnwatch_not_real_burn', alertId, ts))).status).toBe(200);
    expect(slack.okCalls('views.open')).toHaveLength(1);
    const opened = slack.views[0]!;
    expect(opened.triggerId).toBe('4012345678.1234567890.0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(opened.view.callback_id).toBe('burnwatch_not_real_burn');
    expect(await counts()).toMatchObject({ annotations: 0, corrections: 0 });

    // An empty reason keeps the modal open with a message.
    const empty = await send(viewSubmission(opened.view.private_metadata, '  '));
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });

    clock.advance(20 * 60);
    const answer = await send(viewSubmission(opened.view.private_metadata, 'planned load test LOAD-17'));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toBe('');
    const corrections = (await api('GET', '/api/v1/slos/checkout-latency/corrections')).body.items;
    expect(corrections).toMatchObject([
      {
        kind: 'oneOff',
        start: T0.toISOString(),
        end: '2026-11-10T12:20:00.000Z',
        reason: `Not a real burn (alert ${alertId}): planned load test LOAD-17`,
        createdBy: 'alice (Slack U0ALICE01)',
      },
    ]);
    expect((await api('GET', `/api/v1/alerts/${alertId}`)).body.annotations).toMatchObject([
      {
        kind: 'notARealBurn',
        comment: 'planned load test LOAD-17',
        correction: { id: corrections[0].id, start: T0.toISOString(), end: '2026-11-10T12:20:00.000Z' },
      },
    ]);
    expect(lastUpdateText()).toContain('📝 Not a real burn, says <@U0ALICE01>: planned load test LOAD-17.');
  });
});

describe('without SLACK_SIGNING_SECRET', () => {
  it('answers 503 naming the variable (the message builder leaves the buttons out: slack-message.spec.ts)', async () => {
    const plain = await startTestApp({ slack: slackConfig(slack) }, clock);
    try {
      const answer = await send({ type: 'block_actions' }, {}, plain.url);
      expect(answer.status).toBe(503);
      expect(answer.body.errors[0].field).toBe('SLACK_SIGNING_SECRET');
    } finally {
      await plain.close();
    }
  });
});
