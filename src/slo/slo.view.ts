import { toWindowView, BurnRateWindowView } from '../alerts/domain/alert-policy.js';
import {
  DEFAULT_MIN_EVENTS,
  SloSpec,
  allowedBadRatio,
  describeErrorBudget,
  effectiveAlertingPolicy,
} from './domain/slo.js';
import { DEFAULT_GRPC_ERROR_CODES, GrpcStatusName } from './domain/grpc-status.js';
import { validateSloSpec } from './domain/slo-schema.js';

/** jsonb stores keys in its own order; give them back in the documented order. */
function canonicalSpec(stored: SloSpec): SloSpec {
  const result = validateSloSpec(stored);
  return result.ok ? result.spec : stored;
}

/** A stored SLO row as the views need it (SloEntity satisfies it; no TypeORM here, so the UI compiles this file). */
export interface StoredSlo {
  id: string;
  spec: SloSpec;
  createdAt: Date;
  updatedAt: Date;
  version?: number;
}

/** What the API returns for an SLO: the spec as written plus read-only fields. */
export interface SloView extends SloSpec {
  id: string;
  createdAt: string;
  updatedAt: string;
  errorBudget: { percent: number; description: string };
  effectiveAlerting: {
    windows: BurnRateWindowView[];
    minEvents: number;
    policy: 'default' | 'custom';
    /** How the default tiers were fitted to this SLO's window and objective (scaled, capped, dropped). */
    notes: string[];
  };
  /**
   * An error-rate SLO's gRPC status codes that count as errors: its `indicator.grpcErrorCodes`, or the default set
   * when it names none (`source: 'default'`). Null for other indicators.
   */
  effectiveGrpcErrorCodes: { codes: GrpcStatusName[]; source: 'default' | 'custom' } | null;
}

/** Fields a client may send back from a GET unchanged; they are ignored on write. */
export const READ_ONLY_FIELDS = [
  'id',
  'createdAt',
  'updatedAt',
  'errorBudget',
  'effectiveAlerting',
  'effectiveGrpcErrorCodes',
] as const;

/**
 * Views of unchanged rows, by id and write time: validating and fitting a spec's tiers costs more than the list
 * query, and a list of 100 SLOs would redo it for every request. Bounded; cleared when full.
 */
const VIEWS = new Map<string, SloView>();
const MAX_CACHED_VIEWS = 20_000;

export function toSloView(entity: StoredSlo): SloView {
  const key = `${entity.id}@${entity.updatedAt.getTime()}@${entity.version ?? ''}`;
  const cached = VIEWS.get(key);
  // Shared, so frozen: a caller that wants to change a view must copy it.
  if (cached) return cached;
  const view = deepFreeze(buildSloView(entity));
  if (VIEWS.size >= MAX_CACHED_VIEWS) VIEWS.clear();
  VIEWS.set(key, view);
  return view;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function buildSloView(entity: StoredSlo): SloView {
  const spec = canonicalSpec(entity.spec);
  const alerting = effectiveAlertingPolicy(spec);
  return {
    id: entity.id,
    ...spec,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    errorBudget: {
      percent: +(allowedBadRatio(spec) * 100).toFixed(6),
      description: describeErrorBudget(spec),
    },
    effectiveAlerting: {
      policy: spec.alerting?.windows === undefined ? 'default' : 'custom',
      windows: alerting.windows.map(toWindowView),
      minEvents: spec.alerting?.minEvents ?? DEFAULT_MIN_EVENTS,
      notes: alerting.notes,
    },
    effectiveGrpcErrorCodes:
      spec.indicator.type !== 'errorRate'
        ? null
        : spec.indicator.grpcErrorCodes === undefined
          ? { codes: [...DEFAULT_GRPC_ERROR_CODES], source: 'default' }
          : { codes: [...spec.indicator.grpcErrorCodes], source: 'custom' },
  };
}
