import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SensorProcess, type SensorProcessOptions } from '../../src/integrations/sensor/sensor-process.js';
import { apiClient, startTestApp } from '../support/app.js';

const FAKE = path.resolve('test/fixtures/fake-sensor.mjs');
const running: SensorProcess[] = [];

function fakeSensor(mode: 'serve' | 'crash' | 'stubborn', options: Partial<SensorProcessOptions> = {}) {
  const starts = path.join(mkdtempSync(path.join(tmpdir(), 'burnwatch-fake-sensor-')), 'starts');
  const lines: string[] = [];
  const child = new SensorProcess({
    command: process.execPath,
    args: [FAKE],
    env: { ...process.env, FAKE_SENSOR: mode, FAKE_SENSOR_STARTS: starts },
    log: (line) => lines.push(line),
    backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 },
    stopTimeoutMs: 500,
    ...options,
  });
  running.push(child);
  const startTimes = () =>
    readFileSync(starts, 'utf8')
      .trim()
      .split('\n')
      .map((line) => Number(line.split(' ')[0]));
  return { child, lines, startTimes };
}

async function until<T>(probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

describe('the sensor child process', () => {
  it('is running once it says where it serves, and its metrics URL (0.0.0.0 as 127.0.0.1) answers', async () => {
    const { child, lines } = fakeSensor('serve');
    child.start();
    expect(child.status().state).toBe('starting');
    const url = await until(() => child.metricsUrl());
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(await (await fetch(url)).text()).toBe('burnwatch_fake 1\n');
    expect(child.status()).toMatchObject({ state: 'running', restarts: 0, url });
    expect(lines[0]).toMatch(/^sensor: serving /);
  });

  it('is restarted after it exits, with doubling delays up to the maximum, and says why it exited', async () => {
    const restarts: number[] = [];
    const { child, startTimes } = fakeSensor('crash', { onRestart: () => restarts.push(Date.now()) });
    child.start();
    const status = await until(() => {
      const s = child.status();
      return s.state === 'restarting' && s;
    });
    expect(status.lastExit).toBe(
      'the sensor exited with status 1: cannot start: the loader exited with status 1 before attaching its programs',
    );
    await until(() => startTimes().length >= 5, 15_000);
    const times = startTimes();
    // Each gap is the child's 100 ms life plus the delay: 100, 200, 400, then 400 (the maximum).
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[1]).toBeGreaterThanOrEqual(300);
    expect(gaps[2]).toBeGreaterThanOrEqual(500);
    expect(gaps[3]).toBeLessThan(gaps[2]! + 300);
    expect(restarts.length).toBeGreaterThanOrEqual(4);
    expect(child.status().restarts).toBe(restarts.length);
  });

  it('is stopped with SIGTERM and not restarted afterwards', async () => {
    const { child, startTimes } = fakeSensor('serve');
    child.start();
    await until(() => child.metricsUrl());
    const { pid } = child.status() as { pid: number };
    await child.stop();
    expect(alive(pid)).toBe(false);
    expect(child.status().state).toBe('stopped');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(startTimes()).toHaveLength(1);
  });

  it('is killed when it ignores SIGTERM for longer than the stop timeout', async () => {
    const { child } = fakeSensor('stubborn');
    child.start();
    await until(() => child.metricsUrl());
    const { pid } = child.status() as { pid: number };
    const started = Date.now();
    await child.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(alive(pid)).toBe(false);
  });

  it('stopping while a restart is pending cancels the restart', async () => {
    const { child, startTimes } = fakeSensor('crash', {
      backoff: { initialMs: 300, maxMs: 300, resetAfterMs: 60_000 },
    });
    child.start();
    await until(() => child.status().state === 'restarting');
    await child.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(startTimes()).toHaveLength(1);
  });
});

describe('GET /api/v1/sensor', () => {
  it('says the sensor is off, why, and how to turn it on, when BURNWATCH_SENSOR is off', async () => {
    const app = await startTestApp();
    try {
      const { status, body } = await apiClient(app.url)('GET', '/api/v1/sensor');
      expect(status).toBe(200);
      expect(body).toEqual({
        state: 'off',
        reason: 'BURNWATCH_SENSOR is off',
        action: expect.stringContaining('BURNWATCH_SENSOR=auto'),
        loader: null,
        metricsUrl: null,
        pid: null,
        restarts: 0,
      });
    } finally {
      await app.close();
    }
  });
});
