import { EventCounts, SliceCounts } from './budget.js';
import { DEFAULT_ROLLING_COUNTS_CAPACITY, RollingCounts, RollingCountsCapacity } from './rolling-counts.js';

/**
 * Timeslices: the window is cut into slices (epoch-aligned: a 5 m slice starts at a minute divisible by 5),
 * each judged good or bad on its own, and the budget counts bad slices. A slice without requests has no data:
 * neither good nor bad (see `timeslicesBudget` in budget.ts).
 */
export type SliceVerdict = 'good' | 'bad' | 'noData';

/** Relative tolerance when comparing with a target: 0.55 × 100 is 55.00000000000001 in floating point. */
const RELATIVE_TOLERANCE = 1e-9;

/** Error-rate and ratio slices: good when at least `goodRatioTarget` (0.99 for 99 %) of its requests are good. */
export function ratioSliceVerdict(counts: EventCounts, goodRatioTarget: number): SliceVerdict {
  if (counts.total <= 0) return 'noData';
  const good = counts.total - counts.bad;
  return good >= goodRatioTarget * counts.total * (1 - RELATIVE_TOLERANCE) ? 'good' : 'bad';
}

/** The start of the slice holding `minute`. */
export function sliceStartMinute(minute: number, sliceMinutes: number): number {
  return Math.floor(minute / sliceMinutes) * sliceMinutes;
}

export interface MinuteCounts extends EventCounts {
  minute: number;
}

/**
 * Good and bad slices among those lying wholly inside [fromMinute, toMinute), judged from per-minute counts
 * (rows from the database, in any order; missing minutes have no data).
 */
export function countRatioSlices(
  minutes: Iterable<MinuteCounts>,
  fromMinute: number,
  toMinute: number,
  sliceMinutes: number,
  goodRatioTarget: number,
): SliceCounts {
  const firstSlice = Math.ceil(fromMinute / sliceMinutes) * sliceMinutes;
  const slices = new Map<number, EventCounts>();
  for (const { minute, total, bad } of minutes) {
    const start = sliceStartMinute(minute, sliceMinutes);
    if (start < firstSlice || start + sliceMinutes > toMinute) continue;
    const slice = slices.get(start) ?? { total: 0, bad: 0 };
    slice.total += total;
    slice.bad += bad;
    slices.set(start, slice);
  }
  let goodSlices = 0;
  let badSlices = 0;
  for (const counts of slices.values()) {
    const verdict = ratioSliceVerdict(counts, goodRatioTarget);
    if (verdict === 'good') goodSlices += 1;
    else if (verdict === 'bad') badSlices += 1;
  }
  return { goodSlices, badSlices };
}

export interface TimesliceSums extends SliceCounts {
  /** The range of slice starts counted: the one asked for, or shrunk to whole hours beyond the minute ring. */
  fromMinute: number;
  toMinute: number;
}

/**
 * Good and bad slices over time, kept incrementally in a `RollingCounts` (one event per judged slice at its
 * start minute, bad when the slice is bad): O(1) sums, the same bounded memory as a series.
 *
 * Feed it judged slices with `recordSlice` (latency slices: `latencySliceVerdict` over the slice's summed
 * histograms), or minutes with `addMinute` when a `goodRatioTarget` is set (error-rate slices); the open slice
 * is judged when a minute of a later slice arrives, or when `closeSlicesBefore(nowMinute)` finds it over.
 */
export class TimesliceCounter {
  private readonly slices: RollingCounts;
  private openStart: number | undefined;
  private openTotal = 0;
  private openBad = 0;

  constructor(
    readonly sliceMinutes: number,
    private readonly goodRatioTarget?: number,
    capacity: RollingCountsCapacity = DEFAULT_ROLLING_COUNTS_CAPACITY,
  ) {
    if (!Number.isSafeInteger(sliceMinutes) || sliceMinutes < 1) {
      throw new RangeError(`a timeslice is a whole number of minutes, got ${sliceMinutes}`);
    }
    this.slices = new RollingCounts(capacity);
  }

  /**
   * Records a judged slice, replacing the verdict recorded for it before (late data re-judging a recent slice).
   * Refused (false) for a slice older than the store can still correct (see `RollingCounts.set`).
   */
  recordSlice(startMinute: number, verdict: SliceVerdict): boolean {
    if (startMinute % this.sliceMinutes !== 0) {
      throw new RangeError(`slice start ${startMinute} is not a multiple of ${this.sliceMinutes} minutes`);
    }
    if (verdict === 'noData') return this.slices.set(startMinute, 0, 0);
    return this.slices.set(startMinute, 1, verdict === 'bad' ? 1 : 0);
  }

  /** Adds a minute's requests to its slice (error-rate slices). Refused (false) for a slice already judged. */
  addMinute(minute: number, total: number, bad: number): boolean {
    if (this.goodRatioTarget === undefined) throw new Error('addMinute needs a goodRatioTarget');
    const start = sliceStartMinute(minute, this.sliceMinutes);
    if (this.openStart !== undefined && start < this.openStart) return false;
    if (this.openStart === undefined) {
      const last = this.slices.lastMinute;
      if (last !== undefined && start <= last) return false;
    }
    if (this.openStart !== undefined && start > this.openStart) this.closeOpenSlice();
    this.openStart = start;
    this.openTotal += total;
    this.openBad += bad;
    return true;
  }

  /** Judges the open slice if it ended at or before `nowMinute` (the clock passed in). */
  closeSlicesBefore(nowMinute: number): void {
    if (this.openStart !== undefined && this.openStart + this.sliceMinutes <= nowMinute)
      this.closeOpenSlice();
  }

  /** Judged slices starting in [fromMinute, toMinute). */
  sum(fromMinute: number, toMinute: number): TimesliceSums {
    const sums = this.slices.sum(fromMinute, toMinute);
    return {
      goodSlices: sums.total - sums.bad,
      badSlices: sums.bad,
      fromMinute: sums.fromMinute,
      toMinute: sums.toMinute,
    };
  }

  private closeOpenSlice(): void {
    const verdict = ratioSliceVerdict({ total: this.openTotal, bad: this.openBad }, this.goodRatioTarget!);
    this.recordSlice(this.openStart!, verdict);
    this.openStart = undefined;
    this.openTotal = 0;
    this.openBad = 0;
  }
}
