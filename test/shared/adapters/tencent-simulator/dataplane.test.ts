/**
 * The ARP data plane of the Tencent simulator and the documented-but-uncertain variants it can model
 * (the facts file's open questions), read through our adapter over the in-process transport: who holds
 * a HAVIP after which announcement, with the scope check on or off, after the holder stops, with an ENI
 * scope, when the holder leaves the scope (evicted or not), on the international site, and with both
 * spellings of an unbound `State`.
 */
import { describe, expect, it } from 'vitest';
import { createTencentCloudApi } from '../../../../shared/adapters/tencent/index.js';
import {
  inProcessTransport,
  ManualClock,
  TencentSimulatedCloud,
  type TencentSimulatedCloudOptions,
} from '../../../../shared/adapters/tencent-simulator/index.js';
import { cloudFailure } from '../../../support/tencent-contract.js';
import { REGION, TENCENT_TEST_CREDENTIALS, tencentTestSeed } from '../../../support/tencent-simulator.js';

const r = REGION;

function world(options: TencentSimulatedCloudOptions = {}) {
  const cloud = new TencentSimulatedCloud(tencentTestSeed(), { tatDelayMs: 0, ...options });
  const api = createTencentCloudApi({
    credentials: TENCENT_TEST_CREDENTIALS,
    transport: inProcessTransport(cloud),
  });
  const holder = async (id: string) => (await api.describeHaVips({ regionId: r, haVipIds: [id] }))[0];
  return { cloud, api, holder };
}

describe('the ARP data plane', () => {
  it('ignores an announcer outside a checked scope, and takes it once the check is off', async () => {
    const { cloud, holder } = world();
    expect(cloud.announce('ins-web2', '10.0.1.100')).toMatchObject({ accepted: false });
    expect((await holder('havip-web'))?.instanceId).toBe('ins-web1');
    cloud.setCheckAssociate('havip-web', false);
    expect(cloud.announce('ins-web2', '10.0.1.100')).toMatchObject({
      accepted: true,
      instanceId: 'ins-web2',
    });
    expect(await holder('havip-web')).toMatchObject({ instanceId: 'ins-web2', checkAssociate: false });
  });

  it('ignores stopped announcers and addresses that are no HAVIP of the subnet', () => {
    const { cloud } = world();
    cloud.setCheckAssociate('havip-free', false);
    expect(cloud.announce('ins-db1', '10.0.1.101').reason).toMatch(/STOPPED/);
    expect(cloud.announce('ins-web3', '10.0.1.101').accepted).toBe(false);
    expect(cloud.announce('ins-web2', '10.0.1.250').accepted).toBe(false);
    expect(cloud.haVip('havip-free')?.holder).toBeUndefined();
  });

  it('keeps naming a stopped holder, which no longer serves, until another member announces', async () => {
    const { cloud, api, holder } = world();
    cloud.stopInstance('ins-web1');
    await cloud.settle();
    expect(cloud.servingInstance('havip-web')).toBeUndefined();
    expect((await holder('havip-web'))?.instanceId).toBe('ins-web1');
    await api.associateHaVipInstances({
      regionId: r,
      associations: [{ haVipId: 'havip-web', instanceId: 'ins-web2', instanceType: 'CVM' }],
    });
    cloud.announce('ins-web2', '10.0.1.100');
    expect(cloud.servingInstance('havip-web')).toBe('ins-web2');
  });

  it('takes the switch only after the arp delay (Tencent: up to about 10 s)', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const { cloud, holder } = world({ clock, transitionDelays: { arp: 10_000 } });
    cloud.setCheckAssociate('havip-web', false);
    expect(cloud.announce('ins-web2', '10.0.1.100').effectiveInMs).toBe(10_000);
    expect((await holder('havip-web'))?.instanceId).toBe('ins-web1');
    await clock.advance(10_000);
    expect((await holder('havip-web'))?.instanceId).toBe('ins-web2');
  });

  it('with an ENI scope: secondary attached ENIs only, one target type, and the ENI holds it', async () => {
    const cloud = new TencentSimulatedCloud(tencentTestSeed({ extraHaVips: 1 }), { tatDelayMs: 0 });
    const api = createTencentCloudApi({
      credentials: TENCENT_TEST_CREDENTIALS,
      transport: inProcessTransport(cloud),
    });
    const target = (instanceId: string, instanceType: 'CVM' | 'ENI') => ({
      regionId: r,
      associations: [{ haVipId: 'havip-bulk0000', instanceId, instanceType }],
    });
    for (const [id, why] of [
      ['eni-web3', /primary ENI/],
      ['eni-loose', /not attached/],
    ] as const)
      expect((await cloudFailure(api.associateHaVipInstances(target(id, 'ENI')))).message).toMatch(why);
    await api.associateHaVipInstances(target('eni-second3', 'ENI'));
    const mixed = await cloudFailure(api.associateHaVipInstances(target('ins-web3', 'CVM')));
    expect(mixed.providerCode).toBe('InvalidParameterValue.ParameterMismatch');
    expect(cloud.announce('eni-second3', '10.0.2.10')).toMatchObject({ accepted: true });
    const [h] = await api.describeHaVips({ regionId: r, haVipIds: ['havip-bulk0000'] });
    expect(h).toMatchObject({ instanceId: 'ins-web3', networkInterfaceId: 'eni-second3' });
    expect(h?.associations).toEqual([
      { haVipId: 'havip-bulk0000', instanceId: 'eni-second3', instanceType: 'ENI' },
    ]);
  });
});

describe('the open questions, each variant', () => {
  const scopeOf = (id: string) => [{ haVipId: 'havip-web', instanceId: id, instanceType: 'CVM' as const }];

  it('removing the holder from the scope evicts it (default reading): nobody holds it, FlushedTime moves', async () => {
    const { api, holder } = world();
    const before = await holder('havip-web');
    await api.disassociateHaVipInstances({ regionId: r, associations: scopeOf('ins-web1') });
    const after = await holder('havip-web');
    expect(after).toMatchObject({ instanceId: undefined, state: 'UNBIND', associations: [] });
    expect(after?.flushedTime).toBeDefined();
    expect(before?.instanceId).toBe('ins-web1');
  });

  it('removing the holder from the scope does not evict it (the other reading)', async () => {
    const { api, holder } = world({ evictOnScopeRemoval: false });
    await api.disassociateHaVipInstances({ regionId: r, associations: scopeOf('ins-web1') });
    expect(await holder('havip-web')).toMatchObject({ instanceId: 'ins-web1', associations: [] });
  });

  it('the international site: no scope fields (unknown, not empty) and no drift-scope actions', async () => {
    const { api, holder } = world({ site: 'international' });
    const h = await holder('havip-web');
    expect(h?.associations).toBeUndefined();
    expect(h?.flushedTime).toBeUndefined();
    expect(h?.instanceId).toBe('ins-web1');
    const e = await cloudFailure(
      api.associateHaVipInstances({ regionId: r, associations: scopeOf('ins-web2') }),
    );
    expect(e).toMatchObject({ providerCode: 'InvalidAction', retryable: false });
  });

  it.each(['UNBIND', 'UNBOUND'] as const)('an unbound State spelled %s reads as UNBIND', async (spelling) => {
    const { holder } = world({ unboundState: spelling });
    expect(await holder('havip-free')).toMatchObject({ state: 'UNBIND', rawState: spelling });
  });
});
