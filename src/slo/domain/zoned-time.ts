/**
 * Wall-clock time in an IANA time zone, from Intl alone (no time-zone database of our own). Calendar windows and
 * recurring corrections are defined in a zone's wall time; the engine works in instants (milliseconds since the
 * epoch), so every conversion goes through these two functions.
 */

export interface WallTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone (an IANA name such as "Europe/Berlin", or "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at an instant (seconds precision). */
export function wallTimeAt(instantMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** A wall time read as if it were UTC: the arithmetic form ("floating time") calendar math is done in. */
export function floatingMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

export function wallTimeOfFloating(floating: number): WallTime {
  const d = new Date(floating);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (+3_600_000 for CET). */
export function offsetMsAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return floatingMs(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

/**
 * The instant a wall time names in `timeZone`, resolved as RFC 5545 and Temporal's "compatible" option do: a time
 * that occurs twice (when clocks go back) is the earlier one; a time that does not exist (skipped when clocks go
 * forward) moves forward by the gap, so 02:30 on the day Berlin springs forward is 03:30 CEST.
 */
export function instantOfWallTime(wall: WallTime, timeZone: string): number {
  const floating = floatingMs(wall);
  // The offsets in force a day either side bracket every transition a wall time can fall into.
  const before = offsetMsAt(floating - 86_400_000, timeZone);
  const after = offsetMsAt(floating + 86_400_000, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => floating - offset)
    .filter((instant) => floatingMs(wallTimeAt(instant, timeZone)) === floating)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In the gap: the wall time with the offset from before the transition is the same physical moment as the wall
  // time moved forward by the gap.
  return floating - before;
}
