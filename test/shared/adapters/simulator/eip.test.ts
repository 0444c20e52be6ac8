/**
 * VPC EIPs (`eip.ts`), through the official SDK against the simulator server: DescribeEipAddresses by
 * ids, status and associated instance; AssociateEipAddress / UnassociateEipAddress refusals with the
 * real error codes, an accepted move, and the transitions on the clock.
 */
import { describe, expect, it } from 'vitest';
import {
  $Vpc,
  assoc,
  assocEip,
  type Harness,
  harnessPerTest,
  REGION,
  type RuleCase,
  refusedCalls,
  unassocEip,
} from '../../../support/simulator.js';

const { harness, delayed } = harnessPerTest();

const CASES: readonly RuleCase[] = [
  {
    name: 'unknown EIP',
    code: 'InvalidAllocationId.NotFound',
    status: 404,
    call: (v) => assocEip(v, 'eip-nope', 'i-a1'),
  },
  {
    name: 'EIP in use by another instance',
    code: 'IncorrectEipStatus',
    status: 400,
    call: (v) => assocEip(v, 'eip-3', 'i-a1'),
  },
  {
    name: 'EIP already on that instance',
    code: 'InvalidAssociation.Duplicated',
    status: 400,
    call: (v) => assocEip(v, 'eip-3', 'i-a2'),
  },
  {
    name: 'second EIP on a HaVip',
    code: 'InvalidAssociation.Duplicated',
    status: 400,
    call: (v) => assocEip(v, 'eip-2', 'havip-1', 'HaVip'),
  },
  {
    name: 'instance that already has an EIP',
    code: 'InvalidAssociation.Duplicated',
    status: 400,
    call: (v) => assocEip(v, 'eip-2', 'i-a2'),
  },
  {
    name: 'unbind an EIP while Associating',
    code: 'IncorrectEipStatus',
    status: 400,
    setup: (x) => assocEip(x.vpc, 'eip-2', 'i-a1'),
    call: (v) => unassocEip(v, 'eip-2', 'i-a1'),
  },
  {
    name: 'bind an EIP while it is Unassociating',
    code: 'IncorrectEipStatus',
    status: 400,
    setup: (x) => unassocEip(x.vpc, 'eip-3', 'i-a2'),
    call: (v) => assocEip(v, 'eip-3', 'i-a1'),
  },
  {
    name: 'unbind from the wrong instance',
    code: 'InvalidBindingStatus',
    status: 400,
    call: (v) => unassocEip(v, 'eip-3', 'i-a1'),
  },
  {
    name: 'unbind a free EIP',
    code: 'InvalidBindingStatus',
    status: 400,
    call: (v) => unassocEip(v, 'eip-2', 'i-a1'),
  },
  {
    name: 'EIP onto a HaVip with a change in flight',
    code: 'IncorrectHaVipStatus',
    status: 400,
    setup: (x) => assoc(x.vpc, 'havip-2', 'i-a2'),
    call: (v) => assocEip(v, 'eip-2', 'havip-2', 'HaVip'),
  },
  {
    name: 'EIP onto an unknown HaVip',
    code: 'InvalidHaVipId.NotFound',
    status: 404,
    call: (v) => assocEip(v, 'eip-2', 'havip-nope', 'HaVip'),
  },
  {
    name: 'EIP InstanceType not supported',
    code: 'InvalidInstanceType.ValueNotSupported',
    status: 400,
    call: (v) => assocEip(v, 'eip-2', 'i-a1', 'Nat'),
  },
  {
    name: 'DescribeEipAddresses PageSize over 100',
    code: 'InvalidParameter',
    status: 400,
    call: (v) =>
      v.describeEipAddresses(new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, pageSize: 101 })),
  },
  {
    name: 'DescribeEipAddresses without RegionId',
    code: 'MissingRegionId',
    status: 400,
    call: (v) => v.describeEipAddresses(new $Vpc.DescribeEipAddressesRequest({})),
  },
];

refusedCalls(CASES, harness);

describe('VPC EIP operations through the official SDK', () => {
  it('DescribeEipAddresses by comma-separated ids, status and associated instance', async () => {
    const h = await harness();
    const r = await h.vpc.describeEipAddresses(
      new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: 'eip-1,eip-3' }),
    );
    expect(r.body?.totalCount).toBe(2);
    expect(
      r.body?.eipAddresses?.eipAddress?.map((e) => [
        e.allocationId,
        e.ipAddress,
        e.status,
        e.instanceId,
        e.instanceType,
      ]),
    ).toEqual([
      ['eip-1', '203.0.113.1', 'InUse', 'havip-1', 'HaVip'],
      ['eip-3', '203.0.113.3', 'InUse', 'i-a2', 'EcsInstance'],
    ]);
    const free = await h.vpc.describeEipAddresses(
      new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, status: 'Available' }),
    );
    expect(free.body?.eipAddresses?.eipAddress?.map((e) => e.allocationId)).toEqual(['eip-2']);
    const byTarget = await h.vpc.describeEipAddresses(
      new $Vpc.DescribeEipAddressesRequest({
        regionId: REGION,
        associatedInstanceId: 'havip-1',
        associatedInstanceType: 'HaVip',
      }),
    );
    expect(byTarget.body?.eipAddresses?.eipAddress?.map((e) => e.allocationId)).toEqual(['eip-1']);
  });
});

describe('rules: accepted calls', () => {
  it('an EIP moves from one instance to another (direct mode)', async () => {
    const x = await harness();
    await unassocEip(x.vpc, 'eip-3', 'i-a2');
    await x.cloud.settle();
    await assocEip(x.vpc, 'eip-3', 'i-a1');
    await x.cloud.settle();
    expect(x.cloud.eip('eip-3')).toMatchObject({
      status: 'InUse',
      instanceId: 'i-a1',
      instanceType: 'EcsInstance',
    });
  });
});

async function eipStatus(x: Harness, id: string): Promise<[string | undefined, string | undefined]> {
  const r = await x.vpc.describeEipAddresses(
    new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: id }),
  );
  const e = r.body?.eipAddresses?.eipAddress?.[0];
  return [e?.status, e?.instanceId];
}

describe('asynchronous transitions follow the clock', () => {
  it('EIPs: Associating → InUse and Unassociating → Available', async () => {
    const { x, clock } = await delayed(300);
    await x.vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
      }),
    );
    expect(await eipStatus(x, 'eip-2')).toEqual(['Associating', 'i-a1']);
    await clock.advance(300);
    expect(await eipStatus(x, 'eip-2')).toEqual(['InUse', 'i-a1']);
    await x.vpc.unassociateEipAddress(
      new $Vpc.UnassociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
      }),
    );
    expect(await eipStatus(x, 'eip-2')).toEqual(['Unassociating', 'i-a1']);
    await clock.advance(300);
    expect(await eipStatus(x, 'eip-2')).toEqual(['Available', '']);
  });
});
