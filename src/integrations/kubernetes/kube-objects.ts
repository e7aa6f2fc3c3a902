import { createHash } from 'node:crypto';
import type { WorkloadKind } from './change-log.entities.js';

/**
 * Pure readers of Kubernetes objects. Objects reach us in two shapes: from a list (deserialized by the client,
 * timestamps as Date) and from a watch (raw JSON, timestamps as text); everything here accepts both.
 */

export type Time = string | Date | null | undefined;

export interface OwnerReference {
  kind: string;
  name: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Time;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface Container {
  name: string;
  image?: string;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; [key: string]: unknown };
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: Time;
  lastTransitionTime?: Time;
}

export interface WorkloadObject {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; template?: PodTemplate };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    readyReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    conditions?: Condition[];
  };
}

export interface PodObject {
  metadata?: ObjectMeta;
  spec?: { containers?: Container[]; nodeName?: string };
  status?: { containerStatuses?: { name: string; image?: string; imageID?: string }[] };
}

export interface EventObject {
  metadata?: ObjectMeta;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  regarding?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  note?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: Time;
  lastTimestamp?: Time;
  eventTime?: Time;
  deprecatedCount?: number;
  deprecatedFirstTimestamp?: Time;
  deprecatedLastTimestamp?: Time;
  series?: { count?: number; lastObservedTime?: Time };
}

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

export function toDate(time: Time): Date | undefined {
  if (time === null || time === undefined || time === '') return undefined;
  const date = time instanceof Date ? time : new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Container name → image of a pod template. */
export function templateImages(template: PodTemplate | undefined): Record<string, string> {
  const images: Record<string, string> = {};
  for (const container of template?.spec?.containers ?? []) {
    if (container.image) images[container.name] = container.image;
  }
  return images;
}

/** A hash of a pod template that is the same for the listed and the watched form of one object. */
export function templateHash(template: PodTemplate | undefined): string {
  const { labels, annotations } = template?.metadata ?? {};
  return createHash('sha256')
    .update(stableJson({ labels, annotations, spec: template?.spec }))
    .digest('hex')
    .slice(0, 32);
}

function stableJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const DIGEST = /sha256:[0-9a-f]{64}/;

/** "docker-pullable://registry/shop/checkout@sha256:9f8e…" → "sha256:9f8e…"; undefined when there is none. */
export function digestOf(imageId: string | undefined): string | undefined {
  return imageId ? DIGEST.exec(imageId)?.[0] : undefined;
}

function controllerOf(meta: ObjectMeta | undefined): OwnerReference | undefined {
  const owners = meta?.ownerReferences ?? [];
  return owners.find((o) => o.controller) ?? owners[0];
}

/** The Deployment that owns a ReplicaSet, if one does. */
export function replicaSetDeployment(replicaSet: WorkloadObject): string | undefined {
  const owner = controllerOf(replicaSet.metadata);
  return owner?.kind === 'Deployment' ? owner.name : undefined;
}

export function replicaSetRevision(replicaSet: WorkloadObject): number | undefined {
  const raw = replicaSet.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const revision = raw === undefined ? NaN : Number(raw);
  return Number.isSafeInteger(revision) && revision > 0 ? revision : undefined;
}

/**
 * The workload a pod belongs to, through its controller: a ReplicaSet (looked up, or its name read as
 * "<deployment>-<pod-template-hash>"), a StatefulSet or a DaemonSet.
 */
export function podWorkload(
  pod: PodObject,
  replicaSetOwner: (namespace: string, name: string) => string | undefined,
): WorkloadRef | undefined {
  const owner = controllerOf(pod.metadata);
  if (!owner) return undefined;
  switch (owner.kind) {
    case 'ReplicaSet': {
      const deployment =
        replicaSetOwner(pod.metadata?.namespace ?? '', owner.name) ??
        deploymentFromReplicaSetName(owner.name);
      return deployment ? { kind: 'Deployment', name: deployment } : undefined;
    }
    case 'StatefulSet':
    case 'DaemonSet':
      return { kind: owner.kind, name: owner.name };
    default:
      return undefined;
  }
}

function deploymentFromReplicaSetName(name: string): string | undefined {
  return /^(.+)-[a-z0-9]{5,10}$/.exec(name)?.[1];
}

/** The workload an event's object belongs to, by the object's kind and name alone (the pod may be gone). */
export function eventWorkload(
  objectKind: string,
  objectName: string,
  namespace: string,
  lookup: {
    pod(namespace: string, name: string): WorkloadRef | undefined;
    replicaSetOwner(namespace: string, name: string): string | undefined;
  },
): WorkloadRef | undefined {
  switch (objectKind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return { kind: objectKind, name: objectName };
    case 'ReplicaSet': {
      const deployment =
        lookup.replicaSetOwner(namespace, objectName) ?? deploymentFromReplicaSetName(objectName);
      return deployment ? { kind: 'Deployment', name: deployment } : undefined;
    }
    case 'Pod': {
      const known = lookup.pod(namespace, objectName);
      if (known) return known;
      // Deployment pods are "<deployment>-<hash>-<5 chars>", StatefulSet pods "<statefulset>-<ordinal>".
      const deployment = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(objectName)?.[1];
      if (deployment) return { kind: 'Deployment', name: deployment };
      const statefulSet = /^(.+)-\d+$/.exec(objectName)?.[1];
      return statefulSet ? { kind: 'StatefulSet', name: statefulSet } : undefined;
    }
    default:
      return undefined;
  }
}

/** One Kubernetes Event (core/v1 or events.k8s.io/v1), reduced to what the change log keeps. */
export interface EventFacts {
  uid: string;
  namespace: string;
  objectKind: string;
  objectName: string;
  reason: string;
  type: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  message: string;
}

export function eventFacts(event: EventObject): EventFacts | undefined {
  const object = event.involvedObject ?? event.regarding;
  const uid = event.metadata?.uid;
  if (!uid || !object?.kind || !object.name || !event.reason) return undefined;
  const created = toDate(event.metadata?.creationTimestamp);
  const firstSeen =
    toDate(event.firstTimestamp) ??
    toDate(event.deprecatedFirstTimestamp) ??
    toDate(event.eventTime) ??
    created;
  const lastSeen =
    toDate(event.series?.lastObservedTime) ??
    toDate(event.lastTimestamp) ??
    toDate(event.deprecatedLastTimestamp) ??
    firstSeen;
  if (!firstSeen || !lastSeen) return undefined;
  return {
    uid,
    namespace: object.namespace || event.metadata?.namespace || '',
    objectKind: object.kind,
    objectName: object.name,
    reason: event.reason,
    type: event.type ?? 'Normal',
    count: Math.max(1, event.series?.count ?? event.count ?? event.deprecatedCount ?? 1),
    firstSeen,
    lastSeen: lastSeen < firstSeen ? firstSeen : lastSeen,
    message: (event.message ?? event.note ?? '').slice(0, 2000),
  };
}

/** Normal events that mark a rollout on a workload; every other Normal event is noise for us. */
const ROLLOUT_EVENTS: Record<string, readonly string[]> = {
  Deployment: ['ScalingReplicaSet', 'DeploymentRollback', 'DeploymentPaused', 'DeploymentResumed'],
  StatefulSet: ['SuccessfulCreate', 'SuccessfulDelete'],
  DaemonSet: ['SuccessfulCreate', 'SuccessfulDelete'],
};

export function keepsEvent(facts: Pick<EventFacts, 'type' | 'objectKind' | 'reason'>): boolean {
  if (facts.type === 'Warning') return true;
  return ROLLOUT_EVENTS[facts.objectKind]?.includes(facts.reason) ?? false;
}

export interface RolloutOutcome {
  revision: number;
  finishedAt?: Date;
  failedAt?: Date;
  failureMessage?: string;
}

/** Whether a Deployment's current revision finished or failed, read from its Progressing condition. */
export function deploymentRollout(deployment: WorkloadObject): RolloutOutcome | undefined {
  const revision = Number(deployment.metadata?.annotations?.['deployment.kubernetes.io/revision']);
  if (!Number.isSafeInteger(revision) || revision <= 0) return undefined;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) return { revision };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  const at = toDate(progressing?.lastUpdateTime) ?? toDate(progressing?.lastTransitionTime);
  if (progressing?.reason === 'ProgressDeadlineExceeded' && at)
    return { revision, failedAt: at, failureMessage: progressing.message ?? 'progress deadline exceeded' };
  const wanted = deployment.spec?.replicas ?? 1;
  if (
    progressing?.reason === 'NewReplicaSetAvailable' &&
    at &&
    (status.updatedReplicas ?? 0) >= wanted &&
    (status.availableReplicas ?? 0) >= wanted
  )
    return { revision, finishedAt: at };
  return { revision };
}

/** Whether a StatefulSet's or DaemonSet's latest template runs everywhere (their status has no timestamps). */
export function rolloutComplete(kind: 'StatefulSet' | 'DaemonSet', workload: WorkloadObject): boolean {
  const status = workload.status ?? {};
  if ((status.observedGeneration ?? 0) < (workload.metadata?.generation ?? 0)) return false;
  if (kind === 'StatefulSet') {
    const wanted = workload.spec?.replicas ?? 1;
    return (
      status.updateRevision !== undefined &&
      status.updateRevision === status.currentRevision &&
      (status.updatedReplicas ?? 0) >= wanted
    );
  }
  const desired = status.desiredNumberScheduled ?? 0;
  return (status.updatedNumberScheduled ?? 0) >= desired && (status.numberAvailable ?? 0) >= desired;
}
