/**
 * gRPC: a real @grpc/grpc-js server and client over HTTP/2 in clear text. The route is the
 * method's path, the HTTP status 200 whatever the outcome, and rpc_grpc_status_code the
 * grpc-status of the trailers (or of a trailers-only answer): exact counts per code.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const proto = grpc.loadPackageDefinition(
  protoLoader.loadSync(path.join(here, 'fixtures', 'echo.proto'), { keepCase: true }),
) as any;

let sensor: RunningSensor;
let server: TestServer;
let client: any;
const service = 'bw-grpc-fixture';
const route = '/bw.test.Echo/Say';

function say(name: string, code = 0, delayMs = 0): Promise<number> {
  return new Promise((resolve) => {
    client.Say({ name, code, delay_ms: delayMs }, (err: grpc.ServiceError | null) =>
      resolve(err ? err.code : 0),
    );
  });
}

async function codes(): Promise<Record<string, number>> {
  const series = await sensor.series({ service_name: service, http_route: route });
  const out: Record<string, number> = {};
  for (const s of series) {
    expect(s.labels).toMatchObject({
      http_request_method: 'POST',
      http_response_status_code: '200',
      network_protocol_version: '2',
    });
    out[s.labels.rpc_grpc_status_code!] = (out[s.labels.rpc_grpc_status_code!] ?? 0) + s.count;
  }
  return out;
}

async function kernelEvent(event: string): Promise<number> {
  const samples = await sensor.scrape();
  return (
    samples.find((s) => s.name === 'burnwatch_sensor_kernel_events_total' && s.labels.event === event)
      ?.value ?? 0
  );
}

async function lost(reason: string): Promise<number> {
  const samples = await sensor.scrape();
  return (
    samples.find((s) => s.name === 'burnwatch_sensor_requests_lost_total' && s.labels.reason === reason)
      ?.value ?? 0
  );
}

beforeAll(async () => {
  sensor = await startSensor();
  server = await startGrpcServer(service);
  client = new proto.bw.test.Echo(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  await sensor?.stop();
});

describe('a @grpc/grpc-js server', () => {
  it('counts calls by grpc-status on one channel: OK and errors that all travel as HTTP 200', async () => {
    const got: number[] = [];
    for (let i = 0; i < 10; i++) got.push(await say(`a${i}`));
    for (let i = 0; i < 4; i++) got.push(await say(`b${i}`, grpc.status.NOT_FOUND));
    got.push(
      ...(await Promise.all(
        Array.from({ length: 6 }, (_, i) => say(`c${i}`, grpc.status.UNAVAILABLE, i * 5)),
      )),
    );
    got.push(await say('d', grpc.status.INTERNAL));
    expect(got.filter((c) => c === 0)).toHaveLength(10);
    await waitFor(
      '21 calls in /metrics',
      async () => Object.values(await codes()).reduce((a, b) => a + b, 0) >= 21,
    );

    expect(await codes()).toEqual({ '0': 10, '5': 4, '14': 6, '13': 1 });
  });

  it('counts 200 concurrent calls on one channel: their answers leave in writev calls of more than 100 iovecs', async () => {
    // 50 or more answers at once: Node writes their frames with one iovec per frame header and payload
    // (strace: writev of 117 and 72 iovecs), and reads the 200 requests in one read of hundreds of frames.
    // The kernel walk once stopped at 32 iovecs or 256 frame steps and gave the connection up, and every
    // call after that on the channel went uncounted.
    const before = await codes();
    const got = await Promise.all(
      Array.from({ length: 200 }, (_, i) => say(`e${i}`, i % 4 ? 0 : grpc.status.NOT_FOUND)),
    );
    expect(got.filter((c) => c === 0)).toHaveLength(150);
    // And one more afterwards: the connection is still followed.
    expect(await say('after')).toBe(0);
    const want = { '0': (before['0'] ?? 0) + 151, '5': (before['5'] ?? 0) + 50 };
    await waitFor('201 more calls in /metrics', async () => {
      const now = await codes();
      return (now['0'] ?? 0) >= want['0'] && (now['5'] ?? 0) >= want['5'];
    });
    expect(await codes()).toMatchObject(want);
    expect(await kernelEvent('h2_desync')).toBe(0);
    expect(await lost('h2_unanswered')).toBe(0);
    expect(await lost('h2_undecodable')).toBe(0);
  });

  it('times a slow call from its request to its trailers, in its bucket', async () => {
    const before = (await codes())['0'] ?? 0;
    expect(await say('slow', 0, 320)).toBe(0);
    await waitFor('the slow call in /metrics', async () => ((await codes())['0'] ?? 0) > before);
    const [ok] = await sensor.series({ service_name: service, http_route: route, rpc_grpc_status_code: '0' });
    // Of the OK calls, only this one took 320 ms or more.
    expect(ok!.count - ok!.buckets.get('0.3')!).toBe(1);
    expect(ok!.count - ok!.buckets.get('2')!).toBe(0);
  });
});
