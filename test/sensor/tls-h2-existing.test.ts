/**
 * An HTTP/2-over-TLS connection opened before the sensor started: its header tables (HPACK) began before the sensor,
 * so its requests can never be decoded. The socket is found in /proc at start; its first request's HEADERS frame,
 * decrypted by SSL_read, is counted (kernel_events{event="h2_no_preface"}) and nothing is guessed from it. A new
 * connection to the same server is counted exactly.
 */
import { rmSync } from 'node:fs';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startNodeH2TlsServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const service = 'bw-h2-tls-old';
let server: TestServer;
let sensor: RunningSensor | undefined;
let cert: { cert: string; key: string; dir: string };

function connect(): http2.ClientHttp2Session {
  return http2.connect(`https://127.0.0.1:${server.port}`, { rejectUnauthorized: false });
}
function get(s: http2.ClientHttp2Session, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':path': p });
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('end', () => resolve(status));
    req.on('error', reject);
    req.resume();
    req.end();
  });
}
const close = (s: http2.ClientHttp2Session) => new Promise<void>((r) => s.close(() => r()));

async function kernelEvent(event: string): Promise<number> {
  const samples = await sensor!.scrape();
  return (
    samples.find((s) => s.name === 'burnwatch_sensor_kernel_events_total' && s.labels.event === event)
      ?.value ?? 0
  );
}

beforeAll(async () => {
  cert = selfSignedCertificate();
  server = await startNodeH2TlsServer(cert.cert, cert.key, service);
});

afterAll(async () => {
  await server?.stop();
  await sensor?.stop();
  if (cert) rmSync(cert.dir, { recursive: true, force: true });
});

describe('an HTTP/2 connection over TLS opened before the sensor started', () => {
  it('is counted as undecodable, never guessed; a new connection is counted exactly', async () => {
    const old = connect();
    expect(await get(old, '/before-start')).toBe(200);

    sensor = await startSensor();
    for (let i = 0; i < 3; i++) expect(await get(old, `/old/${i}`)).toBe(200);
    await waitFor('the old connection counted', async () => (await kernelEvent('h2_no_preface')) >= 1);

    const fresh = connect();
    for (let i = 0; i < 5; i++) expect(await get(fresh, `/new/${i}`)).toBe(200);
    await Promise.all([close(old), close(fresh)]);
    await waitFor(
      'the new connection',
      async () => (await sensor!.count({ service_name: service, http_route: '/new/{id}' })) >= 5,
    );

    expect(await sensor.count({ service_name: service, http_route: '/new/{id}', url_scheme: 'https' })).toBe(
      5,
    );
    expect(await sensor.count({ service_name: service, http_route: '/old/{id}' })).toBe(0);
    expect(await sensor.count({ service_name: service })).toBe(5);
    expect(await kernelEvent('h2_no_preface')).toBe(1);
  });
});
