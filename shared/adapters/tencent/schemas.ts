/**
 * zod schemas for the `Response` objects we read. Keys are the wire keys, exactly as the official SDK's
 * response models name them (a contract test checks every key against the models).
 *
 * Tolerance rules: Tencent marks many fields "may return null"; a list that is `null` or missing is an
 * empty list, an id that is `""` or `null` means "none", and unknown keys are ignored. Two fields keep
 * "absent" apart from "empty" because absence means the site does not report them (the international
 * models lack `HaVipAssociationSet`): the drift scope and `CheckAssociate`. Fields we decide on (ids,
 * addresses, states) are required: a body without them is an error, not a silently empty state.
 */
import { z } from 'zod';

/** A list, or nothing (`null`/missing → `[]`). */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined || v === null ? [] : v), z.array(item));
}

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));

const count = z
  .union([z.number().int().min(0), z.string().regex(/^\d+$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : Number(v)));

const requiredId = z.string().min(1);

export const RequestIdOnly = z.object({ RequestId: optionalText });

const HaVipAssociation = z.object({
  InstanceId: requiredId,
  HaVipId: optionalText,
  InstanceType: optionalText,
});

export const HaVipItem = z.object({
  HaVipId: requiredId,
  HaVipName: optionalText,
  Vip: requiredId,
  VpcId: requiredId,
  SubnetId: requiredId,
  NetworkInterfaceId: optionalText,
  InstanceId: optionalText,
  AddressIp: optionalText,
  State: z.string(),
  CreatedTime: optionalText,
  Business: optionalText,
  /** Absent (or `null`) = not reported; `[]` = an empty scope. */
  HaVipAssociationSet: z.array(HaVipAssociation).nullish(),
  CheckAssociate: z.boolean().nullish(),
  FlushedTime: optionalText,
});

export const DescribeHaVipsBody = z.object({
  RequestId: optionalText,
  TotalCount: count,
  HaVipSet: listOf(HaVipItem),
});

export const DescribeVpcTaskResultBody = z.object({
  RequestId: optionalText,
  Status: z.string().min(1),
  Output: optionalText,
});

const PrivateIp = z.object({
  PrivateIpAddress: requiredId,
  Primary: z.boolean().nullish(),
});

export const DescribeNetworkInterfacesBody = z.object({
  RequestId: optionalText,
  TotalCount: count,
  NetworkInterfaceSet: listOf(
    z.object({
      NetworkInterfaceId: requiredId,
      VpcId: requiredId,
      SubnetId: requiredId,
      Primary: z.boolean(),
      State: z.string(),
      PrivateIpAddressSet: listOf(PrivateIp),
      Attachment: z.object({ InstanceId: optionalText }).nullish(),
    }),
  ),
});

export const DescribeVpcLimitsBody = z.object({
  RequestId: optionalText,
  VpcLimitSet: listOf(z.object({ LimitType: requiredId, LimitValue: z.number() })),
});

export const DescribeInstancesStatusBody = z.object({
  RequestId: optionalText,
  TotalCount: count,
  InstanceStatusSet: listOf(z.object({ InstanceId: requiredId, InstanceState: z.string().min(1) })),
});

export const DescribeInstancesBody = z.object({
  RequestId: optionalText,
  TotalCount: count,
  InstanceSet: listOf(
    z.object({
      InstanceId: requiredId,
      InstanceType: optionalText,
      InstanceState: z.string().min(1),
      PrivateIpAddresses: listOf(z.string()),
      VirtualPrivateCloud: z.object({ VpcId: optionalText, SubnetId: optionalText }).nullish(),
      Placement: z.object({ Zone: optionalText }).nullish(),
    }),
  ),
});

export const RunCommandBody = z.object({
  RequestId: optionalText,
  InvocationId: optionalText,
  CommandId: optionalText,
});

export const DescribeInvocationTasksBody = z.object({
  RequestId: optionalText,
  TotalCount: count,
  InvocationTaskSet: listOf(
    z.object({
      InvocationId: requiredId,
      InvocationTaskId: requiredId,
      InstanceId: requiredId,
      TaskStatus: z.string().min(1),
      TaskResult: z.object({ ExitCode: z.number().int().nullish(), Output: optionalText }).nullish(),
      ErrorInfo: optionalText,
    }),
  ),
});
