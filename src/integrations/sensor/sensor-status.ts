import type { LoaderOrigin } from './sensor-availability.js';

/** GET /api/v1/sensor: the sensor this service starts on its own machine. */
export interface SensorStatusView {
  /** running: serving and scraped; starting: building or loading; off: BURNWATCH_SENSOR=off; unavailable: see reason. */
  state: 'running' | 'starting' | 'off' | 'unavailable';
  /** Why it is not running (null while running or starting). */
  reason: string | null;
  /** What to do about it. */
  action: string | null;
  loader: { path: string; origin: LoaderOrigin } | null;
  /** The /metrics URL scraped while it runs. */
  metricsUrl: string | null;
  pid: number | null;
  /** Restarts after the sensor exited on its own. */
  restarts: number;
}
