import { defineConfig } from 'vitest/config'

/** Cross-package tests: the platform, its runtime child processes and the doubles, together. */
export default defineConfig({
  test: {
    include: ['tests/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
