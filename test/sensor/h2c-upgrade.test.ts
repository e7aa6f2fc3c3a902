/**
 * HTTP/2 reached through `Upgrade: h2c` (RFC 7540 3.2): curl --http2 on an http:// URL sends its first request
 * in HTTP/1.1 with `Upgrade: h2c` and `HTTP2-Settings`; a server that accepts answers `101 Switching Protocols`,
 * the response to that request comes as HTTP/2 stream 1, and curl sends the next URLs as streams 3, 5… on the
 * same connection. Servers: fixtures/h2c-upgrade-server.py on Debian's python3-h2 (none of nginx 1.22, Node's
 * http2 or grpc-js accepts the upgrade), and nginx without http2 (it ignores the header).
 *
 * What the sensor does today: a refused upgrade is plain HTTP/1.1 and counted exactly. An accepted one is counted
 * as `kernel_events{event="upgrades"}` (the 101 ends the following of the connection, bpf/http.bpf.c), and the
 * streams after it are not seen: no series, nothing invented. The exact count of an upgraded connection is held
 * as a known failure (`it.fails`) until the kernel follows a connection upgraded to h2c.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startH2cUpgradeServer, startNginx, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const run = promisify(execFile);
const service = 'h2c-upgrade-server';

let sensor: RunningSensor;
let accepting: TestServer;
let refusing: TestServer;
let nginx: TestServer;
let syncs = 0;

/** curl --http2 with several URLs on one connection: "status version" per URL. */
async function curlUpgrade(port: number, paths: string[]): Promise<string[]> {
  const urls = paths.map((p) => `http://127.0.0.1:${port}${p}`);
  const { stdout } = await run('curl', [
    '-s',
    ...urls.flatMap(() => ['-o', '/dev/null']),
    '-w',
    '%{http_code} %{http_version}\\n',
    '--http2',
    ...urls,
  ]);
  return stdout.trim().split('\n');
}

type Counts = Record<string, number>;

/** `name`'s requests as "route status version" → count, /sync left out. */
async function counts(name: string): Promise<Counts> {
  const out: Counts = {};
  for (const s of await sensor.series({ service_name: name })) {
    if (s.labels.http_route === '/sync') continue;
    const key = `${s.labels.http_route} ${s.labels.http_response_status_code} ${s.labels.network_protocol_version}`;
    out[key] = (out[key] ?? 0) + s.count;
  }
  return out;
}

function delta(before: Counts, after: Counts): Counts {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0),
  );
}

async function kernelEvent(event: string): Promise<number> {
  return (await sensor.scrape())
    .filter((s) => s.name === 'burnwatch_sensor_kernel_events_total' && s.labels.event === event)
    .reduce((n, s) => n + s.value, 0);
}

/** Every request made before this call has been counted once this resolves (a prior-knowledge h2 request). */
async function settle(server: TestServer, name: string, extra: string[] = []): Promise<void> {
  syncs++;
  const want = (await sensor.count({ service_name: name, http_route: '/sync' })) + 1;
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    ...extra,
    `http://127.0.0.1:${server.port}/sync?n=${syncs}`,
  ]);
  expect(stdout).toBe('200');
  await waitFor(
    `sync ${syncs}`,
    async () => (await sensor.count({ service_name: name, http_route: '/sync' })) >= want,
  );
}

beforeAll(async () => {
  sensor = await startSensor();
  accepting = await startH2cUpgradeServer();
  refusing = await startH2cUpgradeServer({ refuseUpgrade: true });
  nginx = await startNginx(1, {});
});

afterAll(async () => {
  await accepting?.stop();
  await refusing?.stop();
  await nginx?.stop();
  await sensor?.stop();
});

describe('Upgrade: h2c', () => {
  it('counts a refused upgrade as the HTTP/1.1 it is (python3-h2 server answering in HTTP/1.1)', async () => {
    const before = await counts(service);
    expect(await curlUpgrade(refusing.port, ['/a', '/missing', '/a'])).toEqual([
      '200 1.1',
      '404 1.1',
      '200 1.1',
    ]);
    await settle(refusing, service, ['--http2-prior-knowledge']);

    expect(delta(before, await counts(service))).toEqual({ '/a 200 1.1': 2, '/missing 404 1.1': 1 });
  });

  it('counts an upgrade that nginx ignores as HTTP/1.1', async () => {
    const before = await counts('nginx');
    expect(await curlUpgrade(nginx.port, ['/ok', '/missing', '/ok', '/ok'])).toEqual([
      '200 1.1',
      '404 1.1',
      '200 1.1',
      '200 1.1',
    ]);
    await settle(nginx, 'nginx');

    expect(delta(before, await counts('nginx'))).toEqual({ '/ok 200 1.1': 3, '/missing 404 1.1': 1 });
  });

  it('counts an accepted upgrade as an upgrade and invents nothing for the HTTP/2 that follows', async () => {
    const before = await counts(service);
    const upgradesBefore = await kernelEvent('upgrades');
    expect(await curlUpgrade(accepting.port, ['/up/a', '/missing', '/up/b'])).toEqual([
      '200 2',
      '404 2',
      '200 2',
    ]);
    await settle(accepting, service, ['--http2-prior-knowledge']);

    expect(await kernelEvent('upgrades')).toBe(upgradesBefore + 1);
    // No series from the upgraded connection: neither its 101, nor HTTP/2 frames read as HTTP/1.
    expect(delta(before, await counts(service))).toEqual({});
  });

  // Known gap: the streams of an upgraded connection are not seen (the 101 ends the following of it).
  it.fails(
    'counts every request of an upgraded connection (fails until the kernel follows h2c upgrades)',
    async () => {
      const before = await counts(service);
      expect(await curlUpgrade(accepting.port, ['/up/a', '/missing', '/up/b'])).toEqual([
        '200 2',
        '404 2',
        '200 2',
      ]);
      await settle(accepting, service, ['--http2-prior-knowledge']);

      const got = delta(before, await counts(service));
      expect(Object.values(got).reduce((a, b) => a + b, 0)).toBe(3);
      expect(got['/missing 404 2']).toBe(1);
      expect(got['/up/b 200 2']).toBe(1);
    },
  );
});
