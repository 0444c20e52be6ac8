/**
 * seedFromTopology (`topology.ts`): a world in which a topology is valid — every vSwitch, member,
 * HaVip and EIP, nothing bound by default or each HaVip bound to its elected member — deterministic,
 * with simulated keepalived on the hosts of `announce: keepalived` groups.
 */
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  SimulatedCloud,
  seedFromTopology,
} from '../../../../shared/adapters/simulator/index.js';
import { parseTopology } from '../../../../shared/core/config.js';
import { bind, harnessPerTest } from '../../../support/simulator.js';

const { harness } = harnessPerTest();

const TOPOLOGY = `
region: cn-hangzhou
quotaProfile: legacy
groups:
  - name: web
    vSwitchId: vsw-web
    haVipId: havip-web
    eip: { allocationId: eip-web, mode: havip }
    members:
      - { id: i-web1, priority: 100, ip: 192.168.0.11 }
      - { id: i-web2, priority: 10, ip: 192.168.0.12 }
  - name: db
    vSwitchId: vsw-db
    haVipId: havip-db
    members:
      - { id: eni-db1, priority: 50, ip: 192.168.1.21 }
      - { id: eni-db2, priority: 50, ip: 192.168.1.22 }
  - name: edge
    region: cn-shanghai
    vSwitchId: vsw-edge
    eip: { allocationId: eip-edge, mode: direct }
    members:
      - { id: i-edge1, priority: 100, ip: 10.1.0.5 }
      - { id: i-edge2, priority: 200, ip: 10.1.0.6 }
`;

describe('seedFromTopology', () => {
  const topology = parseTopology(TOPOLOGY, { source: 'test.yaml' });

  it('creates every vSwitch, member, HaVip and EIP, with nothing bound by default', () => {
    const cloud = new SimulatedCloud(seedFromTopology(topology), { clock: new ManualClock() });
    const snap = cloud.snapshot();
    expect(snap.regions).toEqual(['cn-hangzhou', 'cn-shanghai']);
    expect(cloud.instance('i-web1')).toMatchObject({
      status: 'Running',
      privateIp: '192.168.0.11',
      vSwitchId: 'vsw-web',
    });
    expect(cloud.instance('i-edge2')).toMatchObject({
      regionId: 'cn-shanghai',
      vSwitchId: 'vsw-edge',
      privateIp: '10.1.0.6',
    });
    for (const id of ['eni-db1', 'eni-db2']) {
      const eni = cloud.eni(id)!;
      expect(eni).toMatchObject({ status: 'InUse', vSwitchId: 'vsw-db' });
      // The made-up host instance is Running, in the same vSwitch, with an address of its own.
      expect(cloud.instance(eni.instanceId!)).toMatchObject({ status: 'Running', vSwitchId: 'vsw-db' });
    }
    const addresses = snap.instances
      .map((i) => i.privateIp)
      .concat(
        snap.enis.map((e) => e.privateIp),
        snap.haVips.map((h) => h.ipAddress),
      );
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(snap.haVips.map((h) => [h.haVipId, h.status, h.associatedInstances])).toEqual([
      ['havip-web', 'Available', []],
      ['havip-db', 'Available', []],
    ]);
    expect(
      snap.eips.every(
        (e) => e.status === 'Available' && /^(203\.0\.113|198\.51\.100|192\.0\.2)\./.test(e.ipAddress),
      ),
    ).toBe(true);
    expect(cloud.quotas.membersPerHaVip).toBe(2);
  });

  it("attach: 'highest' binds each HaVip to its elected member (ties on the higher IP) and each EIP per its mode", () => {
    const cloud = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), {
      clock: new ManualClock(),
    });
    expect(cloud.haVip('havip-web')).toMatchObject({
      status: 'InUse',
      associatedInstances: ['i-web1'],
      masterInstanceId: 'i-web1',
      associatedEipIds: ['eip-web'],
    });
    expect(cloud.haVip('havip-db')).toMatchObject({
      associatedInstances: ['eni-db2'],
      masterInstanceId: 'eni-db2',
    });
    expect(cloud.eip('eip-edge')).toMatchObject({
      status: 'InUse',
      instanceId: 'i-edge2',
      instanceType: 'EcsInstance',
    });
  });

  it('is deterministic', () => {
    expect(seedFromTopology(topology, { attach: 'highest' })).toEqual(
      seedFromTopology(parseTopology(TOPOLOGY), { attach: 'highest' }),
    );
  });
});

const KEEPALIVED_TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-web
    haVipId: havip-web
    members:
      - { id: i-web1, priority: 100, ip: 192.168.0.11 }
      - { id: i-web2, priority: 10, ip: 192.168.0.12 }
  - name: lb
    vSwitchId: vsw-web
    haVipId: havip-lb
    announce: keepalived
    members:
      - { id: i-web1, priority: 20, ip: 192.168.0.11 }
      - { id: i-web2, priority: 90, ip: 192.168.0.12 }
      - { id: i-lb3, priority: 50, ip: 192.168.0.13 }
  - name: db
    vSwitchId: vsw-db
    haVipId: havip-db
    announce: keepalived
    members:
      - { id: eni-db1, priority: 100, ip: 192.168.1.21 }
      - { id: eni-db2, priority: 50, ip: 192.168.1.22 }
`;

describe('seedFromTopology and the data plane', () => {
  const topology = parseTopology(KEEPALIVED_TOPOLOGY, { source: 'test.yaml' });

  it("attach: 'highest' starts served: exclusive groups bind the elected member, keepalived groups bind all", () => {
    const cloud = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), {
      clock: new ManualClock(),
    });
    expect(cloud.haVip('havip-web')).toMatchObject({
      associatedInstances: ['i-web1'],
      masterInstanceId: 'i-web1',
    });
    expect(cloud.haVip('havip-lb')).toMatchObject({
      associatedInstances: ['i-web1', 'i-web2', 'i-lb3'],
      masterInstanceId: 'i-web2',
    });
    expect(cloud.haVip('havip-db')).toMatchObject({
      associatedInstances: ['eni-db1', 'eni-db2'],
      masterInstanceId: 'eni-db1',
    });
    for (const id of ['havip-web', 'havip-lb', 'havip-db']) {
      expect(cloud.servingInstance(id)).toBe(cloud.haVip(id)?.masterInstanceId);
    }
  });

  it('marks keepalived hosts with their priorities (per HaVip where they differ)', () => {
    const seed = seedFromTopology(topology, { attach: 'highest' });
    const instances = seed.regions.flatMap((r) => r.instances ?? []);
    const k = (id: string) => instances.find((i) => i.instanceId === id)?.keepalived;
    expect(k('i-web2')).toEqual({ priority: 90 });
    expect(k('i-lb3')).toEqual({ priority: 50 });
    expect(k('i-simdb1')).toEqual({ priority: 100 });
    expect(k('i-web1')).toEqual({ priority: 20 });
    const exclusiveOnly = parseTopology(KEEPALIVED_TOPOLOGY.split('  - name: lb')[0]!, { source: 'x.yaml' });
    expect(
      seedFromTopology(exclusiveOnly, { attach: 'highest' }).regions[0]!.instances!.every(
        (i) => i.keepalived === undefined,
      ),
    ).toBe(true);
  });

  it('in a seeded keepalived group, the next host takes over when the master stops (ENI members too)', async () => {
    const clock = new ManualClock();
    const cloud = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), { clock });
    cloud.stopInstance('i-web2');
    cloud.stopInstance('i-simdb1');
    await clock.advance(3_600);
    expect(cloud.haVip('havip-lb')?.masterInstanceId).toBe('i-lb3');
    expect(cloud.haVip('havip-db')?.masterInstanceId).toBe('eni-db2');
    // The exclusive group has no keepalived: its master is untouched by all this.
    expect(cloud.haVip('havip-web')?.masterInstanceId).toBe('i-web1');
  });

  it("attach: 'none' binds and announces nothing; keepalived announces once the orchestrator binds", async () => {
    const clock = new ManualClock();
    const x = await harness(seedFromTopology(topology, { attach: 'none' }), clock);
    for (const id of ['havip-web', 'havip-lb', 'havip-db']) {
      expect(x.cloud.haVip(id)).toMatchObject({ associatedInstances: [], masterInstanceId: undefined });
    }
    await clock.advance(600_000);
    expect(x.cloud.haVip('havip-lb')?.masterInstanceId).toBeUndefined();
    await bind(x, 'havip-lb', 'i-lb3');
    await clock.advance(0);
    await clock.advance(3_600);
    expect(x.cloud.haVip('havip-lb')?.masterInstanceId).toBe('i-lb3');
  });
});
