import type { ChangeKind, CorrelatedEvent, Correlation, ImageSli, Suspect } from './correlation.js';

/** A change of the SLO's workload, as the change log knows it. */
export interface ChangeCandidate {
  kind: ChangeKind;
  namespace: string;
  workload: string;
  workloadKind: string;
  container: string | null;
  image: string | null;
  previousImage: string | null;
  digest: string | null;
  previousDigest: string | null;
  at: Date;
  /** The rollout hit its progress deadline. */
  failed: boolean;
  fromReplicas?: number;
  toReplicas?: number;
}

/** A warning event folded by (object, reason). */
export interface EventCandidate {
  reason: string;
  objectKind: string;
  objectName: string;
  namespace: string;
  /** The workload the object belongs to (a pod's Deployment), when known. */
  workload: string | null;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  message: string;
}

export interface CorrelationInput {
  burnStartedAt: Date;
  lookbackSeconds: number;
  target: { namespace?: string; workload: string };
  changes: ChangeCandidate[];
  events: EventCandidate[];
  /** Per-image SLI from the engine over the lookback and the burn; undefined when there is no such data. */
  imageSli?: { imageId: string; total: number; bad: number }[];
}

export const MAX_SUSPECTS = 10;
export const MAX_EVENTS = 20;

/** How much each kind of change is suspected, before its distance from the burn is counted. */
const CHANGE_WEIGHT: Record<ChangeKind, number> = {
  deploy: 1, // a new image: the usual cause
  configRollout: 0.8, // env, config map reference, resources: often a cause too
  scale: 0.5, // fewer replicas can overload, more rarely break
};

/** A change's suspicion halves with every 30 minutes between it and the burn's start. */
const CHANGE_HALF_LIFE_MINUTES = 30;

/** How telling each event reason is for a burn (reasons as the kubelet and controllers write them). */
const REASON_WEIGHT: Record<string, number> = {
  BackOff: 1, // CrashLoopBackOff: the container keeps dying
  CrashLoopBackOff: 1,
  OOMKilling: 1, // the kernel killed the container for memory
  OOMKilled: 1,
  Failed: 0.9, // ErrImagePull and other container start failures
  ErrImagePull: 0.9,
  ImagePullBackOff: 0.9,
  Unhealthy: 0.8, // readiness or liveness probe failures
  Evicted: 0.8,
  Killing: 0.7,
  FailedScheduling: 0.6, // pods that cannot run: capacity lost
  FailedMount: 0.6,
  NodeNotReady: 0.6,
};
const OTHER_REASON_WEIGHT = 0.5;

/** Events on the workload's own objects count fully, the rest of its namespace half, nodes a third. */
const SCOPE_WEIGHT = { own: 1, namespace: 0.5, node: 0.35 } as const;

/** An event seen up to this long before the burn counts as ongoing; older ones fade like changes. */
const EVENT_FRESH_MINUTES = 15;

/** Ranks the changes and events around a burn: a pure function of what the change log and the engine know. */
export function correlate(input: CorrelationInput): Correlation {
  const start = input.burnStartedAt.getTime();
  const from = start - input.lookbackSeconds * 1000;
  const imageComparison = compareImages(input);
  const confirmed = imageComparison && worse(imageComparison[1], imageComparison[0]);

  const suspects = input.changes
    .filter((c) => c.at.getTime() >= from && c.at.getTime() <= start)
    .map((change): Suspect & { sortAt: number } => {
      const minutes = (start - change.at.getTime()) / 60_000;
      const boosted =
        confirmed && change.kind === 'deploy' && change.digest === imageComparison![1]!.digest ? 20 : 0;
      const score = Math.min(
        100,
        Math.round(100 * CHANGE_WEIGHT[change.kind] * halve(minutes, CHANGE_HALF_LIFE_MINUTES)) + boosted,
      );
      return {
        kind: change.kind,
        namespace: change.namespace,
        workload: change.workload,
        workloadKind: change.workloadKind,
        container: change.container,
        image: change.image,
        digest: change.digest,
        previousDigest: change.previousDigest,
        at: change.at.toISOString(),
        minutesBeforeBurn: Math.round(minutes),
        score,
        reason: describeChange(change, Math.round(minutes), boosted > 0 ? imageComparison! : null),
        sortAt: change.at.getTime(),
      };
    })
    .sort((a, b) => b.score - a.score || b.sortAt - a.sortAt)
    .slice(0, MAX_SUSPECTS)
    .map(({ sortAt: _sortAt, ...suspect }) => suspect);

  const events = input.events
    .filter((e) => e.lastSeen.getTime() >= from)
    .map((event): CorrelatedEvent & { sortAt: number } => ({
      reason: event.reason,
      objectKind: event.objectKind,
      objectName: event.objectName,
      namespace: event.namespace,
      count: event.count,
      firstSeen: event.firstSeen.toISOString(),
      lastSeen: event.lastSeen.toISOString(),
      message: event.message,
      score: eventScore(event, input.target, start),
      sortAt: event.lastSeen.getTime(),
    }))
    .sort((a, b) => b.score - a.score || b.sortAt - a.sortAt)
    .slice(0, MAX_EVENTS)
    .map(({ sortAt: _sortAt, ...event }) => event);

  return {
    lookbackMinutes: Math.round(input.lookbackSeconds / 60),
    suspects,
    events,
    imageComparison,
  };
}

export function eventScope(
  event: Pick<EventCandidate, 'objectKind' | 'objectName' | 'namespace' | 'workload'>,
  target: CorrelationInput['target'],
): keyof typeof SCOPE_WEIGHT {
  if (event.objectKind === 'Node') return 'node';
  const sameNamespace = target.namespace === undefined || target.namespace === event.namespace;
  const ownObject = event.workload === target.workload || event.objectName === target.workload;
  return sameNamespace && ownObject ? 'own' : 'namespace';
}

function eventScore(event: EventCandidate, target: CorrelationInput['target'], start: number): number {
  const scope = SCOPE_WEIGHT[eventScope(event, target)];
  const reason = REASON_WEIGHT[event.reason] ?? OTHER_REASON_WEIGHT;
  const staleMinutes = Math.max(0, (start - event.lastSeen.getTime()) / 60_000 - EVENT_FRESH_MINUTES);
  const recency = halve(staleMinutes, CHANGE_HALF_LIFE_MINUTES);
  // 1 occurrence → 0.6, 10 → 0.8, 100 and more → 1: repetition makes an event telling, up to a point.
  const repetition = 0.6 + 0.4 * Math.min(1, Math.log10(Math.max(1, event.count)) / 2);
  return Math.round(100 * scope * reason * recency * repetition);
}

function halve(minutes: number, halfLife: number): number {
  return 0.5 ** (Math.max(0, minutes) / halfLife);
}

/**
 * The SLI of the newest deploy's image next to the image it replaced, over the lookback and the burn:
 * [previous, new]. Null without per-image data, without such a deploy, or when neither image served traffic.
 */
function compareImages(input: CorrelationInput): ImageSli[] | null {
  if (!input.imageSli) return null;
  const start = input.burnStartedAt.getTime();
  const deploy = input.changes
    .filter((c) => c.kind === 'deploy' && c.digest && c.previousDigest && c.at.getTime() <= start)
    .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  if (!deploy) return null;
  const totals = new Map<string, { total: number; bad: number }>();
  for (const row of input.imageSli) {
    const digest = /sha256:[0-9a-f]{64}/.exec(row.imageId)?.[0] ?? row.imageId;
    const sum = totals.get(digest) ?? { total: 0, bad: 0 };
    totals.set(digest, { total: sum.total + row.total, bad: sum.bad + row.bad });
  }
  const side = (digest: string, image: string | null): ImageSli => {
    const { total, bad } = totals.get(digest) ?? { total: 0, bad: 0 };
    return {
      digest,
      image,
      total,
      bad,
      sliPercent: total > 0 ? round((100 * (total - bad)) / total, 3) : null,
    };
  };
  const comparison = [side(deploy.previousDigest!, deploy.previousImage), side(deploy.digest!, deploy.image)];
  return comparison.every((c) => c.total === 0) ? null : comparison;
}

/** The new image is clearly worse: its SLI is more than a percentage point below the previous one's. */
function worse(next: ImageSli | undefined, previous: ImageSli | undefined): boolean {
  return (
    next?.sliPercent !== null &&
    next?.sliPercent !== undefined &&
    previous?.sliPercent !== null &&
    previous?.sliPercent !== undefined &&
    next.sliPercent < previous.sliPercent - 1
  );
}

function describeChange(change: ChangeCandidate, minutes: number, comparison: ImageSli[] | null): string {
  const when = minutes === 0 ? 'as the burn began' : `${minutes} min before the burn`;
  const failed = change.failed ? '; the rollout failed' : '';
  switch (change.kind) {
    case 'deploy': {
      const images = change.previousImage
        ? `${change.previousImage} → ${change.image}`
        : `${change.image} (first revision)`;
      const sli = comparison
        ? `; good requests ${comparison[0]!.sliPercent} % on ${short(comparison[0]!.digest)} → ` +
          `${comparison[1]!.sliPercent} % on ${short(comparison[1]!.digest)}`
        : '';
      return `deploy of ${change.container}: ${images}, ${when}${failed}${sli}`;
    }
    case 'configRollout':
      return `pod template changed without a new image, ${when}${failed}`;
    case 'scale':
      return `scaled from ${change.fromReplicas} to ${change.toReplicas} replicas, ${when}`;
  }
}

function short(digest: string): string {
  return digest.startsWith('sha256:') ? `${digest.slice(0, 11)}…` : digest;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
