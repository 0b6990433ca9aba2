import { defineConfig } from 'vitest/config';

// The fast unit tests behind `npm run test:mutation` (StrykerJS): every mutant re-runs the tests
// that cover it, so only in-process tests of the mutated folders are included here.
export default defineConfig({
  test: {
    include: [
      'bridge/slots/**/*.test.ts',
      'bridge/auth/**/*.test.ts',
      'bridge/state/**/*.test.ts',
      'bridge/access/**/*.test.ts',
      'bridge/http/auth.test.ts',
      'bridge/archive/normalise.test.ts',
    ],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
