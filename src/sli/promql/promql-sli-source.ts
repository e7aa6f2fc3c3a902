import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import type { SliReading, SliRequest, SliSource, WindowCounts } from '../sli-source.js';
import type { SloSpec } from '../../slo/domain/slo.js';
import { PromqlClient } from './promql-client.js';
import { windowQueries } from './promql-queries.js';

/**
 * SLI events of SLOs whose source is Prometheus (or VictoriaMetrics): one instant query per window and count, at
 * every read. Nothing is held in memory, so tracking and refreshing are no-ops.
 */
@Injectable()
export class PromqlSliSource implements SliSource {
  private readonly client: PromqlClient | undefined;

  constructor(@Inject(CONFIG) config: Config) {
    this.client = config.engine.prometheusUrl ? new PromqlClient(config.engine.prometheusUrl) : undefined;
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  track(): void {}

  untrack(): void {}

  async refresh(): Promise<void> {}

  /** Prometheus keeps its own data. */
  async maintain(): Promise<{ rolledUp: number; pruned: number }> {
    return { rolledUp: 0, pruned: 0 };
  }

  /** Prometheus estimates nothing that the evaluation would have to flag. */
  lastApproximateMinute(): number | undefined {
    return undefined;
  }

  /**
   * Prometheus sums each window itself: one query per length the evaluation reads, plus the freshness window;
   * corrected minutes inside each window are asked for as their own ranges (PromQL at the range's end).
   */
  async read(spec: SloSpec, request: SliRequest): Promise<SliReading> {
    const { now, historyMinutes, staleAfterMinutes } = request;
    const nowMinute = Math.floor(now.getTime() / 60_000);
    const lengths = [historyMinutes, staleAfterMinutes + 1, ...request.windowMinutes];
    const counts = await this.windowCounts(spec, lengths, now);
    const empty = { total: 0, bad: 0, minutesWithData: 0 };
    const end = nowMinute + 1;
    const parts = new Map<string, WindowCounts>();
    for (const length of new Set(lengths)) {
      for (const range of request.excludedMinutes) {
        const from = Math.max(end - length, range.fromMinute);
        const to = Math.min(end, range.toMinute);
        const key = `${from}:${to}`;
        if (to <= from || parts.has(key)) continue;
        parts.set(key, empty);
        const at = to === end ? now : new Date(to * 60_000);
        const part = await this.windowCounts(spec, [to - from], at);
        parts.set(key, part.get(to - from) ?? empty);
      }
    }
    const sum = (from: number, to: number) =>
      to === end
        ? (counts.get(to - from) ?? parts.get(`${from}:${to}`) ?? empty)
        : (parts.get(`${from}:${to}`) ?? empty);
    const whole = counts.get(historyMinutes) ?? empty;
    const recent = counts.get(staleAfterMinutes + 1) ?? empty;
    // Prometheus gives no "last minute with data": when the recent window is empty, the data stopped at least
    // that long ago, which is what `staleSince` then says.
    const lastDataMinute =
      whole.total === 0 ? null : recent.total > 0 ? nowMinute : nowMinute - staleAfterMinutes - 1;
    return { sum, lastDataMinute };
  }

  /** Events per window length (in minutes), all at `at`. */
  async windowCounts(
    spec: SloSpec,
    windowMinutes: Iterable<number>,
    at: Date,
  ): Promise<Map<number, WindowCounts>> {
    const client = this.client;
    if (!client) throw new Error('the SLO reads Prometheus, but BURNWATCH_PROMETHEUS_URL is not set');
    const result = new Map<number, WindowCounts>();
    await Promise.all(
      [...new Set(windowMinutes)].map(async (minutes) => {
        const queries = windowQueries(spec, minutes * 60);
        const [total, numerator] = await Promise.all([
          client.scalar(queries.total, at),
          client.scalar((queries.bad ?? queries.good)!, at),
        ]);
        const totalEvents = Math.max(0, total ?? 0);
        const bad = queries.bad !== undefined ? (numerator ?? 0) : totalEvents - (numerator ?? 0);
        result.set(minutes, {
          total: totalEvents,
          bad: Math.min(totalEvents, Math.max(0, bad)),
          minutesWithData: totalEvents > 0 ? minutes : 0,
        });
      }),
    );
    return result;
  }
}
