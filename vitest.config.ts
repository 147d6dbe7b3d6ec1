import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: the CLI integration tests spawn inference children, keep the pool small.
    maxWorkers: 2,
  },
});
