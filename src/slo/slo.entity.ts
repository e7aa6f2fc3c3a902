import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { SloSpec } from './domain/slo.js';

@Entity('slos')
@Index('slos_namespace_workload_idx', ['namespace', 'workload'])
@Index('slos_team_idx', ['team'])
@Unique('UQ_slos_name', ['name'])
export class SloEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_slos' })
  id!: string;

  @Column({ type: 'varchar', length: 63 })
  name!: string;

  // Copied out of `spec` so that list filters use indexes.
  @Column({ type: 'varchar', length: 63, nullable: true })
  team!: string | null;

  @Column({ type: 'varchar', length: 63, nullable: true })
  namespace!: string | null;

  @Column({ type: 'varchar', length: 253 })
  workload!: string;

  @Column({ type: 'jsonb' })
  spec!: SloSpec;

  /** Raised by every write; with the id it makes the ETag that If-Match compares. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
