import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { JobScheduler } from '../../common/job-scheduler.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { MinuteRow, SliRepository, StoredSeries, minuteOf } from '../../sli/sli-repository.js';
import {
  HourRow,
  MINUTES_PER_HOUR,
  minuteResolutionFrom,
  popcount,
  rollupBefore,
  spreadHour,
} from '../../sli/hourly.js';
import { PromqlSliSource } from '../../sli/promql/promql-sli-source.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { isErrorSeries, needsHistogram, seriesMatches } from '../../slo/domain/series-match.js';
import {
  SloSpec,
  allowedBadRatio,
  budgetPeriodAt,
  effectiveBurnRateWindows,
  longestWindowSeconds,
  windowSeconds,
} from '../../slo/domain/slo.js';
import type { BurnRateWindow } from '../domain/alert-policy.js';
import { SliceData, classifySlices, sliceStartOf, timesliceMinutes } from '../../slo/domain/timeslice.js';
import { CorrectionsService } from '../../slo/corrections/corrections.service.js';
import {
  Correction,
  MinuteRange,
  correctedMinuteRanges,
  correctedRanges,
} from '../../slo/domain/corrections.js';
import { AlertStore } from '../alert-store.js';
import { Lease } from './lease.js';
import { MinuteCountsStore } from './minute-counts.js';
import { tallyEvents } from '../../slo/domain/event-tally.js';
import { RollingCounts, capacityForSlo } from '../../slo/domain/rolling-counts.js';
import { SloEvaluation, evaluateSlo, failedEvaluation, nextChange, snapshotOf } from '../domain/evaluate.js';

/** What the engine keeps in memory for one SLO. */
interface SloRuntime {
  spec: SloSpec;
  version: string;
  seriesIds: Set<number>;
  counts: MinuteCountsStore;
  /** The latest minute whose bad events were estimated (a latency threshold between buckets). */
  lastApproximateMinute: number | undefined;
  /** Since when this SLO's evaluations have failed, while they do. */
  failingSince: Date | undefined;
  needsBackfill: boolean;
  /** Timeslices budgeting: recent per-minute data, to classify slices as their minutes arrive. */
  minuteData?: Map<number, SliceData>;
  evaluation?: EngineEvaluation;
}

export type EngineEvaluation = SloEvaluation & { evaluatedAt: Date; approximate: boolean };

const LEASE = 'alert-evaluator';
/** Error-rate SLOs backfilled per query: bounds the rows one answer holds (about 2,300 per SLO for 30 d),
 * so the memory a restart needs. */
const BACKFILL_BATCH = 100;
/** How often the rollup and the retention run (each run is cheap when there is nothing to move). */
const STORAGE_JOB_SECONDS = 600;
/** Minutes re-read at every tick: a scrape may still add to the minute that just ended. */
const LATE_MINUTES = 2;

/**
 * The burn-rate engine. Every replica keeps every SLO's per-minute good/bad counts in memory, fed incrementally
 * from Postgres, and evaluates them (so the status API answers on any replica); only the lease holder turns
 * evaluations into alert transitions. One SLO's failure never stops the others.
 */
@Injectable()
export class SloEngine implements OnApplicationBootstrap {
  private readonly logger = new Logger('SloEngine');
  private readonly runtimes = new Map<string, SloRuntime>();
  private readonly series = new Map<number, StoredSeries>();
  private readonly subscribers = new Map<number, SloRuntime[]>();
  private maxSeriesId = 0;
  private correctionsBySlo = new Map<string, Correction[]>();
  private readonly excludedCache = new Map<string, { key: string; ranges: MinuteRange[] }>();
  private evaluations = 0;
  private watermark: number | undefined;
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
    @Inject(SliRepository) private readonly storage: SliRepository,
    @Inject(AlertStore) private readonly alerts: AlertStore,
    @Inject(Lease) private readonly lease: Lease,
    @Inject(JobScheduler) private readonly scheduler: JobScheduler,
    @Inject(PromqlSliSource) private readonly promql: PromqlSliSource,
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
    const approximate =
      runtime.lastApproximateMinute !== undefined &&
      runtime.lastApproximateMinute >= nowMinute - longestWindowSeconds(runtime.spec) / 60;
    runtime.evaluation = { ...evaluation, evaluatedAt: now, approximate };
    this.evaluations++;
    return runtime.evaluation;
  }

  /**
   * Rolls minutes the engine no longer reads per minute into hourly rows, then prunes what is older than the
   * retention. Every replica may run it: the rollup moves each minute row exactly once (see `rollUpBefore`).
   */
  async maintainStorage(now: Date, retentionDays: number): Promise<{ rolledUp: number; pruned: number }> {
    const rolledUp = await this.storage.rollUpBefore(rollupBefore(minuteOf(now)));
    return { rolledUp, pruned: await this.prune(now, retentionDays) };
  }

  async prune(now: Date, retentionDays: number): Promise<number> {
    const longestWindowMinutes = Math.max(
      0,
      ...[...this.runtimes.values()].map((r) => longestWindowSeconds(r.spec) / 60),
    );
    const keepMinutes = Math.max(retentionDays * 1440, longestWindowMinutes + 1440);
    return this.storage.pruneBefore(minuteOf(now) - keepMinutes);
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
    const input = {
      budgetPeriod,
      windowMinutes,
      allowedBadRatio: allowedBadRatio(spec),
      windows,
      nowMinute,
      // With timeslices a window counts slices, each already a judgement on its own requests: one is enough.
      minEvents: runtime.minuteData ? 1 : (spec.alerting?.minEvents ?? this.config.engine.minEvents),
      staleAfterMinutes,
      sliceMinutes: runtime.minuteData ? timesliceMinutes(spec) : undefined,
      excludedMinutes: this.excludedMinutesOf(spec, nowMinute, windows),
    };
    if (spec.source.type === 'prometheus') {
      const reading = await this.promql.read(spec, {
        now,
        historyMinutes: budgetPeriod ? nowMinute + 1 - budgetPeriod.fromMinute : windowMinutes,
        windowMinutes: windows.flatMap((w) => [w.longWindowSeconds / 60, w.shortWindowSeconds / 60]),
        staleAfterMinutes,
        excludedMinutes: input.excludedMinutes,
      });
      return evaluateSlo({ ...input, sum: reading.sum, lastDataMinute: reading.lastDataMinute });
    }
    return evaluateSlo({
      ...input,
      sum: (from, to) => runtime.counts.sum(from, to),
      lastDataMinute: runtime.counts.lastMinuteWithData() ?? null,
    });
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
    await this.refreshSeries();
    await this.loadData(minuteOf(now));
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
      if (existing) this.unsubscribe(existing);
      const runtime: SloRuntime = {
        spec: row.spec,
        version,
        seriesIds: new Set(),
        counts: new RollingCounts(
          capacityForSlo(
            longestWindowSeconds(row.spec),
            Math.max(0, ...effectiveBurnRateWindows(row.spec).map((w) => w.longWindowSeconds)),
          ),
        ),
        lastApproximateMinute: undefined,
        failingSince: undefined,
        needsBackfill: true,
        minuteData: row.spec.budgetingMethod === 'timeslices' ? new Map() : undefined,
      };
      for (const series of this.series.values()) this.subscribeIfMatching(runtime, series);
      this.runtimes.set(row.name, runtime);
    }
    for (const [name, runtime] of this.runtimes) {
      if (!seen.has(name)) {
        this.unsubscribe(runtime);
        this.runtimes.delete(name);
        this.excludedCache.delete(name);
      }
    }
    this.slosGauge.set(this.runtimes.size);
  }

  private async refreshSeries(): Promise<void> {
    for (const series of await this.storage.seriesAfter(this.maxSeriesId)) {
      this.series.set(series.id, series);
      this.maxSeriesId = Math.max(this.maxSeriesId, series.id);
      for (const runtime of this.runtimes.values()) {
        // History of a series new to a known SLO is loaded with a backfill.
        if (this.subscribeIfMatching(runtime, series)) runtime.needsBackfill = true;
      }
    }
  }

  private async loadData(nowMinute: number): Promise<void> {
    const summable: SloRuntime[] = [];
    for (const runtime of this.runtimes.values()) {
      if (!runtime.needsBackfill) continue;
      runtime.counts.clear();
      runtime.minuteData?.clear();
      runtime.lastApproximateMinute = undefined;
      runtime.needsBackfill = false;
      if (runtime.seriesIds.size === 0) continue;
      if (runtime.spec.indicator.type === 'errorRate' && !runtime.minuteData) summable.push(runtime);
      else await this.backfill(runtime, nowMinute);
    }
    for (let i = 0; i < summable.length; i += BACKFILL_BATCH)
      await this.backfillSummed(summable.slice(i, i + BACKFILL_BATCH), nowMinute);
    const from =
      this.watermark === undefined
        ? nowMinute - LATE_MINUTES
        : Math.min(this.watermark, nowMinute) - LATE_MINUTES;
    this.apply(await this.storage.minutesFrom(from, nowMinute + 1), undefined);
    this.watermark = nowMinute;
  }

  /**
   * Where an SLO's backfill starts (`from`), its first whole hour (`firstHour`: the minutes before it, in the hour
   * the window starts in, are read per minute, so that data starting there is exact as in a long-running
   * replica; an hour already rolled up there is left out, as the window's rounding to hours would leave it), and
   * from where it reads minutes again (`boundary`).
   */
  private backfillRange(
    runtime: SloRuntime,
    nowMinute: number,
  ): { from: number; firstHour: number; boundary: number } {
    const windowMinutes = longestWindowSeconds(runtime.spec) / 60;
    const from = nowMinute - windowMinutes - 1;
    const boundary = Math.max(from, minuteResolutionFrom(nowMinute));
    // The hour holding the window's first minute is read per minute: loaded as a whole hour it would be rounded
    // away by the window sums (a window starting at 10:01 leaves the 10:00 hour out). `from` is two minutes
    // earlier than that first minute, so rounding `from` up missed it when the window began in an hour's first
    // two minutes (a tick at :00 or :01).
    const windowStart = nowMinute - windowMinutes + 1;
    return {
      from,
      firstHour: Math.min(Math.ceil(windowStart / MINUTES_PER_HOUR), boundary / MINUTES_PER_HOUR),
      boundary,
    };
  }

  /**
   * Error-rate SLOs' history summed in SQL, many SLOs per query: their bad events are whole series, so no bucket
   * arrays are read and one row per SLO and hour (beyond the minute boundary, straight into the hour part of its
   * counts) or minute comes back.
   */
  private async backfillSummed(runtimes: SloRuntime[], nowMinute: number): Promise<void> {
    const groups = runtimes.map((runtime, group) => {
      const { from, firstHour, boundary } = this.backfillRange(runtime, nowMinute);
      const ids = [...runtime.seriesIds];
      const indicator = runtime.spec.indicator;
      const isBad = (id: number) => {
        const series = this.series.get(id);
        return indicator.type === 'errorRate' && series !== undefined && isErrorSeries(indicator, series);
      };
      return {
        group,
        from,
        firstHour,
        boundary,
        seriesIds: ids,
        badSeriesIds: ids.filter(isBad),
      };
    });
    const boundary = minuteResolutionFrom(nowMinute);
    const old = groups.filter((g) => g.from < g.boundary);
    const edge = await this.storage.sums(
      'minute',
      old.map((g) => ({ ...g, to: g.firstHour * MINUTES_PER_HOUR })),
      boundary,
    );
    for (const m of edge) runtimes[m.group]!.counts.set(m.at, m.total, m.bad);
    const hours = await this.storage.sums(
      'hour',
      old.map((g) => ({ ...g, from: g.firstHour, to: g.boundary / MINUTES_PER_HOUR })),
      boundary / MINUTES_PER_HOUR,
    );
    for (const h of hours)
      if (h.total > 0) runtimes[h.group]!.counts.addHour(h.at, h.total, h.bad, h.minutesWithData);
    const minutes = await this.storage.sums(
      'minute',
      groups.map((g) => ({ ...g, from: g.boundary })),
      nowMinute + 1,
    );
    for (const m of minutes) runtimes[m.group]!.counts.set(m.at, m.total, m.bad);
  }

  /**
   * An SLO's history when its bad events need each series (latency, timeslices): hours beyond the minute boundary
   * into the hour part of its counts, then the minutes since. Timeslices need minutes: an hour is spread over its
   * minutes with data, every slice of it judged on the hour's ratio, and said to be approximate.
   */
  private async backfill(runtime: SloRuntime, nowMinute: number): Promise<void> {
    const { spec } = runtime;
    const { from, firstHour, boundary } = this.backfillRange(runtime, nowMinute);
    const ids = [...runtime.seriesIds];
    if (from < boundary) {
      const histogram = needsHistogram(spec.indicator);
      this.apply(
        await this.storage.minutesFrom(from, firstHour * MINUTES_PER_HOUR, ids, undefined, histogram),
        [runtime],
      );
      const fromHour = firstHour;
      const toHour = boundary / MINUTES_PER_HOUR;
      const hours = await this.storage.seriesHours(fromHour, toHour, ids, needsHistogram(spec.indicator));
      if (runtime.minuteData) {
        this.storage.countSpreadHours('timeslices-backfill', hours.length);
        this.apply(
          hours.flatMap((h) => spreadHour(h)),
          [runtime],
        );
        if (hours.length > 0)
          runtime.lastApproximateMinute = Math.max(
            runtime.lastApproximateMinute ?? -Infinity,
            (hours[hours.length - 1]!.hour + 1) * MINUTES_PER_HOUR - 1,
          );
      } else this.applyHours(runtime, hours);
    }
    const rows = await this.storage.minutesFrom(
      boundary,
      nowMinute + 1,
      ids,
      undefined,
      needsHistogram(spec.indicator),
    );
    this.apply(rows, [runtime]);
  }

  /** Per-series hourly rows into the hour part of one SLO's counts: bad events per series, minutes as a union. */
  private applyHours(runtime: SloRuntime, hours: HourRow[]): void {
    const masks = new Map<number, bigint>();
    for (const h of hours)
      if (this.series.has(h.seriesId)) masks.set(h.hour, (masks.get(h.hour) ?? 0n) | h.minuteMask);
    // Keyed by hour: each row stands at its hour (`minute` is the hour here).
    const perHour = tallyEvents(
      runtime.spec.indicator,
      this.series,
      hours.map((h) => ({ seriesId: h.seriesId, minute: h.hour, requests: h.requests, buckets: h.buckets })),
      (row) => row.minute,
    );
    for (const [hour, tally] of perHour) {
      if (tally.lastApproximateMinute !== undefined)
        runtime.lastApproximateMinute = Math.max(
          runtime.lastApproximateMinute ?? -Infinity,
          (hour + 1) * MINUTES_PER_HOUR - 1,
        );
      if (tally.total > 0)
        runtime.counts.addHour(
          hour,
          tally.total,
          Math.min(tally.bad, tally.total),
          popcount(masks.get(hour)!),
        );
    }
  }

  /** Adds rows to the runtimes subscribed to their series; every minute present is replaced as a whole. */
  private apply(rows: MinuteRow[], only: SloRuntime[] | undefined): void {
    const perRuntime = new Map<SloRuntime, MinuteRow[]>();
    for (const row of rows) {
      const runtimes = only ?? this.subscribers.get(row.seriesId);
      if (!runtimes || !this.series.has(row.seriesId)) continue;
      for (const runtime of runtimes) {
        if (!runtime.seriesIds.has(row.seriesId)) continue;
        const list = perRuntime.get(runtime);
        if (list) list.push(row);
        else perRuntime.set(runtime, [row]);
      }
    }
    for (const [runtime, list] of perRuntime) {
      const minutes = tallyEvents(runtime.spec.indicator, this.series, list, (row) => row.minute, {
        keepHistogram: runtime.minuteData !== undefined,
      });
      for (const tally of minutes.values())
        if (tally.lastApproximateMinute !== undefined)
          runtime.lastApproximateMinute = Math.max(
            runtime.lastApproximateMinute ?? -Infinity,
            tally.lastApproximateMinute,
          );
      if (runtime.minuteData) this.applySlices(runtime, minutes);
      else for (const [minute, data] of minutes) runtime.counts.set(minute, data.total, data.bad);
    }
  }

  /** Timeslices: keep the minutes, re-classify every slice they touch, store one count per slice. */
  private applySlices(runtime: SloRuntime, minutes: Map<number, SliceData>): void {
    const minuteData = runtime.minuteData!;
    const size = timesliceMinutes(runtime.spec);
    const touched = new Set<number>();
    let latest = -Infinity;
    for (const [minute, data] of minutes) {
      minuteData.set(minute, data);
      touched.add(sliceStartOf(minute, size));
      latest = Math.max(latest, minute);
    }
    for (const [start, counts] of classifySlices(runtime.spec, minuteData, touched))
      runtime.counts.set(start, counts.total, counts.bad);
    // Only the minutes of slices that late data can still change are kept.
    const keepFrom = sliceStartOf(latest - LATE_MINUTES, size);
    for (const minute of minuteData.keys()) if (minute < keepFrom) minuteData.delete(minute);
  }

  private subscribeIfMatching(runtime: SloRuntime, series: StoredSeries): boolean {
    if (runtime.spec.source.type !== 'sensor' || !seriesMatches(runtime.spec.service, series)) return false;
    runtime.seriesIds.add(series.id);
    const list = this.subscribers.get(series.id) ?? [];
    list.push(runtime);
    this.subscribers.set(series.id, list);
    return true;
  }

  private unsubscribe(runtime: SloRuntime): void {
    for (const id of runtime.seriesIds) {
      const list = this.subscribers.get(id)?.filter((r) => r !== runtime) ?? [];
      this.subscribers.set(id, list);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
