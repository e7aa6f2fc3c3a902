/**
 * Per-series rolling counts of events per minute, answering "how many events, how many bad, how many minutes
 * with data between minute a and minute b", in a fixed and small amount of memory.
 *
 * Minutes are epoch minutes (`Math.floor(epochSeconds / 60)`), always passed in: there is no clock here.
 *
 * Layout (five typed arrays per series, no per-minute objects):
 * - an hour ring of each hour's own counts: total, bad, minutes with data (at most 60: one byte);
 * - a minute ring of each minute's own counts: total and bad (a minute has data when its total is above 0).
 * Each count array starts as narrow as it can (totals in 16 bits, bad events in 8) and is widened, once, when a
 * value needs it: to 16 or 32 bits, then to Float64 for fractional counts (interpolated latency counts) or
 * counts past 2^32. With the default capacity a quiet series takes about 7.5 KiB (`bytesPerSeries`); every
 * channel at Float64, about 37 KiB.
 *
 * A sum over [a, b) is the hours it spans, less the minutes of a's hour before a, plus those of b's hour before
 * b: O(hours spanned + 60). A partial hour is read from whichever side of the minute is shorter and still held
 * (the hour's own counts less its later minutes), so an edge whose hour began before the minute ring is exact.
 *
 * Minutes arrive in order, with corrections allowed within the minute ring: `set` replaces a minute (the engine
 * re-reads its last few minutes every tick), `add` adds to one; both O(1), and so is the next minute.
 *
 * Windows whose oldest edge lies within the minute ring are exact. Older edges are rounded to the next
 * hour boundary (the window loses less than an hour at its old end, never reads data outside it), and a
 * sum reports the range it actually covers. A ratio over a window barely notices; counts over a 30 d SLO
 * window lose < 0.14 %.
 */

export const MINUTES_PER_HOUR = 60;
/** Narrowest widths: hour total 16 bits, hour bad and minutes with data 8; minute total 16, minute bad 8. */
const BYTES_PER_HOUR_SLOT = 2 + 1 + 1;
const BYTES_PER_MINUTE_SLOT = 2 + 1;
/** Widest: every count a Float64 (minutes with data stay one byte an hour). */
const MAX_BYTES_PER_HOUR_SLOT = 8 + 8 + 1;
const MAX_BYTES_PER_MINUTE_SLOT = 8 + 8;

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

/** The count arrays' bytes for a series of `capacity` at their narrowest (a new store), or at their widest. */
export function bytesPerSeries(capacity: RollingCountsCapacity, widest = false): number {
  return widest
    ? capacity.hourSlots * MAX_BYTES_PER_HOUR_SLOT + capacity.minuteSlots * MAX_BYTES_PER_MINUTE_SLOT
    : capacity.hourSlots * BYTES_PER_HOUR_SLOT + capacity.minuteSlots * BYTES_PER_MINUTE_SLOT;
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
  // Set by `clear`, which the constructor calls.
  private hourTotal!: CountArray;
  private hourBad!: CountArray;
  private hourData!: CountArray;
  private minuteTotal!: CountArray;
  private minuteBad!: CountArray;
  private readonly hourSlots: number;
  private readonly minuteSlots: number;

  private empty = true;
  private firstMinute = 0;
  /** Minute slots hold data from this minute on (later than `firstMinute` after `addHour`). */
  private minuteFloor = 0;
  private lastMinuteStored = 0;
  private latestWithData: number | undefined;

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
    this.clear();
  }

  /** Bytes held by the count arrays now (they widen as values need it). */
  get bytes(): number {
    return (
      this.hourTotal.byteLength +
      this.hourBad.byteLength +
      this.hourData.byteLength +
      this.minuteTotal.byteLength +
      this.minuteBad.byteLength
    );
  }

  /** The last minute stored; undefined before the first. */
  get lastMinute(): number | undefined {
    return this.empty ? undefined : this.lastMinuteStored;
  }

  /** The latest minute that was given events; undefined before. */
  lastMinuteWithData(): number | undefined {
    return this.latestWithData;
  }

  /** Forgets everything; the arrays go back to their narrowest width. */
  clear(): void {
    this.empty = true;
    this.latestWithData = undefined;
    this.hourTotal = new Uint16Array(this.hourSlots);
    this.hourBad = new Uint8Array(this.hourSlots);
    this.hourData = new Uint8Array(this.hourSlots);
    this.minuteTotal = new Uint16Array(this.minuteSlots);
    this.minuteBad = new Uint8Array(this.minuteSlots);
  }

  /**
   * Adds events to a minute: a new one (the minutes skipped hold no data), the last one (a second scrape in the
   * same minute), or a correction of an earlier one still in the minute ring. Refused (false) for a minute
   * older than that, or older than the first minute stored. A minute with data is one with at least one event.
   */
  add(minute: number, total: number, bad: number): boolean {
    checkCounts(minute, total, bad);
    if (!this.reach(minute)) return false;
    const slot = minute % this.minuteSlots;
    this.replaceMinute(minute, this.minuteTotal[slot]! + total, this.minuteBad[slot]! + bad);
    return true;
  }

  /**
   * Replaces a minute's counts (the engine re-reading a minute that has grown since): a new minute, the last one,
   * or an earlier one still in the minute ring. Refused (false) like `add`.
   */
  set(minute: number, total: number, bad: number): boolean {
    checkCounts(minute, total, bad);
    if (!this.reach(minute)) return false;
    this.replaceMinute(minute, total, bad);
    return true;
  }

  /** Makes `minute` writable: the first, a new last one (after the minutes skipped), or a correctable earlier one. */
  private reach(minute: number): boolean {
    if (this.empty) this.start(minute, minute);
    else if (minute > this.lastMinuteStored) this.advanceTo(minute);
    else if (minute < this.lastMinuteStored && !this.correctable(minute)) return false;
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
    else this.clearHoursThrough(hour);
    const slot = hour % this.hourSlots;
    this.hourTotal = stored(this.hourTotal, slot, total);
    this.hourBad = stored(this.hourBad, slot, bad);
    this.hourData[slot] = minutesWithData;
    this.lastMinuteStored = lastMinuteOfHour;
    // Minutes of this hour have no detail: the minute ring is valid from the next hour on.
    this.minuteFloor = lastMinuteOfHour + 1;
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
    // Nothing is stored outside [firstMinute, lastMinute]: the sum over the rest is 0.
    const a = Math.max(from, this.firstMinute);
    const b = Math.min(to, this.lastMinuteStored + 1);
    out.fromMinute = from;
    out.toMinute = to;
    if (!(b > a)) {
      out.total = 0;
      out.bad = 0;
      out.minutesWithData = 0;
      return out;
    }
    const hourA = Math.floor(a / MINUTES_PER_HOUR);
    const hourB = Math.floor(b / MINUTES_PER_HOUR);
    // Each channel is summed by its own pass so that every typed-array access stays monomorphic (fast).
    // Corrections with fractional counts can leave a -1e-17 where 0 was meant.
    out.total = Math.max(
      0,
      sumHours(this.hourTotal, hourA, hourB, this.hourSlots) -
        this.beforeInHour(this.minuteTotal, this.hourTotal, a, TOTAL) +
        this.beforeInHour(this.minuteTotal, this.hourTotal, b, TOTAL),
    );
    out.bad = Math.max(
      0,
      sumHours(this.hourBad, hourA, hourB, this.hourSlots) -
        this.beforeInHour(this.minuteBad, this.hourBad, a, BAD) +
        this.beforeInHour(this.minuteBad, this.hourBad, b, BAD),
    );
    out.minutesWithData =
      sumHours(this.hourData, hourA, hourB, this.hourSlots) -
      this.beforeInHour(this.minuteTotal, this.hourData, a, DATA) +
      this.beforeInHour(this.minuteTotal, this.hourData, b, DATA);
    return out;
  }

  /**
   * The counts of x's hour before x (x in [firstMinute, lastMinute + 1], exact: see `exactAt`): the minutes
   * from the hour's start, or the hour less the minutes from x on, whichever is shorter and held.
   */
  private beforeInHour(minutes: CountArray, hours: CountArray, x: number, channel: Channel): number {
    const hourStart = Math.floor(x / MINUTES_PER_HOUR) * MINUTES_PER_HOUR;
    if (x === hourStart) return 0;
    const firstHeld = Math.max(hourStart, this.firstMinute);
    const hourEnd = Math.min(hourStart + MINUTES_PER_HOUR, this.lastMinuteStored + 1);
    const startHeld = firstHeld >= x || this.minuteHeld(firstHeld);
    const endHeld = x >= hourEnd || this.minuteHeld(x);
    if (startHeld && (!endHeld || x - firstHeld <= hourEnd - x)) {
      return sumMinutes(minutes, firstHeld, x, this.minuteSlots, channel);
    }
    const hour = hours[Math.floor(x / MINUTES_PER_HOUR) % this.hourSlots]!;
    return hour - sumMinutes(minutes, x, hourEnd, this.minuteSlots, channel);
  }

  /** Whether a minute's own counts are in the minute ring. */
  private minuteHeld(minute: number): boolean {
    return (
      minute >= this.minuteFloor &&
      minute > this.lastMinuteStored - this.minuteSlots &&
      minute <= this.lastMinuteStored
    );
  }

  private noteData(minute: number): void {
    if (this.latestWithData === undefined || minute > this.latestWithData) this.latestWithData = minute;
  }

  /** Gives a held minute (or the last one) new counts, and its hour the difference. */
  private replaceMinute(minute: number, total: number, bad: number): void {
    const slot = minute % this.minuteSlots;
    const hourSlot = Math.floor(minute / MINUTES_PER_HOUR) % this.hourSlots;
    const oldTotal = this.minuteTotal[slot]!;
    const oldBad = this.minuteBad[slot]!;
    this.minuteTotal = stored(this.minuteTotal, slot, total);
    this.minuteBad = stored(this.minuteBad, slot, bad);
    this.hourTotal = stored(this.hourTotal, hourSlot, this.hourTotal[hourSlot]! + total - oldTotal);
    this.hourBad = stored(this.hourBad, hourSlot, this.hourBad[hourSlot]! + bad - oldBad);
    this.hourData[hourSlot] = this.hourData[hourSlot]! + (total > 0 ? 1 : 0) - (oldTotal > 0 ? 1 : 0);
    if (total > 0) this.noteData(minute);
  }

  /** A stored minute whose own counts are still known: in the minute ring, at or after the first minute. */
  private correctable(minute: number): boolean {
    return (
      minute >= this.firstMinute &&
      minute >= this.minuteFloor &&
      // The ring's oldest minute is held, but a sum starting at it is not exact (see `exactAt`): corrections
      // stop where exact sums do, unless the minute starts its hour.
      minute > this.lastMinuteStored - this.minuteSlots + (this.startsItsHour(minute) ? 0 : 1) &&
      minute <= this.lastMinuteStored
    );
  }

  private startsItsHour(minute: number): boolean {
    return minute % MINUTES_PER_HOUR === 0 || minute === this.firstMinute || minute === this.minuteFloor;
  }

  /** Starts an empty store (its arrays are all zero: new, or fresh from `clear`). */
  private start(firstMinute: number, lastMinute: number): void {
    this.empty = false;
    this.firstMinute = firstMinute;
    this.minuteFloor = firstMinute;
    this.lastMinuteStored = lastMinute;
  }

  /**
   * Moves the last minute forward: the minutes and hours skipped, and the new one, start empty. O(1) for the
   * next minute, O(min(gap, ring)) after a gap.
   */
  private advanceTo(minute: number): void {
    const last = this.lastMinuteStored;
    for (let m = Math.max(last + 1, minute - this.minuteSlots + 1); m <= minute; m++) {
      const slot = m % this.minuteSlots;
      this.minuteTotal[slot] = 0;
      this.minuteBad[slot] = 0;
    }
    this.clearHoursThrough(Math.floor(minute / MINUTES_PER_HOUR));
    this.lastMinuteStored = minute;
  }

  /** Empties the hours after the last minute's through `hour`. */
  private clearHoursThrough(hour: number): void {
    const lastHour = Math.floor(this.lastMinuteStored / MINUTES_PER_HOUR);
    for (let h = Math.max(lastHour + 1, hour - this.hourSlots + 1); h <= hour; h++) {
      const slot = h % this.hourSlots;
      this.hourTotal[slot] = 0;
      this.hourBad[slot] = 0;
      this.hourData[slot] = 0;
    }
  }

  /** The oldest hour whose slot is still in the ring. */
  private oldestHour(): number {
    return Math.floor(this.lastMinuteStored / MINUTES_PER_HOUR) - this.hourSlots + 1;
  }

  /** Whether a sum may start at the hour after this one: the hour is held, or before the first data (all zero). */
  private hourKnown(hour: number): boolean {
    return hour < Math.floor(this.firstMinute / MINUTES_PER_HOUR) || hour >= this.oldestHour();
  }

  private minuteKnown(minute: number): boolean {
    return minute >= this.minuteFloor && minute > this.lastMinuteStored - this.minuteSlots;
  }

  private exactAt(x: number): boolean {
    if (x > this.lastMinuteStored) return true;
    // Before the first minute there is nothing, if every hour since is still held.
    if (x <= this.firstMinute) return Math.floor(this.firstMinute / MINUTES_PER_HOUR) >= this.oldestHour();
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
}

/** A channel of counts, as narrow as its values allow (see `stored`). */
type CountArray = Uint8Array | Uint16Array | Uint32Array | Float64Array;

const TOTAL = 0;
const BAD = 1;
/** Minutes with data: counted from the minutes' totals. */
const DATA = 2;
type Channel = typeof TOTAL | typeof BAD | typeof DATA;

/** `array` with `value` at `index`: the same array, or a wider copy when the value does not fit. */
function stored(array: CountArray, index: number, value: number): CountArray {
  if (value <= maxOf(array) && (array.BYTES_PER_ELEMENT === 8 || Number.isInteger(value))) {
    array[index] = value;
    return array;
  }
  const wider: CountArray = !Number.isInteger(value)
    ? new Float64Array(array.length)
    : value <= 0xffff
      ? new Uint16Array(array.length)
      : value <= 0xffffffff
        ? new Uint32Array(array.length)
        : new Float64Array(array.length);
  wider.set(array);
  wider[index] = value;
  return wider;
}

function maxOf(array: CountArray): number {
  const bytes = array.BYTES_PER_ELEMENT;
  return bytes === 1 ? 0xff : bytes === 2 ? 0xffff : bytes === 4 ? 0xffffffff : Infinity;
}

/** Whole hours [fromHour, toHour) of a ring of per-hour counts. */
function sumHours(hours: CountArray, fromHour: number, toHour: number, slots: number): number {
  let sum = 0;
  for (let h = fromHour; h < toHour; h++) sum += hours[h % slots]!;
  return sum;
}

/** Minutes [from, to) of the minute ring (all held): their counts, or (DATA) how many had events. */
function sumMinutes(minutes: CountArray, from: number, to: number, slots: number, channel: Channel): number {
  let sum = 0;
  if (channel === DATA) {
    for (let m = from; m < to; m++) if (minutes[m % slots]! > 0) sum++;
  } else {
    for (let m = from; m < to; m++) sum += minutes[m % slots]!;
  }
  return sum;
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
