import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { KubeObject, schemaProblems } from '../support/kubernetes-schema.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const STEP_SECONDS = 15;
const RPS = 100;
const clock = new ManualClock(new Date('2026-11-02T08:00:00Z'));
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let sensor: SensorStandIn;

beforeAll(async () => {
  await resetDatabase();
  burnwatch = await startTestApp({ engine: { scrapeIntervalSeconds: 15, evalIntervalSeconds: 30 } }, clock);
  api = apiClient(burnwatch.url);
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  expect((await api('POST', '/api/v1/slos', errorRateSlo({ objective: 99, window: '7d' }))).status).toBe(201);
});
afterAll(async () => {
  await sensor.stop();
  await burnwatch.close();
});

/** Simulated time in scrape steps with `status` answers from the sensor, evaluated every other step. */
async function run(seconds: number, status: number): Promise<void> {
  const scraper = burnwatch.app.get(SensorScraperService);
  const engine = burnwatch.app.get(SloEngine);
  for (let t = STEP_SECONDS; t <= seconds; t += STEP_SECONDS) {
    sensor.record(RPS * STEP_SECONDS, status, 0.02);
    const now = clock.advance(STEP_SECONDS);
    await scraper.scrapeAll(now, [sensor.url]);
    if (t % 30 === 0) await engine.tick(now);
  }
}

const gate = (query = '') => api('GET', `/api/v1/slos/checkout-errors/gate${query}`);

describe('the deploy gate', () => {
  it('proceeds before any data but says the budget is unknown; halts on that when asked', async () => {
    await burnwatch.app.get(SloEngine).tick(clock.now());
    const open = await gate();
    expect(open.status).toBe(200);
    expect(open.body.proceed).toBe(true);
    expect(open.body.reasons[0]).toMatchObject({ slo: 'checkout-errors', blocking: false });
    expect(open.body.reasons[0].reason).toMatch(/budget is unknown/);
    expect((await gate('?onUnknown=halt')).body.proceed).toBe(false);
    expect((await gate('?onUnknown=halt&strict=true')).status).toBe(409);
  });

  it('says yes with budget left and nothing firing', async () => {
    await run(3600, 200);
    const verdict = await gate('?minBudgetPercent=50&strict=true');
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ proceed: true, reasons: [] });
    expect(verdict.body.slos[0]).toMatchObject({
      slo: 'checkout-errors',
      status: 'ok',
      remainingPercent: 100,
    });
    const byWorkload = await api('GET', '/api/v1/gate?namespace=shop&workload=checkout');
    expect(byWorkload.body.proceed).toBe(true);
    expect(byWorkload.body.slos).toHaveLength(1);
  });

  it('says no while a page fires and once the budget is spent, with 409 for strict callers', async () => {
    await run(600, 503);
    const verdict = await gate('?strict=true');
    expect(verdict.status).toBe(409);
    expect(verdict.body.proceed).toBe(false);
    const reasons = verdict.body.reasons.map((r: { reason: string }) => r.reason).join('\n');
    expect(reasons).toMatch(/a page alert has been firing since/);
    expect(reasons).toMatch(/the error budget is overspent/);
    expect((await api('GET', '/api/v1/gate?workload=checkout')).body.proceed).toBe(false);
    expect((await api('GET', '/api/v1/gate?workload=elsewhere')).body).toMatchObject({
      proceed: true,
      slos: [],
    });
  });

  it('names the field of a bad query', async () => {
    const bad = await gate('?minBudgetPercent=120&onUnknown=maybe&strict=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'minBudgetPercent',
      'onUnknown',
      'strict',
    ]);
    expect((await api('GET', '/api/v1/gate')).status).toBe(400);
    expect((await gate().then(() => api('GET', '/api/v1/slos/nope/gate'))).status).toBe(404);
  });

  it('has an Argo Rollouts AnalysisTemplate example that validates and whose URL answers the jsonPath it reads', async () => {
    const template = parse(
      readFileSync(
        new URL('../../deploy/examples/argo-rollouts-analysis-template.yaml', import.meta.url),
        'utf8',
      ),
    ) as KubeObject & { spec: { metrics: { provider: { web: { url: string; jsonPath: string } } }[] } };
    expect(await schemaProblems([template])).toEqual([]);
    const web = template.spec.metrics[0]!.provider.web;
    expect(web.jsonPath).toBe('{$.proceed}');
    // The URL as Argo would call it for this workload, pointed at this test's service.
    const url = new URL(
      web.url.replace('{{args.namespace}}', 'shop').replace('{{args.workload}}', 'checkout'),
    );
    const answer = await api('GET', url.pathname + url.search);
    expect(answer.status).toBe(200);
    expect(typeof answer.body.proceed).toBe('boolean');
  });
});
