/**
 * An error-rate SLO on a gRPC service, end to end (issue 11): a real @grpc/grpc-js server and client, the real
 * sensor in the kernel, Burnwatch's real scraper, engine and alert store. gRPC answers HTTP 200 for failed calls,
 * so only the calls' grpc-status can tell them apart: UNAVAILABLE pages, NOT_FOUND (the caller's answer, by the
 * default codes) does not, and an SLO that lists NOT_FOUND counts it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, startTestApp } from '../support/app.js';
import { startGrpcServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const proto = grpc.loadPackageDefinition(
  protoLoader.loadSync(path.join(here, 'fixtures', 'echo.proto'), { keepCase: true }),
) as any;
const service = 'bw-grpc-slo';
const route = '/bw.test.Echo/Say';

let sensor: RunningSensor;
let server: TestServer;
let client: any;
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
const clock = new ManualClock(new Date());
let served = 0;

function say(code: number): Promise<number> {
  return new Promise((resolve) =>
    client.Say({ name: 'slo', code, delay_ms: 0 }, (err: grpc.ServiceError | null) =>
      resolve(err ? err.code : 0),
    ),
  );
}

/** `n` calls answered with `code`, then a scrape once the sensor has counted them all, then an evaluation. */
async function minute(calls: { code: number; n: number }[]): Promise<void> {
  for (const { code, n } of calls) {
    const answered = await Promise.all(Array.from({ length: n }, () => say(code)));
    expect(answered.every((c) => c === code)).toBe(true);
    served += n;
  }
  await waitFor(`the sensor to count ${served} calls`, async () => {
    const series = await sensor.series({ service_name: service, http_route: route });
    return series.reduce((sum, s) => sum + s.count, 0) >= served;
  });
  const now = clock.advance(60);
  const [scrape] = await burnwatch.app
    .get(SensorScraperService)
    .scrapeAll(now, [`http://127.0.0.1:${sensor.port}/metrics`]);
  expect(scrape).toMatchObject({ ok: true });
  await burnwatch.app.get(SloEngine).tick(now);
}

const status = async (slo: string) => (await api('GET', `/api/v1/slos/${slo}/status`)).body;

beforeAll(async () => {
  sensor = await startSensor();
  server = await startGrpcServer(service);
  client = new proto.bw.test.Echo(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  burnwatch = await startTestApp({}, clock);
  api = apiClient(burnwatch.url);
  for (const [name, indicator] of [
    ['greeter-errors', { type: 'errorRate' }],
    ['greeter-not-found', { type: 'errorRate', grpcErrorCodes: ['NOT_FOUND', 'UNAVAILABLE'] }],
  ] as const) {
    const created = await api('POST', '/api/v1/slos', {
      name,
      service: { workload: service },
      indicator,
      objective: 99,
      window: '1d',
    });
    expect(created.status).toBe(201);
  }
  // The first reading of the target is its baseline: what came before it is not counted.
  await minute([{ code: 0, n: 1 }]);
}, 120_000);

afterAll(async () => {
  client?.close();
  await burnwatch?.close();
  await server?.stop();
  await sensor?.stop();
});

describe('an error-rate SLO on a real gRPC service', () => {
  it('counts NOT_FOUND as good by default and bad where the SLO lists it', async () => {
    await minute([
      { code: 0, n: 40 },
      { code: grpc.status.NOT_FOUND, n: 10 },
    ]);
    const byDefault = await status('greeter-errors');
    expect(byDefault.sli).toMatchObject({ total: 50, bad: 0 });
    expect(byDefault.status).toBe('ok');
    const listed = await status('greeter-not-found');
    expect(listed.sli).toMatchObject({ total: 50, bad: 10 });
  });

  it('pages when the calls start failing with UNAVAILABLE, all of them HTTP 200', async () => {
    for (let i = 0; i < 3; i++) await minute([{ code: grpc.status.UNAVAILABLE, n: 30 }]);
    const failing = await status('greeter-errors');
    expect(failing.sli).toMatchObject({ total: 140, bad: 90 });
    expect(failing.status).toBe('page');
    const alerts = (await api('GET', '/api/v1/alerts?slo=greeter-errors')).body.items;
    expect(alerts).toMatchObject([{ severity: 'page', state: 'firing' }]);
    const series = await sensor.series({ service_name: service, http_route: route });
    expect(new Set(series.map((s) => s.labels.http_response_status_code))).toEqual(new Set(['200']));
  });
});
