import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** One workload series of the sensor metric (pods and nodes merged): the labels of the metric contract. */
@Entity('sli_series')
@Index('UQ_sli_series_key', ['seriesKey'], { unique: true })
export class SliSeriesEntity {
  @PrimaryGeneratedColumn('increment', { primaryKeyConstraintName: 'PK_sli_series' })
  id!: number;

  @Column({ name: 'series_key', type: 'text' })
  seriesKey!: string;

  @Column({ type: 'varchar', length: 253 })
  namespace!: string;

  @Column({ type: 'varchar', length: 253 })
  workload!: string;

  @Column({ name: 'workload_kind', type: 'varchar', length: 63 })
  workloadKind!: string;

  @Column({ name: 'service_name', type: 'varchar', length: 253 })
  serviceName!: string;

  @Column({ name: 'image_name', type: 'varchar', length: 512 })
  imageName!: string;

  @Column({ name: 'image_id', type: 'varchar', length: 512 })
  imageId!: string;

  @Column({ type: 'varchar', length: 16 })
  method!: string;

  @Column({ type: 'varchar', length: 512 })
  route!: string;

  @Column({ name: 'status_code', type: 'smallint' })
  statusCode!: number;

  /** Bucket upper bounds in seconds, without +Inf. */
  @Column({ type: 'double precision', array: true })
  bounds!: number[];
}

/** Requests of one series in one minute; `buckets` are per-bucket counts (not cumulative), +Inf last. */
@Entity('sli_minutes')
@Index('sli_minutes_minute_idx', ['minute'])
export class SliMinuteEntity {
  @PrimaryColumn({ name: 'series_id', type: 'integer', primaryKeyConstraintName: 'PK_sli_minutes' })
  seriesId!: number;

  /** Minutes since the Unix epoch: compact, and window arithmetic is integer arithmetic. */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_sli_minutes' })
  minute!: number;

  @Column({ type: 'integer' })
  requests!: number;

  @Column({ type: 'integer', array: true })
  buckets!: number[];

  @ManyToOne(() => SliSeriesEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'series_id', foreignKeyConstraintName: 'FK_sli_minutes_series' })
  series?: SliSeriesEntity;
}
