import 'reflect-metadata';
import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { Clock, systemClock } from './common/clock.js';
import type { Config } from './config/config.js';
import { startEmbeddedPostgres } from './database/embedded-postgres.js';
import { JsonLogger } from './observability/json-logger.js';
import { setupOpenApi } from './openapi.js';
import { serveUiAssets } from './ui/ui-files.js';

export interface RunningBurnwatch {
  app: NestExpressApplication;
  /** http://host:port of the listening server. */
  url: string;
  close(): Promise<void>;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

/** Starts the whole service: database (embedded when DATABASE_URL is unset), migrations, HTTP. */
export async function startBurnwatch(
  config: Config,
  logger: LoggerService = new JsonLogger(config.logLevel),
  clock: Clock = systemClock,
): Promise<RunningBurnwatch> {
  const embedded = config.databaseUrl === undefined ? await startEmbeddedPostgres(config.dataDir) : undefined;
  const database = embedded ? { url: embedded.url, poolSize: 1 } : { url: config.databaseUrl!, poolSize: 10 };
  if (embedded)
    logger.log(
      `Using the embedded PostgreSQL in ${config.dataDir} (set DATABASE_URL for a server)`,
      'Burnwatch',
    );
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, database, clock), {
      logger,
      bodyParser: false,
    });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  app.useBodyParser('json', { limit: '1mb', type: ['application/json', 'application/merge-patch+json'] });
  app.useBodyParser('text', { limit: '1mb', type: YAML_TYPES });
  app.enableShutdownHooks();
  setupOpenApi(app);
  serveUiAssets(app);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    app,
    url: `http://${host}:${address.port}`,
    async close() {
      await app.close();
      await embedded?.stop();
    },
  };
}
