import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunningBurnwatch } from '../src/app.js';
import { AlertStore } from '../src/alerts/alert-store.js';
import { resetDatabase, startTestApp } from '../test/support/app.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../test/support/slack.js';
import { SlackStandIn } from '../test/support/slack-standin.js';

/**
 * How fast the outbox drains a burst of alert transitions into Slack (the stand-in answers at once), with one and
 * with two replicas, at a 200 ms dispatch interval. Prints a table; results are copied into docs/slack.md.
 */
const ALERTS = 300;
let standIn: SlackStandIn;
const apps: RunningBurnwatch[] = [];

beforeAll(async () => {
  await resetDatabase();
  standIn = await SlackStandIn.start();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await standIn.close();
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function burst(replicas: number, label: string): Promise<void> {
  await resetDatabase();
  standIn.reset();
  while (apps.length < replicas) {
    apps.push(await startTestApp({ slack: slackConfig(standIn, { dispatchIntervalMs: 200 }) }));
  }
  const store = apps[0]!.app.get(AlertStore);
  const enqueuedAt = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < ALERTS; i++) {
    const name = `bench-${label}-${i}`;
    await store.apply(sloSpec({ name }), { kind: 'fired', severity: 'page' }, alertSnapshot(), new Date());
    enqueuedAt.set(name, Date.now());
  }
  const enqueued = Date.now();
  await eventually(() => expect(standIn.okCalls('chat.postMessage')).toHaveLength(ALERTS), 240_000);
  const done = Date.now();
  const latencies = standIn.okCalls('chat.postMessage').map((r) => {
    const name = /\] (\S+) is burning/.exec(String(r.args.text))![1]!;
    return r.at - enqueuedAt.get(name)!;
  });
  const names = standIn.okCalls('chat.postMessage').map((r) => String(r.args.text));
  expect(new Set(names).size).toBe(ALERTS);
  console.log(
    `| ${replicas} | ${ALERTS} | ${((enqueued - started) / 1000).toFixed(1)} s | ${((done - started) / 1000).toFixed(1)} s | ` +
      `${Math.round(ALERTS / ((done - started) / 1000))} /s | ${percentile(latencies, 50)} ms | ${percentile(latencies, 95)} ms |`,
  );
}

it('drains a burst of firings', async () => {
  console.log('| replicas | alerts | enqueue | all posted | throughput | latency p50 | latency p95 |');
  await burst(1, 'one');
  await burst(2, 'two');
});
