import { describe, expect, it } from 'vitest';
import { deployCosts } from './deploy-cost.js';

const OLD = 'docker.io/shop/checkout@sha256:aaa';
const NEW = 'docker.io/shop/checkout@sha256:bbb';
const FIX = 'docker.io/shop/checkout@sha256:ccc';

describe('what each deploy cost', () => {
  it('prices a bad release against the budget of everything served, next to the digest it replaced', () => {
    // 30 d at 99.9 %: 4,000,000 events, 4,000 bad allowed. The old digest failed 0.05 %, the bad release 2 %.
    const costs = deployCosts(
      [
        { imageId: NEW, firstMinute: 2000, lastMinute: 2359, total: 100_000, bad: 2_000 },
        { imageId: OLD, firstMinute: 0, lastMinute: 2005, total: 3_800_000, bad: 1_900 },
        { imageId: FIX, firstMinute: 2360, lastMinute: 3000, total: 100_000, bad: 10 },
      ],
      0.001,
    );
    expect(costs.map((c) => c.imageId)).toEqual([OLD, NEW, FIX]);
    expect(costs[1]).toMatchObject({
      errorPercent: 2,
      budgetConsumedPercent: 50, // 2,000 of the 4,000 allowed
      previous: { imageId: OLD, errorPercent: 0.05 },
      errorRatioVsPrevious: 40,
    });
    expect(costs[0]).toMatchObject({
      budgetConsumedPercent: 47.5,
      previous: null,
      errorRatioVsPrevious: null,
    });
    expect(costs[2]).toMatchObject({ budgetConsumedPercent: 0.25, errorRatioVsPrevious: 0.005 });
    expect(costs[1]!.from).toBe(new Date(2000 * 60_000).toISOString());
    expect(costs[1]!.to).toBe(new Date(2360 * 60_000).toISOString());
  });

  it('says nothing it cannot know: no events, no budget, no previous error share', () => {
    const costs = deployCosts(
      [
        { imageId: OLD, firstMinute: 0, lastMinute: 10, total: 1000, bad: 0 },
        { imageId: NEW, firstMinute: 11, lastMinute: 20, total: 0, bad: 0 },
      ],
      0.001,
    );
    expect(costs[1]).toMatchObject({
      errorPercent: null,
      errorRatioVsPrevious: null,
      budgetConsumedPercent: 0,
    });
    expect(
      deployCosts([{ imageId: OLD, firstMinute: 0, lastMinute: 1, total: 0, bad: 0 }], 0.001)[0]!
        .budgetConsumedPercent,
    ).toBeNull();
  });
});
