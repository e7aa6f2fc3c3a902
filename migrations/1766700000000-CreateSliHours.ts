import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hourly rollups of the per-minute SLI rows (docs/engine.md, "Storage"): minutes older than the engine reads at
 * minute resolution are moved here, one row per series and hour, so that storage and a restart's backfill shrink
 * about 60× for old data. `minute_mask` has bit i set when minute i of the hour held requests, so the minutes
 * with data of several series (their union) stay exact.
 */
export class CreateSliHours1766700000000 implements MigrationInterface {
  name = 'CreateSliHours1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sli_hours" (
        "series_id" integer NOT NULL,
        "hour" integer NOT NULL,
        "requests" bigint NOT NULL,
        "buckets" bigint array NOT NULL,
        "minute_mask" bigint NOT NULL,
        CONSTRAINT "PK_sli_hours" PRIMARY KEY ("series_id", "hour"),
        CONSTRAINT "FK_sli_hours_series" FOREIGN KEY ("series_id") REFERENCES "sli_series" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "sli_hours_hour_idx" ON "sli_hours" ("hour")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sli_hours"`);
  }
}
