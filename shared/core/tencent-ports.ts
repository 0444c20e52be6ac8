/**
 * The Tencent Cloud port: exactly the VPC, CVM and TAT operations a switch on Tencent Cloud and its
 * validators need, in normalised types. Types only (the core stays pure); `shared/adapters/tencent`
 * implements it over Tencent's API 3.0 and `shared/adapters/tencent-simulator` answers it locally.
 *
 * How a HAVIP moves on Tencent Cloud, and why the port looks like this:
 * - **No API moves a HAVIP.** The instance that announces the address by gratuitous ARP receives its
 *   traffic; `DescribeHaVips` → `InstanceId` / `NetworkInterfaceId` say who holds it now.
 * - `AssociateHaVipInstance` / `DisassociateHaVipInstance` only set the **drift scope**: which CVMs (or
 *   ENIs) the HAVIP may drift to. Whether the scope is enforced is the HAVIP's `CheckAssociate`.
 * - An EIP is bound to a HAVIP by an **asynchronous task** (`HaVipAssociateAddressIp`), polled with
 *   `DescribeVpcTaskResult`; the task id is the RequestId of the call that started it.
 * - TAT `RunCommand` is how the orchestrator makes a host announce (the Cloud Assistant equivalent).
 *
 * Where Tencent's documentation is uncertain, the types keep both readings visible instead of guessing:
 * `associations` and `checkAssociate` are `undefined` when the answer does not carry them (the
 * international site's model lacks them), `state` accepts both documented spellings, `flushedTime` is
 * `undefined` for the "never moved" default. See docs/tencent.md, "Open questions".
 *
 * Every call takes the region, so one adapter serves a multi-region topology. Adapters never retry:
 * retry policy is the engine's. Failures throw `CloudError` (`provider: 'tencent'`, Tencent's code as
 * `providerCode`, the request id, retryability) or `CloudResponseLostError` (a mutation may have been
 * applied). Requests a call cannot carry (too many ids, an empty script) are refused with
 * `InvalidInputError` (`cloud.invalid-request`) before anything is sent.
 */

/** What a drift-scope entry names: a CVM instance or an elastic network interface (never both on one HAVIP). */
export type TencentHaVipTargetType = 'CVM' | 'ENI';

export interface TencentHaVipAssociation {
  readonly haVipId: string;
  /** `ins-…` for CVM, `eni-…` for ENI. */
  readonly instanceId: string;
  /** Undefined when the answer does not say (older answers omit it). */
  readonly instanceType: TencentHaVipTargetType | undefined;
}

/**
 * `State` normalised: the SDK model documents `AVAILABLE` / `UNBIND`, the official example answers
 * `UNBOUND`; both unbound spellings become `UNBIND`. Anything else is kept as `OTHER` with `rawState`.
 */
export type TencentHaVipStateKind = 'AVAILABLE' | 'UNBIND' | 'OTHER';

export interface TencentHaVip {
  readonly haVipId: string;
  readonly regionId: string;
  readonly name: string | undefined;
  /** The virtual IP address (`Vip`). */
  readonly vip: string;
  readonly vpcId: string;
  readonly subnetId: string;
  /** The instance the VPC sends the HAVIP's traffic to now (the last accepted ARP announcer), if any. */
  readonly instanceId: string | undefined;
  /** The ENI that holds it (a CVM holder's primary ENI, or the announcing secondary ENI). */
  readonly networkInterfaceId: string | undefined;
  /** The public IP of the EIP bound to the HAVIP, if any. */
  readonly addressIp: string | undefined;
  readonly state: TencentHaVipStateKind;
  /** `State` exactly as answered. */
  readonly rawState: string;
  /**
   * The drift scope. `undefined` when the answer has no `HaVipAssociationSet` at all (the international
   * site's model lacks the field: the scope is unknown, not empty); `[]` when it is empty.
   */
  readonly associations: readonly TencentHaVipAssociation[] | undefined;
  /** Whether drift is checked against the scope; `undefined` when the answer does not say. */
  readonly checkAssociate: boolean | undefined;
  /** When an ARP (or a manual unbind) last moved it; `undefined` for the `0000-00-00 00:00:00` default or absent. */
  readonly flushedTime: string | undefined;
  readonly business: string | undefined;
  readonly createdTime: string | undefined;
}

/** `InstanceState` per the CVM API: PENDING, LAUNCH_FAILED, RUNNING, STOPPED, STARTING, STOPPING, REBOOTING, SHUTDOWN, TERMINATING, rescue and live-migration states. */
export type TencentInstanceState =
  | 'PENDING'
  | 'LAUNCH_FAILED'
  | 'RUNNING'
  | 'STOPPED'
  | 'STARTING'
  | 'STOPPING'
  | 'REBOOTING'
  | 'SHUTDOWN'
  | 'TERMINATING';

export interface TencentInstanceStatus {
  readonly instanceId: string;
  readonly state: TencentInstanceState | string;
}

/** The CVM facts the validators need (`DescribeInstances`). */
export interface TencentInstance {
  readonly instanceId: string;
  readonly regionId: string;
  readonly state: TencentInstanceState | string;
  /** The instance type, e.g. `S5.MEDIUM2`. */
  readonly instanceType: string | undefined;
  readonly vpcId: string | undefined;
  readonly subnetId: string | undefined;
  readonly privateIpAddresses: readonly string[];
  readonly zone: string | undefined;
}

/** The ENI facts the validators need (`DescribeNetworkInterfaces`). */
export interface TencentNetworkInterface {
  readonly networkInterfaceId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  /** The instance's primary ENI (a HAVIP's drift scope takes only secondary ENIs). */
  readonly primary: boolean;
  /** The instance it is attached to; `undefined` when detached. */
  readonly instanceId: string | undefined;
  /** `PENDING | AVAILABLE | ATTACHING | DETACHING | DELETING` as answered. */
  readonly state: string;
  readonly privateIpAddresses: readonly { readonly address: string; readonly primary: boolean }[];
}

/** `DescribeVpcTaskResult` → `Status`: `SUCCESS`, `FAILED` or `RUNNING`. */
export type TencentTaskStatus = 'SUCCESS' | 'FAILED' | 'RUNNING';

export interface TencentVpcTask {
  readonly taskId: string;
  readonly status: TencentTaskStatus | string;
  /** The task's `Output` (an error text when it failed), if any. */
  readonly output: string | undefined;
}

/**
 * One instance's TAT execution task. `TaskStatus` per the TAT API: PENDING, DELIVERING, DELIVER_DELAYED,
 * DELIVER_FAILED, START_FAILED, RUNNING, SUCCESS, FAILED, TIMEOUT, TASK_TIMEOUT, CANCELLING, CANCELLED,
 * TERMINATED.
 */
export interface TencentInvocationTask {
  readonly invocationId: string;
  readonly invocationTaskId: string;
  readonly instanceId: string;
  readonly status: string;
  /** Absent until the command has run. */
  readonly exitCode: number | undefined;
  /** Decoded output (the API returns it Base64-encoded), truncated by the adapter. */
  readonly output: string | undefined;
  readonly errorInfo: string | undefined;
}

/** A mutation's answer; for a VPC task it is also the task id. */
export interface TencentMutationResult {
  readonly requestId: string | undefined;
}

/** An asynchronous VPC mutation: poll {@link TencentCloudApi.describeVpcTask} with `taskId`. */
export interface TencentTaskStarted {
  /** The RequestId of the call, which `DescribeVpcTaskResult` takes as `TaskId`. */
  readonly taskId: string;
}

export interface TencentCloudApi {
  /**
   * DescribeHaVips by id. `Limit` is at most 100 a page; the adapter chunks the ids and pages by
   * `Offset`. Missing ids are absent from the answer.
   */
  describeHaVips(req: { regionId: string; haVipIds: readonly string[] }): Promise<TencentHaVip[]>;
  /**
   * Every HAVIP of a region, or of one VPC (filter `vpc-id`): for the validators, which count HAVIPs per
   * VPC against `vpc-max-havips` and per ENI against the five a NIC may carry, including HAVIPs outside
   * the topology.
   */
  listHaVips(req: { regionId: string; vpcId?: string }): Promise<TencentHaVip[]>;
  /**
   * AssociateHaVipInstance: add these targets to the drift scope (at most 10 per call, one target type
   * per HAVIP). Synchronous; it does not move the HAVIP.
   */
  associateHaVipInstances(req: {
    regionId: string;
    associations: readonly {
      readonly haVipId: string;
      readonly instanceId: string;
      readonly instanceType: TencentHaVipTargetType;
    }[];
  }): Promise<TencentMutationResult>;
  /** DisassociateHaVipInstance: remove these targets from the drift scope (at most 10 per call). */
  disassociateHaVipInstances(req: {
    regionId: string;
    associations: readonly {
      readonly haVipId: string;
      readonly instanceId: string;
      readonly instanceType: TencentHaVipTargetType;
    }[];
  }): Promise<TencentMutationResult>;
  /** HaVipAssociateAddressIp: bind the EIP with this public IP to the HAVIP (asynchronous). */
  associateHaVipEip(req: {
    regionId: string;
    haVipId: string;
    addressIp: string;
  }): Promise<TencentTaskStarted>;
  /** HaVipDisassociateAddressIp: unbind the HAVIP's EIP (asynchronous). */
  disassociateHaVipEip(req: { regionId: string; haVipId: string }): Promise<TencentTaskStarted>;
  /** DescribeVpcTaskResult for a task started by an asynchronous VPC call. */
  describeVpcTask(req: { regionId: string; taskId: string }): Promise<TencentVpcTask>;
  /** DescribeInstancesStatus, at most 100 ids a call (the adapter chunks). Missing ids are absent. */
  describeInstancesStatus(req: {
    regionId: string;
    instanceIds: readonly string[];
  }): Promise<TencentInstanceStatus[]>;
  /** DescribeInstances (type, VPC, subnet, IPs), at most 100 ids a call. Missing ids are absent. */
  describeInstances(req: { regionId: string; instanceIds: readonly string[] }): Promise<TencentInstance[]>;
  /** DescribeNetworkInterfaces by id (attached, primary), at most 100 ids a call. Missing ids are absent. */
  describeNetworkInterfaces(req: {
    regionId: string;
    networkInterfaceIds: readonly string[];
  }): Promise<TencentNetworkInterface[]>;
  /**
   * DescribeVpcLimits for these quota names (e.g. `vpc-max-havips`), at most 100 a call. Names the
   * answer does not carry are absent from the map.
   */
  describeVpcLimits(req: {
    regionId: string;
    limitTypes: readonly string[];
  }): Promise<ReadonlyMap<string, number>>;
  /**
   * TAT RunCommand (`CommandType` SHELL) on one instance: how the engine makes a new holder announce the
   * HAVIP. The script is plain text; the adapter Base64-encodes it. Not idempotent: TAT takes no
   * ClientToken, so a retry after a lost answer may run the script twice (the announce script is
   * harmless to repeat).
   */
  runCommand(req: {
    regionId: string;
    instanceId: string;
    content: string;
    timeoutSeconds: number;
    commandName: string;
  }): Promise<{ readonly invocationId: string; readonly requestId: string | undefined }>;
  /**
   * DescribeInvocationTasks for one instance of one invocation, with `HideOutput: false` (the API hides
   * output by default); `undefined` while TAT has no task for it yet.
   */
  describeInvocationTask(req: {
    regionId: string;
    invocationId: string;
    instanceId: string;
  }): Promise<TencentInvocationTask | undefined>;
}
