/**
 * One handler per step kind. Each says what its step changes, how it sees that the change is already in
 * place (skip) or visible after a lost response, and what "done" means; the shared machinery — fence,
 * retries, ClientToken, polls — is {@link FencedCloud}'s.
 */
import { announceScript } from '../announce.js';
import { DeadlineExceededError, HavipError, StaleEpochError } from '../errors.js';
import { runTencentStep } from '../tencent/handlers.js';
import { type FencedCloud, type Owed, type StepResult, settled } from './fenced-cloud.js';
import type { SagaStep, StepOf, StepOp } from './steps.js';

/** What a handler gets besides its step. */
export interface StepRun {
  readonly cloud: FencedCloud;
  readonly key: string;
  /** The steps after this one, in order. */
  readonly remaining: readonly SagaStep[];
  /** A completion wait the step before left to this one (only a detach takes one). */
  readonly owed: Owed | undefined;
}

/** A step's result, or the wait it leaves to the detach that follows it. */
export type Handled = StepResult | { readonly owes: Owed };

type Handler<K extends StepOp> = (step: StepOf<K>, run: StepRun) => Promise<Handled>;

/** Steps only a Tencent plan has (tencent/handlers.ts runs a Tencent group's steps). */
type TencentOnlyOp = 'scope-add' | 'scope-drop' | 'havip-eip';
type AlibabaOp = Exclude<StepOp, TencentOnlyOp>;

const HANDLERS: { readonly [K in AlibabaOp]: Handler<K> } = {
  'attach-havip': attachHaVip,
  'detach-havip': detachHaVip,
  announce,
  verify,
  'eip-unbind': eipUnbind,
  'eip-bind': eipBind,
  'fence-stop': fenceStop,
};

export function runStep(step: SagaStep, run: StepRun): Promise<Handled> {
  if (run.cloud.group.cloud === 'tencent') return runTencentStep(step, run);
  const handler = HANDLERS[step.op as AlibabaOp] as Handler<StepOp> | undefined;
  if (handler === undefined)
    throw new HavipError('internal', `step ${step.op} does not exist on Alibaba Cloud`);
  return handler(step as never, run);
}

const NONE: ReadonlySet<string> = new Set();
const ALREADY_ATTACHED: ReadonlySet<string> = new Set(['InvalidAssociation.Duplicated']);
const ALREADY_DETACHED: ReadonlySet<string> = new Set([
  'ResourceNotAssociated',
  'InvalidAssociation.NotFound',
]);
const ALREADY_STOPPED: ReadonlySet<string> = new Set(['IncorrectInstanceStatus']);
/** Terminal InvocationStatus values of a Cloud Assistant run. */
const FINISHED_INVOCATION: ReadonlySet<string> = new Set([
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

const leavesToDetach = (run: StepRun): boolean => run.remaining[0]?.op === 'detach-havip';
const messageOf = (e: unknown): string => (e instanceof HavipError ? e.message : String(e));

/** Binds a member to the HaVip and waits until the binding has settled. */
async function attachHaVip(step: StepOf<'attach-havip'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  const before = await cloud.settledHaVip('HaVip to settle before attach');
  if (before.associatedInstances.includes(step.member)) return { outcome: 'skipped', note: 'already bound' };
  const token = cloud.token(run.key);
  await cloud.mutate(
    'AssociateHaVip',
    () =>
      cloud.api.associateHaVip({
        regionId: cloud.group.region,
        haVipId: cloud.group.haVipId as string,
        instanceId: step.member,
        instanceType: step.instanceType,
        clientToken: token,
      }),
    ALREADY_ATTACHED,
    async () => {
      const s = await cloud.readHaVip();
      return s.associatedInstances.includes(step.member) || s.status === 'Associating';
    },
  );
  const finish = async (): Promise<StepResult> => {
    await cloud.waitHaVip(
      (s) => settled(s) && s.associatedInstances.includes(step.member),
      `${step.member} to be bound`,
    );
    return { outcome: 'done', token };
  };
  // The detach that follows reads the HaVip afresh after its own journal write: that read is this poll.
  return leavesToDetach(run) ? { owes: { finish, readsHaVip: true } } : finish();
}

/** Unbinds a member, on a fresh read, never leaving the HaVip with nothing bound by its own doing. */
async function detachHaVip(step: StepOf<'detach-havip'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  const before = await cloud.haVipBeforeDetach(run.owed);
  if (!before.associatedInstances.includes(step.member)) return { outcome: 'skipped', note: 'not bound' };
  // The new holder is bound before the old one is detached. If this member is now the only binding
  // (a change still in flight when the plan was made has completed since), detaching it would leave
  // the HaVip unbound: never make things worse; the next reconcile decides from what is bound.
  if (before.associatedInstances.length === 1 && !run.remaining.some((s) => s.op === 'attach-havip'))
    return { outcome: 'skipped', note: `${step.member} is the only binding left` };
  // The master cannot be detached without Force; the master may have changed since the plan.
  const force = step.force || before.masterInstanceId === step.member;
  const token = cloud.token(force && !step.force ? `${run.key}:force` : run.key);
  await cloud.mutate(
    'UnassociateHaVip',
    () =>
      cloud.api.unassociateHaVip({
        regionId: cloud.group.region,
        haVipId: cloud.group.haVipId as string,
        instanceId: step.member,
        instanceType: step.instanceType,
        force,
        clientToken: token,
      }),
    ALREADY_DETACHED,
    async () => {
      const s = await cloud.readHaVip();
      return !s.associatedInstances.includes(step.member) || s.status === 'Unassociating';
    },
  );
  await cloud.waitHaVip(
    (s) => settled(s) && !s.associatedInstances.includes(step.member),
    `${step.member} to be unbound`,
  );
  return { outcome: 'done', token };
}

/**
 * Cloud Assistant runs the announce script on the new holder. A failed run is reported, not thrown: the
 * bind has happened, and the verify step that follows says whether traffic switched.
 */
async function announce(step: StepOf<'announce'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  const { group, clock, deadline } = cloud.ctx;
  const address = cloud.ctx.haVip?.ipAddress ?? (await cloud.readHaVip()).ipAddress;
  const token = cloud.token(run.key);
  const couldNotRun = (e: unknown): StepResult => {
    if (e instanceof StaleEpochError) throw e;
    return { outcome: 'failed', token, note: `announce command could not run: ${messageOf(e)}` };
  };
  let invokeId = '';
  try {
    await cloud.mutate(
      'RunCommand',
      async () => {
        ({ invokeId } = await cloud.api.runCommand({
          regionId: group.region,
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
  } catch (e) {
    return couldNotRun(e);
  }
  const until = Math.min(deadline, clock.now() + group.announceDeadlineSeconds * 1000);
  const finish = async (): Promise<StepResult> => {
    const r = await cloud.pollUntil(
      () => cloud.api.describeInvocationResult({ regionId: group.region, invokeId, instanceId: step.host }),
      (x) => x !== undefined && FINISHED_INVOCATION.has(x.status),
      `the announce command on ${step.host}`,
      until,
    );
    if (r?.status === 'Success') return { outcome: 'done', token, note: `invocation ${invokeId}` };
    const detail = `${r?.status ?? 'unknown'}${r?.errorCode ? ` (${r.errorCode})` : ''}${r?.exitCode !== undefined ? `, exit ${r.exitCode}` : ''}`;
    return { outcome: 'failed', token, note: `announce command ${detail}` };
  };
  const result = () => finish().catch(couldNotRun);
  // The detach that follows waits for the command's result beside its own fresh read of the HaVip.
  return leavesToDetach(run) ? { owes: { finish: result, readsHaVip: false } } : result();
}

/** Waits up to the step's time for `MasterInstanceId` to name the member: the data plane switched. */
async function verify(step: StepOf<'verify'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  const done: StepResult = { outcome: 'done', note: `MasterInstanceId is ${step.member}` };
  // The previous step's last poll may already show the new master: no need to ask again.
  if (cloud.ctx.haVip?.masterInstanceId === step.member && cloud.knownIsFresh) return done;
  const until = Math.min(cloud.ctx.deadline, cloud.ctx.clock.now() + step.waitSeconds * 1000);
  try {
    await cloud.waitHaVip(
      (s) => s.masterInstanceId === step.member,
      `MasterInstanceId to name ${step.member}`,
      until,
    );
    return done;
  } catch (e) {
    if (!(e instanceof DeadlineExceededError)) throw e;
    const s = await cloud.readHaVip().catch(() => undefined);
    return {
      outcome: 'incomplete',
      note: `bound but not announced: MasterInstanceId is ${s?.masterInstanceId ?? 'empty'}`,
    };
  }
}

/** Releases the EIP from an instance (or the HaVip) it is bound to. */
async function eipUnbind(step: StepOf<'eip-unbind'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  const before = await cloud.waitEip(settled, 'EIP to settle');
  if (before.instanceId !== step.instanceId || before.status === 'Available')
    return { outcome: 'skipped', note: 'not bound there' };
  const token = cloud.token(run.key);
  await cloud.mutate(
    'UnassociateEipAddress',
    () =>
      cloud.api.unassociateEipAddress({
        regionId: cloud.group.region,
        allocationId: cloud.group.eip?.allocationId as string,
        instanceId: step.instanceId,
        instanceType: step.instanceType,
        clientToken: token,
      }),
    ALREADY_DETACHED,
    async () => {
      const e = await cloud.readEip();
      return e.instanceId !== step.instanceId || e.status === 'Unassociating' || e.status === 'Available';
    },
  );
  await cloud.waitEip((e) => e.status === 'Available', 'EIP to be released');
  return { outcome: 'done', token };
}

/** Binds the EIP to an instance, ENI or the HaVip. */
async function eipBind(step: StepOf<'eip-bind'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  const before = await cloud.waitEip(settled, 'EIP to settle');
  if (before.instanceId === step.instanceId && before.status === 'InUse')
    return { outcome: 'skipped', note: 'already bound' };
  const token = cloud.token(run.key);
  await cloud.mutate(
    'AssociateEipAddress',
    () =>
      cloud.api.associateEipAddress({
        regionId: cloud.group.region,
        allocationId: cloud.group.eip?.allocationId as string,
        instanceId: step.instanceId,
        instanceType: step.instanceType,
        clientToken: token,
      }),
    ALREADY_ATTACHED,
    async () => {
      const e = await cloud.readEip();
      return e.instanceId === step.instanceId && e.status !== 'Available';
    },
  );
  await cloud.waitEip((e) => e.status === 'InUse' && e.instanceId === step.instanceId, 'EIP to be bound');
  return { outcome: 'done', token };
}

/** Opt-in fencing: stops the old holder. Best effort: the address has already moved. */
async function fenceStop(step: StepOf<'fence-stop'>, run: StepRun): Promise<Handled> {
  const { cloud } = run;
  try {
    await cloud.mutate(
      'StopInstance',
      () =>
        cloud.api.stopInstance({ regionId: cloud.group.region, instanceId: step.member, forceStop: true }),
      ALREADY_STOPPED,
      async () => false,
    );
  } catch (e) {
    // Report, never undo the failover.
    return { outcome: 'failed', note: messageOf(e) };
  }
  return { outcome: 'done' };
}
