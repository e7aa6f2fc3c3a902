/**
 * HTTPS to Node's `https`, through the uprobes on the node executable's own OpenSSL. Node feeds OpenSSL through
 * memory BIOs, so SSL_set_fd is never called: the SSL object is tied to the socket the same thread read the TLS
 * record from just before SSL_read decrypted it. Clients: curl (libssl.so.3) and Node's own `https` (the same
 * probes, on client sockets that are never followed).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startNodeHttpsServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const run = promisify(execFile);

let sensor: RunningSensor;
let server: TestServer;
let certDir: string;
let cert: { cert: string; key: string };
let syncs = 0;

/** curl -k: every URL on one connection (keep-alive); the statuses in order. */
async function curl(paths: string[], port = server.port): Promise<number[]> {
  const urls = paths.map((p) => `https://127.0.0.1:${port}${p}`);
  const { stdout } = await run('curl', [
    '-sk',
    '-w',
    '%{http_code}\\n',
    ...urls.flatMap((u) => ['-o', '/dev/null', u]),
  ]);
  return stdout.trim().split('\n').map(Number);
}

async function curlFresh(path: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push(...(await curl([path])));
  return statuses;
}

/** Node's https client, one request after the other on `agent` (keep-alive when it keeps sockets). */
async function nodeGet(agent: https.Agent, paths: string[]): Promise<{ status: number; reused: boolean }[]> {
  const out: { status: number; reused: boolean }[] = [];
  for (const p of paths) {
    out.push(
      await new Promise((resolve, reject) => {
        const req = https.get(
          { host: '127.0.0.1', port: server.port, path: p, agent, rejectUnauthorized: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          },
        );
        req.setTimeout(15_000, () => req.destroy(new Error(`no answer for ${p} within 15 s`)));
        req.on('error', reject);
      }),
    );
  }
  return out;
}

async function settle(): Promise<void> {
  syncs++;
  expect(await curl([`/sync?n=${syncs}`])).toEqual([200]);
  await waitFor(
    `https sync ${syncs}`,
    async () => (await sensor.count({ service_name: server.name, http_route: '/sync' })) >= syncs,
  );
}

async function kernelEvent(event: string): Promise<number> {
  const samples = await sensor.scrape();
  return (
    samples.find((s) => s.name === 'burnwatch_sensor_kernel_events_total' && s.labels.event === event)
      ?.value ?? 0
  );
}

async function routeCounts(prefix: string): Promise<Record<string, number>> {
  const series = (await sensor.series({ service_name: server.name })).filter((s) =>
    s.labels.http_route!.startsWith(prefix),
  );
  return Object.fromEntries(
    series.map((s) => [
      `${s.labels.url_scheme} ${s.labels.http_request_method} ${s.labels.http_route} ${s.labels.http_response_status_code}`,
      s.count,
    ]),
  );
}

beforeAll(async () => {
  const made = selfSignedCertificate();
  certDir = made.dir;
  cert = made;
  // The node executable is mapped by this test runner already: found in the sensor's first scan.
  server = await startNodeHttpsServer(made.cert, made.key);
  sensor = await startSensor();
});

afterAll(async () => {
  await server?.stop();
  await sensor?.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe("HTTPS to Node's https server (OpenSSL inside the node executable, memory BIOs)", () => {
  it('counts curl fresh and keep-alive requests exactly, by route and status, as url_scheme https', async () => {
    const unpairedBefore = await kernelEvent('tls_unpaired');
    expect(await curlFresh('/node/orders/1?status=200', 6)).toEqual(Array(6).fill(200));
    expect(await curlFresh('/node/orders/2?status=503', 3)).toEqual(Array(3).fill(503));
    const keepAlive = Array.from(
      { length: 10 },
      (_, i) => `/node/keepalive/${i}?status=${i < 7 ? 201 : 404}`,
    );
    expect(await curl(keepAlive)).toEqual([...Array(7).fill(201), ...Array(3).fill(404)]);
    await settle();

    expect(await routeCounts('/node/')).toEqual({
      'https GET /node/orders/{id} 200': 6,
      'https GET /node/orders/{id} 503': 3,
      'https GET /node/keepalive/{id} 201': 7,
      'https GET /node/keepalive/{id} 404': 3,
    });
    // Nothing counted twice or as plain HTTP: its syscalls carried ciphertext only.
    expect(await sensor.count({ service_name: server.name, url_scheme: 'http' })).toBe(0);
    expect(await kernelEvent('tls_unpaired')).toBe(unpairedBefore);
  });

  it("counts Node's own https client, fresh and keep-alive, and not the client side", async () => {
    const keep = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const kept = await nodeGet(
        keep,
        Array.from({ length: 8 }, (_, i) => `/client/keep/${i}?status=${i % 2 ? 200 : 500}`),
      );
      expect(kept.map((a) => a.status)).toEqual([500, 200, 500, 200, 500, 200, 500, 200]);
      expect(kept.filter((a) => a.reused).length).toBe(7);
    } finally {
      keep.destroy();
    }
    const fresh = new https.Agent({ keepAlive: false });
    const once = await nodeGet(fresh, ['/client/fresh/1', '/client/fresh/2', '/client/fresh/3?status=202']);
    expect(once.map((a) => a.status)).toEqual([200, 200, 202]);
    await settle();

    expect(await routeCounts('/client/')).toEqual({
      'https GET /client/keep/{id} 200': 4,
      'https GET /client/keep/{id} 500': 4,
      'https GET /client/fresh/{id} 200': 2,
      'https GET /client/fresh/{id} 202': 1,
    });
    expect(await sensor.count({ service_name: server.name, url_scheme: 'http' })).toBe(0);
  });

  it('keeps 8 interleaved keep-alive connections apart: each route with its own status', async () => {
    // Answers come out of order (delays differ), so a request tied to the wrong socket would be answered by another
    // connection's status and show up under a wrong route/status pair.
    const clients = Array.from({ length: 8 }, (_, c) => c);
    const answers = await Promise.all(
      clients.map(async (c) => {
        const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const paths = Array.from(
            { length: 10 },
            (_, i) => `/mix/c${c}/${i}?status=${200 + c}&delay=${((c * 7 + i * 3) % 5) * 4}`,
          );
          return await nodeGet(agent, paths);
        } finally {
          agent.destroy();
        }
      }),
    );
    answers.forEach((a, c) => expect(a.map((x) => x.status)).toEqual(Array(10).fill(200 + c)));
    await settle();
    const expected: Record<string, number> = {};
    for (const c of clients) expected[`https GET /mix/c${c}/{id} ${200 + c}`] = 10;
    expect(await routeCounts('/mix/')).toEqual(expected);
  });

  it('times a request from its SSL_read to its SSL_write: a 320 ms answer lands above 0.3 s', async () => {
    expect(await curl(['/node/slow?delay=320', '/node/slow?delay=320', '/node/fast'])).toEqual([
      200, 200, 200,
    ]);
    await settle();
    const [slow] = await sensor.series({ service_name: server.name, http_route: '/node/slow' });
    expect(slow!.count).toBe(2);
    expect(slow!.buckets.get('0.3')).toBe(0);
    expect(slow!.buckets.get('0.75')).toBe(2);
    const [fast] = await sensor.series({ service_name: server.name, http_route: '/node/fast' });
    expect(fast!.count).toBe(1);
    expect(fast!.buckets.get('0.3')).toBe(1);
  });
});

describe('a node executable first run after the sensor started', () => {
  it('is found by the rescan (/proc/<pid>/exe) and its requests are counted exactly from then on', async () => {
    // A copy is a file (device, inode) of its own: the sensor has not probed it yet.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-node-copy-'));
    const node = path.join(dir, 'node');
    copyFileSync(process.execPath, node);
    const late = await startNodeHttpsServer(cert.cert, cert.key, 'bw-node-late', node);
    try {
      // Until the next scan (every 5 s) attaches to it, its TLS is not seen: ask until one request is counted.
      await waitFor(
        'the rescan to attach to the copied node',
        async () => {
          expect(await curl(['/late/probe'], late.port)).toEqual([200]);
          return (await sensor.count({ service_name: late.name, http_route: '/late/probe' })) >= 1;
        },
        30_000,
      );
      expect(await curl(['/late/a/1', '/late/a/2', '/late/a/3?status=404'], late.port)).toEqual([
        200, 200, 404,
      ]);
      await waitFor(
        'the late requests',
        async () => (await sensor.count({ service_name: late.name, http_route: '/late/a/{id}' })) >= 3,
      );
      const series = await sensor.series({ service_name: late.name, http_route: '/late/a/{id}' });
      expect(
        Object.fromEntries(
          series.map((s) => [`${s.labels.url_scheme} ${s.labels.http_response_status_code}`, s.count]),
        ),
      ).toEqual({ 'https 200': 2, 'https 404': 1 });
      expect(await sensor.count({ service_name: late.name, url_scheme: 'http' })).toBe(0);
    } finally {
      await late.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
