import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { JobScheduler } from '../../common/job-scheduler.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { minuteOf } from '../../sli/sli-repository.js';
import { SLI_SOURCES, SliSource, SliSources } from '../../sli/sli-source.js';
import { MetricsService } from '../../observability/metrics.service.js';
import {
  SloSpec,
  allowedBadRatio,
  budgetPeriodAt,
  effectiveBurnRateWindows,
  longestWindowSeconds,
  windowSeconds,
} from '../../slo/domain/slo.js';
import type { BurnRateWindow } from '../domain/alert-policy.js';
import { timesliceMinutes } from '../../slo/domain/timeslice.js';
import { CorrectionsService } from '../../slo/corrections/corrections.service.js';
import {
  Correction,
  MinuteRange,
  correctedMinuteRanges,
  correctedRanges,
} from '../../slo/domain/corrections.js';
import { AlertStore } from '../alert-store.js';
import { Lease } from './lease.js';
import { SloEvaluation, evaluateSlo, failedEvaluation, nextChange, snapshotOf } from '../domain/evaluate.js';

/** What the engine keeps in memory for one SLO. */
interface SloRuntime {
  spec: SloSpec;
  version: string;
  /** Where its SLI data comes from (`SLI_SOURCES` by `spec.source.type`). */
  source: SliSource;
  /** Since when this SLO's evaluations have failed, while they do. */
  failingSince: Date | undefined;
  evaluation?: EngineEvaluation;
}

export type EngineEvaluation = SloEvaluation & { evaluatedAt: Date; approximate: boolean };

const LEASE = 'alert-evaluator';
/** How often the rollup and the retention run (each run is cheap when there is nothing to move). */
const STORAGE_JOB_SECONDS = 600;

/**
 * The burn-rate engine. Every replica evaluates every SLO on what its SLI source answers (`SliSource`, src/sli:
 * the sensor store keeps per-minute counts in memory, PromQL asks Prometheus), so the status API answers on any
 * replica; only the lease holder turns evaluations into alert transitions. One SLO's failure never stops the
 * others.
 */
@Injectable()
export class SloEngine implements OnApplicationBootstrap {
  private readonly logger = new Logger('SloEngine');
  private readonly runtimes = new Map<string, SloRuntime>();
  private correctionsBySlo = new Map<string, Correction[]>();
  private readonly excludedCache = new Map<string, { key: string; ranges: MinuteRange[] }>();
  private evaluations = 0;
  /** The refresh running now, if any: the next waits for it. */
  private refreshing: Promise<void> = Promise.resolve();
  private readonly tickDuration: Histogram;
  private readonly slosEvaluated: Counter;
  private readonly evaluationErrors: Counter;
  private readonly slosGauge: Gauge;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SLI_SOURCES) private readonly sources: SliSources,
    @Inject(AlertStore) private readonly alerts: AlertStore,
    @Inject(Lease) private readonly lease: Lease,
    @Inject(JobScheduler) private readonly scheduler: JobScheduler,
    @Inject(CorrectionsService) private readonly corrections: CorrectionsService,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    const registers = [metrics.registry];
    this.tickDuration = new Histogram({
      name: 'burnwatch_evaluator_tick_duration_seconds',
      help: 'Duration of one evaluation of every SLO.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.slosEvaluated = new Counter({
      name: 'burnwatch_slos_evaluated_total',
      help: 'SLO evaluations.',
      registers,
    });
    this.evaluationErrors = new Counter({
      name: 'burnwatch_slo_evaluation_errors_total',
      help: 'SLO evaluations that failed (Prometheus unreachable or slow, a query it refused, a bad row), by SLO.',
      labelNames: ['slo'],
      registers,
    });
    this.slosGauge = new Gauge({ name: 'burnwatch_slos', help: 'SLOs known to the engine.', registers });
  }

  onApplicationBootstrap(): void {
    const { schedule, evalIntervalSeconds, retentionDays } = this.config.engine;
    if (!schedule) return;
    this.scheduler.every('evaluate-slos', evalIntervalSeconds, () => this.tick(this.clock.now()));
    this.scheduler.every('maintain-sli-data', STORAGE_JOB_SECONDS, () =>
      this.maintainStorage(this.clock.now(), retentionDays),
    );
  }

  /** One evaluation of every SLO at `now`; returns the transitions applied (empty on replicas without the lease). */
  async tick(now: Date): Promise<{ evaluated: number; transitions: number; leader: boolean }> {
    const stopTimer = this.tickDuration.startTimer();
    try {
      await this.refresh(now);
      const leader = await this.lease.acquire(LEASE, now, this.config.engine.evalIntervalSeconds * 3);
      const firing = leader ? new Map((await this.alerts.allFiring()).map((a) => [a.sloName, a])) : new Map();
      let transitions = 0;
      for (const runtime of this.runtimes.values()) {
        const evaluation = await this.evaluateSafely(runtime, now);
        this.slosEvaluated.inc();
        if (!leader) continue;
        try {
          const current = firing.get(runtime.spec.name) ?? null;
          const change = nextChange(current, evaluation);
          const snapshot = snapshotOf(runtime.spec.objective, evaluation);
          if (change) {
            if (
              await this.alerts.apply(runtime.spec, change, snapshot, now, undefined, {
                requireStoredSlo: true,
              })
            )
              transitions++;
          } else if (current) {
            await this.alerts.updateSnapshot(current.id, snapshot);
          }
        } catch (error) {
          // The alert store failing is not the SLO's fault: the next tick applies the same change again.
          this.logger.error(`Applying the alert of SLO ${runtime.spec.name} failed: ${messageOf(error)}`);
        }
      }
      return { evaluated: this.runtimes.size, transitions, leader };
    } finally {
      stopTimer();
    }
  }

  /** The latest evaluation of an SLO, computing one if the SLO is newer than the last tick. */
  async statusOf(name: string, now: Date): Promise<EngineEvaluation | undefined> {
    let runtime = this.runtimes.get(name);
    if (!runtime?.evaluation) {
      await this.refresh(now);
      runtime = this.runtimes.get(name);
      if (!runtime) return undefined;
      await this.evaluateSafely(runtime, now);
    }
    return runtime.evaluation;
  }

  /** Changes whenever any SLO's evaluation does: what cached views of the evaluations are keyed by. */
  get evaluationVersion(): number {
    return this.evaluations;
  }

  /** The latest evaluations of many SLOs at once: one refresh for all that have none yet (new since the tick). */
  async statusesOf(names: string[], now: Date): Promise<Map<string, EngineEvaluation>> {
    if (names.some((name) => !this.runtimes.get(name)?.evaluation)) {
      await this.refresh(now);
      for (const name of names) {
        const runtime = this.runtimes.get(name);
        if (runtime && !runtime.evaluation) await this.evaluateSafely(runtime, now);
      }
    }
    const result = new Map<string, EngineEvaluation>();
    for (const name of names) {
      const evaluation = this.runtimes.get(name)?.evaluation;
      if (evaluation) result.set(name, evaluation);
    }
    return result;
  }

  /**
   * Evaluates one SLO and keeps the result; a failure becomes that SLO's `error` evaluation (with the reason and
   * since when it has failed) and is counted, and never reaches the other SLOs, the list or the tick.
   */
  private async evaluateSafely(runtime: SloRuntime, now: Date): Promise<EngineEvaluation> {
    const nowMinute = minuteOf(now);
    let evaluation: SloEvaluation;
    try {
      evaluation = await this.evaluate(runtime, now);
      runtime.failingSince = undefined;
    } catch (error) {
      runtime.failingSince ??= now;
      this.evaluationErrors.inc({ slo: runtime.spec.name });
      this.logger.error(`Evaluating SLO ${runtime.spec.name} failed: ${messageOf(error)}`);
      evaluation = failedEvaluation(messageOf(error), runtime.failingSince);
    }
    const lastApproximateMinute = runtime.source.lastApproximateMinute(runtime.spec.name);
    const approximate =
      lastApproximateMinute !== undefined &&
      lastApproximateMinute >= nowMinute - longestWindowSeconds(runtime.spec) / 60;
    runtime.evaluation = { ...evaluation, evaluatedAt: now, approximate };
    this.evaluations++;
    return runtime.evaluation;
  }

  /**
   * Each source's storage upkeep: the sensor store rolls minutes the engine no longer reads per minute into
   * hourly rows, then prunes what is older than the retention (and a day more than the longest window of any
   * SLO). Every replica may run it: the rollup moves each minute row exactly once (see `rollUpBefore`).
   */
  async maintainStorage(now: Date, retentionDays: number): Promise<{ rolledUp: number; pruned: number }> {
    const longestWindowMinutes = Math.max(
      0,
      ...[...this.runtimes.values()].map((r) => longestWindowSeconds(r.spec) / 60),
    );
    const keepMinutes = Math.max(retentionDays * 1440, longestWindowMinutes + 1440);
    const total = { rolledUp: 0, pruned: 0 };
    for (const source of new Set(Object.values(this.sources))) {
      const done = await source.maintain(now, minuteOf(now) - keepMinutes);
      total.rolledUp += done.rolledUp;
      total.pruned += done.pruned;
    }
    return total;
  }

  private async evaluate(runtime: SloRuntime, now: Date): Promise<SloEvaluation> {
    const { spec } = runtime;
    const nowMinute = minuteOf(now);
    const windows = effectiveBurnRateWindows(spec);
    const windowMinutes = windowSeconds(spec) / 60;
    const staleAfterMinutes = Math.ceil(this.config.engine.staleAfterSeconds / 60);
    const period = budgetPeriodAt(spec, nowMinute * 60_000);
    const budgetPeriod = period.calendar
      ? {
          fromMinute: Math.round(period.startMs / 60_000),
          minutes: Math.round((period.endMs - period.startMs) / 60_000),
        }
      : undefined;
    const timeslices = spec.budgetingMethod === 'timeslices';
    const input = {
      budgetPeriod,
      windowMinutes,
      allowedBadRatio: allowedBadRatio(spec),
      windows,
      nowMinute,
      // With timeslices a window counts slices, each already a judgement on its own requests: one is enough.
      minEvents: timeslices ? 1 : (spec.alerting?.minEvents ?? this.config.engine.minEvents),
      staleAfterMinutes,
      sliceMinutes: timeslices ? timesliceMinutes(spec) : undefined,
      excludedMinutes: this.excludedMinutesOf(spec, nowMinute, windows),
    };
    const reading = await runtime.source.read(spec, {
      now,
      historyMinutes: budgetPeriod ? nowMinute + 1 - budgetPeriod.fromMinute : windowMinutes,
      windowMinutes: windows.flatMap((w) => [w.longWindowSeconds / 60, w.shortWindowSeconds / 60]),
      staleAfterMinutes,
      excludedMinutes: input.excludedMinutes,
    });
    return evaluateSlo({ ...input, sum: reading.sum, lastDataMinute: reading.lastDataMinute });
  }

  /** Every SLO's budget corrections, read once per tick (one query). */
  private async refreshCorrections(): Promise<void> {
    this.correctionsBySlo = await this.corrections.allBySloName();
  }

  /**
   * The minutes an SLO's corrections leave out of what the evaluation at `nowMinute` reads: the budget period (a
   * calendar one to its end, for the slices it budgets) and every tier's window.
   */
  private excludedMinutesOf(spec: SloSpec, nowMinute: number, windows: BurnRateWindow[]): MinuteRange[] {
    const list = this.correctionsBySlo.get(spec.name);
    if (!list || list.length === 0) return [];
    // Expanding recurring rules over a month is the costly part: done once an hour per SLO, over what every tick
    // of that hour reads (ranges beyond a window are cut by the window sums).
    const hourStartMs = Math.floor(nowMinute / 60) * 3_600_000;
    const key = `${Math.floor(nowMinute / 60)}|${JSON.stringify(list)}|${JSON.stringify(spec.window)}`;
    const cached = this.excludedCache.get(spec.name);
    if (cached?.key === key) return cached.ranges;
    const hourEndMs = hourStartMs + 3_600_000;
    const longestTierMs = Math.max(0, ...windows.map((w) => w.longWindowSeconds * 1000));
    const ranges = correctedMinuteRanges(
      correctedRanges(list, {
        startMs: Math.min(budgetPeriodAt(spec, hourStartMs).startMs, hourStartMs - longestTierMs),
        endMs: Math.max(budgetPeriodAt(spec, hourEndMs).endMs, hourEndMs + 60_000),
      }),
    );
    this.excludedCache.set(spec.name, { key, ranges });
    return ranges;
  }

  /**
   * What the SLOs, their series, their data and their corrections are now. One refresh at a time: a status request
   * (the UI polls) and the tick both refresh, and a second one running while the first backfills a new SLO would
   * fold recent minutes into its counts before its history, which the counts then refuse (history lost).
   */
  private refresh(now: Date): Promise<void> {
    const run = this.refreshing.then(() => this.refreshOnce(now));
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async refreshOnce(now: Date): Promise<void> {
    await this.refreshSlos();
    for (const source of new Set(Object.values(this.sources))) await source.refresh(now);
    await this.refreshCorrections();
  }

  /**
   * Which SLOs exist and at which version, from a light list (no spec documents); only the specs of SLOs new or
   * changed since the last refresh are read. An SLO missing from the list was deleted.
   */
  private async refreshSlos(): Promise<void> {
    const list: { name: string; updated_at: Date; version: number }[] = await this.dataSource.query(
      `SELECT name, updated_at, version FROM slos`,
    );
    const versionOf = (row: { updated_at: Date; version: number }) =>
      `${row.version}|${row.updated_at.toISOString()}`;
    const changed = list.filter((row) => this.runtimes.get(row.name)?.version !== versionOf(row));
    const rows: { name: string; spec: SloSpec; updated_at: Date; version: number }[] =
      changed.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT name, spec, updated_at, version FROM slos WHERE name = ANY($1::text[])`,
            [changed.map((row) => row.name)],
          );
    const seen = new Set(list.map((row) => row.name));
    for (const row of rows) {
      seen.add(row.name);
      const version = versionOf(row);
      const existing = this.runtimes.get(row.name);
      if (existing?.version === version) continue;
      if (existing) existing.source.untrack(existing.spec.name);
      const runtime: SloRuntime = {
        spec: row.spec,
        version,
        source: this.sources[row.spec.source.type],
        failingSince: undefined,
      };
      runtime.source.track(runtime.spec);
      this.runtimes.set(row.name, runtime);
    }
    for (const [name, runtime] of this.runtimes) {
      if (!seen.has(name)) {
        runtime.source.untrack(runtime.spec.name);
        this.runtimes.delete(name);
        this.excludedCache.delete(name);
      }
    }
    this.slosGauge.set(this.runtimes.size);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
