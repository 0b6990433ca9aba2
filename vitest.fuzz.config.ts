import { defineConfig } from 'vitest/config';

// `npm run test:fuzz`: bounded random requests and WebSocket frames against a demo bridge.
// FUZZ_REQUESTS / FUZZ_FRAMES set the budget, FUZZ_SEED replays a run.
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
