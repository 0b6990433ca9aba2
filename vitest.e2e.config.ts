import { defineConfig } from 'vitest/config';

// Real whatsapp-web.js + Debian's Chromium against the local WhatsApp Web simulator.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
