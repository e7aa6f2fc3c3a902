import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { checkoutStory, minuteOf, seedTraffic } from './ui/seed-sli.js';

const OLD = 'docker.io/shop/checkout@sha256:1111111111111111111111111111111111111111111111111111111111111111';
const NEW = 'docker.io/shop/checkout@sha256:2222222222222222222222222222222222222222222222222222222222222222';

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
const nowMinute = minuteOf(Date.now());
const story = checkoutStory(nowMinute, { before: OLD, after: NEW });
const fromMinute = nowMinute - 7 * 1440 + 10;

beforeAll(async () => {
  await resetDatabase();
  burnwatch = await startTestApp();
  api = apiClient(burnwatch.url);
  expect((await api('POST', '/api/v1/slos', errorRateSlo({ objective: 99, window: '7d' }))).status).toBe(201);
  await seedTraffic(burnwatch, story, fromMinute, nowMinute);
});
afterAll(() => burnwatch.close());

/** The story's own numbers per digest, summed here minute by minute. */
function expected(): Map<string, { total: number; bad: number }> {
  const perImage = new Map<string, { total: number; bad: number }>();
  for (let m = fromMinute; m < nowMinute; m++) {
    const counts = story.at(m);
    if (!counts) continue;
    const image = story.imageAt!(m);
    const sums = perImage.get(image) ?? { total: 0, bad: 0 };
    sums.total += counts.good + counts.failed;
    sums.bad += counts.failed;
    perImage.set(image, sums);
  }
  return perImage;
}

describe('what each deploy cost', () => {
  it('prices the bad release against the week’s budget, next to the digest it replaced', async () => {
    const response = await api('GET', '/api/v1/slos/checkout-errors/deploys');
    expect(response.status).toBe(200);
    const want = expected();
    const all = [...want.values()].reduce((sum, c) => sum + c.total, 0);
    expect(response.body.items.map((i: { imageId: string }) => i.imageId)).toEqual([OLD, NEW]);
    const [old, fresh] = response.body.items;
    expect(old).toMatchObject({ total: want.get(OLD)!.total, bad: want.get(OLD)!.bad, previous: null });
    expect(fresh).toMatchObject({
      total: want.get(NEW)!.total,
      bad: want.get(NEW)!.bad,
      from: new Date(story.deployMinute * 60_000).toISOString(),
      previous: { imageId: OLD },
    });
    expect(fresh.budgetConsumedPercent).toBeCloseTo((want.get(NEW)!.bad / (all * 0.01)) * 100, 3);
    // The old digest served without a single failure: no ratio to give (it would be infinite).
    expect(fresh.previous.errorPercent).toBe(0);
    expect(fresh.errorPercent).toBeGreaterThan(0);
    expect(fresh.errorRatioVsPrevious).toBeNull();
  });

  it('leaves corrected time out of what a deploy cost', async () => {
    const before = (await api('GET', '/api/v1/slos/checkout-errors/deploys')).body.items[1];
    // The bad deploy's first six hours were a known upstream outage.
    const correction = await api('POST', '/api/v1/slos/checkout-errors/corrections', {
      start: new Date(story.deployMinute * 60_000).toISOString(),
      end: new Date((story.deployMinute + 360) * 60_000).toISOString(),
      reason: 'upstream outage',
    });
    expect(correction.status).toBe(201);
    const after = (await api('GET', '/api/v1/slos/checkout-errors/deploys')).body.items[1];
    expect(after.bad).toBe(before.bad - 360 * 25);
    expect(after.total).toBe(before.total - 360 * 125);
  });

  it.each([
    { query: 'from=yesterday', field: 'from' },
    { query: 'from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', field: 'from' },
  ])('refuses $query naming the field', async ({ query, field }) => {
    const response = await api('GET', `/api/v1/slos/checkout-errors/deploys?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe(field);
  });
});
