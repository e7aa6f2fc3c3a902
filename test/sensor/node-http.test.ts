/**
 * The sensor against a real Node http server (libuv: read + writev), driven with
 * known traffic. Counts must match exactly; latencies land in the right buckets.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, pipelined, request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let server: TestServer;
const service = 'bw-node-fixture';
let syncs = 0;

/** Every record produced before this call has been counted once this resolves. */
async function settle(): Promise<void> {
  syncs++;
  await request(server.port, `/sync?n=${syncs}`);
  await waitFor(`${syncs} sync requests in /metrics`, async () => {
    return (await sensor.count({ service_name: service, http_route: '/sync' })) >= syncs;
  });
}

beforeAll(async () => {
  sensor = await startSensor();
  server = await startNodeServer(service);
});

afterAll(async () => {
  await server?.stop();
  await sensor?.stop();
});

describe('a Node http server', () => {
  it('counts requests over fresh connections exactly, per status code', async () => {
    const ok = await freshRequests(server.port, '/fresh/items/17?status=200', 12);
    const missing = await freshRequests(server.port, '/fresh/items/18?status=404', 5);
    const failed = await freshRequests(server.port, '/fresh/items/19?status=503', 3);
    expect([...ok, ...missing, ...failed].map((a) => a.status)).toEqual([
      ...Array(12).fill(200),
      ...Array(5).fill(404),
      ...Array(3).fill(503),
    ]);
    await settle();

    const series = await sensor.series({ service_name: service, http_route: '/fresh/items/{id}' });
    const counts = Object.fromEntries(series.map((s) => [s.labels.http_response_status_code, s.count]));
    expect(counts).toEqual({ '200': 12, '404': 5, '503': 3 });
    expect(series[0]!.labels).toMatchObject({
      http_request_method: 'GET',
      k8s_namespace_name: '',
      k8s_workload_name: '',
      k8s_workload_kind: '',
      container_image_name: '',
      container_image_id: '',
    });
  });

  it('counts every request on one keep-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await request(server.port, `/keepalive/${i}`, { agent }));
    agent.destroy();
    expect(answers.filter((a) => a.reusedSocket)).toHaveLength(24);
    await settle();

    expect(
      await sensor.count({
        service_name: service,
        http_route: '/keepalive/{id}',
        http_response_status_code: '200',
      }),
    ).toBe(25);
  });

  it('counts pipelined requests sent in a single write', async () => {
    const statuses = await pipelined(server.port, [
      '/pipelined/a?status=200',
      '/pipelined/a?status=201',
      '/pipelined/a?status=200',
      '/pipelined/b?status=404',
      '/pipelined/a?status=200',
    ]);
    expect(statuses).toEqual([200, 201, 200, 404, 200]);
    await settle();

    const series = await sensor.series({ service_name: service });
    const pipelinedCounts = Object.fromEntries(
      series
        .filter((s) => s.labels.http_route!.startsWith('/pipelined/'))
        .map((s) => [`${s.labels.http_route} ${s.labels.http_response_status_code}`, s.count]),
    );
    expect(pipelinedCounts).toEqual({ '/pipelined/a 200': 3, '/pipelined/a 201': 1, '/pipelined/b 404': 1 });
  });

  it('puts a slow answer above the bucket below its delay, and a fast one in a low bucket', async () => {
    for (let i = 0; i < 4; i++) await request(server.port, '/slow?delay=120');
    for (let i = 0; i < 4; i++) await request(server.port, '/fast');
    await settle();

    const [slow] = await sensor.series({ service_name: service, http_route: '/slow' });
    // It cannot be faster than its 120 ms delay; up to 380 ms of slack above it for a busy machine.
    expect(slow!.count).toBe(4);
    expect(slow!.buckets.get('0.1')).toBe(0);
    expect(slow!.buckets.get('0.5')).toBe(4);
    const [fast] = await sensor.series({ service_name: service, http_route: '/fast' });
    expect(fast!.buckets.get('0.1')).toBe(4); // no delay: far below 100 ms even on a busy machine
  });

  it('times a request on an idle keep-alive connection from its own first byte', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await request(server.port, '/idle/first', { agent });
    await new Promise((r) => setTimeout(r, 400)); // the connection sits idle
    const second = await request(server.port, '/idle/second', { agent });
    agent.destroy();
    expect(second.reusedSocket).toBe(true);
    await settle();

    const [s] = await sensor.series({ service_name: service, http_route: '/idle/second' });
    expect(s!.count).toBe(1);
    expect(s!.buckets.get('0.25')).toBe(1); // not the 400 ms the connection sat idle
  });

  it('counts large request and response bodies once each', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.alloc(2 << 20, 0x62);
    const uploads = [];
    for (let i = 0; i < 3; i++)
      uploads.push(await request(server.port, '/upload?status=201', { method: 'POST', body, agent }));
    const downloads = [];
    for (let i = 0; i < 3; i++)
      downloads.push(await request(server.port, `/download?size=${3 << 20}`, { agent }));
    agent.destroy();
    expect(uploads.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(downloads.map((a) => a.bodyBytes)).toEqual([3 << 20, 3 << 20, 3 << 20]);
    await settle();

    expect(
      await sensor.count({
        service_name: service,
        http_route: '/upload',
        http_request_method: 'POST',
        http_response_status_code: '201',
      }),
    ).toBe(3);
    expect(
      await sensor.count({
        service_name: service,
        http_route: '/download',
        http_response_status_code: '200',
      }),
    ).toBe(3);
  });

  it('skips the 100 Continue before the final answer and counts the request once, with its final status', async () => {
    const answer = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/expect?status=201',
          method: 'PUT',
          agent: false,
          headers: { expect: '100-continue', 'content-length': 5 },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, continued }));
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('error', reject);
    });
    expect(answer).toEqual({ status: 201, continued: true });
    await settle();

    const series = await sensor.series({ service_name: service, http_route: '/expect' });
    expect(
      series.map((s) => [s.labels.http_request_method, s.labels.http_response_status_code, s.count]),
    ).toEqual([['PUT', '201', 1]]);
  });

  it('stops reading a connection as HTTP after 101 Switching Protocols', async () => {
    // After the upgrade the server echoes: an HTTP-looking exchange inside it (a request read,
    // then a status line written) is not a request to the server.
    const request = 'GET /inside-upgrade HTTP/1.1\r\nHost: x\r\n\r\n';
    const statusLine = 'HTTP/1.1 200 OK\r\n\r\n';
    const text = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write('GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      });
      let received = '';
      let step = 0;
      const done = setTimeout(() => socket.destroy(), 5_000);
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
        if (step === 0 && received.includes('\r\n\r\n')) {
          step = 1;
          socket.write(request);
        } else if (step === 1 && received.includes(request)) {
          step = 2;
          socket.write(statusLine); // echoed in a write of its own
        } else if (step === 2 && received.endsWith(statusLine)) {
          clearTimeout(done);
          socket.destroy();
        }
      });
      socket.on('close', () => resolve(received));
    });
    expect(text).toMatch(/^HTTP\/1\.1 101/);
    expect(text).toContain(request + statusLine);
    await settle();

    expect(await sensor.series({ service_name: service, http_route: '/upgrade' })).toEqual([]);
    expect(await sensor.series({ service_name: service, http_route: '/inside-upgrade' })).toEqual([]);
  });

  it('never counts its own /metrics endpoint', async () => {
    // Other servers on the machine may serve /metrics too: look for the sensor's own process.
    const self = 'bw-sensor-self';
    const title = process.title;
    process.title = self;
    try {
      for (let i = 0; i < 5; i++) await sensor.scrape();
      await settle();
      // Had the kernel not left the sensor's own connections alone, these scrapes would be a series here.
      expect(await sensor.series({ service_name: self })).toEqual([]);
    } finally {
      process.title = title;
    }
  });
});
