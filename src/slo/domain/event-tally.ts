import { badEventsOf } from './series-match.js';
import type { Indicator } from './slo.js';
import { SliceData, addToSlice } from './timeslice.js';

/** One stored row of a series: its requests and per-bucket counts in one minute. */
export interface EventRow {
  seriesId: number;
  minute: number;
  requests: number;
  buckets: readonly number[];
}

/** What a series needs for its bad events to be counted. */
export interface EventSeries {
  statusCode: number;
  /** A gRPC call's grpc-status, which judges it instead of the HTTP status; null (or absent) for other traffic. */
  grpcStatusCode?: number | null;
  bounds: readonly number[];
}

/** Events added up under one key: totals (and a merged histogram when kept), the minutes they came from. */
export interface EventTally extends SliceData {
  firstMinute: number;
  lastMinute: number;
  /** The latest minute whose bad events were estimated (a latency threshold between bucket bounds). */
  lastApproximateMinute: number | undefined;
}

/**
 * The one place where an SLO's bad events are counted from stored series rows: each row's events (good, bad by
 * the indicator, estimated or not) added to the tally of the key `keyOf` gives it (undefined leaves the row out).
 * Rows of series not in `seriesById` are left out. `keepHistogram` merges the bucket counts (timeslices judge a
 * slice on its histogram); `into` continues earlier tallies (a long read done in chunks).
 */
export function tallyEvents<K, S extends EventSeries>(
  indicator: Indicator,
  seriesById: ReadonlyMap<number, S>,
  rows: Iterable<EventRow>,
  keyOf: (row: EventRow, series: S) => K | undefined,
  options: { keepHistogram?: boolean; into?: Map<K, EventTally> } = {},
): Map<K, EventTally> {
  const tallies = options.into ?? new Map<K, EventTally>();
  for (const row of rows) {
    const series = seriesById.get(row.seriesId);
    if (!series) continue;
    const key = keyOf(row, series);
    if (key === undefined) continue;
    const { bad, approximate } = badEventsOf(indicator, series, row.requests, row.buckets);
    let tally = tallies.get(key);
    if (!tally) {
      tally = {
        total: 0,
        bad: 0,
        firstMinute: row.minute,
        lastMinute: row.minute,
        lastApproximateMinute: undefined,
      };
      tallies.set(key, tally);
    }
    addToSlice(tally, row.requests, bad, series.bounds, row.buckets, options.keepHistogram ?? false);
    if (row.minute < tally.firstMinute) tally.firstMinute = row.minute;
    if (row.minute > tally.lastMinute) tally.lastMinute = row.minute;
    if (
      approximate &&
      (tally.lastApproximateMinute === undefined || row.minute > tally.lastApproximateMinute)
    )
      tally.lastApproximateMinute = row.minute;
  }
  return tallies;
}
