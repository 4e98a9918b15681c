import { defineConfig } from 'vitest/config';

/**
 * Three projects: unit specs next to the code, the sandbox's own tests, and e2e suites that boot
 * the real apps against the real sandbox on ephemeral loopback ports.
 */
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/**/*.spec.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'sandbox', include: ['sandbox/test/**/*.spec.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
