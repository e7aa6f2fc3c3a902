import { inject } from 'vitest';
import pg from 'pg';
import { startBurnwatch, RunningBurnwatch } from '../../src/app.js';
import { Config } from '../../src/config/config.js';
import { Clock, systemClock } from '../../src/common/clock.js';
import { JsonLogger } from '../../src/observability/json-logger.js';

export function testConfig(
  overrides: Omit<Partial<Config>, 'engine'> & { engine?: Partial<Config['engine']> } = {},
): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: inject('databaseUrl'),
    dataDir: '/nonexistent',
    apiToken: undefined,
    logLevel: 'warn',
    publicUrl: 'http://burnwatch.test',
    slack: {
      botToken: undefined,
      signingSecret: undefined,
      apiUrl: 'http://127.0.0.1:9/api/',
      defaultChannel: undefined,
      requestTimeoutMs: 2_000,
      dispatchIntervalMs: 50,
      retryBaseMs: 50,
      retryMaxMs: 400,
      giveUpAfterMs: 3_600_000,
    },
    // Tests never start a real sensor; test/sensor/ does, as root.
    sensor: { mode: 'off' },
    kubernetes: { mode: 'off', kubeconfig: undefined, lookbackSeconds: 7200, retentionSeconds: 30 * 86400 },
    ...overrides,
    engine: {
      scrapeTargets: [],
      scrapeIntervalSeconds: 15,
      evalIntervalSeconds: 30,
      minEvents: 20,
      staleAfterSeconds: 300,
      retentionDays: 31,
      prometheusUrl: undefined,
      // Tests drive scrapes and evaluations with their own clock unless they ask for the schedule.
      schedule: false,
      sensorDiscovery: { labels: { 'app.kubernetes.io/name': 'burnwatch-sensor' }, port: 9464 },
      ...overrides.engine,
    },
  };
}

/** The real service on a free port against this run's Postgres database. */
export async function startTestApp(
  overrides: Parameters<typeof testConfig>[0] = {},
  clock: Clock = systemClock,
): Promise<RunningBurnwatch> {
  const config = testConfig(overrides);
  return startBurnwatch(config, new JsonLogger('error'), clock);
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
  advance(seconds: number): Date {
    this.current = new Date(this.current.getTime() + seconds * 1000);
    return this.now();
  }
}

/** Empties every table but the migrations', so each test file starts from nothing. */
export async function resetDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  const { rows } = await client.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'burnwatch_migrations'`,
  );
  // A running app's background work (the rollup job, the change-stamp fold, a tick) can hold a lock TRUNCATE
  // waits for while waiting for one TRUNCATE holds: Postgres aborts one side (40P01). Emptying again is safe.
  for (let attempt = 1; rows.length > 0; attempt++) {
    try {
      await client.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} CASCADE`);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt === 5) throw error;
    }
  }
  await client.end();
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny HTTP client for tests: JSON in, JSON (or text) out. */
export function apiClient(baseUrl: string, token?: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(baseUrl + path, { method, headers, body: payload });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json');
    return {
      status: response.status,
      body: (isJson && text ? JSON.parse(text) : text) as T,
      headers: response.headers,
    };
  };
}
