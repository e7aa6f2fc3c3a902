import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Silences (Alertmanager's matchers, startsAt/endsAt, or until an alert resolves) and, on each notification, the
 * silence that held it: a held notification is kept with state 'held', never sent, and the alert's current state
 * is told once when the silence ends.
 */
export class CreateSilences1766100000000 implements MigrationInterface {
  name = 'CreateSilences1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "silences" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "matchers" jsonb NOT NULL,
        "starts_at" timestamptz NOT NULL,
        "ends_at" timestamptz,
        "until_resolved" boolean NOT NULL DEFAULT false,
        "alert_id" uuid,
        "created_by" varchar(253) NOT NULL,
        "comment" text NOT NULL,
        "end_handled_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_silences" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "silences_ends_at_idx" ON "silences" ("ends_at")`);
    await queryRunner.query(
      `CREATE INDEX "silences_end_unhandled_idx" ON "silences" ("ends_at") WHERE "end_handled_at" IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" ADD "silence_id" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Kept, not deleted, in a state the code before silences knows and never sends.
    await queryRunner.query(
      `UPDATE "notifications" SET "state" = 'failed', "error" = 'held by a silence (silences were rolled back)'
       WHERE "state" = 'held'`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "silence_id"`);
    await queryRunner.query(`DROP TABLE "silences"`);
  }
}
