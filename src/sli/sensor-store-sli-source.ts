import { Inject, Injectable } from '@nestjs/common';
import { isErrorSeries, needsHistogram, seriesMatches } from '../slo/domain/series-match.js';
import { SloSpec, effectiveBurnRateWindows, longestWindowSeconds } from '../slo/domain/slo.js';
import { SliceData, classifySlices, sliceStartOf, timesliceMinutes } from '../slo/domain/timeslice.js';
import { tallyEvents } from '../slo/domain/event-tally.js';
import { RollingCounts, capacityForSlo } from '../slo/domain/rolling-counts.js';
import {
  HourRow,
  MINUTES_PER_HOUR,
  minuteResolutionFrom,
  popcount,
  rollupBefore,
  spreadHour,
} from './hourly.js';
import type { MinuteCountsStore } from './minute-counts.js';
import { MinuteRow, SliRepository, StoredSeries, SummedCounts, minuteOf } from './sli-repository.js';
import type { SliReading, SliRequest, SliSource } from './sli-source.js';

/** What the sensor store keeps in memory for one SLO (the fields SloEngine's runtimes held before the SLI port). */
interface SloRuntime {
  spec: SloSpec;
  seriesIds: Set<number>;
  counts: MinuteCountsStore;
  /** The latest minute whose bad events were estimated (a latency threshold between buckets). */
  lastApproximateMinute: number | undefined;
  needsBackfill: boolean;
  /** Timeslices budgeting: recent per-minute data, to classify slices as their minutes arrive. */
  minuteData?: Map<number, SliceData>;
}

/** Error-rate SLOs backfilled per query: bounds the rows one answer holds (about 2,300 per SLO for 30 d),
 * so the memory a restart needs. */
const BACKFILL_BATCH = 100;
/** Minutes re-read at every refresh: a scrape may still add to the minute that just ended. */
const LATE_MINUTES = 2;

/**
 * SLI events of SLOs whose source is the sensor: every SLO's per-minute good/bad counts in memory, fed
 * incrementally from the per-series rows in Postgres (`SliRepository`). Each refresh reads the series new since
 * the last one, the minutes since the last one (and `LATE_MINUTES` before), and backfills the SLOs that are new,
 * changed or matched a new series: error rates summed in SQL, latency and timeslices per series.
 */
@Injectable()
export class SensorStoreSliSource implements SliSource {
  private readonly runtimes = new Map<string, SloRuntime>();
  private readonly series = new Map<number, StoredSeries>();
  private readonly subscribers = new Map<number, SloRuntime[]>();
  /**
   * Series and SLOs by what an SLO's service matches on (namespace and workload, or the service name): matching
   * 10,000 SLOs against 20,000 series pair by pair took seconds of every restart.
   */
  private readonly seriesByTarget = new Map<string, StoredSeries[]>();
  private readonly runtimesByTarget = new Map<string, Set<SloRuntime>>();
  private maxSeriesId = 0;
  private watermark: number | undefined;

  constructor(@Inject(SliRepository) private readonly storage: SliRepository) {}

  track(spec: SloSpec): void {
    this.untrack(spec.name);
    const runtime: SloRuntime = {
      spec,
      seriesIds: new Set(),
      counts: new RollingCounts(
        capacityForSlo(
          longestWindowSeconds(spec),
          Math.max(0, ...effectiveBurnRateWindows(spec).map((w) => w.longWindowSeconds)),
        ),
      ),
      lastApproximateMinute: undefined,
      needsBackfill: true,
      minuteData: spec.budgetingMethod === 'timeslices' ? new Map() : undefined,
    };
    const target = targetOfService(spec.service);
    for (const series of this.seriesByTarget.get(target) ?? []) this.subscribeIfMatching(runtime, series);
    this.runtimes.set(spec.name, runtime);
    const runtimes = this.runtimesByTarget.get(target) ?? new Set();
    runtimes.add(runtime);
    this.runtimesByTarget.set(target, runtimes);
  }

  untrack(name: string): void {
    const runtime = this.runtimes.get(name);
    if (!runtime) return;
    this.unsubscribe(runtime);
    this.runtimes.delete(name);
    this.runtimesByTarget.get(targetOfService(runtime.spec.service))?.delete(runtime);
  }

  async refresh(now: Date): Promise<void> {
    await this.refreshSeries();
    await this.loadData(minuteOf(now));
  }

  async read(spec: SloSpec, _request: SliRequest): Promise<SliReading> {
    const runtime = this.runtimes.get(spec.name);
    if (!runtime) throw new Error(`the sensor store does not track SLO ${spec.name}`);
    return {
      sum: (from, to) => runtime.counts.sum(from, to),
      lastDataMinute: runtime.counts.lastMinuteWithData() ?? null,
    };
  }

  lastApproximateMinute(name: string): number | undefined {
    return this.runtimes.get(name)?.lastApproximateMinute;
  }

  /**
   * Rolls minutes no longer read per minute into hourly rows, then prunes what is older than `keepFromMinute`.
   * Every replica may run it: the rollup moves each minute row exactly once (see `rollUpBefore`).
   */
  async maintain(now: Date, keepFromMinute: number): Promise<{ rolledUp: number; pruned: number }> {
    const rolledUp = await this.storage.rollUpBefore(rollupBefore(minuteOf(now)));
    return { rolledUp, pruned: await this.storage.pruneBefore(keepFromMinute) };
  }

  private async refreshSeries(): Promise<void> {
    for (const series of await this.storage.seriesAfter(this.maxSeriesId)) {
      this.series.set(series.id, series);
      this.maxSeriesId = Math.max(this.maxSeriesId, series.id);
      for (const target of targetsOfSeries(series)) {
        const list = this.seriesByTarget.get(target) ?? [];
        list.push(series);
        this.seriesByTarget.set(target, list);
        for (const runtime of this.runtimesByTarget.get(target) ?? []) {
          // History of a series new to a known SLO is loaded with a backfill.
          if (this.subscribeIfMatching(runtime, series)) runtime.needsBackfill = true;
        }
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
    // One batch is read while the one before is added up: Postgres and Node each keep a core busy.
    const batches: SloRuntime[][] = [];
    for (let i = 0; i < summable.length; i += BACKFILL_BATCH)
      batches.push(summable.slice(i, i + BACKFILL_BATCH));
    let next = batches.length > 0 ? this.readSummed(batches[0]!, nowMinute) : undefined;
    for (let k = 0; k < batches.length; k++) {
      const read = await next!;
      next = k + 1 < batches.length ? this.readSummed(batches[k + 1]!, nowMinute) : undefined;
      // Awaited in the next round; a failure of this round must not leave it unhandled.
      next?.catch(() => undefined);
      applySummed(batches[k]!, read);
    }
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
  private async readSummed(runtimes: SloRuntime[], nowMinute: number): Promise<SummedBackfill> {
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
    // Three independent reads, at once: Postgres sums one while another's answer is parsed.
    const [edge, hours, minutes] = await Promise.all([
      this.storage.sums(
        'minute',
        old.map((g) => ({ ...g, to: g.firstHour * MINUTES_PER_HOUR })),
        boundary,
      ),
      this.storage.sums(
        'hour',
        old.map((g) => ({ ...g, from: g.firstHour, to: g.boundary / MINUTES_PER_HOUR })),
        boundary / MINUTES_PER_HOUR,
      ),
      this.storage.sums(
        'minute',
        groups.map((g) => ({ ...g, from: g.boundary })),
        nowMinute + 1,
      ),
    ]);
    return { edge, hours, minutes };
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

const workloadTarget = (namespace: string, workload: string) => `workload\u0000${namespace}\u0000${workload}`;
const serviceTarget = (serviceName: string) => `service\u0000${serviceName}`;

/** What an SLO's service is matched on (see `seriesMatches`): its namespace and workload, or a service name. */
function targetOfService(service: SloSpec['service']): string {
  return service.namespace !== undefined
    ? workloadTarget(service.namespace, service.workload)
    : serviceTarget(service.workload);
}

/** The targets a series can be matched on: its workload, and its service name. */
function targetsOfSeries(series: StoredSeries): string[] {
  return [workloadTarget(series.namespace, series.workload), serviceTarget(series.serviceName)];
}

/** One batch's summed history (see `readSummed`). */
interface SummedBackfill {
  edge: SummedCounts[];
  hours: SummedCounts[];
  minutes: SummedCounts[];
}

/** A batch's summed history into each SLO's counts (`group` is its index in the batch). */
function applySummed(runtimes: SloRuntime[], { edge, hours, minutes }: SummedBackfill): void {
  // Into each SLO's counts in time order: the window's first partial hour, whole hours, then the minutes.
  for (const e of edge) {
    const counts = runtimes[e.group]!.counts;
    for (let i = 0; i < e.at.length; i++) counts.set(e.at[i]!, e.total[i]!, e.bad[i]!);
  }
  for (const h of hours) {
    const counts = runtimes[h.group]!.counts;
    for (let i = 0; i < h.at.length; i++)
      if (h.total[i]! > 0) counts.addHour(h.at[i]!, h.total[i]!, h.bad[i]!, h.minutesWithData[i]!);
  }
  for (const m of minutes) {
    const counts = runtimes[m.group]!.counts;
    for (let i = 0; i < m.at.length; i++) counts.set(m.at[i]!, m.total[i]!, m.bad[i]!);
  }
}
