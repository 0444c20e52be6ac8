/**
 * The orchestrator engine: one reconcile code path for every trigger (event, heartbeat, sweep, manual,
 * plan). observe → assess health → decide (pure) → act under the group lease (saga) → record and notify.
 */
import { decide } from './decide.js';
import type { ErrorCode } from './errors.js';
import { DeadlineExceededError, HavipError, NotFoundError, StaleEpochError } from './errors.js';
import { assessMember, type MemberObservation } from './health.js';
import type { Decision, Group, GroupName, ManualRequest, MemberHealth, MemberId, Topology } from './model.js';
import { boundOf, type GroupObservation, mapLimit, observeGroups, type ReadRetry } from './observe.js';
import type {
  Clock,
  CloudApi,
  HistoryOutcome,
  JournalEntry,
  Lease,
  Logger,
  Notification,
  NotificationKind,
  Notifier,
  Prober,
  StateStore,
} from './ports.js';
import { type BackoffPolicy, backoffOrGiveUp, DEFAULT_BACKOFF, isRetryable } from './retry.js';
import { planSteps, SagaRunner, type SagaStep, type StepReport, stepKey, stepTarget } from './saga.js';

export interface EngineDeps {
  readonly cloud: CloudApi;
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

export type Trigger = 'event' | 'heartbeat' | 'sweep' | 'manual' | 'plan' | 'drain';

export type ReconcileStatus =
  | 'noop'
  | 'done'
  | 'unverified'
  | 'switch-incomplete'
  | 'alert'
  | 'busy'
  | 'fenced'
  | 'failed'
  | 'planned';

export interface ReconcileResult {
  readonly group: GroupName;
  readonly trigger: Trigger;
  readonly status: ReconcileStatus;
  readonly decision: Decision | undefined;
  readonly steps: readonly StepReport[];
  readonly epoch: number | undefined;
  readonly holderBefore: string | undefined;
  readonly health: readonly MemberHealth[];
  /** Set when an unfinished journal of an earlier epoch was rolled forward. */
  readonly resumedFrom?: {
    readonly epoch: number;
    readonly phase: string;
    readonly step: string | undefined;
  };
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  readonly durationMs: number;
}

export interface ReconcileRequest {
  readonly group: GroupName;
  readonly trigger: Trigger;
  readonly invocationId: string;
  /** Absolute epoch-ms deadline (the invocation's remaining time minus a margin). */
  readonly deadline: number;
  readonly manual?: ManualRequest | undefined;
  readonly dryRun?: boolean | undefined;
  readonly runProbes?: boolean | undefined;
  /** Who caused this run (an operator's drain, a manual failover); recorded in the history. */
  readonly actor?: string | undefined;
  /** A batched observation from a sweep; used for a lease-free pre-check only. */
  readonly observation?: GroupObservation | undefined;
}

const EFFECTIVE: ReadonlySet<HistoryOutcome> = new Set(['done', 'unverified', 'switch-incomplete']);
const FINISHED = new Set(['DONE', 'FAILED']);

export class Engine {
  private readonly opts: EngineOptions;
  private readonly groups: Map<string, Group>;
  private readonly random: () => number;

  constructor(
    private readonly deps: EngineDeps,
    readonly topology: Topology,
    opts: Partial<EngineOptions> = {},
  ) {
    this.opts = { ...DEFAULT_ENGINE_OPTIONS, ...opts };
    this.groups = new Map(topology.groups.map((g) => [g.name, g]));
    this.random = deps.random ?? Math.random;
  }

  group(name: string): Group {
    const g = this.groups.get(name);
    if (g === undefined)
      throw new NotFoundError('group', name, `known groups: ${[...this.groups.keys()].join(', ')}`);
    return g;
  }

  // ===========================================================================================
  // Reconcile

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    const group = this.group(req.group);
    const started = this.deps.clock.now();
    const log = this.deps.logger.child({
      group: group.name,
      trigger: req.trigger,
      invocationId: req.invocationId,
    });
    const base = { group: group.name, trigger: req.trigger };
    const finish = (r: Omit<ReconcileResult, 'group' | 'trigger' | 'durationMs'>): ReconcileResult => {
      const result = { ...base, ...r, durationMs: this.deps.clock.now() - started };
      log.info(
        {
          status: result.status,
          decision: result.decision?.kind,
          reason: result.decision?.reason,
          epoch: result.epoch,
          durationMs: result.durationMs,
          error: result.error?.code,
        },
        'reconcile',
      );
      return result;
    };

    if (req.dryRun) {
      const obs = await this.observeOne(group, req.deadline);
      const { health } = await this.assess(group, obs, false, req.runProbes === true);
      const decision = await this.decideFor(group, obs, health, req.manual);
      const steps = planSteps(group, decision, obs, this.topology.quotas).map(planned);
      return finish({
        status: 'planned',
        decision,
        steps,
        epoch: undefined,
        holderBefore: boundOf(group, obs).bound[0],
        health: [...health.values()],
      });
    }

    // Lease-free pre-check for sweeps: most groups need nothing, and a sweep of 1,000 groups must not
    // write 1,000 leases.
    let probed = false;
    if (req.observation !== undefined && req.manual === undefined) {
      const journal = await this.deps.store.readJournal(group.name);
      // An open switch-incomplete is closed under the lease below, so it is not short-cut here.
      // A change in flight is waited out under the lease below, so it is not short-cut here either.
      const settled = !addressChanging(group, req.observation);
      if (
        settled &&
        (journal === undefined || (FINISHED.has(journal.phase) && !awaitsAnnouncement(journal)))
      ) {
        const { health } = await this.assess(group, req.observation, true, req.runProbes === true);
        probed = req.runProbes === true;
        const decision = await this.decideFor(group, req.observation, health, undefined);
        const steps = planSteps(group, decision, req.observation, this.topology.quotas);
        if (steps.length === 0) {
          if (decision.kind === 'alert') await this.recordAlert(group, decision, undefined, log);
          return finish({
            status: decision.kind === 'alert' ? 'alert' : 'noop',
            decision,
            steps: [],
            epoch: undefined,
            holderBefore: boundOf(group, req.observation).bound[0],
            health: [...health.values()],
          });
        }
      }
    }

    const now = this.deps.clock.now();
    const acquired = await this.deps.store.acquireLease(
      group.name,
      req.invocationId,
      this.opts.leaseTtlMs,
      now,
    );
    if (!acquired.acquired) {
      return finish({
        status: 'busy',
        decision: undefined,
        steps: [],
        epoch: acquired.current.epoch,
        holderBefore: undefined,
        health: [],
      });
    }
    const lease: Lease = acquired.lease;
    let holderBefore: string | undefined;
    let decision: Decision | undefined;
    let health: Map<MemberId, MemberHealth> = new Map();
    let resumedFrom: ReconcileResult['resumedFrom'];
    let runner: SagaRunner | undefined;
    const steps: StepReport[] = [];
    try {
      const journal = await this.deps.store.readJournal(group.name);
      const unfinished =
        journal !== undefined && !FINISHED.has(journal.phase) && journal.epoch < lease.epoch
          ? journal
          : undefined;
      if (unfinished) {
        resumedFrom = { epoch: unfinished.epoch, phase: unfinished.phase, step: unfinished.step };
        log.warn({ resumedFrom }, 'rolling forward an unfinished journal from actual cloud state');
      }
      const obs = await this.untilSettled(group, await this.observeOne(group, req.deadline), req.deadline);
      holderBefore = boundOf(group, obs).bound[0];
      // Probes already counted by the pre-check are not run again: fall/rise count one probe per sweep.
      ({ health } = await this.assess(group, obs, true, req.runProbes === true && !probed));
      decision =
        (unfinished && resumeDecision(group, unfinished, obs, health)) ||
        (await this.decideFor(group, obs, health, req.manual));
      const plan = planSteps(group, decision, obs, this.topology.quotas);

      if (plan.length === 0) {
        if (decision.kind === 'alert')
          await this.recordAlert(group, decision, req.manual?.actor ?? req.actor, log);
        if (unfinished)
          await this.journal(group, lease, 'DONE', decision, undefined, { closes: unfinished.epoch });
        // A switch left incomplete earlier is now served (the agent announced): record the completion.
        const keptHolder = decision.kind === 'noop' ? decision.holder : undefined;
        const completed =
          journal !== undefined &&
          awaitsAnnouncement(journal) &&
          keptHolder !== undefined &&
          obs.haVip?.masterInstanceId === keptHolder;
        if (completed) {
          await this.journal(group, lease, 'DONE', decision, undefined, {
            outcome: 'done',
            completes: journal.epoch,
          });
          await this.deps.store.appendHistory({
            group: group.name,
            epoch: lease.epoch,
            at: this.deps.clock.now(),
            decision,
            outcome: 'done',
            actor: undefined,
            durationMs: undefined,
            detail: { completes: journal.epoch, serving: keptHolder },
          });
          await this.notify(
            group,
            'recovered',
            { ...decision, reason: `switch completed: ${keptHolder} now serves the HaVip` },
            'done',
            log,
          );
        }
        return finish({
          status: completed ? 'done' : decision.kind === 'alert' ? 'alert' : 'noop',
          decision,
          steps,
          epoch: lease.epoch,
          holderBefore,
          health: [...health.values()],
          ...(resumedFrom ? { resumedFrom } : {}),
        });
      }

      await this.journal(group, lease, 'PLANNED', decision, undefined, {
        steps: plan.map(stepKey),
        actor: req.manual?.actor ?? req.actor,
        forced: isForced(decision),
      });
      runner = new SagaRunner({
        group,
        decision,
        cloud: this.deps.cloud,
        store: this.deps.store,
        clock: this.deps.clock,
        logger: log,
        random: this.random,
        deadline: req.deadline,
        backoff: this.opts.backoff,
        poll: this.opts.poll,
        leaseTtlMs: this.opts.leaseTtlMs,
        lease,
        haVip: obs.haVip,
      });
      steps.push(...(await runner.run(plan)));
      const outcome = outcomeOf(group, decision, steps);
      await this.journal(group, runner.lease, 'DONE', decision, undefined, { outcome });
      // A sweep re-checking a holder that still has not announced must not re-record and re-notify.
      const [last] = await this.deps.store.listHistory({ group: group.name, limit: 1 });
      const repeated =
        decision.kind === 'noop' && outcome === 'switch-incomplete' && last?.outcome === 'switch-incomplete';
      if (!repeated) {
        await this.deps.store.appendHistory({
          group: group.name,
          epoch: lease.epoch,
          at: this.deps.clock.now(),
          decision,
          outcome,
          actor: req.manual?.actor ?? req.actor,
          durationMs: this.deps.clock.now() - started,
          detail: {
            trigger: req.trigger,
            steps: steps.map((s) => `${s.key}=${s.outcome}${s.note ? ` (${s.note})` : ''}`),
            ...(resumedFrom ? { resumedFrom } : {}),
          },
        });
        await this.notify(group, notificationKind(decision, outcome), decision, outcome, log);
      }
      const status: ReconcileStatus =
        outcome === 'done' ? 'done' : outcome === 'unverified' ? 'unverified' : 'switch-incomplete';
      return finish({
        status,
        decision,
        steps,
        epoch: lease.epoch,
        holderBefore,
        health: [...health.values()],
        ...(resumedFrom ? { resumedFrom } : {}),
      });
    } catch (e) {
      const err = errorOf(e);
      // A newer actor owns the group (our fence failed, or a paused run's lease was taken over while it
      // was out): stop without another write, never undo its decision.
      const stillCurrent =
        !(e instanceof StaleEpochError) &&
        (await this.deps.store
          .assertEpoch(group.name, runner?.lease.epoch ?? lease.epoch, this.deps.clock.now())
          .then(
            () => true,
            () => false,
          ));
      if (!stillCurrent) {
        if (!(e instanceof StaleEpochError))
          log.warn(
            { error: err },
            'reconcile interrupted and our lease was taken over; stopping without writes',
          );
        return finish({
          status: 'fenced',
          decision,
          steps,
          epoch: lease.epoch,
          holderBefore,
          health: [...health.values()],
          error: err,
        });
      }
      log.error({ error: err, decision: decision?.kind }, 'reconcile failed');
      if (decision !== undefined) {
        // A deadline leaves the journal unfinished on purpose: the next lease holder rolls it forward.
        if (!(e instanceof DeadlineExceededError)) {
          await this.journal(group, runner?.lease ?? lease, 'FAILED', decision, undefined, {
            error: err,
          }).catch(() => undefined);
        }
        await this.deps.store
          .appendHistory({
            group: group.name,
            epoch: lease.epoch,
            at: this.deps.clock.now(),
            decision,
            outcome: 'failed',
            actor: req.manual?.actor ?? req.actor,
            durationMs: this.deps.clock.now() - started,
            detail: { error: err, steps: steps.map((s) => `${s.key}=${s.outcome}`) },
          })
          .catch(() => undefined);
        await this.notify(group, 'failed', decision, 'failed', log, err.message);
      }
      return finish({
        status: 'failed',
        decision,
        steps,
        epoch: lease.epoch,
        holderBefore,
        health: [...health.values()],
        error: err,
      });
    } finally {
      await this.deps.store
        .releaseLease(group.name, runner?.lease.epoch ?? lease.epoch)
        .catch(() => undefined);
    }
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

  private observe(
    groups: readonly Group[],
    deadline: number | undefined,
    concurrency?: number,
  ): Promise<Map<GroupName, GroupObservation>> {
    const retry: ReadRetry | undefined =
      deadline === undefined
        ? undefined
        : async (what, read) => {
            for (let attempt = 0; ; attempt++) {
              try {
                return await read();
              } catch (e) {
                if (!isRetryable(e)) throw e;
                await backoffOrGiveUp(
                  attempt,
                  this.deps.clock,
                  deadline,
                  this.opts.backoff,
                  this.random,
                  what,
                  e,
                );
              }
            }
          };
    return observeGroups(this.deps.cloud, groups, () => this.deps.clock.now(), concurrency, retry);
  }

  /**
   * Decisions are made on a settled address: a change still in flight (an earlier epoch's, cut off by its
   * deadline or a crash) completes later and would contradict a decision taken beside it.
   */
  private async untilSettled(
    group: Group,
    first: GroupObservation,
    deadline: number,
  ): Promise<GroupObservation> {
    let obs = first;
    let delay = this.opts.poll.initialMs;
    while (addressChanging(group, obs)) {
      if (this.deps.clock.now() + delay >= deadline)
        throw new DeadlineExceededError(
          `waiting for the change in flight on ${group.name}'s address to settle`,
        );
      await this.deps.clock.sleep(delay);
      delay = Math.min(this.opts.poll.maxMs, Math.ceil(delay * 1.6));
      obs = await this.observeOne(group, deadline);
    }
    return obs;
  }

  /** Health for every member; persists the bookkeeping when `persist` (compare-and-set, advisory). */
  async assess(
    group: Group,
    obs: GroupObservation,
    persist: boolean,
    runProbes: boolean,
  ): Promise<{ health: Map<MemberId, MemberHealth> }> {
    const { store, clock, prober } = this.deps;
    const ids = group.members.map((m) => m.id);
    const [signals, states] = await Promise.all([store.latestSignals(ids), store.getHealth(ids)]);
    const probeConfig = group.health.probe;
    const probes = new Map<MemberId, boolean>();
    if (runProbes && probeConfig !== undefined && prober !== undefined) {
      await Promise.all(
        group.members.map(async (m) =>
          probes.set(m.id, await prober.probe({ memberId: m.id, ip: m.ip }, probeConfig)),
        ),
      );
    }
    const now = clock.now();
    const health = new Map<MemberId, MemberHealth>();
    for (const m of group.members) {
      const o: MemberObservation = {
        member: m,
        instance: obs.instances.get(m.id),
        eni: obs.enis.get(m.id),
        signals: signals.get(m.id) ?? {},
        state: states.get(m.id),
        probe: probes.get(m.id),
      };
      const a = assessMember(group, o, now);
      health.set(m.id, a.health);
      if (persist && a.changed) await store.putHealth(a.next, states.get(m.id)?.version ?? 0);
    }
    return { health };
  }

  private async decideFor(
    group: Group,
    obs: GroupObservation,
    health: Map<MemberId, MemberHealth>,
    manual: ManualRequest | undefined,
  ): Promise<Decision> {
    const now = this.deps.clock.now();
    const history = await this.deps.store.listHistory({
      group: group.name,
      since: Math.max(0, now - group.flapGuard.windowSeconds * 1000),
      limit: 100,
    });
    const recentMoves = history
      .filter((h) => h.decision.kind === 'move' && EFFECTIVE.has(h.outcome))
      .map((h) => h.at);
    const { bound, master } = boundOf(group, obs);
    return decide({ group, bound, master, health, recentMoves, now, manual });
  }

  private async journal(
    group: Group,
    lease: Lease,
    phase: JournalEntry['phase'],
    decision: Decision,
    step: string | undefined,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.writeJournal(
      { group: group.name, epoch: lease.epoch, phase, decision, step, updatedAt: now, detail },
      now,
    );
  }

  /** Alerts are recorded and notified when they change, not on every sweep. */
  private async recordAlert(
    group: Group,
    decision: Extract<Decision, { kind: 'alert' }>,
    actor: string | undefined,
    log: Logger,
  ): Promise<void> {
    if (decision.alert === 'manual-refused') return;
    const [last] = await this.deps.store.listHistory({ group: group.name, limit: 1 });
    if (
      last !== undefined &&
      last.outcome === 'blocked' &&
      last.decision.kind === 'alert' &&
      last.decision.alert === decision.alert
    )
      return;
    await this.deps.store.appendHistory({
      group: group.name,
      epoch: 0,
      at: this.deps.clock.now(),
      decision,
      outcome: 'blocked',
      actor,
      durationMs: undefined,
      detail: undefined,
    });
    await this.notify(group, 'failover-blocked', decision, 'blocked', log);
  }

  private async notify(
    group: Group,
    kind: NotificationKind,
    decision: Decision,
    outcome: HistoryOutcome,
    log: Logger,
    error?: string,
  ): Promise<void> {
    const severity: Notification['severity'] =
      kind === 'failed' ||
      kind === 'switch-incomplete' ||
      (decision.kind === 'alert' && decision.alert !== 'flap-guard')
        ? 'critical'
        : kind === 'failover-blocked'
          ? 'warning'
          : 'info';
    const n: Notification = {
      kind,
      severity,
      group: group.name,
      summary: `${group.name}: ${decision.reason}`,
      at: this.deps.clock.now(),
      details: { decision, outcome, ...(error ? { error } : {}) },
    };
    try {
      await this.deps.notifier.notify(n);
    } catch (e) {
      // A failed notification never blocks or fails a failover.
      log.warn({ error: errorOf(e), kind }, 'notification failed');
    }
  }
}

/**
 * Roll-forward: a new lease holder finding an unfinished journal continues toward its target from the
 * actual cloud state, if the target is still eligible (or the move was forced); otherwise it re-decides.
 */
export function resumeDecision(
  group: Group,
  journal: JournalEntry,
  obs: GroupObservation,
  health: ReadonlyMap<MemberId, MemberHealth>,
): Decision | undefined {
  const d = journal.decision;
  const target =
    d.kind === 'attach'
      ? d.target
      : d.kind === 'move'
        ? d.to
        : d.kind === 'repair-split-brain'
          ? d.keep
          : undefined;
  if (target === undefined) return undefined;
  const forced = isForced(d);
  if (!forced && health.get(target)?.eligible !== true) return undefined;
  const { bound } = boundOf(group, obs);
  const members = new Set<string>(group.members.map((m) => m.id));
  if (bound.some((id) => !members.has(id))) return undefined; // foreign: let decide() alert
  const others = bound.filter((id) => id !== target) as MemberId[];
  const why = `rolling forward epoch ${journal.epoch} (${journal.phase}${journal.step ? ` ${journal.step}` : ''}) toward ${target}`;
  if (bound.includes(target)) {
    if (others.length === 0) return undefined; // already there: decide() confirms (and drift steps still run)
    return {
      kind: 'repair-split-brain',
      keep: target,
      detach: others,
      reason: `${why}: detaching ${others.join(', ')}`,
    };
  }
  const from = others[0];
  if (from === undefined) return { kind: 'attach', target, forced, reason: `${why}: nothing bound` };
  const cause = d.kind === 'move' ? d.cause : 'failover';
  // Nothing of the move shows in the cloud yet (the target is not bound and no change is in flight that
  // could be binding it): its reason may be gone (the holder recovered), so an automatic move is decided
  // afresh rather than replayed. An operator's move is carried out.
  if (!forced && cause !== 'manual' && !addressChanging(group, obs)) return undefined;
  return { kind: 'move', from, to: target, cause, forced, reason: `${why}: moving from ${from}` };
}

/** Whether the group's address (its HaVip, or the EIP of a `direct` group) has a change in flight. */
function addressChanging(group: Group, obs: GroupObservation): boolean {
  const status = group.haVipId !== undefined ? obs.haVip?.status : obs.eip?.status;
  return status === 'Associating' || status === 'Unassociating';
}

/** The last run bound the holder but could not see it announce: the next runs keep checking. */
function awaitsAnnouncement(journal: JournalEntry): boolean {
  return journal.phase === 'DONE' && journal.detail?.outcome === 'switch-incomplete';
}

function isForced(d: Decision): boolean {
  return (d.kind === 'move' || d.kind === 'attach') && d.forced;
}

function outcomeOf(group: Group, decision: Decision, steps: readonly StepReport[]): HistoryOutcome {
  if (steps.some((s) => s.outcome === 'incomplete')) return 'switch-incomplete';
  const changesHolder =
    decision.kind === 'attach' || decision.kind === 'move' || decision.kind === 'repair-split-brain';
  if (changesHolder && group.haVipId !== undefined && group.announce === 'none') return 'unverified';
  return 'done';
}

function notificationKind(decision: Decision, outcome: HistoryOutcome): NotificationKind {
  if (outcome === 'switch-incomplete') return 'switch-incomplete';
  if (decision.kind === 'repair-split-brain') return 'split-brain-repaired';
  if (decision.kind === 'attach') return 'recovered';
  if (decision.kind === 'move') return 'failover';
  return 'recovered'; // drift repair on a noop decision
}

function planned(step: SagaStep): StepReport {
  return { op: step.op, target: stepTarget(step), key: stepKey(step), outcome: 'planned' };
}

/** The result of a reconcile that could not even start (the error is in `error`). */
export function failedResult(group: GroupName, trigger: Trigger, e: unknown): ReconcileResult {
  return {
    group,
    trigger,
    status: 'failed',
    decision: undefined,
    steps: [],
    epoch: undefined,
    holderBefore: undefined,
    health: [],
    error: errorOf(e),
    durationMs: 0,
  };
}

export function errorOf(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof HavipError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
