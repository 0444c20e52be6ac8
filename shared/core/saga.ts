/**
 * The action protocol (SEMANTICS.md "Action protocol"): a decision becomes a list of steps; each step is
 * fenced by the lease epoch, journaled before it runs, sent with a ClientToken derived from
 * (group, epoch, step), retried only when retryable, and followed by polling the asynchronous status until
 * it settles. The dry-run (`plan`) returns the same steps without running them.
 */
import { announceScript } from './announce.js';
import {
  CloudError,
  CloudResponseLostError,
  DeadlineExceededError,
  HavipError,
  StaleEpochError,
} from './errors.js';
import type { Decision, Group, Member, MemberId, Quotas } from './model.js';
import type { GroupObservation } from './observe.js';
import type {
  Clock,
  CloudApi,
  EipInstanceType,
  EipState,
  HaVipInstanceType,
  HaVipState,
  JournalPhase,
  Lease,
  Logger,
  StateStore,
} from './ports.js';
import { type BackoffPolicy, backoffOrGiveUp, isRetryable } from './retry.js';

export type SagaStep =
  | { readonly op: 'attach-havip'; readonly member: MemberId; readonly instanceType: HaVipInstanceType }
  | {
      readonly op: 'detach-havip';
      readonly member: MemberId;
      readonly instanceType: HaVipInstanceType;
      readonly force: boolean;
    }
  /** Run the announce script on `host`: the member itself, or the instance an ENI member is attached to. */
  | { readonly op: 'announce'; readonly member: MemberId; readonly host: string }
  /** Wait up to `waitSeconds` for `MasterInstanceId` to name the member (0 = one read). */
  | { readonly op: 'verify'; readonly member: MemberId; readonly waitSeconds: number }
  | { readonly op: 'eip-unbind'; readonly instanceId: string; readonly instanceType: EipInstanceType }
  | { readonly op: 'eip-bind'; readonly instanceId: string; readonly instanceType: EipInstanceType }
  | { readonly op: 'fence-stop'; readonly member: MemberId };

export type StepOutcome = 'planned' | 'done' | 'skipped' | 'failed' | 'incomplete';

export interface StepReport {
  readonly op: SagaStep['op'];
  readonly target: string;
  readonly key: string;
  readonly outcome: StepOutcome;
  readonly clientToken?: string;
  readonly note?: string;
  readonly durationMs?: number;
}

const PHASE: Record<SagaStep['op'], JournalPhase> = {
  'attach-havip': 'ATTACHING',
  'detach-havip': 'DETACHING',
  announce: 'ANNOUNCING',
  verify: 'VERIFYING',
  'eip-unbind': 'EIP',
  'eip-bind': 'EIP',
  'fence-stop': 'FENCING',
};

export const stepTarget = (s: SagaStep): string => ('member' in s ? s.member : s.instanceId);
export const stepKey = (s: SagaStep): string => `${s.op}:${stepTarget(s)}`;

const haVipType = (m: Member): HaVipInstanceType => (m.kind === 'eni' ? 'NetworkInterface' : 'EcsInstance');
const eipType = (m: Member): EipInstanceType => (m.kind === 'eni' ? 'NetworkInterface' : 'EcsInstance');

/** FNV-1a 64-bit, hex: a short stable digest for ClientTokens (pure, no crypto dependency needed). */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of new TextEncoder().encode(text)) {
    h ^= BigInt(ch);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** ClientToken from (group, epoch, step): ASCII, ≤ 64 chars, identical for every retry of one step. */
export function clientToken(group: string, epoch: number, key: string): string {
  const op = key.split(':')[0] ?? 'step';
  return `hv-${epoch}-${op}-${fnv1a64(`${group}\u0000${epoch}\u0000${key}`)}`.slice(0, 64);
}

/** Turns a decision into steps against what was observed. Pure; used by real runs and by `plan`. */
export function planSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  quotas: Quotas,
): SagaStep[] {
  const byId = new Map<string, Member>(group.members.map((m) => [m.id, m]));
  const member = (id: MemberId): Member => byId.get(id) as Member;
  const steps: SagaStep[] = [];
  const master = obs.haVip?.masterInstanceId;

  // The member that should serve the address once the steps are done (for announce/verify/EIP).
  let target: MemberId | undefined;
  if (group.haVipId !== undefined && group.announce === 'keepalived') {
    steps.push(...keepalivedSteps(group, decision, obs, member));
    if (group.eip?.mode === 'havip') steps.push(...eipOnHaVipSteps(group, obs.eip));
  } else if (group.haVipId !== undefined) {
    if (decision.kind === 'attach') {
      target = decision.target;
      steps.push({ op: 'attach-havip', member: target, instanceType: haVipType(member(target)) });
    } else if (decision.kind === 'move') {
      target = decision.to;
      const attach: SagaStep = {
        op: 'attach-havip',
        member: decision.to,
        instanceType: haVipType(member(decision.to)),
      };
      const detach: SagaStep = {
        op: 'detach-havip',
        member: decision.from,
        instanceType: haVipType(member(decision.from)),
        force: master === undefined || master === decision.from,
      };
      // Attach first when the HaVip may hold two bindings: traffic never has nowhere to go.
      if (quotas.membersPerHaVip < 2) steps.push(detach, attach);
      // With Cloud Assistant the new holder announces while the old one is still bound: traffic switches
      // as soon as the script has run, before the detach round trips.
      else if (group.announce === 'cloud-assistant')
        steps.push(attach, announceStep(decision.to, obs), detach);
      else steps.push(attach, detach);
    } else if (decision.kind === 'repair-split-brain') {
      target = decision.keep;
      for (const id of decision.detach) {
        steps.push({
          op: 'detach-havip',
          member: id,
          instanceType: haVipType(member(id)),
          force: master === undefined || master === id,
        });
      }
    }
    const bound = obs.haVip?.associatedInstances ?? [];
    const holder = decision.kind === 'noop' ? decision.holder : undefined;
    if (target === undefined && holder !== undefined && bound.length === 1 && master !== holder) {
      // Bound but not serving (an earlier switch-incomplete, or the holder lost its address): retry the
      // announcement (cloud-assistant), or check once whether the agent has announced since.
      target = holder;
      if (group.announce === 'cloud-assistant') {
        steps.push(announceStep(target, obs), {
          op: 'verify',
          member: target,
          waitSeconds: group.announceDeadlineSeconds,
        });
      } else if (group.announce === 'agent') {
        steps.push({ op: 'verify', member: target, waitSeconds: 0 });
      }
    } else if (target !== undefined && group.announce !== 'none') {
      if (group.announce === 'cloud-assistant' && !steps.some((x) => x.op === 'announce'))
        steps.push(announceStep(target, obs));
      steps.push({ op: 'verify', member: target, waitSeconds: group.announceDeadlineSeconds });
    }
    if (group.eip?.mode === 'havip') steps.push(...eipOnHaVipSteps(group, obs.eip));
  } else if (group.eip !== undefined) {
    // `direct` mode: the EIP itself is the floating address.
    if (decision.kind === 'attach') {
      target = decision.target;
      steps.push({ op: 'eip-bind', instanceId: target, instanceType: eipType(member(target)) });
    } else if (decision.kind === 'move') {
      target = decision.to;
      steps.push({
        op: 'eip-unbind',
        instanceId: decision.from,
        instanceType: eipType(member(decision.from)),
      });
      steps.push({ op: 'eip-bind', instanceId: decision.to, instanceType: eipType(member(decision.to)) });
    }
  }

  // Opt-in fencing: stop an old holder that is still Running but unhealthy, after it lost the address.
  if (decision.kind === 'move' && decision.cause === 'failover' && group.fencing === 'stop') {
    const old = member(decision.from);
    if (old.kind === 'ecs' && obs.instances.get(old.id)?.status === 'Running')
      steps.push({ op: 'fence-stop', member: old.id });
  }
  return steps;
}

/**
 * keepalived coexistence: every present member stays bound (a replaced member is re-bound); a forced move
 * unbinds the unhealthy master so keepalived on the peers takes over, then verifies the new master.
 */
function keepalivedSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  member: (id: MemberId) => Member,
): SagaStep[] {
  const steps: SagaStep[] = [];
  const bound = new Set(obs.haVip?.associatedInstances ?? []);
  const unbinding = decision.kind === 'move' ? decision.from : undefined;
  for (const m of group.members) {
    if (bound.has(m.id) || m.id === unbinding) continue;
    const present =
      m.kind === 'eni'
        ? obs.enis.get(m.id)?.instanceId !== undefined
        : obs.instances.get(m.id)?.status === 'Running';
    if (present) steps.push({ op: 'attach-havip', member: m.id, instanceType: haVipType(m) });
  }
  if (decision.kind === 'move') {
    steps.push({
      op: 'detach-havip',
      member: decision.from,
      instanceType: haVipType(member(decision.from)),
      force: true,
    });
    steps.push({ op: 'verify', member: decision.to, waitSeconds: group.announceDeadlineSeconds });
  }
  return steps;
}

/** Cloud Assistant runs on instances: an ENI member announces through the instance it is attached to. */
function announceStep(member: MemberId, obs: GroupObservation): SagaStep {
  const host = member.startsWith('eni-') ? (obs.enis.get(member)?.instanceId ?? member) : member;
  return { op: 'announce', member, host };
}

/** EIP drift repair in `havip` mode: the EIP must be bound to the HaVip. */
function eipOnHaVipSteps(group: Group, eip: EipState | undefined): SagaStep[] {
  if (group.haVipId === undefined || eip === undefined) return [];
  const onHaVip = eip.instanceId === group.haVipId && eip.status !== 'Available';
  if (onHaVip) return [];
  const steps: SagaStep[] = [];
  if (eip.instanceId !== undefined && eip.instanceId !== '' && eip.status !== 'Available') {
    // Drifted onto something else. Only take it back from one of our own members; anything else is foreign.
    if (!group.members.some((m) => m.id === eip.instanceId)) return [];
    steps.push({
      op: 'eip-unbind',
      instanceId: eip.instanceId,
      instanceType: (eip.instanceType as EipInstanceType) ?? 'EcsInstance',
    });
  }
  steps.push({ op: 'eip-bind', instanceId: group.haVipId, instanceType: 'HaVip' });
  return steps;
}

// =============================================================================================
// Execution

export interface SagaContext {
  readonly group: Group;
  readonly decision: Decision;
  readonly cloud: CloudApi;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  readonly deadline: number;
  readonly backoff: BackoffPolicy;
  readonly poll: { readonly initialMs: number; readonly maxMs: number };
  readonly leaseTtlMs: number;
  lease: Lease;
  /** The HaVip as last read (the observation, then every poll): a settled state needs no extra read. */
  haVip: HaVipState | undefined;
}

const SETTLING = new Set(['Associating', 'Unassociating', 'Creating']);
const NONE: ReadonlySet<string> = new Set();
/** Terminal InvocationStatus values of a Cloud Assistant run. */
const FINISHED_INVOCATION = new Set([
  'Success',
  'Failed',
  'Timeout',
  'Error',
  'Cancelled',
  'Stopped',
  'Terminated',
  'Invalid',
  'Aborted',
  'PartialFailed',
]);
const ANNOUNCE_COMMAND_TIMEOUT_S = 30;
const ALREADY_ATTACHED = new Set(['InvalidAssociation.Duplicated']);
const ALREADY_DETACHED = new Set(['ResourceNotAssociated', 'InvalidAssociation.NotFound']);

export class SagaRunner {
  /** Whether `ctx.haVip` was read by this saga (after its own mutations), not only observed before it. */
  private knownIsFresh = false;
  /** The steps after the one running (a detach-first plan attaches after it detaches). */
  private remaining: readonly SagaStep[] = [];

  constructor(private readonly ctx: SagaContext) {}

  get lease(): Lease {
    return this.ctx.lease;
  }

  async run(steps: readonly SagaStep[]): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    for (const [i, step] of steps.entries()) {
      this.remaining = steps.slice(i + 1);
      const started = this.ctx.clock.now();
      const key = stepKey(step);
      await this.fence();
      await this.ctx.store.writeJournal(
        {
          group: this.ctx.group.name,
          epoch: this.ctx.lease.epoch,
          phase: PHASE[step.op],
          decision: this.ctx.decision,
          step: key,
          updatedAt: this.ctx.clock.now(),
          detail: undefined,
        },
        this.ctx.clock.now(),
      );
      const { outcome, note, token } = await this.runStep(step, key);
      reports.push({
        op: step.op,
        target: stepTarget(step),
        key,
        outcome,
        ...(token ? { clientToken: token } : {}),
        ...(note ? { note } : {}),
        durationMs: this.ctx.clock.now() - started,
      });
      this.ctx.logger.info(
        { group: this.ctx.group.name, epoch: this.ctx.lease.epoch, step: key, outcome, note },
        'saga step',
      );
    }
    return reports;
  }

  private token(key: string): string {
    return clientToken(this.ctx.group.name, this.ctx.lease.epoch, key);
  }

  /** Every mutation and every journal write is preceded by this check (invariant 4). */
  private async fence(): Promise<void> {
    const now = this.ctx.clock.now();
    if (now > this.ctx.lease.expiresAt - this.ctx.leaseTtlMs / 2) {
      this.ctx.lease = await this.ctx.store.renewLease(
        this.ctx.group.name,
        this.ctx.lease.epoch,
        this.ctx.leaseTtlMs,
        now,
      );
    }
    await this.ctx.store.assertEpoch(this.ctx.group.name, this.ctx.lease.epoch, this.ctx.clock.now());
  }

  private async runStep(
    step: SagaStep,
    key: string,
  ): Promise<{ outcome: StepOutcome; note?: string; token?: string }> {
    const { group, cloud } = this.ctx;
    const regionId = group.region;
    const haVipId = group.haVipId as string;
    switch (step.op) {
      case 'attach-havip': {
        const before = await this.settledHaVip('HaVip to settle before attach');
        if (before.associatedInstances.includes(step.member))
          return { outcome: 'skipped', note: 'already bound' };
        const token = this.token(key);
        await this.mutate(
          'AssociateHaVip',
          () =>
            cloud.associateHaVip({
              regionId,
              haVipId,
              instanceId: step.member,
              instanceType: step.instanceType,
              clientToken: token,
            }),
          ALREADY_ATTACHED,
          async () => {
            const s = await this.readHaVip();
            return s.associatedInstances.includes(step.member) || s.status === 'Associating';
          },
        );
        await this.waitHaVip(
          (s) => !SETTLING.has(s.status) && s.associatedInstances.includes(step.member),
          `${step.member} to be bound`,
        );
        return { outcome: 'done', token };
      }
      case 'detach-havip': {
        // A fresh read, not the last known state: the new holder may have been unbound since (its
        // instance released), and detaching on an outdated picture would leave the HaVip unbound.
        const before = await this.waitHaVip((s) => !SETTLING.has(s.status), 'HaVip to settle before detach');
        if (!before.associatedInstances.includes(step.member))
          return { outcome: 'skipped', note: 'not bound' };
        // The new holder is bound before the old one is detached. If this member is now the only binding
        // (a change still in flight when the plan was made has completed since), detaching it would leave
        // the HaVip unbound: never make things worse; the next reconcile decides from what is bound.
        if (before.associatedInstances.length === 1 && !this.remaining.some((s) => s.op === 'attach-havip'))
          return { outcome: 'skipped', note: `${step.member} is the only binding left` };
        // The master cannot be detached without Force; the master may have changed since the plan.
        const force = step.force || before.masterInstanceId === step.member;
        const token = this.token(force && !step.force ? `${key}:force` : key);
        await this.mutate(
          'UnassociateHaVip',
          () =>
            cloud.unassociateHaVip({
              regionId,
              haVipId,
              instanceId: step.member,
              instanceType: step.instanceType,
              force,
              clientToken: token,
            }),
          ALREADY_DETACHED,
          async () => {
            const s = await this.readHaVip();
            return !s.associatedInstances.includes(step.member) || s.status === 'Unassociating';
          },
        );
        await this.waitHaVip(
          (s) => !SETTLING.has(s.status) && !s.associatedInstances.includes(step.member),
          `${step.member} to be unbound`,
        );
        return { outcome: 'done', token };
      }
      case 'announce': {
        // Cloud Assistant runs the announce script on the new holder. A failed run is reported, not thrown:
        // the bind has happened, and the verify step that follows says whether traffic switched.
        const address = this.ctx.haVip?.ipAddress ?? (await this.readHaVip()).ipAddress;
        const token = this.token(key);
        let invokeId = '';
        try {
          await this.mutate(
            'RunCommand',
            async () => {
              ({ invokeId } = await cloud.runCommand({
                regionId,
                instanceId: step.host,
                commandContent: announceScript(address),
                timeoutSeconds: ANNOUNCE_COMMAND_TIMEOUT_S,
                clientToken: token,
                name: 'havip-announce',
              }));
            },
            NONE,
            async () => false,
          );
          const until = Math.min(
            this.ctx.deadline,
            this.ctx.clock.now() + group.announceDeadlineSeconds * 1000,
          );
          const r = await this.pollUntil(
            () => cloud.describeInvocationResult({ regionId, invokeId, instanceId: step.host }),
            (x) => x !== undefined && FINISHED_INVOCATION.has(x.status),
            `the announce command on ${step.host}`,
            until,
          );
          if (r?.status !== 'Success') {
            const detail = `${r?.status ?? 'unknown'}${r?.errorCode ? ` (${r.errorCode})` : ''}${r?.exitCode !== undefined ? `, exit ${r.exitCode}` : ''}`;
            return { outcome: 'failed', token, note: `announce command ${detail}` };
          }
          return { outcome: 'done', token, note: `invocation ${invokeId}` };
        } catch (e) {
          if (e instanceof StaleEpochError) throw e;
          return {
            outcome: 'failed',
            token,
            note: `announce command could not run: ${e instanceof HavipError ? e.message : String(e)}`,
          };
        }
      }
      case 'verify': {
        // The previous step's last poll may already show the new master: no need to ask again.
        if (this.ctx.haVip?.masterInstanceId === step.member && this.knownIsFresh) {
          return { outcome: 'done', note: `MasterInstanceId is ${step.member}` };
        }
        const until = Math.min(this.ctx.deadline, this.ctx.clock.now() + step.waitSeconds * 1000);
        try {
          await this.waitHaVip(
            (s) => s.masterInstanceId === step.member,
            `MasterInstanceId to name ${step.member}`,
            until,
          );
          return { outcome: 'done', note: `MasterInstanceId is ${step.member}` };
        } catch (e) {
          if (!(e instanceof DeadlineExceededError)) throw e;
          const s = await this.readHaVip().catch(() => undefined);
          return {
            outcome: 'incomplete',
            note: `bound but not announced: MasterInstanceId is ${s?.masterInstanceId ?? 'empty'}`,
          };
        }
      }
      case 'eip-unbind': {
        const allocationId = group.eip?.allocationId as string;
        const before = await this.waitEip((e) => !SETTLING.has(e.status), 'EIP to settle');
        if (before.instanceId !== step.instanceId || before.status === 'Available')
          return { outcome: 'skipped', note: 'not bound there' };
        const token = this.token(key);
        await this.mutate(
          'UnassociateEipAddress',
          () =>
            cloud.unassociateEipAddress({
              regionId,
              allocationId,
              instanceId: step.instanceId,
              instanceType: step.instanceType,
              clientToken: token,
            }),
          ALREADY_DETACHED,
          async () => {
            const e = await this.readEip();
            return (
              e.instanceId !== step.instanceId || e.status === 'Unassociating' || e.status === 'Available'
            );
          },
        );
        await this.waitEip((e) => e.status === 'Available', 'EIP to be released');
        return { outcome: 'done', token };
      }
      case 'eip-bind': {
        const allocationId = group.eip?.allocationId as string;
        const before = await this.waitEip((e) => !SETTLING.has(e.status), 'EIP to settle');
        if (before.instanceId === step.instanceId && before.status === 'InUse')
          return { outcome: 'skipped', note: 'already bound' };
        const token = this.token(key);
        await this.mutate(
          'AssociateEipAddress',
          () =>
            cloud.associateEipAddress({
              regionId,
              allocationId,
              instanceId: step.instanceId,
              instanceType: step.instanceType,
              clientToken: token,
            }),
          ALREADY_ATTACHED,
          async () => {
            const e = await this.readEip();
            return e.instanceId === step.instanceId && e.status !== 'Available';
          },
        );
        await this.waitEip(
          (e) => e.status === 'InUse' && e.instanceId === step.instanceId,
          'EIP to be bound',
        );
        return { outcome: 'done', token };
      }
      case 'fence-stop': {
        try {
          await this.mutate(
            'StopInstance',
            () => cloud.stopInstance({ regionId, instanceId: step.member, forceStop: true }),
            new Set(['IncorrectInstanceStatus']),
            async () => false,
          );
        } catch (e) {
          // Fencing is best effort: the address has already moved. Report, never undo the failover.
          return { outcome: 'failed', note: e instanceof HavipError ? e.message : String(e) };
        }
        return { outcome: 'done' };
      }
    }
  }

  /**
   * Sends one mutation. Retries only retryable errors with full-jitter backoff inside the deadline; treats
   * "already in the desired state" codes as success; after a lost response re-reads state before retrying.
   * The same ClientToken is reused on every retry, so a retry of a committed request has no second effect.
   */
  private async mutate(
    action: string,
    call: () => Promise<unknown>,
    alreadyDone: ReadonlySet<string>,
    effectVisible: () => Promise<boolean>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.fence();
      try {
        await call();
        return;
      } catch (e) {
        if (e instanceof CloudError && alreadyDone.has(e.alibabaCode)) return;
        if (e instanceof CloudResponseLostError) {
          const visible = await effectVisible().catch(() => false);
          if (visible) return;
        }
        if (!isRetryable(e)) throw e;
        this.ctx.logger.warn(
          { group: this.ctx.group.name, action, attempt, code: e instanceof HavipError ? e.code : undefined },
          'retrying cloud call',
        );
        await backoffOrGiveUp(
          attempt,
          this.ctx.clock,
          this.ctx.deadline,
          this.ctx.backoff,
          this.ctx.random,
          action,
          e,
        );
      }
    }
  }

  private async readHaVip(): Promise<HaVipState> {
    const id = this.ctx.group.haVipId as string;
    const [s] = await this.ctx.cloud.describeHaVips({ regionId: this.ctx.group.region, haVipIds: [id] });
    this.ctx.haVip = s;
    this.knownIsFresh = true;
    if (s === undefined) {
      throw new CloudError({
        action: 'DescribeHaVips',
        alibabaCode: 'InvalidHaVipId.NotFound',
        message: `${id} not found`,
        retryable: false,
        code: 'cloud.not-found',
      });
    }
    return s;
  }

  private async readEip(): Promise<EipState> {
    const id = this.ctx.group.eip?.allocationId as string;
    const [e] = await this.ctx.cloud.describeEipAddresses({
      regionId: this.ctx.group.region,
      allocationIds: [id],
    });
    if (e === undefined) {
      throw new CloudError({
        action: 'DescribeEipAddresses',
        alibabaCode: 'InvalidAllocationId.NotFound',
        message: `${id} not found`,
        retryable: false,
        code: 'cloud.not-found',
      });
    }
    return e;
  }

  /** The HaVip once no change is in flight; no call when the last known state is already settled. */
  private settledHaVip(what: string): Promise<HaVipState> {
    const known = this.ctx.haVip;
    if (known !== undefined && !SETTLING.has(known.status)) return Promise.resolve(known);
    return this.waitHaVip((s) => !SETTLING.has(s.status), what);
  }

  private waitHaVip(
    pred: (s: HaVipState) => boolean,
    what: string,
    until = this.ctx.deadline,
  ): Promise<HaVipState> {
    return this.pollUntil(() => this.readHaVip(), pred, what, until);
  }

  private waitEip(pred: (e: EipState) => boolean, what: string): Promise<EipState> {
    return this.pollUntil(() => this.readEip(), pred, what, this.ctx.deadline);
  }

  /** Polls with exponential backoff until `pred` holds or `until` passes. Retryable read errors are absorbed. */
  private async pollUntil<T>(
    read: () => Promise<T>,
    pred: (t: T) => boolean,
    what: string,
    until: number,
  ): Promise<T> {
    let delay = this.ctx.poll.initialMs;
    for (;;) {
      try {
        const value = await read();
        if (pred(value)) return value;
      } catch (e) {
        if (!isRetryable(e)) throw e;
      }
      if (this.ctx.clock.now() + delay >= until) throw new DeadlineExceededError(`waiting for ${what}`);
      await this.ctx.clock.sleep(delay);
      delay = Math.min(this.ctx.poll.maxMs, Math.ceil(delay * 1.6));
      if (this.ctx.clock.now() > this.ctx.lease.expiresAt - this.ctx.leaseTtlMs / 2) await this.fence();
    }
  }
}
