import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSlos1764086400000 implements MigrationInterface {
  name = 'CreateSlos1764086400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "slos" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" character varying(63) NOT NULL,
        "team" character varying(63),
        "namespace" character varying(63),
        "workload" character varying(253) NOT NULL,
        "spec" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_slos" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_slos_name" UNIQUE ("name")
      )`);
    await queryRunner.query(`CREATE INDEX "slos_namespace_workload_idx" ON "slos" ("namespace", "workload")`);
    await queryRunner.query(`CREATE INDEX "slos_team_idx" ON "slos" ("team")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "slos"`);
  }
}
