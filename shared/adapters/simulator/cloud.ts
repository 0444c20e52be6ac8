/**
 * The simulated Alibaba VPC (2016-04-28) and ECS (2014-05-26) control plane: an in-memory world with
 * the HaVip/EIP/instance rules and error codes the real APIs use, asynchronous transitions on an
 * injectable clock, ECS state-change events, and deterministic fault injection. Usable without HTTP
 * ({@link SimulatedCloud.handle}); `startSimulatorServer` puts it on the wire for the official SDKs.
 *
 * This class is the façade: it wires one module per API family (`havip.ts`, `eip.ts`, `ecs.ts`,
 * `assistant.ts`), the data plane (`dataplane.ts`) and request dispatch (`dispatch.ts`) around one
 * shared context (`context.ts`), on the cloud-neutral pieces in `common/`.
 */
import { InvalidInputError } from '../../core/errors.js';
import { CloudAssistant } from './assistant.js';
import { buildWorld } from './build-world.js';
import { type SimClock, systemClock } from './common/clock.js';
import { FaultGate } from './common/fault-gate.js';
import { type FaultController, Faults, type TransitionKind } from './common/faults.js';
import { seededRandom } from './common/random.js';
import { Scheduler } from './common/scheduler.js';
import { type SimStats, StatsCounter } from './common/stats.js';
import type { SimContext } from './context.js';
import { DataPlane } from './dataplane.js';
import { Dispatcher, ECS_VERSION, VPC_VERSION } from './dispatch.js';
import { Ecs } from './ecs.js';
import { eipOperations } from './eip.js';
import type { SimEcsStateChangeEvent, SimEventSink } from './events.js';
import {
  eipView,
  eniView,
  haVipView,
  instanceView,
  invocationView,
  type SimSnapshot,
  snapshotOf,
} from './ground-truth.js';
import { haVipOperations } from './havip.js';
import type {
  SimAnnounceResult,
  SimEipView,
  SimEniView,
  SimHaVipView,
  SimInstanceView,
  SimInvocationView,
  SimQuotas,
  SimRequest,
  SimResponse,
  SimSeed,
} from './types.js';
import { parseSimSeed, resolveSimQuotas } from './types.js';
import type { World } from './world.js';

export { ECS_VERSION, VPC_VERSION };

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
  private readonly scheduler: Scheduler;
  private readonly statsCounter = new StatsCounter();
  private readonly dataPlane: DataPlane;
  private readonly ecs: Ecs;
  private readonly dispatcher: Dispatcher;

  constructor(seed: SimSeed, opts: SimulatedCloudOptions = {}) {
    const parsed = parseSimSeed(seed);
    this.clock = opts.clock ?? systemClock;
    this.quotas = resolveSimQuotas(parsed.quotas);
    this.accessKey = parsed.accessKey;
    this.accountId = parsed.accountId ?? '1234567890123456';
    const historyMs = opts.historyMs ?? 600_000;
    this.world = buildWorld(parsed, this.quotas, new Date(this.clock.now()).toISOString());
    const keepalivedTakeoverMs = nonNegativeOption('keepalivedTakeoverMs', opts.keepalivedTakeoverMs, 3600);
    const cloudAssistantDelayMs = nonNegativeOption('cloudAssistantDelayMs', opts.cloudAssistantDelayMs, 300);
    this.scheduler = new Scheduler(this.clock);
    const faults = new Faults(
      this.clock,
      opts.random ?? seededRandom(opts.randomSeed ?? 1),
      transitionDelays(opts),
      () => this.dataPlane.scheduleTakeovers(),
    );
    this.faults = faults;
    const ctx = this.context(faults, historyMs);
    this.dataPlane = new DataPlane(ctx, this.statsCounter, keepalivedTakeoverMs);
    this.ecs = new Ecs(ctx, this.accountId);
    const assistant = new CloudAssistant(ctx, this.dataPlane, cloudAssistantDelayMs);
    this.dispatcher = new Dispatcher(
      ctx,
      new FaultGate(faults, this.clock, this.statsCounter),
      {
        [VPC_VERSION]: { ...haVipOperations(ctx), ...eipOperations(ctx) },
        [ECS_VERSION]: { ...this.ecs.operations(), ...assistant.operations() },
      },
      historyMs,
    );
    ctx.commit();
  }

  private context(faults: Faults, historyMs: number): SimContext {
    const { world, clock, scheduler } = this;
    return {
      world,
      clock,
      quotas: this.quotas,
      faults,
      scheduler,
      commit: () => {
        world.clearLostMasters();
        world.commit(clock.now(), historyMs);
        this.dataPlane.scheduleTakeovers();
      },
      transition: (kind, run) => scheduler.after(faults.transitionDelay(kind), run),
    };
  }

  // =============================================================================================
  // The API

  /**
   * Answers one API call like the cloud would: latency, throttling and injected failures first (a
   * throttled or failed call has no effect), then the operation. Never rejects: errors are responses.
   */
  handle(req: SimRequest): Promise<SimResponse> {
    return this.dispatcher.handle(req);
  }

  // =============================================================================================
  // Operator actions (the local mode's "stop this instance" button, tests' fault scenarios)

  /** Stop an instance like the console would: `Stopping` now, `Stopped` after the transition delay. */
  stopInstance(instanceId: string, opts: { force?: boolean } = {}): void {
    this.ecs.stop(instanceId, opts.force ?? false);
  }

  /** Start a stopped instance: `Starting` now, `Running` after the transition delay. */
  startInstance(instanceId: string): void {
    this.ecs.start(instanceId);
  }

  /**
   * Release an instance at once. Like the cloud, this unbinds it from its HaVips and EIPs and detaches
   * its secondary ENIs (whose own HaVip bindings stay). Emits a `Deleted` state change.
   */
  deleteInstance(instanceId: string): void {
    this.ecs.release(instanceId);
  }

  /** Receive every ECS state-change event (EventBridge format). Returns an unsubscribe function. */
  onEvent(sink: SimEventSink): () => void {
    return this.ecs.onEvent(sink);
  }

  /** The most recent events (up to 500), oldest first. */
  recentEvents(): readonly SimEcsStateChangeEvent[] {
    return this.ecs.events.recentEvents();
  }

  // =============================================================================================
  // Transitions

  /**
   * Complete every pending asynchronous transition now, in due order, including keepalived takeovers
   * and Cloud Assistant runs (for tests).
   */
  settle(): Promise<void> {
    return this.scheduler.settle();
  }

  /** Number of asynchronous transitions (and pending takeovers and command runs) still in flight. */
  pendingTransitions(): number {
    return this.scheduler.pending();
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
    return this.dataPlane.announce(instanceId, address);
  }

  /**
   * Which target receives the HaVip's traffic now: the master while it is bound and live, else nobody
   * (traffic to the address is dropped). Ground truth, never stale.
   */
  servingInstance(haVipId: string): string | undefined {
    return this.dataPlane.servingInstance(haVipId);
  }

  // =============================================================================================
  // Ground truth

  haVip(id: string): SimHaVipView | undefined {
    return haVipView(this.world, id);
  }

  instance(id: string): SimInstanceView | undefined {
    return instanceView(this.world, id);
  }

  eni(id: string): SimEniView | undefined {
    return eniView(this.world, id);
  }

  /** A Cloud Assistant invocation on one instance (the first instance when `instanceId` is omitted). */
  invocation(invokeId: string, instanceId?: string): SimInvocationView | undefined {
    return invocationView(this.world, invokeId, instanceId);
  }

  eip(id: string): SimEipView | undefined {
    return eipView(this.world, id);
  }

  /** Every resource, live, for dumps and the admin endpoint. */
  snapshot(): SimSnapshot {
    return snapshotOf(this.world);
  }

  // =============================================================================================
  // Stats

  stats(): SimStats {
    return this.statsCounter.snapshot();
  }

  resetStats(): void {
    this.statsCounter.reset();
  }
}

function transitionDelays(opts: SimulatedCloudOptions): Record<TransitionKind, number> {
  const base = opts.transitionDelayMs ?? 0;
  return {
    haVip: opts.transitionDelays?.haVip ?? base,
    eip: opts.transitionDelays?.eip ?? base,
    instance: opts.transitionDelays?.instance ?? base,
  };
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
