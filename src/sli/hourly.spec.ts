import { describe, expect, it } from 'vitest';
import {
  MINUTE_RESOLUTION_MINUTES,
  minuteResolutionFrom,
  minutesOfMask,
  popcount,
  rollupBefore,
  spreadHour,
} from './hourly.js';
import { capacityForSlo } from '../slo/domain/rolling-counts.js';

describe('hourly rollups', () => {
  it('keep minutes at minute resolution for at least as long as the engine reads them so', () => {
    const nowMinute = 29_500_000 + 37;
    // The engine's exact minute ring for a 30 d SLO reaches back MINUTE_RESOLUTION_MINUTES.
    expect(capacityForSlo(30 * 86400, 3 * 86400).minuteSlots).toBe(MINUTE_RESOLUTION_MINUTES + 1);
    expect(minuteResolutionFrom(nowMinute)).toBeLessThanOrEqual(nowMinute - MINUTE_RESOLUTION_MINUTES);
    expect(minuteResolutionFrom(nowMinute) % 60).toBe(0);
    expect(rollupBefore(nowMinute)).toBeLessThan(minuteResolutionFrom(nowMinute));
  });

  it('count the minutes with data of a mask', () => {
    const mask = (1n << 0n) | (1n << 5n) | (1n << 59n);
    expect(popcount(mask)).toBe(3);
    expect(minutesOfMask(mask)).toEqual([0, 5, 59]);
    expect(popcount(0n)).toBe(0);
  });

  it('spread an hour over its minutes with data, whole hours summing to the hour exactly', () => {
    const row = {
      seriesId: 1,
      hour: 10,
      requests: 90,
      buckets: [30, 60],
      minuteMask: (1n << 1n) | (1n << 2n) | (1n << 40n),
    };
    const minutes = spreadHour(row);
    expect(minutes.map((m) => m.minute)).toEqual([601, 602, 640]);
    expect(minutes.reduce((s, m) => s + m.requests, 0)).toBe(90);
    expect(minutes[0]!.buckets).toEqual([10, 20]);
    // A range that cuts the hour gets its share.
    expect(spreadHour(row, 0, 620).reduce((s, m) => s + m.requests, 0)).toBe(60);
  });
});
