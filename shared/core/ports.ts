/**
 * Ports: the only ways the pure core reaches the outside world. Adapters under `shared/adapters/`
 * implement them; tests use the simulator and the SQLite store (fakes with real semantics), not mocks.
 */
import type { Decision, GroupName, MemberId, ProbeConfig } from './model.js';
import type { LatestSignals, SignalRecord } from './signals.js';

// =============================================================================================
// Clock and Logger

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export type LogFields = Record<string, unknown>;
/** A pino-compatible subset. Implementations must never log credentials or Authorization headers. */
export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  child(bindings: LogFields): Logger;
}

// =============================================================================================
// CloudApi — exactly the VPC/ECS operations the orchestrator uses. Every call takes the region so one
// adapter instance serves a multi-region topology. Adapters never retry: retry policy is the engine's.
// Failures throw `CloudError` (with Alibaba's code, request id and retryability) or
// `CloudResponseLostError` (the request may have been applied).

export type HaVipStatus = 'Creating' | 'Available' | 'InUse' | 'Associating' | 'Unassociating' | 'Deleting';
export type HaVipInstanceType = 'EcsInstance' | 'NetworkInterface';

export interface HaVipState {
  readonly haVipId: string;
  readonly regionId: string;
  readonly ipAddress: string;
  readonly status: HaVipStatus | string;
  readonly vpcId: string;
  readonly vSwitchId: string;
  /** The instance the VPC currently sends the HaVip's traffic to (the last bound announcer). */
  readonly masterInstanceId: string | undefined;
  readonly associatedInstanceType: HaVipInstanceType | undefined;
  /** Ids of bound ECS instances or ENIs. */
  readonly associatedInstances: readonly string[];
  /** Public IP addresses of EIPs bound to the HaVip. */
  readonly associatedEipAddresses: readonly string[];
}

export type InstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped';
export interface InstanceState {
  readonly instanceId: string;
  readonly regionId: string;
  readonly status: InstanceStatus | string;
  readonly vpcId: string | undefined;
  readonly vSwitchId: string | undefined;
  readonly privateIpAddresses: readonly string[];
  /** ECS `OperationLocks` reasons (e.g. `financial`, `security`); non-empty means the instance is locked. */
  readonly operationLocks: readonly string[];
}

export interface NetworkInterfaceState {
  readonly networkInterfaceId: string;
  readonly regionId: string;
  /** `Available` (detached) or `InUse` (attached), plus transitional states. */
  readonly status: string;
  /** The instance the ENI is attached to, if any. */
  readonly instanceId: string | undefined;
  readonly vpcId: string;
  readonly vSwitchId: string;
  readonly privateIpAddress: string;
}

export type EipInstanceType = 'EcsInstance' | 'NetworkInterface' | 'HaVip';
export interface EipState {
  readonly allocationId: string;
  readonly regionId: string;
  readonly ipAddress: string;
  /** `Associating | Unassociating | InUse | Available`. */
  readonly status: string;
  readonly instanceId: string | undefined;
  readonly instanceType: EipInstanceType | string | undefined;
}

export interface MutationResult {
  readonly requestId: string | undefined;
}

export interface CloudApi {
  /**
   * DescribeHaVips for these ids. A filter takes at most 5 values, so for more ids the adapter pages through
   * the region (≤ 50 a page) when that needs fewer calls than filtered calls of 5.
   */
  describeHaVips(req: { regionId: string; haVipIds: readonly string[] }): Promise<HaVipState[]>;
  /** Every HaVip in a region (for live validation: HaVips per instance counts HaVips outside the topology). */
  listHaVips(req: { regionId: string; vpcId?: string }): Promise<HaVipState[]>;
  /** DescribeInstances with `InstanceIds` as a JSON array, ≤ 100 ids a call (the adapter chunks). Missing ids are absent. */
  describeInstances(req: { regionId: string; instanceIds: readonly string[] }): Promise<InstanceState[]>;
  /** DescribeNetworkInterfaces by id, ≤ 100 ids a call. Missing ids are absent. */
  describeNetworkInterfaces(req: {
    regionId: string;
    networkInterfaceIds: readonly string[];
  }): Promise<NetworkInterfaceState[]>;
  associateHaVip(req: {
    regionId: string;
    haVipId: string;
    instanceId: string;
    instanceType: HaVipInstanceType;
    clientToken: string;
  }): Promise<MutationResult>;
  unassociateHaVip(req: {
    regionId: string;
    haVipId: string;
    instanceId: string;
    instanceType: HaVipInstanceType;
    /** Required to detach the current master (`Forbidden.UnassociateMaster` otherwise). */
    force: boolean;
    clientToken: string;
  }): Promise<MutationResult>;
  describeEipAddresses(req: { regionId: string; allocationIds: readonly string[] }): Promise<EipState[]>;
  associateEipAddress(req: {
    regionId: string;
    allocationId: string;
    instanceId: string;
    instanceType: EipInstanceType;
    clientToken: string;
  }): Promise<MutationResult>;
  unassociateEipAddress(req: {
    regionId: string;
    allocationId: string;
    instanceId: string;
    instanceType: EipInstanceType;
    clientToken: string;
  }): Promise<MutationResult>;
  /** Opt-in fencing of an unhealthy old holder. */
  stopInstance(req: { regionId: string; instanceId: string; forceStop: boolean }): Promise<MutationResult>;
  /**
   * Cloud Assistant `RunCommand` (`Type=RunShellScript`) on one instance: how the engine makes a new holder
   * announce the HaVip (`announce: cloud-assistant`). Returns the invocation id to poll.
   */
  runCommand(req: {
    regionId: string;
    instanceId: string;
    /** The shell script, plain text (the adapter encodes it as the API requires). */
    commandContent: string;
    timeoutSeconds: number;
    clientToken: string;
    name: string;
  }): Promise<{ readonly invokeId: string; readonly requestId: string | undefined }>;
  /** `DescribeInvocationResults` for one instance of one invocation; undefined while the cloud has no record yet. */
  describeInvocationResult(req: {
    regionId: string;
    invokeId: string;
    instanceId: string;
  }): Promise<InvocationResult | undefined>;
}

/**
 * One instance's result of a Cloud Assistant invocation. `InvocationStatus` values per the ECS API:
 * Pending, Scheduled, Running, Success, Failed, Timeout, Error, Cancelled, Stopped, Terminated…
 */
export interface InvocationResult {
  readonly invokeId: string;
  readonly instanceId: string;
  readonly status: string;
  readonly exitCode: number | undefined;
  /** Decoded command output (the API returns it Base64-encoded), truncated by the adapter. */
  readonly output: string | undefined;
  readonly errorCode: string | undefined;
}

// =============================================================================================
// StateStore — leases with fencing epochs, a conditional journal, signals, health, dedupe, history.
// Every conditional operation has the same semantics on every adapter (one contract suite).

export interface Lease {
  readonly group: GroupName;
  /** Monotonically increasing per group; never reused, even after release. The fencing token. */
  readonly epoch: number;
  /** Who holds it (an invocation/request id), for operators. */
  readonly holder: string;
  readonly expiresAt: number;
}

export type AcquireResult =
  | { readonly acquired: true; readonly lease: Lease }
  | { readonly acquired: false; readonly current: Lease };

export type JournalPhase =
  | 'PLANNED'
  | 'DETACHING'
  | 'ATTACHING'
  | 'ANNOUNCING'
  | 'VERIFYING'
  | 'EIP'
  | 'FENCING'
  | 'DONE'
  | 'FAILED';

export interface JournalEntry {
  readonly group: GroupName;
  readonly epoch: number;
  readonly phase: JournalPhase;
  readonly decision: Decision;
  /** Step name within the phase (e.g. `attach:i-b`), part of the ClientToken. */
  readonly step: string | undefined;
  readonly updatedAt: number;
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}

/** Signals are the core's own type (`shared/core/signals.ts`); the store keeps them as they are. */
export type { LatestSignals, SignalKind, SignalRecord } from './signals.js';

/** Probe counters and eligibility bookkeeping for one member; CAS-updated by `version`. */
export interface MemberHealthState {
  readonly memberId: MemberId;
  readonly probeHealthy: boolean;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Epoch ms since the member has been continuously eligible; undefined while ineligible. */
  readonly eligibleSince: number | undefined;
  /** Epoch ms since the member has been continuously ineligible; undefined while eligible. */
  readonly ineligibleSince?: number | undefined;
  readonly updatedAt: number;
  /** 0 when the row does not exist yet. */
  readonly version: number;
}

/**
 * What the engine last read of a group's HaVip (a sweep's or a reconcile's describe, and the saga's reads
 * while it moves the address): what host agents are told they hold, so a heartbeat costs no cloud call.
 */
export interface ObservationRecord {
  readonly group: GroupName;
  /** When the cloud was read, epoch ms (the reader's clock). Orders two records of one group. */
  readonly observedAt: number;
  /** The HaVip as read; undefined when the cloud did not know it. */
  readonly haVip: HaVipState | undefined;
  /**
   * The member the run hands the address to while another member is still bound (`announce: agent`, on
   * Alibaba): a move's new holder from its attach on, or the member a split-brain repair keeps.
   * Heartbeats name it the holder, so its agent announces before the detach (as Cloud Assistant does) and
   * the other's agent withdraws. Tencent groups do not use it: their drift scope is not part of this
   * view, and `shared/app/tencent-heartbeat.ts` answers from the journal's verify step instead.
   */
  readonly promoted?: MemberId | undefined;
}

export type HistoryOutcome = 'done' | 'failed' | 'switch-incomplete' | 'unverified' | 'blocked' | 'planned';
export interface HistoryRecord {
  readonly group: GroupName;
  readonly epoch: number;
  readonly at: number;
  readonly decision: Decision;
  readonly outcome: HistoryOutcome;
  readonly actor: string | undefined;
  readonly durationMs: number | undefined;
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}

export interface StateStore {
  /** Take the group lease if free or expired: epoch becomes previous epoch + 1. */
  acquireLease(group: GroupName, holder: string, ttlMs: number, now: number): Promise<AcquireResult>;
  /** Extend our lease. Throws `StaleEpochError` when `epoch` is no longer current. */
  renewLease(group: GroupName, epoch: number, ttlMs: number, now: number): Promise<Lease>;
  /** Give the lease up (keeps the epoch counter). A stale epoch is a no-op. */
  releaseLease(group: GroupName, epoch: number): Promise<void>;
  /** Throws `StaleEpochError` unless `epoch` is the current, unexpired lease. Called before every mutation. */
  assertEpoch(group: GroupName, epoch: number, now: number): Promise<void>;
  getLease(group: GroupName): Promise<Lease | undefined>;

  /** Conditional on `entry.epoch` being the current, unexpired lease; throws `StaleEpochError` otherwise. */
  writeJournal(entry: JournalEntry, now: number): Promise<void>;
  /** The latest journal entry for the group (any epoch). */
  readJournal(group: GroupName): Promise<JournalEntry | undefined>;

  /**
   * Stores the signal unless a newer one of the same member and slot exists (the higher `sequence` when
   * both have one, else the later `receivedAt`). The slot is the kind, or one per reporter for peer
   * reports (`signalSlot` in signals.ts). Returns whether it was applied.
   */
  recordSignal(signal: SignalRecord): Promise<boolean>;
  /**
   * Latest signal per slot for each requested member (an entry for every one, `{}` when it has none),
   * gathered with `latestOf`: one record per kind, and the peer reports as a list, one per reporter.
   */
  latestSignals(memberIds: readonly MemberId[]): Promise<Map<MemberId, LatestSignals>>;

  getHealth(memberIds: readonly MemberId[]): Promise<Map<MemberId, MemberHealthState>>;
  /** Compare-and-set on `expectedVersion` (0 = create). Returns false when someone else wrote first. */
  putHealth(state: Omit<MemberHealthState, 'version'>, expectedVersion: number): Promise<boolean>;

  /**
   * Stores the group's observation unless a later one is stored (a greater `observedAt`; a tie is not
   * later, so a replay is a no-op). Returns whether it was applied.
   */
  recordObservation(record: ObservationRecord): Promise<boolean>;
  /** The stored observation of each requested group that has one. */
  latestObservations(groups: readonly GroupName[]): Promise<Map<GroupName, ObservationRecord>>;

  /** Event de-duplication: true the first time an id is seen within `ttlMs`, false after. */
  markEventSeen(eventId: string, ttlMs: number, now: number): Promise<boolean>;

  appendHistory(record: HistoryRecord): Promise<void>;
  /** Newest first. */
  listHistory(query: { group?: GroupName; since?: number; limit: number }): Promise<HistoryRecord[]>;

  close(): Promise<void>;
}

// =============================================================================================
// Notifier

export type NotificationKind =
  | 'failover'
  | 'failover-blocked'
  | 'split-brain-repaired'
  | 'recovered'
  | 'switch-incomplete'
  | 'failed';

export interface Notification {
  readonly kind: NotificationKind;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly group: GroupName;
  readonly summary: string;
  readonly at: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Failures to notify must never block a failover: implementations may throw; the engine catches and logs. */
export interface Notifier {
  notify(n: Notification): Promise<void>;
}

// =============================================================================================
// Prober — TCP/HTTP health probes from the function (which runs inside the VPC) to a member's private IP.

export interface ProbeTarget {
  readonly memberId: MemberId;
  readonly ip: string;
}

export interface Prober {
  /** Resolves true when the probe passed; never throws (a failure to probe is a failed probe). */
  probe(target: ProbeTarget, config: ProbeConfig): Promise<boolean>;
}
