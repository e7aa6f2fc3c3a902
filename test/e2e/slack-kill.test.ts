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
 * The service as users run it (the built `node dist/src/main.js`) killed with SIGKILL while Slack holds its reply,
 * then started again: the alert's messages must arrive once each, none lost. The test plays the burn-rate engine
 * with its own AlertStore on the same database (it sends nothing: only the child process dispatches).
 */
let standIn: SlackStandIn;
let dataSource: DataSource;
let store: AlertStore;
let child: ChildProcess | undefined;

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
  await stopChild();
  standIn.reset();
  await resetDatabase();
});
afterAll(async () => {
  await dataSource?.destroy();
  await standIn?.close();
});

/** Starts the built service against the test database and the stand-in; resolves with its URL. */
async function startChild(): Promise<string> {
  const started = await startServiceProcess(inject('databaseUrl'), standIn);
  child = started.process;
  return started.url;
}

async function killChild(): Promise<void> {
  if (child) await stopProcess(child, 'SIGKILL');
}

async function stopChild(): Promise<void> {
  const running = child;
  child = undefined;
  if (running) await stopProcess(running, 'SIGTERM');
}

describe('a Burnwatch killed mid-delivery and started again', () => {
  it('does not post the firing twice when Slack posted it but the reply never came back', async () => {
    const held = standIn.hold('chat.postMessage', 'before');
    await startChild();
    const slo = sloSpec();
    await store.apply(slo, { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);

    await held.arrived; // Slack has stored the message; its reply is held
    await killChild();
    held.release(); // the reply goes to a dead connection
    expect(standIn.history('C0PAYMENTS')).toHaveLength(1);

    const url = await startChild();
    const api = apiClient(url);
    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items[0]).toMatchObject({ kind: 'fired', state: 'sent' });
    });
    await store.apply(slo, { kind: 'resolved' }, alertSnapshot(), new Date(T0.getTime() + 600_000));
    await eventually(() => expect(standIn.okCalls('chat.update')).toHaveLength(1));

    const messages = standIn.history('C0PAYMENTS');
    const root = messages[0]!;
    expect(messages.map((m) => m.threadTs ?? 'root')).toEqual(['root', root.ts]);
    expect(standIn.okCalls('chat.update')[0]!.args).toMatchObject({ channel: 'C0PAYMENTS', ts: root.ts });
    // The restarted service looked in the channel before posting again, and found the message.
    expect(standIn.calls('conversations.history')).toHaveLength(1);
    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items.map((n: any) => [n.kind, n.state, n.ts])).toEqual([
        ['resolved', 'sent', messages[1]!.ts],
        ['fired', 'sent', root.ts],
      ]);
    });
  });

  it('posts the firing once when the service died before Slack carried the request out', async () => {
    const held = standIn.hold('chat.postMessage', 'never');
    await startChild();
    await store.apply(sloSpec(), { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);

    await held.arrived;
    await killChild();
    held.abort();
    expect(standIn.history('C0PAYMENTS')).toHaveLength(0);

    const url = await startChild();
    await eventually(async () => {
      const list = await apiClient(url)('GET', '/api/v1/notifications');
      expect(list.body.items[0]).toMatchObject({ kind: 'fired', state: 'sent', attempts: 2 });
    });
    expect(standIn.history('C0PAYMENTS')).toHaveLength(1);
    expect(standIn.calls('chat.postMessage')).toHaveLength(2);
  });
});
