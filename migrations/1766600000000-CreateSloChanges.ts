import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A change counter for the SLO table, raised in the writing transaction by a statement trigger, so that every
 * replica can tell with one indexed read whether its cached SLO list is current (docs/benchmarks.md, "API lists
 * under load"). A counter row, not max(updated_at): updated_at is the transaction's start time, so a transaction
 * that started earlier and commits later would not move the maximum. Concurrent writers serialise on the row, so
 * the counter grows in commit order. `epoch` is new whenever the row is (re)created (a TRUNCATE empties it), so a
 * restarted counter never repeats an old stamp.
 */
export class CreateSloChanges1766600000000 implements MigrationInterface {
  name = 'CreateSloChanges1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "slo_changes" (
        "id" smallint NOT NULL DEFAULT 1,
        "epoch" uuid NOT NULL DEFAULT gen_random_uuid(),
        "version" bigint NOT NULL DEFAULT 1,
        CONSTRAINT "PK_slo_changes" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_slo_changes_one_row" CHECK ("id" = 1)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION "slo_changes_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "slo_changes" ("id") VALUES (1)
          ON CONFLICT ("id") DO UPDATE SET "version" = "slo_changes"."version" + 1;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "slos_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "slos"
        FOR EACH STATEMENT EXECUTE FUNCTION "slo_changes_bump"()`);
    await queryRunner.query(`INSERT INTO "slo_changes" ("id") VALUES (1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "slos_changed" ON "slos"`);
    await queryRunner.query(`DROP FUNCTION "slo_changes_bump"()`);
    await queryRunner.query(`DROP TABLE "slo_changes"`);
  }
}
