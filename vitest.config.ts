import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // e2e tests spawn agents; two workers match the 2-core CI machines.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
