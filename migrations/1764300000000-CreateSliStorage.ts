import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSliStorage1764300000000 implements MigrationInterface {
  name = 'CreateSliStorage1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sli_series" (
        "id" SERIAL NOT NULL,
        "series_key" text NOT NULL,
        "namespace" character varying(253) NOT NULL,
        "workload" character varying(253) NOT NULL,
        "workload_kind" character varying(63) NOT NULL,
        "service_name" character varying(253) NOT NULL,
        "image_name" character varying(512) NOT NULL,
        "image_id" character varying(512) NOT NULL,
        "method" character varying(16) NOT NULL,
        "route" character varying(512) NOT NULL,
        "status_code" smallint NOT NULL,
        "bounds" double precision array NOT NULL,
        CONSTRAINT "PK_sli_series" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_sli_series_key" ON "sli_series" ("series_key")`);
    await queryRunner.query(`
      CREATE TABLE "sli_minutes" (
        "series_id" integer NOT NULL,
        "minute" integer NOT NULL,
        "requests" integer NOT NULL,
        "buckets" integer array NOT NULL,
        CONSTRAINT "PK_sli_minutes" PRIMARY KEY ("series_id", "minute"),
        CONSTRAINT "FK_sli_minutes_series" FOREIGN KEY ("series_id") REFERENCES "sli_series" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "sli_minutes_minute_idx" ON "sli_minutes" ("minute")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sli_minutes"`);
    await queryRunner.query(`DROP TABLE "sli_series"`);
  }
}
