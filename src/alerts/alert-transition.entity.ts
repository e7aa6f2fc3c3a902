import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AlertEntity } from './alert.entity.js';
import type { Severity } from './domain/alert-policy.js';
import type { AlertSnapshot, TransitionKind } from './domain/alert-transition.js';

/** Alert history: one row per transition, written in the same transaction as the alert's new state. */
@Entity('alert_transitions')
@Index('alert_transitions_alert_id_idx', ['alertId', 'at'])
export class AlertTransitionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alert_transitions' })
  id!: string;

  @Column({ name: 'alert_id', type: 'uuid' })
  alertId!: string;

  @ManyToOne(() => AlertEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'alert_id', foreignKeyConstraintName: 'FK_alert_transitions_alert' })
  alert?: AlertEntity;

  @Column({ type: 'varchar', length: 10 })
  kind!: TransitionKind;

  @Column({ type: 'varchar', length: 8 })
  severity!: Severity;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'jsonb' })
  snapshot!: AlertSnapshot;
}
