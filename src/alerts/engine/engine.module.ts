import { Module } from '@nestjs/common';
import { JobScheduler } from '../../common/job-scheduler.js';
import { SensorScraperService } from '../../integrations/metrics/sensor-scraper.service.js';
import { SliRepository } from '../../integrations/metrics/sli-repository.js';
import { PromqlSliSource } from '../../integrations/promql/promql-sli-source.js';
import { SloModule } from '../../slo/slo.module.js';
import { AlertsModule } from '../alerts.module.js';
import { Lease } from './lease.js';
import { SloEngine } from './slo-engine.service.js';
import { SloStatusService } from './slo-status.service.js';
import { StatusController } from './status.controller.js';

@Module({
  imports: [AlertsModule, SloModule],
  controllers: [StatusController],
  providers: [
    JobScheduler,
    SliRepository,
    SensorScraperService,
    PromqlSliSource,
    Lease,
    SloEngine,
    SloStatusService,
  ],
  exports: [SloEngine, SensorScraperService, SliRepository, SloStatusService],
})
export class EngineModule {}
