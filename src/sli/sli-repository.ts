import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import {
  HistogramDelta,
  SeriesLabels,
  TargetCounters,
  seriesKey,
} from '../integrations/metrics/sensor-histograms.js';
import type { StoredExactCounts } from './sli-storage.entities.js';
import { HourRow, MINUTES_PER_HOUR, hoursOverlapping, spreadHour } from './hourly.js';

export interface StoredSeries extends SeriesLabels {
  id: number;
  bounds: number[];
}

export interface MinuteRow {
  seriesId: number;
  minute: number;
  requests: number;
  buckets: number[];
}

/**
 * Events of one SLO's series per minute or hour (see `SliRepository.sums`): parallel arrays,
 * ordered by time, one entry per minute or hour that holds rows.
 */
export interface SummedCounts {
  group: number;
  /** The minutes, or the hours (hours since the epoch). */
  at: number[];
  total: number[];
  bad: number[];
  /** Minutes holding requests (exact across series: the union of their minutes). */
  minutesWithData: number[];
}

/** Rows of a range at the resolution storage has them: minutes, and older hours spread over their minutes. */
export interface RangeRows {
  rows: MinuteRow[];
  /** The end of the hourly data read (exclusive, a minute), null when all came at minute resolution. */
  hourlyUntilMinute: number | null;
}

const NO_BUCKETS: number[] = [];

export const minuteOf = (at: Date): number => Math.floor(at.getTime() / 60_000);

/** Per-minute SLI storage in Postgres: one row per workload series and minute, whatever the number of pods. */
@Injectable()
export class SliRepository {
  private readonly seriesIds = new Map<string, number>();
  private readonly spreadHours: Counter;
  private readonly rolledUp: Counter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.spreadHours = new Counter({
      name: 'burnwatch_sli_hours_spread_total',
      help: 'Hourly SLI rows read where minutes were asked for: spread over their minutes with data (exact per hour, estimated within it), by reader.',
      labelNames: ['reader'],
      registers: [metrics.registry],
    });
    this.rolledUp = new Counter({
      name: 'burnwatch_sli_minutes_rolled_up_total',
      help: 'Per-minute SLI rows moved into hourly rows (older than the engine reads per minute).',
      registers: [metrics.registry],
    });
  }

  /** Counts hourly rows a reader spread over minutes (an estimate within the hour; its answer says so too). */
  countSpreadHours(reader: string, hours: number): void {
    if (hours > 0) this.spreadHours.inc({ reader }, hours);
  }

  /**
   * Claims `target` for one scrape until `ttlMs` from now by the database's clock (so replicas' clocks do not
   * matter); null while another replica's claim holds. A claim that is never stored or released runs out.
   */
  async claimTarget(target: string, ttlMs: number): Promise<string | null> {
    const claim = randomUUID();
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO scrape_targets (target, claim, claim_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (target) DO UPDATE SET claim = EXCLUDED.claim, claim_until = EXCLUDED.claim_until
       WHERE scrape_targets.claim IS NULL OR scrape_targets.claim_until < now()
       RETURNING claim`,
      [target, claim, ttlMs],
    );
    return rows.length === 1 ? claim : null;
  }

  /** Gives a claim back without storing anything (the scrape failed). */
  async releaseTarget(target: string, claim: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE scrape_targets SET claim = NULL, claim_until = NULL WHERE target = $1 AND claim = $2`,
      [target, claim],
    );
  }

  /**
   * In one transaction, and only while `claim` is still this scrape's: reads the target's stored counters, lets
   * `count` turn them and the scraped ones into deltas, adds those to their minute and stores the new counters.
   * Null when the claim was lost (it ran out and another replica took the target): nothing is stored, since the
   * other replica counts from its own, later, reading.
   */
  async storeScrape(
    target: string,
    claim: string,
    at: Date,
    count: (previous: TargetCounters | undefined) => { deltas: HistogramDelta[]; next: TargetCounters },
  ): Promise<HistogramDelta[] | null> {
    const created = new Map<string, number>();
    const deltas = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT start_time, counters, exact, scraped_at FROM scrape_targets
         WHERE target = $1 AND claim = $2 AND claim_until >= now() FOR UPDATE`,
        [target, claim],
      )) as {
        start_time: number | null;
        counters: Record<string, number[]> | null;
        exact: StoredExactCounts | null;
        scraped_at: Date | null;
      }[];
      if (!row) return null;
      const previous: TargetCounters | undefined = row.counters
        ? {
            startTime: row.start_time ?? undefined,
            cumulative: new Map(Object.entries(row.counters)),
            thresholds: new Map(row.exact?.thresholds ?? []),
            good: new Map(Object.entries(row.exact?.good ?? {}).map(([key, good]) => [key, new Map(good)])),
            storedAt: row.scraped_at ?? undefined,
          }
        : undefined;
      const { deltas, next } = count(previous);
      await this.addDeltas(deltas, at, manager, created);
      const exact: StoredExactCounts | null = next.thresholds?.size
        ? {
            thresholds: [...next.thresholds],
            good: Object.fromEntries([...(next.good ?? [])].map(([key, good]) => [key, [...good]])),
          }
        : null;
      await manager.query(
        `UPDATE scrape_targets SET start_time = $2, counters = $3, exact = $4, scraped_at = $5, claim = NULL,
           claim_until = NULL
         WHERE target = $1`,
        [
          target,
          next.startTime ?? null,
          JSON.stringify(Object.fromEntries(next.cumulative)),
          exact === null ? null : JSON.stringify(exact),
          at,
        ],
      );
      return deltas;
    });
    // Series ids are remembered once their rows are committed.
    for (const [key, id] of created) this.seriesIds.set(key, id);
    return deltas;
  }

  /**
   * The latency thresholds the sensor can count exactly for the SLOs that read it: whole milliseconds from 1 to
   * 10000 (the sensor's range), at most `limit`, smallest first. Read at every scrape, so a new or changed SLO's
   * threshold is asked for from the next scrape on.
   */
  async sensorLatencyThresholdsMs(limit: number): Promise<number[]> {
    const rows: { ms: number }[] = await this.dataSource.query(
      `SELECT DISTINCT (spec -> 'indicator' ->> 'thresholdMs')::float8 AS ms FROM slos
       WHERE spec -> 'indicator' ->> 'type' = 'latency' AND coalesce(spec -> 'source' ->> 'type', 'sensor') = 'sensor'
       ORDER BY ms`,
    );
    return rows
      .map((r) => r.ms)
      .filter((ms) => Number.isInteger(ms) && ms >= 1 && ms <= 10_000)
      .slice(0, limit);
  }

  /** Forgets the stored counters of targets not scraped since `before` (a node removed for good). */
  async forgetTargetsBefore(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM scrape_targets WHERE scraped_at < $1`, [before]);
  }

  /** Adds the requests seen since the previous scrape to their minute (merging sensors, pods and nodes). */
  async addDeltas(
    deltas: HistogramDelta[],
    at: Date,
    manager: EntityManager = this.dataSource.manager,
    created?: Map<string, number>,
  ): Promise<void> {
    if (deltas.length === 0) return;
    const minute = minuteOf(at);
    const merged = new Map<number, { requests: number; buckets: number[] }>();
    for (const delta of deltas) {
      const id = await this.seriesId(delta, manager, created);
      const row = merged.get(id);
      if (row) {
        row.requests += delta.requests;
        delta.buckets.forEach((n, i) => (row.buckets[i] = (row.buckets[i] ?? 0) + n));
      } else merged.set(id, { requests: delta.requests, buckets: [...delta.buckets] });
    }
    const values: unknown[] = [];
    const tuples = [...merged].map(([id, row], i) => {
      values.push(id, minute, row.requests, withoutTrailingZeros(row.buckets));
      return `($${i * 4 + 1}::int, $${i * 4 + 2}::int, $${i * 4 + 3}::int, $${i * 4 + 4}::int[])`;
    });
    await manager.query(
      `INSERT INTO sli_minutes (series_id, minute, requests, buckets) VALUES ${tuples.join(', ')}
       ON CONFLICT (series_id, minute) DO UPDATE SET
         requests = sli_minutes.requests + EXCLUDED.requests,
         buckets = (SELECT array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY i)
                    FROM unnest(sli_minutes.buckets, EXCLUDED.buckets) WITH ORDINALITY AS t(a, b, i))`,
      values,
    );
  }

  async seriesAfter(id: number, manager: EntityManager = this.dataSource.manager): Promise<StoredSeries[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT id, namespace, workload, workload_kind, service_name, image_name, image_id, method, route, status_code,
         grpc_status_code, bounds
       FROM sli_series WHERE id > $1 ORDER BY id`,
      [id],
    );
    return rows.map((r) => ({
      id: r.id as number,
      namespace: r.namespace as string,
      workload: r.workload as string,
      workloadKind: r.workload_kind as string,
      serviceName: r.service_name as string,
      imageName: r.image_name as string,
      imageId: r.image_id as string,
      method: r.method as string,
      route: r.route as string,
      statusCode: r.status_code as number,
      grpcStatusCode: r.grpc_status_code as number | null,
      bounds: r.bounds as number[],
    }));
  }

  /**
   * Every row in [fromMinute, toMinute), optionally for some series only. Without `withBuckets` the bucket arrays
   * are not read (an error-rate SLO never needs them, and parsing them is most of a backfill's cost).
   */
  async minutesFrom(
    fromMinute: number,
    toMinute: number,
    seriesIds?: number[],
    manager: EntityManager = this.dataSource.manager,
    withBuckets = true,
  ): Promise<MinuteRow[]> {
    const rows: { series_id: number; minute: number; requests: number; buckets: number[] | null }[] =
      await manager.query(
        withBuckets
          ? `SELECT m.series_id, m.minute, m.requests, ${padded('m.buckets', 'int')} AS buckets
             FROM sli_minutes m JOIN sli_series s ON s.id = m.series_id
             WHERE m.minute >= $1 AND m.minute < $2 ${seriesIds ? 'AND m.series_id = ANY($3::int[])' : ''}
             ORDER BY m.minute`
          : `SELECT series_id, minute, requests, NULL AS buckets FROM sli_minutes
             WHERE minute >= $1 AND minute < $2 ${seriesIds ? 'AND series_id = ANY($3::int[])' : ''}
             ORDER BY minute`,
        seriesIds ? [fromMinute, toMinute, seriesIds] : [fromMinute, toMinute],
      );
    return rows.map((r) => ({
      seriesId: r.series_id,
      minute: r.minute,
      requests: r.requests,
      buckets: r.buckets ?? NO_BUCKETS,
    }));
  }

  /**
   * Hourly rows of [fromHour, toHour) from the rollup table only, optionally for some series. Minute rows of those
   * hours not rolled up yet are not in them: add `minutesFrom` (the two tables never hold the same events).
   */
  async hoursFrom(
    fromHour: number,
    toHour: number,
    seriesIds?: number[],
    manager: EntityManager = this.dataSource.manager,
    withBuckets = true,
  ): Promise<HourRow[]> {
    const rows: {
      series_id: number;
      hour: number;
      requests: number;
      buckets: number[] | null;
      minute_mask: string;
    }[] = await manager.query(
      `SELECT h.series_id, h.hour, h.requests::float8 AS requests,
              ${withBuckets ? padded('h.buckets::float8[]', 'float8') : 'NULL'} AS buckets,
              h.minute_mask::text AS minute_mask
       FROM sli_hours h JOIN sli_series s ON s.id = h.series_id
       WHERE h.hour >= $1 AND h.hour < $2 ${seriesIds ? 'AND h.series_id = ANY($3::int[])' : ''}
       ORDER BY h.hour`,
      seriesIds ? [fromHour, toHour, seriesIds] : [fromHour, toHour],
    );
    return rows.map((r) => ({
      seriesId: r.series_id,
      hour: r.hour,
      requests: r.requests,
      buckets: r.buckets ?? NO_BUCKETS,
      minuteMask: BigInt(r.minute_mask),
    }));
  }

  /**
   * Every row of [fromMinute, toMinute) whatever its resolution: minute rows, and hourly rows spread over their
   * minutes with data (`spreadHour`: exact over whole hours, a share of a cut hour). `hourlyUntilMinute` says how
   * far the hourly data reached, for the reader to say so.
   */
  async rowsFrom(
    fromMinute: number,
    toMinute: number,
    seriesIds?: number[],
    manager: EntityManager = this.dataSource.manager,
    withBuckets = true,
  ): Promise<RangeRows> {
    const { fromHour, toHour } = hoursOverlapping(fromMinute, toMinute);
    const hours = await this.hoursFrom(fromHour, toHour, seriesIds, manager, withBuckets);
    const minutes = await this.minutesFrom(fromMinute, toMinute, seriesIds, manager, withBuckets);
    if (hours.length === 0) return { rows: minutes, hourlyUntilMinute: null };
    const spread = hours.flatMap((h) => spreadHour(h, fromMinute, toMinute));
    this.countSpreadHours('per-image', hours.length);
    const rows = [...spread, ...minutes].sort((a, b) => a.minute - b.minute);
    return { rows, hourlyUntilMinute: (hours[hours.length - 1]!.hour + 1) * MINUTES_PER_HOUR };
  }

  /**
   * Several SLOs' events summed per SLO (`group`) and minute (`per: 'minute'`) or hour (`per: 'hour'`, reading
   * both the hourly rows and minutes not rolled up yet), each SLO over its own [from, to) (`to` defaults to the
   * common one), for SLIs whose bad events are whole series (error rates: the series in `badSeriesIds`). One
   * query for all: each series is read once as a row of arrays (`seriesArrays`, no bucket arrays) and the SLOs'
   * sums are added up here (`sumOfSeries`): this is what makes a restart cheap.
   */
  async sums(
    per: 'minute' | 'hour',
    groups: readonly {
      group: number;
      from: number;
      to?: number;
      seriesIds: number[];
      badSeriesIds: number[];
    }[],
    to: number,
  ): Promise<SummedCounts[]> {
    // Each series is read once, over the union of its SLOs' ranges, as one row of arrays (a row per minute, and
    // Postgres grouping SLOs' series, were most of a restart's cost); the SLOs' sums are added up here.
    const ranges = new Map<number, { from: number; to: number }>();
    const active = groups.filter((g) => (g.to ?? to) > g.from);
    for (const g of active) {
      for (const id of g.seriesIds) {
        const range = ranges.get(id);
        if (range) {
          range.from = Math.min(range.from, g.from);
          range.to = Math.max(range.to, g.to ?? to);
        } else ranges.set(id, { from: g.from, to: g.to ?? to });
      }
    }
    if (ranges.size === 0) return [];
    const ids = [...ranges.keys()];
    const series = await this.seriesArrays(
      per,
      ids,
      ids.map((id) => ranges.get(id)!.from),
      ids.map((id) => ranges.get(id)!.to),
    );
    return active.map((g) => sumOfSeries(g, g.to ?? to, series, per === 'hour'));
  }

  /**
   * Per series, its rows in [from, to) as parallel arrays in no particular order (the sums place each by its
   * time): minutes, or hours with their minute masks in two 32-bit halves plus the minutes of those hours not
   * rolled up yet. One index range scan per table and series, index-only for the hours (`PK_sli_hours` includes
   * the requests and masks); no sorting or grouping in Postgres.
   */
  private async seriesArrays(
    per: 'minute' | 'hour',
    ids: number[],
    froms: number[],
    tos: number[],
  ): Promise<Map<number, SeriesArrays>> {
    const minutesOf = (from: string, to: string) =>
      `CROSS JOIN LATERAL (
         SELECT array_agg(minute)::text AS at, array_agg(requests)::text AS requests FROM sli_minutes
         WHERE series_id = g.series_id AND minute >= ${from} AND minute < ${to}
       ) m`;
    const rows: {
      series_id: number;
      at: string | null;
      requests: string | null;
      low: string | null;
      high: string | null;
      minute_at: string | null;
      minute_requests: string | null;
    }[] = await this.dataSource.query(
      per === 'minute'
        ? `SELECT g.series_id, m.at, m.requests, NULL AS low, NULL AS high, NULL AS minute_at, NULL AS minute_requests
           FROM unnest($1::int[], $2::int[], $3::int[]) AS g(series_id, from_at, to_at)
           ${minutesOf('g.from_at', 'g.to_at')}`
        : `SELECT g.series_id, h.at, h.requests, h.low, h.high, m.at AS minute_at, m.requests AS minute_requests
           FROM unnest($1::int[], $2::int[], $3::int[]) AS g(series_id, from_at, to_at)
           CROSS JOIN LATERAL (
             SELECT array_agg(hour)::text AS at, array_agg(requests)::text AS requests,
                    array_agg(minute_mask & 4294967295)::text AS low, array_agg(minute_mask >> 32)::text AS high
             FROM sli_hours WHERE series_id = g.series_id AND hour >= g.from_at AND hour < g.to_at
           ) h
           ${minutesOf('g.from_at * 60', 'g.to_at * 60')}`,
      [ids, froms, tos],
    );
    const result = new Map<number, SeriesArrays>();
    for (const r of rows) {
      if (r.at === null && r.minute_at === null) continue;
      result.set(r.series_id, {
        at: numbersOf(r.at),
        requests: numbersOf(r.requests),
        low: per === 'hour' ? numbersOf(r.low) : undefined,
        high: per === 'hour' ? numbersOf(r.high) : undefined,
        minuteAt: per === 'hour' ? numbersOf(r.minute_at) : undefined,
        minuteRequests: per === 'hour' ? numbersOf(r.minute_requests) : undefined,
      });
    }
    return result;
  }

  /**
   * Per series and hour, the events of [fromHour, toHour) from both tables (hourly rows and minutes not rolled up
   * yet, summed): the engine's backfill of the hour-resolution part of an SLO whose bad events need each series.
   */
  async seriesHours(
    fromHour: number,
    toHour: number,
    seriesIds: number[],
    withBuckets: boolean,
  ): Promise<HourRow[]> {
    const rows: {
      series_id: number;
      hour: number;
      requests: number;
      buckets: number[] | null;
      mask: string;
    }[] = await this.dataSource.query(
      `WITH r AS (
         SELECT series_id, hour, requests, ${withBuckets ? 'buckets' : 'NULL::bigint[]'} AS buckets,
                minute_mask AS mask
         FROM sli_hours WHERE hour >= $1 AND hour < $2 AND series_id = ANY($3::int[])
         UNION ALL
         SELECT series_id, minute / 60, requests, ${withBuckets ? 'buckets::bigint[]' : 'NULL::bigint[]'},
                CASE WHEN requests > 0 THEN 1::bigint << (minute % 60) ELSE 0::bigint END
         FROM sli_minutes WHERE minute >= $1 * 60 AND minute < $2 * 60 AND series_id = ANY($3::int[])
       ), sums AS (
         SELECT series_id, hour, sum(requests)::float8 AS requests, bit_or(mask)::text AS mask
         FROM r GROUP BY series_id, hour
       ), b AS (
         SELECT series_id, hour, array_agg(n ORDER BY i) AS buckets
         FROM (SELECT series_id, hour, i, sum(x)::float8 AS n
               FROM r, unnest(r.buckets) WITH ORDINALITY AS u(x, i) GROUP BY series_id, hour, i) q
         GROUP BY series_id, hour
       )
       SELECT sums.series_id, sums.hour, sums.requests,
              ${withBuckets ? padded('b.buckets', 'float8') : 'NULL::float8[]'} AS buckets, sums.mask
       FROM sums LEFT JOIN b USING (series_id, hour) JOIN sli_series s ON s.id = sums.series_id
       ORDER BY sums.hour`,
      [fromHour, toHour, seriesIds],
    );
    return rows.map((r) => ({
      seriesId: r.series_id,
      hour: r.hour,
      requests: r.requests,
      buckets: r.buckets ?? NO_BUCKETS,
      minuteMask: BigInt(r.mask),
    }));
  }

  /**
   * Moves every minute row before `beforeMinute` (hour-aligned) into its hourly row, one statement (so one
   * transaction) per hour: the minutes are deleted and their sums added to the hour together. Safe with several
   * replicas: a minute row is moved by the one statement that deletes it (a concurrent rollup waits on the row
   * and then finds it gone), and an hour that already has a row (a late minute) is added to. Returns the
   * minute rows moved.
   */
  async rollUpBefore(beforeMinute: number): Promise<number> {
    if (beforeMinute % MINUTES_PER_HOUR !== 0) throw new RangeError(`not hour-aligned: ${beforeMinute}`);
    const [oldest] = (await this.dataSource.query(
      `SELECT min(minute) AS minute FROM sli_minutes WHERE minute < $1`,
      [beforeMinute],
    )) as { minute: number | null }[];
    if (oldest?.minute === null || oldest?.minute === undefined) return 0;
    let moved = 0;
    for (
      let hour = Math.floor(oldest.minute / MINUTES_PER_HOUR);
      hour * MINUTES_PER_HOUR < beforeMinute;
      hour++
    ) {
      const rows: { moved: number }[] = await this.dataSource.query(
        `WITH moved AS (
           DELETE FROM sli_minutes WHERE minute >= $1 * 60 AND minute < ($1 + 1) * 60
           RETURNING series_id, minute, requests, buckets
         ), sums AS (
           SELECT series_id, sum(requests)::bigint AS requests, count(*) AS n,
                  bit_or(CASE WHEN requests > 0 THEN 1::bigint << (minute - $1 * 60) ELSE 0::bigint END) AS mask
           FROM moved GROUP BY series_id
         ), b AS (
           SELECT series_id, array_agg(n ORDER BY i) AS buckets
           FROM (SELECT series_id, i, sum(x)::bigint AS n
                 FROM moved, unnest(moved.buckets) WITH ORDINALITY AS u(x, i) GROUP BY series_id, i) q
           GROUP BY series_id
         ), upserted AS (
           INSERT INTO sli_hours (series_id, hour, requests, buckets, minute_mask)
           SELECT sums.series_id, $1, sums.requests, coalesce(b.buckets, '{}'::bigint[]), sums.mask
           FROM sums LEFT JOIN b USING (series_id)
           ON CONFLICT (series_id, hour) DO UPDATE SET
             requests = sli_hours.requests + EXCLUDED.requests,
             buckets = (SELECT array_agg(coalesce(a, 0) + coalesce(c, 0) ORDER BY i)
                        FROM unnest(sli_hours.buckets, EXCLUDED.buckets) WITH ORDINALITY AS t(a, c, i)),
             minute_mask = sli_hours.minute_mask | EXCLUDED.minute_mask
           RETURNING 1
         )
         SELECT coalesce(sum(n), 0)::int AS moved FROM sums`,
        [hour],
      );
      moved += rows[0]?.moved ?? 0;
      this.rolledUp.inc(rows[0]?.moved ?? 0);
    }
    return moved;
  }

  /** Deletes the hourly rows of hours that end at or before `minute`, and any older minute rows. */
  async pruneBefore(minute: number): Promise<number> {
    const minutes: [unknown, number] = await this.dataSource.query(
      `DELETE FROM sli_minutes WHERE minute < $1`,
      [minute],
    );
    const hours: [unknown, number] = await this.dataSource.query(`DELETE FROM sli_hours WHERE hour < $1`, [
      Math.floor(minute / MINUTES_PER_HOUR),
    ]);
    return (minutes[1] ?? 0) + (hours[1] ?? 0);
  }

  /**
   * The series' id, its row inserted if new. Inside a transaction (`created` given) a new id is only collected:
   * it is remembered after the commit, since a rolled-back row's id would name nothing.
   */
  private async seriesId(
    delta: HistogramDelta,
    manager: EntityManager,
    created?: Map<string, number>,
  ): Promise<number> {
    const key = seriesKey(delta.labels, delta.bounds);
    const known = this.seriesIds.get(key) ?? created?.get(key);
    if (known !== undefined) return known;
    const l = delta.labels;
    const rows: { id: number }[] = await manager.query(
      `INSERT INTO sli_series (series_key, namespace, workload, workload_kind, service_name, image_name, image_id, method, route, status_code, bounds, grpc_status_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (series_key) DO UPDATE SET series_key = EXCLUDED.series_key
       RETURNING id`,
      [
        key,
        l.namespace,
        l.workload,
        l.workloadKind,
        l.serviceName,
        l.imageName,
        l.imageId,
        l.method,
        l.route,
        l.statusCode,
        delta.bounds,
        l.grpcStatusCode,
      ],
    );
    const id = rows[0]!.id;
    if (created) created.set(key, id);
    else this.seriesIds.set(key, id);
    return id;
  }
}

/**
 * Bucket arrays are stored without their trailing zeros (the slow buckets of most minutes: about a third of a
 * minute row, and of an hourly row, at the benchmark's 20 buckets); readers get them back at full length.
 */
export function withoutTrailingZeros(buckets: readonly number[]): number[] {
  let end = buckets.length;
  while (end > 0 && buckets[end - 1] === 0) end--;
  return buckets.slice(0, end);
}

/** SQL for a stored (possibly trimmed) bucket array `column` padded with zeros to its series' length (`s.bounds`). */
function padded(column: string, type: 'int' | 'float8'): string {
  const missing = `cardinality(s.bounds) + 1 - coalesce(cardinality(${column}), 0)`;
  return `CASE WHEN ${missing} > 0
            THEN coalesce(${column}, '{}'::${type}[]) || array_fill(0::${type}, ARRAY[${missing}])
            ELSE ${column} END`;
}

/**
 * A one-dimensional Postgres array of numbers in its text form (`{1,25,3}`), as numbers; null is empty. Whole
 * numbers are read digit by digit (no substring per element); anything else falls back to `Number`.
 */
export function numbersOf(text: string | null): number[] {
  if (text === null || text.length <= 2) return [];
  let count = 1;
  for (let i = 1; i < text.length - 1; i++) if (text.charCodeAt(i) === 44) count++;
  // Sized once: a growing array was a good part of a restart's garbage.
  const result = new Array<number>(count);
  let value = 0;
  let n = 0;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (c === 44 || c === 125) {
      result[n++] = value;
      value = 0;
    } else return text.slice(1, -1).split(',').map(Number);
  }
  return result;
}

/** One series' rows of a range as parallel arrays (see `SliRepository.seriesArrays`). */
interface SeriesArrays {
  at: number[];
  requests: number[];
  /** Hours only: the minute mask's bits 0–31 and 32–59, and the minute rows of those hours not rolled up yet. */
  low?: number[];
  high?: number[];
  minuteAt?: number[];
  minuteRequests?: number[];
}

/** An SLO's sums over [g.from, to) from its series' arrays: per minute or hour holding rows, in time order. */
function sumOfSeries(
  g: { group: number; from: number; seriesIds: number[]; badSeriesIds: number[] },
  to: number,
  series: Map<number, SeriesArrays>,
  hourly: boolean,
): SummedCounts {
  const length = to - g.from;
  const total = new Float64Array(length);
  const bad = new Float64Array(length);
  const held = new Uint8Array(length);
  const low = hourly ? new Uint32Array(length) : undefined;
  const high = hourly ? new Uint32Array(length) : undefined;
  const badIds = new Set(g.badSeriesIds);
  for (const id of g.seriesIds) {
    const rows = series.get(id);
    if (!rows) continue;
    const isBad = badIds.has(id);
    for (let i = 0; i < rows.at.length; i++) {
      const slot = rows.at[i]! - g.from;
      if (slot < 0 || slot >= length) continue;
      const requests = rows.requests[i]!;
      total[slot] = total[slot]! + requests;
      if (isBad) bad[slot] = bad[slot]! + requests;
      held[slot] = 1;
      if (low && high) {
        low[slot] = (low[slot]! | rows.low![i]!) >>> 0;
        high[slot] = (high[slot]! | rows.high![i]!) >>> 0;
      }
    }
    if (!low || !high || !rows.minuteAt) continue;
    // Hours: a late minute not rolled up yet adds to its hour, and to its minutes with data.
    for (let i = 0; i < rows.minuteAt.length; i++) {
      const minute: number = rows.minuteAt[i]!;
      const slot = Math.floor(minute / 60) - g.from;
      if (slot < 0 || slot >= length) continue;
      const requests = rows.minuteRequests![i]!;
      total[slot] = total[slot]! + requests;
      if (isBad) bad[slot] = bad[slot]! + requests;
      held[slot] = 1;
      if (requests <= 0) continue;
      const bit = minute % 60;
      if (bit < 32) low[slot] = (low[slot]! | (1 << bit)) >>> 0;
      else high[slot] = (high[slot]! | (1 << (bit - 32))) >>> 0;
    }
  }
  let count = 0;
  for (let slot = 0; slot < length; slot++) count += held[slot]!;
  const result: SummedCounts = {
    group: g.group,
    at: new Array<number>(count),
    total: new Array<number>(count),
    bad: new Array<number>(count),
    minutesWithData: new Array<number>(count),
  };
  let n = 0;
  for (let slot = 0; slot < length; slot++) {
    if (held[slot] === 0) continue;
    result.at[n] = g.from + slot;
    result.total[n] = total[slot]!;
    result.bad[n] = bad[slot]!;
    result.minutesWithData[n] =
      low && high ? bitCount32(low[slot]!) + bitCount32(high[slot]!) : total[slot]! > 0 ? 1 : 0;
    n++;
  }
  return result;
}

function bitCount32(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
