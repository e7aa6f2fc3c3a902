import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertAnnotationEntity } from './annotations/alert-annotation.entity.js';
import { AlertAnnotationsService } from './annotations/alert-annotations.service.js';
import { AlertStore } from './alert-store.js';
import { AlertTransitionEntity } from './alert-transition.entity.js';
import { AlertTransitionHooks } from './alert-transition-hooks.js';
import { AlertEntity } from './alert.entity.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { SloModule } from '../slo/slo.module.js';
import { SilenceEntity } from './silences/silence.entity.js';
import { SilencesController } from './silences/silences.controller.js';
import { SilencesService } from './silences/silences.service.js';
import { SloDeletionAlertCloser } from './slo-deletion.listener.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([AlertEntity, AlertTransitionEntity, SilenceEntity, AlertAnnotationEntity]),
    SloModule,
  ],
  controllers: [AlertsController, SilencesController],
  providers: [
    AlertStore,
    AlertTransitionHooks,
    AlertsService,
    SloDeletionAlertCloser,
    SilencesService,
    AlertAnnotationsService,
  ],
  exports: [AlertStore, AlertTransitionHooks, AlertsService, SilencesService, AlertAnnotationsService],
})
export class AlertsModule implements OnModuleInit {
  constructor(
    @Inject(AlertTransitionHooks) private readonly hooks: AlertTransitionHooks,
    @Inject(SilencesService) private readonly silences: SilencesService,
  ) {}

  onModuleInit(): void {
    // Ends silences "until resolved" with their alert's resolve (in the transition's transaction).
    this.hooks.register(this.silences);
  }
}
