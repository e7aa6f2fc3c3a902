import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The eBPF sensor tests: real programs in the real kernel, real servers on loopback.
// Need root, kernel BTF and the toolchain (scripts/install-bpf-deps.sh); global-setup builds bpf/.
// Run alone with: npx vitest run --config test/sensor/vitest.config.ts
// Tests that run the service on the sensor's data (sensor → scrape → engine → alert) need Postgres like the
// integration tests (test/support/global-setup.ts) and SWC for NestJS' decorator metadata.
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
    name: 'sensor',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/sensor/**/*.test.ts'],
    globalSetup: ['test/sensor/global-setup.ts', 'test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One loader at a time: the tests count exactly what crossed the kernel.
    fileParallelism: false,
  },
});
