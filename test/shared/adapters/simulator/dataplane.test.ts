/**
 * The simulated data plane (`dataplane.ts`): `MasterInstanceId` follows ARP announcements, not
 * bindings. A bound, Running instance that announces a HaVip's address becomes master; everything
 * else is ignored; the master is cleared when it is unbound, stops or is released, and nobody is
 * promoted automatically — except by simulated keepalived on hosts that run it. Time is a manual clock.
 */
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  type SimSeed,
  SimulatedCloud,
  type SimulatedCloudOptions,
} from '../../../../shared/adapters/simulator/index.js';
import {
  $Vpc,
  bind,
  type Harness,
  harnessPerTest,
  REGION,
  testSeed,
  unbind,
} from '../../../support/simulator.js';

const { harness } = harnessPerTest();

/** MasterInstanceId as the official SDK parses it from DescribeHaVips. */
async function wireMaster(x: Harness, haVipId: string): Promise<string | undefined> {
  const r = await x.vpc.describeHaVips(
    new $Vpc.DescribeHaVipsRequest({
      regionId: REGION,
      filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: [haVipId] })],
    }),
  );
  return r.body?.haVips?.haVip?.[0]?.masterInstanceId;
}

describe('announcements decide the master', () => {
  it('a bound, Running instance that announces becomes master; the SDK reads it from DescribeHaVips', async () => {
    const x = await harness();
    await bind(x, 'havip-2', 'i-a2');
    await x.cloud.settle();
    expect(await wireMaster(x, 'havip-2')).toBe('');
    expect(x.cloud.announce('i-a2', '10.0.1.101')).toEqual({
      accepted: true,
      haVipId: 'havip-2',
      masterInstanceId: 'i-a2',
    });
    expect(await wireMaster(x, 'havip-2')).toBe('i-a2');
    expect(x.cloud.servingInstance('havip-2')).toBe('i-a2');
    // Announcing again (as keepalived's garp_master_refresh does) is harmless.
    expect(x.cloud.announce('i-a2', '10.0.1.101').accepted).toBe(true);
    expect(x.cloud.stats().announcements).toEqual({ accepted: 2, ignored: 0 });
  });

  it('a bound member announcing takes the HaVip over from the current master (split brain resolved by ARP)', async () => {
    const x = await harness();
    await bind(x, 'havip-1', 'i-a2');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBe('i-a1');
    x.cloud.announce('i-a2', '10.0.1.100');
    expect(await wireMaster(x, 'havip-1')).toBe('i-a2');
  });

  const ignored: Array<{
    name: string;
    setup?: (x: Harness) => Promise<unknown>;
    from: string;
    address: string;
    reason: RegExp;
  }> = [
    {
      name: 'an unbound instance',
      from: 'i-a2',
      address: '10.0.1.100',
      reason: /i-a2 is not bound to HaVip havip-1/,
    },
    {
      name: 'a bound instance that is Stopped',
      setup: async (x) => {
        await bind(x, 'havip-1', 'i-a3');
        await x.cloud.settle();
      },
      from: 'i-a3',
      address: '10.0.1.100',
      reason: /i-a3 is Stopped/,
    },
    {
      name: 'a bound instance that is Stopping',
      setup: async (x) => {
        await bind(x, 'havip-1', 'i-a2');
        await x.cloud.settle();
        x.cloud.stopInstance('i-a2');
      },
      from: 'i-a2',
      address: '10.0.1.100',
      reason: /i-a2 is Stopping/,
    },
    {
      name: 'an instance whose binding is still Associating',
      setup: (x) => bind(x, 'havip-1', 'i-a2'),
      from: 'i-a2',
      address: '10.0.1.100',
      reason: /not bound/,
    },
    {
      name: 'an address that is no HaVip',
      from: 'i-a1',
      address: '10.0.1.250',
      reason: /10\.0\.1\.250 is not the address of a HaVip/,
    },
    {
      name: 'a HaVip address of another vSwitch (ARP does not cross vSwitches)',
      from: 'i-b1',
      address: '10.0.1.100',
      reason: /not the address of a HaVip in the vSwitch of i-b1/,
    },
    { name: 'an unknown instance', from: 'i-nope', address: '10.0.1.100', reason: /i-nope does not exist/ },
    { name: 'a detached ENI', from: 'eni-free', address: '10.0.1.102', reason: /not attached/ },
    {
      name: 'something that is not an address',
      from: 'i-a1',
      address: '10.0.1',
      reason: /not an IPv4 address/,
    },
  ];
  it.each(ignored)('is ignored from $name, and changes nothing', async (c) => {
    const x = await harness();
    await c.setup?.(x);
    const before = x.cloud.snapshot();
    const r = x.cloud.announce(c.from, c.address);
    expect(r.accepted).toBe(false);
    expect(r.reason).toMatch(c.reason);
    expect(x.cloud.snapshot()).toEqual(before);
    expect(x.cloud.stats().announcements).toEqual({ accepted: 0, ignored: 1 });
  });

  it('binding alone never names a master, not even on an unannounced HaVip', async () => {
    const clock = new ManualClock();
    const x = await harness(testSeed(), clock);
    await bind(x, 'havip-2', 'i-a2');
    await bind(x, 'havip-eni', 'eni-2', 'NetworkInterface');
    await clock.advance(600_000);
    expect(x.cloud.haVip('havip-2')).toMatchObject({
      associatedInstances: ['i-a2'],
      masterInstanceId: undefined,
    });
    expect(x.cloud.haVip('havip-eni')?.masterInstanceId).toBe('eni-1');
    expect(x.cloud.servingInstance('havip-2')).toBeUndefined();
  });
});

describe('the master is cleared, and nobody is promoted', () => {
  const clears: Array<{ name: string; act: (x: Harness) => unknown }> = [
    { name: 'unbound (Force=True)', act: (x) => unbind(x, 'havip-1', 'i-a1', true) },
    { name: 'stopped (cleared at Stopping)', act: (x) => x.cloud.stopInstance('i-a1') },
    { name: 'released', act: (x) => x.cloud.deleteInstance('i-a1') },
  ];
  it.each(clears)('when the master is $name, even with another bound Running member', async (c) => {
    const clock = new ManualClock();
    const x = await harness(testSeed(), clock);
    await bind(x, 'havip-1', 'i-a2');
    await x.cloud.settle();
    await c.act(x);
    await clock.advance(0);
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBeUndefined();
    expect(await wireMaster(x, 'havip-1')).toBe('');
    expect(x.cloud.servingInstance('havip-1')).toBeUndefined();
    // Time alone changes nothing: only an announcement names a new master.
    await clock.advance(600_000);
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBeUndefined();
    x.cloud.announce('i-a2', '10.0.1.100');
    expect(x.cloud.servingInstance('havip-1')).toBe('i-a2');
  });

  it('unbinding a member that is not master leaves the master', async () => {
    const x = await harness();
    await bind(x, 'havip-1', 'i-a2');
    await x.cloud.settle();
    await unbind(x, 'havip-1', 'i-a2');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')).toMatchObject({
      associatedInstances: ['i-a1'],
      masterInstanceId: 'i-a1',
    });
  });

  it('a master that starts again does not get the HaVip back by itself', async () => {
    const x = await harness();
    x.cloud.stopInstance('i-a1');
    await x.cloud.settle();
    x.cloud.startInstance('i-a1');
    await x.cloud.settle();
    expect(x.cloud.instance('i-a1')?.status).toBe('Running');
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBeUndefined();
  });

  it('stale describes show the old master until the staleness window has passed', async () => {
    const clock = new ManualClock();
    const x = await harness(testSeed(), clock);
    await clock.advance(60_000);
    x.cloud.stopInstance('i-a1');
    x.cloud.faults.setStaleness(5_000, { actions: ['DescribeHaVips'] });
    expect(await wireMaster(x, 'havip-1')).toBe('i-a1');
    await clock.advance(5_001);
    expect(await wireMaster(x, 'havip-1')).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// keepalived

/** Three keepalived hosts bound to one HaVip (coexistence); k1 (priority 100) has announced. */
function keepalivedSeed(): SimSeed {
  return {
    regions: [
      {
        regionId: REGION,
        vpcs: [{ vpcId: 'vpc-k', vSwitches: [{ vSwitchId: 'vsw-k' }] }],
        instances: [
          { instanceId: 'i-k1', vSwitchId: 'vsw-k', privateIp: '10.1.0.11', keepalived: { priority: 100 } },
          { instanceId: 'i-k2', vSwitchId: 'vsw-k', privateIp: '10.1.0.12', keepalived: { priority: 50 } },
          { instanceId: 'i-k3', vSwitchId: 'vsw-k', privateIp: '10.1.0.13', keepalived: { priority: 50 } },
          { instanceId: 'i-plain', vSwitchId: 'vsw-k', privateIp: '10.1.0.14' },
          {
            instanceId: 'i-multi',
            vSwitchId: 'vsw-k',
            privateIp: '10.1.0.15',
            keepalived: { priority: 10, priorities: { 'havip-k2': 200 } },
          },
        ],
        haVips: [
          {
            haVipId: 'havip-k',
            vSwitchId: 'vsw-k',
            ipAddress: '10.1.0.100',
            associatedInstances: ['i-k1', 'i-k2', 'i-k3', 'i-plain'],
            masterInstanceId: 'i-k1',
          },
          { haVipId: 'havip-k2', vSwitchId: 'vsw-k', ipAddress: '10.1.0.101' },
        ],
      },
    ],
  };
}

function keepalivedCloud(opts: SimulatedCloudOptions = {}) {
  const clock = new ManualClock();
  const cloud = new SimulatedCloud(keepalivedSeed(), { clock, ...opts });
  return { clock, cloud };
}

describe('simulated keepalived', () => {
  it('takes over after the master-down interval: highest priority, tie on the higher IP', async () => {
    const { clock, cloud } = keepalivedCloud();
    cloud.stopInstance('i-k1');
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBeUndefined();
    await clock.advance(3_599);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBeUndefined();
    await clock.advance(1);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBe('i-k3');
    expect(cloud.stats().announcements).toEqual({ accepted: 1, ignored: 0 });
  });

  it('never preempts a live master, and waits as long as keepalivedTakeoverMs says', async () => {
    const { clock, cloud } = keepalivedCloud({ keepalivedTakeoverMs: 10_000, transitionDelayMs: 0 });
    cloud.deleteInstance('i-k3');
    cloud.stopInstance('i-k1');
    await clock.advance(9_999);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBeUndefined();
    await clock.advance(1);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBe('i-k2');
    cloud.startInstance('i-k1');
    await clock.advance(60_000);
    expect(cloud.instance('i-k1')?.status).toBe('Running');
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBe('i-k2');
  });

  it('a keepalived host bound to a HaVip nobody serves announces it; per-HaVip priorities win', async () => {
    const clock = new ManualClock();
    const x = await harness(keepalivedSeed(), clock);
    for (const id of ['i-k1', 'i-multi']) {
      await bind(x, 'havip-k2', id);
      await clock.advance(0);
    }
    expect(x.cloud.haVip('havip-k2')?.masterInstanceId).toBeUndefined();
    await clock.advance(3_600);
    // i-multi runs priority 200 for havip-k2 (10 elsewhere), above i-k1's 100.
    expect(await wireMaster(x, 'havip-k2')).toBe('i-multi');
  });

  it('hosts without keepalived never announce by themselves', async () => {
    const { clock, cloud } = keepalivedCloud();
    cloud.deleteInstance('i-k2');
    cloud.deleteInstance('i-k3');
    cloud.stopInstance('i-k1');
    await clock.advance(600_000);
    expect(cloud.haVip('havip-k')).toMatchObject({
      associatedInstances: ['i-k1', 'i-plain'],
      masterInstanceId: undefined,
    });
  });

  it('a stuck keepalived does not move; the next best takes over; releasing it lets keepalived act', async () => {
    const { clock, cloud } = keepalivedCloud();
    cloud.faults.setKeepalivedStuck('i-k3', true);
    cloud.stopInstance('i-k1');
    await clock.advance(3_600);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBe('i-k2');

    cloud.faults.setKeepalivedStuck('*', true);
    cloud.stopInstance('i-k2');
    await clock.advance(600_000);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBeUndefined();
    expect(cloud.faults.config().keepalivedStuck).toEqual(['i-k3', '*']);

    // i-k3 is still stuck on its own, and i-k2 is stopped: nobody can move yet.
    cloud.faults.setKeepalivedStuck('*', false);
    await clock.advance(600_000);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBeUndefined();
    // Released, it acts after a full master-down interval.
    cloud.faults.setKeepalivedStuck('i-k3', false);
    await clock.advance(3_599);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBeUndefined();
    await clock.advance(1);
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBe('i-k3');
  });

  it('settle() completes pending takeovers too', async () => {
    const { cloud } = keepalivedCloud();
    cloud.stopInstance('i-k1');
    await cloud.settle();
    expect(cloud.instance('i-k1')?.status).toBe('Stopped');
    expect(cloud.haVip('havip-k')?.masterInstanceId).toBe('i-k3');
    expect(cloud.pendingTransitions()).toBe(0);
  });

  it('rejects a negative takeover delay', () => {
    expect(() => keepalivedCloud({ keepalivedTakeoverMs: -1 })).toThrow(/keepalivedTakeoverMs/);
  });
});

// ---------------------------------------------------------------------------------------------
// Admin routes
