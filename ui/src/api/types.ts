/**
 * The API's shapes, as the server itself declares them: every type here is the server's own (type-only imports,
 * nothing of the server is bundled), so the UI cannot drift from what the API answers — a change on either side
 * that does not fit the other fails `npm run typecheck`. The server keeps these shapes in `*.view.ts` files and
 * domain types without Nest or TypeORM, so this compiler (DOM, no Node types) can read them; an ESLint rule keeps
 * them so. Only the UI's own drawing types (Change) are declared here.
 */
import type { AlertDetailView, AlertView, DeliveryView } from '../../../src/alerts/alert.view.js';
import type { Correlation as CorrelationView } from '../../../src/alerts/correlation/correlation.js';
import type { SloStatusView } from '../../../src/alerts/engine/slo-status.view.js';
export type { SloStatusSummary } from '../../../src/alerts/engine/slo-status.view.js';
import type { SloTimeseries } from '../../../src/alerts/engine/timeseries.js';
import type { SloSpec } from '../../../src/slo/domain/slo.js';

export type { Severity, BurnRateWindowView } from '../../../src/alerts/domain/alert-policy.js';
export type { SloStatus as SloStatusName } from '../../../src/alerts/domain/evaluate.js';
export type { AlertSnapshot } from '../../../src/alerts/domain/alert-transition.js';
export type { Matcher, MatcherName, SilenceState } from '../../../src/alerts/domain/silence.js';
export type { SilenceView as Silence } from '../../../src/alerts/silences/silence.view.js';
export type { SloView as Slo } from '../../../src/slo/slo.view.js';
export type {
  CorrelatedEvent,
  ImageSli as ImageComparison,
  Suspect,
} from '../../../src/alerts/correlation/correlation.js';
export type { Report, SloReport } from '../../../src/alerts/reports/report.view.js';
export type { DeployCostsView as DeployCosts } from '../../../src/alerts/engine/deploy-cost.view.js';
export type { KubernetesStatusView as KubernetesStatus } from '../../../src/integrations/kubernetes/kubernetes-status.view.js';
/** One item of GET /api/v1/changes. */
export type { ChangeView as RawChange } from '../../../src/integrations/kubernetes/changes.view.js';
export type {
  SuggestedSlo,
  WorkloadSummary as Workload,
  WorkloadsView,
} from '../../../src/workloads/domain/workloads.js';
export type { SensorStatusView } from '../../../src/integrations/sensor/sensor-status.js';
export type { AlertAnnotation, AnnotationKind } from '../../../src/alerts/domain/alert-annotation.js';

export type SloWindow = SloSpec['window'];
export type Correlation = CorrelationView;
export type Notification = DeliveryView;
export type DeliveryState = DeliveryView['state'];
/** GET /api/v1/alerts items (the list) and GET /api/v1/alerts/{id} (with its transitions). */
export type Alert = AlertView & Partial<Pick<AlertDetailView, 'transitions'>>;
export type SloStatus = SloStatusView;
export type BurnRateStatus = SloStatusView['burnRates'][number];
/** GET /api/v1/slos/{name}/timeseries. */
export type Timeseries = SloTimeseries & { corrected: { from: string; to: string }[] };

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
