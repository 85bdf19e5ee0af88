import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Time limits only bound how long a failing test takes to say so: nothing here asserts speed.
    // A fresh 2-core CI machine starts servers and Chromium slowly; these leave room for that.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // expect.poll waits for a live page or stream to catch up (1 s by default).
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Files in one worker share their imported modules: every file importing tsx, fastify and
    // the server again cost about 760 s of worker time per run (32 s shared). Each file builds
    // its own servers, databases and schemas, so nothing else is shared.
    isolate: false,
    globalSetup: ['server/test-support/global-setup.ts'],
    // Most test files wait on processes, sockets and timers, not the CPU: on a 2-core machine
    // vitest's default (cores - 1 = one file at a time) left a core idle and took 15+ minutes.
    maxWorkers: 4,
  },
});
