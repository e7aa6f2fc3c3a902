/** Events counted over a range of minutes. */
export interface WindowCounts {
  total: number;
  bad: number;
  minutesWithData: number;
}

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
