import { Module } from '@nestjs/common';
import { JobScheduler } from '../../common/job-scheduler.js';
import { SliModule } from '../../sli/sli.module.js';
import { SloModule } from '../../slo/slo.module.js';
import { AlertsModule } from '../alerts.module.js';
import { IMAGE_SLI_SOURCE, ImageSliSource } from '../correlation/image-sli.port.js';
import { ImageSliQuery } from '../../sli/image-sli.query.js';
import { Lease } from './lease.js';
import { SloEngine } from './slo-engine.service.js';
import { SloStatusService } from './slo-status.service.js';
import { DeployCostController } from './deploy-cost.controller.js';
import { GateController } from './gate.controller.js';
import { ReportsController } from '../reports/reports.controller.js';
import { ReportsService } from '../reports/reports.service.js';
import { StatusController } from './status.controller.js';

@Module({
  imports: [AlertsModule, SloModule, SliModule],
  controllers: [StatusController, GateController, ReportsController, DeployCostController],
  providers: [
    // The sensor store's per-image reading (src/sli) is the correlation's port; typed here, where both are known.
    {
      provide: IMAGE_SLI_SOURCE,
      useFactory: (query: ImageSliQuery): ImageSliSource => query,
      inject: [ImageSliQuery],
    },
    JobScheduler,
    Lease,
    SloEngine,
    SloStatusService,
    ReportsService,
  ],
  exports: [IMAGE_SLI_SOURCE, SloEngine, SliModule, SloStatusService],
})
export class EngineModule {}
