/**
 * Seeds: the shape check (zod, with paths), the referential rules (a seed cannot describe a world
 * the cloud would refuse), and seedFromTopology building a world in which a topology is valid.
 */
import { describe, expect, it } from 'vitest';
import {
  demoSeed,
  ManualClock,
  parseSimSeed,
  type SimSeed,
  SimulatedCloud,
  seedFromTopology,
} from '../../../../shared/adapters/simulator/index.js';
import { parseTopology } from '../../../../shared/core/config.js';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { testSeed } from '../../../support/simulator.js';

function issuesOf(f: () => unknown): { path: string; message: string }[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).code).toBe('simulator.seed-invalid');
    return (e as InvalidInputError).issues.map((i) => ({ path: i.path, message: i.message }));
  }
  throw new Error('expected the seed to be refused');
}

function mutate(f: (s: SimSeed) => void): SimSeed {
  const s = structuredClone(testSeed());
  f(s);
  return s;
}
const r0 = (s: SimSeed) => s.regions[0]!;

describe('seed validation', () => {
  it('reports shape problems with their paths, all at once', () => {
    const issues = issuesOf(() =>
      parseSimSeed({
        regions: [
          {
            regionId: 'Hangzhou',
            vpcs: [{ vpcId: 'vpc-1', vSwitches: [{ vSwitchId: 'sw-1' }] }],
            instances: [{ instanceId: 'i-1', vSwitchId: 'vsw-1', privateIp: '10.0.0.300' }],
          },
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'regions[0].regionId',
      'regions[0].vpcs[0].vSwitches[0].vSwitchId',
      'regions[0].instances[0].privateIp',
    ]);
  });

  it.each([
    [
      'unknown vSwitch',
      (s: SimSeed) => (r0(s).instances![0]!.vSwitchId = 'vsw-zz'),
      'regions[0].instances[0].vSwitchId',
      /not declared/,
    ],
    [
      'duplicate id',
      (s: SimSeed) => (r0(s).instances![1]!.instanceId = 'i-a1'),
      'regions[0].instances[1].instanceId',
      /duplicate/,
    ],
    [
      'binding across vSwitches',
      (s: SimSeed) => (r0(s).haVips![1]!.associatedInstances = ['i-b1']),
      'regions[0].haVips[1].associatedInstances[0]',
      /vsw-b/,
    ],
    [
      'ECS and ENI bindings mixed',
      (s: SimSeed) => (r0(s).haVips![1]!.associatedInstances = ['i-a2', 'eni-2']),
      'regions[0].haVips[1].associatedInstances',
      /never both/,
    ],
    [
      'detached ENI bound',
      (s: SimSeed) => (r0(s).haVips![1]!.associatedInstances = ['eni-free']),
      'regions[0].haVips[1].associatedInstances[0]',
      /attached/,
    ],
    [
      'master not bound',
      (s: SimSeed) => (r0(s).haVips![0]!.masterInstanceId = 'i-a2'),
      'regions[0].haVips[0].masterInstanceId',
      /not one of/,
    ],
    [
      'master that is not Running (it could not have announced)',
      (s: SimSeed) => {
        r0(s).haVips![1]!.associatedInstances = ['i-a3'];
        r0(s).haVips![1]!.masterInstanceId = 'i-a3';
      },
      'regions[0].haVips[1].masterInstanceId',
      /not live/,
    ],
    [
      'bindings over the quota',
      (s: SimSeed) => {
        s.quotas = { profile: 'legacy' };
        r0(s).haVips![1]!.associatedInstances = ['i-a1', 'i-a2', 'i-a3'];
      },
      'regions[0].haVips[1].associatedInstances',
      /quota of 2/,
    ],
    [
      'EIP on an unknown target',
      (s: SimSeed) => (r0(s).eips![1]!.instanceId = 'i-zz'),
      'regions[0].eips[1].instanceId',
      /not a declared/,
    ],
    [
      'two EIPs on one instance',
      (s: SimSeed) => (r0(s).eips![1]!.instanceId = 'i-a2'),
      'regions[0].eips[2].instanceId',
      /already has EIP/,
    ],
    ['two EIPs on one HaVip', (s: SimSeed) => (r0(s).eips![1]!.instanceId = 'havip-1'), 'regions', /2 EIPs/],
  ])('refuses %s', (_name, change, path, message) => {
    const issues = issuesOf(() => new SimulatedCloud(mutate(change)));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('without masterInstanceId nobody has announced: bound, but no master', () => {
    const cloud = new SimulatedCloud(
      mutate((s) => {
        r0(s).haVips![1]!.associatedInstances = ['i-a3', 'i-a2'];
      }),
      { clock: new ManualClock() },
    );
    expect(cloud.haVip('havip-2')).toMatchObject({
      status: 'InUse',
      associatedInstances: ['i-a3', 'i-a2'],
      masterInstanceId: undefined,
    });
    expect(cloud.servingInstance('havip-2')).toBeUndefined();
  });

  it('the built-in demo world is valid', () => {
    const cloud = new SimulatedCloud(demoSeed(), { clock: new ManualClock() });
    expect(cloud.haVip('havip-bp1demoweb')).toMatchObject({
      masterInstanceId: 'i-bp1demo0000000000001',
      associatedEipAddresses: ['203.0.113.10'],
    });
  });
});

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
