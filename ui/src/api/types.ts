/**
 * The API's shapes as the UI reads them (see the README and /api/docs). Parts that other teams are still building
 * are optional here, so that the UI degrades when a server does not have them yet.
 */
import type { AlertAnnotation } from '../../../src/alerts/domain/alert-annotation.js';

export type Severity = 'page' | 'ticket';

/** A rolling window ("28d"), or a calendar week, month or quarter in a time zone (optionally anchored). */
export type SloWindow = string | { calendar: 'week' | 'month' | 'quarter'; timeZone: string; start?: string };
export type SloStatusName = 'ok' | 'ticket' | 'page' | 'noData' | 'stale' | 'error';

export interface BurnRateWindowView {
  severity: Severity;
  longWindow: string;
  shortWindow: string;
  burnRate: number;
}

export interface Slo {
  name: string;
  displayName?: string;
  description: string;
  team?: string;
  service: { namespace?: string; workload: string; route?: string; method?: string };
  indicator:
    | { type: 'errorRate'; errorStatus: string }
    | { type: 'latency'; thresholdMs: number; percentile?: number }
    | { type: 'ratio'; goodQuery?: string; badQuery?: string; totalQuery: string };
  objective: number;
  window: SloWindow;
  budgetingMethod: 'occurrences' | 'timeslices';
  timeslice?: string;
  notify?: { slackChannel?: string };
  source?: { type: string };
  createdAt?: string;
  updatedAt?: string;
  errorBudget: { percent: number; description: string };
  effectiveAlerting: {
    windows: BurnRateWindowView[];
    minEvents: number;
    policy: 'default' | 'custom';
    notes?: string[];
  };
}

export interface AlertSnapshot {
  sliPercent: number | null;
  objective: number;
  budgetRemainingPercent: number | null;
  burnRates: {
    severity: Severity;
    longWindow: string;
    shortWindow: string;
    threshold: number;
    longBurnRate: number | null;
    shortBurnRate: number | null;
    firing: boolean;
  }[];
  exhaustionAt: string | null;
}

export type ChangeKind = 'deploy' | 'configRollout' | 'scale' | 'warning';

/** A change as the UI draws it (see normalizeChange() for the API's shapes). */
export interface Change {
  kind: ChangeKind;
  at: string;
  namespace: string;
  workload: string;
  image?: string;
  digest?: string;
  previousDigest?: string;
  reason?: string;
  count?: number;
  message?: string;
}

/** One item of GET /api/v1/changes as the Kubernetes part serves it (`type`), or as first drafted (`kind`). */
export interface RawChange {
  type?: 'deploy' | 'configRollout' | 'scale' | 'event';
  kind?: ChangeKind;
  at: string;
  namespace: string;
  workload?: string | null;
  objectName?: string;
  eventType?: string;
  image?: string | null;
  previousImage?: string | null;
  digest?: string | null;
  previousDigest?: string | null;
  revision?: number;
  failureMessage?: string | null;
  fromReplicas?: number;
  toReplicas?: number;
  reason?: string;
  count?: number;
  message?: string;
}

export interface ImageComparison {
  digest: string;
  image: string | null;
  total: number;
  bad: number;
  sliPercent: number | null;
}

/** A change suspected of causing a burn, most suspect first; `reason` says why. */
export interface Suspect {
  kind: 'deploy' | 'configRollout' | 'scale';
  namespace: string;
  workload: string;
  image?: string | null;
  digest?: string | null;
  previousDigest?: string | null;
  at: string;
  minutesBeforeBurn?: number;
  score?: number;
  reason?: string;
}

export interface CorrelatedEvent {
  reason: string;
  objectKind?: string;
  objectName: string;
  namespace: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  message?: string;
}

export interface Correlation {
  suspects?: Suspect[];
  events?: CorrelatedEvent[];
  imageComparison?: ImageComparison[] | null;
}

/** held: a silence matched the alert, so the notification is kept and not sent. */
export type DeliveryState = 'sent' | 'pending' | 'failed' | 'dry-run' | 'held';

export interface Notification {
  channel: string;
  kind: string;
  state: DeliveryState;
  attempts: number;
  error: string | null;
  sentAt: string | null;
  nextAttemptAt?: string | null;
  silenceId?: string | null;
}

export type MatcherName = 'slo' | 'team' | 'namespace' | 'workload' | 'severity';

export interface Matcher {
  name: MatcherName;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** GET /api/v1/silences: Alertmanager's shape, plus "until the alert resolves". */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  /** null: until the alert resolves, and it has not yet. */
  endsAt: string | null;
  untilResolved: boolean;
  alertId: string | null;
  createdBy: string;
  comment: string;
  createdAt: string;
  updatedAt: string;
  status: { state: SilenceState };
}

export interface Alert {
  id: string;
  slo: string;
  severity: Severity;
  state: 'firing' | 'resolved';
  startedAt: string;
  resolvedAt: string | null;
  durationSeconds: number;
  snapshot: AlertSnapshot;
  correlation: Correlation | null;
  notifications?: Notification[];
  /** The silence holding this firing alert's notifications now (absent on a server without silences). */
  silence?: Silence | null;
  /** Acknowledgements, silences and "not a real burn" from Slack's buttons, oldest first. */
  annotations?: AlertAnnotation[];
}

export interface BurnRateStatus {
  severity: Severity;
  longWindow: string;
  shortWindow: string;
  threshold: number;
  long: number | null;
  short: number | null;
  longEvents: number;
  shortEvents: number;
  firing: boolean;
}

export interface SloStatus {
  slo: string;
  team?: string | null;
  namespace?: string | null;
  workload: string;
  status: SloStatusName;
  objective: number;
  window: SloWindow;
  sli: { percent: number | null; approximate: boolean; total: number; bad: number };
  errorBudget: {
    totalEvents: number;
    consumedEvents: number;
    remainingEvents: number;
    remainingPercent: number | null;
    consumedPercent: number | null;
  };
  burnRates: BurnRateStatus[];
  forecast: { burnRate: number | null; exhaustionAt: string | null; secondsToExhaustion: number | null };
  alerts: Alert[];
  dataFreshness: { lastDataAt: string | null; ageSeconds: number | null };
  /** Set when `status` is `stale`: the end of the last minute with data. */
  staleSince?: string | null;
  /** Budget corrections within the SLO window. */
  corrections?: { excludedMinutes: number; activeNow: boolean };
  /** Set when `status` is `error`: why the SLO could not be evaluated, since when. */
  error?: { reason: string; since: string } | null;
  evaluatedAt: string;
}

export interface Timeseries {
  from: number | string;
  to: number | string;
  stepSeconds: number;
  timestamps: number[];
  sliPercent: (number | null)[];
  budgetRemainingPercent: (number | null)[];
  burnRates: { severity: Severity; window: string; threshold: number; values: (number | null)[] }[];
  requests: number[];
  bad: number[];
  /** Budget corrections in the range: left out of every number above. */
  corrected?: { from: string; to: string }[];
  /** Data before `hourlyUntil` came from hourly rollups (older than 26 h); null when all of it was per minute. */
  resolution?: { hourlyUntil: string | null };
}

/** GET /api/v1/kubernetes/status: `state` from the Kubernetes part; `connected` as first drafted. */
export interface KubernetesStatus {
  state?: 'disabled' | 'notConfigured' | 'connecting' | 'connected' | 'error';
  connected?: boolean;
  message?: string;
  lastSyncAt?: string | null;
}

/** GET /api/v1/reports: compliance over a calendar period. */
export interface SloReport {
  slo: string;
  displayName: string | null;
  team: string | null;
  namespace: string | null;
  workload: string;
  objective: number;
  budgetingMethod: 'occurrences' | 'timeslices';
  achievedPercent: number | null;
  met: boolean | null;
  total: number;
  bad: number;
  allowedBad: number;
  budgetConsumedPercent: number | null;
  pageSeconds: number;
  ticketSeconds: number;
  incidents: {
    alertId: string;
    severity: Severity;
    startedAt: string;
    resolvedAt: string | null;
    suspects: { kind: string; image?: string; digest?: string; at?: string; reason?: string }[];
  }[];
  corrections: { minutes: number; ranges: { from: string; to: string }[] };
  coverage: { dataFrom: string | null; complete: boolean; note: string | null };
  /** Data before `hourlyUntil` came from hourly rollups (older than 26 h); null when all of it was per minute. */
  resolution?: { hourlyUntil: string | null };
  burnDown: { at: string; remainingPercent: number | null }[];
}

export interface Report {
  period: string;
  calendar: 'week' | 'month' | 'quarter';
  timeZone: string;
  from: string;
  to: string;
  until: string;
  team: string | null;
  items: SloReport[];
  generatedAt: string;
}
/** GET /api/v1/workloads: the API's own type (type-only, nothing of the server is bundled). */
export type {
  SuggestedSlo,
  WorkloadSummary as Workload,
  WorkloadsView,
} from '../../../src/workloads/domain/workloads.js';

/** GET /api/v1/slos/{name}/deploys: what each image digest cost. */
export interface DeployCosts {
  slo: string;
  from: string;
  to: string;
  note: string | null;
  items: {
    imageId: string;
    from: string;
    to: string;
    total: number;
    bad: number;
    errorPercent: number | null;
    budgetConsumedPercent: number | null;
    previous: { imageId: string; errorPercent: number | null } | null;
    errorRatioVsPrevious: number | null;
  }[];
}
/** GET /api/v1/sensor: the API's own type. */
export type { SensorStatusView } from '../../../src/integrations/sensor/sensor-status.js';
export type { AlertAnnotation, AnnotationKind } from '../../../src/alerts/domain/alert-annotation.js';
