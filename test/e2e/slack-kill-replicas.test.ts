import { ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { AlertTransitionHooks } from '../../src/alerts/alert-transition-hooks.js';
import { SilencesService } from '../../src/alerts/silences/silences.service.js';
import { systemClock } from '../../src/common/clock.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { SlackOutboxListener } from '../../src/integrations/slack/slack-outbox.listener.js';
import { apiClient, resetDatabase, testConfig } from '../support/app.js';
import { alertSnapshot, eventually, sloSpec } from '../support/slack.js';
import { SlackStandIn } from '../support/slack-standin.js';

/**
 * Two replicas as users run them (two `node dist/src/main.js` on one database), Slack taking 3 s per call, and one
 * replica SIGKILLed while it is delivering: every transition reaches Slack exactly once. The test plays the
 * burn-rate engine with its own AlertStore on the same database (it sends nothing: only the replicas dispatch).
 */
let standIn: SlackStandIn;
let dataSource: DataSource;
let store: AlertStore;
let children: ChildProcess[] = [];

const T0 = new Date('2026-11-25T17:00:00.000Z');

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: process.cwd() });
  await resetDatabase();
  standIn = await SlackStandIn.start();
  dataSource = new DataSource(dataSourceOptions({ url: inject('databaseUrl'), poolSize: 2 }));
  await dataSource.initialize();
  const hooks = new AlertTransitionHooks();
  hooks.register(
    new SlackOutboxListener(testConfig(), systemClock, new SilencesService(dataSource, systemClock)),
  );
  store = new AlertStore(dataSource, hooks);
}, 180_000);
afterEach(async () => {
  await Promise.all(children.map((c) => stop(c, 'SIGTERM')));
  children = [];
  standIn.reset();
  await resetDatabase();
});
afterAll(async () => {
  await dataSource?.destroy();
  await standIn?.close();
});

/** Starts `node dist/src/main.js` against the test database and the stand-in; resolves with it and its URL. */
async function startChild(): Promise<{ process: ChildProcess; url: string }> {
  const process_ = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      HOST: '127.0.0.1',
      PORT: '0',
      BURNWATCH_LOG_LEVEL: 'info',
      BURNWATCH_SENSOR: 'off',
      BURNWATCH_PUBLIC_URL: 'http://burnwatch.test',
      SLACK_BOT_TOKEN: standIn.token,
      SLACK_API_URL: standIn.url,
      SLACK_TIMEOUT_SECONDS: '10',
      SLACK_DISPATCH_INTERVAL_SECONDS: '0.05',
      SLACK_RETRY_BASE_SECONDS: '0.05',
      SLACK_RETRY_MAX_SECONDS: '0.5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(process_);
  let output = '';
  return new Promise((resolve, reject) => {
    process_.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) resolve({ process: process_, url });
    });
    process_.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process_.once('exit', (code) =>
      reject(new Error(`the service exited (${code}) before listening:\n${output}`)),
    );
  });
}

async function stop(running: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill(signal);
  await exited;
}

describe('two replicas, a slow Slack and one replica killed mid-delivery', () => {
  it('posts every firing exactly once', async () => {
    standIn.delayMs = 3_000;
    const first = await startChild();
    const second = await startChild();
    const FIRINGS = 6;
    for (let i = 0; i < FIRINGS; i++) {
      await store.apply(
        sloSpec({ name: `checkout-${i}` }),
        { kind: 'fired', severity: 'page' },
        alertSnapshot(),
        new Date(T0.getTime() + i * 1000),
      );
    }
    // The first post is on its way (Slack is still "thinking" about it): one replica dies now.
    await eventually(() => expect(standIn.calls('chat.postMessage').length).toBeGreaterThan(0));
    await stop(first.process, 'SIGKILL');

    const api = apiClient(second.url);
    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications?limit=100');
      expect(list.body.items.filter((n: { state: string }) => n.state === 'sent')).toHaveLength(FIRINGS);
    }, 90_000);
    const posted = standIn.history('C0PAYMENTS').filter((m) => !m.threadTs);
    expect(posted).toHaveLength(FIRINGS);
    const texts = posted.map((m) => /checkout-\d/.exec(String(m.text))?.[0]).sort();
    expect(texts).toEqual(Array.from({ length: FIRINGS }, (_, i) => `checkout-${i}`));
  }, 120_000);
});
