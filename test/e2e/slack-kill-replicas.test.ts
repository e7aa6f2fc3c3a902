import { ChildProcess, execFile } from 'node:child_process';
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
import { startServiceProcess, stopProcess } from '../support/service-process.js';

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
  await Promise.all(children.map((c) => stopProcess(c, 'SIGTERM')));
  children = [];
  standIn.reset();
  await resetDatabase();
});
afterAll(async () => {
  await dataSource?.destroy();
  await standIn?.close();
});

async function startChild(): Promise<{ process: ChildProcess; url: string }> {
  const started = await startServiceProcess(inject('databaseUrl'), standIn, { SLACK_TIMEOUT_SECONDS: '10' });
  children.push(started.process);
  return started;
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
    await stopProcess(first.process, 'SIGKILL');

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
