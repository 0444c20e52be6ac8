/**
 * The domain model shared by every layer. Pure types plus a few constructors; no I/O.
 *
 * Ids are branded strings: a `MemberId` cannot be passed where a `HaVipId` is expected by accident.
 * Parsers (config, events, cloud adapters) are the only places that mint them.
 */

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** An instance id (Alibaba ECS `i-…`, Tencent CVM `ins-…`) or an ENI id (`eni-…`). */
export type MemberId = Brand<string, 'MemberId'>;
export type HaVipId = Brand<string, 'HaVipId'>;
export type VSwitchId = Brand<string, 'VSwitchId'>;
export type AllocationId = Brand<string, 'AllocationId'>;
export type GroupName = Brand<string, 'GroupName'>;

export const memberId = (s: string): MemberId => s as MemberId;
export const haVipId = (s: string): HaVipId => s as HaVipId;
export const vSwitchId = (s: string): VSwitchId => s as VSwitchId;
export const allocationId = (s: string): AllocationId => s as AllocationId;
export const groupName = (s: string): GroupName => s as GroupName;

/** `ecs`: a virtual machine instance (an Alibaba ECS or a Tencent CVM instance); `eni`: an ENI. */
export type MemberKind = 'ecs' | 'eni';
export const memberKindOf = (id: string): MemberKind | undefined =>
  id.startsWith('i-') || id.startsWith('ins-') ? 'ecs' : id.startsWith('eni-') ? 'eni' : undefined;

export interface Member {
  readonly id: MemberId;
  readonly kind: MemberKind;
  /** 1–254, keepalived's non-owner range. Higher wins. */
  readonly priority: number;
  /** Primary private IPv4, used for the keepalived tie-break (higher address wins). */
  readonly ip: string;
}

export type EipMode = 'havip' | 'direct';
export interface EipBinding {
  readonly allocationId: AllocationId;
  /** `havip`: the EIP is bound to the HaVip and follows it. `direct`: the EIP itself moves between members. */
  readonly mode: EipMode;
}

export type ProbeConfig =
  | {
      readonly kind: 'tcp';
      readonly port: number;
      readonly timeoutMs: number;
      readonly intervalSeconds: number;
    }
  | {
      readonly kind: 'http';
      readonly port: number;
      readonly path: string;
      readonly expectStatus: readonly number[];
      readonly timeoutMs: number;
      readonly intervalSeconds: number;
    };

export interface HealthConfig {
  /** Silence longer than this marks a member down when heartbeats are configured. */
  readonly heartbeatTimeoutSeconds: number | undefined;
  readonly probe: ProbeConfig | undefined;
  /** Consecutive probe failures before a member is unhealthy (keepalived `fall`). */
  readonly fall: number;
  /** Consecutive probe successes before a member is healthy again (keepalived `rise`). */
  readonly rise: number;
}

export interface FlapGuard {
  readonly maxMoves: number;
  readonly windowSeconds: number;
}

/** What the orchestrator needs to know about a group's host agents (`havip agent`, docs/agent.md). */
export interface AgentSettings {
  /** The agents' health endpoint (`GET /health`): the witness probe's port when the group has no probe. */
  readonly healthPort: number;
  /**
   * How long a report counts after it arrived. The agents repeat a lasting condition (every 30 s by
   * default), so a report not repeated within this time is over: its reporter stopped, or restarted.
   */
  readonly reportTtlSeconds: number;
  /**
   * How long the witness probe of the agents' health endpoint waits. It runs only once a peer has heard
   * nothing for its dead interval; a live agent in the VPC answers in milliseconds, a frozen host never.
   */
  readonly witnessTimeoutMs: number;
}

/** How the new holder takes over on the data plane (announces the address by ARP). */
export type AnnouncePolicy = 'agent' | 'cloud-assistant' | 'keepalived' | 'none';
/** What happens to an old holder that is still Running but unhealthy. */
export type FencingPolicy = 'none' | 'stop';

/** The cloud a group's HaVip lives on. */
export type CloudKind = 'alibaba' | 'tencent';

/**
 * Where a Tencent group's HAVIP lives, and the EIP bound to it. On Tencent an EIP is bound to the HAVIP
 * by its public IP (`HaVipAssociateAddressIp`), not by an allocation id, so it is not an `EipBinding`.
 */
export interface TencentPlacement {
  readonly vpcId: string;
  readonly subnetId: string;
  /** The public IP of the EIP to keep bound to the HAVIP, if any. */
  readonly eipAddressIp: string | undefined;
}

export interface Group {
  readonly name: GroupName;
  /** `alibaba` unless the group (or the document) says otherwise. */
  readonly cloud: CloudKind;
  readonly region: string;
  /** The members' subnet: an Alibaba vSwitch (`vsw-…`), or on Tencent the subnet (`subnet-…`). */
  readonly vSwitchId: VSwitchId;
  /** Tencent groups only: the HAVIP's VPC and subnet and the EIP bound to it. */
  readonly tencent?: TencentPlacement | undefined;
  readonly haVipId: HaVipId | undefined;
  readonly eip: EipBinding | undefined;
  readonly nopreempt: boolean;
  readonly preemptDelaySeconds: number;
  readonly flapGuard: FlapGuard;
  readonly health: HealthConfig;
  readonly announce: AnnouncePolicy;
  /** Seconds the engine waits for `MasterInstanceId` to name the new holder before `switch-incomplete`. */
  readonly announceDeadlineSeconds: number;
  readonly fencing: FencingPolicy;
  /**
   * keepalived coexistence only: when the master is unhealthy and keepalived has not moved it within
   * `announceDeadlineSeconds`, unbind the master so a healthy peer's keepalived takes over (opt-in, journaled).
   */
  readonly keepalivedForceMove: boolean;
  /** Set when the topology has an `agent` block for the group (or in `defaults`); see {@link agentSettingsOf}. */
  readonly agent?: AgentSettings | undefined;
  readonly members: readonly Member[];
}

/** The agent defaults: the agent's own health port and three of its default report repeats. */
export const DEFAULT_AGENT_SETTINGS: AgentSettings = Object.freeze({
  healthPort: 7402,
  reportTtlSeconds: 90,
  witnessTimeoutMs: 500,
});

/** A group's agent settings, the defaults when the topology says nothing about its agents. */
export const agentSettingsOf = (g: Group): AgentSettings => g.agent ?? DEFAULT_AGENT_SETTINGS;

/** Alibaba HaVip quotas the validators enforce. Defaults follow the current docs; `legacy` the 2021 edition. */
export interface Quotas {
  readonly membersPerHaVip: number;
  readonly haVipsPerInstance: number;
  readonly eipsPerHaVip: number;
  readonly haVipsPerRegion: number;
}

export type QuotaProfile = 'current' | 'legacy';

export interface Topology {
  readonly region: string;
  readonly quotaProfile: QuotaProfile;
  readonly quotas: Quotas;
  readonly groups: readonly Group[];
}

/** A validator finding (static or live). */
export type Severity = 'error' | 'warning';
export interface Finding {
  readonly severity: Severity;
  /** Stable code, e.g. `member.priority-owner`; documented in docs/configuration.md. */
  readonly code: string;
  /** Path into the topology, e.g. `groups[1].members[0].priority`. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

// ---------------------------------------------------------------------------------------------
// Health as the decision sees it

/**
 * Why a member is not eligible. `hard` reasons come from the cloud control plane (instance stopped,
 * released, ENI detached): the flap guard never blocks a move away from a hard-down holder.
 */
export type IneligibleReason =
  | { readonly kind: 'stopped'; readonly status: string } // hard: ECS Stopping/Stopped/Deleted/released
  | { readonly kind: 'missing' } // hard: instance/ENI not found or ENI detached
  | { readonly kind: 'heartbeat-timeout'; readonly since: number } // soft
  | { readonly kind: 'probe-failed'; readonly failures: number } // soft
  | { readonly kind: 'draining'; readonly source: string } // planned
  | { readonly kind: 'not-running'; readonly status: string } // soft: Pending/Starting
  /** Host agents report it silent and a second witness agrees (corroborate.ts). */
  | { readonly kind: 'reported-silent'; readonly by: readonly MemberId[]; readonly witness: string } // soft
  /** Its own agent reports its checks failing (keepalived's track_script FAULT). */
  | { readonly kind: 'checks-failed'; readonly since: number }; // soft

export const isHardDown = (r: IneligibleReason): boolean => r.kind === 'stopped' || r.kind === 'missing';

export interface MemberHealth {
  readonly id: MemberId;
  readonly eligible: boolean;
  /** Epoch ms since when the member has been continuously eligible (needed for `preempt_delay`). */
  readonly eligibleSince: number | undefined;
  /** Epoch ms since when the member has been continuously ineligible (keepalived-coexistence deadlines). */
  readonly ineligibleSince?: number | undefined;
  /** Empty when eligible. */
  readonly reasons: readonly IneligibleReason[];
}

// ---------------------------------------------------------------------------------------------
// Decisions

export type AlertKind =
  | 'no-eligible-member'
  | 'foreign-association'
  | 'flap-guard'
  | 'switch-incomplete'
  | 'keepalived-stuck'
  /** A manual failover the rules refuse (target ineligible without `force`, unknown target, …). */
  | 'manual-refused';

export type MoveCause = 'failover' | 'preempt' | 'drain' | 'manual';

export type Decision =
  | {
      readonly kind: 'noop';
      readonly holder: MemberId | undefined;
      readonly reason: string;
      /** Epoch ms when a pending preemption becomes due, if any (the caller may re-check then). */
      readonly recheckAt?: number;
    }
  | {
      readonly kind: 'attach';
      readonly target: MemberId;
      /** Manual `force` onto an ineligible member. */
      readonly forced: boolean;
      readonly reason: string;
    }
  | {
      readonly kind: 'move';
      readonly from: MemberId;
      readonly to: MemberId;
      readonly cause: MoveCause;
      /** Manual `force`: the target may be ineligible. Journaled with actor and reason. */
      readonly forced: boolean;
      readonly reason: string;
    }
  | {
      readonly kind: 'repair-split-brain';
      readonly keep: MemberId;
      readonly detach: readonly MemberId[];
      readonly reason: string;
      /** Set when no member is eligible: the repair keeps one holder and also alerts. */
      readonly alert?: AlertKind;
    }
  | {
      readonly kind: 'alert';
      readonly alert: AlertKind;
      readonly holder: MemberId | undefined;
      readonly reason: string;
      /** A move that would have happened without the guard (flap guard), for the operator. */
      readonly blocked?: { readonly to: MemberId; readonly cause: MoveCause };
    };

/** A manual failover request (HTTP `POST /v1/groups/{name}/failover`, CLI `havip failover`). */
export interface ManualRequest {
  readonly to: MemberId | undefined;
  readonly force: boolean;
  readonly reason: string;
  readonly actor: string;
}
