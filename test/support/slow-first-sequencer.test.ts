import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLOW_SUITES, slowRank } from './slow-first-sequencer.js';

describe('slow-first sequencer', () => {
  it.each(SLOW_SUITES)('names a suite that exists: %s', (path) => {
    // A renamed suite would silently lose its early start.
    expect(existsSync(path)).toBe(true);
  });

  it('ranks listed suites by position and every other file after them', () => {
    expect(slowRank(`/repo/${SLOW_SUITES[0]}`)).toBe(0);
    expect(slowRank(`C:\\repo\\${(SLOW_SUITES[1] ?? '').replaceAll('/', '\\')}`)).toBe(1);
    expect(slowRank('/repo/test/shared/core/decide.test.ts')).toBe(SLOW_SUITES.length);
  });
});
