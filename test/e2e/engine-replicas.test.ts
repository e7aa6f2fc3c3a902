import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const START = new Date('2026-11-02T08:00:00Z');
let sensor: SensorStandIn;
const running: RunningBurnwatch[] = [];

async function replica(
  clock: ManualClock,
  engine: { evalIntervalSeconds?: number } = {},
): Promise<{ engine: SloEngine; scraper: SensorScraperService; app: RunningBurnwatch }> {
  const app = await startTestApp({ engine }, clock);
  running.push(app);
  return { app, engine: app.app.get(SloEngine), scraper: app.app.get(SensorScraperService) };
}

async function countRows(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  const { rows } = await client.query<{ n: string }>(sql);
  await client.end();
  return Number(rows[0]!.n);
}

beforeEach(async () => {
  await resetDatabase();
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
});
afterEach(async () => {
  await sensor.stop();
  while (running.length) await running.pop()!.close();
});

/** Ten minutes of all-failing traffic, scraped by the first replica every 15 s; `tick` evaluates every 30 s. */
async function burn(
  clock: ManualClock,
  scraper: SensorScraperService,
  tick: (now: Date) => Promise<unknown>,
): Promise<void> {
  for (let i = 1; i <= 40; i++) {
    sensor.record(1500, 500, 0.01);
    const now = clock.advance(15);
    await scraper.scrapeAll(now, [sensor.url]);
    if (i % 2 === 0) await tick(now);
  }
}

describe('the evaluator with several replicas and restarts', () => {
  it('lets exactly one of two replicas apply transitions, and both report the same status', async () => {
    const clock = new ManualClock(START);
    const a = await replica(clock);
    const b = await replica(clock);
    await apiClient(a.app.url)('POST', '/api/v1/slos', errorRateSlo());
    const leaders: boolean[] = [];
    await burn(clock, a.scraper, async (now) => {
      const [ra, rb] = await Promise.all([a.engine.tick(now), b.engine.tick(now)]);
      leaders.push(ra.leader, rb.leader);
      expect(ra.leader !== rb.leader).toBe(true);
    });
    expect(await countRows(`SELECT count(*) AS n FROM alerts`)).toBe(1);
    expect(await countRows(`SELECT count(*) AS n FROM alert_transitions`)).toBe(1);
    const statusA = (await apiClient(a.app.url)('GET', '/api/v1/slos/checkout-errors/status')).body;
    const statusB = (await apiClient(b.app.url)('GET', '/api/v1/slos/checkout-errors/status')).body;
    expect(statusA.status).toBe('page');
    expect(statusB.status).toBe('page');
    expect(statusB.sli).toEqual(statusA.sli);
  });

  it('takes over when the lease holder stops renewing it, by the database clock', async () => {
    const clock = new ManualClock(START);
    // A 1 s evaluation interval: the lease lasts three of them.
    const a = await replica(clock, { evalIntervalSeconds: 1 });
    const b = await replica(clock, { evalIntervalSeconds: 1 });
    expect((await a.engine.tick(clock.now())).leader).toBe(true);
    expect((await b.engine.tick(clock.now())).leader).toBe(false);
    // The replicas' clocks say nothing about the lease: an hour later by them, a's lease still holds.
    clock.advance(3600);
    expect((await b.engine.tick(clock.now())).leader).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 3_100)); // three intervals without a renewal
    expect((await b.engine.tick(clock.now())).leader).toBe(true);
    expect((await a.engine.tick(clock.now())).leader).toBe(false);
  });

  it('lets a replica whose clock is a minute ahead wait for the holder like any other', async () => {
    const a = await replica(new ManualClock(START));
    const fast = await replica(new ManualClock(new Date(START.getTime() + 60_000)));
    expect((await a.engine.tick(START)).leader).toBe(true);
    expect((await fast.engine.tick(new Date(START.getTime() + 120_000))).leader).toBe(false);
    expect((await a.engine.tick(START)).leader).toBe(true);
  });

  it('hands the lease over at once when its holder shuts down', async () => {
    const clock = new ManualClock(START);
    const a = await replica(clock);
    const b = await replica(clock);
    expect((await a.engine.tick(clock.now())).leader).toBe(true);
    await running.splice(running.indexOf(a.app), 1)[0]!.close();
    expect((await b.engine.tick(clock.now())).leader).toBe(true);
  });

  it('resumes from the stored alert state after a restart, firing no duplicate', async () => {
    const clock = new ManualClock(START);
    const first = await replica(clock);
    await apiClient(first.app.url)('POST', '/api/v1/slos', errorRateSlo());
    await burn(clock, first.scraper, (now) => first.engine.tick(now));
    expect(await countRows(`SELECT count(*) AS n FROM alerts WHERE state = 'firing'`)).toBe(1);
    await running.pop()!.close(); // it gives its lease up
    clock.advance(120); // the restart takes a while

    const second = await replica(clock);
    await burn(clock, second.scraper, (now) => second.engine.tick(now));
    expect(await countRows(`SELECT count(*) AS n FROM alerts`)).toBe(1);
    expect(await countRows(`SELECT count(*) AS n FROM alert_transitions`)).toBe(1);
  });
});
