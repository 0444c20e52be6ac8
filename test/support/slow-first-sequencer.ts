/**
 * Starts the longest suites first. On a clean clone vitest has no timing cache, so by default it may
 * start the 10-second suites last and leave one worker busy while the others sit idle; on a 2-core CI
 * machine that tail is most of the difference between ~2 and ~3 minutes. The list is measured
 * (`npx vitest run --reporter=verbose`, durations per file) and only orders files: every file still runs.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Path fragments of the slowest suites, slowest first. */
export const SLOW_SUITES: readonly string[] = [
  'test/bench/bench.test.ts',
  'test/scripts/build.test.ts',
  'test/campaign/campaign.test.ts',
  'test/corpus/corpus.test.ts',
  'test/shared/adapters/postgres/postgres-store.test.ts',
  'test/shared/app/local-agents.test.ts',
  'test/bin/commands/agent.test.ts',
  'test/deploy/s-yaml.test.ts',
  'test/shared/agent/takeover.test.ts',
  'test/campaign/crash-matrix.test.ts',
  'test/shared/adapters/sqlite/sqlite-store.test.ts',
  'test/bin/commands/store.test.ts',
  'test/functions/fc-handlers.test.ts',
  'test/shared/core/engine-dataplane.test.ts',
  'test/bin/havip.test.ts',
  'test/campaign/tencent.test.ts',
];

/** Rank of a file in {@link SLOW_SUITES}, or the list's length for any other file. */
export function slowRank(moduleId: string): number {
  const normalised = moduleId.replaceAll('\\', '/');
  const i = SLOW_SUITES.findIndex((suffix) => normalised.endsWith(suffix));
  return i === -1 ? SLOW_SUITES.length : i;
}

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rest = await super.sort(files.filter((f) => slowRank(f.moduleId) === SLOW_SUITES.length));
    const slow = files
      .filter((f) => slowRank(f.moduleId) < SLOW_SUITES.length)
      .sort((a, b) => slowRank(a.moduleId) - slowRank(b.moduleId));
    return [...slow, ...rest];
  }
}
