import { describe, expect, it } from 'vitest';
import { resolveQuotas } from '../../../shared/core/quotas.js';

describe('quotas', () => {
  it.each([
    ['current', { membersPerHaVip: 10, haVipsPerInstance: 5, eipsPerHaVip: 1, haVipsPerRegion: 50 }],
    ['legacy', { membersPerHaVip: 2, haVipsPerInstance: 5, eipsPerHaVip: 1, haVipsPerRegion: 5 }],
  ] as const)('profile %s', (profile, expected) => {
    expect(resolveQuotas(profile)).toEqual(expected);
  });

  it('overrides replace only the named quotas', () => {
    expect(resolveQuotas('legacy', { haVipsPerRegion: 20 })).toEqual({
      membersPerHaVip: 2,
      haVipsPerInstance: 5,
      eipsPerHaVip: 1,
      haVipsPerRegion: 20,
    });
  });
});
