import { describe, expect, it } from 'vitest';
import { tallyEvents } from './event-tally.js';

const series = new Map([
  [1, { statusCode: 200, bounds: [0.1, 0.3] }],
  [2, { statusCode: 503, bounds: [0.1, 0.3] }],
]);
const rows = [
  { seriesId: 1, minute: 10, requests: 10, buckets: [6, 3, 1] },
  { seriesId: 2, minute: 10, requests: 2, buckets: [2, 0, 0] },
  { seriesId: 1, minute: 12, requests: 4, buckets: [0, 2, 2] },
  { seriesId: 9, minute: 12, requests: 99, buckets: [99, 0, 0] },
];

describe('tallyEvents', () => {
  it('counts an error rate by status, per key, leaving out rows of unknown series', () => {
    const byMinute = tallyEvents(
      { type: 'errorRate', errorStatus: '5xx' },
      series,
      rows,
      (row) => row.minute,
    );
    expect([...byMinute].map(([m, t]) => [m, t.total, t.bad])).toEqual([
      [10, 12, 2],
      [12, 4, 0],
    ]);
  });

  it('counts a latency SLI from the buckets, with the minutes each key served and what was estimated', () => {
    const all = tallyEvents({ type: 'latency', thresholdMs: 200 }, series, rows, () => 'all').get('all')!;
    expect(all.total).toBe(16);
    expect(all.firstMinute).toBe(10);
    expect(all.lastMinute).toBe(12);
    // 200 ms lies inside the 100-300 ms bucket: its share is interpolated, and said to be.
    expect(all.lastApproximateMinute).toBe(12);
    const exact = tallyEvents({ type: 'latency', thresholdMs: 300 }, series, rows, () => 'all').get('all')!;
    expect(exact.bad).toBe(3);
    expect(exact.lastApproximateMinute).toBeUndefined();
  });

  it('leaves out rows whose key is undefined, and merges histograms when asked', () => {
    const t = tallyEvents(
      { type: 'errorRate', errorStatus: '5xx' },
      series,
      rows,
      (row) => (row.minute === 12 ? undefined : 'k'),
      { keepHistogram: true },
    ).get('k')!;
    expect(t.total).toBe(12);
    expect(t.buckets).toEqual([8, 3, 1]);
  });
});
