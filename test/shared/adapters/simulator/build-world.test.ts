/**
 * Seeds: the shape check (zod, with paths, in `types.ts`) and the referential rules `build-world.ts`
 * enforces (a seed cannot describe a world the cloud would refuse), every problem reported at once.
 */
import { describe, expect, it } from 'vitest';
import {
  demoSeed,
  ManualClock,
  parseSimSeed,
  type SimSeed,
  SimulatedCloud,
} from '../../../../shared/adapters/simulator/index.js';
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
