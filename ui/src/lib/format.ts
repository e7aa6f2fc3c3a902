/** Text for numbers and times. Pure: the time zone and "now" are parameters. */

export const NONE = '—';

/** 99.95 → "99.95 %"; trailing zeros dropped; null → "—". */
export function formatPercent(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return `${trimNumber(value, decimals)} %`;
}

/** 14.4 → "14.4×", 0.04 → "0.04×". */
export function formatBurnRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return `${trimNumber(value, value >= 10 ? 1 : 2)}×`;
}

export function trimNumber(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

const UNITS: [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/** 273_600 → "3 d 4 h": the two largest units, enough to act on. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0 s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  return parts.join(' ');
}

/** "sha256:4f1c9a0b2e7d…" → "4f1c9a0b2e7d", as `docker images` shortens digests. */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return NONE;
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  return hex.slice(0, 12);
}

/** "registry/shop/checkout:1.4.2" → "checkout:1.4.2". */
export function shortImage(image: string | null | undefined): string {
  if (!image) return NONE;
  const withoutDigest = image.split('@')[0]!;
  return withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
}

/** "Nov 25, 14:02" in the given time zone (the browser's when undefined). */
export function formatTime(iso: string | number | null | undefined, timeZone?: string): string {
  if (iso === null || iso === undefined) return NONE;
  const date = typeof iso === 'number' ? new Date(iso * 1000) : new Date(iso);
  if (Number.isNaN(date.getTime())) return NONE;
  return new Intl.DateTimeFormat('en-GB', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(date);
}

/** "in 3 d 4 h", "2 h ago"; for forecasts and freshness. */
export function formatRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return NONE;
  const seconds = (new Date(iso).getTime() - now.getTime()) / 1000;
  if (Number.isNaN(seconds)) return NONE;
  return seconds >= 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

/** When the budget runs out, in words a reviewer can act on. */
export function formatForecast(
  forecast: { secondsToExhaustion: number | null; exhaustionAt: string | null } | null | undefined,
  remainingPercent: number | null | undefined,
): string {
  if (remainingPercent === null || remainingPercent === undefined) return NONE;
  if (remainingPercent <= 0) return 'exhausted';
  if (!forecast || forecast.secondsToExhaustion === null) return 'not at this rate';
  return `in ${formatDuration(forecast.secondsToExhaustion)}`;
}
