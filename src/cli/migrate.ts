import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/config.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { startEmbeddedPostgres } from '../database/embedded-postgres.js';
import { runMigrationsExclusively } from '../database/migrate.js';

/** `npm run migration:run` applies pending migrations; `npm run migration:revert` undoes the last one. */
async function main(direction: string | undefined): Promise<void> {
  if (direction !== 'up' && direction !== 'down') {
    process.stderr.write('usage: migrate.js up|down\n');
    process.exit(2);
  }
  const config = loadConfig();
  const embedded = config.databaseUrl === undefined ? await startEmbeddedPostgres(config.dataDir) : undefined;
  const dataSource = new DataSource(
    dataSourceOptions({ url: embedded?.url ?? config.databaseUrl!, poolSize: 1 }),
  );
  await dataSource.initialize();
  try {
    if (direction === 'up') {
      const applied = await runMigrationsExclusively(dataSource);
      process.stdout.write(
        applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'nothing to apply\n',
      );
    } else {
      await dataSource.undoLastMigration();
      process.stdout.write('reverted the last migration\n');
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write((error instanceof ConfigError ? error.message : String(error)) + '\n');
  process.exit(1);
});
