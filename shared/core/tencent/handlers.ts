/**
 * The saga's step handlers on Tencent Cloud, over the same fence, retry and poll machinery as Alibaba's
 * ({@link FencedCloud}). Tencent's HAVIP calls take no ClientToken, so every mutation is guarded by a
 * read: a step whose effect is already there is skipped, and a retry re-reads before it sends again.
 */
import { announceScript } from '../announce.js';
import { CloudError, ConfigError, DeadlineExceededError, HavipError, StaleEpochError } from '../errors.js';
import type { FencedCloud, StepResult } from '../saga/fenced-cloud.js';
import type { Handled, StepRun } from '../saga/handlers.js';
import type { SagaStep, StepOf } from '../saga/steps.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentInvocationTask,
  TencentVpcTask,
} from '../tencent-ports.js';
import { haVipView, tencentHolder } from './observe.js';

/** Runs one step of a Tencent group's plan. */
export function runTencentStep(step: SagaStep, run: StepRun): Promise<Handled> {
  const t = new TencentSteps(run);
  switch (step.op) {
    case 'scope-add':
      return t.scopeAdd(step);
    case 'scope-drop':
      return t.scopeDrop(step);
    case 'announce':
      return t.announce(step);
    case 'verify':
      return t.verify(step);
    case 'havip-eip':
      return t.bindEip(step);
    default:
      throw new HavipError('internal', `step ${step.op} does not exist on Tencent Cloud`);
  }
}

/** TAT `TaskStatus` values after which a task no longer changes. */
const FINISHED_TASK: ReadonlySet<string> = new Set([
  'SUCCESS',
  'FAILED',
  'TIMEOUT',
  'TASK_TIMEOUT',
  'CANCELLED',
  'TERMINATED',
  'DELIVER_FAILED',
  'START_FAILED',
]);
const ANNOUNCE_COMMAND_TIMEOUT_S = 30;
const NONE: ReadonlySet<string> = new Set();
const messageOf = (e: unknown): string => (e instanceof HavipError ? e.message : String(e));

class TencentSteps {
  private readonly cloud: FencedCloud;
  private readonly api: TencentCloudApi;

  constructor(run: StepRun) {
    this.cloud = run.cloud;
    const api = run.cloud.ctx.tencent;
    if (api === undefined)
      throw new ConfigError(
        `group ${run.cloud.group.name} is on Tencent Cloud, but the engine has no Tencent port`,
        [],
      );
    this.api = api;
  }

  private get region(): string {
    return this.cloud.group.region;
  }

  private get haVipId(): string {
    return this.cloud.group.haVipId as string;
  }

  /**
   * DescribeHaVips for the group's HAVIP; the engine's view of it becomes the saga's last known state, and
   * is kept for heartbeats as on Alibaba (once verified, the new holder is the one its agent is told of).
   */
  async readHaVip(): Promise<TencentHaVip> {
    const [h] = await this.api.describeHaVips({ regionId: this.region, haVipIds: [this.haVipId] });
    if (h === undefined)
      throw new CloudError({
        provider: 'tencent',
        tencentCode: 'ResourceNotFound',
        action: 'DescribeHaVips',
        message: `${this.haVipId} not found`,
        retryable: false,
        code: 'cloud.not-found',
      });
    this.cloud.ctx.haVip = haVipView(this.cloud.group, h);
    this.cloud.knownIsFresh = true;
    await this.cloud.keepObserved(this.cloud.ctx.haVip);
    return h;
  }

  private inScope(h: TencentHaVip, member: string): boolean {
    return h.associations?.some((a) => a.instanceId === member) ?? false;
  }

  /**
   * One mutation guarded by a read: the first attempt acts on `first`; a retry re-reads and stops when
   * the effect is already there (an earlier attempt's response was lost, or another actor did it).
   */
  private async guarded(
    action: string,
    first: TencentHaVip,
    done: (h: TencentHaVip) => boolean,
    send: () => Promise<unknown>,
  ): Promise<void> {
    let attempt = 0;
    await this.cloud.mutate(
      action,
      async () => {
        const h = attempt++ === 0 ? first : await this.readHaVip();
        if (!done(h)) await send();
      },
      NONE,
      async () => done(await this.readHaVip()),
    );
  }

  async scopeAdd(step: StepOf<'scope-add'>): Promise<Handled> {
    const before = await this.readHaVip();
    const there = (h: TencentHaVip) => this.inScope(h, step.member);
    if (there(before)) return { outcome: 'skipped', note: 'already in the drift scope' };
    const association = { haVipId: this.haVipId, instanceId: step.member, instanceType: step.targetType };
    await this.guarded('AssociateHaVipInstance', before, there, () =>
      this.api.associateHaVipInstances({ regionId: this.region, associations: [association] }),
    );
    return { outcome: 'done' };
  }

  async scopeDrop(step: StepOf<'scope-drop'>): Promise<Handled> {
    const before = await this.readHaVip();
    if (!this.inScope(before, step.member)) return { outcome: 'skipped', note: 'not in the drift scope' };
    // Never make things worse: a member still serving the address keeps its place in the scope.
    if (!step.evict && tencentHolder(this.cloud.group, before) === step.member)
      return { outcome: 'skipped', note: `${step.member} still holds the HAVIP` };
    const association = { haVipId: this.haVipId, instanceId: step.member, instanceType: step.targetType };
    await this.guarded(
      'DisassociateHaVipInstance',
      before,
      (h) => !this.inScope(h, step.member),
      () => this.api.disassociateHaVipInstances({ regionId: this.region, associations: [association] }),
    );
    return { outcome: 'done' };
  }

  /**
   * TAT runs the announce script on the new holder. A failed run is reported, not thrown: the verify
   * step that follows says whether the address moved. TAT takes no ClientToken; the script is harmless
   * to repeat, so a retry after a lost answer may run it twice.
   */
  async announce(step: StepOf<'announce'>): Promise<Handled> {
    const { clock, deadline, group } = this.cloud.ctx;
    const couldNotRun = (e: unknown): StepResult => {
      if (e instanceof StaleEpochError) throw e;
      return { outcome: 'failed', note: `announce command could not run: ${messageOf(e)}` };
    };
    let invocationId = '';
    try {
      const address = this.cloud.ctx.haVip?.ipAddress ?? (await this.readHaVip()).vip;
      await this.cloud.mutate(
        'RunCommand',
        async () => {
          ({ invocationId } = await this.api.runCommand({
            regionId: this.region,
            instanceId: step.host,
            content: announceScript(address),
            timeoutSeconds: ANNOUNCE_COMMAND_TIMEOUT_S,
            commandName: 'havip-announce',
          }));
        },
        NONE,
        async () => false,
      );
      const until = Math.min(deadline, clock.now() + group.announceDeadlineSeconds * 1000);
      const task = await this.cloud.pollUntil<TencentInvocationTask | undefined>(
        () => this.api.describeInvocationTask({ regionId: this.region, invocationId, instanceId: step.host }),
        (x) => x !== undefined && FINISHED_TASK.has(x.status),
        `the announce command on ${step.host}`,
        until,
      );
      if (task?.status === 'SUCCESS') return { outcome: 'done', note: `invocation ${invocationId}` };
      const exit = task?.exitCode !== undefined ? `, exit ${task.exitCode}` : '';
      return { outcome: 'failed', note: `announce command ${task?.status ?? 'unknown'}${exit}` };
    } catch (e) {
      return couldNotRun(e);
    }
  }

  /** Waits up to the step's time for the HAVIP's holder (`InstanceId`, or the ENI) to be the member. */
  async verify(step: StepOf<'verify'>): Promise<Handled> {
    const { clock, deadline } = this.cloud.ctx;
    const serves = (h: TencentHaVip) => tencentHolder(this.cloud.group, h) === step.member;
    const done: StepResult = { outcome: 'done', note: `InstanceId is ${step.member}` };
    const until = Math.min(deadline, clock.now() + step.waitSeconds * 1000);
    try {
      await this.cloud.pollUntil(() => this.readHaVip(), serves, `InstanceId to name ${step.member}`, until);
      return done;
    } catch (e) {
      if (!(e instanceof DeadlineExceededError)) throw e;
      const h = await this.readHaVip().catch(() => undefined);
      const holder = tencentHolder(this.cloud.group, h) ?? 'empty';
      return { outcome: 'incomplete', note: `in the drift scope but not announced: InstanceId is ${holder}` };
    }
  }

  /** Binds the EIP to the HAVIP (an asynchronous task) and waits for the task's end. */
  async bindEip(step: StepOf<'havip-eip'>): Promise<Handled> {
    const before = await this.readHaVip();
    const bound = (h: TencentHaVip) => h.addressIp === step.addressIp;
    if (bound(before)) return { outcome: 'skipped', note: 'already bound' };
    let taskId: string | undefined;
    await this.guarded('HaVipAssociateAddressIp', before, bound, async () => {
      ({ taskId } = await this.api.associateHaVipEip({
        regionId: this.region,
        haVipId: step.haVipId,
        addressIp: step.addressIp,
      }));
    });
    if (taskId === undefined) return { outcome: 'done', note: 'bound by an earlier attempt' };
    const id = taskId;
    const task = await this.cloud.pollUntil<TencentVpcTask>(
      () => this.api.describeVpcTask({ regionId: this.region, taskId: id }),
      (x) => x.status !== 'RUNNING',
      `the EIP task ${id}`,
      this.cloud.ctx.deadline,
    );
    if (task.status === 'SUCCESS') return { outcome: 'done', note: `task ${id}` };
    return {
      outcome: 'failed',
      note: `EIP task ${id} ${task.status}${task.output ? `: ${task.output}` : ''}`,
    };
  }
}
