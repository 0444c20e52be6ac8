/**
 * The HaVip/EIP/ECS rules, each driven through the official SDK: the error code and HTTP status the
 * SDK surfaces, and that a refused call changed nothing. Then the effects of the accepted calls
 * (masters that follow announcements, automatic unbinding on release) and ClientToken idempotency.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type SimSeed } from '../../../../shared/adapters/simulator/index.js';
import {
  $Ecs,
  $Vpc,
  expectAliError,
  type Harness,
  startHarness,
  testSeed,
} from '../../../support/simulator.js';

const REGION = 'cn-hangzhou';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(seed: SimSeed = testSeed()): Promise<Harness> {
  h = await startHarness({ seed, clock: new ManualClock() });
  return h;
}

type Vpc = Harness['vpc'];
type Ecs = Harness['ecs'];
const assoc = (
  vpc: Vpc,
  haVipId: string,
  instanceId: string,
  extra: Partial<$Vpc.AssociateHaVipRequest> = {},
) => vpc.associateHaVip(new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId, instanceId, ...extra }));
const unassoc = (
  vpc: Vpc,
  haVipId: string,
  instanceId: string,
  extra: Partial<$Vpc.UnassociateHaVipRequest> = {},
) =>
  vpc.unassociateHaVip(new $Vpc.UnassociateHaVipRequest({ regionId: REGION, haVipId, instanceId, ...extra }));
const assocEip = (vpc: Vpc, allocationId: string, instanceId: string, instanceType = 'EcsInstance') =>
  vpc.associateEipAddress(
    new $Vpc.AssociateEipAddressRequest({ regionId: REGION, allocationId, instanceId, instanceType }),
  );
const unassocEip = (vpc: Vpc, allocationId: string, instanceId: string, instanceType = 'EcsInstance') =>
  vpc.unassociateEipAddress(
    new $Vpc.UnassociateEipAddressRequest({ regionId: REGION, allocationId, instanceId, instanceType }),
  );

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

interface RuleCase {
  readonly name: string;
  readonly code: string;
  readonly status: number;
  readonly seed?: () => SimSeed;
  /** State changes that must happen before the refused call (through the SDK or the operator API). */
  readonly setup?: (h: Harness) => Promise<unknown>;
  readonly call: (vpc: Vpc, ecs: Ecs) => Promise<unknown>;
}

const CASES: readonly RuleCase[] = [
  // -- AssociateHaVip
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
    name: 'ClientToken longer than 64 characters',
    code: 'InvalidParameter',
    status: 400,
    call: (v) => assoc(v, 'havip-2', 'i-a2', { clientToken: 'x'.repeat(65) }),
  },
  // -- UnassociateHaVip
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
  // -- EIPs
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
  // -- ECS
  {
    name: 'stop a Stopped instance',
    code: 'IncorrectInstanceStatus',
    status: 403,
    call: (_v, e) => e.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a3' })),
  },
  {
    name: 'start a Running instance',
    code: 'IncorrectInstanceStatus',
    status: 403,
    call: (_v, e) => e.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-a1' })),
  },
  {
    name: 'stop an unknown instance',
    code: 'InvalidInstanceId.NotFound',
    status: 404,
    call: (_v, e) => e.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-nope' })),
  },
  // -- describes
  {
    name: 'InstanceIds that is not a JSON array',
    code: 'InvalidInstanceIds.Malformed',
    status: 400,
    call: (_v, e) =>
      e.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: 'i-a1,i-a2' })),
  },
  {
    name: 'more than 100 InstanceIds',
    code: 'InvalidInstanceIds.Malformed',
    status: 400,
    call: (_v, e) =>
      e.describeInstances(
        new $Ecs.DescribeInstancesRequest({
          regionId: REGION,
          instanceIds: JSON.stringify(Array.from({ length: 101 }, (_, i) => `i-${i}`)),
        }),
      ),
  },
  {
    name: 'DescribeInstances PageSize over 100',
    code: 'InvalidParameter',
    status: 400,
    call: (_v, e) =>
      e.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, pageSize: 101 })),
  },
  {
    name: 'more than 100 InstanceId.N',
    code: 'InvalidParameter',
    status: 400,
    call: (_v, e) =>
      e.describeInstanceStatus(
        new $Ecs.DescribeInstanceStatusRequest({
          regionId: REGION,
          instanceId: Array.from({ length: 101 }, (_, i) => `i-${i}`),
        }),
      ),
  },
  {
    name: 'DescribeInstanceStatus PageSize over 50',
    code: 'InvalidParameter',
    status: 400,
    call: (_v, e) =>
      e.describeInstanceStatus(new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, pageSize: 51 })),
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

describe('rules: refused calls answer the real error code and change nothing', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const x = await harness(c.seed?.() ?? testSeed());
    await c.setup?.(x);
    const before = x.cloud.snapshot();
    const pending = x.cloud.pendingTransitions();
    const err = await expectAliError(c.call(x.vpc, x.ecs), c.code, c.status);
    expect(err.data).toMatchObject({ Code: c.code, RequestId: err.requestId });
    expect(String(err.data.Message).length).toBeGreaterThan(10);
    expect(x.cloud.snapshot()).toEqual(before);
    expect(x.cloud.pendingTransitions()).toBe(pending);
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

  it('releasing an instance unbinds it from HaVips and EIPs and detaches its ENIs (their bindings stay)', async () => {
    const x = await harness();
    x.cloud.deleteInstance('i-a2');
    expect(x.cloud.instance('i-a2')).toBeUndefined();
    expect(x.cloud.eip('eip-3')).toMatchObject({ status: 'Available', instanceId: undefined });
    x.cloud.deleteInstance('i-a1');
    expect(x.cloud.haVip('havip-1')).toMatchObject({
      status: 'Available',
      associatedInstances: [],
      masterInstanceId: undefined,
    });
    x.cloud.deleteInstance('i-e1');
    expect(x.cloud.eni('eni-1')).toMatchObject({ status: 'Available', instanceId: undefined });
    expect(x.cloud.haVip('havip-eni')).toMatchObject({
      associatedInstances: ['eni-1'],
      masterInstanceId: undefined,
    });
    const r = await x.ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: ['i-a1', 'i-a2'] }),
    );
    expect(r.body?.totalCount).toBe(0);
  });

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

describe('ClientToken idempotency', () => {
  it('the same token and parameters return the original result with no second effect', async () => {
    const x = await harness();
    const first = await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'group-web:7:attach:i-a2' });
    // Executed again, this would be refused: the HaVip is Associating.
    const again = await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'group-web:7:attach:i-a2' });
    expect(again.body?.requestId).toBe(first.body?.requestId);
    expect(x.cloud.pendingTransitions()).toBe(1);
    await x.cloud.settle();
    // Still the original result after completion (executed again it would be InvalidAssociation.Duplicated).
    const late = await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'group-web:7:attach:i-a2' });
    expect(late.body?.requestId).toBe(first.body?.requestId);
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a2']);
    expect(x.cloud.stats().calls.AssociateHaVip).toBe(3);
  });

  it('the same token with different parameters is IdempotentParameterMismatch', async () => {
    const x = await harness();
    await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'tok-1' });
    await x.cloud.settle();
    await expectAliError(
      assoc(x.vpc, 'havip-2', 'i-e1', { clientToken: 'tok-1' }),
      'IdempotentParameterMismatch',
      400,
    );
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a2']);
  });

  it('tokens are scoped by action, and a failed call does not consume its token', async () => {
    const x = await harness();
    await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'tok-2' });
    await x.cloud.settle();
    // Same token on another action is a different request.
    await unassoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'tok-2', force: 'True' });
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual([]);

    x.cloud.faults.failNext({ action: 'AssociateHaVip' });
    await expectAliError(
      assoc(x.vpc, 'havip-1', 'i-a2', { clientToken: 'tok-3' }),
      'ServiceUnavailable',
      503,
    );
    await assoc(x.vpc, 'havip-1', 'i-a2', { clientToken: 'tok-3' });
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')?.associatedInstances).toEqual(['i-a1', 'i-a2']);
  });
});
