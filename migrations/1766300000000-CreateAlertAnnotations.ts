import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What people said about an alert from Slack's buttons: acknowledged, silenced (with the silence made) or not a
 * real burn (with the budget correction recorded). The signature of the Slack request that made each is unique,
 * so that a replayed request changes nothing.
 */
export class CreateAlertAnnotations1766300000000 implements MigrationInterface {
  name = 'CreateAlertAnnotations1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "alert_annotations" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "alert_id" uuid NOT NULL,
        "kind" varchar(16) NOT NULL,
        "created_by" varchar(253) NOT NULL,
        "slack_user_id" varchar(32),
        "comment" text,
        "details" jsonb NOT NULL DEFAULT '{}',
        "slack_request" varchar(80),
        "at" timestamptz NOT NULL,
        CONSTRAINT "PK_alert_annotations" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "alert_annotations_alert_idx" ON "alert_annotations" ("alert_id", "at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "alert_annotations_request_idx" ON "alert_annotations" ("slack_request")
       WHERE "slack_request" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alert_annotations"`);
  }
}
