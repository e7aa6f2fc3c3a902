import type { Alert, Change } from '../api/types.js';
import { formatDuration, shortDigest, shortImage } from './format.js';

/** A mark on the charts' time axis: a deploy, a rollout, a scale, or Kubernetes warnings folded together. */
export interface Marker {
  id: string;
  kind: Change['kind'];
  /** epoch seconds */
  at: number;
  /** A few characters drawn on the chart: the short digest of a deploy, the reason and count of warnings. */
  label: string;
  /** What a click or hover shows. */
  details: string[];
}

const toSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/**
 * Changes → markers inside [from, to]. Warnings with the same reason on the same workload that fall within
 * `foldSeconds` of the first one of their group are folded into one marker with the summed count, so that a
 * crash loop is one mark and not fifty.
 */
export function markersFromChanges(
  changes: Change[],
  from: number,
  to: number,
  foldSeconds: number,
): Marker[] {
  const inRange = changes
    .map((change) => ({ change, at: toSeconds(change.at) }))
    .filter(({ at }) => Number.isFinite(at) && at >= from && at <= to)
    .sort((a, b) => a.at - b.at);
  const markers: Marker[] = [];
  const openWarnings = new Map<
    string,
    { marker: Marker; first: number; count: number; messages: Set<string> }
  >();
  for (const { change, at } of inRange) {
    if (change.kind !== 'warning') {
      markers.push(changeMarker(change, at));
      continue;
    }
    const key = `${change.namespace}/${change.workload}/${change.reason ?? ''}`;
    const open = openWarnings.get(key);
    const count = change.count ?? 1;
    if (open && at - open.first <= foldSeconds) {
      open.count += count;
      if (change.message) open.messages.add(change.message);
      describeWarnings(open.marker, change, open.count, open.messages, at - open.first);
      continue;
    }
    const marker: Marker = { id: `warning-${key}-${at}`, kind: 'warning', at, label: '', details: [] };
    const messages = new Set(change.message ? [change.message] : []);
    describeWarnings(marker, change, count, messages, 0);
    openWarnings.set(key, { marker, first: at, count, messages });
    markers.push(marker);
  }
  return markers;
}

function changeMarker(change: Change, at: number): Marker {
  const where = `${change.namespace}/${change.workload}`;
  switch (change.kind) {
    case 'deploy':
      return {
        id: `deploy-${where}-${at}`,
        kind: 'deploy',
        at,
        label: change.digest ? shortDigest(change.digest) : shortImage(change.image),
        details: [
          `Deploy of ${where}`,
          `Image ${change.image ?? 'unknown'}`,
          `Digest ${shortDigest(change.digest)}${change.previousDigest ? ` (was ${shortDigest(change.previousDigest)})` : ''}`,
        ],
      };
    case 'configRollout':
      return {
        id: `config-${where}-${at}`,
        kind: 'configRollout',
        at,
        label: 'config',
        details: [`Configuration rollout of ${where}`, ...(change.message ? [change.message] : [])],
      };
    case 'scale':
      return {
        id: `scale-${where}-${at}`,
        kind: 'scale',
        at,
        label: 'scale',
        details: [`Scaled ${where}`, ...(change.message ? [change.message] : [])],
      };
    default:
      return {
        id: `${change.kind}-${where}-${at}`,
        kind: change.kind,
        at,
        label: change.kind,
        details: [where],
      };
  }
}

function describeWarnings(
  marker: Marker,
  change: Change,
  count: number,
  messages: Set<string>,
  spanSeconds: number,
) {
  const reason = change.reason ?? 'Warning';
  marker.label = count > 1 ? `${reason} ×${count}` : reason;
  marker.details = [
    `${count} Kubernetes warning${count === 1 ? '' : 's'} "${reason}" on ${change.namespace}/${change.workload}` +
      (spanSeconds > 0 ? ` over ${formatDuration(spanSeconds)}` : ''),
    ...[...messages].slice(0, 3),
  ];
}

/** Horizontal position of a time in [from, to] as a percentage of the plot width, clamped to the plot. */
export function positionPercent(at: number, from: number, to: number): number {
  if (to <= from) return 0;
  return Math.min(100, Math.max(0, ((at - from) / (to - from)) * 100));
}

/** A bar on the alert timeline. */
export interface AlertSegment {
  id: string;
  severity: Alert['severity'];
  state: Alert['state'];
  leftPercent: number;
  widthPercent: number;
  startedAt: string;
  resolvedAt: string | null;
}

/** Alerts that overlap [from, to] as bars; a firing alert reaches "now"; every bar is at least a sliver wide. */
export function alertSegments(alerts: Alert[], from: number, to: number, now: number): AlertSegment[] {
  return alerts
    .map((alert) => ({
      alert,
      start: toSeconds(alert.startedAt),
      end: alert.resolvedAt ? toSeconds(alert.resolvedAt) : now,
    }))
    .filter(({ start, end }) => end >= from && start <= to)
    .sort((a, b) => a.start - b.start)
    .map(({ alert, start, end }) => {
      const left = positionPercent(start, from, to);
      const right = positionPercent(end, from, to);
      return {
        id: alert.id,
        severity: alert.severity,
        state: alert.state,
        leftPercent: left,
        widthPercent: Math.max(right - left, 0.5),
        startedAt: alert.startedAt,
        resolvedAt: alert.resolvedAt,
      };
    });
}

/**
 * Stacks markers whose buttons would overlap into lanes (rows), greedily from the left: a button centred on
 * `center` takes `width` pixels. Returns each marker's lane, in the input's order, and how many lanes there are.
 */
export function assignLanes(
  items: { center: number; width: number }[],
  gap = 4,
): { lanes: number[]; count: number } {
  const order = items.map((item, index) => ({ ...item, index })).sort((a, b) => a.center - b.center);
  const laneEnds: number[] = [];
  const lanes: number[] = new Array(items.length).fill(0);
  for (const item of order) {
    const start = item.center - item.width / 2;
    let lane = laneEnds.findIndex((end) => end + gap <= start);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(0);
    }
    laneEnds[lane] = item.center + item.width / 2;
    lanes[item.index] = lane;
  }
  return { lanes, count: Math.max(1, laneEnds.length) };
}

/** About how wide a marker's button is drawn, in pixels (icon, padding, monospace label, capped). */
export function markerWidth(label: string): number {
  return Math.min(144, 24 + label.length * 7);
}
