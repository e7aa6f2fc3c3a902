import type { WorkloadKind } from './change-log.entities.js';

/** A pod-template revision with the one before it (SQL's LAG), as the change log stores them. */
export interface RevisionPair {
  namespace: string;
  workloadKind: WorkloadKind;
  workload: string;
  revision: number;
  images: Record<string, string>;
  previousImages: Record<string, string> | null;
  startedAt: Date;
  finishedAt: Date | null;
  failedAt: Date | null;
  failureMessage: string | null;
}

export interface RolloutChange {
  type: 'deploy' | 'configRollout';
  namespace: string;
  workloadKind: WorkloadKind;
  workload: string;
  revision: number;
  /** Deploys: the container whose image changed; null for a config rollout. */
  container: string | null;
  image: string | null;
  previousImage: string | null;
  digest: string | null;
  previousDigest: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  failedAt: Date | null;
  failureMessage: string | null;
}

export type DigestLookup = (
  namespace: string,
  workloadKind: WorkloadKind,
  workload: string,
  container: string,
  image: string,
) => string | undefined;

/**
 * Turns revisions into changes: one deploy per container whose image differs from the previous revision (a first
 * revision deploys every container), or one config rollout when the template changed and no image did.
 */
export function rolloutChanges(pair: RevisionPair, digest: DigestLookup): RolloutChange[] {
  const base = {
    namespace: pair.namespace,
    workloadKind: pair.workloadKind,
    workload: pair.workload,
    revision: pair.revision,
    startedAt: pair.startedAt,
    finishedAt: pair.finishedAt,
    failedAt: pair.failedAt,
    failureMessage: pair.failureMessage,
  };
  const find = (container: string, image: string | null) =>
    image === null
      ? null
      : (digest(pair.namespace, pair.workloadKind, pair.workload, container, image) ?? null);
  const deploys: RolloutChange[] = [];
  for (const [container, image] of Object.entries(pair.images).sort(([a], [b]) => a.localeCompare(b))) {
    const previousImage = pair.previousImages?.[container] ?? null;
    if (pair.previousImages !== null && previousImage === image) continue;
    deploys.push({
      ...base,
      type: 'deploy',
      container,
      image,
      previousImage,
      digest: find(container, image),
      previousDigest: find(container, previousImage),
    });
  }
  if (deploys.length > 0) return deploys;
  return [
    {
      ...base,
      type: 'configRollout',
      container: null,
      image: null,
      previousImage: null,
      digest: null,
      previousDigest: null,
    },
  ];
}
