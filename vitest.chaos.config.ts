import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: kill -9, a stopped/killed/hung MariaDB, a full disk and SIGTERM under
// load against the bridge as a real process (minutes; not part of `npm test` or .ci/run).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
