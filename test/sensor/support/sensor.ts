/** Runs the real sensor (real loader, real BPF programs) inside the test process. */
import { Sensor } from '../../../sensor/agent.js';
import { loadSensorConfig } from '../../../sensor/config.js';
import { HTTP_SERVER_DURATION } from '../../../sensor/metrics.js';
import { histogramSeries, parsePromText, type HistogramSeries, type Sample } from './prom-text.js';

export interface RunningSensor {
  readonly port: number;
  readonly logs: string[];
  scrape(): Promise<Sample[]>;
  /** Series of the HTTP histogram whose labels include all of `match`. */
  series(match: Record<string, string>): Promise<HistogramSeries[]>;
  /** Sum of the histogram counts over the series matching `match`. */
  count(match: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startSensor(env: Record<string, string> = {}): Promise<RunningSensor> {
  const config = loadSensorConfig({
    BURNWATCH_SENSOR_PORT: '0',
    BURNWATCH_SENSOR_HOST: '127.0.0.1',
    BURNWATCH_SENSOR_KUBERNETES: 'off',
    ...env,
  });
  const logs: string[] = [];
  const sensor = new Sensor(config, { log: (line) => logs.push(line) });
  const port = await sensor.start();
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
    return parsePromText(await res.text());
  };
  const series = async (match: Record<string, string>) =>
    histogramSeries(await scrape(), HTTP_SERVER_DURATION).filter((s) =>
      Object.entries(match).every(([k, v]) => s.labels[k] === v),
    );
  return {
    port,
    logs,
    scrape,
    series,
    count: async (match) => (await series(match)).reduce((n, s) => n + s.count, 0),
    stop: () => sensor.stop(),
  };
}

/** Polls `check` until it returns true; bounded. Throws with `what` and the last value seen. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
