/**
 * Per-series rolling counts of events per minute, answering "how many events, how many bad, how many minutes
 * with data between minute a and minute b" in O(1), in a fixed amount of memory.
 *
 * Minutes are epoch minutes (`Math.floor(epochSeconds / 60)`), always passed in: there is no clock here.
 *
 * Layout (one ArrayBuffer per series, no per-minute objects):
 * - an hour ring of cumulative sums: for each hour, every event since the series started, through the end of
 *   that hour. Float64 totals (exact to 2^53 events), Uint32 minutes with data. 20 bytes an hour.
 * - a minute ring of sums within the hour: for each minute, the events since the start of its hour, through
 *   that minute. Float64 totals, Uint8 minutes with data. 17 bytes a minute.
 * The events before minute x are then `hour[h(x) - 1] + minute[x - 1]` (or just the hour when x starts an
 * hour), and a sum is the difference of two of those. The current minute and hour live in running totals and
 * reach the rings when a later minute arrives. Counts may be fractional (interpolated latency counts).
 *
 * Minutes arrive in order, with corrections allowed within the minute ring: `set` replaces a minute (the engine
 * re-reads its last few minutes every tick), `add` adds to one. A correction of minute m costs O(minutes left
 * in m's hour + hours since m); the next minute is O(1).
 *
 * Windows whose oldest edge lies within the minute ring are exact. Older edges are rounded to the next
 * hour boundary (the window loses less than an hour at its old end, never reads data outside it), and a
 * sum reports the range it actually covers. A ratio over a window barely notices; counts over a 30 d SLO
 * window lose < 0.14 %.
 *
 * Bytes per series (see `bytesPerSeries`; plus ~200 bytes of object and typed-array headers): with the default
 * capacity (746 hours for 31 d, 1,561 minutes for 26 h) 14,920 + 26,537 = 41,457 bytes (~40 KiB, 10k series
 * ≈ 415 MB); sized for a 90 d window plus a day (2,186 hours) 43,720 + 26,537 = 70,257 bytes (~69 KiB, 10k
 * series ≈ 700 MB).
 */

export const MINUTES_PER_HOUR = 60;
const BYTES_PER_HOUR_SLOT = 8 + 8 + 4;
const BYTES_PER_MINUTE_SLOT = 8 + 8 + 1;

export interface RollingCountsCapacity {
  /** Hours kept: the longest window that can be summed is `hourSlots - 2` hours. */
  hourSlots: number;
  /** Minutes kept at minute resolution: windows up to `minuteSlots - 1` minutes long (ending now) are exact. */
  minuteSlots: number;
}

/** Capacity for windows up to `longestWindowSeconds`, exact for windows up to `exactWindowSeconds`. */
export function rollingCountsCapacity(
  longestWindowSeconds: number,
  exactWindowSeconds: number,
): RollingCountsCapacity {
  const minuteSlots = Math.max(Math.ceil(exactWindowSeconds / 60) + 1, MINUTES_PER_HOUR + 1);
  return {
    hourSlots: Math.max(Math.ceil(longestWindowSeconds / 3600) + 2, minHourSlots(minuteSlots)),
    minuteSlots,
  };
}

/** A minute's sum needs its hour's predecessor: the hour ring must reach back past the oldest minute kept. */
function minHourSlots(minuteSlots: number): number {
  return Math.floor((minuteSlots - 1) / MINUTES_PER_HOUR) + 3;
}

/**
 * Default: the default retention (the longest SLO window, 30 d, plus a day), exact for a day and two hours, so
 * that every window of the default policies (up to 1 d long; the 3 d window rounds its oldest edge) is exact
 * even when an evaluation lags.
 */
export const DEFAULT_ROLLING_COUNTS_CAPACITY = rollingCountsCapacity(31 * 86400, 26 * 3600);

/**
 * How far back the engine keeps minutes at minute resolution (26 h: every window of the default policies but the
 * 3 d one, with room for a lagging evaluation). Older data is kept per hour, in memory and in storage: the
 * stored per-minute rows are rolled up into hours beyond this (src/sli/hourly.ts).
 */
export const MINUTE_RESOLUTION_SECONDS = 26 * 3600;
const EXACT_SECONDS = MINUTE_RESOLUTION_SECONDS;

/**
 * Capacity for one SLO's store: its window and its longest alert window summable, exact up to 26 h (every
 * window of the default policies but the 3 d one), and no more minutes than the longest window needs.
 */
export function capacityForSlo(
  sloWindowSeconds: number,
  longestAlertWindowSeconds: number,
): RollingCountsCapacity {
  const longestSeconds = Math.max(sloWindowSeconds, longestAlertWindowSeconds);
  return rollingCountsCapacity(longestSeconds, Math.min(EXACT_SECONDS, longestSeconds + 2 * 3600));
}

export function bytesPerSeries(capacity: RollingCountsCapacity): number {
  return capacity.hourSlots * BYTES_PER_HOUR_SLOT + capacity.minuteSlots * BYTES_PER_MINUTE_SLOT;
}

export interface MinuteRangeSums {
  total: number;
  bad: number;
  /** Minutes holding at least one event. */
  minutesWithData: number;
  /** The range summed, [fromMinute, toMinute): the one asked for, or shrunk to whole hours out of minute range. */
  fromMinute: number;
  toMinute: number;
}

export class RollingCounts {
  readonly capacity: RollingCountsCapacity;
  private readonly hourTotal: Float64Array;
  private readonly hourBad: Float64Array;
  private readonly hourData: Uint32Array;
  private readonly minuteTotal: Float64Array;
  private readonly minuteBad: Float64Array;
  private readonly minuteData: Uint8Array;
  private readonly hourSlots: number;
  private readonly minuteSlots: number;

  private empty = true;
  private firstMinute = 0;
  /** Minute slots hold data from this minute on (later than `firstMinute` after `addHour`). */
  private minuteFloor = 0;
  private lastMinuteStored = 0;
  private lastHasData = false;
  private latestWithData: number | undefined;
  private cumulativeTotal = 0;
  private cumulativeBad = 0;
  private cumulativeData = 0;
  private hourTotalSoFar = 0;
  private hourBadSoFar = 0;
  private hourDataSoFar = 0;
  private locatedHourSlot = -1;
  private locatedMinuteSlot = -1;

  constructor(capacity: RollingCountsCapacity = DEFAULT_ROLLING_COUNTS_CAPACITY) {
    if (
      !(capacity.minuteSlots >= MINUTES_PER_HOUR + 1) ||
      !(capacity.hourSlots >= minHourSlots(capacity.minuteSlots))
    ) {
      throw new RangeError(
        `a rolling count needs at least 61 minute slots, and hour slots for every minute's hour and the one before (${capacity.minuteSlots} minutes: ${minHourSlots(capacity.minuteSlots)} hours)`,
      );
    }
    this.capacity = { ...capacity };
    this.hourSlots = capacity.hourSlots;
    this.minuteSlots = capacity.minuteSlots;
    const buffer = new ArrayBuffer(bytesPerSeries(capacity));
    const h = capacity.hourSlots;
    const m = capacity.minuteSlots;
    this.hourTotal = new Float64Array(buffer, 0, h);
    this.hourBad = new Float64Array(buffer, 8 * h, h);
    // Float64 views need 8-byte offsets: the hours' Uint32 channel (4 bytes a slot) goes after the minutes'.
    this.minuteTotal = new Float64Array(buffer, 16 * h, m);
    this.minuteBad = new Float64Array(buffer, 16 * h + 8 * m, m);
    this.hourData = new Uint32Array(buffer, 16 * h + 16 * m, h);
    this.minuteData = new Uint8Array(buffer, 20 * h + 16 * m, m);
  }

  /** The last minute stored; undefined before the first. */
  get lastMinute(): number | undefined {
    return this.empty ? undefined : this.lastMinuteStored;
  }

  /** The latest minute that was given events; undefined before. */
  lastMinuteWithData(): number | undefined {
    return this.latestWithData;
  }

  /** Forgets everything (the memory is kept). */
  clear(): void {
    this.empty = true;
    this.lastHasData = false;
    this.latestWithData = undefined;
    this.cumulativeTotal = 0;
    this.cumulativeBad = 0;
    this.cumulativeData = 0;
    this.hourTotalSoFar = 0;
    this.hourBadSoFar = 0;
    this.hourDataSoFar = 0;
  }

  /**
   * Adds events to a minute: a new one (the minutes skipped hold no data), the last one (a second scrape in the
   * same minute), or a correction of an earlier one still in the minute ring. Refused (false) for a minute
   * older than that, or older than the first minute stored. A minute with data is one with at least one event.
   */
  add(minute: number, total: number, bad: number): boolean {
    checkCounts(minute, total, bad);
    if (this.empty) this.start(minute, minute);
    else if (minute > this.lastMinuteStored) this.advanceTo(minute);
    else if (minute < this.lastMinuteStored) {
      if (!this.correctable(minute)) return false;
      const hadData = this.minuteTotalOf(minute) > 0;
      this.correct(minute, total, bad, !hadData && total > 0 ? 1 : 0);
      if (total > 0) this.noteData(minute);
      return true;
    }
    this.addToLastMinute(total, bad, total > 0 && !this.lastHasData ? 1 : 0);
    if (total > 0) this.noteData(minute);
    return true;
  }

  /**
   * Replaces a minute's counts (the engine re-reading a minute that has grown since): a new minute, the last one,
   * or an earlier one still in the minute ring. Refused (false) like `add`.
   */
  set(minute: number, total: number, bad: number): boolean {
    checkCounts(minute, total, bad);
    if (this.empty || minute > this.lastMinuteStored) return this.add(minute, total, bad);
    if (!this.correctable(minute)) return false;
    const oldTotal = this.minuteTotalOf(minute);
    const oldBad = this.minuteBadOf(minute);
    const dataDelta = (total > 0 ? 1 : 0) - (oldTotal > 0 ? 1 : 0);
    if (minute === this.lastMinuteStored) this.addToLastMinute(total - oldTotal, bad - oldBad, dataDelta);
    else this.correct(minute, total - oldTotal, bad - oldBad, dataDelta);
    if (total > 0) this.noteData(minute);
    return true;
  }

  /**
   * Bulk load of a whole hour at hour resolution (history older than the minute ring, e.g. from an hourly SQL
   * aggregate): faster than 60 `add`s. The hour must come after everything stored; sums whose edges fall
   * inside it, or before it, are rounded to hour boundaries: load the hours first, then the minutes.
   */
  addHour(hour: number, total: number, bad: number, minutesWithData: number): boolean {
    if (
      !(total >= 0 && bad >= 0 && bad <= total && Number.isFinite(total)) ||
      !Number.isInteger(minutesWithData) ||
      !(minutesWithData >= 0 && minutesWithData <= MINUTES_PER_HOUR) ||
      !Number.isSafeInteger(hour) ||
      hour < 0
    ) {
      throw new RangeError(
        `bad counts for hour ${hour}: total ${total}, bad ${bad}, minutes ${minutesWithData}`,
      );
    }
    const lastMinuteOfHour = (hour + 1) * MINUTES_PER_HOUR - 1;
    if (this.empty) this.start(hour * MINUTES_PER_HOUR, lastMinuteOfHour);
    else if (hour <= Math.floor(this.lastMinuteStored / MINUTES_PER_HOUR)) return false;
    else this.advanceHoursTo(hour);
    this.cumulativeTotal += total;
    this.cumulativeBad += bad;
    this.cumulativeData += minutesWithData;
    // Minutes of this hour have no within-hour detail: the minute ring is valid from the next hour on.
    this.minuteFloor = lastMinuteOfHour + 1;
    this.hourTotalSoFar = 0;
    this.hourBadSoFar = 0;
    this.hourDataSoFar = 0;
    this.lastHasData = true;
    // Which minute of the hour held the last event is not known: its last minute bounds it.
    if (total > 0) this.noteData(lastMinuteOfHour);
    return true;
  }

  /** Events in [fromMinute, toMinute), see `MinuteRangeSums`. */
  sum(fromMinute: number, toMinute: number): MinuteRangeSums {
    return this.sumInto(fromMinute, toMinute, {
      total: 0,
      bad: 0,
      minutesWithData: 0,
      fromMinute: 0,
      toMinute: 0,
    });
  }

  /** Events in the `windowMinutes` minutes before `endMinute` (exclusive): a window ending now. */
  windowSum(endMinute: number, windowMinutes: number): MinuteRangeSums {
    return this.sum(endMinute - windowMinutes, endMinute);
  }

  /**
   * `sum` written into `out` (overwritten and returned) instead of a new object: for an SLO that adds up many
   * series every tick, reuse one scratch object and add its fields up.
   */
  sumInto(fromMinute: number, toMinute: number, out: MinuteRangeSums): MinuteRangeSums {
    const from = this.lowerBoundary(fromMinute);
    const to = this.upperBoundary(toMinute);
    if (to === undefined || !(to > from)) {
      const at = Math.min(from, toMinute);
      out.total = 0;
      out.bad = 0;
      out.minutesWithData = 0;
      out.fromMinute = at;
      out.toMinute = at;
      return out;
    }
    // Each channel is read by its own method so that every typed-array access stays monomorphic (fast).
    const fromAll = this.locate(from);
    const fromHour = this.locatedHourSlot;
    const fromMinuteSlot = this.locatedMinuteSlot;
    const toAll = this.locate(to);
    const toHour = this.locatedHourSlot;
    const toMinuteSlot = this.locatedMinuteSlot;
    // Corrections with fractional counts can leave a -1e-17 where 0 was meant.
    out.total = Math.max(
      0,
      this.totalBefore(toAll, toHour, toMinuteSlot) - this.totalBefore(fromAll, fromHour, fromMinuteSlot),
    );
    out.bad = Math.max(
      0,
      this.badBefore(toAll, toHour, toMinuteSlot) - this.badBefore(fromAll, fromHour, fromMinuteSlot),
    );
    out.minutesWithData =
      this.dataBefore(toAll, toHour, toMinuteSlot) - this.dataBefore(fromAll, fromHour, fromMinuteSlot);
    out.fromMinute = from;
    out.toMinute = to;
    return out;
  }

  private noteData(minute: number): void {
    if (this.latestWithData === undefined || minute > this.latestWithData) this.latestWithData = minute;
  }

  private addToLastMinute(total: number, bad: number, dataDelta: number): void {
    this.cumulativeTotal += total;
    this.cumulativeBad += bad;
    this.cumulativeData += dataDelta;
    this.hourTotalSoFar += total;
    this.hourBadSoFar += bad;
    this.hourDataSoFar += dataDelta;
    this.lastHasData = this.lastHasData ? dataDelta >= 0 : dataDelta > 0;
  }

  /** A stored minute whose own counts are still known: in the minute ring, at or after the first minute. */
  private correctable(minute: number): boolean {
    return (
      minute >= this.firstMinute &&
      minute >= this.minuteFloor &&
      // The oldest slot's predecessor shares its slot with the newest minute: its own counts are gone, unless
      // its within-hour sum starts at it.
      minute > this.lastMinuteStored - this.minuteSlots + (this.startsItsSums(minute) ? 0 : 1) &&
      minute <= this.lastMinuteStored
    );
  }

  /** A correctable minute's own total (its within-hour sum less the previous minute's). */
  private minuteTotalOf(minute: number): number {
    const through =
      minute === this.lastMinuteStored ? this.hourTotalSoFar : this.minuteTotal[minute % this.minuteSlots]!;
    return through - (this.startsItsSums(minute) ? 0 : this.minuteTotal[(minute - 1) % this.minuteSlots]!);
  }

  private minuteBadOf(minute: number): number {
    const through =
      minute === this.lastMinuteStored ? this.hourBadSoFar : this.minuteBad[minute % this.minuteSlots]!;
    return through - (this.startsItsSums(minute) ? 0 : this.minuteBad[(minute - 1) % this.minuteSlots]!);
  }

  /** Whether the within-hour sums start at this minute: an hour's first, or the first stored. */
  private startsItsSums(minute: number): boolean {
    return minute % MINUTES_PER_HOUR === 0 || minute === this.firstMinute || minute === this.minuteFloor;
  }

  /** Applies a change to an earlier minute: to its hour's later minutes, to later hours, and to the totals. */
  private correct(minute: number, total: number, bad: number, dataDelta: number): void {
    const hour = Math.floor(minute / MINUTES_PER_HOUR);
    const lastHour = Math.floor(this.lastMinuteStored / MINUTES_PER_HOUR);
    const endOfHour = Math.min((hour + 1) * MINUTES_PER_HOUR, this.lastMinuteStored);
    for (let m = minute; m < endOfHour; m++) {
      const slot = m % this.minuteSlots;
      this.minuteTotal[slot] = this.minuteTotal[slot]! + total;
      this.minuteBad[slot] = this.minuteBad[slot]! + bad;
      this.minuteData[slot] = this.minuteData[slot]! + dataDelta;
    }
    if (hour === lastHour) {
      this.hourTotalSoFar += total;
      this.hourBadSoFar += bad;
      this.hourDataSoFar += dataDelta;
    } else {
      for (let h = hour; h < lastHour; h++) {
        const slot = h % this.hourSlots;
        this.hourTotal[slot] = this.hourTotal[slot]! + total;
        this.hourBad[slot] = this.hourBad[slot]! + bad;
        this.hourData[slot] = this.hourData[slot]! + dataDelta;
      }
    }
    this.cumulativeTotal += total;
    this.cumulativeBad += bad;
    this.cumulativeData += dataDelta;
  }

  private start(firstMinute: number, lastMinute: number): void {
    this.empty = false;
    this.hourTotalSoFar = 0;
    this.hourBadSoFar = 0;
    this.hourDataSoFar = 0;
    this.firstMinute = firstMinute;
    this.minuteFloor = firstMinute;
    this.lastMinuteStored = lastMinute;
    this.lastHasData = false;
  }

  /**
   * Moves the last minute forward: its sums (and its hour's, when the hour changes) become final in the rings,
   * and the minutes and hours skipped hold no data. The current minute and hour live in fields only: a sum up
   * to the last minute reads the running totals. O(1) for the next minute, O(min(gap, ring)) after a gap.
   */
  private advanceTo(minute: number): void {
    const last = this.lastMinuteStored;
    if (minute === last + 1 && minute % MINUTES_PER_HOUR !== 0) {
      // The common case: the next minute of the same hour.
      this.writeMinute(last);
      this.lastMinuteStored = minute;
      this.lastHasData = false;
      return;
    }
    const lastHour = Math.floor(last / MINUTES_PER_HOUR);
    const hour = Math.floor(minute / MINUTES_PER_HOUR);
    const oldestMinuteKept = minute - this.minuteSlots + 1;
    this.writeMinute(last);
    if (hour === lastHour) {
      for (let m = Math.max(last + 1, oldestMinuteKept); m < minute; m++) this.writeMinute(m);
    } else {
      this.writeHour(lastHour);
      for (let h = Math.max(lastHour + 1, hour - this.hourSlots + 1); h < hour; h++) this.writeHour(h);
      // Minutes left in the last hour carry its sums so far; minutes of later hours start from zero.
      for (
        let m = Math.max(last + 1, oldestMinuteKept);
        m < Math.min((lastHour + 1) * MINUTES_PER_HOUR, minute);
        m++
      ) {
        this.writeMinute(m);
      }
      this.hourTotalSoFar = 0;
      this.hourBadSoFar = 0;
      this.hourDataSoFar = 0;
      for (let m = Math.max((lastHour + 1) * MINUTES_PER_HOUR, oldestMinuteKept); m < minute; m++) {
        this.writeMinute(m);
      }
    }
    this.lastMinuteStored = minute;
    this.lastHasData = false;
  }

  /** Like `advanceTo` for `addHour`: the minute slots are left alone, since the minute ring restarts after it. */
  private advanceHoursTo(hour: number): void {
    const lastHour = Math.floor(this.lastMinuteStored / MINUTES_PER_HOUR);
    this.writeHour(lastHour);
    for (let h = Math.max(lastHour + 1, hour - this.hourSlots + 1); h < hour; h++) this.writeHour(h);
    this.lastMinuteStored = (hour + 1) * MINUTES_PER_HOUR - 1;
  }

  private writeMinute(minute: number): void {
    const slot = minute % this.minuteSlots;
    this.minuteTotal[slot] = this.hourTotalSoFar;
    this.minuteBad[slot] = this.hourBadSoFar;
    this.minuteData[slot] = this.hourDataSoFar;
  }

  private writeHour(hour: number): void {
    const slot = hour % this.hourSlots;
    this.hourTotal[slot] = this.cumulativeTotal;
    this.hourBad[slot] = this.cumulativeBad;
    this.hourData[slot] = this.cumulativeData;
  }

  /** The oldest hour whose slot is still in the ring. */
  private oldestHour(): number {
    return Math.floor(this.lastMinuteStored / MINUTES_PER_HOUR) - this.hourSlots + 1;
  }

  /** Whether the hour's cumulative sums are known: stored, or before the first data (all zero). */
  private hourKnown(hour: number): boolean {
    return hour < Math.floor(this.firstMinute / MINUTES_PER_HOUR) || hour >= this.oldestHour();
  }

  private minuteKnown(minute: number): boolean {
    return minute >= this.minuteFloor && minute > this.lastMinuteStored - this.minuteSlots;
  }

  private exactAt(x: number): boolean {
    if (x <= this.firstMinute || x > this.lastMinuteStored) return true;
    const hour = Math.floor(x / MINUTES_PER_HOUR);
    if (!this.hourKnown(hour - 1)) return false;
    return x === hour * MINUTES_PER_HOUR || this.minuteKnown(x - 1);
  }

  /** The range's start, moved up to an hour boundary (or the oldest one kept) when not exact. */
  private lowerBoundary(fromMinute: number): number {
    if (this.empty || this.exactAt(fromMinute)) return fromMinute;
    const nextBoundary = Math.ceil(fromMinute / MINUTES_PER_HOUR) * MINUTES_PER_HOUR;
    return Math.max(nextBoundary, (this.oldestHour() + 1) * MINUTES_PER_HOUR);
  }

  /** The range's end, moved down to an hour boundary when not exact; undefined when older than the ring. */
  private upperBoundary(toMinute: number): number | undefined {
    if (this.empty || this.exactAt(toMinute)) return toMinute;
    const boundary = Math.floor(toMinute / MINUTES_PER_HOUR) * MINUTES_PER_HOUR;
    return this.hourKnown(boundary / MINUTES_PER_HOUR - 1) ? boundary : undefined;
  }

  /**
   * Where the sums of everything before minute x (x exact, see `exactAt`) are: true when they are the running
   * totals; otherwise an hour slot (the hour before x's) plus a minute slot (x - 1 within its hour), either
   * one -1 when it adds nothing. The slots are left in `locatedHourSlot` and `locatedMinuteSlot`.
   */
  private locate(x: number): boolean {
    this.locatedHourSlot = -1;
    this.locatedMinuteSlot = -1;
    if (this.empty || x <= this.firstMinute) return false;
    if (x > this.lastMinuteStored) return true;
    const hour = Math.floor(x / MINUTES_PER_HOUR);
    if (hour - 1 >= Math.floor(this.firstMinute / MINUTES_PER_HOUR))
      this.locatedHourSlot = (hour - 1) % this.hourSlots;
    if (x !== hour * MINUTES_PER_HOUR) this.locatedMinuteSlot = (x - 1) % this.minuteSlots;
    return false;
  }

  private totalBefore(all: boolean, hourSlot: number, minuteSlot: number): number {
    if (all) return this.cumulativeTotal;
    return (
      (hourSlot < 0 ? 0 : this.hourTotal[hourSlot]!) + (minuteSlot < 0 ? 0 : this.minuteTotal[minuteSlot]!)
    );
  }

  private badBefore(all: boolean, hourSlot: number, minuteSlot: number): number {
    if (all) return this.cumulativeBad;
    return (hourSlot < 0 ? 0 : this.hourBad[hourSlot]!) + (minuteSlot < 0 ? 0 : this.minuteBad[minuteSlot]!);
  }

  private dataBefore(all: boolean, hourSlot: number, minuteSlot: number): number {
    if (all) return this.cumulativeData;
    return (
      (hourSlot < 0 ? 0 : this.hourData[hourSlot]!) + (minuteSlot < 0 ? 0 : this.minuteData[minuteSlot]!)
    );
  }
}

function checkCounts(minute: number, total: number, bad: number): void {
  if (
    !(total >= 0 && bad >= 0 && bad <= total && Number.isFinite(total)) ||
    !Number.isSafeInteger(minute) ||
    minute < 0
  ) {
    throw new RangeError(`counts need 0 ≤ bad ≤ total: minute ${minute}, total ${total}, bad ${bad}`);
  }
}
