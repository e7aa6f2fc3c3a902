import {
  HistogramBucket,
  fromBucketCounts,
  histogramQuantileSeconds,
  sumHistograms,
} from '../../slo/domain/latency.js';
import { isErrorStatus, seriesMatches } from '../../slo/domain/series-match.js';
import type { Indicator, SloService, SloSpec } from '../../slo/domain/slo.js';

/**
 * What the sensor reports, per workload: the pure aggregation behind GET /api/v1/workloads. Input is the stored
 * series (their labels) and their per-minute rows; the clock is passed in.
 */

/** A stored sensor series: the labels of the metric contract and its bucket bounds (seconds, without +Inf). */
export interface ObservedSeries {
  id: number;
  namespace: string;
  workload: string;
  workloadKind: string;
  serviceName: string;
  imageName: string;
  imageId: string;
  method: string;
  route: string;
  statusCode: number;
  bounds: readonly number[];
}

/** One series' requests in one minute (epoch minutes); per-bucket counts, +Inf last. */
export interface ObservedMinute {
  seriesId: number;
  minute: number;
  requests: number;
  buckets: readonly number[];
}

export type CoveringSloSpec = Pick<SloSpec, 'name' | 'service' | 'indicator'>;

/** A workload "currently reported" had a request in this many minutes up to now (the sensor drops idle series after an hour too). */
export const LOOKBACK_MINUTES = 60;
/** Rates, error share and latency are over the last five minutes. */
export const RECENT_MINUTES = 5;
/** The error share counts 5xx answers, as the default error-rate SLO does. */
const ERROR_STATUS = '5xx';

export interface TrafficStats {
  requestsPerMinute: number;
  /** 5xx answers, percent of requests; null without requests. */
  errorPercent: number | null;
  latency: {
    p95Ms: number | null;
    p99Ms: number | null;
    /** Always true: quantiles are interpolated between bucket bounds, as PromQL's histogram_quantile does. */
    approximate: true;
  };
}

export interface RouteSummary extends TrafficStats {
  method: string;
  route: string;
  lastSeenAt: string;
}

export interface ImageSummary {
  /** The image without tag or digest; '' when the sensor does not know it. */
  name: string;
  /** `sha256:…` from the pod status. */
  digest: string;
  lastSeenAt: string;
}

export interface CoveringSlo {
  name: string;
  indicator: Indicator['type'];
  route?: string;
  method?: string;
}

/** An SLO as POST /api/v1/slos takes it. */
export interface SuggestedSlo {
  name: string;
  description: string;
  service: SloService;
  indicator: { type: 'errorRate'; errorStatus: string } | { type: 'latency'; thresholdMs: number };
  objective: number;
  window: string;
}

export interface WorkloadSummary extends TrafficStats {
  /** null outside Kubernetes: the workload is then the process's service name. */
  namespace: string | null;
  workload: string;
  kind: string | null;
  lastSeenAt: string;
  routes: RouteSummary[];
  images: ImageSummary[];
  slos: CoveringSlo[];
  /** Prefills for "Create SLO": errors at 99.9 % over 30 d, and latency at 99 % within the bucket bound at or above the last hour's P99. */
  suggestedSlos: SuggestedSlo[];
}

export interface WorkloadsView {
  items: WorkloadSummary[];
  /** The span rates, error share and latency are computed over. */
  recent: { from: string; to: string };
  /** A workload is listed when it had a request since this instant. */
  seenSince: string;
}

const MINUTE_MS = 60_000;

/** The minutes whose rows `summarizeWorkloads` reads: [fromMinute, toMinute). */
export function lookbackMinutes(now: Date): { fromMinute: number; toMinute: number } {
  const nowMinute = Math.floor(now.getTime() / MINUTE_MS);
  return { fromMinute: nowMinute - LOOKBACK_MINUTES + 1, toMinute: nowMinute + 1 };
}

/**
 * Every workload with a request in the lookback, busiest first. The recent span is the rows of the current minute
 * and the four before it, divided by the time those requests happened in, so that fresh requests count at once and
 * the current, partial minute does not pull the rate down. A row holds the requests scraped in its minute, which
 * happened up to one scrape interval earlier: the span starts that much before its first minute.
 */
export function summarizeWorkloads(input: {
  series: readonly ObservedSeries[];
  minutes: readonly ObservedMinute[];
  slos: readonly CoveringSloSpec[];
  now: Date;
  scrapeIntervalSeconds?: number;
}): WorkloadsView {
  const { fromMinute, toMinute } = lookbackMinutes(input.now);
  const recentFromMinute = toMinute - RECENT_MINUTES;
  const recentFromMs = recentFromMinute * MINUTE_MS - (input.scrapeIntervalSeconds ?? 0) * 1000;
  const recentMinutes = Math.max(1, (input.now.getTime() - recentFromMs) / MINUTE_MS);
  const byId = new Map(input.series.map((s) => [s.id, s]));

  type Group = { identity: Identity; series: Map<number, ObservedSeries>; rows: Row[] };
  const groups = new Map<string, Group>();
  for (const row of input.minutes) {
    if (row.minute < fromMinute || row.minute >= toMinute || row.requests <= 0) continue;
    const series = byId.get(row.seriesId);
    if (!series) continue;
    const identity = identityOf(series);
    if (identity === null) continue;
    const key = JSON.stringify([identity.namespace, identity.workload]);
    const group: Group = groups.get(key) ?? { identity, series: new Map(), rows: [] };
    group.series.set(series.id, series);
    group.rows.push({ series, minute: row.minute, requests: row.requests, buckets: row.buckets });
    groups.set(key, group);
  }

  const items = [...groups.values()].map(({ identity, series, rows }): WorkloadSummary => {
    const recent = rows.filter((r) => r.minute >= recentFromMinute);
    const routes = new Map<string, Row[]>();
    for (const row of rows) {
      const key = JSON.stringify([row.series.method, row.series.route]);
      routes.set(key, [...(routes.get(key) ?? []), row]);
    }
    const images = new Map<string, ImageSummary>();
    for (const row of rows) {
      if (row.series.imageId === '') continue;
      const seen = minuteIso(row.minute);
      const known = images.get(row.series.imageId);
      if (!known || known.lastSeenAt < seen)
        images.set(row.series.imageId, {
          name: row.series.imageName,
          digest: row.series.imageId,
          lastSeenAt: seen,
        });
    }
    const summary: Omit<WorkloadSummary, 'suggestedSlos'> = {
      namespace: identity.namespace,
      workload: identity.workload,
      kind: identity.kind,
      lastSeenAt: lastSeen(rows),
      ...statsOf(recent, recentMinutes),
      routes: [...routes.values()]
        .map((routeRows) => ({
          method: routeRows[0]!.series.method,
          route: routeRows[0]!.series.route,
          lastSeenAt: lastSeen(routeRows),
          ...statsOf(
            routeRows.filter((r) => r.minute >= recentFromMinute),
            recentMinutes,
          ),
        }))
        .sort((a, b) => compare(a.route, b.route) || compare(a.method, b.method)),
      images: [...images.values()].sort((a, b) => compare(b.lastSeenAt, a.lastSeenAt)),
      slos: input.slos
        .filter((slo) => [...series.values()].some((s) => seriesMatches(slo.service, s)))
        .map((slo) => ({
          name: slo.name,
          indicator: slo.indicator.type,
          ...(slo.service.route !== undefined && { route: slo.service.route }),
          ...(slo.service.method !== undefined && { method: slo.service.method }),
        }))
        .sort((a, b) => compare(a.name, b.name)),
    };
    return { ...summary, suggestedSlos: suggestSlos(summary, histogramOf(rows)) };
  });
  items.sort(
    (a, b) =>
      b.requestsPerMinute - a.requestsPerMinute ||
      compare(a.namespace ?? '', b.namespace ?? '') ||
      compare(a.workload, b.workload),
  );
  return {
    items,
    recent: { from: new Date(recentFromMs).toISOString(), to: input.now.toISOString() },
    seenSince: minuteIso(fromMinute),
  };
}

/**
 * The SLOs a "Create SLO" form starts from: errors (5xx) at 99.9 % over 30 d, and latency at 99 % within the
 * smallest bucket bound at or above the observed P99 (a bound, so that the SLI is counted exactly, not
 * interpolated). `histogram` is the workload's requests over the lookback.
 */
export function suggestSlos(
  workload: Pick<WorkloadSummary, 'namespace' | 'workload'>,
  histogram: HistogramBucket[] | null,
): SuggestedSlo[] {
  const service: SloService = {
    ...(workload.namespace !== null && { namespace: workload.namespace }),
    workload: workload.workload,
  };
  const where =
    workload.namespace === null ? workload.workload : `${workload.namespace}/${workload.workload}`;
  const suggestions: SuggestedSlo[] = [
    {
      name: sloName(workload.workload, 'errors'),
      description: `${where} answers without server errors`,
      service,
      indicator: { type: 'errorRate', errorStatus: ERROR_STATUS },
      objective: 99.9,
      window: '30d',
    },
  ];
  const thresholdMs = histogram && latencyThresholdMs(histogram);
  if (thresholdMs) {
    suggestions.push({
      name: sloName(workload.workload, 'latency'),
      description: `${where} answers within ${thresholdMs} ms`,
      service,
      indicator: { type: 'latency', thresholdMs },
      objective: 99,
      window: '30d',
    });
  }
  return suggestions;
}

/** The bucket bound at or above the P99, in ms; the highest finite bound when the P99 is beyond it. */
export function latencyThresholdMs(histogram: readonly HistogramBucket[]): number | null {
  const p99 = histogramQuantileSeconds(0.99, histogram);
  if (p99 === null) return null;
  const bound = histogram.find((b) => b.le !== Infinity && b.le >= p99 - 1e-12);
  const seconds = bound?.le ?? histogram[histogram.length - 2]?.le;
  return seconds === undefined || seconds <= 0 ? null : roundMs(seconds * 1000);
}

interface Identity {
  namespace: string | null;
  workload: string;
  kind: string | null;
}

interface Row {
  series: ObservedSeries;
  minute: number;
  requests: number;
  buckets: readonly number[];
}

/** As an SLO selects it: namespace and workload in Kubernetes, the process's service name outside it. */
function identityOf(series: ObservedSeries): Identity | null {
  if (series.namespace !== '') {
    return series.workload === ''
      ? null
      : { namespace: series.namespace, workload: series.workload, kind: series.workloadKind || null };
  }
  return series.serviceName === '' ? null : { namespace: null, workload: series.serviceName, kind: null };
}

function statsOf(rows: readonly Row[], minutes: number): TrafficStats {
  const requests = rows.reduce((sum, r) => sum + r.requests, 0);
  const errors = rows.reduce(
    (sum, r) => sum + (isErrorStatus(r.series.statusCode, ERROR_STATUS) ? r.requests : 0),
    0,
  );
  const histogram = histogramOf(rows);
  const quantileMs = (q: number) => {
    const seconds = histogram && histogramQuantileSeconds(q, histogram);
    return seconds === null || seconds === undefined ? null : roundMs(seconds * 1000);
  };
  return {
    requestsPerMinute: round(requests / minutes, 2),
    errorPercent: requests === 0 ? null : round((errors / requests) * 100, 4),
    latency: { p95Ms: quantileMs(0.95), p99Ms: quantileMs(0.99), approximate: true },
  };
}

/**
 * The rows' requests as one cumulative histogram. Series with other bucket bounds cannot be added; the bounds
 * holding most requests win (a sensor fleet normally shares one set).
 */
function histogramOf(rows: readonly Row[]): HistogramBucket[] | null {
  const byBounds = new Map<string, { requests: number; histograms: HistogramBucket[][] }>();
  for (const row of rows) {
    if (row.buckets.length !== row.series.bounds.length + 1) continue; // a row read without its buckets
    const key = JSON.stringify(row.series.bounds);
    const group = byBounds.get(key) ?? { requests: 0, histograms: [] };
    group.requests += row.requests;
    group.histograms.push(fromBucketCounts(row.series.bounds, row.buckets));
    byBounds.set(key, group);
  }
  const busiest = [...byBounds.values()].sort((a, b) => b.requests - a.requests)[0];
  return busiest ? sumHistograms(busiest.histograms) : null;
}

/** A DNS label: lower case, digits and '-', at most 63 characters with the suffix. */
function sloName(workload: string, suffix: string): string {
  const base = workload
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 62 - suffix.length)
    .replace(/-+$/, '');
  return base === '' ? suffix : `${base}-${suffix}`;
}

function lastSeen(rows: readonly Row[]): string {
  return minuteIso(Math.max(...rows.map((r) => r.minute)));
}

const minuteIso = (minute: number) => new Date(minute * MINUTE_MS).toISOString();
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const round = (value: number, digits: number) => Number(value.toFixed(digits));
const roundMs = (ms: number) => round(ms, 3);
