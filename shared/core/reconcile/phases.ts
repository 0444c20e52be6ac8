/**
 * One reconcile of one group, in named phases. {@link Reconciliation.run} reads top to bottom:
 *
 *   dry run (the `plan` trigger)  decide and plan on an observation, change nothing
 *   pre-check                     lease-free: a sweep's group that needs nothing ends here
 *   take the lease                another invocation holding it makes the run `busy`
 *   observe and decide            under the lease: journal, settled observation, health, decision, plan
 *   act                           run the saga, journal and record its outcome
 *   finish an incomplete switch   nothing to run: close what an earlier run left open
 *   fail or fence                 on error: stop silently if a newer actor owns the group, else report
 */
import { decide } from '../decide.js';
import { DeadlineExceededError, StaleEpochError } from '../errors.js';
import type { Decision, Group, ManualRequest, MemberHealth, MemberId, Quotas } from '../model.js';
import { boundOf, type GroupObservation } from '../observe.js';
import type {
  Clock,
  CloudApi,
  HaVipState,
  HistoryOutcome,
  JournalEntry,
  Lease,
  Logger,
  StateStore,
} from '../ports.js';
import type { BackoffPolicy } from '../retry.js';
import { plannedReport, planSteps, SagaRunner, type SagaStep, type StepReport, stepKey } from '../saga.js';
import { isTencentRetryable } from '../tencent/retry.js';
import type { TencentCloudApi } from '../tencent-ports.js';
import { notificationKind, outcomeOf, Recorder, type RecorderDeps } from './record.js';
import type { ReconcileRequest, ReconcileResult, ReconcileStatus, ResumedFrom } from './request.js';
import { errorOf } from './request.js';
import {
  addressChanging,
  awaitsAnnouncement,
  FINISHED,
  isForced,
  resumeDecision,
  unfinishedJournal,
} from './roll-forward.js';

/** What a reconcile needs from the engine: its ports, its options and its two reads. */
export interface ReconcileEnv extends RecorderDeps {
  readonly cloud: CloudApi;
  /** Tencent Cloud, for the groups on it. */
  readonly tencent?: TencentCloudApi | undefined;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  readonly quotas: Quotas;
  readonly leaseTtlMs: number;
  readonly backoff: BackoffPolicy;
  readonly poll: { readonly initialMs: number; readonly maxMs: number };
  /** Describes one group, retrying throttled and 5xx reads until `deadline`. */
  observeOne(group: Group, deadline: number): Promise<GroupObservation>;
  /**
   * Health for every member; persists the bookkeeping when `persist`. `unconfirmed`: host agent
   * reports that do not count (yet), each with its reason.
   */
  assess(
    group: Group,
    obs: GroupObservation,
    persist: boolean,
    runProbes: boolean,
  ): Promise<{ health: Map<MemberId, MemberHealth>; unconfirmed: readonly string[] }>;
}

/** What the run found under the lease. */
interface Found {
  readonly journal: JournalEntry | undefined;
  readonly unfinished: JournalEntry | undefined;
  readonly obs: GroupObservation;
  readonly decision: Decision;
  readonly plan: readonly SagaStep[];
}

const EFFECTIVE: ReadonlySet<HistoryOutcome> = new Set(['done', 'unverified', 'switch-incomplete']);

export class Reconciliation {
  private readonly started: number;
  private readonly log: Logger;
  private readonly recorder: Recorder;
  // What the run has found so far: reported whichever phase it ends in.
  private decision: Decision | undefined;
  private health: ReadonlyMap<MemberId, MemberHealth> = new Map();
  private holderBefore: string | undefined;
  private resumedFrom: ResumedFrom | undefined;
  private readonly steps: StepReport[] = [];
  // The lease, once taken; the saga renews it.
  private taken: Lease | undefined;
  // The HaVip last kept for heartbeats by this run (see remember).
  private remembered: string | undefined;
  private runner: SagaRunner | undefined;

  constructor(
    private readonly env: ReconcileEnv,
    private readonly group: Group,
    private readonly req: ReconcileRequest,
  ) {
    this.started = env.clock.now();
    this.log = env.logger.child({ group: group.name, trigger: req.trigger, invocationId: req.invocationId });
    this.recorder = new Recorder(env, group, this.log);
  }

  async run(): Promise<ReconcileResult> {
    if (this.req.trigger === 'plan') return this.dryRun();
    const { ended, probed } = await this.precheck();
    if (ended !== undefined) return ended;
    const busy = await this.takeLease();
    if (busy !== undefined) return busy;
    try {
      const found = await this.observeAndDecide(probed);
      if (found.plan.length > 0) return await this.act(found);
      return await this.finishIncompleteSwitch(found);
    } catch (e) {
      return await this.failOrFence(e);
    } finally {
      await this.env.store.releaseLease(this.group.name, this.lease.epoch).catch(() => undefined);
    }
  }

  /** The `plan` trigger: the decision and the steps a real run would take, on the caller's observation if given. */
  private async dryRun(): Promise<ReconcileResult> {
    const obs = this.req.observation ?? (await this.env.observeOne(this.group, this.req.deadline));
    ({ health: this.health } = await this.env.assess(this.group, obs, false, this.req.runProbes === true));
    this.decision = await this.decideFor(obs, this.req.manual);
    this.holderBefore = boundOf(this.group, obs).bound[0];
    const steps = planSteps(this.group, this.decision, obs, this.env.quotas).map(plannedReport);
    return this.finish('planned', undefined, { steps });
  }

  /**
   * Lease-free pre-check for sweeps: most groups need nothing, and a sweep of 1,000 groups must not write
   * 1,000 leases. Ends the run on the sweep's observation when the group is settled, has nothing left
   * open by an earlier run and needs no step. `probed`: the probes of this sweep have run.
   */
  private async precheck(): Promise<{ ended?: ReconcileResult; probed: boolean }> {
    const obs = this.req.observation;
    if (obs === undefined || this.req.manual !== undefined) return { probed: false };
    const journal = await this.env.store.readJournal(this.group.name);
    // An open switch-incomplete is closed under the lease, and a change in flight is waited out there:
    // neither is short-cut here.
    const open = journal !== undefined && (!FINISHED.has(journal.phase) || awaitsAnnouncement(journal));
    if (addressChanging(this.group, obs) || open) return { probed: false };
    const runProbes = this.req.runProbes === true;
    const { health, unconfirmed } = await this.env.assess(this.group, obs, true, runProbes);
    this.noteUnconfirmed(unconfirmed);
    const decision = await this.decideFor(obs, undefined, health);
    // Kept once decided: a split brain this sweep repairs keeps naming the member it keeps.
    await this.remember(obs.haVip, obs.observedAt, decision);
    if (planSteps(this.group, decision, obs, this.env.quotas).length > 0) return { probed: runProbes };
    if (decision.kind === 'alert') await this.recorder.alert(decision, undefined);
    this.decision = decision;
    this.health = health;
    this.holderBefore = boundOf(this.group, obs).bound[0];
    return { ended: this.finish(decision.kind === 'alert' ? 'alert' : 'noop', undefined), probed: runProbes };
  }

  /** Takes the group lease (a new epoch); another invocation holding it makes this run `busy`. */
  private async takeLease(): Promise<ReconcileResult | undefined> {
    const { store, clock, leaseTtlMs } = this.env;
    const acquired = await store.acquireLease(
      this.group.name,
      this.req.invocationId,
      leaseTtlMs,
      clock.now(),
    );
    if (acquired.acquired) {
      this.taken = acquired.lease;
      return undefined;
    }
    this.log.info(
      { heldBy: acquired.current.holder, epoch: acquired.current.epoch },
      'group busy: another invocation holds its lease and decides on what is recorded by then',
    );
    return this.finish('busy', acquired.current.epoch);
  }

  /**
   * Keeps what this run read of the group's HaVip for host agents' heartbeats (the store's observation:
   * a heartbeat costs no cloud call). A sweep's group is kept once per sweep; a run that moves the
   * address keeps every change the saga reads, so a new holder learns of its promotion while the saga
   * waits for it to announce. Advisory: a failed write is logged and changes nothing else.
   */
  private async remember(
    haVip: HaVipState | undefined,
    observedAt: number,
    decision = this.decision,
  ): Promise<void> {
    if (this.group.haVipId === undefined) return;
    const promoted = this.promotedIn(haVip, decision);
    const seen = JSON.stringify([haVip ?? null, promoted ?? null]);
    if (seen === this.remembered) return;
    this.remembered = seen;
    await this.env.store
      .recordObservation({ group: this.group.name, observedAt, haVip, promoted })
      .catch((e: unknown) =>
        this.log.warn({ error: errorOf(e) }, 'could not keep the observation for heartbeats'),
      );
  }

  /**
   * The member this run hands the address to while another is still bound (`announce: agent` on
   * Alibaba): a move's new holder once the saga has bound it (attached before the old one is detached),
   * or the member a split-brain repair keeps. Kept with the observation, it tells that member's agent to
   * announce one HaVip transition earlier, and the others' to withdraw; the verify step still waits for
   * `MasterInstanceId` to name it.
   */
  private promotedIn(haVip: HaVipState | undefined, d: Decision | undefined): MemberId | undefined {
    if (this.group.announce !== 'agent' || this.group.cloud === 'tencent') return undefined;
    const to = d?.kind === 'move' ? d.to : d?.kind === 'repair-split-brain' ? d.keep : undefined;
    return to !== undefined && haVip?.associatedInstances.includes(to) ? to : undefined;
  }

  /** Host agent reports that did not count, with the reason (no healthy reporter, no second witness). */
  private noteUnconfirmed(unconfirmed: readonly string[]): void {
    if (unconfirmed.length > 0) this.log.info({ unconfirmed }, 'agent reports not counted');
  }

  /**
   * Under the lease: the journal an earlier run may have left unfinished (rolled forward where it still
   * applies), the group observed afresh once no change is in flight on its address, health, the
   * decision and the plan.
   */
  private async observeAndDecide(probed: boolean): Promise<Found> {
    const journal = await this.env.store.readJournal(this.group.name);
    const unfinished = unfinishedJournal(journal, this.lease.epoch);
    if (unfinished) {
      this.resumedFrom = { epoch: unfinished.epoch, phase: unfinished.phase, step: unfinished.step };
      this.log.warn(
        { resumedFrom: this.resumedFrom },
        'rolling forward an unfinished journal from actual cloud state',
      );
    }
    const obs = await this.untilSettled(await this.env.observeOne(this.group, this.req.deadline));
    this.holderBefore = boundOf(this.group, obs).bound[0];
    // Probes already counted by the pre-check are not run again: fall/rise count one probe per sweep.
    const runProbes = this.req.runProbes === true && !probed;
    const assessed = await this.env.assess(this.group, obs, true, runProbes);
    this.health = assessed.health;
    this.noteUnconfirmed(assessed.unconfirmed);
    const decision =
      (unfinished && resumeDecision(this.group, unfinished, obs, this.health)) ||
      (await this.decideFor(obs, this.req.manual));
    this.decision = decision;
    // Kept once decided, so a move rolled forward keeps naming the member it promoted.
    await this.remember(obs.haVip, obs.observedAt);
    return {
      journal,
      unfinished,
      obs,
      decision,
      plan: planSteps(this.group, decision, obs, this.env.quotas),
    };
  }

  /** Runs the saga for the plan, then journals its outcome and records it (a repeated check only once). */
  private async act({ obs, decision, plan }: Found): Promise<ReconcileResult> {
    await this.recorder.journal(this.lease, 'PLANNED', decision, {
      steps: plan.map(stepKey),
      actor: this.actor,
      forced: isForced(decision),
    });
    const { cloud, store, clock, random, backoff, poll, leaseTtlMs } = this.env;
    this.runner = new SagaRunner({
      group: this.group,
      decision,
      cloud,
      store,
      clock,
      logger: this.log,
      random,
      deadline: this.req.deadline,
      backoff,
      poll,
      leaseTtlMs,
      lease: this.lease,
      haVip: obs.haVip,
      observed: (s) => this.remember(s, clock.now()),
      ...(this.group.cloud === 'tencent' ? { tencent: this.env.tencent, retryable: isTencentRetryable } : {}),
    });
    this.steps.push(...(await this.runner.run(plan)));
    const outcome = outcomeOf(this.group, decision, this.steps);
    await this.recorder.journal(this.lease, 'DONE', decision, { outcome });
    if (!(await this.recorder.repeatsLast(decision, outcome))) {
      await this.recorder.history(
        {
          epoch: this.lease.epoch,
          decision,
          outcome,
          actor: this.actor,
          durationMs: this.env.clock.now() - this.started,
          detail: {
            trigger: this.req.trigger,
            steps: this.steps.map((s) => `${s.key}=${s.outcome}${s.note ? ` (${s.note})` : ''}`),
            ...(this.resumedFrom ? { resumedFrom: this.resumedFrom } : {}),
          },
        },
        { kind: notificationKind(decision, outcome) },
      );
    }
    const status: ReconcileStatus =
      outcome === 'done' ? 'done' : outcome === 'unverified' ? 'unverified' : 'switch-incomplete';
    return this.finish(status, this.lease.epoch, { resumed: true });
  }

  /**
   * Nothing to run. What an earlier run left open is closed: its unfinished journal (rolled forward to
   * nothing), and a switch it left incomplete once the holder serves (the agent announced). An alert is
   * recorded when it changes.
   */
  private async finishIncompleteSwitch({
    journal,
    unfinished,
    obs,
    decision,
  }: Found): Promise<ReconcileResult> {
    if (decision.kind === 'alert') await this.recorder.alert(decision, this.actor);
    if (unfinished) await this.recorder.journal(this.lease, 'DONE', decision, { closes: unfinished.epoch });
    const serving = decision.kind === 'noop' ? decision.holder : undefined;
    const completes =
      journal !== undefined &&
      awaitsAnnouncement(journal) &&
      serving !== undefined &&
      obs.haVip?.masterInstanceId === serving
        ? journal.epoch
        : undefined;
    if (completes !== undefined && serving !== undefined) {
      await this.recorder.journal(this.lease, 'DONE', decision, { outcome: 'done', completes });
      await this.recorder.history(
        {
          epoch: this.lease.epoch,
          decision,
          outcome: 'done',
          actor: undefined,
          durationMs: undefined,
          detail: { completes, serving },
        },
        { kind: 'recovered', reason: `switch completed: ${serving} now serves the HaVip` },
      );
    }
    const status = completes !== undefined ? 'done' : decision.kind === 'alert' ? 'alert' : 'noop';
    return this.finish(status, this.lease.epoch, { resumed: true });
  }

  /**
   * The run failed. When a newer actor owns the group (our fence failed, or a paused run's lease was
   * taken over while it was out) it stops without another write and never undoes that actor's decision.
   * Otherwise the failure is journaled — except at a deadline, whose unfinished journal the next lease
   * holder rolls forward — recorded and notified.
   */
  private async failOrFence(e: unknown): Promise<ReconcileResult> {
    const error = errorOf(e);
    if (!(await this.ownsGroup(e))) {
      if (!(e instanceof StaleEpochError))
        this.log.warn(
          { error },
          'reconcile interrupted and our lease was taken over; stopping without writes',
        );
      return this.finish('fenced', this.taken?.epoch, { error });
    }
    this.log.error({ error, decision: this.decision?.kind }, 'reconcile failed');
    const decision = this.decision;
    if (decision !== undefined) {
      // The FAILED write is the last fence: an actor that took the group while this run was frozen
      // before it makes the write stale, and then this run records and notifies nothing.
      if (!(e instanceof DeadlineExceededError)) {
        const fenced = await this.recorder.journal(this.lease, 'FAILED', decision, { error }).then(
          () => false,
          (je: unknown) => je instanceof StaleEpochError,
        );
        if (fenced) return this.finish('fenced', this.taken?.epoch, { error });
      }
      await this.recorder.history(
        {
          epoch: this.lease.epoch,
          decision,
          outcome: 'failed',
          actor: this.actor,
          durationMs: this.env.clock.now() - this.started,
          detail: { error, steps: this.steps.map((s) => `${s.key}=${s.outcome}`) },
        },
        { kind: 'failed', failure: error },
      );
    }
    return this.finish('failed', this.taken?.epoch, { error });
  }

  /** Whether our epoch is still the group's current lease (a stale-epoch error already says no). */
  private ownsGroup(e: unknown): Promise<boolean> {
    if (e instanceof StaleEpochError) return Promise.resolve(false);
    const now = this.env.clock.now();
    return this.env.store.assertEpoch(this.group.name, this.lease.epoch, now).then(
      () => true,
      () => false,
    );
  }

  /**
   * Decisions are made on a settled address: a change still in flight (an earlier epoch's, cut off by its
   * deadline or a crash) completes later and would contradict a decision taken beside it.
   */
  private async untilSettled(first: GroupObservation): Promise<GroupObservation> {
    const { clock, poll } = this.env;
    let obs = first;
    let delay = poll.initialMs;
    while (addressChanging(this.group, obs)) {
      if (clock.now() + delay >= this.req.deadline)
        throw new DeadlineExceededError(
          `waiting for the change in flight on ${this.group.name}'s address to settle`,
        );
      await clock.sleep(delay);
      delay = Math.min(poll.maxMs, Math.ceil(delay * 1.6));
      obs = await this.env.observeOne(this.group, this.req.deadline);
    }
    return obs;
  }

  /** decide() on the observation, the health and the group's recent effective moves (the flap guard). */
  private async decideFor(
    obs: GroupObservation,
    manual: ManualRequest | undefined,
    health: ReadonlyMap<MemberId, MemberHealth> = this.health,
  ): Promise<Decision> {
    const { group } = this;
    const now = this.env.clock.now();
    const history = await this.env.store.listHistory({
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

  /** The lease this run holds, as last renewed by the saga. */
  private get lease(): Lease {
    return this.runner?.lease ?? (this.taken as Lease);
  }

  /** Who caused the run: the operator of a manual failover, or the caller's actor. */
  private get actor(): string | undefined {
    return this.req.manual?.actor ?? this.req.actor;
  }

  /** The result, from what the run has found so far; logged once. */
  private finish(
    status: ReconcileStatus,
    epoch: number | undefined,
    extra: { steps?: StepReport[]; resumed?: boolean; error?: ReconcileResult['error'] } = {},
  ): ReconcileResult {
    const result: ReconcileResult = {
      group: this.group.name,
      trigger: this.req.trigger,
      status,
      decision: this.decision,
      steps: extra.steps ?? this.steps,
      epoch,
      holderBefore: this.holderBefore,
      health: [...this.health.values()],
      ...(extra.resumed && this.resumedFrom ? { resumedFrom: this.resumedFrom } : {}),
      ...(extra.error ? { error: extra.error } : {}),
      durationMs: this.env.clock.now() - this.started,
    };
    this.log.info(
      {
        status,
        decision: result.decision?.kind,
        reason: result.decision?.reason,
        epoch,
        durationMs: result.durationMs,
        error: result.error?.code,
      },
      'reconcile',
    );
    return result;
  }
}
