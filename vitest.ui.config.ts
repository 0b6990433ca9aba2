import { defineConfig } from 'vitest/config';

// The admin app driven by Playwright (playwright-core + /usr/bin/chromium) against a demo bridge.
/** The admin app driven in a real browser; the pure-logic tests under test/ui run in `npm test`. */
export const PLAYWRIGHT_UI_TESTS = [
  'test/ui/admin-app.test.ts',
  'test/ui/accessibility.test.ts',
  'test/ui/inbox.test.ts',
  'test/ui/media-bubbles.test.ts',
  'test/ui/static-files.test.ts',
  'test/ui/working-day.test.ts',
  'test/ui/backup-restore.test.ts',
  'test/ui/desktop-updates.test.ts',
  'test/ui/knowing-what-happens.test.ts',
  'test/ui/cluster.test.ts',
  'test/ui/chats-beyond.test.ts',
  'test/ui/sign-in.test.ts',
  'test/ui/long-chats.test.ts',
  'test/ui/qr-fold.test.ts',
  'test/ui/desktop-badge.test.ts',
  'test/ui/not-sent.test.ts',
];

export default defineConfig({
  test: {
    include: PLAYWRIGHT_UI_TESTS,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
