import { configDefaults, defineConfig } from 'vitest/config';
import { OWN_WORKER_SUITES } from './test/support/own-worker.js';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

// Suites against a real cloud account run only when asked (`npm run test:real-tablestore`).
const exclude =
  process.env.HAVIP_TEST_REAL_CLOUD === '1'
    ? configDefaults.exclude
    : [...configDefaults.exclude, 'test/**/real-*.test.ts'];

// Most files share three long-lived worker processes (forks, `isolate: false`): a fresh process per file
// cost more CPU than most files' tests — starting vitest in it and loading zod, the SDKs and the app
// again — about 60 % of the suite's CPU time (docs/performance.md, "Test suite"). Many suites wait on
// sockets and child processes rather than the CPU: one worker more than the cores keeps both busy.
// minForks = maxForks: tinypool retires an idle worker above the minimum, which raced with handing a
// shared worker its next file ("Terminating worker thread"). The few files that need modules of their
// own (test/support/own-worker.ts) run in the threads pool, isolated: a fresh thread each, one at a time.
const common = {
  environment: 'node',
  testTimeout: 20_000,
  hookTimeout: 20_000,
  poolOptions: {
    forks: { isolate: false, minForks: 3, maxForks: 3 },
    threads: { isolate: true, minThreads: 1, maxThreads: 1 },
  },
  // Files share workers: what one file puts into process.env is gone when the next one starts.
  setupFiles: ['test/support/restore-env.ts'],
};

export default defineConfig({
  test: {
    ...common,
    include: ['test/**/*.test.ts'],
    exclude,
    pool: 'forks',
    projects: [
      {
        test: {
          ...common,
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...exclude, ...OWN_WORKER_SUITES],
          pool: 'forks',
        },
      },
      {
        test: { ...common, name: 'own-worker', include: [...OWN_WORKER_SUITES], exclude, pool: 'threads' },
      },
    ],
    sequence: { sequencer: SlowFirstSequencer },
    // Set once, here: every project reads what they provide (a project's own would run a second time).
    // A PostgreSQL server for the PostgreSQL store's tests: HAVIP_TEST_POSTGRES_URL, or a throwaway
    // cluster; and a directory for the one build the bundle-reading suites share (shared-build.ts).
    globalSetup: ['test/support/postgres-server.ts', 'test/support/build-dir.ts'],
  },
});
