import { AlertTransitionEntity } from '../alerts/alert-transition.entity.js';
import { AlertAnnotationEntity } from '../alerts/annotations/alert-annotation.entity.js';
import { AlertEntity } from '../alerts/alert.entity.js';
import { KUBERNETES_ENTITIES } from '../integrations/kubernetes/change-log.entities.js';
import {
  ScrapeTargetEntity,
  SliHourEntity,
  SliMinuteEntity,
  SliSeriesEntity,
} from '../sli/sli-storage.entities.js';
import { LeaseEntity } from '../alerts/engine/lease.entity.js';
import { NotificationEntity } from '../integrations/slack/notification.entity.js';
import { SilenceEntity } from '../alerts/silences/silence.entity.js';
import { SloCorrectionEntity } from '../slo/corrections/correction.entity.js';
import { SloEntity } from '../slo/slo.entity.js';

/** Every TypeORM entity, listed once for the data source and for the schema-drift test. */
export const ALL_ENTITIES = [
  SloEntity,
  SloCorrectionEntity,
  AlertEntity,
  AlertTransitionEntity,
  SilenceEntity,
  AlertAnnotationEntity,
  NotificationEntity,
  SliSeriesEntity,
  SliMinuteEntity,
  SliHourEntity,
  ScrapeTargetEntity,
  LeaseEntity,
  ...KUBERNETES_ENTITIES,
];
