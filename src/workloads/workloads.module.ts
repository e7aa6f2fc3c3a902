import { Module } from '@nestjs/common';
import { EngineModule } from '../alerts/engine/engine.module.js';
import { SloModule } from '../slo/slo.module.js';
import { WorkloadsController } from './workloads.controller.js';
import { WorkloadsService } from './workloads.service.js';

/** GET /api/v1/workloads. Reads the SLI storage that the engine module owns (one SliRepository in the app). */
@Module({
  imports: [EngineModule, SloModule],
  controllers: [WorkloadsController],
  providers: [WorkloadsService],
})
export class WorkloadsModule {}
