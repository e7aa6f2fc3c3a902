import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A gRPC call's outcome is its grpc-status, not its HTTP status (200 for most failures): each gRPC series keeps
 * its code, so an error-rate SLO can count the codes it names (docs/metrics.md). Null for every other series.
 */
export class AddSliSeriesGrpcStatus1766800000000 implements MigrationInterface {
  name = 'AddSliSeriesGrpcStatus1766800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sli_series" ADD COLUMN "grpc_status_code" smallint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sli_series" DROP COLUMN "grpc_status_code"`);
  }
}
