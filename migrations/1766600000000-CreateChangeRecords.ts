import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each record and the tables whose writes it records. */
const RECORDS = [
  { record: 'slo_changes', tables: ['slos'] },
  { record: 'alert_changes', tables: ['alerts', 'silences', 'alert_annotations'] },
];

/**
 * Records of writes, one row per writing statement (a statement trigger, in the writing transaction), so that
 * every replica can tell with one small read whether a cached list is current (src/database/change-stamps.ts,
 * docs/benchmarks.md "API lists under load"). A record's stamp is `sum(weight):max(id)`:
 * - every commit that wrote adds rows, so the sum grows with each commit in any commit order (max(updated_at)
 *   would not: updated_at is the transaction's start, so one that started earlier and commits later would not move
 *   the maximum);
 * - rows are only appended, so writers never wait for each other here (a single counter row would be locked to
 *   the end of each writing transaction, after the rows it locked: an import and a PUT could deadlock);
 * - readers fold the rows into one from time to time (same sum), and ids are never reused, so a stamp never
 *   comes back, not even after a TRUNCATE of all the tables (the trigger fires after it and records a new row).
 */
export class CreateChangeRecords1766600000000 implements MigrationInterface {
  name = 'CreateChangeRecords1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "record_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('INSERT INTO %I DEFAULT VALUES', TG_ARGV[0]);
        RETURN NULL;
      END $$`);
    for (const { record, tables } of RECORDS) {
      await queryRunner.query(`
        CREATE TABLE "${record}" (
          "id" bigserial NOT NULL,
          "weight" bigint NOT NULL DEFAULT 1,
          CONSTRAINT "PK_${record}" PRIMARY KEY ("id")
        )`);
      for (const table of tables) {
        await queryRunner.query(`
          CREATE TRIGGER "${table}_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${table}"
            FOR EACH STATEMENT EXECUTE FUNCTION "record_change"('${record}')`);
      }
      await queryRunner.query(`INSERT INTO "${record}" DEFAULT VALUES`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { record, tables } of RECORDS) {
      for (const table of tables) await queryRunner.query(`DROP TRIGGER "${table}_changed" ON "${table}"`);
      await queryRunner.query(`DROP TABLE "${record}"`);
    }
    await queryRunner.query(`DROP FUNCTION "record_change"()`);
  }
}
