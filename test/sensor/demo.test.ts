/**
 * `npm run demo` with a shortened schedule (the bad release after 20 s instead of 60 s): the compiled service,
 * its own sensor and the sample shop, two SLOs created through the API, and a page alert whose Slack message
 * (dry run) shows in GET /api/v1/notifications within the five minutes the issue allows. Then Ctrl-C (SIGINT)
 * stops everything: the demo exits 0 and none of the processes it started, or they started, is left.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIVE_MINUTES = 5 * 60_000;

/** Every process below `pid` now, by reading the process table once. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run demo', () => {
  let demo: ChildProcess;
  let startedAt: number;
  let exited: Promise<{ code: number | null; signal: string | null }>;
  const output: string[] = [];
  const started = new Set<number>();

  beforeAll(() => {
    // What `npm run demo` builds first, without the UI build the test does not need.
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
    startedAt = Date.now();
    demo = spawn(process.execPath, ['scripts/demo.mjs'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        // Ports chosen by the system, so the test runs beside others.
        PORT: '0',
        HOST: '127.0.0.1',
        BURNWATCH_SENSOR_PORT: '0',
        BURNWATCH_DEMO_BAD_AFTER: '20s',
      },
    });
    exited = new Promise((resolve) => demo.once('exit', (code, signal) => resolve({ code, signal })));
    const onData = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
    demo.stdout!.on('data', onData);
    demo.stderr!.on('data', onData);
  }, 120_000);

  afterAll(() => {
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it(
    'pages within five minutes of the start, with the Slack message kept in dry run',
    async () => {
      let base: string | undefined;
      let page: any;
      while (!page && Date.now() - startedAt < FIVE_MINUTES) {
        for (const pid of descendants(demo.pid!)) started.add(pid);
        expect(demo.exitCode, output.join('\n')).toBeNull();
        base ??= output.map((line) => /Open (http:\/\/\S+)\/ /.exec(line)?.[1]).find(Boolean);
        if (base) {
          const notifications = await (await fetch(`${base}/api/v1/notifications`)).json();
          expect(notifications.dryRun).toBe(true);
          for (const n of notifications.items.filter(
            (i: any) => i.alertId && i.kind !== 'resolved' && i.state === 'dry-run',
          )) {
            const alert = await (await fetch(`${base}/api/v1/alerts/${n.alertId}`)).json();
            if (alert.severity === 'page') page = { notification: n, alert };
          }
        }
        if (!page) await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      expect(
        page,
        `no page alert in GET /api/v1/notifications within 5 minutes:\n${output.join('\n')}`,
      ).toBeDefined();
      expect(Date.now() - startedAt).toBeLessThan(FIVE_MINUTES);
      expect(page.notification).toMatchObject({ state: 'dry-run', channel: '#burnwatch-demo' });
      expect(page.notification.message.text).toMatch(/^\[PAGE\] burnwatch-demo-shop-(errors|latency) /);
      expect(page.alert).toMatchObject({
        state: 'firing',
        slo: expect.stringMatching(/^burnwatch-demo-shop-/),
      });

      // The service, its sensor and the sensor's loader, and the shop (its second release by now).
      const commands = execFileSync('ps', ['-o', 'args=', '-p', [...started].join(',')], {
        encoding: 'utf8',
      });
      expect(commands).toContain('dist/src/main.js');
      expect(commands).toContain('dist/sensor/main.js');
      expect(commands).toContain('burnwatch-loader');
      expect(commands).toMatch(/burnwatch-demo-shop\.mjs --version 2/);
    },
    FIVE_MINUTES + 60_000,
  );

  it('stops everything it started on Ctrl-C', async () => {
    for (const pid of descendants(demo.pid!)) started.add(pid);
    expect(started.size).toBeGreaterThanOrEqual(4);
    demo.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect([...started].filter(alive)).toEqual([]);
    expect(output.join('\n')).toContain('Stopped; nothing is left running.');
  }, 60_000);
});
