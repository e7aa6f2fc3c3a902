import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAlerts1764090000000 implements MigrationInterface {
  name = 'CreateAlerts1764090000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "alerts" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "slo_name" character varying(63) NOT NULL,
        "severity" character varying(8) NOT NULL,
        "state" character varying(10) NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "resolved_at" TIMESTAMP WITH TIME ZONE,
        "last_snapshot" jsonb NOT NULL,
        "correlation" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_alerts" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "alerts_slo_name_started_at_idx" ON "alerts" ("slo_name", "started_at")`,
    );
    // At most one firing alert per SLO: a second evaluator (or a retry) cannot open a duplicate.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "alerts_one_firing_per_slo" ON "alerts" ("slo_name") WHERE "state" = 'firing'`,
    );
    await queryRunner.query(`
      CREATE TABLE "alert_transitions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "alert_id" uuid NOT NULL,
        "kind" character varying(10) NOT NULL,
        "severity" character varying(8) NOT NULL,
        "at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "snapshot" jsonb NOT NULL,
        CONSTRAINT "PK_alert_transitions" PRIMARY KEY ("id"),
        CONSTRAINT "FK_alert_transitions_alert" FOREIGN KEY ("alert_id") REFERENCES "alerts" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "alert_transitions_alert_id_idx" ON "alert_transitions" ("alert_id", "at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alert_transitions"`);
    await queryRunner.query(`DROP TABLE "alerts"`);
  }
}
