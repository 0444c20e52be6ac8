/**
 * VPC HaVips (`havip.ts`), through the official SDK against the simulator server: DescribeHaVips
 * parsed into the fields we rely on (including the lowercase `associatedInstance` /
 * `associatedEipAddresse` lists), filters and pages; AssociateHaVip / UnassociateHaVip refusals with
 * the real error codes, accepted changes, and their transitions on the clock.
 */
import { describe, expect, it } from 'vitest';
import type { SimSeed } from '../../../../shared/adapters/simulator/index.js';
import {
  $Vpc,
  assoc,
  type Harness,
  harnessPerTest,
  REGION,
  type RuleCase,
  refusedCalls,
  testSeed,
  unassoc,
} from '../../../support/simulator.js';

const { harness, delayed } = harnessPerTest();
const filter = (key: string, ...value: string[]) => new $Vpc.DescribeHaVipsRequestFilter({ key, value });

function withFiveHaVipsOn(instanceId: string): SimSeed {
  const seed = testSeed();
  const region = seed.regions[0]!;
  region.haVips = [
    ...(region.haVips ?? []),
    ...[1, 2, 3, 4, 5].map((n) => ({
      haVipId: `havip-x${n}`,
      vSwitchId: 'vsw-a',
      ipAddress: `10.0.1.${110 + n}`,
      associatedInstances: [instanceId],
    })),
  ];
  return seed;
}

const CASES: readonly RuleCase[] = [
  {
    name: 'unknown HaVip',
    code: 'InvalidHaVipId.NotFound',
    status: 404,
    call: (v) => assoc(v, 'havip-nope', 'i-a2'),
  },
  {
    name: 'HaVip of another region',
    code: 'InvalidHaVipId.NotFound',
    status: 404,
    call: (v) =>
      v.associateHaVip(
        new $Vpc.AssociateHaVipRequest({ regionId: 'cn-shanghai', haVipId: 'havip-2', instanceId: 'i-s1' }),
      ),
  },
  {
    name: 'unknown instance',
    code: 'InvalidInstanceId.NotFound',
    status: 404,
    call: (v) => assoc(v, 'havip-2', 'i-nope'),
  },
  {
    name: 'unknown ENI',
    code: 'InvalidInstanceId.NotFound',
    status: 404,
    call: (v) => assoc(v, 'havip-2', 'eni-nope', { instanceType: 'NetworkInterface' }),
  },
  {
    name: 'instance in another vSwitch',
    code: 'NotBelongToSameVSwitch',
    status: 400,
    call: (v) => assoc(v, 'havip-2', 'i-b1'),
  },
  {
    name: 'ENI onto a HaVip bound to ECS instances (no mix)',
    code: 'InvalidAssociation.InstanceTypeConflict',
    status: 400,
    call: (v) => assoc(v, 'havip-1', 'eni-2', { instanceType: 'NetworkInterface' }),
  },
  {
    name: 'ECS instance onto a HaVip bound to ENIs (no mix)',
    code: 'InvalidAssociation.InstanceTypeConflict',
    status: 400,
    call: (v) => assoc(v, 'havip-eni', 'i-a2'),
  },
  {
    name: 'detached ENI',
    code: 'InvalidStatus.EniStatusNotSupport',
    status: 400,
    call: (v) => assoc(v, 'havip-2', 'eni-free', { instanceType: 'NetworkInterface' }),
  },
  {
    name: 'already bound',
    code: 'InvalidAssociation.Duplicated',
    status: 400,
    call: (v) => assoc(v, 'havip-1', 'i-a1'),
  },
  {
    name: 'HaVip still Creating',
    code: 'IncorrectHaVipStatus',
    status: 400,
    call: (v) => assoc(v, 'havip-creating', 'i-a2'),
  },
  {
    name: 'HaVip Associating (a change in flight)',
    code: 'IncorrectHaVipStatus',
    status: 400,
    setup: (x) => assoc(x.vpc, 'havip-2', 'i-a2'),
    call: (v) => assoc(v, 'havip-2', 'i-e1'),
  },
  {
    name: 'instance Stopping',
    code: 'IncorrectInstanceStatus',
    status: 400,
    setup: async (x) => x.cloud.stopInstance('i-a2'),
    call: (v) => assoc(v, 'havip-2', 'i-a2'),
  },
  {
    name: 'third binding under the legacy quota of 2',
    code: 'QuotaExceeded.HaVipAssociatedInstance',
    status: 400,
    seed: () => testSeed({ quotas: { profile: 'legacy' } }),
    setup: async (x) => {
      await assoc(x.vpc, 'havip-1', 'i-a2');
      await x.cloud.settle();
    },
    call: (v) => assoc(v, 'havip-1', 'i-a3'),
  },
  {
    name: 'binding over a configured quota of 1',
    code: 'QuotaExceeded.HaVipAssociatedInstance',
    status: 400,
    seed: () => testSeed({ quotas: { membersPerHaVip: 1 } }),
    call: (v) => assoc(v, 'havip-1', 'i-a2'),
  },
  {
    name: 'sixth HaVip on one instance',
    code: 'CountLimitExceeded.HaVipOnECSInstance',
    status: 400,
    seed: () => withFiveHaVipsOn('i-a2'),
    call: (v) => assoc(v, 'havip-2', 'i-a2'),
  },
  {
    name: 'member busy with a change on another HaVip',
    code: 'OperationConflict',
    status: 400,
    setup: (x) => assoc(x.vpc, 'havip-2', 'i-a2'),
    call: (v) => assoc(v, 'havip-1', 'i-a2'),
  },
  {
    name: 'unsupported InstanceType',
    code: 'InvalidInstanceType.ValueNotSupported',
    status: 400,
    call: (v) => assoc(v, 'havip-2', 'i-a2', { instanceType: 'SlbInstance' }),
  },
  {
    name: 'missing HaVipId',
    code: 'MissingHaVipId',
    status: 400,
    call: (v) => v.associateHaVip(new $Vpc.AssociateHaVipRequest({ regionId: REGION, instanceId: 'i-a2' })),
  },
  {
    name: 'unknown region',
    code: 'InvalidRegionId.NotFound',
    status: 404,
    call: (v) =>
      v.associateHaVip(
        new $Vpc.AssociateHaVipRequest({ regionId: 'cn-nowhere', haVipId: 'havip-2', instanceId: 'i-a2' }),
      ),
  },
  {
    name: 'detach the master without Force',
    code: 'Forbidden.UnassociateMaster',
    status: 400,
    call: (v) => unassoc(v, 'havip-1', 'i-a1', { force: 'False' }),
  },
  {
    name: 'detach the master with Force omitted',
    code: 'Forbidden.UnassociateMaster',
    status: 400,
    call: (v) => unassoc(v, 'havip-1', 'i-a1'),
  },
  {
    name: 'detach an instance that is not bound',
    code: 'ResourceNotAssociated',
    status: 400,
    call: (v) => unassoc(v, 'havip-1', 'i-a2'),
  },
  {
    name: 'detach with the wrong InstanceType',
    code: 'ResourceNotAssociated',
    status: 400,
    call: (v) => unassoc(v, 'havip-eni', 'eni-1', { instanceType: 'EcsInstance', force: 'True' }),
  },
  {
    name: 'detach while Associating',
    code: 'IncorrectHaVipStatus',
    status: 400,
    setup: (x) => assoc(x.vpc, 'havip-1', 'i-a2'),
    call: (v) => unassoc(v, 'havip-1', 'i-a1', { force: 'True' }),
  },
  {
    name: 'Force not True/False',
    code: 'InvalidParameter',
    status: 400,
    call: (v) => unassoc(v, 'havip-1', 'i-a1', { force: 'yes' }),
  },
  {
    name: 'DescribeHaVips PageSize over 50',
    code: 'InvalidParameter',
    status: 400,
    call: (v) => v.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: REGION, pageSize: 51 })),
  },
  {
    name: 'DescribeHaVips with an unsupported filter key',
    code: 'InvalidFilterKey.ValueNotSupported',
    status: 400,
    call: (v) =>
      v.describeHaVips(
        new $Vpc.DescribeHaVipsRequest({
          regionId: REGION,
          filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'Name', value: ['x'] })],
        }),
      ),
  },
];

refusedCalls(CASES, harness);

describe('VPC HaVip operations through the official SDK', () => {
  it('DescribeHaVips parses ids, status, master and the lowercase nested lists', async () => {
    const h = await harness();
    const r = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter('HaVipId', 'havip-1')] }),
    );
    expect(r.statusCode).toBe(200);
    expect(r.body?.totalCount).toBe(1);
    expect(r.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const v = r.body?.haVips?.haVip?.[0];
    expect(v).toMatchObject({
      haVipId: 'havip-1',
      ipAddress: '10.0.1.100',
      status: 'InUse',
      vpcId: 'vpc-t1',
      vSwitchId: 'vsw-a',
      masterInstanceId: 'i-a1',
      associatedInstanceType: 'EcsInstance',
    });
    expect(v?.associatedInstances?.associatedInstance).toEqual(['i-a1']);
    expect(v?.associatedEipAddresses?.associatedEipAddresse).toEqual(['203.0.113.1']);
  });

  it('DescribeHaVips filters by every supported key and pages', async () => {
    const h = await harness();
    const cases: [string, string[], string[]][] = [
      ['VpcId', ['vpc-t1'], ['havip-1', 'havip-2', 'havip-eni', 'havip-creating']],
      ['VSwitchId', ['vsw-b'], []],
      ['Status', ['Available', 'Creating'], ['havip-2', 'havip-creating']],
      ['HaVipAddress', ['10.0.1.102'], ['havip-eni']],
      ['HaVipId', ['havip-2', 'havip-eni', 'havip-missing'], ['havip-2', 'havip-eni']],
    ];
    for (const [key, values, expected] of cases) {
      const r = await h.vpc.describeHaVips(
        new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter(key, ...values)], pageSize: 50 }),
      );
      expect(
        r.body?.haVips?.haVip?.map((x) => x.haVipId),
        key,
      ).toEqual(expected);
    }
    const page2 = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, pageSize: 3, pageNumber: 2 }),
    );
    expect(page2.body).toMatchObject({ totalCount: 4, pageNumber: 2, pageSize: 3 });
    expect(page2.body?.haVips?.haVip?.map((x) => x.haVipId)).toEqual(['havip-creating']);
    const eniBound = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter('HaVipId', 'havip-eni')] }),
    );
    expect(eniBound.body?.haVips?.haVip?.[0]).toMatchObject({
      associatedInstanceType: 'NetworkInterface',
      masterInstanceId: 'eni-1',
    });
  });

  it('Associate/UnassociateHaVip and Associate/UnassociateEipAddress round trip', async () => {
    const h = await harness();
    const a = await h.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-2',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        clientToken: 'rt-1',
      }),
    );
    expect(a.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(h.cloud.haVip('havip-2')?.status).toBe('Associating');
    await h.cloud.settle();
    // Bound, but nobody has announced the address yet: no master.
    expect(h.cloud.haVip('havip-2')).toMatchObject({
      status: 'InUse',
      associatedInstances: ['i-a2'],
      masterInstanceId: undefined,
    });
    h.cloud.announce('i-a2', '10.0.1.101');
    const described = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({
        regionId: REGION,
        filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: ['havip-2'] })],
      }),
    );
    expect(described.body?.haVips?.haVip?.[0]?.masterInstanceId).toBe('i-a2');

    await h.vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'havip-2',
        instanceType: 'HaVip',
      }),
    );
    expect(h.cloud.eip('eip-2')?.status).toBe('Associating');
    await h.cloud.settle();
    expect(h.cloud.eip('eip-2')).toMatchObject({
      status: 'InUse',
      instanceId: 'havip-2',
      instanceType: 'HaVip',
    });
    expect(h.cloud.haVip('havip-2')?.associatedEipAddresses).toEqual(['203.0.113.2']);

    await h.vpc.unassociateEipAddress(
      new $Vpc.UnassociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'havip-2',
        instanceType: 'HaVip',
      }),
    );
    expect(h.cloud.eip('eip-2')?.status).toBe('Unassociating');
    await h.cloud.settle();
    expect(h.cloud.eip('eip-2')).toMatchObject({ status: 'Available', instanceId: undefined });

    await h.vpc.unassociateHaVip(
      new $Vpc.UnassociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-2',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        force: 'True',
      }),
    );
    expect(h.cloud.haVip('havip-2')?.status).toBe('Unassociating');
    await h.cloud.settle();
    expect(h.cloud.haVip('havip-2')).toMatchObject({
      status: 'Available',
      associatedInstances: [],
      masterInstanceId: undefined,
    });
  });
});

describe('rules: accepted calls', () => {
  it('Force=True detaches the master; nobody is master until the remaining member announces', async () => {
    const x = await harness();
    await assoc(x.vpc, 'havip-1', 'i-a2');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')).toMatchObject({
      associatedInstances: ['i-a1', 'i-a2'],
      masterInstanceId: 'i-a1',
    });
    // A non-master detaches without Force, and the master stays.
    await assoc(x.vpc, 'havip-1', 'i-e1');
    await x.cloud.settle();
    await unassoc(x.vpc, 'havip-1', 'i-e1');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBe('i-a1');
    await unassoc(x.vpc, 'havip-1', 'i-a1', { force: 'True' });
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')).toMatchObject({
      status: 'InUse',
      associatedInstances: ['i-a2'],
      masterInstanceId: undefined,
    });
    expect(x.cloud.announce('i-a2', '10.0.1.100')).toMatchObject({ accepted: true });
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBe('i-a2');
  });

  it('a Stopped instance can be bound but cannot announce; a stopped master loses the HaVip for good', async () => {
    const x = await harness();
    await assoc(x.vpc, 'havip-2', 'i-a3');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-2')).toMatchObject({
      status: 'InUse',
      associatedInstances: ['i-a3'],
      masterInstanceId: undefined,
    });
    expect(x.cloud.announce('i-a3', '10.0.1.101').accepted).toBe(false);
    await assoc(x.vpc, 'havip-2', 'i-a2');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
    x.cloud.announce('i-a2', '10.0.1.101');
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBe('i-a2');
    x.cloud.stopInstance('i-a2');
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
    await x.cloud.settle();
    x.cloud.startInstance('i-a3');
    x.cloud.startInstance('i-a2');
    await x.cloud.settle();
    // Running again is not enough: nobody announced, so nobody is master.
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
    // Once stopped, the former master is an ordinary member and detaches without Force.
    await unassoc(x.vpc, 'havip-2', 'i-a2');
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a3']);
  });

  it('an ENI-bound HaVip loses its master when the host instance stops; a bound ENI takes over by announcing', async () => {
    const x = await harness();
    x.cloud.stopInstance('i-e1');
    expect(x.cloud.haVip('havip-eni')).toMatchObject({
      associatedInstances: ['eni-1'],
      masterInstanceId: undefined,
    });
    await assoc(x.vpc, 'havip-eni', 'eni-2', { instanceType: 'NetworkInterface' });
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-eni')?.masterInstanceId).toBeUndefined();
    // The host announces through its bound ENI: the ENI is master.
    expect(x.cloud.announce('i-e2', '10.0.1.102')).toEqual({
      accepted: true,
      haVipId: 'havip-eni',
      masterInstanceId: 'eni-2',
    });
    expect(x.cloud.haVip('havip-eni')).toMatchObject({
      associatedInstances: ['eni-1', 'eni-2'],
      masterInstanceId: 'eni-2',
    });
  });
});

async function haVipStatus(x: Harness, id: string): Promise<[string | undefined, string[] | undefined]> {
  const r = await x.vpc.describeHaVips(
    new $Vpc.DescribeHaVipsRequest({
      regionId: REGION,
      filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: [id] })],
    }),
  );
  const v = r.body?.haVips?.haVip?.[0];
  return [v?.status, v?.associatedInstances?.associatedInstance];
}

describe('asynchronous transitions follow the clock', () => {
  it('AssociateHaVip: Associating until the delay has passed, then InUse with the new binding', async () => {
    const { x, clock } = await delayed(1000);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-1', instanceId: 'i-a2' }),
    );
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Associating', ['i-a1']]);
    await clock.advance(999);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Associating', ['i-a1']]);
    await clock.advance(1);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['InUse', ['i-a1', 'i-a2']]);
  });

  it('UnassociateHaVip: Unassociating, then InUse while others remain bound, then Available', async () => {
    const { x, clock } = await delayed(500);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-1', instanceId: 'i-a2' }),
    );
    await clock.advance(500);
    await x.vpc.unassociateHaVip(
      new $Vpc.UnassociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-1',
        instanceId: 'i-a1',
        force: 'True',
      }),
    );
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Unassociating', ['i-a1', 'i-a2']]);
    await clock.advance(500);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['InUse', ['i-a2']]);
    await x.vpc.unassociateHaVip(
      new $Vpc.UnassociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-1',
        instanceId: 'i-a2',
        force: 'True',
      }),
    );
    await clock.advance(500);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Available', []]);
  });
});
