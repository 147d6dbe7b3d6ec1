import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Tests run the TypeScript sources, never a compiled dist/ (bin/lpcv.js honours this in every child it starts).
    env: { LPCV_FROM_SOURCE: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: the CLI integration tests spawn inference children, keep the pool small.
    maxWorkers: 2,
  },
});
