import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exact-threshold counts of a target's last stored reading (docs/metrics.md, "Exact latency thresholds"):
 * which thresholds the sensor counted and since when, and each series' count within each, so that the next
 * scrape (by any replica) stores exactly how many requests of the interval were within each threshold.
 */
export class AddScrapeTargetExactCounts1766500000000 implements MigrationInterface {
  name = 'AddScrapeTargetExactCounts1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scrape_targets" ADD COLUMN "exact" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scrape_targets" DROP COLUMN "exact"`);
  }
}
