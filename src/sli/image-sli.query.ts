import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SliRepository } from './sli-repository.js';
import { seriesMatches, needsHistogram } from '../slo/domain/series-match.js';
import { tallyEvents } from '../slo/domain/event-tally.js';
import type { SloSpec } from '../slo/domain/slo.js';

/** Events one image digest served over a range of minutes, and its first and last minute (epoch minutes). */
export interface ImageMinutes {
  imageId: string;
  firstMinute: number;
  lastMinute: number;
  total: number;
  bad: number;
}

/**
 * Per container image digest, an SLO's events between two instants, from the sensor's storage (minutes, and
 * hourly rollups beyond the engine's 26 h: `rowsFrom`). It fits the correlation's `ImageSliSource` port
 * (src/alerts/correlation/image-sli.port.ts, provided by the engine module) and the deploy cost's `ImageUsage`,
 * without importing them: src/sli stays below src/alerts.
 */
@Injectable()
export class ImageSliQuery {
  constructor(@Inject(SliRepository) private readonly storage: SliRepository) {}

  // Spread hours are fractional shares of whole numbers: totals are rounded back to whole events.
  async sliByImage(
    slo: SloSpec,
    from: Date,
    to: Date,
    manager?: EntityManager,
  ): Promise<{ imageId: string; total: number; bad: number }[]> {
    if (slo.source.type !== 'sensor') return [];
    const byId = await this.seriesWithImages(slo, manager);
    if (byId.size === 0) return [];
    const { rows } = await this.storage.rowsFrom(
      Math.floor(from.getTime() / 60_000),
      Math.ceil(to.getTime() / 60_000),
      [...byId.keys()],
      manager,
      needsHistogram(slo.indicator),
    );
    const perImage = tallyEvents(slo.indicator, byId, rows, (_row, s) => s.imageId);
    return [...perImage].map(([imageId, c]) => ({
      imageId,
      total: Math.round(c.total),
      bad: Math.round(c.bad),
    }));
  }

  /**
   * Per digest, the events it served over [fromMinute, toMinute) and the first and last minute it served them,
   * minutes in `excluded` (budget corrections) left out. `hourlyUntilMinute`: data before it came per hour (its
   * first and last minutes are then those of the hour's minutes with data).
   */
  async usageByImage(
    slo: SloSpec,
    fromMinute: number,
    toMinute: number,
    excluded: (minute: number) => boolean,
  ): Promise<{ usage: ImageMinutes[]; hourlyUntilMinute: number | null }> {
    if (slo.source.type !== 'sensor') return { usage: [], hourlyUntilMinute: null };
    const byId = await this.seriesWithImages(slo);
    if (byId.size === 0) return { usage: [], hourlyUntilMinute: null };
    const { rows, hourlyUntilMinute } = await this.storage.rowsFrom(
      fromMinute,
      toMinute,
      [...byId.keys()],
      undefined,
      needsHistogram(slo.indicator),
    );
    const perImage = tallyEvents(slo.indicator, byId, rows, (row, s) =>
      row.requests <= 0 || excluded(row.minute) ? undefined : s.imageId,
    );
    const usage = [...perImage].map(([imageId, u]) => ({
      imageId,
      firstMinute: u.firstMinute,
      lastMinute: u.lastMinute,
      total: Math.round(u.total),
      bad: Math.round(u.bad),
    }));
    return { usage, hourlyUntilMinute };
  }

  private async seriesWithImages(slo: SloSpec, manager?: EntityManager) {
    const series = (await this.storage.seriesAfter(0, manager)).filter(
      (s) => s.imageId !== '' && seriesMatches(slo.service, s),
    );
    return new Map(series.map((s) => [s.id, s]));
  }
}
