/**
 * The simulated Tencent Cloud control and data plane: VPC (HAVIPs and their drift scope, a HAVIP's EIP
 * as asynchronous tasks, ENIs, quotas), CVM (instances and their lifecycle), TAT (commands) and TDMQ
 * for CMQ topics (`PublishCmqMsg`, delivered as SCF's CMQ trigger would: `cmq.ts`), with the
 * rules and error codes of API 3.0, the ARP data plane that decides who holds a HAVIP, transitions on
 * an injectable clock and deterministic fault injection. Usable without HTTP
 * ({@link TencentSimulatedCloud.handle}); `startTencentSimulatorServer` puts it on the wire for the
 * official SDK and our adapter.
 *
 * This class is the façade: it wires one module per API family (`havip.ts`, `tasks.ts`, `network.ts`,
 * `cvm.ts`, `tat.ts`), the data plane (`dataplane.ts`) and dispatch (`dispatch.ts`) around one shared
 * context (`context.ts`), on the cloud-neutral pieces in `../simulator/common/`.
 */
import { InvalidInputError } from '../../core/errors.js';
import { type SimClock, systemClock } from '../simulator/common/clock.js';
import { FaultGate } from '../simulator/common/fault-gate.js';
import { seededRandom } from '../simulator/common/random.js';
import { Scheduler } from '../simulator/common/scheduler.js';
import { type SimStats, StatsCounter } from '../simulator/common/stats.js';
import type { TencentCloudAuditEvent } from './audit.js';
import { buildTencentWorld } from './build-world.js';
import { CmqTopics } from './cmq.js';
import type { TencentSimContext } from './context.js';
import { Cvm, type TencentInstanceStateChange } from './cvm.js';
import { type TencentAnnounceResult, TencentDataPlane } from './dataplane.js';
import { TencentDispatcher, type TencentSimRequest, type TencentSimResponse } from './dispatch.js';
import {
  TENCENT_TRANSITION_KINDS,
  type TencentFaultController,
  TencentFaults,
  type TencentTransitionKind,
} from './faults.js';
import { haVipOperations, setCheckAssociate } from './havip.js';
import { networkOperations } from './network.js';
import type { SiteProfile } from './render.js';
import {
  parseTencentSeed,
  resolveTencentQuotas,
  type TencentSimQuotas,
  type TencentSimSeed,
} from './seed.js';
import type { TencentSimCredentials, TencentSimTemporaryCredentials } from './signature.js';
import { taskOperations } from './tasks.js';
import { Tat } from './tat.js';
import type { EipRec, EniRec, HaVipRec, InstanceRec, TaskRec, TatTaskRec, TencentWorld } from './world.js';

export interface TencentSimulatedCloudOptions {
  /** Time and timers for transitions, latency, throttling and staleness. Default: the system clock. */
  readonly clock?: SimClock;
  /** Duration of every transition (CVM state change, VPC task, ARP switch). Default 0 (immediate). */
  readonly transitionDelayMs?: number;
  /** Per-kind overrides of `transitionDelayMs`. */
  readonly transitionDelays?: Partial<Record<TencentTransitionKind, number>>;
  /** How long a TAT task stays `PENDING` before the agent runs it. Default 300 ms. */
  readonly tatDelayMs?: number;
  /** Random source for probabilistic faults. Default: a generator seeded with `randomSeed` (default 1). */
  readonly random?: () => number;
  readonly randomSeed?: number;
  /** How far back stale describes can look. Default 10 minutes. */
  readonly historyMs?: number;
  /** The key pair requests must be signed with; overrides the seed's `credentials`. */
  readonly credentials?: TencentSimCredentials;
  /** Which documented variant the simulated site follows (see {@link SiteProfile}). Default `china`, `UNBIND`. */
  readonly site?: SiteProfile['site'];
  readonly unboundState?: SiteProfile['unboundState'];
  /** Whether removing the holder from the drift scope evicts it (undocumented). Default true. */
  readonly evictOnScopeRemoval?: boolean;
}

/** Every resource, live (ground truth), for dumps and the admin endpoint. */
export interface TencentSimSnapshot {
  readonly regions: readonly string[];
  readonly haVips: readonly HaVipRec[];
  readonly instances: readonly InstanceRec[];
  readonly networkInterfaces: readonly EniRec[];
  readonly eips: readonly EipRec[];
  readonly tasks: readonly TaskRec[];
  readonly tatTasks: readonly TatTaskRec[];
}

export class TencentSimulatedCloud {
  readonly faults: TencentFaultController;
  readonly quotas: TencentSimQuotas;
  /** The key pair requests must be signed with; undefined = any well-formed signature. */
  readonly credentials: TencentSimCredentials | undefined;
  readonly profile: SiteProfile;
  readonly clock: SimClock;
  /** TDMQ for CMQ topics: `PublishCmqMsg`, delivered to subscribers as SCF's CMQ trigger would. */
  readonly cmq: CmqTopics;

  private readonly world: TencentWorld;
  private readonly scheduler: Scheduler;
  private readonly statsCounter = new StatsCounter();
  private readonly ctx: TencentSimContext;
  private readonly dataPlane: TencentDataPlane;
  private readonly cvm: Cvm;
  private readonly dispatcher: TencentDispatcher;
  private readonly temporary = new Map<string, TencentSimTemporaryCredentials>();

  constructor(seed: TencentSimSeed, opts: TencentSimulatedCloudOptions = {}) {
    const parsed = parseTencentSeed(seed);
    this.clock = opts.clock ?? systemClock;
    this.quotas = resolveTencentQuotas(parsed.quotas);
    this.credentials = opts.credentials ?? parsed.credentials;
    this.profile = { site: opts.site ?? 'china', unboundState: opts.unboundState ?? 'UNBIND' };
    const historyMs = nonNegative('historyMs', opts.historyMs, 600_000);
    this.world = buildTencentWorld(parsed, this.quotas, this.clock.now());
    this.scheduler = new Scheduler(this.clock);
    const faults = new TencentFaults(
      this.clock,
      opts.random ?? seededRandom(opts.randomSeed ?? 1),
      delays(opts),
    );
    this.faults = faults;
    const { world, clock, scheduler } = this;
    this.ctx = {
      world,
      clock,
      quotas: this.quotas,
      faults,
      scheduler,
      evictOnScopeRemoval: opts.evictOnScopeRemoval ?? true,
      commit: () => world.commit(clock.now(), historyMs),
      transition: (kind, run) => scheduler.after(faults.transitionDelay(kind), run),
    };
    this.dataPlane = new TencentDataPlane(this.ctx, this.statsCounter);
    this.cvm = new Cvm(this.ctx);
    const tat = new Tat(this.ctx, this.dataPlane, nonNegative('tatDelayMs', opts.tatDelayMs, 300));
    this.cmq = new CmqTopics(this.ctx);
    this.dispatcher = new TencentDispatcher(
      this.ctx,
      new FaultGate(faults, this.clock, this.statsCounter),
      {
        ...haVipOperations(this.ctx, this.profile),
        ...taskOperations(this.ctx),
        ...networkOperations(this.ctx),
        ...this.cvm.operations(),
        ...tat.operations(),
        ...this.cmq.operations(),
      },
      historyMs,
    );
    this.ctx.commit();
  }

  /** Answers one API call like Tencent would (faults first). Never rejects: errors are answers. */
  handle(req: TencentSimRequest): Promise<TencentSimResponse> {
    return this.dispatcher.handle(req);
  }

  /** The product an action belongs to (`vpc`, `cvm`, `tat`), for the signature check. */
  serviceOf(action: string): string | undefined {
    return this.dispatcher.serviceOf(action);
  }

  /**
   * Accepts a CAM role's temporary credentials (each set the metadata simulator issues) besides the
   * configured pair, with their token, until they expire.
   */
  addTemporaryCredentials(c: TencentSimTemporaryCredentials): void {
    this.temporary.set(c.secretId, { ...c });
  }

  /** The temporary credentials of a SecretId, for the signature check. */
  temporaryCredentials(secretId: string): TencentSimTemporaryCredentials | undefined {
    return this.temporary.get(secretId);
  }

  // -- operator actions ------------------------------------------------------------------------

  /**
   * Stop an instance as the console would: `STOPPING` now, `STOPPED` after the transition delay, and a
   * CloudAudit `ConsoleCall` event for {@link onCloudEvent}'s subscribers.
   */
  stopInstance(instanceId: string): void {
    this.cvm.consoleStop(instanceId);
  }

  /**
   * Start a stopped instance as the console would: `STARTING` now, `RUNNING` after the transition delay,
   * and a CloudAudit `ConsoleCall` event.
   */
  startInstance(instanceId: string): void {
    this.cvm.consoleStart(instanceId);
  }

  /** Turn a HAVIP's drift-scope check on or off (a console setting). */
  setCheckAssociate(haVipId: string, enabled: boolean): void {
    setCheckAssociate(this.ctx, haVipId, enabled);
  }

  /** Every CVM state change, as it happens. Returns an unsubscribe function. */
  onStateChange(sink: (e: TencentInstanceStateChange) => void): () => void {
    return this.cvm.onStateChange(sink);
  }

  /**
   * The EventBridge events a real account would deliver to a `havip-cvm-events` target: a CloudAudit
   * event per successful `StopInstances` (`ApiCall` through the API, `ConsoleCall` by an operator).
   * Returns an unsubscribe function.
   */
  onCloudEvent(sink: (e: TencentCloudAuditEvent) => void): () => void {
    return this.cvm.audit.subscribe(sink);
  }

  /** The most recent EventBridge events (up to 500), oldest first. */
  recentCloudEvents(): readonly TencentCloudAuditEvent[] {
    return this.cvm.audit.recent();
  }

  /** The most recent state changes (up to 500), oldest first. */
  recentEvents(): readonly TencentInstanceStateChange[] {
    return this.cvm.events.recentEvents();
  }

  // -- the data plane ---------------------------------------------------------------------------

  /** A gratuitous ARP of `address` from an instance or one of its ENIs (see `dataplane.ts`). */
  announce(id: string, address: string): TencentAnnounceResult {
    return this.dataPlane.announce(id, address);
  }

  /** Which instance receives the HAVIP's traffic now: its holder while RUNNING, else nobody. */
  servingInstance(haVipId: string): string | undefined {
    return this.dataPlane.servingInstance(haVipId);
  }

  // -- transitions ------------------------------------------------------------------------------

  /** Complete every pending transition, task and TAT run now, in due order. */
  settle(): Promise<void> {
    return this.scheduler.settle();
  }

  pendingTransitions(): number {
    return this.scheduler.pending();
  }

  // -- ground truth (never stale, never faulted) -----------------------------------------------

  haVip(id: string): HaVipRec | undefined {
    return this.world.haVips.get(id);
  }

  instance(id: string): InstanceRec | undefined {
    return this.world.instances.get(id);
  }

  networkInterface(id: string): EniRec | undefined {
    return this.world.enis.get(id);
  }

  task(taskId: string): TaskRec | undefined {
    return this.world.tasks.get(taskId);
  }

  /** The TAT task of an invocation on one instance (the first when `instanceId` is omitted). */
  tatTask(invocationId: string, instanceId?: string): TatTaskRec | undefined {
    return [...this.world.tatTasks.values()].find(
      (t) => t.invocationId === invocationId && (instanceId === undefined || t.instanceId === instanceId),
    );
  }

  snapshot(): TencentSimSnapshot {
    const w = this.world;
    return {
      regions: [...w.regions],
      haVips: [...w.haVips.values()],
      instances: [...w.instances.values()],
      networkInterfaces: [...w.enis.values()],
      eips: [...w.eips.values()],
      tasks: [...w.tasks.values()],
      tatTasks: [...w.tatTasks.values()],
    };
  }

  stats(): SimStats {
    return this.statsCounter.snapshot();
  }

  resetStats(): void {
    this.statsCounter.reset();
  }
}

function delays(opts: TencentSimulatedCloudOptions): Record<TencentTransitionKind, number> {
  const base = nonNegative('transitionDelayMs', opts.transitionDelayMs, 0);
  const out = {} as Record<TencentTransitionKind, number>;
  for (const k of TENCENT_TRANSITION_KINDS)
    out[k] = nonNegative(`transitionDelays.${k}`, opts.transitionDelays?.[k], base);
  return out;
}

function nonNegative(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 0)
    throw new InvalidInputError('simulator.options-invalid', 'invalid Tencent simulator options', [
      { path: name, message: `must be a finite number of milliseconds >= 0, got ${String(v)}` },
    ]);
  return v;
}
