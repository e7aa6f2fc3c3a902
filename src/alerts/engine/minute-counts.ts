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

/**
 * A straightforward store: a map of minutes, summed by walking the range. Correct, and the reference the
 * faster ring-buffer store is compared against.
 */
export class MapMinuteCounts implements MinuteCountsStore {
  private readonly minutes = new Map<number, { total: number; bad: number }>();
  private latest: number | undefined;

  set(minute: number, total: number, bad: number): void {
    if (total === 0 && bad === 0) this.minutes.delete(minute);
    else this.minutes.set(minute, { total, bad });
    if (total > 0 && (this.latest === undefined || minute > this.latest)) this.latest = minute;
  }

  sum(fromMinute: number, toMinute: number): WindowCounts {
    const result = { total: 0, bad: 0, minutesWithData: 0 };
    if (toMinute - fromMinute > this.minutes.size) {
      for (const [minute, counts] of this.minutes) {
        if (minute >= fromMinute && minute < toMinute) add(result, counts);
      }
    } else {
      for (let minute = fromMinute; minute < toMinute; minute++) {
        const counts = this.minutes.get(minute);
        if (counts) add(result, counts);
      }
    }
    return result;
  }

  lastMinuteWithData(): number | undefined {
    return this.latest;
  }

  clear(): void {
    this.minutes.clear();
    this.latest = undefined;
  }
}

function add(result: WindowCounts, counts: { total: number; bad: number }): void {
  result.total += counts.total;
  result.bad += counts.bad;
  if (counts.total > 0) result.minutesWithData++;
}
