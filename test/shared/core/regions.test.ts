import { describe, expect, it } from 'vitest';
import { HAVIP_REGIONS, isKnownHaVipRegion } from '../../../shared/core/regions.js';

describe('regions', () => {
  it('lists the 27 documented HaVip regions', () => {
    expect(HAVIP_REGIONS).toHaveLength(27);
    expect(new Set(HAVIP_REGIONS).size).toBe(27);
    expect(isKnownHaVipRegion('cn-wuhan-lr')).toBe(true);
    expect(isKnownHaVipRegion('cn-nanjing')).toBe(false);
  });
});
