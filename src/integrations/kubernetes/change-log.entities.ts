import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Tables of the Kubernetes change log; the migration 1764200000000 explains each. */

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

@Entity('kube_workloads')
export class KubeWorkloadEntity {
  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_workloads' })
  namespace!: string;

  @PrimaryColumn({ type: 'varchar', length: 16, primaryKeyConstraintName: 'PK_kube_workloads' })
  kind!: WorkloadKind;

  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_workloads' })
  name!: string;

  @Column({ type: 'bigint' })
  generation!: string;

  @Column({ type: 'integer', nullable: true })
  replicas!: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('kube_revisions')
@Index('kube_revisions_workload_started_at_idx', ['namespace', 'workload', 'startedAt'])
export class KubeRevisionEntity {
  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_revisions' })
  namespace!: string;

  @PrimaryColumn({
    name: 'workload_kind',
    type: 'varchar',
    length: 16,
    primaryKeyConstraintName: 'PK_kube_revisions',
  })
  workloadKind!: WorkloadKind;

  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_revisions' })
  workload!: string;

  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_kube_revisions' })
  revision!: string;

  @Column({ name: 'template_hash', type: 'varchar', length: 64 })
  templateHash!: string;

  /** Container name → image, from the pod template. */
  @Column({ type: 'jsonb' })
  images!: Record<string, string>;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage!: string | null;

  /** The template a workload had when Burnwatch first saw it: a reference for later diffs, not a change. */
  @Column({ type: 'boolean', default: false })
  baseline!: boolean;
}

@Entity('kube_image_digests')
export class KubeImageDigestEntity {
  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_image_digests' })
  namespace!: string;

  @PrimaryColumn({
    name: 'workload_kind',
    type: 'varchar',
    length: 16,
    primaryKeyConstraintName: 'PK_kube_image_digests',
  })
  workloadKind!: WorkloadKind;

  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_image_digests' })
  workload!: string;

  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_image_digests' })
  container!: string;

  @PrimaryColumn({ type: 'varchar', length: 1024, primaryKeyConstraintName: 'PK_kube_image_digests' })
  image!: string;

  @Column({ type: 'varchar', length: 100 })
  digest!: string;

  @Column({ name: 'last_seen', type: 'timestamptz' })
  lastSeen!: Date;
}

@Entity('kube_scale_events')
@Index('kube_scale_events_workload_at_idx', ['namespace', 'workload', 'at'])
export class KubeScaleEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_scale_events' })
  namespace!: string;

  @PrimaryColumn({
    name: 'workload_kind',
    type: 'varchar',
    length: 16,
    primaryKeyConstraintName: 'PK_kube_scale_events',
  })
  workloadKind!: WorkloadKind;

  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: 'PK_kube_scale_events' })
  workload!: string;

  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_kube_scale_events' })
  generation!: string;

  @Column({ name: 'from_replicas', type: 'integer' })
  fromReplicas!: number;

  @Column({ name: 'to_replicas', type: 'integer' })
  toReplicas!: number;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

@Entity('kube_events')
@Index('kube_events_object_reason_key', ['namespace', 'objectKind', 'objectName', 'reason'], { unique: true })
@Index('kube_events_last_seen_idx', ['lastSeen'])
export class KubeEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_kube_events' })
  id!: string;

  @Column({ type: 'varchar', length: 253 })
  namespace!: string;

  @Column({ name: 'object_kind', type: 'varchar', length: 63 })
  objectKind!: string;

  @Column({ name: 'object_name', type: 'varchar', length: 253 })
  objectName!: string;

  @Column({ type: 'varchar', length: 128 })
  reason!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: string;

  @Column({ name: 'workload_kind', type: 'varchar', length: 16, nullable: true })
  workloadKind!: WorkloadKind | null;

  @Column({ type: 'varchar', length: 253, nullable: true })
  workload!: string | null;

  @Column({ type: 'bigint' })
  count!: string;

  @Column({ name: 'first_seen', type: 'timestamptz' })
  firstSeen!: Date;

  @Column({ name: 'last_seen', type: 'timestamptz' })
  lastSeen!: Date;

  @Column({ type: 'text' })
  message!: string;
}

@Entity('kube_event_sources')
@Index('kube_event_sources_event_id_idx', ['eventId'])
export class KubeEventSourceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_kube_event_sources' })
  uid!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => KubeEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'FK_kube_event_sources_event' })
  event?: KubeEventEntity;

  @Column({ type: 'bigint' })
  count!: string;
}

export const KUBERNETES_ENTITIES = [
  KubeWorkloadEntity,
  KubeRevisionEntity,
  KubeImageDigestEntity,
  KubeScaleEventEntity,
  KubeEventEntity,
  KubeEventSourceEntity,
];
