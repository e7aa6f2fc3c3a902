import { ConfigError, loadConfig } from './config/config.js';
import { startBurnwatch } from './app.js';
import { JsonLogger } from './observability/json-logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(2);
    }
    throw error;
  }
  const logger = new JsonLogger(config.logLevel);
  const burnwatch = await startBurnwatch(config, logger);
  logger.log(
    `Burnwatch is listening on ${burnwatch.url} (API docs at ${burnwatch.url}/api/docs)`,
    'Burnwatch',
  );
  const stop = async (signal: string) => {
    logger.log(`Received ${signal}, shutting down`, 'Burnwatch');
    try {
      await burnwatch.close();
    } catch (error) {
      logger.error(`Shutdown failed: ${(error as Error).message}`, (error as Error).stack, 'Burnwatch');
      process.exit(1);
    }
    logger.log('Stopped', 'Burnwatch');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Burnwatch failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
