/**
 * Malformed and binary traffic on the ports of real servers: the sensor keeps
 * running, creates no series for it, and still counts the valid traffic exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { freshRequests, rawExchange, request } from './support/client.js';
import { startNodeServer, startPythonServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let servers: TestServer[];
const NODE = 'bw-node-garbage';
const PYTHON = 'py-server'; // service_name of `python3 py-server.py`: the script

/** Deterministic bytes: mulberry32. */
function randomBytes(seed: number, n: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

const crafted: Array<{ name: string; bytes: Buffer }> = [
  {
    name: 'binary after a method',
    bytes: Buffer.concat([Buffer.from('GET '), randomBytes(7, 200), Buffer.from('\r\n\r\n')]),
  },
  {
    name: 'control bytes in the target',
    bytes: Buffer.from('GET /\x00\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
  },
  { name: 'an unknown protocol version', bytes: Buffer.from('GET /v HTTP/9.9\r\nHost: x\r\n\r\n') },
  { name: 'a method without a target', bytes: Buffer.from('POST\r\n\r\n') },
  { name: 'a method-like word', bytes: Buffer.from('GETX / HTTP/1.1\r\n\r\n') },
  {
    name: 'a status line sent as a request',
    bytes: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
  },
  { name: 'a TLS ClientHello', bytes: Buffer.from('16030100a5010000a10303' + '00'.repeat(60), 'hex') },
  { name: 'a lone CRLF storm', bytes: Buffer.from('\r\n'.repeat(500)) },
];

beforeAll(async () => {
  sensor = await startSensor();
  servers = [await startNodeServer(NODE), await startPythonServer()];
});

afterAll(async () => {
  for (const s of servers ?? []) await s.stop();
  await sensor?.stop();
});

describe('malformed and binary traffic', () => {
  it('creates no series, keeps the sensor up, and valid traffic after it is counted exactly', async () => {
    for (const server of servers) {
      for (const { bytes } of crafted) await rawExchange(server.port, bytes, 1, 2_000, true);
      for (let seed = 1; seed <= 40; seed++) {
        await rawExchange(server.port, randomBytes(seed, 32 + ((seed * 97) % 2000)), 1, 2_000, true);
      }
    }
    for (const server of servers)
      expect((await freshRequests(server.port, '/valid/7', 5)).map((a) => a.status)).toEqual([
        200, 200, 200, 200, 200,
      ]);
    for (const server of servers) await request(server.port, '/sync');
    await waitFor('both syncs', async () => (await sensor.count({ http_route: '/sync' })) >= 2);

    const series = [
      ...(await sensor.series({ service_name: NODE })),
      ...(await sensor.series({ service_name: PYTHON })),
    ];
    const seen = series.map(
      (s) =>
        `${s.labels.service_name} ${s.labels.http_request_method} ${s.labels.http_route} ${s.labels.http_response_status_code} ${s.count}`,
    );
    expect(seen.sort()).toEqual([
      `${NODE} GET /sync 200 1`,
      `${NODE} GET /valid/{id} 200 5`,
      `${PYTHON} GET /sync 200 1`,
      `${PYTHON} GET /valid/{id} 200 5`,
    ]);

    // The servers did answer some garbage that began like a request (400, 505, …):
    // those transactions reached user space and were dropped there, not exported.
    const samples = await sensor.scrape();
    const malformed = samples.find(
      (s) =>
        s.name === 'burnwatch_sensor_transactions_ignored_total' && s.labels.reason === 'malformed_request',
    );
    expect(malformed?.value).toBeGreaterThan(0);
    expect(samples.find((s) => s.name === 'burnwatch_sensor_up')?.value).toBe(1);
  });

  it('does not let an unanswered, abandoned request skew the next request on that server', async () => {
    const node = servers[0]!;
    // A request the server never answers; the client gives up and goes away.
    await new Promise<void>((resolve) => {
      const socket = net.connect(node.port, '127.0.0.1', () => {
        socket.write('GET /aborted/1?hang=1 HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 150);
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    // The next connections (the kernel hands the server the lowest free fd, often the same one).
    expect((await freshRequests(node.port, '/after-abort', 3)).map((a) => a.status)).toEqual([200, 200, 200]);
    await request(node.port, '/sync');
    await waitFor(
      'sync after abort',
      async () => (await sensor.count({ service_name: NODE, http_route: '/sync' })) >= 2,
    );

    expect(await sensor.series({ service_name: NODE, http_route: '/aborted/{id}' })).toEqual([]);
    const [after] = await sensor.series({ service_name: NODE, http_route: '/after-abort' });
    expect(after!.count).toBe(3);
    expect(after!.buckets.get('0.25')).toBe(3); // not the 450 ms the abandoned request waited
  });

  it('still counts a well-formed request whose method and path a malformed one used before', async () => {
    const node = servers[0]!;
    // Node answers "GET /same HTTP/9.9" with 400: dropped as malformed (not HTTP/1.x).
    const answer = await rawExchange(
      node.port,
      Buffer.from('GET /same HTTP/9.9\r\nHost: x\r\n\r\n'),
      1,
      2_000,
      true,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    // Same process, method, path and status, well formed this time.
    expect((await freshRequests(node.port, '/same?status=400', 2)).map((a) => a.status)).toEqual([400, 400]);
    await request(node.port, '/sync');
    await waitFor(
      'sync after /same',
      async () => (await sensor.count({ service_name: NODE, http_route: '/sync' })) >= 3,
    );

    expect(
      await sensor.count({ service_name: NODE, http_route: '/same', http_response_status_code: '400' }),
    ).toBe(2);
  });
});
