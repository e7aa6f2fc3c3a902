import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/**
 * Periodic jobs through @nestjs/schedule's registry, with the period from configuration. A run never overlaps
 * the previous one, and a failing run is logged and retried at the next period.
 */
@Injectable()
export class JobScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('JobScheduler');
  private readonly running = new Set<string>();

  constructor(private readonly registry: SchedulerRegistry) {}

  every(name: string, seconds: number, job: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      if (this.running.has(name)) return;
      this.running.add(name);
      job()
        .catch((error: unknown) =>
          this.logger.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => this.running.delete(name));
    }, seconds * 1000);
    this.registry.addInterval(name, timer);
  }

  onApplicationShutdown(): void {
    for (const name of this.registry.getIntervals()) this.registry.deleteInterval(name);
  }
}
