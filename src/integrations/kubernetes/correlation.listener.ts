import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AlertTransitionEvent, AlertTransitionListener } from '../../alerts/alert-transition-hooks.js';
import { AlertEntity } from '../../alerts/alert.entity.js';
import type { Correlation } from '../../alerts/correlation/correlation.js';
import { IMAGE_SLI_SOURCE, ImageSliSource } from '../../alerts/correlation/image-sli.port.js';
import { ChangeCandidate, correlate, EventCandidate } from '../../alerts/correlation/rank.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import type { SloSpec } from '../../slo/domain/slo.js';
import { ChangeLogStore } from './change-log.store.js';
import { KubernetesWatchers } from './kubernetes-watchers.js';

/** The engine's per-image data is asked for inside the alert's transaction: it may not hold it up for long. */
const IMAGE_SLI_TIMEOUT_MS = 5_000;
const MAX_CANDIDATE_EVENTS = 500;

/**
 * When an alert fires or escalates, names the deploys and events that preceded the burn: reads the change log
 * and writes alerts.correlation in the transaction that records the transition. A failure here leaves the
 * correlation empty (a savepoint keeps the transition) and never stops the alert.
 */
@Injectable()
export class KubernetesCorrelationListener implements AlertTransitionListener {
  readonly name = 'kubernetes-correlation';
  private readonly logger = new Logger('Kubernetes');

  constructor(
    @Inject(ChangeLogStore) private readonly store: ChangeLogStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(KubernetesWatchers) private readonly watchers: KubernetesWatchers,
    @Optional() @Inject(IMAGE_SLI_SOURCE) private readonly imageSli?: ImageSliSource,
  ) {}

  async onAlertTransition(manager: EntityManager, event: AlertTransitionEvent): Promise<void> {
    if (event.kind !== 'fired' && event.kind !== 'escalated') return;
    // In a transaction (always, through AlertStore.apply) a savepoint keeps a failed read from aborting it.
    const savepoint = manager.queryRunner?.isTransactionActive === true;
    if (savepoint) await manager.query('SAVEPOINT kubernetes_correlation');
    try {
      const correlation = await this.correlate(manager, event.slo, event.alertStartedAt, event.at);
      await manager.update(AlertEntity, { id: event.alertId }, { correlation });
      if (savepoint) await manager.query('RELEASE SAVEPOINT kubernetes_correlation');
    } catch (error) {
      if (savepoint) await manager.query('ROLLBACK TO SAVEPOINT kubernetes_correlation');
      this.logger.error(
        `Could not correlate alert ${event.alertId} of ${event.slo.name}: ${(error as Error).message}`,
      );
    }
  }

  /** The correlation of a burn of `slo` that began at `burnStartedAt`, as known at `at`. */
  async correlate(manager: EntityManager, slo: SloSpec, burnStartedAt: Date, at: Date): Promise<Correlation> {
    const lookbackSeconds = this.config.kubernetes.lookbackSeconds;
    const from = new Date(burnStartedAt.getTime() - lookbackSeconds * 1000);
    const target = { namespace: slo.service.namespace, workload: slo.service.workload };
    const scope = { namespace: target.namespace, workload: target.workload, from, to: burnStartedAt };
    const rollouts = await this.store.rollouts(scope, manager);
    const scales = await this.store.scaleChanges({ ...scope, limit: 100 }, manager);
    const events = await this.store.events(
      {
        ...scope,
        to: at,
        limit: MAX_CANDIDATE_EVENTS,
        warningsOnly: true,
        includeNodes: true,
        // The whole namespace: events elsewhere in it are weaker suspects, not none.
        ownOnly: target.namespace === undefined,
      },
      manager,
    );
    const changes: ChangeCandidate[] = [
      ...rollouts.map((r) => ({
        kind: r.type,
        namespace: r.namespace,
        workload: r.workload,
        workloadKind: r.workloadKind,
        container: r.container,
        image: r.image,
        previousImage: r.previousImage,
        digest: r.digest,
        previousDigest: r.previousDigest,
        at: r.startedAt,
        failed: r.failedAt !== null,
      })),
      ...scales.map((s) => ({
        kind: 'scale' as const,
        namespace: s.namespace,
        workload: s.workload,
        workloadKind: s.workloadKind,
        container: null,
        image: null,
        previousImage: null,
        digest: null,
        previousDigest: null,
        at: s.at,
        failed: false,
        fromReplicas: s.fromReplicas,
        toReplicas: s.toReplicas,
      })),
    ];
    // Node events only from the nodes the workload runs on (all of them when that is unknown).
    const nodes = this.watchers.nodesOf(target.namespace, target.workload);
    const relevant = events.filter((e) => e.objectKind !== 'Node' || !nodes || nodes.has(e.objectName));
    const candidates: EventCandidate[] = relevant.map((e) => ({
      reason: e.reason,
      objectKind: e.objectKind,
      objectName: e.objectName,
      namespace: e.namespace,
      workload: e.workload,
      count: e.count,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
      message: e.message,
    }));
    const imageSli = changes.some((c) => c.kind === 'deploy' && c.digest && c.previousDigest)
      ? await this.perImage(slo, from, at, manager)
      : undefined;
    return correlate({ burnStartedAt, lookbackSeconds, target, changes, events: candidates, imageSli });
  }

  private async perImage(slo: SloSpec, from: Date, to: Date, manager: EntityManager) {
    if (!this.imageSli) return undefined;
    // The port may read through the transaction: a failed read there must not abort it.
    const savepoint = manager.queryRunner?.isTransactionActive === true;
    if (savepoint) await manager.query('SAVEPOINT kubernetes_image_sli');
    let timer: NodeJS.Timeout | undefined;
    try {
      const rows = await Promise.race([
        this.imageSli.sliByImage(slo, from, to, manager),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer in ${IMAGE_SLI_TIMEOUT_MS} ms`)),
            IMAGE_SLI_TIMEOUT_MS,
          );
        }),
      ]);
      if (savepoint) await manager.query('RELEASE SAVEPOINT kubernetes_image_sli');
      return rows;
    } catch (error) {
      if (savepoint) await manager.query('ROLLBACK TO SAVEPOINT kubernetes_image_sli');
      this.logger.warn(`Per-image SLI of ${slo.name} unavailable: ${(error as Error).message}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
