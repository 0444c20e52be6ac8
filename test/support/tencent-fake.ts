/**
 * An in-memory Tencent Cloud (VPC, CVM, TAT) behind the `TencentCloudApi` port, with the semantics the
 * engine relies on — a fake, not a mock:
 * - **drift scope**: `associateHaVipInstances` / `disassociateHaVipInstances` edit the HAVIP's scope
 *   (one target type per HAVIP); they never move it;
 * - **ARP data plane**: {@link TencentFake.announce} (a host's gratuitous ARP: the agent, keepalived or a
 *   TAT script) moves `InstanceId` to the announcer if it is RUNNING and inside the scope (any instance of
 *   the subnet when the scope is not enforced); a stopped holder keeps `InstanceId` (Tencent does not
 *   clear it) until someone else announces;
 * - **TAT**: `runCommand` starts an invocation that finishes after `tatPolls` describes and then announces
 *   the HAVIP whose VIP the script names;
 * - **EIP tasks**: `associateHaVipEip` starts a task (id = the request id) that finishes after
 *   `eipTaskPolls` describes or refused mutations; a second mutation on a HAVIP with a task running
 *   fails with `UnsupportedOperation.MutexOperationTaskRunning`;
 * - **faults**: {@link TencentFake.failNext} queues Tencent error codes per action (adapters never retry,
 *   so the engine sees each one), {@link TencentFake.loseNext} applies a mutation and loses its answer.
 * `associations: 'unknown'` models the international site, whose answers carry no scope.
 */
import type { TencentScenarioWorld } from '../../shared/app/simulate-engine.js';
import { CloudError, CloudResponseLostError } from '../../shared/core/errors.js';
import type { Topology } from '../../shared/core/model.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentHaVipAssociation,
  TencentHaVipTargetType,
  TencentInstance,
  TencentInstanceStatus,
  TencentInvocationTask,
  TencentNetworkInterface,
  TencentVpcTask,
} from '../../shared/core/tencent-ports.js';

export interface FakeHaVip {
  haVipId: string;
  vip: string;
  vpcId: string;
  subnetId: string;
  instanceId: string | undefined;
  networkInterfaceId: string | undefined;
  addressIp: string | undefined;
  scope: { instanceId: string; instanceType: TencentHaVipTargetType }[];
  checkAssociate: boolean;
  flushedTime: string | undefined;
}

export interface FakeInstance {
  instanceId: string;
  state: string;
  vpcId: string;
  subnetId: string;
  ip: string;
  primaryEniId: string;
  /** The TAT agent is online (RunCommand fails otherwise). */
  tatOnline: boolean;
}

export interface FakeEni {
  networkInterfaceId: string;
  instanceId: string | undefined;
  primary: boolean;
  vpcId: string;
  subnetId: string;
  ip: string;
}

interface Task {
  readonly haVipId: string;
  status: 'RUNNING' | 'SUCCESS' | 'FAILED';
  pollsLeft: number;
  readonly apply: () => string | undefined;
}

interface Invocation {
  readonly instanceId: string;
  readonly content: string;
  pollsLeft: number;
  status: string;
  exitCode: number | undefined;
}

export interface TencentFakeOptions {
  readonly regionId?: string;
  /** `unknown`: answers carry no drift scope and the scope actions do not exist (the international API). */
  readonly associations?: 'known' | 'unknown';
  readonly tatPolls?: number;
  readonly eipTaskPolls?: number;
  /** `vpc-max-havips` as DescribeVpcLimits answers it (default 10). */
  readonly maxHaVipsPerVpc?: number;
  /** Whether removing the holder from the scope evicts it (undocumented; default false). */
  readonly evictOnDisassociate?: boolean;
}

export class TencentFake implements TencentCloudApi {
  readonly regionId: string;
  readonly haVips = new Map<string, FakeHaVip>();
  readonly instances = new Map<string, FakeInstance>();
  readonly enis = new Map<string, FakeEni>();
  /** Every call, by action (mutations that took effect and failed ones alike). */
  readonly calls: Record<string, number> = {};
  /** Mutations that changed something, in order: `Action target`. */
  readonly effects: string[] = [];
  private readonly tasks = new Map<string, Task>();
  private readonly invocations = new Map<string, Invocation>();
  private readonly faults = new Map<string, string[]>();
  private readonly lost = new Map<string, number>();
  private seq = 0;
  private readonly opts: Required<TencentFakeOptions>;

  constructor(opts: TencentFakeOptions = {}) {
    this.opts = {
      regionId: 'ap-guangzhou',
      associations: 'known',
      tatPolls: 1,
      eipTaskPolls: 1,
      maxHaVipsPerVpc: 10,
      evictOnDisassociate: false,
      ...opts,
    };
    this.regionId = this.opts.regionId;
  }

  // ---------------------------------------------------------------------------------------------
  // Seeding and the world outside the API

  addInstance(i: Partial<FakeInstance> & { instanceId: string; ip: string }): FakeInstance {
    const inst: FakeInstance = {
      state: 'RUNNING',
      vpcId: 'vpc-0fake',
      subnetId: 'subnet-0fake',
      primaryEniId: `eni-p${i.instanceId.slice(4)}`,
      tatOnline: true,
      ...i,
    };
    this.instances.set(inst.instanceId, inst);
    this.enis.set(inst.primaryEniId, {
      networkInterfaceId: inst.primaryEniId,
      instanceId: inst.instanceId,
      primary: true,
      vpcId: inst.vpcId,
      subnetId: inst.subnetId,
      ip: inst.ip,
    });
    return inst;
  }

  addEni(e: Partial<FakeEni> & { networkInterfaceId: string; ip: string }): FakeEni {
    const eni: FakeEni = {
      instanceId: undefined,
      primary: false,
      vpcId: 'vpc-0fake',
      subnetId: 'subnet-0fake',
      ...e,
    };
    this.enis.set(eni.networkInterfaceId, eni);
    return eni;
  }

  addHaVip(h: Partial<FakeHaVip> & { haVipId: string; vip: string }): FakeHaVip {
    const haVip: FakeHaVip = {
      vpcId: 'vpc-0fake',
      subnetId: 'subnet-0fake',
      instanceId: undefined,
      networkInterfaceId: undefined,
      addressIp: undefined,
      scope: [],
      checkAssociate: true,
      flushedTime: undefined,
      ...h,
    };
    this.haVips.set(haVip.haVipId, haVip);
    return haVip;
  }

  setState(instanceId: string, state: string): void {
    const i = this.instances.get(instanceId);
    if (i === undefined) throw new Error(`no instance ${instanceId}`);
    i.state = state;
  }

  /**
   * A host announces the HAVIP by gratuitous ARP (from the instance, or from one of its ENIs). Returns
   * whether the VPC accepted it: the announcer is RUNNING and inside the drift scope (when enforced).
   */
  announce(haVipId: string, from: string): boolean {
    const h = this.haVips.get(haVipId);
    const eni = this.enis.get(from);
    const instance = this.instances.get(eni?.instanceId ?? from);
    if (h === undefined || instance === undefined || instance.state !== 'RUNNING') return false;
    if (instance.subnetId !== h.subnetId) return false;
    const enforced = h.checkAssociate && this.opts.associations === 'known';
    if (enforced && !h.scope.some((s) => s.instanceId === from)) return false;
    if (
      h.instanceId === instance.instanceId &&
      h.networkInterfaceId === (eni?.networkInterfaceId ?? instance.primaryEniId)
    )
      return true;
    h.instanceId = instance.instanceId;
    h.networkInterfaceId = eni?.networkInterfaceId ?? instance.primaryEniId;
    h.flushedTime = `t${++this.seq}`;
    this.effects.push(`ARP ${haVipId} ${from}`);
    return true;
  }

  /** Queues Tencent error codes for the next calls of `action` (one code per call). */
  failNext(action: string, ...codes: string[]): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...codes]);
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.faults.clear();
    this.lost.clear();
  }

  /** The next `times` calls of the mutation `action` take effect but their answer is lost. */
  loseNext(action: string, times = 1): void {
    this.lost.set(action, (this.lost.get(action) ?? 0) + times);
  }

  /** Finishes every running TAT invocation and EIP task (as if time passed). */
  settle(): void {
    for (const inv of this.invocations.values()) if (inv.status === 'RUNNING') this.finishInvocation(inv);
    for (const t of this.tasks.values()) if (t.status === 'RUNNING') this.finishTask(t);
  }

  /** Whether answers carry the drift scope (the China site) or not (the international API). */
  get scopeKnown(): boolean {
    return this.opts.associations === 'known';
  }

  holder(haVipId: string): string | undefined {
    return this.haVips.get(haVipId)?.instanceId;
  }

  scopeOf(haVipId: string): string[] {
    return (this.haVips.get(haVipId)?.scope ?? []).map((s) => s.instanceId).sort();
  }

  // ---------------------------------------------------------------------------------------------
  // The port

  async describeHaVips(req: { regionId: string; haVipIds: readonly string[] }): Promise<TencentHaVip[]> {
    this.enter('DescribeHaVips', req.regionId);
    return req.haVipIds.flatMap((id) => {
      const h = this.haVips.get(id);
      return h === undefined ? [] : [this.view(h)];
    });
  }

  async listHaVips(req: { regionId: string; vpcId?: string }): Promise<TencentHaVip[]> {
    this.enter('DescribeHaVips', req.regionId);
    return [...this.haVips.values()]
      .filter((h) => req.vpcId === undefined || h.vpcId === req.vpcId)
      .map((h) => this.view(h));
  }

  async associateHaVipInstances(req: {
    regionId: string;
    associations: readonly { haVipId: string; instanceId: string; instanceType: TencentHaVipTargetType }[];
  }) {
    return this.mutation('AssociateHaVipInstance', req.regionId, () => {
      this.scopeActionExists('AssociateHaVipInstance');
      for (const a of req.associations) {
        const h = this.haVipOrThrow('AssociateHaVipInstance', a.haVipId);
        if (h.scope.some((s) => s.instanceType !== a.instanceType))
          throw this.error('AssociateHaVipInstance', 'UnsupportedOperation', 'one instance type per HAVIP');
        if (h.scope.some((s) => s.instanceId === a.instanceId)) continue;
        h.scope.push({ instanceId: a.instanceId, instanceType: a.instanceType });
        this.effects.push(`AssociateHaVipInstance ${a.haVipId} ${a.instanceId}`);
      }
      return { requestId: this.requestId() };
    });
  }

  async disassociateHaVipInstances(req: {
    regionId: string;
    associations: readonly { haVipId: string; instanceId: string; instanceType: TencentHaVipTargetType }[];
  }) {
    return this.mutation('DisassociateHaVipInstance', req.regionId, () => {
      this.scopeActionExists('DisassociateHaVipInstance');
      for (const a of req.associations) {
        const h = this.haVipOrThrow('DisassociateHaVipInstance', a.haVipId);
        if (!h.scope.some((s) => s.instanceId === a.instanceId)) continue;
        h.scope = h.scope.filter((s) => s.instanceId !== a.instanceId);
        this.effects.push(`DisassociateHaVipInstance ${a.haVipId} ${a.instanceId}`);
        const holds = h.instanceId === a.instanceId || h.networkInterfaceId === a.instanceId;
        if (holds && this.opts.evictOnDisassociate) {
          h.instanceId = undefined;
          h.networkInterfaceId = undefined;
        }
      }
      return { requestId: this.requestId() };
    });
  }

  async associateHaVipEip(req: { regionId: string; haVipId: string; addressIp: string }) {
    return this.mutation('HaVipAssociateAddressIp', req.regionId, () => {
      const h = this.haVipOrThrow('HaVipAssociateAddressIp', req.haVipId);
      this.noTaskRunning('HaVipAssociateAddressIp', h.haVipId);
      if (h.addressIp !== undefined)
        throw this.error(
          'HaVipAssociateAddressIp',
          'UnsupportedOperation.BindEIP',
          'the HAVIP already has an EIP',
        );
      return this.startTask(h.haVipId, () => {
        h.addressIp = req.addressIp;
        this.effects.push(`HaVipAssociateAddressIp ${h.haVipId} ${req.addressIp}`);
        return undefined;
      });
    });
  }

  async disassociateHaVipEip(req: { regionId: string; haVipId: string }) {
    return this.mutation('HaVipDisassociateAddressIp', req.regionId, () => {
      const h = this.haVipOrThrow('HaVipDisassociateAddressIp', req.haVipId);
      this.noTaskRunning('HaVipDisassociateAddressIp', h.haVipId);
      return this.startTask(h.haVipId, () => {
        h.addressIp = undefined;
        this.effects.push(`HaVipDisassociateAddressIp ${h.haVipId}`);
        return undefined;
      });
    });
  }

  async describeVpcTask(req: { regionId: string; taskId: string }): Promise<TencentVpcTask> {
    this.enter('DescribeVpcTaskResult', req.regionId);
    const t = this.tasks.get(req.taskId);
    if (t === undefined)
      throw this.error('DescribeVpcTaskResult', 'ResourceNotFound', `no task ${req.taskId}`);
    if (t.status === 'RUNNING' && --t.pollsLeft <= 0) this.finishTask(t);
    return { taskId: req.taskId, status: t.status, output: undefined };
  }

  async describeInstancesStatus(req: {
    regionId: string;
    instanceIds: readonly string[];
  }): Promise<TencentInstanceStatus[]> {
    this.enter('DescribeInstancesStatus', req.regionId);
    return req.instanceIds.flatMap((id) => {
      const i = this.instances.get(id);
      return i === undefined ? [] : [{ instanceId: id, state: i.state }];
    });
  }

  async describeInstances(req: {
    regionId: string;
    instanceIds: readonly string[];
  }): Promise<TencentInstance[]> {
    this.enter('DescribeInstances', req.regionId);
    return req.instanceIds.flatMap((id) => {
      const i = this.instances.get(id);
      if (i === undefined) return [];
      return [
        {
          instanceId: id,
          regionId: this.regionId,
          state: i.state,
          instanceType: 'S5.MEDIUM2',
          vpcId: i.vpcId,
          subnetId: i.subnetId,
          privateIpAddresses: [i.ip],
          zone: `${this.regionId}-3`,
        },
      ];
    });
  }

  async describeNetworkInterfaces(req: {
    regionId: string;
    networkInterfaceIds: readonly string[];
  }): Promise<TencentNetworkInterface[]> {
    this.enter('DescribeNetworkInterfaces', req.regionId);
    return req.networkInterfaceIds.flatMap((id) => {
      const e = this.enis.get(id);
      if (e === undefined) return [];
      return [
        {
          networkInterfaceId: id,
          regionId: this.regionId,
          vpcId: e.vpcId,
          subnetId: e.subnetId,
          primary: e.primary,
          instanceId: e.instanceId,
          state: 'AVAILABLE',
          privateIpAddresses: [{ address: e.ip, primary: true }],
        },
      ];
    });
  }

  async describeVpcLimits(req: {
    regionId: string;
    limitTypes: readonly string[];
  }): Promise<ReadonlyMap<string, number>> {
    this.enter('DescribeVpcLimits', req.regionId);
    const known = new Map([['vpc-max-havips', this.opts.maxHaVipsPerVpc]]);
    return new Map(
      req.limitTypes.flatMap((t) => (known.has(t) ? [[t, known.get(t) as number] as const] : [])),
    );
  }

  async runCommand(req: {
    regionId: string;
    instanceId: string;
    content: string;
    timeoutSeconds: number;
    commandName: string;
  }) {
    return this.mutation('RunCommand', req.regionId, () => {
      const i = this.instances.get(req.instanceId);
      if (i === undefined)
        throw this.error('RunCommand', 'InvalidParameterValue.InstanceIdNotExist', req.instanceId);
      if (i.state !== 'RUNNING' || !i.tatOnline)
        throw this.error(
          'RunCommand',
          'InvalidParameterValue.AgentStatusNotOnline',
          `${req.instanceId}: agent offline`,
        );
      const invocationId = `inv-${++this.seq}`;
      this.invocations.set(invocationId, {
        instanceId: req.instanceId,
        content: req.content,
        pollsLeft: this.opts.tatPolls,
        status: 'RUNNING',
        exitCode: undefined,
      });
      return { invocationId, requestId: this.requestId() };
    });
  }

  async describeInvocationTask(req: {
    regionId: string;
    invocationId: string;
    instanceId: string;
  }): Promise<TencentInvocationTask | undefined> {
    this.enter('DescribeInvocationTasks', req.regionId);
    const inv = this.invocations.get(req.invocationId);
    if (inv === undefined || inv.instanceId !== req.instanceId) return undefined;
    if (inv.status === 'RUNNING' && --inv.pollsLeft <= 0) this.finishInvocation(inv);
    return {
      invocationId: req.invocationId,
      invocationTaskId: `invt-${req.invocationId}`,
      instanceId: inv.instanceId,
      status: inv.status,
      exitCode: inv.exitCode,
      output: undefined,
      errorInfo: undefined,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private view(h: FakeHaVip): TencentHaVip {
    const known = this.opts.associations === 'known';
    const associations: TencentHaVipAssociation[] = h.scope.map((s) => ({ haVipId: h.haVipId, ...s }));
    return {
      haVipId: h.haVipId,
      regionId: this.regionId,
      name: undefined,
      vip: h.vip,
      vpcId: h.vpcId,
      subnetId: h.subnetId,
      instanceId: h.instanceId,
      networkInterfaceId: h.networkInterfaceId,
      addressIp: h.addressIp,
      state: h.instanceId === undefined ? 'UNBIND' : 'AVAILABLE',
      rawState: h.instanceId === undefined ? 'UNBIND' : 'AVAILABLE',
      associations: known ? associations : undefined,
      checkAssociate: known ? h.checkAssociate : undefined,
      flushedTime: h.flushedTime,
      business: undefined,
      createdTime: undefined,
    };
  }

  /** Counts the call and raises a queued fault for it. */
  private enter(action: string, regionId: string): void {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
    if (regionId !== this.regionId) throw this.error(action, 'InvalidParameterValue.Region', regionId);
    const code = this.faults.get(action)?.shift();
    if (code !== undefined) throw this.error(action, code, 'injected fault');
  }

  private mutation<T>(action: string, regionId: string, apply: () => T): T {
    this.enter(action, regionId);
    const result = apply();
    const lost = this.lost.get(action) ?? 0;
    if (lost > 0) {
      this.lost.set(action, lost - 1);
      throw new CloudResponseLostError(action);
    }
    return result;
  }

  private scopeActionExists(action: string): void {
    if (this.opts.associations === 'unknown')
      throw this.error(action, 'InvalidAction', `${action} is not available on this site`);
  }

  private haVipOrThrow(action: string, id: string): FakeHaVip {
    const h = this.haVips.get(id);
    if (h === undefined) throw this.error(action, 'ResourceNotFound', `${id} not found`);
    return h;
  }

  private noTaskRunning(action: string, haVipId: string): void {
    for (const t of this.tasks.values()) {
      if (t.haVipId !== haVipId || t.status !== 'RUNNING') continue;
      // Time passes while a client retries, as it does while one polls: a task whose id was lost with
      // its answer still ends (in the real cloud by time, not by who asks).
      if (--t.pollsLeft <= 0) {
        this.finishTask(t);
        continue;
      }
      throw this.error(
        action,
        'UnsupportedOperation.MutexOperationTaskRunning',
        'a task is running on the HAVIP',
      );
    }
  }

  private startTask(haVipId: string, apply: () => string | undefined): { taskId: string } {
    const taskId = this.requestId();
    this.tasks.set(taskId, { haVipId, status: 'RUNNING', pollsLeft: this.opts.eipTaskPolls, apply });
    return { taskId };
  }

  private finishTask(t: Task): void {
    t.status = t.apply() === undefined ? 'SUCCESS' : 'FAILED';
  }

  private finishInvocation(inv: Invocation): void {
    const vip = /^ADDR=(\S+)$/m.exec(inv.content)?.[1];
    const h = [...this.haVips.values()].find((x) => x.vip === vip);
    const from = this.announcerOn(inv.instanceId, h);
    const ok = h !== undefined && this.announce(h.haVipId, from);
    inv.status = ok ? 'SUCCESS' : 'FAILED';
    inv.exitCode = ok ? 0 : 1;
  }

  /**
   * Which NIC of the instance announces: a secondary ENI of the HAVIP's subnet (the one in the scope
   * first), as the engine means for an ENI member; else the instance (its primary ENI).
   */
  private announcerOn(instanceId: string, h: FakeHaVip | undefined): string {
    const secondary = [...this.enis.values()].filter(
      (e) => e.instanceId === instanceId && !e.primary && e.subnetId === h?.subnetId,
    );
    const inScope = secondary.find((e) => h?.scope.some((s) => s.instanceId === e.networkInterfaceId));
    return (inScope ?? secondary[0])?.networkInterfaceId ?? instanceId;
  }

  private requestId(): string {
    return `req-${++this.seq}`;
  }

  private error(action: string, code: string, message: string): CloudError {
    return new CloudError({
      provider: 'tencent',
      tencentCode: code,
      action,
      message,
      retryable: false,
      requestId: this.requestId(),
    });
  }
}

/** A fake with a two-member CVM group's world: HAVIP (VIP 10.0.1.100), two RUNNING instances. */
export const TENCENT_PAIR = {
  haVipId: 'havip-0pair001',
  vip: '10.0.1.100',
  primary: 'ins-0pair001',
  backup: 'ins-0pair002',
} as const;

export function tencentPairYaml(extra = '', announce = 'cloud-assistant'): string {
  return `
region: ap-guangzhou
cloud: tencent
groups:
  - name: tweb
    haVipId: ${TENCENT_PAIR.haVipId}
    vpcId: vpc-0fake
    subnetId: subnet-0fake
    announce: ${announce}
    announceDeadlineSeconds: 2
    nopreempt: true${extra}
    members:
      - { id: ${TENCENT_PAIR.primary}, priority: 100, ip: 10.0.1.11 }
      - { id: ${TENCENT_PAIR.backup}, priority: 10, ip: 10.0.1.12 }
`;
}

/** Seeds the pair: both instances RUNNING, the HAVIP held by the primary, whose scope is {primary}. */
export function seedTencentPair(fake: TencentFake, opts: { held?: boolean } = {}): void {
  fake.addInstance({ instanceId: TENCENT_PAIR.primary, ip: '10.0.1.11' });
  fake.addInstance({ instanceId: TENCENT_PAIR.backup, ip: '10.0.1.12' });
  fake.addHaVip({ haVipId: TENCENT_PAIR.haVipId, vip: TENCENT_PAIR.vip });
  if (opts.held !== false) {
    fake.haVips
      .get(TENCENT_PAIR.haVipId)
      ?.scope.push({ instanceId: TENCENT_PAIR.primary, instanceType: 'CVM' });
    fake.announce(TENCENT_PAIR.haVipId, TENCENT_PAIR.primary);
    fake.effects.length = 0;
  }
}

/**
 * Seeds the fake from a topology's Tencent groups: every CVM member RUNNING in the group's subnet, every
 * ENI member attached (to an instance of its own), each HAVIP unheld with an empty drift scope.
 */
export function seedTencentFromTopology(fake: TencentFake, topology: Topology): void {
  let vip = 100;
  for (const g of topology.groups) {
    if (g.cloud !== 'tencent' || g.tencent === undefined || g.haVipId === undefined) continue;
    const at = { vpcId: g.tencent.vpcId, subnetId: g.tencent.subnetId };
    for (const m of g.members) {
      if (m.kind === 'ecs') {
        if (!fake.instances.has(m.id)) fake.addInstance({ instanceId: m.id, ip: m.ip, ...at });
        continue;
      }
      const host = `ins-h${m.id.slice(4)}`;
      if (!fake.instances.has(host))
        fake.addInstance({ instanceId: host, ip: `${m.ip}0`.slice(0, 15), ...at });
      fake.addEni({ networkInterfaceId: m.id, ip: m.ip, instanceId: host, ...at });
    }
    if (!fake.haVips.has(g.haVipId)) fake.addHaVip({ haVipId: g.haVipId, vip: `10.255.0.${vip++}`, ...at });
  }
}

/** The Tencent world of `havip simulate --engine`, over the fake. */
export function fakeTencentScenarioWorld(
  opts: TencentFakeOptions = {},
): (topology: Topology) => Promise<TencentScenarioWorld> {
  return async (topology) => {
    const fake = new TencentFake({ ...opts, regionId: topology.groups[0]?.region ?? 'ap-guangzhou' });
    seedTencentFromTopology(fake, topology);
    return {
      api: fake,
      isRunning: (id) => fake.instances.get(id)?.state === 'RUNNING',
      setRunning: (id, running) => fake.setState(id, running ? 'RUNNING' : 'STOPPED'),
      holder: (g) => {
        const h = g.haVipId === undefined ? undefined : fake.haVips.get(g.haVipId);
        return g.members.every((m) => m.kind === 'eni') ? h?.networkInterfaceId : h?.instanceId;
      },
      settle: async () => fake.settle(),
      close: async () => undefined,
    };
  };
}
