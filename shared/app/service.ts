/**
 * The operations every entry point offers (HTTP API, FC handlers, local mode, CLI through HTTP), on top of
 * the engine. Entry points parse and authenticate; this layer hands signals to the core's ingest
 * (`shared/core/ingest.ts`: receiver time, record, reconcile the affected groups). It holds no state.
 */
import type { Engine, ReconcileResult, Trigger } from '../core/engine.js';
import { NotFoundError } from '../core/errors.js';
import {
  groupsOf,
  type IngestDeps,
  type IngestResult,
  ingestSignals,
  recordSignals,
} from '../core/ingest.js';
import type { Finding, Group, GroupName, MemberHealth, MemberId } from '../core/model.js';
import { memberId } from '../core/model.js';
import { boundOf } from '../core/observe.js';
import type { Clock, HistoryRecord, Lease, Logger, ObservationRecord, StateStore } from '../core/ports.js';
import type { Signal } from '../core/signals.js';
import { parseAgentReport } from '../events/agent-report.js';
import { type ReportAuthority, reportSignals } from '../events/report-signals.js';
import { withTencentMovesInFlight } from './tencent-heartbeat.js';

export interface GroupSummary {
  readonly name: GroupName;
  readonly region: string;
  readonly haVipId: string | undefined;
  readonly members: number;
}

export interface MemberStatus {
  readonly id: MemberId;
  readonly priority: number;
  readonly ip: string;
  readonly eligible: boolean;
  readonly reasons: readonly string[];
  readonly eligibleSince: string | undefined;
  readonly bound: boolean;
  readonly master: boolean;
}

export interface GroupStatus {
  readonly name: GroupName;
  readonly region: string;
  readonly haVipId: string | undefined;
  readonly address: string | undefined;
  readonly haVipStatus: string | undefined;
  /** The member the HaVip (or direct EIP) is bound to; several means split brain. */
  readonly holders: readonly string[];
  /** `MasterInstanceId`: the member the VPC sends the traffic to. */
  readonly serving: string | undefined;
  readonly eip:
    | {
        readonly allocationId: string;
        readonly ipAddress: string | undefined;
        readonly boundTo: string | undefined;
      }
    | undefined;
  readonly members: readonly MemberStatus[];
  readonly lease:
    | {
        readonly epoch: number;
        readonly holder: string;
        readonly expiresAt: string;
        readonly active: boolean;
      }
    | undefined;
  readonly lastMoves: readonly HistoryView[];
  readonly plan: ReconcileResult;
}

export interface HistoryView {
  readonly group: GroupName;
  readonly at: string;
  readonly epoch: number;
  readonly kind: string;
  readonly outcome: string;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly alert?: string | undefined;
  readonly reason: string;
  readonly actor: string | undefined;
}

export interface HeartbeatReply {
  readonly accepted: boolean;
  /** For the host agent: the HaVips this instance should serve (bound to it and it is the holder). */
  readonly holds: readonly {
    readonly group: GroupName;
    readonly haVipId: string;
    readonly address: string | undefined;
  }[];
  readonly groups: readonly GroupName[];
}

export interface ServiceDeps {
  readonly engine: Engine;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Live validation against the cloud (real or simulated). */
  readonly validateLive: () => Promise<Finding[]>;
  /** Remaining-time budget of the current invocation, as an absolute epoch-ms deadline. */
  readonly deadline: () => number;
  /** Verifies host agent reports (keys and group membership); without it every report is refused. */
  readonly reports?: ReportAuthority | undefined;
}

/** What became of an agent report posted to the API. */
export interface ReportOutcome {
  /** Recorded (false: a replay, or not newer than the last from its reporter; `reason` says which). */
  readonly accepted: boolean;
  readonly reason?: string | undefined;
  readonly groups: readonly GroupName[];
  readonly results: readonly ReconcileResult[];
}

export class Service {
  constructor(private readonly deps: ServiceDeps) {}

  get topology() {
    return this.deps.engine.topology;
  }

  listGroups(): GroupSummary[] {
    return this.topology.groups.map((g) => ({
      name: g.name,
      region: g.region,
      haVipId: g.haVipId,
      members: g.members.length,
    }));
  }

  async getGroup(name: string): Promise<GroupStatus> {
    const { engine, store, clock } = this.deps;
    const group = engine.group(name);
    const deadline = this.deps.deadline();
    // One describe round: the dry run decides on this observation instead of describing again.
    const obs = await engine.observeOne(group, deadline);
    const { bound, master } = boundOf(group, obs);
    const plan = await engine.reconcile({
      group: group.name,
      trigger: 'plan',
      invocationId: 'status',
      deadline,
      observation: obs,
    });
    const healthById = new Map<string, MemberHealth>(plan.health.map((h) => [h.id, h]));
    const [lease, history] = await Promise.all([
      store.getLease(group.name),
      store.listHistory({ group: group.name, limit: 10 }),
    ]);
    const now = clock.now();
    return {
      name: group.name,
      region: group.region,
      haVipId: group.haVipId,
      address: obs.haVip?.ipAddress,
      haVipStatus: obs.haVip?.status,
      holders: bound,
      serving: obs.haVip?.masterInstanceId,
      eip:
        group.eip === undefined
          ? undefined
          : {
              allocationId: group.eip.allocationId,
              ipAddress: obs.eip?.ipAddress,
              boundTo: obs.eip?.instanceId,
            },
      members: group.members.map((m) => {
        const h = healthById.get(m.id);
        return {
          id: m.id,
          priority: m.priority,
          ip: m.ip,
          eligible: h?.eligible ?? false,
          reasons: (h?.reasons ?? []).map((r) =>
            'status' in r ? `${r.kind}:${r.status}` : 'source' in r ? `${r.kind}:${r.source}` : r.kind,
          ),
          eligibleSince: h?.eligibleSince === undefined ? undefined : new Date(h.eligibleSince).toISOString(),
          bound: bound.includes(m.id),
          master: master === m.id,
        };
      }),
      lease: lease === undefined ? undefined : leaseView(lease, now),
      lastMoves: history.map(historyView),
      plan,
    };
  }

  plan(
    name: string,
    manual?: { to?: string | undefined; force?: boolean; reason: string; actor: string },
  ): Promise<ReconcileResult> {
    const group = this.deps.engine.group(name);
    return this.deps.engine.reconcile({
      group: group.name,
      trigger: 'plan',
      invocationId: `plan-${this.deps.clock.now()}`,
      deadline: this.deps.deadline(),
      manual:
        manual === undefined
          ? undefined
          : {
              to: manual.to === undefined ? undefined : memberId(manual.to),
              force: manual.force ?? false,
              reason: manual.reason,
              actor: manual.actor,
            },
    });
  }

  failover(
    name: string,
    req: { to?: string | undefined; force?: boolean; reason: string; actor: string; invocationId: string },
  ): Promise<ReconcileResult> {
    const group = this.deps.engine.group(name);
    return this.deps.engine.reconcile({
      group: group.name,
      trigger: 'manual',
      invocationId: req.invocationId,
      deadline: this.deps.deadline(),
      manual: {
        to: req.to === undefined ? undefined : memberId(req.to),
        force: req.force ?? false,
        reason: req.reason,
        actor: req.actor,
      },
    });
  }

  /** Drain or undrain a member: recorded as a signal, then every group holding it is reconciled. */
  async setDrain(
    id: string,
    drain: boolean,
    req: { reason: string; actor: string; invocationId: string },
  ): Promise<IngestResult> {
    if (groupsOf(this.topology, id).length === 0)
      throw new NotFoundError('member', id, 'drain takes an instance or ENI id listed in the topology');
    const about = { memberId: memberId(id), source: 'http', reason: req.reason, actor: req.actor } as const;
    const signal: Signal = drain
      ? { ...about, kind: 'drain', cause: 'manual' }
      : { ...about, kind: 'undrain' };
    return this.ingest([signal], drain ? 'drain' : 'manual', req.invocationId, req.actor);
  }

  /**
   * Records signals and reconciles the affected groups (`shared/core/ingest.ts`). Used by every trigger.
   * Unknown members are logged and ignored (an event for an instance outside the topology is normal).
   */
  ingest(
    signals: readonly Signal[],
    trigger: Trigger,
    invocationId: string,
    actor?: string,
  ): Promise<IngestResult> {
    return ingestSignals(this.ingestDeps, signals, {
      trigger,
      invocationId,
      deadline: this.deps.deadline,
      actor,
    });
  }

  /** The keys and membership the MNS parser verifies agent reports with. */
  get reportAuthority(): ReportAuthority | undefined {
    return this.deps.reports;
  }

  /**
   * A signed agent report posted to the API (`POST /v1/reports`, the agent's `http` sink): verified,
   * recorded, and its groups reconciled in this call — the same path as a report from the MNS topic.
   * Throws `InvalidInputError` (`event.invalid` malformed, `report.refused` unverifiable).
   */
  async report(body: unknown, invocationId: string): Promise<ReportOutcome> {
    const signals = reportSignals(parseAgentReport(body), this.deps.reports, 'http');
    const { groups, results, refused } = await this.ingest(signals, 'heartbeat', invocationId);
    return { accepted: refused.length === 0, reason: refused[0]?.reason, groups, results };
  }

  private get ingestDeps(): IngestDeps {
    const { engine, store, clock, logger } = this.deps;
    return { topology: engine.topology, store, clock, logger, reconcile: (req) => engine.reconcile(req) };
  }

  /**
   * A heartbeat posted by a host agent. The reply tells the agent which HaVips it holds, so it can
   * configure and announce the address (takeover on the data plane) or withdraw it. What it holds comes
   * from the engine's last observation kept in the store (a sweep's or a reconcile's, and the saga's
   * reads while it moves the address): no cloud call at steady state. A group nothing has observed yet
   * is described once, and that observation is kept for the next heartbeat.
   */
  async heartbeat(req: { instanceId: string; sequence?: number | undefined }): Promise<HeartbeatReply> {
    const groups = groupsOf(this.topology, req.instanceId);
    if (groups.length === 0)
      throw new NotFoundError(
        'member',
        req.instanceId,
        'the agent must run on an instance listed in the topology',
      );
    // The same record phase as every other signal: a sequence far ahead of our clock is distrusted.
    const { applied } = await recordSignals(this.ingestDeps, [
      { kind: 'heartbeat', memberId: memberId(req.instanceId), source: 'http', sequence: req.sequence },
    ]);
    const withHaVip = groups.filter((g) => g.haVipId !== undefined);
    // On Tencent only the new holder's own announcement moves a HAVIP: while a move verifies it, it holds.
    const observed = await withTencentMovesInFlight(
      this.deps.store,
      withHaVip,
      await this.observations(withHaVip),
      this.deps.clock.now(),
    );
    const holds: { group: GroupName; haVipId: string; address: string | undefined }[] = [];
    for (const g of withHaVip) {
      const record = observed.get(g.name);
      if (record?.haVip !== undefined && holderFor(g, record) === req.instanceId)
        holds.push({ group: g.name, haVipId: g.haVipId as string, address: record.haVip.ipAddress });
    }
    return { accepted: applied === 1, holds, groups: groups.map((g) => g.name) };
  }

  /** The stored observation of each group; a group without one is described now, and it is kept. */
  private async observations(groups: readonly Group[]): Promise<Map<GroupName, ObservationRecord>> {
    const { store, engine } = this.deps;
    const stored = await store.latestObservations(groups.map((g) => g.name));
    for (const g of groups) {
      if (stored.has(g.name)) continue;
      const obs = await engine.observeOne(g);
      const record: ObservationRecord = { group: g.name, observedAt: obs.observedAt, haVip: obs.haVip };
      await store.recordObservation(record);
      stored.set(g.name, record);
    }
    return stored;
  }

  async history(q: { group?: string | undefined; limit: number }): Promise<HistoryView[]> {
    if (q.group !== undefined) this.deps.engine.group(q.group);
    const records = await this.deps.store.listHistory({
      ...(q.group ? { group: q.group as GroupName } : {}),
      limit: q.limit,
    });
    return records.map(historyView);
  }

  validateLive(): Promise<Finding[]> {
    return this.deps.validateLive();
  }

  sweep(invocationId: string, groups?: readonly string[]): Promise<ReconcileResult[]> {
    if (groups !== undefined) for (const g of groups) this.deps.engine.group(g);
    return this.deps.engine.sweep({
      invocationId,
      deadline: this.deps.deadline(),
      ...(groups ? { groups } : {}),
    });
  }
}

/**
 * Who an agent should know as the holder. In exclusive mode: the member a move in progress promoted
 * while it is bound, else the one member bound. In keepalived coexistence all are bound and keepalived
 * decides: no agent holds.
 */
function holderFor(group: Group, record: ObservationRecord): string | undefined {
  if (group.announce === 'keepalived') return undefined;
  const bound = record.haVip?.associatedInstances ?? [];
  if (record.promoted !== undefined && bound.includes(record.promoted)) return record.promoted;
  return bound.length === 1 ? bound[0] : undefined;
}

function leaseView(l: Lease, now: number) {
  return {
    epoch: l.epoch,
    holder: l.holder,
    expiresAt: new Date(l.expiresAt).toISOString(),
    active: l.expiresAt > now,
  };
}

export function historyView(h: HistoryRecord): HistoryView {
  const d = h.decision;
  return {
    group: h.group,
    at: new Date(h.at).toISOString(),
    epoch: h.epoch,
    kind: d.kind,
    outcome: h.outcome,
    ...(d.kind === 'move' ? { from: d.from, to: d.to } : {}),
    ...(d.kind === 'attach' ? { to: d.target } : {}),
    ...(d.kind === 'repair-split-brain' ? { to: d.keep } : {}),
    ...(d.kind === 'alert' ? { alert: d.alert } : {}),
    reason: d.reason,
    actor: h.actor,
  };
}
