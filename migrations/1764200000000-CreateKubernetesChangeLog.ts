import { MigrationInterface, QueryRunner } from 'typeorm';

/** The Kubernetes change log: workload revisions, image digests, scale events and folded events. */
export class CreateKubernetesChangeLog1764200000000 implements MigrationInterface {
  name = 'CreateKubernetesChangeLog1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Last known spec of each workload: what a scale event is compared with.
    await queryRunner.query(`
      CREATE TABLE "kube_workloads" (
        "namespace" character varying(253) NOT NULL,
        "kind" character varying(16) NOT NULL,
        "name" character varying(253) NOT NULL,
        "generation" bigint NOT NULL,
        "replicas" integer,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_kube_workloads" PRIMARY KEY ("namespace", "kind", "name")
      )`);
    // One row per pod-template revision: a Deployment's ReplicaSet revision, or a StatefulSet's or
    // DaemonSet's generation at which its template changed. Deploys are derived by comparing neighbours.
    await queryRunner.query(`
      CREATE TABLE "kube_revisions" (
        "namespace" character varying(253) NOT NULL,
        "workload_kind" character varying(16) NOT NULL,
        "workload" character varying(253) NOT NULL,
        "revision" bigint NOT NULL,
        "template_hash" character varying(64) NOT NULL,
        "images" jsonb NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "failed_at" TIMESTAMP WITH TIME ZONE,
        "failure_message" text,
        "baseline" boolean NOT NULL DEFAULT false,
        CONSTRAINT "PK_kube_revisions" PRIMARY KEY ("namespace", "workload_kind", "workload", "revision")
      )`);
    await queryRunner.query(
      `CREATE INDEX "kube_revisions_workload_started_at_idx" ON "kube_revisions" ("namespace", "workload", "started_at")`,
    );
    // The digest each image of a workload's container really ran as (pods' containerStatuses imageID).
    await queryRunner.query(`
      CREATE TABLE "kube_image_digests" (
        "namespace" character varying(253) NOT NULL,
        "workload_kind" character varying(16) NOT NULL,
        "workload" character varying(253) NOT NULL,
        "container" character varying(253) NOT NULL,
        "image" character varying(1024) NOT NULL,
        "digest" character varying(100) NOT NULL,
        "last_seen" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_kube_image_digests" PRIMARY KEY ("namespace", "workload_kind", "workload", "container", "image")
      )`);
    await queryRunner.query(`
      CREATE TABLE "kube_scale_events" (
        "namespace" character varying(253) NOT NULL,
        "workload_kind" character varying(16) NOT NULL,
        "workload" character varying(253) NOT NULL,
        "generation" bigint NOT NULL,
        "from_replicas" integer NOT NULL,
        "to_replicas" integer NOT NULL,
        "at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_kube_scale_events" PRIMARY KEY ("namespace", "workload_kind", "workload", "generation")
      )`);
    await queryRunner.query(
      `CREATE INDEX "kube_scale_events_workload_at_idx" ON "kube_scale_events" ("namespace", "workload", "at")`,
    );
    // Events folded by (object, reason): one row however often Kubernetes repeats them.
    await queryRunner.query(`
      CREATE TABLE "kube_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "namespace" character varying(253) NOT NULL,
        "object_kind" character varying(63) NOT NULL,
        "object_name" character varying(253) NOT NULL,
        "reason" character varying(128) NOT NULL,
        "type" character varying(16) NOT NULL,
        "workload_kind" character varying(16),
        "workload" character varying(253),
        "count" bigint NOT NULL,
        "first_seen" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_seen" TIMESTAMP WITH TIME ZONE NOT NULL,
        "message" text NOT NULL,
        CONSTRAINT "PK_kube_events" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "kube_events_object_reason_key" ON "kube_events" ("namespace", "object_kind", "object_name", "reason")`,
    );
    await queryRunner.query(`CREATE INDEX "kube_events_last_seen_idx" ON "kube_events" ("last_seen")`);
    // The count each Kubernetes Event object last reported: a re-list adds only what is new.
    await queryRunner.query(`
      CREATE TABLE "kube_event_sources" (
        "uid" character varying(64) NOT NULL,
        "event_id" uuid NOT NULL,
        "count" bigint NOT NULL,
        CONSTRAINT "PK_kube_event_sources" PRIMARY KEY ("uid"),
        CONSTRAINT "FK_kube_event_sources_event" FOREIGN KEY ("event_id") REFERENCES "kube_events" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "kube_event_sources_event_id_idx" ON "kube_event_sources" ("event_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "kube_event_sources"`);
    await queryRunner.query(`DROP TABLE "kube_events"`);
    await queryRunner.query(`DROP TABLE "kube_scale_events"`);
    await queryRunner.query(`DROP TABLE "kube_image_digests"`);
    await queryRunner.query(`DROP TABLE "kube_revisions"`);
    await queryRunner.query(`DROP TABLE "kube_workloads"`);
  }
}
