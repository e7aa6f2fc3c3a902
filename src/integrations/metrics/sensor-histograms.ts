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
}

export interface HistogramSnapshot {
  key: string;
  labels: SeriesLabels;
  /** Upper bounds in seconds, ascending, without +Inf. */
  bounds: number[];
  /** Cumulative counts per bound, then the +Inf bucket (= the request count). */
  cumulative: number[];
}

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
  };
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
  ]);
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
  return result;
}

export interface TargetCounters {
  /** process_start_time_seconds of the sensor: when it changes, every counter restarted. */
  startTime: number | undefined;
  cumulative: Map<string, number[]>;
}

/**
 * Turns cumulative counters into the requests since the previous scrape of the same target.
 * - first scrape of a target: a baseline, no delta (those requests happened at unknown times);
 * - a series new on a known target: all of its count is new;
 * - a series missing from this scrape (a sensor that skipped it, a truncated answer) keeps its last counts, so
 *   that when it is back it continues from them instead of counting again in full;
 * - a counter that went down, or a sensor whose start time changed: a reset, the whole current count is new
 *   (and the counts of series missing since are forgotten).
 */
export function countDeltas(
  previous: TargetCounters | undefined,
  current: HistogramSnapshot[],
  startTime: number | undefined,
): { deltas: HistogramDelta[]; next: TargetCounters } {
  const next: TargetCounters = { startTime, cumulative: new Map() };
  const deltas: HistogramDelta[] = [];
  const restarted =
    previous !== undefined &&
    startTime !== undefined &&
    previous.startTime !== undefined &&
    startTime !== previous.startTime;
  if (previous !== undefined && !restarted)
    for (const [key, counts] of previous.cumulative) next.cumulative.set(key, counts);
  for (const snapshot of current) {
    next.cumulative.set(snapshot.key, snapshot.cumulative);
    if (previous === undefined) continue;
    const before = restarted ? undefined : previous.cumulative.get(snapshot.key);
    const reset = before !== undefined && snapshot.cumulative.some((count, i) => count < (before[i] ?? 0));
    const base = before === undefined || reset ? undefined : before;
    const buckets = toBuckets(snapshot.cumulative, base);
    const requests = buckets.reduce((sum, n) => sum + n, 0);
    if (requests > 0)
      deltas.push({ key: snapshot.key, labels: snapshot.labels, bounds: snapshot.bounds, buckets, requests });
  }
  return { deltas, next };
}

function toBuckets(cumulative: number[], base: number[] | undefined): number[] {
  const increase = cumulative.map((count, i) => count - (base?.[i] ?? 0));
  // Cumulative → per bucket; clamp tiny negatives from a histogram scraped mid-update.
  return increase.map((count, i) => Math.max(0, Math.round(count - (i === 0 ? 0 : increase[i - 1]!))));
}
