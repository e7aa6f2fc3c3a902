import type { FieldError } from './field-error.js';

/** Times the API accepts: from 2000-01-01 to 2100-01-01 UTC. Anything outside is a typo or a probe. */
export const EARLIEST_TIME_SECONDS = 946_684_800;
export const LATEST_TIME_SECONDS = 4_102_444_800;

// RFC 3339 (the profile of ISO 8601 with a zone): a zone-less time would depend on the server's time zone.
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses a time given as ISO 8601 with a zone (`2026-12-02T10:00:00Z`, `…+01:00`) or as whole Unix seconds, within
 * [2000, 2100). Returns the time, or the problem worded for the field.
 */
export function parseTimeParam(field: string, raw: string): Date | FieldError {
  const seconds = /^\d{1,12}$/.test(raw) ? Number(raw) : parseIsoWithZone(raw);
  const problem = (why: string): FieldError => ({
    field,
    message:
      `must be an ISO 8601 time with a zone (like 2026-12-02T10:00:00Z) or Unix seconds from ` +
      `${EARLIEST_TIME_SECONDS} (2000-01-01) to ${LATEST_TIME_SECONDS} (2100-01-01); ${why}, got "${raw}"`,
  });
  if (seconds === undefined) return problem('this is neither');
  if (seconds < EARLIEST_TIME_SECONDS || seconds >= LATEST_TIME_SECONDS)
    return problem('this is out of range');
  return new Date(seconds * 1000);
}

/** An optional time parameter: `fallback` when absent; a problem goes into `errors` (and `fallback` is returned). */
export function parseOptionalTime(
  field: string,
  raw: string | undefined,
  fallback: Date,
  errors: FieldError[],
): Date {
  if (raw === undefined || raw === '') return fallback;
  const parsed = parseTimeParam(field, raw);
  if (parsed instanceof Date) return parsed;
  errors.push(parsed);
  return fallback;
}

/** Seconds since the epoch (fractional), or undefined when the text is not a valid time with a zone. */
function parseIsoWithZone(raw: string): number | undefined {
  const match = ISO_WITH_ZONE.exec(raw);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone, sign, zh = '0', zm = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as number[];
  const [zoneHours, zoneMinutes] = [Number(zh), Number(zm)];
  if (month! < 1 || month! > 12 || hour! > 23 || minute! > 59 || second! > 59) return undefined;
  if (zoneHours > 23 || zoneMinutes > 59) return undefined;
  const utc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  // Date.UTC rolls 30 February over into March; a real date survives the round trip.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const offsetMinutes =
    zone!.toUpperCase() === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  return (utc - offsetMinutes * 60_000) / 1000 + (fraction === '' ? 0 : Number(`0.${fraction}`));
}
