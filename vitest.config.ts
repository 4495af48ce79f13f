import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/attack/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for what the screen or the store will show; on a busy machine a commit can
    // take seconds, so the bound is generous (a passing poll returns as soon as it holds).
    expect: { poll: { timeout: 20_000 } },
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
