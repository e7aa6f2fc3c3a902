import type { WindowCounts } from '../../sli/sli-source.js';

export type { WindowCounts };

/** Per-minute (total, bad) of one SLO, with window sums. */
export interface MinuteCountsStore {
  /** Sets (replaces) the counts of a minute. */
  set(minute: number, total: number, bad: number): void;
  /** Sums minutes in [fromMinute, toMinute). */
  sum(fromMinute: number, toMinute: number): WindowCounts;
  /** The latest minute holding data, if any. */
  lastMinuteWithData(): number | undefined;
  clear(): void;
}
