import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which correlation a firing's root message shows, so that a correlation found later is added by an edit. */
export class AddNotificationCorrelationHash1764100000001 implements MigrationInterface {
  name = 'AddNotificationCorrelationHash1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD COLUMN "correlation_hash" character varying(32)`,
    );
    // Messages already out were built with whatever correlation their alert had then: do not edit them all now.
    await queryRunner.query(`
      UPDATE "notifications" n SET "correlation_hash" = md5(a."correlation"::text)
      FROM "alerts" a WHERE a."id" = n."alert_id" AND n."kind" = 'fired' AND n."state" = 'sent'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "correlation_hash"`);
  }
}
