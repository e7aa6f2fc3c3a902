import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { resetDatabase, startTestApp } from '../support/app.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../support/slack.js';
import { SlackStandIn } from '../support/slack-standin.js';

/**
 * Two replicas share the outbox while Slack takes 3 s per call: more rows wait than one lease covers, so a
 * dispatcher that claimed them all at once would see its later claims run out and another replica post them too.
 */
let standIn: SlackStandIn;
const replicas: RunningBurnwatch[] = [];

const T0 = new Date('2026-11-25T17:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  await resetDatabase();
  standIn = await SlackStandIn.start();
  for (let i = 0; i < 2; i++)
    // A 4 s call limit: a claim (two calls and a margin) lasts 10 s, under four of Slack's 3 s answers.
    replicas.push(await startTestApp({ slack: slackConfig(standIn, { requestTimeoutMs: 4_000 }) }));
});
afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await standIn.close();
});

async function claimsHeld(): Promise<number> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM notifications WHERE claim IS NOT NULL OR lease_until IS NOT NULL`,
  );
  await client.end();
  return Number(rows[0]!.n);
}

describe('two replicas and a slow Slack', () => {
  it('post every transition exactly once', { timeout: 120_000 }, async () => {
    standIn.delayMs = 3_000;
    const names = Array.from({ length: 8 }, (_, i) => `slo-${i}`);
    const stores = replicas.map((r) => r.app.get(AlertStore));
    for (const [i, name] of names.entries())
      await stores[i % 2]!.apply(sloSpec({ name }), { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);
    for (const name of names.slice(0, 2))
      await stores[0]!.apply(sloSpec({ name }), { kind: 'resolved' }, alertSnapshot(), minutes(9));

    await eventually(() => {
      expect(standIn.okCalls('chat.postMessage')).toHaveLength(10);
      expect(standIn.okCalls('chat.update')).toHaveLength(2);
    }, 90_000);
    // Nothing more comes: no replica posts a row late.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const texts = standIn.calls('chat.postMessage').map((r) => String(r.args.text));
    for (const name of names) expect(texts.filter((t) => t.startsWith(`[PAGE] ${name} `))).toHaveLength(1);
    for (const name of names.slice(0, 2))
      expect(texts.filter((t) => t.startsWith(`Resolved: ${name} `))).toHaveLength(1);
    expect(texts).toHaveLength(10);
    expect(standIn.calls('chat.update')).toHaveLength(2);
    // Both replicas did part of the work, and no claim is left behind.
    expect(await claimsHeld()).toBe(0);
  });
});
