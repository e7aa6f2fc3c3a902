/**
 * Times the burn-rate engine's pure math at full scale: rolling counts for 10k series × 30 days of per-minute
 * data, then one evaluation of every window of 10k SLOs. Figures go to docs/burn-rate-math.md.
 *
 *   npx tsc --ignoreConfig bench/engine-math.ts --outDir dist/bench-math --rootDir . --target es2023 \
 *     --module nodenext --moduleResolution nodenext --skipLibCheck --types node \
 *     && node dist/bench-math/bench/engine-math.js
 *
 * Wall-clock and CPU times are both printed: on a shared machine the wall clock includes waiting for a core.
 *
 * Options (environment): SERIES (10000), DAYS (30), SERIES_PER_SLO for the aggregated run (10), TICKS (10).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { defaultBurnRateWindows } from '../src/alerts/domain/alert-policy.js';
import {
  AlertState,
  evaluateBurnRateWindows,
  nextTransition,
  TierCounts,
  tierCounts,
} from '../src/alerts/domain/evaluate.js';
import { burnRate, occurrencesBudget, secondsToExhaustion } from '../src/slo/domain/budget.js';
import {
  bytesPerSeries,
  DEFAULT_ROLLING_COUNTS_CAPACITY,
  MinuteRangeSums,
  RollingCounts,
} from '../src/slo/domain/rolling-counts.js';

const SERIES = Number(process.env.SERIES ?? 10_000);
const DAYS = Number(process.env.DAYS ?? 30);
const SERIES_PER_SLO = Number(process.env.SERIES_PER_SLO ?? 10);
const TICKS = Number(process.env.TICKS ?? 10);

const SLO_WINDOW_SECONDS = 30 * 86400;
const ALLOWED_BAD_RATIO = 0.001;
const MIN_EVENTS = 20;
const NOW_MINUTE = 29_000_040 + DAYS * 1440; // minutes since the epoch, on an hour boundary
const FIRST_MINUTE = NOW_MINUTE - DAYS * 1440;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** A cheap deterministic traffic shape: 5-40 requests a minute, errors in bursts. */
function trafficOf(series: number, minute: number): [total: number, bad: number] {
  const x = Math.imul(series * 2_654_435_761 + minute * 40_503, 1_597_334_677) >>> 0;
  const total = 5 + (x % 36);
  const bad = x % 997 === 0 ? total : x % 53 === 0 ? 1 : 0;
  return [total, bad];
}

function buildPerMinute(): RollingCounts[] {
  const stores: RollingCounts[] = [];
  for (let s = 0; s < SERIES; s++) {
    const store = new RollingCounts(DEFAULT_ROLLING_COUNTS_CAPACITY);
    for (let m = FIRST_MINUTE; m < NOW_MINUTE; m++) {
      const [total, bad] = trafficOf(s, m);
      store.add(m, total, bad);
    }
    stores.push(store);
  }
  return stores;
}

/** Loading history as the engine would at start: hours older than a day, then the last day per minute. */
function buildHoursThenMinutes(): RollingCounts[] {
  const stores: RollingCounts[] = [];
  const minutesFrom = NOW_MINUTE - 1440;
  for (let s = 0; s < SERIES; s++) {
    const store = new RollingCounts(DEFAULT_ROLLING_COUNTS_CAPACITY);
    for (let hour = FIRST_MINUTE / 60; hour < minutesFrom / 60; hour++) {
      store.addHour(hour, 1200, 3, 60);
    }
    for (let m = minutesFrom; m < NOW_MINUTE; m++) {
      const [total, bad] = trafficOf(s, m);
      store.add(m, total, bad);
    }
    stores.push(store);
  }
  return stores;
}

const windows = defaultBurnRateWindows(SLO_WINDOW_SECONDS);
const scratch: MinuteRangeSums = { total: 0, bad: 0, minutesWithData: 0, fromMinute: 0, toMinute: 0 };

/** One evaluator tick: every SLO's windows, budget, forecast and transition, from the stores. */
function tick(stores: RollingCounts[], seriesPerSlo: number, states: AlertState[]): number {
  let firing = 0;
  const sum = (slo: number, windowSeconds: number): MinuteRangeSums | { total: number; bad: number } => {
    if (seriesPerSlo === 1) return stores[slo]!.windowSum(NOW_MINUTE, windowSeconds / 60);
    let total = 0;
    let bad = 0;
    const from = NOW_MINUTE - windowSeconds / 60;
    for (let k = 0; k < seriesPerSlo; k++) {
      stores[(slo + k * 7919) % stores.length]!.sumInto(from, NOW_MINUTE, scratch);
      total += scratch.total;
      bad += scratch.bad;
    }
    return { total, bad };
  };
  for (let slo = 0; slo < stores.length; slo++) {
    const counts: TierCounts[] = tierCounts(windows, (seconds) => sum(slo, seconds));
    const evaluation = evaluateBurnRateWindows(windows, counts, ALLOWED_BAD_RATIO, MIN_EVENTS);
    const sloWindow = sum(slo, SLO_WINDOW_SECONDS);
    const budget = occurrencesBudget(sloWindow, ALLOWED_BAD_RATIO);
    secondsToExhaustion(
      budget.remainingPercent,
      burnRate(counts[0]!.long, ALLOWED_BAD_RATIO),
      SLO_WINDOW_SECONDS,
    );
    if (nextTransition(states[slo]!, evaluation).type !== 'none') firing += 1;
  }
  return firing;
}

/** Runs `work`, returning wall-clock and CPU (user + system) milliseconds. */
function timed<T>(work: () => T): { result: T; wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { result, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function timeTicks(label: string, stores: RollingCounts[], seriesPerSlo: number): void {
  const states: AlertState[] = stores.map(() => ({ state: 'ok' }));
  const runs = Array.from({ length: TICKS }, () => timed(() => tick(stores, seriesPerSlo, states)));
  const first = runs[0]!;
  console.log(
    `${label}: first ${first.wallMs.toFixed(1)} ms (cpu ${first.cpuMs.toFixed(1)}), ` +
      `median of ${TICKS} ${median(runs.map((r) => r.wallMs)).toFixed(1)} ms ` +
      `(cpu ${median(runs.map((r) => r.cpuMs)).toFixed(1)}); ${first.result} SLOs would change state`,
  );
}

function main(): void {
  console.log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ` +
      `load average ${os.loadavg()[0]!.toFixed(1)}, ${SERIES} series × ${DAYS} d`,
  );
  console.log(
    `capacity ${JSON.stringify(DEFAULT_ROLLING_COUNTS_CAPACITY)}: ${bytesPerSeries(DEFAULT_ROLLING_COUNTS_CAPACITY)} bytes a series`,
  );

  const before = process.memoryUsage();
  const build = timed(buildPerMinute);
  const stores = build.result;
  const after = process.memoryUsage();
  const minutes = SERIES * DAYS * 1440;
  console.log(
    `build per minute: ${(build.wallMs / 1000).toFixed(2)} s (cpu ${(build.cpuMs / 1000).toFixed(2)} s) ` +
      `for ${(minutes / 1e6).toFixed(0)} M minutes (${((build.cpuMs * 1e6) / minutes).toFixed(1)} ns cpu a minute); ` +
      `array buffers +${mib(after.arrayBuffers - before.arrayBuffers)}, rss ${mib(after.rss)}`,
  );

  // The engine re-reads its last minutes every tick and replaces them: 3 sets a store, one a correction.
  const refresh = timed(() => {
    for (let s = 0; s < stores.length; s++) {
      const store = stores[s]!;
      for (let m = NOW_MINUTE - 3; m < NOW_MINUTE; m++) {
        const [total, bad] = trafficOf(s, m);
        store.set(m, total + 1, bad);
      }
    }
  });
  console.log(
    `re-set the last 3 minutes of ${SERIES} stores: ${refresh.wallMs.toFixed(1)} ms (cpu ${refresh.cpuMs.toFixed(1)})`,
  );

  timeTicks(`tick, ${SERIES} SLOs × 1 series`, stores, 1);
  timeTicks(`tick, ${SERIES} SLOs × ${SERIES_PER_SLO} series`, stores, SERIES_PER_SLO);

  const load = timed(buildHoursThenMinutes);
  console.log(
    `build from ${DAYS - 1} d of hours + 1 d of minutes: ${load.wallMs.toFixed(0)} ms (cpu ${load.cpuMs.toFixed(0)})`,
  );
  timeTicks(`tick on the loaded stores, ${SERIES} SLOs × 1 series`, load.result, 1);
}

main();
