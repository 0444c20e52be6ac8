/**
 * The fault campaign on Tencent groups (over the in-memory Tencent fake until the Tencent simulator is
 * wired): random groups (CVM or ENI members, nopreempt on/off, an EIP or not, the drift scope known or
 * not), random operations (stops, starts, TAT agents offline, throttling, server errors, running tasks,
 * lost answers, invocations cut off by their deadline, two orchestrators racing, manual failovers) and
 * every invariant of SEMANTICS.md checked at every mutation and after every step. The engines run on
 * virtual time (clock.ts): a seed whose reconciles keep retrying until their deadline took minutes of
 * real waiting (seed 2011397848: 7.6 min), and now takes a second or two.
 */
import { createMemoryLogger } from '../../shared/adapters/logger/index.js';
import { createSqliteStore } from '../../shared/adapters/sqlite/index.js';
import { loadTopology } from '../../shared/core/config.js';
import { Engine, type ReconcileResult } from '../../shared/core/engine.js';
import type { Group, MemberId } from '../../shared/core/model.js';
import type { StateStore } from '../../shared/core/ports.js';
import type { TencentCloudApi } from '../../shared/core/tencent-ports.js';
import { seedTencentFromTopology, TencentFake } from '../support/tencent-fake.js';
import { FAST_ENGINE, RecordingNotifier } from '../support/world.js';
import { flush, VirtualClock } from './clock.js';
import type { Invariant } from './stats.js';

export class CampaignStats {
  readonly checks = new Map<Invariant, number>();
  readonly violations: string[] = [];
  readonly faults = new Map<string, number>();
  steps = 0;
  check(i: Invariant): void {
    this.checks.set(i, (this.checks.get(i) ?? 0) + 1);
  }
  violate(i: Invariant, what: string): void {
    this.violations.push(`${i}: ${what}`);
  }
  fault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }
}

export { seededRandom as mulberry32 } from '../../shared/adapters/simulator/common/random.js';

/** A random Tencent group as YAML: 2–4 members of one kind, nopreempt or not, maybe an EIP. */
export function randomGroupYaml(r: () => number, n: number): string {
  const eni = r() < 0.3;
  const size = 2 + Math.floor(r() * 3);
  const members = Array.from({ length: size }, (_, i) => {
    const priority = [100, 50, 50, 10][i] ?? 10;
    return `      - { id: ${eni ? 'eni' : 'ins'}-0c${n}m${i}, priority: ${priority}, ip: 10.0.${n % 200}.${11 + i} }`;
  });
  return `
region: ap-guangzhou
cloud: tencent
groups:
  - name: t${n}
    haVipId: havip-0c${n}
    vpcId: vpc-0camp
    subnetId: subnet-0camp
    announce: cloud-assistant
    announceDeadlineSeconds: 1
    nopreempt: ${r() < 0.5}${r() < 0.4 ? '\n    eip: { addressIp: 203.0.113.9 }' : ''}
    members:
${members.join('\n')}
`;
}

/**
 * The fake behind a checking port: every mutation is checked against the ground truth before it is
 * applied (invariants 2, 4 and 7).
 */
class CheckedTencent implements TencentCloudApi {
  constructor(
    private readonly fake: TencentFake,
    private readonly w: TencentCampaignWorld,
  ) {}
  describeHaVips = (req: Parameters<TencentCloudApi['describeHaVips']>[0]) => this.fake.describeHaVips(req);
  listHaVips = (req: Parameters<TencentCloudApi['listHaVips']>[0]) => this.fake.listHaVips(req);
  describeVpcTask = (req: Parameters<TencentCloudApi['describeVpcTask']>[0]) =>
    this.fake.describeVpcTask(req);
  describeInstancesStatus = (req: Parameters<TencentCloudApi['describeInstancesStatus']>[0]) =>
    this.fake.describeInstancesStatus(req);
  describeInstances = (req: Parameters<TencentCloudApi['describeInstances']>[0]) =>
    this.fake.describeInstances(req);
  describeNetworkInterfaces = (req: Parameters<TencentCloudApi['describeNetworkInterfaces']>[0]) =>
    this.fake.describeNetworkInterfaces(req);
  describeVpcLimits = (req: Parameters<TencentCloudApi['describeVpcLimits']>[0]) =>
    this.fake.describeVpcLimits(req);
  describeInvocationTask = (req: Parameters<TencentCloudApi['describeInvocationTask']>[0]) =>
    this.fake.describeInvocationTask(req);

  async associateHaVipInstances(req: Parameters<TencentCloudApi['associateHaVipInstances']>[0]) {
    await this.w.fenced('AssociateHaVipInstance');
    for (const a of req.associations) this.w.eligibleTarget(a.instanceId, 'AssociateHaVipInstance');
    return this.fake.associateHaVipInstances(req);
  }
  async disassociateHaVipInstances(req: Parameters<TencentCloudApi['disassociateHaVipInstances']>[0]) {
    await this.w.fenced('DisassociateHaVipInstance');
    for (const a of req.associations) {
      this.w.stats.check('inv7-last-holder');
      if (
        this.fake.holder(a.haVipId) === a.instanceId ||
        this.fake.haVips.get(a.haVipId)?.networkInterfaceId === a.instanceId
      )
        this.w.stats.violate(
          'inv7-last-holder',
          `the holder ${a.instanceId} was dropped from the drift scope`,
        );
    }
    return this.fake.disassociateHaVipInstances(req);
  }
  async associateHaVipEip(req: Parameters<TencentCloudApi['associateHaVipEip']>[0]) {
    await this.w.fenced('HaVipAssociateAddressIp');
    return this.fake.associateHaVipEip(req);
  }
  async disassociateHaVipEip(req: Parameters<TencentCloudApi['disassociateHaVipEip']>[0]) {
    await this.w.fenced('HaVipDisassociateAddressIp');
    return this.fake.disassociateHaVipEip(req);
  }
  async runCommand(req: Parameters<TencentCloudApi['runCommand']>[0]) {
    await this.w.fenced('RunCommand');
    this.w.eligibleTarget(req.instanceId, 'RunCommand');
    return this.fake.runCommand(req);
  }
}

const RETRYABLE = ['RequestLimitExceeded', 'InternalError', 'UnsupportedOperation.MutexOperationTaskRunning'];
const ACTIONS = [
  'AssociateHaVipInstance',
  'DisassociateHaVipInstance',
  'RunCommand',
  'DescribeHaVips',
  'DescribeInstancesStatus',
  'DescribeInvocationTasks',
  'HaVipAssociateAddressIp',
  'DescribeVpcTaskResult',
];
const MUTATIONS = ['AssociateHaVipInstance', 'DisassociateHaVipInstance', 'HaVipAssociateAddressIp'];

export class TencentCampaignWorld {
  readonly fake: TencentFake;
  readonly group: Group;
  readonly store: StateStore;
  private readonly engines: Engine[];
  /**
   * The engines' clock: virtual time (clock.ts), which moves only when nothing else can run, so the
   * waits for an announce or a holder (up to `announceDeadlineSeconds`) and the backoffs cost no real time.
   */
  private readonly clock = new VirtualClock();
  private seq = 0;
  /** This step ran a manual failover (nopreempt allows its move). */
  private manualThisStep = false;

  constructor(
    yaml: string,
    private readonly r: () => number,
    readonly stats: CampaignStats,
  ) {
    const { topology } = loadTopology(yaml, { source: 'tencent campaign' });
    this.group = topology.groups[0] as Group;
    this.fake = new TencentFake({
      associations: r() < 0.8 ? 'known' : 'unknown',
      tatPolls: 1 + Math.floor(r() * 2),
    });
    seedTencentFromTopology(this.fake, topology);
    this.store = createSqliteStore({ path: ':memory:' });
    const checked = new CheckedTencent(this.fake, this);
    // Two orchestrators share the cloud and the store, as two concurrent invocations do.
    this.engines = [0, 1].map(
      () =>
        new Engine(
          {
            tencent: checked,
            store: this.store,
            notifier: new RecordingNotifier(),
            clock: this.clock,
            logger: createMemoryLogger({ level: 'error' }),
            random: r,
          },
          topology,
          { ...FAST_ENGINE, leaseTtlMs: 60_000 },
        ),
    );
  }

  /** Invariant 4: a mutation is sent only while an unexpired lease of the group is held. */
  async fenced(action: string): Promise<void> {
    this.stats.check('inv4-fencing');
    const lease = await this.store.getLease(this.group.name);
    if (lease === undefined || lease.expiresAt < this.clock.now())
      this.stats.violate('inv4-fencing', `${action} sent without a live lease`);
  }

  /** Invariant 2: the scope and the announce take only eligible members (RUNNING, an ENI attached to one). */
  eligibleTarget(id: string, action: string): void {
    this.stats.check('inv2-eligible-target');
    const host = id.startsWith('eni-') ? this.fake.enis.get(id)?.instanceId : id;
    const state = host === undefined ? undefined : this.fake.instances.get(host)?.state;
    if (state === 'RUNNING') return;
    this.stats.violate('inv2-eligible-target', `${action} on ${id}, whose instance is ${state ?? 'missing'}`);
  }

  holder(): string | undefined {
    const h = this.fake.haVips.get(this.group.haVipId as string);
    return this.group.members[0]?.kind === 'eni' ? h?.networkInterfaceId : h?.instanceId;
  }

  private running(id: string): boolean {
    const host = id.startsWith('eni-') ? this.fake.enis.get(id)?.instanceId : id;
    return host !== undefined && this.fake.instances.get(host)?.state === 'RUNNING';
  }

  private hostOf(m: MemberId): string {
    return m.startsWith('eni-') ? (this.fake.enis.get(m)?.instanceId as string) : m;
  }

  /** One random step: change the world or inject a fault, then one or two reconciles; then the checks. */
  async step(): Promise<void> {
    const r = this.r;
    const before = this.holder();
    const heldRunningBefore = before !== undefined && this.running(before);
    this.manualThisStep = false;
    const m = this.group.members[
      Math.floor(r() * this.group.members.length)
    ] as (typeof this.group.members)[number];
    const roll = r();
    if (roll < 0.2) {
      this.fake.setState(this.hostOf(m.id), 'STOPPED');
      this.stats.fault('instance stopped');
    } else if (roll < 0.4) {
      this.fake.setState(this.hostOf(m.id), 'RUNNING');
    } else if (roll < 0.5) {
      const i = this.fake.instances.get(this.hostOf(m.id));
      if (i) i.tatOnline = !i.tatOnline;
      this.stats.fault('TAT agent offline/online');
    } else if (roll < 0.7) {
      const action = ACTIONS[Math.floor(r() * ACTIONS.length)] as string;
      const code = RETRYABLE[Math.floor(r() * RETRYABLE.length)] as string;
      this.fake.failNext(action, ...Array.from({ length: 1 + Math.floor(r() * 3) }, () => code));
      this.stats.fault(`cloud answered ${code}`);
    } else if (roll < 0.8) {
      this.fake.loseNext(MUTATIONS[Math.floor(r() * MUTATIONS.length)] as string);
      this.stats.fault('answer lost');
    }
    const kind = r();
    if (kind < 0.15) {
      await Promise.all([this.reconcile(0), this.reconcile(1)]);
      this.stats.fault('two orchestrators at once');
    } else if (kind < 0.3) {
      await this.reconcile(0, 30 + Math.floor(r() * 200));
      this.stats.fault('invocation cut off by its deadline');
    } else if (kind < 0.37) {
      this.manualThisStep = true;
      await this.reconcile(0, 10_000, m.id);
      this.stats.fault('manual failover');
    } else {
      await this.reconcile(0);
    }
    this.stats.steps++;
    this.checkNopreempt(before, heldRunningBefore);
    this.checkDataPlane();
  }

  private last: ReconcileResult | undefined;

  async reconcile(engine: number, deadlineMs = 10_000, manualTo?: MemberId): Promise<ReconcileResult> {
    const r = await this.drive(
      (this.engines[engine] as Engine).reconcile({
        group: this.group.name,
        trigger: manualTo ? 'manual' : 'sweep',
        invocationId: `c-${++this.seq}`,
        deadline: this.clock.now() + deadlineMs,
        manual: manualTo ? { to: manualTo, force: false, reason: 'campaign', actor: 'campaign' } : undefined,
      }),
    );
    this.last = r;
    this.checkExclusive(r);
    return r;
  }

  /**
   * Runs the invocations until they end, moving virtual time to the next timer whenever nothing can run
   * (the fake and the in-memory store answer in microtasks). Two concurrent reconciles each drive the same
   * clock: a timer fires once, whoever fires it.
   */
  private async drive<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    for (;;) {
      await flush();
      if (settled) return done;
      if (!this.clock.fireNext()) return done; // nothing left to wait for: it ends on its own
    }
  }

  /** Invariant 1: a finished switch leaves the drift scope (when known) holding the holder and no other member. */
  private checkExclusive(r: ReconcileResult): void {
    if (r.status !== 'done' || this.fake.haVips.get(this.group.haVipId as string) === undefined) return;
    const kind = r.decision?.kind;
    if (kind !== 'move' && kind !== 'attach' && kind !== 'noop') return;
    this.stats.check('inv1-exclusive');
    const holder = this.holder();
    const scope = this.fake.scopeOf(this.group.haVipId as string);
    const members = new Set<string>(this.group.members.map((m) => m.id));
    const ours = scope.filter((id) => members.has(id));
    if (this.fake.scopeKnown && (ours.length > 1 || (holder !== undefined && !ours.includes(holder))))
      this.stats.violate(
        'inv1-exclusive',
        `after ${kind} (${r.decision?.reason}) the scope is [${ours.join(', ')}], the holder ${holder}`,
      );
  }

  /** Invariant 3: under nopreempt an eligible holder is never moved except by a manual failover. */
  private checkNopreempt(before: string | undefined, heldRunningBefore: boolean): void {
    if (!this.group.nopreempt || this.manualThisStep || before === undefined) return;
    if (!heldRunningBefore || !this.running(before)) return;
    this.stats.check('inv3-nopreempt');
    const after = this.holder();
    if (after !== before)
      this.stats.violate('inv3-nopreempt', `the eligible holder ${before} lost the HAVIP to ${after}`);
  }

  /** The data plane: the holder is always one of the group's members once one held it. */
  private checkDataPlane(): void {
    const holder = this.holder();
    if (holder === undefined) return;
    this.stats.check('data-plane');
    if (!this.group.members.some((m) => m.id === holder))
      this.stats.violate('data-plane', `the HAVIP is held by ${holder}, outside the group`);
  }

  /**
   * Invariants 6 and 5: with the faults gone and every TAT agent online, two sweeps converge — the third
   * changes nothing (a replay) — and, if any member runs, a running member holds the HAVIP.
   */
  async converge(): Promise<void> {
    this.fake.clearFaults();
    for (const i of this.fake.instances.values()) i.tatOnline = true;
    // Leases of cut-off invocations are released in their `finally`; nothing is left to wait out.
    await this.reconcile(0);
    await this.reconcile(0);
    const effects = this.fake.effects.length;
    const third = await this.reconcile(0);
    this.stats.check('inv5-replay');
    if (this.fake.effects.length !== effects)
      this.stats.violate(
        'inv5-replay',
        `a third sweep changed ${this.fake.effects.slice(effects).join('; ')}`,
      );
    this.stats.check('inv6-convergence');
    const anyRunning = this.group.members.some((m) => this.running(m.id));
    const holder = this.holder();
    if (anyRunning && (holder === undefined || !this.running(holder)))
      this.stats.violate(
        'inv6-convergence',
        `after two sweeps the holder is ${holder ?? 'nobody'} (${third.decision?.reason})`,
      );
    if (!anyRunning && this.last?.decision?.kind !== 'alert' && holder !== undefined)
      this.stats.violate(
        'inv6-convergence',
        `no member runs, yet the decision is ${this.last?.decision?.kind}`,
      );
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
