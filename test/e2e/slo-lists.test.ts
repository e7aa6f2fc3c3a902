import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from 'vitest';
import { DataSource } from 'typeorm';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { ChangeStamps } from '../../src/database/change-stamps.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo } from '../support/fixtures.js';

/**
 * The two lists the UI and tooling poll, served from memory (docs/benchmarks.md, "API lists under load"), on two
 * replicas of one database: what one writes, the other lists at its next request.
 */
let a: RunningBurnwatch;
let b: RunningBurnwatch;
let apiA: ReturnType<typeof apiClient>;
let apiB: ReturnType<typeof apiClient>;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp();
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});
beforeEach(() => resetDatabase());

/** A GET with raw bytes and headers (fetch would decompress and hide what was sent). */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const names = (body: { items: { name?: string; slo?: string }[] }) =>
  body.items.map((item) => item.name ?? item.slo);

async function createSlos(api: ReturnType<typeof apiClient>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const name = `slo-${String(i).padStart(2, '0')}`;
    const body = errorRateSlo({ name, service: { namespace: 'shop', workload: `w-${i}` } });
    expect((await api('POST', '/api/v1/slos', body)).status).toBe(201);
  }
}

describe('GET /api/v1/slos from memory', () => {
  it('answers 304 to the page a client holds, and 200 with the change after a write on the other replica', async () => {
    await createSlos(apiA, 3);
    const first = await fetch(`${a.url}/api/v1/slos?limit=2`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('vary')).toBe('Accept-Encoding');
    const held = await fetch(`${a.url}/api/v1/slos?limit=2`, { headers: { 'if-none-match': etag } });
    expect(held.status).toBe(304);

    // Each kind of write, made on B, is in A's next answer (and in B's own).
    const writes: [string, () => Promise<number>, (body: any) => void][] = [
      [
        'POST',
        async () => (await apiB('POST', '/api/v1/slos', errorRateSlo({ name: 'slo-000' }))).status,
        (body) => expect(names(body)).toEqual(['slo-00', 'slo-000']),
      ],
      [
        'PUT',
        async () =>
          (await apiB('PUT', '/api/v1/slos/slo-00', errorRateSlo({ name: 'slo-00', objective: 99 }))).status,
        (body) => expect(body.items[0]).toMatchObject({ name: 'slo-00', objective: 99 }),
      ],
      [
        'PATCH',
        async () => (await apiB('PATCH', '/api/v1/slos/slo-00', { objective: 98.5 })).status,
        (body) => expect(body.items[0]).toMatchObject({ name: 'slo-00', objective: 98.5 }),
      ],
      [
        'DELETE',
        async () => (await apiB('DELETE', '/api/v1/slos/slo-000')).status,
        (body) => expect(names(body)).toEqual(['slo-00', 'slo-01']),
      ],
    ];
    let previous = etag;
    for (const [method, write, check] of writes) {
      expect(await write(), method).toBeLessThan(300);
      for (const replica of [a, b]) {
        const page = await fetch(`${replica.url}/api/v1/slos?limit=2`, {
          headers: { 'if-none-match': previous },
        });
        expect(page.status, `${method} then GET on ${replica === a ? 'A' : 'B'}`).toBe(200);
        const body = await page.json();
        check(body);
        // The same state gives the same bytes, so the same ETag, on both replicas.
        expect(page.headers.get('etag'), method).toBe(
          (await fetch(`${a.url}/api/v1/slos?limit=2`)).headers.get('etag'),
        );
      }
      previous = (await fetch(`${a.url}/api/v1/slos?limit=2`)).headers.get('etag')!;
    }
  });

  it('sees an import and a change made in SQL by hand, and an emptied table', async () => {
    await createSlos(apiA, 2);
    expect((await apiA('GET', '/api/v1/slos')).body.total).toBe(2);
    // An import on B of what A exports, under a new name.
    const exported = await apiA('GET', '/api/v1/slos/slo-00/openslo');
    expect(exported.status).toBe(200);
    const yaml = String(exported.body).replace('name: slo-00', 'name: imported');
    expect(yaml).toContain('name: imported');
    expect((await apiB('POST', '/api/v1/openslo', yaml, 'application/yaml')).status).toBeLessThan(300);
    expect(names((await apiA('GET', '/api/v1/slos')).body)).toEqual(['imported', 'slo-00', 'slo-01']);

    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      await client.query(`UPDATE "slos" SET "version" = "version" + 1, "spec" = "spec" || '{"objective": 97}'
        WHERE "name" = 'slo-01'`);
      const item = (await apiA('GET', '/api/v1/slos')).body.items.find((s: any) => s.name === 'slo-01');
      expect(item.objective).toBe(97);
      await client.query(`TRUNCATE "slos" CASCADE`);
      expect((await apiA('GET', '/api/v1/slos')).body).toEqual({ items: [], total: 0, nextCursor: null });
      await createSlos(apiB, 1);
      expect(names((await apiA('GET', '/api/v1/slos')).body)).toEqual(['slo-00']);
    } finally {
      await client.end();
    }
  });

  it('continues after a cursor whose SLO was deleted meanwhile, in the order of the database', async () => {
    await createSlos(apiA, 5);
    const first = (await apiA('GET', '/api/v1/slos?limit=2')).body;
    expect(first.nextCursor).toBe('slo-01');
    expect((await apiB('DELETE', '/api/v1/slos/slo-01')).status).toBe(204);
    const next = (await apiA('GET', `/api/v1/slos?limit=2&cursor=${first.nextCursor}`)).body;
    expect(names(next)).toEqual(['slo-02', 'slo-03']);
    expect(next).toMatchObject({ total: 4, nextCursor: 'slo-03' });
    // A cursor between two names, and one after them all.
    expect(names((await apiA('GET', '/api/v1/slos?cursor=slo-025')).body)).toEqual(['slo-03', 'slo-04']);
    expect((await apiA('GET', '/api/v1/slos?cursor=zzz')).body).toEqual({
      items: [],
      total: 4,
      nextCursor: null,
    });
  });

  it('folds its change records and still sees every write after that', async () => {
    await createSlos(apiA, 1);
    for (let i = 0; i < 250; i++) {
      const patched = await apiB('PATCH', '/api/v1/slos/slo-00', { objective: 90 + i / 50 });
      expect(patched.status).toBe(200);
    }
    const rows = async () => {
      const client = new pg.Client({ connectionString: inject('databaseUrl') });
      await client.connect();
      try {
        return (await client.query('SELECT count(*)::int AS n FROM "slo_changes"')).rows[0].n as number;
      } finally {
        await client.end();
      }
    };
    expect(await rows()).toBeGreaterThan(200);
    expect((await apiA('GET', '/api/v1/slos')).body.items[0].objective).toBe(94.98);
    // The read above folded the records (in the background); each write after it is still seen.
    await expect.poll(rows).toBeLessThan(5);
    expect((await apiB('PATCH', '/api/v1/slos/slo-00', { objective: 99 })).status).toBe(200);
    expect((await apiA('GET', '/api/v1/slos')).body.items[0].objective).toBe(99);
  });

  it('adds no lock that an import racing a PUT could deadlock on (20 rounds, never a 5xx)', async () => {
    await createSlos(apiA, 2);
    const exported = await apiA('GET', '/api/v1/slos/slo-00/openslo');
    const both = [
      String(exported.body),
      String(exported.body)
        .replace('name: slo-00', 'name: slo-01')
        .replace(/workload: w-0/g, 'workload: w-1'),
    ].join('\n---\n');
    for (let round = 0; round < 20; round++) {
      const statuses = await Promise.all([
        apiA('POST', '/api/v1/openslo', both, 'application/yaml').then((r) => r.status),
        apiB(
          'PUT',
          '/api/v1/slos/slo-01',
          errorRateSlo({ name: 'slo-01', objective: 99 - round / 100 }),
        ).then((r) => r.status),
        apiB('PATCH', '/api/v1/slos/slo-00', { objective: 98 - round / 100 }).then((r) => r.status),
      ]);
      expect(
        statuses.filter((status) => status >= 500),
        `round ${round}: ${statuses}`,
      ).toEqual([]);
    }
  });

  it('sends br or gzip to a client that asks, the same JSON as without', async () => {
    await createSlos(apiA, 10);
    const plain = await rawGet(`${a.url}/api/v1/slos`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await rawGet(`${a.url}/api/v1/slos`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gzip = await rawGet(`${a.url}/api/v1/slos`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
    const held = await rawGet(`${a.url}/api/v1/slos`, {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers.etag),
    });
    expect(held.status).toBe(304);
    expect(held.body.length).toBe(0);
  });
});

describe('GET /api/v1/slo-statuses?view=summary', () => {
  beforeEach(async () => {
    await createSlos(apiA, 3);
    expect((await apiA('POST', '/api/v1/slos', latencySlo({ name: 'slo-lat' }))).status).toBe(201);
    await a.app.get(SloEngine).tick(new Date());
  });

  it('holds exactly the fields the list shows, each as in the full view', async () => {
    const full = (await apiA('GET', '/api/v1/slo-statuses')).body.items as Record<string, any>[];
    const summary = await apiA('GET', '/api/v1/slo-statuses?view=summary');
    expect(summary.status).toBe(200);
    expect(summary.body.items).toHaveLength(4);
    summary.body.items.forEach((item: Record<string, any>, i: number) => {
      const whole = full[i]!;
      expect(item).toEqual({
        slo: whole.slo,
        team: whole.team,
        namespace: whole.namespace,
        workload: whole.workload,
        status: whole.status,
        objective: whole.objective,
        window: whole.window,
        sli: { percent: whole.sli.percent, approximate: whole.sli.approximate },
        errorBudget: { remainingPercent: whole.errorBudget.remainingPercent },
        burnRates: whole.burnRates.map((r: any) => ({
          severity: r.severity,
          longWindow: r.longWindow,
          threshold: r.threshold,
          long: r.long,
        })),
        forecast: {
          exhaustionAt: whole.forecast.exhaustionAt,
          secondsToExhaustion: whole.forecast.secondsToExhaustion,
        },
        alerts: [],
        staleSince: whole.staleSince,
        error: whole.error,
        evaluatedAt: whole.evaluatedAt,
      });
      expect(item.burnRates.length).toBeGreaterThan(0);
    });
    const bytes = (path: string) => rawGet(`${a.url}${path}`).then((r) => r.body.length);
    expect(await bytes('/api/v1/slo-statuses?view=summary')).toBeLessThan(
      (await bytes('/api/v1/slo-statuses')) * 0.6,
    );
  });

  it('is documented in the OpenAPI document: the parameter and the SloStatusSummary schema', async () => {
    const doc = (await apiA('GET', '/api/docs-json')).body;
    const parameters = doc.paths['/api/v1/slo-statuses'].get.parameters as { name: string; schema: any }[];
    expect(parameters.find((p) => p.name === 'view')?.schema.enum).toEqual(['full', 'summary']);
    const summary = (await apiA('GET', '/api/v1/slo-statuses?view=summary')).body.items[0];
    expect(Object.keys(doc.components.schemas.SloStatusSummary.properties).sort()).toEqual(
      Object.keys(summary).sort(),
    );
  });

  it('filters as the full view does and refuses an unknown view naming the parameter', async () => {
    const filtered = await apiA('GET', '/api/v1/slo-statuses?view=summary&namespace=shop&status=noData');
    expect(names(filtered.body)).toEqual(['slo-00', 'slo-01', 'slo-02', 'slo-lat']);
    const refused = await apiA('GET', '/api/v1/slo-statuses?view=short');
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { field: 'view', message: 'must be one of full, summary, got "short"' },
    ]);
  });

  it("answers 304 when unchanged, compressed when asked, and shows the other replica's new SLO", async () => {
    const first = await rawGet(`${a.url}/api/v1/slo-statuses?view=summary`, { 'accept-encoding': 'br' });
    expect(first.headers['content-encoding']).toBe('br');
    const etag = String(first.headers.etag);
    const held = await rawGet(`${a.url}/api/v1/slo-statuses?view=summary`, {
      'accept-encoding': 'br',
      'if-none-match': etag,
    });
    expect(held.status).toBe(304);
    // The full view is another list, with another tag.
    const full = await rawGet(`${a.url}/api/v1/slo-statuses`, {
      'accept-encoding': 'br',
      'if-none-match': etag,
    });
    expect(full.status).toBe(200);

    expect((await apiB('POST', '/api/v1/slos', errorRateSlo({ name: 'slo-new' }))).status).toBe(201);
    const changed = await rawGet(`${a.url}/api/v1/slo-statuses?view=summary`, {
      'accept-encoding': 'br',
      'if-none-match': etag,
    });
    expect(changed.status).toBe(200);
    const body = JSON.parse(brotliDecompressSync(changed.body).toString());
    expect(names(body)).toContain('slo-new');

    expect((await apiB('DELETE', '/api/v1/slos/slo-00')).status).toBe(204);
    expect(names((await apiA('GET', '/api/v1/slo-statuses?view=summary')).body)).not.toContain('slo-00');
  });
});

describe('the change stamps the lists compare', () => {
  it("move with another replica's silence, and with alert and annotation rows written in SQL", async () => {
    await createSlos(apiA, 1);
    const stamps = new ChangeStamps(a.app.get(DataSource), ['slo_changes', 'alert_changes']);
    const before = await stamps.current();
    const silence = await apiB('POST', '/api/v1/silences', {
      matchers: [{ name: 'slo', value: 'slo-00', isRegex: false, isEqual: true }],
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'alice',
      comment: 'known incident',
    });
    expect(silence.status).toBe(201);
    const afterSilence = await stamps.current();
    expect(afterSilence.split('|')[0]).toBe(before.split('|')[0]);
    expect(afterSilence.split('|')[1]).not.toBe(before.split('|')[1]);

    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      let previous = afterSilence;
      for (const statement of [
        `UPDATE "alerts" SET "severity" = "severity"`,
        `UPDATE "alert_annotations" SET "details" = "details"`,
        `UPDATE "silences" SET "comment" = "comment"`,
      ]) {
        await client.query(statement);
        const next = await stamps.current();
        expect(next, statement).not.toBe(previous);
        previous = next;
      }
    } finally {
      await client.end();
    }
  });
});
