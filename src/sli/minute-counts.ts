import type { WindowCounts } from './sli-source.js';

export type { WindowCounts };

/** Per-minute (total, bad) of one SLO, with window sums. */
export interface MinuteCountsStore {
  /** Sets (replaces) the counts of a minute. */
  set(minute: number, total: number, bad: number): void;
  /** Loads a whole hour of history at hour resolution (before any minute of it or later is set). */
  addHour(hour: number, total: number, bad: number, minutesWithData: number): boolean;
  /** Sums minutes in [fromMinute, toMinute). */
  sum(fromMinute: number, toMinute: number): WindowCounts;
  /** The latest minute holding data, if any. */
  lastMinuteWithData(): number | undefined;
  clear(): void;
}
