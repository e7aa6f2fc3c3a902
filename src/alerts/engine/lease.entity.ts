import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Leader election: the replica holding an unexpired lease runs the job (alert transitions). */
@Entity('engine_leases')
export class LeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 63, primaryKeyConstraintName: 'PK_engine_leases' })
  name!: string;

  @Column({ type: 'varchar', length: 253 })
  holder!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
