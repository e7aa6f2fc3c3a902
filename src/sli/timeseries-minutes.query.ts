import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MinuteRow, RangeRows, SliRepository, StoredSeries } from './sli-repository.js';
import { MINUTES_PER_HOUR, hoursOverlapping, spreadHour } from './hourly.js';
import { needsHistogram } from '../slo/domain/series-match.js';
import type { Indicator } from '../slo/domain/slo.js';

/**
 * Per-minute counts of an SLO's series for a chart, summed in PostgreSQL over series that count alike: an error
 * rate only needs the status code of a series, a latency SLI only its bucket bounds. A month of many series
 * becomes one row per minute and group, so the service parses a few rows instead of every stored one.
 * Each row carries the id of one series of its group (`seriesId`), whose labels stand for the whole group.
 * Hours rolled up (older than the engine's minute boundary) are read from `sli_hours` and spread over their
 * minutes with data (`spreadHour`); `hourlyUntilMinute` says how far that reached.
 */
@Injectable()
export class TimeseriesMinutesQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SliRepository) private readonly storage: SliRepository,
  ) {}

  async minutes(
    indicator: Indicator,
    series: StoredSeries[],
    fromMinute: number,
    toMinute: number,
  ): Promise<RangeRows> {
    if (series.length === 0) return { rows: [], hourlyUntilMinute: null };
    const representative = new Map<string, number>();
    const ids: number[] = [];
    const groups: number[] = [];
    for (const s of series) {
      const key = groupKey(indicator, s);
      if (!representative.has(key)) representative.set(key, s.id);
      ids.push(s.id);
      groups.push(representative.get(key)!);
    }
    // Series of one group share their bounds, so their buckets sum element by element.
    const bucketCount = needsHistogram(indicator) ? Math.max(...series.map((s) => s.bounds.length + 1)) : 0;
    const bucketSums = Array.from(
      { length: bucketCount },
      (_, i) => `coalesce(sum(m.buckets[${i + 1}]), 0)::float8`,
    ).join(', ');
    const rows: { series_id: number; minute: number; requests: number; buckets: number[] | null }[] =
      await this.dataSource.query(
        `SELECT g.rep AS series_id, m.minute, sum(m.requests)::float8 AS requests,
                ${bucketCount > 0 ? `ARRAY[${bucketSums}]` : 'NULL::float8[]'} AS buckets
         FROM sli_minutes m JOIN unnest($3::int[], $4::int[]) AS g(series_id, rep) ON g.series_id = m.series_id
         WHERE m.minute >= $1 AND m.minute < $2
         GROUP BY g.rep, m.minute ORDER BY m.minute`,
        [fromMinute, toMinute, ids, groups],
      );
    const { fromHour, toHour } = hoursOverlapping(fromMinute, toMinute);
    const hours: {
      series_id: number;
      hour: number;
      requests: number;
      buckets: number[] | null;
      mask: string;
    }[] = await this.dataSource.query(
      `SELECT g.rep AS series_id, m.hour, sum(m.requests)::float8 AS requests,
              ${bucketCount > 0 ? `ARRAY[${bucketSums}]` : 'NULL::float8[]'} AS buckets, bit_or(m.minute_mask)::text AS mask
       FROM sli_hours m JOIN unnest($3::int[], $4::int[]) AS g(series_id, rep) ON g.series_id = m.series_id
       WHERE m.hour >= $1 AND m.hour < $2
       GROUP BY g.rep, m.hour ORDER BY m.hour`,
      [fromHour, toHour, ids, groups],
    );
    const lengths = new Map(series.map((s) => [s.id, s.bounds.length + 1]));
    const minuteRows: MinuteRow[] = rows.map((r) => ({
      seriesId: r.series_id,
      minute: r.minute,
      requests: r.requests,
      buckets: r.buckets?.slice(0, lengths.get(r.series_id)) ?? [],
    }));
    if (hours.length === 0) return { rows: minuteRows, hourlyUntilMinute: null };
    this.storage.countSpreadHours('timeseries', hours.length);
    const spread = hours.flatMap((h) =>
      spreadHour(
        {
          seriesId: h.series_id,
          hour: h.hour,
          requests: h.requests,
          buckets: h.buckets?.slice(0, lengths.get(h.series_id)) ?? [],
          minuteMask: BigInt(h.mask),
        },
        fromMinute,
        toMinute,
      ),
    );
    return {
      rows: [...spread, ...minuteRows].sort((a, b) => a.minute - b.minute),
      hourlyUntilMinute: (hours[hours.length - 1]!.hour + 1) * MINUTES_PER_HOUR,
    };
  }
}

/** Series with the same key count their events the same way for this indicator. */
function groupKey(indicator: Indicator, series: StoredSeries): string {
  switch (indicator.type) {
    case 'errorRate':
      return `status ${series.statusCode} grpc ${series.grpcStatusCode}`;
    case 'latency':
      return `bounds ${series.bounds.join(',')}`;
    case 'ratio':
      return 'all';
  }
}
