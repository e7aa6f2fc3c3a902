/**
 * Hourly rollups of the sensor store, the pure part. Per-minute rows are kept as long as the engine reads them at
 * minute resolution (`MINUTE_RESOLUTION_SECONDS`, 26 h); older minutes are moved into one row per series and hour
 * (`sli_hours`) holding the hour's sums and a mask of its minutes with data. Both tables are additive: an hour's
 * events are its hourly row plus any minute rows of that hour not rolled up yet, so a reader adds both and nothing
 * is counted twice or lost, whenever the rollup runs.
 */
import { MINUTE_RESOLUTION_SECONDS } from '../slo/domain/rolling-counts.js';

export const MINUTES_PER_HOUR = 60;
export const MINUTE_RESOLUTION_MINUTES = MINUTE_RESOLUTION_SECONDS / 60;
/**
 * Hours kept at minute resolution beyond the engine's boundary before the rollup moves them: replicas' clocks
 * differ a little, and a replica must never find an hour rolled up that it still reads per minute.
 */
export const ROLLUP_GRACE_MINUTES = 60;

/** The first minute the engine reads at minute resolution at `nowMinute` (hour-aligned): older is read per hour. */
export function minuteResolutionFrom(nowMinute: number): number {
  return Math.floor((nowMinute - MINUTE_RESOLUTION_MINUTES) / MINUTES_PER_HOUR) * MINUTES_PER_HOUR;
}

/** The rollup at `nowMinute` moves the minutes before this one (hour-aligned) into hourly rows. */
export function rollupBefore(nowMinute: number): number {
  return minuteResolutionFrom(nowMinute) - ROLLUP_GRACE_MINUTES;
}

/** Minutes with data in an hour's mask (bit i: minute i of the hour). */
export function popcount(mask: bigint): number {
  let count = 0;
  for (let m = mask; m > 0n; m &= m - 1n) count++;
  return count;
}

/** The minutes of the hour (0-59) whose bits are set, in order. */
export function minutesOfMask(mask: bigint): number[] {
  const minutes: number[] = [];
  for (let i = 0; i < MINUTES_PER_HOUR; i++) if ((mask >> BigInt(i)) & 1n) minutes.push(i);
  return minutes;
}

export interface HourRow {
  seriesId: number;
  /** Hours since the epoch: the hour's first minute is `hour * 60`. */
  hour: number;
  requests: number;
  buckets: number[];
  minuteMask: bigint;
}

export interface SpreadMinuteRow {
  seriesId: number;
  minute: number;
  requests: number;
  buckets: number[];
}

/**
 * An hourly row as per-minute rows for readers that work per minute (charts, timeslices, partial hours): the
 * hour's events spread evenly over its minutes with data. Sums over whole hours are exact; a range that cuts an
 * hour gets its share, and per-minute detail within the hour is an estimate (readers say so: `resolution`).
 * Only minutes in [fromMinute, toMinute) are returned.
 */
export function spreadHour(row: HourRow, fromMinute = -Infinity, toMinute = Infinity): SpreadMinuteRow[] {
  const minutes = minutesOfMask(row.minuteMask);
  // An hour with requests but no mask bit cannot come from the rollup; spread it over the whole hour.
  const at = minutes.length > 0 ? minutes : Array.from({ length: MINUTES_PER_HOUR }, (_, i) => i);
  const share = 1 / at.length;
  const start = row.hour * MINUTES_PER_HOUR;
  const result: SpreadMinuteRow[] = [];
  for (const i of at) {
    const minute = start + i;
    if (minute < fromMinute || minute >= toMinute) continue;
    result.push({
      seriesId: row.seriesId,
      minute,
      requests: row.requests * share,
      buckets: row.buckets.map((n) => n * share),
    });
  }
  return result;
}

/** The hours that overlap [fromMinute, toMinute): [fromHour, toHour). */
export function hoursOverlapping(fromMinute: number, toMinute: number): { fromHour: number; toHour: number } {
  return {
    fromHour: Math.floor(fromMinute / MINUTES_PER_HOUR),
    toHour: Math.ceil(toMinute / MINUTES_PER_HOUR),
  };
}

/**
 * How an API answer says what resolution its data had: `hourlyUntil` null when every minute read was stored per
 * minute; otherwise the data before it came from hourly rollups (each hour spread over its minutes with data:
 * exact per hour, an estimate within an hour, and for timeslices every slice of an hour judged on the hour).
 */
export interface ResolutionView {
  hourlyUntil: string | null;
}

export function resolutionView(hourlyUntilMinute: number | null): ResolutionView {
  return {
    hourlyUntil: hourlyUntilMinute === null ? null : new Date(hourlyUntilMinute * 60_000).toISOString(),
  };
}
