import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { CLOCK, Clock } from '../../common/clock.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { ChangeLogStore } from './change-log.store.js';

/** Every hour: the change log keeps BURNWATCH_KUBERNETES_RETENTION (default 30 d). Deletes are idempotent. */
export const RETENTION_SCHEDULE = CronExpression.EVERY_HOUR;

@Injectable()
export class ChangeLogRetention {
  private readonly logger = new Logger('Kubernetes');

  constructor(
    @Inject(ChangeLogStore) private readonly store: ChangeLogStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Cron(RETENTION_SCHEDULE, { name: 'kubernetes-change-log-retention' })
  async prune(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.kubernetes.retentionSeconds * 1000);
    try {
      const deleted = await this.store.prune(cutoff);
      this.logger.debug?.(`Change log pruned before ${cutoff.toISOString()}: ${JSON.stringify(deleted)}`);
    } catch (error) {
      this.logger.warn(`Could not prune the change log: ${(error as Error).message}`);
    }
  }
}
