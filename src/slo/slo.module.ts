import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OpenSloController } from './openslo/openslo.controller.js';
import { SloController } from './slo.controller.js';
import { SloEntity } from './slo.entity.js';
import { SloLifecycleHooks } from './slo-lifecycle-hooks.js';
import { SloService } from './slo.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([SloEntity])],
  controllers: [SloController, OpenSloController],
  providers: [SloService, SloLifecycleHooks],
  exports: [SloService, SloLifecycleHooks],
})
export class SloModule {}
