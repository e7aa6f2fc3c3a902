import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock } from '../common/clock.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { SliRepository } from '../sli/sli-repository.js';
import { SloService } from '../slo/slo.service.js';
import { CoveringSloSpec, WorkloadsView, lookbackMinutes, summarizeWorkloads } from './domain/workloads.js';

/** The workloads the sensor reports, read from the per-minute SLI storage and matched with the SLOs. */
@Injectable()
export class WorkloadsService {
  constructor(
    @Inject(SliRepository) private readonly storage: SliRepository,
    @Inject(SloService) private readonly slos: SloService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async list(): Promise<WorkloadsView> {
    const now = this.clock.now();
    const { fromMinute, toMinute } = lookbackMinutes(now);
    const [series, minutes, slos] = await Promise.all([
      this.storage.seriesAfter(0),
      this.storage.minutesFrom(fromMinute, toMinute),
      this.allSlos(),
    ]);
    return summarizeWorkloads({
      series,
      minutes,
      slos,
      now,
      scrapeIntervalSeconds: this.config.engine.scrapeIntervalSeconds,
    });
  }

  private async allSlos(): Promise<CoveringSloSpec[]> {
    const specs: CoveringSloSpec[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.slos.list({ limit: 500, cursor });
      specs.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return specs;
  }
}
