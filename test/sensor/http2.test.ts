/**
 * HTTP/2 in clear text (h2c, prior knowledge) against a real Node http2 server, with Node's
 * http2 client: the kernel follows the frames after the client preface, the loader decodes
 * HPACK (bpf/h2.c), and every stream is one request in the same histogram as HTTP/1, with
 * network_protocol_version="2". Counts exact; latency from the request's HEADERS to the end
 * of the response.
 */
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeH2Server, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let server: TestServer;
const service = 'bw-h2-fixture';
let syncs = 0;

interface Answer {
  status: number;
  body: Buffer;
}

function get(
  session: http2.ClientHttp2Session,
  path: string,
  opts: { method?: string; body?: Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': opts.method ?? 'GET', ':path': path });
    let status = 0;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function connect(): http2.ClientHttp2Session {
  return http2.connect(`http://127.0.0.1:${server.port}`);
}

function close(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => session.close(() => resolve()));
}

/** Every record produced before this call has been counted once this resolves. */
async function settle(): Promise<void> {
  syncs++;
  const s = connect();
  await get(s, `/sync?n=${syncs}`);
  await close(s);
  await waitFor(`${syncs} sync requests in /metrics`, async () => {
    return (await sensor.count({ service_name: service, http_route: '/sync' })) >= syncs;
  });
}

async function lost(reason: string): Promise<number> {
  const samples = await sensor.scrape();
  return samples
    .filter((s) => s.name === 'burnwatch_sensor_requests_lost_total' && s.labels.reason === reason)
    .reduce((n, s) => n + s.value, 0);
}

beforeAll(async () => {
  sensor = await startSensor();
  server = await startNodeH2Server(service);
});

afterAll(async () => {
  await server?.stop();
  await sensor?.stop();
});

describe('a Node http2 server in clear text (h2c)', () => {
  it('counts every stream of one connection, one after another, as HTTP/2', async () => {
    const s = connect();
    for (let i = 0; i < 15; i++) expect((await get(s, `/seq/items/${i}`)).status).toBe(200);
    await close(s);
    await settle();

    const series = await sensor.series({ service_name: service, http_route: '/seq/items/{id}' });
    expect(series.map((x) => [x.labels.http_response_status_code, x.count])).toEqual([['200', 15]]);
    expect(series[0]!.labels).toMatchObject({
      http_request_method: 'GET',
      network_protocol_version: '2',
      url_scheme: 'http',
      rpc_grpc_status_code: '',
    });
  });

  it('counts concurrent streams on one connection exactly, per status code', async () => {
    const s = connect();
    const statuses = [200, 404, 503, 201];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        get(s, `/concurrent/${i % 4}?status=${statuses[i % 4]}&delay=${(i * 7) % 30}`),
      ),
    );
    await close(s);
    expect(answers.map((a) => a.status).sort()).toEqual(
      [...Array(10).fill(200), ...Array(10).fill(201), ...Array(10).fill(404), ...Array(10).fill(503)].sort(),
    );
    await settle();

    const series = await sensor.series({ service_name: service, http_route: '/concurrent/{id}' });
    const counts = Object.fromEntries(series.map((x) => [x.labels.http_response_status_code, x.count]));
    expect(counts).toEqual({ '200': 10, '201': 10, '404': 10, '503': 10 });
  });

  it('times a slow answer from the request to the end of the response, in its bucket', async () => {
    const s = connect();
    expect((await get(s, '/slow?delay=320')).status).toBe(200);
    await close(s);
    await settle();

    const [slow] = await sensor.series({ service_name: service, http_route: '/slow' });
    expect(slow!.count).toBe(1);
    expect(slow!.buckets.get('0.3')).toBe(0); // cannot come before the server's 320 ms
    expect(slow!.buckets.get('2')).toBe(1);
  });

  it('counts uploads, large downloads and responses ending with trailers once each', async () => {
    const s = connect();
    const up = await get(s, '/upload', { method: 'POST', body: Buffer.alloc(200_000, 0x62) });
    const down = await get(s, '/download?size=1500000');
    const trailers = await get(s, '/trailers?trailers=1');
    await close(s);
    expect([up.status, down.body.length, trailers.status]).toEqual([200, 1_500_000, 200]);
    await settle();

    expect(
      await sensor.count({ service_name: service, http_route: '/upload', http_request_method: 'POST' }),
    ).toBe(1);
    expect(await sensor.count({ service_name: service, http_route: '/download' })).toBe(1);
    expect(await sensor.count({ service_name: service, http_route: '/trailers' })).toBe(1);
  });

  it('counts many connections, each with its own header tables, and loses nothing', async () => {
    const sessions = Array.from({ length: 8 }, () => connect());
    for (let round = 0; round < 5; round++) {
      await Promise.all(sessions.map((s, i) => get(s, `/many/${i}/x-${round}`)));
    }
    await Promise.all(sessions.map(close));
    await settle();

    expect(
      await sensor.count({ service_name: service, network_protocol_version: '2' }),
    ).toBeGreaterThanOrEqual(40);
    let many = 0;
    for (let round = 0; round < 5; round++)
      many += await sensor.count({ service_name: service, http_route: `/many/{id}/x-${round}` });
    expect(many).toBe(40);
    expect(await lost('h2_undecodable')).toBe(0);
    expect(await lost('h2_unanswered')).toBe(0);
    // Nothing of it is taken for HTTP/1.
    expect(await sensor.count({ service_name: service, network_protocol_version: '1.1' })).toBe(0);
  });
});
