import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CorrectionsController } from './corrections/corrections.controller.js';
import { SloCorrectionEntity } from './corrections/correction.entity.js';
import { CorrectionsService } from './corrections/corrections.service.js';
import { OpenSloController } from './openslo/openslo.controller.js';
import { SloController } from './slo.controller.js';
import { SloEntity } from './slo.entity.js';
import { SloLifecycleHooks } from './slo-lifecycle-hooks.js';
import { SloListCache } from './slo-list.cache.js';
import { SloService } from './slo.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([SloEntity, SloCorrectionEntity])],
  controllers: [SloController, OpenSloController, CorrectionsController],
  providers: [SloService, SloListCache, SloLifecycleHooks, CorrectionsService],
  exports: [SloService, SloListCache, SloLifecycleHooks, CorrectionsService],
})
export class SloModule {}
