import type { MinuteRange } from '../slo/domain/corrections.js';
import type { SloSpec } from '../slo/domain/slo.js';

/**
 * The SLI data layer below the engine: where the events an SLO counts come from. The engine (src/alerts) reads
 * them through one port, `SliSource`, and picks the implementation by `spec.source.type` from `SLI_SOURCES`:
 *
 * - the sensor store (`SensorStoreSliSource`, src/sli/sensor-store-sli-source.ts): per-series, per-minute rows
 *   the scraper writes (`SliRepository`), folded into per-SLO in-memory window sums (`RollingCounts`; for
 *   timeslices the recent minutes too) that each refresh brings up to date — new series, new minutes, and the
 *   history of new or changed SLOs (backfill);
 * - PromQL (`PromqlSliSource`, src/sli/promql/): window sums that Prometheus or VictoriaMetrics computes at each
 *   read, corrected minutes asked for as their own ranges; it holds nothing in memory.
 *
 * The engine keeps SLO runtimes, evaluation, alerts, leases and metrics; it never branches on the source type.
 * The engine (src/alerts) and the SLO definitions (src/slo) read SLI data only through this folder, never from
 * src/integrations (an ESLint rule keeps it so).
 */
export interface SliSource {
  /** An SLO of this source is new or its spec changed: what was held for it is dropped, its history is loaded at
   * the next refresh. */
  track(spec: SloSpec): void;
  /** An SLO (by `spec.name`) was deleted or moved to another source. */
  untrack(name: string): void;
  /** Brings what the source holds up to `now` before an evaluation reads it (new series, minutes, backfills). */
  refresh(now: Date): Promise<void>;
  /** What one evaluation of one tracked SLO at `request.now` reads. */
  read(spec: SloSpec, request: SliRequest): Promise<SliReading>;
  /** The latest minute whose bad events were estimated (a latency threshold between buckets, an hour spread
   * over its minutes), if any: the evaluation is approximate while it lies inside the SLO's longest window. */
  lastApproximateMinute(name: string): number | undefined;
  /** Storage upkeep (rollups, retention): what the source stores before `keepFromMinute` may go. */
  maintain(now: Date, keepFromMinute: number): Promise<{ rolledUp: number; pruned: number }>;
}

/** What an evaluation at `now` reads; all windows end with the minute of `now` (inclusive). */
export interface SliRequest {
  now: Date;
  /** The longest range it reads, in minutes: the budget period so far, or the rolling window. */
  historyMinutes: number;
  /** The tiers' long and short windows, in minutes. */
  windowMinutes: number[];
  /** Data older than this many minutes is stale (freshness). */
  staleAfterMinutes: number;
  /** Corrected minutes the evaluation leaves out of its window sums: they are summed as their own ranges. */
  excludedMinutes: readonly MinuteRange[];
}

/** The answer of `SliSource.read`. */
export interface SliReading {
  /** Events in [fromMinute, toMinute): any window the request names ending at its minute, and any part of an
   * excluded range inside one of those windows. */
  sum(fromMinute: number, toMinute: number): WindowCounts;
  /** The last minute with data, null when there is none in the history (`staleSince` is derived from it). */
  lastDataMinute: number | null;
}

/** Events counted over a range of minutes. */
export interface WindowCounts {
  total: number;
  bad: number;
  minutesWithData: number;
}

/** The source of each `spec.source.type`: the one map the engine picks an SLO's source from. */
export type SliSources = Record<SloSpec['source']['type'], SliSource>;

/** Nest injection token of the `SliSources` map (provided by `SliModule`). */
export const SLI_SOURCES = Symbol('SLI_SOURCES');
