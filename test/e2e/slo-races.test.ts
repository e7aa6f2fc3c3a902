import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import type { AlertSnapshot } from '../../src/alerts/domain/alert-transition.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo } from '../support/fixtures.js';

/**
 * Each race runs many times: one run proves little about an interleaving. The suite keeps a moderate count;
 * BURNWATCH_RACE_RUNS=100 shows each one holding 100 times.
 */
const RUNS = Number(process.env.BURNWATCH_RACE_RUNS ?? 15);
/** A run takes a few hundred milliseconds here (a fresh database each time); the timeout grows with the count. */
const RACE_TIMEOUT_MS = 60_000 + RUNS * 3_000;

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let db: pg.Client;

beforeAll(async () => {
  burnwatch = await startTestApp();
  api = apiClient(burnwatch.url);
  db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await burnwatch.close();
});
beforeEach(() => resetDatabase());

const NAME = 'checkout-latency';
const PATH = `/api/v1/slos/${NAME}`;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(burnwatch.url + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: text ? JSON.parse(text) : null,
  };
}

const snapshot: AlertSnapshot = {
  sliPercent: 90,
  objective: 95,
  budgetRemainingPercent: -20,
  burnRates: [],
  exhaustionAt: null,
};

describe('writes racing each other', () => {
  it(
    'never brings back an SLO that a racing DELETE removed',
    async () => {
      for (let run = 0; run < RUNS; run++) {
        await resetDatabase();
        expect((await api('POST', '/api/v1/slos', latencySlo())).status).toBe(201);
        const puts = Array.from({ length: 3 }, (_, i) => api('PUT', PATH, latencySlo({ objective: 96 + i })));
        const [del, ...putResponses] = await Promise.all([api('DELETE', PATH), ...puts]);
        expect(del.status, `run ${run}`).toBe(204);
        for (const put of putResponses) expect([200, 404], `run ${run}`).toContain(put.status);
        expect((await api('GET', PATH)).status, `run ${run}`).toBe(404);
        const { rows } = await db.query('SELECT count(*)::int AS n FROM slos');
        expect(rows[0].n, `run ${run}`).toBe(0);
      }
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'keeps every field of concurrent PATCHes to different fields',
    async () => {
      for (let run = 0; run < RUNS; run++) {
        await resetDatabase();
        await api('POST', '/api/v1/slos', latencySlo());
        const responses = await Promise.all([
          api('PATCH', PATH, { objective: 97 }),
          api('PATCH', PATH, { displayName: 'Checkout speed' }),
          api('PATCH', PATH, { description: 'Fast enough to pay' }),
          api('PATCH', PATH, { indicator: { thresholdMs: 400 } }),
        ]);
        expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
        const stored = (await api('GET', PATH)).body;
        expect(stored, `run ${run}`).toMatchObject({
          objective: 97,
          displayName: 'Checkout speed',
          description: 'Fast enough to pay',
          indicator: { type: 'latency', thresholdMs: 400 },
        });
      }
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'answers concurrent OpenSLO imports of one new name without a 5xx, creating it once',
    async () => {
      await api('POST', '/api/v1/slos', errorRateSlo({ name: 'cart-errors' }));
      const yaml = (await api('GET', '/api/v1/slos/cart-errors/openslo')).body as string;
      for (let run = 0; run < RUNS; run++) {
        await resetDatabase();
        const responses = await Promise.all(
          Array.from({ length: 5 }, () => api('POST', '/api/v1/openslo', yaml, 'application/yaml')),
        );
        expect(
          responses.map((r) => r.status),
          `run ${run}: ${JSON.stringify(responses.map((r) => r.body))}`,
        ).toEqual([200, 200, 200, 200, 200]);
        const created = responses.flatMap((r) => r.body.created);
        const updated = responses.flatMap((r) => r.body.updated);
        expect(created, `run ${run}`).toEqual(['cart-errors']);
        expect(updated, `run ${run}`).toHaveLength(4);
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM slos WHERE name = 'cart-errors'`);
        expect(rows[0].n).toBe(1);
      }
    },
    RACE_TIMEOUT_MS,
  );
});

describe('optimistic concurrency with ETag and If-Match', () => {
  it('gives an ETag on create, get, put and patch that changes with every write', async () => {
    const created = await call('POST', '/api/v1/slos', latencySlo());
    const fetched = await call('GET', PATH);
    expect(created.etag).toMatch(/^"[^"]+"$/);
    expect(fetched.etag).toBe(created.etag);
    const put = await call('PUT', PATH, latencySlo({ objective: 97 }));
    const patched = await call('PATCH', PATH, { objective: 98 });
    expect(new Set([created.etag, put.etag, patched.etag]).size).toBe(3);
    expect((await call('GET', PATH)).etag).toBe(patched.etag);
  });

  it('refuses a PUT, PATCH or DELETE with a stale If-Match with 412, changing nothing', async () => {
    const created = await call('POST', '/api/v1/slos', latencySlo());
    const current = await call('PATCH', PATH, { objective: 97 }, { 'if-match': created.etag! });
    expect(current.status).toBe(200);
    for (const [method, body] of [
      ['PUT', latencySlo({ objective: 90 })],
      ['PATCH', { objective: 90 }],
      ['DELETE', undefined],
    ] as const) {
      const stale = await call(method, PATH, body, { 'if-match': created.etag! });
      expect(stale.status, method).toBe(412);
      expect(stale.body.errors, method).toEqual([
        {
          field: 'If-Match',
          message: `the SLO changed since ${created.etag}; it is now ${current.etag}: GET it and apply your change again`,
        },
      ]);
    }
    const stored = await call('GET', PATH);
    expect(stored.body.objective).toBe(97);
    expect(stored.etag).toBe(current.etag);
    expect((await call('DELETE', PATH, undefined, { 'if-match': current.etag! })).status).toBe(204);
  });

  it('accepts If-Match: * for an SLO that exists, and a list holding the current tag', async () => {
    const created = await call('POST', '/api/v1/slos', latencySlo());
    expect((await call('PATCH', PATH, { objective: 96 }, { 'if-match': '*' })).status).toBe(200);
    const current = (await call('GET', PATH)).etag!;
    expect(
      (await call('PATCH', PATH, { objective: 97 }, { 'if-match': `${created.etag}, ${current}` })).status,
    ).toBe(200);
    // A weak tag never matches: If-Match compares strongly (RFC 9110 §13.1.1).
    expect((await call('PATCH', PATH, { objective: 98 }, { 'if-match': `W/${current}` })).status).toBe(412);
  });

  it(
    'lets exactly one of two writers holding the same ETag win',
    async () => {
      for (let run = 0; run < RUNS; run++) {
        await resetDatabase();
        const { etag } = await call('POST', '/api/v1/slos', latencySlo());
        const responses = await Promise.all([
          call('PUT', PATH, latencySlo({ objective: 97 }), { 'if-match': etag! }),
          call('PATCH', PATH, { objective: 98 }, { 'if-match': etag! }),
        ]);
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses, `run ${run}`).toEqual([200, 412]);
        const winner = responses.find((r) => r.status === 200)!;
        expect((await call('GET', PATH)).body.objective).toBe(winner.body.objective);
      }
    },
    RACE_TIMEOUT_MS,
  );
});

describe('deleting an SLO whose alert fires', () => {
  const fire = () =>
    burnwatch.app
      .get(AlertStore)
      .apply(latencySlo() as never, { kind: 'fired', severity: 'page' }, snapshot, new Date(), undefined, {
        requireStoredSlo: true,
      });

  it('resolves the alert through a transition, queues its Slack notification, and a new SLO starts clean', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const fired = await fire();
    expect(fired).not.toBeNull();
    expect((await api('DELETE', PATH)).status).toBe(204);

    const alert = (await api('GET', `/api/v1/alerts/${fired!.alertId}`)).body;
    expect(alert.state).toBe('resolved');
    expect(alert.transitions.map((t: { kind: string }) => t.kind)).toEqual(['fired', 'resolved']);
    const { rows } = await db.query(
      `SELECT kind, channel FROM notifications WHERE alert_id = $1 ORDER BY created_at`,
      [fired!.alertId],
    );
    expect(rows).toEqual([
      { kind: 'fired', channel: '#payments-oncall' },
      { kind: 'resolved', channel: '#payments-oncall' },
    ]);

    await api('POST', '/api/v1/slos', latencySlo());
    expect((await api('GET', `/api/v1/alerts?slo=${NAME}&state=firing`)).body.items).toEqual([]);
    expect((await api('GET', `${PATH}/status`)).body.alerts).toEqual([]);
  });

  it(
    'leaves no firing alert when an alert fires while its SLO is being deleted',
    async () => {
      for (let run = 0; run < RUNS; run++) {
        await resetDatabase();
        await api('POST', '/api/v1/slos', latencySlo());
        const [, deleted] = await Promise.all([fire(), api('DELETE', PATH)]);
        expect(deleted.status).toBe(204);
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM alerts WHERE state = 'firing'`);
        expect(rows[0].n, `run ${run}`).toBe(0);
      }
    },
    RACE_TIMEOUT_MS,
  );
});
