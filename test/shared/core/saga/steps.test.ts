import { describe, expect, it } from 'vitest';
import { clientToken } from '../../../../shared/core/saga/steps.js';

describe('clientToken', () => {
  it('is deterministic per (group, epoch, step), ASCII and at most 64 characters', () => {
    const long = 'g'.repeat(63);
    const t = clientToken(long, 123456789, 'attach-havip:i-bp1demo0000000000001');
    expect(t.length).toBeLessThanOrEqual(64);
    expect(t).toMatch(/^[\x21-\x7e]+$/);
    expect(clientToken(long, 123456789, 'attach-havip:i-bp1demo0000000000001')).toBe(t);
  });
  it('differs when any of group, epoch or step differs', () => {
    const base = clientToken('web', 7, 'attach-havip:i-a');
    expect(
      new Set([
        base,
        clientToken('web2', 7, 'attach-havip:i-a'),
        clientToken('web', 8, 'attach-havip:i-a'),
        clientToken('web', 7, 'attach-havip:i-b'),
      ]).size,
    ).toBe(4);
  });
});
