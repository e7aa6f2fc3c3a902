import { Injectable } from '@nestjs/common';
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

const NO_BUCKETS: number[] = [];

export const minuteOf = (at: Date): number => Math.floor(at.getTime() / 60_000);

/** Per-minute SLI storage in Postgres: one row per workload series and minute, whatever the number of pods. */
@Injectable()
export class SliRepository {
  private readonly seriesIds = new Map<string, number>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
      values.push(id, minute, row.requests, row.buckets);
      return `($${i * 4 + 1}::int, $${i * 4 + 2}::int, $${i * 4 + 3}::int, $${i * 4 + 4}::int[])`;
    });
    await manager.query(
      `INSERT INTO sli_minutes (series_id, minute, requests, buckets) VALUES ${tuples.join(', ')}
       ON CONFLICT (series_id, minute) DO UPDATE SET
         requests = sli_minutes.requests + EXCLUDED.requests,
         buckets = (SELECT array_agg(a + b ORDER BY i)
                    FROM unnest(sli_minutes.buckets, EXCLUDED.buckets) WITH ORDINALITY AS t(a, b, i))`,
      values,
    );
  }

  async seriesAfter(id: number, manager: EntityManager = this.dataSource.manager): Promise<StoredSeries[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT id, namespace, workload, workload_kind, service_name, image_name, image_id, method, route, status_code, bounds
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
        `SELECT series_id, minute, requests, ${withBuckets ? 'buckets' : 'NULL AS buckets'} FROM sli_minutes
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

  async pruneBefore(minute: number): Promise<number> {
    const result: [unknown, number] = await this.dataSource.query(
      `DELETE FROM sli_minutes WHERE minute < $1`,
      [minute],
    );
    return result[1] ?? 0;
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
      `INSERT INTO sli_series (series_key, namespace, workload, workload_kind, service_name, image_name, image_id, method, route, status_code, bounds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
      ],
    );
    const id = rows[0]!.id;
    if (created) created.set(key, id);
    else this.seriesIds.set(key, id);
    return id;
  }
}
