import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record of writes to the SLO table, one row per writing statement (a statement trigger, in the writing
 * transaction), so that every replica can tell with one small read whether its cached SLO list is current
 * (docs/benchmarks.md, "API lists under load"). The stamp is `sum(weight):max(id)`:
 * - every commit that wrote SLOs adds rows, so the sum grows with each commit in any commit order (max(updated_at)
 *   would not: updated_at is the transaction's start, so one that started earlier and commits later would not move
 *   the maximum);
 * - rows are only appended, so writers never wait for each other here (a single counter row would be locked to
 *   the end of each writing transaction, after the SLO rows it locked: an import and a PUT could deadlock);
 * - readers fold the rows into one from time to time (same sum), and ids are never reused, so a stamp never
 *   comes back, not even after a TRUNCATE of both tables (the trigger fires after it and records a new row).
 */
export class CreateSloChanges1766600000000 implements MigrationInterface {
  name = 'CreateSloChanges1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "slo_changes" (
        "id" bigserial NOT NULL,
        "weight" bigint NOT NULL DEFAULT 1,
        CONSTRAINT "PK_slo_changes" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE FUNCTION "slo_changes_record"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "slo_changes" DEFAULT VALUES;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "slos_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "slos"
        FOR EACH STATEMENT EXECUTE FUNCTION "slo_changes_record"()`);
    await queryRunner.query(`INSERT INTO "slo_changes" DEFAULT VALUES`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "slos_changed" ON "slos"`);
    await queryRunner.query(`DROP FUNCTION "slo_changes_record"()`);
    await queryRunner.query(`DROP TABLE "slo_changes"`);
  }
}
