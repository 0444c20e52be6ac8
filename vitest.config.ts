import { configDefaults, defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites against a real cloud account run only when asked (`npm run test:real-tablestore`).
    exclude:
      process.env.HAVIP_TEST_REAL_CLOUD === '1'
        ? configDefaults.exclude
        : [...configDefaults.exclude, 'test/**/real-*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration suites start simulator servers on ephemeral ports; forks keep native modules
    // (better-sqlite3) isolated per file.
    pool: 'forks',
    // Many suites wait on sockets and child processes rather than the CPU: one worker more than
    // the cores keeps both busy (measured on the 2-core CI machine, see README "Development").
    maxWorkers: 3,
    minWorkers: 1,
    sequence: { sequencer: SlowFirstSequencer },
    // A PostgreSQL server for the PostgreSQL store's tests: HAVIP_TEST_POSTGRES_URL, or a throwaway cluster.
    globalSetup: ['test/support/postgres-server.ts'],
  },
});
