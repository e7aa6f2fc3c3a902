import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEntity } from '../../src/slo/slo.entity.js';
import { apiClient, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo } from '../support/fixtures.js';

/** The service with no DATABASE_URL: PGlite under BURNWATCH_DATA_DIR, as `npm start` runs on a fresh machine. */
const startEmbedded = (dataDir: string) => startTestApp({ databaseUrl: undefined, dataDir });

// One data directory for the file: PGlite's initdb takes seconds on a small machine, a restart well under one.
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'burnwatch-embedded-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('the service on the embedded database', () => {
  it('migrates an empty data directory, says so in /readyz, and keeps an SLO across a restart', async () => {
    const first = await startEmbedded(dataDir);
    let created;
    try {
      const api = apiClient(first.url);
      const ready = await api('GET', '/readyz');
      expect(ready.status).toBe(200);
      // Other parts add their own details (Kubernetes…); the database's says embedded.
      expect(ready.body).toMatchObject({
        status: 'ready',
        checks: { database: 'ok', migrations: 'ok' },
        details: { database: 'embedded (PGlite)' },
      });
      created = await api('POST', '/api/v1/slos', latencySlo());
      expect(created.status).toBe(201);
    } finally {
      await first.close();
    }

    const second = await startEmbedded(dataDir);
    try {
      const api = apiClient(second.url);
      const fetched = await api('GET', '/api/v1/slos/checkout-latency');
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);
      expect((await api('GET', '/readyz')).body.checks).toEqual({ database: 'ok', migrations: 'ok' });
    } finally {
      await second.close();
    }
  });
});

describe('one data directory, one process', () => {
  it('refuses a second start on a data directory in use, naming the process, and starts once it is free', async () => {
    const running = await startEmbedded(dataDir);
    try {
      await expect(startEmbedded(dataDir)).rejects.toThrow(
        `The embedded database in ${dataDir} is in use by process ${process.pid}`,
      );
      // The refused start left the running one alone.
      expect((await apiClient(running.url)('GET', '/readyz')).status).toBe(200);
    } finally {
      await running.close();
    }
    const again = await startEmbedded(dataDir);
    await again.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    await writeFile(join(dataDir, 'burnwatch.lock'), `${child.pid}\n`);
    const burnwatch = await startEmbedded(dataDir);
    try {
      expect(await readFile(join(dataDir, 'burnwatch.lock'), 'utf8')).toBe(`${process.pid}\n`);
    } finally {
      await burnwatch.close();
    }
    await expect(readFile(join(dataDir, 'burnwatch.lock'))).rejects.toThrow(/ENOENT/);
  });
});

describe('concurrent work on the embedded database (a single PGlite session)', () => {
  let burnwatch: RunningBurnwatch;
  let dataSource: DataSource;

  beforeAll(async () => {
    burnwatch = await startEmbedded(dataDir);
    dataSource = burnwatch.app.get(DataSource);
  });
  afterAll(() => burnwatch.close());

  const names = async () =>
    ((await dataSource.query('SELECT name FROM slos ORDER BY name')) as { name: string }[]).map(
      (r) => r.name,
    );

  /** Inserts an SLO, gives the other transaction every chance to run in between, then finishes. */
  const transaction = (name: string, outcome: 'commit' | 'roll back') =>
    dataSource.transaction(async (manager) => {
      const spec = errorRateSlo({ name }) as never;
      await manager.getRepository(SloEntity).insert({ name, workload: 'checkout', spec });
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      if (outcome === 'roll back') throw new Error('rolled back on purpose');
    });

  it.each([
    { order: 'the committing one started first', first: 'commit', second: 'roll back' },
    { order: 'the rolling-back one started first', first: 'roll back', second: 'commit' },
  ] as const)(
    'two transactions at once, one rolling back, leave exactly the committed row ($order)',
    async ({ first, second }) => {
      await dataSource.query('DELETE FROM slos');
      const name = (outcome: string) => (outcome === 'commit' ? 'committed' : 'rolled-back');
      const results = await Promise.allSettled([
        transaction(name(first), first),
        transaction(name(second), second),
      ]);
      expect(results.map((r) => r.status)).toEqual(
        [first, second].map((o) => (o === 'commit' ? 'fulfilled' : 'rejected')),
      );
      expect(await names()).toEqual(['committed']);
    },
  );

  it('answers 20 concurrent creations, half of them duplicates, with 10 × 201 and 10 × 409', async () => {
    await dataSource.query('DELETE FROM slos');
    const api = apiClient(burnwatch.url);
    const bodies = Array.from({ length: 20 }, (_, i) => latencySlo({ name: `slo-${i % 10}` }));
    const statuses = await Promise.all(
      bodies.map(async (b) => (await api('POST', '/api/v1/slos', b)).status),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(await names()).toEqual(Array.from({ length: 10 }, (_, i) => `slo-${i}`));
  });
});
