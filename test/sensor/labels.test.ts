/**
 * Labels people recognise, end to end with the real kernel: route templates on what a real server received
 * (percent-escapes, `;jsessionid`, dates, e-mail addresses, files, short hashes), and service names outside
 * Kubernetes from the real processes' systemd-style cgroup and command line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, request } from './support/client.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';
import { startNodeServer, startPythonServer, type TestServer } from './support/servers.js';

let sensor: RunningSensor;
let routes: TestServer;
let unitServer: TestServer;
let script: { port: number; child: ChildProcess } | undefined;
const cgroupDirs: string[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bw-labels-'));
const ROUTES = 'bw-node-labels';

function cgroup2Root(): string {
  const line = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[2] === 'cgroup2');
  if (!line) throw new Error('no cgroup2 mount: the sensor tests need cgroup v2 (hybrid or unified)');
  return line.split(' ')[1]!;
}

/** `node <tmp>/storefront/dist/index.mjs`: a plain Node server under its own name, as deployed on a host. */
function startScriptServer(): Promise<{ port: number; child: ChildProcess }> {
  const dir = path.join(tmp, 'storefront', 'dist');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.mjs');
  writeFileSync(
    file,
    `import http from 'node:http';
const s = http.createServer((req, res) => res.end('ok'));
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve({ port: Number(chunk.toString().trim()), child }));
  });
}

beforeAll(async () => {
  sensor = await startSensor();
  routes = await startNodeServer(ROUTES);
  unitServer = await startPythonServer();
  script = await startScriptServer();
  // /bw-test-system.slice/bw-shop-api.service: where systemd runs a unit's processes.
  const slice = path.join(cgroup2Root(), 'bw-test-system.slice');
  const unit = path.join(slice, 'bw-shop-api.service');
  for (const d of [slice, unit]) {
    mkdirSync(d);
    cgroupDirs.unshift(d);
  }
  writeFileSync(path.join(unit, 'cgroup.procs'), String(unitServer.pid));
});

afterAll(async () => {
  await routes?.stop();
  await unitServer?.stop();
  script?.child.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  for (const d of cgroupDirs) {
    try {
      rmdirSync(d);
    } catch {
      // best effort: a cgroup still populated stays until its process exits
    }
  }
  await sensor?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('http_route on what a real Node server received', () => {
  it('decodes, drops ;params and templates values, counting each request once', async () => {
    const sent: Record<string, string[]> = {
      '/users/{id}': ['/users/123', '/users/%31%32%33', '/users/%34%32?x=1'],
      '/cart': ['/cart;jsessionid=0AF3B2C9D1', '/cart;jsessionid=77E2A1B0C4'],
      '/reports/{date}': ['/reports/2024-01-31', '/reports/2025-12-02T10:20:30Z'],
      '/users/{email}/prefs': ['/users/ada%40example.org/prefs', '/users/grace.h@example.com/prefs'],
      '/img/{id}.png': ['/img/1.png', '/img/20240131.png'],
      '/commits/{id}': ['/commits/a1b2c3d', '/commits/9f86d081'],
      '/files/a%2Fb': ['/files/a%2fb'],
      '/users/%7Bid%7D': ['/users/%7Bid%7D', '/users/{id}'],
      '/x/%22%0A%7D': ['/x/%22%0a%7d'],
    };
    for (const paths of Object.values(sent)) for (const p of paths) await freshRequests(routes.port, p, 1);
    await request(routes.port, '/sync');
    await waitFor(
      'the sync request',
      async () => (await sensor.count({ service_name: ROUTES, http_route: '/sync' })) >= 1,
    );

    const counted = Object.fromEntries(
      (await sensor.series({ service_name: ROUTES }))
        .filter((s) => s.labels.http_route !== '/sync')
        .map((s) => [s.labels.http_route, s.count]),
    );
    expect(counted).toEqual(Object.fromEntries(Object.entries(sent).map(([route, p]) => [route, p.length])));
  });
});

describe('service_name outside Kubernetes', () => {
  it('is the systemd unit a server runs in, the script a Node server runs, and says where each came from', async () => {
    expect(readFileSync(`/proc/${unitServer.pid}/cgroup`, 'utf8')).toContain('bw-shop-api.service');
    await freshRequests(unitServer.port, '/orders/7', 3);
    await freshRequests(script!.port, '/home', 2);
    await waitFor(
      'both servers',
      async () =>
        (await sensor.count({ service_name: 'bw-shop-api' })) >= 3 &&
        (await sensor.count({ service_name: 'storefront' })) >= 2,
    );
    expect(await sensor.count({ service_name: 'bw-shop-api', http_route: '/orders/{id}' })).toBe(3);
    expect(await sensor.count({ service_name: 'storefront', http_route: '/home' })).toBe(2);

    const names = (await sensor.scrape()).filter((s) => s.name === 'burnwatch_sensor_service_names');
    const byOrigin = Object.fromEntries(names.map((s) => [s.labels.origin, s.value]));
    expect(byOrigin.unit).toBeGreaterThanOrEqual(1);
    expect(byOrigin.cmdline).toBeGreaterThanOrEqual(1);
  });
});
