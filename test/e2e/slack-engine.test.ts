import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';
import { eventually, slackConfig } from '../support/slack.js';
import { SlackStandIn } from '../support/slack-standin.js';

/**
 * The whole chain as a user meets it: sensor data → burn-rate engine → alert transition → outbox → Slack. The
 * message carries the engine's own numbers; the resolve closes the thread.
 */
const STEP_SECONDS = 15;
let burnwatch: RunningBurnwatch;
let slack: SlackStandIn;
let sensor: SensorStandIn;
let clock: ManualClock;

beforeAll(async () => {
  await resetDatabase();
  clock = new ManualClock(new Date('2026-11-02T08:00:00Z'));
  slack = await SlackStandIn.start();
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  burnwatch = await startTestApp({ slack: slackConfig(slack) }, clock);
});
afterAll(async () => {
  await burnwatch.close();
  await sensor.stop();
  await slack.close();
});

/** Simulated time in steps: the sensor records 100 requests/s with `status`, then a scrape and an evaluation. */
async function run(
  seconds: number,
  status: number | null,
  until: () => Promise<boolean>,
  stepSeconds = STEP_SECONDS,
): Promise<void> {
  const engine = burnwatch.app.get(SloEngine);
  const scraper = burnwatch.app.get(SensorScraperService);
  for (let t = 0; t < seconds; t += stepSeconds) {
    if (status !== null) sensor.record(100 * stepSeconds, status, 0.02);
    const now = clock.advance(stepSeconds);
    await scraper.scrapeAll(now, [sensor.url]);
    await engine.tick(now);
    if (await until()) return;
  }
}

describe('an SLO burning on sensor data', () => {
  it('pages in Slack with the numbers the engine computed, and resolves in the thread', async () => {
    const api = apiClient(burnwatch.url);
    const created = await api(
      'POST',
      '/api/v1/slos',
      errorRateSlo({ window: '30d', notify: { slackChannel: '#payments-oncall' } }),
    );
    expect(created.status).toBe(201);

    const state = async () => (await api('GET', '/api/v1/alerts?slo=checkout-errors')).body.items[0]?.state;
    await run(1800, 200, async () => false, 300);
    await run(1800, 503, async () => (await state()) === 'firing');
    await eventually(() => expect(slack.okCalls('chat.postMessage')).toHaveLength(1));
    const [firing] = slack.okCalls('chat.postMessage');
    expect(firing!.args.channel).toBe('#payments-oncall');
    expect(String(firing!.args.text)).toMatch(/^\[PAGE\] checkout-errors is burning its error budget/);

    const [alert] = (await api('GET', '/api/v1/alerts?slo=checkout-errors')).body.items;
    const fired = (await api('GET', `/api/v1/alerts/${alert.id}`)).body.transitions[0].snapshot;
    const blocks = firing!.args.blocks as any[];
    expect(blocks[2].fields.slice(0, 2).map((f: { text: string }) => f.text)).toEqual([
      `*SLI*\n${round(fired.sliPercent)} % (objective 99.9 %)`,
      `*Budget left*\n${round(fired.budgetRemainingPercent)} %`,
    ]);
    // Every window of the engine's policy, the firing ones marked.
    expect(blocks[3].text.text).toBe(
      [
        '*Burn rate, long / short window*',
        ...fired.burnRates.map(
          (w: any) =>
            `${w.firing ? '🔥 ' : ''}${w.longWindow} / ${w.shortWindow}: *${rate(w.longBurnRate)}* / ` +
            `*${rate(w.shortBurnRate)}* (${w.severity} at ${rate(w.threshold)})`,
        ),
      ].join('\n'),
    );
    expect(fired.burnRates.some((w: any) => w.firing)).toBe(true);

    // The slowest tier (3 d / 6 h) needs its short window clean again: hours, simulated in 5-minute steps.
    await run(12 * 3600, 200, async () => (await state()) === 'resolved', 300);
    expect(await state()).toBe('resolved');
    await eventually(() => expect(slack.okCalls('chat.update')).toHaveLength(1));
    const reply = slack.okCalls('chat.postMessage').at(-1)!;
    expect(reply.args.thread_ts).toBe(firing!.response!.ts);
    expect(String(reply.args.text)).toMatch(/^Resolved: checkout-errors after /);
    expect(slack.history('C0PAYMENTS')[0]!.text).toMatch(/^Resolved: checkout-errors \(was page\)/);
  });
});

describe('a paging SLO whose workload stops reporting', () => {
  it("says so on the open alert's Slack message within 10 minutes, keeps the alert open, and clears it when data returns", async () => {
    const api = apiClient(burnwatch.url);
    await api('DELETE', '/api/v1/slos/checkout-errors');
    const name = 'checkout-silent';
    expect(
      (
        await api(
          'POST',
          '/api/v1/slos',
          errorRateSlo({ name, window: '30d', notify: { slackChannel: '#payments-oncall' } }),
        )
      ).status,
    ).toBe(201);
    const alertOf = async () => (await api('GET', `/api/v1/alerts?slo=${name}`)).body.items[0];
    const updates = () => slack.okCalls('chat.update').length;
    await run(1800, 200, async () => false, 300);
    await run(1800, 503, async () => (await alertOf())?.state === 'firing');
    await eventually(() =>
      expect(slack.okCalls('chat.postMessage').at(-1)!.args.text).toMatch(/checkout-silent/),
    );
    const root = slack.okCalls('chat.postMessage').at(-1)!;
    const before = updates();

    // The pod is gone: no request at all. Within 10 minutes the SLO is stale, and the page says so.
    let silentFor = 0;
    await run(600, null, async () => {
      silentFor += STEP_SECONDS;
      return (await api('GET', `/api/v1/slos/${name}/status`)).body.status === 'stale';
    });
    expect(silentFor).toBeLessThanOrEqual(600);
    const status = (await api('GET', `/api/v1/slos/${name}/status`)).body;
    expect(status).toMatchObject({ status: 'stale', staleSince: expect.any(String) });
    expect((await alertOf()).state).toBe('firing');
    await eventually(() => expect(updates()).toBe(before + 1));
    const stale = slack.okCalls('chat.update').at(-1)!;
    expect(stale.args.ts).toBe(root.response!.ts);
    expect(String(stale.args.text)).toContain('No data since');

    // Still silent an hour later: still firing, nothing resolved on missing data.
    await run(3600, null, async () => false, 300);
    expect((await alertOf()).state).toBe('firing');

    // Data returns (still failing): the warning goes away.
    await run(120, 503, async () => (await api('GET', `/api/v1/slos/${name}/status`)).body.status === 'page');
    await eventually(() => expect(updates()).toBe(before + 2));
    expect(String(slack.okCalls('chat.update').at(-1)!.args.text)).not.toContain('No data since');
  });
});

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}
function rate(value: number): string {
  return `${value >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100}×`;
}
