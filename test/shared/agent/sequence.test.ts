import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESERVATION, SequenceSource } from '../../../shared/agent/sequence.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'havip-seq-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('sequence source', () => {
  it('starts at the clock and counts up by one', () => {
    const s = SequenceSource.open(dir, 1_000_000);
    expect([s.next(), s.next(), s.next()]).toEqual([1_000_000, 1_000_001, 1_000_002]);
  });

  it('continues above everything sent before a restart, even with the clock set back', async () => {
    const first = SequenceSource.open(dir, 5_000_000);
    let last = 0;
    for (let i = 0; i < RESERVATION + 10; i++) last = first.next();
    const again = SequenceSource.open(dir, 1_000);
    expect(again.next()).toBeGreaterThan(last);
  });

  it('ignores a corrupt state file and starts from the clock', async () => {
    await writeFile(join(dir, 'sequence'), 'garbage');
    expect(SequenceSource.open(dir, 7_000).next()).toBe(7_000);
    expect(Number((await readFile(join(dir, 'sequence'), 'utf8')).trim())).toBe(7_000 + RESERVATION);
  });

  it('says where and how to fix an unwritable state directory', async () => {
    await writeFile(join(dir, 'a-file'), '');
    expect(() => SequenceSource.open(join(dir, 'a-file', 'state'), 1)).toThrow(
      /ENOTDIR; set stateDirectory to a directory the agent may write/,
    );
  });
});
