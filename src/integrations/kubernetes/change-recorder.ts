import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { ChangeLogStore } from './change-log.store.js';
import { KubernetesMetrics } from './kubernetes.metrics.js';
import type { WorkloadKind } from './change-log.entities.js';
import {
  deploymentRollout,
  digestOf,
  EventObject,
  eventFacts,
  eventWorkload,
  keepsEvent,
  PodObject,
  podWorkload,
  replicaSetDeployment,
  replicaSetRevision,
  rolloutComplete,
  templateHash,
  templateImages,
  toDate,
  WorkloadObject,
  WorkloadRef,
} from './kube-objects.js';

export type { WatchedResource } from './kubernetes-status.view.js';
import type { WatchedResource } from './kubernetes-status.view.js';

/** What the recorder asks the watchers' caches (the informers' view of the cluster). */
export interface ClusterLookup {
  replicaSetOwner(namespace: string, name: string): string | undefined;
  pod(namespace: string, name: string): WorkloadRef | undefined;
  deployment(namespace: string, name: string): WorkloadObject | undefined;
}

interface Item {
  resource: WatchedResource;
  deleted: boolean;
  object: { metadata?: { uid?: string; name?: string; namespace?: string } };
}

const WORKLOAD_KIND: Partial<Record<WatchedResource, WorkloadKind>> = {
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
};

/** Items written per transaction. */
const BATCH = 500;
/** Beyond this many pending objects the oldest are dropped (and counted): a database outage must not eat memory. */
const MAX_PENDING = 100_000;
const RETRY_MS = { first: 500, max: 30_000 };

/**
 * Turns what the informers see into change-log rows. Objects queue up keyed by uid, so that an Event whose count
 * rose 10,000 times while a batch was written is written once, with its last count; one writer at a time.
 */
@Injectable()
export class ChangeRecorder {
  private readonly logger = new Logger('Kubernetes');
  private pending = new Map<string, Item>();
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MS.first;
  private stopped = false;
  private lookup: ClusterLookup = {
    replicaSetOwner: () => undefined,
    pod: () => undefined,
    deployment: () => undefined,
  };
  dropped = 0;
  written = 0;
  lastError: string | undefined;

  constructor(
    @Inject(ChangeLogStore) private readonly store: ChangeLogStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KubernetesMetrics) private readonly metrics: KubernetesMetrics,
  ) {}

  attach(lookup: ClusterLookup): void {
    this.lookup = lookup;
  }

  enqueue(resource: WatchedResource, deleted: boolean, object: Item['object']): void {
    const meta = object.metadata;
    const key = `${resource}/${meta?.uid ?? `${meta?.namespace}/${meta?.name}`}`;
    this.pending.set(key, { resource, deleted, object });
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.dropped++;
    }
    this.metrics.backlog.set(this.pending.size);
    this.kick();
  }

  get backlog(): number {
    return this.pending.size;
  }

  /** At shutdown: nothing more is written (what is pending comes back with the next start's list). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private kick(): void {
    if (this.stopped || this.running || this.retryTimer || this.pending.size === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch: [string, Item][] = [];
      for (const entry of this.pending) {
        batch.push(entry);
        if (batch.length === BATCH) break;
      }
      for (const [key] of batch) this.pending.delete(key);
      try {
        const now = this.clock.now();
        await this.store.write(async (m) => {
          for (const [, item] of batch) await this.record(m, item, now);
        });
        this.written += batch.length;
        for (const [, item] of batch) this.metrics.objectsRecorded.inc({ resource: item.resource });
        this.metrics.backlog.set(this.pending.size);
        this.retryMs = RETRY_MS.first;
        this.lastError = undefined;
      } catch (error) {
        if (this.stopped) return;
        // Put back what no newer version replaced, and try again later.
        this.lastError = (error as Error).message;
        this.logger.warn(`Could not write ${batch.length} Kubernetes changes, retrying: ${this.lastError}`);
        const requeued = new Map(batch.filter(([key]) => !this.pending.has(key)));
        for (const entry of this.pending) requeued.set(...entry);
        this.pending = requeued;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, this.retryMs);
        this.retryMs = Math.min(RETRY_MS.max, this.retryMs * 2);
        return;
      }
    }
  }

  private async record(m: EntityManager, item: Item, now: Date): Promise<void> {
    const kind = WORKLOAD_KIND[item.resource];
    if (kind) return this.recordWorkload(m, kind, item.object as WorkloadObject, item.deleted, now);
    if (item.deleted) return;
    switch (item.resource) {
      case 'replicasets':
        return this.recordReplicaSet(m, item.object as WorkloadObject, now);
      case 'pods':
        return this.recordPod(m, item.object as PodObject, now);
      case 'events':
        return this.recordEvent(m, item.object as EventObject);
    }
  }

  private async recordWorkload(
    m: EntityManager,
    kind: WorkloadKind,
    workload: WorkloadObject,
    deleted: boolean,
    now: Date,
  ): Promise<void> {
    const namespace = workload.metadata?.namespace ?? '';
    const name = workload.metadata?.name ?? '';
    if (deleted) return this.store.forgetWorkload(m, namespace, kind, name);
    const generation = workload.metadata?.generation ?? 0;
    const replicas = kind === 'DaemonSet' ? null : (workload.spec?.replicas ?? 1);
    await this.store.recordWorkload(m, namespace, kind, name, generation, replicas, now);
    if (kind === 'Deployment') {
      const outcome = deploymentRollout(workload);
      if (outcome) await this.store.applyRollout(m, namespace, kind, name, outcome);
      return;
    }
    // StatefulSets and DaemonSets: a revision is the generation at which the template changed.
    await this.store.recordTemplate(m, {
      namespace,
      workloadKind: kind,
      workload: name,
      revision: generation,
      templateHash: templateHash(workload.spec?.template),
      images: templateImages(workload.spec?.template),
      startedAt: generation <= 1 ? (toDate(workload.metadata?.creationTimestamp) ?? now) : now,
      baseline: false,
    });
    if (rolloutComplete(kind, workload)) await this.store.finishLatest(m, namespace, kind, name, now);
  }

  private async recordReplicaSet(m: EntityManager, replicaSet: WorkloadObject, now: Date): Promise<void> {
    const deployment = replicaSetDeployment(replicaSet);
    const revision = replicaSetRevision(replicaSet);
    if (!deployment || !revision) return;
    const namespace = replicaSet.metadata?.namespace ?? '';
    // A rollback gives an old ReplicaSet a new revision: it started now, not when the ReplicaSet was created.
    const rolledBack = replicaSet.metadata?.annotations?.['deployment.kubernetes.io/revision-history'];
    await this.store.recordRevision(m, {
      namespace,
      workloadKind: 'Deployment',
      workload: deployment,
      revision,
      templateHash:
        replicaSet.metadata?.labels?.['pod-template-hash'] ?? templateHash(replicaSet.spec?.template),
      images: templateImages(replicaSet.spec?.template),
      startedAt: rolledBack ? now : (toDate(replicaSet.metadata?.creationTimestamp) ?? now),
      baseline: false,
    });
    const owner = this.lookup.deployment(namespace, deployment);
    const outcome = owner && deploymentRollout(owner);
    if (outcome) await this.store.applyRollout(m, namespace, 'Deployment', deployment, outcome);
  }

  private async recordPod(m: EntityManager, pod: PodObject, now: Date): Promise<void> {
    const workload = podWorkload(pod, (ns, name) => this.lookup.replicaSetOwner(ns, name));
    if (!workload) return;
    const namespace = pod.metadata?.namespace ?? '';
    for (const status of pod.status?.containerStatuses ?? []) {
      const digest = digestOf(status.imageID);
      const image = pod.spec?.containers?.find((c) => c.name === status.name)?.image ?? status.image;
      if (digest && image)
        await this.store.recordDigest(m, namespace, workload, status.name, image, digest, now);
    }
  }

  private async recordEvent(m: EntityManager, event: EventObject): Promise<void> {
    const facts = eventFacts(event);
    if (!facts || !keepsEvent(facts)) return;
    const workload = eventWorkload(facts.objectKind, facts.objectName, facts.namespace, this.lookup);
    await this.store.recordEvent(m, facts, workload);
  }
}
