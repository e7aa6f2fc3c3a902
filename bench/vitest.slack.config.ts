import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/** `npx vitest run --config bench/vitest.slack.config.ts`: the Slack outbox's throughput against the stand-in. */
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  test: {
    include: ['bench/slack-outbox.bench.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
