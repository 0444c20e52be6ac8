/**
 * Wire requests: the action, API version and flat query parameters of every call we make, built the
 * way the official v7 SDK clients build them (`<op>WithOptions` puts every parameter in the query of an
 * RPC-style `POST /` and flattens lists as `Name.N` / `Name.N.Sub.M`). Pure functions, so the contract
 * test can check each key against the SDK request models.
 */
import type { EipInstanceType, HaVipInstanceType } from '../../core/ports.js';
import type { Service } from './endpoints.js';

export const VPC_VERSION = '2016-04-28';
export const ECS_VERSION = '2014-05-26';

/** Limits from the API references / SDK model docs. */
export const LIMITS = {
  /** DescribeHaVips `PageSize` maximum. */
  haVipPageSize: 50,
  /** DescribeHaVips `Filter.N.Value.M`: M is 1 to 5. */
  haVipFilterValues: 5,
  /** DescribeInstances `InstanceIds`: a JSON array of up to 100 ids; `PageSize` maximum 100. */
  instanceIdsPerCall: 100,
  instancePageSize: 100,
  /** DescribeNetworkInterfaces `NetworkInterfaceId.N`: N is 1 to 100; `MaxResults` 10 to 500. */
  eniIdsPerCall: 100,
  eniMaxResults: 100,
  /** DescribeEipAddresses `AllocationId`: up to 50 ids separated by commas; `PageSize` maximum 100. */
  eipIdsPerCall: 50,
  eipPageSize: 100,
  /** RunCommand `CommandContent`: at most 24 KB after Base64 encoding (RunCommand API reference). */
  commandContentBytes: 24 * 1024,
  /** RunCommand `Name`: up to 128 characters. */
  commandNameChars: 128,
} as const;

export interface WireRequest {
  readonly service: Service;
  readonly version: string;
  readonly action: string;
  readonly query: Readonly<Record<string, string>>;
  /** Whether the call changes state (a lost answer then means "maybe applied"). */
  readonly mutation: boolean;
}

const vpc = (action: string, query: Record<string, string>, mutation: boolean): WireRequest => ({
  service: 'vpc',
  version: VPC_VERSION,
  action,
  query,
  mutation,
});
const ecs = (action: string, query: Record<string, string>, mutation: boolean): WireRequest => ({
  service: 'ecs',
  version: ECS_VERSION,
  action,
  query,
  mutation,
});

/** One DescribeHaVips filter: `Filter.<n>.Key` plus `Filter.<n>.Value.<m>` for each value. */
function putFilter(q: Record<string, string>, n: number, key: string, values: readonly string[]): void {
  q[`Filter.${n}.Key`] = key;
  values.forEach((v, i) => {
    q[`Filter.${n}.Value.${i + 1}`] = v;
  });
}

export function describeHaVips(args: {
  regionId: string;
  haVipIds?: readonly string[];
  vpcId?: string;
  pageNumber: number;
}): WireRequest {
  const q: Record<string, string> = {
    RegionId: args.regionId,
    PageNumber: String(args.pageNumber),
    PageSize: String(LIMITS.haVipPageSize),
  };
  let n = 0;
  if (args.haVipIds && args.haVipIds.length > 0) putFilter(q, ++n, 'HaVipId', args.haVipIds);
  if (args.vpcId) putFilter(q, ++n, 'VpcId', [args.vpcId]);
  return vpc('DescribeHaVips', q, false);
}

export function associateHaVip(args: {
  regionId: string;
  haVipId: string;
  instanceId: string;
  instanceType: HaVipInstanceType;
  clientToken: string;
}): WireRequest {
  return vpc(
    'AssociateHaVip',
    {
      RegionId: args.regionId,
      HaVipId: args.haVipId,
      InstanceId: args.instanceId,
      InstanceType: args.instanceType,
      ClientToken: args.clientToken,
    },
    true,
  );
}

export function unassociateHaVip(args: {
  regionId: string;
  haVipId: string;
  instanceId: string;
  instanceType: HaVipInstanceType;
  force: boolean;
  clientToken: string;
}): WireRequest {
  return vpc(
    'UnassociateHaVip',
    {
      RegionId: args.regionId,
      HaVipId: args.haVipId,
      InstanceId: args.instanceId,
      InstanceType: args.instanceType,
      // A string parameter in the SDK model with the documented values `True` / `False`.
      Force: args.force ? 'True' : 'False',
      ClientToken: args.clientToken,
    },
    true,
  );
}

export function describeEipAddresses(args: {
  regionId: string;
  allocationIds: readonly string[];
  pageNumber: number;
}): WireRequest {
  return vpc(
    'DescribeEipAddresses',
    {
      RegionId: args.regionId,
      AllocationId: args.allocationIds.join(','),
      PageNumber: String(args.pageNumber),
      PageSize: String(LIMITS.eipPageSize),
    },
    false,
  );
}

export function associateEipAddress(args: {
  regionId: string;
  allocationId: string;
  instanceId: string;
  instanceType: EipInstanceType;
  clientToken: string;
}): WireRequest {
  return vpc(
    'AssociateEipAddress',
    {
      RegionId: args.regionId,
      AllocationId: args.allocationId,
      InstanceId: args.instanceId,
      InstanceType: args.instanceType,
      ClientToken: args.clientToken,
    },
    true,
  );
}

export function unassociateEipAddress(args: {
  regionId: string;
  allocationId: string;
  instanceId: string;
  instanceType: EipInstanceType;
  clientToken: string;
}): WireRequest {
  return vpc(
    'UnassociateEipAddress',
    {
      RegionId: args.regionId,
      AllocationId: args.allocationId,
      InstanceId: args.instanceId,
      InstanceType: args.instanceType,
      ClientToken: args.clientToken,
    },
    true,
  );
}

export function describeInstances(args: {
  regionId: string;
  instanceIds: readonly string[];
  pageNumber: number;
}): WireRequest {
  return ecs(
    'DescribeInstances',
    {
      RegionId: args.regionId,
      // ECS takes this one list as a JSON array string, not as `InstanceId.N`.
      InstanceIds: JSON.stringify(args.instanceIds),
      PageNumber: String(args.pageNumber),
      PageSize: String(LIMITS.instancePageSize),
    },
    false,
  );
}

export function describeNetworkInterfaces(args: {
  regionId: string;
  networkInterfaceIds: readonly string[];
  nextToken?: string;
  /** Only for a server that pages by number and sends no NextToken (see the adapter). */
  pageNumber?: number;
}): WireRequest {
  const q: Record<string, string> = { RegionId: args.regionId, MaxResults: String(LIMITS.eniMaxResults) };
  args.networkInterfaceIds.forEach((id, i) => {
    q[`NetworkInterfaceId.${i + 1}`] = id;
  });
  if (args.nextToken) q.NextToken = args.nextToken;
  else if (args.pageNumber !== undefined && args.pageNumber > 1) q.PageNumber = String(args.pageNumber);
  return ecs('DescribeNetworkInterfaces', q, false);
}

export function stopInstance(args: { instanceId: string; forceStop: boolean }): WireRequest {
  // StopInstance has no RegionId parameter; the region only selects the endpoint. `ForceStop` is a
  // boolean in the SDK model, which serialises it as `true` / `false`.
  return ecs(
    'StopInstance',
    { InstanceId: args.instanceId, ForceStop: args.forceStop ? 'true' : 'false' },
    true,
  );
}

/**
 * Cloud Assistant RunCommand on one instance. The script travels Base64-encoded with
 * `ContentEncoding=Base64` (the API's alternative to `PlainText`), so quotes, newlines and non-ASCII
 * characters need no escaping. `InstanceId` is a list in the SDK model (`InstanceId.1`); we always
 * target exactly one instance so each invocation has one result to poll. The command is not kept
 * (`KeepCommand` defaults to false) and runs once (`RepeatMode` defaults to `Once`).
 */
export function runCommand(args: {
  regionId: string;
  instanceId: string;
  commandContent: string;
  timeoutSeconds: number;
  clientToken: string;
  name: string;
}): WireRequest {
  return ecs(
    'RunCommand',
    {
      RegionId: args.regionId,
      Type: 'RunShellScript',
      CommandContent: Buffer.from(args.commandContent, 'utf8').toString('base64'),
      ContentEncoding: 'Base64',
      'InstanceId.1': args.instanceId,
      Timeout: String(args.timeoutSeconds),
      ClientToken: args.clientToken,
      Name: args.name,
    },
    true,
  );
}

/**
 * DescribeInvocationResults for one instance of one invocation. `ContentEncoding=Base64` is the
 * documented default for `Output`; we send it anyway so the answer's encoding never depends on it.
 */
export function describeInvocationResults(args: {
  regionId: string;
  invokeId: string;
  instanceId: string;
}): WireRequest {
  return ecs(
    'DescribeInvocationResults',
    {
      RegionId: args.regionId,
      InvokeId: args.invokeId,
      InstanceId: args.instanceId,
      ContentEncoding: 'Base64',
    },
    false,
  );
}

/** Identifying, non-secret parameters of a request, for error messages and logs. */
export function subjectOf(regionId: string, req: WireRequest): string {
  const parts = [`region ${regionId}`];
  for (const key of ['HaVipId', 'AllocationId', 'InstanceId', 'InstanceId.1', 'InstanceType', 'InvokeId']) {
    const v = req.query[key];
    // `InstanceId.1` (RunCommand's one-element list) reads as `InstanceId` in messages.
    if (v) parts.push(`${key.replace(/\.1$/, '')} ${v.length > 80 ? `${v.slice(0, 77)}...` : v}`);
  }
  return parts.join(', ');
}
