import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import type { WindowCounts } from '../sli-source.js';
import type { SloSpec } from '../../slo/domain/slo.js';
import { PromqlClient } from './promql-client.js';
import { windowQueries } from './promql-queries.js';

/** SLI events of SLOs whose source is Prometheus (or VictoriaMetrics): one instant query per window and count. */
@Injectable()
export class PromqlSliSource {
  private readonly client: PromqlClient | undefined;

  constructor(@Inject(CONFIG) config: Config) {
    this.client = config.engine.prometheusUrl ? new PromqlClient(config.engine.prometheusUrl) : undefined;
  }

  get configured(): boolean {
    return this.client !== undefined;
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
