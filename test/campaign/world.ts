/**
 * The campaign's world: the simulator (ground truth) on virtual time, the production Alibaba adapter over
 * an in-process transport, one SQLite store, and one production runtime (engine + service + handlers)
 * per invocation — as on Function Compute, where every invocation may land on another instance.
 *
 * Around each invocation's ports sit the campaign's instruments, outermost first:
 *
 * 1. an optional fast-check scheduler gate on every store, cloud and probe call (interleavings);
 * 2. a fault gate at every saga point — each journal write and each cloud mutation — that can crash the
 *    invocation before or after the point, or pause it there (a frozen process) until released;
 * 3. an auditor at the instant a mutation leaves for the cloud: it derives (group, epoch) from the
 *    ClientToken and checks the store's lease (invariant 4), then checks the mutation against what could
 *    be known about the members (invariants 2, 3, 7 and fencing).
 *
 * Host agents (heartbeats, and announcing the HaVip when the reply says they hold it) run as background
 * loops on virtual time, like the in-process agent of the data-plane tests. Their signed reports
 * (reports.ts) are enqueued by commands; groups with an agent key verify them, and the fake prober
 * answers the witness probes a report triggers from the member's agent (or, in a probe group, its
 * service), without counting them toward fall/rise.
 */
import type fc from 'fast-check';
import type { SimEcsStateChangeEvent, SimulatedCloud } from '../../shared/adapters/simulator/index.js';
import { seededRandom } from '../../shared/adapters/simulator/index.js';
import {
  type AsyncHandlerResult,
  handleEcsEvent,
  handleHeartbeatMessage,
  handleTimer,
} from '../../shared/app/handlers.js';
import { assembleRuntime, type Runtime } from '../../shared/app/runtime.js';
import { assembleSimulatedRuntime } from '../../shared/app/simulated-runtime.js';
import type { EngineOptions, ReconcileResult } from '../../shared/core/engine.js';
import { CloudResponseLostError, HavipError } from '../../shared/core/errors.js';
import {
  agentSettingsOf,
  type Decision,
  type Group,
  type Member,
  type Topology,
} from '../../shared/core/model.js';
import type {
  CloudApi,
  HistoryRecord,
  JournalEntry,
  Logger,
  Notification,
  Notifier,
  Prober,
  StateStore,
} from '../../shared/core/ports.js';
import { clientToken } from '../../shared/core/saga.js';
import { flush, VirtualClock } from './clock.js';
import { MemberKnowledge, type Viewer } from './knowledge.js';
import { type ReportFault, reportMessage } from './reports.js';
import type { CampaignStats, Invariant } from './stats.js';
import { agentKeysOf, buildTopology, type TopologySpec } from './topology.js';

export const ENGINE_OPTIONS: Partial<EngineOptions> = {
  leaseTtlMs: 90_000,
  backoff: { baseMs: 200, maxMs: 5_000 },
  poll: { initialMs: 250, maxMs: 2_000 },
  sweepConcurrency: 4,
};
/** The function timeout the service budgets each operation with (the lease TTL exceeds it). */
export const BUDGET_MS = 60_000;
export const AGENT_INTERVAL_MS = 5_000;
/** No invocation may run longer than this much virtual time (its deadline is far shorter). */
const MAX_COMMAND_MS = 15 * 60_000;
const DEDUPE_TTL_MS = 24 * 3600_000;
const TRACE = process.env.CAMPAIGN_TRACE !== undefined && process.env.CAMPAIGN_TRACE !== '';
const SUCCESS = new Set(['done', 'unverified', 'switch-incomplete', 'noop', 'alert']);

export interface WorldConfig {
  readonly spec: TopologySpec;
  readonly seed: number;
  readonly transitionDelayMs: number;
  readonly cloudAssistantDelayMs: number;
}

export interface MemberInfo {
  readonly id: string;
  readonly member: Member;
  readonly group: Group;
  /** The instance whose status governs the member: itself, or an ENI member's host. */
  readonly host: string;
  readonly hasAgent: boolean;
  agentUp: boolean;
  appUp: boolean;
  readonly knowledge: MemberKnowledge;
}

export type ActorKind = 'ecs-event' | 'mns' | 'sweep' | 'manual' | 'drain' | 'undrain';
export type SagaFaultHow = 'crash-before' | 'crash-after' | 'pause';
export interface SagaFaultPlan {
  readonly at: number;
  readonly how: SagaFaultHow;
}

export interface OutboxItem {
  readonly id: number;
  readonly channel: 'ecs' | 'mns';
  readonly body: string;
  readonly label: string;
  /** What the parser will make of it, for the knowledge mirror. */
  readonly signal:
    | { readonly kind: 'down' | 'up' | 'drain' | 'heartbeat-timeout' | 'heartbeat'; readonly member: string }
    /** A verified agent report that can count against `member` (a peer's, or its own failed checks). */
    | { readonly kind: 'report'; readonly member: string; readonly reporter: string | 'self' }
    | undefined;
}

/** A check made on one mutation: counted (and reported, if violated) once the cloud accepts it. */
interface Verdict {
  readonly inv: Invariant;
  readonly violation?: string;
  readonly undecided?: boolean;
}

/** One invocation (an FC invocation of one of the handlers). */
export class Actor implements Viewer {
  status: 'running' | 'finished' | 'abandoned' | 'paused' = 'running';
  points = 0;
  mutations = 0;
  pausedPastTtl = false;
  pausedAt: string | undefined;
  release: ((how: 'proceed' | 'crash') => void) | undefined;
  /** Resolves when a pause ends (the process thaws or is killed). */
  resumed: Promise<void> = Promise.resolve();
  /** Stale writes that reached the cloud, by group. */
  readonly staleWritesByGroup = new Map<string, number>();
  scheduler: fc.Scheduler | undefined;
  results: { group: string; status: string }[] = [];
  runtime!: Runtime;

  constructor(
    readonly id: string,
    readonly kind: ActorKind,
    readonly label: string,
    readonly start: number,
    readonly step: number | undefined,
    readonly plan: SagaFaultPlan | undefined,
    readonly manual: { readonly force: boolean } | undefined,
    readonly probeCertain: boolean,
  ) {}
}

type MutationMethod =
  | 'associateHaVip'
  | 'unassociateHaVip'
  | 'associateEipAddress'
  | 'unassociateEipAddress'
  | 'stopInstance'
  | 'runCommand';
const MUTATIONS: readonly MutationMethod[] = [
  'associateHaVip',
  'unassociateHaVip',
  'associateEipAddress',
  'unassociateEipAddress',
  'stopInstance',
  'runCommand',
];
const ACTION: Record<MutationMethod, string> = {
  associateHaVip: 'AssociateHaVip',
  unassociateHaVip: 'UnassociateHaVip',
  associateEipAddress: 'AssociateEipAddress',
  unassociateEipAddress: 'UnassociateEipAddress',
  stopInstance: 'StopInstance',
  runCommand: 'RunCommand',
};

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A logger that drops everything: the campaign asserts on state, not on log lines. */
const SILENT: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => SILENT,
};

class CountingNotifier implements Notifier {
  constructor(private readonly stats: CampaignStats) {}
  async notify(n: Notification): Promise<void> {
    this.stats.outcome(`notification:${n.kind}`);
  }
}

/** Delegates every method to `target`, except the overrides. */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, p) {
      if (Object.hasOwn(overrides, p)) return (overrides as Record<PropertyKey, unknown>)[p];
      const v = (t as Record<PropertyKey, unknown>)[p];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** Every call waits for the actor's scheduler (while it has one) before it runs. */
function scheduled<T extends object>(actor: Actor, what: string, target: T, stats: CampaignStats): T {
  return new Proxy(target, {
    get(t, p) {
      const v = (t as Record<PropertyKey, unknown>)[p];
      if (typeof v !== 'function' || p === 'close') return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const s = actor.scheduler;
        if (s === undefined) return fn.apply(t, args);
        stats.scheduledReleases++;
        return s
          .schedule(Promise.resolve(), `${actor.label} ${what}.${String(p)}`)
          .then(() => fn.apply(t, args));
      };
    },
  });
}

export class CampaignWorld {
  readonly clock = new VirtualClock();
  readonly topology: Topology;
  readonly sim: SimulatedCloud;
  readonly store: StateStore;
  readonly cloud: CloudApi;
  readonly members = new Map<string, MemberInfo>();
  readonly violations: string[] = [];
  readonly outbox: OutboxItem[] = [];
  readonly delivered: OutboxItem[] = [];
  readonly actors = new Set<Actor>();
  /** Saga fault armed for the next invocation that reconciles. */
  armed: SagaFaultPlan | undefined;
  stepNo = 0;
  private readonly seen = new Map<string, number>();
  private readonly random: () => number;
  private readonly agentService: Runtime['service'];
  private readonly notifier: Notifier;
  private readonly staleness: { at: number; ms: number }[] = [];
  private actorSeq = 0;
  private itemSeq = 0;
  private closed = false;
  private readonly started: number;
  /** Per step: finished results by group, and whether something made the step unjudgeable for inv 1. */
  private stepResults = new Map<string, string[]>();
  private stepDisturbed = false;
  private stepConcurrent = false;
  private stepStartedAt = 0;
  /** When each instance last changed state (for the data-plane check). */
  private readonly hostChangedAt = new Map<string, number>();
  /** (group, target) pairs an operator asked a manual failover for. */
  private readonly manualTargets = new Set<string>();
  /** The agent keys of the keyed groups (group → key). */
  readonly agentKeys: ReadonlyMap<string, Uint8Array>;
  /** The sequence every report carries (one counter for all agents: only its growth matters). */
  private reportSequence = 1_700_000_000_000;

  constructor(
    readonly config: WorldConfig,
    readonly stats: CampaignStats,
  ) {
    this.topology = buildTopology(config.spec);
    this.agentKeys = agentKeysOf(config.spec);
    this.started = this.clock.now();
    this.notifier = new CountingNotifier(stats);
    const simulated = assembleSimulatedRuntime({
      topology: this.topology,
      simulator: {
        attach: 'highest',
        clock: this.clock,
        transitionDelayMs: config.transitionDelayMs,
        randomSeed: config.seed,
        cloudAssistantDelayMs: config.cloudAssistantDelayMs,
        keepalivedTakeoverMs: 3_600,
      },
      runtime: {
        notifier: this.notifier,
        logger: SILENT,
        clock: this.clock,
        engineOptions: ENGINE_OPTIONS,
        defaultBudgetMs: BUDGET_MS,
        agentKeys: this.agentKeys,
      },
    });
    this.sim = simulated.sim;
    this.store = simulated.store;
    this.cloud = simulated.cloud;
    this.agentService = simulated.runtime.service;
    this.random = seededRandom(config.seed ^ 0x5eed);

    for (const g of this.topology.groups) {
      g.members.forEach((m) => {
        const host = m.kind === 'ecs' ? m.id : (this.sim.eni(m.id)?.instanceId ?? m.id);
        const info: MemberInfo = {
          id: m.id,
          member: m,
          group: g,
          host,
          hasAgent: g.announce === 'agent' || g.health.heartbeatTimeoutSeconds !== undefined,
          agentUp: true,
          appUp: true,
          knowledge: new MemberKnowledge(
            m.id,
            {
              heartbeatTimeoutMs:
                g.health.heartbeatTimeoutSeconds === undefined
                  ? undefined
                  : g.health.heartbeatTimeoutSeconds * 1000,
              probe: g.health.probe === undefined ? undefined : { fall: g.health.fall, rise: g.health.rise },
              kind: m.kind,
              reportTtlMs: agentSettingsOf(g).reportTtlSeconds * 1000,
            },
            this.clock.now(),
            true,
          ),
        };
        this.members.set(m.id, info);
      });
    }
    this.sim.onEvent((ev) => this.onSimEvent(ev));
    let offset = 0;
    for (const m of this.members.values()) {
      if (!m.hasAgent) continue;
      offset += 700;
      void this.agentLoop(m, offset % AGENT_INTERVAL_MS);
    }
  }

  // =============================================================================================
  // Ground truth helpers

  group(gi: number): Group {
    const groups = this.topology.groups;
    return groups[((gi % groups.length) + groups.length) % groups.length] as Group;
  }

  memberOf(g: Group, mi: number): MemberInfo {
    const m = g.members[((mi % g.members.length) + g.members.length) % g.members.length] as Member;
    return this.members.get(m.id) as MemberInfo;
  }

  hostRunning(m: MemberInfo): boolean {
    return this.sim.instance(m.host)?.status === 'Running';
  }

  /** Who holds the group's address: HaVip bindings, or the instance a direct EIP is on. */
  bound(g: Group): string[] {
    if (g.haVipId !== undefined) return [...(this.sim.haVip(g.haVipId)?.associatedInstances ?? [])];
    const e = g.eip === undefined ? undefined : this.sim.eip(g.eip.allocationId);
    return e?.instanceId !== undefined && e.status !== 'Available' ? [e.instanceId] : [];
  }

  /** Longest describe staleness in force at any time in [from, to]. */
  staleMs(from: number, to: number): number {
    let ms = 0;
    let inForce = 0;
    for (const s of this.staleness) {
      if (s.at <= from) inForce = s.ms;
      else if (s.at <= to) ms = Math.max(ms, s.ms);
    }
    return Math.max(ms, inForce);
  }

  setStaleness(ms: number): void {
    this.sim.faults.setStaleness(ms);
    this.staleness.push({ at: this.clock.now(), ms });
  }

  private refreshRunning(): void {
    const now = this.clock.now();
    for (const m of this.members.values()) {
      const up =
        m.member.kind === 'ecs'
          ? this.sim.instance(m.id)?.status === 'Running'
          : this.sim.eni(m.id)?.instanceId !== undefined;
      m.knowledge.setRunning(now, up);
      // An ENI's host stopping leaves the ENI attached ("running" above) but is a second witness to the
      // engine (corroborate.ts: the suspect's ECS state), as it fails a witness probe.
      m.knowledge.setWitness(now, this.witnessAnswers(m));
    }
  }

  private onSimEvent(ev: SimEcsStateChangeEvent): void {
    this.trace(`cloud: ${ev.data.resourceId} ${ev.data.state}`);
    this.hostChangedAt.set(ev.data.resourceId, this.clock.now());
    this.refreshRunning();
    const state = ev.data.state;
    const member = this.members.has(ev.data.resourceId) ? ev.data.resourceId : undefined;
    const kind =
      state === 'Running'
        ? 'up'
        : state === 'Stopping' || state === 'Stopped' || state === 'Deleted'
          ? 'down'
          : undefined;
    this.outbox.push({
      id: ++this.itemSeq,
      channel: 'ecs',
      body: JSON.stringify(ev),
      label: `ecs ${ev.data.resourceId} ${state}`,
      signal: member !== undefined && kind !== undefined ? { kind, member } : undefined,
    });
  }

  // =============================================================================================
  // Events the model creates (spot interruptions, maintenance, heartbeat messages)

  enqueueEcs(type: 'spot' | 'maintenance', m: MemberInfo, status = 'Scheduled'): void {
    const id = `cmp-${++this.itemSeq}`;
    const time = new Date(this.clock.now()).toISOString();
    const instanceId = m.member.kind === 'ecs' ? m.id : m.host;
    const body =
      type === 'spot'
        ? {
            id,
            source: 'acs.ecs',
            specversion: '1.0',
            type: 'ecs:Instance:PreemptibleInstanceInterruption',
            subject: `acs:ecs:cn-hangzhou:1234567890123456:instance/${instanceId}`,
            time,
            aliyunregionid: 'cn-hangzhou',
            data: { instanceId, action: 'delete' },
          }
        : {
            id,
            source: 'acs.ecs',
            specversion: '1.0',
            type: 'ecs:Instance:SystemMaintenance.Reboot',
            subject: `acs:ecs:cn-hangzhou:1234567890123456:instance/${instanceId}`,
            time,
            aliyunregionid: 'cn-hangzhou',
            data: {
              eventId: `e-${id}`,
              publishTime: time,
              notBefore: new Date(this.clock.now() + 3 * 86_400_000).toISOString(),
              instanceId,
              eventType: 'SystemMaintenance.Reboot',
              eventStatus: status,
            },
          };
    const drains =
      m.member.kind === 'ecs' && (type === 'spot' || !['Canceled', 'Executed', 'Avoided'].includes(status));
    this.outbox.push({
      id: this.itemSeq,
      channel: 'ecs',
      body: JSON.stringify(body),
      label: `${type}${type === 'maintenance' ? `:${status}` : ''} ${instanceId}`,
      signal: drains ? { kind: 'drain', member: m.id } : undefined,
    });
  }

  enqueueHeartbeatMessage(m: MemberInfo, ok: boolean): void {
    const n = ++this.itemSeq;
    const body = ok
      ? { type: 'heartbeat.ok', instanceId: m.id, n }
      : {
          type: 'heartbeat.timeout',
          instanceId: m.id,
          lastSeenAt: new Date(this.clock.now()).toISOString(),
          n,
        };
    this.outbox.push({
      id: n,
      channel: 'mns',
      body: JSON.stringify(body),
      label: `mns ${ok ? 'heartbeat.ok' : 'heartbeat.timeout'} ${m.id}`,
      // An unsigned message about a member of a keyed group is refused: it changes nothing.
      signal: this.agentKeys.has(m.group.name)
        ? undefined
        : { kind: ok ? 'heartbeat' : 'heartbeat-timeout', member: m.id },
    });
  }

  /** A host agent's report on the MNS topic (reports.ts says what each fault makes of it). */
  enqueueReport(reporter: MemberInfo, suspect: MemberInfo, fault: ReportFault): void {
    const n = ++this.itemSeq;
    const keyed = this.agentKeys.has(reporter.group.name);
    this.reportSequence += 1 + (n % 7);
    const msg = reportMessage(reporter, suspect, fault, {
      sequence: this.reportSequence,
      now: this.clock.now(),
    });
    if (fault.forged) this.stats.fault('agent report forged (refused)');
    if (!keyed) this.stats.fault('agent report for a group without a key (refused)');
    this.outbox.push({
      id: n,
      channel: 'mns',
      body: msg.body,
      label: msg.label,
      signal: keyed && !fault.forged ? msg.counts : undefined,
    });
  }

  /** The host's agent or service changed: what a witness probe of the member would answer. */
  hostChanged(m: MemberInfo): void {
    m.knowledge.setWitness(this.clock.now(), this.witnessAnswers(m));
  }

  /**
   * The witness probe asks the group's probe (the service) or else the agent's health endpoint; a host
   * that is not running fails it too (for an ECS member the knowledge counts that as not running; an
   * ENI member stays attached, so its stopped host shows here).
   */
  private witnessAnswers(m: MemberInfo): boolean {
    if (m.member.kind === 'eni') {
      const host = this.sim.eni(m.id)?.instanceId;
      if (host !== undefined && this.sim.instance(host)?.status !== 'Running') return false;
    }
    return m.group.health.probe === undefined ? m.agentUp : m.appUp;
  }

  /** Mirrors what the engine will record for a delivery (dedupe by event, strictly newer by receiver time). */
  private mirrorDelivery(item: OutboxItem, at: number, step: number | undefined): void {
    const sig = item.signal;
    if (sig === undefined) return;
    const k = this.members.get(sig.member)?.knowledge;
    if (k === undefined) return;
    if (sig.kind === 'down') k.downEvent(at);
    if (sig.kind === 'report') {
      // Reports are de-duplicated by (group, reporter, sequence): one item, one report.
      const key = `report:${item.id}`;
      if (!this.seen.has(key)) k.report(at, sig.reporter);
      this.seen.set(key, at);
      return;
    }
    const key = `${item.id}:${sig.kind}:${sig.member}`;
    const seenAt = this.seen.get(key);
    if (seenAt !== undefined && at - seenAt < DEDUPE_TTL_MS) return;
    this.seen.set(key, at);
    if (sig.kind === 'drain') k.drain(at, true, step);
    else if (sig.kind === 'heartbeat-timeout') k.heartbeatTimeout(at, step);
    else if (sig.kind === 'heartbeat') k.heartbeat(at, step);
  }

  // =============================================================================================
  // Agents

  private async agentLoop(m: MemberInfo, offset: number): Promise<void> {
    await this.clock.sleep(offset);
    while (!this.closed) {
      if (m.agentUp && this.hostRunning(m)) {
        const at = this.clock.now();
        const applied = m.knowledge.heartbeat(at);
        try {
          const reply = await this.agentService.heartbeat({ instanceId: m.id });
          if (reply.accepted !== applied)
            this.violate(
              'inv5-replay',
              `the store ${reply.accepted ? 'applied' : 'dropped'} heartbeat of ${m.id} at ${at} against receiver-time ordering`,
            );
          if (this.closed) return;
          if (m.agentUp && this.hostRunning(m))
            for (const h of reply.holds) if (h.address) this.sim.announce(m.id, h.address);
        } catch {
          // The agent's describe hit a fault; it tries again next interval.
        }
      }
      await this.clock.sleep(AGENT_INTERVAL_MS);
    }
  }

  // =============================================================================================
  // Invocations

  /** Creates an invocation with its instrumented ports. */
  makeActor(
    kind: ActorKind,
    label: string,
    opts: {
      step?: number;
      scheduler?: fc.Scheduler;
      manual?: { force: boolean };
      probeCertain: boolean;
      plan?: SagaFaultPlan;
      /** Not a target for the armed saga fault (replays, the quiesce phase). */
      noArm?: boolean;
    },
  ): Actor {
    let plan = opts.plan;
    if (plan === undefined && this.armed !== undefined && opts.noArm !== true) {
      plan = this.armed;
      this.armed = undefined;
    }
    const actor = new Actor(
      `inv-${++this.actorSeq}`,
      kind,
      `#${this.actorSeq} ${label}`,
      this.clock.now(),
      opts.step,
      plan,
      opts.manual,
      opts.probeCertain,
    );
    actor.scheduler = opts.scheduler;
    const cloudOverrides: Partial<CloudApi> = {};
    for (const method of MUTATIONS) {
      const fn = (req: never) =>
        this.point(actor, ACTION[method], () =>
          this.audited(actor, method, req, () => (this.cloud[method] as (r: never) => Promise<unknown>)(req)),
        );
      (cloudOverrides as Record<string, unknown>)[method] = fn;
    }
    let cloud: CloudApi = delegate(this.cloud, cloudOverrides);
    let store: StateStore = delegate(this.store, {
      writeJournal: (entry: JournalEntry, now: number) =>
        this.point(actor, `journal:${entry.phase}`, async () => {
          this.trace(
            `${actor.label}: journal epoch ${entry.epoch} ${entry.phase}${entry.step ? ` ${entry.step}` : ''} — ${entry.decision.kind}: ${entry.decision.reason}`,
          );
          await this.store.writeJournal(entry, now);
          await this.auditJournal(actor, entry, now);
        }),
      appendHistory: async (record: HistoryRecord) => {
        await this.auditHistory(actor, record);
        await this.store.appendHistory(record);
      },
      close: async () => undefined,
    });
    // A sweep probes each member once for fall/rise (its first probe of the member); every other probe
    // is a witness probe of a reported member (corroborate.ts), which fall/rise does not count.
    const probedBy = new Set<string>();
    let prober: Prober = {
      probe: async (target, config) => {
        const m = this.members.get(target.memberId);
        if (m === undefined) return false;
        const counted = actor.kind === 'sweep' && m.group.health.probe !== undefined && !probedBy.has(m.id);
        probedBy.add(m.id);
        if (!counted) {
          this.stats.outcome('witness probe run');
          return config.kind === 'http' && config.path === '/health'
            ? m.agentUp && this.hostRunning(m)
            : m.appUp && this.hostRunning(m);
        }
        const ok = m.appUp && this.hostRunning(m);
        m.knowledge.probeAnswer(this.clock.now(), ok, actor.probeCertain);
        return ok;
      },
    };
    cloud = this.alive(actor, cloud);
    store = this.alive(actor, store);
    prober = this.alive(actor, prober);
    if (opts.scheduler !== undefined) {
      cloud = scheduled(actor, 'cloud', cloud, this.stats);
      store = scheduled(actor, 'store', store, this.stats);
      prober = scheduled(actor, 'probe', prober, this.stats);
    }
    actor.runtime = assembleRuntime({
      topology: this.topology,
      cloud,
      store,
      notifier: this.notifier,
      logger: SILENT,
      clock: this.clock,
      prober,
      random: this.random,
      engineOptions: ENGINE_OPTIONS,
      defaultBudgetMs: BUDGET_MS,
      agentKeys: this.agentKeys,
    });
    this.actors.add(actor);
    this.stats.invocations++;
    this.trace(`${actor.label} starts${plan ? ` (armed: ${plan.how} at point ${plan.at})` : ''}`);
    return actor;
  }

  /** Starts the invocation's work; its completion is recorded (statuses, data-plane check). */
  launch(actor: Actor, work: (rt: Runtime) => Promise<{ group: string; status: string }[]>): void {
    work(actor.runtime).then(
      (results) => {
        if (actor.status === 'abandoned') return;
        this.stats.check('liveness');
        actor.status = 'finished';
        actor.results = results;
        this.trace(
          `${actor.label} finished: ${results.map((r) => `${r.group}:${r.status}`).join(', ') || 'no reconcile'}`,
        );
        this.onFinished(actor);
      },
      (e: unknown) => {
        if (actor.status === 'abandoned') return;
        this.stats.check('liveness');
        actor.status = 'finished';
        // An infrastructure failure (the cloud still throttling at the deadline) is thrown on purpose so
        // the trigger retries; anything else is a crash.
        if (e instanceof HavipError) this.stats.outcome(`handler threw ${e.code} (retried by the trigger)`);
        else this.violate('liveness', `${actor.label} crashed: ${e instanceof Error ? e.stack : String(e)}`);
      },
    );
  }

  /** Delivers an outbox item through its handler, as the trigger would. */
  deliver(
    item: OutboxItem,
    opts: { step?: number; scheduler?: fc.Scheduler; probeCertain?: boolean; noArm?: boolean } = {},
  ): Actor {
    const actor = this.makeActor(item.channel === 'ecs' ? 'ecs-event' : 'mns', `deliver ${item.label}`, {
      ...opts,
      probeCertain: opts.probeCertain ?? true,
    });
    this.mirrorDelivery(item, this.clock.now(), opts.step);
    this.delivered.push(item);
    if (this.delivered.length > 200) this.delivered.shift();
    this.launch(actor, async (rt) => {
      const h: AsyncHandlerResult =
        item.channel === 'ecs'
          ? await handleEcsEvent(rt.service, SILENT, item.body, actor.id)
          : await handleHeartbeatMessage(rt.service, SILENT, item.body, actor.id);
      return h.results.map((r) => ({ group: r.group, status: r.status }));
    });
    return actor;
  }

  sweep(
    opts: {
      step?: number;
      scheduler?: fc.Scheduler;
      probeCertain?: boolean;
      groups?: string[];
      noArm?: boolean;
      plan?: SagaFaultPlan;
    } = {},
  ): Actor {
    const actor = this.makeActor('sweep', `sweep${opts.groups ? ` ${opts.groups.join(',')}` : ''}`, {
      ...opts,
      probeCertain: opts.probeCertain ?? true,
    });
    const body = JSON.stringify({
      triggerTime: new Date(this.clock.now()).toISOString(),
      triggerName: 'campaign-sweep',
      payload: JSON.stringify(opts.groups ? { groups: opts.groups } : { sweep: 'all' }),
    });
    this.launch(actor, async (rt) => {
      const h = await handleTimer(rt.service, SILENT, body, actor.id);
      return h.results.map((r) => ({ group: r.group, status: r.status }));
    });
    return actor;
  }

  manualFailover(
    g: Group,
    to: MemberInfo | undefined,
    force: boolean,
    opts: { step?: number; scheduler?: fc.Scheduler } = {},
  ): Actor {
    const actor = this.makeActor(
      'manual',
      `failover ${g.name}${to ? ` to ${to.id}` : ''}${force ? ' force' : ''}`,
      {
        ...opts,
        manual: { force },
        probeCertain: true,
      },
    );
    if (to !== undefined) this.manualTargets.add(`${g.name}:${to.id}`);
    else for (const m of g.members) this.manualTargets.add(`${g.name}:${m.id}`);
    this.launch(actor, async (rt) => {
      const r: ReconcileResult = await rt.service.failover(g.name, {
        to: to?.id,
        force,
        reason: 'campaign',
        actor: 'campaign-operator',
        invocationId: actor.id,
      });
      return [{ group: r.group, status: r.status }];
    });
    return actor;
  }

  setDrain(m: MemberInfo, on: boolean, opts: { step?: number; scheduler?: fc.Scheduler } = {}): Actor {
    const actor = this.makeActor(on ? 'drain' : 'undrain', `${on ? 'drain' : 'undrain'} ${m.id}`, {
      ...opts,
      probeCertain: true,
    });
    m.knowledge.drain(this.clock.now(), on, opts.step);
    this.launch(actor, async (rt) => {
      const { results } = await rt.service.setDrain(m.id, on, {
        reason: 'campaign',
        actor: 'campaign-operator',
        invocationId: actor.id,
      });
      return results.map((r) => ({ group: r.group, status: r.status }));
    });
    return actor;
  }

  /**
   * Runs virtual time until every given invocation has finished, crashed or paused. With a scheduler,
   * pending port calls are released one at a time in the order it picks; time moves only when nothing
   * can run.
   */
  async drive(actors: readonly Actor[], scheduler?: fc.Scheduler): Promise<void> {
    const from = this.clock.now();
    const settled = () => actors.every((a) => a.status !== 'running');
    for (;;) {
      await flush();
      if (settled()) return;
      if (scheduler !== undefined && scheduler.count() > 0) {
        await scheduler.waitNext(1);
        continue;
      }
      const due = this.clock.nextDue();
      if (due === undefined || due - from > MAX_COMMAND_MS) {
        const stuck = actors.filter((a) => a.status === 'running');
        this.violate(
          'liveness',
          `${stuck.map((a) => a.label).join(', ')} did not finish within ${MAX_COMMAND_MS / 60_000} virtual minutes`,
        );
        for (const a of stuck) a.status = 'abandoned';
        return;
      }
      this.clock.fireNext();
    }
  }

  /** Releases a paused invocation and drives it to its end. */
  async releasePaused(actor: Actor, how: 'proceed' | 'crash'): Promise<void> {
    if (actor.status !== 'paused' || actor.release === undefined) return;
    actor.pausedPastTtl = !(await this.holdsCurrentLease(actor));
    this.stepDisturbed = true;
    this.stats.fault(
      `pause released (${how}${actor.pausedPastTtl ? ', past the lease TTL' : ', within the TTL'})`,
    );
    actor.scheduler = undefined;
    const r = actor.release;
    actor.release = undefined;
    r(how);
    await this.drive([actor]);
  }

  private async holdsCurrentLease(actor: Actor): Promise<boolean> {
    const now = this.clock.now();
    for (const g of this.topology.groups) {
      const l = await this.store.getLease(g.name);
      if (l !== undefined && l.holder === actor.id && l.expiresAt > now) return true;
    }
    return false;
  }

  /** A saga point (a journal write or a cloud mutation): where the armed fault strikes. */
  private async point<T>(actor: Actor, label: string, apply: () => Promise<T>): Promise<T> {
    actor.points++;
    const plan = actor.plan;
    if (plan === undefined || plan.at !== actor.points) return apply();
    this.stats.fault(`${plan.how} at ${label}`);
    this.trace(`${actor.label}: ${plan.how} at ${label}`);
    this.stepDisturbed = true;
    if (plan.how === 'crash-before') {
      actor.status = 'abandoned';
      return never();
    }
    if (plan.how === 'crash-after') {
      await apply().catch(() => undefined);
      actor.status = 'abandoned';
      return never();
    }
    actor.status = 'paused';
    actor.pausedAt = label;
    let thaw!: () => void;
    actor.resumed = new Promise<void>((resolve) => {
      thaw = resolve;
    });
    const how = await new Promise<'proceed' | 'crash'>((resolve) => {
      actor.release = resolve;
    });
    // Killed while frozen (as FC kills an invocation at its timeout): nothing of it runs again.
    actor.status = how === 'crash' ? 'abandoned' : 'running';
    thaw();
    if (how === 'crash') return never();
    return apply();
  }

  /**
   * The whole invocation is one process: while it is paused every port call waits, and once it crashed
   * none returns. (Without this, a sweep's other groups would carry on after their process died.)
   */
  private alive<T extends object>(actor: Actor, target: T): T {
    return new Proxy(target, {
      get(t, p) {
        const v = (t as Record<PropertyKey, unknown>)[p];
        if (typeof v !== 'function' || p === 'close') return v;
        const fn = v as (...a: unknown[]) => unknown;
        return async (...args: unknown[]) => {
          while (actor.status === 'paused') await actor.resumed;
          if (actor.status === 'abandoned') return never();
          return fn.apply(t, args);
        };
      },
    });
  }

  // =============================================================================================
  // Auditing (invariants 2, 3, 4, 7 and fencing, at the instant a mutation leaves for the cloud)

  /** (group, epoch) from the ClientToken, by recomputing the token for each candidate group and step. */
  private epochOf(
    method: MutationMethod,
    req: Record<string, unknown>,
  ): { group: Group; epoch: number } | undefined {
    const token = req.clientToken;
    if (typeof token !== 'string') return undefined;
    const m = /^hv-(\d+)-/.exec(token);
    if (m === null) return undefined;
    const epoch = Number(m[1]);
    const id = String(req.instanceId ?? '');
    for (const g of this.topology.groups) {
      const keys =
        method === 'associateHaVip'
          ? [`attach-havip:${id}`]
          : method === 'unassociateHaVip'
            ? [`detach-havip:${id}`, `detach-havip:${id}:force`]
            : method === 'associateEipAddress'
              ? [`eip-bind:${id}`]
              : method === 'unassociateEipAddress'
                ? [`eip-unbind:${id}`]
                : g.members.map((x) => `announce:${x.id}`);
      for (const key of keys) if (clientToken(g.name, epoch, key) === token) return { group: g, epoch };
    }
    return undefined;
  }

  private async audited<T>(
    actor: Actor,
    method: MutationMethod,
    req: Record<string, unknown>,
    call: () => Promise<T>,
  ): Promise<T> {
    const now = this.clock.now();
    actor.mutations++;
    this.trace(`${actor.label}: ${ACTION[method]} ${JSON.stringify(req)}`);
    let who: { group: Group; epoch: number } | undefined;
    if (method === 'stopInstance') {
      // ECS StopInstance takes no ClientToken: the epoch is the one of the lease this invocation holds
      // on a group of the instance (-1 when it holds none, which is stale).
      const id = String(req.instanceId);
      for (const g of this.topology.groups) {
        if (!g.members.some((x) => x.id === id)) continue;
        const l = await this.store.getLease(g.name);
        if (who === undefined || l?.holder === actor.id)
          who = { group: g, epoch: l?.holder === actor.id ? l.epoch : -1 };
      }
    } else {
      who = this.epochOf(method, req);
    }
    this.stats.check('inv4-fencing');
    if (who === undefined) {
      this.violate(
        'inv4-fencing',
        `${actor.label} sent ${ACTION[method]} ${JSON.stringify(req)} without a ClientToken derived from (group, epoch, step)`,
      );
      return call();
    }
    const lease = await this.store.getLease(who.group.name);
    const current =
      lease !== undefined && lease.epoch === who.epoch && lease.holder === actor.id && lease.expiresAt > now;
    if (!current) {
      if (actor.pausedPastTtl) {
        // No cloud API takes a fencing token: a process frozen between its fence check and its request
        // sends a stale write. Production excludes it by a lease TTL longer than the function timeout;
        // the campaign lets it through and checks that the actor stops right after and that the group
        // still converges.
        const n = (actor.staleWritesByGroup.get(who.group.name) ?? 0) + 1;
        actor.staleWritesByGroup.set(who.group.name, n);
        this.stats.fault('stale write reached the cloud after a pause past the TTL');
        this.stepDisturbed = true;
        if (n > 1)
          this.violate(
            'inv4-fencing',
            `${actor.label} kept writing to ${who.group.name} after its lease was taken over (${ACTION[method]})`,
          );
        return call();
      }
      this.violate(
        'inv4-fencing',
        `${actor.label} sent ${ACTION[method]} for ${who.group.name} with epoch ${who.epoch} but the lease is ${lease ? `epoch ${lease.epoch} held by ${lease.holder} until ${lease.expiresAt} (now ${now})` : 'free'}`,
      );
      return call();
    }
    const verdicts = await this.checkMutation(actor, method, req, who.group, now);
    try {
      const result = await call();
      this.commitVerdicts(verdicts);
      return result;
    } catch (e) {
      // A lost answer may hide an applied change; any other error means the cloud refused it.
      if (e instanceof CloudResponseLostError) this.commitVerdicts(verdicts);
      throw e;
    }
  }

  /**
   * Invariants 2, 3, 7 and fencing for one mutation, judged on ground truth just before it is sent. The
   * verdicts count only if the cloud accepts the mutation (or loses the answer after applying it): a
   * request the cloud refuses changes nothing.
   */
  private async checkMutation(
    actor: Actor,
    method: MutationMethod,
    req: Record<string, unknown>,
    g: Group,
    now: number,
  ): Promise<Verdict[]> {
    const journal = await this.store.readJournal(g.name);
    const decision: Decision | undefined = journal?.decision;
    const forced =
      actor.manual?.force === true ||
      (decision !== undefined && (decision.kind === 'move' || decision.kind === 'attach') && decision.forced);
    const manual =
      actor.kind === 'manual' ||
      (decision?.kind === 'move' &&
        decision.cause === 'manual' &&
        this.manualTargets.has(`${g.name}:${decision.to}`));
    const id = String(req.instanceId ?? '');
    const bound = this.bound(g);
    const S = this.staleMs(actor.start, now);
    const out: Verdict[] = [];
    if (method === 'associateHaVip' || (method === 'associateEipAddress' && g.haVipId === undefined)) {
      if (bound.includes(id)) return out;
      out.push(this.checkTarget(actor, g, id, now, S, forced));
      for (const h of bound) if (h !== id) out.push(this.checkMoveAway(actor, g, h, id, now, S, manual));
    } else if (
      method === 'unassociateHaVip' ||
      (method === 'unassociateEipAddress' && g.haVipId === undefined)
    ) {
      if (!(bound.length === 1 && bound[0] === id)) return out;
      if (g.haVipId === undefined) {
        const to = decision?.kind === 'move' ? decision.to : undefined;
        out.push(this.checkMoveAway(actor, g, id, to, now, S, manual));
      }
      out.push(this.checkLastHolder(actor, g, id, now, S, forced));
    } else if (method === 'stopInstance') {
      const k = this.members.get(id)?.knowledge;
      if (bound.includes(id))
        out.push({
          inv: 'fence-stop',
          violation: `${actor.label} stopped ${id}, which still holds ${g.name}'s address`,
        });
      else if (k?.sureEligible(actor, now, S))
        out.push({
          inv: 'fence-stop',
          violation: `${actor.label} stopped ${id} although it was certainly eligible (${k.describe(now)})`,
        });
      else out.push({ inv: 'fence-stop' });
    }
    return out;
  }

  private commitVerdicts(verdicts: readonly Verdict[]): void {
    for (const v of verdicts) {
      if (v.undecided === true) this.stats.undecidedCheck(v.inv);
      else this.stats.check(v.inv);
      if (v.violation !== undefined) this.violate(v.inv, v.violation);
    }
  }

  private checkTarget(actor: Actor, g: Group, id: string, now: number, S: number, forced: boolean): Verdict {
    const inv = 'inv2-eligible-target';
    const m = this.members.get(id);
    if (m === undefined || m.group.name !== g.name)
      return { inv, violation: `${actor.label} attached ${id}, which is not a member of ${g.name}` };
    if (!forced && m.knowledge.sureIneligible(actor, now, S))
      return {
        inv,
        violation: `${actor.label} attached ${id} to ${g.name} although it was certainly ineligible throughout the invocation (since ${actor.start - this.started} ms): ${m.knowledge.describe(now)}`,
      };
    return { inv };
  }

  private checkMoveAway(
    actor: Actor,
    g: Group,
    holder: string,
    to: string | undefined,
    now: number,
    S: number,
    manual: boolean,
  ): Verdict {
    const inv = 'inv3-nopreempt';
    if (manual) return { inv };
    // A stale describe can hide the current holder: the engine could not know it was moving it.
    if (S > 0) return { inv, undecided: true };
    const h = this.members.get(holder);
    if (h === undefined || !h.knowledge.sureEligible(actor, now, S)) return { inv };
    if (g.nopreempt)
      return {
        inv,
        violation: `${actor.label} moved ${g.name} away from ${holder}${to ? ` to ${to}` : ''} under nopreempt although ${holder} was certainly eligible throughout the invocation: ${h.knowledge.describe(now)}`,
      };
    const target = to === undefined ? undefined : this.members.get(to);
    if (target !== undefined && target.member.priority <= h.member.priority)
      return {
        inv,
        violation: `${actor.label} preempted eligible ${holder} (priority ${h.member.priority}) for ${to} (priority ${target.member.priority}), which is not strictly higher`,
      };
    return { inv };
  }

  private checkLastHolder(
    actor: Actor,
    g: Group,
    holder: string,
    now: number,
    S: number,
    forced: boolean,
  ): Verdict {
    const inv = 'inv7-last-holder';
    if (forced) return { inv };
    // A stale describe can show a past split brain and make the only real holder look redundant.
    if (S > 0) return { inv, undecided: true };
    if (g.haVipId !== undefined)
      // Exclusive mode binds the new holder first: detaching the only holder leaves nobody serving.
      return {
        inv,
        violation: `${actor.label} detached ${holder}, the only member bound to ${g.name}'s HaVip`,
      };
    const others = g.members.filter((m) => m.id !== holder).map((m) => this.members.get(m.id) as MemberInfo);
    if (others.every((m) => m.knowledge.sureIneligible(actor, now, S)))
      return {
        inv,
        violation: `${actor.label} unbound ${g.name}'s EIP from ${holder} although no other member could be eligible (${others.map((m) => `${m.id}: ${m.knowledge.describe(now)}`).join('; ')})`,
      };
    return { inv };
  }

  /**
   * A store write is fenced when no newer epoch has been issued and the lease was not given up. A lease
   * that merely expired without being taken over still fences: nobody can have acted in between. (The
   * store compares expiry with the writer's own clock reading, which a frozen process carries over.)
   */
  private async auditJournal(actor: Actor, entry: JournalEntry, now: number): Promise<void> {
    this.stats.check('inv4-fencing');
    const l = await this.store.getLease(entry.group);
    if (l === undefined || l.epoch !== entry.epoch)
      this.violate(
        'inv4-fencing',
        `the store accepted ${actor.label}'s journal write (epoch ${entry.epoch}) while the lease was ${l ? `epoch ${l.epoch}` : 'released'} at ${now}`,
      );
    else if (l.expiresAt <= this.clock.now())
      this.stats.fault('journal write on an expired lease nobody had taken over');
  }

  private async auditHistory(actor: Actor, record: HistoryRecord): Promise<void> {
    if (record.epoch === 0) return;
    this.stats.check('inv4-fencing');
    const l = await this.store.getLease(record.group);
    if (l === undefined || l.epoch !== record.epoch || l.holder !== actor.id)
      this.violate(
        'inv4-fencing',
        `${actor.label} recorded history for ${record.group} (epoch ${record.epoch}) without holding that lease`,
      );
  }

  // =============================================================================================
  // Steps and step-end checks

  beginStep(concurrent: boolean): void {
    this.stepNo++;
    this.stepResults = new Map();
    this.stepDisturbed = false;
    this.stepConcurrent = concurrent;
    this.stepStartedAt = this.clock.now();
    for (const a of this.actors)
      if (a.status === 'finished' || a.status === 'abandoned') this.actors.delete(a);
  }

  private onFinished(actor: Actor): void {
    for (const r of actor.results) {
      this.stats.outcome(r.status);
      if (r.status !== 'busy')
        this.stepResults.set(r.group, [...(this.stepResults.get(r.group) ?? []), r.status]);
      const g = this.topology.groups.find((x) => x.name === r.group);
      if (g === undefined || r.status !== 'done') continue;
      if (g.haVipId === undefined || (g.announce !== 'agent' && g.announce !== 'cloud-assistant')) continue;
      const others = [...this.actors].some(
        (a) => a !== actor && (a.status === 'running' || a.status === 'paused'),
      );
      if (others) continue;
      // A stale MasterInstanceId from before the change can satisfy the verify step; a holder that
      // stopped while the invocation ran (or was frozen) cannot have been kept serving by it; and a
      // member released after the verify step took its binding with it, leaving none to judge.
      const holder = this.members.get(this.bound(g)[0] ?? '');
      const changedDuringRun = (m: MemberInfo | undefined): boolean =>
        m !== undefined && (this.hostChangedAt.get(m.host) ?? -1) >= actor.start;
      const unbound = this.bound(g).length === 0;
      if (
        this.staleMs(actor.start, this.clock.now()) > 0 ||
        changedDuringRun(holder) ||
        (unbound && g.members.some((m) => changedDuringRun(this.members.get(m.id))))
      ) {
        this.stats.undecidedCheck('data-plane');
        continue;
      }
      this.stats.check('data-plane');
      const bound = this.bound(g);
      const serving = this.sim.servingInstance(g.haVipId);
      if (bound.length !== 1 || serving !== bound[0])
        this.violate(
          'data-plane',
          `${actor.label} reported done for ${g.name}, but the HaVip is bound to [${bound.join(', ')}] and ${serving ?? 'nobody'} serves it`,
        );
    }
  }

  /** Invariant 1 at the end of a step: a finished reconcile leaves at most one holder. */
  endStep(): void {
    for (const [name, statuses] of this.stepResults) {
      const g = this.topology.groups.find((x) => x.name === name);
      if (g === undefined || g.haVipId === undefined) continue;
      const judged = this.stepConcurrent
        ? statuses.every((s) => SUCCESS.has(s))
        : SUCCESS.has(statuses.at(-1) ?? '');
      if (!judged) continue;
      const bound = this.bound(g);
      if (this.stepDisturbed) {
        this.stats.undecidedCheck('inv1-exclusive');
        continue;
      }
      if (this.staleMs(this.stepStartedAt, this.clock.now()) > 0) {
        // A stale describe can hide a binding (or show one that is gone) from the reconcile.
        this.stats.undecidedCheck('inv1-exclusive');
        continue;
      }
      this.stats.check('inv1-exclusive');
      if (bound.length > 1)
        this.violate(
          'inv1-exclusive',
          `after a finished reconcile (${statuses.join(', ')}) ${g.name}'s HaVip is bound to ${bound.join(', ')}`,
        );
    }
    for (const m of this.members.values()) m.knowledge.prune(this.clock.now() - 2 * 3600_000);
  }

  /** With CAMPAIGN_TRACE set, a line per step, invocation, mutation and cloud event (for replays). */
  trace(line: string): void {
    if (!TRACE) return;
    this.traceLines.push(`[${((this.clock.now() - this.started) / 1000).toFixed(3)}s] ${line}`);
    if (this.traceLines.length > 2_000) this.traceLines.shift();
  }

  /** The trace of this run so far (empty unless CAMPAIGN_TRACE is set). */
  readonly traceLines: string[] = [];

  violate(inv: Invariant, message: string): void {
    this.stats.violation(inv);
    this.violations.push(`[${inv}] step ${this.stepNo} @${this.clock.now() - this.started}ms: ${message}`);
  }

  /** Marks the step as unjudgeable for invariant 1 (a crash, a pause or its release happened). */
  disturb(): void {
    this.stepDisturbed = true;
  }

  close(): void {
    for (const [k, v] of Object.entries(this.sim.stats().faults)) this.stats.fault(`cloud answered: ${k}`, v);
    this.closed = true;
    this.stats.virtualMs += this.clock.now() - this.started;
    for (const a of this.actors) if (a.status === 'paused') a.status = 'abandoned';
    void this.store.close();
  }
}
