import { DataSource, Migration, MigrationExecutor } from 'typeorm';

/** pg_advisory_lock key for applying migrations ("bwmigrat" as a number): one key, shared by every replica. */
export const MIGRATION_LOCK_KEY = 0x62776d6967726174n;

/**
 * Applies pending migrations while holding a session advisory lock, so that replicas starting together on an empty
 * database apply them once, one after the other (without it, the second replica's CREATE TABLE fails and the pod
 * crash-loops until the first one is done). The lock and the migrations share one connection: the embedded
 * database has only one.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await runner.release();
  }
}
