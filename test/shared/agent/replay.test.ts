import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReplay, REPLAY_WINDOW, type ReplayWindow } from '../../../shared/agent/replay.js';

const feed = (seqs: readonly number[]) => {
  let w: ReplayWindow | undefined;
  return seqs.map((s) => {
    const r = checkReplay(w, s);
    w = r.window;
    return r.verdict;
  });
};

describe('replay window', () => {
  it.each([
    { name: 'increasing sequences', seqs: [10, 11, 15], verdicts: ['accept', 'accept', 'accept'] },
    { name: 'the same sequence twice', seqs: [10, 10], verdicts: ['accept', 'replayed'] },
    {
      name: 'a reordered one inside the window, once',
      seqs: [10, 12, 11, 11],
      verdicts: ['accept', 'accept', 'accept', 'replayed'],
    },
    {
      name: 'one just inside the window',
      seqs: [100, 100 - (REPLAY_WINDOW - 1)],
      verdicts: ['accept', 'accept'],
    },
    { name: 'one just below the window', seqs: [100, 100 - REPLAY_WINDOW], verdicts: ['accept', 'stale'] },
    {
      name: 'a big jump forgets the old window',
      seqs: [10, 10_000, 10],
      verdicts: ['accept', 'accept', 'stale'],
    },
    {
      name: 'the old top is still known after a small slide',
      seqs: [10, 20, 10],
      verdicts: ['accept', 'accept', 'replayed'],
    },
  ])('$name', ({ seqs, verdicts }) => {
    expect(feed(seqs)).toEqual(verdicts);
  });

  it('never accepts a sequence twice, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 200 }), (seqs) => {
        const verdicts = feed(seqs);
        const accepted = seqs.filter((_, i) => verdicts[i] === 'accept');
        expect(new Set(accepted).size).toBe(accepted.length);
        // Strictly increasing input is always accepted.
        const sorted = [...new Set(seqs)].sort((a, b) => a - b);
        expect(feed(sorted).every((v) => v === 'accept')).toBe(true);
      }),
    );
  });
});
