/**
 * HTTP/1 byte streams in the shapes that used to be missed or mislabelled without a
 * counter (issue 11 item 3), against foreign servers: Node `http`, Python's
 * BaseHTTPRequestHandler, nginx, a raw Python server writing odd responses
 * (fixtures/shaped-server.py) and a fork-per-connection Python server
 * (fixtures/fork-server.py). Raw sockets shape the requests: each piece is its own
 * write, with a pause so the server reads it on its own.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/client.js';
import { startNginx, startNodeServer, startPythonServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const NODE = 'bw-node-shapes';
const PYTHON = 'py-server';

let sensor: RunningSensor;
let node: TestServer;
let python: TestServer;
let nginx: TestServer;
let shaped: TestServer;
let forking: TestServer;
const syncs = new Map<number, number>();

/** Starts `python3 <fixture>` that prints its port first. */
function startPythonFixture(file: string, name: string): Promise<TestServer> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(fixtures, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => reject(new Error(`${name} did not print its port`)), 10_000);
    child.stdout!.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve({
        port: Number(chunk.toString().split('\n')[0]),
        pid: child.pid!,
        name,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.on('error', reject);
  });
}

/** A raw client connection: writes pieces as separate segments and reads whole responses. */
class RawConnection {
  private received = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      this.received = Buffer.concat([this.received, c]);
      this.waiter?.();
    });
    socket.on('error', () => this.waiter?.());
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  /** Each piece in its own write, `gapMs` apart, so the server reads them one by one. */
  async send(pieces: Array<string | Buffer>, gapMs = 80): Promise<void> {
    for (let i = 0; i < pieces.length; i++) {
      if (i) await new Promise((r) => setTimeout(r, gapMs));
      this.socket.write(pieces[i]!);
    }
  }

  /** Waits (bounded) until `done(received)` gives the length of a complete answer, and consumes it. */
  private async take(what: string, done: (b: Buffer) => number): Promise<Buffer> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const n = done(this.received);
      if (n > 0) {
        const out = this.received.subarray(0, n);
        this.received = this.received.subarray(n);
        return out;
      }
      if (Date.now() > deadline || this.socket.destroyed) throw new Error(`no ${what}: got ${this.received}`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 200);
      });
    }
  }

  /** One response with a Content-Length; resolves with its status. */
  async response(): Promise<number> {
    const raw = await this.take('response', (b) => {
      const end = b.indexOf('\r\n\r\n');
      if (end < 0) return 0;
      const head = b.subarray(0, end).toString('latin1');
      if (/transfer-encoding:\s*chunked/i.test(head)) {
        const last = b.indexOf('\r\n0\r\n\r\n', end);
        return last < 0 ? 0 : last + 7;
      }
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      return b.length >= end + 4 + len ? end + 4 + len : 0;
    });
    return Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw.toString('latin1'))?.[1] ?? 0);
  }

  /** Exactly `text` (an answer without a status line). */
  async exactly(text: string): Promise<void> {
    await this.take(JSON.stringify(text), (b) => (b.length >= text.length ? text.length : 0));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A last request to `server`, waited for: everything before it has been counted. */
async function settle(server: TestServer): Promise<void> {
  const n = (syncs.get(server.port) ?? 0) + 1;
  syncs.set(server.port, n);
  await request(server.port, `/sync?n=${n}`);
  await waitFor(
    `sync ${n} of ${server.name}`,
    async () => (await sensor.count({ service_name: server.name, http_route: '/sync' })) >= n,
  );
}

/** burnwatch_sensor_requests_lost_total by reason. */
async function lost(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await sensor.scrape())
    if (s.name === 'burnwatch_sensor_requests_lost_total') out[s.labels.reason!] = s.value;
  return out;
}

async function kernelEvent(event: string): Promise<number> {
  const s = (await sensor.scrape()).find(
    (x) => x.name === 'burnwatch_sensor_kernel_events_total' && x.labels.event === event,
  );
  return s?.value ?? 0;
}

/** Waits until the lost counters moved by `expected` from `before` (stats come every second), then checks nothing else moved. */
async function expectLost(before: Record<string, number>, expected: Record<string, number>): Promise<void> {
  const delta = async () => {
    const now = await lost();
    const d: Record<string, number> = {};
    for (const [k, v] of Object.entries(now)) if (v - (before[k] ?? 0)) d[k] = v - (before[k] ?? 0);
    return d;
  };
  await waitFor(`lost ${JSON.stringify(expected)}`, async () => {
    const d = await delta();
    return Object.entries(expected).every(([k, v]) => (d[k] ?? 0) >= v);
  });
  // One more stats period: what is counted late would show here.
  await new Promise((r) => setTimeout(r, 1_200));
  expect(await delta()).toEqual(expected);
}

async function routes(server: TestServer): Promise<string[]> {
  return (await sensor.series({ service_name: server.name }))
    .filter((s) => s.labels.http_route !== '/sync')
    .map(
      (s) =>
        `${s.labels.http_request_method} ${s.labels.http_route} ${s.labels.http_response_status_code} ${s.count}`,
    )
    .sort();
}

beforeAll(async () => {
  sensor = await startSensor();
  node = await startNodeServer(NODE);
  python = await startPythonServer();
  nginx = await startNginx(python.port, {});
  shaped = await startPythonFixture('shaped-server.py', 'shaped-server');
  forking = await startPythonFixture('fork-server.py', 'fork-server');
});

afterAll(async () => {
  for (const s of [node, python, nginx, shaped, forking]) await s?.stop();
  await sensor?.stop();
});

describe('request lines in pieces', () => {
  it('counts a request whose first segment is "GET /", and one cut inside the path, with the full route', async () => {
    for (const server of [node, python]) {
      for (const cut of ['GET /', 'GET /users/li', 'G']) {
        const c = await RawConnection.open(server.port);
        const line = 'GET /users/list/all?status=201 HTTP/1.1\r\nHost: x\r\n\r\n';
        await c.send([cut, line.slice(cut.length)]);
        expect(await c.response()).toBe(201);
        c.close();
      }
      await settle(server);
      expect(await routes(server)).toEqual(['GET /users/list/all 201 3']);
    }
    // nginx: its own 404 for the route, timed all the same.
    for (const cut of ['GET /', 'GET /users/li']) {
      const c = await RawConnection.open(nginx.port);
      await c.send([cut, 'GET /users/list/all HTTP/1.1\r\nHost: x\r\n\r\n'.slice(cut.length)]);
      expect(await c.response()).toBe(404);
      c.close();
    }
    await settle(nginx);
    expect(await routes(nginx)).toEqual(['GET /users/list/all 404 2']);
  });

  it('counts a request behind a leading empty line (RFC 9112 2.2)', async () => {
    for (const server of [node, nginx]) {
      const c = await RawConnection.open(server.port);
      await c.send(['\r\nGET /after-crlf?status=202 HTTP/1.1\r\nHost: x\r\n\r\n']);
      const status = await c.response();
      c.close();
      await settle(server);
      expect(
        await sensor.count({ service_name: server.name, http_route: '/after-crlf' }),
        `${server.name} answered ${status}`,
      ).toBe(1);
    }
  });

  it('counts a slowloris request (one byte per write) from its first byte', async () => {
    const text = 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n';
    const clients = await Promise.all([1, 2, 3].map(() => RawConnection.open(python.port)));
    const started = Date.now();
    await Promise.all(clients.map((c) => c.send([...text], 30)));
    const sentIn = Date.now() - started;
    expect(await Promise.all(clients.map((c) => c.response()))).toEqual([200, 200, 200]);
    for (const c of clients) c.close();
    await settle(python);
    const [slow] = await sensor.series({ service_name: PYTHON, http_route: '/slow' });
    expect(slow?.count).toBe(3);
    // Timed from the first byte: nothing below what the bytes took to come (a firm bound).
    if (sentIn > 600) expect(slow!.buckets.get('0.5')).toBe(0);
  });
});

describe('what used to shift later responses', () => {
  it('does not take a body that starts with a method, in its own segment, for a request', async () => {
    for (const server of [node, python]) {
      const c = await RawConnection.open(server.port);
      const body = 'GET /not-a-request HTTP/1.1\r\n';
      await c.send([`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`, body]);
      expect(await c.response()).toBe(200);
      await c.send(['GET /after-body?status=203 HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(await c.response()).toBe(203);
      c.close();
      await settle(server);
      expect((await routes(server)).filter((r) => /\/(upload|after-body|not-a-request) /.test(r))).toEqual([
        'GET /after-body 203 1',
        'POST /upload 200 1',
      ]);
    }
  });

  it('puts a status line written in pieces together and counts a response without one as lost', async () => {
    const before = await lost();
    const c = await RawConnection.open(shaped.port);
    for (const [path, status] of [
      ['/pieces', 201],
      ['/next?status=202', 202],
      ['/split9', 200],
      ['/next?status=204', 204],
    ] as const) {
      await c.send([`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`]);
      expect(await c.response()).toBe(status);
    }
    await c.send(['GET /nostatus HTTP/1.1\r\nHost: x\r\n\r\n']);
    await c.exactly('ok\n');
    await c.send(['GET /next?status=205 HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(await c.response()).toBe(205);
    c.close();
    await settle(shaped);
    expect(await routes(shaped)).toEqual([
      'GET /next 202 1',
      'GET /next 204 1',
      'GET /next 205 1',
      'GET /pieces 201 1',
      'GET /split9 200 1',
    ]);
    await expectLost(before, { no_status_line: 1 });
  });
});

describe('pipelining past the queue and past the scanned bytes', () => {
  it('times 8 of 12 requests pipelined in one write and counts 4 as queue_full', async () => {
    const before = await lost();
    const c = await RawConnection.open(node.port);
    await c.send([Array.from({ length: 12 }, () => 'GET /pipe12 HTTP/1.1\r\nHost: x\r\n\r\n').join('')]);
    for (let i = 0; i < 12; i++) expect(await c.response()).toBe(200);
    c.close();
    await settle(node);
    expect(await sensor.count({ service_name: NODE, http_route: '/pipe12' })).toBe(8);
    await expectLost(before, { queue_full: 4 });
  });

  it('counts requests that start after the first 1 KiB of a read as lost beyond_scan', async () => {
    const before = await lost();
    // 20 requests of exactly 128 bytes: 8 start in the first 1 KiB.
    const one = (i: number) => {
      const head = `GET /pipe-long HTTP/1.1\r\nHost: x\r\nX-Pad: `;
      return head + String(i).padStart(128 - head.length - 4, '0') + '\r\n\r\n';
    };
    expect(one(1).length).toBe(128);
    const c = await RawConnection.open(node.port);
    await c.send([Array.from({ length: 20 }, (_, i) => one(i)).join('')]);
    for (let i = 0; i < 20; i++) expect(await c.response()).toBe(200);
    c.close();
    await settle(node);
    expect(await sensor.count({ service_name: NODE, http_route: '/pipe-long' })).toBe(8);
    await expectLost(before, { beyond_scan: 12 });
  });
});

describe('a request pipelined in a read of its own', () => {
  it('is timed behind a waiting GET', async () => {
    const before = await lost();
    const c = await RawConnection.open(node.port);
    await c.send(
      [
        'GET /waits?delay=400&status=201 HTTP/1.1\r\nHost: x\r\n\r\n',
        'GET /behind?status=202 HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      150,
    );
    expect(await c.response()).toBe(201);
    expect(await c.response()).toBe(202);
    c.close();
    await settle(node);
    const seen = (await routes(node)).filter((r) => /\/(waits|behind) /.test(r));
    expect(seen).toEqual(['GET /behind 202 1', 'GET /waits 201 1']);
    await expectLost(before, {});
  });

  it('is not taken behind a waiting POST (it could be its body), and its response is counted lost, not_seen', async () => {
    const before = await lost();
    const c = await RawConnection.open(node.port);
    await c.send(
      [
        'POST /posted?delay=400&status=201 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab',
        'GET /behind-post?status=202 HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      150,
    );
    expect(await c.response()).toBe(201);
    expect(await c.response()).toBe(202);
    c.close();
    await settle(node);
    const seen = (await routes(node)).filter((r) => /\/(posted|behind-post) /.test(r));
    expect(seen).toEqual(['POST /posted 201 1']);
    await expectLost(before, { not_seen: 1 });
  });
});

describe('connections the sensor did not see accepted', () => {
  it('counts a fork-per-connection server (parent accepts, child answers)', async () => {
    const before = await kernelEvent('conns_recovered');
    for (const status of [200, 201, 404, 200, 503]) {
      const c = await RawConnection.open(forking.port);
      await c.send([`GET /forked/7?status=${status} HTTP/1.1\r\nHost: x\r\n\r\n`]);
      expect(await c.response()).toBe(status);
      c.close();
    }
    // Each child exits right after its answer, often before the agent reads its
    // /proc/<pid>/cmdline: service_name is then the process name (python3), so the route,
    // unique to this test, selects the series.
    const forked = async () =>
      (await sensor.series({ http_route: '/forked/{id}' }))
        .map((s) => `${s.labels.http_response_status_code} ${s.count}`)
        .sort();
    await waitFor('the forked answers', async () => (await forked()).length === 4);
    expect(await forked()).toEqual(['200 2', '201 1', '404 1', '503 1']);
    await waitFor('conns_recovered', async () => (await kernelEvent('conns_recovered')) >= before + 5);
  });
});
