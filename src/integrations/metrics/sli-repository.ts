import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { HistogramDelta, SeriesLabels, seriesKey } from './sensor-histograms.js';

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

  /** Adds the requests seen since the previous scrape to their minute (merging sensors, pods and nodes). */
  async addDeltas(deltas: HistogramDelta[], at: Date): Promise<void> {
    if (deltas.length === 0) return;
    const minute = minuteOf(at);
    const merged = new Map<number, { requests: number; buckets: number[] }>();
    for (const delta of deltas) {
      const id = await this.seriesId(delta);
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
    await this.dataSource.query(
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

  private async seriesId(delta: HistogramDelta): Promise<number> {
    const key = seriesKey(delta.labels, delta.bounds);
    const known = this.seriesIds.get(key);
    if (known !== undefined) return known;
    const l = delta.labels;
    const rows: { id: number }[] = await this.dataSource.query(
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
    this.seriesIds.set(key, id);
    return id;
  }
}
