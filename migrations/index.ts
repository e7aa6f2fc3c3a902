import { CreateSlos1764086400000 } from './1764086400000-CreateSlos.js';
import { CreateAlerts1764090000000 } from './1764090000000-CreateAlerts.js';
import { CreateKubernetesChangeLog1764200000000 } from './1764200000000-CreateKubernetesChangeLog.js';
import { CreateSliStorage1764300000000 } from './1764300000000-CreateSliStorage.js';
import { CreateEngineLeases1764300000001 } from './1764300000001-CreateEngineLeases.js';
import { CreateNotifications1764100000000 } from './1764100000000-CreateNotifications.js';
import { AddNotificationCorrelationHash1764100000001 } from './1764100000001-AddNotificationCorrelationHash.js';
import { AddSloVersion1765600000000 } from './1765600000000-AddSloVersion.js';
import { CreateSloCorrections1765900000000 } from './1765900000000-CreateSloCorrections.js';
import { CreateSilences1766100000000 } from './1766100000000-CreateSilences.js';
import { CreateAlertAnnotations1766300000000 } from './1766300000000-CreateAlertAnnotations.js';
import { CreateScrapeTargets1766400000000 } from './1766400000000-CreateScrapeTargets.js';
import { AddNotificationClaim1766400000001 } from './1766400000001-AddNotificationClaim.js';
import { AddScrapeTargetExactCounts1766500000000 } from './1766500000000-AddScrapeTargetExactCounts.js';
import { CreateChangeRecords1766600000000 } from './1766600000000-CreateChangeRecords.js';
import { CreateSliHours1766700000000 } from './1766700000000-CreateSliHours.js';
import { AddSliSeriesGrpcStatus1766800000000 } from './1766800000000-AddSliSeriesGrpcStatus.js';
import { CoverSliHoursKey1766900000000 } from './1766900000000-CoverSliHoursKey.js';

/** Applied in this order; a new migration is appended here. */
export const ALL_MIGRATIONS = [
  CreateSlos1764086400000,
  CreateAlerts1764090000000,
  CreateNotifications1764100000000,
  AddNotificationCorrelationHash1764100000001,
  CreateKubernetesChangeLog1764200000000,
  CreateSliStorage1764300000000,
  CreateEngineLeases1764300000001,
  AddSloVersion1765600000000,
  CreateSloCorrections1765900000000,
  CreateSilences1766100000000,
  CreateAlertAnnotations1766300000000,
  CreateScrapeTargets1766400000000,
  AddNotificationClaim1766400000001,
  AddScrapeTargetExactCounts1766500000000,
  CreateChangeRecords1766600000000,
  CreateSliHours1766700000000,
  AddSliSeriesGrpcStatus1766800000000,
  CoverSliHoursKey1766900000000,
];
