/** The reports page's pure parts: the default period, the address, and the burn-down as an SVG path. */

/** The month before `now`, as the API names it ("2026-11"): the report a team reviews at the start of a month. */
export function previousMonth(now: Date): string {
  const year = now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  const month = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth();
  return `${year}-${String(month).padStart(2, '0')}`;
}

export interface ReportQuery {
  period: string;
  team?: string;
  timeZone?: string;
}

export function readReportQuery(search: string, now: Date): ReportQuery {
  const params = new URLSearchParams(search);
  return {
    period: params.get('period') || previousMonth(now),
    team: params.get('team') || undefined,
    timeZone: params.get('timeZone') || undefined,
  };
}

export function reportSearch(query: ReportQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ period: query.period });
  if (query.team) params.set('team', query.team);
  if (query.timeZone) params.set('timeZone', query.timeZone);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return `?${params.toString()}`;
}

/**
 * The burn-down as an SVG polyline in a `width` × `height` box: x over the period's days, y from 100 % (top) to
 * the lowest of 0 % and the lowest value (bottom). Days without a number break the line.
 */
export function burnDownPath(
  points: { remainingPercent: number | null }[],
  days: number,
  width: number,
  height: number,
): { segments: string[]; zeroY: number } {
  const values = points.map((p) => p.remainingPercent).filter((v): v is number => v !== null);
  const low = Math.min(0, ...values);
  const high = Math.max(100, ...values);
  const y = (v: number) => Math.round(((high - v) / (high - low)) * height * 10) / 10;
  const x = (i: number) => Math.round(((i + 1) / Math.max(days, 1)) * width * 10) / 10;
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.remainingPercent === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${x(i)},${y(p.remainingPercent)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  return { segments, zeroY: y(0) };
}
