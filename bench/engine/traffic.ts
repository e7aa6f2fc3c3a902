/**
 * The synthetic traffic both sides of the benchmark see, defined once.
 *
 * Workload w (0-based) in namespace "bench" has two series, as the sensor would report them:
 * - status 200: `okPerMinute(w)` requests every minute (20 to 40);
 * - status 503: exactly one request in each minute m with (m + w) % 60 === 0, i.e. one error an hour (an error
 *   ratio of 0.04 % to 0.08 %: every SLO stays within its 0.1 % budget, so no alert fires).
 * Counters are cumulative from `firstMinute` (hour-aligned), so the counts of any range have a closed form.
 */
export const NAMESPACE = 'bench';
export const STATUS_OK = 200;
export const STATUS_ERROR = 503;
/** The sensor's default buckets (docs/metrics.md). */
export const BOUNDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
];

export const workloadName = (w: number): string => `w${String(w).padStart(5, '0')}`;

export const okPerMinute = (w: number): number => 20 + (w % 21);

/** The minute of the hour (0-59) in which workload w sees its one error. */
export const errorMinuteOfHour = (w: number): number => (60 - (w % 60)) % 60;

/** Requests of the 200 series in minutes [firstMinute, minute). */
export function okCount(w: number, firstMinute: number, minute: number): number {
  return okPerMinute(w) * (minute - firstMinute);
}

/** Requests of the 503 series in minutes [firstMinute, minute). */
export function errorCount(w: number, firstMinute: number, minute: number): number {
  const before = (m: number) => Math.ceil((m - errorMinuteOfHour(w)) / 60);
  return before(minute) - before(firstMinute);
}

/** Does workload w see its error in minute m? */
export const hasError = (w: number, minute: number): boolean => (minute + w) % 60 === 0;
