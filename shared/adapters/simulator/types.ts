/**
 * Public types of the Alibaba VPC/ECS simulator: the seed (the initial world), the request/response
 * shapes of {@link SimulatedCloud.handle} and the ground-truth views it exposes (the clock it runs on is
 * in `common/clock.ts`).
 *
 * The seed is an edge (it comes from JSON files, the CLI and tests), so it is validated with zod and
 * every problem is reported with its path.
 */
import { z } from 'zod';
import type { QuotaProfile } from '../../core/model.js';
import { parseInput } from './common/json-input.js';

// ---------------------------------------------------------------------------------------------
// Seed

export type SimInstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped';
export type SimHaVipStatus =
  | 'Creating'
  | 'Available'
  | 'InUse'
  | 'Associating'
  | 'Unassociating'
  | 'Deleting';
export type SimEipStatus = 'Associating' | 'Unassociating' | 'InUse' | 'Available';
export type SimHaVipInstanceType = 'EcsInstance' | 'NetworkInterface';
export type SimEipInstanceType = 'EcsInstance' | 'NetworkInterface' | 'HaVip';

const id = (prefix: string, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[A-Za-z0-9_.-]+$`),
      `${what} must look like ${prefix}… (letters, digits, -, _, .)`,
    );

const ipv4 = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/,
    'must be a dotted-quad IPv4 address',
  );

const vSwitchSeed = z.object({
  vSwitchId: id('vsw-', 'vSwitchId'),
  cidr: z.string().optional(),
  /** Defaults to `<regionId>-a`. */
  zoneId: z.string().optional(),
});

const vpcSeed = z.object({
  vpcId: id('vpc-', 'vpcId'),
  cidr: z.string().optional(),
  vSwitches: z.array(vSwitchSeed),
});

const vrrpPriority = z.number().int().min(1).max(255);

const keepalivedSeed = z.object({
  /** VRRP priority of this host's keepalived (higher wins; equal → higher IP). */
  priority: vrrpPriority,
  /** Per-HaVip priorities, for hosts that run one vrrp_instance per HaVip with different priorities. */
  priorities: z.record(z.string(), vrrpPriority).optional(),
});

const instanceSeed = z.object({
  instanceId: id('i-', 'instanceId'),
  vSwitchId: id('vsw-', 'vSwitchId'),
  privateIp: ipv4,
  status: z.enum(['Running', 'Stopped']).optional(),
  instanceName: z.string().optional(),
  /** ECS `OperationLocks` reasons (e.g. `financial`); shown by DescribeInstances. */
  operationLocks: z.array(z.string()).optional(),
  /** The host runs (simulated) keepalived: it announces HaVips it is bound to that have no live master. */
  keepalived: keepalivedSeed.optional(),
});

const eniSeed = z.object({
  networkInterfaceId: id('eni-', 'networkInterfaceId'),
  vSwitchId: id('vsw-', 'vSwitchId'),
  privateIp: ipv4,
  /** The instance the (secondary) ENI is attached to; absent = detached. */
  instanceId: id('i-', 'instanceId').optional(),
});

const haVipSeed = z.object({
  haVipId: id('havip-', 'haVipId'),
  vSwitchId: id('vsw-', 'vSwitchId'),
  ipAddress: ipv4,
  /** Bound ECS instance ids or ENI ids (one kind only). */
  associatedInstances: z.array(z.string()).optional(),
  /** The bound target that has announced the address by ARP (must be bound and live). Default: none. */
  masterInstanceId: z.string().optional(),
  /** Only to model HaVips that are being created or deleted; otherwise derived from the bindings. */
  status: z.enum(['Creating', 'Deleting']).optional(),
});

const eipSeed = z.object({
  allocationId: id('eip-', 'allocationId'),
  ipAddress: ipv4,
  instanceId: z.string().optional(),
  /** Inferred from the id prefix (`i-`, `eni-`, `havip-`) when absent. */
  instanceType: z.enum(['EcsInstance', 'NetworkInterface', 'HaVip']).optional(),
});

const regionSeed = z.object({
  regionId: z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+$/, 'must be an Alibaba region id like cn-hangzhou'),
  vpcs: z.array(vpcSeed),
  instances: z.array(instanceSeed).default([]),
  enis: z.array(eniSeed).default([]),
  haVips: z.array(haVipSeed).default([]),
  eips: z.array(eipSeed).default([]),
});

const positiveInt = z.number().int().min(1);

export const simSeedSchema = z.object({
  regions: z.array(regionSeed).min(1, 'at least one region is required'),
  quotas: z
    .object({
      /** `legacy` lowers the bindings per HaVip to 2 (the 2021 documentation). Default `current`. */
      profile: z.enum(['current', 'legacy']).optional(),
      membersPerHaVip: positiveInt.optional(),
      haVipsPerInstance: positiveInt.optional(),
      eipsPerHaVip: positiveInt.optional(),
    })
    .optional(),
  /** When set, requests must be signed with exactly this pair (ACS3-HMAC-SHA256 or v2 HMAC-SHA1). */
  accessKey: z.object({ id: z.string().min(1), secret: z.string().min(1) }).optional(),
  /** The account id put into emitted events. Default `1234567890123456`. */
  accountId: z.string().regex(/^\d+$/, 'must be digits').optional(),
});

export type SimVSwitchSeed = z.input<typeof vSwitchSeed>;
export type SimVpcSeed = z.input<typeof vpcSeed>;
export type SimInstanceSeed = z.input<typeof instanceSeed>;
export type SimKeepalivedSeed = z.input<typeof keepalivedSeed>;
export type SimEniSeed = z.input<typeof eniSeed>;
export type SimHaVipSeed = z.input<typeof haVipSeed>;
export type SimEipSeed = z.input<typeof eipSeed>;
export type SimRegionSeed = z.input<typeof regionSeed>;
/** The initial world of a {@link SimulatedCloud}. JSON-serialisable; `havip sim --seed file.json` reads it. */
export type SimSeed = z.input<typeof simSeedSchema>;
export type ParsedSimSeed = z.output<typeof simSeedSchema>;

/** Quotas the simulator enforces. */
export interface SimQuotas {
  readonly membersPerHaVip: number;
  readonly haVipsPerInstance: number;
  readonly eipsPerHaVip: number;
}

const QUOTA_DEFAULTS: Readonly<Record<QuotaProfile, SimQuotas>> = {
  current: { membersPerHaVip: 10, haVipsPerInstance: 5, eipsPerHaVip: 1 },
  legacy: { membersPerHaVip: 2, haVipsPerInstance: 5, eipsPerHaVip: 1 },
};

export function resolveSimQuotas(q: ParsedSimSeed['quotas']): SimQuotas {
  const base = QUOTA_DEFAULTS[q?.profile ?? 'current'];
  return {
    membersPerHaVip: q?.membersPerHaVip ?? base.membersPerHaVip,
    haVipsPerInstance: q?.haVipsPerInstance ?? base.haVipsPerInstance,
    eipsPerHaVip: q?.eipsPerHaVip ?? base.eipsPerHaVip,
  };
}

/**
 * Validates a seed's shape. Referential rules (ids exist, same vSwitch, quotas) are checked when the
 * world is built; both report `simulator.seed-invalid`.
 */
export function parseSimSeed(input: unknown, source = 'seed'): ParsedSimSeed {
  return parseInput(
    simSeedSchema,
    input,
    'simulator.seed-invalid',
    `${source}: the simulator seed is invalid`,
  );
}

export { formatPath } from './common/json-input.js';

// ---------------------------------------------------------------------------------------------
// Requests and responses

/** One API call, already decoded from the wire (common signing parameters removed). */
export interface SimRequest {
  /** `2016-04-28` (VPC) or `2014-05-26` (ECS). */
  readonly version: string;
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** Caller's AccessKey id: the throttle bucket and the idempotency scope. Default `default`. */
  readonly accessKeyId?: string;
}

export interface SimResponse {
  /** HTTP status. */
  readonly status: number;
  /** JSON body: the operation's result or `{ Code, Message, RequestId, HostId, Recommend }`. */
  readonly body: Record<string, unknown>;
  readonly requestId: string;
  /**
   * Fault injection: the call took effect but the response must never reach the caller (the HTTP
   * server destroys the socket).
   */
  readonly drop?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Ground truth

export interface SimHaVipView {
  readonly haVipId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly vSwitchId: string;
  readonly ipAddress: string;
  readonly status: SimHaVipStatus;
  readonly associatedInstanceType: SimHaVipInstanceType | undefined;
  readonly associatedInstances: readonly string[];
  readonly masterInstanceId: string | undefined;
  /** Allocation ids of EIPs bound to the HaVip. */
  readonly associatedEipIds: readonly string[];
  readonly associatedEipAddresses: readonly string[];
}

export interface SimInstanceView {
  readonly instanceId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly vSwitchId: string;
  readonly zoneId: string;
  readonly privateIp: string;
  readonly status: SimInstanceStatus;
  readonly instanceName: string;
  readonly operationLocks: readonly string[];
  /** Simulated keepalived on the host, if any. */
  readonly keepalived: KeepalivedConf | undefined;
}

/** A host's simulated keepalived. */
export interface KeepalivedConf {
  readonly priority: number;
  /** Per-HaVip overrides of `priority`. */
  readonly priorities: Readonly<Record<string, number>>;
}

export interface SimEniView {
  readonly networkInterfaceId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly vSwitchId: string;
  readonly zoneId: string;
  readonly privateIp: string;
  readonly instanceId: string | undefined;
  /** `InUse` when attached, `Available` when not. */
  readonly status: 'Available' | 'InUse';
}

export interface SimEipView {
  readonly allocationId: string;
  readonly regionId: string;
  readonly ipAddress: string;
  readonly status: SimEipStatus;
  readonly instanceId: string | undefined;
  readonly instanceType: SimEipInstanceType | undefined;
}

/** The VPC's answer to one ARP announcement. */
export interface SimAnnounceResult {
  /** Whether the announcement made (or kept) the announcer the master of a HaVip. */
  readonly accepted: boolean;
  /** Why it was ignored. */
  readonly reason?: string;
  /** The HaVip whose master it is, when accepted. */
  readonly haVipId?: string;
  /** The bound target that became master (the instance itself or its ENI bound to the HaVip). */
  readonly masterInstanceId?: string;
}

/** Cloud Assistant `InvocationStatus` values the simulator produces. */
export type SimInvocationStatus = 'Running' | 'Success' | 'Failed' | 'Aborted' | 'Error';

/** One Cloud Assistant invocation on one instance (ground truth). */
export interface SimInvocationView {
  readonly invokeId: string;
  readonly regionId: string;
  readonly instanceId: string;
  readonly name: string;
  /** The decoded script. */
  readonly commandContent: string;
  readonly status: SimInvocationStatus;
  readonly exitCode: number | undefined;
  /** Plain text (Base64-encoded on the wire). */
  readonly output: string;
  readonly errorCode: string | undefined;
  readonly errorInfo: string | undefined;
}
