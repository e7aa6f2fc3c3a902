import { Sample } from './prometheus-text.js';

/** The metric the eBPF sensor exports (docs/metrics.md). */
export const SENSOR_HISTOGRAM = 'http_server_request_duration_seconds';
const BUCKET = `${SENSOR_HISTOGRAM}_bucket`;

/** The labels of the metric contract that identify a workload series (pods and nodes merged). */
export interface SeriesLabels {
  namespace: string;
  workload: string;
  workloadKind: string;
  serviceName: string;
  imageName: string;
  imageId: string;
  method: string;
  route: string;
  statusCode: number;
  /** A gRPC call's `grpc-status` (`rpc_grpc_status_code`, 0–16); null for anything that is not gRPC. */
  grpcStatusCode: number | null;
}

export interface HistogramSnapshot {
  key: string;
  labels: SeriesLabels;
  /** Upper bounds in seconds, ascending, without +Inf. */
  bounds: number[];
  /** Cumulative counts per bound, then the +Inf bucket (= the request count). */
  cumulative: number[];
  /**
   * Requests answered within each exact threshold (ms → count), counted by the sensor since the threshold's
   * `sinceSeconds` (compact form only, see ExactThresholds).
   */
  good?: Map<number, number>;
}

/** The thresholds a sensor counts exactly: ms → when it started counting them (the sensor's clock, seconds). */
export type ExactThresholds = Map<number, number>;

/** Per-bucket counts of requests since the previous scrape; `buckets[i]` counts (bounds[i-1], bounds[i]], the last one +Inf. */
export interface HistogramDelta {
  key: string;
  labels: SeriesLabels;
  bounds: number[];
  buckets: number[];
  requests: number;
}

export function labelsOf(sample: Record<string, string>): SeriesLabels {
  const status = Number(sample.http_response_status_code ?? '0');
  return {
    namespace: sample.k8s_namespace_name ?? '',
    workload: sample.k8s_workload_name ?? '',
    workloadKind: sample.k8s_workload_kind ?? '',
    serviceName: sample.service_name ?? '',
    imageName: sample.container_image_name ?? '',
    imageId: sample.container_image_id ?? '',
    method: sample.http_request_method ?? '',
    route: sample.http_route ?? '',
    statusCode: Number.isInteger(status) ? status : 0,
    grpcStatusCode: grpcStatusOf(sample.rpc_grpc_status_code),
  };
}

function grpcStatusOf(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const code = Number(value);
  // Not a number gRPC could send: kept apart as -1, which counts as UNKNOWN (an error by default).
  return Number.isInteger(code) && code >= 0 && code <= 255 ? code : -1;
}

export function seriesKey(labels: SeriesLabels, bounds: readonly number[]): string {
  return JSON.stringify([
    labels.namespace,
    labels.workload,
    labels.workloadKind,
    labels.serviceName,
    labels.imageName,
    labels.imageId,
    labels.method,
    labels.route,
    labels.statusCode,
    bounds,
    // Only gRPC series carry it, so every other series keeps the key it was stored under before gRPC existed.
    ...(labels.grpcStatusCode === null ? [] : [labels.grpcStatusCode]),
  ]);
}

/**
 * Sums snapshots whose contract labels are equal: labels the engine does not key on (`url_scheme`: the same
 * route served over HTTP and HTTPS) must add up, not overwrite each other. Cumulative counters summed stay
 * cumulative; exact counts are summed per threshold both series have.
 */
export function mergeSameSeries(snapshots: HistogramSnapshot[]): HistogramSnapshot[] {
  const byKey = new Map<string, HistogramSnapshot>();
  for (const s of snapshots) {
    const seen = byKey.get(s.key);
    if (!seen) {
      byKey.set(s.key, s);
      continue;
    }
    const good = seen.good && s.good ? new Map<number, number>() : undefined;
    for (const [ms, count] of seen.good ?? []) {
      const other = s.good?.get(ms);
      if (good && other !== undefined) good.set(ms, count + other);
    }
    byKey.set(s.key, {
      ...seen,
      cumulative: seen.cumulative.map((c, i) => c + (s.cumulative[i] ?? 0)),
      ...(good ? { good } : {}),
    });
  }
  return [...byKey.values()];
}

/** Groups `_bucket` samples into one cumulative histogram per label set. */
export function histogramsFrom(samples: readonly Sample[]): HistogramSnapshot[] {
  const groups = new Map<
    string,
    { labels: Record<string, string>; buckets: { le: number; count: number }[] }
  >();
  for (const sample of samples) {
    if (sample.name !== BUCKET || sample.labels.le === undefined) continue;
    const { le, ...rest } = sample.labels;
    const bound = le === '+Inf' ? Infinity : Number(le);
    if (Number.isNaN(bound) || !Number.isFinite(sample.value) || sample.value < 0) continue;
    const groupKey = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(groupKey) ?? { labels: rest, buckets: [] };
    group.buckets.push({ le: bound, count: sample.value });
    groups.set(groupKey, group);
  }
  const result: HistogramSnapshot[] = [];
  for (const group of groups.values()) {
    const buckets = group.buckets.sort((a, b) => a.le - b.le);
    if (buckets[buckets.length - 1]?.le !== Infinity) continue; // a histogram without +Inf is incomplete
    const labels = labelsOf(group.labels);
    const bounds = buckets.slice(0, -1).map((b) => b.le);
    result.push({ key: seriesKey(labels, bounds), labels, bounds, cumulative: buckets.map((b) => b.count) });
  }
  return mergeSameSeries(result);
}

export interface TargetCounters {
  /** process_start_time_seconds of the sensor: when it changes, every counter restarted. */
  startTime: number | undefined;
  cumulative: Map<string, number[]>;
  /** The exact thresholds of the reading these counters come from (none from a text scrape). */
  thresholds?: ExactThresholds;
  /** Per series key, its exact counts at that reading (ms → requests within). */
  good?: Map<string, Map<number, number>>;
  /** When the reading these counters come from was stored (absent for a reading not yet stored). */
  storedAt?: Date;
}

/**
 * Turns cumulative counters into the requests since the previous scrape of the same target.
 * - first scrape of a target: a baseline, no delta (those requests happened at unknown times);
 * - a series new on a known target: all of its count is new;
 * - a series missing from this scrape (a sensor that skipped it, a truncated answer) keeps its last counts, so
 *   that when it is back it continues from them instead of counting again in full;
 * - a counter that went down, or a sensor whose start time changed: a reset, the whole current count is new
 *   (and the counts of series missing since are forgotten).
 *
 * Exact thresholds: a threshold the previous reading also had, counted since the same moment, splits its bucket
 * in the delta (one more bound, `ms / 1000` seconds), so that an SLO with that threshold counts it exactly. In
 * the interval where a threshold first appears (or restarted) its count is unknown and the delta keeps the
 * sensor's bounds only: those requests are interpolated, as before.
 */
export function countDeltas(
  previous: TargetCounters | undefined,
  current: HistogramSnapshot[],
  startTime: number | undefined,
  thresholds: ExactThresholds = new Map(),
): { deltas: HistogramDelta[]; next: TargetCounters } {
  const next: TargetCounters = { startTime, cumulative: new Map(), thresholds, good: new Map() };
  const deltas: HistogramDelta[] = [];
  const restarted =
    previous !== undefined &&
    startTime !== undefined &&
    previous.startTime !== undefined &&
    startTime !== previous.startTime;
  // Thresholds counted over the whole interval: known to the previous reading with the same start.
  const steady = restarted
    ? []
    : [...thresholds].filter(([ms, since]) => previous?.thresholds?.get(ms) === since).map(([ms]) => ms);
  if (previous !== undefined && !restarted) {
    for (const [key, counts] of previous.cumulative) next.cumulative.set(key, counts);
    // A series missing from this reading keeps the exact counts of thresholds still counted from the same start.
    for (const [key, good] of previous.good ?? []) {
      const kept = new Map([...good].filter(([ms]) => steady.includes(ms)));
      if (kept.size) next.good!.set(key, kept);
    }
  }
  for (const snapshot of current) {
    next.cumulative.set(snapshot.key, snapshot.cumulative);
    if (snapshot.good?.size) next.good!.set(snapshot.key, snapshot.good);
    else next.good!.delete(snapshot.key);
    if (previous === undefined) continue;
    const before = restarted ? undefined : previous.cumulative.get(snapshot.key);
    const reset = before !== undefined && snapshot.cumulative.some((count, i) => count < (before[i] ?? 0));
    const base = before === undefined || reset ? undefined : before;
    const beforeGood = base ? previous.good?.get(snapshot.key) : undefined;
    // A series new since the previous reading (or reset since) was created after every steady threshold's start,
    // so its exact counts cover all of its requests.
    const exact = new Map<number, number>();
    for (const ms of steady) {
      const now = snapshot.good?.get(ms);
      const was = base ? beforeGood?.get(ms) : 0;
      if (now !== undefined && was !== undefined && now >= was) exact.set(ms, now - was);
    }
    const delta = deltaOf(snapshot, base, exact);
    if (delta.requests > 0) deltas.push(delta);
  }
  return { deltas, next };
}

/** The per-bucket increase over `base`, with each exact threshold as one more bound. */
function deltaOf(
  snapshot: HistogramSnapshot,
  base: number[] | undefined,
  exact: Map<number, number>,
): HistogramDelta {
  const increase = snapshot.cumulative.map((count, i) => count - (base?.[i] ?? 0));
  const points = snapshot.bounds.map((bound, i) => ({ bound, increase: increase[i]! }));
  for (const [ms, within] of exact) {
    const bound = ms / 1000;
    if (points.some((p) => p.bound === bound)) continue;
    // Within the counts of the bounds around it, or not used (a series the previous reading lacked).
    const lower = points.filter((p) => p.bound < bound).reduce((max, p) => Math.max(max, p.increase), 0);
    const upper = points.find((p) => p.bound > bound)?.increase ?? increase[increase.length - 1]!;
    if (within >= lower && within <= upper) points.push({ bound, increase: within });
  }
  points.sort((a, b) => a.bound - b.bound);
  const bounds = points.map((p) => p.bound);
  const cumulative = [...points.map((p) => p.increase), increase[increase.length - 1]!];
  const buckets = toBuckets(cumulative);
  const requests = buckets.reduce((sum, n) => sum + n, 0);
  return { key: seriesKey(snapshot.labels, bounds), labels: snapshot.labels, bounds, buckets, requests };
}

function toBuckets(increase: number[]): number[] {
  // Cumulative → per bucket; clamp tiny negatives from a histogram scraped mid-update.
  return increase.map((count, i) => Math.max(0, Math.round(count - (i === 0 ? 0 : increase[i - 1]!))));
}

/** Burnwatch's compact form of the sensor histogram (docs/metrics.md, "Burnwatch's scrape"). */
export const COMPACT_MEDIA_TYPE = 'application/vnd.burnwatch.histograms.v1+json';
/** The header a scrape lists its exact thresholds in (whole ms). */
export const THRESHOLDS_HEADER = 'X-Burnwatch-Thresholds-Ms';
const COMPACT_FORMAT = 'burnwatch-histograms/1';

export interface CompactReading {
  startTime: number | undefined;
  thresholds: ExactThresholds;
  histograms: HistogramSnapshot[];
}

/**
 * Reads the compact form: one histogram per series with its exact counts. A series whose arrays do not fit the
 * bounds or thresholds is skipped (as a histogram without +Inf is in the text form); a document of another
 * format is an error.
 */
export function histogramsFromCompact(body: unknown): CompactReading {
  const doc = body as {
    format?: unknown;
    name?: unknown;
    startTimeSeconds?: unknown;
    labelNames?: unknown;
    bounds?: unknown;
    thresholds?: unknown;
    series?: unknown;
  };
  if (doc?.format !== COMPACT_FORMAT || doc.name !== SENSOR_HISTOGRAM)
    throw new Error(`not a ${COMPACT_FORMAT} document of ${SENSOR_HISTOGRAM}`);
  const numbers = (v: unknown): v is number[] =>
    Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0);
  const labelNames = Array.isArray(doc.labelNames) ? (doc.labelNames as unknown[]).map(String) : [];
  const bounds = numbers(doc.bounds) ? doc.bounds : [];
  const thresholdList = Array.isArray(doc.thresholds)
    ? (doc.thresholds as { ms?: unknown; sinceSeconds?: unknown }[])
    : [];
  const thresholds: ExactThresholds = new Map();
  for (const t of thresholdList) {
    if (typeof t?.ms === 'number' && Number.isInteger(t.ms) && typeof t.sinceSeconds === 'number')
      thresholds.set(t.ms, t.sinceSeconds);
  }
  // A malformed threshold entry shifts the `good` arrays: use none then.
  const thresholdMs = thresholds.size === thresholdList.length ? [...thresholds.keys()] : [];
  if (thresholdMs.length === 0) thresholds.clear();
  const histograms: HistogramSnapshot[] = [];
  for (const series of Array.isArray(doc.series) ? (doc.series as Record<string, unknown>[]) : []) {
    const values = series?.labels;
    const cumulative = series?.cumulative;
    if (!Array.isArray(values) || values.length !== labelNames.length) continue;
    if (!numbers(cumulative) || cumulative.length !== bounds.length + 1) continue;
    const labels = labelsOf(Object.fromEntries(labelNames.map((name, i) => [name, String(values[i])])));
    const good = numbers(series.good) && series.good.length === thresholdMs.length ? series.good : [];
    histograms.push({
      key: seriesKey(labels, bounds),
      labels,
      bounds: [...bounds],
      cumulative,
      good: new Map(good.map((count, i) => [thresholdMs[i]!, count])),
    });
  }
  const startTime = typeof doc.startTimeSeconds === 'number' ? doc.startTimeSeconds : undefined;
  return { startTime, thresholds, histograms: mergeSameSeries(histograms) };
}
