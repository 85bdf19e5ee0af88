import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['server/test-support/global-setup.ts'],
    // Most test files wait on processes, sockets and timers, not the CPU: on a 2-core machine
    // vitest's default (cores - 1 = one file at a time) left a core idle and took 15+ minutes.
    maxWorkers: 4,
  },
});
