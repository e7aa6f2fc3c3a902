import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1764100000000 implements MigrationInterface {
  name = 'CreateNotifications1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notifications" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "seq" BIGSERIAL NOT NULL,
        "alert_id" uuid,
        "transition_id" uuid,
        "kind" character varying(10) NOT NULL,
        "channel" character varying(81) NOT NULL,
        "channel_id" character varying(32),
        "state" character varying(10) NOT NULL,
        "transition" jsonb,
        "message" jsonb,
        "ts" character varying(32),
        "thread_ts" character varying(32),
        "root_updated_at" TIMESTAMP WITH TIME ZONE,
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "lease_until" TIMESTAMP WITH TIME ZONE,
        "intent_at" TIMESTAMP WITH TIME ZONE,
        "error" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "sent_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_notifications" PRIMARY KEY ("id"),
        -- One notification per alert transition, however often a listener runs.
        CONSTRAINT "UQ_notifications_transition" UNIQUE ("transition_id"),
        CONSTRAINT "FK_notifications_alert" FOREIGN KEY ("alert_id") REFERENCES "alerts" ("id") ON DELETE CASCADE
      )`);
    // The dispatcher's query: pending rows that are due.
    await queryRunner.query(
      `CREATE INDEX "notifications_due_idx" ON "notifications" ("state", "next_attempt_at")`,
    );
    // An alert's notifications in order (delivery order and the alert view).
    await queryRunner.query(`CREATE INDEX "notifications_alert_idx" ON "notifications" ("alert_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "notifications_created_at_idx" ON "notifications" ("created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
