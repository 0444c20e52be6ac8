/**
 * The simulated Alibaba VPC (2016-04-28) and ECS (2014-05-26) control plane: an in-memory world with
 * the HaVip/EIP/instance rules and error codes the real APIs use, asynchronous transitions on an
 * injectable clock, ECS state-change events, and deterministic fault injection. Usable without HTTP
 * ({@link SimulatedCloud.handle}); `startSimulatorServer` puts it on the wire for the official SDKs.
 */
import { systemClock } from './clock.js';
import { E, SimApiError } from './errors.js';
import {
  ecsStateChangeEvent,
  type SimEcsStateChangeEvent,
  type SimEventSink,
  type SimInstanceEventState,
} from './events.js';
import { type FaultController, Faults, type ServerFaultCode, type TransitionKind } from './faults.js';
import {
  bool,
  filters,
  jsonIdList,
  oneOf,
  optional,
  type Params,
  page,
  repeatList,
  required,
  slicePage,
} from './params.js';
import { counterId, seededRandom } from './random.js';
import { eipsOfHaVip, renderEip, renderEni, renderHaVip, renderInstance } from './render.js';
import type {
  SimClock,
  SimEipView,
  SimEniView,
  SimHaVipInstanceType,
  SimHaVipView,
  SimInstanceView,
  SimQuotas,
  SimRequest,
  SimResponse,
  SimSeed,
  SimStats,
} from './types.js';
import { parseSimSeed, resolveSimQuotas } from './types.js';
import {
  buildWorld,
  type EipRec,
  type HaVipRec,
  type InstanceRec,
  type World,
  type WorldView,
} from './world.js';

export const VPC_VERSION = '2016-04-28';
export const ECS_VERSION = '2014-05-26';

export interface SimulatedCloudOptions {
  /** Time and timers for transitions, latency, throttling and staleness. Default: the system clock. */
  readonly clock?: SimClock;
  /** Duration of every asynchronous transition (HaVip, EIP, instance). Default 0 (next timer tick). */
  readonly transitionDelayMs?: number;
  /** Per-kind overrides of `transitionDelayMs`. */
  readonly transitionDelays?: Partial<Record<TransitionKind, number>>;
  /** Random source for probabilistic faults. Default: a generator seeded with `randomSeed`. */
  readonly random?: () => number;
  /** Seed of the default generator. Default 1. */
  readonly randomSeed?: number;
  /** How far back stale describes can look. Default 10 minutes. */
  readonly historyMs?: number;
}

interface Operation {
  readonly mutates: boolean;
  readonly run: (p: Params, view: WorldView) => Record<string, unknown>;
}

interface Transition {
  readonly id: number;
  readonly due: number;
  readonly run: () => void;
  timer: unknown;
}

const HAVIP_TYPES = ['EcsInstance', 'NetworkInterface'] as const;
const EIP_TYPES = ['EcsInstance', 'NetworkInterface', 'HaVip'] as const;
const HAVIP_FILTER_KEYS = ['HaVipId', 'VpcId', 'VSwitchId', 'Status', 'HaVipAddress'] as const;
const MAX_TOKENS = 10_000;
const RECENT_EVENTS = 500;

const SERVER_FAULTS: Record<ServerFaultCode, { status: number; message: string }> = {
  ServiceUnavailable: {
    status: 503,
    message: 'The request has failed due to a temporary failure of the server.',
  },
  InternalError: {
    status: 500,
    message: 'The request processing has failed due to some unknown error, exception or failure.',
  },
};

/**
 * The simulated cloud. The ground-truth accessors (`haVip`, `instance`, …) always show the live state,
 * never stale and never subject to faults.
 */
export class SimulatedCloud {
  /** Fault injection switches. */
  readonly faults: FaultController;
  readonly quotas: SimQuotas;
  /** The AccessKey pair requests must be signed with, when verification is enabled. */
  readonly accessKey: { readonly id: string; readonly secret: string } | undefined;
  readonly accountId: string;
  readonly clock: SimClock;

  private readonly world: World;
  private readonly faultState: Faults;
  private readonly historyMs: number;
  private readonly ops: ReadonlyMap<string, Operation>;
  private readonly transitions = new Map<number, Transition>();
  private readonly tokens = new Map<string, { fingerprint: string; body: Record<string, unknown> }>();
  private readonly sinks = new Set<SimEventSink>();
  private readonly recent: SimEcsStateChangeEvent[] = [];
  private calls: Record<string, number> = {};
  private faultCounts: Record<string, number> = {};
  private throttled = 0;
  private requestSeq = 0;
  private eventSeq = 0;
  private transitionSeq = 0;

  constructor(seed: SimSeed, opts: SimulatedCloudOptions = {}) {
    const parsed = parseSimSeed(seed);
    this.clock = opts.clock ?? systemClock;
    this.quotas = resolveSimQuotas(parsed.quotas);
    this.accessKey = parsed.accessKey;
    this.accountId = parsed.accountId ?? '1234567890123456';
    this.historyMs = opts.historyMs ?? 600_000;
    this.world = buildWorld(parsed, this.quotas, new Date(this.clock.now()).toISOString());
    const base = opts.transitionDelayMs ?? 0;
    this.faultState = new Faults(this.clock, opts.random ?? seededRandom(opts.randomSeed ?? 1), {
      haVip: opts.transitionDelays?.haVip ?? base,
      eip: opts.transitionDelays?.eip ?? base,
      instance: opts.transitionDelays?.instance ?? base,
    });
    this.faults = this.faultState;
    this.ops = this.operations();
    this.commit();
  }

  // =============================================================================================
  // The API

  /**
   * Answers one API call like the cloud would: latency, throttling and injected failures first (a
   * throttled or failed call has no effect), then the operation. Never rejects: errors are responses.
   */
  async handle(req: SimRequest): Promise<SimResponse> {
    const requestId = counterId(1, ++this.requestSeq);
    this.calls[req.action] = (this.calls[req.action] ?? 0) + 1;
    const latency = this.faultState.latencyFor(req.action);
    if (latency > 0) {
      this.countFault('latency');
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, latency));
    } else {
      // Like a network call, an answer never arrives synchronously.
      await Promise.resolve();
    }
    const hostId = req.version === ECS_VERSION ? 'ecs.aliyuncs.com' : 'vpc.aliyuncs.com';
    const pre = this.faultState.before(req.action, req.accessKeyId ?? 'default');
    if (pre.kind === 'throttle') {
      this.throttled += 1;
      this.countFault('throttle');
      return errorResponse(
        new SimApiError(pre.status, 'Throttling.User', 'Request was denied due to user flow control.'),
        requestId,
        hostId,
      );
    }
    if (pre.kind === 'error') {
      this.countFault('error');
      const f = SERVER_FAULTS[pre.code];
      return errorResponse(new SimApiError(f.status, pre.code, f.message), requestId, hostId);
    }
    const op = this.ops.get(`${req.version}/${req.action}`);
    if (op === undefined) return errorResponse(E.actionNotFound(req.version, req.action), requestId, hostId);
    try {
      if (!op.mutates) {
        const staleMs = this.faultState.stalenessFor(req.action);
        if (staleMs > 0) this.countFault('stale');
        const now = this.clock.now();
        // History older than historyMs is folded into the state at the window start.
        const view =
          staleMs > 0 ? this.world.viewAt(Math.max(now - staleMs, now - this.historyMs)) : this.world;
        return { status: 200, body: { RequestId: requestId, ...op.run(req.params, view) }, requestId };
      }
      const body = this.runIdempotent(req, op, requestId);
      const drop = this.faultState.takeDrop(req.action);
      if (drop) this.countFault('drop');
      return { status: 200, body, requestId: String(body.RequestId), drop };
    } catch (e) {
      if (e instanceof SimApiError) return errorResponse(e, requestId, hostId);
      const message = e instanceof Error ? e.message : String(e);
      return errorResponse(
        new SimApiError(500, 'InternalError', `simulator bug: ${message}`),
        requestId,
        hostId,
      );
    }
  }

  /**
   * `ClientToken` idempotency: the same token with the same action and parameters returns the
   * original (successful) result without a second effect; different parameters are refused. Failed
   * calls do not consume the token, so a retry after an error runs again.
   */
  private runIdempotent(req: SimRequest, op: Operation, requestId: string): Record<string, unknown> {
    const token = optional(req.params, 'ClientToken');
    if (token === undefined) return { RequestId: requestId, ...op.run(req.params, this.world) };
    if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) {
      throw E.invalid('ClientToken', 'it must be at most 64 printable ASCII characters');
    }
    const key = `${req.accessKeyId ?? 'default'}\u0000${req.action}\u0000${token}`;
    const { ClientToken: _ignored, ...rest } = req.params;
    const fingerprint = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const prev = this.tokens.get(key);
    if (prev !== undefined) {
      if (prev.fingerprint !== fingerprint) throw E.idempotentMismatch(token);
      return prev.body;
    }
    const body = { RequestId: requestId, ...op.run(req.params, this.world) };
    this.tokens.set(key, { fingerprint, body });
    if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
    return body;
  }

  private operations(): Map<string, Operation> {
    const m = new Map<string, Operation>();
    const vpc = (action: string, mutates: boolean, run: Operation['run']) =>
      m.set(`${VPC_VERSION}/${action}`, { mutates, run });
    const ecs = (action: string, mutates: boolean, run: Operation['run']) =>
      m.set(`${ECS_VERSION}/${action}`, { mutates, run });
    vpc('DescribeHaVips', false, (p, v) => this.describeHaVips(p, v));
    vpc('AssociateHaVip', true, (p) => this.associateHaVip(p));
    vpc('UnassociateHaVip', true, (p) => this.unassociateHaVip(p));
    vpc('DescribeEipAddresses', false, (p, v) => this.describeEipAddresses(p, v));
    vpc('AssociateEipAddress', true, (p) => this.associateEip(p));
    vpc('UnassociateEipAddress', true, (p) => this.unassociateEip(p));
    ecs('DescribeInstances', false, (p, v) => this.describeInstances(p, v));
    ecs('DescribeInstanceStatus', false, (p, v) => this.describeInstanceStatus(p, v));
    ecs('DescribeNetworkInterfaces', false, (p, v) => this.describeNetworkInterfaces(p, v));
    ecs('StopInstance', true, (p) => {
      this.stop(required(p, 'InstanceId'), bool(p, 'ForceStop') ?? false);
      return {};
    });
    ecs('StartInstance', true, (p) => {
      this.start(required(p, 'InstanceId'));
      return {};
    });
    return m;
  }

  private region(p: Params): string {
    const regionId = required(p, 'RegionId');
    if (!this.world.regions.has(regionId)) throw E.regionNotFound(regionId);
    return regionId;
  }

  // -- VPC: HaVips ---------------------------------------------------------------------------------

  private describeHaVips(p: Params, view: WorldView): Record<string, unknown> {
    const regionId = this.region(p);
    const pg = page(p, 10, 50);
    let items = [...view.haVips.values()].filter((h) => h.regionId === regionId);
    for (const f of filters(p, 5, 50)) {
      if (!(HAVIP_FILTER_KEYS as readonly string[]).includes(f.key)) {
        throw new SimApiError(
          400,
          'InvalidFilterKey.ValueNotSupported',
          `Filter key ${f.key} is not supported; use one of ${HAVIP_FILTER_KEYS.join(', ')}.`,
        );
      }
      const field = (h: HaVipRec): string =>
        f.key === 'HaVipId'
          ? h.haVipId
          : f.key === 'VpcId'
            ? h.vpcId
            : f.key === 'VSwitchId'
              ? h.vSwitchId
              : f.key === 'Status'
                ? h.status
                : h.ipAddress;
      items = items.filter((h) => f.values.includes(field(h)));
    }
    return {
      TotalCount: items.length,
      PageNumber: pg.pageNumber,
      PageSize: pg.pageSize,
      HaVips: { HaVip: slicePage(items, pg).map((h) => renderHaVip(h, view)) },
    };
  }

  private haVipIn(regionId: string, id: string): HaVipRec {
    const h = this.world.haVips.get(id);
    if (h === undefined || h.regionId !== regionId) throw E.haVipNotFound(id);
    return h;
  }

  private requireHaVipSettled(h: HaVipRec): void {
    if (h.status !== 'Available' && h.status !== 'InUse') throw E.haVipStatus(h.haVipId, h.status);
  }

  /** The instance whose status governs a HaVip/EIP target: the instance itself, or the ENI's host. */
  private bindTarget(
    regionId: string,
    id: string,
    type: SimHaVipInstanceType,
  ): { vSwitchId: string; host: InstanceRec | undefined } {
    if (type === 'NetworkInterface') {
      const eni = this.world.enis.get(id);
      if (eni === undefined || eni.regionId !== regionId) throw E.instanceNotFound(id);
      const host = eni.instanceId === undefined ? undefined : this.world.instances.get(eni.instanceId);
      return { vSwitchId: eni.vSwitchId, host };
    }
    const inst = this.world.instances.get(id);
    if (inst === undefined || inst.regionId !== regionId) throw E.instanceNotFound(id);
    return { vSwitchId: inst.vSwitchId, host: inst };
  }

  private associateHaVip(p: Params): Record<string, unknown> {
    const regionId = this.region(p);
    const haVipId = required(p, 'HaVipId');
    const instanceId = required(p, 'InstanceId');
    const type = oneOf(p, 'InstanceType', HAVIP_TYPES, 'EcsInstance');
    const h = this.haVipIn(regionId, haVipId);
    this.requireHaVipSettled(h);
    const target = this.bindTarget(regionId, instanceId, type);
    if (h.bindings.includes(instanceId)) {
      throw new SimApiError(
        400,
        'InvalidAssociation.Duplicated',
        `${instanceId} is already associated with HaVip ${haVipId}.`,
      );
    }
    if (h.bindingType !== undefined && h.bindingType !== type) {
      throw new SimApiError(
        400,
        'InvalidAssociation.InstanceTypeConflict',
        `HaVip ${haVipId} is bound to ${h.bindingType} targets; it cannot also bind a ${type} (ECS instances and ENIs never mix).`,
      );
    }
    if (target.vSwitchId !== h.vSwitchId) {
      throw new SimApiError(
        400,
        'NotBelongToSameVSwitch',
        `${instanceId} is in vSwitch ${target.vSwitchId} but HaVip ${haVipId} is in ${h.vSwitchId}; they must share a vSwitch.`,
      );
    }
    if (type === 'NetworkInterface' && target.host === undefined) {
      throw new SimApiError(
        400,
        'InvalidStatus.EniStatusNotSupport',
        `ENI ${instanceId} is not attached to an instance; attach it before binding it to a HaVip.`,
      );
    }
    if (target.host !== undefined && target.host.status !== 'Running' && target.host.status !== 'Stopped') {
      throw E.instanceStatus(400, target.host.instanceId, target.host.status, 'Running or Stopped');
    }
    if (h.bindings.length >= this.quotas.membersPerHaVip) {
      throw new SimApiError(
        400,
        'QuotaExceeded.HaVipAssociatedInstance',
        `HaVip ${haVipId} already has ${h.bindings.length} bindings; the quota is ${this.quotas.membersPerHaVip}.`,
      );
    }
    if (this.world.haVipsOf(instanceId).length >= this.quotas.haVipsPerInstance) {
      throw new SimApiError(
        400,
        'CountLimitExceeded.HaVipOnECSInstance',
        `${instanceId} is already bound to ${this.quotas.haVipsPerInstance} HaVips, the most allowed.`,
      );
    }
    this.requireMemberIdle(instanceId, haVipId);
    this.world.haVips.set(haVipId, {
      ...h,
      status: 'Associating',
      pending: { op: 'associate', instanceId, instanceType: type },
    });
    this.commit();
    this.schedule('haVip', () => this.completeHaVip(haVipId));
    return {};
  }

  /** One HaVip change at a time per bound target (the cloud serialises changes to one ENI's config). */
  private requireMemberIdle(instanceId: string, haVipId: string): void {
    for (const other of this.world.haVips.values()) {
      if (other.haVipId !== haVipId && other.pending?.instanceId === instanceId) {
        throw new SimApiError(
          400,
          'OperationConflict',
          `${instanceId} is being changed by another operation on HaVip ${other.haVipId}; retry when it finishes.`,
        );
      }
    }
  }

  private unassociateHaVip(p: Params): Record<string, unknown> {
    const regionId = this.region(p);
    const haVipId = required(p, 'HaVipId');
    const instanceId = required(p, 'InstanceId');
    const type = oneOf(p, 'InstanceType', HAVIP_TYPES, 'EcsInstance');
    const force = bool(p, 'Force') ?? false;
    const h = this.haVipIn(regionId, haVipId);
    this.requireHaVipSettled(h);
    if (!h.bindings.includes(instanceId) || h.bindingType !== type) {
      throw new SimApiError(
        400,
        'ResourceNotAssociated',
        `${type} ${instanceId} is not associated with HaVip ${haVipId}.`,
      );
    }
    if (h.master === instanceId && !force) {
      throw new SimApiError(
        400,
        'Forbidden.UnassociateMaster',
        `${instanceId} is the master of HaVip ${haVipId}; pass Force=True to detach it.`,
      );
    }
    this.requireMemberIdle(instanceId, haVipId);
    this.world.haVips.set(haVipId, {
      ...h,
      status: 'Unassociating',
      pending: { op: 'unassociate', instanceId, instanceType: type },
    });
    this.commit();
    this.schedule('haVip', () => this.completeHaVip(haVipId));
    return {};
  }

  private completeHaVip(haVipId: string): void {
    const h = this.world.haVips.get(haVipId);
    if (h?.pending === undefined) return;
    const { op, instanceId, instanceType } = h.pending;
    let bindings = h.bindings;
    const stillExists =
      instanceType === 'NetworkInterface'
        ? this.world.enis.has(instanceId)
        : this.world.instances.has(instanceId);
    if (op === 'associate' && stillExists) bindings = [...bindings, instanceId];
    if (op === 'unassociate') bindings = bindings.filter((b) => b !== instanceId);
    const next: HaVipRec = {
      ...h,
      bindings,
      bindingType: bindings.length === 0 ? undefined : (h.bindingType ?? instanceType),
      status: bindings.length > 0 ? 'InUse' : 'Available',
      pending: undefined,
    };
    this.world.haVips.set(haVipId, { ...next, master: this.world.electMaster(next) });
    this.commit();
  }

  // -- VPC: EIPs -------------------------------------------------------------------------------------

  private describeEipAddresses(p: Params, view: WorldView): Record<string, unknown> {
    const regionId = this.region(p);
    const pg = page(p, 10, 100);
    // The SDK models AllocationId as one string; the API docs accept up to 50 comma-separated ids.
    const ids = optional(p, 'AllocationId')
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (ids !== undefined && ids.length > 50)
      throw E.invalid('AllocationId', `at most 50 ids are allowed, got ${ids.length}`);
    const status = optional(p, 'Status');
    const assocId = optional(p, 'AssociatedInstanceId');
    const assocType = optional(p, 'AssociatedInstanceType');
    const address = optional(p, 'EipAddress');
    const items = [...view.eips.values()].filter(
      (e) =>
        e.regionId === regionId &&
        (ids === undefined || ids.includes(e.allocationId)) &&
        (status === undefined || e.status === status) &&
        (assocId === undefined || e.instanceId === assocId) &&
        (assocType === undefined || e.instanceType === assocType) &&
        (address === undefined || e.ipAddress === address),
    );
    return {
      TotalCount: items.length,
      PageNumber: pg.pageNumber,
      PageSize: pg.pageSize,
      EipAddresses: { EipAddress: slicePage(items, pg).map((e) => renderEip(e, view)) },
    };
  }

  private eipIn(regionId: string, id: string): EipRec {
    const e = this.world.eips.get(id);
    if (e === undefined || e.regionId !== regionId) throw E.allocationNotFound(id);
    return e;
  }

  private associateEip(p: Params): Record<string, unknown> {
    const regionId = this.region(p);
    const allocationId = required(p, 'AllocationId');
    const instanceId = required(p, 'InstanceId');
    const type = oneOf(p, 'InstanceType', EIP_TYPES, 'EcsInstance');
    const eip = this.eipIn(regionId, allocationId);
    if (eip.status === 'InUse' && eip.instanceId === instanceId) {
      throw new SimApiError(
        400,
        'InvalidAssociation.Duplicated',
        `Specified instance ${instanceId} already is associated with ${allocationId}.`,
      );
    }
    if (eip.status !== 'Available') throw E.eipStatus(allocationId, eip.status, 'Available');
    const holder = (id: string) =>
      [...this.world.eips.values()].filter(
        (e) => e.instanceId === id && e.status !== 'Available' && e.allocationId !== allocationId,
      );
    if (type === 'HaVip') {
      const h = this.haVipIn(regionId, instanceId);
      this.requireHaVipSettled(h);
      if (holder(instanceId).length >= this.quotas.eipsPerHaVip) {
        throw new SimApiError(
          400,
          'InvalidAssociation.Duplicated',
          `HaVip ${instanceId} already has ${this.quotas.eipsPerHaVip} EIP(s) bound, the most allowed.`,
        );
      }
    } else {
      const target = this.bindTarget(regionId, instanceId, type);
      if (
        type === 'EcsInstance' &&
        target.host !== undefined &&
        target.host.status !== 'Running' &&
        target.host.status !== 'Stopped'
      ) {
        throw E.instanceStatus(400, instanceId, target.host.status, 'Running or Stopped');
      }
      const other = holder(instanceId)[0];
      if (other !== undefined) {
        throw new SimApiError(
          400,
          'InvalidAssociation.Duplicated',
          `Specified instance ${instanceId} already is associated with ${other.allocationId}.`,
        );
      }
    }
    this.world.eips.set(allocationId, { ...eip, status: 'Associating', instanceId, instanceType: type });
    this.commit();
    this.schedule('eip', () => this.completeEip(allocationId, 'InUse'));
    return {};
  }

  private unassociateEip(p: Params): Record<string, unknown> {
    const regionId = this.region(p);
    const allocationId = required(p, 'AllocationId');
    const instanceId = required(p, 'InstanceId');
    const type = oneOf(p, 'InstanceType', EIP_TYPES, 'EcsInstance');
    const eip = this.eipIn(regionId, allocationId);
    if (eip.status === 'Associating' || eip.status === 'Unassociating') {
      throw E.eipStatus(allocationId, eip.status, 'InUse');
    }
    if (eip.status !== 'InUse' || eip.instanceId !== instanceId || eip.instanceType !== type) {
      throw new SimApiError(
        400,
        'InvalidBindingStatus',
        `The eip binding status invalid: ${allocationId} is not associated with ${type} ${instanceId}.`,
      );
    }
    if (type === 'HaVip') this.requireHaVipSettled(this.haVipIn(regionId, instanceId));
    this.world.eips.set(allocationId, { ...eip, status: 'Unassociating' });
    this.commit();
    this.schedule('eip', () => this.completeEip(allocationId, 'Available'));
    return {};
  }

  private completeEip(allocationId: string, to: 'InUse' | 'Available'): void {
    const e = this.world.eips.get(allocationId);
    if (e === undefined || (e.status !== 'Associating' && e.status !== 'Unassociating')) return;
    this.world.eips.set(
      allocationId,
      to === 'InUse'
        ? { ...e, status: 'InUse' }
        : { ...e, status: 'Available', instanceId: undefined, instanceType: undefined },
    );
    this.commit();
  }

  // -- ECS -------------------------------------------------------------------------------------------

  private describeInstances(p: Params, view: WorldView): Record<string, unknown> {
    const regionId = this.region(p);
    const pg = page(p, 10, 100);
    const ids = jsonIdList(p, 'InstanceIds', 100);
    const vpcId = optional(p, 'VpcId');
    const vSwitchId = optional(p, 'VSwitchId');
    const status = optional(p, 'Status');
    const items = [...view.instances.values()].filter(
      (i) =>
        i.regionId === regionId &&
        (ids === undefined || ids.includes(i.instanceId)) &&
        (vpcId === undefined || i.vpcId === vpcId) &&
        (vSwitchId === undefined || i.vSwitchId === vSwitchId) &&
        (status === undefined || i.status === status),
    );
    return {
      TotalCount: items.length,
      PageNumber: pg.pageNumber,
      PageSize: pg.pageSize,
      NextToken: '',
      Instances: { Instance: slicePage(items, pg).map((i) => renderInstance(i, view)) },
    };
  }

  private describeInstanceStatus(p: Params, view: WorldView): Record<string, unknown> {
    const regionId = this.region(p);
    const pg = page(p, 10, 50);
    const ids = repeatList(p, 'InstanceId', 100);
    const items = [...view.instances.values()].filter(
      (i) => i.regionId === regionId && (ids.length === 0 || ids.includes(i.instanceId)),
    );
    return {
      TotalCount: items.length,
      PageNumber: pg.pageNumber,
      PageSize: pg.pageSize,
      InstanceStatuses: {
        InstanceStatus: slicePage(items, pg).map((i) => ({ InstanceId: i.instanceId, Status: i.status })),
      },
    };
  }

  private describeNetworkInterfaces(p: Params, view: WorldView): Record<string, unknown> {
    const regionId = this.region(p);
    const pg = page(p, 10, 100);
    const ids = repeatList(p, 'NetworkInterfaceId', 100);
    const instanceId = optional(p, 'InstanceId');
    const vSwitchId = optional(p, 'VSwitchId');
    const vpcId = optional(p, 'VpcId');
    const status = optional(p, 'Status');
    const items = [...view.enis.values()].filter(
      (n) =>
        n.regionId === regionId &&
        (ids.length === 0 || ids.includes(n.networkInterfaceId)) &&
        (instanceId === undefined || n.instanceId === instanceId) &&
        (vSwitchId === undefined || n.vSwitchId === vSwitchId) &&
        (vpcId === undefined || n.vpcId === vpcId) &&
        (status === undefined || (n.instanceId === undefined ? 'Available' : 'InUse') === status),
    );
    return {
      TotalCount: items.length,
      PageNumber: pg.pageNumber,
      PageSize: pg.pageSize,
      NextToken: '',
      NetworkInterfaceSets: { NetworkInterfaceSet: slicePage(items, pg).map(renderEni) },
    };
  }

  /** ECS answers status conflicts on stop/start with 403 `IncorrectInstanceStatus`. */
  private stop(instanceId: string, _force: boolean): void {
    const i = this.world.instances.get(instanceId);
    if (i === undefined) throw E.instanceNotFound(instanceId);
    if (i.status !== 'Running') throw E.instanceStatus(403, instanceId, i.status, 'Running');
    this.setInstanceStatus(i, 'Stopping');
    this.schedule('instance', () => {
      const cur = this.world.instances.get(instanceId);
      if (cur?.status === 'Stopping') this.setInstanceStatus(cur, 'Stopped');
    });
  }

  private start(instanceId: string): void {
    const i = this.world.instances.get(instanceId);
    if (i === undefined) throw E.instanceNotFound(instanceId);
    if (i.status !== 'Stopped') throw E.instanceStatus(403, instanceId, i.status, 'Stopped');
    this.setInstanceStatus(i, 'Starting');
    this.schedule('instance', () => {
      const cur = this.world.instances.get(instanceId);
      if (cur?.status === 'Starting') this.setInstanceStatus(cur, 'Running');
    });
  }

  private setInstanceStatus(i: InstanceRec, status: InstanceRec['status']): void {
    this.world.instances.set(i.instanceId, { ...i, status });
    this.refreshMasters();
    this.commit();
    if (status !== 'Pending') this.emit(i, status);
  }

  /** Re-elect masters after a liveness change (an instance stopping or coming back). */
  private refreshMasters(): void {
    for (const [id, h] of this.world.haVips) {
      const master = this.world.electMaster(h);
      if (master !== h.master) this.world.haVips.set(id, { ...h, master });
    }
  }

  // =============================================================================================
  // Operator actions (the local mode's "stop this instance" button, tests' fault scenarios)

  /** Stop an instance like the console would: `Stopping` now, `Stopped` after the transition delay. */
  stopInstance(instanceId: string, opts: { force?: boolean } = {}): void {
    this.stop(instanceId, opts.force ?? false);
  }

  /** Start a stopped instance: `Starting` now, `Running` after the transition delay. */
  startInstance(instanceId: string): void {
    this.start(instanceId);
  }

  /**
   * Release an instance at once. Like the cloud, this unbinds it from its HaVips and EIPs and detaches
   * its secondary ENIs (whose own HaVip bindings stay). Emits a `Deleted` state change.
   */
  deleteInstance(instanceId: string): void {
    const i = this.world.instances.get(instanceId);
    if (i === undefined) throw E.instanceNotFound(instanceId);
    this.world.instances.delete(instanceId);
    for (const [id, n] of this.world.enis) {
      if (n.instanceId === instanceId) this.world.enis.set(id, { ...n, instanceId: undefined });
    }
    for (const [id, e] of this.world.eips) {
      if (e.instanceId === instanceId)
        this.world.eips.set(id, {
          ...e,
          status: 'Available',
          instanceId: undefined,
          instanceType: undefined,
        });
    }
    for (const [id, h] of this.world.haVips) {
      if (!h.bindings.includes(instanceId)) continue;
      const bindings = h.bindings.filter((b) => b !== instanceId);
      const settled = h.pending === undefined;
      this.world.haVips.set(id, {
        ...h,
        bindings,
        bindingType: bindings.length === 0 && settled ? undefined : h.bindingType,
        status: settled ? (bindings.length > 0 ? 'InUse' : 'Available') : h.status,
      });
    }
    this.refreshMasters();
    this.commit();
    this.emit(i, 'Deleted');
  }

  /** Receive every ECS state-change event (EventBridge format). Returns an unsubscribe function. */
  onEvent(sink: SimEventSink): () => void {
    this.sinks.add(sink);
    return () => {
      this.sinks.delete(sink);
    };
  }

  /** The most recent events (up to 500), oldest first. */
  recentEvents(): readonly SimEcsStateChangeEvent[] {
    return [...this.recent];
  }

  private emit(i: InstanceRec, state: SimInstanceEventState): void {
    const event = ecsStateChangeEvent({
      id: counterId(2, ++this.eventSeq),
      accountId: this.accountId,
      regionId: i.regionId,
      instanceId: i.instanceId,
      state,
      at: this.clock.now(),
    });
    this.recent.push(event);
    if (this.recent.length > RECENT_EVENTS) this.recent.shift();
    for (const sink of this.sinks) {
      try {
        sink(event);
      } catch {
        // A broken subscriber must not break the cloud or starve the other subscribers.
      }
    }
  }

  // =============================================================================================
  // Transitions

  private schedule(kind: TransitionKind, run: () => void): void {
    const delay = this.faultState.transitionDelay(kind);
    const t: Transition = { id: ++this.transitionSeq, due: this.clock.now() + delay, run, timer: undefined };
    this.transitions.set(t.id, t);
    t.timer = this.clock.setTimeout(() => this.fire(t.id), delay);
  }

  private fire(id: number): void {
    const t = this.transitions.get(id);
    if (t === undefined) return;
    this.transitions.delete(id);
    t.run();
  }

  /** Complete every pending asynchronous transition now, in due order (for tests). */
  async settle(): Promise<void> {
    for (;;) {
      let next: Transition | undefined;
      for (const t of this.transitions.values()) {
        if (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id)) next = t;
      }
      if (next === undefined) break;
      this.clock.clearTimeout?.(next.timer);
      this.fire(next.id);
    }
    await Promise.resolve();
  }

  /** Number of asynchronous transitions still in flight. */
  pendingTransitions(): number {
    return this.transitions.size;
  }

  private commit(): void {
    this.world.commit(this.clock.now(), this.historyMs);
  }

  // =============================================================================================
  // Ground truth

  haVip(id: string): SimHaVipView | undefined {
    const h = this.world.haVips.get(id);
    if (h === undefined) return undefined;
    const eips = eipsOfHaVip(this.world, id);
    return {
      haVipId: h.haVipId,
      regionId: h.regionId,
      vpcId: h.vpcId,
      vSwitchId: h.vSwitchId,
      ipAddress: h.ipAddress,
      status: h.status,
      associatedInstanceType: h.bindingType,
      associatedInstances: [...h.bindings],
      masterInstanceId: h.master,
      associatedEipIds: eips.map((e) => e.allocationId),
      associatedEipAddresses: eips.map((e) => e.ipAddress),
    };
  }

  instance(id: string): SimInstanceView | undefined {
    const i = this.world.instances.get(id);
    if (i === undefined) return undefined;
    const { creationTime: _c, ...rest } = i;
    return { ...rest, operationLocks: [...i.operationLocks] };
  }

  eni(id: string): SimEniView | undefined {
    const n = this.world.enis.get(id);
    if (n === undefined) return undefined;
    const { creationTime: _c, ...rest } = n;
    return { ...rest, status: n.instanceId === undefined ? 'Available' : 'InUse' };
  }

  eip(id: string): SimEipView | undefined {
    const e = this.world.eips.get(id);
    if (e === undefined) return undefined;
    const { allocationTime: _a, ...rest } = e;
    return rest;
  }

  /** Every resource, live, for dumps and the admin endpoint. */
  snapshot(): {
    regions: string[];
    haVips: SimHaVipView[];
    instances: SimInstanceView[];
    enis: SimEniView[];
    eips: SimEipView[];
  } {
    return {
      regions: [...this.world.regions],
      haVips: [...this.world.haVips.keys()].map((id) => this.haVip(id)!),
      instances: [...this.world.instances.keys()].map((id) => this.instance(id)!),
      enis: [...this.world.enis.keys()].map((id) => this.eni(id)!),
      eips: [...this.world.eips.keys()].map((id) => this.eip(id)!),
    };
  }

  // =============================================================================================
  // Stats

  stats(): SimStats {
    return { calls: { ...this.calls }, faults: { ...this.faultCounts }, throttled: this.throttled };
  }

  resetStats(): void {
    this.calls = {};
    this.faultCounts = {};
    this.throttled = 0;
  }

  private countFault(kind: string): void {
    this.faultCounts[kind] = (this.faultCounts[kind] ?? 0) + 1;
  }
}

function errorResponse(e: SimApiError, requestId: string, hostId: string): SimResponse {
  const product = hostId.startsWith('ecs') ? 'Ecs' : 'Vpc';
  return {
    status: e.status,
    requestId,
    body: {
      RequestId: requestId,
      HostId: hostId,
      Code: e.alibabaCode,
      Message: e.wireMessage,
      Recommend:
        e.recommend ??
        `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.alibabaCode)}&product=${product}`,
    },
  };
}
