import type { DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from './entities.js';
import { ALL_MIGRATIONS } from '../../migrations/index.js';

export interface DatabaseTarget {
  url: string;
  /** 1 on the embedded database: PGlite is a single session. */
  poolSize: number;
}

export function dataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  return {
    type: 'postgres',
    url: target.url,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'burnwatch_migrations',
    migrationsTransactionMode: 'each',
    // The schema changes only through reviewed migrations.
    synchronize: false,
    extra: {
      max: target.poolSize,
      // A database that hangs fails requests in bounded time (503) instead of holding them: connecting waits
      // 5 s; on a server a statement runs at most 15 s (the server cancels it), and the client gives a query up
      // after 20 s whatever the server does. (The embedded database runs in this process: no such limits.)
      connectionTimeoutMillis: 5_000,
      ...(target.poolSize === 1 ? {} : { statement_timeout: 15_000, query_timeout: 20_000 }),
      // A pool of one is the embedded database, whose socket server takes one connection at a time: closing it
      // when idle and reconnecting can race the server's close of the old one ("Connection terminated
      // unexpectedly"), so the one connection stays open until the pool ends.
      idleTimeoutMillis: target.poolSize === 1 ? 0 : 10_000,
    },
  };
}
