import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budget corrections: time left out of an SLO's SLI and error budget, once (start_at/end_at) or on an RFC 5545
 * schedule (start_wall in time_zone, duration_seconds, rrule). They belong to the SLO row, not its name, so an SLO
 * deleted and created again starts without the old one's corrections.
 */
export class CreateSloCorrections1765900000000 implements MigrationInterface {
  name = 'CreateSloCorrections1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "slo_corrections" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "slo_id" uuid NOT NULL,
        "kind" varchar(16) NOT NULL,
        "start_at" timestamptz,
        "end_at" timestamptz,
        "start_wall" varchar(19),
        "duration_seconds" integer,
        "rrule" text,
        "time_zone" varchar(64),
        "reason" text NOT NULL,
        "created_by" varchar(253) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_slo_corrections" PRIMARY KEY ("id"),
        CONSTRAINT "FK_slo_corrections_slo" FOREIGN KEY ("slo_id") REFERENCES "slos"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "slo_corrections_slo_idx" ON "slo_corrections" ("slo_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "slo_corrections"`);
  }
}
