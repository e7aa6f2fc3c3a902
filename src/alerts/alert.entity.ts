import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Severity } from './domain/alert-policy.js';
import type { AlertSnapshot, AlertState } from './domain/alert-transition.js';
import type { Correlation } from './correlation/correlation.js';

@Entity('alerts')
@Index('alerts_slo_name_started_at_idx', ['sloName', 'startedAt'])
@Index('alerts_one_firing_per_slo', ['sloName'], { unique: true, where: `"state" = 'firing'` })
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alerts' })
  id!: string;

  // The name, not a foreign key: alert history outlives a deleted SLO.
  @Column({ name: 'slo_name', type: 'varchar', length: 63 })
  sloName!: string;

  @Column({ type: 'varchar', length: 8 })
  severity!: Severity;

  @Column({ type: 'varchar', length: 10 })
  state!: AlertState;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'last_snapshot', type: 'jsonb' })
  lastSnapshot!: AlertSnapshot;

  /** Filled by the Kubernetes correlation when the alert fires. */
  @Column({ type: 'jsonb', nullable: true })
  correlation!: Correlation | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
