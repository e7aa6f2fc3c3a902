import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Matcher } from '../domain/silence.js';

@Entity('silences')
@Index('silences_ends_at_idx', ['endsAt'])
// The dispatcher's question every tick: which silences ended and have not been looked at since.
@Index('silences_end_unhandled_idx', ['endsAt'], { where: '"end_handled_at" IS NULL' })
export class SilenceEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_silences' })
  id!: string;

  @Column({ type: 'jsonb' })
  matchers!: Matcher[];

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  /** null: until the alert resolves, and it has not yet. Expiring a silence sets it to the time of expiry. */
  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  @Column({ name: 'until_resolved', type: 'boolean', default: false })
  untilResolved!: boolean;

  // The id, not a foreign key, as alerts keep their SLO's name: a silence is history too.
  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 253 })
  createdBy!: string;

  @Column({ type: 'text' })
  comment!: string;

  /**
   * When the dispatcher handled the end (notified the current state of alerts it held that still fire). Set once,
   * in the transaction that enqueues those notifications, so that one replica does it once.
   */
  @Column({ name: 'end_handled_at', type: 'timestamptz', nullable: true })
  endHandledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
