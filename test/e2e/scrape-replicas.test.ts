import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { SliRepository } from '../../src/sli/sli-repository.js';
import { ManualClock, resetDatabase, startTestApp } from '../support/app.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const START = new Date('2026-11-02T08:00:00Z');
let sensor: SensorStandIn;
const running: RunningBurnwatch[] = [];

async function replicas(n: number, clock: ManualClock): Promise<RunningBurnwatch[]> {
  const started = await Promise.all(
    Array.from({ length: n }, () => startTestApp({ engine: { scrapeIntervalSeconds: 1 } }, clock)),
  );
  running.push(...started);
  return started;
}

const scraper = (app: RunningBurnwatch) => app.app.get(SensorScraperService);

async function storedRequests(): Promise<number> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  const { rows } = await client.query<{ n: string | null }>(`SELECT sum(requests) AS n FROM sli_minutes`);
  await client.end();
  return Number(rows[0]!.n ?? 0);
}

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

beforeEach(async () => {
  await resetDatabase();
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
});
afterEach(async () => {
  await sensor.stop();
  while (running.length) await running.pop()!.close();
});

describe('scraping with several replicas', () => {
  it.each([1, 2, 3])(
    'stores what the sensor served, once, with %i replica(s) scraping together',
    async (n) => {
      const clock = new ManualClock(START);
      const apps = await replicas(n, clock);
      // The first reading of a target is its baseline: what came before it is not counted.
      sensor.record(500, 200, 0.01);
      await Promise.all(apps.map((app) => scraper(app).scrapeAll(clock.now(), [sensor.url])));
      const next = random(n);
      let served = 0;
      for (let round = 0; round < 30; round++) {
        const now = clock.advance(15);
        // Traffic lands before, between and during the replicas' scrapes of the same round.
        const scrapes = apps.map(async (app) => {
          const requests = Math.floor(next() * 50);
          const errors = Math.floor(next() * 5);
          sensor.record(requests, 200, 0.05, { route: round % 3 === 0 ? '/a' : '/b' });
          sensor.record(errors, 503, 0.2);
          served += requests + errors;
          return scraper(app).scrapeAll(now, [sensor.url]);
        });
        const results = (await Promise.all(scrapes)).flat();
        expect(results.every((r) => r.ok)).toBe(true);
      }
      // One last reading picks up what arrived during the last round's scrapes.
      await scraper(apps[0]!).scrapeAll(clock.advance(15), [sensor.url]);
      expect(await storedRequests()).toBe(served);
    },
  );

  it('takes over from a replica that died holding a target, counting what it had not stored', async () => {
    const clock = new ManualClock(START);
    const [a, b] = await replicas(2, clock);
    sensor.record(100, 200, 0.01);
    await scraper(a!).scrapeAll(clock.now(), [sensor.url]);
    sensor.record(40, 200, 0.01);
    await scraper(a!).scrapeAll(clock.advance(15), [sensor.url]);

    // a claims the target for its next scrape and dies before storing anything.
    sensor.record(25, 500, 0.01);
    expect(await a!.app.get(SliRepository).claimTarget(sensor.url, 3000)).not.toBeNull();
    await running.splice(running.indexOf(a!), 1)[0]!.close();

    const [held] = await scraper(b!).scrapeAll(clock.advance(15), [sensor.url]);
    expect(held).toMatchObject({ ok: true, skipped: true });
    await new Promise((resolve) => setTimeout(resolve, 3100)); // the dead replica's claim runs out
    const [taken] = await scraper(b!).scrapeAll(clock.advance(15), [sensor.url]);
    expect(taken).toMatchObject({ ok: true, requests: 25 });
    expect(await storedRequests()).toBe(65);
  });

  it('keeps the counters when a replica restarts: the first scrape after it continues from them', async () => {
    const clock = new ManualClock(START);
    const [a] = await replicas(1, clock);
    sensor.record(100, 200, 0.01);
    await scraper(a!).scrapeAll(clock.now(), [sensor.url]);
    await running.pop()!.close();
    sensor.record(30, 200, 0.01);
    const [b] = await replicas(1, clock);
    await scraper(b!).scrapeAll(clock.advance(15), [sensor.url]);
    expect(await storedRequests()).toBe(30);
  });

  it('counts traffic held back by a gap in the stored readings, and stores all of it', async () => {
    const clock = new ManualClock(START);
    const [a] = await replicas(1, clock);
    const gapRequests = async () => {
      const text = await (await fetch(`${a!.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`burnwatch_scrape_gap_requests_total{target="${sensor.url}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    sensor.record(100, 200, 0.01);
    await scraper(a!).scrapeAll(clock.now(), [sensor.url]);
    sensor.record(10, 200, 0.01);
    const [onTime] = await scraper(a!).scrapeAll(clock.advance(15), [sensor.url]);
    expect(onTime).toMatchObject({ ok: true, requests: 10 });
    expect(onTime!.gapSeconds).toBeUndefined();

    // Ten minutes without a stored reading (the database down, or no replica up): the sensor keeps counting.
    sensor.record(70, 200, 0.01);
    sensor.record(7, 503, 0.01);
    clock.advance(600);
    const [afterGap] = await scraper(a!).scrapeAll(clock.advance(15), [sensor.url]);
    expect(afterGap).toMatchObject({ ok: true, requests: 77, gapSeconds: 615 });
    expect(await gapRequests()).toBe(77);

    sensor.record(5, 200, 0.01);
    const [next] = await scraper(a!).scrapeAll(clock.advance(15), [sensor.url]);
    expect(next!.gapSeconds).toBeUndefined();
    expect(await gapRequests()).toBe(77);
    expect(await storedRequests()).toBe(92);
  });
});
