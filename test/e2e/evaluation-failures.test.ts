import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

/** A port nothing listens on: Prometheus is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('one SLO that cannot be evaluated', () => {
  let burnwatch: RunningBurnwatch;
  let sensor: SensorStandIn;
  let clock: ManualClock;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    await resetDatabase();
    clock = new ManualClock(new Date('2026-11-02T08:00:00Z'));
    sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
    burnwatch = await startTestApp(
      { engine: { prometheusUrl: `http://127.0.0.1:${await closedPort()}` } },
      clock,
    );
    api = apiClient(burnwatch.url);
    expect((await api('POST', '/api/v1/slos', errorRateSlo({ name: 'sensor-errors' }))).status).toBe(201);
    expect(
      (
        await api(
          'POST',
          '/api/v1/slos',
          errorRateSlo({ name: 'prom-errors', source: { type: 'prometheus' } }),
        )
      ).status,
    ).toBe(201);
    const engine = burnwatch.app.get(SloEngine);
    const scraper = burnwatch.app.get(SensorScraperService);
    for (let t = 0; t < 600; t += 15) {
      sensor.record(1500, 200, 0.02);
      const now = clock.advance(15);
      await scraper.scrapeAll(now, [sensor.url]);
      if (t % 30 === 15) await engine.tick(now);
    }
  });
  afterAll(async () => {
    await burnwatch?.close();
    await sensor?.stop();
  });

  it('answers the status list with 200: that SLO is an error with its reason and since when, the others intact', async () => {
    const response = await api('GET', '/api/v1/slo-statuses');
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(response.body.items.map((s: { slo: string }) => [s.slo, s]));
    expect(byName['sensor-errors']).toMatchObject({ status: 'ok', sli: { percent: 100 } });
    expect(byName['prom-errors']).toMatchObject({
      status: 'error',
      error: {
        reason: expect.stringMatching(/fetch failed|ECONNREFUSED|connect/i),
        since: '2026-11-02T08:00:30.000Z',
      },
      sli: { percent: null },
    });
  });

  it('answers the one status with 200 too, and filters on it', async () => {
    expect((await api('GET', '/api/v1/slos/prom-errors/status')).body.status).toBe('error');
    const errors = (await api('GET', '/api/v1/slo-statuses?status=error')).body.items;
    expect(errors.map((s: { slo: string }) => s.slo)).toEqual(['prom-errors']);
  });

  it('answers an unchanged list with 304 to a client that has it (the UI polls it)', async () => {
    const first = await fetch(`${burnwatch.url}/api/v1/slo-statuses`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${burnwatch.url}/api/v1/slo-statuses`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // A new SLO is a new list.
    expect((await api('POST', '/api/v1/slos', errorRateSlo({ name: 'third' }))).status).toBe(201);
    const changed = await fetch(`${burnwatch.url}/api/v1/slo-statuses`, {
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { items: unknown[] }).items).toHaveLength(3);
  });

  it('counts the failures per SLO', async () => {
    const metrics = await (await fetch(`${burnwatch.url}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('burnwatch_slo_evaluation_errors_total{slo="prom-errors"}'));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(20);
    expect(metrics).not.toContain('burnwatch_slo_evaluation_errors_total{slo="sensor-errors"}');
  });
});
