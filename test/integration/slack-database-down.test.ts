import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { apiClient, startTestApp } from '../support/app.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../support/slack.js';
import { SlackStandIn } from '../support/slack-standin.js';

/**
 * The database goes away while Slack is posting the firing message, so its outcome cannot be recorded; when the
 * database is back, the notification is completed from Slack's side (found, not posted again). The test runs on a
 * database of its own, which it can close to connections.
 */
const name = `burnwatch_slack_dbdown_${process.pid}_${Date.now()}`;
let url: string;
let standIn: SlackStandIn;
let burnwatch: RunningBurnwatch;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${name}"`);
  const parsed = new URL(inject('adminDatabaseUrl'));
  parsed.pathname = `/${name}`;
  url = parsed.toString();
  const dataSource = new DataSource(dataSourceOptions({ url, poolSize: 1 }));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  standIn = await SlackStandIn.start();
  burnwatch = await startTestApp({
    databaseUrl: url,
    slack: slackConfig(standIn, { requestTimeoutMs: 500 }),
  });
});
afterAll(async () => {
  await burnwatch?.close();
  await standIn?.close();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe('the database going away mid-delivery', () => {
  it('keeps the notification and completes it once the database is back, without a second post', async () => {
    const held = standIn.hold('chat.postMessage', 'before');
    await burnwatch.app
      .get(AlertStore)
      .apply(
        sloSpec(),
        { kind: 'fired', severity: 'page' },
        alertSnapshot(),
        new Date('2026-11-25T17:00:00Z'),
      );
    await held.arrived;

    await admin(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    held.release(); // Slack answers ok, but the row cannot be updated
    // Let the dispatcher run a few rounds against the missing database (they fail and are retried).
    await new Promise((resolve) => setTimeout(resolve, 500));
    await admin(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);

    const api = apiClient(burnwatch.url);
    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items[0]).toMatchObject({ kind: 'fired', state: 'sent' });
    });
    const list = await api('GET', '/api/v1/notifications');
    const messages = standIn.history('C0PAYMENTS');
    expect(messages).toHaveLength(1);
    expect(list.body.items[0].ts).toBe(messages[0]!.ts);
    expect(standIn.calls('chat.postMessage')).toHaveLength(1);
  });
});
