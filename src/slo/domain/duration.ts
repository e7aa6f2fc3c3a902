const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const;
type Unit = keyof typeof UNIT_SECONDS;

const DURATION_PATTERN = /^(\d+)([smhdw])$/;

/** Parses "90s", "5m", "1h", "28d", "2w" into seconds; undefined when the text is not a duration. */
export function parseDurationSeconds(
  text: string,
  units: readonly Unit[] = ['s', 'm', 'h', 'd', 'w'],
): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const unit = match[2] as Unit;
  if (!units.includes(unit)) return undefined;
  const amount = Number(match[1]);
  if (!Number.isSafeInteger(amount) || amount <= 0) return undefined;
  return amount * UNIT_SECONDS[unit];
}

/** Formats seconds in the largest unit that divides them: 2419200 → "28d". */
export function formatDuration(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit];
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** "28 d", "1 h 30 m": for sentences people read. */
export function describeDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit];
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount} ${unit}`);
    rest -= amount * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0 s';
}
