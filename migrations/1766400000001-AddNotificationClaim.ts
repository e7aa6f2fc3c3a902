import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which dispatcher's claim a notification is under: every write a dispatcher makes while delivering names its
 * claim, so a dispatcher whose claim ran out (Slack slower than the lease) never posts or overwrites a row another
 * replica now owns.
 */
export class AddNotificationClaim1766400000001 implements MigrationInterface {
  name = 'AddNotificationClaim1766400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" ADD COLUMN "claim" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "claim"`);
  }
}
