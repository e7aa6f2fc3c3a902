import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { SilenceRelease } from '../../src/integrations/slack/silence-release.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { latencySlo } from '../support/fixtures.js';
import { alertSnapshot, eventually, sloSpec } from '../support/slack.js';

/**
 * Silences over HTTP against the running service, Slack in dry-run (each message is kept, not sent): what a
 * silence holds is kept as "held" and told once, in its current state, when the silence ends.
 */
const T0 = new Date('2026-11-10T12:00:00Z');
const clock = new ManualClock(T0);
const TOKEN = 'silences-test-token';
const HOUR = 3600;
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let anonymous: ReturnType<typeof apiClient>;
let store: AlertStore;

const checkout = sloSpec();
const search = sloSpec({
  name: 'search-latency',
  team: 'search',
  service: { namespace: 'shop', workload: 'search' },
});
const inHours = (hours: number) => new Date(clock.now().getTime() + hours * HOUR * 1000).toISOString();
const silenceOf = (slo: string, overrides: Record<string, unknown> = {}) => ({
  matchers: [{ name: 'slo', value: slo, isRegex: false, isEqual: true }],
  endsAt: inHours(4),
  createdBy: 'alice',
  comment: 'known incident INC-42',
  ...overrides,
});

beforeAll(async () => {
  burnwatch = await startTestApp({ apiToken: TOKEN }, clock);
  api = apiClient(burnwatch.url, TOKEN);
  anonymous = apiClient(burnwatch.url);
  store = burnwatch.app.get(AlertStore);
});
afterAll(() => burnwatch.close());
beforeEach(async () => {
  await resetDatabase();
  clock.set(T0);
  for (const slo of [checkout, search]) {
    expect((await api('POST', '/api/v1/slos', latencySlo({ ...slo, source: undefined }))).status).toBe(201);
  }
});

async function notificationsOf(alertId: string) {
  return (await api('GET', `/api/v1/alerts/${alertId}`)).body.notifications as {
    kind: string;
    state: string;
    silenceId: string | null;
  }[];
}
async function fire(slo = checkout, severity: 'ticket' | 'page' = 'ticket') {
  const event = await store.apply(slo, { kind: 'fired', severity }, alertSnapshot(), clock.now());
  return event!.alertId;
}

describe('the silences API', () => {
  it('creates, lists and expires a silence; the expired one is kept', async () => {
    const created = await api('POST', '/api/v1/silences', silenceOf('checkout-latency'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      matchers: [{ name: 'slo', value: 'checkout-latency', isRegex: false, isEqual: true }],
      startsAt: T0.toISOString(),
      endsAt: '2026-11-10T16:00:00.000Z',
      untilResolved: false,
      alertId: null,
      createdBy: 'alice',
      comment: 'known incident INC-42',
      status: { state: 'active' },
    });
    const pending = await api(
      'POST',
      '/api/v1/silences',
      silenceOf('search-latency', { startsAt: inHours(1) }),
    );
    expect(pending.body.status).toEqual({ state: 'pending' });

    const listed = await api('GET', '/api/v1/silences');
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([created.body.id, pending.body.id]);
    expect((await api('GET', '/api/v1/silences?state=pending')).body.items).toHaveLength(1);

    clock.advance(600);
    const expired = await api('DELETE', `/api/v1/silences/${created.body.id}`);
    expect(expired.status).toBe(200);
    expect(expired.body).toMatchObject({ endsAt: '2026-11-10T12:10:00.000Z', status: { state: 'expired' } });
    // Expiring again changes nothing; a pending one expires without ever starting.
    clock.advance(60);
    expect((await api('DELETE', `/api/v1/silences/${created.body.id}`)).body.endsAt).toBe(
      expired.body.endsAt,
    );
    const never = await api('DELETE', `/api/v1/silences/${pending.body.id}`);
    expect(never.body).toMatchObject({ startsAt: never.body.endsAt, status: { state: 'expired' } });

    const after = await api('GET', '/api/v1/silences?state=expired');
    expect(after.body.items.map((s: { id: string }) => s.id).sort()).toEqual(
      [created.body.id, pending.body.id].sort(),
    );
    expect((await api('GET', `/api/v1/silences/${created.body.id}`)).body.status.state).toBe('expired');
  });

  it('refuses bad silences with 400 naming each field, and stores nothing', async () => {
    const bad = await api('POST', '/api/v1/silences', {
      matchers: [
        { name: 'pod', value: 'x' },
        { name: 'slo', value: '(', isRegex: true },
      ],
      comment: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['matchers.0.name']);
    const cases: [Record<string, unknown>, string[]][] = [
      [silenceOf('x', { matchers: [{ name: 'slo', value: '(', isRegex: true }] }), ['matchers.0.value']],
      [silenceOf('x', { endsAt: '2026-11-10T11:00:00Z' }), ['endsAt']],
      [silenceOf('x', { endsAt: undefined, comment: '' }), ['endsAt', 'comment']],
      [silenceOf('x', { matchers: [{ name: 'team', value: '.*', isRegex: true }] }), ['matchers']],
      [silenceOf('checkout-latency', { endsAt: null, untilResolved: true }), ['untilResolved']],
      [silenceOf('x', { alertId: '00000000-0000-4000-8000-000000000000' }), ['alertId']],
    ];
    for (const [body, fields] of cases) {
      const answer = await api('POST', '/api/v1/silences', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    }
    expect((await api('POST', '/api/v1/silences', 'not json')).status).toBe(400);
    expect((await api('GET', '/api/v1/silences?state=gone')).status).toBe(400);
    expect((await api('GET', '/api/v1/silences?limit=0')).status).toBe(400);
    expect((await api('GET', '/api/v1/silences/nope')).status).toBe(404);
    expect((await api('DELETE', '/api/v1/silences/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('GET', '/api/v1/silences')).body.items).toEqual([]);
  });

  it('needs the API token to write, but not to read', async () => {
    expect((await anonymous('POST', '/api/v1/silences', silenceOf('checkout-latency'))).status).toBe(401);
    const created = await api('POST', '/api/v1/silences', silenceOf('checkout-latency'));
    expect((await anonymous('DELETE', `/api/v1/silences/${created.body.id}`)).status).toBe(401);
    expect((await anonymous('GET', '/api/v1/silences')).body.items[0].status.state).toBe('active');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await api('GET', '/api/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/silences', '/api/v1/silences/{id}']),
    );
  });
});

describe('a silence holds notifications', () => {
  it('holds a matching alert while a non-matching one is told; the alert still fires and shows the silence', async () => {
    const silence = (await api('POST', '/api/v1/silences', silenceOf('checkout-latency'))).body;
    const silenced = await fire(checkout);
    const told = await fire(search);

    await eventually(async () => expect((await notificationsOf(told))[0]?.state).toBe('dry-run'));
    expect(await notificationsOf(silenced)).toMatchObject([
      { kind: 'fired', state: 'held', silenceId: silence.id },
    ]);

    const alerts = (await api('GET', '/api/v1/alerts?state=firing')).body.items;
    const shown = alerts.find((a: { id: string }) => a.id === silenced);
    expect(shown.state).toBe('firing');
    expect(shown.silence).toMatchObject({ id: silence.id, createdBy: 'alice', endsAt: silence.endsAt });
    expect(alerts.find((a: { id: string }) => a.id === told).silence).toBeNull();
  });

  it('tells the current state once when the silence is expired while the alert fires, not every transition', async () => {
    const silence = (await api('POST', '/api/v1/silences', silenceOf('checkout-latency'))).body;
    const alertId = await fire(checkout, 'ticket');
    clock.advance(600);
    await store.apply(checkout, { kind: 'escalated', severity: 'page' }, alertSnapshot(), clock.now());
    expect((await notificationsOf(alertId)).map((n) => n.state)).toEqual(['held', 'held']);

    clock.advance(600);
    expect((await api('DELETE', `/api/v1/silences/${silence.id}`)).status).toBe(200);
    await eventually(async () =>
      expect((await notificationsOf(alertId)).map((n) => [n.kind, n.state])).toEqual([
        ['fired', 'held'],
        ['escalated', 'held'],
        ['fired', 'dry-run'],
      ]),
    );
    const messages = (await api('GET', '/api/v1/notifications')).body.items;
    expect(messages[0].message.text).toMatch(
      /^\[PAGE\] checkout-latency is burning its error budget since 2026-11-10 12:00 UTC/,
    );
    expect(messages[0].silenceId).toBe(silence.id);
    // The dispatcher's next ticks find nothing more to tell.
    expect(await burnwatch.app.get(SilenceRelease).releaseEnded(clock.now())).toBe(0);
    expect(await notificationsOf(alertId)).toHaveLength(3);
  });

  it('tells an escalation in the thread when a silence made after the firing runs out', async () => {
    const alertId = await fire(checkout, 'ticket');
    await eventually(async () => expect((await notificationsOf(alertId))[0]?.state).toBe('dry-run'));
    await api('POST', '/api/v1/silences', silenceOf('checkout-latency', { endsAt: inHours(1) }));
    await store.apply(checkout, { kind: 'escalated', severity: 'page' }, alertSnapshot(), clock.now());
    expect((await notificationsOf(alertId)).map((n) => n.state)).toEqual(['dry-run', 'held']);

    clock.advance(2 * HOUR);
    await eventually(async () =>
      expect((await notificationsOf(alertId)).map((n) => [n.kind, n.state])).toEqual([
        ['fired', 'dry-run'],
        ['escalated', 'held'],
        ['escalated', 'dry-run'],
      ]),
    );
  });

  it('waits for the last of two overlapping silences', async () => {
    const short = (
      await api('POST', '/api/v1/silences', silenceOf('checkout-latency', { endsAt: inHours(1) }))
    ).body;
    await api(
      'POST',
      '/api/v1/silences',
      silenceOf('.*-latency', {
        matchers: [{ name: 'team', value: 'payments' }],
        endsAt: inHours(3),
      }),
    );
    const alertId = await fire(checkout);
    clock.advance(2 * HOUR);
    expect(await burnwatch.app.get(SilenceRelease).releaseEnded(clock.now())).toBe(0);
    expect((await notificationsOf(alertId)).map((n) => n.state)).toEqual(['held']);
    expect((await api('GET', `/api/v1/silences/${short.id}`)).body.status.state).toBe('expired');
    clock.advance(2 * HOUR);
    await eventually(async () =>
      expect((await notificationsOf(alertId)).map((n) => n.state)).toEqual(['held', 'dry-run']),
    );
  });

  it('until the alert resolves: holds the resolve too, then ends with it, and tells nothing more', async () => {
    const alertId = await fire(checkout);
    const created = await api('POST', '/api/v1/silences', {
      matchers: [{ name: 'slo', value: 'checkout-latency' }],
      untilResolved: true,
      comment: 'on it',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      untilResolved: true,
      alertId,
      endsAt: null,
      status: { state: 'active' },
    });
    await eventually(async () => expect((await notificationsOf(alertId))[0]?.state).toBe('dry-run'));

    clock.advance(HOUR);
    await store.apply(checkout, { kind: 'resolved' }, alertSnapshot(), clock.now());
    const ended = (await api('GET', `/api/v1/silences/${created.body.id}`)).body;
    expect(ended).toMatchObject({ endsAt: clock.now().toISOString(), status: { state: 'expired' } });
    expect((await notificationsOf(alertId)).map((n) => [n.kind, n.state])).toEqual([
      ['fired', 'dry-run'],
      ['resolved', 'held'],
    ]);
    expect(await burnwatch.app.get(SilenceRelease).releaseEnded(clock.now())).toBe(0);
    // A resolved alert cannot be waited for.
    const late = await api('POST', '/api/v1/silences', { untilResolved: true, alertId, comment: 'x' });
    expect(late.status).toBe(400);
    expect(late.body.errors[0].field).toBe('untilResolved');
  });

  it('is told once when the silence ends, with two replicas dispatching', async () => {
    const second = await startTestApp({ apiToken: TOKEN }, clock);
    try {
      const silence = (await api('POST', '/api/v1/silences', silenceOf('checkout-latency'))).body;
      const alertId = await fire(checkout, 'page');
      await api('DELETE', `/api/v1/silences/${silence.id}`);
      // Both replicas' dispatcher loops run; and both are asked at once besides.
      const releases = await Promise.all(
        [burnwatch, second].map((app) => app.app.get(SilenceRelease).releaseEnded(clock.now())),
      );
      expect(releases.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
      await eventually(async () =>
        expect((await notificationsOf(alertId)).map((n) => n.state)).toEqual(['held', 'dry-run']),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await notificationsOf(alertId)).toHaveLength(2);
    } finally {
      await second.close();
    }
  });
});
