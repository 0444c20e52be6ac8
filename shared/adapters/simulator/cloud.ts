/**
 * The simulated Alibaba VPC (2016-04-28) and ECS (2014-05-26) control plane: an in-memory world with
 * the HaVip/EIP/instance rules and error codes the real APIs use, asynchronous transitions on an
 * injectable clock, ECS state-change events, and deterministic fault injection. Usable without HTTP
 * ({@link SimulatedCloud.handle}); `startSimulatorServer` puts it on the wire for the official SDKs.
 */
import { ipv4ToNumber } from '../../core/election.js';
import { InvalidInputError } from '../../core/errors.js';
import { addressesInScript, invocationKey, renderInvocationResult, runCommandParams } from './assistant.js';
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
  SimAnnounceResult,
  SimClock,
  SimEipView,
  SimEniView,
  SimHaVipInstanceType,
  SimHaVipView,
  SimInstanceView,
  SimInvocationView,
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
  type InvocationRec,
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
  /**
   * How long simulated keepalived waits before a backup announces a HaVip that lost its master.
   * Default 3600 ms: keepalived's master-down interval at `advert_int 1` (3 × 1 s + skew).
   */
  readonly keepalivedTakeoverMs?: number;
  /** How long a Cloud Assistant invocation stays `Running` before the script has run. Default 300 ms. */
  readonly cloudAssistantDelayMs?: number;
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
const MAX_INVOCATIONS = 10_000;

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
  private announced = { accepted: 0, ignored: 0 };
  private requestSeq = 0;
  private eventSeq = 0;
  private transitionSeq = 0;
  private invokeSeq = 0;
  private readonly keepalivedTakeoverMs: number;
  private readonly cloudAssistantDelayMs: number;
  /** HaVips with a keepalived takeover timer running. */
  private readonly takeovers = new Set<string>();

  constructor(seed: SimSeed, opts: SimulatedCloudOptions = {}) {
    const parsed = parseSimSeed(seed);
    this.clock = opts.clock ?? systemClock;
    this.quotas = resolveSimQuotas(parsed.quotas);
    this.accessKey = parsed.accessKey;
    this.accountId = parsed.accountId ?? '1234567890123456';
    this.historyMs = opts.historyMs ?? 600_000;
    this.world = buildWorld(parsed, this.quotas, new Date(this.clock.now()).toISOString());
    this.keepalivedTakeoverMs = nonNegativeOption('keepalivedTakeoverMs', opts.keepalivedTakeoverMs, 3600);
    this.cloudAssistantDelayMs = nonNegativeOption('cloudAssistantDelayMs', opts.cloudAssistantDelayMs, 300);
    const base = opts.transitionDelayMs ?? 0;
    this.faultState = new Faults(
      this.clock,
      opts.random ?? seededRandom(opts.randomSeed ?? 1),
      {
        haVip: opts.transitionDelays?.haVip ?? base,
        eip: opts.transitionDelays?.eip ?? base,
        instance: opts.transitionDelays?.instance ?? base,
      },
      () => this.scheduleTakeovers(),
    );
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
    ecs('RunCommand', true, (p) => this.runCommand(p));
    ecs('DescribeInvocationResults', false, (p, v) => this.describeInvocationResults(p, v));
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
    // Binding alone never names a master; unbinding the master clears it (in commit()).
    this.world.haVips.set(haVipId, next);
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
    // A master that stops sending traffic (Stopping) loses the HaVip in commit(); starting again does
    // not bring it back: only a new announcement does.
    this.commit();
    if (status !== 'Pending') this.emit(i, status);
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
    this.scheduleAfter(this.faultState.transitionDelay(kind), run);
  }

  /** Anything the simulator does later (transitions, keepalived takeovers, command runs), on its clock. */
  private scheduleAfter(delay: number, run: () => void): void {
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

  /**
   * Complete every pending asynchronous transition now, in due order, including keepalived takeovers
   * and Cloud Assistant runs (for tests).
   */
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

  /** Number of asynchronous transitions (and pending takeovers and command runs) still in flight. */
  pendingTransitions(): number {
    return this.transitions.size;
  }

  /**
   * Every change ends here: masters that lost their binding or liveness are cleared, the change is
   * recorded for stale describes, and keepalived hosts get a chance to take over.
   */
  private commit(): void {
    this.world.clearLostMasters();
    this.world.commit(this.clock.now(), this.historyMs);
    this.scheduleTakeovers();
  }

  // =============================================================================================
  // The data plane: ARP announcements decide MasterInstanceId

  /**
   * An ARP announcement (gratuitous ARP) of `address` from an instance (or from one of its ENIs when an
   * `eni-` id is given). The VPC makes the announcer the HaVip's master only when the address is a
   * HaVip's address in the announcer's vSwitch, the announcer (the instance or its ENI) is bound to
   * that HaVip, and the instance is Running; anything else is ignored, as the VPC ignores ARP from
   * hosts that are not bound. Repeating an accepted announcement is harmless.
   */
  announce(instanceId: string, address: string): SimAnnounceResult {
    const r = this.resolveAnnouncement(instanceId, address);
    if (!r.accepted) {
      this.announced.ignored += 1;
      return r;
    }
    this.announced.accepted += 1;
    const h = this.world.haVips.get(r.haVipId!)!;
    if (h.master !== r.masterInstanceId) {
      this.world.haVips.set(h.haVipId, { ...h, master: r.masterInstanceId });
      this.commit();
    }
    return r;
  }

  private resolveAnnouncement(id: string, address: string): SimAnnounceResult {
    const ignored = (reason: string): SimAnnounceResult => ({ accepted: false, reason });
    if (ipv4ToNumber(address) === undefined)
      return ignored(`${JSON.stringify(address)} is not an IPv4 address`);
    const host = this.world.hostOf(id);
    if (host === undefined) {
      return ignored(
        id.startsWith('eni-') && this.world.enis.has(id)
          ? `ENI ${id} is not attached to an instance, so nothing sends its ARP`
          : `${id} does not exist`,
      );
    }
    if (host.status !== 'Running') {
      return ignored(`instance ${host.instanceId} is ${host.status}; only a Running instance sends ARP`);
    }
    // The announcer's interfaces: an ENI id names one; an instance speaks on its own and its ENIs.
    const targets = id.startsWith('eni-')
      ? [id]
      : [
          id,
          ...[...this.world.enis.values()]
            .filter((n) => n.instanceId === id)
            .map((n) => n.networkInterfaceId),
        ];
    let unbound: HaVipRec | undefined;
    for (const t of targets) {
      const vSwitchId = t.startsWith('eni-') ? this.world.enis.get(t)?.vSwitchId : host.vSwitchId;
      for (const h of this.world.haVips.values()) {
        if (h.ipAddress !== address || h.vSwitchId !== vSwitchId || h.regionId !== host.regionId) continue;
        if (h.bindings.includes(t)) return { accepted: true, haVipId: h.haVipId, masterInstanceId: t };
        unbound ??= h;
      }
    }
    if (unbound !== undefined) {
      return ignored(
        `${id} is not bound to HaVip ${unbound.haVipId} (${address}); the VPC ignores ARP from unbound instances`,
      );
    }
    return ignored(`${address} is not the address of a HaVip in the vSwitch of ${id}`);
  }

  /**
   * Which target receives the HaVip's traffic now: the master while it is bound and live, else nobody
   * (traffic to the address is dropped). Ground truth, never stale.
   */
  servingInstance(haVipId: string): string | undefined {
    const h = this.world.haVips.get(haVipId);
    if (h?.master === undefined) return undefined;
    return h.bindings.includes(h.master) && this.world.isLive(h.master) ? h.master : undefined;
  }

  /**
   * Simulated keepalived: for every HaVip without a master that has a bound, Running, not-stuck
   * keepalived host, the best of them (priority, then higher IP) announces the address after
   * `keepalivedTakeoverMs`. It never preempts a live master (as with `nopreempt`).
   */
  private scheduleTakeovers(): void {
    for (const h of this.world.haVips.values()) {
      if (h.master !== undefined || this.takeovers.has(h.haVipId)) continue;
      if (this.keepalivedCandidate(h) === undefined) continue;
      const haVipId = h.haVipId;
      this.takeovers.add(haVipId);
      this.scheduleAfter(this.keepalivedTakeoverMs, () => {
        this.takeovers.delete(haVipId);
        const cur = this.world.haVips.get(haVipId);
        if (cur === undefined || cur.master !== undefined) return;
        const winner = this.keepalivedCandidate(cur);
        if (winner !== undefined) this.announce(winner, cur.ipAddress);
      });
    }
  }

  private keepalivedCandidate(h: HaVipRec): string | undefined {
    let best: { id: string; priority: number; ip: number } | undefined;
    for (const b of h.bindings) {
      const host = this.world.hostOf(b);
      if (host?.keepalived === undefined || host.status !== 'Running') continue;
      if (this.faultState.keepalivedStuckOn(host.instanceId)) continue;
      const priority = host.keepalived.priorities[h.haVipId] ?? host.keepalived.priority;
      const ip = ipv4ToNumber(this.world.addressOf(b) ?? '') ?? 0;
      if (
        best === undefined ||
        priority > best.priority ||
        (priority === best.priority && (ip > best.ip || (ip === best.ip && b > best.id)))
      )
        best = { id: b, priority, ip };
    }
    return best?.id;
  }

  // =============================================================================================
  // Cloud Assistant

  private runCommand(p: Params): Record<string, unknown> {
    const regionId = this.region(p);
    const req = runCommandParams(p);
    for (const id of req.instanceIds) {
      const i = this.world.instances.get(id);
      if (i === undefined || i.regionId !== regionId) {
        throw new SimApiError(
          404,
          'InvalidInstance.NotFound',
          `The specified instance ${id} does not exist.`,
        );
      }
      if (i.status !== 'Running') {
        throw new SimApiError(
          400,
          'InvalidInstanceStatus',
          `The specified instance ${id} is ${i.status}; Cloud Assistant runs commands only on Running instances.`,
        );
      }
    }
    const seq = ++this.invokeSeq;
    const invokeId = `t-sim${seq.toString(16).padStart(12, '0')}`;
    const startTime = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const instanceId of req.instanceIds) {
      const rec: InvocationRec = {
        invokeId,
        regionId,
        instanceId,
        name: req.name,
        commandType: req.type,
        commandContent: req.script,
        status: 'Running',
        exitCode: undefined,
        output: '',
        errorCode: undefined,
        errorInfo: undefined,
        startTime,
        finishedTime: undefined,
      };
      this.world.invocations.set(invocationKey(invokeId, instanceId), rec);
    }
    while (this.world.invocations.size > MAX_INVOCATIONS) {
      this.world.invocations.delete(this.world.invocations.keys().next().value as string);
    }
    this.commit();
    this.scheduleAfter(this.cloudAssistantDelayMs, () => {
      for (const instanceId of req.instanceIds) this.execute(invocationKey(invokeId, instanceId));
    });
    return { InvokeId: invokeId, CommandId: `c-sim${seq.toString(16).padStart(12, '0')}` };
  }

  /** The agent picks the command up and runs it (or cannot). */
  private execute(key: string): void {
    const rec = this.world.invocations.get(key);
    if (rec === undefined || rec.status !== 'Running') return;
    const result = this.runOnHost(rec);
    const finishedTime = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.world.invocations.set(key, { ...rec, finishedTime, ...result });
    this.commit();
  }

  /** The outcome of one run, with the documented ErrorCode / ErrorInfo values. */
  private runOnHost(rec: InvocationRec): Partial<InvocationRec> & Pick<InvocationRec, 'status'> {
    const inst = this.world.instances.get(rec.instanceId);
    if (inst === undefined) {
      return {
        status: 'Error',
        errorCode: 'InstanceReleased',
        errorInfo: 'the instance has released when create task',
      };
    }
    if (inst.status !== 'Running') {
      return {
        status: 'Aborted',
        errorCode: 'InstanceNotRunning',
        errorInfo: 'the instance is not running when create task',
      };
    }
    if (rec.commandType !== 'RunShellScript') {
      return {
        status: 'Failed',
        errorCode: 'CommandNotApplicable',
        errorInfo: 'the command is not applicable',
      };
    }
    const mode = this.faultState.cloudAssistantOn(rec.instanceId);
    if (mode === 'offline') {
      // The command is never delivered: Aborted ("failed to be sent to the instance"), no exit code.
      return {
        status: 'Aborted',
        errorCode: 'ClientNotRunning',
        errorInfo: 'the aliyun service is not running on the instance',
      };
    }
    if (mode === 'fail') {
      return {
        status: 'Failed',
        exitCode: 1,
        output: 'simulated failure: the script exited with status 1\n',
        errorCode: 'ExitCodeNonzero',
        errorInfo: 'the command execution exit code is not zero',
      };
    }
    // The host sends the ARP whether or not the VPC acts on it: the script succeeds either way.
    let output = '';
    for (const address of this.haVipAddressesIn(rec.commandContent, inst)) {
      this.announce(rec.instanceId, address);
      output += `announced ${address}\n`;
    }
    return { status: 'Success', exitCode: 0, output };
  }

  /** HaVip addresses (of the instance's vSwitches) that the script sends gratuitous ARP for. */
  private haVipAddressesIn(script: string, inst: InstanceRec): string[] {
    const vSwitches = new Set([inst.vSwitchId]);
    for (const n of this.world.enis.values())
      if (n.instanceId === inst.instanceId) vSwitches.add(n.vSwitchId);
    const known = new Set(
      [...this.world.haVips.values()]
        .filter((h) => h.regionId === inst.regionId && vSwitches.has(h.vSwitchId))
        .map((h) => h.ipAddress),
    );
    return addressesInScript(script).filter((a) => known.has(a));
  }

  private describeInvocationResults(p: Params, view: WorldView): Record<string, unknown> {
    const regionId = this.region(p);
    const pg = page(p, 10, 50);
    const invokeId = optional(p, 'InvokeId');
    const instanceId = optional(p, 'InstanceId');
    // Output is Base64 unless PlainText is asked for (the documented default is Base64).
    const plain = optional(p, 'ContentEncoding')?.toLowerCase() === 'plaintext';
    const items = [...view.invocations.values()].filter(
      (r) =>
        r.regionId === regionId &&
        (invokeId === undefined || r.invokeId === invokeId) &&
        (instanceId === undefined || r.instanceId === instanceId),
    );
    return {
      Invocation: {
        TotalCount: items.length,
        PageNumber: pg.pageNumber,
        PageSize: pg.pageSize,
        NextToken: '',
        InvocationResults: {
          InvocationResult: slicePage(items, pg).map((r) => renderInvocationResult(r, plain)),
        },
      },
    };
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

  /** A Cloud Assistant invocation on one instance (the first instance when `instanceId` is omitted). */
  invocation(invokeId: string, instanceId?: string): SimInvocationView | undefined {
    let rec: InvocationRec | undefined;
    if (instanceId !== undefined) rec = this.world.invocations.get(invocationKey(invokeId, instanceId));
    else
      for (const r of this.world.invocations.values())
        if (r.invokeId === invokeId) {
          rec = r;
          break;
        }
    if (rec === undefined) return undefined;
    const { startTime: _s, finishedTime: _f, commandType: _t, ...rest } = rec;
    return rest;
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
    invocations: SimInvocationView[];
  } {
    return {
      regions: [...this.world.regions],
      haVips: [...this.world.haVips.keys()].map((id) => this.haVip(id)!),
      instances: [...this.world.instances.keys()].map((id) => this.instance(id)!),
      enis: [...this.world.enis.keys()].map((id) => this.eni(id)!),
      eips: [...this.world.eips.keys()].map((id) => this.eip(id)!),
      invocations: [...this.world.invocations.values()].map(
        (r) => this.invocation(r.invokeId, r.instanceId)!,
      ),
    };
  }

  // =============================================================================================
  // Stats

  stats(): SimStats {
    return {
      calls: { ...this.calls },
      faults: { ...this.faultCounts },
      throttled: this.throttled,
      announcements: { ...this.announced },
    };
  }

  resetStats(): void {
    this.calls = {};
    this.faultCounts = {};
    this.throttled = 0;
    this.announced = { accepted: 0, ignored: 0 };
  }

  private countFault(kind: string): void {
    this.faultCounts[kind] = (this.faultCounts[kind] ?? 0) + 1;
  }
}

function nonNegativeOption(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new InvalidInputError('simulator.options-invalid', 'invalid simulator options', [
      { path: name, message: `must be a finite number of milliseconds >= 0, got ${String(v)}` },
    ]);
  }
  return v;
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
