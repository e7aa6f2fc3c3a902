import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SliRepository } from '../../sli/sli-repository.js';
import { badEventsOf, seriesMatches } from '../../slo/domain/series-match.js';
import type { SloSpec } from '../../slo/domain/slo.js';
import type { ImageSliSource } from '../correlation/image-sli.port.js';
import type { ImageUsage } from '../domain/deploy-cost.js';

/** Per container image digest, an SLO's events between two instants, from the sensor's per-minute storage. */
@Injectable()
export class ImageSliQuery implements ImageSliSource {
  constructor(@Inject(SliRepository) private readonly storage: SliRepository) {}

  async sliByImage(
    slo: SloSpec,
    from: Date,
    to: Date,
    manager?: EntityManager,
  ): Promise<{ imageId: string; total: number; bad: number }[]> {
    if (slo.source.type !== 'sensor') return [];
    const series = (await this.storage.seriesAfter(0, manager)).filter(
      (s) => s.imageId !== '' && seriesMatches(slo.service, s),
    );
    if (series.length === 0) return [];
    const byId = new Map(series.map((s) => [s.id, s]));
    const rows = await this.storage.minutesFrom(
      Math.floor(from.getTime() / 60_000),
      Math.ceil(to.getTime() / 60_000),
      [...byId.keys()],
      manager,
    );
    const perImage = new Map<string, { imageId: string; total: number; bad: number }>();
    for (const row of rows) {
      const s = byId.get(row.seriesId)!;
      const counts = perImage.get(s.imageId) ?? { imageId: s.imageId, total: 0, bad: 0 };
      counts.total += row.requests;
      counts.bad += badEventsOf(slo.indicator, s, row.requests, row.buckets).bad;
      perImage.set(s.imageId, counts);
    }
    return [...perImage.values()].map((c) => ({ ...c, bad: Math.round(c.bad) }));
  }

  /**
   * Per digest, the events it served over [fromMinute, toMinute) and the first and last minute it served them,
   * minutes in `excluded` (budget corrections) left out.
   */
  async usageByImage(
    slo: SloSpec,
    fromMinute: number,
    toMinute: number,
    excluded: (minute: number) => boolean,
  ): Promise<ImageUsage[]> {
    if (slo.source.type !== 'sensor') return [];
    const series = (await this.storage.seriesAfter(0)).filter(
      (s) => s.imageId !== '' && seriesMatches(slo.service, s),
    );
    if (series.length === 0) return [];
    const byId = new Map(series.map((s) => [s.id, s]));
    const rows = await this.storage.minutesFrom(fromMinute, toMinute, [...byId.keys()]);
    const perImage = new Map<string, ImageUsage>();
    for (const row of rows) {
      if (row.requests <= 0 || excluded(row.minute)) continue;
      const s = byId.get(row.seriesId)!;
      const usage = perImage.get(s.imageId) ?? {
        imageId: s.imageId,
        firstMinute: row.minute,
        lastMinute: row.minute,
        total: 0,
        bad: 0,
      };
      usage.total += row.requests;
      usage.bad += badEventsOf(slo.indicator, s, row.requests, row.buckets).bad;
      usage.firstMinute = Math.min(usage.firstMinute, row.minute);
      usage.lastMinute = Math.max(usage.lastMinute, row.minute);
      perImage.set(s.imageId, usage);
    }
    return [...perImage.values()].map((u) => ({ ...u, bad: Math.round(u.bad) }));
  }
}
