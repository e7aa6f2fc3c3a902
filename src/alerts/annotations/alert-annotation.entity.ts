import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertAnnotation, AnnotationKind } from '../domain/alert-annotation.js';

/** An acknowledgement, a silence or a "not a real burn" recorded on an alert (from Slack's buttons). */
@Entity('alert_annotations')
@Index('alert_annotations_alert_idx', ['alertId', 'at'])
// A Slack request is carried out once: a replay of the same signed request (within Slack's 5 minutes) finds it.
@Index('alert_annotations_request_idx', ['slackRequest'], {
  unique: true,
  where: '"slack_request" IS NOT NULL',
})
export class AlertAnnotationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alert_annotations' })
  id!: string;

  // The id, not a foreign key, like a silence's: history.
  @Column({ name: 'alert_id', type: 'uuid' })
  alertId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: AnnotationKind;

  @Column({ name: 'created_by', type: 'varchar', length: 253 })
  createdBy!: string;

  @Column({ name: 'slack_user_id', type: 'varchar', length: 32, nullable: true })
  slackUserId!: string | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  /** silenced: { silence: { id, endsAt } }; notARealBurn: { correction: { id, start, end } }. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  details!: Pick<AlertAnnotation, 'silence' | 'correction'>;

  /** The X-Slack-Signature of the request that made it. */
  @Column({ name: 'slack_request', type: 'varchar', length: 80, nullable: true })
  slackRequest!: string | null;

  /** When it was said, by the service's clock. */
  @Column({ type: 'timestamptz' })
  at!: Date;
}
