import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { AlertEntity } from '../../alerts/alert.entity.js';
import type { NotifiedTransition, SlackMessage } from './domain/slack-message.js';

export type NotificationKind = 'fired' | 'escalated' | 'resolved' | 'test';
/**
 * pending: waiting for (another) attempt; dry-run: no token, kept instead of sent; held: a silence matched the
 * alert when it was enqueued, so it is kept and never sent (the state is told once when the silence ends).
 */
export type NotificationState = 'pending' | 'sent' | 'failed' | 'dry-run' | 'held';

/**
 * The Slack outbox: one row per message to deliver, written in the transaction of the alert transition it tells
 * about, then sent by the dispatcher. It also keeps what delivery needs to be exactly-once: the message's `ts`, and
 * `intent_at` when a post was started whose outcome is unknown (so the next attempt looks before posting again).
 */
@Entity('notifications')
@Index('notifications_due_idx', ['state', 'nextAttemptAt'])
@Index('notifications_alert_idx', ['alertId', 'seq'])
@Index('notifications_created_at_idx', ['createdAt'])
@Unique('UQ_notifications_transition', ['transitionId'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_notifications' })
  id!: string;

  /** Enqueue order: an alert's notifications are delivered in this order. */
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq!: string;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId!: string | null;

  @ManyToOne(() => AlertEntity, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'alert_id', foreignKeyConstraintName: 'FK_notifications_alert' })
  alert?: AlertEntity;

  @Column({ name: 'transition_id', type: 'uuid', nullable: true })
  transitionId!: string | null;

  @Column({ type: 'varchar', length: 10 })
  kind!: NotificationKind;

  /** As configured: "#name" or an ID. */
  @Column({ type: 'varchar', length: 81 })
  channel!: string;

  /** Slack's channel ID, once Slack has answered. */
  @Column({ name: 'channel_id', type: 'varchar', length: 32, nullable: true })
  channelId!: string | null;

  @Column({ type: 'varchar', length: 10 })
  state!: NotificationState;

  @Column({ type: 'jsonb', nullable: true })
  transition!: NotifiedTransition | null;

  /** The message as sent (or, in dry-run, as it would have been). */
  @Column({ type: 'jsonb', nullable: true })
  message!: SlackMessage | null;

  /** Slack's ts of the posted message: the thread's root for a firing, the reply otherwise. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  ts!: string | null;

  @Column({ name: 'thread_ts', type: 'varchar', length: 32, nullable: true })
  threadTs!: string | null;

  /** Escalation and resolve: when the root message was updated to the new state. */
  @Column({ name: 'root_updated_at', type: 'timestamptz', nullable: true })
  rootUpdatedAt!: Date | null;

  /** Firing: md5 of the alert's correlation the root message shows, to update it when the correlation changes. */
  @Column({ name: 'correlation_hash', type: 'varchar', length: 32, nullable: true })
  correlationHash!: string | null;

  /** held: the silence that held it; pending after a silence ended: the silence whose end it tells about. */
  @Column({ name: 'silence_id', type: 'uuid', nullable: true })
  silenceId!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** Claimed by a dispatcher until then (the database's clock); a crashed dispatcher's claim runs out by itself. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** The claim a dispatcher's writes are fenced with: once another dispatcher claims the row, they change nothing. */
  @Column({ type: 'uuid', nullable: true })
  claim!: string | null;

  /** Set before a post, cleared when its outcome is known: set on a claimed row means "look before posting". */
  @Column({ name: 'intent_at', type: 'timestamptz', nullable: true })
  intentAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
