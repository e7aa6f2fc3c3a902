import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each sensor target's counters as last stored, and who is scraping it now: any replica may scrape a target, one
 * at a time (the claim), and each stores only what the counters grew since the stored ones, so several replicas
 * count every request once.
 */
export class CreateScrapeTargets1766400000000 implements MigrationInterface {
  name = 'CreateScrapeTargets1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "scrape_targets" (
        "target" text NOT NULL,
        "start_time" double precision,
        "counters" jsonb,
        "scraped_at" timestamptz,
        "claim" uuid,
        "claim_until" timestamptz,
        CONSTRAINT "PK_scrape_targets" PRIMARY KEY ("target")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "scrape_targets"`);
  }
}
