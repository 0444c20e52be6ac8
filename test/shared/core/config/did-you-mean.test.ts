import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../../../shared/core/config/did-you-mean.js';

describe('didYouMean', () => {
  it.each([
    ['havipId', ['haVipId', 'vSwitchId'], 'haVipId'],
    ['timeout', ['timeoutMs', 'port'], 'timeoutMs'],
    ['cloud_assistant', ['agent', 'cloud-assistant'], 'cloud-assistant'],
    ['prot', ['port', 'kind'], 'port'],
    ['xyz', ['port', 'kind'], undefined],
    ['members', ['name', 'region'], undefined],
  ] as const)('%s among %j → %s', (input, candidates, expected) => {
    expect(didYouMean(input, candidates)).toBe(expected);
  });
});
