/**
 * The sensor against nginx (Debian package: recv + writev + sendfile), in front of
 * a Python upstream: both servers are measured, each as itself.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, pipelined, request } from './support/client.js';
import { startNginx, startPythonServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let nginx: TestServer;
let upstream: TestServer;
let syncs = 0;

async function settle(): Promise<void> {
  syncs++;
  await request(nginx.port, `/ok?sync=${syncs}`);
  await waitFor(
    `sync ${syncs}`,
    async () => (await sensor.count({ service_name: 'nginx', http_route: '/ok' })) >= syncs,
  );
}

beforeAll(async () => {
  sensor = await startSensor();
  upstream = await startPythonServer();
  nginx = await startNginx(upstream.port, {
    'page.html': Buffer.from('<p>hi</p>'),
    'big.bin': Buffer.alloc(3 << 20, 0x64),
  });
});

afterAll(async () => {
  await nginx?.stop();
  await upstream?.stop();
  await sensor?.stop();
});

describe('nginx', () => {
  it('counts returns, static files (sendfile) and misses exactly, over fresh and keep-alive connections', async () => {
    const missing = await freshRequests(nginx.port, '/missing', 4);
    const pages = await freshRequests(nginx.port, '/static/page.html', 5);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const big = [];
    for (let i = 0; i < 3; i++) big.push(await request(nginx.port, '/static/big.bin', { agent }));
    agent.destroy();
    expect(missing.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    expect(pages.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(big.map((a) => a.bodyBytes)).toEqual([3 << 20, 3 << 20, 3 << 20]);
    await settle();

    expect(
      await sensor.count({ service_name: 'nginx', http_route: '/missing', http_response_status_code: '404' }),
    ).toBe(4);
    expect(
      await sensor.count({
        service_name: 'nginx',
        http_route: '/static/page.html',
        http_response_status_code: '200',
      }),
    ).toBe(5);
    expect(
      await sensor.count({
        service_name: 'nginx',
        http_route: '/static/big.bin',
        http_response_status_code: '200',
      }),
    ).toBe(3);
  });

  it('counts pipelined requests', async () => {
    expect(
      await pipelined(nginx.port, [
        '/static/page.html',
        '/missing',
        '/static/page.html',
        '/static/page.html',
      ]),
    ).toEqual([200, 404, 200, 200]);
    await settle();
    expect(await sensor.count({ service_name: 'nginx', http_route: '/static/page.html' })).toBe(5 + 3);
    expect(await sensor.count({ service_name: 'nginx', http_route: '/missing' })).toBe(4 + 1);
  });

  it('measures a proxied slow request at both nginx and its upstream', async () => {
    for (let i = 0; i < 3; i++)
      expect((await request(nginx.port, '/up/orders/42?delay=220&status=201')).status).toBe(201);
    await settle();

    const [front] = await sensor.series({ service_name: 'nginx', http_route: '/up/orders/{id}' });
    const [back] = await sensor.series({ service_name: upstream.name, http_route: '/up/orders/{id}' });
    for (const s of [front!, back!]) {
      expect(s.labels.http_response_status_code).toBe('201');
      expect(s.count).toBe(3);
      expect(s.buckets.get('0.2')).toBe(0);
      expect(s.buckets.get('0.5')).toBe(3);
    }
  });
});
