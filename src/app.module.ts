import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertsModule } from './alerts/alerts.module.js';
import { EngineModule } from './alerts/engine/engine.module.js';
import { ScrapeModule } from './integrations/metrics/scrape.module.js';
import { AlertDeliveriesModule } from './integrations/slack/alert-deliveries.module.js';
import { ApiTokenGuard } from './common/auth.guard.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { Clock, systemClock } from './common/clock.js';
import { ConfigModule } from './config/config.module.js';
import type { Config } from './config/config.js';
import { DatabaseTarget, dataSourceOptions } from './database/data-source-options.js';
import { runMigrationsExclusively } from './database/migrate.js';
import { HealthController } from './health/health.controller.js';
import { SlackModule } from './integrations/slack/slack.module.js';
import { KubernetesModule } from './integrations/kubernetes/kubernetes.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { SensorModule } from './integrations/sensor/sensor.module.js';
import { SloModule } from './slo/slo.module.js';
import { UiModule } from './ui/ui.module.js';
import { WorkloadsModule } from './workloads/workloads.module.js';

@Module({})
export class AppModule {
  static forRoot(config: Config, database: DatabaseTarget, clock: Clock = systemClock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        ScheduleModule.forRoot(),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(database),
          // Replicas starting together apply the migrations once, in turn.
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsExclusively(dataSource);
            return dataSource;
          },
        }),
        ObservabilityModule,
        SloModule,
        AlertsModule,
        KubernetesModule,
        EngineModule,
        ScrapeModule,
        AlertDeliveriesModule,
        UiModule,
        WorkloadsModule,
        SensorModule,
        SlackModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
