import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: several bridge processes with the real whatsapp-web.js on the simulator
// sharing one MariaDB database (kill -9, SIGSTOP/SIGCONT failover). Minutes; not in `npm test`.
export default defineConfig({
  test: {
    include: ['test/cluster-e2e/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
