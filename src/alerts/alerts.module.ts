import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertStore } from './alert-store.js';
import { AlertTransitionEntity } from './alert-transition.entity.js';
import { AlertTransitionHooks } from './alert-transition-hooks.js';
import { AlertEntity } from './alert.entity.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { SloModule } from '../slo/slo.module.js';
import { SloDeletionAlertCloser } from './slo-deletion.listener.js';

@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity, AlertTransitionEntity]), SloModule],
  controllers: [AlertsController],
  providers: [AlertStore, AlertTransitionHooks, AlertsService, SloDeletionAlertCloser],
  exports: [AlertStore, AlertTransitionHooks, AlertsService],
})
export class AlertsModule {}
