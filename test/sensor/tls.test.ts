/**
 * HTTPS through the uprobes on libssl: a Python `ssl` server (SSL_read_ex/SSL_write_ex of the system's
 * libssl.so.3, found in its /proc/<pid>/maps when the sensor starts) and curl as the client. Counted with the
 * plain-HTTP metric and labels, `url_scheme="https"`; the ciphertext its syscalls carry is never counted.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/client.js';
import {
  selfSignedCertificate,
  startNginx,
  startPythonServer,
  startPythonTlsServer,
  type TestServer,
} from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const run = promisify(execFile);

let sensor: RunningSensor;
let tls: TestServer;
let plain: TestServer;
let certDir: string;
let cert: { cert: string; key: string };
let syncs = 0;

/** curl -k: every URL on one connection (keep-alive); the statuses in order. */
async function curl(port: number, paths: string[]): Promise<number[]> {
  const urls = paths.map((p) => `https://127.0.0.1:${port}${p}`);
  const { stdout } = await run('curl', [
    '-sk',
    '-w',
    '%{http_code}\\n',
    ...urls.flatMap((u) => ['-o', '/dev/null', u]),
  ]);
  return stdout.trim().split('\n').map(Number);
}

/** One connection per request. */
async function curlFresh(port: number, path: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push(...(await curl(port, [path])));
  return statuses;
}

async function settle(): Promise<void> {
  syncs++;
  expect(await curl(tls.port, [`/sync?n=${syncs}`])).toEqual([200]);
  await waitFor(
    `https sync ${syncs}`,
    async () => (await sensor.count({ service_name: tls.name, http_route: '/sync' })) >= syncs,
  );
}

async function kernelEvent(event: string): Promise<number> {
  const samples = await sensor.scrape();
  return (
    samples.find((s) => s.name === 'burnwatch_sensor_kernel_events_total' && s.labels.event === event)
      ?.value ?? 0
  );
}

beforeAll(async () => {
  const made = selfSignedCertificate();
  cert = made;
  certDir = made.dir;
  // Started before the sensor: its libssl is found in /proc/<pid>/maps at start.
  tls = await startPythonTlsServer(made.cert, made.key);
  plain = await startPythonServer();
  sensor = await startSensor();
});

afterAll(async () => {
  await tls?.stop();
  await plain?.stop();
  await sensor?.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('HTTPS to a Python ssl server, through the uprobes on libssl', () => {
  it('counts fresh and keep-alive requests exactly, by route and status, as url_scheme https', async () => {
    expect(await curlFresh(tls.port, '/tls/orders/1?status=200', 6)).toEqual(Array(6).fill(200));
    expect(await curlFresh(tls.port, '/tls/orders/2?status=503', 3)).toEqual(Array(3).fill(503));
    const keepAlive = Array.from({ length: 10 }, (_, i) => `/tls/keepalive/${i}?status=${i < 7 ? 201 : 404}`);
    expect(await curl(tls.port, keepAlive)).toEqual([...Array(7).fill(201), ...Array(3).fill(404)]);
    await settle();

    const series = (await sensor.series({ service_name: tls.name })).filter((s) =>
      s.labels.http_route!.startsWith('/tls/'),
    );
    const counts = Object.fromEntries(
      series.map((s) => [
        `${s.labels.url_scheme} ${s.labels.http_request_method} ${s.labels.http_route} ${s.labels.http_response_status_code}`,
        s.count,
      ]),
    );
    expect(counts).toEqual({
      'https GET /tls/orders/{id} 200': 6,
      'https GET /tls/orders/{id} 503': 3,
      'https GET /tls/keepalive/{id} 201': 7,
      'https GET /tls/keepalive/{id} 404': 3,
    });
    // Nothing of this server counted as plain HTTP: its syscalls carried ciphertext only.
    expect(await sensor.count({ service_name: tls.name, url_scheme: 'http' })).toBe(0);
  });

  it('times a request from its SSL_read to its SSL_write: a 320 ms answer lands above 0.3 s', async () => {
    expect(await curl(tls.port, ['/tls/slow?delay=320', '/tls/slow?delay=320'])).toEqual([200, 200]);
    await settle();
    const [slow] = await sensor.series({ service_name: tls.name, http_route: '/tls/slow' });
    expect(slow!.count).toBe(2);
    expect(slow!.buckets.get('0.3')).toBe(0);
    expect(slow!.buckets.get('0.75')).toBe(2);
  });

  it('ties every connection to its SSL object and leaves no plaintext unpaired', async () => {
    // 6 + 3 fresh, 1 keep-alive, 1 slow, 2 syncs so far: each connection tied once (SSL_set_fd).
    await waitFor('the kernel counters', async () => (await kernelEvent('tls_tied')) >= 13);
    expect(await kernelEvent('tls_unpaired')).toBe(0);
  });

  it('still counts plain HTTP beside it, as url_scheme http', async () => {
    for (let i = 0; i < 4; i++) expect((await request(plain.port, '/plain/x?status=200')).status).toBe(200);
    await waitFor(
      'the plain requests',
      async () => (await sensor.count({ service_name: plain.name, http_route: '/plain/x' })) >= 4,
    );
    expect(await sensor.count({ service_name: plain.name, http_route: '/plain/x', url_scheme: 'http' })).toBe(
      4,
    );
    expect(await sensor.count({ service_name: plain.name, url_scheme: 'https' })).toBe(0);
  });
});

describe('HTTPS to nginx started after the sensor (SSL_read/SSL_write of the same libssl file)', () => {
  it('counts fresh and keep-alive requests, static files and 404s exactly, as url_scheme https', async () => {
    const nginx = await startNginx(
      plain.port,
      { 'page.html': Buffer.from('<p>hi</p>'), 'big.bin': Buffer.alloc(3 << 20, 0x61) },
      cert,
    );
    try {
      expect(await curlFresh(nginx.port, '/ok', 5)).toEqual(Array(5).fill(200));
      expect(
        await curl(nginx.port, ['/static/page.html', '/static/page.html', '/missing', '/static/big.bin']),
      ).toEqual([200, 200, 404, 200]);
      expect(await curl(nginx.port, ['/ok'])).toEqual([200]);
      await waitFor(
        'the last nginx request',
        async () =>
          (await sensor.count({ service_name: 'nginx', http_route: '/ok', url_scheme: 'https' })) >= 6,
      );
      const counts = Object.fromEntries(
        // Other nginx tests on this machine may count plain /ok: only this one speaks HTTPS.
        (await sensor.series({ service_name: 'nginx', url_scheme: 'https' })).map((s) => [
          `${s.labels.url_scheme} ${s.labels.http_route} ${s.labels.http_response_status_code}`,
          s.count,
        ]),
      );
      expect(counts).toEqual({
        'https /ok 200': 6,
        'https /static/page.html 200': 2,
        'https /missing 404': 1,
        'https /static/big.bin 200': 1,
      });
    } finally {
      await nginx.stop();
    }
  });
});
