import { defineConfig } from 'vitest/config';

// The default suite: unit, API, archive (SQLite + MariaDB) and push tests on the demo engine.
// The real-browser suites and the chaos suite have their own configs (vitest.*.config.ts).
export default defineConfig({
  test: {
    include: ['bridge/**/*.test.ts', 'electron/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/ui/**', 'test/chaos/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
