import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { ALL_MIGRATIONS } from '../../migrations/index.js';
import { runMigrationsExclusively } from '../../src/database/migrate.js';

/** Migrations against a database of their own, so that going down does not disturb the other tests. */
const name = `burnwatch_migrations_${process.pid}_${Date.now()}`;
let url: string;

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function tables(dataSource: DataSource): Promise<string[]> {
  const rows: { tablename: string }[] = await dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  return rows.map((r) => r.tablename);
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const parsed = new URL(inject('adminDatabaseUrl'));
  parsed.pathname = `/${name}`;
  url = parsed.toString();
});
afterAll(() => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));

describe('migrations', () => {
  it('apply from an empty database, leave no drift from the entities, and go down again to empty', async () => {
    const dataSource = new DataSource(dataSourceOptions({ url, poolSize: 1 }));
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations();
      expect(applied.map((m) => m.name)).toEqual(ALL_MIGRATIONS.map((m) => m.name));
      expect(await dataSource.showMigrations()).toBe(false);

      // The entities describe exactly the schema the migrations built.
      const drift = await dataSource.driver.createSchemaBuilder().log();
      expect(drift.upQueries.map((q) => q.query)).toEqual([]);

      for (let i = 0; i < ALL_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      expect(await tables(dataSource)).toEqual(['burnwatch_migrations']);

      // And up again: down() left nothing behind that would break a second up().
      await dataSource.runMigrations();
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });

  it('are applied exactly once when three replicas start together on an empty database', async () => {
    const fresh = `${name}_replicas`;
    await admin((c) => c.query(`CREATE DATABASE "${fresh}"`));
    const parsed = new URL(url);
    parsed.pathname = `/${fresh}`;
    const replicas = [1, 2, 3].map(
      () => new DataSource(dataSourceOptions({ url: parsed.toString(), poolSize: 2 })),
    );
    try {
      await Promise.all(replicas.map((r) => r.initialize()));
      const outcomes = await Promise.allSettled(replicas.map((r) => runMigrationsExclusively(r)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const applied = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.map((m) => m.name) : []));
      expect(applied.sort()).toEqual(ALL_MIGRATIONS.map((m) => m.name).sort());
      const rows: { count: string }[] = await replicas[0]!.query('SELECT count(*) FROM burnwatch_migrations');
      expect(Number(rows[0]!.count)).toBe(ALL_MIGRATIONS.length);
    } finally {
      await Promise.all(replicas.map((r) => (r.isInitialized ? r.destroy() : undefined)));
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${fresh}" WITH (FORCE)`));
    }
  });
});
