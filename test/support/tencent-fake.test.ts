/**
 * The in-memory Tencent fake the campaign runs on: the rules it models that the engine depends on.
 */
import { describe, expect, it } from 'vitest';
import { TencentFake } from './tencent-fake.js';

describe('TencentFake: EIP tasks', () => {
  it('a task whose id was lost still ends while clients retry: refused mutations pass its time', async () => {
    const fake = new TencentFake({ eipTaskPolls: 3 });
    fake.addHaVip({ haVipId: 'havip-1', vip: '10.0.0.9' });
    const req = { regionId: fake.regionId, haVipId: 'havip-1', addressIp: '203.0.113.7' };
    await fake.associateHaVipEip(req); // the caller never learns the task id
    const refusals: string[] = [];
    for (let i = 0; i < 10 && fake.haVips.get('havip-1')?.addressIp === undefined; i++)
      await fake
        .associateHaVipEip(req)
        .catch((e: unknown) => refusals.push(String((e as { providerCode?: string }).providerCode)));
    expect(fake.haVips.get('havip-1')?.addressIp).toBe('203.0.113.7');
    // Refused while the task ran (twice with three polls' worth of time), then the task had ended.
    expect(refusals.slice(0, 2)).toEqual(
      ['MutexOperationTaskRunning', 'MutexOperationTaskRunning'].map((c) => expect.stringContaining(c)),
    );
    expect(fake.effects).toEqual(['HaVipAssociateAddressIp havip-1 203.0.113.7']);
  });
});
