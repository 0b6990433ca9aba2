import { defineConfig } from 'vitest/config';
import { PLAYWRIGHT_UI_TESTS } from './vitest.ui.config.js';

// The default suite: unit, API, archive (SQLite + MariaDB) and push tests on the demo engine.
// The real-browser suites and the chaos suite have their own configs (vitest.*.config.ts).
export default defineConfig({
  test: {
    include: ['bridge/**/*.test.ts', 'electron/**/*.test.ts', 'test/**/*.test.ts'],
    // The pure-logic UI tests (renderer-logic, media-logic) run here; the Playwright ones need test:ui.
    exclude: ['test/e2e/**', ...PLAYWRIGHT_UI_TESTS, 'test/chaos/**', 'test/fuzz/**', 'test/cluster-e2e/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Node loads graphql-http's `import 'graphql'` as graphql's CommonJS build while Vite gives
    // our code its ESM build: two graphql realms. Inlining graphql-http makes it one.
    server: { deps: { inline: ['graphql-http'] } },
  },
});
