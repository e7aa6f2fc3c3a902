/**
 * End-to-end benchmark: one Burnwatch evaluator tick against Prometheus evaluating the equivalent Sloth-style
 * rules, on the same synthetic series (bench/engine/traffic.ts). Results: docs/benchmarks.md.
 *
 *   npm run bench:engine
 *
 * Environment: SLOS (comma-separated sizes, default "1000,10000"), TICKS (steady-state ticks, default 7),
 * PROMETHEUS_SLOS (sizes for Prometheus, default = SLOS), PROMETHEUS_EVALUATIONS (default 5),
 * BENCH_DATABASE_URL (admin connection, default postgres://postgres@127.0.0.1:5432/test), BENCH_TMP (default /tmp),
 * BENCH_HEAP_SNAPSHOT (a path: writes a V8 heap snapshot of the service after the ticks), BENCH_KEEP_DATABASE (1:
 * leaves the generated database for a look with psql).
 */
import 'reflect-metadata';
import os from 'node:os';
import { benchBurnwatch, BurnwatchResult, TickSample } from './burnwatch.js';
import { benchPrometheus, PrometheusResult } from './prometheus.js';

const sizes = (value: string | undefined, fallback: string) =>
  (value ?? fallback).split(',').filter(Boolean).map(Number);
const SLOS = sizes(process.env.SLOS, '1000,10000');
const TICKS = Number(process.env.TICKS ?? 7);
const PROMETHEUS_SLOS = sizes(process.env.PROMETHEUS_SLOS, SLOS.join(','));
const PROMETHEUS_EVALUATIONS = Number(process.env.PROMETHEUS_EVALUATIONS ?? 5);
const TMP = process.env.BENCH_TMP ?? '/tmp';
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

function burnwatchLines(r: BurnwatchResult): string[] {
  const of = (pick: (s: TickSample) => number) => r.ticks.map(pick);
  return [
    `Burnwatch, ${r.slos} SLOs: ${r.rows} rows (${(r.tableBytes / 2 ** 30).toFixed(2)} GiB) generated in ${r.generateSeconds.toFixed(0)} s`,
    `  first tick (backfill): wall ${ms(r.firstTick.wallMs)}, CPU ${ms(r.firstTick.cpuMs)}, Postgres CPU ${ms(r.firstTick.postgresCpuMs)}`,
    `  steady tick over ${r.ticks.length}: wall median ${ms(
      quantile(
        of((s) => s.wallMs),
        0.5,
      ),
    )} p90 ${ms(
      quantile(
        of((s) => s.wallMs),
        0.9,
      ),
    )}; ` +
      `CPU median ${ms(
        quantile(
          of((s) => s.cpuMs),
          0.5,
        ),
      )} p90 ${ms(
        quantile(
          of((s) => s.cpuMs),
          0.9,
        ),
      )}; ` +
      `Postgres CPU median ${ms(
        quantile(
          of((s) => s.postgresCpuMs),
          0.5,
        ),
      )}`,
    `  RSS ${r.rssMiB.toFixed(0)} MiB, heap used ${r.heapMiB.toFixed(0)} MiB, ArrayBuffers ${r.arrayBuffersMiB.toFixed(0)} MiB`,
  ];
}

function prometheusLines(r: PrometheusResult): string[] {
  return [
    `Prometheus, ${r.slos} SLOs: ${r.groups} groups, ${r.rules} rules; ${r.samples} samples backfilled ` +
      `(${(r.openMetricsBytes / 2 ** 20).toFixed(0)} MiB OpenMetrics) in ${r.backfillSeconds.toFixed(0)} s`,
    `  sum of group evaluation times per interval: median ${ms(1000 * quantile(r.cycleSumSeconds, 0.5))} ` +
      `p90 ${ms(1000 * quantile(r.cycleSumSeconds, 0.9))}; process CPU per pass over all groups ${ms(1000 * r.cpuPerCycleSeconds)}`,
    `  missed iterations ${r.missedIterations}, unhealthy rules ${r.unhealthyRules}, RSS ${r.rssMiB.toFixed(0)} MiB`,
  ];
}

async function main(): Promise<void> {
  console.log(`# bench:engine on ${os.cpus().length} × ${os.cpus()[0]?.model}, node ${process.version}`);
  // Hour-aligned "now": the history starts and ends on hour boundaries.
  const nowMinute = Math.floor(Date.now() / 3_600_000) * 60;
  const summary: string[] = [];
  for (const slos of [...new Set([...SLOS, ...PROMETHEUS_SLOS])].sort((a, b) => a - b)) {
    let burnwatch: BurnwatchResult | undefined;
    let prometheus: PrometheusResult | undefined;
    if (SLOS.includes(slos)) {
      burnwatch = await benchBurnwatch({ adminUrl: ADMIN_URL, slos, ticks: TICKS, nowMinute });
      for (const line of burnwatchLines(burnwatch)) console.log(line);
    }
    if (PROMETHEUS_SLOS.includes(slos)) {
      prometheus = await benchPrometheus({ slos, evaluations: PROMETHEUS_EVALUATIONS, tmpRoot: TMP });
      for (const line of prometheusLines(prometheus)) console.log(line);
    }
    console.log(
      `  load average after this size: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`JSON ${JSON.stringify({ slos, burnwatch, prometheus })}`);
    if (burnwatch && prometheus) {
      const cpu = quantile(
        burnwatch.ticks.map((s) => s.cpuMs + s.postgresCpuMs),
        0.5,
      );
      summary.push(
        `${slos} SLOs: Prometheus CPU per pass over its rules / Burnwatch CPU per tick (Node + Postgres) = ` +
          `${(1000 * prometheus.cpuPerCycleSeconds).toFixed(0)} ms / ${cpu.toFixed(0)} ms = ` +
          `${((1000 * prometheus.cpuPerCycleSeconds) / cpu).toFixed(0)}×`,
      );
    }
  }
  for (const line of summary) console.log(line);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
