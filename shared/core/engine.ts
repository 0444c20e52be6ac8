/**
 * The orchestrator engine: one reconcile code path for every trigger (event, heartbeat, sweep, manual,
 * drain, and the `plan` dry run). observe → assess health → decide (pure) → act under the group lease
 * (saga) → record and notify. The phases of one reconcile are in reconcile/phases.ts.
 */

import { witnessProbeOf } from './corroborate.js';
import { ConfigError, NotFoundError } from './errors.js';
import { assessGroup, type MemberObservation } from './health.js';
import type { Group, GroupName, Member, MemberHealth, MemberId, ProbeConfig, Topology } from './model.js';
import { type GroupObservation, mapLimit, observeGroups, type ReadRetry } from './observe.js';
import type { Clock, CloudApi, Logger, Notifier, Prober, StateStore } from './ports.js';
import { type ReconcileEnv, Reconciliation } from './reconcile/phases.js';
import { failedResult, type ReconcileRequest, type ReconcileResult } from './reconcile/request.js';
import { type BackoffPolicy, backoffOrGiveUp, DEFAULT_BACKOFF, isRetryable } from './retry.js';
import { observeTencentGroups } from './tencent/observe.js';
import { isTencentRetryable } from './tencent/retry.js';
import type { TencentCloudApi } from './tencent-ports.js';

export {
  errorOf,
  failedResult,
  type ReconcileRequest,
  type ReconcileResult,
  type ReconcileStatus,
  type Trigger,
} from './reconcile/request.js';
export { resumeDecision } from './reconcile/roll-forward.js';

export interface EngineDeps {
  /** Alibaba Cloud: the groups with `cloud: alibaba` (required when the topology has any). */
  readonly cloud?: CloudApi | undefined;
  /** Tencent Cloud: the groups with `cloud: tencent` (required when the topology has any). */
  readonly tencent?: TencentCloudApi | undefined;
  readonly store: StateStore;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly prober?: Prober | undefined;
  /** Jitter source; injectable so the fault campaign is reproducible from a seed. */
  readonly random?: (() => number) | undefined;
}

export interface EngineOptions {
  /** Must exceed the function timeout plus a clock-skew margin (SEMANTICS.md). */
  readonly leaseTtlMs: number;
  readonly backoff: BackoffPolicy;
  readonly poll: { readonly initialMs: number; readonly maxMs: number };
  /** Calls in flight during a sweep's batched describes and per-group reconciles. */
  readonly sweepConcurrency: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  leaseTtlMs: 180_000,
  backoff: DEFAULT_BACKOFF,
  poll: { initialMs: 100, maxMs: 1_000 },
  sweepConcurrency: 4,
};

export class Engine {
  private readonly opts: EngineOptions;
  private readonly groups: Map<string, Group>;
  private readonly random: () => number;
  private readonly env: ReconcileEnv;
  private readonly alibaba: CloudApi;

  constructor(
    private readonly deps: EngineDeps,
    readonly topology: Topology,
    opts: Partial<EngineOptions> = {},
  ) {
    this.opts = { ...DEFAULT_ENGINE_OPTIONS, ...opts };
    requirePort(topology, 'tencent', deps.tencent);
    requirePort(topology, 'alibaba', deps.cloud);
    this.alibaba = deps.cloud ?? NO_ALIBABA;
    this.groups = new Map(topology.groups.map((g) => [g.name, g]));
    this.random = deps.random ?? Math.random;
    const { tencent, store, notifier, clock, logger } = deps;
    this.env = {
      cloud: this.alibaba,
      tencent,
      store,
      notifier,
      clock,
      logger,
      random: this.random,
      quotas: topology.quotas,
      leaseTtlMs: this.opts.leaseTtlMs,
      backoff: this.opts.backoff,
      poll: this.opts.poll,
      observeOne: (group, deadline) => this.observeOne(group, deadline),
      assess: (group, obs, persist, runProbes) => this.assess(group, obs, persist, runProbes),
    };
  }

  group(name: string): Group {
    const g = this.groups.get(name);
    if (g === undefined)
      throw new NotFoundError('group', name, `known groups: ${[...this.groups.keys()].join(', ')}`);
    return g;
  }

  // ===========================================================================================
  // Reconcile

  /** One reconcile of one group, whatever the trigger; `plan` is the dry run (see reconcile/phases.ts). */
  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    return new Reconciliation(this.env, this.group(req.group), req).run();
  }

  /**
   * The timer sweep: one batched observation for every group (a DescribeHaVips page per 50 HaVips, an
   * instance call per 100 ids), then a bounded number of group reconciles in parallel.
   */
  async sweep(req: {
    invocationId: string;
    deadline: number;
    groups?: readonly string[];
    runProbes?: boolean;
  }): Promise<ReconcileResult[]> {
    const groups =
      req.groups === undefined ? [...this.topology.groups] : req.groups.map((n) => this.group(n));
    const observations = await this.observe(groups, req.deadline, this.opts.sweepConcurrency);
    return mapLimit(groups, this.opts.sweepConcurrency, (g) =>
      this.reconcile({
        group: g.name,
        trigger: 'sweep',
        invocationId: req.invocationId,
        deadline: req.deadline,
        runProbes: req.runProbes ?? true,
        observation: observations.get(g.name),
      }).catch((e: unknown) => failedResult(g.name, 'sweep', e)),
    );
  }

  // ===========================================================================================
  // Internals

  /**
   * What the cloud says about one group. With a `deadline`, throttled and 5xx describes are retried with
   * backoff until then: one throttled read must not postpone a failover to the next sweep.
   */
  async observeOne(group: Group, deadline?: number): Promise<GroupObservation> {
    const obs = (await this.observe([group], deadline)).get(group.name);
    return obs as GroupObservation;
  }

  /** Alibaba groups through the Alibaba observer, Tencent groups through Tencent's, in parallel. */
  private async observe(
    groups: readonly Group[],
    deadline: number | undefined,
    concurrency?: number,
  ): Promise<Map<GroupName, GroupObservation>> {
    const now = () => this.deps.clock.now();
    const tencentGroups = groups.filter((g) => g.cloud === 'tencent');
    const alibabaGroups = tencentGroups.length === 0 ? groups : groups.filter((g) => g.cloud !== 'tencent');
    const [alibaba, tencent] = await Promise.all([
      alibabaGroups.length === 0
        ? new Map<GroupName, GroupObservation>()
        : observeGroups(this.alibaba, alibabaGroups, now, concurrency, this.readRetry(deadline, isRetryable)),
      tencentGroups.length === 0 || this.deps.tencent === undefined
        ? new Map<GroupName, GroupObservation>()
        : observeTencentGroups(
            this.deps.tencent,
            tencentGroups,
            now,
            this.readRetry(deadline, isTencentRetryable),
          ),
    ]);
    for (const [name, obs] of tencent) alibaba.set(name, obs);
    return alibaba;
  }

  /** Retries a describe that failed retryably with backoff until `deadline`; without one, reads once. */
  private readRetry(deadline: number | undefined, retryable: (e: unknown) => boolean): ReadRetry | undefined {
    if (deadline === undefined) return undefined;
    return async (what, read) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await read();
        } catch (e) {
          if (!retryable(e)) throw e;
          await backoffOrGiveUp(attempt, this.deps.clock, deadline, this.opts.backoff, this.random, what, e);
        }
      }
    };
  }

  /**
   * Health for every member; persists the bookkeeping when `persist` (compare-and-set, advisory). When
   * a healthy agent reports a member silent and nothing else confirms it, a witness probe of that member
   * runs now (corroborate.ts); `unconfirmed` says which reports did not count, and why.
   */
  async assess(
    group: Group,
    obs: GroupObservation,
    persist: boolean,
    runProbes: boolean,
  ): Promise<{ health: Map<MemberId, MemberHealth>; unconfirmed: string[] }> {
    const { store, clock } = this.deps;
    const ids = group.members.map((m) => m.id);
    const [signals, states] = await Promise.all([store.latestSignals(ids), store.getHealth(ids)]);
    const probeConfig = group.health.probe;
    const probes =
      runProbes && probeConfig !== undefined ? await this.probe(group.members, probeConfig) : new Map();
    const observations: MemberObservation[] = group.members.map((m) => ({
      member: m,
      instance: obs.instances.get(m.id),
      eni: obs.enis.get(m.id),
      signals: signals.get(m.id) ?? {},
      state: states.get(m.id),
      probe: probes.get(m.id),
    }));
    // The probes of this round double as witnesses; a suspect without one is probed now.
    let assessed = assessGroup(group, observations, clock.now(), probes);
    const suspects = group.members.filter((m) => assessed.findings.get(m.id)?.wantsProbe === true);
    if (suspects.length > 0 && this.deps.prober !== undefined) {
      const witness = await this.probe(suspects, witnessProbeOf(group));
      assessed = assessGroup(group, observations, clock.now(), new Map([...probes, ...witness]));
    }
    const health = new Map<MemberId, MemberHealth>();
    for (const [id, a] of assessed.assessments) {
      health.set(id, a.health);
      if (persist && a.changed) await store.putHealth(a.next, states.get(id)?.version ?? 0);
    }
    const unconfirmed = [...assessed.findings.values()].flatMap((f) => f.unconfirmed ?? []);
    return { health, unconfirmed };
  }

  /** Probes the members in parallel from the function; no prober configured = no result. */
  private async probe(members: readonly Member[], config: ProbeConfig): Promise<Map<MemberId, boolean>> {
    const { prober } = this.deps;
    const out = new Map<MemberId, boolean>();
    if (prober === undefined) return out;
    await Promise.all(
      members.map(async (m) => out.set(m.id, await prober.probe({ memberId: m.id, ip: m.ip }, config))),
    );
    return out;
  }
}

/** An engine needs the port of every cloud its topology's groups are on. */
function requirePort(topology: Topology, cloud: 'alibaba' | 'tencent', port: unknown): void {
  const on = topology.groups.filter((g) => (g.cloud ?? 'alibaba') === cloud).map((g) => g.name);
  if (on.length === 0 || port !== undefined) return;
  const name = cloud === 'tencent' ? 'Tencent Cloud' : 'Alibaba Cloud';
  throw new ConfigError(`groups ${on.join(', ')} are on ${name}, but no ${name} adapter is configured`, []);
}

/** The Alibaba port of an engine whose topology has no Alibaba group: nothing may call it. */
export const NO_ALIBABA: CloudApi = new Proxy({} as CloudApi, {
  get: (_target, name) =>
    name === 'then'
      ? undefined
      : () => Promise.reject(new ConfigError(`no Alibaba Cloud adapter is configured (${String(name)})`, [])),
});
