/**
 * The sensor against nginx (Debian's 1.22) speaking HTTP/2 in clear text: `listen ... http2` without TLS is
 * h2c with prior knowledge. Driven by clients nobody on the team wrote: curl --http2-prior-knowledge,
 * nghttp (many concurrent streams on one connection), h2load (nghttp2's load generator) and Node's http2
 * client. Every count is exact, per route and status, and taken as a difference so the tests do not depend
 * on each other.
 *
 * curl 7.88.1 (Debian bookworm) cannot reuse a prior-knowledge connection (curl issue #10634, fixed in 7.89:
 * the second URL fails with "Error in the HTTP2 framing layer"), so curl makes one connection per request
 * here; nghttp, h2load and Node carry the many-streams-per-connection cases.
 *
 * nginx sends the payload of an HTTP/2 DATA frame with sendfile(2) when `sendfile on` (Debian's nginx.conf
 * default): the frame header goes out through writev, the payload bypasses the kernel's frame walk
 * (bpf/h2.bpf.h does not hook sendfile), so the next frame header is looked for inside a payload. The main
 * server here runs with `sendfile off`; a second one with `sendfile on` shows that its streams are lost but
 * counted (`requests_lost_total{reason="h2_unanswered"}`), never invented, and holds the exact count as a
 * known failure (`it.fails`) until the kernel walk skips sendfile bytes.
 */
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const run = promisify(execFile);

let sensor: RunningSensor;
let nginx: TestServer;
let nginxSendfile: TestServer;
let syncs = 0;
const BIG = 3 << 20;

type Counts = Record<string, number>;

/** nginx's requests as "route status version" → count. */
async function counts(): Promise<Counts> {
  const out: Counts = {};
  for (const s of await sensor.series({ service_name: 'nginx' })) {
    const key = `${s.labels.http_route} ${s.labels.http_response_status_code} ${s.labels.network_protocol_version}`;
    out[key] = (out[key] ?? 0) + s.count;
  }
  return out;
}

function delta(before: Counts, after: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0 && !k.startsWith('/sync ')) out[k] = d;
  }
  return out;
}

async function lostTotal(reason?: string): Promise<number> {
  return (await sensor.scrape())
    .filter(
      (s) => s.name === 'burnwatch_sensor_requests_lost_total' && (!reason || s.labels.reason === reason),
    )
    .reduce((n, s) => n + s.value, 0);
}

/** curl, prior knowledge, one connection: prints "status version". */
async function curl(path: string): Promise<string> {
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code} %{http_version}',
    '--http2-prior-knowledge',
    `http://127.0.0.1:${nginx.port}${path}`,
  ]);
  return stdout;
}

/** Every request made before this call has been counted once this resolves. */
async function settle(): Promise<void> {
  syncs++;
  expect(await curl(`/sync?n=${syncs}`)).toBe('200 2');
  await waitFor(
    `sync ${syncs}`,
    async () => (await sensor.count({ service_name: 'nginx', http_route: '/sync' })) >= syncs,
  );
}

function get(session: http2.ClientHttp2Session, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path });
    let status = 0;
    let bytes = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => resolve({ status, bytes }));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  sensor = await startSensor();
  nginx = await startNginx(
    1,
    { 'page.html': Buffer.from('<p>hi</p>'), 'big.bin': Buffer.alloc(BIG, 0x64) },
    undefined,
    { http2: true, sendfile: false },
  );
  nginxSendfile = await startNginx(1, { 'sendfile-page.html': Buffer.from('<p>hi</p>') }, undefined, {
    http2: true,
  });
});

afterAll(async () => {
  await nginx?.stop();
  await nginxSendfile?.stop();
  await sensor?.stop();
});

/** 30 concurrent GETs of `path` on one connection with nghttp; their statuses as nghttp received them. */
async function nghttp30(port: number, path: (i: number) => string): Promise<string[]> {
  const urls = Array.from({ length: 30 }, (_, i) => `http://127.0.0.1:${port}${path(i)}`);
  // -n: discard bodies; -v: frames, one ":status:" line per response. All URIs go out on one connection at once.
  const { stdout } = await run('nghttp', ['-n', '-v', ...urls]);
  expect(stdout.match(/send HEADERS frame/g)).toHaveLength(30);
  return [...stdout.matchAll(/recv \(stream_id=\d+\) :status: (\d+)/g)].map((m) => m[1]!);
}

describe('nginx http2 in clear text (prior knowledge)', () => {
  it('counts curl --http2-prior-knowledge requests, one connection each, per route and status', async () => {
    const before = await counts();
    const answers: string[] = [];
    for (const path of [
      '/ok',
      '/missing',
      '/ok',
      '/static/page.html',
      '/missing',
      '/ok',
      '/static/page.html',
      '/ok',
    ])
      answers.push(await curl(path));
    expect(answers).toEqual(['200 2', '404 2', '200 2', '200 2', '404 2', '200 2', '200 2', '200 2']);
    await settle();

    expect(delta(before, await counts())).toEqual({
      '/ok 200 2': 4,
      '/missing 404 2': 2,
      '/static/page.html 200 2': 2,
    });
  });

  it('counts sequential streams on one connection (Node http2 client), large files included', async () => {
    const before = await counts();
    const session = http2.connect(`http://127.0.0.1:${nginx.port}`);
    const answers = [];
    for (let i = 0; i < 12; i++)
      answers.push(await get(session, i % 3 === 2 ? `/missing?i=${i}` : `/ok?i=${i}`));
    for (let i = 0; i < 3; i++) answers.push(await get(session, '/static/big.bin'));
    await new Promise<void>((resolve) => session.close(() => resolve()));
    expect(answers.map((a) => a.status)).toEqual([
      200, 200, 404, 200, 200, 404, 200, 200, 404, 200, 200, 404, 200, 200, 200,
    ]);
    expect(answers.slice(12).map((a) => a.bytes)).toEqual([BIG, BIG, BIG]);
    await settle();

    expect(delta(before, await counts())).toEqual({
      '/ok 200 2': 8,
      '/missing 404 2': 4,
      '/static/big.bin 200 2': 3,
    });
  });

  it('counts 30 concurrent streams on one connection (nghttp -n)', async () => {
    const before = await counts();
    const lostBefore = await lostTotal();
    const statuses = await nghttp30(nginx.port, (i) =>
      i % 3 === 0 ? `/missing?i=${i}` : `/static/page.html?i=${i}`,
    );
    expect(statuses.filter((s) => s === '200')).toHaveLength(20);
    expect(statuses.filter((s) => s === '404')).toHaveLength(10);
    await settle();

    expect(delta(before, await counts())).toEqual({ '/static/page.html 200 2': 20, '/missing 404 2': 10 });
    expect(await lostTotal()).toBe(lostBefore);
  });

  it('counts an h2load run exactly: 600 requests over 3 connections, 20 streams in flight on each', async () => {
    const before = await counts();
    const { stdout } = await run('h2load', [
      '-n',
      '600',
      '-c',
      '3',
      '-m',
      '20',
      `http://127.0.0.1:${nginx.port}/ok`,
    ]);
    expect(stdout).toContain('600 succeeded, 0 failed');
    expect(stdout).toContain('status codes: 600 2xx');
    await settle();

    expect(delta(before, await counts())).toEqual({ '/ok 200 2': 600 });
  });

  it('counts nothing for an HTTP/1.1 request on the http2-only port (nginx answers it with a GOAWAY)', async () => {
    const before = await counts();
    const { stdout } = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://127.0.0.1:${nginx.port}/ok`,
    ]).catch((e: { stdout: string }) => e);
    expect(stdout).toBe('000'); // no HTTP/1 answer: curl gives up
    await settle();

    expect(delta(before, await counts())).toEqual({});
  });
});

describe('nginx http2 with sendfile on (DATA payloads through sendfile)', () => {
  it('loses no stream silently: each of 30 concurrent streams is counted right or counted as lost', async () => {
    const before = await counts();
    const lostBefore = await lostTotal('h2_unanswered');
    const statuses = await nghttp30(nginxSendfile.port, (i) => `/static/sendfile-page.html?i=${i}`);
    expect(statuses).toEqual(Array(30).fill('200'));
    await settle();

    const got = delta(before, await counts());
    // Whatever was counted is right (route, status, HTTP/2); nothing else appeared.
    expect(Object.keys(got).filter((k) => k !== '/static/sendfile-page.html 200 2')).toEqual([]);
    const counted = got['/static/sendfile-page.html 200 2'] ?? 0;
    expect(counted + (await lostTotal('h2_unanswered')) - lostBefore).toBe(30);
  });

  // Known gap (see the top of the file): today 1 of 30 is counted, 29 are h2_unanswered.
  it.fails(
    'counts 30 concurrent streams exactly (fails until bpf/h2.bpf.h walks past sendfile bytes)',
    async () => {
      const before = await counts();
      await nghttp30(nginxSendfile.port, (i) => `/static/sendfile-page.html?j=${i}`);
      await settle();

      expect(delta(before, await counts())).toEqual({ '/static/sendfile-page.html 200 2': 30 });
    },
  );
});
