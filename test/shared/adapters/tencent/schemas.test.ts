/**
 * The answer schemas: every key they read is a key of the official SDK's response model (checked by
 * the typecheck), and they tolerate what Tencent marks "may return null" while refusing answers without
 * the fields we decide on.
 */
import type * as Cvm from 'tencentcloud-sdk-nodejs/tencentcloud/services/cvm/v20170312/cvm_models.js';
import type * as Tat from 'tencentcloud-sdk-nodejs/tencentcloud/services/tat/v20201028/tat_models.js';
import type * as Vpc from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_models.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  DescribeHaVipsBody,
  type DescribeInstancesBody,
  type DescribeInstancesStatusBody,
  type DescribeInvocationTasksBody,
  DescribeNetworkInterfacesBody,
  type DescribeVpcLimitsBody,
  type DescribeVpcTaskResultBody,
  type RunCommandBody,
} from '../../../../shared/adapters/tencent/schemas.js';

/** Keys our schema reads that the SDK model does not have: must be none. */
type Extra<Ours, Model> = Exclude<keyof NonNullable<Ours>, keyof Model>;
type Item<T> = T extends readonly (infer U)[] ? U : never;
type Out<S extends z.ZodType> = z.output<S>;

describe('the schemas read only keys of the SDK response models', () => {
  it('VPC', () => {
    type HaVips = Out<typeof DescribeHaVipsBody>;
    type HaVip = Item<HaVips['HaVipSet']>;
    expectTypeOf<Extra<HaVips, Vpc.DescribeHaVipsResponse>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<HaVip, Vpc.HaVip>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Item<HaVip['HaVipAssociationSet']>, Vpc.HaVipAssociation>>().toEqualTypeOf<never>();
    type Enis = Out<typeof DescribeNetworkInterfacesBody>;
    type Eni = Item<Enis['NetworkInterfaceSet']>;
    expectTypeOf<Extra<Enis, Vpc.DescribeNetworkInterfacesResponse>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Eni, Vpc.NetworkInterface>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Eni['Attachment'], Vpc.NetworkInterfaceAttachment>>().toEqualTypeOf<never>();
    expectTypeOf<
      Extra<Item<Eni['PrivateIpAddressSet']>, Vpc.PrivateIpAddressSpecification>
    >().toEqualTypeOf<never>();
    type Limits = Out<typeof DescribeVpcLimitsBody>;
    expectTypeOf<Extra<Limits, Vpc.DescribeVpcLimitsResponse>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Item<Limits['VpcLimitSet']>, Vpc.VpcLimit>>().toEqualTypeOf<never>();
    expectTypeOf<
      Extra<Out<typeof DescribeVpcTaskResultBody>, Vpc.DescribeVpcTaskResultResponse>
    >().toEqualTypeOf<never>();
  });

  it('CVM and TAT', () => {
    type Instances = Out<typeof DescribeInstancesBody>;
    type Instance = Item<Instances['InstanceSet']>;
    expectTypeOf<Extra<Instances, Cvm.DescribeInstancesResponse>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Instance, Cvm.Instance>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Instance['VirtualPrivateCloud'], Cvm.VirtualPrivateCloud>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Instance['Placement'], Cvm.Placement>>().toEqualTypeOf<never>();
    type States = Out<typeof DescribeInstancesStatusBody>;
    expectTypeOf<Extra<States, Cvm.DescribeInstancesStatusResponse>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Item<States['InstanceStatusSet']>, Cvm.InstanceStatus>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Out<typeof RunCommandBody>, Tat.RunCommandResponse>>().toEqualTypeOf<never>();
    type Tasks = Out<typeof DescribeInvocationTasksBody>;
    type Task = Item<Tasks['InvocationTaskSet']>;
    expectTypeOf<Extra<Tasks, Tat.DescribeInvocationTasksResponse>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Task, Tat.InvocationTask>>().toEqualTypeOf<never>();
    expectTypeOf<Extra<Task['TaskResult'], Tat.TaskResult>>().toEqualTypeOf<never>();
  });
});

describe('tolerance', () => {
  const haVip = {
    HaVipId: 'havip-1',
    Vip: '10.0.0.5',
    VpcId: 'vpc-1',
    SubnetId: 'subnet-1',
    State: 'AVAILABLE',
  };

  it('reads null lists as empty, "" ids as none, and keeps an absent drift scope apart from an empty one', () => {
    const absent = DescribeHaVipsBody.parse({
      HaVipSet: [{ ...haVip, InstanceId: '', HaVipAssociationSet: null }],
    });
    expect(absent.HaVipSet[0]).toMatchObject({ InstanceId: undefined, HaVipAssociationSet: null });
    const empty = DescribeHaVipsBody.parse({
      HaVipSet: [{ ...haVip, HaVipAssociationSet: [] }],
      TotalCount: '1',
    });
    expect(empty).toMatchObject({ TotalCount: 1, HaVipSet: [{ HaVipAssociationSet: [] }] });
    expect(DescribeHaVipsBody.parse({ HaVipSet: null }).HaVipSet).toEqual([]);
    expect(DescribeNetworkInterfacesBody.parse({}).NetworkInterfaceSet).toEqual([]);
  });

  it('refuses an answer without a field we decide on', () => {
    const { Vip: _vip, ...noVip } = haVip;
    expect(DescribeHaVipsBody.safeParse({ HaVipSet: [noVip] }).success).toBe(false);
    expect(DescribeHaVipsBody.safeParse({ HaVipSet: [{ ...haVip, HaVipId: '' }] }).success).toBe(false);
  });
});
