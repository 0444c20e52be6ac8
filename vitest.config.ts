import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration suites start simulator servers on ephemeral ports; forks keep native modules
    // (better-sqlite3) isolated per file.
    pool: 'forks',
    // A PostgreSQL server for the PostgreSQL store's tests: HAVIP_TEST_POSTGRES_URL, or a throwaway cluster.
    globalSetup: ['test/support/postgres-server.ts'],
  },
});
