/**
 * A labelled histogram for the hot path and for cheap scrapes.
 *
 * Observing into a series held by the caller is a bucket search and three additions (prom-client's Histogram
 * validates and hashes the labels on every observe, about 1 µs). Rendering writes each series' escaped labels
 * once, when the series is first rendered, and reuses them on every scrape; prom-client's Registry rebuilt an
 * object per line and escaped every label of every line at every scrape (22 lines of 9 labels per series), most
 * of what a scrape cost.
 *
 * Exact thresholds (docs/metrics.md, "Exact latency thresholds"): besides the buckets, each series counts the
 * requests answered within each registered threshold, from the moment the threshold was registered.
 */

/** Thresholds the sensor counts exactly at once; more are refused (and the scrape says which). */
export const MAX_EXACT_THRESHOLDS = 64;
export const MIN_THRESHOLD_MS = 1;
export const MAX_THRESHOLD_MS = 10_000;

export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Time of the last observation, as given by the caller. */
  readonly lastMs: number;
  observe(value: number, nowMs: number): void;
  /**
   * Adds counts taken elsewhere (the loader's series table): per bucket, not cumulative, +Inf last; `good` per
   * threshold slot, of which only registered slots are kept.
   */
  add(buckets: ArrayLike<number>, count: number, sum: number, good: ArrayLike<number>, nowMs: number): void;
}

/** One threshold counted exactly: requests answered within `ms`, counted since `sinceMs`. */
export interface ExactThreshold {
  readonly ms: number;
  readonly sinceMs: number;
}

class Series implements HistogramSeries {
  readonly counts: Float64Array; // per bucket, not cumulative; the last one is +Inf
  sum = 0;
  count = 0;
  lastMs = 0;
  /** Requests within each threshold slot's bound (slots of ExactThresholds; unused slots stay 0). */
  readonly good = new Float64Array(MAX_EXACT_THRESHOLDS);
  /** `le="…",` is prepended per line; this is the rest: `a="x",b="y"}`. */
  textLabels: string | null = null;
  jsonLabels: string | null = null;
  /** textLabels as UTF-8 bytes, copied into every line of the text exposition. */
  textLabelBytes: Buffer | null = null;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
    private readonly thresholds: ThresholdSlots,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number, nowMs: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
    this.lastMs = nowMs;
    const active = this.thresholds.active;
    for (let k = 0; k < active.length; k++) {
      const slot = active[k]!;
      if (value <= this.thresholds.seconds[slot]!) this.good[slot]! += 1;
    }
  }

  add(buckets: ArrayLike<number>, count: number, sum: number, good: ArrayLike<number>, nowMs: number): void {
    if (buckets.length !== this.counts.length) {
      throw new RangeError(`${buckets.length} bucket counts for a histogram of ${this.counts.length}`);
    }
    for (let i = 0; i < buckets.length; i++) this.counts[i]! += buckets[i]!;
    this.sum += sum;
    this.count += count;
    this.lastMs = nowMs;
    const active = this.thresholds.active;
    for (let k = 0; k < active.length; k++) {
      const slot = active[k]!;
      if (slot < good.length) this.good[slot]! += good[slot]!;
    }
  }
}

/**
 * Bytes of a text exposition, written in place: the fixed parts of a line are copied from Buffers made once (the
 * `le` prefixes, each series' labels), counts are written digit by digit; no string per line, no join.
 */
export class TextWriter {
  private buf: Buffer;
  pos = 0;

  constructor(sizeHint = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(4096, sizeHint));
  }

  /**
   * Starts again at the beginning of the same memory: a scrape's worth of fresh pages costs about as much as
   * writing it. What done() returned before must no longer be in use.
   */
  reset(): void {
    this.pos = 0;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    this.buf.set(b, this.pos); // TypedArray#set: a memcpy without the call into C++ that Buffer#copy makes
    this.pos += b.length;
  }

  text(text: string): void {
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** A count (a whole number below 2^53) then a newline; anything else as JavaScript prints it. */
  countLine(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      this.text(`${numberText(n)}\n`);
      return;
    }
    this.room(18);
    const buf = this.buf;
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    let at = this.pos + digits;
    buf[at] = 0x0a;
    for (let v = n; at > this.pos; v = Math.floor(v / 10)) buf[--at] = 0x30 + (v % 10);
    this.pos += digits + 1;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** The registered thresholds, in fixed slots so series can keep plain arrays. */
class ThresholdSlots {
  readonly seconds = new Float64Array(MAX_EXACT_THRESHOLDS);
  readonly slots: ({ ms: number; sinceMs: number; askedMs: number } | null)[] = new Array<null>(
    MAX_EXACT_THRESHOLDS,
  ).fill(null);
  /** Occupied slots in registration order. */
  active: number[] = [];

  find(ms: number): number {
    return this.active.find((slot) => this.slots[slot]!.ms === ms) ?? -1;
  }
}

/** The Prometheus text format's label-value escaping: backslash, double quote, newline. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    : value;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The compact form read by Burnwatch's scraper (docs/metrics.md, "Burnwatch's scrape"). */
export const COMPACT_FORMAT = 'burnwatch-histograms/1';

export class LabelledHistogram {
  private readonly series = new Map<string, Series>();
  private readonly thresholds = new ThresholdSlots();
  private readonly lePrefixes: Buffer[];
  private readonly sumPrefix: Buffer;
  private readonly countPrefix: Buffer;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    this.lePrefixes = [...bounds.map((b) => numberText(b)), '+Inf'].map((le) =>
      Buffer.from(`${name}_bucket{le="${le}",`),
    );
    this.sumPrefix = Buffer.from(`${name}_sum{`);
    this.countPrefix = Buffer.from(`${name}_count{`);
  }

  /** The series for these labels (created empty if new). Every label name must be given. */
  seriesFor(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = labels[n] ?? '';
      s = new Series(own, this.bounds, this.thresholds);
      this.series.set(key, s);
    }
    return s;
  }

  /** Removes the series last observed before `beforeMs`; returns how many. */
  removeObservedBefore(beforeMs: number): number {
    let removed = 0;
    for (const [key, s] of this.series) {
      if (s.lastMs >= beforeMs) continue;
      this.series.delete(key);
      removed++;
    }
    return removed;
  }

  get size(): number {
    return this.series.size;
  }

  /**
   * Counts requests within each of `ms` exactly from now on (those already registered keep counting).
   * Returns the thresholds refused because MAX_EXACT_THRESHOLDS are registered.
   */
  registerThresholds(ms: readonly number[], nowMs: number): number[] {
    const refused: number[] = [];
    for (const t of ms) {
      if (!Number.isInteger(t) || t < MIN_THRESHOLD_MS || t > MAX_THRESHOLD_MS) {
        throw new RangeError(`a threshold is a whole number of ms from 1 to 10000, got ${t}`);
      }
      const known = this.thresholds.find(t);
      if (known !== -1) {
        this.thresholds.slots[known]!.askedMs = nowMs;
        continue;
      }
      const free = this.thresholds.slots.indexOf(null);
      if (free === -1) {
        refused.push(t);
        continue;
      }
      this.thresholds.slots[free] = { ms: t, sinceMs: nowMs, askedMs: nowMs };
      this.thresholds.seconds[free] = t / 1000;
      for (const s of this.series.values()) s.good[free] = 0;
      this.thresholds.active = [...this.thresholds.active, free];
    }
    return refused;
  }

  /** Forgets thresholds nobody asked for since `beforeMs` (an SLO deleted, or its threshold changed). */
  expireThresholds(beforeMs: number): number {
    const keep = this.thresholds.active.filter((slot) => this.thresholds.slots[slot]!.askedMs >= beforeMs);
    const expired = this.thresholds.active.length - keep.length;
    for (const slot of this.thresholds.active) if (!keep.includes(slot)) this.thresholds.slots[slot] = null;
    this.thresholds.active = keep;
    return expired;
  }

  /** Every slot's threshold in ms, 0 for an empty slot, up to the last used one (the loader's `T` command). */
  thresholdSlots(): number[] {
    const out = this.thresholds.slots.map((s) => s?.ms ?? 0);
    while (out.length && out[out.length - 1] === 0) out.pop();
    return out;
  }

  /** The registered thresholds, in the order of each series' `good` array in the compact form. */
  exactThresholds(): ExactThreshold[] {
    return this.thresholds.active.map((slot) => {
      const { ms, sinceMs } = this.thresholds.slots[slot]!;
      return { ms, sinceMs };
    });
  }

  /**
   * The Prometheus text exposition (0.0.4) of the histogram: `# HELP`, `# TYPE`, then 3 + buckets lines per
   * series, written as bytes (TextWriter). Each series' escaped labels are made once, when first rendered.
   */
  renderText(w = new TextWriter()): Buffer {
    w.text(`# HELP ${this.name} `);
    w.bytes(Buffer.from(this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')));
    w.text(`\n# TYPE ${this.name} histogram\n`);
    const prefixes = this.lePrefixes;
    const last = prefixes.length - 1;
    for (const s of this.series.values()) {
      const labels = (s.textLabelBytes ??= Buffer.from(`${(s.textLabels ??= this.textLabelsOf(s.labels))} `));
      let acc = 0;
      for (let i = 0; i < last; i++) {
        acc += s.counts[i]!;
        w.bytes(prefixes[i]!);
        w.bytes(labels);
        w.countLine(acc);
      }
      w.bytes(prefixes[last]!);
      w.bytes(labels);
      w.countLine(s.count);
      w.bytes(this.sumPrefix);
      w.bytes(labels);
      w.text(`${numberText(s.sum)}\n`);
      w.bytes(this.countPrefix);
      w.bytes(labels);
      w.countLine(s.count);
    }
    return w.done();
  }

  /**
   * The compact form for Burnwatch: every series once, its label values in `labelNames` order, cumulative bucket
   * counts (+Inf last), sum, and its exact counts within each threshold of `thresholds`.
   */
  renderCompact(extra: { startTimeSeconds: number; refusedThresholdsMs: readonly number[] }): string {
    const thresholds = this.exactThresholds();
    const active = this.thresholds.active;
    const head = JSON.stringify({
      format: COMPACT_FORMAT,
      name: this.name,
      startTimeSeconds: extra.startTimeSeconds,
      labelNames: this.labelNames,
      bounds: this.bounds,
      thresholds: thresholds.map((t) => ({ ms: t.ms, sinceSeconds: t.sinceMs / 1000 })),
      refusedThresholdsMs: extra.refusedThresholdsMs,
    });
    const parts: string[] = [];
    for (const s of this.series.values()) {
      const labels = (s.jsonLabels ??= JSON.stringify(this.labelNames.map((n) => s.labels[n] ?? '')));
      let acc = 0;
      let cumulative = '';
      for (let i = 0; i < s.counts.length - 1; i++) {
        acc += s.counts[i]!;
        cumulative += `${acc},`;
      }
      cumulative += `${s.count}`;
      let good = '';
      for (let k = 0; k < active.length; k++)
        good += k === 0 ? `${s.good[active[k]!]}` : `,${s.good[active[k]!]}`;
      const sum = Number.isFinite(s.sum) ? String(s.sum) : '0';
      parts.push(`{"labels":${labels},"cumulative":[${cumulative}],"sum":${sum},"good":[${good}]}`);
    }
    return `${head.slice(0, -1)},"series":[${parts.join(',')}]}`;
  }

  private textLabelsOf(labels: Readonly<Record<string, string>>): string {
    return this.labelNames.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',') + '}';
  }

  reset(): void {
    this.series.clear();
  }
}
