/**
 * The sensor against Python servers: a BaseHTTPRequestHandler on HTTP/1.1
 * (recv_into + sendall) and `python3 -m http.server` (HTTP/1.0, one request per connection).
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, pipelined, request } from './support/client.js';
import { startPlainPythonHttpServer, startPythonServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let handler: TestServer;
let plain: TestServer;
let docroot: string;
const syncs = new Map<number, number>();

async function settle(server: TestServer): Promise<void> {
  const n = (syncs.get(server.port) ?? 0) + 1;
  syncs.set(server.port, n);
  await request(server.port, `/sync?n=${n}`);
  await waitFor(
    `sync ${n} of port ${server.port}`,
    async () => (await sensor.count({ service_name: server.name, http_route: '/sync' })) >= n,
  );
}

beforeAll(async () => {
  sensor = await startSensor();
  handler = await startPythonServer();
  docroot = mkdtempSync(path.join(os.tmpdir(), 'bw-docroot-'));
  writeFileSync(path.join(docroot, 'index.txt'), 'hello\n');
  writeFileSync(path.join(docroot, 'sync'), 'sync\n');
  writeFileSync(path.join(docroot, 'big.bin'), Buffer.alloc(4 << 20, 0x63));
  plain = await startPlainPythonHttpServer(docroot);
});

afterAll(async () => {
  await handler?.stop();
  await plain?.stop();
  await sensor?.stop();
  if (docroot) rmSync(docroot, { recursive: true, force: true });
});

describe('a Python BaseHTTPRequestHandler server (HTTP/1.1)', () => {
  it('counts fresh, keep-alive and pipelined requests exactly', async () => {
    await freshRequests(handler.port, '/py/orders/1?status=200', 6);
    await freshRequests(handler.port, '/py/orders/2?status=500', 2);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 10; i++) await request(handler.port, `/py/keepalive/${i}?status=202`, { agent });
    agent.destroy();
    expect(
      await pipelined(handler.port, ['/py/pipe?status=200', '/py/pipe?status=200', '/py/pipe?status=409']),
    ).toEqual([200, 200, 409]);
    await settle(handler);

    const counts = Object.fromEntries(
      (await sensor.series({ service_name: handler.name }))
        .filter((s) => s.labels.http_route!.startsWith('/py/'))
        .map((s) => [`${s.labels.http_route} ${s.labels.http_response_status_code}`, s.count]),
    );
    expect(counts).toEqual({
      '/py/orders/{id} 200': 6,
      '/py/orders/{id} 500': 2,
      '/py/keepalive/{id} 202': 10,
      '/py/pipe 200': 2,
      '/py/pipe 409': 1,
    });
  });

  it('puts a 320 ms answer above the 0.3 s bucket and within 0.75 s', async () => {
    for (let i = 0; i < 3; i++) await request(handler.port, '/py/slow?delay=320');
    await settle(handler);
    const [slow] = await sensor.series({ service_name: handler.name, http_route: '/py/slow' });
    expect(slow!.count).toBe(3);
    expect(slow!.buckets.get('0.3')).toBe(0);
    expect(slow!.buckets.get('0.75')).toBe(3);
  });
});

describe('python3 -m http.server (HTTP/1.0)', () => {
  it('counts files served and files missing, and a 4 MiB download once', async () => {
    const found = await freshRequests(plain.port, '/index.txt', 7);
    const missing = await freshRequests(plain.port, '/nope.txt', 4);
    const big = await freshRequests(plain.port, '/big.bin', 2);
    expect(found.every((a) => a.status === 200)).toBe(true);
    expect(missing.every((a) => a.status === 404)).toBe(true);
    expect(big.map((a) => a.bodyBytes)).toEqual([4 << 20, 4 << 20]);
    await settle(plain);

    expect(
      await sensor.count({
        service_name: plain.name,
        http_route: '/index.txt',
        http_response_status_code: '200',
      }),
    ).toBe(7);
    expect(
      await sensor.count({
        service_name: plain.name,
        http_route: '/nope.txt',
        http_response_status_code: '404',
      }),
    ).toBe(4);
    expect(
      await sensor.count({
        service_name: plain.name,
        http_route: '/big.bin',
        http_response_status_code: '200',
      }),
    ).toBe(2);
  });
});
