import { describe, expect, it } from 'vitest';
import { LabelledHistogram } from './histogram.js';

const h = () => new LabelledHistogram('x_seconds', 'help', ['a', 'b'], [0.1, 0.5, 1]);

describe('LabelledHistogram', () => {
  it('counts a value equal to a bound in that bucket, as Prometheus le means', async () => {
    const hist = h();
    const s = hist.seriesFor({ a: '1', b: '2' });
    for (const v of [0.1, 0.3, 0.5, 2]) s.observe(v, 0);
    const { values } = await hist.get();
    const buckets = values
      .filter((v) => v.metricName === 'x_seconds_bucket')
      .map((v) => [v.labels.le, v.value]);
    expect(buckets).toEqual([
      [0.1, 1],
      [0.5, 3],
      [1, 3],
      ['+Inf', 4],
    ]);
    expect(values.find((v) => v.metricName === 'x_seconds_sum')!.value).toBeCloseTo(2.9);
    expect(values.find((v) => v.metricName === 'x_seconds_count')!.value).toBe(4);
  });

  it('gives the same series for the same labels, and a new one otherwise', () => {
    const hist = h();
    expect(hist.seriesFor({ a: '1', b: '2' })).toBe(hist.seriesFor({ b: '2', a: '1' }));
    expect(hist.seriesFor({ a: '1', b: '3' })).not.toBe(hist.seriesFor({ a: '1', b: '2' }));
    expect(hist.size).toBe(2);
  });

  it('removes only the series last observed before the cut-off', () => {
    const hist = h();
    hist.seriesFor({ a: 'old', b: '' }).observe(1, 100);
    hist.seriesFor({ a: 'new', b: '' }).observe(1, 900);
    expect(hist.removeObservedBefore(500)).toBe(1);
    expect(hist.size).toBe(1);
  });
});
