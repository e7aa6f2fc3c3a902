/**
 * Burnwatch's side: a fresh Postgres database, 30 days of SLI history for N workloads generated in SQL, N
 * error-rate SLOs, the real service started with startBurnwatch, and SloEngine.tick timed.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { startBurnwatch } from '../../src/app.js';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { seriesKey } from '../../src/integrations/metrics/sensor-histograms.js';
import { rollupBefore } from '../../src/sli/hourly.js';
import { JsonLogger } from '../../src/observability/json-logger.js';
import { SloService } from '../../src/slo/slo.service.js';
import { BOUNDS, NAMESPACE, STATUS_ERROR, STATUS_OK, workloadName } from './traffic.js';

export interface TickSample {
  wallMs: number;
  cpuMs: number;
  postgresCpuMs: number;
}

export interface BurnwatchResult {
  slos: number;
  rows: number;
  tableBytes: number;
  generateSeconds: number;
  firstTick: TickSample;
  ticks: TickSample[];
  rssMiB: number;
  heapMiB: number;
  /** Memory of ArrayBuffers (the engine's rolling counts live there, outside the V8 heap). */
  arrayBuffersMiB: number;
  evaluated: number;
}

class BenchClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
}

const log = (message: string) => console.error(`[burnwatch] ${message}`);

const memoryLine = (memory: NodeJS.MemoryUsage) =>
  (['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const)
    .map((key) => `${key} ${(memory[key] / 2 ** 20).toFixed(0)} MiB`)
    .join(', ');

/** CPU seconds (user + system) of the Postgres backends serving `database`, from /proc (same machine). */
async function postgresCpuMs(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
    database,
  ]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // A backend that ended between the two reads.
    }
  }
  return ticks * 10; // clock ticks of 10 ms (CLK_TCK = 100)
}

/**
 * SQL for the buckets of a minute as the scrape stores them: every request in the 0.1-0.15 s bucket (the engine
 * ignores them for error rates), the empty buckets after it left out (`withoutTrailingZeros`).
 */
const bucketsSql = (requests: string, type = 'int') =>
  `array_fill(0::${type}, ARRAY[6]) || ARRAY[${requests}]::${type}[]`;

/**
 * History in the layout the service keeps (docs/engine.md, "Hourly rollups"): per-minute rows in `sli_minutes`
 * from `rollupBefore(now)` on (26 to 27 h), and one `sli_hours` row per series and hour before, as the rollup
 * writes it (the hour's sums and its minutes with data: every minute for the 200 series, the error's minute for
 * the 503 series).
 */
async function generateHistory(
  client: pg.Client,
  slos: number,
  firstMinute: number,
  nowMinute: number,
): Promise<void> {
  const recent = rollupBefore(nowMinute);
  const ids = Array.from({ length: slos }, (_, w) => w);
  const keys = (status: number) =>
    ids.map((w) =>
      seriesKey(
        {
          namespace: NAMESPACE,
          workload: workloadName(w),
          workloadKind: 'Deployment',
          serviceName: workloadName(w),
          imageName: `registry.local/${workloadName(w)}`,
          imageId: `sha256:${String(w).padStart(64, '0')}`,
          method: 'GET',
          route: '/api',
          statusCode: status,
          grpcStatusCode: null,
        },
        BOUNDS,
      ),
    );
  // Series ids: 2w+1 for the 200 series, 2w+2 for the 503 series of workload w.
  await client.query(
    `INSERT INTO sli_series (id, series_key, namespace, workload, workload_kind, service_name, image_name, image_id,
                             method, route, status_code, bounds)
     SELECT 2 * w + s.k + 1, CASE WHEN s.k = 0 THEN ok_key ELSE err_key END, $1, wl, 'Deployment', wl,
            'registry.local/' || wl, 'sha256:' || lpad(w::text, 64, '0'), 'GET', '/api',
            CASE WHEN s.k = 0 THEN ${STATUS_OK} ELSE ${STATUS_ERROR} END, $2::float8[]
     FROM unnest($3::int[], $4::text[], $5::text[], $6::text[]) AS t(w, wl, ok_key, err_key),
          (VALUES (0), (1)) AS s(k)`,
    [NAMESPACE, BOUNDS, ids, ids.map(workloadName), keys(STATUS_OK), keys(STATUS_ERROR)],
  );
  await client.query(`SELECT setval('sli_series_id_seq', $1)`, [2 * slos]);
  // Bulk load without the indexes, then build them as the migrations name them.
  await client.query(`ALTER TABLE sli_minutes DROP CONSTRAINT "FK_sli_minutes_series"`);
  await client.query(`ALTER TABLE sli_minutes DROP CONSTRAINT "PK_sli_minutes"`);
  await client.query(`DROP INDEX "sli_minutes_minute_idx"`);
  await client.query(`ALTER TABLE sli_hours DROP CONSTRAINT "FK_sli_hours_series"`);
  await client.query(`ALTER TABLE sli_hours DROP CONSTRAINT "PK_sli_hours"`);
  await client.query(`DROP INDEX "sli_hours_hour_idx"`);
  await client.query(
    `INSERT INTO sli_hours (series_id, hour, requests, buckets, minute_mask)
     SELECT 2 * w + 1, h, (20 + w % 21) * 60, ${bucketsSql('(20 + w % 21) * 60', 'bigint')}, $4::bigint
     FROM generate_series(0, $1 - 1) AS w, generate_series($2::int / 60, $3::int / 60 - 1) AS h
     UNION ALL
     SELECT 2 * w + 2, h, 1, ${bucketsSql('1', 'bigint')}, 1::bigint << ((60 - w % 60) % 60)
     FROM generate_series(0, $1 - 1) AS w, generate_series($2::int / 60, $3::int / 60 - 1) AS h`,
    [slos, firstMinute, recent, ((1n << 60n) - 1n).toString()],
  );
  await client.query(
    `INSERT INTO sli_minutes (series_id, minute, requests, buckets)
     SELECT 2 * w + 1, m, 20 + w % 21, ${bucketsSql('20 + w % 21')}
     FROM generate_series(0, $1 - 1) AS w, generate_series($2::int, $3::int - 1) AS m
     UNION ALL
     SELECT 2 * w + 2, h + (60 - w % 60) % 60, 1, ${bucketsSql('1')}
     FROM generate_series(0, $1 - 1) AS w, generate_series($2::int, $3::int - 60, 60) AS h`,
    [slos, recent, nowMinute],
  );
  await client.query(
    `ALTER TABLE sli_minutes ADD CONSTRAINT "PK_sli_minutes" PRIMARY KEY ("series_id", "minute")`,
  );
  await client.query(`CREATE INDEX "sli_minutes_minute_idx" ON "sli_minutes" ("minute")`);
  await client.query(
    `ALTER TABLE sli_minutes ADD CONSTRAINT "FK_sli_minutes_series" FOREIGN KEY ("series_id")
       REFERENCES "sli_series" ("id") ON DELETE CASCADE`,
  );
  await client.query(`ALTER TABLE sli_hours ADD CONSTRAINT "PK_sli_hours" PRIMARY KEY ("series_id", "hour")`);
  await client.query(`CREATE INDEX "sli_hours_hour_idx" ON "sli_hours" ("hour")`);
  await client.query(
    `ALTER TABLE sli_hours ADD CONSTRAINT "FK_sli_hours_series" FOREIGN KEY ("series_id")
       REFERENCES "sli_series" ("id") ON DELETE CASCADE`,
  );
  await client.query(`VACUUM (ANALYZE) sli_minutes`);
  await client.query(`VACUUM (ANALYZE) sli_hours`);
  await client.query(`VACUUM (ANALYZE) sli_series`);
}

/** One fresh minute for every series, as the scrape would have written it. */
async function appendMinute(client: pg.Client, slos: number, minute: number): Promise<void> {
  await client.query(
    `INSERT INTO sli_minutes (series_id, minute, requests, buckets)
     SELECT 2 * w + 1, $2::int, 20 + w % 21, ${bucketsSql('20 + w % 21')} FROM generate_series(0, $1 - 1) AS w
     UNION ALL
     SELECT 2 * w + 2, $2::int, 1, ${bucketsSql('1')} FROM generate_series(0, $1 - 1) AS w
     WHERE ($2::int + w) % 60 = 0`,
    [slos, minute],
  );
}

async function insertSlos(client: pg.Client, service: SloService, slos: number): Promise<void> {
  const specs = Array.from({ length: slos }, (_, w) =>
    service.validate({
      name: `errors-${workloadName(w)}`,
      team: 'bench',
      service: { namespace: NAMESPACE, workload: workloadName(w) },
      indicator: { type: 'errorRate', errorStatus: '5xx' },
      objective: 99.9,
      window: '30d',
    }),
  );
  await client.query(
    `INSERT INTO slos (name, team, namespace, workload, spec)
     SELECT s->>'name', s->>'team', s->'service'->>'namespace', s->'service'->>'workload', s
     FROM jsonb_array_elements($1::jsonb) AS s`,
    [JSON.stringify(specs)],
  );
}

async function timed<T>(
  admin: pg.Client,
  database: string,
  run: () => Promise<T>,
): Promise<{ sample: TickSample; value: T }> {
  const pgBefore = await postgresCpuMs(admin, database);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const pgAfter = await postgresCpuMs(admin, database);
  return {
    value,
    sample: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, postgresCpuMs: pgAfter - pgBefore },
  };
}

export async function benchBurnwatch(options: {
  adminUrl: string;
  slos: number;
  ticks: number;
  nowMinute: number;
}): Promise<BurnwatchResult> {
  const { adminUrl, slos, ticks, nowMinute } = options;
  const firstMinute = nowMinute - 30 * 1440;
  const database = `burnwatch_bench_${process.pid}_${slos}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  let running: Awaited<ReturnType<typeof startBurnwatch>> | undefined;
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    const migrations = new DataSource(dataSourceOptions({ url: databaseUrl, poolSize: 1 }));
    await migrations.initialize();
    await migrations.runMigrations();
    await migrations.destroy();

    await client.connect();
    log(`${slos} SLOs: generating 30 days of history in ${database}`);
    const generateStart = performance.now();
    await generateHistory(client, slos, firstMinute, nowMinute);
    const generateSeconds = (performance.now() - generateStart) / 1000;
    const { rows: sizeRows } = await client.query<{ rows: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM sli_minutes) + (SELECT count(*) FROM sli_hours) AS rows,
              pg_total_relation_size('sli_minutes') + pg_total_relation_size('sli_hours') AS bytes`,
    );
    log(
      `${sizeRows[0]!.rows} rows, ${(Number(sizeRows[0]!.bytes) / 2 ** 20).toFixed(0)} MiB, ${generateSeconds.toFixed(0)} s`,
    );
    const { rows: parts } = await client.query<{
      relation: string;
      rows: string;
      heap: string;
      indexes: string;
    }>(
      `SELECT relname AS relation, n_live_tup AS rows, pg_table_size(relid) AS heap, pg_indexes_size(relid) AS indexes
       FROM pg_stat_user_tables WHERE relname IN ('sli_minutes', 'sli_hours') ORDER BY relname`,
    );
    for (const part of parts)
      log(
        `  ${part.relation}: ${part.rows} rows, table ${(Number(part.heap) / 2 ** 20).toFixed(0)} MiB (${(Number(part.heap) / Number(part.rows)).toFixed(0)} B a row), indexes ${(Number(part.indexes) / 2 ** 20).toFixed(0)} MiB`,
      );

    const clock = new BenchClock(new Date(nowMinute * 60_000));
    const base = loadConfig({ DATABASE_URL: databaseUrl });
    running = await startBurnwatch(
      {
        ...base,
        port: 0,
        host: '127.0.0.1',
        logLevel: 'error',
        kubernetes: { ...base.kubernetes, mode: 'off' },
        engine: { ...base.engine, scrapeTargets: [], schedule: false },
      },
      new JsonLogger('error'),
      clock,
    );
    await insertSlos(client, running.app.get(SloService), slos);
    const engine = running.app.get(SloEngine);

    log('first tick (backfill of every SLO)');
    const first = await timed(admin, database, () => engine.tick(clock.now()));
    log(`first tick: ${(first.sample.wallMs / 1000).toFixed(1)} s, ${first.value.evaluated} SLOs evaluated`);

    const samples: TickSample[] = [];
    for (let k = 1; k <= ticks; k++) {
      await appendMinute(client, slos, nowMinute + k - 1);
      clock.current = new Date((nowMinute + k) * 60_000);
      const { sample, value } = await timed(admin, database, () => engine.tick(clock.now()));
      if (value.evaluated !== slos) throw new Error(`tick evaluated ${value.evaluated} SLOs, not ${slos}`);
      samples.push(sample);
      log(`tick ${k}: ${sample.wallMs.toFixed(0)} ms wall, ${sample.cpuMs.toFixed(0)} ms CPU`);
    }
    // A sanity check that the ticks computed something real: one SLO's status as the API reports it.
    const status = await engine.statusOf(`errors-${workloadName(1)}`, clock.now());
    log(`status of errors-${workloadName(1)}: ${JSON.stringify(status).slice(0, 300)}`);
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      global.gc?.();
      log(`heap snapshot: ${writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT)}`);
    }
    const memory = process.memoryUsage();
    log(`memory after the ticks: ${memoryLine(memory)}`);
    if (global.gc) {
      global.gc();
      log(`memory after a full GC (node --expose-gc): ${memoryLine(process.memoryUsage())}`);
    }
    return {
      slos,
      rows: Number(sizeRows[0]!.rows),
      tableBytes: Number(sizeRows[0]!.bytes),
      generateSeconds,
      firstTick: first.sample,
      ticks: samples,
      rssMiB: memory.rss / 2 ** 20,
      heapMiB: memory.heapUsed / 2 ** 20,
      arrayBuffersMiB: memory.arrayBuffers / 2 ** 20,
      evaluated: first.value.evaluated,
    };
  } finally {
    await running?.close();
    await client.end().catch(() => undefined);
    if (process.env.BENCH_KEEP_DATABASE) log(`kept database ${database} (BENCH_KEEP_DATABASE)`);
    else await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}
