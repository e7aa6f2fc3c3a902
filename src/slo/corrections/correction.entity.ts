import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { SloEntity } from '../slo.entity.js';

@Entity('slo_corrections')
@Index('slo_corrections_slo_idx', ['sloId'])
export class SloCorrectionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_slo_corrections' })
  id!: string;

  @Column({ name: 'slo_id', type: 'uuid' })
  sloId!: string;

  @ManyToOne(() => SloEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'slo_id', foreignKeyConstraintName: 'FK_slo_corrections_slo' })
  slo?: SloEntity;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'oneOff' | 'recurring';

  @Column({ name: 'start_at', type: 'timestamptz', nullable: true })
  startAt!: Date | null;

  @Column({ name: 'end_at', type: 'timestamptz', nullable: true })
  endAt!: Date | null;

  /**
   * The first occurrence's wall time in `timeZone` as "YYYY-MM-DDTHH:MM:SS" (RFC 5545 DTSTART;TZID). Text, not
   * `timestamp`: pg would turn a zone-less timestamp into a Date in the server's own zone.
   */
  @Column({ name: 'start_wall', type: 'varchar', length: 19, nullable: true })
  startWall!: string | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds!: number | null;

  @Column({ type: 'text', nullable: true })
  rrule!: string | null;

  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 253 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
