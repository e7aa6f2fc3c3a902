import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEngineLeases1764300000001 implements MigrationInterface {
  name = 'CreateEngineLeases1764300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "engine_leases" (
        "name" character varying(63) NOT NULL,
        "holder" character varying(253) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_engine_leases" PRIMARY KEY ("name")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "engine_leases"`);
  }
}
