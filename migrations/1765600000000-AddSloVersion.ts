import { MigrationInterface, QueryRunner } from 'typeorm';

/** A version per SLO, raised by every write: the ETag that If-Match compares (optimistic concurrency). */
export class AddSloVersion1765600000000 implements MigrationInterface {
  name = 'AddSloVersion1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "slos" ADD "version" integer NOT NULL DEFAULT 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "slos" DROP COLUMN "version"`);
  }
}
