import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { AlertsModule } from '../../alerts/alerts.module.js';
import { EngineModule } from '../../alerts/engine/engine.module.js';
import { ScrapeModule } from '../metrics/scrape.module.js';
import { AlertTransitionHooks } from '../../alerts/alert-transition-hooks.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { ChangeLogRetention } from './change-log.retention.js';
import { ChangeLogStore } from './change-log.store.js';
import { ChangeRecorder } from './change-recorder.js';
import { ChangesController } from './changes.controller.js';
import { ChangesService } from './changes.service.js';
import { KubernetesCorrelationListener } from './correlation.listener.js';
import { KubernetesStatus } from './kubernetes-status.js';
import { KubernetesWatchers } from './kubernetes-watchers.js';
import { sensorTargets } from './sensor-discovery.js';
import { SensorScraperService } from '../metrics/sensor-scraper.service.js';
import { KubernetesMetrics } from './kubernetes.metrics.js';

/**
 * Kubernetes: watches the cluster into a change log and attaches the likely cause to every alert that fires.
 * The per-image comparison reads the engine's per-minute sensor data through IMAGE_SLI_SOURCE.
 */
@Module({
  imports: [AlertsModule, EngineModule, ScrapeModule],
  controllers: [ChangesController],
  providers: [
    ChangeLogStore,
    ChangeRecorder,
    ChangesService,
    ChangeLogRetention,
    KubernetesStatus,
    KubernetesMetrics,
    KubernetesWatchers,
    KubernetesCorrelationListener,
  ],
  exports: [KubernetesStatus, ChangeLogStore, KubernetesCorrelationListener],
})
export class KubernetesModule implements OnModuleInit {
  constructor(
    @Inject(AlertTransitionHooks) private readonly hooks: AlertTransitionHooks,
    @Inject(KubernetesCorrelationListener) private readonly listener: KubernetesCorrelationListener,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SensorScraperService) private readonly scraper: SensorScraperService,
    @Inject(KubernetesWatchers) private readonly watchers: KubernetesWatchers,
  ) {}

  onModuleInit(): void {
    if (this.config.kubernetes.mode === 'off') return;
    this.hooks.register(this.listener);
    // The sensor DaemonSet's pods are scraped without being listed in BURNWATCH_SCRAPE_TARGETS.
    this.scraper.addTargetSource(() =>
      sensorTargets(this.watchers.pods(), this.config.engine.sensorDiscovery),
    );
  }
}
