/**
 * Wire requests: the service, action, version and JSON body of every call we make, built as the
 * official `tencentcloud-sdk-nodejs` clients send them (API 3.0: a JSON POST whose body is the action's
 * request model). The bodies are checked against the SDK's request models at compile time (`satisfies`,
 * type-only imports: nothing of the SDK is loaded at run time) and their keys again by a contract test.
 * Pure functions.
 */
import type * as Cvm from 'tencentcloud-sdk-nodejs/tencentcloud/services/cvm/v20170312/cvm_models.js';
import type * as Tat from 'tencentcloud-sdk-nodejs/tencentcloud/services/tat/v20201028/tat_models.js';
import type * as Vpc from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_models.js';
import type { TencentHaVipTargetType } from '../../core/tencent-ports.js';
import { API_VERSIONS, type TencentService } from './endpoints.js';

/** Limits from the API references and SDK model documentation. */
export const LIMITS = {
  /** `Limit` of DescribeHaVips, DescribeNetworkInterfaces, DescribeInstances(Status), DescribeInvocationTasks: at most 100. */
  pageSize: 100,
  /** Ids per describe call (`InstanceIds`, `NetworkInterfaceIds` ≤ 100; `HaVipIds` sent in the same chunks). */
  idsPerCall: 100,
  /** `HaVipAssociationSet` of (Dis)AssociateHaVipInstance: at most 10 entries. */
  associationsPerCall: 10,
  /** `LimitTypes` of DescribeVpcLimits: at most 100 names. */
  limitTypesPerCall: 100,
  /** RunCommand `Content` (Base64): at most 64 KB. */
  commandContentBytes: 64 * 1024,
  /** RunCommand `CommandName`: at most 60 bytes of letters, digits, CJK, `_`, `-`, `.`. */
  commandNameBytes: 60,
} as const;

export interface WireRequest {
  readonly service: TencentService;
  readonly version: string;
  readonly action: string;
  readonly body: Readonly<Record<string, unknown>>;
  /** Whether the call changes state (a lost answer then means "maybe applied"). */
  readonly mutation: boolean;
}

function wire(service: TencentService, action: string, body: object, mutation: boolean): WireRequest {
  return { service, version: API_VERSIONS[service], action, body: body as Record<string, unknown>, mutation };
}

export function describeHaVips(args: {
  haVipIds?: readonly string[];
  vpcId?: string;
  offset: number;
}): WireRequest {
  // HaVipIds and Filters cannot be combined (InvalidParameter.Coexist).
  const body = {
    ...(args.haVipIds !== undefined ? { HaVipIds: [...args.haVipIds] } : {}),
    ...(args.haVipIds === undefined && args.vpcId !== undefined
      ? { Filters: [{ Name: 'vpc-id', Values: [args.vpcId] }] }
      : {}),
    Offset: args.offset,
    Limit: LIMITS.pageSize,
  } satisfies Vpc.DescribeHaVipsRequest;
  return wire('vpc', 'DescribeHaVips', body, false);
}

export interface WireAssociation {
  readonly haVipId: string;
  readonly instanceId: string;
  readonly instanceType: TencentHaVipTargetType;
}

const associationSet = (list: readonly WireAssociation[]): Vpc.HaVipAssociation[] =>
  list.map((a) => ({ HaVipId: a.haVipId, InstanceId: a.instanceId, InstanceType: a.instanceType }));

export function associateHaVipInstance(list: readonly WireAssociation[]): WireRequest {
  const body = { HaVipAssociationSet: associationSet(list) } satisfies Vpc.AssociateHaVipInstanceRequest;
  return wire('vpc', 'AssociateHaVipInstance', body, true);
}

export function disassociateHaVipInstance(list: readonly WireAssociation[]): WireRequest {
  const body = { HaVipAssociationSet: associationSet(list) } satisfies Vpc.DisassociateHaVipInstanceRequest;
  return wire('vpc', 'DisassociateHaVipInstance', body, true);
}

export function haVipAssociateAddressIp(args: { haVipId: string; addressIp: string }): WireRequest {
  const body = {
    HaVipId: args.haVipId,
    AddressIp: args.addressIp,
  } satisfies Vpc.HaVipAssociateAddressIpRequest;
  return wire('vpc', 'HaVipAssociateAddressIp', body, true);
}

export function haVipDisassociateAddressIp(args: { haVipId: string }): WireRequest {
  const body = { HaVipId: args.haVipId } satisfies Vpc.HaVipDisassociateAddressIpRequest;
  return wire('vpc', 'HaVipDisassociateAddressIp', body, true);
}

export function describeVpcTaskResult(args: { taskId: string }): WireRequest {
  const body = { TaskId: args.taskId } satisfies Vpc.DescribeVpcTaskResultRequest;
  return wire('vpc', 'DescribeVpcTaskResult', body, false);
}

export function describeNetworkInterfaces(args: { ids: readonly string[]; offset: number }): WireRequest {
  const body = {
    NetworkInterfaceIds: [...args.ids],
    Offset: args.offset,
    Limit: LIMITS.pageSize,
  } satisfies Vpc.DescribeNetworkInterfacesRequest;
  return wire('vpc', 'DescribeNetworkInterfaces', body, false);
}

export function describeVpcLimits(args: { limitTypes: readonly string[] }): WireRequest {
  const body = { LimitTypes: [...args.limitTypes] } satisfies Vpc.DescribeVpcLimitsRequest;
  return wire('vpc', 'DescribeVpcLimits', body, false);
}

export function describeInstancesStatus(args: { ids: readonly string[]; offset: number }): WireRequest {
  const body = {
    InstanceIds: [...args.ids],
    Offset: args.offset,
    Limit: LIMITS.pageSize,
  } satisfies Cvm.DescribeInstancesStatusRequest;
  return wire('cvm', 'DescribeInstancesStatus', body, false);
}

export function describeInstances(args: { ids: readonly string[]; offset: number }): WireRequest {
  const body = {
    InstanceIds: [...args.ids],
    Offset: args.offset,
    Limit: LIMITS.pageSize,
  } satisfies Cvm.DescribeInstancesRequest;
  return wire('cvm', 'DescribeInstances', body, false);
}

/** RunCommand with `content` already Base64-encoded; runs once (`SaveCommand: false`). */
export function runCommand(args: {
  contentBase64: string;
  instanceId: string;
  commandName: string;
  timeoutSeconds: number;
}): WireRequest {
  const body = {
    Content: args.contentBase64,
    InstanceIds: [args.instanceId],
    CommandName: args.commandName,
    CommandType: 'SHELL',
    Timeout: args.timeoutSeconds,
    SaveCommand: false,
  } satisfies Tat.RunCommandRequest;
  return wire('tat', 'RunCommand', body, true);
}

/** DescribeInvocationTasks of one instance in one invocation, with the output (hidden by default). */
export function describeInvocationTasks(args: { invocationId: string; instanceId: string }): WireRequest {
  const body = {
    Filters: [
      { Name: 'invocation-id', Values: [args.invocationId] },
      { Name: 'instance-id', Values: [args.instanceId] },
    ],
    Limit: LIMITS.pageSize,
    Offset: 0,
    HideOutput: false,
  } satisfies Tat.DescribeInvocationTasksRequest;
  return wire('tat', 'DescribeInvocationTasks', body, false);
}

/** The non-secret identifying parameters of a request, for error messages. */
export function subjectOf(regionId: string, req: WireRequest): string {
  const parts = [`region ${regionId}`];
  const b = req.body;
  const list = (key: string): string | undefined => {
    const v = b[key];
    return Array.isArray(v) && v.length > 0 ? v.slice(0, 5).map(String).join(',') : undefined;
  };
  for (const key of ['HaVipIds', 'InstanceIds', 'NetworkInterfaceIds', 'LimitTypes']) {
    const v = list(key);
    if (v !== undefined) parts.push(`${key} ${v}`);
  }
  for (const key of ['HaVipId', 'AddressIp', 'TaskId']) {
    const v = b[key];
    if (typeof v === 'string' && v !== '') parts.push(`${key} ${v}`);
  }
  const set = b.HaVipAssociationSet;
  if (Array.isArray(set))
    parts.push(
      `HaVipAssociationSet ${set.map((a: Record<string, unknown>) => `${String(a.HaVipId)}:${String(a.InstanceId)}`).join(',')}`,
    );
  return parts.join(', ');
}
