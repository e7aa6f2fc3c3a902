import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CachedBody } from '../../common/cached-body.js';
import { CLOCK, Clock } from '../../common/clock.js';
import { ChangeStamps } from '../../database/change-stamps.js';
import { BurnwatchError } from '../../common/errors.js';
import { FieldError } from '../../common/field-error.js';
import { parseOptionalTime } from '../../common/time-param.js';
import { SliRepository } from '../../sli/sli-repository.js';
import { ResolutionView, resolutionView } from '../../sli/hourly.js';
import { seriesMatches } from '../../slo/domain/series-match.js';
import { EventTally, tallyEvents } from '../../slo/domain/event-tally.js';
import {
  SloSpec,
  effectiveBurnRateWindows,
  longestWindowSeconds,
  windowSeconds,
} from '../../slo/domain/slo.js';
import { SliceData, classifySlices, sliceStartOf, timesliceMinutes } from '../../slo/domain/timeslice.js';
import { CorrectionsService } from '../../slo/corrections/corrections.service.js';
import {
  MinuteRange,
  correctedMinuteRanges,
  correctedRanges,
  isCorrectedMinute,
} from '../../slo/domain/corrections.js';
import { SloListCache } from '../../slo/slo-list.cache.js';
import { SloService } from '../../slo/slo.service.js';
import { AlertView, AlertsService } from '../alerts.service.js';
import { EngineEvaluation, SloEngine } from './slo-engine.service.js';
import { SloTimeseries, buildTimeseries } from './timeseries.js';
import { StatusItemJson, viewOf } from './slo-status-json.js';
import { TimeseriesMinutesQuery } from '../../sli/timeseries-minutes.query.js';
import type { SloStatusView } from './slo-status.view.js';
export type { SloStatusSummary, SloStatusView } from './slo-status.view.js';

export type StatusListView = 'full' | 'summary';

const MAX_POINTS = 2000;
const LIST_CACHE_MS = 5_000;
const YIELD_EVERY_ROWS = 2000;

@Injectable()
export class SloStatusService {
  private readonly listCache = new Map<string, { stamp: string; atMs: number; body: CachedBody }>();
  private readonly listFlights = new Map<string, Promise<CachedBody>>();
  private readonly itemJson = new StatusItemJson();
  /** What the cached lists depend on in the database: SLOs, alerts, silences, annotations (see ChangeStamps). */
  private readonly listVersion: ChangeStamps;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SloEngine) private readonly engine: SloEngine,
    @Inject(SloService) private readonly slos: SloService,
    @Inject(SloListCache) private readonly sloList: SloListCache,
    @Inject(AlertsService) private readonly alerts: AlertsService,
    @Inject(SliRepository) private readonly storage: SliRepository,
    @Inject(TimeseriesMinutesQuery) private readonly minutes: TimeseriesMinutesQuery,
    @Inject(CorrectionsService) private readonly corrections: CorrectionsService,
  ) {
    this.listVersion = new ChangeStamps(dataSource, ['slo_changes', 'alert_changes']);
  }

  async status(name: string): Promise<SloStatusView> {
    const now = this.clock.now();
    const spec = await this.slos.getSpec(name);
    const evaluation = await this.engine.statusOf(name, now);
    if (!evaluation) throw BurnwatchError.notFound('name', `no SLO is named "${name}"`);
    const firing = (await this.alerts.list({ slo: name, state: 'firing', limit: 10 }, now)).items;
    return viewOf(spec, evaluation, firing, now);
  }

  /**
   * `all` as the JSON the API sends, cached per filter and view until an evaluation, an SLO, an alert, a silence
   * or an annotation changes (one cheap query tells, shared by concurrent requests), and otherwise rebuilt every
   * LIST_CACHE_MS (a silence expires by the clock, not by a write, and ages grow). After a change every request
   * waits for the new list; when only the clock moved, the previous list is served while one rebuild runs (so an
   * answer is at most LIST_CACHE_MS plus one rebuild old, and never more than twice LIST_CACHE_MS). The list is
   * what the UI polls: serving it must not redo a thousand views per request.
   */
  async allJson(filter: {
    team?: string;
    namespace?: string;
    status?: string;
    view: StatusListView;
  }): Promise<CachedBody> {
    const version = await this.listVersion.current();
    const key = JSON.stringify(filter);
    const stamp = `${this.engine.evaluationVersion}|${version}`;
    const nowMs = this.clock.now().getTime();
    const hit = this.listCache.get(key);
    if (hit && hit.stamp === stamp) {
      const ageMs = nowMs - hit.atMs;
      if (ageMs < LIST_CACHE_MS) return hit.body;
      if (ageMs < 2 * LIST_CACHE_MS) {
        // A failed rebuild is tried again by the next request; the answer here is still current enough.
        this.rebuildList(key, stamp, nowMs, filter).catch(() => undefined);
        return hit.body;
      }
    }
    return this.rebuildList(key, stamp, nowMs, filter);
  }

  /** One rebuild at a time per filter and version: fifty clients polling after a tick wait for the same one. */
  private rebuildList(
    key: string,
    stamp: string,
    nowMs: number,
    filter: { team?: string; namespace?: string; status?: string; view: StatusListView },
  ): Promise<CachedBody> {
    const flightKey = `${key}|${stamp}`;
    let flight = this.listFlights.get(flightKey);
    if (!flight) {
      flight = this.statusParts(filter)
        .then(({ parts, now }) => {
          // Each item's JSON from pieces kept per spec and per evaluation (StatusItemJson), joined into one buffer:
          // a rebuild after the clock moved re-serialises only what depends on the clock, not 1,000 evaluations.
          const items = parts.map(({ spec, evaluation, firing }) =>
            filter.view === 'summary'
              ? this.itemJson.summary(spec, evaluation, firing, now)
              : this.itemJson.full(spec, evaluation, firing, now),
          );
          const fresh = new CachedBody(Buffer.from(`{"items":[${items.join(',')}]}`));
          // The same bytes as before (nothing moved but the clock, and nothing shown depends on it): keep the
          // previous body, so its compressed forms are not made again.
          const previous = this.listCache.get(key)?.body;
          const body = previous?.etag === fresh.etag ? previous : fresh;
          if (this.listCache.size >= 64) this.listCache.clear();
          this.listCache.set(key, { stamp, atMs: nowMs, body });
          return body;
        })
        .finally(() => this.listFlights.delete(flightKey));
      this.listFlights.set(flightKey, flight);
    }
    return flight;
  }

  /**
   * Every SLO's status in a fixed number of queries (the firing alerts; the specs come from the SLO list's memory),
   * the numbers from the engine's memory: the list the UI refreshes must not cost a query per SLO.
   */
  async all(filter: {
    team?: string;
    namespace?: string;
    status?: string;
  }): Promise<{ items: SloStatusView[] }> {
    const { parts, now } = await this.statusParts(filter);
    return {
      items: parts.map(({ spec, evaluation, firing }) => viewOf(spec, evaluation, firing, now)),
    };
  }

  /** What the list's items are made of: each SLO's spec, latest evaluation and firing alerts (at most 10). */
  private async statusParts(filter: { team?: string; namespace?: string; status?: string }): Promise<{
    parts: { spec: SloSpec; evaluation: EngineEvaluation; firing: AlertView[] }[];
    now: Date;
  }> {
    const now = this.clock.now();
    const specs = (await this.sloList.views()).filter(
      (slo) =>
        (filter.team === undefined || slo.team === filter.team) &&
        (filter.namespace === undefined || slo.service.namespace === filter.namespace),
    );
    const evaluations = await this.engine.statusesOf(
      specs.map((s) => s.name),
      now,
    );
    const firing = new Map<string, AlertView[]>();
    for (const alert of (await this.alerts.list({ state: 'firing', limit: 100_000 }, now)).items) {
      const list = firing.get(alert.slo) ?? [];
      if (list.length < 10) list.push(alert);
      firing.set(alert.slo, list);
    }
    const parts: { spec: SloSpec; evaluation: EngineEvaluation; firing: AlertView[] }[] = [];
    for (const spec of specs) {
      const evaluation = evaluations.get(spec.name);
      // Deleted between the query and its evaluation: it is simply no longer in the list.
      if (!evaluation) continue;
      if (filter.status === undefined || evaluation.status === filter.status)
        parts.push({ spec, evaluation, firing: firing.get(spec.name) ?? [] });
    }
    return { parts, now };
  }

  /**
   * An SLO's stored events per minute over [fromMinute, toMinute) (per slice, keyed by its first minute, with
   * timeslices), its budget corrections left out, and the corrected ranges. Sensor data only: a Prometheus SLO's
   * numbers are not stored here (empty counts).
   */
  async countsByMinute(
    spec: SloSpec,
    fromMinute: number,
    toMinute: number,
  ): Promise<{
    counts: Map<number, { total: number; bad: number }>;
    corrected: MinuteRange[];
    hourlyUntilMinute: number | null;
  }> {
    const series = (await this.storage.seriesAfter(0)).filter(
      (s) => spec.source.type === 'sensor' && seriesMatches(spec.service, s),
    );
    const byId = new Map(series.map((s) => [s.id, s]));
    const { rows, hourlyUntilMinute } = await this.minutes.minutes(
      spec.indicator,
      series,
      fromMinute,
      toMinute,
    );
    const timeslices = spec.budgetingMethod === 'timeslices';
    const minutes = new Map<number, SliceData>();
    for (let i = 0; i < rows.length; i += YIELD_EVERY_ROWS) {
      // A month of minutes of many series is a long loop: let other requests (and /healthz) in between.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      tallyEvents(spec.indicator, byId, rows.slice(i, i + YIELD_EVERY_ROWS), (row) => row.minute, {
        keepHistogram: timeslices,
        into: minutes as Map<number, EventTally>,
      });
    }
    // Budget corrections leave their minutes out of every number, as they do in the engine.
    const corrected = correctedMinuteRanges(
      correctedRanges(await this.corrections.ofSlo(spec.name), {
        startMs: fromMinute * 60_000,
        endMs: toMinute * 60_000,
      }),
    );
    for (const minute of [...minutes.keys()])
      if (isCorrectedMinute(corrected, minute)) minutes.delete(minute);
    return { counts: timeslices ? slicesOf(spec, minutes) : minutes, corrected, hourlyUntilMinute };
  }

  async timeseries(
    name: string,
    query: { from?: string; to?: string; step?: string },
  ): Promise<SloTimeseries & { corrected: { from: string; to: string }[]; resolution: ResolutionView }> {
    const spec = await this.slos.getSpec(name);
    const now = this.clock.now();
    const errors: FieldError[] = [];
    const to = parseOptionalTime('to', query.to, now, errors);
    const from = parseOptionalTime(
      'from',
      query.from,
      new Date(to.getTime() - windowSeconds(spec) * 1000),
      errors,
    );
    const toMinute = Math.ceil(to.getTime() / 60_000);
    const fromMinute = Math.floor(from.getTime() / 60_000);
    const span = toMinute - fromMinute;
    let stepMinutes = Math.max(1, Math.ceil(span / 500));
    if (query.step !== undefined) {
      const step = Number(query.step);
      if (!/^\d+$/.test(query.step) || step < 60 || step % 60 !== 0) {
        errors.push({
          field: 'step',
          message: `must be a whole number of seconds, a multiple of 60, got "${query.step}"`,
        });
      } else stepMinutes = step / 60;
    }
    if (errors.length === 0 && span <= 0) errors.push({ field: 'from', message: 'must be before "to"' });
    if (errors.length === 0 && span / stepMinutes > MAX_POINTS) {
      errors.push({
        field: 'step',
        message: `gives more than ${MAX_POINTS} points; use a step of at least ${Math.ceil(span / MAX_POINTS) * 60} s`,
      });
    }
    if (errors.length > 0) throw BurnwatchError.invalid(errors);

    const windowMinutes = longestWindowSeconds(spec) / 60;
    const { counts, corrected, hourlyUntilMinute } = await this.countsByMinute(
      spec,
      fromMinute - windowMinutes,
      toMinute,
    );
    return {
      ...buildTimeseries(spec, effectiveBurnRateWindows(spec), counts, fromMinute, toMinute, stepMinutes),
      corrected: corrected
        .filter((r) => r.toMinute > fromMinute)
        .map((r) => ({
          from: new Date(Math.max(r.fromMinute, fromMinute) * 60_000).toISOString(),
          to: new Date(r.toMinute * 60_000).toISOString(),
        })),
      resolution: resolutionView(hourlyUntilMinute),
    };
  }
}

function slicesOf(
  spec: SloSpec,
  minutes: Map<number, SliceData>,
): Map<number, { total: number; bad: number }> {
  const size = timesliceMinutes(spec);
  const starts = new Set([...minutes.keys()].map((minute) => sliceStartOf(minute, size)));
  return classifySlices(spec, minutes, starts);
}
