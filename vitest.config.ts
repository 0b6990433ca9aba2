import { defineConfig } from 'vitest/config';

// The default suite: unit, API, archive (SQLite + MariaDB) and push tests on the demo engine.
// The real-browser suites have their own configs (vitest.e2e.config.ts, vitest.ui.config.ts).
export default defineConfig({
  test: {
    include: ['bridge/**/*.test.ts', 'electron/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/ui/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Node loads graphql-http's `import 'graphql'` as graphql's CommonJS build while Vite gives
    // our code its ESM build: two graphql realms. Inlining graphql-http makes it one.
    server: { deps: { inline: ['graphql-http'] } },
  },
});
