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

  /** A gRPC call's grpc-status (0–16, -1 for a value gRPC does not define); null for everything else. */
  @Column({ name: 'grpc_status_code', type: 'smallint', nullable: true })
  grpcStatusCode!: number | null;

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

/**
 * Requests of one series in one hour: the minutes older than the engine reads at minute resolution, rolled up
 * (`SliRepository.rollUpBefore`). `buckets` are the hour's per-bucket sums; bit i of `minuteMask` is set when
 * minute i of the hour held requests.
 */
@Entity('sli_hours')
@Index('sli_hours_hour_idx', ['hour'])
export class SliHourEntity {
  @PrimaryColumn({ name: 'series_id', type: 'integer', primaryKeyConstraintName: 'PK_sli_hours' })
  seriesId!: number;

  /** Hours since the Unix epoch (its first minute is hour × 60). */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_sli_hours' })
  hour!: number;

  @Column({ type: 'bigint' })
  requests!: string;

  @Column({ type: 'bigint', array: true })
  buckets!: string[];

  @Column({ name: 'minute_mask', type: 'bigint' })
  minuteMask!: string;

  @ManyToOne(() => SliSeriesEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'series_id', foreignKeyConstraintName: 'FK_sli_hours_series' })
  series?: SliSeriesEntity;
}

/**
 * One sensor target's counters as last stored (null before its first scrape, the baseline) and the replica's
 * claim while it scrapes it, so that replicas take turns and each stores only what grew since.
 */
@Entity('scrape_targets')
export class ScrapeTargetEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_scrape_targets' })
  target!: string;

  /** The sensor's process_start_time_seconds at the stored counters. */
  @Column({ name: 'start_time', type: 'double precision', nullable: true })
  startTime!: number | null;

  /** Cumulative bucket counts per series key. */
  @Column({ type: 'jsonb', nullable: true })
  counters!: Record<string, number[]> | null;

  /** The exact thresholds of that reading ([ms, since]) and each series' counts within them ([ms, count]). */
  @Column({ type: 'jsonb', nullable: true })
  exact!: StoredExactCounts | null;

  @Column({ name: 'scraped_at', type: 'timestamptz', nullable: true })
  scrapedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  claim!: string | null;

  /** By the database's clock: a replica that died mid-scrape leaves a claim that runs out by itself. */
  @Column({ name: 'claim_until', type: 'timestamptz', nullable: true })
  claimUntil!: Date | null;
}

export interface StoredExactCounts {
  thresholds: [number, number][];
  good: Record<string, [number, number][]>;
}
