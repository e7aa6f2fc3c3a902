import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { WorkloadKind } from './change-log.entities.js';
import { RevisionPair, RolloutChange, rolloutChanges } from './changes.js';
import type { EventFacts, RolloutOutcome, WorkloadRef } from './kube-objects.js';

/** Change-log writes from all replicas take this lock, so that two replicas never add one event's count twice. */
const WRITE_LOCK = 764_200_001;

export interface ScaleChange {
  type: 'scale';
  namespace: string;
  workloadKind: WorkloadKind;
  workload: string;
  fromReplicas: number;
  toReplicas: number;
  at: Date;
}

export interface FoldedEvent {
  type: 'event';
  eventType: string;
  namespace: string;
  objectKind: string;
  objectName: string;
  reason: string;
  workloadKind: WorkloadKind | null;
  workload: string | null;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  message: string;
}

export interface ChangeFilter {
  namespace?: string;
  workload?: string;
  from: Date;
  to: Date;
  limit: number;
}

export interface RevisionFacts {
  namespace: string;
  workloadKind: WorkloadKind;
  workload: string;
  revision: number;
  templateHash: string;
  images: Record<string, string>;
  startedAt: Date;
  baseline: boolean;
}

/** The Kubernetes change log in Postgres: idempotent writes (a re-list changes nothing) and the reads. */
@Injectable()
export class ChangeLogStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs change-log writes in one transaction under the replicas' shared lock. */
  write<T>(run: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      return run(manager);
    });
  }

  /**
   * Keeps a workload's last known generation and replicas; a newer generation with other replicas is a scale
   * event (keyed by generation: seen twice, recorded once). The first sight of a workload records no change.
   */
  async recordWorkload(
    m: EntityManager,
    namespace: string,
    kind: WorkloadKind,
    name: string,
    generation: number,
    replicas: number | null,
    now: Date,
  ): Promise<void> {
    const rows: { generation: string; replicas: number | null }[] = await m.query(
      `SELECT generation, replicas FROM kube_workloads WHERE namespace = $1 AND kind = $2 AND name = $3`,
      [namespace, kind, name],
    );
    const known = rows[0];
    if (known && Number(known.generation) >= generation) return;
    if (known && known.replicas !== null && replicas !== null && known.replicas !== replicas) {
      await m.query(
        `INSERT INTO kube_scale_events (namespace, workload_kind, workload, generation, from_replicas, to_replicas, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [namespace, kind, name, generation, known.replicas, replicas, now],
      );
    }
    await m.query(
      `INSERT INTO kube_workloads (namespace, kind, name, generation, replicas, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (namespace, kind, name)
       DO UPDATE SET generation = EXCLUDED.generation, replicas = EXCLUDED.replicas, updated_at = EXCLUDED.updated_at`,
      [namespace, kind, name, generation, replicas, now],
    );
  }

  async forgetWorkload(m: EntityManager, namespace: string, kind: WorkloadKind, name: string): Promise<void> {
    await m.query(`DELETE FROM kube_workloads WHERE namespace = $1 AND kind = $2 AND name = $3`, [
      namespace,
      kind,
      name,
    ]);
  }

  /** A Deployment revision (one ReplicaSet): written once, whatever the number of times it is seen. */
  async recordRevision(m: EntityManager, facts: RevisionFacts): Promise<void> {
    await m.query(
      `INSERT INTO kube_revisions (namespace, workload_kind, workload, revision, template_hash, images, started_at, baseline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        facts.namespace,
        facts.workloadKind,
        facts.workload,
        facts.revision,
        facts.templateHash,
        JSON.stringify(facts.images),
        facts.startedAt,
        facts.baseline,
      ],
    );
  }

  /**
   * A StatefulSet's or DaemonSet's template: a new revision (at this generation) only when it differs from the
   * latest one. The first template seen of a workload created earlier is a baseline, compared with but not shown.
   */
  async recordTemplate(m: EntityManager, facts: RevisionFacts): Promise<void> {
    const rows: { template_hash: string; revision: string }[] = await m.query(
      `SELECT template_hash, revision FROM kube_revisions
       WHERE namespace = $1 AND workload_kind = $2 AND workload = $3 ORDER BY revision DESC LIMIT 1`,
      [facts.namespace, facts.workloadKind, facts.workload],
    );
    const latest = rows[0];
    if (latest && (latest.template_hash === facts.templateHash || Number(latest.revision) >= facts.revision))
      return;
    // First sight of a workload past its first generation: when its template last changed is unknown.
    await this.recordRevision(m, { ...facts, baseline: !latest && facts.revision > 1 });
  }

  async applyRollout(
    m: EntityManager,
    namespace: string,
    kind: WorkloadKind,
    workload: string,
    outcome: RolloutOutcome,
  ): Promise<void> {
    if (!outcome.finishedAt && !outcome.failedAt) return;
    await m.query(
      `UPDATE kube_revisions SET
         finished_at = COALESCE(finished_at, $5),
         failed_at = CASE WHEN $5::timestamptz IS NULL THEN COALESCE(failed_at, $6) ELSE failed_at END,
         failure_message = CASE WHEN $5::timestamptz IS NULL THEN COALESCE(failure_message, $7) ELSE failure_message END
       WHERE namespace = $1 AND workload_kind = $2 AND workload = $3 AND revision = $4`,
      [
        namespace,
        kind,
        workload,
        outcome.revision,
        outcome.finishedAt ?? null,
        outcome.failedAt ?? null,
        outcome.failureMessage ?? null,
      ],
    );
  }

  /** A StatefulSet's or DaemonSet's newest revision runs everywhere: it finished now (their status has no time). */
  async finishLatest(m: EntityManager, namespace: string, kind: WorkloadKind, workload: string, now: Date) {
    await m.query(
      `UPDATE kube_revisions SET finished_at = $4
       WHERE namespace = $1 AND workload_kind = $2 AND workload = $3 AND finished_at IS NULL AND NOT baseline
         AND revision = (SELECT max(revision) FROM kube_revisions WHERE namespace = $1 AND workload_kind = $2 AND workload = $3)`,
      [namespace, kind, workload, now],
    );
  }

  /** The digest a workload's container image really ran as (from a pod's containerStatuses). */
  async recordDigest(
    m: EntityManager,
    namespace: string,
    workload: WorkloadRef,
    container: string,
    image: string,
    digest: string,
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO kube_image_digests (namespace, workload_kind, workload, container, image, digest, last_seen)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (namespace, workload_kind, workload, container, image)
       DO UPDATE SET digest = EXCLUDED.digest, last_seen = GREATEST(kube_image_digests.last_seen, EXCLUDED.last_seen)`,
      [namespace, workload.kind, workload.name, container, image, digest, now],
    );
  }

  /**
   * Folds an event into its (object, reason) row. Kubernetes repeats an event by raising the count of one Event
   * object; the count each Event object last reported is kept, so the row grows only by what is new, and seeing
   * the same Event again (a re-list) adds nothing.
   */
  async recordEvent(m: EntityManager, facts: EventFacts, workload: WorkloadRef | undefined): Promise<void> {
    await m.query(
      `WITH previous AS (SELECT count FROM kube_event_sources WHERE uid = $1),
       delta AS (SELECT GREATEST(0, $9::bigint - COALESCE((SELECT count FROM previous), 0)) AS n),
       folded AS (
         INSERT INTO kube_events (namespace, object_kind, object_name, reason, type, workload_kind, workload, count, first_seen, last_seen, message)
         VALUES ($2, $3, $4, $5, $6, $7, $8, (SELECT n FROM delta), $10, $11, $12)
         ON CONFLICT (namespace, object_kind, object_name, reason) DO UPDATE SET
           count = kube_events.count + EXCLUDED.count,
           first_seen = LEAST(kube_events.first_seen, EXCLUDED.first_seen),
           last_seen = GREATEST(kube_events.last_seen, EXCLUDED.last_seen),
           message = CASE WHEN EXCLUDED.last_seen >= kube_events.last_seen THEN EXCLUDED.message ELSE kube_events.message END,
           type = EXCLUDED.type,
           workload_kind = COALESCE(EXCLUDED.workload_kind, kube_events.workload_kind),
           workload = COALESCE(EXCLUDED.workload, kube_events.workload)
         RETURNING id)
       INSERT INTO kube_event_sources (uid, event_id, count) SELECT $1, id, $9 FROM folded
       ON CONFLICT (uid) DO UPDATE SET count = GREATEST(kube_event_sources.count, EXCLUDED.count)`,
      [
        facts.uid,
        facts.namespace,
        facts.objectKind,
        facts.objectName,
        facts.reason,
        facts.type,
        workload?.kind ?? null,
        workload?.name ?? null,
        facts.count,
        facts.firstSeen,
        facts.lastSeen,
        facts.message,
      ],
    );
  }

  /**
   * Deletes what is older than the retention. A workload's newest revision before the cutoff stays: the next
   * revision is compared with it.
   */
  async prune(
    cutoff: Date,
  ): Promise<{ revisions: number; scaleEvents: number; events: number; digests: number }> {
    return this.write(async (m) => {
      const count = async (sql: string) => ((await m.query(sql, [cutoff])) as [unknown[], number])[1];
      return {
        revisions: await count(
          `DELETE FROM kube_revisions r WHERE started_at < $1 AND EXISTS (
             SELECT 1 FROM kube_revisions n WHERE n.namespace = r.namespace AND n.workload_kind = r.workload_kind
               AND n.workload = r.workload AND n.revision > r.revision AND n.started_at < $1)`,
        ),
        scaleEvents: await count(`DELETE FROM kube_scale_events WHERE at < $1`),
        events: await count(`DELETE FROM kube_events WHERE last_seen < $1`),
        digests: await count(`DELETE FROM kube_image_digests WHERE last_seen < $1`),
      };
    });
  }

  /** Deploys, config rollouts and scale events in a time range, newest first. */
  async rollouts(
    filter: Omit<ChangeFilter, 'limit'> & { limit?: number },
    m: EntityManager = this.dataSource.manager,
  ): Promise<RolloutChange[]> {
    const rows: {
      namespace: string;
      workload_kind: WorkloadKind;
      workload: string;
      revision: string;
      images: Record<string, string>;
      previous_images: Record<string, string> | null;
      started_at: Date;
      finished_at: Date | null;
      failed_at: Date | null;
      failure_message: string | null;
    }[] = await m.query(
      `SELECT * FROM (
         SELECT r.*, LAG(r.images) OVER w AS previous_images
         FROM kube_revisions r
         WHERE ($1::text IS NULL OR r.namespace = $1) AND ($2::text IS NULL OR r.workload = $2)
         WINDOW w AS (PARTITION BY r.namespace, r.workload_kind, r.workload ORDER BY r.revision)
       ) x
       WHERE NOT baseline AND started_at >= $3 AND started_at <= $4
       ORDER BY started_at DESC, revision DESC
       LIMIT $5`,
      [filter.namespace ?? null, filter.workload ?? null, filter.from, filter.to, filter.limit ?? 1000],
    );
    if (rows.length === 0) return [];
    const digests: {
      namespace: string;
      workload_kind: string;
      workload: string;
      container: string;
      image: string;
      digest: string;
    }[] = await m.query(
      `SELECT namespace, workload_kind, workload, container, image, digest FROM kube_image_digests
         WHERE ($1::text IS NULL OR namespace = $1) AND ($2::text IS NULL OR workload = $2)`,
      [filter.namespace ?? null, filter.workload ?? null],
    );
    const byKey = new Map(
      digests.map((d) => [
        [d.namespace, d.workload_kind, d.workload, d.container, d.image].join('\u0000'),
        d.digest,
      ]),
    );
    return rows.flatMap((row) => {
      const pair: RevisionPair = {
        namespace: row.namespace,
        workloadKind: row.workload_kind,
        workload: row.workload,
        revision: Number(row.revision),
        images: row.images,
        previousImages: row.previous_images,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        failedAt: row.failed_at,
        failureMessage: row.failure_message,
      };
      return rolloutChanges(pair, (...key) => byKey.get(key.join('\u0000')));
    });
  }

  async scaleChanges(
    filter: ChangeFilter,
    m: EntityManager = this.dataSource.manager,
  ): Promise<ScaleChange[]> {
    const rows: {
      namespace: string;
      workload_kind: WorkloadKind;
      workload: string;
      from_replicas: number;
      to_replicas: number;
      at: Date;
    }[] = await m.query(
      `SELECT * FROM kube_scale_events
       WHERE ($1::text IS NULL OR namespace = $1) AND ($2::text IS NULL OR workload = $2) AND at >= $3 AND at <= $4
       ORDER BY at DESC LIMIT $5`,
      [filter.namespace ?? null, filter.workload ?? null, filter.from, filter.to, filter.limit],
    );
    return rows.map((r) => ({
      type: 'scale',
      namespace: r.namespace,
      workloadKind: r.workload_kind,
      workload: r.workload,
      fromReplicas: r.from_replicas,
      toReplicas: r.to_replicas,
      at: r.at,
    }));
  }

  /**
   * Folded events that overlap a time range, newest first. With a workload: its own objects' events; with
   * `includeNodes`, node events too (for the correlation, which also wants the rest of the namespace).
   */
  async events(
    filter: ChangeFilter & { warningsOnly?: boolean; includeNodes?: boolean; ownOnly?: boolean },
    m: EntityManager = this.dataSource.manager,
  ): Promise<FoldedEvent[]> {
    const rows: {
      namespace: string;
      object_kind: string;
      object_name: string;
      reason: string;
      type: string;
      workload_kind: WorkloadKind | null;
      workload: string | null;
      count: string;
      first_seen: Date;
      last_seen: Date;
      message: string;
    }[] = await m.query(
      `SELECT * FROM kube_events
       WHERE last_seen >= $3 AND first_seen <= $4
         AND (NOT $6 OR type = 'Warning')
         AND (
           (($1::text IS NULL OR namespace = $1)
             AND ($2::text IS NULL OR NOT $8 OR workload = $2 OR object_name = $2))
           OR ($7 AND object_kind = 'Node'))
       ORDER BY last_seen DESC LIMIT $5`,
      [
        filter.namespace ?? null,
        filter.workload ?? null,
        filter.from,
        filter.to,
        filter.limit,
        filter.warningsOnly ?? false,
        filter.includeNodes ?? false,
        filter.ownOnly ?? true,
      ],
    );
    return rows.map((r) => ({
      type: 'event',
      eventType: r.type,
      namespace: r.namespace,
      objectKind: r.object_kind,
      objectName: r.object_name,
      reason: r.reason,
      workloadKind: r.workload_kind,
      workload: r.workload,
      count: Number(r.count),
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      message: r.message,
    }));
  }
}
