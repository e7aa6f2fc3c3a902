import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../observability/metrics.service.js';
import { KubernetesStatus } from './kubernetes-status.js';

/** Burnwatch's own metrics about its Kubernetes watches and change log (names in one place). */
@Injectable()
export class KubernetesMetrics {
  readonly watchRestarts: Counter<'resource'>;
  readonly objectsRecorded: Counter<'resource'>;
  readonly backlog: Gauge;

  constructor(
    @Inject(MetricsService) metrics: MetricsService,
    @Inject(KubernetesStatus) status: KubernetesStatus,
  ) {
    const registers = [metrics.registry];
    this.watchRestarts = new Counter({
      name: 'burnwatch_kubernetes_watch_restarts_total',
      help: 'Informer restarts after an error other than 410 Gone, by watched kind.',
      labelNames: ['resource'] as const,
      registers,
    });
    this.objectsRecorded = new Counter({
      name: 'burnwatch_kubernetes_objects_recorded_total',
      help: 'Kubernetes objects written to the change log (after coalescing repeated updates), by kind.',
      labelNames: ['resource'] as const,
      registers,
    });
    this.backlog = new Gauge({
      name: 'burnwatch_kubernetes_change_log_backlog',
      help: 'Objects seen by the watches and not yet written to the change log.',
      registers,
    });
    new Gauge({
      name: 'burnwatch_kubernetes_connected',
      help: '1 while every watch is synced with the cluster, 0 otherwise (also without a cluster).',
      registers,
      collect() {
        this.set(status.snapshot().state === 'connected' ? 1 : 0);
      },
    });
  }
}
