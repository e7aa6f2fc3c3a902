/**
 * HTTP/2 over TLS (ALPN h2), through the uprobes on OpenSSL: the plaintext SSL_read returns that begins with the
 * client preface starts following the connection's frames with the same walker as h2c (bpf/h2.bpf.h), SSL_write's
 * frames are walked at its return, and the loader decodes HPACK into the same records, url_scheme="https",
 * network_protocol_version="2". Servers: Node's http2.createSecureServer (OpenSSL inside the node executable, memory
 * BIOs), nginx `listen ... ssl http2` (libssl.so.3, SSL_set_fd) with curl --http2, and @grpc/grpc-js over TLS.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  selfSignedCertificate,
  startGrpcTlsServer,
  startNginx,
  startNodeH2TlsServer,
  startPythonServer,
  type TestServer,
} from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const proto = grpc.loadPackageDefinition(
  protoLoader.loadSync(path.join(here, 'fixtures', 'echo.proto'), { keepCase: true }),
) as any;

let sensor: RunningSensor;
let cert: { cert: string; key: string; dir: string };

async function scraped(name: string, label: string, value: string): Promise<number> {
  return (await sensor.scrape())
    .filter((s) => s.name === name && s.labels[label] === value)
    .reduce((n, s) => n + s.value, 0);
}
const kernelEvent = (event: string) => scraped('burnwatch_sensor_kernel_events_total', 'event', event);
const lost = (reason: string) => scraped('burnwatch_sensor_requests_lost_total', 'reason', reason);

/** Nothing lost, guessed or left unpaired on any of these connections. */
async function nothingLost(): Promise<void> {
  expect(await kernelEvent('h2_desync')).toBe(0);
  expect(await kernelEvent('h2_no_preface')).toBe(0);
  expect(await kernelEvent('tls_unpaired')).toBe(0);
  expect(await lost('h2_undecodable')).toBe(0);
  expect(await lost('h2_unanswered')).toBe(0);
  expect(await lost('h2_reset')).toBe(0);
}

/** "status" → count of the series of `service` whose route is `route`; each must be HTTP/2 over TLS. */
async function statuses(service: string, route: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await sensor.series({ service_name: service, http_route: route })) {
    expect(s.labels).toMatchObject({ url_scheme: 'https', network_protocol_version: '2' });
    const k = s.labels.http_response_status_code!;
    out[k] = (out[k] ?? 0) + s.count;
  }
  return out;
}

beforeAll(async () => {
  cert = selfSignedCertificate();
  sensor = await startSensor();
});

afterAll(async () => {
  await sensor?.stop();
  if (cert) rmSync(cert.dir, { recursive: true, force: true });
});

describe('Node http2.createSecureServer with a Node http2 client', () => {
  let server: TestServer;
  let syncs = 0;
  const service = 'bw-h2-tls';

  function connect(): http2.ClientHttp2Session {
    return http2.connect(`https://127.0.0.1:${server.port}`, { rejectUnauthorized: false });
  }
  function get(s: http2.ClientHttp2Session, p: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = s.request({ ':method': 'GET', ':path': p });
      let status = 0;
      const chunks: Buffer[] = [];
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      req.on('error', reject);
      req.end();
    });
  }
  const close = (s: http2.ClientHttp2Session) => new Promise<void>((r) => s.close(() => r()));
  async function settle(): Promise<void> {
    syncs++;
    const s = connect();
    expect((await get(s, `/sync?n=${syncs}`)).status).toBe(200);
    await close(s);
    await waitFor(
      `${syncs} h2 TLS syncs`,
      async () => (await sensor.count({ service_name: service, http_route: '/sync' })) >= syncs,
    );
  }

  beforeAll(async () => {
    server = await startNodeH2TlsServer(cert.cert, cert.key, service);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('counts every stream of one connection, one after another, by status, as HTTP/2 over TLS', async () => {
    const s = connect();
    const got: number[] = [];
    for (let i = 0; i < 12; i++)
      got.push((await get(s, `/seq/items/${i}?status=${i < 9 ? 200 : 404}`)).status);
    await close(s);
    expect(got).toEqual([...Array(9).fill(200), ...Array(3).fill(404)]);
    await settle();

    expect(await statuses(service, '/seq/items/{id}')).toEqual({ '200': 9, '404': 3 });
    const [one] = await sensor.series({ service_name: service, http_route: '/seq/items/{id}' });
    expect(one!.labels).toMatchObject({ http_request_method: 'GET', rpc_grpc_status_code: '' });
    // Nothing of it counted from the syscalls (ciphertext) or as HTTP/1.
    expect(await sensor.count({ service_name: service, url_scheme: 'http' })).toBe(0);
    expect(await sensor.count({ service_name: service, network_protocol_version: '1.1' })).toBe(0);
  });

  it('counts concurrent streams on several connections exactly, and a large download once', async () => {
    const sessions = Array.from({ length: 4 }, () => connect());
    const codes = [200, 201, 404, 503];
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        get(
          sessions[i % 4]!,
          `/concurrent/${i}?status=${codes[Math.floor(i / 4) % 4]}&delay=${(i * 7) % 25}`,
        ),
      ),
    );
    const big = await get(sessions[0]!, '/download?size=1500000');
    await Promise.all(sessions.map(close));
    expect(answers.filter((a) => a.status === 503)).toHaveLength(20);
    expect(big.body.length).toBe(1_500_000);
    await settle();

    expect(await statuses(service, '/concurrent/{id}')).toEqual({
      '200': 20,
      '201': 20,
      '404': 20,
      '503': 20,
    });
    expect(await statuses(service, '/download')).toEqual({ '200': 1 });
    await nothingLost();
  });

  it('times a slow answer from the request to the end of the response, in its bucket', async () => {
    const s = connect();
    expect((await get(s, '/slow?delay=320')).status).toBe(200);
    await close(s);
    await settle();
    const [slow] = await sensor.series({ service_name: service, http_route: '/slow' });
    expect(slow!.count).toBe(1);
    expect(slow!.buckets.get('0.3')).toBe(0);
    expect(slow!.buckets.get('2')).toBe(1);
  });
});

describe('nginx `listen ... ssl http2` with curl --http2', () => {
  let nginx: TestServer;
  let upstream: TestServer;

  /** curl --http2 -k, every URL on one connection (parallel: multiplexed streams); the statuses. */
  async function curl(
    paths: string[],
    parallel = false,
    extra: string[] = [],
    version = '2',
  ): Promise<number[]> {
    const urls = paths.map((p) => `https://127.0.0.1:${nginx.port}${p}`);
    const { stdout } = await run('curl', [
      '-sk',
      version === '2' ? '--http2' : '--http1.1',
      ...(parallel ? ['-Z', '--parallel-max', '20'] : []),
      ...extra,
      '-w',
      '%{http_version} %{http_code}\\n',
      ...urls.flatMap((u) => ['-o', '/dev/null', u]),
    ]);
    const lines = stdout.trim().split('\n');
    expect(new Set(lines.map((l) => l.split(' ')[0]))).toEqual(new Set([version]));
    return lines.map((l) => Number(l.split(' ')[1]));
  }
  /** "route status" → count of nginx's HTTP/2-over-TLS series (other nginx on this machine may speak h2c). */
  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const s of await sensor.series({
      service_name: 'nginx',
      network_protocol_version: '2',
      url_scheme: 'https',
    })) {
      out[`${s.labels.http_route} ${s.labels.http_response_status_code}`] = s.count;
    }
    return out;
  }

  beforeAll(async () => {
    upstream = await startPythonServer();
    nginx = await startNginx(
      upstream.port,
      {
        'page.html': Buffer.from('<p>hi</p>'),
        'big.bin': Buffer.alloc(3 << 20, 0x61),
        'huge.bin': Buffer.alloc(24 << 20, 0x62),
      },
      { cert: cert.cert, key: cert.key, http2: true },
    );
  });
  afterAll(async () => {
    await nginx?.stop();
    await upstream?.stop();
  });

  it('counts fresh connections, streams one after another, parallel streams, static files and 404s exactly', async () => {
    for (let i = 0; i < 4; i++) expect(await curl(['/ok'])).toEqual([200]);
    expect(await curl(['/static/page.html', '/missing', '/static/page.html', '/static/big.bin'])).toEqual([
      200, 404, 200, 200,
    ]);
    const par = Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? '/missing' : '/ok'));
    expect((await curl(par, true)).sort()).toEqual([...Array(16).fill(200), ...Array(4).fill(404)].sort());
    const want = { '/ok 200': 20, '/missing 404': 5, '/static/page.html 200': 2, '/static/big.bin 200': 1 };
    await waitFor(
      'the nginx HTTP/2 requests',
      async () => Object.values(await counts()).reduce((a, b) => a + b, 0) >= 28,
    );
    expect(await counts()).toEqual(want);
    await nothingLost();
  });

  it('follows a slow download (the socket fills, SSL_write waits) and the streams after it on the connection', async () => {
    // curl reads 24 MiB at 12 MB/s: nginx's socket buffer fills and its SSL_write returns "want write" and is
    // retried; only the bytes really written are walked, so the frames after it are still in step.
    const before = await counts();
    expect(
      await curl(['/static/huge.bin', '/ok', '/missing', '/ok'], false, ['--limit-rate', '12M']),
    ).toEqual([200, 200, 404, 200]);
    const want = {
      ...before,
      '/static/huge.bin 200': 1,
      '/ok 200': (before['/ok 200'] ?? 0) + 2,
      '/missing 404': (before['/missing 404'] ?? 0) + 1,
    };
    await waitFor(
      'the streams after the download',
      async () => (await counts())['/ok 200'] === want['/ok 200'],
    );
    expect(await counts()).toEqual(want);
    await nothingLost();
  });

  it('counts HTTP/1.1 over TLS (ALPN http/1.1) on the same listener as HTTP/1.1', async () => {
    const h1 = async () =>
      (await sensor.series({ service_name: 'nginx', url_scheme: 'https', network_protocol_version: '1.1' }))
        .filter((s) => s.labels.http_route === '/ok' || s.labels.http_route === '/missing')
        .map((s) => `${s.labels.http_route} ${s.labels.http_response_status_code} ${s.count}`)
        .sort();
    expect(await curl(['/ok', '/ok', '/missing'], false, [], '1.1')).toEqual([200, 200, 404]);
    await waitFor('the HTTP/1.1 requests', async () => (await h1()).length === 2);
    expect(await h1()).toEqual(['/missing 404 1', '/ok 200 2']);
  });
});

describe('@grpc/grpc-js over TLS', () => {
  let server: TestServer;
  let client: any;
  const service = 'bw-grpc-tls';
  const route = '/bw.test.Echo/Say';

  function say(name: string, code = 0): Promise<number> {
    return new Promise((resolve) => {
      client.Say({ name, code, delay_ms: 0 }, (err: grpc.ServiceError | null) => resolve(err ? err.code : 0));
    });
  }
  async function codes(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const s of await sensor.series({ service_name: service, http_route: route })) {
      expect(s.labels).toMatchObject({
        http_request_method: 'POST',
        http_response_status_code: '200',
        network_protocol_version: '2',
        url_scheme: 'https',
      });
      out[s.labels.rpc_grpc_status_code!] = (out[s.labels.rpc_grpc_status_code!] ?? 0) + s.count;
    }
    return out;
  }

  beforeAll(async () => {
    server = await startGrpcTlsServer(cert.cert, cert.key, service);
    const creds = grpc.credentials.createSsl(readFileSync(cert.cert), null, null, {
      checkServerIdentity: () => undefined,
    });
    client = new proto.bw.test.Echo(`127.0.0.1:${server.port}`, creds, {
      'grpc.ssl_target_name_override': 'localhost',
    });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it('counts calls by grpc-status, one after another and 100 at once, over one TLS channel', async () => {
    const got: number[] = [];
    for (let i = 0; i < 10; i++) got.push(await say(`a${i}`));
    for (let i = 0; i < 3; i++) got.push(await say(`b${i}`, grpc.status.NOT_FOUND));
    got.push(await say('c', grpc.status.INTERNAL));
    got.push(
      ...(await Promise.all(
        Array.from({ length: 100 }, (_, i) => say(`d${i}`, i % 4 ? 0 : grpc.status.UNAVAILABLE)),
      )),
    );
    expect(got.filter((c) => c === 0)).toHaveLength(85);
    await waitFor(
      '114 calls in /metrics',
      async () => Object.values(await codes()).reduce((a, b) => a + b, 0) >= 114,
    );
    expect(await codes()).toEqual({ '0': 85, '5': 3, '13': 1, '14': 25 });
    await nothingLost();
  });
});
