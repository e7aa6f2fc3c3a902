/**
 * `npm start` on this machine (root, kernel BTF): the compiled service starts the sensor itself, with the loader
 * that ships prebuilt, and a local HTTP server's traffic shows in GET /api/v1/workloads within 60 s, with nothing
 * configured (only the ports and the data directory are chosen, so the test runs beside others).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUTE = '/one-command-probe';

describe('npm start with the sensor', () => {
  let service: ChildProcess;
  let url: string;
  let server: TestServer;
  let dataDir: string;
  const log: string[] = [];

  beforeAll(async () => {
    // What `npm start` runs, without the UI build the test does not need.
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'burnwatch-one-command-'));
    service = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        HOST: '127.0.0.1',
        BURNWATCH_DATA_DIR: dataDir,
        BURNWATCH_SENSOR_PORT: '0',
        BURNWATCH_KUBERNETES: 'off',
      },
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the service did not start:\n${log.join('\n')}`)),
        60_000,
      );
      const onLine = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          log.push(line);
          const listening = /Burnwatch is listening on (http:\/\/\S+) /.exec(line);
          if (listening) {
            clearTimeout(timer);
            resolve(listening[1]!);
          }
        }
      };
      service.stdout!.on('data', onLine);
      service.stderr!.on('data', onLine);
      service.once('exit', (code) =>
        reject(new Error(`the service exited with ${code}:\n${log.join('\n')}`)),
      );
    });
    server = await startNodeServer('bw-one-command');
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (service && service.exitCode === null) {
      service.kill('SIGKILL');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const getJson = async (p: string) => (await fetch(url + p)).json() as Promise<any>;

  it("runs the prebuilt sensor and lists a local server's traffic in GET /api/v1/workloads within 60 s", async () => {
    const started = Date.now();
    let sensor: any;
    for (;;) {
      sensor = await getJson('/api/v1/sensor');
      if (sensor.state !== 'starting' || Date.now() - started > 30_000) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(sensor, log.join('\n')).toMatchObject({
      state: 'running',
      loader: { origin: 'prebuilt', path: path.join(root, 'bpf/prebuilt', os.machine(), 'burnwatch-loader') },
      metricsUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/),
      restarts: 0,
    });

    const trafficFrom = Date.now();
    let found: any;
    while (!found && Date.now() - trafficFrom < 60_000) {
      for (let i = 0; i < 20; i++) expect((await request(server.port, ROUTE)).status).toBe(200);
      const { items } = await getJson('/api/v1/workloads');
      found = items.find((w: any) => w.routes.some((r: any) => r.route === ROUTE));
      if (!found) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(found, 'the server never showed in GET /api/v1/workloads').toBeDefined();
    expect(Date.now() - trafficFrom).toBeLessThan(60_000);
    expect(found.requestsPerMinute).toBeGreaterThan(0);
  }, 120_000);

  it('stops the sensor and its loader when the service gets SIGTERM', async () => {
    const { pid } = await getJson('/api/v1/sensor');
    const loaders = () =>
      execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean);
    const [loader] = loaders();
    expect(loaders()).toHaveLength(1);
    const exited = new Promise<number | null>((resolve) => service.once('exit', resolve));
    service.kill('SIGTERM');
    expect(await exited).toBe(0);
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(pid)).toBe(false);
    expect(alive(Number(loader))).toBe(false);
  }, 30_000);
});
