import { defineConfig } from 'vitest/config';

// The admin app driven by Playwright (playwright-core + /usr/bin/chromium) against a demo bridge.
export default defineConfig({
  test: {
    include: ['test/ui/admin-app.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
