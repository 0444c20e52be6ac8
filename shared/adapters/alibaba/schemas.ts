/**
 * zod schemas for the response bodies we read. Keys are the wire keys, exactly as the official SDK
 * response models name them (a contract test walks these schemas against the SDK's `names()`).
 *
 * Tolerance rules, because the service and its proxies are not perfectly regular:
 * - a list that arrives as a single object, `null`, `""` or is missing is read as a list;
 * - empty strings in optional id fields (`MasterInstanceId: ""`, an unbound EIP's `InstanceId: ""`)
 *   mean "none";
 * - numbers may arrive as numeric strings;
 * - unknown keys are ignored.
 * Fields we decide on (ids, status, addresses) are required: a body without them is an error, not a
 * silently empty state.
 */
import { z } from 'zod';

/** Accept a list, a single item, or nothing. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(item),
  );
}

const optionalId = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));

const count = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : Number(v)));

const requiredString = z.string();
const requiredId = z.string().min(1);

/** VPC DescribeHaVips. Note the lowercase inner list keys, which is how the service spells them. */
export const DescribeHaVipsBody = z.object({
  RequestId: optionalId,
  TotalCount: count,
  PageNumber: count,
  PageSize: count,
  HaVips: z
    .object({
      HaVip: listOf(
        z.object({
          HaVipId: requiredId,
          RegionId: optionalId,
          IpAddress: requiredString,
          Status: requiredString,
          VpcId: requiredString,
          VSwitchId: requiredString,
          MasterInstanceId: optionalId,
          AssociatedInstanceType: optionalId,
          AssociatedInstances: z.object({ associatedInstance: listOf(z.string()) }).nullish(),
          AssociatedEipAddresses: z.object({ associatedEipAddresse: listOf(z.string()) }).nullish(),
        }),
      ),
    })
    .nullish(),
});

/** ECS DescribeInstances. */
export const DescribeInstancesBody = z.object({
  RequestId: optionalId,
  TotalCount: count,
  PageNumber: count,
  PageSize: count,
  Instances: z
    .object({
      Instance: listOf(
        z.object({
          InstanceId: requiredId,
          RegionId: optionalId,
          Status: requiredString,
          VpcAttributes: z
            .object({
              VpcId: optionalId,
              VSwitchId: optionalId,
              PrivateIpAddress: z.object({ IpAddress: listOf(z.string()) }).nullish(),
            })
            .nullish(),
          OperationLocks: z.object({ LockReason: listOf(z.object({ LockReason: optionalId })) }).nullish(),
        }),
      ),
    })
    .nullish(),
});

/** ECS DescribeNetworkInterfaces (paged with NextToken). */
export const DescribeNetworkInterfacesBody = z.object({
  RequestId: optionalId,
  NextToken: optionalId,
  TotalCount: count,
  NetworkInterfaceSets: z
    .object({
      NetworkInterfaceSet: listOf(
        z.object({
          NetworkInterfaceId: requiredId,
          Status: requiredString,
          InstanceId: optionalId,
          VpcId: requiredString,
          VSwitchId: requiredString,
          PrivateIpAddress: requiredString,
        }),
      ),
    })
    .nullish(),
});

/** VPC DescribeEipAddresses. */
export const DescribeEipAddressesBody = z.object({
  RequestId: optionalId,
  TotalCount: count,
  PageNumber: count,
  PageSize: count,
  EipAddresses: z
    .object({
      EipAddress: listOf(
        z.object({
          AllocationId: requiredId,
          RegionId: optionalId,
          IpAddress: requiredString,
          Status: requiredString,
          InstanceId: optionalId,
          InstanceType: optionalId,
        }),
      ),
    })
    .nullish(),
});

const signedInt = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : Number(v)));

/**
 * ECS RunCommand. `InvokeId` is what we poll with; it is optional here because a body without it is
 * not "invalid": the command may have been accepted (the adapter treats that as a lost answer).
 */
export const RunCommandBody = z.object({
  RequestId: optionalId,
  InvokeId: optionalId,
  CommandId: optionalId,
});

/** ECS DescribeInvocationResults (one entry per instance and run). */
export const DescribeInvocationResultsBody = z.object({
  RequestId: optionalId,
  Invocation: z
    .object({
      TotalCount: count,
      PageNumber: count,
      PageSize: count,
      InvocationResults: z
        .object({
          InvocationResult: listOf(
            z.object({
              InvokeId: requiredId,
              InstanceId: requiredId,
              InvocationStatus: requiredString,
              ExitCode: signedInt,
              // Base64 unless the request asked for PlainText.
              Output: z.string().nullish(),
              ErrorCode: optionalId,
              ErrorInfo: optionalId,
            }),
          ),
        })
        .nullish(),
    })
    .nullish(),
});

/** Every mutation we call answers `{ RequestId }`. */
export const MutationBody = z.object({ RequestId: optionalId });
