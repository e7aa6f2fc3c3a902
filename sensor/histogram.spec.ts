import { spawnSync } from 'node:child_process';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/integrations/metrics/prometheus-text.js';
import { COMPACT_FORMAT, LabelledHistogram, MAX_EXACT_THRESHOLDS } from './histogram.js';

const h = () => new LabelledHistogram('x_seconds', 'help', ['a', 'b'], [0.1, 0.5, 1]);

const buckets = (text: string) =>
  parsePrometheusText(text)
    .samples.filter((s) => s.name === 'x_seconds_bucket')
    .map((s) => [s.labels.le, s.value]);

describe('LabelledHistogram', () => {
  it('counts a value equal to a bound in that bucket, as Prometheus le means', () => {
    const hist = h();
    const s = hist.seriesFor({ a: '1', b: '2' });
    for (const v of [0.1, 0.3, 0.5, 2]) s.observe(v, 0);
    const text = hist.renderText().toString();
    expect(buckets(text)).toEqual([
      ['0.1', 1],
      ['0.5', 3],
      ['1', 3],
      ['+Inf', 4],
    ]);
    const samples = parsePrometheusText(text).samples;
    expect(samples.find((v) => v.name === 'x_seconds_sum')!.value).toBeCloseTo(2.9);
    expect(samples.find((v) => v.name === 'x_seconds_count')!.value).toBe(4);
  });

  it("renders the same samples as prom-client's own Histogram, escapes included", async () => {
    const labels = [
      { a: 'plain', b: '' },
      { a: 'quote " and backslash \\', b: 'new\nline' },
      { a: 'café', b: '/users/{id}' },
    ];
    const values = [0.05, 0.1, 0.7, 3, 0.0001];
    const ours = h();
    const registry = new Registry();
    const theirs = new Histogram({
      name: 'x_seconds',
      help: 'help',
      labelNames: ['a', 'b'],
      buckets: [0.1, 0.5, 1],
      registers: [registry],
    });
    for (const l of labels)
      for (const v of values) {
        ours.seriesFor(l).observe(v, 0);
        theirs.observe(l, v);
      }
    const sorted = (text: string) => {
      const { samples, malformedLines } = parsePrometheusText(text);
      expect(malformedLines).toBe(0);
      return samples.map((s) => JSON.stringify([s.name, Object.entries(s.labels).sort(), s.value])).sort();
    };
    expect(sorted(ours.renderText().toString())).toEqual(sorted(await registry.metrics()));
  });

  it('renders text that promtool, the Prometheus project’s linter, accepts', () => {
    const hist = h();
    hist.seriesFor({ a: 'x"y', b: 'z\\w' }).observe(0.2, 0);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: hist.renderText() });
    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/error|failed/i);
    expect(result.status).toBe(0);
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

describe('exact thresholds', () => {
  const compact = (hist: LabelledHistogram) =>
    JSON.parse(hist.renderCompact({ startTimeSeconds: 1, refusedThresholdsMs: [] })) as {
      format: string;
      labelNames: string[];
      bounds: number[];
      thresholds: { ms: number; sinceSeconds: number }[];
      series: { labels: string[]; cumulative: number[]; sum: number; good: number[] }[];
    };

  it.each([
    { name: 'a request of exactly the threshold is within it', ms: 350, values: [0.35], good: 1 },
    { name: 'one nanosecond more is not', ms: 350, values: [0.350000001], good: 0 },
    {
      name: 'inside a bucket (300–400 ms) the count is exact, not interpolated',
      ms: 350,
      values: [0.31, 0.349, 0.351, 0.39],
      good: 2,
    },
    { name: 'the smallest threshold, 1 ms', ms: 1, values: [0.0009, 0.001, 0.0011], good: 2 },
    { name: 'the largest threshold, 10 s', ms: 10_000, values: [9.99, 10, 10.5], good: 2 },
  ])('$name', ({ ms, values, good }) => {
    const hist = new LabelledHistogram('x_seconds', 'help', ['a'], [0.3, 0.4, 1]);
    hist.registerThresholds([ms], 0);
    const s = hist.seriesFor({ a: 'svc' });
    for (const v of values) s.observe(v, 1);
    expect(compact(hist).series[0]!.good).toEqual([good]);
  });

  it('counts only what was observed after the threshold was registered', () => {
    const hist = h();
    const s = hist.seriesFor({ a: '1', b: '' });
    s.observe(0.2, 0);
    hist.registerThresholds([250], 1_000);
    s.observe(0.2, 2_000);
    s.observe(0.3, 2_000);
    const c = compact(hist);
    expect(c.thresholds).toEqual([{ ms: 250, sinceSeconds: 1 }]);
    expect(c.series[0]).toEqual({ labels: ['1', ''], cumulative: [0, 3, 3, 3], sum: 0.7, good: [1] });
    expect(c.format).toBe(COMPACT_FORMAT);
  });

  it('keeps counting a threshold asked for again, and forgets one nobody asks for', () => {
    const hist = h();
    hist.registerThresholds([100, 200], 0);
    hist.seriesFor({ a: '1', b: '' }).observe(0.05, 1);
    hist.registerThresholds([200], 10);
    expect(hist.expireThresholds(5)).toBe(1);
    expect(compact(hist).thresholds.map((t) => t.ms)).toEqual([200]);
    expect(compact(hist).series[0]!.good).toEqual([1]);
    // A slot reused by a new threshold starts from zero.
    hist.registerThresholds([300], 20);
    expect(compact(hist).series[0]!.good).toEqual([1, 0]);
  });

  it(`refuses thresholds past ${MAX_EXACT_THRESHOLDS} and says which`, () => {
    const hist = h();
    const all = Array.from({ length: MAX_EXACT_THRESHOLDS + 2 }, (_, i) => i + 1);
    expect(hist.registerThresholds(all, 0)).toEqual([MAX_EXACT_THRESHOLDS + 1, MAX_EXACT_THRESHOLDS + 2]);
  });

  it('rejects thresholds that are not whole milliseconds from 1 to 10000', () => {
    for (const bad of [0, 10_001, 1.5]) expect(() => h().registerThresholds([bad], 0)).toThrow(RangeError);
  });
});
